"""attendee_token.letters: a multi-word search skips people lacking a word without probing them

Each token row keeps the bits of the first letter and first two letters of all its person's
tokens (store/attendees.py ``token_letters``). On SQLite the table becomes its own key (WITHOUT
ROWID) so a walk over a token range reads the letters in place; on PostgreSQL the key INCLUDEs
them for an index-only walk. The letters of stored people are computed in SQL from their tokens.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 23:58:00
"""
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

ALL_LETTERS = 2**63 - 1  # store/attendees.py ALL_LETTERS: a row without its letters is never skipped


def upgrade() -> None:
    from eventdesk.store.attendees import LETTERS_SQL

    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(f"ALTER TABLE attendee_token ADD COLUMN letters BIGINT NOT NULL DEFAULT {ALL_LETTERS}")
        op.execute(f"UPDATE attendee_token t SET letters = p.letters FROM (SELECT attendee_id, "
                   f"{LETTERS_SQL['postgresql']} AS letters FROM attendee_token GROUP BY attendee_id) p "
                   "WHERE t.attendee_id = p.attendee_id")
        op.execute("ALTER TABLE attendee_token DROP CONSTRAINT attendee_token_pkey, ADD CONSTRAINT attendee_token_pkey "
                   "PRIMARY KEY (token, attendee_id) INCLUDE (letters)")
        return
    op.execute("CREATE TABLE attendee_token_new (token VARCHAR NOT NULL, attendee_id INTEGER NOT NULL, "
               f"letters BIGINT DEFAULT {ALL_LETTERS} NOT NULL, PRIMARY KEY (token, attendee_id), "
               "FOREIGN KEY(attendee_id) REFERENCES attendee (id) ON DELETE CASCADE) WITHOUT ROWID")
    op.execute(f"INSERT INTO attendee_token_new (token, attendee_id, letters) SELECT t.token, t.attendee_id, p.letters "
               f"FROM attendee_token t JOIN (SELECT attendee_id, {LETTERS_SQL['sqlite']} AS letters FROM attendee_token "
               "GROUP BY attendee_id) p ON p.attendee_id = t.attendee_id")
    op.execute("DROP TABLE attendee_token")
    op.execute("ALTER TABLE attendee_token_new RENAME TO attendee_token")
    op.execute("CREATE INDEX ix_attendee_token_attendee ON attendee_token (attendee_id, token)")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE attendee_token DROP CONSTRAINT attendee_token_pkey, ADD CONSTRAINT attendee_token_pkey "
                   "PRIMARY KEY (token, attendee_id)")
        op.execute("ALTER TABLE attendee_token DROP COLUMN letters")
        return
    op.execute("CREATE TABLE attendee_token_old (token VARCHAR NOT NULL, attendee_id INTEGER NOT NULL, "
               "PRIMARY KEY (token, attendee_id), FOREIGN KEY(attendee_id) REFERENCES attendee (id) ON DELETE CASCADE)")
    op.execute("INSERT INTO attendee_token_old (token, attendee_id) SELECT token, attendee_id FROM attendee_token")
    op.execute("DROP TABLE attendee_token")
    op.execute("ALTER TABLE attendee_token_old RENAME TO attendee_token")
    op.execute("CREATE INDEX ix_attendee_token_attendee ON attendee_token (attendee_id, token)")
