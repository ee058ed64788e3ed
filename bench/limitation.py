"""Benchmark: recompute the limitation clock of a 100,000-loan portfolio.

    .venv/bin/python -m bench.limitation [--loans 100000] [--seed 7] [--url URL] [--keep]

Generates a deterministic portfolio (loans with monthly schedules, ledgers, contact logs with
failed / unknown / delivered rows, calls and promises, cases with filings) with core inserts
into a fresh SQLite file (or the database at --url, which must be empty), then measures in a
separate child process, so that its peak memory is the recompute's own:

- baseline: reading the input rows (contact log, ledger, case events) into Python tuples;
- recompute_portfolio over every loan (stores `limitationclock`);
- a second recompute (idempotent rerun).

Results (times, ratio to the baseline, peak RSS) go to docs/bench/limitation.md.
`legal_track.demo.portfolio.generate` is not used: at 100,000 cases it matches loans to cases with a
scan of every loan per case, which does not finish in reasonable time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlmodel import Session

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "docs" / "bench" / "limitation.md"
NOW = datetime(2026, 11, 29, 1, 30, tzinfo=UTC)
TODAY = date(2026, 11, 29)
CHANNELS = ("sms", "sms", "app", "email", "letter", "call", "call", "visit")
FILING_KINDS = ("complaint_filed", "payment_order_applied", "arbitration_applied",
                "preservation_applied", "enforcement_applied")  # fmt: skip


def _batched(rows: list[dict], size: int = 10_000):
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def generate(url: str, *, loans: int, seed: int) -> dict[str, int]:
    """Write the portfolio with core inserts; returns the row counts."""
    from legal_track.db import make_engine, migrate
    from legal_track.deadlines.periods import add_months
    from legal_track.identity import make_id_number
    from legal_track.models import (
        Borrower,
        Case,
        CaseEvent,
        CaseLoan,
        ContactLog,
        Creditor,
        LedgerEntry,
        Loan,
    )  # fmt: skip

    rng = random.Random(seed)
    engine = make_engine(url)
    migrate(engine)
    counts = dict.fromkeys(("loans", "ledger", "contacts", "cases", "events"), 0)
    with Session(engine) as s:
        conn = s.connection()
        if conn.execute(select(func.count()).select_from(Loan)).scalar():
            raise SystemExit(f"{url} already holds loans: give an empty database")
        creditors = []
        for i, kind in enumerate(("licensed", "licensed", "private")):
            row = {"name": f"基准测试债权人{i}", "lender_type": kind}
            creditors.append(conn.execute(insert(Creditor).values(**row)).inserted_primary_key[0])
        borrowers, loan_rows, ledger, contacts = [], [], [], []
        cases, links, events = [], [], []
        for n in range(1, loans + 1):
            borrowers.append({"id": n, "name": f"借款人{n}", "is_demo": True,
                              "id_number": make_id_number("330106", date(1960, 1, 1) + timedelta(days=n // 900), n % 900 + 1),
                              "phone": f"138{n:08d}"})  # fmt: skip
            months = rng.choice((6, 12, 12, 24, 36))
            disbursed = date(2019, 9, 1) + timedelta(days=rng.randrange(2200))
            principal = Decimal(rng.randrange(30, 2000) * 100)
            per = (principal / months).quantize(Decimal("0.01"))
            dues = [add_months(disbursed, k) for k in range(1, months + 1)]
            schedule = [{"due_on": d.isoformat(), "principal": str(per), "interest": "10.00"}
                        for d in dues]  # fmt: skip
            past = [d for d in dues if d < TODAY]
            paid = rng.randrange(len(past) + 1) if past else 0
            overdue_since = dues[paid] if paid < len(past) else None
            loan_rows.append({
                "id": n, "contract_no": f"BENCH-{n:07d}", "creditor_id": creditors[n % 3],
                "borrower_id": n, "principal": principal, "annual_rate": Decimal("0.18"),
                "overdue_rate": Decimal("0.27"), "disbursed_on": disbursed,
                "maturity_on": dues[-1], "schedule": schedule,
                "outstanding_principal": principal - per * paid, "overdue_since": overdue_since,
                "status": "overdue" if overdue_since else "current",
            })  # fmt: skip
            ledger.append({"loan_id": n, "kind": "disbursement", "amount": principal,
                           "booked_on": disbursed, "reference": f"FK{n}"})  # fmt: skip
            for k in range(paid):
                ledger.append({"loan_id": n, "kind": "repayment", "amount": per,
                               "booked_on": dues[k], "reference": f"HK{n}-{k}"})  # fmt: skip
            if overdue_since is None:
                continue
            if rng.random() < 0.2:  # a late part payment
                ledger.append({"loan_id": n, "kind": "repayment", "amount": Decimal("100.00"),
                               "booked_on": overdue_since + timedelta(days=rng.randrange(30, 900)),
                               "reference": f"HK{n}-late"})  # fmt: skip
            day = overdue_since
            for k in range(rng.randrange(0, 11)):
                day += timedelta(days=rng.randrange(3, 120))
                if day >= TODAY:
                    break
                channel = rng.choice(CHANNELS)
                status = rng.choices(("delivered", "failed", "unknown"), (0.7, 0.22, 0.08))[0]
                promise = channel == "call" and status == "delivered" and rng.random() < 0.3
                contacts.append({
                    "loan_id": n, "channel": channel, "direction": "outbound",
                    "at": datetime(day.year, day.month, day.day, 2, k, tzinfo=UTC),
                    "target": f"138{n:08d}", "content": "逾期提醒", "delivery_status": status,
                    "promise_date": day + timedelta(days=7) if promise else None,
                })  # fmt: skip
            if rng.random() < 0.4:
                case_id = len(cases) + 1
                cases.append({"id": case_id, "ref": f"LT-B-{case_id:07d}", "borrower_id": n,
                              "route": "litigation", "stage": "lit_filed", "opened_on": day,
                              "claim_snapshot": {}, "created_at": NOW})  # fmt: skip
                links.append({"case_id": case_id, "loan_id": n})
                on = min(day + timedelta(days=rng.randrange(10, 200)), TODAY)
                for kind in ("demand_letter_sent", "demand_letter_delivered",
                             rng.choice(FILING_KINDS), "case_accepted"):  # fmt: skip
                    events.append({"case_id": case_id, "kind": kind, "on": on, "actor": "bench",
                                   "note": "", "data": {}, "created_at": NOW})  # fmt: skip
                    on += timedelta(days=rng.randrange(3, 40))
        for table, rows in ((Borrower, borrowers), (Loan, loan_rows), (LedgerEntry, ledger),
                            (ContactLog, contacts), (Case, cases), (CaseLoan, links),
                            (CaseEvent, events)):  # fmt: skip
            for batch in _batched(rows):
                conn.execute(insert(table), batch)
        s.commit()
        counts.update(loans=len(loan_rows), ledger=len(ledger), contacts=len(contacts),
                      cases=len(cases), events=len(events))  # fmt: skip
    engine.dispose()
    return counts


BASELINE_SQL = (
    "SELECT id, maturity_on, schedule FROM loan WHERE id BETWEEN {lo} AND {hi}",
    "SELECT loan_id, id, at, channel, delivery_status, promise_date FROM contactlog"
    " WHERE loan_id BETWEEN {lo} AND {hi}",
    "SELECT loan_id, booked_on, reference, kind FROM ledgerentry WHERE loan_id BETWEEN {lo} AND {hi}",
    'SELECT caseloan.loan_id, caseevent.id, caseevent.kind, caseevent."on" FROM caseloan'
    " JOIN caseevent ON caseevent.case_id = caseloan.case_id"
    " WHERE caseloan.loan_id BETWEEN {lo} AND {hi}",
)


def _peak_rss_mb() -> float:
    """This process's peak RSS. /proc VmHWM belongs to the process image; getrusage's maxrss
    would carry over the generating parent's peak across fork + exec on Linux."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(fn) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, value


