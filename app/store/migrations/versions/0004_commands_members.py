"""commands about filings (supplements, ratings), their outbox entries and materials; members

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "command",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("filing_id", sa.Integer(), nullable=False),
        sa.Column("payload_enc", sa.LargeBinary(), nullable=False),
        sa.Column("payload_sha256", sa.String(length=64), nullable=False),
        sa.Column("operator_code", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["filing_id"], ["filing.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uid"),
    )
    op.create_index("ix_command_filing_id", "command", ["filing_id"], unique=False)
    op.create_table(
        "member",
        sa.Column("id_token", sa.String(length=64), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id_token"),
    )
    # Plain ADD COLUMN with an inline REFERENCES clause (SQLite allows it for a nullable
    # column; alembic's add_column would want a batch copy for the foreign key): a batch
    # "move and copy" of `outbox` or `material` would rebuild the tables holding the
    # terminal's unsent work, and the foreign keys pointing at them broke in 0003. No ON
    # DELETE: commands are never deleted, and SQLite's reflection would not see it inline.
    for table in ("outbox", "material"):
        op.execute(f"ALTER TABLE {table} ADD COLUMN command_id INTEGER REFERENCES command (id)")
    op.create_index("ix_material_command_id", "material", ["command_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_material_command_id", table_name="material")
    for table in ("material", "outbox"):
        op.drop_column(table, "command_id")
    op.drop_table("member")
    op.drop_index("ix_command_filing_id", table_name="command")
    op.drop_table("command")
