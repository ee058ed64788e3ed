"""Exhibit candidates of a case and their files for the bundle engine.

Exhibit keys name what goes into a bundle: ``item:<id>`` (a registered file),
``ledger:<loan_id>``, ``contacts:<loan_id>``, ``interruptions:<loan_id>`` (exhibits
rendered from data). Registered PDFs and images go in straight from the store (their
PDF rendition when repaired, decrypted or converted); data exhibits and printouts of
CSV / XLSX / e-mail files are rendered into a cache folder
(``<output_dir>/exhibit-cache``), named by the hash of their data and the date printed
on them, so an unchanged exhibit is not rendered twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import Session

from legal_track.config import get_settings
from legal_track.evidence.data import ExhibitData, contact_data, interruption_data, ledger_data
from legal_track.evidence.items import items_for_case
from legal_track.evidence.rules import case_loans, order_slots
from legal_track.evidence.sniff import EvidenceRefused, csv_dialect, decode_text, sniff
from legal_track.evidence.store import EvidenceStore, sha256_file
from legal_track.models import Case, Creditor, EvidenceItem, EvidenceKind

if TYPE_CHECKING:
    from legal_track.pdf.bundle import ExhibitInput

CACHE_FOLDER = "exhibit-cache"
_PRINTOUT_KINDS = (EvidenceKind.csv, EvidenceKind.xlsx, EvidenceKind.eml)
_DATA_PURPOSE = {
    "ledger": "证明出借人已按约放款，以及借款人的还款情况和欠款金额",
    "contacts": "证明出借人多次向借款人催收，借款人知悉欠款，诉讼时效中断",
    "interruptions": "证明本案债权未超过诉讼时效",
}
_DATA_NAME = {
    "ledger": "借款交易明细",
    "contacts": "催收联系记录",
    "interruptions": "诉讼时效中断事由列表",
}


class ExhibitError(ValueError):
    """An exhibit that cannot go into the bundle (names the exhibit and why)."""


@dataclass(frozen=True, slots=True)
class ExhibitCandidate:
    key: str
    slot: str  # category or @ledger / @contacts / @interruptions
    name: str
    source: str
    purpose: str
    bundleable: bool = True
    reason: str = ""
    item_id: int | None = None
    loan_id: int | None = None
    sha256: str | None = None  # the registered original (items only)


@dataclass(slots=True)
class Prepared:
    candidate: ExhibitCandidate
    path: Path
    sha256: str
    data_sha256: str | None = None
    rendered: bool = False  # made here (data exhibit or printout), kept in the store once used


def exhibit_candidates(
    session: Session, *, case_id: int, today: date | None = None
) -> list[ExhibitCandidate]:
    """Everything that could go into this case's bundle, in the route's default order.
    Items that cannot be bundled are included with `bundleable=False` and the reason."""
    case = case_of(session, case_id)
    loans = case_loans(session, case_id)
    creditors = {loan.creditor_id: session.get(Creditor, loan.creditor_id) for loan in loans}
    by_slot: dict[str, list[ExhibitCandidate]] = {}
    for item in items_for_case(session, case_id=case_id):
        by_slot.setdefault(str(item.category), []).append(
            ExhibitCandidate(
                key=f"item:{item.id}", slot=str(item.category), name=_display_name(item.original_name),
                source=item.source, purpose=item.purpose, bundleable=item.bundleable,
                reason=item.not_bundleable_reason, item_id=item.id, sha256=item.sha256,
            )
        )  # fmt: skip
    for loan in loans:
        creditor = creditors.get(loan.creditor_id)
        source = f"{creditor.name if creditor else '出借人'}业务系统电子数据"
        for kind in ("ledger", "contacts", "interruptions"):
            data = _data(session, kind, loan.id, today or case.opened_on)
            if data is None or not data.rows:
                continue
            by_slot.setdefault(f"@{kind}", []).append(
                ExhibitCandidate(
                    key=f"{kind}:{loan.id}", slot=f"@{kind}",
                    name=f"{_DATA_NAME[kind]}（{loan.contract_no}）", source=source,
                    purpose=_DATA_PURPOSE[kind], loan_id=loan.id,
                )
            )  # fmt: skip
    ordered: list[ExhibitCandidate] = []
    slots = order_slots(case.route, case.stage)
    for slot in slots:
        ordered += by_slot.pop(slot, [])
    for rest in by_slot.values():  # categories the order table does not name
        ordered += rest
    return ordered


def prepare(
    session, case_id, order, today, settings, group_by_category=False
) -> list[tuple[ExhibitInput, Prepared]]:
    from legal_track.pdf.bundle import ExhibitInput

    settings = settings or get_settings()
    candidates = exhibit_candidates(session, case_id=case_id, today=today)
    chosen = _choose(candidates, order)
    groups = _groups(chosen) if group_by_category else [None] * len(chosen)
    cache = settings.output_dir / CACHE_FOLDER
    store = EvidenceStore(settings.evidence_dir)
    font = None
    out: list[tuple[ExhibitInput, Prepared]] = []
    for cand, group in zip(chosen, groups, strict=True):
        needs_font = cand.item_id is None or _item(session, cand.item_id).kind in _PRINTOUT_KINDS
        if needs_font and font is None:
            from legal_track.pdf.fonts import find_cjk_font

            font = find_cjk_font(settings)
        prep = (
            _prepare_item(session, cand, store, cache, font, today)
            if cand.item_id is not None
            else _prepare_data(session, cand, cache, font, today)
        )
        out.append((ExhibitInput(path=prep.path, name=cand.name, source=cand.source,
                                 purpose=cand.purpose, sha256=prep.sha256, group=group), prep))  # fmt: skip
    return out


def _groups(chosen: list[ExhibitCandidate]) -> list[str | None]:
    """A group per run of two or more adjacent exhibits of the same category."""
    groups: list[str | None] = [None] * len(chosen)
    start = 0
    for end in range(1, len(chosen) + 1):
        if end == len(chosen) or _family(chosen[end]) != _family(chosen[start]):
            if end - start >= 2:
                for i in range(start, end):
                    groups[i] = f"{_family(chosen[start])}@{start}"
            start = end
    return groups


def _family(cand: ExhibitCandidate) -> str:
    # the transaction record groups with uploaded repayment records and the rendered
    # contact log with uploaded contact logs: each pair proves the same fact
    return {"@ledger": "repayment_record", "@contacts": "contact_log"}.get(cand.slot, cand.slot)


def _choose(
    candidates: list[ExhibitCandidate], order: Sequence[str] | None
) -> list[ExhibitCandidate]:
    if order is None:
        return [c for c in candidates if c.bundleable]
    by_key = {c.key: c for c in candidates}
    chosen, seen = [], set()
    for key in order:
        if key in seen:
            raise ExhibitError(f"exhibit {key} is listed twice")
        seen.add(key)
        cand = by_key.get(key)
        if cand is None:
            raise LookupError(
                f"exhibit {key} is not available for this case (no such item or no data)"
            )
        if not cand.bundleable:
            raise ExhibitError(
                f"exhibit {key} ({cand.name}) cannot go into a bundle: {cand.reason}"
            )
        chosen.append(cand)
    if not chosen:
        raise ExhibitError("no exhibits chosen for the bundle")
    return chosen


def _prepare_item(session, cand, store: EvidenceStore, cache: Path, font, today) -> Prepared:
    item = _item(session, cand.item_id)
    if item.kind in _PRINTOUT_KINDS:
        from legal_track.pdf.exhibits import RENDERER_VERSION, render_exhibit

        stamp = today.isoformat() if today else "undated"
        path = cache / f"printout-{item.sha256}-{stamp}-{RENDERER_VERSION}.pdf"
        if not path.is_file():
            data = printout_data(item.kind, item.original_name, store.read_bytes(item.sha256),
                                 delimiter=item.meta.get("delimiter"))  # fmt: skip
            render_exhibit(data, font=font, made_on=today, fingerprint=item.sha256,
                           fingerprint_label="原始文件", out=path)  # fmt: skip
        return Prepared(cand, path, sha256_file(path), rendered=True)
    # PDFs and images go in straight from the store (the engine sniffs the type from the
    # content and checks the hash); a repaired, decrypted or converted item uses its PDF.
    sha = item.rendition_sha256 or item.sha256
    path = store.path_for(sha)
    if not path.is_file():
        raise ExhibitError(
            f"exhibit {cand.key} ({cand.name}): its stored file {sha} is missing; "
            "run `legal-track evidence verify`"
        )
    return Prepared(cand, path, sha)


def printout_data(
    kind: EvidenceKind, name: str, data: bytes, *, delimiter: str | None = None
) -> ExhibitData:
    """The A4 table printout of a CSV, XLSX or e-mail file (打印件): its rows as text, with
    the original file's name in the title. A CSV's delimiter is sniffed when not given."""
    from legal_track.pdf.exhibits import csv_rows, email_data, table_file_data, xlsx_sheets

    title = f"{name}（打印件）"
    if kind == EvidenceKind.eml:
        return email_data(data, title=title)
    if kind == EvidenceKind.csv:
        text, _ = decode_text(data)
        rows = csv_rows(text, delimiter or csv_dialect(text))
        return table_file_data(rows, title=title, subtitle="CSV 电子数据打印件")
    if kind != EvidenceKind.xlsx:
        raise ExhibitError(f"{name}: a {kind} file has no printout")
    sheets = xlsx_sheets(data)
    sheet, rows = sheets[0] if sheets else ("", [])
    return table_file_data(rows, title=title, subtitle=f"电子表格打印件　工作表：{sheet}")


def file_printout(path: Path, *, out_dir: Path, font, today: date | None) -> Path | None:
    """A CSV, XLSX or e-mail file outside the register rendered as a PDF printout in
    `out_dir` (the footer carries the original file's SHA-256); None for any other kind
    (PDFs and images go into a bundle as they are). Bad files raise ExhibitError naming
    the file."""
    from legal_track.pdf.exhibits import render_exhibit

    raw = path.read_bytes()
    try:
        kind = sniff(raw, name=path.name)
    except EvidenceRefused:
        return None  # the bundle engine names what it cannot take
    if kind not in _PRINTOUT_KINDS:
        return None
    try:
        data = printout_data(kind, path.name, raw)
    except ValueError as exc:
        raise ExhibitError(f"{path}: {exc}") from None
    digest = hashlib.sha256(raw).hexdigest()
    out = out_dir / f"printout-{digest}.pdf"
    render_exhibit(data, font=font, made_on=today, fingerprint=digest,
                   fingerprint_label="原始文件", out=out)  # fmt: skip
    return out


def _prepare_data(session, cand: ExhibitCandidate, cache: Path, font, today) -> Prepared:
    from legal_track.pdf.exhibits import RENDERER_VERSION, render_exhibit

    case_today = today or date(2000, 1, 1)
    kind = cand.slot.lstrip("@")
    data = _data(session, kind, cand.loan_id, case_today)
    if data is None:
        raise ExhibitError(f"exhibit {cand.key}: its data is no longer available")
    stamp = today.isoformat() if today else "undated"
    path = cache / f"{kind}-{data.data_sha256}-{stamp}-{RENDERER_VERSION}.pdf"
    if not path.is_file():
        render_exhibit(data, font=font, made_on=today, out=path)
    return Prepared(cand, path, sha256_file(path), data_sha256=data.data_sha256, rendered=True)


def _data(session: Session, kind: str, loan_id: int, today: date) -> ExhibitData | None:
    if kind == "ledger":
        return ledger_data(session, loan_id=loan_id)
    if kind == "contacts":
        return contact_data(session, loan_id=loan_id)
    return interruption_data(session, loan_id=loan_id, today=today)


def _display_name(original_name: str) -> str:
    stem, dot, ext = original_name.rpartition(".")
    return stem if dot and stem and len(ext) <= 5 else original_name


def case_of(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise LookupError(f"case id {case_id} does not exist")
    return case


def _item(session: Session, item_id: int) -> EvidenceItem:
    item = session.get(EvidenceItem, item_id)
    if item is None:
        raise LookupError(f"evidence item {item_id} does not exist")
    return item
