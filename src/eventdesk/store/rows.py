"""What a saved row's id is."""

from __future__ import annotations

from typing import Protocol


class _Row(Protocol):
    @property
    def id(self) -> int | None: ...


def saved_id(row: _Row) -> int:
    """The id of a row read from or flushed to the database. SQLModel types every table's ``id``
    as optional because it is None until the INSERT; here None means a row used before saving."""
    if row.id is None:
        raise ValueError(f"this {type(row).__name__} has no id: it was never saved")
    return row.id
