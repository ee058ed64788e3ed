"""escalation: repayment plans (repaymentplan) and decisions on escalation proposals
(escalationdecision)

Revision ID: esc01
Revises: clk01
Create Date: 2026-12-03 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import legal_track.db

revision: str = "esc01"
down_revision: str | Sequence[str] | None = "clk01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "repaymentplan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("plan_no", sa.String(length=64), nullable=False),
        sa.Column("agreed_on", sa.Date(), nullable=False),
        sa.Column("instalment_no", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("amount", legal_track.db.Money(), nullable=False),
        sa.ForeignKeyConstraint(["loan_id"], ["loan.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("loan_id", "plan_no", "instalment_no", name="uq_plan_instalment"),
    )
    op.create_index("ix_repaymentplan_loan_id", "repaymentplan", ["loan_id"])
    op.create_table(
        "escalationdecision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("route", sa.String(length=16), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("proposed_on", sa.Date(), nullable=False),
        sa.Column("proposal", sa.JSON(), nullable=False),
        sa.Column("rule_version", sa.String(length=40), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.Column("decided_at", legal_track.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["loan_id"], ["loan.id"]),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_escalationdecision_loan_id", "escalationdecision", ["loan_id"])
    op.create_index("ix_escalationdecision_case_id", "escalationdecision", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_escalationdecision_case_id", table_name="escalationdecision")
    op.drop_index("ix_escalationdecision_loan_id", table_name="escalationdecision")
    op.drop_table("escalationdecision")
    op.drop_index("ix_repaymentplan_loan_id", table_name="repaymentplan")
    op.drop_table("repaymentplan")
