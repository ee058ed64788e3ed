"""When an alert is due: the reminder offsets of a deadline's rule and the stage reached.

A deadline has stages: one per offset (days before the due date, from the rule pack's
`reminders`, else the settings' `alert_offsets`), one "overdue" stage the day after the
due date, and an escalation `escalation_days` after it. A pass sends only the most urgent
stage reached, and only while that stage started at most `alert_catchup_days` ago.
"""

from __future__ import annotations

from datetime import date, timedelta

from legal_track.deadlines.rules import default_rules

OVERDUE = -1  # offset_days of the "overdue" alert


def rule_offsets(rule_id: str, rule_version: str, default: tuple[int, ...]) -> tuple[int, ...]:
    """Alert offsets (days before due) of a rule: the rule pack's `reminders` of the version
    that computed the deadline (else of its latest version), else the settings'."""
    versions = default_rules().versions.get(rule_id, ())
    exact = [v.reminders for v in versions if v.version == rule_version and v.reminders]
    latest = [v.reminders for v in versions if v.reminders][-1:]
    found = (exact or latest or [default])[0]
    return tuple(sorted({int(o) for o in found}, reverse=True))


def pack_offsets() -> set[int]:
    """Every offset any rule of the pack uses (to pre-select candidate due dates)."""
    return {o for v in default_rules().all_versions() for o in v.reminders}


def candidate_due_dates(
    today: date, *, offsets: set[int], catchup: int, escalation_days: int
) -> list[date]:
    """Every due date for which some alert or escalation stage starts within the catch-up
    window ending today: a stage at `o` days before due starts on due - o, the overdue alert
    on due + 1, the escalation on due + escalation_days."""
    starts = [-o for o in offsets] + [1, escalation_days]
    return sorted(
        {today - timedelta(days=k + start) for start in starts for k in range(catchup + 1)}
    )


def alert_stage(due: date, today: date, offsets: tuple[int, ...]) -> tuple[int, date] | None:
    """(offset, first day of that stage) of the most urgent stage reached, or None."""
    days = (due - today).days
    if days < 0:
        return OVERDUE, due + timedelta(days=1)
    reached = [o for o in offsets if o >= days]
    if not reached:
        return None
    offset = min(reached)
    return offset, due - timedelta(days=offset)
