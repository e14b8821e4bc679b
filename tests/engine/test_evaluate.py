"""Evaluation: properties (monotonicity, missing never met, determinism), digests, roll-ups,
applicability, zero denominators and type mismatches."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kieumau.engine import (
    MET,
    MISSING_DATA,
    NOT_APPLICABLE,
    NOT_MET,
    RESULT_STATUSES,
    CriterionSpec,
    PeriodError,
    Readings,
    Unit,
    VersionSpec,
    compile_version,
    evaluate_many,
    evaluate_unit,
    input_digest,
    parse_period,
)

from .data import PERIOD, PREV, WARD, default_version, good_previous, good_readings

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- strategies -----------------------------------------------------------------------------------


def _value_strategy(indicator) -> st.SearchStrategy[Any]:
    vt = indicator.value_type
    lo = 0 if indicator.min_value is None else int(indicator.min_value)
    if vt == "integer":
        return st.integers(lo, 60)
    if vt in ("decimal", "percentage"):
        hi = 120.0 if indicator.max_value is None else float(indicator.max_value)
        return st.floats(float(lo), hi, allow_nan=False)
    if vt == "boolean":
        return st.booleans()
    if vt == "choice":
        return st.sampled_from(indicator.choices)
    return st.text(max_size=5)


@st.composite
def random_readings(draw, missing_rate: float = 0.0) -> dict[str, dict[str, Any]]:
    """Values for every indicator of the default set, some perhaps missing."""
    spec = default_version()
    current: dict[str, Any] = {}
    for ind in spec.indicators:
        if missing_rate and draw(st.floats(0, 1)) < missing_rate:
            continue
        current[ind.code] = draw(_value_strategy(ind))
    previous = {code: draw(st.integers(0, 60)) for code in good_previous()}
    return {PERIOD: current, PREV: previous}


# -- properties -----------------------------------------------------------------------------------


@SETTINGS
@given(random_readings(missing_rate=0.1))
def test_random_readings_never_raise_and_explanations_agree(readings) -> None:
    result = evaluate_unit(default_version(), WARD, PERIOD, readings)
    assert len(result.criteria) == 22
    for r in result.criteria:
        assert r.status in RESULT_STATUSES
        assert r.explanation_vi.endswith(".") and "Kết luận" in r.explanation_vi
        assert "engine note" not in r.explanation_en
        outcomes = [c.outcome for c in r.conditions]
        if r.status == MET:
            assert all(o is True for o in outcomes)
            assert not r.missing
        elif r.status == NOT_MET:
            assert False in outcomes and None not in outcomes
        elif r.status == MISSING_DATA:
            assert r.missing or None in outcomes
    assert result.met == sum(r.status == MET for r in result.criteria)
    assert result.total == sum(r.status != NOT_APPLICABLE for r in result.criteria)
    assert result.model_standard == (result.met == result.total)
    assert sum(g.met for g in result.groups) == result.met
    assert sum(g.total for g in result.groups) == result.total


@SETTINGS
@given(st.sets(st.sampled_from([i.code for i in default_version().indicators]), min_size=1))
def test_missing_is_never_met(dropped: set[str]) -> None:
    readings = good_readings(**dict.fromkeys(dropped))
    result = evaluate_unit(default_version(), WARD, PERIOD, readings)
    compiled = compile_version(default_version())
    for r in result.criteria:
        reads = {code for code, offset in compiled.rule(r.code).reads if offset == "current"}
        if reads & dropped:
            assert r.status == MISSING_DATA
            assert not r.met
            assert set(r.missing) >= reads & dropped
            for code in reads & dropped:
                assert f"({code})" in r.explanation_vi
        else:
            assert r.status == MET


def _monotone_targets() -> list[tuple[str, str, int]]:
    """(criterion, indicator, direction): raising (+1) or lowering (-1) it can only help."""
    targets = []
    for rule in compile_version(default_version()).rules:
        for cond in rule.plan.conditions:
            if cond.kind != "cmp" or cond.right is None or cond.left is None:
                continue
            direction = {">=": 1, ">": 1, "<=": -1, "<": -1}.get(cond.op)
            if direction is None or cond.right.kind != "param":
                continue
            term = cond.left
            if term.kind == "helper" and term.code in ("pct", "pct_done", "ratio"):
                term = term.args[0]  # the numerator
            if (
                term.kind == "indicator"
                and term.offset == "current"
                and term.value_type in ("integer", "decimal", "percentage")
            ):
                targets.append((rule.criterion.code, term.code, direction))
    return targets


MONOTONE = _monotone_targets()


def test_monotone_targets_cover_the_threshold_criteria() -> None:
    covered = {code for code, _, _ in MONOTONE}
    assert {"3.1", "3.3", "5.2", "6.1", "6.2", "7.1", "7.3"} <= covered


@SETTINGS
@given(st.sampled_from(MONOTONE), random_readings(), st.integers(0, 40))
def test_moving_a_value_past_its_threshold_never_turns_met_into_not_met(
    target, readings, step
) -> None:
    code, indicator, direction = target
    spec = default_version()
    before = evaluate_unit(spec, WARD, PERIOD, readings).criterion(code)
    value = readings[PERIOD][indicator]
    ind = spec.indicators_by_code[indicator]
    moved = value + direction * (step if ind.value_type == "integer" else float(step))
    if ind.min_value is not None:
        moved = max(moved, ind.min_value)
    if ind.max_value is not None:
        moved = min(moved, ind.max_value)
    readings[PERIOD][indicator] = moved
    after = evaluate_unit(spec, WARD, PERIOD, readings).criterion(code)
    if before.status == MET:
        assert after.status != NOT_MET, (before.explanation_vi, after.explanation_vi)


@SETTINGS
@given(random_readings(missing_rate=0.05))
def test_same_inputs_same_outputs_and_digest(readings) -> None:
    spec = default_version()
    first = evaluate_unit(spec, WARD, PERIOD, readings)
    second = evaluate_unit(spec, WARD, PERIOD, Readings.from_periods(readings))
    assert first == second
    assert first.input_digest == second.input_digest
    assert first.input_digest == input_digest(spec, WARD, PERIOD, readings)
    assert [c.explanation_vi for c in first.criteria] == [c.explanation_vi for c in second.criteria]


def test_batch_equals_one_by_one() -> None:
    spec = default_version()
    units = [Unit(f"W{i}", "ward", dt.date(2025, 12, 31)) for i in range(5)]
    readings = [
        good_readings(),
        good_readings(security_land_area=390),
        good_readings(satisfaction_rate=None),
        good_readings(supervised_persons=0),
        good_readings(police_headcount=9.5),
    ]
    batch = evaluate_many(spec, list(zip(units, readings, strict=True)), period=PERIOD)
    single = [evaluate_unit(spec, u, PERIOD, r) for u, r in zip(units, readings, strict=True)]
    assert batch == single
    assert [r.score_text for r in batch] == ["22/22", "21/22", "21/22", "21/22", "21/22"]


# -- digests --------------------------------------------------------------------------------------


def test_digest_covers_exactly_the_inputs_read() -> None:
    spec = default_version()
    base = input_digest(spec, WARD, PERIOD, good_readings())
    # Readings no rule reads do not change it.
    extra = good_readings()
    extra[PERIOD]["unrelated_indicator"] = 5
    extra["2023"] = {"drug_users": 99}
    extra[PREV]["satisfaction_rate"] = 12.0
    assert input_digest(spec, WARD, PERIOD, extra) == base
    # The same value in another Python type is the same input.
    assert input_digest(spec, WARD, PERIOD, good_readings(security_land_area=2160.0)) == base
    assert (
        input_digest(spec, WARD, PERIOD, good_readings(security_land_area=Decimal("2160"))) == base
    )
    # Anything that was read changes it.
    assert input_digest(spec, WARD, PERIOD, good_readings(security_land_area=2161)) != base
    assert input_digest(spec, WARD, PERIOD, good_readings(security_land_area=None)) != base
    changed_prev = good_readings()
    changed_prev[PREV]["drug_users"] = 41
    assert input_digest(spec, WARD, PERIOD, changed_prev) != base
    other_unit = dataclasses.replace(WARD, code="HY-LAM-SON")
    assert input_digest(spec, other_unit, PERIOD, good_readings()) != base
    raised = dataclasses.replace(
        spec,
        parameters=tuple(
            dataclasses.replace(p, value="Tập thể lao động xuất sắc")
            if p.name == "people_committee_title_min"
            else p
            for p in spec.parameters
        ),
    )
    assert input_digest(raised, WARD, PERIOD, good_readings()) != base
    assert len(base) == 64 and int(base, 16) >= 0


def test_invalid_values_are_digested_distinctly() -> None:
    spec = default_version()
    a = input_digest(spec, WARD, PERIOD, good_readings(police_headcount="9"))
    b = input_digest(spec, WARD, PERIOD, good_readings(police_headcount=9.5))
    c = input_digest(spec, WARD, PERIOD, good_readings(police_headcount=None))
    assert len({a, b, c}) == 3


# -- missing data: zero denominators, type mismatches ----------------------------------------------


def test_zero_denominator_gives_missing_data_with_reason() -> None:
    result = evaluate_unit(
        default_version(),
        WARD,
        PERIOD,
        good_readings(supervised_persons=0, supervised_persons_managed=0),
    )
    r = result.criterion("5.2")
    assert r.status == MISSING_DATA
    assert "(3/0) không tính được" in r.explanation_vi
    assert "mẫu số bằng 0" in r.explanation_vi
    assert not r.missing  # the values exist; the ratio does not


def test_zero_previous_value_gives_missing_data_with_reason() -> None:
    readings = good_readings(fugitives_caught=3)
    readings[PREV]["fugitives_caught"] = 0
    r = evaluate_unit(default_version(), WARD, PERIOD, readings).criterion("5.3")
    assert r.status == MISSING_DATA
    assert "giá trị kỳ trước bằng 0" in r.explanation_vi


def test_a_failed_condition_does_not_hide_an_unknown_one() -> None:
    # CEL's "false && error" is false; the engine still reports missing data, with both facts.
    readings = good_readings(
        procedures_published=23, dossiers_settled=0, dossiers_on_time=0, dossiers_early=0
    )
    r = evaluate_unit(default_version(), WARD, PERIOD, readings).criterion("7.1")
    assert r.status == MISSING_DATA
    assert "(23/24) 95,83% ≥ Tỷ lệ thủ tục được công khai tối thiểu 100%: không đạt" in (
        r.explanation_vi
    )
    assert "(0/0) không tính được" in r.explanation_vi


@pytest.mark.parametrize(
    ("code", "overrides", "reason"),
    [
        ("7.3", {"satisfaction_rate": "90%"}, "giá trị “90%” không phải số"),
        ("2.3", {"police_headcount": 9.5}, "giá trị 9,5 không phải số nguyên"),
        ("3.2", {"own_headquarters": 1}, "không phải có/không"),
        ("1.1", {"party_committee_rating": "Xuất sắc"}, "không thuộc danh sách lựa chọn"),
        (
            "7.3",
            {"satisfaction_rate": 120.0},
            "nằm ngoài khoảng cho phép (tối thiểu 0, tối đa 100)",
        ),
        ("2.2", {"officers_disciplined": -1}, "nằm ngoài khoảng cho phép (tối thiểu 0)"),
        ("2.2", {"officers_disciplined": True}, "không phải số nguyên"),
        ("3.1", {"security_land_area": float("nan")}, "không phải số hữu hạn"),
    ],
)
def test_type_mismatches_give_missing_data_with_reason(
    code: str, overrides: dict, reason: str
) -> None:
    r = evaluate_unit(default_version(), WARD, PERIOD, good_readings(**overrides)).criterion(code)
    assert r.status == MISSING_DATA
    assert reason in r.explanation_vi, r.explanation_vi


def test_pct_done_refuses_contradictory_counts() -> None:
    r = evaluate_unit(default_version(), WARD, PERIOD, good_readings(weapons_managed=16)).criterion(
        "4.2"
    )
    assert r.status == MISSING_DATA
    assert "lớn hơn tổng số" in r.explanation_vi


# -- periods, roll-ups, previous year, mergers -----------------------------------------------------


def _monthly(total_by_month: dict[int, int], code: str) -> dict[str, dict[str, Any]]:
    return {f"2025-{m:02d}": {code: v} for m, v in total_by_month.items()}


def test_monthly_values_roll_up_into_the_year() -> None:
    readings = good_readings(crime_social_order=None)
    readings.update(
        _monthly({m: (2 if m <= 6 else 1) for m in range(1, 13)}, "crime_social_order")
    )  # 12 + 6 = 18
    r = evaluate_unit(default_version(), WARD, PERIOD, readings).criterion("5.4")
    assert r.status == MET
    assert r.values["crime_social_order"] == 18
    assert "(20 vụ → 18 vụ) 10%" in r.explanation_vi


def test_a_missing_month_makes_the_year_missing() -> None:
    readings = good_readings(crime_social_order=None)
    readings.update(_monthly(dict.fromkeys(range(1, 12), 1), "crime_social_order"))
    r = evaluate_unit(default_version(), WARD, PERIOD, readings).criterion("5.4")
    assert r.status == MISSING_DATA
    assert "thiếu số liệu các kỳ 2025-12" in r.explanation_vi


def test_a_direct_yearly_value_wins_over_months() -> None:
    readings = good_readings(crime_social_order=18)
    readings.update(_monthly({1: 100}, "crime_social_order"))
    r = evaluate_unit(default_version(), WARD, PERIOD, readings).criterion("5.4")
    assert r.values["crime_social_order"] == 18


def test_quarterly_values_roll_up() -> None:
    readings = good_readings(progress_hearings_held=None)
    for q in range(1, 5):
        readings[f"2025Q{q}"] = {"progress_hearings_held": 1}
    r = evaluate_unit(default_version(), WARD, PERIOD, readings).criterion("1.2")
    assert r.status == MET
    assert r.values["progress_hearings_held"] == 4


def test_previous_year_values_are_keyed_clearly() -> None:
    r = evaluate_unit(default_version(), WARD, PERIOD, good_readings()).criterion("5.3")
    assert r.values["drug_users"] == 32
    assert r.values["drug_users@prev_year"] == 40
    assert r.values["params.drug_users_decrease_min_pct"] == 15
    assert r.thresholds == {
        "drug_users_decrease_min_pct": 15,
        "fugitives_caught_increase_min_pct": 20,
    }


def test_merged_unit_compares_with_the_sum_of_its_predecessors() -> None:
    """Contract: after a merger the caller passes the predecessors' earlier values summed."""
    predecessors_2024 = {"ward_a": 30, "ward_b": 20}  # social-order crime cases in 2024
    readings = good_readings(crime_social_order=47)
    readings[PREV]["crime_social_order"] = sum(predecessors_2024.values())
    merged = Unit("HY-NEW", "ward", dt.date(2025, 7, 1))
    r = evaluate_unit(default_version(), merged, PERIOD, readings).criterion("5.4")
    assert r.status == MET
    assert "(50 vụ → 47 vụ) 6%" in r.explanation_vi


