"""The evidence tab of the case page: upload, list with hashes and previews, the
required-evidence checklist and the bundle builder (ordering, progress, download).

Previews: first pages of PDFs are rendered by poppler's ``pdftoppm`` (pypdf cannot
rasterise), images are scaled by Pillow; cached per SHA-256 (content never changes).
Ordering uses number inputs (``st.data_editor`` is read-only under AppTest).
"""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import streamlit as st

from legal_track.config import get_settings
from legal_track.evidence.preview import first_page_png
from legal_track.evidence.register import (
    EvidenceRefused,
    build_case_bundle,
    custody_log,
    default_bundle_options,
    exhibit_candidates,
    intake,
    items_for_case,
    last_bundle,
    may_read,
    read_item,
    record_custody,
    store_for,
)
from legal_track.evidence.rules import case_loans, checklist, default_document, load_rules
from legal_track.evidence.store import EvidenceStore
from legal_track.models import Case, CustodyAction, EvidenceCategory, Role
from legal_track.privacy import can_see_pii
from legal_track.ui.context import current_user, lang, now, session, today, tr
from legal_track.ui.scope import firm_for
from legal_track.ui.widgets import DASH, local_time, md, table

K = "evidence."
EDIT_ROLES = frozenset({Role.admin, Role.lead, Role.staff})
VIEWED = K + "viewed_ids"  # items whose viewing is already in the custody log this session
RESULT = K + "result"  # the last bundle built in this session: {case_id, volumes, ...}
MAX_PREVIEWS = 12


def render(case_id: int) -> None:
    user = current_user()
    if user is None:
        return
    can_edit = user.role in EDIT_ROLES
    can_view = can_see_pii(user.role) or user.role == Role.counsel
    with session() as s:
        case = s.get(Case, case_id)
        loans = [(loan.id, loan.contract_no) for loan in case_loans(s, case_id)]
    if can_edit:
        _upload(case_id, loans, user.username)
    else:
        st.caption(tr("evidence.upload.readonly"))
    _list(case_id, can_view, user.username)
    _checklist(case_id, case.route, case.stage)
    if can_edit:
        _builder(case_id, case.ref, user.username)


# --- upload -------------------------------------------------------------------------


def _upload(case_id: int, loans: list[tuple[int, str]], actor: str) -> None:
    st.subheader(tr("evidence.upload.header"), anchor=False)
    files = st.file_uploader(
        tr("evidence.upload.files"), accept_multiple_files=True, key=K + "files"
    )
    c1, c2 = st.columns(2)
    category = c1.selectbox(
        tr("evidence.upload.category"), [c.value for c in EvidenceCategory],
        format_func=lambda v: tr(f"evidence.category.{v}"), key=K + "category",
    )  # fmt: skip
    targets = [("case", None)] + [("loan", loan) for loan in loans]
    target = c2.selectbox(
        tr("evidence.upload.link"), range(len(targets)), key=K + "link",
        format_func=lambda i: tr("evidence.upload.link_case") if i == 0
        else tr("evidence.upload.link_loan", contract_no=targets[i][1][1]),
    )  # fmt: skip
    source = c1.text_input(tr("evidence.upload.source"), key=K + "source")
    captured = c2.date_input(tr("evidence.upload.captured"), value=None, key=K + "captured")
    purpose = st.text_input(tr("evidence.upload.purpose"), key=K + "purpose")
    if not st.button(tr("evidence.upload.submit"), key=K + "submit", type="primary"):
        return
    if not files:
        st.warning(tr("evidence.upload.none"))
        return
    zone = ZoneInfo(get_settings().timezone)
    when = datetime.combine(captured, time(0, 0), tzinfo=zone) if captured else None
    case_ids = [case_id] if target == 0 else []
    loan_ids = [targets[target][1][0]] if target else []
    for f in files:
        try:
            with session() as s:
                res = intake(
                    s, data=f.getvalue(), original_name=f.name, category=category, source=source,
                    purpose=purpose, captured_at=when, actor=actor, now=now(), case_ids=case_ids,
                    loan_ids=loan_ids, role=_role(),
                )  # fmt: skip
        except EvidenceRefused as exc:
            st.error(tr("evidence.upload.refused", name=f.name, reason=_refusal(exc)))
            continue
        item = res.item
        if res.duplicate:
            st.info(tr("evidence.upload.duplicate", name=f.name, id=item.id))
        else:
            st.success(
                tr("evidence.upload.added", name=f.name, id=item.id, sha=item.sha256[:16] + "…")
            )
        if item.repaired and not res.duplicate:
            st.warning(tr("evidence.upload.repaired", name=f.name, note=item.rendition_note))
        if not item.bundleable:
            st.warning(
                tr("evidence.upload.attachment", name=f.name, reason=item.not_bundleable_reason)
            )


