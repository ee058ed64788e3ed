"""Benchmark: 1,000 demand letters in one batch against a plain docxtpl loop.

    .venv/bin/python -m bench.documents [--cases 1000] [--workers N] [--out docs/bench/documents.md]

Both sides render the same shipped template (`demand_letter`) for the same cases in
the same run:

- baseline: a plain single-process loop, a fresh `DocxTemplate` per document,
  `render(context, env, autoescape=True)` and `save` into memory, over contexts that
  are already built (database work is NOT counted against the baseline);
- batch: `run_batch` end to end: select the cases from the database, build every
  context, preflight (fields, claim vs. ledger, evidence, service address), render on
  every core, stream the zip with report.csv, record 1,000 GeneratedDocument rows.

The ratio is baseline time / batch time for the same number of documents. A
single-process batch (`workers=1`) is measured too, to show how much comes from
compiling the template once and how much from the worker processes.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import sys
import tempfile
import time
import zipfile
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

NOW = datetime(2026, 11, 29, 1, 30, tzinfo=UTC)
TODAY = date(2026, 11, 29)
TEMPLATE = "demand_letter"


def seed(engine, cases: int) -> list[int]:
    """Cases with one overdue loan each, a ledger, a law firm and the loan contract on file."""
    from sqlalchemy import insert
    from sqlmodel import Session, select

    from legal_track.identity import make_id_number
    from legal_track.models import (
        Borrower,
        Case,
        CaseLoan,
        Creditor,
        EvidenceItem,
        EvidenceLink,
        LedgerEntry,
        Loan,
    )  # fmt: skip

    with Session(engine) as s:
        conn = s.connection()
        creditor = conn.execute(insert(Creditor).values(
            name="示例消费金融有限公司（演示）", uscc="91110000MA00000000", legal_rep="王示例",
            address="北京市西城区金融街1号（演示）", lender_type="licensed")).inserted_primary_key[0]  # fmt: skip
        item = conn.execute(insert(EvidenceItem).values(
            sha256="a" * 64, size=1000, kind="pdf", original_name="借款合同.pdf", category="loan_contract",
            source="委托人提供", purpose="", added_by="bench", added_at=NOW, rendition_note="",
            repaired=False, bundleable=True, not_bundleable_reason="", meta={})).inserted_primary_key[0]  # fmt: skip
        surnames, given = "王李张刘陈杨赵黄周吴", "伟芳娜敏静丽强磊军洋"
        borrowers, loans, ledger, case_rows, links, ev_links = [], [], [], [], [], []
        for n in range(1, cases + 1):
            principal = Decimal(5000 + (n * 37) % 45000)
            outstanding = (principal * Decimal("0.6")).quantize(Decimal("0.01"))
            borrowers.append(
                dict(
                    id=n,
                    name=surnames[n % 10] + given[n // 10 % 10] + given[n % 7],
                    id_number=make_id_number("110101", date(1980, 1, 1) + timedelta(days=n), n),
                    phone=f"138{n:08d}",
                    address=f"北京市东城区示例路{n}号（演示）",
                    is_demo=True,
                )
            )
            loans.append(
                dict(
                    id=n,
                    contract_no=f"BENCH-{n:06d}",
                    creditor_id=creditor,
                    borrower_id=n,
                    principal=principal,
                    annual_rate=Decimal("0.18"),
                    overdue_rate=Decimal("0.24"),
                    disbursed_on=date(2024, 1, 10),
                    maturity_on=date(2025, 1, 10),
                    schedule=[],
                    outstanding_principal=outstanding,
                    overdue_since=date(2025, 3, 10) + timedelta(days=n % 200),
                    status="overdue",
                )
            )
            ledger += [
                dict(
                    loan_id=n,
                    kind="disbursement",
                    amount=principal,
                    booked_on=date(2024, 1, 10),
                    reference=f"D{n}",
                ),
                dict(
                    loan_id=n,
                    kind="repayment",
                    amount=principal - outstanding,
                    booked_on=date(2024, 12, 10),
                    reference=f"R{n}",
                ),
            ]
            case_rows.append(
                dict(
                    id=n,
                    ref=f"LT-2026-{n:06d}",
                    borrower_id=n,
                    route="litigation",
                    stage="demand_letter",
                    forum="北京市东城区人民法院",
                    counsel_firm="示例律师事务所",
                    claim_snapshot={},
                    opened_on=date(2026, 3, 1),
                    created_at=NOW,
                )
            )
            links.append(dict(case_id=n, loan_id=n))
            ev_links.append(dict(item_id=item, loan_id=n, linked_by="bench", linked_at=NOW))
        for model, rows in ((Borrower, borrowers), (Loan, loans), (LedgerEntry, ledger), (Case, case_rows),
                            (CaseLoan, links), (EvidenceLink, ev_links)):  # fmt: skip
            conn.execute(insert(model), rows)
        s.commit()
        return list(s.exec(select(Case.id).order_by(Case.id)))


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--pdf-cases", type=int, default=16, help="cases for the PDF runs (0: none)"
    )
    parser.add_argument("--out", type=Path, default=Path("docs/bench/documents.md"))
    args = parser.parse_args()

    from docxtpl import DocxTemplate
    from sqlmodel import Session, SQLModel

    import legal_track.models  # noqa: F401
    from legal_track.config import Settings
    from legal_track.db import make_engine
    from legal_track.documents.batch import PDF_CHUNK, run_batch
    from legal_track.documents.context import assemble, load_rows
    from legal_track.documents.convert import find_soffice
    from legal_track.documents.env import make_env
    from legal_track.documents.registry import active_template, ensure_builtin

    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-documents-") as tmp:
        root = Path(tmp)
        settings = Settings(output_dir=root / "out", templates_dir=root / "templates",
                            database_url=f"sqlite:///{root / 'bench.db'}")  # fmt: skip
        engine = make_engine(settings.database_url)
        SQLModel.metadata.create_all(engine)
        seed_time, ids = timed(lambda: seed(engine, args.cases))
        with Session(engine, expire_on_commit=False) as session:
            ensure_builtin(session, now=NOW, settings=settings)
            template = active_template(session, template_id=TEMPLATE, settings=settings)
            contexts = [assemble(r, today=TODAY).context.data() for r in load_rows(session, ids)]

        def baseline() -> int:
            env = make_env()
            total = 0
            for context in contexts:
                tpl = DocxTemplate(str(template.path))
                tpl.render(context, env, autoescape=True)
                buf = io.BytesIO()
                tpl.save(buf)
                total += len(buf.getvalue())
            return total

        def batch(workers: int, name: str, pdf: bool = False, cases=ids):
            with Session(engine, expire_on_commit=False) as session:
                return run_batch(session, template_id=TEMPLATE, case_ids=cases, out=root / name, actor="bench",
                                 now=NOW, workers=workers, settings=settings, pdf=pdf)  # fmt: skip

        base_time, base_bytes = timed(baseline)
        par_time, par = timed(lambda: batch(args.workers, "parallel.zip"))
        one_time, one = timed(lambda: batch(1, "single.zip"))
        base_again, _ = timed(baseline)  # the machine may be shared: measure the baseline twice
        pdf_runs = []
        if args.pdf_cases and find_soffice(settings) is not None:
            few = ids[: args.pdf_cases]
            # the first use of a LibreOffice profile is slow: create one per worker beforehand
            timed(lambda: batch(args.workers, "warm.zip", True, few[: args.workers * PDF_CHUNK]))
            for workers in (1, args.workers):
                took, res = timed(lambda w=workers: batch(w, f"pdf{w}.zip", True, few))
                assert res.ok == len(few), res.rows[:3]
                pdf_runs.append((workers, took))
        base = min(base_time, base_again)
        with zipfile.ZipFile(par.zip_path) as zf:
            members = len(zf.namelist())
        assert par.ok == args.cases and one.ok == args.cases, (par.rows[:3], one.rows[:3])

    n = args.cases
    ratio = base / par_time
    lines = [
        "# Benchmark: batch document generation",
        "",
        f"`python -m bench.documents --cases {n} --workers {args.workers}` on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; load average at start "
        f"{load[0]:.1f} (the machine may be shared: the baseline is measured before and after the "
        "batches and the faster run is kept).",
        "",
        f"Template `{TEMPLATE}` (律师函), {n} cases seeded in {seed_time:.1f} s (SQLite file).",
        "",
        "| run | time (s) | documents/s | vs. baseline |",
        "|---|---:|---:|---:|",
        f"| baseline: plain docxtpl loop, 1 process, contexts prebuilt | {base:.2f} | {n / base:.0f} | 1.00 × |",
        f"| `run_batch`, {args.workers} workers, end to end from the database | {par_time:.2f} | {n / par_time:.0f} "
        f"| **{ratio:.2f} ×** |",
        f"| `run_batch`, 1 process (no workers), end to end | {one_time:.2f} | {n / one_time:.0f} | "
        f"{base / one_time:.2f} × |",
        "",
        f"Target: ≥ 1.8 × the baseline. Result: {ratio:.2f} × ({'met' if ratio >= 1.8 else 'NOT met'}).",
        "",
        *(
            [
                f"With PDF ({len(ids[: args.pdf_cases])} documents; LibreOffice, one profile per worker "
                f"(created beforehand), one LibreOffice run per chunk of {PDF_CHUNK} documents):",
                "",
                "| run | time (s) | documents/s |",
                "|---|---:|---:|",
                *[
                    f"| `run_batch(pdf=True)`, {w} worker{'s' if w > 1 else ''} | {t:.2f} | "
                    f"{len(ids[: args.pdf_cases]) / t:.1f} |"
                    for w, t in pdf_runs
                ],
                "",
            ]
            if pdf_runs
            else ["PDF runs: skipped (LibreOffice not installed or --pdf-cases 0).", ""]
        ),
        f"The batch zip holds {members} members ({n} .docx + report.csv); baseline output "
        f"{base_bytes / n / 1024:.0f} KiB per document. Baseline runs: {base_time:.2f} s and {base_again:.2f} s.",
        "",
        "Where the speed comes from: the batch compiles the template once per process "
        "(`CompiledTemplate`: docxtpl's XML clean-up and Jinja compilation happen once, each "
        "document only runs the compiled template and docxtpl's post-processing, and the "
        "untouched parts of the .docx are copied pre-compressed) and loads the cases' rows 200 "
        "at a time. For .docx alone the main process (loading, view-model, preflight, zip, "
        "records) is the bottleneck at a few milliseconds per document, so on 2 cores the "
        "worker processes add little or nothing over one process; they pay off when rendering "
        "dominates, above all for PDF, where each worker runs its own LibreOffice.",
        "",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), encoding="utf-8")
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
