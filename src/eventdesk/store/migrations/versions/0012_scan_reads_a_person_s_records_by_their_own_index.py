"""A scan reads a person's records through their own index, whatever the statistics say

The scan's lookup (store/checkins.py) asks for a person's first entry today, its desk and their
last direction on the list: ``ORDER BY scanned_at, id LIMIT 1`` among that person's records. The
index on (attendee_id, list_id, scanned_at) found those rows but not in that order (a sort on
``id`` remained), while the index on (list_id, scanned_at) gave the order of ``scanned_at``
directly. On PostgreSQL, a desk that started on an empty record (every event's first morning, or
statistics gathered before the doors opened) kept a generic plan that walked the whole list in
time order for every scan, filtering on the person: 7 ms per scan at 6,000 records, growing with
every scan of the day, and eight desks reached 93 scans/s in all (benchmarks/multidesk.py). With
``id`` as the index's last column, the person's own index gives the exact order and no plan can
do better by walking the list. SQLite already kept the rowid in every index; the index is the
same shape there.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 03:20:00
"""
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

INDEX, TABLE = "ix_checkin_record_attendee_list", "checkin_record"


def _index(columns: list[str]) -> None:
    op.drop_index(INDEX, table_name=TABLE)
    op.create_index(INDEX, TABLE, columns, unique=False)


def upgrade() -> None:
    _index(["attendee_id", "list_id", "scanned_at", "id"])


def downgrade() -> None:
    _index(["attendee_id", "list_id", "scanned_at"])
