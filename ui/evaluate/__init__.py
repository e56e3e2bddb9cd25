"""evaluate: (to be described)."""
