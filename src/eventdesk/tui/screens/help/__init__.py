"""The key help."""
