"""insured persons' records (coverage, payments, account, reimbursements) and certificates

Revision ID: c0005
Revises: c0004
Create Date: 2026-11-23 08:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c0005"
down_revision: str | None = "c0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _person_fk() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["id_number"], ["insured_persons.id_number"], ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "insured_persons",
        sa.Column("id_number", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.PrimaryKeyConstraint("id_number"),
    )
    op.create_table(
        "insured_coverages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id_number", sa.String(length=32), nullable=False),
        sa.Column("insurance_type", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("region_name", sa.String(length=60), nullable=False),
        _person_fk(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_insured_coverages_person", "insured_coverages", ["id_number", "since"])
    op.create_table(
        "insured_payments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id_number", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("insurance_type", sa.String(length=16), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("payer", sa.String(length=80), nullable=False),
        _person_fk(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_insured_payments_person", "insured_payments", ["id_number", "period"])
    op.create_table(
        "account_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id_number", sa.String(length=32), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("balance_fen", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.String(length=80), nullable=False),
        _person_fk(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_account_entries_person", "account_entries", ["id_number", "on_date"])
    op.create_table(
        "reimbursements",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id_number", sa.String(length=32), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("hospital", sa.String(length=120), nullable=False),
        sa.Column("total_fen", sa.BigInteger(), nullable=False),
        sa.Column("fund_fen", sa.BigInteger(), nullable=False),
        sa.Column("self_fen", sa.BigInteger(), nullable=False),
        _person_fk(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_reimbursements_person", "reimbursements", ["id_number", "on_date"])
    op.create_table(
        "certificates",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("id_number", sa.String(length=32), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("station_code", sa.String(length=32), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("summary_sha256", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )


def downgrade() -> None:
    op.drop_table("certificates")
    for table in ("reimbursements", "account_entries", "insured_payments", "insured_coverages"):
        op.drop_index(f"ix_{table}_person", table_name=table)
        op.drop_table(table)
    op.drop_table("insured_persons")
