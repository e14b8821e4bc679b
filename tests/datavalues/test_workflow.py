"""The report state machine: draft → submitted → approved, or returned; unlock with a reason.

Every transition goes through `transition()`: it checks the state the actor saw, authorises on
the unit, records a timeline event and an audit entry, and notifies the next person.
Data: the `hierarchy` fixture and the default criteria and report forms; people of province A
(ward A-W1) and of province C.
"""

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from kieumau.audit.models import AuditEntry
from kieumau.core.actors import CLI
from kieumau.core.errors import Conflict, NotFound, ValidationFailed
from kieumau.datavalues.batch import Entry, apply_entries
from kieumau.datavalues.models import DataValue, DueRule, Submission, SubmissionEvent
from kieumau.datavalues.workflow import (
    TRANSITIONS,
    _notify_next,
    add_comment,
    get_or_start,
    transition,
)
from kieumau.notifications.models import Notification
from kieumau.notifications.services import notify
from kieumau.orgunits.models import OrgUnit
from tests.datavalues.conftest import MONTHLY, OPEN_MONTH, local_noon, report, stored

pytestmark = pytest.mark.usefixtures("hierarchy", "forms")

TITLE = "Báo cáo tháng kết quả xây dựng Công an phường điển hình, kiểu mẫu"
STATES = ["draft", "submitted", "returned", "approved"]
ACTIONS = ["submit", "approve", "return", "unlock"]
LEGAL = {
    ("draft", "submit"): "submitted",
    ("returned", "submit"): "submitted",
    ("submitted", "approve"): "approved",
    ("submitted", "return"): "returned",
    ("submitted", "unlock"): "draft",
    ("approved", "unlock"): "draft",
}
STATE_VI = {
    "draft": "dự thảo",
    "submitted": "đã nộp",
    "returned": "bị trả lại",
    "approved": "đã duyệt",
}
ACTION_VI = {"submit": "nộp", "approve": "duyệt", "return": "trả lại", "unlock": "mở khóa"}


@pytest.fixture
def people(make_user, django_user_model):
    users = {
        "officer": make_user("unit_officer", "A-W1"),
        "admin": make_user("province_admin", "A"),
        "admin2": make_user("province_admin", "A", username="admin2-a"),
        "c_admin": make_user("province_admin", "C"),
        "ministry": make_user("ministry_admin", "VN"),
        "viewer": make_user("viewer", "A"),
        "other_officer": make_user("unit_officer", "A-W9"),
    }
    for name, user in users.items():
        user.email = f"{name}@congan.example.vn"
        user.save()
    return users


def fill(values=MONTHLY, unit="A-W1", period=OPEN_MONTH):
    """Values entered by the system actor (no entry window, so any period works)."""
    apply_entries(
        actor=CLI,
        entries=[Entry(unit, code, period, raw) for code, raw in values.items()],
        source="test",
    )


def act(actor, sub, action, **kwargs) -> Submission:
    return transition(actor=actor, submission_id=sub.pk, action=action, **kwargs)


def to_state(state: str, people, period=OPEN_MONTH) -> Submission:
    """A complete report of A-W1 brought to `state` through the real transitions."""
    fill(period=period)
    sub = report(period=period)
    if state == "draft":
        return sub
    sub = act(people["officer"], sub, "submit")
    if state == "returned":
        sub = act(people["admin"], sub, "return", comment="Xem lại")
    elif state == "approved":
        sub = act(people["admin"], sub, "approve")
    return sub


def events(sub) -> list[tuple[str, str, str]]:
    return [
        (e.action, e.actor_repr, e.comment)
        for e in SubmissionEvent.objects.filter(submission=sub).order_by("at", "id")
    ]


def report_audit() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(event__startswith="datavalues.report_").order_by("seq"))


def notes(user) -> list[Notification]:
    return list(Notification.objects.filter(user=user).order_by("id"))


