"""Turn a Jinja syntax error inside .docx XML into the tag the author typed.

docxtpl hands Jinja the document XML, so Jinja's own message points at an XML
line. Here the paragraphs of the original document are read back as text, the
tags are cut out, and the broken one is found: a tag that does not parse on its
own, an end tag without its opener, or an opener never closed.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from jinja2 import Environment, TemplateSyntaxError
from lxml import etree

from legal_track.documents.errors import TemplateSyntaxProblem

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
OPENERS = {"{{": "}}", "{%": "%}", "{#": "#}"}
BLOCKS = {"for", "if", "macro", "call", "filter", "with", "block", "autoescape", "raw"}
MIDDLE = {"elif", "else"}
DOCX_PREFIX = re.compile(r"^\{%-?\s*(?:p|tr|tc|r)\s+")  # docxtpl's {%p ...%}, {%tr ...%}
MAX_TAG = 80


def split_tags(text: str) -> list[str]:
    """Every Jinja tag in a paragraph, in order; an unterminated one runs to the end."""
    tags: list[str] = []
    i = 0
    while True:
        starts = [(text.find(op, i), op) for op in OPENERS]
        starts = [(pos, op) for pos, op in starts if pos >= 0]
        if not starts:
            return tags
        pos, op = min(starts)
        end = text.find(OPENERS[op], pos + 2)
        if end < 0:
            tags.append(text[pos:])
            return tags
        tags.append(text[pos : end + 2])
        i = end + 2


def normalise(tag: str) -> str:
    """`{%p for x in y %}` -> `{% for x in y %}` (docxtpl's paragraph/row prefixes dropped)."""
    return DOCX_PREFIX.sub("{% ", tag)


def keyword(tag: str) -> str:
    if not tag.startswith("{%"):
        return ""
    body = normalise(tag)[2:].lstrip("-+ ").split()
    return body[0] if body else ""


def _parses(env: Environment, source: str) -> str | None:
    """None when `source` compiles (parsing alone misses unknown filters and tests)."""
    try:
        env.compile(source)
    except TemplateSyntaxError as exc:
        return exc.message or str(exc)
    return None


def check_tag(env: Environment, tag: str) -> str | None:
    """None when the tag parses on its own (given a matching opener/closer), else why not."""
    if not tag.endswith(OPENERS[tag[:2]]):
        return "the tag is not closed"
    if tag.startswith("{#"):
        return None
    if tag.startswith("{{"):
        return _parses(env, tag)
    kw = keyword(tag)
    norm = normalise(tag)
    if kw in BLOCKS or (kw == "set" and "=" not in norm):
        return _parses(env, norm + "{% end" + kw + " %}")
    if kw in MIDDLE:
        return _parses(env, "{% if x %}" + norm + "{% endif %}")
    if kw.startswith("end") and kw[3:] in BLOCKS | {"set"}:
        opener = {"for": "{% for _ in x %}", "set": "{% set x %}"}.get(
            kw[3:], "{% " + kw[3:] + " x %}"
        )
        return _parses(env, opener + norm)
    return _parses(env, norm)


def nesting_problem(tags: Iterable[tuple[str, str]]) -> tuple[str, str, str] | None:
    """(tag, paragraph, reason) for the first unbalanced block tag, or None."""
    stack: list[tuple[str, str, str]] = []
    for tag, paragraph in tags:
        kw = keyword(tag)
        if kw in BLOCKS or (kw == "set" and "=" not in tag):
            stack.append((kw, tag, paragraph))
        elif kw in MIDDLE:
            if not stack or stack[-1][0] not in ("if", "for"):
                return tag, paragraph, f"'{kw}' outside an if/for block"
        elif kw.startswith("end"):
            if not stack:
                return tag, paragraph, f"'{kw}' without an opening '{kw[3:]}'"
            if stack[-1][0] != kw[3:]:
                return (
                    tag,
                    paragraph,
                    f"'{kw}' closes '{stack[-1][1]}' (expected 'end{stack[-1][0]}')",
                )
            stack.pop()
    if stack:
        _, tag, paragraph = stack[-1]
        return tag, paragraph, "this block is never closed"
    return None


def paragraph_texts(xml_parts: Iterable[bytes]) -> list[str]:
    """The plain text of every paragraph of the given WordprocessingML parts, in order."""
    texts: list[str] = []
    for blob in xml_parts:
        root = etree.fromstring(blob)
        for p in root.iter(f"{{{W_NS}}}p"):
            texts.append("".join(t.text or "" for t in p.iter(f"{{{W_NS}}}t")))
    return texts


def _short(text: str) -> str:
    text = text.strip()
    return text if len(text) <= MAX_TAG else text[: MAX_TAG - 1] + "…"


def describe(
    template: str, env: Environment, paragraphs: list[str], exc: TemplateSyntaxError, src: str = ""
) -> TemplateSyntaxProblem:
    """The TemplateSyntaxProblem naming the broken tag, for a Jinja error raised on `src`."""
    tagged = [(tag, text) for text in paragraphs for tag in split_tags(text)]
    for tag, text in tagged:
        reason = check_tag(env, tag)
        if reason:
            return TemplateSyntaxProblem(template, _short(tag), reason, _short(text))
    found = nesting_problem(tagged)
    if found:
        tag, text, reason = found
        return TemplateSyntaxProblem(template, _short(tag), reason, _short(text))
    # Nothing stands out in the text: fall back to the text of the XML line Jinja named.
    lines = src.splitlines()
    line = lines[exc.lineno - 1] if src and 0 < (exc.lineno or 0) <= len(lines) else ""
    text = html.unescape(re.sub(r"<[^>]+>", "", line))
    tags = split_tags(text)
    return TemplateSyntaxProblem(
        template, _short(tags[0] if tags else text or "?"), exc.message or str(exc), _short(text)
    )
