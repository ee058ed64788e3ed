"""Deadline board: open deadlines by bucket (overdue, today, this week, later) and owner,
notices about moved dates, and the complete / waive / override actions."""

import streamlit as st

from legal_track.deadlines import (
    Bucket,
    DeadlineActionError,
    board_counts,
    board_page,
    clear_override,
    complete_deadline,
    mark_notices_seen,
    notices_for,
    override_deadline,
    waive_deadline,
)
from legal_track.models import Role
from legal_track.ui import lookups
from legal_track.ui.context import lang, now, require_role, session, today, tr
from legal_track.ui.scope import firm_for
from legal_track.ui.widgets import DASH, page_title, table_height

K = "deadlines."
PAGE_SIZE = 50
WORKERS = (Role.admin, Role.lead, Role.staff)

user = require_role()
page_title(tr("deadline.board.title"), tr("deadline.board.caption"))
day = today()

# -- owner filter -------------------------------------------------------------------------
MINE, ALL = -1, 0
owners = {o.id: o.name for o in lookups.owners()}
choices = [MINE, ALL, *owners]
labels = {MINE: tr("deadline.board.mine"), ALL: tr("deadline.board.all"), **owners}
default = 0 if user.role in (Role.staff,) else 1
picked = st.selectbox(
    tr("deadline.board.owner"), choices, index=default, format_func=labels.get, key=K + "owner"
)
owner_id = user.id if picked == MINE else (None if picked == ALL else picked)

# -- notices about moved deadlines ----------------------------------------------------------
with session() as s:
    notices = notices_for(s, owner_id=user.id)
if notices:
    with st.container(border=True):
        st.markdown(f"**{tr('deadline.notice.title', count=len(notices))}**")
        for n in notices:
            st.warning(n.message_zh if lang() == "zh" else n.message_en, icon=":material/update:")
        if st.button(tr("deadline.notice.seen"), key=K + "notices_seen"):
            with session() as s:
                mark_notices_seen(
                    s, notice_ids=[n.id for n in notices], actor=user.username, now=now()
                )
            st.rerun()

# -- buckets ------------------------------------------------------------------------------
with session() as s:
    firm = firm_for(s, user)
    counts = board_counts(s, today=day, owner_id=owner_id, role=user.role, firm_id=firm)
cols = st.columns(len(Bucket))
for col, bucket in zip(cols, Bucket, strict=True):
    col.metric(tr(f"deadline.bucket.{bucket.value}"), counts[bucket.value])

bucket = (
    st.segmented_control(
        tr("deadline.board.bucket"),
        list(Bucket),
        default=Bucket.overdue if counts["overdue"] else Bucket.today,
        format_func=lambda b: f"{tr(f'deadline.bucket.{b.value}')} ({counts[b.value]})",
        key=K + "bucket",
    )
    or Bucket.overdue
)
total = counts[Bucket(bucket).value]
pages = max(1, -(-total // PAGE_SIZE))
page = 1
if pages > 1:
    page = int(st.number_input(tr("deadline.board.page", pages=pages), 1, pages, 1, key=K + "page"))
with session() as s:
    items = board_page(
        s, today=day, bucket=bucket, owner_id=owner_id, limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE, role=user.role, firm_id=firm,
    )  # fmt: skip


def _flags(i) -> str:
    flags = []
    if i.provisional:
        flags.append(tr("deadline.flag.provisional"))
    if i.overridden:
        flags.append(tr("deadline.flag.override"))
    if i.moved_under_override:
        flags.append(tr("deadline.flag.moved"))
    return ", ".join(flags) or DASH


rows = [
    {
        "deadline.col.case": i.case_ref,
        "deadline.col.rule": i.name(lang()),
        "deadline.col.party": i.party or DASH,
        "deadline.col.due": i.due.isoformat(),
        "deadline.col.days": (i.due - day).days,
        "deadline.col.severity": tr(f"deadline.severity.{i.severity}"),
        "deadline.col.flags": _flags(i),
        "deadline.col.owner": i.owner_name or DASH,
        "deadline.col.id": i.id,
    }
    for i in items
]
if not rows:
    st.caption(tr("deadline.board.empty"))
else:
    picked = st.dataframe(
        [{tr(k): v for k, v in row.items()} for row in rows],
        key=K + "table",
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        height=table_height(len(rows)),
    )
    if picked.selection.rows:
        ref = items[picked.selection.rows[0]].case_ref
        st.switch_page("legal_track/ui/pages/case.py", query_params={"ref": ref})
    st.caption(tr("deadline.board.open_hint"))

if items:
    with st.expander(tr("deadline.board.explanations")):
        for i in items:
            st.markdown(f"**{i.case_ref} · {i.name(lang())}** — {i.due}")
            st.caption(i.explanation(lang()))

# -- actions ------------------------------------------------------------------------------
if items and user.role in WORKERS:
    st.subheader(tr("deadline.action.title"), anchor=False)
    by_id = {i.id: i for i in items}
    with st.form(K + "action_form"):
        target = st.selectbox(
            tr("deadline.action.deadline"),
            list(by_id),
            format_func=lambda i: (
                f"#{i} {by_id[i].case_ref} · {by_id[i].name(lang())} · {by_id[i].due}"
            ),
            key=K + "target",
        )
        action = st.radio(
            tr("deadline.action.kind"),
            ["complete", "waive", "override", "clear_override"],
            format_func=lambda a: tr(f"deadline.action.{a}"),
            horizontal=True,
            key=K + "action",
        )
        new_due = st.date_input(tr("deadline.action.new_due"), value=day, key=K + "new_due")
        note = st.text_input(tr("deadline.action.note"), key=K + "note")
        submitted = st.form_submit_button(
            tr("deadline.action.submit"), type="primary", key=K + "submit"
        )
    if submitted:
        try:
            with session() as s:
                kw = dict(deadline_id=target, actor=user.username, now=now(), role=user.role)
                if action == "complete":
                    complete_deadline(s, note=note, **kw)
                elif action == "waive":
                    waive_deadline(s, note=note, **kw)
                elif action == "override":
                    override_deadline(s, due=new_due, reason=note, **kw)
                else:
                    clear_override(s, **kw)
        except (DeadlineActionError, LookupError) as exc:
            st.error(str(exc), icon=":material/error:")
        else:
            st.success(tr(f"deadline.action.done_{action}", id=target))

# -- outside counsel: the firm's deadlines as a calendar file --------------------------------
if user.role == Role.counsel:
    from legal_track.config import get_settings
    from legal_track.reminders.ics import export_calendar

    settings = get_settings()
    with session() as s:
        feed = export_calendar(s, username=user.username, team=False, app_url=settings.app_url,
                               timezone=settings.timezone, now=now(), actor=user.username)  # fmt: skip
    st.download_button(tr("counsel.calendar.download"), feed, file_name="deadlines.ics",
                       mime="text/calendar", key=K + "counsel_ics", on_click="ignore")  # fmt: skip
