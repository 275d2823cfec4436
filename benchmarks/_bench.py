"""What every benchmark script shares: finding the package and the real data from wherever the
clone is, the ``--quick`` and ``--json`` options, percentiles, and one JSON object of figures.

A script is run from the clone (``python benchmarks/NAME.py``) with a Python that has eventdesk's
dependencies installed; ``src/`` of the same clone is put first on the path, so the figures are
those of the code beside the script, not of another installed copy.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO / "src") not in sys.path:
    sys.path.insert(0, str(REPO / "src"))

# Real files from other tools, kept beside the clone (never inside it): ``<clone>/../shared/realdata``,
# or wherever $EVENTDESK_REALDATA points.
REALDATA = Path(os.environ.get("EVENTDESK_REALDATA") or REPO.parent / "shared" / "realdata")


def realdata_file(relative: str) -> Path:
    """A file of the real data set, or exit with one line saying where it was looked for."""
    path = REALDATA / relative
    if not path.is_file():
        sys.exit(
            f"{relative} is missing: looked in {REALDATA} (the shared real data beside the clone; "
            f"set EVENTDESK_REALDATA to its folder, or pass --file)"
        )
    return path


def parser(doc: str) -> argparse.ArgumentParser:
    """An argument parser with the options every benchmark has."""
    made = argparse.ArgumentParser(
        description=doc.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    made.add_argument(
        "--quick",
        action="store_true",
        help="a run under a minute at smaller sizes (a smoke test: not comparable to the targets)",
    )
    made.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object of figures (named as in benchmarks/README.md) instead of tables",
    )
    return made


def child_env() -> dict[str, str]:
    """The environment for an ``eventdesk`` started as a new process: this clone's ``src`` first."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "src"), env.get("PYTHONPATH")]))
    return env


def percentile(values, fraction: float) -> float:
    """The value below which ``fraction`` of ``values`` lie (nearest rank; 0.95 = p95)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def quiet() -> None:
    """No log lines among the figures."""
    from eventdesk.logs import quiet_logging

    quiet_logging()


class Output:
    """Tables go to stdout unless ``--json``: then they go to stderr and stdout holds one JSON
    object (figures rounded to 0.01)."""

    def __init__(self, args: argparse.Namespace, script: str) -> None:
        self.json = args.json
        self.figures: dict[str, object] = {"benchmark": script, "quick": bool(args.quick)}

    def print(self, *parts, **kwargs) -> None:
        print(*parts, file=sys.stderr if self.json else sys.stdout, **kwargs)

    def figure(self, name: str, value) -> None:
        if isinstance(value, float):
            value = round(value, 2)
        self.figures[name] = value

    def finish(self) -> None:
        if self.json:
            print(json.dumps(self.figures))


@contextlib.contextmanager
def scratch_postgres(prefix: str):
    """The URL of a new database on $EVENTDESK_PG_URL's server (default the local one), dropped
    after the ``with``; exits with one line when no server answers."""
    import uuid

    import psycopg

    server = os.environ.get("EVENTDESK_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/").rstrip("/")
    base = server.rsplit("/", 1)[0] if server.count("/") > 2 else server
    base = base.replace("postgresql+psycopg://", "postgresql://")
    try:
        admin = psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        raise SystemExit(f"No PostgreSQL server at {base} ({error}); start one or set EVENTDESK_PG_URL.") from None
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()
