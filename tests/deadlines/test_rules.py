"""Rule packs: the loader's errors name the file and key; the shipped pack is complete."""

from __future__ import annotations

from datetime import date

import pytest

from legal_track.deadlines.rules import load_rules
from legal_track.i18n import t
from legal_track.rules import RULES_DIR, RulePackError, load_pack, open_pack

HEADER = """\
[pack]
name = "deadlines"
review = "lawyer review"
[counting.cpl.days]
zh = "民事诉讼法第八十五条"
en = "CPL art. 85"
[counting.cpl.months]
zh = "民事诉讼法第八十五条"
en = "CPL art. 85"
[counting.civil.days]
zh = "民法典第二百零一条"
en = "Civil Code art. 201"
[counting.civil.months]
zh = "民法典第二百零二条"
en = "Civil Code art. 202"
"""

RULE = """
[[rule]]
id = "appeal_judgment"
name_zh = "上诉期"
name_en = "Appeal period"
trigger = "judgment_served"
period = { amount = 15, unit = "days" }
basis = "民事诉讼法第一百七十一条"
basis_en = "CPL art. 171"
severity = "fatal"
"""


def _write(tmp_path, text: str):
    (tmp_path / "deadlines.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_shipped_pack_says_a_lawyer_must_review_it():
    text = (RULES_DIR / "deadlines.toml").read_text(encoding="utf-8")
    assert "A PRC-qualified lawyer MUST review this rule pack" in text.splitlines()[3]
    assert "lawyer must review" in load_rules().review


def test_load_pack_returns_the_parsed_dict():
    data = load_pack("deadlines")
    assert data["pack"]["name"] == "deadlines" and isinstance(data["rule"], list)


def test_missing_pack_names_the_file():
    with pytest.raises(RulePackError, match="nosuch.toml: rule pack file not found"):
        load_pack("nosuch")


def test_minimal_pack_loads(tmp_path):
    book = load_rules(directory=_write(tmp_path, HEADER + RULE))
    assert book.ids() == ["appeal_judgment"]
    assert book.version("appeal_judgment", date(2000, 1, 1)).version == "1"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(("amount = 15", 'amount = "x"'),
                     "deadlines.toml: rule[0] (appeal_judgment).period.amount: expected an integer, got 'x'",
                     id="amount_not_int"),
        pytest.param(('unit = "days"', 'unit = "weeks"'),
                     "period.unit: 'weeks' is not one of days, months, years", id="bad_unit"),
        pytest.param(('trigger = "judgment_served"', 'trigger = "judgement_served"'),
                     "rule[0] (appeal_judgment).trigger[0]: 'judgement_served' is not one of", id="bad_trigger"),
        pytest.param(('severity = "fatal"', 'severity = "high"'),
                     "severity: 'high' is not one of fatal, critical, info", id="bad_severity"),
        pytest.param(('basis_en = "CPL art. 171"', 'basis_en = "CPL art. 171"\nefective_from = 2022-01-01'),
                     "rule[0] (appeal_judgment).efective_from: unknown key", id="typo"),
        pytest.param(('basis = "民事诉讼法第一百七十一条"\n', ""),
                     "rule[0] (appeal_judgment).basis: required key is missing", id="no_basis"),
        pytest.param(("period = { amount = 15, unit = \"days\" }", 'offset = { rule = "nope", days = 7 }'),
                     "offset.rule 'nope' is not a rule of this pack", id="offset_unknown"),
        pytest.param(('id = "appeal_judgment"', 'id = "Appeal Judgment"'),
                     "use lower-case letters", id="bad_id"),
    ],
)  # fmt: skip
def test_bad_rule_errors_name_file_and_key(tmp_path, change, message):
    old, new = change
    assert old in RULE or old in HEADER
    with pytest.raises(RulePackError) as err:
        load_rules(directory=_write(tmp_path, HEADER + RULE.replace(old, new)))
    assert message in str(err.value), f"expected {message!r} in {str(err.value)!r}"


def test_overlapping_versions_are_refused(tmp_path):
    a = RULE.replace('severity = "fatal"', 'severity = "fatal"\neffective_from = 2020-01-01')
    b = RULE.replace('severity = "fatal"', 'severity = "fatal"\neffective_from = 2025-01-01')
    with pytest.raises(
        RulePackError, match="appeal_judgment: versions 2020-01-01 and 2025-01-01 overlap"
    ):
        load_rules(directory=_write(tmp_path, HEADER + a + b))


def test_toml_syntax_error_names_file_and_line(tmp_path):
    with pytest.raises(RulePackError, match=r"deadlines.toml: invalid TOML: .*line 2"):
        load_rules(directory=_write(tmp_path, "[pack]\nname = \n"))


def test_table_accessors_for_other_packs(tmp_path):
    (tmp_path / "fees.toml").write_text('[band]\nrate = "0.025"\nfloat = 0.1\n', encoding="utf-8")
    band = open_pack("fees", directory=tmp_path).table("band")
    assert str(band.decimal("rate")) == "0.025"
    with pytest.raises(
        RulePackError, match="fees.toml: band.float: expected a decimal written as text"
    ):
        band.decimal("float")
    with pytest.raises(RulePackError, match="fees.toml: band.missing: required key is missing"):
        band.str("missing")


def test_set_aside_award_has_two_versions_split_at_2026_03_01():
    versions = load_rules().versions["set_aside_award"]
    assert [(v.effective_from, v.effective_to, v.period.amount) for v in versions] == [
        (date(2018, 1, 1), date(2026, 2, 28), 6),
        (date(2026, 3, 1), None, 3),
    ]


def test_every_rule_has_basis_severity_reminders_and_catalog_names():
    book = load_rules()
    for rule in book.all_versions():
        assert rule.basis and rule.basis_en, rule.id
        assert rule.reminders, f"{rule.id}: no reminder offsets"
        latest = book.latest(rule.id)
        assert t(f"deadline.rule.{rule.id}", "zh") == latest.name_zh, rule.id
        assert t(f"deadline.rule.{rule.id}", "en") == latest.name_en, rule.id
