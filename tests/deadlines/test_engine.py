"""The engine against every shipped rule: day, month and year periods, rolling off
rest days (National Day and Spring Festival 2026), make-up working Saturdays,
month-end clamps, leap days, the Arbitration Law switch and provisional years."""

from __future__ import annotations

from datetime import date

import pytest

from legal_track.deadlines import DeadlineError, RuleNotFoundError, compute, default_rules

D = date.fromisoformat

# (id, rule, trigger, params, raw last day, due, provisional)
CASES = [
    ("demand_letter_default_7_days", "demand_letter_payment", "2026-03-02", {}, "2026-03-09", "2026-03-09", False),
    ("demand_letter_10_days_per_letter", "demand_letter_payment", "2026-03-02", {"payment_days": 10}, "2026-03-12", "2026-03-12", False),
    ("case_acceptance_rolls_over_national_day", "case_acceptance", "2026-09-28", {}, "2026-10-05", "2026-10-08", False),
    ("complaint_copy_rolls_over_spring_festival", "complaint_copy_service", "2026-02-10", {}, "2026-02-15", "2026-02-24", False),
    ("answer_defence_makeup_saturday_no_roll", "answer_defence", "2026-01-30", {}, "2026-02-14", "2026-02-14", False),
    ("answer_defence_foreign_makeup_saturday", "answer_defence_foreign", "2026-01-29", {}, "2026-02-28", "2026-02-28", False),
    ("evidence_ordinary_court_set_20_days_sunday", "evidence_period_ordinary", "2026-03-02", {"days": 20}, "2026-03-22", "2026-03-23", False),
    ("evidence_ordinary_default_15_days", "evidence_period_ordinary", "2026-03-02", {}, "2026-03-17", "2026-03-17", False),
    ("evidence_summary_10_days", "evidence_period_summary", "2026-03-02", {"days": "10"}, "2026-03-12", "2026-03-12", False),
    ("evidence_small_claims_default_7", "evidence_period_small_claims", "2026-03-02", {}, "2026-03-09", "2026-03-09", False),
    ("public_notice_rolls_over_national_day", "public_notice_service", "2026-09-01", {}, "2026-10-01", "2026-10-08", False),
    ("appeal_judgment_reference_example", "appeal_judgment", "2026-09-21", {}, "2026-10-06", "2026-10-08", False),
    ("appeal_judgment_makeup_saturday", "appeal_judgment", "2026-01-30", {}, "2026-02-14", "2026-02-14", False),
    ("appeal_judgment_into_2027_provisional", "appeal_judgment", "2026-12-20", {}, "2027-01-04", "2027-01-04", True),
    ("appeal_judgment_2027_new_year_provisional", "appeal_judgment", "2026-12-17", {}, "2027-01-01", "2027-01-04", True),
    ("appeal_ruling_rolls_over_labour_day", "appeal_ruling", "2026-04-24", {}, "2026-05-04", "2026-05-06", False),
    ("appeal_foreign_30_days", "appeal_foreign", "2026-01-05", {}, "2026-02-04", "2026-02-04", False),
    ("trial_limit_ordinary_clamp_to_feb_28", "trial_limit_ordinary", "2025-08-31", {}, "2026-02-28", "2026-02-28", False),
    ("trial_limit_summary_clamp_to_apr_30", "trial_limit_summary", "2026-01-31", {}, "2026-04-30", "2026-04-30", False),
    ("trial_limit_small_claims_clamp", "trial_limit_small_claims", "2025-12-31", {}, "2026-02-28", "2026-02-28", False),
    ("payment_order_issue_rolls_over_dragon_boat", "payment_order_issue", "2026-06-04", {}, "2026-06-19", "2026-06-22", False),
    ("payment_order_objection_15_days", "payment_order_objection", "2026-05-20", {}, "2026-06-04", "2026-06-04", False),
    ("payment_order_service_lapse_national_day", "payment_order_service_lapse", "2026-09-03", {}, "2026-10-03", "2026-10-08", False),
    ("presuit_preservation_into_2027", "presuit_preservation_sue", "2026-12-15", {}, "2027-01-14", "2027-01-14", True),
    ("freeze_deposit_one_year_never_rolled", "freeze_expiry_deposit", "2026-03-14", {}, "2027-03-14", "2027-03-14", False),
    ("freeze_deposit_renewal_backward", "freeze_renewal_deposit", "2026-03-14", {}, "2027-03-07", "2027-03-05", True),
    ("freeze_movable_leap_day_two_years", "freeze_expiry_movable", "2024-02-29", {}, "2026-02-28", "2026-02-28", False),
    ("freeze_movable_renewal_back_over_spring_festival", "freeze_renewal_movable", "2024-02-29", {}, "2026-02-21", "2026-02-14", False),
    ("freeze_realty_three_years", "freeze_expiry_realty", "2025-10-01", {}, "2028-10-01", "2028-10-01", False),
    ("freeze_realty_renewal_provisional", "freeze_renewal_realty", "2025-10-01", {}, "2028-09-24", "2028-09-22", True),
    ("enforcement_from_performance_end_leap", "enforcement_application", "2024-02-20", {"performance_end": "2024-02-29"}, "2026-02-28", "2026-02-28", False),
    ("enforcement_no_performance_end_labour_day_2028", "enforcement_application", "2026-05-01", {}, "2028-05-01", "2028-05-03", True),
    ("enforcement_resume_from_last_agreed_date", "enforcement_resume_application", "2026-03-02", {"last_due": "2026-06-30"}, "2028-06-30", "2028-06-30", True),
    ("mediation_30_days_into_national_day", "mediation_period", "2026-09-01", {}, "2026-10-01", "2026-10-08", False),
    ("mediation_extended_to_45_days", "mediation_period", "2026-09-01", {"period_days": 45}, "2026-10-16", "2026-10-16", False),
    ("confirmation_30_days_makeup_saturday", "confirmation_application", "2026-09-10", {"effective_on": "2026-09-10"}, "2026-10-10", "2026-10-10", False),
    ("confirmation_from_effective_date", "confirmation_application", "2026-09-10", {"effective_on": "2026-09-12"}, "2026-10-12", "2026-10-12", False),
    ("set_aside_received_2026_02_28_six_months", "set_aside_award", "2026-02-28", {}, "2026-08-28", "2026-08-28", False),
    ("set_aside_received_2026_03_01_three_months", "set_aside_award", "2026-03-01", {}, "2026-06-01", "2026-06-01", False),
    ("award_correction_30_days", "award_correction", "2026-01-05", {}, "2026-02-04", "2026-02-04", False),
    ("not_enforce_objection_national_day", "not_enforce_award_objection", "2026-09-16", {}, "2026-10-01", "2026-10-08", False),
    ("limitation_leap_day_three_years_provisional", "limitation_general", "2024-02-29", {}, "2027-02-28", "2027-03-01", True),
]  # fmt: skip


