"""Reminders: sent, pending and failed messages; the outbox; my preferences; .ics files.

Leads and admins see the whole team's messages; staff see their own.
"""

import streamlit as st

from legal_track.cases.listing import case_ids_for_refs, case_refs_for_ids
from legal_track.config import get_settings
from legal_track.models import Role, User
from legal_track.models.reminder import ReminderStatus
from legal_track.reminders.delivery import log_page, message_preview, status_counts
from legal_track.reminders.ics import export_calendar
from legal_track.reminders.mail import list_outbox, mailer_from_settings
from legal_track.reminders.prefs import ALL_SEVERITIES, preference_for, save_preference
from legal_track.reminders.run import run_pass
from legal_track.ui import widgets as w
from legal_track.ui.context import now, require_role, session, tr

PAGE_ROWS = 100

user = require_role(Role.admin, Role.lead, Role.staff)
team_view = user.role in (Role.admin, Role.lead)
scope = None if team_view else user.id
settings = get_settings()
w.page_title(tr("reminders.page.title"), tr("reminders.page.caption"))

if team_view and st.button(tr("reminders.page.run"), key="reminders.run", icon=":material/send:"):
    report = run_pass(session, now=now(), mailer=mailer_from_settings(settings), settings=settings,
                      role=user.role)  # fmt: skip
    st.success(tr("reminders.page.ran", sent=len(report.sent), failed=len(report.failed)))

with session() as s:
    counts = status_counts(s, user_id=scope)
    pages = {
        "sent": log_page(s, statuses=[ReminderStatus.sent], user_id=scope, limit=PAGE_ROWS),
        "pending": log_page(
            s,
            statuses=[ReminderStatus.pending, ReminderStatus.sending],
            user_id=scope,
            limit=PAGE_ROWS,
        ),
        "failed": log_page(s, statuses=[ReminderStatus.failed], user_id=scope, limit=PAGE_ROWS),
    }
c1, c2, c3 = st.columns(3)
c1.metric(tr("reminders.page.sent"), counts["sent"])
c2.metric(tr("reminders.page.pending"), counts["pending"] + counts["sending"])
c3.metric(tr("reminders.page.failed"), counts["failed"])


def _rows(rows, *, failed: bool = False) -> list[dict]:
    out = []
    for r in rows:
        row = {
            "reminders.page.kind": w.label("reminders.kind", r.kind),
            "reminders.col.recipient": r.recipient,
            "reminders.col.subject": r.subject,
            "reminders.col.scheduled": w.local_time(r.scheduled_for),
            "reminders.col.sent_at": w.local_time(r.sent_at),
            "reminders.col.attempts": r.attempts,
        }
        if failed:
            row["reminders.col.next_attempt"] = w.local_time(r.next_attempt_at)
            row["reminders.col.error"] = r.last_error or w.DASH
        out.append(row)
    return out


tab_sent, tab_pending, tab_failed, tab_outbox, tab_prefs = st.tabs(
    [
        tr("reminders.page.sent"),
        tr("reminders.page.pending"),
        tr("reminders.page.failed"),
        tr("reminders.page.outbox"),
        tr("reminders.page.prefs"),
    ]
)
with tab_sent:
    w.table(_rows(pages["sent"]), key="reminders.sent", empty=tr("reminders.page.empty"))
with tab_pending:
    w.table(_rows(pages["pending"]), key="reminders.pending", empty=tr("reminders.page.empty"))
with tab_failed:
    w.table(
        _rows(pages["failed"], failed=True),
        key="reminders.failed",
        empty=tr("reminders.page.empty"),
    )

shown = [r for rows in pages.values() for r in rows]
if shown:
    subjects = {r.id: f"#{r.id} · {r.recipient} · {r.subject}" for r in shown}
    picked = st.selectbox(
        tr("reminders.page.preview"), [None, *subjects], format_func=lambda i: subjects.get(i, w.DASH),
        key="reminders.preview",
    )  # fmt: skip
    if picked is not None:
        with session() as s:
            st.code(
                message_preview(s, log_id=picked, user_id=scope), language=None, wrap_lines=True
            )

with tab_outbox:
    if settings.smtp_host:
        st.info(tr("reminders.page.outbox_smtp", host=settings.smtp_host))
    else:
        files = list_outbox(settings.outbox_dir)
        if team_view:
            mine = files
        else:
            with session() as s:
                address = s.get(User, user.id).email
            mine = [f for f in files if address and address in f.recipient]
        w.table(
            [
                {
                    "reminders.col.file": f.path.name,
                    "reminders.col.recipient": f.recipient,
                    "reminders.col.subject": f.subject,
                    "reminders.col.size": f.size,
                    "reminders.col.sent_at": w.local_time(f.modified),
                }
                for f in mine
            ],
            key="reminders.outbox",
            empty=tr("reminders.page.outbox_empty"),
        )
        if mine:
            names = {f.path.name: f for f in mine}
            name = st.selectbox(tr("reminders.col.file"), list(names), key="reminders.outbox_file")
            st.download_button(
                f"↓ {name}", names[name].path.read_bytes(), file_name=name, mime="message/rfc822",
                key="reminders.outbox_download", on_click="ignore",
            )  # fmt: skip

with tab_prefs:
    with session() as s:
        pref = preference_for(s, user_id=user.id)
        muted_refs = case_refs_for_ids(s, list(pref.muted_case_ids or []))
    with st.form("reminders.prefs_form"):
        digest_on = st.toggle(
            tr("reminders.page.digest_enabled"),
            value=pref.digest_enabled,
            key="reminders.digest_on",
        )
        severities = st.multiselect(
            tr("reminders.page.severities"), list(ALL_SEVERITIES), default=list(pref.severities),
            format_func=lambda v: tr(f"reminders.severity.{v}"), key="reminders.severities",
        )  # fmt: skip
        muted_text = st.text_input(
            tr("reminders.page.muted"), value=", ".join(muted_refs), key="reminders.muted"
        )
        saved = st.form_submit_button(tr("reminders.page.save"))
    if saved:
        refs = [r.strip() for r in muted_text.replace("，", ",").split(",") if r.strip()]
        with session() as s:
            found = case_ids_for_refs(s, refs)
            unknown = [r for r in refs if r not in found]
            if unknown:
                st.error(tr("reminders.page.unknown_case", refs=", ".join(unknown)))
            else:
                save_preference(
                    s, user_id=user.id, digest_enabled=digest_on, severities=severities,
                    muted_case_ids=list(found.values()), actor=user.username, now=now(),
                    role=user.role,
                )  # fmt: skip
                st.success(tr("reminders.page.saved"))

    st.subheader(tr("reminders.page.ics"), anchor=False)
    choices = [("mine", False)] + ([("team", True)] if team_view else [])
    for label, team in choices:
        state_key = f"reminders.ics_{label}"
        if st.button(
            tr(f"reminders.page.ics_{label}"),
            key=f"{state_key}_make",
            icon=":material/calendar_month:",
        ):
            with session() as s:
                st.session_state[state_key] = export_calendar(
                    s, username=user.username, team=team, app_url=settings.app_url,
                    timezone=settings.timezone, now=now(), actor=user.username,
                )  # fmt: skip
        if st.session_state.get(state_key):
            st.download_button(
                tr("reminders.page.ics_download"), st.session_state[state_key],
                file_name=f"legal-track-{label}.ics", mime="text/calendar",
                key=f"{state_key}_download", on_click="ignore",
            )  # fmt: skip
