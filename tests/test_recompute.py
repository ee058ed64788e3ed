"""recompute_everything: deadlines and limitation clocks of the whole portfolio in one
transaction, with a worker process taking pieces (the same result as doing it all here),
writing only what changed, all or nothing."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import text
from sqlmodel import Session, select
from typer.testing import CliRunner

from legal_track.db import make_engine, migrate
from legal_track.demo.portfolio import generate
from legal_track.limitation.portfolio import recompute_portfolio
from legal_track.models import AuditEntry
from legal_track.recompute import recompute_everything

TODAY = date(2026, 11, 29)
SMALL = {"cases_per_chunk": 7, "loans_per_range": 40}  # many pieces for a small portfolio


def _portfolio(path, now):
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    generate(engine, cases=40, seed=3, as_of=TODAY, now=now)
    return engine


@pytest.fixture
def twin(tmp_path, now):
    """Two identical demo portfolios in SQLite files."""
    return _portfolio(tmp_path / "a.db", now), _portfolio(tmp_path / "b.db", now)


def _dump(engine) -> tuple[list, list]:
    with engine.connect() as conn:
        orphans = "SELECT count(*) FROM deadline WHERE text_id IS NULL"
        assert conn.execute(text(orphans)).scalar_one() == 0, "every deadline has its text"
        deadlines = conn.execute(text(
            "SELECT d.case_id, d.rule_id, d.trigger_event_id, d.party, d.due, d.raw_due, "
            "d.provisional, d.status, d.done_note, t.explanation_zh, t.explanation_en, t.basis "
            "FROM deadline d JOIN deadlinetext t ON t.id = d.text_id "
            "ORDER BY d.case_id, d.trigger_event_id, d.rule_id"
        )).all()  # fmt: skip
        clocks = conn.execute(text(
            "SELECT loan_id, start_on, expiry, conservative_expiry, longstop, provisional, risk, "
            "last_event_kind, last_event_on, last_event_source, last_event_source_id "
            "FROM limitationclock ORDER BY loan_id"
        )).all()  # fmt: skip
    return [tuple(r) for r in deadlines], [tuple(r) for r in clocks]


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_worker_and_single_process_store_the_same(twin, now, method, monkeypatch):
    """The CLI forks its worker, the app and the scheduler (threaded) spawn it."""
    import legal_track.recompute

    monkeypatch.setattr(legal_track.recompute, "start_method", lambda: method)
    a, b = twin
    with Session(a) as s:
        par = recompute_everything(s, now=now, today=TODAY, parallel=True, **SMALL)
    with Session(b) as s:
        seq = recompute_everything(s, now=now, today=TODAY, parallel=False, **SMALL)
    assert par.parallel and not seq.parallel and seq.worker_pieces == 0
    assert par.deadlines.inserted == seq.deadlines.inserted > 100
    assert par.loans == seq.loans == 180 and len(par.clocks.inserts) == 180
    assert _dump(a) == _dump(b)
    deadlines, clocks = _dump(a)
    assert {r[7] for r in deadlines} == {"open", "completed", "paused"}  # demo case 1 keeps a plan
    assert len({r[6] for r in clocks}) >= 2, "clocks at several risk levels"
    for engine in twin:
        engine.dispose()


def test_second_run_changes_nothing_then_sees_a_new_event(tmp_path, now):
    engine = _portfolio(tmp_path / "p.db", now)
    with Session(engine) as s:
        recompute_everything(s, now=now, today=TODAY, parallel=True, **SMALL)
    before = _dump(engine)
    with Session(engine) as s:
        again = recompute_everything(s, now=now, today=TODAY, parallel=True, **SMALL)
    assert again.deadlines.skipped_cases == 40 and again.deadlines.inserted == 0
    assert again.clocks.unchanged == 180 and not again.clocks.updates
    assert _dump(engine) == before
    with Session(engine) as s:
        forced = recompute_everything(s, now=now, today=TODAY, force=True, parallel=True, **SMALL)
        assert forced.deadlines.unchanged == len(before[0]) and forced.deadlines.updated == 0
        # a filing on a case restarts the clocks of its loans and triggers its deadlines
        case_id, loan_id = s.connection().execute(text(
            "SELECT c.id, cl.loan_id FROM \"case\" c JOIN caseloan cl ON cl.case_id = c.id "
            "WHERE c.stage = 'demand_letter' ORDER BY c.id LIMIT 1"
        )).one()  # fmt: skip
        s.connection().execute(text(
            "INSERT INTO caseevent (case_id, kind, \"on\", actor, note, data, created_at) "
            "VALUES (:c, 'complaint_filed', '2026-11-20', 't', '', '{}', "
            "'2026-11-20 00:00:00.000000')"
        ), {"c": case_id})  # fmt: skip
        s.commit()
        after = recompute_everything(s, now=now, today=TODAY, parallel=True, **SMALL)
    assert after.deadlines.skipped_cases == 39 and after.deadlines.inserted >= 1
    assert len(after.clocks.updates) >= 1 and after.clocks.unchanged <= 179
    clock = {r[0]: r for r in _dump(engine)[1]}[loan_id]
    assert (clock[7], str(clock[8])) == ("filing", "2026-11-20")
    with Session(engine) as s:
        audits = s.exec(select(AuditEntry.action).where(AuditEntry.actor == "system")).all()
    assert audits.count("deadline.recompute_all") == 4 and audits.count("limitation.recompute") == 4
    engine.dispose()


def test_a_failing_piece_leaves_nothing_written(tmp_path, now):
    engine = _portfolio(tmp_path / "p.db", now)
    with engine.begin() as conn:  # a schedule the database cannot read as JSON
        conn.execute(text("UPDATE loan SET schedule = '[{broken' WHERE id = 150"))
    with Session(engine) as s, pytest.raises(Exception, match="malformed JSON"):
        recompute_everything(s, now=now, today=TODAY, parallel=True, **SMALL)
    with engine.connect() as conn:
        for table in ("deadline", "deadlinetext", "deadlinecase", "limitationclock"):
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 0, table
    engine.dispose()


def test_in_memory_database_runs_here(session, now):
    report = recompute_everything(session, now=now, today=TODAY)
    assert not report.parallel and report.loans == 0
    with pytest.raises(ValueError, match="in-memory"):
        recompute_everything(session, now=now, today=TODAY, parallel=True)


def test_cli_recompute(env, now):
    from legal_track.cli import app

    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    assert runner.invoke(app, ["demo", "--cases", "12", "--as-of", "2026-11-29"]).exit_code == 0
    done = runner.invoke(app, ["recompute", "--force", "--today", "2026-11-29", "--json"])
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    # 12 cases and 152 loans, plus the demo's archived case and its loan (retention)
    assert data["deadlines"]["cases"] == 13 and data["deadlines"]["updated"] == 0
    assert data["deadlines"]["unchanged"] > 0 and data["clocks"]["loans"] == 153
    assert data["today"] == "2026-11-29"
    bad = runner.invoke(app, ["recompute", "--today", "29/11/2026"])
    assert bad.exit_code == 1 and "--today: '29/11/2026' is not a date" in bad.output


def _plain(dump: tuple[list, list]) -> tuple[list, list]:
    """Rows with every value as text and booleans as 0/1 (SQLite and PostgreSQL alike)."""
    return tuple(
        [tuple(str(int(v)) if isinstance(v, bool) else str(v) for v in r) for r in rows]
        for rows in dump
    )


@pytest.mark.pg
def test_postgresql_with_a_worker_stores_what_sqlite_does(tmp_path, now):
    from tests.components import pg_url

    pg = make_engine(pg_url())
    with pg.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    migrate(pg)
    generate(pg, cases=40, seed=3, as_of=TODAY, now=now)
    lite = _portfolio(tmp_path / "l.db", now)
    try:
        with Session(pg) as s:
            report = recompute_everything(s, now=now, today=TODAY, parallel=True, **SMALL)
        with Session(lite) as s:
            recompute_everything(s, now=now, today=TODAY, parallel=False, **SMALL)
        assert report.parallel and report.loans == 180
        assert _plain(_dump(pg)) == _plain(_dump(lite))
        with Session(pg) as s:
            again = recompute_everything(s, now=now, today=TODAY, parallel=True, **SMALL)
        assert again.deadlines.skipped_cases == 40 and again.clocks.unchanged == 180
        # a subset of loans (an import, a case event) reads by id list, not id range
        for engine in (pg, lite):
            with Session(engine) as s:
                some = list(range(1, 181, 3))
                assert recompute_portfolio(s, today=TODAY, now=now, loan_ids=some) == 60
        assert _plain(_dump(pg)) == _plain(_dump(lite)), "the subset's clocks are the same"
    finally:
        pg.dispose()
        lite.dispose()


def test_gc_is_paused_for_bulk_passes_and_restored_after_nesting_and_errors():
    import gc
    import threading

    from legal_track.workers import gc_paused

    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled(), "an inner pause does not resume the collector"
    assert gc.isenabled()
    with pytest.raises(RuntimeError), gc_paused():
        raise RuntimeError("a failing pass")
    assert gc.isenabled(), "resumed after an error"
    # two overlapping passes in threads: the collector resumes when the last one ends
    first_in, second_done = threading.Event(), threading.Event()
    states = []

    def first():
        with gc_paused():
            first_in.set()
            second_done.wait(10)
            states.append(gc.isenabled())

    thread = threading.Thread(target=first)
    thread.start()
    first_in.wait(10)
    with gc_paused():
        pass
    states.append(gc.isenabled())
    second_done.set()
    thread.join(10)
    assert states == [False, False] and gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled(), "a collector that was off stays off"
    finally:
        gc.enable()


def test_worker_chunks_carry_their_texts_whatever_order_they_are_written_in(tmp_path, now):
    """The worker plans from the far end and the caller writes in the order results come:
    a chunk must not count on a text that another chunk planned earlier brings."""
    from legal_track.deadlines.store import apply_plan
    from legal_track.recompute import _worker, deadline_chunk_task

    engine = _portfolio(tmp_path / "p.db", now)
    url = f"sqlite:///{tmp_path / 'p.db'}"
    try:
        late = deadline_chunk_task(url, list(range(21, 41)), now, True)  # planned first
        early = deadline_chunk_task(url, list(range(1, 21)), now, True)
        for plan in (early, late):
            used = {r[10] for r in (*plan.inserts, *plan.done_inserts)}
            assert used and used <= {t[0] for t in plan.texts}
        with Session(engine) as s:
            apply_plan(s.connection(), early, now=now)  # written first
            apply_plan(s.connection(), late, now=now)
            s.commit()
        with engine.connect() as conn:
            missing = "SELECT count(*) FROM deadline WHERE text_id IS NULL"
            assert conn.execute(text(missing)).scalar_one() == 0
            assert conn.execute(text("SELECT count(*) FROM deadline")).scalar_one() > 100
    finally:
        cached = _worker.pop(url, None)
        if cached:
            cached[0].dispose()
        engine.dispose()
