"""cases: a version for optimistic concurrency (two tabs or two app instances editing one
case: the second stale save is refused, not applied) and who made that version, when

Revision ID: ver01
Revises: stl01
Create Date: 2026-12-03 12:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import legal_track.db

revision: str = "ver01"
down_revision: str | Sequence[str] | None = "stl01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # plain ADD COLUMN (no batch copy on SQLite: case has inbound foreign keys); the
    # server default gives every existing case version 1
    op.add_column("case", sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    op.add_column("case", sa.Column("changed_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))  # fmt: skip
    op.add_column("case", sa.Column("changed_at", legal_track.db.UTCDateTime(timezone=True), nullable=True))  # fmt: skip


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+): no batch copy of a referenced table
    for name in ("changed_at", "changed_by", "version"):
        op.drop_column("case", name)
