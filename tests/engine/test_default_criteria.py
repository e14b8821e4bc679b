"""Each of the 22 default criteria: a met, a not-met, a missing-data and an exact-boundary case.

Every case starts from readings under which the unit meets all 22 criteria (``data.py``),
changes what the case is about, and checks the status of that criterion *and* that its
Vietnamese explanation shows the values a person would check.
"""

from __future__ import annotations

from typing import Any

import pytest

from kieumau.engine import MET, MISSING_DATA, NOT_MET, evaluate_unit

from .data import PERIOD, PREV, WARD, default_version, good_readings

Case = tuple[str, str, dict[str, Any], dict[str, Any], str, list[str]]

# (criterion, case, 2025 overrides, 2024 overrides, expected status, fragments of explanation_vi)
# fmt: off
CASES: list[Case] = [
    # 1.1 Party committee and People's Committee ratings
    ("1.1", "met", {}, {}, MET,
     ["Xếp loại Đảng bộ phường “Hoàn thành xuất sắc nhiệm vụ” ≥ Mức xếp loại Đảng bộ tối thiểu "
      "“Hoàn thành xuất sắc nhiệm vụ”: đạt", "“Tập thể lao động xuất sắc”", "Kết luận: đạt."]),
    ("1.1", "not_met", {"party_committee_rating": "Hoàn thành tốt nhiệm vụ"}, {}, NOT_MET,
     ["“Hoàn thành tốt nhiệm vụ” ≥ Mức xếp loại Đảng bộ tối thiểu “Hoàn thành xuất sắc nhiệm "
      "vụ”: không đạt", "Kết luận: không đạt."]),
    ("1.1", "missing", {"party_committee_rating": None}, {}, MISSING_DATA,
     ["Xếp loại Đảng bộ phường (party_committee_rating): chưa có số liệu",
      "Kết luận: thiếu số liệu"]),
    ("1.1", "boundary", {"people_committee_title": "Tập thể lao động tiên tiến"}, {}, MET,
     ["Danh hiệu thi đua UBND phường “Tập thể lao động tiên tiến” ≥ Danh hiệu UBND tối thiểu "
      "“Tập thể lao động tiên tiến”: đạt"]),
    # 1.2 Leadership
    ("1.2", "met", {"progress_hearings_held": 6}, {}, MET,
     ["Ban hành nghị quyết, kế hoạch về ANTT trong năm (có): đạt",
      "Số lần cấp ủy nghe báo cáo tiến độ 6 lần ≥ Số lần nghe báo cáo tối thiểu 4 lần: đạt"]),
    ("1.2", "not_met", {"security_resolution_issued": False}, {}, NOT_MET,
     ["Ban hành nghị quyết, kế hoạch về ANTT trong năm (không): không đạt"]),
    ("1.2", "missing", {"progress_hearings_held": None}, {}, MISSING_DATA,
     ["Số lần cấp ủy nghe báo cáo tiến độ (progress_hearings_held): thiếu số liệu các kỳ "
      "2025Q1, 2025Q2, 2025Q3, 2025Q4"]),
    ("1.2", "boundary", {"progress_hearings_held": 4}, {}, MET,
     ["4 lần ≥ Số lần nghe báo cáo tối thiểu 4 lần: đạt"]),
    # 2.1 Police Party cell
    ("2.1", "met", {}, {}, MET,
     ["Xếp loại chi bộ Công an phường “Hoàn thành xuất sắc nhiệm vụ”",
      "Chi bộ được tặng giấy khen \"Trong sạch, vững mạnh tiêu biểu\" (có): đạt"]),
    ("2.1", "not_met", {"police_party_cell_exemplary": False}, {}, NOT_MET,
     ["\"Trong sạch, vững mạnh tiêu biểu\" (không): không đạt"]),
    ("2.1", "missing", {"police_party_cell_rating": None}, {}, MISSING_DATA,
     ["Xếp loại chi bộ Công an phường (police_party_cell_rating): chưa có số liệu"]),
    ("2.1", "boundary", {"police_party_cell_rating": "Hoàn thành xuất sắc nhiệm vụ"}, {}, MET,
     ["“Hoàn thành xuất sắc nhiệm vụ” ≥ Mức xếp loại chi bộ tối thiểu “Hoàn thành xuất sắc "
      "nhiệm vụ”: đạt"]),
    # 2.2 Unit title and discipline
    ("2.2", "met", {}, {}, MET,
     ["Danh hiệu thi đua của Công an phường “Đơn vị Quyết thắng”",
      "Số cán bộ, chiến sĩ bị kỷ luật 0 người = 0: đạt"]),
    ("2.2", "not_met", {"officers_disciplined": 1}, {}, NOT_MET,
     ["Số cán bộ, chiến sĩ bị kỷ luật 1 người = 0: không đạt"]),
    ("2.2", "missing", {"exemplary_discipline_unit": None}, {}, MISSING_DATA,
     ["(exemplary_discipline_unit): chưa có số liệu"]),
    ("2.2", "boundary", {"police_unit_title": "Đơn vị tiên tiến"}, {}, NOT_MET,
     ["“Đơn vị tiên tiến” ≥ Danh hiệu đơn vị tối thiểu “Đơn vị Quyết thắng”: không đạt"]),
    # 2.3 Organisation and staffing
    ("2.3", "met", {}, {}, MET,
     ["Số cán bộ, chiến sĩ hiện có 10 người ≥ Biên chế được giao 9 người: đạt"]),
    ("2.3", "not_met", {"police_headcount": 8}, {}, NOT_MET,
     ["Số cán bộ, chiến sĩ hiện có 8 người ≥ Biên chế được giao 9 người: không đạt"]),
    ("2.3", "missing", {"police_headcount_quota": None}, {}, MISSING_DATA,
     ["Biên chế được giao (police_headcount_quota): chưa có số liệu"]),
    ("2.3", "boundary", {"police_headcount": 9}, {}, MET,
     ["Số cán bộ, chiến sĩ hiện có 9 người ≥ Biên chế được giao 9 người: đạt"]),
    # 3.1 Land (An Tảo 2,160 m²; Lam Sơn 821.6 m²; Lê Lợi 390 m²)
    ("3.1", "met", {"security_land_area": 821.6}, {}, MET,
     ["Diện tích đất an ninh 821,6 m² ≥ Diện tích đất tối thiểu 500 m²: đạt",
      "Số vị trí đất 1 vị trí ≤ Số vị trí đất tối đa 2 vị trí: đạt"]),
    ("3.1", "not_met", {"security_land_area": 390}, {}, NOT_MET,
     ["Diện tích đất an ninh 390 m² ≥ Diện tích đất tối thiểu 500 m²: không đạt"]),
    ("3.1", "missing", {"security_land_sites": None}, {}, MISSING_DATA,
     ["Số vị trí đất (security_land_sites): chưa có số liệu",
      "Diện tích đất an ninh 2.160 m² ≥ Diện tích đất tối thiểu 500 m²: đạt"]),
    ("3.1", "boundary", {"security_land_area": 500, "security_land_sites": 2}, {}, MET,
     ["Diện tích đất an ninh 500 m² ≥ Diện tích đất tối thiểu 500 m²: đạt",
      "Số vị trí đất 2 vị trí ≤ Số vị trí đất tối đa 2 vị trí: đạt"]),
    # 3.2 Headquarters (Mỹ Hào wards have none of their own)
    ("3.2", "met", {}, {}, MET, ["Có trụ sở làm việc riêng (có): đạt"]),
    ("3.2", "not_met", {"own_headquarters": False}, {}, NOT_MET,
     ["Có trụ sở làm việc riêng (không): không đạt"]),
    ("3.2", "missing", {"headquarters_good_condition": None}, {}, MISSING_DATA,
     ["Trụ sở không hư hỏng, xuống cấp (headquarters_good_condition): chưa có số liệu"]),
    # A yes/no rule has no numeric edge: its boundary is "every condition exactly true".
    ("3.2", "boundary",
     {"own_headquarters": True, "headquarters_standard_design": True,
      "headquarters_good_condition": True}, {}, MET,
     ["Trụ sở đúng thiết kế mẫu, đủ phòng chức năng (có): đạt"]),
    # 3.3 Equipment and budget
    ("3.3", "met", {}, {}, MET,
     ["Tỷ lệ trang thiết bị, phương tiện, VK, CCHT so với định mức 100% ≥ Tỷ lệ trang bị so với "
      "định mức tối thiểu 100%: đạt"]),
    ("3.3", "not_met", {"equipment_norm_pct": 99.5}, {}, NOT_MET,
     ["so với định mức 99,5% ≥ Tỷ lệ trang bị so với định mức tối thiểu 100%: không đạt"]),
    ("3.3", "missing", {"operational_budget_allocated": None}, {}, MISSING_DATA,
     ["Được bố trí kinh phí nghiệp vụ (operational_budget_allocated): chưa có số liệu"]),
    ("3.3", "boundary", {"equipment_norm_pct": 100.0}, {}, MET, ["100% ≥"]),
    # 4.1 Population data
    ("4.1", "met", {}, {}, MET, ["(37/37) 100% ≥ Tỷ lệ chỉnh sửa sai lệch tối thiểu 100%: đạt"]),
    ("4.1", "not_met", {"population_discrepancies_fixed": 36}, {}, NOT_MET,
     ["(36/37) 97,3% ≥ Tỷ lệ chỉnh sửa sai lệch tối thiểu 100%: không đạt"]),
    ("4.1", "missing", {"id_targets_met": None}, {}, MISSING_DATA,
     ["(id_targets_met): chưa có số liệu"]),
    ("4.1", "boundary",
     {"population_discrepancies_found": 0, "population_discrepancies_fixed": 0}, {}, MET,
     ["(0/0) 100% ≥ Tỷ lệ chỉnh sửa sai lệch tối thiểu 100%: đạt"]),
    # 4.2 Conditional businesses, weapons, inspections
    ("4.2", "met", {}, {}, MET, ["(42/42) 100%", "(15/15) 100%", "(12/12) 100%"]),
    ("4.2", "not_met", {"weapons_managed": 14}, {}, NOT_MET,
     ["(14/15) 93,33% ≥ Tỷ lệ VK, VLN, CCHT được quản lý tối thiểu 100%: không đạt"]),
    ("4.2", "missing", {"inspections_planned": None}, {}, MISSING_DATA,
     ["Số cuộc kiểm tra ANTT theo kế hoạch (inspections_planned): chưa có số liệu"]),
    ("4.2", "boundary", {"conditional_businesses": 0, "conditional_businesses_managed": 0}, {},
     MET, ["(0/0) 100% ≥ Tỷ lệ cơ sở được quản lý tối thiểu 100%: đạt"]),
    # 4.3 Fire, traffic, public order
    ("4.3", "met", {}, {}, MET, ["Số vụ cháy, nổ nghiêm trọng trở lên 0 vụ = 0: đạt"]),
    ("4.3", "not_met", {"serious_traffic_accidents": 1}, {}, NOT_MET,
     ["Số vụ tai nạn giao thông nghiêm trọng trở lên 1 vụ = 0: không đạt"]),
    ("4.3", "missing", {"firecracker_cases": None}, {}, MISSING_DATA,
     ["Số vụ tàng trữ, đốt pháo nổ trái phép (firecracker_cases): chưa có số liệu"]),
    ("4.3", "boundary", {"serious_fires": 0, "illegal_racing_cases": 0}, {}, MET,
     ["Số vụ đua xe trái phép 0 vụ = 0: đạt"]),
    # 5.1 Crime reports (monthly, summed into the year when no yearly value is given)
    ("5.1", "met", {}, {}, MET,
     ["(58/58) 100% ≥ Tỷ lệ tin báo được giải quyết đúng hạn tối thiểu 100%: đạt",
      "Số vụ khiếu nại, tố cáo đông người, vượt cấp 0 vụ = 0: đạt"]),
    ("5.1", "not_met", {"crime_reports_handled_on_time": 57}, {}, NOT_MET,
     ["(57/58) 98,28% ≥ Tỷ lệ tin báo được giải quyết đúng hạn tối thiểu 100%: không đạt"]),
    ("5.1", "missing", {"crime_reports_received": None}, {}, MISSING_DATA,
     ["Số tin báo, tố giác tội phạm tiếp nhận (crime_reports_received): thiếu số liệu các kỳ "
      "2025-01, 2025-02"]),
    ("5.1", "boundary", {"crime_reports_received": 0, "crime_reports_handled_on_time": 0}, {},
     MET, ["(0/0) 100%"]),
    # 5.2 Recidivism (< 1.5%: strict)
    ("5.2", "met", {}, {}, MET,
     ["Tỷ lệ số người tái phạm trên số đối tượng thuộc diện quản lý (3/250) 1,2% < Tỷ lệ tái "
      "phạm tối đa 1,5%: đạt"]),
    ("5.2", "not_met", {"reoffenders": 4}, {}, NOT_MET,
     ["(4/250) 1,6% < Tỷ lệ tái phạm tối đa 1,5%: không đạt"]),
    ("5.2", "missing", {"reoffenders": None}, {}, MISSING_DATA,
     ["Số người tái phạm (reoffenders): chưa có số liệu"]),
    ("5.2", "boundary",
     {"reoffenders": 3, "supervised_persons": 200, "supervised_persons_managed": 200}, {},
     NOT_MET, ["(3/200) 1,5% < Tỷ lệ tái phạm tối đa 1,5%: không đạt"]),
    # 5.3 Drugs (down >= 15%, no new users) and fugitives (up >= 20%)
    ("5.3", "met", {}, {}, MET,
     ["Mức giảm số người nghiện ma túy so với năm trước (40 người → 32 người) 20% ≥ Mức giảm "
      "tối thiểu 15%: đúng", "(10 đối tượng → 12 đối tượng) +20% ≥ Mức tăng tối thiểu 20%"]),
    ("5.3", "not_met", {"drug_users": 35}, {}, NOT_MET,
     ["(40 người → 35 người) 12,5% ≥ Mức giảm tối thiểu 15%: sai", "Kết luận: không đạt."]),
    ("5.3", "missing", {}, {"drug_users": None}, MISSING_DATA,
     ["Số người nghiện ma túy (drug_users) (năm trước): chưa có số liệu"]),
    ("5.3", "boundary", {"drug_users": 34, "fugitives_caught": 12}, {}, MET,
     ["(40 người → 34 người) 15% ≥ Mức giảm tối thiểu 15%: đúng",
      "(10 đối tượng → 12 đối tượng) +20% ≥ Mức tăng tối thiểu 20%: đúng"]),
    # 5.4 Social-order crime (down >= 6%), environment/food cases (down >= 50%)
    ("5.4", "met", {"crime_social_order": 191}, {"crime_social_order": 205}, MET,
     ["Mức giảm số vụ phạm tội về trật tự xã hội so với năm trước (205 vụ → 191 vụ) 6,83% ≥ "
      "Mức giảm tối thiểu 6%: đúng"]),
    ("5.4", "not_met", {"crime_social_order": 19}, {}, NOT_MET,
     ["(20 vụ → 19 vụ) 5% ≥ Mức giảm tối thiểu 6%: sai"]),
    ("5.4", "missing", {}, {"env_food_cases": None}, MISSING_DATA,
     ["(env_food_cases) (năm trước): chưa có số liệu"]),
    ("5.4", "boundary", {"crime_social_order": 47, "env_food_cases": 5},
     {"crime_social_order": 50, "env_food_cases": 10}, MET,
     ["(50 vụ → 47 vụ) 6% ≥ Mức giảm tối thiểu 6%: đúng",
      "(10 vụ → 5 vụ) 50% ≥ Mức giảm tối thiểu 50%: đúng"]),
    # 6.1 Models, festival, forum
    ("6.1", "met", {}, {}, MET,
     ["Số mô hình quần chúng tự quản về ANTT 3 mô hình ≥ Số mô hình tự quản tối thiểu 2 mô "
      "hình: đạt"]),
    ("6.1", "not_met", {"self_management_models": 1}, {}, NOT_MET,
     ["1 mô hình ≥ Số mô hình tự quản tối thiểu 2 mô hình: không đạt"]),
    ("6.1", "missing", {"police_listening_forum_held": None}, {}, MISSING_DATA,
     ["(police_listening_forum_held): chưa có số liệu"]),
    ("6.1", "boundary", {"self_management_models": 2, "skilful_mobilisation_models": 1}, {}, MET,
     ["2 mô hình ≥ Số mô hình tự quản tối thiểu 2 mô hình: đạt",
      "Số mô hình \"Dân vận khéo\" 1 mô hình ≥"]),
    # 6.2 Safe for security and order (>= 90%)
    ("6.2", "met", {}, {}, MET, ["(38/40) 95% ≥ Tỷ lệ đạt \"An toàn về ANTT\" tối thiểu 90%: đạt"]),
    ("6.2", "not_met", {"safe_units_recognised": 35}, {}, NOT_MET,
     ["(35/40) 87,5% ≥ Tỷ lệ đạt \"An toàn về ANTT\" tối thiểu 90%: không đạt"]),
    ("6.2", "missing", {"safe_units_assessed": None}, {}, MISSING_DATA,
     ["(safe_units_assessed): chưa có số liệu"]),
    ("6.2", "boundary", {"safe_units_recognised": 36}, {}, MET, ["(36/40) 90% ≥"]),
    # 6.3 Civilised urban life
    ("6.3", "met", {}, {}, MET,
     ["Tỷ lệ số tổ dân phố văn hóa trên số tổ dân phố (11/12) 91,67% ≥ Tỷ lệ tổ dân phố văn hóa "
      "tối thiểu 90%: đạt", "(2.256/2.400) 94%"]),
    ("6.3", "not_met", {"cultured_families": 2100}, {}, NOT_MET,
     ["(2.100/2.400) 87,5% ≥ Tỷ lệ gia đình văn hóa tối thiểu 90%: không đạt"]),
    ("6.3", "missing", {"businesses": None}, {}, MISSING_DATA,
     ["Số cơ sở sản xuất, kinh doanh (businesses): chưa có số liệu"]),
    ("6.3", "boundary",
     {"residential_groups": 10, "cultured_residential_groups": 9, "groups_with_convention": 10,
      "groups_with_civil_defence_team": 10, "groups_with_street_guards": 10}, {}, MET,
     ["(9/10) 90% ≥ Tỷ lệ tổ dân phố văn hóa tối thiểu 90%: đạt"]),
    # 6.4 Award and grassroots forces (Hưng Yên city: 89 teams in 89 groups)
    ("6.4", "met",
     {"residential_groups": 89, "groups_with_civil_defence_team": 89,
      "groups_with_street_guards": 89, "cultured_residential_groups": 85,
      "groups_with_convention": 89}, {}, MET,
     ["Tỷ lệ số tổ dân phố có đội dân phòng trên số tổ dân phố (89/89) 100%"]),
    ("6.4", "not_met", {"groups_with_street_guards": 11}, {}, NOT_MET,
     ["(11/12) 91,67% ≥ Tỷ lệ tổ có bảo vệ dân phố tối thiểu 100%: không đạt"]),
    ("6.4", "missing", {"movement_merit_certificate": None}, {}, MISSING_DATA,
     ["(movement_merit_certificate): chưa có số liệu"]),
    ("6.4", "boundary", {"groups_with_civil_defence_team": 12, "groups_with_street_guards": 12},
     {}, MET, ["(12/12) 100% ≥ Tỷ lệ tổ có đội dân phòng tối thiểu 100%: đạt"]),
    # 7.1 Administrative procedures (>= 10% early)
    ("7.1", "met", {}, {}, MET,
     ["(180/1.200) 15% ≥ Tỷ lệ hồ sơ trước hạn tối thiểu 10%: đạt"]),
    ("7.1", "not_met", {"dossiers_early": 119}, {}, NOT_MET,
     ["(119/1.200) 9,92% ≥ Tỷ lệ hồ sơ trước hạn tối thiểu 10%: không đạt"]),
    ("7.1", "missing", {"procedures_total": None}, {}, MISSING_DATA,
     ["(procedures_total): chưa có số liệu"]),
    ("7.1", "boundary", {"dossiers_early": 120}, {}, MET,
     ["(120/1.200) 10% ≥ Tỷ lệ hồ sơ trước hạn tối thiểu 10%: đạt"]),
    # 7.2 Conduct and feedback
    ("7.2", "met", {}, {}, MET,
     ["(35/35) 100%", "Số phản ánh có căn cứ về thái độ, sách nhiễu của cán bộ 0 vụ = 0: đạt"]),
    ("7.2", "not_met", {"justified_conduct_complaints": 1}, {}, NOT_MET,
     ["1 vụ = 0: không đạt"]),
    ("7.2", "missing", {"citizen_feedback_answered": None}, {}, MISSING_DATA,
     ["(citizen_feedback_answered): chưa có số liệu"]),
    ("7.2", "boundary", {"citizen_feedback_received": 0, "citizen_feedback_answered": 0}, {},
     MET, ["(0/0) 100%"]),
    # 7.3 Satisfaction (>= 90%)
    ("7.3", "met", {}, {}, MET,
     ["Tỷ lệ người dân hài lòng 93,5% ≥ Tỷ lệ hài lòng tối thiểu 90%: đạt",
      "Số phiếu khảo sát hợp lệ 300 phiếu ≥ Số phiếu khảo sát tối thiểu 100 phiếu: đạt"]),
    ("7.3", "not_met", {"satisfaction_rate": 89.9}, {}, NOT_MET,
     ["Tỷ lệ người dân hài lòng 89,9% ≥ Tỷ lệ hài lòng tối thiểu 90%: không đạt"]),
    ("7.3", "missing", {"satisfaction_rate": None}, {}, MISSING_DATA,
     ["Tỷ lệ người dân hài lòng (satisfaction_rate): chưa có số liệu"]),
    ("7.3", "boundary", {"satisfaction_rate": 90.0, "survey_respondents": 100}, {}, MET,
     ["Tỷ lệ người dân hài lòng 90% ≥ Tỷ lệ hài lòng tối thiểu 90%: đạt",
      "100 phiếu ≥ Số phiếu khảo sát tối thiểu 100 phiếu: đạt"]),
]
# fmt: on


