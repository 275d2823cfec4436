"""Badge codes are found whatever their case

A pretix secret is lower case and a desk laptop with Caps Lock on types it in upper case; our own
codes are upper case and a scanner in Caps Lock types them in lower case. The scan looks a code up
as scanned first, then by its lower-case form: these indexes serve that second lookup, for current
and for revoked codes.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 23:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

INDEXES = (("ix_attendee_badge_code_lower", "attendee", "badge_code"),
           ("ix_revoked_code_code_lower", "revoked_code", "code"))


def upgrade() -> None:
    for name, table, column in INDEXES:
        op.create_index(name, table, [sa.text(f"lower({column})")], unique=False)


def downgrade() -> None:
    for name, table, _column in INDEXES:
        op.drop_index(name, table_name=table)
