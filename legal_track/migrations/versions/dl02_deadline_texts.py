"""deadline texts: basis and explanations stored once per distinct text (deadlinetext),
deadline.text_id instead of three text columns; unused indexes on rule_id, provisional and
due dropped (no query can use them: the board filters on coalesce(override_due, due); each
cost every insert)

Revision ID: dl02
Revises: ui01
Create Date: 2026-11-29 12:00:00
"""

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "dl02"
down_revision: str | Sequence[str] | None = "ui01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXTS = ("basis", "explanation_zh", "explanation_en")
BATCH = 5000


def _key(basis: str, zh: str, en: str) -> str:
    # Same as legal_track.models.deadline.text_key (kept literal: a migration must not
    # change when the model module does).
    return hashlib.blake2b("\x1f".join((basis, zh, en)).encode(), digest_size=16).hexdigest()


def _drop_column(table: str, column: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite >= 3.35 drops a plain column in place; a batch rebuild of `deadline` would
        # trip the foreign key from deadlinenotice inside the migration's transaction.
        op.execute(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
    else:
        op.drop_column(table, column)


def upgrade() -> None:
    text_table = op.create_table(
        "deadlinetext",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("basis", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("explanation_zh", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("explanation_en", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    # nullable: SQLite can only ADD a foreign-key column whose default is NULL
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE deadline ADD COLUMN text_id INTEGER REFERENCES deadlinetext (id)")
    else:
        op.add_column("deadline", sa.Column("text_id", sa.Integer(),
                                            sa.ForeignKey("deadlinetext.id"), nullable=True))  # fmt: skip
    conn = op.get_bind()
    deadline = sa.table("deadline", sa.column("id"), sa.column("text_id"),
                        *(sa.column(c) for c in TEXTS))  # fmt: skip
    # every distinct text once, then each deadline pointed at its text
    ids: dict[str, int] = {}
    for basis, zh, en in conn.execute(sa.select(*(deadline.c[c] for c in TEXTS)).distinct()):
        key = _key(basis, zh, en)
        if key not in ids:
            ids[key] = conn.execute(
                text_table.insert().values(key=key, basis=basis, explanation_zh=zh,
                                           explanation_en=en).returning(text_table.c.id)
            ).scalar_one()  # fmt: skip
    update = (
        deadline.update()
        .where(deadline.c.id == sa.bindparam("row_id"))
        .values(text_id=sa.bindparam("new_text_id"))
    )
    pending = []
    for row_id, basis, zh, en in conn.execute(
        sa.select(deadline.c.id, *(deadline.c[c] for c in TEXTS))
    ).all():
        pending.append({"row_id": row_id, "new_text_id": ids[_key(basis, zh, en)]})
        if len(pending) >= BATCH:
            conn.execute(update, pending)
            pending.clear()
    if pending:
        conn.execute(update, pending)
    for column in TEXTS:
        _drop_column("deadline", column)
    op.drop_index("ix_deadline_rule_id", table_name="deadline")
    op.drop_index("ix_deadline_provisional", table_name="deadline")
    op.drop_index("ix_deadline_due", table_name="deadline")


def downgrade() -> None:
    op.create_index("ix_deadline_due", "deadline", ["due"], unique=False)
    op.create_index("ix_deadline_provisional", "deadline", ["provisional"], unique=False)
    op.create_index("ix_deadline_rule_id", "deadline", ["rule_id"], unique=False)
    for column in TEXTS:
        op.add_column(
            "deadline",
            sa.Column(column, sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                      server_default=""),
        )  # fmt: skip
    for column in TEXTS:
        op.execute(
            f"UPDATE deadline SET {column} = (SELECT {column} FROM deadlinetext "
            "WHERE deadlinetext.id = deadline.text_id) WHERE text_id IS NOT NULL"
        )
    if op.get_bind().dialect.name == "sqlite":
        # A column with a REFERENCES clause cannot be dropped in place, and rebuilding
        # `deadline` trips the foreign key from deadlinenotice: the column stays, empty
        # and nullable, which the older code never reads or writes.
        op.execute("UPDATE deadline SET text_id = NULL")
    else:
        op.drop_column("deadline", "text_id")  # drops its foreign key with it
    op.drop_table("deadlinetext")
