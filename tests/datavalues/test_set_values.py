"""set_values: parsing Vietnamese input, all or nothing, optimistic locking, scope, audit.

Data: the `hierarchy` fixture (tests/conftest.py) and the default 22 criteria. A-W9 exists from
1/7/2025; A-W2 and B-W1 until then.
"""

import pytest

from kieumau.audit.models import AuditEntry
from kieumau.core.actors import CLI
from kieumau.core.errors import Conflict, NotFound, ValidationFailed
from kieumau.datavalues.models import DataValue
from kieumau.datavalues.selectors import values_of
from kieumau.datavalues.services import set_values
from kieumau.evaluation.models import EvaluationResult
from tests.criteria.conftest import import_default

pytestmark = pytest.mark.usefixtures("hierarchy", "default_criteria")


@pytest.fixture
def default_criteria(db):
    return import_default()


def stored(unit="A-W1", period="2025") -> dict:
    return {
        dv.indicator.code: dv.value
        for dv in DataValue.objects.filter(unit__code=unit, period=period).select_related(
            "indicator"
        )
    }


def value_events() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(event="datavalues.values_set").order_by("seq"))


def put(values, unit="A-W1", period="2025", actor=CLI, **kwargs):
    return set_values(actor=actor, unit_code=unit, period_code=period, values=values, **kwargs)


@pytest.mark.parametrize(
    ("code", "raw", "expected"),
    [
        ("families", "2.160", 2160),
        ("families", "1.234.567", 1234567),
        ("families", " 42 ", 42),
        ("families", 7, 7),
        ("families", "12.0", 12),
        ("security_land_area", "1,5", 1.5),
        ("security_land_area", "1.234,5", 1234.5),
        ("security_land_area", "512.75", 512.75),
        ("satisfaction_rate", "92,5%", 92.5),
        ("satisfaction_rate", "100", 100.0),
        ("id_targets_met", "có", True),
        ("id_targets_met", "Có", True),
        ("id_targets_met", "Đạt", True),
        ("id_targets_met", "không", False),
        ("id_targets_met", "không đạt", False),
        ("id_targets_met", True, True),
        ("id_targets_met", "0", False),
        ("party_committee_rating", "Hoàn thành tốt nhiệm vụ", "Hoàn thành tốt nhiệm vụ"),
        ("party_committee_rating", " Hoàn thành nhiệm vụ ", "Hoàn thành nhiệm vụ"),
    ],
)
def test_accepted_inputs_are_stored_typed(code, raw, expected):
    put({code: raw})
    value = stored()[code]
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    ("code", "raw", "message"),
    [
        ("families", "abc", "'abc' không phải là số"),
        ("families", "1,5", "'1,5' phải là số nguyên"),
        ("families", "-3", "-3 nằm ngoài giới hạn cho phép"),
        ("families", "", "thiếu giá trị"),
        ("families", True, "không phải là số"),
        ("families", "inf", "không phải là số"),
        ("satisfaction_rate", "101", "101 nằm ngoài giới hạn cho phép"),
        ("satisfaction_rate", "-0,5", "nằm ngoài giới hạn cho phép"),
        ("id_targets_met", "có lẽ", "'có lẽ' phải là có/không"),
        ("party_committee_rating", "Xuất sắc", "'Xuất sắc' không nằm trong danh sách"),
    ],
)
def test_refused_inputs_say_why_in_vietnamese(code, raw, message):
    with pytest.raises(ValidationFailed) as exc:
        put({code: raw})
    (problem,) = exc.value.problems
    assert message in problem.message
    assert problem.field == code
    assert problem.message.startswith(f"{code} (")  # names the indicator and its Vietnamese name
    assert stored() == {}


def test_choices_are_listed_in_the_refusal():
    with pytest.raises(ValidationFailed) as exc:
        put({"police_unit_title": "Đơn vị xuất sắc"})
    assert "Không đạt danh hiệu; Đơn vị tiên tiến; Đơn vị Quyết thắng" in exc.value.summary()


