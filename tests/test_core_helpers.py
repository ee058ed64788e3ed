from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from legal_track.cases.lifecycle import TransitionError, check_transition
from legal_track.deadlines.periods import add_period
from legal_track.identity import IdNumberError, make_id_number, normalize_id_number
from legal_track.money import MoneyError, parse_amount, to_fen
from legal_track.privacy import mask_id_number, mask_phone, show_id_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("¥12,345.60", "12345.60"),
        ("12,345.6元", "12345.60"),
        ("1 000", "1000.00"),
        ("￥50", "50.00"),
        ("-5", "-5.00"),
        (0.3, "0.30"),
    ],
    ids=["yen-sign", "yuan-suffix", "space-group", "fullwidth-yen", "negative", "excel-float"],
)
def test_parse_amount(text, expected):
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["abc", "", "1.234", "NaN"])
def test_parse_amount_refuses(text):
    with pytest.raises(MoneyError):
        parse_amount(text)


def test_to_fen_refuses_floats_and_sub_fen():
    with pytest.raises(TypeError):
        to_fen(1.5)  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        to_fen(Decimal("0.001"))


def test_id_numbers():
    valid = make_id_number("110101", date(1990, 3, 7), 123)
    assert normalize_id_number(valid.lower()) == valid
    broken = valid[:-1] + ("0" if valid[-1] != "0" else "1")
    with pytest.raises(IdNumberError, match="checksum fails"):
        normalize_id_number(broken)
    with pytest.raises(IdNumberError, match="impossible birth date"):
        normalize_id_number("110101199002300000")
    with pytest.raises(IdNumberError, match="17 digits"):
        normalize_id_number("12345")
    assert normalize_id_number("11010519491231002X") == "11010519491231002X"


def test_masks_follow_role():
    assert mask_id_number("110101199003071234") == "110101********1234"
    assert mask_phone("13812345678") == "138****5678"
    assert show_id_number("110101199003071234", "viewer") == "110101********1234"
    assert show_id_number("110101199003071234", "staff") == "110101199003071234"


@pytest.mark.parametrize(
    ("start", "amount", "unit", "end"),
    [
        (date(2026, 9, 21), 15, "days", date(2026, 10, 6)),
        (date(2026, 1, 31), 1, "months", date(2026, 2, 28)),
        (date(2024, 2, 29), 2, "years", date(2026, 2, 28)),
        (date(2024, 1, 31), 1, "months", date(2024, 2, 29)),
    ],
    ids=["day-period", "month-end-clamp", "leap-day-years", "leap-february"],
)
def test_periods(start, amount, unit, end):
    assert add_period(start, amount, unit) == end


def test_transitions_name_the_allowed_next_stages():
    check_transition("po_served", "lit_filed")  # objection -> litigation
    with pytest.raises(TransitionError, match="allowed next: lit_accepted, closed"):
        check_transition("lit_filed", "enf_applied")
    with pytest.raises(TransitionError, match="the case is closed"):
        check_transition("closed", "lit_filed")
