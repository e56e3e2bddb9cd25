"""Stage 7, serving: a stored run and typed text in, probabilities and explanations out.

``predictor`` scores text with one run's model, ``explain`` says which words mattered,
``service`` runs both in a long-lived child process so the web server never imports
TensorFlow, and ``batch_input`` turns an uploaded file into the reviews to score.
``xray`` shows inside the recurrent layers (states, gates and the running verdict, step
by step, in numpy from the model's own weights), ``interventions`` reads a review again with
the X-ray's replay changed (forget, ignore or freeze a step, silence a unit) for the exact
what-if verdict, ``unit_roles`` says what each unit does (its effect when silenced over
validation reviews, the words that move it), ``horizon`` measures how much a word's
influence depends on its distance from the end (the memory horizon), ``layers`` is the
layer summary of a run's network from its config alone (no Keras), and ``export`` takes
a run away: a run bundle that scores text anywhere, or Keras's own serving formats.
"""
