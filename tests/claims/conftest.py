from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from legal_track.calendar import WorkCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def calendar() -> WorkCalendar:
    return WorkCalendar.builtin()


def at(day: date, hour: int = 10) -> datetime:
    """A contact timestamp at `hour` Shanghai time on `day`, in UTC."""
    return datetime.combine(day, time(hour), SHANGHAI).astimezone(UTC)
