"""Alembic environment of the terminal's store (see app.store.alembic_runner)."""

from app.store.alembic_runner import run_env
from app.store.models import Base

run_env(Base.metadata)
