from __future__ import annotations

import hashlib
from datetime import date

import pytest
from sqlalchemy import select
from sqlmodel import Session

from legal_track.cases.lifecycle import ROUTE_STAGES, Route
from legal_track.db import make_engine, migrate
from legal_track.demo.portfolio import DemoExistsError, generate
from legal_track.identity import normalize_id_number
from legal_track.models import Borrower, Case, CaseEvent, ContactLog, LedgerEntry, Loan, User

AS_OF = date(2026, 11, 29)


def _digest(engine) -> str:
    h = hashlib.sha256()
    with Session(engine) as s:
        for model, order in (
            (Borrower, Borrower.id),
            (Loan, Loan.id),
            (LedgerEntry, LedgerEntry.id),
            (ContactLog, ContactLog.id),
            (Case, Case.id),
            (CaseEvent, CaseEvent.id),
        ):
            for obj in s.exec(select(model).order_by(order)).scalars():
                row = obj.model_dump(exclude={"created_at"})
                h.update(repr(sorted(row.items())).encode())
    return h.hexdigest()


def _fresh(tmp_path, name):
    engine = make_engine(f"sqlite:///{tmp_path / name}")
    migrate(engine)
    return engine


def test_same_seed_gives_identical_portfolio(tmp_path, now):
    a, b, c = (_fresh(tmp_path, n) for n in ("a.db", "b.db", "c.db"))
    generate(a, cases=30, seed=3, as_of=AS_OF, now=now)
    generate(b, cases=30, seed=3, as_of=AS_OF, now=now)
    generate(c, cases=30, seed=4, as_of=AS_OF, now=now)
    assert _digest(a) == _digest(b), "same seed and anchor must give the same rows"
    assert _digest(a) != _digest(c), "another seed must give other rows"


def test_default_portfolio_covers_every_route_and_stage(tmp_path, now):
    engine = _fresh(tmp_path, "d.db")
    report = generate(engine, as_of=AS_OF, now=now)
    assert (report.loans, report.cases) == (200, 60)
    with Session(engine) as s:
        cases = s.exec(select(Case)).scalars().all()
        seen = {(c.route, c.stage) for c in cases}
        for route, stages in ROUTE_STAGES.items():
            for stage in stages:
                assert (route.value, stage.value) in seen, f"no demo case at {route}/{stage}"
        assert all(c.owner_id for c in cases), "every demo case has an owner"
        closed = [c for c in cases if c.stage == "closed"]
        assert closed and all(c.close_reason and c.closed_on for c in closed)
        statuses = {c.delivery_status for c in s.exec(select(ContactLog)).scalars()}
        assert {"delivered", "failed"} <= statuses, (
            "demo contact log has failed and delivered demands"
        )
        promises = s.exec(select(ContactLog).where(ContactLog.promise_date.is_not(None))).all()
        assert promises, "demo contact log has promises to pay"
        for b in s.exec(select(Borrower)).scalars():
            assert b.is_demo and "演示" in b.address
            assert normalize_id_number(b.id_number) == b.id_number
        team = {u.username: u for u in s.exec(select(User)).scalars()}
        assert team["demo_staff1"].lead_id == team["demo_lead"].id
        assert all(u.email for u in team.values())
        # events are ordered in time and end before the anchor
        for c in cases:
            days = [
                e.on
                for e in s.exec(
                    select(CaseEvent).where(CaseEvent.case_id == c.id).order_by(CaseEvent.id)
                ).scalars()
            ]
            assert days == sorted(days) and days[-1] < AS_OF
        assert {c.route for c in cases} == {r.value for r in Route}
        # the dashboard's cost per case has recorded costs on every route
        from legal_track.analytics import recovery

        for row in recovery(s, by="route"):
            assert row["cases_with_costs"] > 0 and row["cost_per_case"] > 0, row["route"]


def test_demo_refuses_a_database_with_data(tmp_path, now):
    engine = _fresh(tmp_path, "e.db")
    generate(engine, cases=5, seed=1, as_of=AS_OF, now=now)
    with pytest.raises(DemoExistsError, match="already holds loans"):
        generate(engine, cases=5, seed=1, as_of=AS_OF, now=now)


def _readme_demo_cases() -> list[tuple[str, str]]:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- demo-cases:start -->", 1)[1].split("<!-- demo-cases:end -->", 1)[0]
    rows = []
    for line in block.splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[2].startswith("LT-"):
            rows.append((cells[1], cells[2]))
    return rows


def test_readme_names_a_demo_case_for_every_shipped_template():
    from legal_track.documents.registry import BUILTIN_DIR

    shipped = sorted(p.stem for p in BUILTIN_DIR.glob("*.docx"))
    named = sorted(t for t, _ in _readme_demo_cases())
    assert named == shipped, "README's first screen names one demo case per shipped template"