def measure(url: str) -> dict:
    """Run in a child process: baseline read, recompute, rerun; times and peak RSS."""
    from legal_track.calendar.workdays import load_calendar
    from legal_track.db import make_engine
    from legal_track.limitation import recompute_portfolio
    from legal_track.limitation.portfolio import CHUNK

    engine = make_engine(url)
    out: dict = {}
    with Session(engine) as s:
        conn = s.connection()
        ids = [row[0] for row in conn.exec_driver_sql("SELECT id FROM loan ORDER BY id")]

        def baseline() -> int:
            rows = 0
            cursor = conn.connection.dbapi_connection.cursor()
            for pos in range(0, len(ids), CHUNK):
                lo, hi = ids[pos], ids[min(pos + CHUNK, len(ids)) - 1]
                for sql in BASELINE_SQL:
                    cursor.execute(sql.format(lo=lo, hi=hi))
                    rows += len(cursor.fetchall())
            cursor.close()
            return rows

        out["baseline_s"], out["baseline_cpu_s"], out["baseline_rows"] = _timed(baseline)
        calendar = load_calendar(s)
        s.commit()
        for name in ("recompute", "rerun"):
            wall, cpu, n = _timed(lambda: recompute_portfolio(s, today=TODAY, now=NOW,
                                                              calendar=calendar))  # fmt: skip
            out[f"{name}_s"], out[f"{name}_cpu_s"], out["loans"] = wall, cpu, n
    out["peak_rss_mb"] = _peak_rss_mb()
    engine.dispose()
    return out


