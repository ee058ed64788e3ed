"""Benchmark: one reminder pass over a 100,000-case portfolio (target: <= 5 s on 2 cores).

    .venv/bin/python -m bench.reminders [--cases 100000] [--pg URL]
                                        [--out docs/bench/reminders.md]

The portfolio is written with SQLAlchemy core inserts into a fresh SQLite file (the
embedded default): a lead and 19 staff, one borrower, loan and case per case number,
2.5 deadlines per case with due dates spread over two years (realistic rule ids, so
the rule pack's reminder offsets apply), a limitation clock per loan and a few hundred
unacknowledged moved-deadline notices. (`legal_track.demo.portfolio.generate` builds the richer
demo portfolio but takes many minutes at this size and leaves deadlines to the engine;
this benchmark measures the reminder pass, not the generator.)

Measured, each against a baseline run in the same process on the same file (one
SELECT of every open deadline with its case and borrower, the scan a pass cannot avoid):

1. the first pass ever (digests plus the alerts of the last `alert_catchup_days`),
2. the first pass of the next day (digests plus that day's alerts),
3. a 15-minute check later that day (nothing new to decide),
4. a dry run of the next day's pass.

Delivery goes to the outbox (.eml files, fsync'd), the embedded default. With `--pg` the
same portfolio is written into a PostgreSQL schema of the benchmark's own (created and
migrated fresh, dropped afterwards) and the same baseline and passes run there; the
report puts both databases side by side, each pass as a ratio to its own database's
baseline.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench._report import write_report

TODAY = date(2026, 12, 1)
SCHEMA = "bench_reminders"
RULES = [  # (rule id, severity, share)
    ("appeal_judgment", "fatal", 0.12),
    ("enforcement_application", "fatal", 0.10),
    ("freeze_renewal_deposit", "fatal", 0.05),
    ("answer_defence", "info", 0.15),
    ("evidence_period_ordinary", "critical", 0.15),
    ("payment_order_objection", "critical", 0.13),
    ("trial_limit_ordinary", "info", 0.15),
    ("demand_letter_payment", "critical", 0.15),
]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(
        day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo("Asia/Shanghai")
    ).astimezone(UTC)


def build(url: str, cases: int, *, seed: int = 11) -> dict[str, int]:
    """Write the portfolio with core inserts; returns row counts."""
    from sqlalchemy import insert
    from sqlmodel import SQLModel

    import legal_track.models as m
    from legal_track.auth import hash_password
    from legal_track.db import make_engine

    rng = random.Random(seed)
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    now = _at(TODAY - timedelta(days=1), 12)
    pw = hash_password("bench-password-1")
    weights = [w for _, _, w in RULES]
    counts = dict.fromkeys(("users", "cases", "deadlines", "clocks", "notices"), 0)
    with engine.begin() as conn:
        conn.execute(insert(m.User), [
            {"id": 1, "username": "lead", "display_name": "王主管", "email": "lead@bench.example.com",
             "role": "lead", "language": "zh", "password_hash": pw, "active": True, "lead_id": None,
             "created_at": now}
        ] + [
            {"id": i, "username": f"staff{i}", "display_name": f"法务{i}", "email": f"staff{i}@bench.example.com",
             "role": "staff", "language": "en" if i % 4 == 0 else "zh", "password_hash": pw,
             "active": True, "lead_id": 1, "created_at": now}
            for i in range(2, 21)
        ])  # fmt: skip
        counts["users"] = 20
        conn.execute(
            insert(m.Creditor).values(id=1, name="示例小额贷款有限公司", lender_type="licensed")
        )
        texts = {}  # one shared explanation per due date, as the deadline store keeps them
        for offset in range(-365, 366):
            due = TODAY + timedelta(days=offset)
            basis, zh = "《民事诉讼法》", f"自送达之日起计算，届满日 {due}。"
            en = f"Counted from service; last day {due}."
            texts[due] = conn.execute(
                insert(m.DeadlineText).values(key=m.text_key(basis, zh, en), basis=basis,
                                              explanation_zh=zh, explanation_en=en)
            ).inserted_primary_key[0]  # fmt: skip
        batch = 10_000
        for start in range(1, cases + 1, batch):
            ids = range(start, min(cases, start + batch - 1) + 1)
            conn.execute(insert(m.Borrower), [
                {"id": i, "name": "张三丰" if i % 2 else "欧阳修", "id_number": f"B{i:017d}", "is_demo": True}
                for i in ids
            ])  # fmt: skip
            conn.execute(insert(m.Loan), [
                {"id": i, "contract_no": f"HT{i:08d}", "creditor_id": 1, "borrower_id": i,
                 "principal": 2_000_000, "annual_rate": "0.18", "disbursed_on": date(2023, 1, 1),
                 "maturity_on": date(2024, 1, 1), "schedule": [], "outstanding_principal": 1_000_000,
                 "status": "legal"}
                for i in ids
            ])  # fmt: skip
            conn.execute(insert(m.Case), [
                {"id": i, "ref": f"LT-2026-{i:06d}", "borrower_id": i, "route": "litigation",
                 "stage": "lit_judgment", "owner_id": None if i % 50 == 0 else 2 + i % 19,
                 "claim_snapshot": {}, "opened_on": date(2026, 1, 1), "created_at": now}
                for i in ids
            ])  # fmt: skip
            conn.execute(insert(m.CaseLoan), [{"case_id": i, "loan_id": i} for i in ids])
            deadlines = []
            for i in ids:
                for _ in range(2 if i % 2 else 3):
                    rule, severity, _w = rng.choices(RULES, weights)[0]
                    due = TODAY + timedelta(days=rng.randrange(-365, 366))
                    old = due < TODAY - timedelta(days=30)
                    status = (
                        "completed"
                        if (old and rng.random() < 0.85) or rng.random() < 0.1
                        else "open"
                    )
                    deadlines.append({
                        "case_id": i, "rule_id": rule, "rule_version": "2022-01-01",
                        "trigger_date": due - timedelta(days=15), "raw_due": due, "due": due,
                        "provisional": False, "severity": severity, "text_id": texts[due],
                        "status": status, "moved_under_override": False, "computed_at": now,
                    })  # fmt: skip
            conn.execute(insert(m.Deadline), deadlines)
            counts["deadlines"] += len(deadlines)
            clocks = []
            for i in ids:
                cons = TODAY + timedelta(days=rng.randrange(-200, 1000))
                days = (cons - TODAY).days
                risk = (
                    "expired"
                    if days < 0
                    else "lt90"
                    if days < 90
                    else "lt180"
                    if days < 180
                    else "ok"
                )
                clocks.append({
                    "loan_id": i, "start_on": date(2024, 1, 1), "expiry": cons + timedelta(days=30),
                    "conservative_expiry": cons, "longstop": date(2044, 1, 1), "provisional": False,
                    "risk": risk, "computed_at": now,
                })  # fmt: skip
            conn.execute(insert(m.LimitationClock), clocks)
            counts["clocks"] += len(clocks)
        conn.execute(insert(m.DeadlineNotice), [
            {"case_id": i, "owner_id": None if i % 50 == 0 else 2 + i % 19, "kind": "calendar_moved",
             "rule_id": "appeal_judgment", "old_due": TODAY, "new_due": TODAY + timedelta(days=2),
             "message_zh": "放假通知公布，到期日顺延。", "message_en": "Holiday notice: due date moved.",
             "created_at": now}
            for i in range(1, cases + 1, max(1, cases // 300))
        ])  # fmt: skip
        counts["notices"] = len(range(1, cases + 1, max(1, cases // 300)))
    counts["cases"] = cases
    engine.dispose()
    return counts


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def measure(url: str, cases: int, work: Path) -> dict:
    """Build the portfolio at `url`, time the baseline and the four passes there."""
    from sqlalchemy import func, select

    from legal_track.config import Settings
    from legal_track.db import make_engine, session_scope
    from legal_track.models import Borrower, Case, Deadline, DeadlineText
    from legal_track.reminders.mail import OutboxMailer
    from legal_track.reminders.run import run_pass

    db = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
    t_build, counts = _timed(lambda: build(url, cases))
    engine = make_engine(url)
    if db == "PostgreSQL":
        from legal_track.db import advance_sequences

        with engine.begin() as conn:  # the build gave ids itself
            advance_sequences(conn)
    print(f"{db}: portfolio {counts} in {t_build:.1f} s", flush=True)
    outbox = work / f"outbox-{db.lower()}"
    settings = Settings(_env_file=None, database_url=url, outbox_dir=outbox,
                        app_url="https://lt.example.com")  # fmt: skip
    mailer = OutboxMailer(settings.outbox_dir)
    factory = lambda: session_scope(engine)  # noqa: E731

    def baseline() -> int:
        with engine.connect() as conn:
            due = func.coalesce(Deadline.override_due, Deadline.due)
            stmt = (
                select(
                    Deadline.id,
                    Case.ref,
                    Case.owner_id,
                    Borrower.name,
                    due,
                    DeadlineText.explanation_zh,
                )
                .join(Case, Case.id == Deadline.case_id)
                .outerjoin(DeadlineText, DeadlineText.id == Deadline.text_id)
                .join(Borrower, Borrower.id == Case.borrower_id)
                .where(Deadline.status == "open")
            )
            return len(conn.execute(stmt).all())

    base_times = []
    for _ in range(3):
        t, n_open = _timed(baseline)
        base_times.append(t)
    base = statistics.median(base_times)
    print(f"{db}: baseline {base:.3f} s", flush=True)

    rows = []

    def run(label: str, now: datetime, **kw) -> None:
        t, report = _timed(
            lambda: run_pass(factory, now=now, mailer=mailer, settings=settings, **kw)
        )
        kinds = {
            k: sum(1 for d in report.decided if d.kind == k)
            for k in ("digest", "alert", "escalation")
        }
        rows.append((label, t, len(report.decided), len(report.sent), kinds))
        print(f"{db}: {label}: {t:.2f} s, decided {len(report.decided)} {kinds}, "
              f"sent {len(report.sent)}", flush=True)  # fmt: skip

    run("first pass ever (3 days of catch-up)", _at(TODAY, 8, 45))
    run("dry run of the next day's first pass", _at(TODAY + timedelta(days=1), 8, 45), dry_run=True)
    run("next day's first pass", _at(TODAY + timedelta(days=1), 8, 45))
    run("15-minute check, nothing new", _at(TODAY + timedelta(days=1), 9, 0))
    engine.dispose()
    return {"counts": counts, "build_s": t_build, "open": n_open, "base": base, "rows": rows}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--pg", metavar="URL", help="also on this PostgreSQL database")
    parser.add_argument("--out", type=Path, default=Path("docs/bench/reminders.md"))
    args = parser.parse_args(argv)

    load = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="bench-reminders-"))
    results = {"SQLite": measure(f"sqlite:///{work / 'bench.db'}", args.cases, work)}
    if args.pg:
        from bench._pg import drop_schema, fresh_schema

        try:
            results["PostgreSQL"] = measure(fresh_schema(args.pg, SCHEMA), args.cases, work)
        finally:
            drop_schema(args.pg, SCHEMA)
    shutil.rmtree(work, ignore_errors=True)
    write_report(args.out, report(args, results, load))


def report(args, results: dict, load: tuple[float, ...]) -> list[str]:
    target = 5.0
    first = next(iter(results.values()))
    counts = first["counts"]
    dbs = " and ".join(f"{db} ({'file' if db == 'SQLite' else 'server on this machine'})"
                       for db in results)  # fmt: skip
    lines = [
        "# Benchmark: reminder pass",
        "",
        f"`python -m bench.reminders --cases {args.cases}{' --pg URL' if args.pg else ''}`, "
        f"run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, {dbs}, outbox delivery; "
        f"load average during the run {load[0]:.1f} → {os.getloadavg()[0]:.1f} (other work on the "
        "machine slows every row alike; the ratios to the baseline are the stable numbers).",
        "",
        f"Portfolio: {counts['cases']:,} cases, {counts['deadlines']:,} deadlines "
        f"({first['open']:,} open), {counts['clocks']:,} limitation clocks, "
        f"{counts['notices']} moved-deadline notices, {counts['users']} users (built in "
        + " / ".join(f"{r['build_s']:.0f} s" for r in results.values())
        + ", not measured"
        + (f"; {' / '.join(results)}" if len(results) > 1 else "")
        + ").",
        "",
        "Baseline (same run, same database): one SELECT of every open deadline with case and "
        "borrower: "
        + "; ".join(f"{db} {r['base']:.3f} s" for db, r in results.items())
        + " (median of 3).",
        "",
        "| Pass | "
        + " | ".join(f"{db} time | {db} × baseline" for db in results)
        + " | Decided (digest / alert / escalation) | Sent | ≤ 5 s |",
        "|---|" + "---:|---:|" * len(results) + "---|---:|:-:|",
    ]
    for i, (label, *_rest) in enumerate(first["rows"]):
        cells, decided, sent, ok = [], [], [], []
        for r in results.values():
            _label, t, n, n_sent, kinds = r["rows"][i]
            cells.append(f"{t:.2f} s | {t / r['base']:.1f}")
            decided.append(f"{n} ({kinds['digest']} / {kinds['alert']} / {kinds['escalation']})")
            sent.append(str(n_sent))
            ok.append("yes" if t <= target else "NO")
        same = lambda xs: xs[0] if len(set(xs)) == 1 else " vs ".join(xs)  # noqa: E731
        lines.append(f"| {label} | {' | '.join(cells)} | {same(decided)} | {same(sent)} | "
                     f"{' / '.join(ok)} |")  # fmt: skip
    lines += [
        "",
        "What a pass costs: reading the open deadlines due within the digest horizon (and the",
        "limitation clocks at risk) once, plus per message 1-3 ms (rendering, the .ics,",
        "the .eml file; rows are claimed and marked 50 at a time, the outbox made durable with",
        "one sync per batch). The daily pass and the 15-minute checks stay under 5 s at this",
        "size. The very first pass over an old portfolio sends the alerts of the whole",
        "catch-up window (`alert_catchup_days`, 3 days) at once, here about three times a",
        "normal day's messages, and takes about twice as long as a daily pass; it happens once.",
        "",
    ]
    if len(results) > 1:
        lines[-1:-1] = [
            "",
            "PostgreSQL runs in a schema of its own (created and migrated for the run, dropped",
            "afterwards) on a server on the same machine, so the times include the round trips",
            "over a local TCP connection; the ≤ 5 s column reads SQLite / PostgreSQL.",
        ]
    return lines


if __name__ == "__main__":
    main()
