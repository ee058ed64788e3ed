"""settlements: agreements on a case and their instalments

Revision ID: stl01
Revises: cost01
Create Date: 2026-12-03 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from legal_track.db import Money, UTCDateTime

revision: str = "stl01"
down_revision: str | Sequence[str] | None = "cost01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TYPE noticekind ADD VALUE IF NOT EXISTS 'settlement_missed'")
        op.execute("ALTER TYPE deadlinestatus ADD VALUE IF NOT EXISTS 'paused'")
    op.create_table(
        "settlement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("agreed_on", sa.Date(), nullable=False),
        sa.Column("total", Money(), nullable=False),
        sa.Column("grace_days", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_settlement_case_id", "settlement", ["case_id"])
    op.create_index("ix_settlement_status", "settlement", ["status"])
    op.create_table(
        "settlementinstalment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("settlement_id", sa.Integer(), nullable=False),
        sa.Column("no", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("amount", Money(), nullable=False),
        sa.Column("missed_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["settlement_id"], ["settlement.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("settlement_id", "no", name="uq_settlement_instalment"),
    )
    op.create_index(
        "ix_settlementinstalment_settlement_id", "settlementinstalment", ["settlement_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_settlementinstalment_settlement_id", table_name="settlementinstalment")
    op.drop_table("settlementinstalment")
    op.drop_index("ix_settlement_status", table_name="settlement")
    op.drop_index("ix_settlement_case_id", table_name="settlement")
    op.drop_table("settlement")
