"""Desks racing each other: real processes (spawn) started together behind a Barrier, each with
its own ``open_context``, against a real SQLite file and the real PostgreSQL server."""

from __future__ import annotations

from datetime import date

import pytest

pytestmark = pytest.mark.postgres


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    """An empty event (Test Conference, Europe/Brussels, 6-8 May 2024) in a SQLite file or in a
    fresh PostgreSQL database."""
    from eventdesk.services.events import create_event

    url = str(tmp_path / "event.db") if request.param == "sqlite" else request.getfixturevalue("pg_url")
    create_event(
        url,
        name="Test Conference",
        timezone="Europe/Brussels",
        start=date(2024, 5, 6),
        end=date(2024, 5, 8),
        venue="Brussels",
    )
    return url
