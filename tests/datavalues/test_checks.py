"""checks: parts that exceed their total are errors; stated percentages that disagree, warnings.

Pure functions: the browser preview, the server save and the Excel import all call them, so
their words are the words every user sees.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kieumau.datavalues.checks import DEFAULT_TOLERANCE, check_spec_problems, run_checks

NOT_GREATER = {
    "kind": "not_greater",
    "parts": ["dossiers_on_time"],
    "total": "dossiers_settled",
}
TWO_PARTS = {
    "kind": "not_greater",
    "parts": ["cases_solved", "cases_transferred"],
    "total": "cases",
}
PERCENTAGE = {
    "kind": "percentage",
    "numerator": "handled",
    "denominator": "received",
    "stated": "handled_pct",
}
LABELS = {
    "dossiers_on_time": "Số hồ sơ đúng hạn",
    "dossiers_settled": "Số hồ sơ đã giải quyết",
    "cases_solved": "Số vụ đã giải quyết",
    "cases_transferred": "Số vụ chuyển đi",
    "cases": "Tổng số vụ",
    "handled_pct": "Tỷ lệ giải quyết",
}

# Pure and fast, but a loaded test machine must not make them flaky.
PROPERTY = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_parts_within_their_total_pass():
    outcome = run_checks([NOT_GREATER], {"dossiers_on_time": 40, "dossiers_settled": 40}, LABELS)
    assert (outcome.errors, outcome.warnings) == ([], [])


def test_parts_above_their_total_are_an_error_naming_both_sides():
    outcome = run_checks([NOT_GREATER], {"dossiers_on_time": 41, "dossiers_settled": 40}, LABELS)
    (error,) = outcome.errors
    assert error.message == "Số hồ sơ đúng hạn (41) lớn hơn Số hồ sơ đã giải quyết (40)"
    assert error.field == "dossiers_on_time"
    assert outcome.warnings == []


@pytest.mark.parametrize(
    ("values", "message"),
    [
        # Thousands with a dot, as Vietnamese write them.
        (
            {"cases_solved": 1500, "cases_transferred": 1000, "cases": 2160},
            "Số vụ đã giải quyết + Số vụ chuyển đi (2.500) lớn hơn Tổng số vụ (2.160)",
        ),
        (
            {"cases_solved": 1_234_567, "cases_transferred": 1, "cases": 1_000_000},
            "Số vụ đã giải quyết + Số vụ chuyển đi (1.234.568) lớn hơn Tổng số vụ (1.000.000)",
        ),
        # Decimals with a comma.
        (
            {"cases_solved": 1.5, "cases_transferred": 1000, "cases": 1000.3},
            "Số vụ đã giải quyết + Số vụ chuyển đi (1.001,5) lớn hơn Tổng số vụ (1.000,3)",
        ),
    ],
)
def test_numbers_in_messages_are_written_the_vietnamese_way(values, message):
    (error,) = run_checks([TWO_PARTS], values, LABELS).errors
    assert error.message == message


def test_an_indicator_without_a_label_is_named_by_its_code():
    (error,) = run_checks([NOT_GREATER], {"dossiers_on_time": 3, "dossiers_settled": 2}, {}).errors
    assert error.message == "dossiers_on_time (3) lớn hơn dossiers_settled (2)"


@pytest.mark.parametrize(
    "values",
    [
        {"dossiers_on_time": 41},  # the total is missing
        {"dossiers_settled": 40},  # the part is missing
        {"dossiers_on_time": "41", "dossiers_settled": 40},  # not a number (has its own message)
        {"dossiers_on_time": True, "dossiers_settled": 0},  # yes/no is not a count
        {"dossiers_on_time": 41, "dossiers_settled": None},
    ],
)
def test_a_check_with_a_missing_input_is_skipped(values):
    outcome = run_checks([NOT_GREATER], values, LABELS)
    assert (outcome.errors, outcome.warnings) == ([], [])


def test_a_missing_part_skips_the_check_even_when_the_others_exceed():
    outcome = run_checks([TWO_PARTS], {"cases_solved": 100, "cases": 10}, LABELS)
    assert outcome.errors == []


def test_a_stated_percentage_far_from_its_parts_is_a_warning():
    values = {"handled": 2, "received": 3, "handled_pct": 70}
    outcome = run_checks([PERCENTAGE], values, LABELS)
    assert outcome.errors == []
    (warning,) = outcome.warnings
    assert warning.message == "Tỷ lệ giải quyết ghi 70% nhưng tính từ số liệu là 66,7% (2/3)"
    assert warning.field == "handled_pct"


@pytest.mark.parametrize(
    ("stated", "warns"),
    [
        (66.7, False),  # rounded as people write it
        (67, False),  # within half a point
        (66.2, False),
        (66.1, True),  # 0.57 points away
        (67.2, True),
        (0, True),
        (100, True),
    ],
)
def test_tolerance_of_half_a_point(stated, warns):
    values = {"handled": 2, "received": 3, "handled_pct": stated}
    assert bool(run_checks([PERCENTAGE], values, LABELS).warnings) is warns


def test_a_check_may_set_its_own_tolerance():
    values = {"handled": 90, "received": 100, "handled_pct": 88}
    assert run_checks([PERCENTAGE], values, LABELS).warnings  # 2 points > 0.5
    wide = {**PERCENTAGE, "tolerance": 2}
    assert not run_checks([wide], values, LABELS).warnings
    assert run_checks([{**wide, "tolerance": 1.9}], values, LABELS).warnings


def test_a_zero_denominator_skips_the_percentage():
    values = {"handled": 0, "received": 0, "handled_pct": 100}
    outcome = run_checks([PERCENTAGE], values, LABELS)
    assert (outcome.errors, outcome.warnings) == ([], [])


@pytest.mark.parametrize(
    "missing", ["handled", "received", "handled_pct"], ids=["numerator", "denominator", "stated"]
)
def test_a_percentage_with_a_missing_value_is_skipped(missing):
    values = {"handled": 1, "received": 3, "handled_pct": 90}
    del values[missing]
    outcome = run_checks([PERCENTAGE], values, LABELS)
    assert (outcome.errors, outcome.warnings) == ([], [])


def test_every_check_is_applied_and_each_problem_reported():
    values = {
        "dossiers_on_time": 50,
        "dossiers_settled": 40,
        "cases_solved": 5,
        "cases_transferred": 6,
        "cases": 10,
        "handled": 1,
        "received": 4,
        "handled_pct": 50,
    }
    outcome = run_checks([NOT_GREATER, TWO_PARTS, PERCENTAGE], values, LABELS)
    assert [e.field for e in outcome.errors] == ["dossiers_on_time", "cases_solved"]
    assert [w.field for w in outcome.warnings] == ["handled_pct"]


def test_check_definitions_naming_unknown_indicators_are_refused():
    known = {"dossiers_on_time", "dossiers_settled"}
    assert check_spec_problems(NOT_GREATER, known) == []
    assert check_spec_problems(TWO_PARTS, known) == [
        "kiểm tra dùng chỉ tiêu 'cases_solved' không có trong biểu mẫu",
        "kiểm tra dùng chỉ tiêu 'cases_transferred' không có trong biểu mẫu",
        "kiểm tra dùng chỉ tiêu 'cases' không có trong biểu mẫu",
    ]
    assert check_spec_problems({"kind": "sum_equals"}, known) == [
        "loại kiểm tra 'sum_equals' không được hỗ trợ (not_greater, percentage)"
    ]


@PROPERTY
@given(
    numerator=st.integers(0, 10**7),
    denominator=st.integers(1, 10**7),
)
def test_a_percentage_stated_exactly_as_computed_never_warns(numerator, denominator):
    stated = 100 * numerator / denominator
    values = {"handled": numerator, "received": denominator, "handled_pct": stated}
    assert run_checks([PERCENTAGE], values, LABELS).warnings == []
    # Nor when it is rounded to one decimal, as it is typed into a form.
    values["handled_pct"] = round(stated, 1)
    assert run_checks([PERCENTAGE], values, LABELS).warnings == []


@PROPERTY
@given(
    numerator=st.integers(0, 10**6),
    denominator=st.integers(1, 10**6),
    off=st.floats(DEFAULT_TOLERANCE + 0.01, 100),
)
def test_a_percentage_off_by_more_than_the_tolerance_always_warns(numerator, denominator, off):
    stated = 100 * numerator / denominator + off
    values = {"handled": numerator, "received": denominator, "handled_pct": stated}
    (warning,) = run_checks([PERCENTAGE], values, LABELS).warnings
    assert warning.message.startswith("Tỷ lệ giải quyết ghi ")
