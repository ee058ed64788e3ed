"""dashboard: the stays of each case in each stage (stagevisit) and its recovery per month
(caserecovery), built from the events and the ledger

Revision ID: ana01
Revises: cnsl01
Create Date: 2026-12-03 11:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ana01"
down_revision: str | Sequence[str] | None = "cnsl01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stagevisit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("route", sa.String(length=16), nullable=False),
        sa.Column("stage", sa.String(length=24), nullable=False),
        sa.Column("entered_on", sa.Date(), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.Column("days", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_stagevisit_case_id", "stagevisit", ["case_id"])
    op.create_index("ix_stagevisit_route_stage_days", "stagevisit", ["route", "stage", "days"])
    op.create_index("ix_stagevisit_going", "stagevisit", ["route", "stage", "entered_on"],
                    sqlite_where=sa.text("left_on IS NULL"),
                    postgresql_where=sa.text("left_on IS NULL"))  # fmt: skip
    op.create_table(
        "caserecovery",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("fen", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.PrimaryKeyConstraint("case_id", "month"),
    )
    # the stays and recoveries of the cases already there (the code the services run)
    from sqlmodel import Session

    from legal_track.analytics.recoveries import rebuild_recovery
    from legal_track.cases.visits import rebuild_visits

    with Session(bind=op.get_bind()) as session:
        rebuild_visits(session)
        rebuild_recovery(session)


def downgrade() -> None:
    op.drop_table("caserecovery")
    op.drop_index("ix_stagevisit_going", table_name="stagevisit")
    op.drop_index("ix_stagevisit_route_stage_days", table_name="stagevisit")
    op.drop_index("ix_stagevisit_case_id", table_name="stagevisit")
    op.drop_table("stagevisit")