def test_half_year_evaluation_uses_the_same_half_last_year() -> None:
    spec = _small_spec('crime_social_order <= prev_year("crime_social_order")')
    readings = {"2025H1": {"crime_social_order": 9}, "2024H1": {"crime_social_order": 10}}
    r = evaluate_unit(spec, WARD, "2025H1", readings).criterion("1.1")
    assert r.status == MET
    assert "cùng kỳ năm trước" in r.explanation_vi


def test_previous_period_helper() -> None:
    spec = _small_spec('crime_social_order <= prev_period("crime_social_order")')
    readings = {"2025Q1": {"crime_social_order": 9}, "2024Q4": {"crime_social_order": 8}}
    r = evaluate_unit(spec, WARD, "2025Q1", readings).criterion("1.1")
    assert r.status == NOT_MET
    assert r.values["crime_social_order@prev_period"] == 8
    assert "kỳ trước" in r.explanation_vi


# -- applicability ---------------------------------------------------------------------------------


def _with_criterion(spec: VersionSpec, code: str, **changes: Any) -> VersionSpec:
    return dataclasses.replace(
        spec,
        criteria=tuple(
            dataclasses.replace(c, **changes) if c.code == code else c for c in spec.criteria
        ),
    )


def test_criteria_may_not_apply_to_some_unit_kinds() -> None:
    spec = _with_criterion(default_version(), "6.3", applies_to=("ward", "township"))
    commune = Unit("HT-XA-1", "commune", dt.date(2025, 12, 31))
    result = evaluate_unit(spec, commune, PERIOD, good_readings())
    r = result.criterion("6.3")
    assert r.status == NOT_APPLICABLE
    assert "không áp dụng cho xã" in r.explanation_vi
    assert result.total == 21 and result.met == 21 and result.model_standard
    assert result.score_text == "21/21"
    group6 = next(g for g in result.groups if g.code == "6")
    assert (group6.met, group6.total, group6.not_applicable) == (3, 3, 1)
    # Its inputs are not read, so they do not enter the digest either.
    assert input_digest(spec, commune, PERIOD, good_readings(businesses=1)) == (result.input_digest)


