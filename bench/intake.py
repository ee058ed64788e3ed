"""Benchmark: import 100,000 loan rows from CSV into a fresh SQLite database (and with
`--pg` into a fresh PostgreSQL schema too).

    .venv/bin/python -m bench.intake [--rows 100000] [--pg URL] [--out docs/bench/intake.md]

Every measurement runs in its own subprocess so that its peak memory (ru_maxrss)
is its own. The baseline, measured in the same run on the same file, is the
time and memory of merely reading the CSV with the csv module. A second import
of the same file (all rows unchanged) and a traced run (tracemalloc peak of
Python allocations) are reported too, and a run with a tenth of the rows shows
how peak memory grows with the file. With `--pg URL` every import is run again into a
schema of its own on that PostgreSQL database (created and migrated fresh for each
import, dropped at the end), and the report gives both databases side by side; the CPU
figures of PostgreSQL add the server's CPU during the import to the import process's.
"""

from __future__ import annotations

import argparse
import csv
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
from pathlib import Path

from bench._report import write_report

HEADER = ["合同编号", "借款人姓名", "身份证号", "手机号", "地址", "邮箱", "出借人", "借款本金",
          "年利率", "逾期利率", "放款日期", "到期日期", "剩余本金", "逾期起始日", "仲裁机构",
          "约定管辖法院"]  # fmt: skip
NOW = datetime(2026, 11, 29, 1, 30, tzinfo=UTC)
SCHEMA = "bench_intake"