def _refusal(exc: EvidenceRefused) -> str:
    limit = f"{get_settings().evidence_max_bytes / 1024 / 1024:g} MB"
    return tr(f"evidence.refused.{exc.reason.value}", limit=limit)


# --- list, previews, custody --------------------------------------------------------------


@st.cache_data(ttl=3600, max_entries=256, show_spinner=False)
def _preview(sha256: str, kind: str, root: str) -> bytes | None:
    """Keyed by content hash: a stored blob never changes."""

    return first_page_png(EvidenceStore(root).read_bytes(sha256), kind)


def _preview_of(item) -> bytes | None:
    root = str(get_settings().evidence_dir)
    if item.rendition_sha256:
        return _preview(item.rendition_sha256, "pdf", root)
    return _preview(item.sha256, str(item.kind), root)


def _log_view(item_id: int, actor: str, *, preview: bool) -> None:
    """One `viewed` custody entry per item and browser session."""
    seen = st.session_state.setdefault(VIEWED, set())
    if item_id in seen:
        return
    seen.add(item_id)
    with session() as s:
        record_custody(s, item_id=item_id, action=CustodyAction.viewed, actor=actor, now=now(),
                       detail={"preview": preview, "via": "app"})  # fmt: skip


def _list(case_id: int, can_view: bool, actor: str) -> None:
    st.subheader(tr("evidence.list.header"), anchor=False)
    with session() as s:
        items = items_for_case(s, case_id=case_id)
    if not items:
        st.caption(tr("evidence.list.empty"))
        return
    rows = [
        {
            "evidence.col.id": item.id,
            "evidence.col.name": item.original_name,
            "evidence.col.category": tr(f"evidence.category.{item.category}"),
            "evidence.col.kind": str(item.kind).upper(),
            "evidence.col.size": f"{item.size:,}",
            "evidence.col.pages": item.page_count if item.page_count is not None else DASH,
            "evidence.col.sha256": item.sha256,
            "evidence.col.added": f"{local_time(item.added_at)} {item.added_by}",
            "evidence.col.purpose": item.purpose or DASH,
            "evidence.col.note": _note(item),
        }
        for item in items
    ]
    table(rows, key=K + "table")
    if not can_view:
        st.caption(tr("evidence.list.preview_hidden"))
        return
    viewer = current_user()
    with session() as s:  # counsel: no preview of what its firm may not open (ID scans)
        firm = firm_for(s, viewer) if viewer else None
        shown = [i for i in items if may_read(s, item=i, role=viewer.role if viewer else None,
                                              firm_id=firm)]  # fmt: skip
    if st.toggle(tr("evidence.list.previews"), key=K + "previews"):
        cols = st.columns(4)
        for n, item in enumerate(shown[:MAX_PREVIEWS]):
            with cols[n % 4]:
                png = _preview_of(item)
                if png:
                    st.image(png, caption=f"#{item.id} {item.original_name}")
                    _log_view(item.id, actor, preview=True)
                else:
                    st.caption(
                        f"#{item.id} {item.original_name}: {tr('evidence.list.preview_none')}"
                    )
    chosen = st.selectbox(
        tr("evidence.list.select"), [i.id for i in items], index=None, key=K + "open",
        format_func=lambda i: next(f"#{x.id} {x.original_name}" for x in items if x.id == i),
    )  # fmt: skip
    if chosen is None:
        return
    item = next(i for i in items if i.id == chosen)
    seen = st.session_state.setdefault(VIEWED, set())
    viewer = current_user()
    with session() as s:
        counsel = viewer is not None and viewer.role == Role.counsel
        if item.id in seen and not counsel:  # already in the custody log for this session
            data = store_for().read_bytes(item.sha256)
        else:
            try:  # logs `viewed`; a counsel account gets only what its firm may have
                data = read_item(s, item_id=item.id, actor=actor, now=now(),
                                 role=viewer.role if viewer else None,
                                 firm_id=firm_for(s, viewer) if viewer else None)  # fmt: skip
            except LookupError as exc:
                st.error(str(exc))
                return
            seen.add(item.id)
        log = custody_log(s, item_id=item.id)
    png = _preview_of(item)
    if png:
        st.image(png, width=360)
    st.download_button(
        tr("evidence.list.download"), data, file_name=item.original_name, key=K + "download",
        on_click=_log_download, args=(item.id, actor),
    )  # fmt: skip
    st.caption(tr("evidence.list.custody"))
    table(
        [
            {
                "evidence.col.at": local_time(e.at),
                "evidence.col.actor": e.actor,
                "evidence.col.action": tr(f"evidence.custody.{e.action}"),
            }
            for e in log
        ],
        key=K + "custody",
    )


