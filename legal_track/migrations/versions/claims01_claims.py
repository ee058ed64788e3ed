"""claims: limitation clock per loan

Revision ID: claims01
Revises: doc01
Create Date: 2026-11-29 09:19:31.684083
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import legal_track.db


revision: str = 'claims01'
down_revision: str | Sequence[str] | None = 'doc01'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('limitationclock',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('loan_id', sa.Integer(), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('expiry', sa.Date(), nullable=False),
    sa.Column('conservative_expiry', sa.Date(), nullable=False),
    sa.Column('longstop', sa.Date(), nullable=False),
    sa.Column('provisional', sa.Boolean(), nullable=False),
    sa.Column('risk', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('last_event_kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('last_event_on', sa.Date(), nullable=True),
    sa.Column('last_event_source', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('last_event_source_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('computed_at', legal_track.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['loan_id'], ['loan.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('loan_id')
    )
    with op.batch_alter_table('limitationclock', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_limitationclock_conservative_expiry'), ['conservative_expiry'], unique=False)
        batch_op.create_index(batch_op.f('ix_limitationclock_expiry'), ['expiry'], unique=False)
        batch_op.create_index(batch_op.f('ix_limitationclock_risk'), ['risk'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('limitationclock', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_limitationclock_risk'))
        batch_op.drop_index(batch_op.f('ix_limitationclock_expiry'))
        batch_op.drop_index(batch_op.f('ix_limitationclock_conservative_expiry'))

    op.drop_table('limitationclock')
