"""ui: case.claim_total_fen, the claim total in integer fen for exact range filters and sorting

Revision ID: ui01
Revises: rem01
Create Date: 2026-11-29 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ui01"
down_revision: str | Sequence[str] | None = 'rem01'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Same expression as legal_track.models.case.CLAIM_TOTAL_FEN_SQL (kept literal: a migration
# must not change when the model module does).
EXPR = "CAST(ROUND(CAST(claim_total AS NUMERIC) * 100) AS BIGINT)"


def upgrade() -> None:
    # SQLite can only ADD a VIRTUAL generated column (STORED needs a table rebuild, which the
    # foreign keys on case.id forbid inside the migration transaction); both kinds can be
    # indexed and behave the same in queries. PostgreSQL (< 18) only has STORED.
    persisted = op.get_bind().dialect.name != "sqlite"
    op.add_column(
        "case",
        sa.Column("claim_total_fen", sa.BigInteger(), sa.Computed(EXPR, persisted=persisted)),
    )
    op.create_index("ix_case_claim_total_fen", "case", ["claim_total_fen"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_case_claim_total_fen", table_name="case")
    with op.batch_alter_table("case") as batch_op:
        batch_op.drop_column("claim_total_fen")
