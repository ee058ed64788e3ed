"""The working-day calendar: which days are rest days, and moving a last day off them.

A rest day is an official holiday or an ordinary Saturday/Sunday, unless the State
Council's notice makes that weekend day a working day (调休上班). For a year with a
known arrangement (seeded from `chinesecalendar` or loaded from a notice) the answer
is exact; for any other year only the weekends and the fixed-date statutory holidays
of `rules/calendar.toml` are known and every answer that depends on it is
*provisional*. Loading notices is in `notices.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version

from sqlmodel import Session, select

from legal_track.models import CalendarDay, CalendarYear
from legal_track.rules import open_pack

WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True, slots=True)
class Roll:
    """Where a last day ends up: `date`, whether that depends on an unknown year, and the
    rest days passed over."""

    date: date
    provisional: bool
    skipped: list[date] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Exception_:
    """An official exception to the ordinary week."""

    working: bool  # True: make-up working day; False: off day
    name_zh: str
    name_en: str


@dataclass(frozen=True, slots=True)
class FixedHoliday:
    month: int
    day: int
    name_zh: str
    name_en: str
    effective_from: date


@dataclass(frozen=True, slots=True)
class DayInfo:
    """What the calendar says about one day (for explanations and `calendar show`)."""

    day: date
    working: bool
    kind: str  # workday | weekend | holiday | makeup (make-up working weekend)
    name_zh: str
    name_en: str
    provisional: bool


@lru_cache(maxsize=1)
def fixed_holidays() -> tuple[FixedHoliday, ...]:
    """The fixed-date statutory holidays used for years without a notice (data)."""
    pack = open_pack("calendar")
    out = []
    for row in pack.tables("fixed_holiday", label="month_day"):
        row.check_keys({"month_day", "name_zh", "name_en", "effective_from", "basis"})
        text = row.str("month_day")
        try:
            probe = date.fromisoformat(f"2024-{text}")  # a leap year accepts 02-29
        except ValueError:
            raise row.error("month_day", f"expected MM-DD, got {text!r}") from None
        out.append(
            FixedHoliday(
                probe.month,
                probe.day,
                row.str("name_zh"),
                row.str("name_en"),
                row.date("effective_from"),
            )
        )
    return tuple(out)


@lru_cache(maxsize=1)
def builtin_names() -> dict[str, str]:
    """Chinese names of the holidays, keyed by chinesecalendar's English names."""
    pack = open_pack("calendar")
    names = pack.table("builtin_names")
    return {key: names.str(key) for key in names.data}


