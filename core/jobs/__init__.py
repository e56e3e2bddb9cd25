"""Stage 6, jobs: a config in, a stored run out, queued, watched live and cancellable on the way.

``manager`` holds the queue and admission rules, ``records`` a job's states and the
snapshots pages read (progress and ETA), ``journal`` what survives a restart,
``executors`` where a job trains (a thread or a child process), and ``worker_process``
is the spawn entry point of a training process.
"""
