"""The disk under this desk's store: the room left there (the header and doctor warn when it runs
low) and whether it is a network share (where several desks must not share a SQLite file)."""

from __future__ import annotations

from pathlib import Path

from eventdesk.services.context import Context
from eventdesk.store.db import database_url, sqlite_path
from eventdesk.store.filesystem import Room, is_disk_full, room_at

__all__ = ["Room", "is_disk_full", "room_at", "store_path", "store_room"]


def store_path(context: Context) -> Path | None:
    """The SQLite file of this desk's store (None: PostgreSQL)."""
    return sqlite_path(database_url(context.settings.db or context.engine.url.render_as_string(hide_password=False)))


def store_room(context: Context) -> Room | None:
    """Free space beside the SQLite store (None: PostgreSQL, whose disk is the server's)."""
    path = store_path(context)
    if path is None:
        return None
    try:
        return room_at(path.parent)
    except OSError:
        return None