def _log_download(item_id: int, actor: str) -> None:
    with session() as s:
        record_custody(s, item_id=item_id, action=CustodyAction.exported, actor=actor, now=now(),
                       detail={"download": True, "via": "app"})  # fmt: skip


def _note(item) -> str:
    notes = []
    if item.repaired:
        notes.append(tr("evidence.note.repaired"))
    if not item.bundleable:
        notes.append(tr("evidence.note.attachment") + f": {item.not_bundleable_reason}")
    return "; ".join(notes) or DASH


# --- checklist ------------------------------------------------------------------------


def _checklist(case_id: int, route: str, stage: str) -> None:
    st.subheader(tr("evidence.checklist.header"), anchor=False)
    rules = load_rules()
    docs = list(rules.documents)
    name = "name_zh" if lang() == "zh" else "name_en"
    doc = st.selectbox(
        tr("evidence.checklist.document"), docs, index=docs.index(default_document(route, stage)),
        format_func=lambda d: getattr(rules.documents[d], name), key=K + "document",
    )  # fmt: skip
    with session() as s:
        rows = checklist(s, case_id=case_id, document=doc)
    missing = [r for r in rows if not r.satisfied]
    if missing:
        st.warning(tr("evidence.checklist.some_missing", count=len(missing)))
    else:
        st.success(tr("evidence.checklist.all_present"))
    lines = []
    for r in rows:
        label = getattr(r.requirement, name) + (f" · {r.contract_no}" if r.contract_no else "")
        if not r.satisfied:
            lines.append(tr("evidence.checklist.missing", name=label))
            continue
        text = tr("evidence.checklist.ok", name=label)
        if r.by_items:
            text += tr("evidence.checklist.by_items", items=", ".join(f"#{i}" for i in r.by_items))
        if r.by_data:
            data = ", ".join(tr(f"evidence.data.{d}") for d in r.by_data)
            text += tr("evidence.checklist.by_data", data=data)
        lines.append(text)
    st.markdown("\n".join(f"- {line}" for line in lines))
    st.caption(tr("evidence.checklist.basis", basis=rules.documents[doc].basis))


# --- bundle builder ---------------------------------------------------------------------


def _builder(case_id: int, ref: str, actor: str) -> None:
    st.subheader(tr("evidence.bundle.header"), anchor=False)
    with session() as s:
        cands = exhibit_candidates(s, case_id=case_id, today=today())
        last = last_bundle(s, case_id=case_id)
    previous = Path(last.path) if last is not None and Path(last.path).is_file() else None
    if not cands:
        st.caption(tr("evidence.bundle.none"))
        return
    picked: list[tuple[int, int, str]] = []
    for n, c in enumerate(cands):
        cols = st.columns([1, 1, 6])
        slot = (
            tr(f"evidence.slot.{c.slot[1:]}")
            if c.slot.startswith("@")
            else tr(f"evidence.category.{c.slot}")
        )
        include = cols[0].checkbox(tr("evidence.bundle.include"), value=c.bundleable,
                                   disabled=not c.bundleable, key=f"{K}inc.{c.key}")  # fmt: skip
        position = cols[1].number_input(tr("evidence.bundle.order"), min_value=1, value=n + 1, step=1,
                                        key=f"{K}ord.{c.key}", disabled=not c.bundleable)  # fmt: skip
        cols[2].markdown(f"**{c.name}** · {slot}" + (f" — {c.purpose}" if c.purpose else ""))
        if not c.bundleable:
            cols[2].caption(tr("evidence.bundle.cannot", reason=c.reason))
        elif include:
            picked.append((int(position), n, c.key))
    c1, c2 = st.columns(2)
    title = c1.text_input(tr("evidence.bundle.title"), value="证据材料", key=K + "title")
    max_mb = c2.number_input(
        tr("evidence.bundle.max_mb"), min_value=0, value=0, step=1, key=K + "max_mb"
    )
    dividers = c1.checkbox(tr("evidence.bundle.dividers"), key=K + "dividers")
    group = c2.checkbox(tr("evidence.bundle.group"), key=K + "group")
    embed = c2.checkbox(tr("evidence.bundle.embed_fonts"), key=K + "embed_fonts",
                        help=tr("evidence.bundle.embed_fonts_help"))  # fmt: skip
    append = previous is not None and c1.checkbox(tr("evidence.bundle.append"), key=K + "append")
    if st.button(tr("evidence.bundle.build"), key=K + "build", type="primary"):
        if not picked:
            st.warning(tr("evidence.bundle.nothing"))
        else:
            order = [key for _, _, key in sorted(picked)]
            _build(case_id, ref, actor, order, title=title, dividers=dividers, group=group,
                   max_mb=int(max_mb), previous=previous, append=append, embed=embed)  # fmt: skip
    _show_result(case_id)


