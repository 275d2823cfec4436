"""Write a new schema migration for the changes made to ``store/models.py``.

    python scripts/new_migration.py "what changed and why"

Alembic compares the tables in models.py with a scratch database at the newest migration and
writes the difference as the next revision (check it before committing). A lock keeps two
developers on one machine from writing two heads at once."""

from __future__ import annotations

import fcntl
import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory

from eventdesk.store.db import make_engine
from eventdesk.store.migrate import MIGRATIONS, alembic_config, upgrade


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with open(Path(tempfile.gettempdir()) / "eventdesk-new-migration.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
        number = int(head.split("_")[0]) + 1 if head else 1
        with tempfile.TemporaryDirectory() as scratch:
            engine = make_engine(Path(scratch) / "scratch.db")
            upgrade(engine)
            command.revision(alembic_config(engine), message=sys.argv[1], autogenerate=True, rev_id=f"{number:04d}")


if __name__ == "__main__":
    main()
