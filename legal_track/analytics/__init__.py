"""Portfolio analytics for the head of legal and risk control: KPIs, the stage funnel,
dwell times, recovery and costs by route and by law firm, the monthly trend, per-case
recovery and costs. Every figure is one SQL aggregate (`queries`) over the events, the
ledger and the tables kept from them (`recoveries`, `costs`)."""

from legal_track.analytics.costs import case_costs
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
    "case_costs",
    "case_recovery",
    "dwell_times",
    "funnel",
    "kpis",
    "monthly_trend",
    "recovery",
]
