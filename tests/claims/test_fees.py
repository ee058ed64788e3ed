"""Court, enforcement and preservation fees: the reference's check values and every band edge."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from legal_track.claims.fees import (
    FeeError,
    SmallClaimsTrack,
    court_fee,
    delayed_performance_interest,
    enforcement_fee,
    fee,
    preservation_fee,
    province_of_id,
    small_claims,
)

D = Decimal


def cases(table):
    return pytest.mark.parametrize(
        "amount, expected", [(D(a), D(e)) for a, e in table], ids=[f"{a}->{e}" for a, e in table]
    )


@cases([
    ("100000", "2300.00"), ("500000", "8800.00"), ("1000000", "13800.00"),  # reference checks
    ("0.01", "50.00"), ("10000", "50.00"), ("10000.20", "50.01"),  # 50.005 rounds half up
    ("100000.01", "2300.00"), ("200000", "4300.00"), ("500000.01", "8800.00"),
    ("2000000", "22800.00"), ("5000000", "46800.00"), ("10000000", "81800.00"),
    ("20000000", "141800.00"), ("30000000", "191800.00"),
])  # fmt: skip
def test_court_acceptance_fee_bands(amount, expected):
    assert court_fee(amount).fee == expected


@cases([
    ("100000", "1400.00"), ("1000000", "12400.00"),  # reference checks
    ("10000", "50.00"), ("9999.99", "50.00"), ("500000", "7400.00"), ("5000000", "52400.00"),
    ("10000000", "77400.00"), ("20000000", "87400.00"),
])  # fmt: skip
def test_enforcement_fee_bands(amount, expected):
    assert enforcement_fee(amount).fee == expected


@cases([
    ("500", "30.00"), ("1000", "30.00"), ("1000.01", "30.00"), ("100000", "1020.00"),
    ("896000", "5000.00"), ("896000.01", "5000.00"), ("100000000", "5000.00"),
])  # fmt: skip
def test_preservation_fee_bands_and_cap(amount, expected):
    assert preservation_fee(amount).fee == expected


@pytest.mark.parametrize(
    "procedure, expected",
    [("ordinary", "2300.00"), ("summary", "1150.00"), ("mediation", "1150.00"),
     ("withdrawal", "1150.00"), ("payment_order", "766.67")],
)  # fmt: skip
def test_procedure_scales_the_court_fee(procedure, expected):
    result = court_fee(D("100000"), procedure)
    assert result.fee == D(expected) and result.full_fee == D("2300.00")
    if procedure != "ordinary":
        assert "art. 1" in result.basis and result.factor in ("1/2", "1/3")


def test_small_case_summary_fee_is_half_of_fifty():
    assert court_fee(D("8000"), "summary").fee == D("25.00")


def test_steps_show_the_bands_used():
    steps = court_fee(D("500000")).steps
    assert [(s.above, s.rate) for s in steps] == [
        (D(0), None), (D(10000), D("0.025")), (D(100000), D("0.02")), (D(200000), D("0.015"))
    ]  # fmt: skip
    assert sum(s.amount for s in steps) == D("8800")


@pytest.mark.parametrize("amount", ["0", "-5", "1.001", "NaN"])
def test_bad_amounts_are_refused(amount):
    with pytest.raises(FeeError):
        court_fee(amount)


def test_procedure_only_for_the_court_fee_and_must_exist():
    with pytest.raises(FeeError, match="court acceptance fee only"):
        fee("enforcement", D("1000"), "summary")
    with pytest.raises(FeeError, match="unknown procedure"):
        court_fee(D("1000"), "express")
    with pytest.raises(FeeError, match="unknown fee"):
        fee("stamp", D("1000"))


@pytest.mark.parametrize(
    "amount, track",
    [("54323", SmallClaimsTrack.mandatory), ("54323.01", SmallClaimsTrack.by_agreement),
     ("217290", SmallClaimsTrack.by_agreement), ("217290.01", SmallClaimsTrack.no)],
    ids=["at-50pct", "above-50pct", "at-200pct", "above-200pct"],
)  # fmt: skip
def test_small_claims_zhejiang_2022(amount, track):
    result = small_claims(D(amount), province="浙江省", year=2022)
    assert result.track is track and result.basis == "CPL art. 165"


def test_small_claims_unconfigured_province_is_unknown_and_says_where_to_configure():
    result = small_claims(D("1000"), province="北京市", year=2022)
    assert result.track is SmallClaimsTrack.unknown and "small_claims.toml" in result.note


def test_province_from_id_number():
    assert province_of_id("330106199001011234") == "浙江省"
    assert province_of_id("") is None and province_of_id("99") is None


def test_delayed_performance_interest():
    result = delayed_performance_interest(
        D("100000.00"), performance_end=date(2026, 1, 10), until=date(2026, 2, 9)
    )
    assert (result.days, result.amount) == (30, D("525.00")), "100,000 x 0.0175 % x 30 days"
    assert "art. 264" in result.basis
    none_yet = delayed_performance_interest(
        D("100000.00"), performance_end=date(2026, 1, 10), until=date(2026, 1, 10)
    )
    assert none_yet.amount == D("0.00"), "counted from the day after the performance period"


@pytest.mark.parametrize("name", ["fees", "caps", "lpr", "small_claims", "limitation"])
def test_rule_packs_say_they_need_review_and_carry_a_basis(name):
    from legal_track.rules import load_pack

    pack = load_pack(name)
    assert pack["review"] and pack["version"], f"{name}.toml needs review and version keys"
    text = Path(__file__).resolve().parents[2] / "legal_track" / "rules" / f"{name}.toml"
    assert "basis" in text.read_text(encoding="utf-8")


def test_every_fee_band_and_procedure_has_a_basis():
    from legal_track.rules import load_pack

    fees = load_pack("fees")
    for kind in ("court", "enforcement", "preservation"):
        assert fees[kind]["basis"] and fees[kind]["basis_zh"], kind
    for name, proc in fees["court"]["procedures"].items():
        assert proc["basis"] and proc["basis_zh"] and proc["factor"], name


def test_lpr_values_are_ordered_and_reach_three_percent():
    from legal_track.claims.figures import lpr_table

    rows = lpr_table()["values"]
    dates = [r["from"] for r in rows]
    assert dates == sorted(dates) and len(set(dates)) == len(dates)
    assert dates[0] == date(2019, 8, 20)
    assert next(r for r in rows if r["from"] == date(2025, 5, 20))["rate"] == "0.03"
