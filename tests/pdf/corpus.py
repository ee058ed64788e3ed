"""Real-world exhibit PDFs for the integrity tests, generated on the fly.

Each generator writes a PDF the way a producer met in practice writes it: a LibreOffice
Writer form (AcroForm widgets whose appearance streams share the page's resources),
annotations added with pypdf (links, a sticky note with its popup, a text field),
fpdf2's own links and notes, qpdf's linearized and object-stream output, pypdf's
incremental update and a hand-appended update section. Nothing binary is checked in.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from fpdf import FPDF
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import FreeText, Link, Popup, Text
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from tests.pdf.samples import FIXED

A4 = (595.28, 841.89)

_FODT_NS = " ".join(
    f'xmlns:{prefix}="{uri}"'
    for prefix, uri in (
        ("office", "urn:oasis:names:tc:opendocument:xmlns:office:1.0"),
        ("style", "urn:oasis:names:tc:opendocument:xmlns:style:1.0"),
        ("text", "urn:oasis:names:tc:opendocument:xmlns:text:1.0"),
        ("draw", "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"),
        ("fo", "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"),
        ("xlink", "http://www.w3.org/1999/xlink"),
        ("svg", "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"),
        ("form", "urn:oasis:names:tc:opendocument:xmlns:form:1.0"),
        # LibreOffice drops the whole form layer when these are not declared
        ("script", "urn:oasis:names:tc:opendocument:xmlns:script:1.0"),
        ("dom", "http://www.w3.org/2001/xml-events"),
        ("xforms", "http://www.w3.org/2002/xforms"),
        ("ooo", "http://openoffice.org/2004/office"),
    )
)


def _control(kind: str, n: int, name: str, attrs: str) -> str:
    implementation = {"text": "TextField", "checkbox": "CheckBox"}[kind]
    return (
        f'<form:{kind} form:name="{name}" xml:id="control{n}" form:id="control{n}" '
        f'form:control-implementation="ooo:com.sun.star.form.component.{implementation}" {attrs}>'
        "<form:properties>"
        '<form:property form:property-name="DefaultControl" office:value-type="string" '
        f'office:string-value="com.sun.star.form.control.{implementation}"/>'
        f"</form:properties></form:{kind}>"
    )


FORM_FODT = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document {_FODT_NS} office:version="1.3"
 office:mimetype="application/vnd.oasis.opendocument.text">
 <office:automatic-styles>
  <style:style style:name="gr1" style:family="graphic">
   <style:graphic-properties style:vertical-pos="top" style:vertical-rel="baseline"/>
  </style:style>
  <style:style style:name="P2" style:family="paragraph">
   <style:paragraph-properties fo:break-before="page"/>
  </style:style>
 </office:automatic-styles>
 <office:body>
  <office:text>
   <office:forms form:automatic-focus="false" form:apply-design-mode="false">
    <form:form form:name="Standard" form:apply-filter="true" form:command-type="table"
     form:control-implementation="ooo:com.sun.star.form.component.Form">
     {_control("text", 1, "borrower", 'form:current-value="Zhang San" form:value="Zhang San"')}
     {_control("text", 2, "amount", 'form:current-value="10000.00" form:value="10000.00"')}
     {_control("checkbox", 3, "signed", 'form:current-state="checked" form:state="checked" form:label="signed"')}
    </form:form>
   </office:forms>
   <text:p>LOAN CONFIRMATION {{marker}}</text:p>
   <text:p>Borrower: <draw:control text:anchor-type="as-char" draw:z-index="0" draw:style-name="gr1"
    svg:width="6cm" svg:height="0.8cm" draw:control="control1"/></text:p>
   <text:p>Amount: <draw:control text:anchor-type="as-char" draw:z-index="1" draw:style-name="gr1"
    svg:width="4cm" svg:height="0.8cm" draw:control="control2"/></text:p>
   <text:p><draw:control text:anchor-type="as-char" draw:z-index="2" draw:style-name="gr1"
    svg:width="4cm" svg:height="0.8cm" draw:control="control3"/></text:p>
   <text:p text:style-name="P2">REPAYMENT SCHEDULE <text:a xlink:type="simple"
    xlink:href="https://example.com/loan/42">https://example.com/loan/42</text:a></text:p>
  </office:text>
 </office:body>
</office:document>
"""


def libreoffice_form(folder: Path, soffice: str, *, marker: str = "A") -> Path:
    """A two-page LibreOffice Writer form exported to PDF: AcroForm text fields and a
    checkbox on page 1, a hyperlink on page 2. Converted with its own profile."""
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / f"form{marker}.fodt"
    source.write_text(FORM_FODT.replace("{marker}", marker), encoding="utf-8")
    profile = folder / f"lo-profile-{marker}"
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(folder), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    pdf = source.with_suffix(".pdf")
    assert pdf.is_file(), f"LibreOffice wrote no {pdf.name}"
    return pdf


def fpdf_pages(path: Path, texts: list[str], *, links: bool = False) -> Path:
    """fpdf2 pages (Helvetica, not embedded); with ``links`` also fpdf2's own internal
    link, URI link and text note annotations."""
    pdf = FPDF(unit="pt", format=A4)
    pdf.set_creation_date(FIXED)
    pdf.set_font("Helvetica", size=14)
    target = pdf.add_link(page=len(texts)) if links else None
    for n, text in enumerate(texts):
        pdf.add_page()
        pdf.text(40, 80, text)
        pdf.rect(40, 120, 300, 80)
        if links and n == 0:
            pdf.link(40, 60, 120, 24, target)
            pdf.link(40, 220, 200, 24, "https://example.com/contract")
            pdf.text_annotation(400, 100, "checked by legal", w=20, h=20)
    pdf.output(str(path))
    return path


