"""e-voucher tokens issued by the reference centre

Revision ID: c0002
Revises: c0001
Create Date: 2026-11-23 04:40:01.809420
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c0002"
down_revision: str | None = "c0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evouchers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("id_kind", sa.String(length=16), nullable=False),
        sa.Column("id_number", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=True),
        sa.Column("ethnicity", sa.String(length=4), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("resolve_count", sa.Integer(), nullable=False),
        sa.Column("last_resolved_at", sa.DateTime(), nullable=True),
        sa.Column("last_resolved_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_sha256"),
    )
    with op.batch_alter_table("evouchers", schema=None) as batch_op:
        batch_op.create_index("ix_evouchers_expires_at", ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("evouchers", schema=None) as batch_op:
        batch_op.drop_index("ix_evouchers_expires_at")
    op.drop_table("evouchers")
