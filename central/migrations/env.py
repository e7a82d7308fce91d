"""Alembic environment of the centre's database (see app.store.alembic_runner)."""

from app.store.alembic_runner import run_env
from central.models import Base

run_env(Base.metadata)
