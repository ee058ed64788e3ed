"""Portfolio analytics for the head of legal and risk control: KPIs, the stage funnel,
dwell times, recovery by route and by law firm, the monthly trend, per-case recovery.
Every figure is one SQL aggregate (`queries`)."""

from legal_track.analytics.queries import (
    Filters,
    Kpis,
    case_recovery,
    dwell_times,
    funnel,
    kpis,
    monthly_trend,
    recovery,
)

__all__ = [
    "Filters",
    "Kpis",
    "case_recovery",
    "dwell_times",
    "funnel",
    "kpis",
    "monthly_trend",
    "recovery",
]
