"""What open screens and pages watch to see another process's writes: the store's change versions
(compared on a poll) and, on PostgreSQL, a listener that hears them at once."""

from __future__ import annotations

from collections.abc import Callable

from eventdesk.services.context import Context
from eventdesk.store import db, notify


def change_versions(context: Context) -> dict[str, object]:
    """Compare two of these: a difference means something another process wrote (``store.db.change_versions``)."""
    return db.change_versions(context.engine)


def start_listener(context: Context, on_change: Callable[[frozenset[str]], None], **options):
    """A thread calling ``on_change(areas)`` as the store announces changes; None where the store
    cannot announce them (SQLite: poll ``change_versions``). Stop it with ``.stop(timeout)``."""
    return notify.start_listener(context.engine, on_change, **options)
