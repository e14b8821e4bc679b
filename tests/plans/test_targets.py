"""Target arithmetic: rounding up, re-basing, and the contradictions flagged on save."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from kieumau.plans.targets import (
    RULE_AS_STATED,
    RULE_CAPPED,
    RULE_REBASED,
    RULE_SHARE,
    TargetInput,
    check_plan,
    required_for_share,
    required_units,
)


def test_thirty_percent_of_thirty_five_wards_needs_eleven():
    assert required_for_share(30, 35) == 11
    assert required_for_share("50", 14) == 7
    assert required_for_share(Decimal("50"), 6) == 3
    assert required_for_share(100, 35) == 35
    assert required_for_share(0, 35) == 0
    assert required_for_share(30, 0) == 0


def test_decimal_shares_are_exact_not_floats():
    # 0.1 + 0.2 style errors would give 4 here with floats: 33.33...% of 12 is exactly 4.
    assert required_for_share(Decimal("33.33"), 12) == 4
    assert required_for_share(Decimal("33.34"), 12) == 5
    assert required_for_share(Decimal("12.5"), 8) == 1


shares = st.decimals(min_value=0, max_value=100, places=2)


@given(share=shares, total=st.integers(min_value=0, max_value=5000))
def test_required_is_the_smallest_count_reaching_the_share(share, total):
    need = required_for_share(share, total)
    assert 0 <= need <= total
    assert Fraction(need * 100) >= Fraction(share) * total
    if need > 0:
        assert Fraction((need - 1) * 100) < Fraction(share) * total


@given(share=shares, total=st.integers(min_value=0, max_value=500))
def test_more_units_never_need_fewer(share, total):
    assert required_for_share(share, total + 1) >= required_for_share(share, total)


def test_a_count_stated_against_the_old_structure_is_rebased_proportionally():
    # "11/35 by 2025" when the province has 30 wards on the target date.
    req = required_units(kind="count", value=11, total=30, base_count=35)
    assert (req.count, req.rule) == (10, RULE_REBASED)
    # The structure did not change: as stated.
    assert required_units(kind="count", value=11, total=35, base_count=35).rule == RULE_AS_STATED
    # No denominator, more than exist: capped.
    req = required_units(kind="count", value=5, total=4)
    assert (req.count, req.rule) == (4, RULE_CAPPED)
    assert required_units(kind="share", value=100, total=4).rule == RULE_SHARE


@given(
    count=st.integers(min_value=0, max_value=60),
    extra=st.integers(min_value=0, max_value=60),
    total=st.integers(min_value=0, max_value=200),
)
def test_rebasing_keeps_at_least_the_stated_proportion(count, extra, total):
    base = count + extra or 1
    req = required_units(kind="count", value=count, total=total, base_count=base)
    assert Fraction(req.count, total or 1) >= Fraction(count, base) or total == 0
    assert req.count <= total


def _target(value, due, kind="share", base=None):
    return TargetInput(kind, Decimal(value), due, base)


def test_designations_that_cannot_reach_the_share_are_flagged():
    warnings = check_plan(
        start_year=2023,
        end_year=2028,
        targets=[_target(50, dt.date(2025, 12, 31)), _target(100, dt.date(2028, 12, 31))],
        designations_by_year={2023: 2, 2024: 2, 2025: 2},
        total_by_date={dt.date(2025, 12, 31): 14, dt.date(2028, 12, 31): 14},
    )
    codes = [w.code for w in warnings]
    assert codes == ["designations_short", "designations_short"]
    assert "cần 7/14 đơn vị nhưng lộ trình chỉ chọn 6" in warnings[0].message


def test_dates_outside_the_period_and_decreasing_targets_are_flagged():
    warnings = check_plan(
        start_year=2023,
        end_year=2028,
        targets=[_target(50, dt.date(2025, 12, 31)), _target(30, dt.date(2030, 12, 31))],
        designations_by_year={2022: 1},
        total_by_date={dt.date(2025, 12, 31): 10, dt.date(2030, 12, 31): 10},
    )
    codes = {w.code for w in warnings}
    assert {"designation_outside_period", "target_outside_period", "decreasing"} <= codes
    assert any("ngoài thời kỳ 2023–2028" in w.message for w in warnings)


def test_a_consistent_roadmap_has_no_warning():
    # Hưng Yên: 2 + 2 + 3 by 2025 (7/14 = 50%), then 2 + 2 + 3 by 2028 (14/14).
    warnings = check_plan(
        start_year=2023,
        end_year=2028,
        targets=[_target(50, dt.date(2025, 12, 31)), _target(100, dt.date(2028, 12, 31))],
        designations_by_year={2023: 2, 2024: 2, 2025: 3, 2026: 2, 2027: 2, 2028: 3},
        total_by_date={dt.date(2025, 12, 31): 14, dt.date(2028, 12, 31): 14},
    )
    assert warnings == []
