"""Small building blocks shared by the pages: labels from the catalog, money, dates,
fact grids and read-only tables. Rendering only; no queries here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import streamlit as st

from legal_track.config import get_settings
from legal_track.money import format_yuan
from legal_track.ui.context import tr

DASH = "—"
_MD_SPECIAL = "\\`*_{}[]<>()#+-.!|~$"

# Badge colour per stage family (prefix of the stage value).
_STAGE_COLOURS = {"demand": "orange", "lit": "blue", "arb": "violet", "po": "primary"}


def label(prefix: str, value: object) -> str:
    """The catalog text for `prefix.value` (stage, route, role, channel, ...); the raw
    value when the catalog has no entry (data from a newer version, say)."""
    if value is None or value == "":
        return DASH
    raw = getattr(value, "value", value)
    try:
        return tr(f"{prefix}.{raw}")
    except KeyError:
        return str(raw)


def md(text: object) -> str:
    """Escape text for st.markdown: masked numbers are full of '*'."""
    if text is None or text == "":
        return DASH
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(text))


def money(amount: Decimal | None) -> str:
    return DASH if amount is None else f"¥{format_yuan(amount)}"


def day(value: date | None) -> str:
    return DASH if value is None else value.isoformat()


def local_time(value: datetime | None) -> str:
    """A stored UTC timestamp shown in the configured time zone."""
    if value is None:
        return DASH
    return value.astimezone(ZoneInfo(get_settings().timezone)).strftime("%Y-%m-%d %H:%M")


def rate(value: Decimal | None) -> str:
    if value is None:
        return DASH
    return f"{(value * 100).normalize():f}%"


def stage_badge(stage: str) -> None:
    colour = _STAGE_COLOURS.get(stage.split("_", 1)[0], "gray")
    if stage == "closed":
        colour = "gray"
    elif stage.startswith("enf_"):
        colour = "green"
    st.badge(label("stage", stage), color=colour)  # type: ignore[arg-type]


def page_title(title: str, caption: str | None = None) -> None:
    st.title(title, anchor=False)
    if caption:
        st.caption(caption)


def facts(items: Sequence[tuple[str, object]], *, columns: int = 4) -> None:
    """A grid of label / value pairs (values escaped; empty shows a dash)."""
    cols = st.columns(columns)
    for i, (name, value) in enumerate(items):
        with cols[i % columns]:
            st.caption(name)
            st.markdown(md(value))


def section(title: str) -> None:
    """A heading inside a page or tab: bold text (st.subheader is too loud inside tabs)."""
    st.markdown(f"**{md(title)}**")


ROW_PX, HEADER_PX, MAX_PX = 35, 38, 640


def table_height(rows: int) -> int:
    """Tall enough to show every row of a page without an inner scroll bar (up to MAX_PX)."""
    return min(MAX_PX, HEADER_PX + ROW_PX * max(rows, 1) + 6)


def table(
    rows: Iterable[Mapping[str, object]],
    *,
    key: str,
    column_config: Mapping[str, object] | None = None,
    empty: str | None = None,
) -> None:
    """A read-only table with translated headers. `rows` map catalog keys to values;
    amounts (text starting with ¥) are right-aligned."""
    rows = list(rows)
    if not rows:
        st.caption(empty or tr("ui.table.empty"))
        return
    headers = {k: tr(k) for k in rows[0]}
    config: dict[str, object] = {
        headers[k]: st.column_config.TextColumn(alignment="right")
        for k, v in rows[0].items()
        if isinstance(v, str) and v.startswith("¥")
    }
    config |= {headers[k]: v for k, v in (column_config or {}).items()}
    data = [{headers[k]: v for k, v in row.items()} for row in rows]
    st.dataframe(
        data, key=key, hide_index=True, column_config=config, height=table_height(len(rows))
    )
