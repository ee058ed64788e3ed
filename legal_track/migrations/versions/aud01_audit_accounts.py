"""audit chain (auditentry.seq/prev_hash/hash, auditchain), account security
(user.must_change_password/password_changed_at/unlocked_at, loginattempt) and
maker-checker approval requests (approvalrequest)

Existing audit entries are chained in id order, with the same canonical form and hash as
legal_track.audit.chain (so `legal-track audit verify` passes right after the upgrade).

Revision ID: aud01
Revises: esc01
Create Date: 2026-12-10 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import legal_track.db

revision: str = "aud01"
down_revision: str | Sequence[str] | None = "esc01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS = "0" * 64


def _chain_existing_entries() -> tuple[int, str]:
    from legal_track.audit.chain import entry_hash

    bind = op.get_bind()
    entries = sa.table(
        "auditentry",
        sa.column("id", sa.Integer()),
        sa.column("seq", sa.Integer()),
        sa.column("at", legal_track.db.UTCDateTime()),
        sa.column("actor", sa.String()),
        sa.column("action", sa.String()),
        sa.column("object_type", sa.String()),
        sa.column("object_id", sa.String()),
        sa.column("detail", sa.JSON()),
        sa.column("prev_hash", sa.String()),
        sa.column("hash", sa.String()),
    )
    prev, seq, after = GENESIS, 0, 0
    while True:
        rows = bind.execute(
            sa.select(entries).where(entries.c.id > after).order_by(entries.c.id).limit(5000)
        ).all()
        if not rows:
            break
        updates = []
        for row in rows:
            seq += 1
            values = row._asdict() | {"seq": seq, "prev_hash": prev}
            values["detail"] = values["detail"] if values["detail"] is not None else {}
            digest = entry_hash(_Row(values))
            updates.append({"b_id": row.id, "b_seq": seq, "b_prev": prev, "b_hash": digest})
            prev = digest
        bind.execute(
            entries.update()
            .where(entries.c.id == sa.bindparam("b_id"))
            .values(seq=sa.bindparam("b_seq"), prev_hash=sa.bindparam("b_prev"),
                    hash=sa.bindparam("b_hash")),
            updates,
        )
        after = rows[-1].id
    return seq, prev


class _Row:
    def __init__(self, values: dict) -> None:
        self.__dict__.update(values)


def upgrade() -> None:
    op.create_table(
        "auditchain",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("last_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("auditentry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    seq, last = _chain_existing_entries()
    with op.batch_alter_table("auditentry", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("prev_hash", existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False)
        batch_op.alter_column("hash", existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False)
        batch_op.create_index(batch_op.f("ix_auditentry_seq"), ["seq"], unique=True)
        batch_op.create_index("ix_auditentry_object", ["object_type", "object_id"], unique=False)
    op.bulk_insert(
        sa.table("auditchain", sa.column("id", sa.Integer()), sa.column("seq", sa.Integer()),
                 sa.column("last_hash", sa.String())),
        [{"id": 1, "seq": seq, "last_hash": last}],
    )

    # plain ADD COLUMN (SQLite supports it): a batch rebuild of "user" would have to drop
    # a table that other tables' foreign keys point at, which fails on a populated database
    op.add_column("user", sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("user", sa.Column("password_changed_at", legal_track.db.UTCDateTime(timezone=True), nullable=True))
    op.add_column("user", sa.Column("unlocked_at", legal_track.db.UTCDateTime(timezone=True), nullable=True))

    op.create_table(
        "loginattempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", legal_track.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("client", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("loginattempt", schema=None) as batch_op:
        batch_op.create_index("ix_loginattempt_client_at", ["client", "at"], unique=False)
        batch_op.create_index("ix_loginattempt_username_at", ["username", "at"], unique=False)

    op.create_table(
        "approvalrequest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("requested_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("requested_at", legal_track.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("decided_at", legal_track.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("used_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("used_at", legal_track.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("approvalrequest", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_approvalrequest_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_approvalrequest_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_approvalrequest_fingerprint"), ["fingerprint"], unique=False)
        batch_op.create_index(batch_op.f("ix_approvalrequest_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("approvalrequest", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_approvalrequest_status"))
        batch_op.drop_index(batch_op.f("ix_approvalrequest_fingerprint"))
        batch_op.drop_index(batch_op.f("ix_approvalrequest_case_id"))
        batch_op.drop_index(batch_op.f("ix_approvalrequest_action"))
    op.drop_table("approvalrequest")
    with op.batch_alter_table("loginattempt", schema=None) as batch_op:
        batch_op.drop_index("ix_loginattempt_username_at")
        batch_op.drop_index("ix_loginattempt_client_at")
    op.drop_table("loginattempt")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("unlocked_at")
        batch_op.drop_column("password_changed_at")
        batch_op.drop_column("must_change_password")
    with op.batch_alter_table("auditentry", schema=None) as batch_op:
        batch_op.drop_index("ix_auditentry_object")
        batch_op.drop_index(batch_op.f("ix_auditentry_seq"))
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")
    op.drop_table("auditchain")
