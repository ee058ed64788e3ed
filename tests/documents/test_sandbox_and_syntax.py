"""The one environment: sandbox, strict fields, autoescape, and syntax errors named by tag."""

from __future__ import annotations

import io

import pytest
from docx import Document
from jinja2.exceptions import SecurityError, UndefinedError

from legal_track.documents.compiled import CompiledTemplate
from legal_track.documents.env import make_env
from legal_track.documents.errors import MissingFieldError, SandboxViolation, TemplateSyntaxProblem
from tests.documents.conftest import docx_text


def make_docx(*paragraphs: str, footer: str = "") -> bytes:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    if footer:
        doc.sections[0].footer.paragraphs[0].text = footer
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


ESCAPES = [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ x.__class__.__init__.__globals__ }}",
    "{{ range.__globals__ }}",
    "{{ namespace.__init__.__globals__['os'] }}",
    "{{ '{0.__class__.__mro__}'.format(x) }}",
    "{{ x.format.__self__.__class__ }}",
    "{{ d.update({'a': 1}) }}",
    "{{ lst.append(1) }}",
    "{{ 'a' * 100000000 }}",
    "{{ 10 ** 1000000 }}",
    "{{ range(10 ** 8) | list }}",
]


@pytest.mark.parametrize("payload", ESCAPES)
def test_sandbox_refuses_python_internals(payload):
    env = make_env()
    with pytest.raises((SecurityError, OverflowError)):
        env.from_string(payload).render(x="text", d={"a": 0}, lst=[1])


@pytest.mark.parametrize("payload", ESCAPES[:6])
def test_sandbox_escape_in_a_docx_names_the_template(payload):
    compiled = CompiledTemplate(
        make_docx("委托人：{{ x }}", payload), name="evil@1", env=make_env()
    )
    with pytest.raises(SandboxViolation, match="template evil@1: refused by the sandbox"):
        compiled.render({"x": "text", "d": {}, "lst": []})


def test_no_default_globals_beyond_range_and_namespace():
    env = make_env()
    assert set(env.globals) == {"range", "namespace"}
    with pytest.raises(UndefinedError):
        env.from_string("{{ lipsum() }}").render()


def test_autoescape_keeps_markup_characters_as_text():
    compiled = CompiledTemplate(
        make_docx("原告：{{ name }}", "被告：{{ other }}"), name="t@1", env=make_env()
    )
    data = compiled.render({"name": "A&B <公司>", "other": "\"引号\" & '单引号' </w:t>"})
    text = docx_text(data)
    assert "原告：A&B <公司>" in text
    assert "被告：\"引号\" & '单引号' </w:t>" in text


def test_missing_field_names_the_full_path_and_the_template():
    compiled = CompiledTemplate(make_docx("{{ claim.total.capitals }}", "{% for d in people %}{{ d.address }}{% endfor %}"),
                                name="civil_complaint@9", env=make_env())  # fmt: skip
    with pytest.raises(
        MissingFieldError, match=r"template civil_complaint@9: missing field claim\.total\.capitals"
    ) as exc:
        compiled.render({"claim": {"total": {"value": "1.00"}}, "people": []})
    assert exc.value.field == "claim.total.capitals"
    with pytest.raises(MissingFieldError, match=r"missing field people\[1\]\.address"):
        compiled.render(
            {
                "claim": {"total": {"capitals": "壹元整"}},
                "people": [{"address": "x"}, {"name": "y"}],
            }
        )
    with pytest.raises(MissingFieldError, match="missing field claim$"):
        compiled.render({"people": []})


def test_header_and_footer_are_rendered_in_the_same_environment():
    compiled = CompiledTemplate(make_docx("正文", footer="案号 {{ ref }} · {{ amount|rmb_upper }}"), name="t@1",
                                env=make_env())  # fmt: skip
    assert "案号 LT-1 · 壹佰元整" in docx_text(compiled.render({"ref": "LT-1", "amount": "100"}))


SYNTAX = [
    ("unterminated", ["被告：{{ borrower.name }"], "{{ borrower.name }", "not closed"),
    ("bad expression", ["金额：{{ claim.total figures }}"], "{{ claim.total figures }}", "expected token"),
    ("unknown tag", ["{% frobnicate %}"], "{% frobnicate %}", "frobnicate"),
    ("unknown filter", ["大写：{{ claim.total.value|rmb_uper }}"], "{{ claim.total.value|rmb_uper }}", "rmb_uper"),
    ("never closed", ["{%p for d in defendants %}", "被告：{{ d.name }}"], "{%p for d in defendants %}",
     "never closed"),
    ("stray end", ["正文", "{%p endif %}"], "{%p endif %}", "without an opening"),
    ("wrong end", ["{% if a %}x{% endfor %}"], "{% endfor %}", "closes"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("paragraphs", "tag", "reason"), [s[1:] for s in SYNTAX], ids=[s[0] for s in SYNTAX]
)
def test_syntax_error_names_template_and_tag_not_xml(paragraphs, tag, reason):
    with pytest.raises(TemplateSyntaxProblem) as exc:
        CompiledTemplate(make_docx("标题", *paragraphs), name="civil_complaint@2", env=make_env())
    message = str(exc.value)
    assert message.startswith("template civil_complaint@2: syntax error in tag ")
    assert exc.value.tag == tag, message
    assert reason in message
    assert "<w:" not in message and "line" not in message, f"no XML or line numbers: {message}"


def test_tag_split_over_runs_is_reported_as_typed():
    doc = Document()
    para = doc.add_paragraph()
    for piece in ("金额：{{ claim", ".total.", "value }"):  # Word often splits a tag into runs
        para.add_run(piece)
    buf = io.BytesIO()
    doc.save(buf)
    with pytest.raises(TemplateSyntaxProblem) as exc:
        CompiledTemplate(buf.getvalue(), name="t@1", env=make_env())
    assert exc.value.tag == "{{ claim.total.value }"
