"""The audit trail as a hash chain: entries chain in order, verify finds the first entry
edited, deleted or inserted behind the application's back (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlmodel import select

from legal_track.audit import GENESIS, AuditEvent, entry_hash, record, verify_chain
from legal_track.audit.chain import canonical
from legal_track.models import AuditChain, AuditEntry
from tests.audit.tamper import raw_sql

T = datetime(2026, 12, 1, 2, 3, 4, 567891, tzinfo=UTC)


def write(db, n: int, *, start: int = 0) -> list[AuditEntry]:
    made = []
    for i in range(start, start + n):
        made.append(record(db, AuditEvent("li", f"test.{i % 3}", "case", f"LT-2026-{i:06d}",
                                          {"i": i, "名": "张三", "amount": "12.30"}),
                           now=T + timedelta(seconds=i)))  # fmt: skip
        db.commit()
    return made


def test_entries_chain_from_the_genesis_in_order(db):
    entries = write(db, 4)
    assert [e.seq for e in entries] == [1, 2, 3, 4]
    assert entries[0].prev_hash == GENESIS
    assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]
    head = db.get(AuditChain, 1)
    assert (head.seq, head.last_hash) == (4, entries[-1].hash)
    report = verify_chain(db)
    assert report.ok and report.entries == 4 and report.head_hash == entries[-1].hash


def test_the_hash_is_sha256_of_a_fixed_canonical_form(db):
    (entry,) = write(db, 1)
    db.expire_all()
    stored = db.exec(select(AuditEntry)).one()  # read back from the database
    body = json.loads(canonical(seq=1, prev_hash=GENESIS, at=stored.at, actor="li",
                                action="test.0", object_type="case",
                                object_id="LT-2026-000000", detail=stored.detail))  # fmt: skip
    assert body["at"] == "2026-12-01T02:03:04.567891Z", "UTC text with microseconds"
    assert stored.hash == entry.hash == entry_hash(stored)
    expected = hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"),
                                         ensure_ascii=False).encode()).hexdigest()  # fmt: skip
    assert stored.hash == expected


def test_a_timestamp_in_another_zone_hashes_as_its_utc_instant(session):
    shanghai = timezone(timedelta(hours=8))
    a = record(session, AuditEvent("x", "y"), now=datetime(2026, 1, 1, 8, 0, tzinfo=shanghai))
    b = AuditEntry(**{**a.model_dump(), "at": datetime(2026, 1, 1, 0, 0, tzinfo=UTC)})
    assert entry_hash(a) == entry_hash(b)


def test_details_are_stored_as_hashed(session):
    """Whatever JSON gives back (string keys, text for dates and decimals) is what is
    hashed, so the stored row verifies."""
    record(session, AuditEvent("x", "y", detail={1: Decimal("2.50"), "d": T.date()}), now=T)
    session.commit()
    session.expire_all()
    entry = session.exec(select(AuditEntry)).one()
    assert entry.detail == {"1": "2.50", "d": "2026-12-01"}
    assert verify_chain(session).ok


def test_a_rolled_back_entry_leaves_no_gap(session):
    record(session, AuditEvent("x", "kept"), now=T)
    session.commit()
    record(session, AuditEvent("x", "rolled back"), now=T)
    session.rollback()
    entry = record(session, AuditEvent("x", "next"), now=T)
    session.commit()
    assert entry.seq == 2 and verify_chain(session).ok


def test_an_empty_trail_verifies(db):
    report = verify_chain(db)
    assert report.ok and report.entries == 0 and report.head_seq == 0


# --- tampering behind the application's back ---------------------------------------------


def test_an_edited_entry_is_named(db, db_url):
    entries = write(db, 5)
    raw_sql(db_url, "UPDATE auditentry SET detail = ? WHERE id = ?",
            (json.dumps({"i": 2, "名": "李四", "amount": "12.30"}), entries[2].id))  # fmt: skip
    report = verify_chain(db)
    p = report.problem
    assert not report.ok and (p.kind, p.entry_id, p.seq) == ("edited", entries[2].id, 3), p
    assert "content no longer matches" in p.message and report.entries == 2


def test_an_edited_timestamp_is_named(db, db_url):
    entries = write(db, 3)
    raw_sql(db_url, "UPDATE auditentry SET actor = 'someone' WHERE id = ?", (entries[0].id,))
    p = verify_chain(db).problem
    assert (p.kind, p.entry_id, p.seq) == ("edited", entries[0].id, 1)


def test_an_entry_edited_and_rehashed_is_named_by_the_broken_link(db, db_url):
    entries = write(db, 4)
    forged = entries[1].model_copy(update={"actor": "mallory"})
    raw_sql(db_url, "UPDATE auditentry SET actor = ?, hash = ? WHERE id = ?",
            ("mallory", entry_hash(forged), entries[1].id))  # fmt: skip
    p = verify_chain(db).problem
    assert (p.kind, p.entry_id, p.seq) == ("edited", entries[1].id, 2), p
    assert "hash recomputed" in p.message


def test_a_deleted_entry_is_named(db, db_url):
    entries = write(db, 5)
    raw_sql(db_url, "DELETE FROM auditentry WHERE id = ?", (entries[2].id,))
    p = verify_chain(db).problem
    assert (p.kind, p.entry_id, p.seq) == ("deleted", entries[3].id, 4), p
    assert "seq 3 missing" in p.message


def test_deleted_entries_at_the_end_are_found_by_the_head(db, db_url):
    write(db, 5)
    raw_sql(db_url, "DELETE FROM auditentry WHERE seq >= 4")
    report = verify_chain(db)
    p = report.problem
    assert (p.kind, p.seq) == ("deleted", 4) and "seq 4–5 missing at the end" in p.message
    assert report.entries == 3


def test_a_deletion_hidden_by_renumbering_is_named(db, db_url):
    entries = write(db, 5)
    raw_sql(db_url, "DELETE FROM auditentry WHERE seq = 3")
    raw_sql(db_url, "UPDATE auditentry SET seq = seq - 1 WHERE seq > 3")
    raw_sql(db_url, "UPDATE auditchain SET seq = 4")
    p = verify_chain(db).problem
    assert (p.kind, p.entry_id, p.seq) == ("deleted", entries[3].id, 3), p


def _insert(db_url: str, *, seq: int, prev_hash: str, at: datetime, digest: str | None = None):
    forged = AuditEntry(seq=seq, prev_hash=prev_hash, at=at, actor="mallory", action="case.view",
                        object_type="case", object_id="LT-2026-000001", detail={})  # fmt: skip
    at_text = at.strftime("%Y-%m-%d %H:%M:%S.%f")
    raw_sql(db_url, "INSERT INTO auditentry (seq, at, actor, action, object_type, object_id, "
                    "detail, prev_hash, hash) VALUES (?, ?, 'mallory', 'case.view', 'case', "
                    "'LT-2026-000001', '{}', ?, ?)",
            (seq, at_text + ("+00:00" if "postgresql" in db_url else ""), prev_hash,
             digest or entry_hash(forged)))  # fmt: skip
    return raw_sql(db_url, "SELECT id FROM auditentry WHERE seq = ?", (seq,))[0][0]


def test_an_inserted_entry_after_the_head_is_named(db, db_url):
    entries = write(db, 3)
    forged_id = _insert(db_url, seq=4, prev_hash=entries[-1].hash, at=T)
    p = verify_chain(db).problem
    assert (p.kind, p.entry_id, p.seq) == ("inserted", forged_id, 4), p
    assert "beyond the chain head" in p.message


def test_an_entry_inserted_in_the_middle_is_named(db, db_url):
    """The forger makes room by renumbering the later entries and hashes the new entry
    correctly: the entry after it still records its real predecessor."""
    entries = write(db, 5)
    raw_sql(db_url, "UPDATE auditentry SET seq = seq + 100 WHERE seq >= 3")
    raw_sql(db_url, "UPDATE auditentry SET seq = seq - 99 WHERE seq >= 103")
    raw_sql(db_url, "UPDATE auditchain SET seq = 6")
    forged_id = _insert(db_url, seq=3, prev_hash=entries[1].hash, at=T)
    p = verify_chain(db).problem
    assert p.kind == "inserted" and p.entry_id == forged_id and p.seq == 3, p


def test_a_missing_head_is_reported(db, db_url):
    write(db, 2)
    raw_sql(db_url, "DELETE FROM auditchain")
    p = verify_chain(db).problem
    assert p.kind == "head"


@pytest.mark.parametrize("rows", [0, 3])
def test_migration_chains_the_existing_entries_in_id_order(tmp_path, rows):
    """Entries written before aud01 (no chain columns) are chained by the upgrade."""
    from alembic import command
    from sqlalchemy import text
    from sqlmodel import Session

    from legal_track.db import alembic_config, make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    command.upgrade(alembic_config(engine), "esc01")
    with engine.begin() as conn:
        for i in range(rows):
            conn.execute(text("INSERT INTO auditentry (at, actor, action, object_type, object_id, "
                              "detail) VALUES (:at, 'old', :a, '', '', :d)"),
                         {"at": f"2025-0{i + 1}-01 00:00:00.000000", "a": f"old.{i}",
                          "d": json.dumps({"n": i})})  # fmt: skip
    command.upgrade(alembic_config(engine), "heads")
    with Session(engine) as s:
        entries = s.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
        assert [e.seq for e in entries] == list(range(1, rows + 1))
        assert verify_chain(s).ok and verify_chain(s).entries == rows
        new = record(s, AuditEvent("new", "after.upgrade"), now=T)
        s.commit()
        assert new.seq == rows + 1 and verify_chain(s).ok
    engine.dispose()
