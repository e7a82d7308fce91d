"""operators log in against the centre: password verifier, lock-out, offline log-in days

Revision ID: c0003
Revises: c0002
Create Date: 2026-11-24 09:12:40.113052
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c0003"
down_revision: str | None = "c0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing operators have no password yet: they cannot log in until an administrator
    # sets one (`yibao central set-password`).
    with op.batch_alter_table("operators", schema=None) as batch_op:
        batch_op.add_column(sa.Column("password_verifier", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("password_changed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("last_login_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("stations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("offline_login_days", sa.Integer(), server_default="7", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("stations", schema=None) as batch_op:
        batch_op.drop_column("offline_login_days")
    with op.batch_alter_table("operators", schema=None) as batch_op:
        batch_op.drop_column("last_login_at")
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_logins")
        batch_op.drop_column("must_change_password")
        batch_op.drop_column("password_changed_at")
        batch_op.drop_column("password_verifier")
