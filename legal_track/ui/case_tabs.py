"""Registries of the extra tabs on the case page and panels on the loan page.

Each area writes its render function in its own module ``legal_track/ui/<area>_tab.py``
and adds ONE line below (plus its import). ``render(case_id)`` / ``render(loan_id)``
draws into the current container; widget keys start with the tab's key
(``"<key>."``). Only the selected case tab runs (lazy tabs), so a tab may query freely.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from legal_track.models import Role
from legal_track.ui import (
    counsel_tab,
    documents_tab,
    escalation_panel,
    evidence_tab,
    limitation_panel,
    privacy_tab,
    settlement_tab,
    timeline_tab,
)
from legal_track.ui.nav import ALL_ROLES, CASE_WORKERS


@dataclass(frozen=True, slots=True)
class CaseTab:
    key: str
    title_key: str
    render: Callable[[int], None]  # render(case_id)
    roles: frozenset[Role] = ALL_ROLES


@dataclass(frozen=True, slots=True)
class LoanPanel:
    key: str
    title_key: str
    render: Callable[[int], None]  # render(loan_id)
    roles: frozenset[Role] = ALL_ROLES


# one line per area, e.g. CaseTab("deadlines", "deadline.tab.title", deadlines_tab.render),
CASE_TABS: list[CaseTab] = [
    CaseTab("timeline", "deadline.tab.title", timeline_tab.render),
    CaseTab("evidence", "evidence.tab.title", evidence_tab.render),
    CaseTab("limitation", "claims.limitation.title", limitation_panel.render_case),
    CaseTab("documents", "documents.tab.title", documents_tab.render),
    CaseTab("settings", "escalation.settings.title", escalation_panel.render_case, CASE_WORKERS),
    CaseTab("counsel", "counsel.tab.title", counsel_tab.render, CASE_WORKERS | {Role.counsel}),
    CaseTab(
        "settlement", "settlement.tab.title", settlement_tab.render, CASE_WORKERS | {Role.viewer}
    ),
    CaseTab("privacy", "privacy.tab.title", privacy_tab.render, CASE_WORKERS | {Role.viewer}),
]

# one line per area, e.g. LoanPanel("limitation", "claims.limitation.title", claims_tab.render_loan),
LOAN_PANELS: list[LoanPanel] = [
    LoanPanel("limitation", "claims.limitation.title", limitation_panel.render_loan),
    LoanPanel("open_case", "escalation.panel.title", escalation_panel.render_loan, CASE_WORKERS),
]