# -- submit ------------------------------------------------------------------------------------
def test_submit_lists_every_missing_required_value(people):
    fill({"crime_reports_received": "10", "crime_reports_handled_on_time": "9"})
    sub = report()
    audit = AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        act(people["officer"], sub, "submit")
    problems = exc.value.problems
    assert [p.field for p in problems] == [
        "crime_social_order",
        "dossiers_settled",
        "dossiers_on_time",
        "dossiers_early",
    ]
    assert problems[0].message == "thiếu crime_social_order (Số vụ phạm tội về trật tự xã hội)"
    # The optional stated percentages are not required.
    assert "crime_reports_on_time_pct" not in exc.value.summary()
    assert "dossiers_on_time_pct" not in exc.value.summary()
    sub.refresh_from_db()
    assert (sub.status, sub.revision, sub.submitted_at, sub.due_date) == ("draft", 1, None, None)
    assert AuditEntry.objects.count() == audit
    assert not SubmissionEvent.objects.exists()
    assert not Notification.objects.exists()


def test_submit_with_every_required_value_but_no_optional_one(people):
    fill()
    sub = act(people["officer"], report(), "submit")
    assert sub.status == "submitted"
    assert sub.submitted_by == people["officer"]
    assert sub.revision == 2
    assert sub.warnings == []


def test_submit_refuses_stored_values_that_fail_a_check(people):
    fill({**MONTHLY, "dossiers_on_time": "38"})
    # A value stored before the check existed (or written around it) still blocks the submission.
    DataValue.objects.filter(indicator__code="dossiers_early", period=OPEN_MONTH).update(value=39)
    with pytest.raises(ValidationFailed) as exc:
        act(people["officer"], report(), "submit")
    (problem,) = exc.value.problems
    assert "(39) lớn hơn Số hồ sơ giải quyết đúng hoặc trước hạn (38)" in problem.message
    assert report().status == "draft"


def test_submit_keeps_the_percentage_warnings_on_the_report(people):
    fill({**MONTHLY, "crime_reports_on_time_pct": "50"})
    sub = act(people["officer"], report(), "submit")
    (warning,) = sub.warnings
    assert warning["field"] == "crime_reports_on_time_pct"
    assert "ghi 50% nhưng tính từ số liệu là 90% (9/10)" in warning["message"]


@pytest.mark.parametrize(
    ("submitted_at", "on_time"),
    [
        (local_noon(dt.date(2025, 6, 2)), True),
        (local_noon(dt.date(2025, 6, 18)), True),  # on the due day
        (timezone.make_aware(dt.datetime(2025, 6, 18, 23, 30)), True),  # late evening, local
        (timezone.make_aware(dt.datetime(2025, 6, 19, 0, 30)), False),  # just after midnight
        (local_noon(dt.date(2025, 7, 1)), False),
    ],
)
def test_submit_fixes_the_due_date_and_says_if_it_was_on_time(people, submitted_at, on_time):
    fill(period="2025-05")
    sub = act(people["officer"], report(period="2025-05"), "submit", now=submitted_at)
    assert sub.due_date == dt.date(2025, 6, 18)
    assert sub.submitted_at == submitted_at
    assert sub.on_time is on_time
    assert Submission.objects.get(pk=sub.pk).on_time is on_time


def test_the_provinces_own_due_day_applies_and_stays_fixed_once_submitted(people):
    monthly = report(period="2025-05").dataset
    rule = DueRule.objects.create(
        dataset=monthly, province=OrgUnit.objects.get(code="A"), due_day=10
    )
    fill(period="2025-05")
    fill(unit="C-W1", period="2025-05")
    sub = act(
        people["officer"], report(period="2025-05"), "submit", now=local_noon(dt.date(2025, 6, 12))
    )
    assert sub.due_date == dt.date(2025, 6, 10)
    assert sub.on_time is False
    # Province C keeps the form's day.
    other = act(
        CLI, report("C-W1", period="2025-05"), "submit", now=local_noon(dt.date(2025, 6, 12))
    )
    assert (other.due_date, other.on_time) == (dt.date(2025, 6, 18), True)
    # A later change of the rule does not rewrite who was on time.
    rule.due_day = 20
    rule.save()
    act(people["admin"], sub, "return", comment="Bổ sung")
    sub = act(people["officer"], sub, "submit", now=local_noon(dt.date(2025, 6, 15)))
    assert (sub.due_date, sub.on_time) == (dt.date(2025, 6, 10), False)


