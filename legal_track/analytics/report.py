"""The portfolio report as tables (one per figure), for `legal-track report portfolio`,
the dashboard's exports and the XLSX workbook."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from sqlmodel import Session

from legal_track.analytics.queries import (
    Filters,
    dwell_times,
    funnel,
    kpis,
    monthly_trend,
    recovery,
)


def portfolio_report(
    session: Session, *, today: date, filters: Filters = Filters()
) -> dict[str, list[dict]]:
    """{table name: rows}: kpis (one row per figure), funnel, dwell, recovery_by_route,
    recovery_by_firm, trend."""
    k = asdict(kpis(session, today=today, filters=filters))
    flat = []
    for name, value in k.items():
        if isinstance(value, dict):
            flat.extend({"figure": f"{name}.{key}", "value": v} for key, v in sorted(value.items()))
        else:
            flat.append({"figure": name, "value": value})
    return {
        "kpis": flat,
        "funnel": funnel(session, filters=filters),
        "dwell": dwell_times(session, today=today, filters=filters),
        "recovery_by_route": recovery(session, by="route", filters=filters),
        "recovery_by_firm": recovery(session, by="firm", filters=filters),
        "trend": monthly_trend(session, filters=filters),
    }
