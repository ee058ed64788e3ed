"""The timeline tab of the case page: events and deadlines in date order with their
explanations; a form to record an event that previews the deadlines it will create
and the stage move before saving; correcting or deleting an event."""

from __future__ import annotations

from datetime import date

import streamlit as st

from legal_track.approvals import ApprovalNeeded
from legal_track.cases.events import (
    add_event,
    delete_event,
    events_of,
    implied_stage,
    preview_event,
    update_event,
)
from legal_track.cases.kinds import SERVICE_KINDS, EventDataError, EventKind, fields_for
from legal_track.cases.lifecycle import TRANSITIONS, Stage, TransitionError
from legal_track.cases.versions import CaseChangedError
from legal_track.deadlines import case_deadlines
from legal_track.models import Case, Role
from legal_track.ui.case_version import conflict, form_version, show_flash, widget_prefix
from legal_track.ui.context import current_user, lang, now, session, today, tr
from legal_track.ui.widgets import DASH, label, section, table

K = "timeline."
EDIT_ROLES = frozenset({Role.admin, Role.lead, Role.staff})
KEEP = "__keep__"  # the stage selectbox's "no change" option


def render(case_id: int) -> None:
    user = current_user()
    if user is None:
        return
    with session() as s:
        case = s.get(Case, case_id)
        events = events_of(s, case_id=case_id)
        deadlines = case_deadlines(s, case_id=case_id)
    stage = Stage(case.stage)
    allowed = TRANSITIONS[stage]
    show_flash()
    st.markdown(
        tr("deadline.timeline.stage", stage=label("stage", stage.value),
           allowed="、".join(label("stage", s.value) for s in allowed) or DASH)
    )  # fmt: skip
    _timeline(events, deadlines)
    if user.role in EDIT_ROLES:
        _new_event(case_id, stage, case.version, user.username)
        if events:
            _edit_event(case_id, events, user.username)
    else:
        st.caption(tr("deadline.timeline.readonly"))


def _role() -> str | None:
    user = current_user()
    return user.role if user else None


def _timeline(events, deadlines) -> None:
    section(tr("deadline.timeline.title"))
    day = today()
    items = [(e.on, 0, e) for e in events] + [(d.effective_due, 1, d) for d in deadlines]
    rows = []
    for on, kind, obj in sorted(items, key=lambda x: (x[0], x[1])):
        if kind == 0:
            rows.append({
                "deadline.timeline.col.date": on.isoformat(),
                "deadline.timeline.col.what": label("deadline.event", obj.kind),
                "deadline.timeline.col.party": obj.party or DASH,
                "deadline.timeline.col.status": DASH,
                "deadline.timeline.col.detail": _data_text(obj.data) or obj.note or DASH,
            })  # fmt: skip
            continue
        status = label("deadline.status", getattr(obj.status, "value", obj.status))
        if obj.status == "open" and obj.effective_due < day:
            status = "⚠ " + tr("deadline.bucket.overdue")
        flags = []
        if obj.provisional:
            flags.append(tr("deadline.flag.provisional"))
        if obj.override_due:
            flags.append(tr("deadline.flag.override_detail", computed=obj.due.isoformat()))
        if obj.moved_under_override:
            flags.append(tr("deadline.flag.moved"))
        explanation = obj.explanation_zh if lang() == "zh" else obj.explanation_en
        rows.append({
            "deadline.timeline.col.date": on.isoformat(),
            "deadline.timeline.col.what": "⏱ " + label("deadline.rule", obj.rule_id),
            "deadline.timeline.col.party": obj.party or DASH,
            "deadline.timeline.col.status": status,
            "deadline.timeline.col.detail": " · ".join([*flags, explanation]),
        })  # fmt: skip
    table(rows, key=K + "table", empty=tr("deadline.timeline.empty"))


def _data_text(data: dict | None) -> str:
    return "; ".join(f"{k}={v}" for k, v in (data or {}).items())


def _data_inputs(kind: EventKind, prefix: str, current: dict | None = None) -> dict:
    """One input per data field of `kind`; returns the entered values (text)."""
    values: dict = {}
    current = current or {}
    for f in fields_for(kind):
        name = tr(f"deadline.field.{f.name}")
        key = f"{prefix}{kind.value}.{f.name}"
        value = current.get(f.name, f.default)
        if f.type == "choice":
            options = ([] if f.required or f.default else [""]) + list(f.choices)
            index = options.index(value) if value in options else 0
            values[f.name] = st.selectbox(name, options, index=index, key=key)
        elif f.type == "bool":
            values[f.name] = st.checkbox(name, value=bool(value), key=key)
        elif f.type == "date":
            picked = st.date_input(
                name, value=date.fromisoformat(value) if value else None, key=key
            )
            values[f.name] = picked.isoformat() if picked else ""
        else:
            values[f.name] = st.text_input(name, value="" if value is None else str(value), key=key)
    return values