# -- review ------------------------------------------------------------------------------------
def test_a_province_admin_approves(people):
    sub = to_state("submitted", people)
    at = local_noon(dt.date(2026, 1, 5))
    sub = act(people["admin"], sub, "approve", now=at)
    assert (sub.status, sub.decided_by, sub.decided_at) == ("approved", people["admin"], at)
    assert sub.is_locked


def test_returning_needs_a_reason(people):
    sub = to_state("submitted", people)
    for blank in ("", "   \n"):
        with pytest.raises(ValidationFailed) as exc:
            act(people["admin"], sub, "return", comment=blank)
        assert exc.value.problems[0].message == "cần ghi rõ lý do"
        assert exc.value.problems[0].field == "comment"
    assert report().status == "submitted"
    sub = act(people["admin"], sub, "return", comment="  Thiếu số liệu hồ sơ sớm hạn  ")
    assert sub.status == "returned"
    assert events(sub)[-1] == ("return", "province_admin-a", "Thiếu số liệu hồ sơ sớm hạn")
    assert not sub.is_locked


def test_unlocking_needs_a_reason_and_reopens_a_closed_period(people):
    officer = people["officer"]
    sub = to_state("approved", people, period="2025-05")
    closed = dt.date(2025, 9, 1)  # the May report closed on 18/8/2025
    batch = [Entry("A-W1", "crime_social_order", "2025-05", "5")]
    with pytest.raises(ValidationFailed, match="cần ghi rõ lý do"):
        act(people["admin"], sub, "unlock", comment="")
    sub = act(people["admin"], sub, "unlock", comment="Sửa theo kết luận thanh tra")
    assert (sub.status, sub.reopened) == ("draft", True)
    # The officer may now correct the closed month...
    apply_entries(actor=officer, entries=batch, source="test", today=closed)
    assert stored(period="2025-05")["crime_social_order"] == 5
    # ...until the report is submitted again.
    sub = act(officer, sub, "submit")
    assert sub.reopened is False
    with pytest.raises(ValidationFailed, match="không sửa được số liệu"):  # submitted: locked
        apply_entries(
            actor=officer,
            entries=[Entry("A-W1", "crime_social_order", "2025-05", "6")],
            source="test",
            today=closed,
        )
    # Returned for correction, it is open again (even though the period closed).
    sub = act(people["admin"], sub, "return", comment="Lại")
    assert sub.reopened is True
    apply_entries(
        actor=officer,
        entries=[Entry("A-W1", "crime_social_order", "2025-05", "6")],
        source="test",
        today=closed,
    )
    assert stored(period="2025-05")["crime_social_order"] == 6


def test_an_approved_report_unlocked_is_a_draft_again(people):
    sub = act(people["admin"], to_state("approved", people), "unlock", comment="Mở lại")
    assert sub.status == "draft"
    assert not sub.is_locked
    fill({"crime_social_order": "7"})
    assert stored()["crime_social_order"] == 7


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ACTIONS)
def test_the_state_machine(people, state, action):
    sub = to_state(state, people)
    actor = people["officer"] if action == "submit" else people["admin2"]
    revision = sub.revision
    if (state, action) in LEGAL:
        after = act(actor, sub, action, comment="Lý do")
        assert after.status == LEGAL[(state, action)]
        assert after.revision == revision + 1
        return
    with pytest.raises(Conflict) as exc:
        act(actor, sub, action, comment="Lý do")
    assert exc.value.status_code == 409
    assert exc.value.summary() == (
        f"không thể {ACTION_VI[action]} báo cáo đang ở trạng thái '{STATE_VI[state]}'"
    )
    sub.refresh_from_db()
    assert (sub.status, sub.revision) == (state, revision)


def test_the_table_of_transitions_is_the_one_tested():
    assert {
        (source, action): target
        for action, (sources, target, _perm) in TRANSITIONS.items()
        for source in sources
    } == LEGAL


def test_an_unknown_action_is_refused(people):
    sub = to_state("submitted", people)
    with pytest.raises(ValidationFailed, match="thao tác 'delete' không hợp lệ"):
        act(people["admin"], sub, "delete")


