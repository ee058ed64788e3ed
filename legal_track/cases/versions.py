"""Optimistic concurrency for cases: no lost update between two tabs or two app instances.

A case carries a `version` (SQLAlchemy's version counter on `Case`): every ORM UPDATE of a
case's own fields (owner, route, forum, counsel, stage, close) says
"WHERE version = <the version read>" and bumps it. Two guards follow from it:

* A form sends the version it was rendered with as `expected_version`; a service that
  finds another version refuses with `CaseChangedError` before writing anything, naming
  who changed the case and when, instead of saving values based on a stale read.
* Two writers that read the same version in overlapping transactions (no form involved,
  e.g. the CLI) cannot both commit: the second UPDATE matches no row, SQLAlchemy raises
  `StaleDataError`, and `conflict_guard` turns it into the same `CaseChangedError`.

Writers that change a case call `touch` so that the message can say who and when.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from legal_track.models import Case


class CaseChangedError(ValueError):
    """The case was changed since the caller read it; nothing was written. (A ValueError,
    as the other refusals of the services: the command line prints it as a message.)"""

    def __init__(
        self,
        *,
        ref: str,
        version: int,
        changed_by: str | None,
        changed_at: datetime | None,
        timezone: str = "Asia/Shanghai",
    ) -> None:
        self.ref, self.version = ref, version
        self.changed_by, self.changed_at = changed_by, changed_at
        self.when = (
            changed_at.astimezone(ZoneInfo(timezone)).strftime("%H:%M") if changed_at else ""
        )
        who = f" by {changed_by}" if changed_by else ""
        when = f" at {self.when}" if self.when else ""
        super().__init__(
            f"{ref} was changed{who}{when} since you opened it; reload to see the change"
        )


def changed_error(case: Case) -> CaseChangedError:
    return CaseChangedError(ref=case.ref, version=case.version, changed_by=case.changed_by,
                            changed_at=case.changed_at)  # fmt: skip


def check_version(case: Case, expected_version: int | None) -> None:
    """Refuse when the caller saw another version of `case` (None: the caller reads and
    writes in this one transaction, and the version counter guards it)."""
    if expected_version is not None and case.version != expected_version:
        raise changed_error(case)


def touch(case: Case, *, actor: str, now: datetime) -> None:
    """Record who changed the case and when (the version itself is bumped on flush)."""
    case.changed_by, case.changed_at = actor, now


@contextmanager
def conflict_guard(session: Session, case_ids: list[int]) -> Iterator[None]:
    """Turn a lost race on a case's version (another transaction committed a change of the
    case after we read it) into `CaseChangedError`, with the winner's name; rolls back."""
    try:
        yield
    except StaleDataError:
        session.rollback()
        for case_id in case_ids:
            case = session.get(Case, case_id)
            if case is not None:
                raise changed_error(case) from None
        raise


__all__ = ["CaseChangedError", "check_version", "conflict_guard", "touch"]
