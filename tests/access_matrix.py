"""Who may do what: the expected role x page x action matrix, as data a lawyer can read.

This is the specification (from docs/*.md and what a legal team expects), not a copy of
what the code does: tests/test_access_matrix.py opens every page and calls every service
with every role and checks them against it, and checks that the "Roles" table of
docs/audit.md is exactly `markdown_table()`.

Roles: admin (everything, including accounts), lead (team lead: decides, approves,
oversees), staff (works cases), viewer (reads, personal data masked), counsel (an outside
law firm's account, here of firm A: only its firm's cases).

Cells: YES may, NO may not, OWN counsel: only on its own firm's cases.
"""

from __future__ import annotations

YES, NO, OWN = "yes", "no", "own firm"
ROLES = ("admin", "lead", "staff", "viewer", "counsel")

# Every page of the app (ui/nav.py PAGES), by URL key:
#   key                what it is                          admin lead staff viewer counsel
PAGES: dict[str, tuple[str, str, str, str, str, str]] = {
    "cases":           ("Case list",                        YES, YES, YES, YES, OWN),
    "case":            ("Case page",                        YES, YES, YES, YES, OWN),
    "loan":            ("Loan page",                        YES, YES, YES, YES, OWN),
    "dashboard":       ("Dashboard (analytics)",            YES, YES, NO,  YES, NO),
    "firms":           ("Law firms",                        YES, YES, NO,  NO,  NO),
    "escalation":      ("Escalation queue",                 YES, YES, YES, NO,  NO),
    "imports":         ("Import files",                     YES, YES, YES, NO,  NO),
    "users":           ("User accounts",                    YES, NO,  NO,  NO,  NO),
    "calculator":      ("Claim and fee calculator",         YES, YES, YES, YES, YES),
    "reminders":       ("Reminders",                        YES, YES, YES, NO,  NO),
    "deadlines":       ("Deadline board",                   YES, YES, YES, YES, OWN),
    "calendar_admin":  ("Holiday calendar",                 YES, NO,  NO,  NO,  NO),
    "documents_batch": ("Batch documents",                  YES, YES, YES, NO,  NO),
    "templates":       ("Document templates (list)",        YES, YES, YES, NO,  NO),
    "audit":           ("Audit log",                        YES, YES, NO,  NO,  NO),
    "password":        ("Own password",                     YES, YES, YES, YES, YES),
    "retention":       ("Retention purge",                  YES, NO,  NO,  NO,  NO),
    "approvals":       ("Approvals",                        YES, YES, YES, NO,  NO),
}  # fmt: skip

