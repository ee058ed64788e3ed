"""The shipped templates: metadata, samples, layout, rendering, reproducible build."""

from __future__ import annotations

import importlib.util
import io
import json
import re
import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm
from docxtpl import DocxTemplate

from legal_track.documents.check import check_template
from legal_track.documents.compiled import CompiledTemplate
from legal_track.documents.env import make_env
from legal_track.documents.errors import MetadataError
from legal_track.documents.metadata import read_meta, read_sample, sample_problems
from legal_track.documents.registry import shipped_templates
from legal_track.documents.viewmodel import known_paths
from legal_track.identity import IdNumberError, normalize_id_number
from tests.documents.conftest import DOC_TEMPLATES, TEMPLATE_IDS, docx_text

FONT = "Noto Serif CJK SC"
# what each rendered sample must say (the sample's names, amounts in capitals, court)
EXPECT = {
    "demand_letter": ["律 师 函", "张示例先生：", "示例律师事务所", "人民币壹万陆仟伍佰壹拾贰元叁角肆分", "收到本函之日起7日内"],
    "civil_complaint": ["民事起诉状", "原告：示例消费金融有限公司", "被告一：张示例", "被告二：李示例（保证人）",
                        "诉讼请求：", "1. 判令被告向原告支付借款本金人民币12,000.00元；", "事实与理由：", "此致",
                        "北京市东城区人民法院", "具状人：示例消费金融有限公司（盖章）", "附：1. 本诉状副本2份；",
                        "壹万陆仟伍佰壹拾贰元叁角肆分"],
    "arbitration_application": ["仲裁申请书", "申请人：示例消费金融有限公司", "被申请人一：张示例", "仲裁请求：",
                                "杭州仲裁委员会", "本案仲裁费用由被申请人承担。"],
    "payment_order_application": ["支付令申请书", "请求事项：", "督促被申请人向申请人支付", "第二百二十五条",
                                  "北京市东城区人民法院"],
    "preservation_application": ["财产保全申请书", "冻结被申请人张示例、李示例名下银行存款人民币16,512.34元",
                                 "申请保全费人民币170.12元"],
    "enforcement_application": ["强制执行申请书", "申请执行人：", "被执行人一：张示例",
                                "北京市东城区人民法院（2026）京0101民初1234号民事判决书", "迟延履行期间的债务利息"],
    "evidence_list": ["证据目录", "提交人：示例消费金融有限公司", "序号 | 证据名称 | 证据来源 | 证明目的 | 页码",
                      "1 | 借款合同（HT-2024-000001） | 委托人提供"],
    "power_of_attorney": ["授权委托书", "委托人：示例消费金融有限公司", "示例律师事务所律师", "特别授权",
                          "受托人：赵示例，委托人工作人员"],
}  # fmt: skip


def _load(template_id: str):
    meta = read_meta(
        (DOC_TEMPLATES / f"{template_id}.toml").read_text(encoding="utf-8"), where=template_id
    )
    sample = read_sample(
        (DOC_TEMPLATES / f"{template_id}.sample.json").read_text(encoding="utf-8"), where="s"
    )
    return meta, sample, (DOC_TEMPLATES / f"{template_id}.docx").read_bytes()


def test_every_template_is_shipped_with_metadata_and_sample():
    assert sorted(s.meta.id for s in shipped_templates()) == TEMPLATE_IDS
    for shipped in shipped_templates():
        assert shipped.meta.name_zh and shipped.meta.name_en and shipped.meta.version
        assert set(shipped.meta.required) <= known_paths() | {
            p for p in shipped.meta.required if "[]" in p
        }


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_template_checks_and_renders_its_sample(template_id):
    meta, sample, data = _load(template_id)
    report = check_template(data, meta, sample)
    assert report.ok, report.problems
    text = docx_text(CompiledTemplate(data, name=template_id, env=make_env()).render(sample))
    for expected in EXPECT[template_id]:
        assert expected in text, f"{template_id}: {expected!r} missing from\n{text}"
    assert "{{" not in text and "{%" not in text


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_compiled_renderer_matches_docxtpl(template_id):
    """The compile-once renderer gives the same document text as docxtpl's own render."""
    _, sample, data = _load(template_id)
    ours = docx_text(CompiledTemplate(data, name=template_id, env=make_env()).render(sample))
    tpl = DocxTemplate(io.BytesIO(data))
    tpl.render(sample, make_env(), autoescape=True)
    buf = io.BytesIO()
    tpl.save(buf)
    assert ours == docx_text(buf.getvalue())


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_layout_is_a4_with_a_named_chinese_font(template_id):
    doc = Document(str(DOC_TEMPLATES / f"{template_id}.docx"))
    section = doc.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    fonts = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == FONT and fonts.get(qn("w:ascii")) == FONT
    defaults = (
        doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    )
    assert defaults.find(qn("w:rFonts")).get(qn("w:eastAsia")) == FONT, (
        "no theme font left to fall back on"
    )
    title = doc.paragraphs[0]
    assert title.alignment == 1 and title.runs[0].bold, "title centred and bold"
    assert section.left_margin >= Cm(2.5)


