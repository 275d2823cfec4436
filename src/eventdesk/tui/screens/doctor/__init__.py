"""The desk's self-check."""