# Every action, as the service that does it (the rule is enforced there, not only by
# hiding a button):
#   key                   what it is                                  admin lead staff viewer counsel
ACTIONS: dict[str, tuple[str, str, str, str, str, str]] = {
    "import_file":        ("Import a loan tape, ledger or contact log", YES, YES, YES, NO,  NO),
    "open_case":          ("Open a case by hand",                     YES, YES, YES, NO,  NO),
    "change_owner":       ("Reassign a case (owner)",                 YES, YES, NO,  NO,  NO),
    "change_route":       ("Change a case's route",                   YES, YES, NO,  NO,  NO),
    "change_forum":       ("Change court/commission or counsel name", YES, YES, YES, NO,  NO),
    "add_event":          ("Record a case event",                     YES, YES, YES, NO,  NO),
    "update_event":       ("Correct a case event",                    YES, YES, YES, NO,  NO),
    "delete_event":       ("Delete a case event",                     YES, YES, YES, NO,  NO),
    "complete_deadline":  ("Complete, waive or override a deadline",  YES, YES, YES, NO,  NO),
    "accept_escalation":  ("Accept escalation proposals",             YES, YES, NO,  NO,  NO),
    "reject_escalation":  ("Reject escalation proposals",             YES, YES, NO,  NO,  NO),
    "request_approval":   ("Request approval of a filing",            YES, YES, YES, NO,  NO),
    "approve_request":    ("Approve another user's request",          YES, YES, NO,  NO,  NO),
    "reject_request":     ("Reject another user's request",           YES, YES, NO,  NO,  NO),
    "generate_document":  ("Generate a document",                     YES, YES, YES, NO,  NO),
    "generate_batch":     ("Generate documents in a batch",           YES, YES, YES, NO,  NO),
    "download_document":  ("Download a generated document",           YES, YES, YES, NO,  NO),
    "record_letter":      ("Record a demand letter sent, delivered",  YES, YES, YES, NO,  NO),
    "add_evidence":       ("Register evidence",                       YES, YES, YES, NO,  NO),
    "claim_figures":      ("Compute a loan's claim figures",          YES, YES, YES, YES, OWN),
    "read_evidence":      ("Open or download an evidence file",       YES, YES, YES, NO,  OWN),
    "build_bundle":       ("Build an evidence bundle",                YES, YES, YES, NO,  NO),
    "export_package":     ("Export a counsel package",                YES, YES, YES, NO,  NO),
    "import_updates":     ("Import counsel status updates",           YES, YES, YES, NO,  OWN),
    "manage_firms":       ("Add law firms, assign cases to them",     YES, YES, NO,  NO,  NO),
    "create_user":        ("Create a user account",                   YES, NO,  NO,  NO,  NO),
    "disable_user":       ("Disable or re-enable an account",         YES, NO,  NO,  NO,  NO),
    "change_user_role":   ("Change an account's role",                YES, NO,  NO,  NO,  NO),
    "reset_password":     ("Reset another user's password",           YES, NO,  NO,  NO,  NO),
    "read_audit":         ("Read the audit log",                      YES, YES, NO,  NO,  NO),
    "export_audit":       ("Export the audit log",                    YES, YES, NO,  NO,  NO),
    "verify_audit":       ("Verify the audit chain",                  YES, YES, NO,  NO,  NO),
    "run_reminders":      ("Send the reminders now",                  YES, YES, NO,  NO,  NO),
    "reminder_settings":  ("Own reminder settings",                   YES, YES, YES, NO,  NO),
    "load_holidays":      ("Load a holiday notice",                   YES, NO,  NO,  NO,  NO),
    "manage_templates":   ("Upload, activate, roll back templates",   YES, YES, NO,  NO,  NO),
    "review_third_parties": ("See a case's third-party contacts",     YES, YES, YES, YES, NO),
    "record_consent":     ("Record a third party's lawful basis",     YES, YES, YES, NO,  NO),
    "mark_contact":       ("Mark a third-party contact in or out",    YES, YES, NO,  NO,  NO),
}  # fmt: skip

# What personal data each role sees (case page, loan page, and what it exports).
FULL, MASKED, FILING = "full", "masked", "full if its firm files"
#   key          what it is                               admin lead  staff viewer  counsel
PERSONAL_DATA: dict[str, tuple[str, str, str, str, str, str]] = {
    "id_number": ("Borrower's ID number",                 FULL, FULL, FULL, MASKED, FILING),
    "phone":     ("Borrower's phone number",              FULL, FULL, FULL, MASKED, FILING),
    "parties":   ("Co-borrowers' and guarantors' numbers", FULL, FULL, FULL, MASKED, MASKED),
    "package":   ("Borrower's ID number in a counsel package", FILING, FILING, FILING, NO, NO),
}  # fmt: skip


def allowed(table: dict, key: str, role: str) -> str:
    """The cell of `key` for `role` (YES, NO, OWN, or a personal-data level)."""
    return table[key][1 + ROLES.index(role)]


def may(table: dict, key: str, role: str) -> bool:
    return allowed(table, key, role) != NO


_CELL = {YES: "✔", NO: "—", OWN: "own firm's"}


def markdown_table() -> str:
    """The "Roles" table of docs/audit.md (the test keeps the two the same)."""
    head = "| | admin | lead | staff | viewer | counsel |\n|---|---|---|---|---|---|\n"
    rows = []
    for title, table in (("Page", PAGES), ("Action", ACTIONS), ("Personal data", PERSONAL_DATA)):
        for key, (what, *cells) in table.items():
            shown = " | ".join(_CELL.get(c, c) for c in cells)
            label = f"`/{key}`" if table is PAGES else ""
            rows.append(f"| {title}: {what}{' ' + label if label else ''} | {shown} |")
    return head + "\n".join(rows) + "\n"