@pytest.mark.parametrize(
    ("rule_id", "trigger", "params", "raw", "due", "provisional"),
    [pytest.param(*row[1:], id=row[0]) for row in CASES],
)
def test_rule_table(calendar, rule_id, trigger, params, raw, due, provisional):
    got = compute(rule_id, D(trigger), calendar=calendar, params=params)
    assert (got.raw_due, got.due, got.provisional) == (D(raw), D(due), provisional), (
        f"{rule_id} from {trigger}: expected last day {raw}, due {due}, provisional "
        f"{provisional}; got {got.raw_due}, {got.due}, {got.provisional}\n{got.explanation_zh}"
    )
    assert trigger in got.explanation_zh and trigger in got.explanation_en
    assert got.basis and got.basis in got.explanation_zh
    assert got.due.isoformat() in got.explanation_zh and got.due.isoformat() in got.explanation_en
    assert ("暂定" in got.explanation_zh) == provisional
    assert ("provisional" in got.explanation_en) == provisional


def test_table_covers_every_shipped_rule():
    shipped = set(default_rules().ids())
    tested = {row[1] for row in CASES}
    assert shipped - tested == set(), f"rules without a table row: {shipped - tested}"


REFERENCE_IDS = {
    "demand_letter_payment", "case_acceptance", "complaint_copy_service", "answer_defence",
    "answer_defence_foreign", "evidence_period_ordinary", "evidence_period_summary",
    "evidence_period_small_claims", "public_notice_service", "appeal_judgment", "appeal_ruling",
    "appeal_foreign", "trial_limit_ordinary", "trial_limit_summary", "trial_limit_small_claims",
    "payment_order_issue", "payment_order_objection", "payment_order_service_lapse",
    "presuit_preservation_sue", "freeze_expiry_deposit", "freeze_expiry_movable",
    "freeze_expiry_realty", "enforcement_application", "set_aside_award", "award_correction",
    "not_enforce_award_objection", "limitation_general",
}  # fmt: skip


def test_every_reference_rule_id_is_shipped():
    missing = REFERENCE_IDS - set(default_rules().ids())
    assert missing == set(), f"reference rules missing from deadlines.toml: {missing}"


def test_reference_example_explanation_exactly(calendar):
    got = compute("appeal_judgment", D("2026-09-21"), calendar=calendar)
    assert got.explanation_zh == (
        "判决书送达 2026-09-21；上诉期15日，自次日起算，届满日 2026-10-06 为法定休假日，"
        "顺延至 2026-10-08（民事诉讼法第八十五条、第一百七十一条）"
    )
    assert got.explanation_en == (
        "Judgment served 2026-09-21; appeal period (judgment) 15 days, counted from the next "
        "day, ends on 2026-10-06, a public holiday, so the period ends on 2026-10-08 "
        "(CPL art. 85; CPL art. 171)"
    )
    assert got.basis == "民事诉讼法第八十五条、第一百七十一条"