def test_wrong_period_type_unknown_indicator_and_bad_period():
    with pytest.raises(ValidationFailed) as exc:
        put({"crime_social_order": "3"}, period="2025")
    assert "chỉ tiêu 'crime_social_order' được báo cáo theo kỳ 'month'" in exc.value.summary()
    with pytest.raises(ValidationFailed) as exc:
        put({"drug_users": "3"}, period="2025-03")
    assert "không nhập cho kỳ 2025-03" in exc.value.summary()
    with pytest.raises(ValidationFailed) as exc:
        put({"khong_co": "3"})
    assert exc.value.problems[0].message == "chỉ tiêu 'khong_co' không tồn tại"
    for bad in ("2025-13", "20x5", "năm ngoái", ""):
        with pytest.raises(ValidationFailed) as exc:
            put({"drug_users": "3"}, period=bad)
        assert exc.value.problems[0].field == "period"
    # The right period type is accepted.
    put({"crime_social_order": "3"}, period="2025-03")
    put({"progress_hearings_held": "1"}, period="2025Q2")
    assert stored(period="2025-03") == {"crime_social_order": 3}
    assert stored(period="2025Q2") == {"progress_hearings_held": 1}


def test_a_unit_must_exist_in_the_period():
    with pytest.raises(ValidationFailed, match="đơn vị 'A-W9' không tồn tại trong kỳ 2024"):
        put({"drug_users": "3"}, unit="A-W9", period="2024")
    with pytest.raises(ValidationFailed, match="không tồn tại trong kỳ 2025-09"):
        put({"crime_social_order": "3"}, unit="B-W1", period="2025-09")
    with pytest.raises(NotFound, match="không tìm thấy đơn vị 'KHONG-CO'"):
        put({"drug_users": "3"}, unit="KHONG-CO")
    # Units that existed for part of the period take its values.
    put({"drug_users": "3"}, unit="A-W9", period="2025")
    put({"drug_users": "4"}, unit="B-W1", period="2025")
    put({"crime_social_order": "1"}, unit="B-W1", period="2025-06")
    put({"crime_social_order": "2"}, unit="A-W9", period="2025-07")
    assert not DataValue.objects.filter(unit__code="A-W9", period="2024").exists()


def test_one_bad_value_stores_nothing_and_audits_nothing():
    put({"drug_users": "10"})
    audit_before = AuditEntry.objects.count()
    results_before = list(EvaluationResult.objects.values_list("id", "input_digest"))
    with pytest.raises(ValidationFailed) as exc:
        put({"drug_users": "8", "families": "nhiều", "new_drug_users": "0", "xyz": "1"})
    assert len(exc.value.problems) == 2  # every problem at once
    assert {p.field for p in exc.value.problems} == {"families", "xyz"}
    assert stored() == {"drug_users": 10}
    assert AuditEntry.objects.count() == audit_before
    assert list(EvaluationResult.objects.values_list("id", "input_digest")) == results_before


def test_each_changed_value_is_audited_with_before_and_after(make_user):
    officer = make_user("unit_officer", "A-W1")
    saved = put({"drug_users": "10", "new_drug_users": "0"}, actor=officer)
    assert {dv.indicator.code: dv.revision for dv in saved} == {
        "drug_users": 1,
        "new_drug_users": 1,
    }
    events = value_events()
    assert len(events) == 1  # one entry per unit and period, naming every changed value
    entry = events[0]
    assert entry.target_repr == "A-W1 2025"
    assert entry.before == {"drug_users": None, "new_drug_users": None}
    assert entry.after == {"drug_users": 10, "new_drug_users": 0}
    assert entry.actor == officer
    assert entry.unit.code == "A-W1"

    put({"drug_users": "2.160", "new_drug_users": "0"}, actor=officer)
    events = value_events()
    assert len(events) == 2
    assert events[-1].before == {"drug_users": 10}  # new_drug_users did not change
    assert events[-1].after == {"drug_users": 2160}
    dv = DataValue.objects.get(unit__code="A-W1", indicator__code="drug_users", period="2025")
    assert (dv.value, dv.revision, dv.updated_by) == (2160, 2, officer)
    unchanged = DataValue.objects.get(indicator__code="new_drug_users")
    assert unchanged.revision == 1

    # The same value written the same way or another way ("2160" vs "2.160") changes nothing.
    put({"drug_users": "2160"}, actor=officer)
    assert len(value_events()) == 2
    assert DataValue.objects.get(indicator__code="drug_users").revision == 2


