"""Working days in the PRC: weekends, the State Council's holiday arrangements (with their
make-up working days) and provisional years for which no notice exists yet.

- `workdays`: `WorkCalendar` (built in from the shipped notices, or loaded from the
  database with the notices loaded since), day information for explanations.
- `notices`: parse a year's notice (TOML or CSV), store it, seed the shipped years.

Loading a notice also moves stored deadlines: that is `legal_track.deadlines.holidays`.
"""

from legal_track.calendar.notices import Notice, NoticeError, parse_notice, seed_builtin
from legal_track.calendar.workdays import DayInfo, Roll, WorkCalendar, load_calendar

__all__ = [
    "DayInfo",
    "Notice",
    "NoticeError",
    "Roll",
    "WorkCalendar",
    "load_calendar",
    "parse_notice",
    "seed_builtin",
]
