"""The app's pages: one `NavPage` line per page, grouped into sections, filtered by role.

To add a page: write ``legal_track/ui/pages/<key>.py`` (a plain Streamlit script:
widgets and service calls) and add ONE line to `PAGES` below. The page's URL is
``/<key>``; its title comes from the catalog key `title_key`; `section` is one of
the `SECTIONS` keys; `roles` lists who sees it (default: every role).
"""

from __future__ import annotations

from dataclasses import dataclass

from legal_track.models import Role

ALL_ROLES: frozenset[Role] = frozenset(Role)
CASE_WORKERS: frozenset[Role] = frozenset({Role.admin, Role.lead, Role.staff})
ADMINS: frozenset[Role] = frozenset({Role.admin})

# Section title keys, in menu order.
SECTION_CASES = "ui.section.cases"
SECTION_WORK = "ui.section.work"  # boards, calculators, batches
SECTION_DATA = "ui.section.data"  # import, evidence, templates
SECTION_ADMIN = "ui.section.admin"  # users, calendar, reminders
SECTIONS = (SECTION_CASES, SECTION_WORK, SECTION_DATA, SECTION_ADMIN)


@dataclass(frozen=True, slots=True)
class NavPage:
    key: str  # also the URL path; widget keys on the page start with "<key>."
    path: str  # the page script, relative to app.py
    title_key: str
    icon: str  # ":material/...:" or an emoji
    section: str = SECTION_CASES
    roles: frozenset[Role] = ALL_ROLES
    hidden: bool = False  # reached by links only (case and loan pages), not in the menu
    default: bool = False  # the landing page after sign-in (exactly one)


# fmt: off
PAGES: list[NavPage] = [
    NavPage("cases", "legal_track/ui/pages/cases.py", "ui.cases.title", ":material/gavel:", default=True),
    NavPage("case", "legal_track/ui/pages/case.py", "ui.case.title", ":material/folder_open:", hidden=True),
    NavPage("loan", "legal_track/ui/pages/loan.py", "ui.loan.title", ":material/receipt_long:", hidden=True),
    NavPage("dashboard", "legal_track/ui/pages/dashboard.py", "analytics.page.title", ":material/monitoring:", SECTION_CASES, frozenset({Role.admin, Role.lead, Role.viewer})),
    NavPage("firms", "legal_track/ui/pages/firms.py", "counsel.firms.title", ":material/balance:", SECTION_WORK, frozenset({Role.admin, Role.lead})),
    NavPage("escalation", "legal_track/ui/pages/escalation.py", "escalation.page.title", ":material/trending_up:", SECTION_WORK, CASE_WORKERS),
    NavPage("imports", "legal_track/ui/pages/imports.py", "ui.import.title", ":material/upload_file:", SECTION_DATA, CASE_WORKERS),
    NavPage("users", "legal_track/ui/pages/users.py", "ui.users.title", ":material/group:", SECTION_ADMIN, ADMINS),
    NavPage("calculator", "legal_track/ui/pages/calculator.py", "claims.calculator.title", ":material/calculate:", SECTION_WORK),  # fmt: skip
    NavPage("reminders", "legal_track/ui/pages/reminders.py", "reminders.page.title", ":material/notifications:", SECTION_ADMIN, CASE_WORKERS),  # fmt: skip
    NavPage("deadlines", "legal_track/ui/pages/deadlines.py", "deadline.board.title", ":material/event:", SECTION_WORK),
    NavPage("calendar_admin", "legal_track/ui/pages/calendar_admin.py", "deadline.calendar.title", ":material/calendar_month:", SECTION_ADMIN, ADMINS),
    NavPage("documents_batch", "legal_track/ui/pages/documents_batch.py", "documents.batch.title", ":material/description:", SECTION_WORK, CASE_WORKERS),
    NavPage("templates", "legal_track/ui/pages/templates.py", "documents.templates.title", ":material/article:", SECTION_DATA, CASE_WORKERS),
    NavPage("audit", "legal_track/ui/pages/audit.py", "audit.page.title", ":material/policy:", SECTION_ADMIN, frozenset({Role.admin, Role.lead})),
    NavPage("password", "legal_track/ui/pages/password.py", "accounts.password.title", ":material/password:", SECTION_ADMIN),
    NavPage("retention", "legal_track/ui/pages/retention.py", "retention.page.title", ":material/auto_delete:", SECTION_ADMIN, ADMINS),
    NavPage("approvals", "legal_track/ui/pages/approvals.py", "approvals.page.title", ":material/approval:", SECTION_WORK, CASE_WORKERS),
    # other areas: one line each, e.g.
    # NavPage("deadlines", "legal_track/ui/pages/deadlines.py", "deadline.board.title", ":material/event:", SECTION_WORK),
]
# fmt: on


def pages_for(role: Role | str) -> list[NavPage]:
    """The pages a role may open, in `PAGES` order."""
    role = Role(role)
    return [p for p in PAGES if role in p.roles]


# Where a role lands after signing in (default: the page marked `default`, the case list).
LANDING: dict[Role, str] = {Role.admin: "dashboard", Role.lead: "dashboard"}


def landing_for(role: Role | str) -> str:
    role = Role(role)
    return LANDING.get(role) or next(p.key for p in PAGES if p.default)