def test_a_double_click_is_a_conflict(people):
    sub = to_state("submitted", people)
    seen = sub.revision
    act(people["admin"], sub, "approve", expected_revision=seen)
    with pytest.raises(Conflict) as exc:
        act(people["admin"], sub, "approve", expected_revision=seen)
    assert exc.value.summary() == (
        "báo cáo đã thay đổi trạng thái (đã duyệt) sau khi bạn mở trang; hãy tải lại"
    )
    assert exc.value.status_code == 409
    assert [e[0] for e in events(sub)] == ["submit", "approve"]


def test_two_reviewers_cannot_both_act_on_the_same_state(people):
    sub = to_state("submitted", people)
    seen = sub.revision
    act(people["admin"], sub, "return", comment="Sai", expected_revision=seen)
    with pytest.raises(Conflict, match=r"\(bị trả lại\)"):
        act(people["admin2"], sub, "approve", expected_revision=seen)
    assert report().status == "returned"


def test_the_submitter_cannot_approve_or_return_their_own_report(people):
    fill()
    admin = people["admin"]
    sub = act(admin, report(), "submit")
    assert sub.submitted_by == admin
    for action in ("approve", "return"):
        with pytest.raises(ValidationFailed) as exc:
            act(admin, sub, action, comment="Tự duyệt")
        assert exc.value.summary() == (
            "người nộp báo cáo không tự duyệt hoặc trả lại báo cáo của mình"
        )
    assert report().status == "submitted"
    # Another administrator of the province can.
    assert act(people["admin2"], sub, "approve").status == "approved"


@pytest.mark.parametrize(
    ("who", "action"),
    [
        ("c_admin", "approve"),  # another province
        ("c_admin", "return"),
        ("c_admin", "unlock"),
        ("officer", "approve"),  # may enter, not approve
        ("officer", "unlock"),
        ("viewer", "approve"),
        ("other_officer", "submit"),  # another ward
    ],
)
def test_out_of_scope_or_without_permission_is_not_found(people, who, action):
    sub = to_state("draft" if action == "submit" else "submitted", people)
    with pytest.raises(NotFound) as exc:
        act(people[who], sub, action, comment="Lý do")
    assert exc.value.summary() == "không tìm thấy báo cáo"
    assert exc.value.status_code == 404
    with pytest.raises(NotFound):
        transition(actor=people["admin"], submission_id=10**9, action="approve")


def test_a_national_administrator_may_review_any_province(people):
    sub = to_state("submitted", people)
    assert act(people["ministry"], sub, "approve").status == "approved"


# -- timeline and audit ------------------------------------------------------------------------
def test_every_transition_leaves_an_event_and_an_audit_entry(people):
    officer, admin = people["officer"], people["admin"]
    fill()
    sub = report()
    act(officer, sub, "submit")
    act(admin, sub, "return", comment="Thiếu")
    act(officer, sub, "submit")
    act(admin, sub, "approve")
    act(admin, sub, "unlock", comment="Thanh tra")
    assert events(sub) == [
        ("submit", "unit_officer-a-w1", ""),
        ("return", "province_admin-a", "Thiếu"),
        ("submit", "unit_officer-a-w1", ""),
        ("approve", "province_admin-a", ""),
        ("unlock", "province_admin-a", "Thanh tra"),
    ]
    entries = report_audit()
    assert [e.event for e in entries] == [
        "datavalues.report_submit",
        "datavalues.report_return",
        "datavalues.report_submit",
        "datavalues.report_approve",
        "datavalues.report_unlock",
    ]
    assert [(e.before["status"], e.after["status"]) for e in entries] == [
        ("draft", "submitted"),
        ("submitted", "returned"),
        ("returned", "submitted"),
        ("submitted", "approved"),
        ("approved", "draft"),
    ]
    assert [e.after["revision"] for e in entries] == [2, 3, 4, 5, 6]
    assert [e.actor for e in entries] == [officer, admin, officer, admin, admin]
    assert {e.target_repr for e in entries} == {f"A-W1 BC-THANG {OPEN_MONTH}"}
    assert {e.unit.code for e in entries} == {"A-W1"}
    assert entries[1].note == "Thiếu"


