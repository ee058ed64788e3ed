"""The page plan of a bundle: numbering, sections, volumes. Pure functions, no PDF.

A bundle is, per volume: a cover; in volume 1 the 证据目录 of the first section;
then the exhibits (a 补充证据目录 before the first exhibit of every later section,
a divider before each exhibit when asked); after the last exhibit of the last
volume the manifest pages. Page numbers run on across volumes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from legal_track.pdf.model import BundleError, ExhibitInput

_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 21 -> 二十一 (1 … 99)."""
    if not 1 <= n <= 99:
        raise ValueError(f"chinese_numeral supports 1-99, not {n}")
    tens, ones = divmod(n, 10)
    text = ("" if tens == 1 else _DIGITS[tens]) + "十" if tens else ""
    return text + (_DIGITS[ones] if ones else "")


def volume_name(n: int) -> str:
    return f"卷{chinese_numeral(n)}"


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def supplement_title(section: int) -> str:
    """补充证据目录 for section 1, 补充证据目录（二） for section 2 …"""
    base = "补充证据目录"
    return base if section == 1 else f"{base}（{chinese_numeral(section)}）"


def assign_labels(exhibits: Sequence[ExhibitInput], *, start: int = 1) -> list[str]:
    """证据1, 证据2 …; adjacent exhibits sharing a group get 证据3-1, 证据3-2 …

    An explicit ``label`` is kept as given. Labels must be unique and a group's
    exhibits adjacent; otherwise :class:`BundleError` names the exhibit.
    """
    labels: list[str] = []
    number = start - 1
    closed: set[str] = set()
    current: str | None = None
    member = 0
    for position, item in enumerate(exhibits):
        group = item.group
        if group is not None and group == current:
            member += 1
        else:
            if current is not None:
                closed.add(current)
            if group is not None and group in closed:
                raise BundleError(
                    f"exhibit {position + 1} ({item.path}): group {group!r} is split; "
                    "the exhibits of a group must be adjacent"
                )
            current, member = group, 1
            number += 1
        automatic = f"证据{number}-{member}" if group is not None else f"证据{number}"
        labels.append(item.label.strip() if item.label and item.label.strip() else automatic)
    seen: dict[str, int] = {}
    for position, label in enumerate(labels):
        if label in seen:
            raise BundleError(
                f"exhibit {position + 1} ({exhibits[position].path}): label {label!r} "
                f"is already used by exhibit {seen[label] + 1}"
            )
        seen[label] = position
    return labels


@dataclass(frozen=True)
class Slot:
    """One page of the bundle."""

    number: int  # continuous page number, 1-based
    volume: int  # 1-based
    kind: str  # cover | index | divider | exhibit | manifest
    key: tuple  # (kind, volume) / (kind, section, n) / (kind, exhibit) / (kind, exhibit, page)
    exhibit: int | None = None  # position of the exhibit
    section: int | None = None


@dataclass(frozen=True)
class Layout:
    slots: list[Slot]
    first_pages: list[int]  # per exhibit: first content page (after its divider)
    volume_ranges: list[tuple[int, int]]  # per volume: first and last page number

    @property
    def total(self) -> int:
        return len(self.slots)


def lay_out(
    *,
    page_counts: Sequence[int],
    sections: Sequence[int],
    volume_of: Sequence[int],
    index_pages: Sequence[int],
    manifest_pages: int,
    dividers: bool,
) -> Layout:
    """Place every page. ``sections`` are exhibit counts per section; ``volume_of``
    the 1-based volume of each exhibit (non-decreasing, starting at 1);
    ``index_pages`` the page count of each section's index."""
    starts = set()
    position = 0
    section_of: list[int] = []
    for s, count in enumerate(sections):
        if s > 0:
            starts.add(position)
        section_of += [s] * count
        position += count
    if position != len(page_counts) or len(volume_of) != len(page_counts):
        raise BundleError("internal: sections and volumes do not match the exhibits")
    slots: list[Slot] = []
    first_pages = [0] * len(page_counts)
    ranges: list[tuple[int, int]] = []

    def add(volume: int, kind: str, key: tuple, exhibit=None, section=None) -> None:
        slots.append(Slot(len(slots) + 1, volume, kind, key, exhibit, section))

    volume_count = max(volume_of) if volume_of else 1
    for volume in range(1, volume_count + 1):
        begin = len(slots) + 1
        add(volume, "cover", ("cover", volume))
        if volume == 1:
            for n in range(index_pages[0]):
                add(volume, "index", ("index", 0, n), section=0)
        for e, count in enumerate(page_counts):
            if volume_of[e] != volume:
                continue
            if e in starts:
                s = section_of[e]
                for n in range(index_pages[s]):
                    add(volume, "index", ("index", s, n), section=s)
            if dividers:
                add(volume, "divider", ("divider", e), exhibit=e, section=section_of[e])
            first_pages[e] = len(slots) + 1
            for p in range(count):
                add(volume, "exhibit", ("exhibit", e, p), exhibit=e, section=section_of[e])
        if volume == volume_count:
            for n in range(manifest_pages):
                add(volume, "manifest", ("manifest", n))
        ranges.append((begin, len(slots)))
    return Layout(slots=slots, first_pages=first_pages, volume_ranges=ranges)


def pack_volumes(
    sizes: Sequence[int], *, limit: int | None, overhead: int, where: Sequence[str]
) -> list[int]:
    """Greedy, in order: the 1-based volume of each exhibit so that each volume's
    estimated size (``overhead`` + its exhibits) stays within ``limit``."""
    if not limit:
        return [1] * len(sizes)
    budget = limit - overhead
    volumes, volume, used = [], 1, 0
    for size, name in zip(sizes, where, strict=True):
        if size > budget:
            raise BundleError(
                f"{name}: {size / 1_000_000:.1f} MB does not fit in a volume of "
                f"{limit / 1_000_000:g} MB (with the cover and stamps); raise the limit "
                "or split the exhibit"
            )
        if used and used + size > budget:
            volume, used = volume + 1, 0
        used += size
        volumes.append(volume)
    return volumes