def _new_event(case_id: int, stage: Stage, version: int, actor: str) -> None:
    section(tr("deadline.timeline.add"))
    W = widget_prefix(K)  # the inputs; new ones after a conflict
    kinds = [k for k in EventKind if k not in SERVICE_KINDS]  # those: the settlement tab
    kind = EventKind(
        st.selectbox(
            tr("deadline.timeline.kind"), kinds, format_func=lambda k: label("deadline.event", k),
            key=W + "kind",
        )
    )  # fmt: skip
    c1, c2 = st.columns(2)
    on = c1.date_input(tr("deadline.timeline.on"), value=today(), key=W + "on")
    party = c2.text_input(tr("deadline.timeline.party"), key=W + "party")
    data = _data_inputs(kind, W + "data.")
    allowed = list(TRANSITIONS[stage])
    implied = implied_stage(kind)
    options = [KEEP, *allowed]
    default = options.index(implied) if implied in allowed else 0
    target = st.selectbox(
        tr("deadline.timeline.to_stage"), options, index=default,
        format_func=lambda s: tr("deadline.timeline.keep_stage") if s == KEEP else label("stage", s),
        key=f"{W}to_stage.{kind.value}", help=tr("deadline.timeline.to_stage_help"),
    )  # fmt: skip
    note = st.text_input(tr("deadline.timeline.note"), key=W + "note")
    to_stage = None if target == KEEP else target
    with session() as s:
        preview = preview_event(
            s, case_id=case_id, kind=kind, on=on, party=party, data=data, to_stage=to_stage
        )
    with st.container(border=True):
        st.markdown(f"**{tr('deadline.timeline.preview')}**")
        for problem in preview.problems:
            st.error(problem, icon=":material/error:")
        if not preview.deadlines:
            st.caption(tr("deadline.timeline.no_deadlines"))
        for d in preview.deadlines:
            name = d.name_zh if lang() == "zh" else d.name_en
            star = " " + tr("deadline.flag.provisional") if d.provisional else ""
            st.markdown(f"**{name}** — {d.due.isoformat()}{star}")
            st.caption(d.explanation_zh if lang() == "zh" else d.explanation_en)
    clicked = st.button(tr("deadline.timeline.save"), key=K + "save", type="primary")
    # the stage and its allowed moves above are those of the version shown with the form
    shown = form_version(f"{K}version.{case_id}", version, submitted=clicked)
    if clicked:
        try:
            with session() as s:
                add_event(
                    s, case_id=case_id, kind=kind, on=on, actor=actor, now=now(),
                    party=party or None, data=data, note=note, to_stage=to_stage,
                    role=_role(),
                    expected_version=shown,
                )  # fmt: skip
        except CaseChangedError as exc:
            conflict(exc, base=K)
        except (EventDataError, TransitionError, LookupError) as exc:
            st.error(str(exc), icon=":material/error:")
        except ApprovalNeeded as exc:  # maker-checker: a lead or admin approves the filing first
            st.info(tr("approvals.needed", id=exc.request_id), icon=":material/approval:")
        else:
            st.success(tr("deadline.timeline.saved"))
            st.rerun()


def _edit_event(case_id: int, events, actor: str) -> None:
    section(tr("deadline.timeline.edit"))
    by_id = {e.id: e for e in events}
    picked = st.selectbox(
        tr("deadline.timeline.pick"), list(by_id),
        format_func=lambda i: f"{by_id[i].on} · {label('deadline.event', by_id[i].kind)}"
        f"{' · ' + by_id[i].party if by_id[i].party else ''}",
        key=K + "edit_pick",
    )  # fmt: skip
    ev = by_id[picked]
    prefix = f"{K}edit.{ev.id}."
    c1, c2 = st.columns(2)
    on = c1.date_input(tr("deadline.timeline.on"), value=ev.on, key=prefix + "on")
    party = c2.text_input(tr("deadline.timeline.party"), value=ev.party or "", key=prefix + "party")
    data = _data_inputs(EventKind(ev.kind), prefix + "data.", ev.data)
    note = st.text_input(tr("deadline.timeline.note"), value=ev.note or "", key=prefix + "note")
    c1, c2, c3 = st.columns([1, 1, 2], vertical_alignment="bottom")
    if c1.button(tr("deadline.timeline.update"), key=prefix + "update"):
        try:
            with session() as s:
                update_event(s, event_id=ev.id, actor=actor, now=now(), role=_role(), on=on,
                             party=party, data=data, note=note)  # fmt: skip
        except (EventDataError, LookupError) as exc:
            st.error(str(exc), icon=":material/error:")
        else:
            st.rerun()
    sure = c3.checkbox(tr("deadline.timeline.confirm_delete"), key=prefix + "sure")
    if c2.button(tr("deadline.timeline.delete"), key=prefix + "delete", disabled=not sure):
        with session() as s:
            delete_event(s, event_id=ev.id, actor=actor, now=now(), role=_role())
        st.rerun()
