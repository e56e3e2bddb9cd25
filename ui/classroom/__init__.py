"""classroom: (to be described)."""
