"""baseline: (to be described)."""