def test_criteria_may_apply_from_a_date() -> None:
    spec = _with_criterion(default_version(), "2.3", valid_from=dt.date(2025, 3, 1))
    assert (
        evaluate_unit(spec, WARD, "2024", _previous_year_readings()).criterion("2.3").status
        == NOT_APPLICABLE
    )
    assert evaluate_unit(spec, WARD, "2025", good_readings()).criterion("2.3").status == MET
    assert (
        evaluate_unit(spec, WARD, "2025H1", {"2025H1": good_readings()[PERIOD]})
        .criterion("2.3")
        .status
        == MET
    )
    # The last day of the evaluated period decides: Q1 ends 31/3 (applies), February does not.
    assert (
        evaluate_unit(spec, WARD, "2025Q1", {"2025Q1": good_readings()[PERIOD]})
        .criterion("2.3")
        .status
        == MET
    )
    february = evaluate_unit(spec, WARD, "2025-02", {"2025-02": good_readings()[PERIOD]})
    assert february.criterion("2.3").status == NOT_APPLICABLE
    assert "chỉ áp dụng từ 01/03/2025" in february.criterion("2.3").explanation_vi


def _previous_year_readings() -> dict[str, dict[str, Any]]:
    return {"2024": good_readings()[PERIOD], "2023": good_previous()}


