"""The Train page's parts: the knobs, the cost of a config, a running job with its live curves, the result.

Pure: ``knobs`` (the knob table: each field's label, group, up front or not), ``charts``
(the live training curve), ``tables`` (curve frames, the epoch table), ``wording``
(estimates, progress and overfitting sentences). Streamlit edge: ``controls`` (the knob
widgets), ``panels`` (a config's cost, the queue, a job from start to result).
"""
