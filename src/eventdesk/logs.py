"""Logging that never paints over the TUI and never carries personal data.

python-escpos calls ``logging.basicConfig()`` on import, which would print log lines over the
screen: we configure the root logger first (a no-op basicConfig then) and keep it quiet."""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def quiet_logging() -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler):
            root.removeHandler(handler)
    root.addHandler(logging.NullHandler())
    root.setLevel(logging.WARNING)
    log_to_file_from_env()


# Loggers that would write personal data at low levels: SQLAlchemy logs every statement with its
# parameters (names, e-mails) at INFO; they stay at WARNING whatever level the log file has.
NOISY_WITH_PERSONAL_DATA = ("sqlalchemy", "alembic", "PIL", "asyncio")


def log_to_file(path: str | os.PathLike[str], level: str | int = "INFO") -> logging.Handler:
    """Log into ``path`` (mode 0600) at ``level``; never personal data: our own log lines carry ids,
    never names, and loggers that would print SQL parameters are held at WARNING."""
    target = Path(path).expanduser()
    target.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(target, os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600))
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, logging.FileHandler) and Path(handler.baseFilename) == target.absolute():
            return handler
    handler = logging.FileHandler(target, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(process)d: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level if isinstance(level, int) else logging.getLevelName(str(level).upper()))
    for name in NOISY_WITH_PERSONAL_DATA:
        logging.getLogger(name).setLevel(logging.WARNING)
    return handler


def log_to_file_from_env() -> None:
    """``EVENTDESK_LOG_FILE`` (and ``EVENTDESK_LOG_LEVEL``, default INFO) turn on the log file."""
    path = os.environ.get("EVENTDESK_LOG_FILE")
    if path:
        log_to_file(path, os.environ.get("EVENTDESK_LOG_LEVEL", "INFO"))


def tame_escpos_import() -> None:
    """Call before importing escpos: its capabilities pickle goes to one known folder instead of
    a new temporary folder per import, and its basicConfig finds handlers already set.

    Setting ``ESCPOS_CAPABILITIES_PICKLE_DIR`` is not enough with python-escpos 3.1: it evaluates
    ``environ.get(..., mkdtemp())``, so the default folder is created anyway. The capabilities
    module is therefore imported here once, with ``mkdtemp`` answering the known folder."""
    folder = Path(tempfile.gettempdir()) / f"eventdesk-escpos-{os.getuid() if hasattr(os, 'getuid') else 'u'}"
    folder.mkdir(mode=0o700, exist_ok=True)
    os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", str(folder))
    if not logging.getLogger().handlers:
        logging.getLogger().addHandler(logging.NullHandler())
    if "escpos.capabilities" in sys.modules:
        return
    original = tempfile.mkdtemp
    tempfile.mkdtemp = lambda *args, **kwargs: os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"]
    # The import rewrites the pickle when the installed capabilities file is newer (a new venv):
    # another desk process importing at that moment read a half-written pickle and died (EOFError).
    with _pickle_lock(Path(os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"])):
        try:
            import escpos.capabilities  # noqa: F401
        except ImportError:  # escpos is a dependency; without it printing says so when used
            pass
        finally:
            tempfile.mkdtemp = original


@contextmanager
def _pickle_lock(folder: Path) -> Iterator[None]:
    """One process at a time reads or writes python-escpos's capabilities pickle (POSIX only)."""
    try:
        import fcntl
    except ImportError:  # Windows: no flock; desks there start one at a time
        yield
        return
    with open(folder / "import.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
