"""Check a bundle volume against its embedded manifest and, optionally, the register.

:func:`verify_bundle` recomputes every page's content and stamp digest and the
index links, and names the first page that differs. Given ``lookup`` (SHA-256 ->
stored file) it also checks that each exhibit's file still exists, still has its
hash, and still produces exactly the pages found in the bundle.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject

from legal_track.pdf.digest import Digester
from legal_track.pdf.manifest import read_manifest
from legal_track.pdf.model import BundleError, ExhibitError, ExhibitInput
from legal_track.pdf.normalize import content_parts, open_exhibit, straighten

Lookup = Mapping[str, Path] | Callable[[str], Path | None]


@dataclass(frozen=True)
class VerifyProblem:
    """One difference. ``kind`` is a key of the ``bundle.verify.*`` messages."""

    kind: str
    message: str
    page: int | None = None
    exhibit: str | None = None

    def text(self, lang: str = "zh") -> str:
        """The problem in the user's language."""
        from legal_track.i18n import t

        return t(
            f"bundle.verify.{self.kind}",
            lang,
            page=self.page if self.page is not None else "",
            exhibit=self.exhibit or "",
            detail=self.message,
        )


@dataclass(frozen=True)
class VerifyReport:
    path: Path
    bundle_id: str = ""
    volume: int = 0
    volume_count: int = 0
    page_count: int = 0
    pages_checked: int = 0
    exhibits_checked: int = 0
    problems: list[VerifyProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first(self) -> VerifyProblem | None:
        return self.problems[0] if self.problems else None


def verify_bundle(path: Path, *, lookup: Lookup | None = None) -> VerifyReport:
    """Verify one bundle file (one volume). Never raises for a bad bundle: the
    report lists the problems, the first page or exhibit that differs first."""
    path = Path(path)
    try:
        reader = PdfReader(path)
        pages = list(reader.pages)
    except Exception as exc:  # noqa: BLE001  any read failure is a finding
        return VerifyReport(path=path, problems=[VerifyProblem("unreadable", str(exc))])
    try:
        manifest = read_manifest(reader)
    except BundleError as exc:
        return VerifyReport(
            path=path, page_count=len(pages), problems=[VerifyProblem("no_manifest", str(exc))]
        )
    rows = manifest["rows"]
    records = manifest["pages"]
    first = manifest["first_page"]
    problems: list[VerifyProblem] = []
    if len(pages) != len(records):
        problems.append(
            VerifyProblem(
                "page_count", f"the file has {len(pages)} pages, the manifest {len(records)}"
            )
        )
    digester = Digester()
    allowed_substitutes = set(manifest.get("font_substitutes", []))
    for page, record in zip(pages, records, strict=False):
        label = record.get("label") or ""
        met = set(digester.substitutes)
        try:
            content, stamp = digester.page_digests(page, stamp_font=manifest["stamp_font"])
        except Exception as exc:  # noqa: BLE001  a damaged page object
            problems.append(VerifyProblem("page_changed", str(exc), record["n"], label))
            continue
        if digester.substitutes - met - allowed_substitutes:
            # a substitute font the bundle did not embed: the page digest hashes the
            # original font in its place, so this is where a changed program shows
            problems.append(
                VerifyProblem("page_changed", "substitute font differs", record["n"], label)
            )
        elif content != record["content"]:
            problems.append(VerifyProblem("page_changed", "content differs", record["n"], label))
        elif stamp != record["stamp"]:
            problems.append(VerifyProblem("stamp_changed", "stamp differs", record["n"], label))
        elif stamp and not _stamp_font_ok(page, manifest, digester):
            problems.append(
                VerifyProblem("stamp_changed", "stamp font differs", record["n"], label)
            )
    problems += _check_links(pages, manifest, first)
    checked = 0
    if lookup is not None:
        for position, (row, info) in enumerate(zip(rows, manifest["files"], strict=True)):
            if row["volume"] != manifest["volume"]:
                continue
            checked += 1
            problems += _check_exhibit(position, row, info, records, lookup, pages, manifest)
    problems.sort(key=lambda p: (p.page is None, p.page or 0))
    return VerifyReport(
        path=path,
        bundle_id=manifest.get("bundle_id", ""),
        volume=manifest["volume"],
        volume_count=manifest["volume_count"],
        page_count=len(pages),
        pages_checked=min(len(pages), len(records)),
        exhibits_checked=checked,
        problems=problems,
    )


def _check_links(pages, manifest, first: int) -> list[VerifyProblem]:
    """Every recorded index link still exists and still points at its exhibit."""
    problems = []
    files = manifest.get("volume_files", [])
    for link in manifest.get("links", []):
        index = link["page"] - first
        if not 0 <= index < len(pages):
            continue
        found = None
        annots = pages[index].get("/Annots")
        for ref in annots.get_object() if annots is not None else ():
            annot = ref.get_object()
            rect = [round(float(v), 2) for v in annot.get("/Rect", [])]
            if annot.get("/Subtype") == "/Link" and rect == link["rect"]:
                found = annot
                break
        expected = (files[link["volume"] - 1] if files else None, link["dest_index"])
        actual = _link_target(found, pages, files[manifest["volume"] - 1] if files else None)
        if actual != expected:
            problems.append(
                VerifyProblem(
                    "link_changed",
                    f"index link to page {link['target']} points elsewhere ({actual})",
                    link["page"],
                    manifest["rows"][link["exhibit"]]["label"],
                )
            )
    return problems


def _link_target(annot: DictionaryObject | None, pages, this_file) -> tuple | None:
    """(file name, 0-based page index) a link annotation leads to."""
    if annot is None:
        return None
    dest = annot.get("/Dest")
    if dest is not None:
        dest = dest.get_object()
        if isinstance(dest, ArrayObject) and dest:
            for n, page in enumerate(pages):
                if page.indirect_reference == dest[0]:
                    return (this_file, n)
        return None
    action = annot.get("/A")
    action = action.get_object() if action is not None else None
    if isinstance(action, DictionaryObject) and action.get("/S") == "/GoToR":
        target = action.get("/D")
        target = target.get_object() if target is not None else None
        if isinstance(target, ArrayObject) and target:
            return (str(action.get("/F")), int(target[0]))
    return None


def _stamp_font_ok(page, manifest, digester: Digester) -> bool:
    """The page's stamp font is the one the bundle was built with (bundles from before
    the manifest recorded its digest are not checked)."""
    expected = manifest.get("stamp_font_digest")
    if not expected:
        return True
    try:
        font = page["/Resources"]["/Font"].raw_get(manifest["stamp_font"])
    except (KeyError, TypeError, AttributeError):
        return False
    return digester.object_digest(font) == expected


def _check_exhibit(position, row, info, records, lookup: Lookup, pages, manifest):
    label = row["label"]
    sha = info["sha256"]
    found = lookup.get(sha) if isinstance(lookup, Mapping) else lookup(sha)
    if found is None:
        return [VerifyProblem("not_registered", f"SHA-256 {sha}", row["first_page"], label)]
    stored = Path(found)
    if not stored.is_file():
        return [VerifyProblem("file_missing", str(stored), row["first_page"], label)]
    digest = hashlib.sha256(stored.read_bytes()).hexdigest()
    if digest != sha:
        return [VerifyProblem("file_changed", f"{stored}: {digest}", row["first_page"], label)]
    try:
        exhibit = open_exhibit(ExhibitInput(path=stored, name=row["name"]), position=0, label=label)
    except ExhibitError as exc:
        return [VerifyProblem("file_unreadable", str(exc), row["first_page"], label)]
    expected = [r for r in records if r.get("exhibit") == position]
    differs = _first_difference(exhibit, expected)
    if differs is not None and expected:
        # Bundles built before the stamper kept to its own dictionaries wrote the stamp
        # font into resources the page shared (with its form widgets, with its sibling
        # pages); their manifests describe that. Reproduce it before calling the
        # exhibit changed: the first page that differs either way is the real one.
        bundle_page = pages[expected[0]["n"] - manifest["first_page"]]
        legacy = _first_difference(exhibit, expected, legacy=(bundle_page, manifest["stamp_font"]))
        differs = None if legacy is None else max(differs, legacy, key=lambda r: r["n"])
    if differs is not None:
        return [
            VerifyProblem(
                "exhibit_differs",
                f"page {differs['exhibit_page']} of {stored.name}",
                differs["n"],
                label,
            )
        ]
    if len(expected) != exhibit.page_count:
        return [
            VerifyProblem(
                "exhibit_differs",
                f"{stored.name} has {exhibit.page_count} pages, the bundle {len(expected)}",
                row["first_page"],
                label,
            )
        ]
    return []


def _first_difference(exhibit, expected, *, legacy=None) -> dict | None:
    """The first manifest record whose page the exhibit file does not reproduce.

    Each page is copied into a fresh writer and straightened exactly as the bundle does;
    with ``legacy=(bundle_page, font_name)`` the bundle page's stamp font is also written
    into the copies' (possibly shared) font dictionaries, as bundles before
    ``stamp_font_digest`` did."""
    writer = PdfWriter()
    digester = Digester()
    copies = []
    for page in exhibit.reader.pages[: len(expected)]:
        copy = writer.add_page(page)
        straighten(copy, writer)
        copies.append(copy)
    drop = None
    if legacy is not None:
        bundle_page, drop = legacy
        try:
            font = bundle_page["/Resources"]["/Font"].raw_get(drop)
        except (KeyError, TypeError, AttributeError):
            return expected[0]
        for copy in copies:
            legacy_add_font(copy, drop, font)
    for record, copy in zip(expected, copies, strict=False):
        content = digester.content_digest(copy, _parts(copy), drop_font=drop)
        if content != record["content"]:
            return record
    return None


def legacy_add_font(page: DictionaryObject, name: str, font_ref) -> None:
    """How bundles before ``stamp_font_digest`` added the stamp font: into the page's
    resources and font dictionaries in place, shared or not."""
    resources = page.get("/Resources")
    if resources is None:
        resources = DictionaryObject()
        page[NameObject("/Resources")] = resources
    resources = resources.get_object()
    fonts = resources.get("/Font")
    if fonts is None:
        fonts = DictionaryObject()
        resources[NameObject("/Font")] = fonts
    fonts.get_object()[NameObject(name)] = font_ref


def _parts(page: DictionaryObject) -> list:
    return [ref.get_object() for ref in content_parts(page)]
