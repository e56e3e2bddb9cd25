"""Benchmarks: each prints one JSON object on stdout (``python -m bench.<name>``)."""
