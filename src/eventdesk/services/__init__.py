"""Use cases joining domain, store and devices; called alike by the CLI, the TUI and tests."""
