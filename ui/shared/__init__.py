"""shared: (to be described)."""