def test_comments_on_the_timeline(people):
    sub = to_state("submitted", people)
    event = add_comment(actor=people["viewer"], submission_id=sub.pk, comment="  Đã xem  ")
    assert (event.action, event.comment, event.actor) == ("comment", "Đã xem", people["viewer"])
    assert AuditEntry.objects.filter(event="datavalues.report_comment").count() == 1
    with pytest.raises(ValidationFailed, match="nội dung trống"):
        add_comment(actor=people["viewer"], submission_id=sub.pk, comment="  ")
    with pytest.raises(ValidationFailed, match="dài quá"):
        add_comment(actor=people["viewer"], submission_id=sub.pk, comment="x" * 4001)
    with pytest.raises(NotFound):
        add_comment(actor=people["c_admin"], submission_id=sub.pk, comment="Không phải tỉnh tôi")
    assert report().status == "submitted"  # a comment is not a transition
    assert [e[0] for e in events(sub)] == ["submit", "comment"]


def test_get_or_start_creates_one_draft_and_checks_the_form_and_period(people):
    officer = people["officer"]
    first = get_or_start(
        actor=officer,
        unit_code="A-W1",
        form_code="BC-THANG",
        period_code=OPEN_MONTH,
        perm="datavalues.enter",
    )
    again = get_or_start(
        actor=officer,
        unit_code="A-W1",
        form_code="BC-THANG",
        period_code=OPEN_MONTH,
        perm="datavalues.enter",
    )
    assert first.pk == again.pk
    assert first.status == "draft"
    with pytest.raises(ValidationFailed, match="biểu mẫu 'BC-THANG' báo cáo theo kỳ 'month'"):
        get_or_start(
            actor=officer,
            unit_code="A-W1",
            form_code="BC-THANG",
            period_code="2025",
            perm="datavalues.enter",
        )
    with pytest.raises(NotFound, match="không tìm thấy biểu mẫu 'BC-KHAC'"):
        get_or_start(
            actor=officer,
            unit_code="A-W1",
            form_code="BC-KHAC",
            period_code="2025",
            perm="datavalues.enter",
        )
    with pytest.raises(NotFound, match="không tìm thấy đơn vị 'C-W1'"):
        get_or_start(
            actor=officer,
            unit_code="C-W1",
            form_code="BC-THANG",
            period_code=OPEN_MONTH,
            perm="datavalues.enter",
        )
    assert Submission.objects.count() == 1


# -- notifications -----------------------------------------------------------------------------
def test_submitting_notifies_the_provinces_approvers(people):
    sub = to_state("submitted", people)
    subject = f"Báo cáo chờ duyệt: {TITLE} kỳ {OPEN_MONTH} — A-W1"
    for name in ("admin", "admin2"):
        (note,) = notes(people[name])
        assert (note.kind, note.subject) == ("report_submit", subject)
        assert note.url == f"/data/entry/A-W1/BC-THANG/{OPEN_MONTH}/"
        assert note.read_at is None
    # Not the officer who submitted, not another province, not the ministry (the province is
    # closer), not a viewer.
    for name in ("officer", "c_admin", "ministry", "viewer", "other_officer"):
        assert notes(people[name]) == [], name
    assert sub.status == "submitted"


def test_returning_notifies_the_units_officers_with_the_reason(people):
    sub = to_state("submitted", people)
    Notification.objects.all().delete()
    act(people["admin"], sub, "return", comment="Thiếu số liệu tháng")
    (note,) = notes(people["officer"])
    assert note.kind == "report_return"
    assert note.subject == f"Báo cáo bị trả lại: {TITLE} kỳ {OPEN_MONTH} — A-W1"
    assert note.body == "Thiếu số liệu tháng"
    # The one who returned it is not told what they just did; the officers of other wards and
    # other provinces hear nothing.
    assert notes(people["admin"]) == []
    for name in ("other_officer", "c_admin", "viewer", "ministry"):
        assert notes(people[name]) == [], name


