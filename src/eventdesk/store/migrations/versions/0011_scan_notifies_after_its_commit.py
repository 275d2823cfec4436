"""A scan's NOTIFY is sent after its commit, not inside it (PostgreSQL)

PostgreSQL serialises every committing transaction that has sent a NOTIFY, on one database-wide
lock held until its commit is flushed to disk: with the notify triggers of 0004 firing inside
every scan, the desks' scans committed one fsync after another, never in one shared flush (about
230 scans/s at 8 desks on a disk that flushes in 4 ms). The check-in and print job triggers now
stay silent in a transaction that set ``eventdesk.notify`` to ``after_commit``: the scan
(store/checkins.py ``commit_scan``) sends the same notifications itself, right after its COMMIT
and in the same round trip, from a transaction that writes nothing and so flushes nothing. Every
other writer (an undo, an import, the print queue) notifies from inside its transaction, as before.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 00:25:00
"""
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

TRIGGERS = (("checkin_record", "checkin"), ("print_job", "print"))


def upgrade() -> None:
    _notify_triggers("WHEN (current_setting('eventdesk.notify', true) IS DISTINCT FROM 'after_commit')")


def downgrade() -> None:
    _notify_triggers("")  # 0004's: every writer notifies from inside its transaction


def _notify_triggers(condition: str) -> None:
    """The check-in and print job triggers made anew, firing under ``condition``."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, area in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS eventdesk_notify_{area} ON {table}")
        op.execute(f"""CREATE TRIGGER eventdesk_notify_{area} AFTER INSERT OR UPDATE OR DELETE ON {table}
                       FOR EACH STATEMENT {condition}
                       EXECUTE FUNCTION eventdesk_notify_area('{area}')""")
