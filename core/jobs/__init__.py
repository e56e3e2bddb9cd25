"""Stage 6, jobs: a config in, a queued and watched training that ends in a stored run.

``manager`` holds the queue and the live snapshots; ``worker_process`` is the spawn
entry point of a training process.
"""
