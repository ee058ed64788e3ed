from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from legal_track.documents import filters
from legal_track.money import MoneyError

CAPITALS = [
    ("12345.67", "壹万贰仟叁佰肆拾伍元陆角柒分"),
    ("0", "零元整"),
    ("0.05", "伍分"),
    ("0.50", "伍角整"),
    ("1", "壹元整"),
    ("10", "壹拾元整"),  # a leading ten is written 壹拾
    ("15.80", "壹拾伍元捌角整"),
    ("100", "壹佰元整"),
    ("1000.00", "壹仟元整"),
    ("1010", "壹仟零壹拾元整"),
    ("1409.50", "壹仟肆佰零玖元伍角整"),  # one 零 for an inner zero
    ("6007.14", "陆仟零柒元壹角肆分"),  # one 零 for a run of zeros
    ("16409.02", "壹万陆仟肆佰零玖元零贰分"),  # 角 is zero, 分 is not: 零 after 元
    ("325.04", "叁佰贰拾伍元零肆分"),
    ("1680.32", "壹仟陆佰捌拾元零叁角贰分"),  # 元 digit zero, 角 not: 零 before 角
    ("107000.53", "壹拾万柒仟元零伍角叁分"),
    ("10000.10", "壹万元零壹角整"),
    ("100000", "壹拾万元整"),
    ("100010000", "壹亿零壹万元整"),
    ("100000000", "壹亿元整"),
    ("1000001", "壹佰万零壹元整"),
    ("20000.00", "贰万元整"),
    ("1000000000000", "壹万亿元整"),
    ("100010000000000", "壹佰万零壹佰亿元整"),
    ("10001000000000", "壹拾万零壹拾亿元整"),
    (
        "9999999999999999.99",
        "玖仟玖佰玖拾玖万玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分",
    ),
]


@pytest.mark.parametrize(("amount", "expected"), CAPITALS, ids=[a for a, _ in CAPITALS])
def test_rmb_upper(amount, expected):
    assert filters.rmb_upper(Decimal(amount)) == expected
    assert filters.rmb_upper(amount) == expected, "decimal text gives the same capitals"


def test_rmb_upper_accepts_view_model_amounts():
    assert (
        filters.rmb_upper({"value": "12345.67", "figures": "x", "capitals": "y"})
        == "壹万贰仟叁佰肆拾伍元陆角柒分"
    )


@pytest.mark.parametrize("bad", [Decimal("-0.01"), "-100", Decimal("1.001"), 1.5, "abc", Decimal("NaN"),
                                 Decimal("1E16")], ids=str)  # fmt: skip
def test_rmb_upper_refuses(bad):
    with pytest.raises(MoneyError):
        filters.rmb_upper(bad)


def test_negative_refusal_names_the_amount():
    with pytest.raises(MoneyError, match="negative amount.*-5.00"):
        filters.rmb_upper("-5")


def test_money_and_dates():
    assert filters.money(Decimal("12345.6")) == "12,345.60"
    assert filters.money("1000000") == "1,000,000.00"
    assert filters.cn_date(date(2026, 11, 29)) == "2026年11月29日"
    assert filters.cn_date("2026-01-05") == "2026年1月5日", "no zero padding"
    assert filters.cn_date({"iso": "2026-03-01", "cn": ""}) == "2026年3月1日"
    # 2026-11-28 17:00 UTC is already the 29th in Shanghai
    assert filters.cn_date(datetime(2026, 11, 28, 17, 0, tzinfo=UTC)) == "2026年11月29日"
    with pytest.raises(ValueError, match="not a date"):
        filters.cn_date("29/11/2026")


def test_masks_and_numerals():
    assert filters.mask_id("110101199001010014") == "110101********0014"
    assert filters.mask_mobile("13812345678") == "138****5678"
    assert filters.mask_person("欧阳娜娜") == "欧***"
    assert [filters.cn_num(n) for n in (1, 2, 10, 11, 20, 21)] == [
        "一",
        "二",
        "十",
        "十一",
        "二十",
        "二十一",
    ]
