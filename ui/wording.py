"""What the app says: numbers as text and the sentences that explain a result.

Pure: no Streamlit. Each function takes plain values or ``core`` results (a config, a
job snapshot, an explanation, an evaluation's frames) and returns a string (Markdown
where it says so) or a small dataclass of counts to talk about. Verdicts follow
:mod:`core.model.metrics`; preset names :func:`core.config.preset_name`.
"""

from __future__ import annotations

# ---------------------------------------------------------------- numbers


# ---------------------------------------------------------------- Train


# ---------------------------------------------------------------- weight snapshots (any page)


# ---------------------------------------------------------------- Predict


# ---------------------------------------------------------------- Evaluate
