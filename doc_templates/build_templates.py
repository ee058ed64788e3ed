"""Build the shipped document templates: `<id>.docx`, `<id>.toml` and `<id>.sample.json`.

    .venv/bin/python doc_templates/build_templates.py [OUT_DIR]

Each template is laid out with python-docx on A4 in the usual Chinese pleading form
(centred title, parties block, numbered requests, facts and reasons, 此致 + court,
signature block and date, attachments), in "Noto Serif CJK SC" for East Asian and
Latin text. The output is deterministic (fixed zip timestamps and core properties):
running the script again gives identical files, which a test checks. The legal
wording is a starting point that a PRC lawyer must review before use.
"""

from __future__ import annotations

import io
import json
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

HERE = Path(__file__).resolve().parent
for folder in (HERE, HERE.parent):  # the template texts beside this script; the package
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from template_samples import sample_context  # noqa: E402
from template_texts import TEMPLATES, Block  # noqa: E402

from legal_track.documents.viewmodel import DocumentContext  # noqa: E402
from legal_track.documents.zipwriter import write_zip  # noqa: E402

FONT = "Noto Serif CJK SC"
BODY_PT = 14  # 四号
TITLE_PT = 22  # 二号
FIXED_TIME = datetime(2026, 1, 1, tzinfo=UTC)
DROP_PACKAGE_RELS = ("/thumbnail",)
DROP_DOCUMENT_RELS = ("/stylesWithEffects", "/customXml")


def _fonts(rpr) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for key in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(key), FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _setup(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.0), Cm(2.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    _fonts(defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")))
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    _fonts(normal.element.get_or_add_rPr())
    fmt = normal.paragraph_format
    fmt.line_spacing = Pt(28)
    fmt.space_before = fmt.space_after = Pt(0)
    for rel_id, rel in list(doc.part.package.rels.items()):
        if rel.reltype.endswith(DROP_PACKAGE_RELS):
            del doc.part.package.rels[rel_id]
    for rel_id, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith(DROP_DOCUMENT_RELS):
            del doc.part.rels[rel_id]


def _footer(doc) -> None:
    """Small grey footer: case reference and page number (a PAGE field)."""
    para = doc.sections[0].footer.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = para.add_run("{{ case.ref }}　第 ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    inner = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    inner.append(text)
    field.append(inner)
    para._p.append(field)
    tail = para.add_run(" 页")
    for r in (run, tail):
        r.font.size = Pt(9)
        r.font.color.rgb = RGBColor(0x80, 0x80, 0x80)


def _paragraph(doc, block: Block) -> None:
    para = doc.add_paragraph()
    fmt = para.paragraph_format
    run = para.add_run(block.text)
    if block.kind == "title":
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt.space_after = Pt(18)
        fmt.line_spacing = Pt(40)
        run.bold = True
        run.font.size = Pt(TITLE_PT)
    elif block.kind == "center":
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif block.kind == "right":
        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    elif block.kind == "heading":
        run.bold = True
    elif block.kind == "body":
        para.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        fmt.first_line_indent = Pt(BODY_PT * 2)
    elif block.kind == "indent":
        fmt.left_indent = Pt(BODY_PT * 2)
    # "plain" and "tag" paragraphs keep the defaults


def _table(doc, block: Block) -> None:
    header, row, widths = block.table
    table = doc.add_table(rows=4, cols=len(header))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    cells = [
        header,
        [block.text] + [""] * (len(header) - 1),
        row,
        ["{%tr endfor %}"] + [""] * (len(header) - 1),
    ]
    for r, values in enumerate(cells):
        for c, value in enumerate(values):
            cell = table.rows[r].cells[c]
            cell.width = Cm(widths[c])
            para = cell.paragraphs[0]
            para.paragraph_format.line_spacing = Pt(22)
            run = para.add_run(value)
            run.font.size = Pt(12)
            if r == 0:
                run.bold = True
                para.alignment = WD_ALIGN_PARAGRAPH.CENTER


def build_docx(template_id: str) -> bytes:
    spec = TEMPLATES[template_id]
    doc = Document()
    _setup(doc)
    _footer(doc)
    # python-docx starts with one empty paragraph in the body: none here.
    for block in spec.blocks:
        if block.kind == "table":
            _table(doc, block)
        else:
            _paragraph(doc, block)
    props = doc.core_properties
    props.title = spec.name_zh
    props.author = props.last_modified_by = "legal-track"
    props.created = props.modified = FIXED_TIME
    props.revision = 1
    props.comments = f"legal-track template {template_id} version {spec.version}"
    buf = io.BytesIO()
    doc.save(buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zf:
        return write_zip([(info.filename, zf.read(info)) for info in zf.infolist()])


def meta_toml(template_id: str) -> str:
    spec = TEMPLATES[template_id]

    def arr(values) -> str:
        return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in values) + "]"

    lines = [
        f"# {spec.name_zh} ({spec.name_en}): generated by doc_templates/build_templates.py",
        f'id = "{template_id}"',
        f'version = "{spec.version}"',
        f'name_zh = "{spec.name_zh}"',
        f'name_en = "{spec.name_en}"',
        f"description = {json.dumps(spec.description, ensure_ascii=False)}",
        f"routes = {arr(spec.routes)}",
        "required = [",
        *[f'  "{path}",' for path in spec.required],
        "]",
        "",
        "[required_evidence]",
        f'checklist = "{spec.checklist}"',
        "",
    ]
    return "\n".join(lines)


def sample_json(template_id: str) -> str:
    context = DocumentContext.model_validate(sample_context(TEMPLATES[template_id].sample_route))
    return json.dumps(context.data(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def build(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for template_id in TEMPLATES:
        for name, data in (
            (f"{template_id}.docx", build_docx(template_id)),
            (f"{template_id}.toml", meta_toml(template_id).encode("utf-8")),
            (f"{template_id}.sample.json", sample_json(template_id).encode("utf-8")),
        ):
            (out / name).write_bytes(data)
            written.append(out / name)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    for path in build(target):
        print(path)
