"""outside counsel: law firms, lawyers, counsel accounts, case assignments

Revision ID: cnsl01
Revises: aud01
Create Date: 2026-12-03 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import legal_track.db

revision: str = "cnsl01"
down_revision: str | Sequence[str] | None = "aud01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TYPE noticekind ADD VALUE IF NOT EXISTS 'counsel_update'")
    op.create_table(
        "lawfirm",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=True),
        sa.Column("contact", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("fee_per_stage", sa.JSON(), nullable=False),
        sa.Column("fee_rate", legal_track.db.Rate(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", legal_track.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uscc"),
    )
    op.create_index("ix_lawfirm_name", "lawfirm", ["name"], unique=True)
    op.create_table(
        "lawyer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("firm_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("license_no", sa.String(length=32), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.ForeignKeyConstraint(["firm_id"], ["lawfirm.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("firm_id", "name", name="uq_lawyer_firm_name"),
    )
    op.create_index("ix_lawyer_firm_id", "lawyer", ["firm_id"])
    op.create_table(
        "counselaccount",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("firm_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["firm_id"], ["lawfirm.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_index("ix_counselaccount_firm_id", "counselaccount", ["firm_id"])
    op.create_table(
        "caseassignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("firm_id", sa.Integer(), nullable=False),
        sa.Column("lawyer_id", sa.Integer(), nullable=True),
        sa.Column("includes_filing", sa.Boolean(), nullable=False),
        sa.Column("assigned_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("assigned_by", sa.String(length=64), nullable=False),
        sa.Column("assigned_at", legal_track.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.ForeignKeyConstraint(["firm_id"], ["lawfirm.id"]),
        sa.ForeignKeyConstraint(["lawyer_id"], ["lawyer.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_caseassignment_case_id", "caseassignment", ["case_id"])
    op.create_index("ix_caseassignment_firm_id", "caseassignment", ["firm_id"])
    op.create_index("ix_caseassignment_ended_on", "caseassignment", ["ended_on"])


def downgrade() -> None:
    for index, table in (("ix_caseassignment_ended_on", "caseassignment"),
                         ("ix_caseassignment_firm_id", "caseassignment"),
                         ("ix_caseassignment_case_id", "caseassignment")):  # fmt: skip
        op.drop_index(index, table_name=table)
    op.drop_table("caseassignment")
    op.drop_index("ix_counselaccount_firm_id", table_name="counselaccount")
    op.drop_table("counselaccount")
    op.drop_index("ix_lawyer_firm_id", table_name="lawyer")
    op.drop_table("lawyer")
    op.drop_index("ix_lawfirm_name", table_name="lawfirm")
    op.drop_table("lawfirm")
