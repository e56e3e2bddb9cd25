"""train: (to be described)."""
