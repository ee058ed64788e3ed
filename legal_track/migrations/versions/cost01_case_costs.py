"""dashboard: the costs paid on each case per category (casecost), from its cost events

Revision ID: cost01
Revises: ana01
Create Date: 2026-12-03 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "cost01"
down_revision: str | Sequence[str] | None = "ana01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "casecost",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=24), nullable=False),
        sa.Column("fen", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.PrimaryKeyConstraint("case_id", "category"),
    )
    # the costs of the cases already there (the code the services run)
    from sqlmodel import Session

    from legal_track.analytics.costs import rebuild_costs

    with Session(bind=op.get_bind()) as session:
        rebuild_costs(session)


def downgrade() -> None:
    op.drop_table("casecost")
