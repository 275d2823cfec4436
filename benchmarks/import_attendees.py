"""How long `eventdesk import attendees` takes on big files: a first import, a re-import with
nothing changed and a re-import with every row changed. Prints a table.

    python benchmarks/import_attendees.py [ROWS]
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from eventdesk.services.context import open_context
from eventdesk.services.events import create_event
from eventdesk.services.import_attendees import import_attendees

FIRST = ["Kristina", "Jonas", "Kíncső", "Łukasz", "Ana", "Søren", "Zoë", "Mateo", "Ines", "Pieter"]
LAST = ["Šermukšnytė", "Novák", "Müller", "Ó Briain", "García", "Dubois", "Virtanen", "Rossi", "Janssens"]
ORGS = ["Cluster Alpha", "BioVale", "Smart Mobility Hub", "Agrifood Cluster", ""]
TICKETS = ["Conference pass", "Speaker", "Press", "Staff", "Matchmaking"]


def write_file(path: Path, rows: int, seed: int, role: str) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("First name;Last name;E-mail;Company;Ticket type;Job title\r\n")
        for i in range(rows):
            out.write(f"{rng.choice(FIRST)};{rng.choice(LAST)};person{i}@example.org;{rng.choice(ORGS)};"
                      f"{rng.choice(TICKETS)};{role}\r\n")


def timed(db: str, path: Path) -> tuple[float, str]:
    context = open_context(db)
    start = time.perf_counter()
    summary = import_attendees(context, path)
    seconds = time.perf_counter() - start
    context.engine.dispose()
    return seconds, summary.counts


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "bench.db")
        create_event(db, name="Bench", timezone="Europe/Brussels", start=date(2024, 5, 6), end=date(2024, 5, 8))
        first, changed = Path(folder) / "people.csv", Path(folder) / "people-changed.csv"
        write_file(first, rows, 1, "Manager")
        write_file(changed, rows, 1, "Director")
        results = [("first import", *timed(db, first)), ("re-import, nothing changed", *timed(db, first)),
                   ("re-import, every row changed", *timed(db, changed))]
    print(f"{'case':<30} {'rows':>8} {'seconds':>8}  result")
    for name, seconds, counts in results:
        print(f"{name:<30} {rows:>8} {seconds:>8.2f}  {counts}")


if __name__ == "__main__":
    main()
