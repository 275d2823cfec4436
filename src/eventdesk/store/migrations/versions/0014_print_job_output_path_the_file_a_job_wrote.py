"""print job output_path: the file a preview printer wrote for the job

``attendee forget`` deletes a person's badge previews by these paths, wherever the printing
process was configured to write them (the kiosk's own settings file, another desk's folder).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 23:45:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('print_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('output_path', sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('print_job', schema=None) as batch_op:
        batch_op.drop_column('output_path')