def test_model_standard_requires_every_applicable_criterion() -> None:
    assert evaluate_unit(default_version(), WARD, PERIOD, good_readings()).model_standard
    result = evaluate_unit(
        default_version(),
        WARD,
        PERIOD,
        good_readings(party_committee_rating="Hoàn thành tốt nhiệm vụ"),
    )
    assert not result.model_standard
    assert result.score_text == "21/22"  # Nghệ An: everything but criterion 1.1
    assert [g.met for g in result.groups] == [1, 3, 3, 3, 4, 4, 3]


# -- small specs for generic rules -----------------------------------------------------------------


def _small_spec(rule: str) -> VersionSpec:
    base = default_version()
    return dataclasses.replace(
        base,
        criteria=(CriterionSpec("1.1", "1", "Thử", "Test", rule),),
        groups=(base.groups[0],),
    )


def test_generic_expressions_are_explained_through_cel() -> None:
    spec = _small_spec("police_headcount - police_headcount_quota >= 0")
    r = evaluate_unit(spec, WARD, PERIOD, good_readings()).criterion("1.1")
    assert r.status == MET
    assert "[police_headcount - police_headcount_quota] 1 ≥ 0: đạt" in r.explanation_vi


def test_null_inequality_is_not_met_by_accident() -> None:
    # CEL says "null != 5" is true; a zero denominator must still give missing data.
    spec = _small_spec("pct(reoffenders, supervised_persons) != params.recidivism_max_pct")
    readings = good_readings(supervised_persons=0)
    r = evaluate_unit(spec, WARD, PERIOD, readings).criterion("1.1")
    assert r.status == MISSING_DATA
    assert "mẫu số bằng 0" in r.explanation_vi
    assert evaluate_unit(spec, WARD, PERIOD, good_readings()).criterion("1.1").status == MET


