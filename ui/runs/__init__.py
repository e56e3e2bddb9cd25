"""runs: (to be described)."""
