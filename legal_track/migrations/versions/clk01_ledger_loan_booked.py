"""limitation clocks: index ledger entries by (loan_id, booked_on) instead of loan_id alone
(the clock reads a loan's entries from its start date on; uq_ledger_loan_ref already
leads with loan_id for everything else)

Revision ID: clk01
Revises: dl02
Create Date: 2026-11-29 12:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "clk01"
down_revision: str | Sequence[str] | None = "dl02"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_ledgerentry_loan_booked", "ledgerentry", ["loan_id", "booked_on"], unique=False
    )
    op.drop_index("ix_ledgerentry_loan_id", table_name="ledgerentry")


def downgrade() -> None:
    op.create_index("ix_ledgerentry_loan_id", "ledgerentry", ["loan_id"], unique=False)
    op.drop_index("ix_ledgerentry_loan_booked", table_name="ledgerentry")