def _role() -> str | None:
    user = current_user()
    return user.role if user else None


def _build(case_id, ref, actor, order, *, title, dividers, group, max_mb, previous, append,
           embed=False) -> None:  # fmt: skip
    bar = st.progress(0.0, text=tr("evidence.bundle.progress", done=0, total=len(order)))

    def progress(done: int, total: int) -> None:
        bar.progress(min(done / total, 1.0) if total else 0.0,
                     text=tr("evidence.bundle.progress", done=done, total=total))  # fmt: skip

    stamp = now().astimezone(ZoneInfo(get_settings().timezone)).strftime("%Y%m%d-%H%M%S")
    out = get_settings().output_dir / "bundles" / ref / f"{ref}-{stamp}.pdf"
    overrides = {"title": title or "证据材料", "dividers": dividers, "embed_fonts": embed}
    if max_mb:
        overrides["max_volume_bytes"] = max_mb * 1024 * 1024
    try:
        with session() as s:
            options = default_bundle_options(s, case_id=case_id, on=today(), **overrides)
            result = build_case_bundle(
                s, case_id=case_id, out=out, options=options, actor=actor, now=now(),
                progress=progress, order=order, group_by_category=group,
                previous=previous, append=append, role=_role(),
            )  # fmt: skip
    except (ValueError, LookupError, OSError) as exc:
        bar.empty()
        st.error(tr("evidence.bundle.failed", error=str(exc)))
        return
    st.session_state[RESULT] = {
        "case_id": case_id,
        "volumes": [str(v) for v in result.volumes],
        "sha256": list(result.sha256),
        "pages": result.page_count,
        "rows": [(r.label, r.name, r.pages_text) for r in result.rows],
        "fonts": [
            (r.label, list(r.fonts_missing), list(r.fonts_substituted))
            for r in result.rows
            if r.fonts_missing
        ],  # fmt: skip
        "embed_fonts": embed,
        "changes": [
            (c.status, c.name, c.old_label or DASH, c.label or DASH) for c in result.changes
        ],
    }


def _show_fonts(fonts: list, *, embedded: bool) -> None:
    """Exhibits whose own fonts are not embedded: which, and whether the bundle embedded
    substitutes (the same note is in the 证据目录 row)."""
    if not fonts:
        return
    lines = []
    for label, missing, substituted in fonts:
        line = tr("evidence.bundle.fonts_row", label=label, fonts=", ".join(missing))
        if substituted:
            line += tr("evidence.bundle.fonts_substituted", fonts=", ".join(substituted))
        kept = [f for f in missing if f not in substituted]
        if kept:
            line += tr("evidence.bundle.fonts_kept", fonts=", ".join(kept))
        lines.append(line)
    unresolved = any(len(m) > len(s) for _, m, s in fonts)
    (st.warning if unresolved else st.info)(tr("evidence.bundle.fonts_header"))
    st.markdown("\n".join(f"- {md(line)}" for line in lines))
    if unresolved and not embedded:
        st.caption(tr("evidence.bundle.fonts_hint"))


def _show_result(case_id: int) -> None:
    res = st.session_state.get(RESULT)
    if not res or res["case_id"] != case_id:
        return
    st.success(tr("evidence.bundle.done", pages=res["pages"], volumes=len(res["volumes"])))
    if res["changes"]:
        st.warning(tr("evidence.bundle.changes"))
        st.markdown("\n".join(
            "- " + tr("evidence.bundle.change_row", status=s, name=n, old=o, new=w)
            for s, n, o, w in res["changes"]
        ))  # fmt: skip
    st.markdown("\n".join(f"- {label} · {name} · {pages}" for label, name, pages in res["rows"]))
    _show_fonts(res.get("fonts", []), embedded=res.get("embed_fonts", False))
    for n, (volume, sha) in enumerate(zip(res["volumes"], res["sha256"], strict=True)):
        path = Path(volume)
        if path.is_file():
            st.download_button(tr("evidence.bundle.download", name=path.name), path.read_bytes(),
                               file_name=path.name, mime="application/pdf", key=f"{K}bundle.{n}")  # fmt: skip
        st.caption(tr("evidence.bundle.sha", sha=sha))
