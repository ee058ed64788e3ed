"""retention: the purge marks (purged_at) on borrowers, cases, evidence items, generated
files and generated documents

The custody log gets the action `purged` (a value of the PostgreSQL enum custodyaction).
Plain ADD COLUMN on both databases (no batch rebuild: borrower, case and evidenceitem have
inbound foreign keys, and a nullable column needs no table copy on SQLite).

Revision ID: ret01
Revises: ver01
Create Date: 2026-12-03 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import legal_track.db

revision: str = "ret01"
down_revision: str | Sequence[str] | None = "ver01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("borrower", "case", "evidenceitem", "generatedfile", "generateddocument")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":  # the custody log's new action
        op.execute("ALTER TYPE custodyaction ADD VALUE IF NOT EXISTS 'purged'")
    for table in TABLES:
        op.add_column(
            table,
            sa.Column("purged_at", legal_track.db.UTCDateTime(timezone=True), nullable=True),
        )


def downgrade() -> None:
    # PostgreSQL cannot drop an enum value: 'purged' stays in custodyaction (unused).
    for table in reversed(TABLES):  # DROP COLUMN: SQLite 3.35+ and PostgreSQL
        op.drop_column(table, "purged_at")
