"""The local store: SQLite through SQLAlchemy, migrated by alembic, personal data encrypted."""
