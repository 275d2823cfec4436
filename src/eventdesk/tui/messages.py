"""App-wide messages (widget messages live in their widgets)."""

from __future__ import annotations

from textual.message import Message


class StoreChanged(Message):
    """Another process (or this one) changed these areas of the store: re-read what you show."""

    def __init__(self, areas: frozenset[str]) -> None:
        super().__init__()
        self.areas = areas


class LinkChanged(Message):
    """The desk went offline or online, or its journal of offline scans changed."""


class StoreNotified(Message):
    """The store's listener (PostgreSQL LISTEN/NOTIFY, another thread) heard these areas change."""

    def __init__(self, areas: frozenset[str]) -> None:
        super().__init__()
        self.areas = areas
