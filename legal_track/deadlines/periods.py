"""Calendar arithmetic for legal periods (pure; no calendar of holidays here).

Day periods: the trigger day is not counted, so a 15-day period from 2026-09-21
ends on 2026-10-06 (CPL art. 85). Month and year periods end on the same-numbered
day of the end month, or on its last day when it has no such day (Civil Code art. 202).
Rolling a last day off a rest day is the calendar's job (`legal_track.calendar.workdays`).
"""

from __future__ import annotations

import calendar as _cal
from datetime import date, timedelta
from enum import StrEnum


class Unit(StrEnum):
    days = "days"
    months = "months"
    years = "years"


def add_months(start: date, months: int) -> date:
    """Same day-number `months` later (or earlier), clamped to the month's last day."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(start.day, _cal.monthrange(year, month)[1]))


def add_period(start: date, amount: int, unit: Unit | str) -> date:
    """The last day of a period of `amount` units counted from the day after `start`."""
    unit = Unit(unit)
    if unit is Unit.days:
        return start + timedelta(days=amount)
    if unit is Unit.months:
        return add_months(start, amount)
    return add_months(start, 12 * amount)
