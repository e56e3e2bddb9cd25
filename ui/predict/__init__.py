"""predict: (to be described)."""
