"""Status updates from outside counsel: a CSV (UTF-8 or GBK) or XLSX file, one row per
event on a case (filed, accepted with the court case number, hearing date, judgment
served, enforcement measures, payments received).

Columns (Chinese or English headers): 案件编号 case_ref, 事件 kind (the event kind, e.g.
`complaint_filed`, or its Chinese name as on the timeline, 起诉状递交), 日期 date, 详情 details (optional, `key=value`
pairs separated by `;`, e.g. `court_case_no=（2026）京0105民初123号`), 当事人 party
(optional), 备注 note (optional).

All or nothing: every row is checked (the case exists and is assigned to the reporting
firm, the kind and its data, the date, the stage move from where the case stands after
the file's earlier rows); one bad row and nothing is recorded, with every problem named by
file, row and column. Applied, the events carry who reported them, the cases' deadlines
are recomputed, and each case's owner gets a notice in the next digest.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session

from legal_track.cases.access import is_counsel
from legal_track.cases.events import EventBatchError, NewEvent, add_events
from legal_track.cases.kinds import SERVICE_KINDS, EventKind, normalize_data
from legal_track.db import utcnow_from
from legal_track.i18n import t
from legal_track.intake import cells
from legal_track.intake.cells import is_empty
from legal_track.intake.columns import Column, map_header
from legal_track.intake.problems import IntakeError, ProblemLog
from legal_track.intake.reading import ReadError, Source, open_rows, scan
from legal_track.intake.rows import parse_row
from legal_track.models import Case, CaseAssignment, DeadlineNotice, LawFirm
from legal_track.privacy import CASE_WORKER_ROLES, RoleRefused, check_role

COLUMNS = (
    Column("case_ref", "案件编号", cells.text(20)),
    Column("kind", "事件", cells.text(40)),
    Column("date", "日期", cells.a_date),
    Column("details", "详情", cells.text(), required=False, cell_required=False),
    Column("party", "当事人", cells.text(100), required=False, cell_required=False),
    Column("note", "备注", cells.text(), required=False, cell_required=False),
)


class UpdateError(ValueError):
    """An updates file that was not applied; `problems` name file, row and column."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class UpdateReport:
    file: str
    events: int
    cases: tuple[str, ...]


def _kind_names() -> dict[str, str]:
    names = {k.value: k.value for k in EventKind}
    for kind in EventKind:
        with suppress(KeyError):
            names[t(f"deadline.event.{kind.value}", "zh")] = kind.value
    return names


def _details(text: str) -> dict[str, str]:
    out = {}
    for part in text.replace("；", ";").split(";"):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep:
            raise ValueError(f"{part.strip()!r} is not key=value")
        out[key.strip()] = value.strip()
    return out


