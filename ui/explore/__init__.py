"""explore: (to be described)."""
