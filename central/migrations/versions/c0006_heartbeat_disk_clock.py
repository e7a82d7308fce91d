"""heartbeats: free disk of the terminal's data folder, and the clock offset it learnt last

Revision ID: c0006
Revises: c0005
Create Date: 2026-11-23 10:00:00

Both columns are nullable: beats stored before, and beats from clients that do not send the
figures, have none.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c0006"
down_revision: str | None = "c0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("heartbeats", schema=None) as batch_op:
        batch_op.add_column(sa.Column("free_disk_bytes", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("last_clock_offset_s", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("heartbeats", schema=None) as batch_op:
        batch_op.drop_column("last_clock_offset_s")
        batch_op.drop_column("free_disk_bytes")
