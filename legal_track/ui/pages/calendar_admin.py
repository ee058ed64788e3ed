"""Calendar (admin): load a year's State Council holiday notice (TOML or CSV), show a
year with its source, off days and make-up working days, and recompute every deadline
and limitation clock now (after a rule-pack change; it also runs every night)."""

import streamlit as st

from legal_track.calendar.notices import NoticeError, parse_notice, year_summary
from legal_track.config import get_settings
from legal_track.deadlines.holidays import load_notice
from legal_track.models import Role
from legal_track.recompute import recompute_everything
from legal_track.ui.context import lang, now, require_role, session, today, tr
from legal_track.ui.widgets import page_title, table

K = "calendar_admin."

admin = require_role(Role.admin)
page_title(tr("deadline.calendar.title"), tr("deadline.calendar.caption"))

# -- load a notice ------------------------------------------------------------------------
st.subheader(tr("deadline.calendar.load"), anchor=False)
upload = st.file_uploader(
    tr("deadline.calendar.file"), type=["toml", "csv"], key=K + "file",
    help=tr("deadline.calendar.file_help"),
)  # fmt: skip
if upload is not None:
    raw = upload.getvalue()
    try:
        notice = parse_notice(raw, file_name=upload.name)
    except NoticeError as exc:
        st.error(str(exc), icon=":material/error:")
    else:
        st.markdown(
            tr("deadline.calendar.preview", year=notice.year, title=notice.title,
               off=len(notice.off_days), work=len(notice.work_days))
        )  # fmt: skip
        table(
            [
                {
                    "deadline.calendar.col.date": d.isoformat(),
                    "deadline.calendar.col.kind": tr(
                        "deadline.calendar.makeup" if e.working else "deadline.calendar.off"
                    ),
                    "deadline.calendar.col.name": e.name_zh if lang() == "zh" else e.name_en,
                }
                for d, e in sorted(notice.days.items())
            ],
            key=K + "preview",
        )
        if st.button(tr("deadline.calendar.confirm", year=notice.year), key=K + "confirm",
                     type="primary"):  # fmt: skip
            with session() as s:
                result = load_notice(s, raw=raw, file_name=upload.name, actor=admin.username,
                                     now=now(), role=admin.role)  # fmt: skip
            st.success(
                tr("deadline.calendar.loaded", year=result.year, cases=result.recomputed_cases,
                   moved=len(result.moved))
            )  # fmt: skip
            table(
                [
                    {
                        "deadline.col.case": m.case_ref,
                        "deadline.col.rule": m.rule_id,
                        "deadline.calendar.col.old": m.old_due.isoformat(),
                        "deadline.calendar.col.new": m.new_due.isoformat(),
                    }
                    for m in result.moved
                ],
                key=K + "moved",
                empty=tr("deadline.calendar.none_moved"),
            )

# -- show a year --------------------------------------------------------------------------
st.subheader(tr("deadline.calendar.show"), anchor=False)
year = int(st.number_input(tr("deadline.calendar.year"), 2004, 2100, today().year, key=K + "year"))
with session() as s:
    info = year_summary(s, year)
c1, c2, c3 = st.columns(3)
c1.metric(
    tr("deadline.calendar.state"),
    tr("deadline.calendar.provisional")
    if info["provisional"]
    else tr("deadline.calendar.official"),
)
c2.metric(tr("deadline.calendar.working_days"), info["working_days"])
c3.metric(tr("deadline.calendar.rest_days"), info["rest_days"])
st.caption(tr("deadline.calendar.source", source=info["source"]))
if info["provisional"]:
    st.warning(tr("deadline.calendar.provisional_help", year=year), icon=":material/warning:")
table(
    [
        {
            "deadline.calendar.col.date": d.day.isoformat(),
            "deadline.calendar.col.kind": tr(
                "deadline.calendar.makeup" if d.working else "deadline.calendar.off"
            ),
            "deadline.calendar.col.name": d.name_zh if lang() == "zh" else d.name_en,
        }
        for d in info["exceptions"]
    ],
    key=K + "year_table",
)

# -- recompute everything -----------------------------------------------------------------
st.subheader(tr("deadline.calendar.recompute"), anchor=False)
st.caption(tr("deadline.calendar.recompute_help", time=get_settings().recompute_time or "—"))
force = st.checkbox(tr("deadline.calendar.recompute_force"), key=K + "force")
if st.button(tr("deadline.calendar.recompute_button"), key=K + "recompute"):
    bar = st.progress(0.0, text=tr("deadline.calendar.recompute_progress"))

    def _progress(done: int, total: int) -> None:
        bar.progress(min(1.0, done / total) if total else 1.0,
                     text=tr("deadline.calendar.recompute_progress"))  # fmt: skip

    with session() as s:
        report = recompute_everything(s, now=now(), today=today(), force=force,
                                      actor=admin.username, progress=_progress)  # fmt: skip
    bar.empty()
    d, c = report.deadlines, report.clocks
    st.success(
        tr("deadline.calendar.recomputed", cases=d.cases, skipped=d.skipped_cases,
           inserted=d.inserted, updated=d.updated, deleted=d.deleted, loans=c.loans,
           clocks_changed=len(c.inserts) + len(c.updates))
    )  # fmt: skip
    for line in d.errors[:20]:
        st.warning(line, icon=":material/warning:")