def pypdf_annotated(path: Path, source: Path) -> Path:
    """``source`` with annotations added by pypdf: an internal link, a URI link, a sticky
    note with its popup, a free-text note and a text-field widget whose appearance
    stream shares the page's resources (the way LibreOffice writes its forms)."""
    writer = PdfWriter(clone_from=PdfReader(source))
    writer.add_annotation(0, Link(rect=(40, 60, 160, 84), target_page_index=len(writer.pages) - 1))
    writer.add_annotation(0, Link(rect=(40, 220, 240, 244), url="https://example.com/a?b=1"))
    note = writer.add_annotation(0, Text(rect=(400, 700, 420, 720), text="已核对原件", open=False))
    popup = Popup(rect=(420, 600, 560, 700), parent=note, open=False)
    writer.add_annotation(0, popup)
    writer.add_annotation(
        0, FreeText(text="received 2026-01-05", rect=(300, 300, 500, 330), font_size="10pt")
    )
    _add_text_field(writer, 0, "borrower", "Zhang San", (200, 400, 400, 424))
    writer.write(path)
    return path


def _add_text_field(writer: PdfWriter, index: int, name: str, value: str, rect) -> None:
    page = writer.pages[index]
    resources = page["/Resources"]
    if not hasattr(resources, "indirect_reference") or resources.indirect_reference is None:
        page[NameObject("/Resources")] = writer._add_object(resources)
    shared = page.raw_get("/Resources")  # the page's own resources, shared with the widget
    font = next(iter(page["/Resources"]["/Font"]))
    x0, y0, x1, y1 = rect
    appearance = DecodedStreamObject()
    appearance.set_data(f"/Tx BMC q BT {font} 10 Tf 2 6 Td ({value}) Tj ET Q EMC".encode())
    appearance.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject([FloatObject(0), FloatObject(0),
                                              FloatObject(x1 - x0), FloatObject(y1 - y0)]),
            NameObject("/Resources"): shared,
        }
    )  # fmt: skip
    widget = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/FT"): NameObject("/Tx"),
            NameObject("/T"): TextStringObject(name),
            NameObject("/V"): TextStringObject(value),
            NameObject("/F"): NumberObject(4),
            NameObject("/DA"): TextStringObject(f"{font} 10 Tf 0 g"),
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in rect]),
            NameObject("/P"): page.indirect_reference,
            NameObject("/AP"): DictionaryObject({NameObject("/N"): writer._add_object(appearance)}),
        }
    )
    ref = writer._add_object(widget)
    if "/Annots" not in page:
        page[NameObject("/Annots")] = ArrayObject()
    page["/Annots"].get_object().append(ref)
    writer.root_object[NameObject("/AcroForm")] = DictionaryObject(
        {
            NameObject("/Fields"): ArrayObject([ref]),
            NameObject("/DR"): DictionaryObject({NameObject("/Font"): page["/Resources"].raw_get("/Font")}),
            NameObject("/NeedAppearances"): BooleanObject(True),
        }
    )  # fmt: skip


def qpdf_linearized(path: Path, source: Path, qpdf: str) -> Path:
    subprocess.run([qpdf, "--linearize", str(source), str(path)], check=True)
    return path


def qpdf_object_streams(path: Path, source: Path, qpdf: str) -> Path:
    subprocess.run(
        [qpdf, "--object-streams=generate", "--compress-streams=y", str(source), str(path)],
        check=True,
    )
    return path


def pypdf_incremental(path: Path, source: Path) -> Path:
    """``source`` plus one incremental update by pypdf (a note and a new info entry): the
    original bytes stay in front, the update follows."""
    writer = PdfWriter(source, incremental=True)
    writer.add_annotation(0, Text(rect=(500, 760, 520, 780), text="second revision"))
    writer.add_metadata({"/Subject": "incremental update"})
    writer.write(path)
    assert path.read_bytes().startswith(source.read_bytes()), "not an incremental update"
    return path


def appended_update(path: Path, source: Path, *, page: int = 1, marker: str = "REVISED") -> Path:
    """``source`` with a hand-written update section appended that replaces the content
    stream of ``page`` (1-based): what a signing tool or an annotator leaves behind.
    ``source`` must have a classic xref table (fpdf2 output has)."""
    data = source.read_bytes()
    reader = PdfReader(source)
    contents = reader.pages[page - 1].raw_get("/Contents")
    number = contents.idnum
    prev = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    root = reader.trailer.raw_get("/Root")
    size = int(reader.trailer["/Size"])
    body = (
        f"q 0.8 0 0 rg 40 500 200 60 re f Q BT /F1 14 Tf 40 80 Td ({marker} page {page}) Tj ET"
    ).encode()
    font = next(iter(reader.pages[page - 1]["/Resources"]["/Font"]))
    body = body.replace(b"/F1", font.encode())
    out = bytearray(data if data.endswith(b"\n") else data + b"\n")
    offset = len(out)
    out += b"%d 0 obj\n<< /Length %d >>\nstream\n" % (number, len(body)) + body
    out += b"\nendstream\nendobj\n"
    xref = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n%d 1\n%010d 00000 n \n" % (number, offset)
    out += b"trailer\n<< /Size %d /Root %d %d R /Prev %d >>\n" % (
        size, root.idnum, root.generation, prev,
    )  # fmt: skip
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    path.write_bytes(bytes(out))
    return path
