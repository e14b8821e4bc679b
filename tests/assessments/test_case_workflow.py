"""The assessment state machine: register → self-assess → submit → appraise → propose →
recognise (or refuse, return, revoke), independence, concurrency, the frozen snapshot.

Data: the `hierarchy` fixture (province A, its district A-D dissolved on 1/3/2025, wards A-W1
and A-W9; province C with C-W1), the default 22 criteria. Cases for 2025 are submitted after
1/3/2025 (no district step) unless a test says otherwise.
"""

import datetime as dt

import pytest
from django.utils import timezone

from kieumau.assessments.choices import CaseStatus
from kieumau.assessments.models import AssessmentCase, CaseEvent
from kieumau.assessments.services import decide_criterion, register_cases, save_self_assessment
from kieumau.assessments.snapshot import differences, snapshot_intact
from kieumau.assessments.workflow import transition
from kieumau.audit.models import AuditEntry
from kieumau.core.actors import CLI
from kieumau.core.errors import Conflict, NotFound, ValidationFailed
from kieumau.datavalues.services import set_values
from kieumau.notifications.models import Notification
from tests.criteria.conftest import import_default

pytestmark = pytest.mark.usefixtures("hierarchy")


@pytest.fixture
def people(db, make_user):
    import_default()
    return {
        "officer": make_user("unit_officer", "A-W1"),
        "admin": make_user("province_admin", "A"),
        "appraiser": make_user("province_appraiser", "A"),
        "ministry": make_user("ministry_admin", "VN"),
        "other_officer": make_user("unit_officer", "C-W1"),
    }


def explain_all(case, actor):
    """Self-assess every criterion; required evidence is explained instead of attached."""
    for crit in case.criteria.all():
        save_self_assessment(
            actor=actor,
            case_id=case.pk,
            code=crit.code,
            self_status="met",
            narrative="Đã thực hiện đầy đủ.",
            no_evidence_reason="Hồ sơ giấy lưu tại đơn vị" if crit.evidence_required else "",
        )


def agree_all(case, actor):
    for crit in case.criteria.all():
        decide_criterion(actor=actor, case_id=case.pk, code=crit.code, decision="agree")


def submitted_case(people):
    (case,) = register_cases(actor=people["admin"], unit_codes=["A-W1"], year=2025)
    explain_all(case, people["officer"])
    return transition(actor=people["officer"], case_id=case.pk, action="submit")


def test_register_prefills_every_criterion_from_the_evaluation(people):
    set_values(actor=CLI, unit_code="A-W1", period_code="2025", values={"drug_users": "3"})
    (case,) = register_cases(actor=people["admin"], unit_codes=["A-W1"], year=2025)
    assert case.criteria.count() == 22
    assert case.criteria_version.label.startswith("QD5764")
    assert {c.evaluated_status for c in case.criteria.all()} <= {"met", "not_met", "missing_data"}
    assert AuditEntry.objects.filter(event="assessments.case_registered").count() == 1
    with pytest.raises(ValidationFailed, match="đã có hồ sơ năm 2025"):
        register_cases(actor=people["admin"], unit_codes=["A-W1"], year=2025)
    with pytest.raises(ValidationFailed, match="không tìm thấy đơn vị 'C-W1'"):
        register_cases(actor=people["admin"], unit_codes=["C-W1"], year=2025)


def test_submission_lists_missing_evidence_and_nothing_changes(people):
    (case,) = register_cases(actor=people["admin"], unit_codes=["A-W1"], year=2025)
    with pytest.raises(ValidationFailed) as refused:
        transition(actor=people["officer"], case_id=case.pk, action="submit")
    messages = refused.value.messages()
    assert any("thiếu minh chứng" in m and "tiêu chí 1.1" in m for m in messages)
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT and case.snapshot is None


def test_full_flow_officer_appraiser_ministry(people):
    case = submitted_case(people)
    assert case.status == CaseStatus.PROVINCE_REVIEW
    assert snapshot_intact(case) and len(case.snapshot_sha256) == 64
    assert Notification.objects.filter(user=people["appraiser"], kind="case_submit").exists()
    with pytest.raises(ValidationFailed, match="chưa kết luận"):
        transition(actor=people["appraiser"], case_id=case.pk, action="approve")
    with pytest.raises(ValidationFailed, match="phải ghi rõ lý do"):
        decide_criterion(
            actor=people["appraiser"], case_id=case.pk, code="3.1", decision="disagree"
        )
    agree_all(case, people["appraiser"])
    case = transition(actor=people["appraiser"], case_id=case.pk, action="approve")
    assert case.status == CaseStatus.PROPOSED
    assert Notification.objects.filter(user=people["ministry"], kind="case_approve").exists()
    with pytest.raises(ValidationFailed, match="thiếu số quyết định"):
        transition(actor=people["ministry"], case_id=case.pk, action="recognise", decision={})
    case = transition(
        actor=people["ministry"],
        case_id=case.pk,
        action="recognise",
        decision={
            "number": "2878/QĐ-BCA",
            "date": dt.date(2026, 4, 22),
            "signer": "Bộ trưởng",
            "year": 2025,
        },
    )
    assert (case.status, case.decision_number, case.recognised_year) == (
        "recognised",
        "2878/QĐ-BCA",
        2025,
    )
    assert Notification.objects.filter(user=people["officer"], kind="case_recognise").exists()
    case = transition(
        actor=people["ministry"], case_id=case.pk, action="revoke", comment="Vi phạm sau công nhận"
    )
    assert case.status == CaseStatus.REVOKED
    actions = list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))
    assert actions == ["submit", "approve", "recognise", "revoke"]
    assert (
        AuditEntry.objects.filter(
            event__startswith="assessments.case_", target_id=str(case.pk)
        ).count()
        == 5  # registered, submitted, approved, recognised, revoked
    )


