"""Cell parsers and encoding detection, one value at a time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from legal_track.i18n import catalog
from legal_track.identity import IdNumberError, normalize_id_number
from legal_track.intake import cells
from legal_track.intake.columns import header_key
from legal_track.intake.problems import CellError, ProblemLog
from legal_track.intake.reading import Source, first_decode_failure, scan

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-01-05", date(2026, 1, 5)),
        ("2026/1/5", date(2026, 1, 5)),
        ("2026年1月5日", date(2026, 1, 5)),
        ("2026 年 1 月 5 日", date(2026, 1, 5)),
        ("2026.1.5", date(2026, 1, 5)),
        ("20260105", date(2026, 1, 5)),
        ("2026-01-05 00:00:00", date(2026, 1, 5)),
        ("46027", date(2026, 1, 5)),
        (46027, date(2026, 1, 5)),
        (46027.0, date(2026, 1, 5)),
        (datetime(2026, 1, 5, 0, 0), date(2026, 1, 5)),
        (date(2026, 1, 5), date(2026, 1, 5)),
    ],
)
def test_dates(raw, expected):
    assert cells.a_date(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["2026-13-01", "2026-02-29", "2026/1", "2026-1/5", "05/01/2026", "2026-01-05 14:30", "x", 12],
)
def test_bad_dates(raw):
    with pytest.raises(CellError) as caught:
        cells.a_date(raw)
    assert caught.value.code == "bad_date"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-01-05 14:30", datetime(2026, 1, 5, 6, 30, tzinfo=UTC)),
        ("2026/1/5 9:05:07", datetime(2026, 1, 5, 1, 5, 7, tzinfo=UTC)),
        ("2026年1月5日 14时30分", datetime(2026, 1, 5, 6, 30, tzinfo=UTC)),
        ("2026-01-05T14:30:00.250", datetime(2026, 1, 5, 6, 30, 0, 250000, tzinfo=UTC)),
        ("2026-01-05T14:30:00Z", datetime(2026, 1, 5, 14, 30, tzinfo=UTC)),
        ("2026-01-05 14:30+0000", datetime(2026, 1, 5, 14, 30, tzinfo=UTC)),
        ("2026-01-05", datetime(2026, 1, 4, 16, 0, tzinfo=UTC)),
        (46027.5, datetime(2026, 1, 5, 4, 0, tzinfo=UTC)),
        (datetime(2026, 1, 5, 14, 30), datetime(2026, 1, 5, 6, 30, tzinfo=UTC)),
        (
            datetime(2026, 1, 5, 14, 30, tzinfo=timezone(timedelta(hours=-5))),
            datetime(2026, 1, 5, 19, 30, tzinfo=UTC),
        ),
    ],
)
def test_datetimes_naive_in_shanghai_stored_utc(raw, expected):
    result = cells.a_datetime(SHANGHAI)(raw)
    assert result == expected and result.tzinfo is UTC


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("¥12,345.60", Decimal("12345.60")),
        ("￥12,345.6", Decimal("12345.60")),
        ("12,345.60元", Decimal("12345.60")),
        ("1 000", Decimal("1000.00")),
        ("0", Decimal("0.00")),
        (8888.88, Decimal("8888.88")),
        (0.30000000000000004, Decimal("0.30")),
        (20000, Decimal("20000.00")),
    ],
)
def test_amounts(raw, expected):
    assert cells.amount(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("-5", "negative_amount"),
        ("¥-5.00", "negative_amount"),
        (-0.01, "negative_amount"),
        ("abc", "bad_amount"),
        ("(5)", "bad_amount"),
        ("NaN", "bad_amount"),
        (True, "bad_amount"),
        ("1.005", "amount_places"),
    ],
)
def test_bad_amounts(raw, code):
    with pytest.raises(CellError) as caught:
        cells.amount(raw)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("raw", "code"), [("0", "zero_amount"), (0, "zero_amount"), ("￥0.00", "zero_amount"),
                      ("-1", "negative_amount"), ("x", "bad_amount")]
)  # fmt: skip
def test_positive_amounts_refuse_zero(raw, code):
    assert cells.positive_amount("0.01") == Decimal("0.01")
    with pytest.raises(CellError) as caught:
        cells.positive_amount(raw)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("raw", "expected"), [("3", 3), (" 12 ", 12), ("+7", 7), ("0099", 99), (5, 5), (6.0, 6)]
)
def test_whole_numbers(raw, expected):
    result = cells.whole_number(1, 120)(raw)
    assert result == expected and type(result) is int


@pytest.mark.parametrize(
    ("raw", "code", "message"),
    [
        ("0", "number_range", "number '0' is not between 1 and 120"),
        ("-1", "number_range", "number '-1' is not between 1 and 120"),
        (121, "number_range", "number '121' is not between 1 and 120"),
        ("1.5", "bad_whole_number", "not a whole number: '1.5'"),
        (2.5, "bad_whole_number", "not a whole number: '2.5'"),
        ("第3期", "bad_whole_number", "not a whole number: '第3期'"),
        (True, "bad_whole_number", "not a whole number: 'TRUE'"),
    ],
)
def test_bad_whole_numbers(raw, code, message):
    with pytest.raises(CellError) as caught:
        cells.whole_number(1, 120)(raw)
    assert (caught.value.code, str(caught.value)) == (code, message)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0.18", "0.18"),
        ("18%", "0.18"),
        ("18 %", "0.18"),
        ("23.5％", "0.235"),
        ("0.180", "0.18"),
        (0.18, "0.18"),
        (0.24000000000000002, "0.24"),
        ("100%", "1"),
        (0, "0"),
    ],
)
def test_rates(raw, expected):
    result = cells.rate(raw)
    assert result == Decimal(expected) and str(result) == expected


@pytest.mark.parametrize(("raw", "code"), [("18", "rate_range"), ("-1%", "rate_range"),
                                           ("1.5", "rate_range"), ("x", "bad_rate"),
                                           ("inf", "bad_rate"), (True, "bad_rate")])  # fmt: skip
def test_bad_rates(raw, code):
    with pytest.raises(CellError) as caught:
        cells.rate(raw)
    assert caught.value.code == code


@pytest.mark.parametrize(
    "raw", ["=1+1", "=5", "@SUM(A1)", "+cmd", "-2+3", "-A1", " \t=1", "+ 1 - 1"]
)
def test_formula_like_cells_are_refused(raw):
    with pytest.raises(CellError) as caught:
        cells.check_formula(raw)
    assert caught.value.code == "formula"


@pytest.mark.parametrize(
    "raw", ["-5", "-1,000.00", "+86 138 0013 8000", "-", "+", "a=b", "5", "-5元", 12, None]
)
def test_numbers_and_plain_text_are_not_formulas(raw):
    cells.check_formula(raw)


def test_enums_accept_english_any_case_and_chinese():
    parse = cells.choice({"sms": "sms", "短信": "sms"})
    assert parse("SMS") == parse(" sms ") == parse("短信") == "sms"


def test_id_number_messages_are_identity_messages():
    """Catalog codes name identity.py's reasons with the very same English text."""
    for raw in ("11010119900307", "110101199002301234", "11010119900307123X"):
        with pytest.raises(IdNumberError) as expected:
            normalize_id_number(raw)
        with pytest.raises(CellError) as got:
            cells.id_number(raw)
        assert str(got.value) == str(expected.value)