def test_a_stale_revision_is_a_conflict_naming_the_new_value():
    put({"drug_users": "10"})
    opened = {"drug_users": 1, "new_drug_users": 0}
    # Someone else saves first.
    put({"drug_users": "12"}, expected_revisions={"drug_users": 1})
    audit_before = AuditEntry.objects.count()
    with pytest.raises(Conflict) as exc:
        put({"drug_users": "11", "new_drug_users": "0"}, expected_revisions=opened)
    (problem,) = exc.value.problems
    assert problem.field == "drug_users"
    assert "người khác đã sửa giá trị thành '12'" in problem.message
    assert exc.value.status_code == 409
    # Nothing changed: not the conflicting value, not the other one.
    assert stored() == {"drug_users": 12}
    assert DataValue.objects.get(indicator__code="drug_users").revision == 2
    assert AuditEntry.objects.count() == audit_before


def test_expected_empty_but_someone_created_it():
    put({"drug_users": "5"})
    with pytest.raises(Conflict, match="thành '5'"):
        put({"drug_users": "6"}, expected_revisions={"drug_users": 0})
    assert stored() == {"drug_users": 5}
    # With the current revision the edit goes through.
    put({"drug_users": "6"}, expected_revisions={"drug_users": 1})
    assert stored() == {"drug_users": 6}


@pytest.mark.parametrize(
    ("role", "unit", "target", "allowed"),
    [
        ("province_admin", "C", "A-W1", False),
        ("province_admin", "C", "C-W1", True),
        ("province_admin", "A", "A-W9", True),
        ("province_admin", "A", "B-W1", True),  # B merged into A: A's admins hold its history
        ("unit_officer", "A-W1", "A-W1", True),
        ("unit_officer", "A-W1", "A-W9", False),
        ("viewer", "A", "A-W1", False),  # reads only
        ("province_appraiser", "A", "A-W1", False),
    ],
)
def test_scope(make_user, role, unit, target, allowed):
    user = make_user(role, unit)
    if allowed:
        put({"drug_users": "3"}, unit=target, actor=user)
        assert stored(target) == {"drug_users": 3}
        return
    with pytest.raises(NotFound) as exc:
        put({"drug_users": "3"}, unit=target, actor=user)
    # Out of scope reads exactly like a unit that does not exist.
    assert exc.value.summary() == f"không tìm thấy đơn vị '{target}'"
    assert stored(target) == {}
    assert not value_events()


def test_values_of_is_scoped(make_user):
    put({"drug_users": "3", "families": "2.160"})
    rows = values_of(CLI, "A-W1", "2025")
    assert [(dv.indicator.code, dv.value) for dv in rows] == [("drug_users", 3), ("families", 2160)]
    assert len(values_of(make_user("viewer", "A"), "A-W1", "2025")) == 2
    with pytest.raises(NotFound):
        values_of(make_user("viewer", "C"), "A-W1", "2025")


def test_a_stored_value_re_evaluates_its_unit_at_once():
    assert not EvaluationResult.objects.exists()
    put({"drug_users": "3"})
    row = EvaluationResult.objects.get(unit__code="A-W1", period="2025")
    assert row.criteria_version.number == 1
    assert row.result["criteria"][0]["code"] == "1.1"
    digest = row.input_digest
    put({"drug_users": "4"})
    row.refresh_from_db()
    assert row.input_digest != digest
    five_three = next(c for c in row.result["criteria"] if c["code"] == "5.3")
    assert five_three["values"]["drug_users"] == 4