def test_the_submitter_cannot_appraise_their_own_case(people):
    (case,) = register_cases(actor=people["admin"], unit_codes=["A-W1"], year=2025)
    explain_all(case, people["admin"])  # the province admin self-assessed
    case = transition(actor=people["admin"], case_id=case.pk, action="submit")
    with pytest.raises(ValidationFailed, match="không được thẩm định"):
        decide_criterion(actor=people["admin"], case_id=case.pk, code="1.1", decision="agree")
    with pytest.raises(ValidationFailed, match="không được xem xét, thẩm định"):
        transition(actor=people["admin"], case_id=case.pk, action="return", comment="x")


def test_illegal_transition_is_409_with_the_current_state(people):
    case = submitted_case(people)
    with pytest.raises(Conflict, match="đang ở trạng thái 'chờ cấp tỉnh thẩm định'") as refused:
        transition(actor=people["ministry"], case_id=case.pk, action="recognise", decision={})
    assert refused.value.status_code == 409


def test_two_concurrent_approvals_exactly_one_wins(people):
    case = submitted_case(people)
    agree_all(case, people["appraiser"])
    seen = AssessmentCase.objects.get(pk=case.pk).revision
    transition(actor=people["appraiser"], case_id=case.pk, action="approve", expected_revision=seen)
    with pytest.raises(Conflict):
        transition(actor=people["admin"], case_id=case.pk, action="approve", expected_revision=seen)
    assert CaseEvent.objects.filter(case=case, action="approve").count() == 1


def test_out_of_scope_is_not_found(people):
    case = submitted_case(people)
    with pytest.raises(NotFound):
        decide_criterion(
            actor=people["other_officer"], case_id=case.pk, code="1.1", decision="agree"
        )
    with pytest.raises(NotFound):
        transition(actor=people["other_officer"], case_id=case.pk, action="approve")


def test_the_snapshot_is_frozen_and_differences_are_shown(people):
    set_values(actor=CLI, unit_code="A-W1", period_code="2025", values={"drug_users": "3"})
    case = submitted_case(people)
    frozen = dict(case.snapshot)
    assert frozen["values"]["2025"]["drug_users"] == 3
    set_values(actor=CLI, unit_code="A-W1", period_code="2025", values={"drug_users": "40"})
    case.refresh_from_db()
    assert case.snapshot == frozen and snapshot_intact(case)
    diff = differences(case)
    assert {"period": "2025", "indicator": "drug_users", "then": 3, "now": 40} in diff["values"]
    with pytest.raises(Conflict):
        save_self_assessment(
            actor=people["officer"], case_id=case.pk, code="1.1", self_status="not_met"
        )


def test_returned_case_can_be_reworked_and_resubmitted(people):
    case = submitted_case(people)
    decide_criterion(
        actor=people["appraiser"],
        case_id=case.pk,
        code="3.1",
        decision="disagree",
        reason="Chưa đủ 500 m²",
    )
    case = transition(
        actor=people["appraiser"],
        case_id=case.pk,
        action="return",
        comment="Bổ sung minh chứng đất",
    )
    assert case.status == CaseStatus.RETURNED
    assert not case.criteria.exclude(decision="").exists()
    save_self_assessment(
        actor=people["officer"],
        case_id=case.pk,
        code="3.1",
        self_status="not_met",
        no_evidence_reason="Chưa có",
    )
    case = transition(actor=people["officer"], case_id=case.pk, action="submit")
    assert case.status == CaseStatus.PROVINCE_REVIEW


def test_before_march_2025_a_district_review_comes_first(people, make_user):
    district_officer = make_user("unit_officer", "A-D", username="cand-huyen")
    (case,) = register_cases(actor=people["admin"], unit_codes=["A-W1"], year=2024)
    explain_all(case, people["officer"])
    january = timezone.make_aware(dt.datetime(2025, 1, 20, 9))
    case = transition(actor=people["officer"], case_id=case.pk, action="submit", now=january)
    assert case.status == CaseStatus.DISTRICT_REVIEW and case.district_review
    with pytest.raises(NotFound):
        transition(actor=people["officer"], case_id=case.pk, action="forward", now=january)
    case = transition(actor=district_officer, case_id=case.pk, action="forward", now=january)
    assert case.status == CaseStatus.PROVINCE_REVIEW
