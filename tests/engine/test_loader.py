"""Loading and dumping criteria versions: round trips and Vietnamese error messages."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings

from kieumau.engine import (
    SpecError,
    dump_version_yaml,
    is_publishable,
    load_version_yaml,
    validate_version,
    version_from_dict,
    version_to_dict,
)

from .data import default_version
from .strategies import versions


def _default_dict() -> dict:
    return version_to_dict(default_version())


def test_default_set_loads_and_validates_with_zero_problems() -> None:
    spec = default_version()
    assert validate_version(spec) == []
    assert is_publishable(spec)
    assert spec.set_code == "QD5764"
    assert spec.version == 1
    assert spec.status == "published"
    assert spec.provisional
    assert str(spec.valid_from) == "2021-07-13"
    assert len(spec.groups) == 7
    assert len(spec.criteria) == 22
    assert [c.code for c in spec.criteria] == [
        "1.1",
        "1.2",
        "2.1",
        "2.2",
        "2.3",
        "3.1",
        "3.2",
        "3.3",
        "4.1",
        "4.2",
        "4.3",
        "5.1",
        "5.2",
        "5.3",
        "5.4",
        "6.1",
        "6.2",
        "6.3",
        "6.4",
        "7.1",
        "7.2",
        "7.3",
    ]
    assert any("5764" in s for s in spec.sources)


def test_every_default_criterion_has_evidence_and_provenance() -> None:
    for c in default_version().criteria:
        assert c.evidence, c.code
        assert c.provenance, c.code
        assert c.requirement_vi, c.code
        assert c.name_en, c.code


def test_default_thresholds_match_the_domain() -> None:
    params = {p.name: p.value for p in default_version().parameters}
    assert params["security_land_area_min"] == 500
    assert params["security_land_sites_max"] == 2
    assert params["recidivism_max_pct"] == 1.5
    assert params["drug_users_decrease_min_pct"] == 15
    assert params["fugitives_caught_increase_min_pct"] == 20
    assert params["crime_social_order_decrease_min_pct"] == 6
    assert params["env_food_cases_decrease_min_pct"] == 50
    assert params["safe_units_min_pct"] == 90
    assert params["cultured_groups_min_pct"] == 90
    assert params["cultured_families_min_pct"] == 90
    assert params["satisfaction_min_pct"] == 90
    assert params["self_management_models_min"] == 2
    assert params["skilful_mobilisation_models_min"] == 1
    assert params["dossiers_early_min_pct"] == 10
    assert params["party_committee_rating_min"] == "Hoàn thành xuất sắc nhiệm vụ"
    assert params["people_committee_title_min"] == "Tập thể lao động tiên tiến"


def test_default_round_trips_through_dict_json_and_yaml() -> None:
    spec = default_version()
    assert version_from_dict(version_to_dict(spec)) == spec
    assert version_from_dict(version_to_dict(spec, json_safe=True)) == spec
    assert load_version_yaml(dump_version_yaml(spec)) == spec


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(versions())
def test_round_trip_property(spec) -> None:
    assert version_from_dict(version_to_dict(spec), strict=False) == spec
    assert version_from_dict(version_to_dict(spec, json_safe=True), strict=False) == spec


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(versions())
def test_yaml_round_trip_property(spec) -> None:
    assert load_version_yaml(dump_version_yaml(spec), strict=False) == spec


def _messages(data: dict, *, strict: bool = True) -> list[str]:
    with pytest.raises(SpecError) as info:
        version_from_dict(data, strict=strict)
    return info.value.messages


def test_unknown_indicator_in_a_rule_names_the_place() -> None:
    data = _default_dict()
    rule = next(c for c in data["criteria"] if c["code"] == "5.2")
    rule["rule"] = "recidivism_rate < params.recidivism_max_pct"
    messages = _messages(data)
    assert any(
        m.startswith("Tiêu chí 5.2, quy tắc") and "chỉ tiêu 'recidivism_rate' không tồn tại" in m
        for m in messages
    ), messages


def test_structural_errors_are_all_reported_at_once() -> None:
    data = _default_dict()
    del data["set"]["name_vi"]
    data["indicators"]["security_land_area"]["min"] = "năm trăm"
    data["indicators"]["security_land_area"]["type"] = "number"
    data["indicators"]["drug_users"]["evidense"] = "x"
    data["criteria"][0]["evidnce"] = ["x"]
    data["criteria"][1]["applies_to"] = ["district"]
    data["version"] = 0
    messages = _messages(data)
    joined = "\n".join(messages)
    assert "Bộ tiêu chí: thiếu trường 'name_vi'" in joined
    assert "Chỉ tiêu 'security_land_area': trường 'min' phải là số" in joined
    assert "giá trị 'number' của trường 'type' không hợp lệ" in joined
    assert "trường 'evidense' không được hỗ trợ" in joined
    assert "Tiêu chí 1.1: trường 'evidnce' không được hỗ trợ (có phải 'evidence'?)" in joined
    assert "loại đơn vị 'district' không hợp lệ" in joined
    assert "'version' phải là số nguyên" in joined
    assert len(messages) >= 7


def test_float_codes_must_be_quoted() -> None:
    data = _default_dict()
    data["criteria"][0]["code"] = 1.1
    assert any("phải viết trong dấu nháy" in m for m in _messages(data))


def test_not_a_mapping() -> None:
    assert _messages(["not", "a", "dict"]) == [
        "Bộ tiêu chí: phải là một bảng (các cặp khóa: giá trị)"
    ]


def test_cross_reference_errors() -> None:
    data = _default_dict()
    data["criteria"][0]["group"] = "9"
    data["criteria"].append(copy.deepcopy(data["criteria"][1]))
    data["indicators"]["BadCode"] = {"name_vi": "x", "type": "integer"}
    data["indicators"]["choice_without_choices"] = {"name_vi": "x", "type": "choice"}
    data["indicators"]["flag"] = {"name_vi": "x", "type": "boolean", "aggregation": "sum"}
    joined = "\n".join(_messages(data))
    assert "Tiêu chí 1.1: nhóm '9' không tồn tại" in joined
    assert "Tiêu chí '1.2': mã '1.2' bị trùng" in joined
    assert "Chỉ tiêu 'BadCode': mã phải viết thường" in joined
    assert "phải có danh sách 'choices'" in joined
    assert "không thể tổng hợp 'sum'" in joined


def test_non_strict_loading_keeps_rule_errors_for_the_editor() -> None:
    data = _default_dict()
    data["criteria"][0]["rule"] = "land_area >= "
    spec = version_from_dict(data, strict=False)
    problems = [p for p in validate_version(spec) if p.is_error]
    assert problems and problems[0].place_vi == "Tiêu chí 1.1, quy tắc"
    assert problems[0].line == 1
    assert not is_publishable(spec)


def test_duplicate_yaml_keys_are_errors() -> None:
    text = dump_version_yaml(default_version())
    text = text.replace(
        "parameters:\n", "parameters:\n  satisfaction_min_pct:\n    value: 80\n    label_vi: x\n", 1
    )
    with pytest.raises(SpecError) as info:
        load_version_yaml(text)
    assert "khóa 'satisfaction_min_pct' bị lặp lại" in info.value.messages[0]


def test_yaml_syntax_errors_have_a_position() -> None:
    with pytest.raises(SpecError) as info:
        load_version_yaml("set:\n  code: [QD\nversion: 1\n")
    problem = info.value.problems[0]
    assert problem.line is not None and problem.column is not None
    assert "lỗi cú pháp YAML" in problem.message_vi
