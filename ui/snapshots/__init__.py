"""snapshots: (to be described)."""
