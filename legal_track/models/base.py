"""Shared column helpers for the SQLModel tables."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field

from legal_track.db import Money, Rate, UTCDateTime


def money_field(*, nullable: bool = False, default: Any = ..., **kw) -> Any:
    if default is ... and nullable:
        default = None
    return Field(default=default, sa_column=Column(Money(), nullable=nullable), **kw)


def rate_field(*, nullable: bool = False, default: Any = ...) -> Any:
    if default is ... and nullable:
        default = None
    return Field(default=default, sa_column=Column(Rate(), nullable=nullable))


def utc_field(*, nullable: bool = False, default: Any = ..., index: bool = False) -> Any:
    if default is ... and nullable:
        default = None
    return Field(default=default, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def json_field(default_factory=dict) -> Any:
    return Field(default_factory=default_factory, sa_column=Column(JSON, nullable=False))


__all__ = ["money_field", "rate_field", "utc_field", "json_field", "Decimal", "datetime"]
