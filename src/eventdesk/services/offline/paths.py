"""Where a desk keeps its own file: ``$EVENTDESK_DATA_DIR``, else the ``data_dir`` setting, else
``$XDG_DATA_HOME/eventdesk``, else ``~/.local/share/eventdesk``; one file per event and desk,
named ``<event>-<desk>.db``."""

from __future__ import annotations

import os
import re
from pathlib import Path

from sqlalchemy.engine import make_url

from eventdesk.settings import Settings
from eventdesk.store.db import database_url
from eventdesk.store.offline_copy import read_meta


def data_dir(settings: Settings | None = None) -> Path:
    configured = getattr(settings, "data_dir", None) or os.environ.get("EVENTDESK_DATA_DIR")
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "eventdesk"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:60] or "x"


def offline_copy_path(settings: Settings, event_name: str, desk: str) -> Path:
    return data_dir(settings) / f"{_slug(event_name)}-{_slug(desk)}.db"


def server_identity(db: str) -> str:
    """The server URL without its password: what an offline copy remembers of its server."""
    return make_url(database_url(db)).render_as_string(hide_password=True)


def find_offline_copy(settings: Settings, db: str, desk: str) -> Path | None:
    """The file this desk kept for the server ``db`` (the newest if several): found without the
    server, by what each file remembers of its server and desk."""
    folder = data_dir(settings)
    if not folder.is_dir():
        return None
    wanted = server_identity(db)
    found = []
    for path in folder.glob("*.db"):
        meta = read_meta(path)
        if meta.get("desk") == desk and meta.get("server") == wanted:
            found.append((meta.get("snapshot_at", ""), path))
    return max(found)[1] if found else None