def test_a_run_time_cel_error_is_missing_data() -> None:
    spec = _small_spec("police_headcount / police_headcount_quota >= 1")
    r = evaluate_unit(spec, WARD, PERIOD, good_readings(police_headcount_quota=0)).criterion("1.1")
    assert r.status == MISSING_DATA
    assert "không xác định được" in r.explanation_vi


def test_dates_are_compared_as_dates() -> None:
    base = default_version()
    from kieumau.engine import IndicatorSpec

    spec = dataclasses.replace(
        _small_spec("plan_issued_on <= deadline_on"),
        indicators=(
            *base.indicators,
            IndicatorSpec("plan_issued_on", "Ngày ban hành kế hoạch", "Plan date", "date"),
            IndicatorSpec("deadline_on", "Hạn ban hành", "Deadline", "date"),
        ),
    )
    readings = {PERIOD: {"plan_issued_on": dt.date(2025, 3, 1), "deadline_on": "2025-03-31"}}
    r = evaluate_unit(spec, WARD, PERIOD, readings).criterion("1.1")
    assert r.status == MET
    assert "01/03/2025 ≤ Hạn ban hành 31/03/2025: đạt" in r.explanation_vi


# -- inputs ----------------------------------------------------------------------------------------


def test_bad_unit_kind_and_bad_period_raise_before_evaluating() -> None:
    with pytest.raises(ValueError, match="Loại đơn vị 'district' không hợp lệ"):
        Unit("X", "district", dt.date(2025, 1, 1))
    with pytest.raises(PeriodError):
        evaluate_unit(default_version(), WARD, "2025Q9", good_readings())
    with pytest.raises(PeriodError):
        Readings.from_periods({"2025-13": {"x": 1}})


def test_period_objects_and_codes_are_interchangeable() -> None:
    spec = default_version()
    a = evaluate_unit(spec, WARD, PERIOD, good_readings())
    b = evaluate_unit(spec, WARD, parse_period(PERIOD), Readings.from_periods(good_readings()))
    assert a == b


def test_results_are_frozen() -> None:
    result = evaluate_unit(default_version(), WARD, PERIOD, good_readings())
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.met = 0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.criteria[0].status = MET  # type: ignore[misc]
