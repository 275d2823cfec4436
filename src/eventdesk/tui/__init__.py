"""The Textual app: no SQL and no business rules here; screens call services."""