def test_the_table_covers_every_criterion_four_ways() -> None:
    seen = {(code, case) for code, case, *_ in CASES}
    for criterion in default_version().criteria:
        for case in ("met", "not_met", "missing", "boundary"):
            assert (criterion.code, case) in seen, (criterion.code, case)


def _readings(current: dict[str, Any], previous: dict[str, Any]) -> dict[str, dict[str, Any]]:
    readings = good_readings(**current)
    for key, value in previous.items():
        if value is None:
            readings[PREV].pop(key, None)
        else:
            readings[PREV][key] = value
    return readings


@pytest.mark.parametrize(
    ("code", "case", "current", "previous", "status", "fragments"),
    CASES,
    ids=[f"{c[0]}-{c[1]}" for c in CASES],
)
def test_criterion_case(
    code: str,
    case: str,
    current: dict[str, Any],
    previous: dict[str, Any],
    status: str,
    fragments: list[str],
) -> None:
    result = evaluate_unit(default_version(), WARD, PERIOD, _readings(current, previous))
    criterion = result.criterion(code)
    assert criterion.status == status, criterion.explanation_vi
    for fragment in fragments:
        assert fragment in criterion.explanation_vi, criterion.explanation_vi
    assert criterion.explanation_en
    assert "engine note" not in criterion.explanation_en
    if status == MISSING_DATA:
        assert "Kết luận: thiếu số liệu" in criterion.explanation_vi
        assert not criterion.met
    # The case changes only what it is about: every other criterion still holds.
    others = [r for r in result.criteria if r.code != code and r.status != MET]
    assert all(r.code in _ALSO_AFFECTED.get((code, case), ()) for r in others), [
        (r.code, r.status) for r in others
    ]


# Cases whose change legitimately touches another criterion that reads the same indicator.
_ALSO_AFFECTED: dict[tuple[str, str], tuple[str, ...]] = {
    ("5.2", "missing"): (),
}
