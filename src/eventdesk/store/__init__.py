"""Persistence: SQLModel tables, engine and sessions, migrations, queries. The only place that
speaks SQL."""