def test_id_number_lower_case_x_is_normalised():
    valid = normalize_id_number("11010519491231002X")
    assert cells.id_number(valid.lower()) == valid


def test_header_keys_ignore_case_space_underscore_and_full_width():
    assert header_key(" Contract_No ") == header_key("contract no") == header_key("CONTRACT-NO")
    assert header_key("号码／地址") == header_key("号码/地址")


def test_every_problem_code_has_both_languages():
    zh, en = catalog()["zh"], catalog()["en"]
    keys = {k for k in en if k.startswith("intake.")}
    assert keys and keys == {k for k in zh if k.startswith("intake.")}


# -- encoding detection ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("合同编号\n甲".encode(), "utf-8"),
        ("合同编号\n甲".encode("utf-8-sig"), "utf-8-sig"),
        ("合同编号\n甲".encode("gbk"), "gb18030"),
        ("合同编号\n𠀀".encode("gb18030"), "gb18030"),
        ("合同编号\t甲".encode("utf-16"), "utf-16"),
        (b"contract_no\nHT1\n", "utf-8"),
    ],
)
def test_encoding_detection(data, encoding):
    log = ProblemLog("f.csv")
    found = scan(Source.from_bytes(data, "f.csv"), log)
    assert not log and found is not None
    assert (found.format, found.encoding) == ("csv", encoding)


def test_decode_failure_offset_spans_chunk_boundaries(monkeypatch):
    monkeypatch.setattr("legal_track.intake.reading.CHUNK_BYTES", 4)
    data = "甲乙\n丙".encode() + b"\xe4\xb8"  # a multi-byte character cut off at the end
    failure = first_decode_failure(Source.from_bytes(data, "f.csv"), "utf-8")
    assert (failure.offset, failure.line, failure.byte) == (10, 2, 0xE4)
    data = "甲乙\n丙".encode() + b"\xff" + "丁".encode()
    failure = first_decode_failure(Source.from_bytes(data, "f.csv"), "utf-8")
    assert (failure.offset, failure.line, failure.byte) == (10, 2, 0xFF)
    assert first_decode_failure(Source.from_bytes("甲乙\n丙".encode(), "f.csv"), "utf-8") is None
