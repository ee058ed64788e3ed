"""Law firms: open and closed cases, recovery and the fees due per firm."""

from legal_track.counsel.performance import firm_performance
from legal_track.models import Role
from legal_track.ui.context import require_role, session, today, tr
from legal_track.ui.widgets import label, money, page_title, table

require_role(Role.admin, Role.lead)
page_title(tr("counsel.firms.title"), tr("counsel.firms.caption"))
with session() as s:
    rows = firm_performance(s, today=today())
table(
    [{"counsel.col.firm": r["firm"], "counsel.col.open": r["open_cases"],
      "counsel.col.closed": r["closed_cases"], "counsel.col.recovered": money(r["recovered"]),
      "counsel.col.fees": money(r["fees_due"]),
      "counsel.col.dwell": "；".join(f"{label('stage', k.split('/')[1])} {v}"
                                    for k, v in r["median_days"].items())} for r in rows],
    key="firms.table",
)  # fmt: skip