def test_approving_and_unlocking_notify_the_unit(people):
    sub = to_state("submitted", people)
    act(people["admin"], sub, "approve")
    act(people["admin2"], sub, "unlock", comment="Mở lại để sửa")
    kinds = [(n.kind, n.subject.split(":")[0]) for n in notes(people["officer"])]
    assert kinds == [
        ("report_approve", "Báo cáo đã được duyệt"),
        ("report_unlock", "Báo cáo đã được mở khóa"),
    ]
    assert notes(people["officer"])[-1].body == "Mở lại để sửa"
    # The ward's own officer is told; the province's administrators only heard of the submission.
    for name in ("admin", "admin2"):
        assert [n.kind for n in notes(people[name])] == ["report_submit"], name


def test_a_ward_without_officers_is_answered_to_the_province_but_not_to_the_actor(people):
    people["other_officer"].is_active = False
    people["other_officer"].save()
    fill(unit="A-W9")
    sub = act(CLI, report("A-W9"), "submit")
    Notification.objects.all().delete()
    act(people["admin"], sub, "return", comment="Thiếu")
    assert notes(people["admin"]) == []
    (note,) = notes(people["admin2"])
    assert note.subject.startswith("Báo cáo bị trả lại: ")
    assert notes(people["other_officer"]) == []


def test_a_province_admin_who_submits_is_not_asked_to_approve_it(people):
    fill()
    act(people["admin"], report(), "submit")
    assert notes(people["admin"]) == []
    assert [n.kind for n in notes(people["admin2"])] == ["report_submit"]


def test_no_duplicate_notification_for_the_same_revision(people):
    sub = to_state("submitted", people)
    count = Notification.objects.count()
    _notify_next(report(), "submit", "")  # e.g. a retried job
    assert Notification.objects.count() == count
    key = f"report:{sub.pk}:{sub.revision}"
    assert notify(users=[people["admin"]], kind="report_submit", subject="x", key=key) == 0
    assert notify(users=[people["admin"]], kind="other", subject="x", key="khac") == 1
    # A new revision is a new notification.
    act(people["admin"], sub, "return", comment="Sai")
    act(people["officer"], sub, "submit")
    assert [n.kind for n in notes(people["admin2"])] == ["report_submit", "report_submit"]


def test_inactive_people_are_not_notified(people):
    people["admin2"].is_active = False
    people["admin2"].save()
    to_state("submitted", people)
    assert notes(people["admin2"]) == []
    assert len(notes(people["admin"])) == 1


def test_e_mails_go_out_after_the_commit(people, django_capture_on_commit_callbacks):
    fill()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        act(people["officer"], report(), "submit")
    assert mail.outbox == []  # nothing before the transaction commits
    assert len(callbacks) == 2
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "admin2@congan.example.vn",
        "admin@congan.example.vn",
    ]
    message = mail.outbox[0]
    assert message.subject == f"Báo cáo chờ duyệt: {TITLE} kỳ {OPEN_MONTH} — A-W1"
    assert f"/data/entry/A-W1/BC-THANG/{OPEN_MONTH}/" in message.body
    assert all(n.emailed for n in Notification.objects.all())

    with django_capture_on_commit_callbacks(execute=True):
        act(people["admin"], report(), "return", comment="Sai số hồ sơ")
    (returned,) = mail.outbox[2:]
    assert returned.to == ["officer@congan.example.vn"]
    assert returned.body.startswith("Sai số hồ sơ")


def test_a_rolled_back_transition_sends_nothing(people, django_capture_on_commit_callbacks):
    fill()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        act(people["officer"], report(), "submit")
        raise RuntimeError("mất điện")
    assert mail.outbox == []
    assert not Notification.objects.exists()
    assert report().status == "draft"
    assert not SubmissionEvent.objects.exists()


def test_a_failing_mail_server_keeps_the_notification(
    people, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = "tests.datavalues.test_workflow.BrokenBackend"
    fill()
    with django_capture_on_commit_callbacks(execute=True):
        act(people["officer"], report(), "submit")
    assert report().status == "submitted"
    assert Notification.objects.count() == 2
    assert not Notification.objects.filter(emailed=True).exists()


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("máy chủ thư không trả lời")
