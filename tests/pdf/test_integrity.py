"""Evidence integrity on real-world PDFs: an untouched exhibit verifies against its file,
a page drawn differently is an `exhibit_differs`, whoever produced the PDF.

The corpus (tests/pdf/corpus.py) is generated here: a LibreOffice Writer form, pypdf and
fpdf2 annotations, qpdf linearized and object-stream files, incremental updates.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, TextStringObject
from typer.testing import CliRunner

from legal_track.cli import app
from legal_track.pdf import stamp, verify
from legal_track.pdf.bundle import BundleOptions, ExhibitInput, build_bundle, verify_bundle
from legal_track.pdf.digest import Digester
from legal_track.pdf.manifest import MANIFEST_NAME, dumps, read_manifest
from tests.components import require_binary
from tests.pdf import corpus

ON = date(2026, 11, 29)
runner = CliRunner()


def _libreoffice(folder: Path) -> Path:
    return corpus.libreoffice_form(folder, require_binary("soffice", "libreoffice-writer-nogui"))


def _qpdf() -> str:
    return require_binary("qpdf", "qpdf")


# case -> how to make it in a folder (each returns the exhibit file)
MAKERS: dict[str, Callable[[Path], Path]] = {
    "libreoffice-form": _libreoffice,
    "libreoffice-form-object-streams": lambda d: corpus.qpdf_object_streams(
        d / "lo-objstm.pdf", _libreoffice(d / "lo"), _qpdf()
    ),
    "fpdf2-links-and-notes": lambda d: corpus.fpdf_pages(
        d / "fpdf-links.pdf", ["LINKS 1", "LINKS 2"], links=True
    ),
    "pypdf-annotations": lambda d: corpus.pypdf_annotated(
        d / "annotated.pdf", corpus.fpdf_pages(d / "base.pdf", ["ONE", "TWO", "THREE"])
    ),
    "qpdf-linearized": lambda d: corpus.qpdf_linearized(
        d / "linear.pdf", MAKERS["pypdf-annotations"](d), _qpdf()
    ),
    "qpdf-object-streams": lambda d: corpus.qpdf_object_streams(
        d / "objstm.pdf", MAKERS["pypdf-annotations"](d), _qpdf()
    ),
    "pypdf-incremental": lambda d: corpus.pypdf_incremental(
        d / "incremental.pdf", MAKERS["pypdf-annotations"](d)
    ),
    "appended-update": lambda d: corpus.appended_update(
        d / "appended.pdf", corpus.fpdf_pages(d / "plain.pdf", ["FIRST", "SECOND"]), page=2
    ),
}
WITH_WIDGETS = ["libreoffice-form", "libreoffice-form-object-streams", "pypdf-annotations",
                "qpdf-linearized", "qpdf-object-streams", "pypdf-incremental"]  # fmt: skip
WITH_LINKS = ["libreoffice-form", "fpdf2-links-and-notes", "pypdf-annotations", "qpdf-linearized"]


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Callable[[str], Path]:
    """The corpus file of a case, made once per module, alone in its own folder."""
    cache: dict[str, Path] = {}

    def get(case: str) -> Path:
        if case not in cache:
            work = tmp_path_factory.mktemp(case)
            (work / "make").mkdir()
            made_file = MAKERS[case](work / "make")
            source = work / "source"
            source.mkdir()
            cache[case] = Path(shutil.copy(made_file, source / made_file.name))
        return cache[case]

    return get


def _bundle(exhibit: Path, out: Path, font) -> Path:
    other = corpus.fpdf_pages(out.parent / "other.pdf", ["OTHER EXHIBIT"])
    inputs = [ExhibitInput(other, "其他证据"), ExhibitInput(exhibit, "真实文件")]
    result = build_bundle(inputs, BundleOptions("证据", on=ON, prefix="LT-"), out, font=font)
    return result.volumes[0]


def _lookup(*files: Path) -> dict[str, Path]:
    return {hashlib.sha256(f.read_bytes()).hexdigest(): f for f in files}


def _exhibit_pages(bundle: Path) -> list[int]:
    """Bundle page numbers of the second exhibit (the corpus file)."""
    return [r["n"] for r in read_manifest(bundle)["pages"] if r.get("exhibit") == 1]


def _forge(bundle: Path, out: Path, number: int, change) -> Path:
    """Change page ``number`` and rewrite the manifest to match: only the register can
    tell."""
    reader = PdfReader(bundle)
    manifest = read_manifest(reader)
    writer = PdfWriter(clone_from=reader)
    index = number - manifest["first_page"]
    page = writer.pages[index]
    change(page)
    content, stamp_digest = Digester().page_digests(page, stamp_font=manifest["stamp_font"])
    manifest["pages"][index].update(content=content, stamp=stamp_digest)
    names = writer.root_object["/Names"]["/EmbeddedFiles"]["/Names"]
    assert names[0] == MANIFEST_NAME
    names[1].get_object()["/EF"]["/F"].get_object().set_data(dumps(manifest))
    writer.write(out)
    assert verify_bundle(out).ok, "the forgery must be consistent with its own manifest"
    return out


def _redraw(page) -> None:
    """Draw a red box into the exhibit's own content (not into the stamp)."""
    part = page["/Contents"][1].get_object()
    part.set_data(part.get_data() + b"\nq 0.8 0 0 rg 60 60 120 40 re f Q\n")


def _widgets(page) -> list:
    annots = page.get("/Annots")
    found = [a.get_object() for a in (annots.get_object() if annots is not None else ())]
    return [a for a in found if a.get("/Subtype") == "/Widget"]


