"""xray: (to be described)."""
