"""operator log-in: verifier validity, lock-out, password change flag

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 05:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (SQLite supports it): a batch "move and copy" of `operator` would drop
    # the table that filings and roles point at, which foreign keys refuse.
    op.add_column("operator", sa.Column("verifier_until", sa.DateTime(), nullable=True))
    op.add_column(
        "operator",
        sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        "operator", sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column("operator", sa.Column("locked_until", sa.DateTime(), nullable=True))


def downgrade() -> None:
    for column in ("locked_until", "failed_logins", "must_change_password", "verifier_until"):
        op.drop_column("operator", column)
