"""Read-only pages served to browsers on the venue network (the speaker's countdown)."""
