"""Benchmark: the escalation queue over the 100,000-case demo portfolio (120,000 loans).

    .venv/bin/python -m bench.escalation [--cases 100000] [--db FILE] [--accept 10000]
                                         [--out docs/bench/escalation.md]

The portfolio is the demo generator's in a SQLite file, with every deadline and limitation
clock computed (`recompute_everything`), so that the limitation trigger reads real clocks;
`--db` reuses a file built before (copied, never changed). Each phase runs in its own
process, for its own peak memory:

- baseline: the queries `propose` runs (candidate loans with borrower and clock, the
  contact-log aggregate, promises, plans, repayments), rows fetched, nothing computed;
- propose: `propose` (facts, rules, route, fees, sorting) for the whole portfolio;
- accept: `accept` of the first `--accept` proposals on a copy: the proposals again, the
  cases, links and decisions, then the new cases' deadlines and their loans' clocks. The
  second person's approval (maker-checker, docs/audit.md) is a person's step, not a
  machine's: this phase runs with `LEGAL_TRACK_APPROVAL_ACTIONS=[]`, i.e. the carrying
  out of an approved acceptance.

Targets (issue 11): propose <= 10 s and <= 1 GB; accepting 10,000 proposals <= 20 s. Times
are also given as ratios to the baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from bench._report import write_report

NOW = datetime(2026, 11, 29, 1, 30, tzinfo=UTC)
TODAY = date(2026, 11, 29)
PROPOSE_S, PROPOSE_MIB, ACCEPT_S = 10.0, 1024, 20.0


def _peak_mib() -> float:
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(db: Path, cases: int) -> dict:
    from sqlmodel import Session

    from legal_track.db import make_engine, migrate
    from legal_track.demo.portfolio import generate
    from legal_track.recompute import recompute_everything

    engine = make_engine(f"sqlite:///{db}")
    migrate(engine)
    report = generate(engine, cases=cases, seed=7, as_of=TODAY, now=NOW)
    with Session(engine) as s:
        recompute_everything(s, now=NOW, today=TODAY)
    engine.dispose()
    return {"cases": report.cases, "loans": report.loans}


def child(phase: str, db: Path, accept_n: int) -> dict:
    os.environ["LEGAL_TRACK_APPROVAL_ACTIONS"] = "[]"  # see the docstring: accept phase
    from datetime import timedelta

    from sqlmodel import Session

    from legal_track.db import make_engine
    from legal_track.escalation import facts
    from legal_track.escalation.decisions import accept
    from legal_track.escalation.proposals import propose
    from legal_track.escalation.rules import rules_on

    engine = make_engine(f"sqlite:///{db}")
    out: dict = {}
    with Session(engine) as s:
        contracts = None
        if phase == "accept":
            contracts = [p.contract_no for p in propose(s, today=TODAY)[:accept_n]]
            s.rollback()
        start, cpu = time.perf_counter(), time.process_time()
        if phase == "baseline":
            conn = s.connection()
            rules = rules_on(TODAY)
            rows = len(facts._candidates(conn, TODAY, None))
            rows += len(facts._contacts(conn, rules.route.dispute_words))
            rows += len(facts._promises(conn)) + len(facts._plans(conn))
            rows += sum(len(v[0]) for v in facts._repayments(conn).values())
            rows += len(facts._recently_rejected(conn, NOW - timedelta(days=30)))
            out["rows"] = rows
        elif phase == "propose":
            proposals = propose(s, today=TODAY)
            out["proposals"] = len(proposals)
            out["routes"] = {r: sum(p.route == r for p in proposals)
                             for r in ("litigation", "arbitration", "payment_order")}  # fmt: skip
        else:
            report = accept(s, contracts=contracts, today=TODAY, now=NOW, actor="bench")
            out.update(cases=len(report.cases), loans=report.loans, clocks=report.clocks)
        out["seconds"] = time.perf_counter() - start
        out["cpu"] = time.process_time() - cpu
    out["peak_mib"] = _peak_mib()
    engine.dispose()
    return out


def _run(phase: str, db: Path, accept_n: int) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "bench.escalation", "--child", phase, "--db", str(db),
         "--accept", str(accept_n)],
        check=True, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--accept", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=Path("docs/bench/escalation.md"))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.db, args.accept)))
        return
    with tempfile.TemporaryDirectory(prefix="bench-escalation-") as tmp:
        work = Path(tmp)
        source = work / "portfolio.db"
        if args.db and args.db.exists():
            shutil.copy(args.db, source)
            built = {"reused": str(args.db)}
        else:
            print(f"building the {args.cases:,}-case demo portfolio …", flush=True)
            begin = time.perf_counter()
            built = build(source, args.cases) | {"build_s": time.perf_counter() - begin}
            if args.db:
                shutil.copy(source, args.db)
        load_before = os.getloadavg()
        results = {}
        for phase in ("baseline", "propose", "accept"):
            db = source if phase != "accept" else work / "accept.db"
            if phase == "accept":
                shutil.copy(source, db)
            results[phase] = _run(phase, db, args.accept)
            print(f"{phase}: {results[phase]}", flush=True)
        load_after = os.getloadavg()
    report(args, built, results, load_before, load_after)


def report(args, built: dict, r: dict, load_before, load_after) -> None:
    from legal_track import __version__

    base, prop, acc = r["baseline"], r["propose"], r["accept"]
    ok = lambda good: "yes" if good else "**no**"  # noqa: E731
    lines = [
        "# Benchmark: the escalation queue",
        "",
        f"`.venv/bin/python -m bench.escalation --cases {args.cases} --accept {args.accept}` — "
        f"legal-track {__version__}, Python {platform.python_version()}, SQLite, "
        f"{os.cpu_count()} CPUs, load average {load_before[0]:.1f} before / "
        f"{load_after[0]:.1f} after. Portfolio: {json.dumps(built)}.",
        "",
        "Each phase in a process of its own; wall-clock seconds, CPU seconds and the "
        "process's peak resident memory.",
        "",
        "| phase | seconds | CPU s | ratio to baseline | peak MB | target | met |",
        "|---|---:|---:|---:|---:|---|:---:|",
        f"| baseline: the queries' rows ({base['rows']:,}), nothing computed | "
        f"{base['seconds']:.2f} | {base['cpu']:.2f} | 1.00 | {base['peak_mib']:.0f} | — | — |",
        f"| propose: {prop['proposals']:,} proposals ({prop['routes']}) | {prop['seconds']:.2f} | "
        f"{prop['cpu']:.2f} | {prop['seconds'] / base['seconds']:.2f} | {prop['peak_mib']:.0f} | "
        f"≤ {PROPOSE_S:.0f} s, ≤ {PROPOSE_MIB} MB | "
        f"{ok(prop['seconds'] <= PROPOSE_S and prop['peak_mib'] <= PROPOSE_MIB)} |",
        f"| accept {acc['loans']:,} proposals: {acc['cases']:,} cases, {acc['clocks']:,} clocks | "
        f"{acc['seconds']:.2f} | {acc['cpu']:.2f} | {acc['seconds'] / base['seconds']:.2f} | "
        f"{acc['peak_mib']:.0f} | ≤ {ACCEPT_S:.0f} s | {ok(acc['seconds'] <= ACCEPT_S)} |",
        "",
        "`propose` reads set-wise: one query for the candidate loans (not in a case, "
        "overdue, with borrower and stored limitation clock), one aggregate over the "
        "contact log (last contact, last delivery, disputes), the promises and plans, and "
        "the repayments of the loans that have either; the rest is per-loan arithmetic and "
        "the fee rules. `accept` proposes again (the figures of the decision are the day's), "
        "then inserts cases, links and decisions in bulk and recomputes the new cases' "
        "deadlines and their loans' limitation clocks.",
        "",
    ]
    write_report(args.out, lines)


if __name__ == "__main__":
    main()
