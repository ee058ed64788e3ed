"""Alembic revisions: the code's heads, the database's current revision(s), and audit
entries that are only written when the schema is the one the code knows."""

from __future__ import annotations

from datetime import datetime

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from legal_track.audit import AuditEvent, record
from legal_track.db import alembic_config, session_scope, utcnow_from


def code_heads(engine: Engine) -> list[str]:
    """The head revision(s) this version of legal-track migrates to."""
    return sorted(ScriptDirectory.from_config(alembic_config(engine)).get_heads())


def known_revisions(engine: Engine) -> set[str]:
    return {
        s.revision for s in ScriptDirectory.from_config(alembic_config(engine)).walk_revisions()
    }


def database_heads(engine: Engine) -> list[str]:
    """The revision(s) recorded in the database (empty: never migrated)."""
    with engine.connect() as conn:
        return sorted(MigrationContext.configure(conn).get_current_heads())


def audit_if_current(engine: Engine, *, actor: str, action: str, now: datetime,
                     detail: dict) -> bool:  # fmt: skip
    """Record an audit entry when the database is at the code's revision (an older schema
    may lack the audit columns this code writes). True when recorded."""
    if database_heads(engine) != code_heads(engine):
        return False
    with session_scope(engine) as session:
        record(session, AuditEvent(actor, action, "installation", "", detail), now=utcnow_from(now))
        session.commit()
    return True
