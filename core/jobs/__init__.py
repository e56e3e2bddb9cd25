"""Stage 6, jobs: a config in, a stored run out, queued, watched live and cancellable on the way.

``executor`` is the one interface the pages and the command line use, and the choice
between the two executors: ``manager``, the local one (a queue and worker threads in
this process; ``isolation`` trains a job in a thread or a spawned child process, whose
entry point is ``worker_process``), and ``redis_queue``, the distributed one (RQ on
Redis: ``queue_state`` holds a job's state there, ``queue_task`` is what a worker runs,
``queue_worker`` the worker class). Both apply ``admission``'s rules and give the
snapshots of ``records`` (progress and ETA); ``journal`` is what survives a local restart.
"""