def write_report(args, counts: dict, result: dict, gen_s: float) -> str:
    base = result["baseline_s"] or 1e-9
    base_cpu = result["baseline_cpu_s"] or 1e-9
    ok = result["recompute_s"] <= 10 and result["peak_rss_mb"] <= 1024
    text = f"""# Benchmark: limitation clocks of the portfolio

Command: `.venv/bin/python -m bench.limitation --loans {args.loans} --seed {args.seed}`
({"SQLite file" if args.url is None else "database at --url"}; {platform.machine()},
{os.cpu_count()} CPUs, Python {platform.python_version()}; load average during the run
{os.getloadavg()[0]:.1f} - other work was running on the same 2 cores).

Portfolio: {counts["loans"]:,} loans, {counts["ledger"]:,} ledger entries,
{counts["contacts"]:,} contact-log rows, {counts["cases"]:,} cases, {counts["events"]:,} case
events (generated in {gen_s:.1f} s).

| Step | Wall (s) | CPU (s) | Wall ratio | CPU ratio |
|---|---:|---:|---:|---:|
| Baseline: read the same tables for the same loan ranges, raw rows, nothing computed ({result["baseline_rows"]:,} rows) | {base:.2f} | {base_cpu:.2f} | 1.0 | 1.0 |
| `recompute_portfolio`, every loan, rows stored | {result["recompute_s"]:.2f} | {result["recompute_cpu_s"]:.2f} | {result["recompute_s"] / base:.1f} | {result["recompute_cpu_s"] / base_cpu:.1f} |
| Rerun (old rows deleted, stored again) | {result["rerun_s"]:.2f} | {result["rerun_cpu_s"]:.2f} | {result["rerun_s"] / base:.1f} | {result["rerun_cpu_s"] / base_cpu:.1f} |

Peak memory of the measuring process: {result["peak_rss_mb"]:.0f} MB.

Target (issue 3, shared with the deadline recompute): all deadlines and limitation clocks
in <= 10 s and <= 1 GB on the 2-core machine. The limitation part alone
{"is within" if ok else "is NOT within"} 10 s wall / 1 GB in this run. Wall times on a shared,
loaded machine vary a lot; CPU time and the ratios to the baseline read of the same rows are
the steadier figures.

How the recompute keeps to a few passes over the data: loans are taken 20,000 at a time; per
range, four plain SELECTs at the driver level (the last instalment's due date is read from
the JSON schedule inside the database; ledger and contact rows are joined to their loan's
start in SQL so that rows plainly before it stay in the database; contact rows are filtered
to delivered demands, calls and promises); the chain of interruptions is walked once per
loan, computing a new end date only at a gap; three-year additions and working-day rolls
are memoised per date; the rows are written with one executemany per range. This is the
single-process `recompute_portfolio`; `bench.recompute` (docs/bench/recompute.md) measures
clocks and deadlines together with a worker process.
"""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--url", help="an empty database (default: a fresh SQLite file)")
    parser.add_argument("--keep", action="store_true", help="keep the generated SQLite file")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # child process mode
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    tmp = Path(tempfile.mkdtemp(prefix="bench-limitation-"))
    url = args.url or f"sqlite:///{tmp / 'portfolio.db'}"
    t0 = time.perf_counter()
    counts = generate(url, loans=args.loans, seed=args.seed)
    gen_s = time.perf_counter() - t0
    child = subprocess.run(
        [sys.executable, "-m", "bench.limitation", "--measure", url],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if child.returncode != 0:
        sys.stderr.write(child.stderr)
        raise SystemExit(child.returncode)
    result = json.loads(child.stdout.strip().splitlines()[-1])
    print(write_report(args, counts, result, gen_s))
    if not args.keep and args.url is None:
        for path in tmp.iterdir():
            path.unlink()
        tmp.rmdir()
    else:
        print(f"portfolio kept at {url}")


if __name__ == "__main__":
    main()