@pytest.mark.slow
def test_each_readme_demo_case_passes_preflight_and_renders(env):
    """A newcomer's first day: `legal-track demo`, then every document of the README's
    table generates for its case (preflight included), and the case's bundle builds."""
    import json

    from typer.testing import CliRunner

    from legal_track.cli import app

    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    made = runner.invoke(app, ["demo", "--as-of", AS_OF.isoformat()])
    assert made.exit_code == 0, made.output
    for template, ref in _readme_demo_cases():
        out = env / f"{template}-{ref}.docx"
        result = runner.invoke(app, ["docs", "render", template, ref, "--out", str(out),
                                     "--cutoff", AS_OF.isoformat(), "--json"])  # fmt: skip
        assert result.exit_code == 0, f"{template} for {ref}: {result.output}"
        assert out.is_file() and out.stat().st_size > 5000, f"{template} for {ref}: no .docx"
        assert json.loads(result.stdout)["sha256"], result.stdout
    bundle = runner.invoke(
        app, ["bundle", "build", "LT-2026-000002", "--out", str(env / "b.pdf"), "--json"]
    )
    assert bundle.exit_code == 0, bundle.output


def test_the_demo_hands_cases_to_law_firms_and_has_a_counsel_account(tmp_path, now):
    from legal_track.cases.access import firm_of
    from legal_track.cases.listing import CaseFilters, list_cases
    from legal_track.counsel.firms import firm_named

    engine = _fresh(tmp_path, "c.db")
    generate(engine, as_of=AS_OF, now=now)
    with Session(engine) as s:
        counsel = s.execute(select(User).where(User.username == "demo_counsel")).scalar_one()
        firm = firm_of(s, counsel.id)
        assert firm == firm_named(s, "浙江示例律师事务所").id
        mine = list_cases(s, filters=CaseFilters(), page=1, page_size=100, today=AS_OF,
                          role="counsel", firm_id=firm)  # fmt: skip
        every = list_cases(s, filters=CaseFilters(), page=1, page_size=100, today=AS_OF)
        assert 0 < mine.total < every.total, "the counsel account sees its firm's cases only"
        refs = {r.ref for r in mine.rows}
        names = dict(s.execute(select(Case.ref, Case.counsel_firm)).all())
        assert {names[r] for r in refs} == {"浙江示例律师事务所"}


def test_demo_shows_a_kept_and_a_missed_settlement_and_mediation_cases(tmp_path, now):
    from legal_track.deadlines import recompute_all
    from legal_track.models import Deadline, Settlement
    from legal_track.settlements import InstalmentState, case_settlements

    engine = _fresh(tmp_path, "s.db")
    generate(engine, cases=60, as_of=AS_OF, now=now)
    with Session(engine) as s:
        recompute_all(s, now=now)
        kept, missed = (s.exec(select(Settlement).where(Settlement.case_id == i)).scalar_one()
                        for i in (1, 14))  # fmt: skip
        assert (kept.status, missed.status) == ("kept", "missed")
        [view] = case_settlements(s, case_id=14, today=AS_OF)
        assert [i.state for i in view.instalments][:2] == [InstalmentState.paid,
                                                           InstalmentState.missed]  # fmt: skip
        [view] = case_settlements(s, case_id=1, today=AS_OF)
        assert InstalmentState.missed not in {i.state for i in view.instalments}
        paused = s.exec(select(Deadline).where(Deadline.case_id == 1,
                                               Deadline.status == "paused")).scalars().all()  # fmt: skip
        assert [d.rule_id for d in paused] == ["demand_letter_payment"]
        routes = {c.route for c in s.exec(select(Case).where(Case.stage.like("med_%"))).scalars()}
        assert routes == {"mediation"}


def test_the_archived_case_is_due_for_purge_and_not_purged(tmp_path, now):
    from legal_track.config import Settings
    from legal_track.retention import candidates

    engine = _fresh(tmp_path, "r.db")
    report = generate(engine, cases=12, as_of=AS_OF, now=now, archived_case=True)
    settings = Settings(_env_file=None, evidence_dir=tmp_path / "store")
    with Session(engine) as s:
        case = s.get(Case, report.archived_case_id)
        assert (case.stage, case.close_reason, case.closed_on) == (
            "closed",
            "paid",
            date(2020, 11, 29),
        )
        assert case.purged_at is None and s.get(Borrower, case.borrower_id).purged_at is None
        found = candidates(s, today=AS_OF, settings=settings)
        assert [c.ref for c in found] == [case.ref], "the one demo case due for purge"
        assert found[0].holdings.contacts == 2


def test_demo_shows_a_covered_a_flagged_and_two_marked_third_party_contacts(tmp_path, now):
    from legal_track.evidence.data import contact_data
    from legal_track.privacy.consents import case_review, open_case_flags

    engine = _fresh(tmp_path, "p.db")
    generate(engine, cases=12, as_of=AS_OF, now=now)
    with Session(engine) as s:
        status = {i: [r.status for r in case_review(s, case_id=i, tz="Asia/Shanghai", role="lead")]
                  for i in (2, 3, 4)}  # fmt: skip
        assert status == {2: ["covered"], 3: ["flagged"], 4: ["included", "excluded"]}
        flags = open_case_flags(s, tz="Asia/Shanghai", role="lead")
        assert [(c.case_ref[-6:], len(c.flags)) for c in flags] == [("000003", 1)]
        loan_id = case_review(s, case_id=3, tz="Asia/Shanghai", role="lead")[0].loan_id
        notes = contact_data(s, loan_id=loan_id).notes
        assert any("1 条未记录合法性基础" in n for n in notes), notes
