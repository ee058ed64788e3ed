"""deadlines: working-day calendar (seeded from chinesecalendar), deadline notices,
deadline fingerprints and per-case digests

Revision ID: dl01
Revises: claims01
Create Date: 2026-11-29 09:30:08.893006
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

import legal_track.db


revision: str = 'dl01'
down_revision: str | Sequence[str] | None = 'claims01'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _seed(calendaryear, calendarday) -> None:
    """The official arrangements chinesecalendar ships (2004-2026 in 1.11): off days,
    including the weekend days inside holiday blocks, and make-up working weekends."""
    import chinese_calendar
    from importlib.metadata import version

    from legal_track.calendar.workdays import builtin_names

    names = builtin_names()
    rows = {}
    for d, name in chinese_calendar.holidays.items():
        rows[d] = {"day": d, "year": d.year, "working": False,
                   "name_zh": names.get(name, name), "name_en": name}
    for d, name in chinese_calendar.workdays.items():
        if d.weekday() >= 5:
            rows[d] = {"day": d, "year": d.year, "working": True,
                       "name_zh": names.get(name, name) + "调休", "name_en": f"{name} make-up day"}
    years = sorted({d.year for d in rows})
    now = datetime.now(UTC)
    title = f"chinesecalendar {version('chinesecalendar')}"
    op.bulk_insert(calendaryear, [
        {"year": y, "source": "builtin", "title": title, "file_name": None, "sha256": None,
         "loaded_by": "migration", "loaded_at": now}
        for y in years
    ])
    op.bulk_insert(calendarday, [rows[d] for d in sorted(rows)])


def upgrade() -> None:
    calendaryear = op.create_table('calendaryear',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('file_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('loaded_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('loaded_at', legal_track.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('year')
    )
    calendarday = op.create_table('calendarday',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.Column('name_zh', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('name_en', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.ForeignKeyConstraint(['year'], ['calendaryear.year'], ),
    sa.PrimaryKeyConstraint('day')
    )
    with op.batch_alter_table('calendarday', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendarday_year'), ['year'], unique=False)

    op.create_table('deadlinenotice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deadline_id', sa.Integer(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('calendar_moved', 'moved_under_override', name='noticekind'), nullable=False),
    sa.Column('rule_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('old_due', sa.Date(), nullable=True),
    sa.Column('new_due', sa.Date(), nullable=False),
    sa.Column('message_zh', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('message_en', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', legal_track.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('seen_at', legal_track.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], ),
    sa.ForeignKeyConstraint(['deadline_id'], ['deadline.id'], ),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('deadlinenotice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deadlinenotice_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deadlinenotice_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_deadlinenotice_deadline_id'), ['deadline_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deadlinenotice_owner_id'), ['owner_id'], unique=False)

    op.create_table('deadlinecase',
    sa.Column('case_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('signature', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('computed_at', legal_track.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], ),
    sa.PrimaryKeyConstraint('case_id')
    )
    with op.batch_alter_table('deadline', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fingerprint', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False, server_default=''))

    _seed(calendaryear, calendarday)


def downgrade() -> None:
    with op.batch_alter_table('deadline', schema=None) as batch_op:
        batch_op.drop_column('fingerprint')
    op.drop_table('deadlinecase')

    with op.batch_alter_table('deadlinenotice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deadlinenotice_owner_id'))
        batch_op.drop_index(batch_op.f('ix_deadlinenotice_deadline_id'))
        batch_op.drop_index(batch_op.f('ix_deadlinenotice_created_at'))
        batch_op.drop_index(batch_op.f('ix_deadlinenotice_case_id'))

    op.drop_table('deadlinenotice')
    with op.batch_alter_table('calendarday', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendarday_year'))

    op.drop_table('calendarday')
    op.drop_table('calendaryear')
