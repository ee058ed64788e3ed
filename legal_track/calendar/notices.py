"""Official holiday arrangements in the database: seeding the shipped tables and
loading a new year's State Council notice from a small TOML or CSV file.

TOML (see ``rules/calendar_notices/2026.toml``)::

    year = 2027
    title = "国务院办公厅关于2027年部分节假日安排的通知"
    [[holiday]]
    name_zh = "元旦"
    name_en = "New Year's Day"
    from = 2027-01-01          # or: days = [2027-01-01, ...]
    to = 2027-01-01
    work = []                  # make-up working weekends

CSV (UTF-8 or GBK), one row per day: ``date,kind,name_zh,name_en`` with kind ``off``
or ``work``; lines starting with ``#`` are ignored; ``# title: ...`` names the notice.

Loading a notice replaces that year; `legal_track.deadlines.holidays.load_notice` then
recomputes every deadline that depends on it and tells the owners of the ones that moved.
"""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, func, insert
from sqlmodel import Session, select

from legal_track.audit import AuditEvent, record
from legal_track.calendar.workdays import (
    Exception_,
    WorkCalendar,
    builtin_exceptions,
    builtin_version,
    load_calendar,
)
from legal_track.db import utcnow_from
from legal_track.models import CalendarDay, CalendarYear
from legal_track.rules import RulePackError, Table


class NoticeError(ValueError):
    """A notice file that cannot be loaded (message names the file and the row or key)."""


@dataclass(frozen=True, slots=True)
class Notice:
    year: int
    title: str
    days: dict[date, Exception_]

    @property
    def off_days(self) -> list[date]:
        return sorted(d for d, e in self.days.items() if not e.working)

    @property
    def work_days(self) -> list[date]:
        return sorted(d for d, e in self.days.items() if e.working)


def _add_day(days: dict[date, Exception_], d: date, exc: Exception_, *, year: int, where: str):
    if d.year != year:
        raise NoticeError(f"{where}: {d} is not in {year}")
    if d in days:
        raise NoticeError(f"{where}: {d} is listed twice")
    if exc.working and d.weekday() < 5:
        raise NoticeError(
            f"{where}: {d} is a weekday; a make-up working day (调休上班) is a Saturday or Sunday"
        )
    days[d] = exc


def _workday(name_zh: str, name_en: str) -> Exception_:
    return Exception_(True, f"{name_zh}调休", f"{name_en} make-up day")


def parse_toml_notice(text: str, *, file_name: str) -> Notice:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise NoticeError(f"{file_name}: invalid TOML: {exc}") from None
    try:
        top = Table(data, file=file_name)
        top.check_keys({"year", "title", "holiday"})
        year = top.int("year", min=1990)
        title = top.str("title", f"{year}年节假日安排")
        days: dict[date, Exception_] = {}
        holidays = list(top.tables("holiday", label="name_zh"))
        if not holidays:
            raise top.error("holiday", "no [[holiday]] table: nothing to load")
        for h in holidays:
            h.check_keys({"name_zh", "name_en", "from", "to", "days", "work"})
            name_zh, name_en = h.str("name_zh"), h.str("name_en", h.data.get("name_zh", ""))
            if "days" in h.data:
                off = h.list("days")
                for i, d in enumerate(off):
                    if not isinstance(d, date) or isinstance(d, datetime):
                        raise h.error(f"days[{i}]", f"expected a date, got {d!r}")
            else:
                start, end = h.date("from"), h.date("to")
                if end < start:
                    raise h.error("to", f"{end} is before from = {start}")
                off = [start + timedelta(days=i) for i in range((end - start).days + 1)]
            for d in off:
                _add_day(days, d, Exception_(False, name_zh, name_en), year=year, where=h.where())
            for i, d in enumerate(h.list("work", [])):
                if not isinstance(d, date) or isinstance(d, datetime):
                    raise h.error(f"work[{i}]", f"expected a date, got {d!r}")
                _add_day(days, d, _workday(name_zh, name_en), year=year, where=h.where("work"))
    except RulePackError as exc:
        raise NoticeError(str(exc)) from None
    return Notice(year, title, days)


def _decode(raw: bytes, file_name: str) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise NoticeError(f"{file_name}: neither UTF-8 nor GBK text")  # pragma: no cover