def import_updates(
    session: Session,
    *,
    data: bytes,
    filename: str,
    actor: str,
    now: datetime,
    today: date,
    firm_id: int | None = None,
    role: str | None = None,
) -> UpdateReport:
    """Apply a counsel updates file. `firm_id`: the reporting firm (a counsel account's);
    None when the lender's staff import it, then each case must be assigned to some firm.
    `role` (the signed-in user's; None: the command line): the lender's case workers, or a
    counsel account linked to a firm (which reports on its own firm's cases only)."""
    if is_counsel(role):
        if firm_id is None:
            raise RoleRefused("a counsel account not linked to a law firm may not report updates")
    else:
        check_role(role, CASE_WORKER_ROLES, "import counsel updates")
    now = utcnow_from(now)
    source = Source.from_bytes(data, Path(filename).name)
    log = ProblemLog(source.name)
    found = scan(source, log)
    log.raise_if_any()
    rows: list[tuple[int, dict]] = []
    header = None
    try:
        with open_rows(source, found) as reader:
            first = next(reader, None) or []
            header = map_header(first, COLUMNS, log)
            log.raise_if_any()  # missing columns: nothing else can be read
            for number, raw in enumerate(reader, start=2):
                if all(is_empty(c) for c in raw):
                    continue
                parsed = parse_row(header, raw, number, log)  # cell problems go to the log
                if parsed.ok:
                    rows.append((number, parsed.values))
    except ReadError as exc:
        raise UpdateError([f"{source.name}: {exc.reason}"]) from None
    except IntakeError as exc:
        raise UpdateError([str(p) for p in exc.problems]) from None
    problems: list[str] = [str(p) for p in log.problems]
    if not rows and not problems:
        raise UpdateError([f"{source.name}: no rows"])
    kinds = _kind_names()
    refs = {str(v.get("case_ref") or "").strip() for _, v in rows}
    cases = {c.ref: c for c in session.exec(select(Case).where(Case.ref.in_(refs))).scalars()}
    assigned = {
        case_id: firm for case_id, firm in session.execute(
            select(CaseAssignment.case_id, CaseAssignment.firm_id).where(
                CaseAssignment.case_id.in_([c.id for c in cases.values()]),
                CaseAssignment.ended_on.is_(None)))
    }  # fmt: skip
    batch: list[NewEvent] = []
    where = {}
    for number, v in rows:
        at = f"{source.name} row {number}"
        col = {c.key: header.header_text.get(c.key, c.zh) for c in COLUMNS}
        ref = str(v.get("case_ref") or "").strip()
        case = cases.get(ref)
        if case is None:
            problems.append(f"{at}, column {col['case_ref']}: no case {ref!r}")
            continue
        if case.id not in assigned or (firm_id is not None and assigned[case.id] != firm_id):
            problems.append(f"{at}, column {col['case_ref']}: {ref} is not assigned to "
                            f"{'your firm' if firm_id is not None else 'a law firm'}")  # fmt: skip
            continue
        kind = kinds.get(str(v.get("kind") or "").strip())
        if kind is None:
            problems.append(f"{at}, column {col['kind']}: unknown event {v.get('kind')!r}")
            continue
        if kind in SERVICE_KINDS:
            problems.append(f"{at}, column {col['kind']}: {kind} is recorded by the team with "
                            f"its instalment plan (legal-track settlement add), not by update")  # fmt: skip
            continue
        on = v["date"]
        if on > today:
            problems.append(f"{at}, column {col['date']}: {on} is in the future")
            continue
        try:
            details = _details(str(v.get("details") or ""))
            normalize_data(kind, details)  # named by its column here, not by add_events
        except ValueError as exc:
            problems.append(f"{at}, column {col['details']}: {exc}")
            continue
        label = f"{at}"
        where[label] = ref
        batch.append(NewEvent(case_id=case.id, kind=kind, on=on, label=label, data=details,
                              party=str(v.get("party") or "") or None,
                              note=str(v.get("note") or "")))  # fmt: skip
    if problems:
        raise UpdateError(problems)
    try:
        made = add_events(session, events=batch, actor=actor, now=now)
    except EventBatchError as exc:
        raise UpdateError(exc.problems) from None
    firm_names = dict(session.execute(select(LawFirm.id, LawFirm.name)).all())
    by_id = {c.id: c for c in cases.values()}
    for event in made:
        case = by_id[event.case_id]
        firm = firm_names.get(assigned.get(case.id), "")
        kind_zh = _label(event.kind, "zh")
        session.add(DeadlineNotice(
            case_id=case.id, owner_id=case.owner_id, kind="counsel_update",
            rule_id="counsel_update", new_due=event.on,
            message_zh=f"{case.ref}：{firm} 报告 {kind_zh}（{event.on}）",
            message_en=f"{case.ref}: {firm} reported {_label(event.kind, 'en')} ({event.on})",
            created_at=now,
        ))  # fmt: skip
    session.commit()
    return UpdateReport(source.name, len(made), tuple(sorted({by_id[e.case_id].ref for e in made})))


def _label(kind: str, lang: str) -> str:
    try:
        return t(f"deadline.event.{kind}", lang)
    except KeyError:
        return kind


__all__ = ["IntakeError", "UpdateError", "UpdateReport", "import_updates"]