def generate(path: Path, rows: int, *, seed: int = 7) -> None:
    """A deterministic loan tape: about 1.25 loans per borrower, 5 creditors, GBK-safe text."""
    from legal_track.identity import make_id_number

    rng = random.Random(seed)
    surnames = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
    creditors = [f"示例{n}小额贷款有限公司" for n in "甲乙丙丁戊"]
    borrowers = max(1, int(rows / 1.25))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(HEADER)
        for i in range(rows):
            b = i % borrowers
            birth = date(1970, 1, 1) + timedelta(days=b % 12000)
            id_number = make_id_number(f"{110101 + b % 50:06d}", birth, b // 12000)
            name = (
                surnames[b % len(surnames)]
                + given[(b // 20) % len(given)]
                + given[b // 480 % len(given)]
            )
            disbursed = date(2024, 1, 1) + timedelta(days=rng.randrange(600))
            principal = rng.randrange(1_000, 50_000) * 100 / 100
            writer.writerow([
                f"BENCH-{i:07d}", name, id_number, f"138{b:08d}", f"北京市朝阳区示例路{b % 999}号",
                f"b{b}@example.com", creditors[b % 5], f"{principal:,.2f}",
                rng.choice(["18%", "0.24", "23.9%"]), "", disbursed.isoformat(),
                (disbursed + timedelta(days=365)).strftime("%Y/%m/%d"),
                f"{principal * 0.6:.2f}", (disbursed + timedelta(days=90)).isoformat(), "",
                "北京市朝阳区人民法院",
            ])  # fmt: skip


def _maxrss_mib() -> float:
    # Linux reports kilobytes, macOS bytes
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def child_read(path: Path) -> dict:
    start, cpu = time.perf_counter(), time.process_time()
    with path.open(encoding="utf-8", newline="") as handle:
        count = sum(1 for _ in csv.reader(handle)) - 1
    return {"rows": count, "seconds": time.perf_counter() - start,
            "cpu": time.process_time() - cpu, "maxrss_mib": _maxrss_mib()}  # fmt: skip


def child_import(path: Path, db: str, *, times: int, traced: bool) -> dict:
    import tracemalloc

    from sqlmodel import Session, SQLModel

    import legal_track.models  # noqa: F401  (registers the tables)
    from legal_track.db import make_engine
    from legal_track.intake import import_file

    if "://" in db:  # a PostgreSQL schema, created and migrated by the parent
        engine = make_engine(db)
    else:
        engine = make_engine(f"sqlite:///{db}")
        SQLModel.metadata.create_all(engine)
    runs = []
    for _ in range(times):
        if traced:
            tracemalloc.start()
        start, cpu = time.perf_counter(), time.process_time()
        with Session(engine) as session:
            report = import_file(session, kind="loans", path=path, actor="bench", now=NOW)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        peak = tracemalloc.get_traced_memory()[1] / 2**20 if traced else None
        if traced:
            tracemalloc.stop()
        runs.append({"seconds": seconds, "cpu": cpu, "rows": report.rows, "created": report.created,
                     "unchanged": report.unchanged, "traced_peak_mib": peak})  # fmt: skip
    engine.dispose()
    return {"runs": runs, "maxrss_mib": _maxrss_mib()}


def _cells(run: dict, base: dict | None, rows: int, rss: float | None) -> str:
    ratio = (
        f"{run['seconds'] / base['seconds']:.1f} / {run['cpu'] / base['cpu']:.1f}" if base else "–"
    )
    memory = f"{rss:.0f}" if rss is not None else "(same process)"
    return (f"{run['seconds']:.2f} | {run['cpu']:.2f} | "
            f"{rows / run['seconds']:,.0f} | {ratio} | {memory}")  # fmt: skip


def _run_child(*args: str, pg: str | None = None) -> dict:
    """One measurement in its own process; with `pg` (the server's URL) the server's CPU
    during it is added to the child's (the import's work is shared between the two)."""
    from bench._pg import server_cpu

    before = server_cpu(pg) if pg else None
    out = subprocess.run(
        [sys.executable, "-m", "bench.intake", "--child", *args],
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(out.stdout)
    if before is not None:
        after = server_cpu(pg)
        runs = result["runs"]  # the server's share, split over the runs by their wall time
        wall = sum(r["seconds"] for r in runs)
        for r in runs:
            r["server_cpu"] = (after - before) * r["seconds"] / wall
            r["cpu"] += r["server_cpu"]
    return result


def measure(big: Path, small: Path, target, pg: str | None = None) -> dict:
    """The imports into fresh databases; `target(name)` gives a database (file or URL)."""
    db = "PostgreSQL" if pg else "SQLite"
    plain = _run_child("import", str(big), target("a"), "2", pg=pg)
    first, second = plain["runs"]
    print(f"{db} import: {first['seconds']:.2f} s; again: {second['seconds']:.2f} s",
          file=sys.stderr, flush=True)  # fmt: skip
    tenth = _run_child("import", str(small), target("b"), "1", pg=pg)
    traced = _run_child("traced", str(big), target("c"), "1")
    traced_small = _run_child("traced", str(small), target("d"), "1")
    return {"plain": plain, "first": first, "second": second, "tenth": tenth,
            "traced": traced, "traced_small": traced_small}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--pg", metavar="URL", help="also import into this PostgreSQL database")
    parser.add_argument("--out", type=Path, default=Path("docs/bench/intake.md"))
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, *rest = args.child
        if mode == "read":
            result = child_read(Path(rest[0]))
        else:
            result = child_import(Path(rest[0]), rest[1], times=int(rest[2]),
                                  traced=mode == "traced")  # fmt: skip
        print(json.dumps(result))
        return

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-intake-") as tmp:
        tmpdir = Path(tmp)
        big, small = tmpdir / "loans.csv", tmpdir / "loans-small.csv"
        generate(big, args.rows)
        generate(small, max(1, args.rows // 10))
        size_mib = big.stat().st_size / 2**20
        print(f"file: {args.rows} rows, {size_mib:.1f} MiB", file=sys.stderr)
        baseline = _run_child("read", str(big))
        print(f"baseline csv read: {baseline['seconds']:.2f} s", file=sys.stderr)
        results = {"SQLite": measure(big, small, lambda name: str(tmpdir / f"{name}.db"))}
        if args.pg:
            from bench._pg import drop_schema, fresh_schema

            try:
                results["PostgreSQL"] = measure(
                    big, small, lambda _name: fresh_schema(args.pg, SCHEMA), pg=args.pg
                )
            finally:
                drop_schema(args.pg, SCHEMA)

    for r in results.values():
        assert r["first"]["created"] == args.rows and r["second"]["unchanged"] == args.rows
    lines = report(args, results, baseline, size_mib, load_before)
    write_report(args.out, lines)
    print("\n".join(lines))


def report(args, results: dict, baseline: dict, size_mib: float, load_before: float) -> list[str]:
    dbs = list(results)
    group = " | ".join(f"{db} wall (s) | {db} CPU (s) | {db} rows/s (wall) | {db} × baseline "
                       f"(wall / CPU) | {db} peak RSS (MiB)" for db in dbs)  # fmt: skip

    def row(label: str, cells) -> str:
        return f"| {label} | " + " | ".join(cells(r) for r in results.values()) + " |"

    tenth = args.rows // 10
    lines = [
        "# Intake benchmark",
        "",
        f"`python -m bench.intake --rows {args.rows}{' --pg URL' if args.pg else ''}` on "
        f"{platform.machine()}, Python {platform.python_version()}, "
        + " and ".join(
            {
                "SQLite": "SQLite file database",
                "PostgreSQL": "PostgreSQL (server on this machine, a fresh schema per import)",
            }[db]
            for db in dbs
        )  # fmt: skip
        + f", run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",  # a report is an edge: wall clock
        "",
        f"Input: a generated loan tape of {args.rows:,} rows ({size_mib:.1f} MiB UTF-8 CSV, "
        f"Chinese headers, {int(args.rows / 1.25):,} borrowers, 5 creditors).",
        "Baseline, measured in the same run: reading the same file with `csv.reader` and "
        "nothing else (no database, so one baseline serves both columns"
        if len(dbs) > 1
        else "Baseline, measured in the same run: reading the same file with `csv.reader` and "
        "nothing else. Every figure comes from its own subprocess.",
    ]
    if len(dbs) > 1:
        lines[-1] += (
            "). Every figure comes from its own subprocess. PostgreSQL's CPU is the import "
            "process's plus the server's during it (the server's processes read from /proc)."
        )
    lines += [
        "",
        f"| measurement | {group} |",
        "|---|" + "---:|---:|---:|---:|---:|" * len(dbs),
        row("baseline: csv.reader only",
            lambda _r: _cells(baseline, baseline, args.rows, baseline["maxrss_mib"])),
        row("import (all rows created)",
            lambda r: _cells(r["first"], baseline, args.rows, r["plain"]["maxrss_mib"])),
        row("same file again (all unchanged)",
            lambda r: _cells(r["second"], baseline, args.rows, None)),
        row(f"import of a tenth of the rows ({tenth:,})",
            lambda r: _cells(r["tenth"]["runs"][0], None, tenth, r["tenth"]["maxrss_mib"])),
        "",
        f"Load average during the run: {load_before:.1f} → {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} CPUs (wall time suffers when the machine is shared; CPU time much "
        "less).",
        "",
        "Peak of Python allocations during the import (tracemalloc, separate runs):",
        "",
        "| rows | " + " | ".join(f"{db} tracemalloc peak (MiB)" for db in dbs) + " |",
        "|---:|" + "---:|" * len(dbs),
        f"| {tenth:,} | " + " | ".join(
            f"{r['traced_small']['runs'][0]['traced_peak_mib']:.1f}" for r in results.values()
        ) + " |",
        f"| {args.rows:,} | " + " | ".join(
            f"{r['traced']['runs'][0]['traced_peak_mib']:.1f}" for r in results.values()
        ) + " |",
        "",
        "How memory stays bounded: rows are streamed twice (check pass, then write pass) in "
        "chunks of 1,000; existing keys are looked up with IN queries of at most 1,000; "
        "inserts and updates are SQLAlchemy core executemany batches. Across the file only "
        "keys are kept (contract number -> first row, ID number -> first row and a hash of "
        "the borrower's details, creditor names), so memory grows with the number of keys, "
        "not with the size of the rows. Peak RSS includes the interpreter, SQLAlchemy and "
        "the models (the baseline process imports none of them).",
        "",
    ]  # fmt: skip
    return lines


if __name__ == "__main__":
    main()