def test_build_script_reproduces_the_committed_files(tmp_path):
    spec = importlib.util.spec_from_file_location(
        "build_templates", DOC_TEMPLATES / "build_templates.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = module.build(tmp_path)
    assert len(written) == 3 * len(TEMPLATE_IDS)
    for path in written:
        committed = DOC_TEMPLATES / path.name
        assert path.read_bytes() == committed.read_bytes(), (
            f"{path.name} differs: run doc_templates/build_templates.py"
        )


def test_docx_zip_entries_have_fixed_timestamps():
    with zipfile.ZipFile(DOC_TEMPLATES / "civil_complaint.docx") as zf:
        assert {info.date_time for info in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_samples_are_plain_json_matching_the_view_model():
    for template_id in TEMPLATE_IDS:
        data = json.loads(
            (DOC_TEMPLATES / f"{template_id}.sample.json").read_text(encoding="utf-8")
        )
        assert read_sample(json.dumps(data), where=template_id) == data


ID_LIKE = re.compile(r"^\d{17}[\dXx]$")


def _strings(value, path=""):
    """(path, key, text) of every text in a sample context."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str):
                yield f"{path}.{key}".lstrip("."), key, item
            else:
                yield from _strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _strings(item, f"{path}[{n}]")


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_every_sample_holds_data_that_real_data_rules_accept(template_id):
    """Samples are rendered, shown and downloaded like real data: every ID number passes
    the GB 11643 checksum, and the intake cell rules (amounts, dates, e-mail, phone, no
    formula-like text) accept every field."""
    data = json.loads((DOC_TEMPLATES / f"{template_id}.sample.json").read_text(encoding="utf-8"))
    numbers = [(path, text) for path, key, text in _strings(data)
               if ID_LIKE.match(text) or (key == "id_number" and text)]  # fmt: skip
    assert numbers, "the sample has ID numbers to check"
    for path, number in numbers:
        try:
            assert normalize_id_number(number) == number, f"{path}: {number} not normalised"
        except IdNumberError as exc:
            pytest.fail(f"{template_id}.sample.json {path} = {number}: {exc}")
    assert sample_problems(data) == []


def test_a_sample_that_breaks_the_data_rules_is_refused():
    good = json.loads((DOC_TEMPLATES / "civil_complaint.sample.json").read_text(encoding="utf-8"))
    cases = {
        "checksum": ("borrower", "id_number", "110101199001010014"),
        "is not its mask": ("borrower", "id_number_masked", "110101********9999"),
        "do not match": ("claim", "total", {"value": "16512.34", "figures": "16,512.34",
                                            "capitals": "壹万元整"}),
        "formula": ("case", "ref", "=HYPERLINK(\"http://x\",\"y\")"),
        "e-mail": ("borrower", "phone", "x" * 40),
    }  # fmt: skip
    for expected, (section, key, value) in cases.items():
        data = json.loads(json.dumps(good))
        data[section][key] = value
        if key == "id_number":
            data["defendants"][0][key] = value
        with pytest.raises(MetadataError) as caught:
            read_sample(json.dumps(data), where="sample")
        message = str(caught.value)
        assert f"{section}.{key}" in message, message
        if expected != "e-mail":
            assert expected in message, message
