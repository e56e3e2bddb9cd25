"""Stage 7, serving: a stored run and typed text in, probabilities and explanations out.

``predictor`` scores text with one run's model, ``explain`` says which words mattered,
``service`` runs both in a long-lived child process so the web server never imports
TensorFlow, and ``batch_input`` turns an uploaded file into the reviews to score.
"""