@pytest.mark.parametrize(
    ("received", "version", "months", "basis"),
    [
        pytest.param("2026-02-28", "2018-01-01", 6, "Arbitration Law 2017 art. 59", id="day_before_switch"),
        pytest.param("2026-03-01", "2026-03-01", 3, "Arbitration Law 2025 art. 72", id="switch_day"),
        pytest.param("2025-06-30", "2018-01-01", 6, "Arbitration Law 2017 art. 59", id="old_law"),
    ],
)  # fmt: skip
def test_arbitration_law_switch_chooses_version_by_receipt_date(
    calendar, received, version, months, basis
):
    got = compute("set_aside_award", D(received), calendar=calendar)
    assert (got.rule_version, got.amount, got.unit) == (version, months, "months")
    assert basis in got.basis_en, f"expected basis {basis!r}, got {got.basis_en!r}"


def test_makeup_saturday_explained(calendar):
    got = compute("appeal_judgment", D("2026-01-30"), calendar=calendar)
    assert "调休工作日，不顺延" in got.explanation_zh
    assert "make-up working day" in got.explanation_en


def test_weekend_roll_says_rest_day(calendar):
    got = compute(
        "evidence_period_ordinary", D("2026-03-02"), calendar=calendar, params={"days": 20}
    )
    assert "届满日 2026-03-22 为休息日，顺延至 2026-03-23" in got.explanation_zh
    assert "（法院指定）" in got.explanation_zh, "a court-set period says who set it"


def test_only_the_last_day_rolls_holidays_inside_count(calendar):
    # 2026-09-25..27 and 10-01..07 are inside the period; only the last day is moved.
    got = compute("public_notice_service", D("2026-09-20"), calendar=calendar)
    assert (got.raw_due, got.due) == (D("2026-10-20"), D("2026-10-20"))


@pytest.mark.parametrize(
    ("rule_id", "days"),
    [
        pytest.param("evidence_period_ordinary", 10, id="ordinary_below_15"),
        pytest.param("evidence_period_summary", 20, id="summary_above_15"),
        pytest.param("demand_letter_payment", 0, id="letter_zero_days"),
    ],
)
def test_court_set_days_outside_strict_bounds_are_refused(calendar, rule_id, days):
    param = "payment_days" if rule_id == "demand_letter_payment" else "days"
    with pytest.raises(DeadlineError, match=rf"{rule_id}: {param} = {days} days is outside"):
        compute(rule_id, D("2026-03-02"), calendar=calendar, params={param: days})


def test_small_claims_longer_period_is_accepted_and_noted(calendar):
    got = compute(
        "evidence_period_small_claims", D("2026-03-02"), calendar=calendar, params={"days": 10}
    )
    assert got.due == D("2026-03-12")
    assert "超出通常1..7日范围" in got.explanation_zh and "usual 1..7 days" in got.explanation_en


def test_unknown_rule_lists_the_known_ones(calendar):
    with pytest.raises(RuleNotFoundError, match="unknown deadline rule 'appeal'.*appeal_judgment"):
        compute("appeal", D("2026-03-02"), calendar=calendar)


def test_trigger_before_any_version_is_refused_with_ranges(calendar):
    with pytest.raises(
        RuleNotFoundError, match=r"appeal_judgment has no version in force on 2019-05-01"
    ):
        compute("appeal_judgment", D("2019-05-01"), calendar=calendar)


def test_performance_end_before_event_is_refused(calendar):
    with pytest.raises(DeadlineError, match="performance_end 2026-04-01 is before the event date"):
        compute("enforcement_application", D("2026-05-01"), calendar=calendar,
                params={"performance_end": "2026-04-01"})  # fmt: skip


def test_offset_explains_the_date_it_counts_back_from(calendar):
    got = compute("freeze_renewal_deposit", D("2026-03-14"), calendar=calendar)
    assert "存款冻结期限届满日 2027-03-14 前7日，即 2027-03-07" in got.explanation_zh
    assert "提前至 2027-03-05" in got.explanation_zh


def test_party_appears_in_explanation(calendar):
    got = compute("appeal_judgment", D("2026-09-21"), calendar=calendar, party="被告张三")
    assert got.explanation_zh.startswith("判决书送达（被告张三） 2026-09-21")


def test_json_shape_has_the_documented_keys(calendar):
    data = compute("appeal_judgment", D("2026-09-21"), calendar=calendar).as_dict()
    assert {"rule", "trigger", "due", "provisional", "basis", "explanation"} <= set(data)
    assert data["due"] == "2026-10-08" and data["provisional"] is False