@pytest.mark.parametrize("case", list(MAKERS))
def test_an_untouched_exhibit_verifies_against_its_file(case, made, tmp_path, cjk_font):
    exhibit = made(case)
    bundle = _bundle(exhibit, tmp_path / "bundle.pdf", cjk_font)
    report = verify_bundle(bundle, lookup=_lookup(exhibit, tmp_path / "other.pdf"))
    assert report.ok, f"{case}: false tamper report {[p.text('en') for p in report.problems]}"
    assert report.exhibits_checked == 2
    checked = runner.invoke(
        app, ["bundle", "verify", str(bundle), "--source", str(exhibit.parent),
              "--source", str(tmp_path / "other.pdf")],
    )  # fmt: skip
    assert checked.exit_code == 0, checked.output
    assert "2 exhibits against their files" in checked.stdout


@pytest.mark.parametrize("case", list(MAKERS))
def test_a_page_drawn_differently_is_caught(case, made, tmp_path, cjk_font):
    exhibit = made(case)
    bundle = _bundle(exhibit, tmp_path / "bundle.pdf", cjk_font)
    number = _exhibit_pages(bundle)[-1]
    forged = _forge(bundle, tmp_path / "forged.pdf", number, _redraw)
    report = verify_bundle(forged, lookup=_lookup(exhibit, tmp_path / "other.pdf"))
    assert [(p.kind, p.page, p.exhibit) for p in report.problems] == [
        ("exhibit_differs", number, "证据2")
    ], f"{case}: expected page {number} to differ from the register's file"
    plain = tmp_path / "plain.pdf"
    writer = PdfWriter(clone_from=PdfReader(bundle))
    _redraw(writer.pages[number - 1])
    writer.write(plain)
    assert [(p.kind, p.page) for p in verify_bundle(plain).problems] == [("page_changed", number)]


@pytest.mark.parametrize("case", WITH_WIDGETS)
def test_a_changed_form_field_appearance_is_caught(case, made, tmp_path, cjk_font):
    exhibit = made(case)
    bundle = _bundle(exhibit, tmp_path / "bundle.pdf", cjk_font)
    number = _exhibit_pages(bundle)[0]

    def change(page):
        widget = _widgets(page)[0]
        appearance = widget["/AP"]["/N"].get_object()
        appearance.set_data(appearance.get_data() + b"\n1 0 0 rg 0 0 4 4 re f\n")

    forged = _forge(bundle, tmp_path / "forged.pdf", number, change)
    problems = verify_bundle(forged, lookup=_lookup(exhibit, tmp_path / "other.pdf")).problems
    assert [(p.kind, p.page) for p in problems] == [("exhibit_differs", number)]


@pytest.mark.parametrize("case", WITH_LINKS)
def test_a_retargeted_web_link_is_caught(case, made, tmp_path, cjk_font):
    exhibit = made(case)
    bundle = _bundle(exhibit, tmp_path / "bundle.pdf", cjk_font)
    for number in _exhibit_pages(bundle):
        page = PdfReader(bundle).pages[number - 1]
        links = [a.get_object() for a in page.get("/Annots", [])]
        if any("/URI" in a.get("/A", {}) for a in links):
            break
    else:
        pytest.fail(f"{case}: the corpus file has no web link")

    def change(page):
        for ref in page["/Annots"]:
            action = ref.get_object().get("/A")
            if action is not None and "/URI" in action:
                action.get_object()[NameObject("/URI")] = TextStringObject("https://evil.example/")

    forged = _forge(bundle, tmp_path / "forged.pdf", number, change)
    problems = verify_bundle(forged, lookup=_lookup(exhibit, tmp_path / "other.pdf")).problems
    assert [(p.kind, p.page) for p in problems] == [("exhibit_differs", number)]


def test_the_stamp_leaves_the_forms_resources_alone(made, tmp_path, cjk_font):
    """The cause of the false reports: the stamp font was written into the page's
    resources, which LibreOffice shares with the widgets' appearances and /DR."""
    exhibit = made("libreoffice-form")
    original = PdfReader(exhibit)
    shared = original.pages[0].raw_get("/Resources")
    widget = _widgets(original.pages[0])[0]
    assert widget["/AP"]["/N"].get_object().raw_get("/Resources") == shared, (
        "the corpus must reproduce LibreOffice's shared resources"
    )
    bundle = _bundle(exhibit, tmp_path / "bundle.pdf", cjk_font)
    name = read_manifest(bundle)["stamp_font"]
    page = PdfReader(bundle).pages[_exhibit_pages(bundle)[0] - 1]
    assert name in page["/Resources"]["/Font"]
    text_fields = [w for w in _widgets(page) if w.get("/FT") == "/Tx"]
    assert len(text_fields) == 2
    for widget in text_fields:
        fonts = widget["/AP"]["/N"].get_object()["/Resources"]["/Font"]
        assert name not in fonts, "the stamp font leaked into a form appearance"


@pytest.mark.parametrize("case", ["libreoffice-form", "pypdf-annotations"])
def test_bundles_built_before_the_fix_still_verify(case, made, tmp_path, cjk_font, monkeypatch):
    """Bundles already filed carry the old in-place stamp font: still no false report, and
    a changed page is still named."""
    exhibit = made(case)
    monkeypatch.setattr(stamp, "add_page_font", verify.legacy_add_font)
    bundle = _bundle(exhibit, tmp_path / "old.pdf", cjk_font)
    monkeypatch.undo()
    lookup = _lookup(exhibit, tmp_path / "other.pdf")
    assert verify_bundle(bundle, lookup=lookup).ok
    number = _exhibit_pages(bundle)[-1]
    forged = _forge(bundle, tmp_path / "forged.pdf", number, _redraw)
    problems = verify_bundle(forged, lookup=lookup).problems
    assert [(p.kind, p.page) for p in problems] == [("exhibit_differs", number)]
