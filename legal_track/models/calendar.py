"""The working-day calendar as stored: which years have an official arrangement,
and the exceptions to the ordinary week (holidays, make-up working weekends)."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from legal_track.models.base import utc_field


class CalendarYear(SQLModel, table=True):
    """A year whose State Council arrangement is known (seeded or loaded from a notice)."""

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    source: str = Field(max_length=16)  # "builtin" (chinesecalendar) | "notice" (loaded file)
    title: str = Field(default="", max_length=200)  # the notice's title, or the package version
    file_name: str | None = Field(default=None, max_length=200)
    sha256: str | None = Field(default=None, max_length=64)
    loaded_by: str = Field(max_length=64)
    loaded_at: datetime = utc_field()


class CalendarDay(SQLModel, table=True):
    """An exception to the ordinary week: an official off day or a make-up working day.

    Ordinary Saturdays and Sundays are not stored: a weekend day is a rest day unless
    a row here makes it a working day (调休上班).
    """

    day: date = Field(primary_key=True)
    year: int = Field(foreign_key="calendaryear.year", index=True)
    working: bool  # True: make-up working day; False: official off day
    name_zh: str = Field(default="", max_length=60)
    name_en: str = Field(default="", max_length=60)