class WorkCalendar:
    """Working days for a set of known years plus the provisional rule for the rest."""

    def __init__(
        self,
        exceptions: Mapping[date, Exception_],
        known_years: Iterable[int],
        *,
        fixed: tuple[FixedHoliday, ...] | None = None,
        sources: Mapping[int, str] | None = None,
    ) -> None:
        self._exceptions = dict(exceptions)
        self._known = frozenset(known_years)
        self._fixed = fixed_holidays() if fixed is None else fixed
        self._fixed_index = {(f.month, f.day): f for f in self._fixed}
        self.sources = dict(sources or {})
        self._working: dict[date, bool] = {}

    # -- construction ------------------------------------------------------------------
    @classmethod
    def builtin(cls) -> WorkCalendar:
        """The official tables shipped in `chinesecalendar` (2004-2026); no database."""
        return _builtin()

    def with_years(
        self, exceptions: Mapping[date, Exception_], years: Iterable[int], source: str
    ) -> WorkCalendar:
        """A copy in which `years` are replaced by `exceptions` (a loaded notice)."""
        years = frozenset(years)
        kept = {d: e for d, e in self._exceptions.items() if d.year not in years}
        kept.update(exceptions)
        sources = self.sources | dict.fromkeys(years, source)
        return WorkCalendar(kept, self._known | years, fixed=self._fixed, sources=sources)

    # -- queries -----------------------------------------------------------------------
    @property
    def known_years(self) -> frozenset[int]:
        return self._known

    def exceptions(self) -> dict[date, Exception_]:
        """Every stored exception (a copy)."""
        return dict(self._exceptions)

    def is_known_year(self, year: int) -> bool:
        return year in self._known

    def _fixed_on(self, d: date) -> FixedHoliday | None:
        f = self._fixed_index.get((d.month, d.day))
        return f if f is not None and d >= f.effective_from else None

    def is_working_day(self, d: date) -> bool:
        cached = self._working.get(d)
        if cached is not None:
            return cached
        if d.year in self._known:
            exc = self._exceptions.get(d)
            working = exc.working if exc is not None else d.weekday() < 5
        else:
            working = d.weekday() < 5 and self._fixed_on(d) is None
        self._working[d] = working
        return working

    def day_info(self, d: date) -> DayInfo:
        provisional = d.year not in self._known
        exc = None if provisional else self._exceptions.get(d)
        if exc is None and provisional:
            f = self._fixed_on(d)
            if f is not None:
                exc = Exception_(False, f.name_zh, f.name_en)
        if exc is not None:
            kind = "makeup" if exc.working else "holiday"
            return DayInfo(d, exc.working, kind, exc.name_zh, exc.name_en, provisional)
        weekend = d.weekday() >= 5
        return DayInfo(
            d,
            not weekend,
            "weekend" if weekend else "workday",
            WEEKDAYS_ZH[d.weekday()] if weekend else "",
            WEEKDAYS_EN[d.weekday()] if weekend else "",
            provisional,
        )

    def roll_forward(self, d: date) -> Roll:
        """The first working day on or after `d` (a last day on a rest day moves on)."""
        return self._roll(d, timedelta(days=1))

    def roll_backward(self, d: date) -> Roll:
        """The last working day on or before `d` (for dates that must be met *before*)."""
        return self._roll(d, timedelta(days=-1))

    def _roll(self, d: date, step: timedelta) -> Roll:
        provisional = False
        skipped: list[date] = []
        for _ in range(60):  # no official break is longer than a few weeks
            if d.year not in self._known:
                provisional = True
            if self.is_working_day(d):
                return Roll(d, provisional, skipped)
            skipped.append(d)
            d += step
        raise ValueError(f"no working day within 60 days of {skipped[0]}: check the calendar")

    def exceptions_in(self, year: int) -> list[DayInfo]:
        """The official exceptions of `year` (or the fixed holidays when not known)."""
        if year in self._known:
            days = sorted(d for d in self._exceptions if d.year == year)
        else:
            days = []
            for f in self._fixed:
                try:
                    d = date(year, f.month, f.day)
                except ValueError:
                    continue
                if d >= f.effective_from:
                    days.append(d)
            days.sort()
        return [self.day_info(d) for d in days]


def builtin_version() -> str:
    """The installed `chinesecalendar` version (recorded with seeded years)."""
    try:
        return package_version("chinesecalendar")
    except PackageNotFoundError:  # pragma: no cover - installed with the project
        return "unknown"


def builtin_exceptions() -> tuple[dict[date, Exception_], frozenset[int]]:
    """The exceptions of every year `chinesecalendar` knows, and those years."""
    import chinese_calendar

    names = builtin_names()
    out: dict[date, Exception_] = {}
    for d, name in chinese_calendar.holidays.items():
        out[d] = Exception_(False, names.get(name, name), name)
    for d, name in chinese_calendar.workdays.items():
        if d.weekday() >= 5:  # the table lists only weekend days that become working days
            out[d] = Exception_(True, names.get(name, name) + "调休", f"{name} make-up day")
    years = frozenset(d.year for d in out)
    return out, years


@lru_cache(maxsize=1)
def _builtin() -> WorkCalendar:
    exceptions, years = builtin_exceptions()
    source = f"builtin chinesecalendar {builtin_version()}"
    return WorkCalendar(exceptions, years, sources=dict.fromkeys(years, source))


def load_calendar(session: Session) -> WorkCalendar:
    """The calendar stored in the database.

    Years present in the database (seeded, or loaded from a notice) win; a year the
    database does not hold but `chinesecalendar` knows falls back to the shipped tables,
    so a database created without migrations still gets the official arrangements.
    """
    years = {y.year: y for y in session.exec(select(CalendarYear)).all()}
    if not years:
        return WorkCalendar.builtin()
    stored: dict[date, Exception_] = {
        row.day: Exception_(row.working, row.name_zh, row.name_en)
        for row in session.exec(select(CalendarDay)).all()
    }
    base = WorkCalendar.builtin()
    exceptions = {d: e for d, e in base.exceptions().items() if d.year not in years}
    exceptions.update(stored)
    sources = base.sources | {y: _source_label(row) for y, row in years.items()}
    return WorkCalendar(exceptions, base.known_years | frozenset(years), sources=sources)


def _source_label(row: CalendarYear) -> str:
    if row.source == "notice":
        return f"notice {row.title}".strip()
    return f"builtin {row.title}".strip()
