"""A .docx template compiled once and rendered many times (docxtpl-compatible).

`docxtpl.DocxTemplate.render` re-reads the .docx, re-cleans its XML and recompiles
the Jinja template for every document. For batches the same steps run once here:
the cleaned XML of the body, headers, footers and footnotes is compiled in the
sandboxed environment, and each render only runs the compiled templates, applies
docxtpl's own post-processing (listing, table and drawing-id fixes) and writes a
new zip in which every untouched part is copied byte for byte. Contexts are plain
JSON data (no InlineImage/Subdoc objects), so rendering never adds parts.

Zip entries carry a fixed timestamp: the same context gives the same bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from docxtpl import DocxTemplate
from jinja2 import Environment, Template, TemplateSyntaxError, UndefinedError, meta, nodes
from jinja2.exceptions import SecurityError
from lxml import etree

from legal_track.documents import syntax
from legal_track.documents.errors import (
    MissingFieldError,
    SandboxViolation,
    TemplateRenderError,
)
from legal_track.documents.fields import FieldUndefinedError, wrap_context
from legal_track.documents.zipwriter import Deflated, deflate, write_zip

BODY_MARK = "__LEGAL_TRACK_BODY__"
DC = "http://purl.org/dc/elements/1.1/"
CP = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
CORE_TAGS = {
    "author": f"{{{DC}}}creator",
    "comments": f"{{{DC}}}description",
    "identifier": f"{{{DC}}}identifier",
    "language": f"{{{DC}}}language",
    "subject": f"{{{DC}}}subject",
    "title": f"{{{DC}}}title",
}
CORE_CT = "application/vnd.openxmlformats-package.core-properties+xml"
FOOTNOTES_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


def normalise_docx(data: bytes) -> bytes:
    """Rewrite a .docx (e.g. from python-docx's `save`) with fixed zip timestamps."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return write_zip([(info.filename, zf.read(info)) for info in zf.infolist()])


@dataclass
class _Part:
    member: str  # zip member name, e.g. word/header1.xml
    template: Template
    encoding: str = "utf-8"


def _member(partname: str) -> str:
    return str(partname).lstrip("/")


class CompiledTemplate:
    """One template, parsed and compiled in `env`; `render(context)` -> .docx bytes."""

    def __init__(self, data: bytes, *, name: str, env: Environment) -> None:
        self.name = name
        self.env = env
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            self._members = [(info.filename, zf.read(info)) for info in zf.infolist()]
        self._packed: list[tuple[str, Deflated]] = [(n, deflate(d)) for n, d in self._members]
        try:
            self._tpl = DocxTemplate(io.BytesIO(data))
            self._tpl.init_docx()
        except Exception as exc:  # python-docx: not a zip, no main part, bad XML
            raise TemplateRenderError(f"template {name}: not a readable .docx ({exc})") from exc
        docx = self._tpl.docx
        self._texts = syntax.paragraph_texts(self._xml_parts(docx))
        self._sources: list[str] = []

        body_src = self._prepare(self._tpl.get_xml())
        self._body = self._compile(body_src)
        self._skeleton = self._document_skeleton(docx)

        self._parts: list[_Part] = []
        for rel in docx.part.rels.values():
            if rel.is_external or rel.reltype not in (self._tpl.HEADER_URI, self._tpl.FOOTER_URI):
                continue
            part = rel.target_part
            xml = self._tpl.get_part_xml(part)
            encoding = self._tpl.get_headers_footers_encoding(xml)
            self._parts.append(
                _Part(_member(part.partname), self._compile(self._prepare(xml)), encoding)
            )
        for part in docx.part.package.iter_parts():
            if part.content_type == FOOTNOTES_CT:
                blob = part.blob.decode("utf-8") if isinstance(part.blob, bytes) else part.blob
                self._parts.append(
                    _Part(_member(part.partname), self._compile(self._prepare(blob)))
                )

        self._core_member: str | None = None
        self._core: dict[str, Template] = {}
        for part in docx.part.package.iter_parts():
            if part.content_type == CORE_CT:
                self._core_member = _member(part.partname)
                root = etree.fromstring(part.blob)
                for prop, tag in CORE_TAGS.items():
                    element = root.find(tag)
                    value = element.text if element is not None and element.text else ""
                    if "{{" in value or "{%" in value:
                        self._core[prop] = self._compile(value)

    # -- compile ---------------------------------------------------------------------------
    @staticmethod
    def _xml_parts(docx) -> list[bytes]:
        parts = [etree.tostring(docx.element)]
        for rel in docx.part.rels.values():
            if not rel.is_external and rel.reltype in (
                DocxTemplate.HEADER_URI,
                DocxTemplate.FOOTER_URI,
            ):
                parts.append(rel.target_part.blob)
        return parts

    def _prepare(self, xml: str) -> str:
        return re.sub(r"<w:p([ >])", r"\n<w:p\1", self._tpl.patch_xml(xml))

    def _compile(self, src: str) -> Template:
        self._sources.append(src)
        try:
            return self.env.from_string(src)
        except TemplateSyntaxError as exc:
            raise syntax.describe(self.name, self.env, self._texts, exc, src) from None
        except SecurityError as exc:
            raise SandboxViolation(self.name, str(exc)) from None

    def _document_skeleton(self, docx) -> tuple[bytes, bytes]:
        root = etree.fromstring(etree.tostring(docx.element))
        body = root.find(f"{{{syntax.W_NS}}}body")
        marker = etree.Element(body.tag)
        marker.text = BODY_MARK
        root.replace(body, marker)
        xml = etree.tostring(root, encoding="UTF-8", standalone=True)
        before, after = xml.split(f"<w:body>{BODY_MARK}</w:body>".encode())
        self._document_member = _member(docx.part.partname)
        return before, after

    # -- inspect ---------------------------------------------------------------------------
    def asts(self) -> list[nodes.Template]:
        return [self.env.parse(src) for src in self._sources]

    def variables(self) -> set[str]:
        """Top-level names the template reads (the context must provide them)."""
        names: set[str] = set()
        for ast in self.asts():
            names |= meta.find_undeclared_variables(ast)
        return names

    # -- render ----------------------------------------------------------------------------
    def _run(self, template: Template, context: dict) -> str:
        try:
            return template.render(context)
        except FieldUndefinedError as exc:
            raise MissingFieldError(self.name, exc.field) from None
        except UndefinedError as exc:
            raise MissingFieldError(self.name, "?", str(exc)) from None
        except SecurityError as exc:
            raise SandboxViolation(self.name, str(exc)) from None
        except TemplateSyntaxError as exc:  # e.g. a filter name unknown at compile time
            raise syntax.describe(self.name, self.env, self._texts, exc) from None
        except (ValueError, TypeError, ArithmeticError, LookupError) as exc:
            raise TemplateRenderError(f"template {self.name}: {exc}") from None

    def _post(self, xml: str) -> str:
        xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
        xml = (
            xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        )
        return self._tpl.resolve_listing(xml)

    def render(self, context: dict) -> bytes:
        """The .docx bytes for `context` (plain JSON data)."""
        ctx = wrap_context(context)
        body_xml = self._post(self._run(self._body, ctx))
        try:
            tree = self._tpl.fix_tables(body_xml)
        except Exception as exc:  # lxml recover parser gave up: broken XML from the template
            raise TemplateRenderError(
                f"template {self.name}: rendered XML is invalid ({exc})"
            ) from None
        self._tpl.docx_ids_index = 1000
        self._tpl.fix_docpr_ids(tree)
        before, after = self._skeleton
        replaced = {self._document_member: before + etree.tostring(tree, encoding="UTF-8") + after}
        for part in self._parts:
            replaced[part.member] = self._post(self._run(part.template, ctx)).encode(part.encoding)
        if self._core and self._core_member:
            replaced[self._core_member] = self._render_core(ctx)
        return write_zip((name, replaced.get(name, packed)) for name, packed in self._packed)

    def _render_core(self, ctx: dict) -> bytes:
        original = dict(self._members)[self._core_member]
        root = etree.fromstring(original)
        for prop, template in self._core.items():
            element = root.find(CORE_TAGS[prop])
            if element is not None:
                element.text = self._run(template, ctx)
        return etree.tostring(root, encoding="UTF-8", standalone=True)


def load_compiled(path: Path, *, name: str, env: Environment) -> CompiledTemplate:
    return CompiledTemplate(Path(path).read_bytes(), name=name, env=env)