def parse_csv_notice(text: str, *, file_name: str) -> Notice:
    title = ""
    lines: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("#"):
            if stripped[1:].strip().lower().startswith("title:"):
                title = stripped[1:].strip()[6:].strip()
            continue
        if stripped:
            lines.append((number, line))
    if not lines:
        raise NoticeError(f"{file_name}: empty file")
    header = [h.strip().lower() for h in next(csv.reader([lines[0][1]]))]
    for column in ("date", "kind", "name_zh"):
        if column not in header:
            raise NoticeError(
                f"{file_name} row {lines[0][0]}: missing column {column!r} "
                "(expected header date,kind,name_zh,name_en)"
            )
    days: dict[date, Exception_] = {}
    year: int | None = None
    for number, line in lines[1:]:
        cells = next(csv.reader([line]))
        row = dict(zip(header, (c.strip() for c in cells), strict=False))
        where = f"{file_name} row {number}"
        try:
            d = date.fromisoformat(row.get("date", ""))
        except ValueError:
            raise NoticeError(
                f"{where}, column date: {row.get('date')!r} is not a date YYYY-MM-DD"
            ) from None
        kind = row.get("kind", "").lower()
        if kind not in ("off", "work"):
            raise NoticeError(f"{where}, column kind: {kind!r} is not off or work")
        name_zh = row.get("name_zh", "")
        if not name_zh:
            raise NoticeError(f"{where}, column name_zh: empty")
        name_en = row.get("name_en") or name_zh
        year = d.year if year is None else year
        exc = Exception_(False, name_zh, name_en) if kind == "off" else _workday(name_zh, name_en)
        _add_day(days, d, exc, year=year, where=where)
    if year is None:
        raise NoticeError(f"{file_name}: no days listed")
    return Notice(year, title or Path(file_name).stem, days)


def parse_notice(raw: bytes, *, file_name: str) -> Notice:
    """Parse a notice file by its extension (.toml or .csv)."""
    suffix = Path(file_name).suffix.lower()
    text = _decode(raw, file_name)
    if suffix == ".toml":
        return parse_toml_notice(text, file_name=file_name)
    if suffix == ".csv":
        return parse_csv_notice(text, file_name=file_name)
    raise NoticeError(f"{file_name}: expected a .toml or .csv file")


def store_year(
    session: Session, *, year: int, days: dict[date, Exception_], row: CalendarYear
) -> bool:
    existed = session.get(CalendarYear, year) is not None
    session.exec(delete(CalendarDay).where(CalendarDay.year == year))
    if existed:
        session.exec(delete(CalendarYear).where(CalendarYear.year == year))
    session.add(row)
    session.flush()
    rows = [
        {"day": d, "year": year, "working": e.working, "name_zh": e.name_zh, "name_en": e.name_en}
        for d, e in sorted(days.items())
        if d.year == year
    ]
    if rows:
        session.exec(insert(CalendarDay), params=rows)
    return existed


def seed_builtin(session: Session, *, now: datetime, actor: str = "system") -> list[int]:
    """Store the shipped official years the database does not hold yet; commits.

    Returns the years added (none when the migration seeded them already).
    """
    now = utcnow_from(now)
    exceptions, years = builtin_exceptions()
    have = set(session.exec(select(CalendarYear.year)).all())
    added = sorted(set(years) - have)
    for year in added:
        row = CalendarYear(
            year=year,
            source="builtin",
            title=f"chinesecalendar {builtin_version()}",
            loaded_by=actor,
            loaded_at=now,
        )
        store_year(session, year=year, days=exceptions, row=row)
    if added:
        record(
            session,
            AuditEvent(actor, "calendar.seed", "calendar", "", {"years": added}),
            now=now,
        )
        session.commit()
    return added


def year_summary(session: Session, year: int) -> dict:
    """What `calendar show` prints: source, exceptions and the count of working days."""
    calendar = load_calendar(session)
    stored = session.get(CalendarYear, year)
    first, days = date(year, 1, 1), []
    d = first
    while d.year == year:
        days.append(d)
        d += timedelta(days=1)
    working = sum(1 for d in days if calendar.is_working_day(d))
    count = session.exec(select(func.count()).where(CalendarDay.year == year)).one()
    return {
        "year": year,
        "known": calendar.is_known_year(year),
        "provisional": not calendar.is_known_year(year),
        "source": calendar.sources.get(year, "provisional: weekends and fixed statutory dates"),
        "stored_rows": int(count),
        "loaded_at": stored.loaded_at if stored else None,
        "loaded_by": stored.loaded_by if stored else None,
        "working_days": working,
        "rest_days": len(days) - working,
        "exceptions": calendar.exceptions_in(year),
    }


__all__ = [
    "Notice",
    "NoticeError",
    "WorkCalendar",
    "parse_notice",
    "seed_builtin",
    "store_year",
    "year_summary",
]
