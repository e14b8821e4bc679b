"""Rule validation for the editor: positions, unknown names, static type errors, warnings."""

from __future__ import annotations

import dataclasses

import pytest

from kieumau.engine import (
    RuleProblem,
    SpecError,
    affected_criteria,
    compile_version,
    evaluate_unit,
    is_publishable,
    validate_rule,
    validate_version,
)

from .data import PERIOD, WARD, default_version, good_readings


def _errors(expr: str) -> list[RuleProblem]:
    return [p for p in validate_rule(expr, default_version()) if p.is_error]


def _one(expr: str) -> RuleProblem:
    errors = _errors(expr)
    assert len(errors) == 1, errors
    return errors[0]


def test_every_default_rule_is_clean() -> None:
    for c in default_version().criteria:
        assert validate_rule(c.rule, default_version()) == [], c.code


@pytest.mark.parametrize(
    ("expr", "line", "column", "fragment"),
    [
        ("security_land_area >= ", 1, 23, "kết thúc đột ngột"),
        ("security_land_area >=\n  (params.security_land_area_min", 2, 33, "thiếu ')'"),
        ("satisfaction_rate >= 90 &&& survey_respondents > 0", 1, 27, "ký tự không hợp lệ"),
        ("satisfaction_rate >= params.satisfaction_min_pct ) + (", 1, 50, "đặt sai chỗ"),
    ],
)
def test_syntax_errors_have_positions(expr: str, line: int, column: int, fragment: str) -> None:
    problem = _errors(expr)[0]
    assert (problem.line, problem.column) == (line, column)
    assert problem.code == "syntax"
    assert problem.message_vi.startswith("Lỗi cú pháp")
    assert fragment in problem.message_vi


def test_empty_rule() -> None:
    assert _one("   ").message_vi == "Quy tắc trống"


def test_unknown_indicator_with_suggestion_and_position() -> None:
    expr = "security_land_area >= params.security_land_area_min && recidivism_rate < 1"
    problem = _one(expr)
    assert (problem.line, problem.column) == (1, expr.index("recidivism_rate") + 1)
    assert problem.code == "unknown_indicator"
    assert "chỉ tiêu 'recidivism_rate' không tồn tại" in problem.message_vi

    problem = _one("satisfaction_rat >= params.satisfaction_min_pct")
    assert "có phải 'satisfaction_rate'?" in problem.message_vi


def test_unknown_parameter() -> None:
    problem = _one("satisfaction_rate >= params.satisfaction_min")
    assert problem.code == "unknown_parameter"
    assert (problem.line, problem.column) == (1, 29)
    assert "tham số 'satisfaction_min' không tồn tại" in problem.message_vi
    assert "satisfaction_min_pct" in problem.message_vi  # suggestion
    assert _one("satisfaction_rate >= params").code == "unknown_parameter"


def test_unknown_function() -> None:
    problem = _one("percent(reoffenders, supervised_persons) < params.recidivism_max_pct")
    assert problem.code == "unknown_function"
    assert "hàm 'percent' không tồn tại" in problem.message_vi
    assert "pct_done" in problem.message_vi


def test_unknown_indicator_inside_prev_year() -> None:
    problem = _one(
        'pct_decrease(drug_users, prev_year("drug_user")) >= params.drug_users_decrease_min_pct'
    )
    assert problem.code == "unknown_indicator"
    assert "'drug_user'" in problem.message_vi
    assert _one("prev_year(drug_users) > 0").code == "type"  # the code must be quoted


@pytest.mark.parametrize(
    ("expr", "fragment"),
    [
        # comparing a boolean indicator with a number
        (
            "own_headquarters >= params.security_land_sites_max",
            "không so sánh '>=' được chỉ tiêu 'own_headquarters' (đúng/sai)",
        ),
        # arithmetic on a text (choice) indicator
        ("party_committee_rating + 1 > 0", "phép tính '+' cần số"),
        # int and double mixed in arithmetic: CEL does not coerce
        ("security_land_sites + satisfaction_rate > 0", "CEL không tự đổi kiểu"),
        # && on a number
        ("police_headcount && own_headquarters", "toán tử '&&' cần điều kiện đúng/sai"),
        # the rule must give true/false
        ("police_headcount + police_headcount_quota", "quy tắc phải cho kết quả đúng/sai"),
        # numeric helper on a boolean
        ("pct(own_headquarters, police_headcount) > 0", "phải là số"),
        # rank with an unknown scale / a value outside the scale
        ('rank(party_committee_rating, "nope") > 0', "thang xếp loại 'nope' không tồn tại"),
        ('rank(police_unit_title, "party_rating") > 0', "không có trong thang 'party_rating'"),
        (
            'rank(params.police_unit_title_min, "party_rating") > 0',
            "không có trong thang 'party_rating'",
        ),
        ("!police_headcount", "toán tử '!' cần điều kiện đúng/sai"),
        ("police_headcount in 1", "vế phải của 'in' phải là danh sách"),
        ("satisfaction_rate % 1.0 > 0", "'%' không dùng được"),
    ],
)
def test_static_type_errors(expr: str, fragment: str) -> None:
    errors = _errors(expr)
    assert any(fragment in e.message_vi for e in errors), errors
    assert all(e.code in ("type", "unknown_scale") for e in errors)


def test_numeric_literals_other_than_0_1_100_are_warnings() -> None:
    problems = validate_rule(
        "satisfaction_rate >= 90 && survey_respondents >= 100 && serious_fires == 0",
        default_version(),
    )
    assert [(p.severity, p.code, p.column) for p in problems] == [("warning", "literal", 22)]
    assert "params.TÊN" in problems[0].message_vi


def test_integer_division_is_a_warning() -> None:
    problems = validate_rule("reoffenders / supervised_persons < 1", default_version())
    assert [p.code for p in problems] == ["integer_division"]


def test_problems_are_sorted_by_position() -> None:
    problems = validate_rule("foo > 2 && bar > params.nope", default_version())
    positions = [(p.line, p.column) for p in problems]
    assert positions == sorted(positions)


def test_version_with_a_bad_rule_is_not_publishable_nor_evaluable() -> None:
    spec = default_version()
    broken = dataclasses.replace(
        spec,
        criteria=tuple(
            dataclasses.replace(c, rule="recidivism_rate < params.recidivism_max_pct")
            if c.code == "5.2"
            else c
            for c in spec.criteria
        ),
    )
    problems = [p for p in validate_version(broken) if p.is_error]
    assert any(p.text_vi.startswith("Tiêu chí 5.2, quy tắc (dòng 1, cột 1)") for p in problems)
    assert not is_publishable(broken)
    with pytest.raises(SpecError):
        evaluate_unit(broken, WARD, PERIOD, good_readings())


def test_unused_declarations_are_warnings() -> None:
    spec = default_version()
    extra = dataclasses.replace(
        spec,
        parameters=(*spec.parameters, dataclasses.replace(spec.parameters[0], name="unused_x")),
    )
    problems = validate_version(extra)
    assert [(p.severity, p.place_vi) for p in problems] == [("warning", "Tham số 'unused_x'")]
    assert is_publishable(extra)


def test_affected_criteria() -> None:
    spec = default_version()
    assert affected_criteria(spec, "drug_users") == {"5.3"}
    assert affected_criteria(spec, "residential_groups") == {"6.3", "6.4"}
    assert affected_criteria(spec, "supervised_persons") == {"5.2"}
    assert affected_criteria(spec, "nonexistent") == set()


def test_compile_is_cached_per_spec_object() -> None:
    spec = default_version()
    assert compile_version(spec) is compile_version(spec)
