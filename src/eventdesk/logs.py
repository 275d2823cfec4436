"""Logging that never paints over the TUI and never carries personal data.

python-escpos calls ``logging.basicConfig()`` on import, which would print log lines over the
screen: we configure the root logger first (a no-op basicConfig then) and keep it quiet."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path


def quiet_logging() -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler):
            root.removeHandler(handler)
    root.addHandler(logging.NullHandler())
    root.setLevel(logging.WARNING)


def tame_escpos_import() -> None:
    """Call before importing escpos: its capabilities pickle goes to one known folder instead of
    a new temporary folder per import, and its basicConfig finds handlers already set."""
    folder = Path(tempfile.gettempdir()) / f"eventdesk-escpos-{os.getuid() if hasattr(os, 'getuid') else 'u'}"
    folder.mkdir(mode=0o700, exist_ok=True)
    os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", str(folder))
    if not logging.getLogger().handlers:
        logging.getLogger().addHandler(logging.NullHandler())
