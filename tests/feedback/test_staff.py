"""Handling feedback: answers, scope and personal data, escalation, statistics, indicators."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from kieumau.audit.models import AuditEntry
from kieumau.core.actors import CLI
from kieumau.core.errors import Conflict, NotFound, ValidationFailed
from kieumau.datavalues.models import DataValue
from kieumau.feedback import selectors, services
from kieumau.feedback.models import FeedbackItem
from kieumau.notifications.models import Notification
from tests.criteria.conftest import import_default
from tests.feedback.helpers import feedback, surveys

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_new_item_notifies_the_wards_officers(channels, staff):
    item = feedback(channels["A-W1"], "Đường tối")
    notes = Notification.objects.filter(kind="feedback.new")
    assert {n.user.username for n in notes} == {staff["officer"].username}
    assert item.tracking_code in notes.get().subject


def test_the_officer_answers_and_the_citizen_sees_the_answer(channels, staff):
    item = feedback(channels["A-W1"], "Đường tối", kind="conduct")
    services.answer_item(
        actor=staff["officer"], item_id=item.pk, answer="Đã lắp đèn.", justified=False
    )
    item.refresh_from_db()
    assert item.status == "answered" and item.answered_by == staff["officer"]
    assert item.justified is False
    status = selectors.public_status(item.tracking_code)
    assert status.answer == "Đã lắp đèn." and status.status == "answered"
    services.close_item(actor=staff["officer"], item_id=item.pk)
    with pytest.raises(Conflict):
        services.answer_item(actor=staff["officer"], item_id=item.pk, answer="Sửa")
    events = set(AuditEntry.objects.values_list("event", flat=True))
    assert {"feedback.item.submit", "feedback.item.answer", "feedback.item.close"} <= events


def test_an_empty_answer_and_a_stale_revision_are_refused(channels, staff):
    item = feedback(channels["A-W1"], "Ồn ào")
    with pytest.raises(ValidationFailed):
        services.answer_item(actor=staff["officer"], item_id=item.pk, answer="  ")
    with pytest.raises(Conflict):
        services.answer_item(actor=staff["officer"], item_id=item.pk, answer="Ok", revision=7)
    with pytest.raises(Conflict):
        services.close_item(actor=staff["officer"], item_id=item.pk)


def test_out_of_scope_and_read_only_users_cannot_answer(channels, staff):
    item = feedback(channels["A-W1"], "Ồn ào")
    for who in ("viewer", "c_admin"):
        with pytest.raises(NotFound):
            services.answer_item(actor=staff[who], item_id=item.pk, answer="Không")
    assert FeedbackItem.objects.get().status == "new"


def test_contact_details_only_for_those_who_answer(channels, staff):
    item = feedback(channels["A-W1"], "Mất trộm xe", name="Trần Thị Riêng", phone="0987654321")
    officer = client_for(staff["officer"]).get(f"/feedback/items/{item.pk}/").content.decode()
    assert "Trần Thị Riêng" in officer and "0987654321" in officer
    viewer = client_for(staff["viewer"]).get(f"/feedback/items/{item.pk}/")
    assert viewer.status_code == 200
    html = viewer.content.decode()
    assert "Mất trộm xe" in html
    assert "Trần Thị Riêng" not in html and "0987654321" not in html
    listing = client_for(staff["officer"]).get("/feedback/").content.decode()
    assert "Mất trộm xe" in listing and "0987654321" not in listing
    api = client_for(staff["viewer"]).get("/api/v1/feedback/items").json()
    assert api["items"][0]["contact"] is None
    api = client_for(staff["officer"]).get("/api/v1/feedback/items").json()
    assert api["items"][0]["contact"]["phone"] == "0987654321"
    assert client_for(staff["c_admin"]).get(f"/feedback/items/{item.pk}/").status_code == 404


def test_the_list_filters_by_status_kind_and_overdue(channels, staff):
    late = feedback(channels["A-W1"], "Cũ", kind="conduct")
    FeedbackItem.objects.filter(pk=late.pk).update(due_date=dt.date(2020, 1, 1))
    feedback(channels["A-W1"], "Mới")
    client = client_for(staff["admin"])
    assert client.get("/feedback/").context["listing"].total == 2
    overdue = client.get("/feedback/", {"overdue": "1"}).context["listing"]
    assert [r.item.pk for r in overdue.rows] == [late.pk] and overdue.rows[0].overdue
    assert client.get("/feedback/", {"kind": "conduct"}).context["listing"].total == 1
    assert client.get("/feedback/", {"status": "answered"}).context["listing"].total == 0
    assert client.get("/feedback/", {"under": "C-W1"}).status_code == 404


def test_the_list_and_stats_pages_do_not_grow_queries_with_items(
    channels, staff, django_assert_max_num_queries
):
    for i in range(3):
        feedback(channels["A-W1"], f"Ý kiến {i}")
    client = client_for(staff["admin"])
    with django_assert_max_num_queries(45) as few:
        client.get("/feedback/")
    for i in range(3, 25):
        feedback(channels["A-W1"], f"Ý kiến {i}")
        feedback(channels["C-W1"], f"Ý kiến {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/feedback/")
    surveys(channels["A-W1"], [5, 4])
    with django_assert_max_num_queries(45) as few_stats:
        client.get("/feedback/stats/")
    surveys(channels["A-W1"], [3, 2, 5, 5])
    surveys(channels["C-W1"], [3, 2, 5, 5])
    with django_assert_max_num_queries(len(few_stats.captured_queries)):
        client.get("/feedback/stats/")
    ministry = client_for(staff["ministry"])
    with django_assert_max_num_queries(45):
        ministry.get("/feedback/stats/")


def test_overdue_items_escalate_to_the_province_once(channels, staff):
    item = feedback(channels["A-W1"], "Chưa ai trả lời")
    feedback(channels["A-W1"], "Còn hạn")
    later = item.due_date + dt.timedelta(days=1)
    result = services.escalate_overdue(today=later)
    assert result["escalated"] == 2
    notes = Notification.objects.filter(kind="feedback.overdue")
    # The province's feedback managers (not province C's, not the ministry's).
    assert {n.user.username for n in notes} == {staff["admin"].username}
    assert item.tracking_code in notes.get().body
    assert services.escalate_overdue(today=later)["escalated"] == 0
    assert Notification.objects.filter(kind="feedback.overdue").count() == 1


def test_the_daily_job_is_registered_with_the_scheduler():
    from kieumau.core.scheduler import DAILY_JOBS

    assert "kieumau.feedback.services.daily_job" in DAILY_JOBS


def test_stats_give_response_rate_answer_time_and_survey_with_interval(channels, staff):
    answered = feedback(channels["A-W1"], "Một")
    feedback(channels["A-W1"], "Hai")
    FeedbackItem.objects.filter(pk=answered.pk).update(
        received_at=timezone.now() - dt.timedelta(days=3)
    )
    services.answer_item(actor=staff["officer"], item_id=answered.pk, answer="Đã xử lý")
    surveys(channels["A-W1"], [5, 5, 4, 2])
    period = selectors.period_of("")
    (row,) = [
        r for r in selectors.unit_stats_rows(staff["admin"], period=period) if r.code == "A-W1"
    ]
    assert (row.received, row.answered, row.answer_rate) == (2, 1, 50.0)
    assert row.mean_answer_days == pytest.approx(3, abs=0.01)
    assert row.survey.responses == 4 and row.survey.rate == 75.0
    assert row.survey.rate_low < 75 < row.survey.rate_high
    assert not row.survey.enough  # default minimum 30
    page = client_for(staff["admin"]).get("/feedback/stats/").content.decode()
    assert "75,0%" in page
    others = selectors.unit_stats_rows(staff["c_admin"], period=period)
    assert "A-W1" not in {r.code for r in others}


def test_compute_writes_7_2_and_7_3_values_through_the_one_write_path(channels, staff):
    import_default()
    services.save_settings(
        actor=staff["admin"], province_code="A", answer_days=15, min_sample=3, questions=[]
    )
    conduct = feedback(channels["A-W1"], "Thái độ", kind="conduct")
    feedback(channels["A-W1"], "Đèn hỏng")
    services.answer_item(actor=staff["officer"], item_id=conduct.pk, answer="Đúng", justified=True)
    surveys(channels["A-W1"], [5, 5, 4, 2])
    surveys(channels["C-W1"], [5])
    year = str(timezone.localdate().year)
    result = services.compute_indicators(actor=staff["admin"], period=year, under="A")
    assert result.written == {
        "A-W1": {
            "citizen_feedback_received": 2,
            "citizen_feedback_answered": 1,
            "justified_conduct_complaints": 1,
            "satisfaction_rate": 75.0,
            "survey_respondents": 4,
        }
    }
    values = dict(
        DataValue.objects.filter(unit__code="A-W1", period=year).values_list(
            "indicator__code", "value"
        )
    )
    assert values["satisfaction_rate"] == 75.0 and values["citizen_feedback_received"] == 2
    assert not DataValue.objects.filter(unit__code="C-W1").exists()
    # C-W1 is out of province A's scope; the ministry sees it is below the minimum sample.
    result = services.compute_indicators(actor=CLI, period=year, under="C")
    assert "dưới cỡ mẫu tối thiểu" in result.skipped["C-W1"]
    assert not DataValue.objects.filter(unit__code="C-W1").exists()
    with pytest.raises(NotFound):
        services.compute_indicators(actor=staff["admin"], period=year, under="C")
    with pytest.raises(ValidationFailed):
        services.compute_indicators(actor=staff["admin"], period="năm nay", under="A")


def test_a_monthly_period_writes_nothing_for_yearly_indicators(channels, staff):
    import_default()
    feedback(channels["A-W1"], "Một")
    month = timezone.localdate().strftime("%Y-%m")
    result = services.compute_indicators(actor=staff["admin"], period=month, under="A")
    assert result.written == {} and "A-W1" in result.skipped
    assert not DataValue.objects.exists()


def test_the_cli_and_the_button_compute(channels, staff, capsys):
    import_default()
    feedback(channels["A-W1"], "Một")
    year = str(timezone.localdate().year)
    call_command("feedback", "compute", "--period", year, "--under", "A")
    assert '"A-W1"' in capsys.readouterr().out
    assert DataValue.objects.filter(indicator__code="citizen_feedback_received").exists()
    response = client_for(staff["admin"]).post(
        "/feedback/stats/compute/", {"period": year, "under": "A"}
    )
    assert response.status_code == 302
    assert (
        client_for(staff["officer"])
        .post("/feedback/stats/compute/", {"period": year, "under": "A"})
        .status_code
        == 404
    )


def test_settings_validate_and_keep_old_questions(channels, staff):
    with pytest.raises(ValidationFailed):
        services.save_settings(
            actor=staff["admin"], province_code="A", answer_days=0, min_sample=5, questions=[]
        )
    with pytest.raises(NotFound):
        services.save_settings(
            actor=staff["admin"], province_code="C", answer_days=5, min_sample=5, questions=[]
        )
    services.save_settings(
        actor=staff["admin"], province_code="A", answer_days=5, min_sample=5, questions=["Câu 1"]
    )
    surveys(channels["A-W1"], [4])
    services.save_settings(
        actor=staff["admin"], province_code="A", answer_days=5, min_sample=5, questions=["Câu 2"]
    )
    page = selectors.settings_page(staff["admin"], "A")
    assert page.questions == ["Câu 2"] and page.answer_days == 5
    results = selectors.survey_results(staff["admin"], "A-W1", selectors.period_of(""))
    assert [q.question.text for q in results.questions] == ["Câu 1"]


def test_the_poster_shows_a_qr_code_of_the_short_address(channels, staff):
    response = client_for(staff["officer"]).get("/feedback/units/A-W1/poster/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html and f"/p/{channels['A-W1']}/" in html


def test_opening_a_public_page_needs_the_answer_permission(hierarchy, staff):
    response = client_for(staff["viewer"]).post("/feedback/units/A-W1/poster/")
    assert response.status_code == 404
    response = client_for(staff["officer"]).post("/feedback/units/A-W1/poster/")
    assert response.status_code == 302
    with pytest.raises(ValidationFailed):
        services.open_channel(actor=CLI, unit_code="A")
    again = services.open_channel(actor=staff["officer"], unit_code="A-W1")
    assert again.unit.code == "A-W1"


def test_a_wards_officer_finds_the_poster_from_the_list(channels, staff):
    html = client_for(staff["officer"]).get("/feedback/").content.decode()
    assert "/feedback/units/A-W1/poster/" in html
    assert 'id="posters"' not in client_for(staff["ministry"]).get("/feedback/").content.decode()


def test_the_daily_job_forgets_old_connection_fingerprints(channels, staff):
    from kieumau.feedback.models import SurveyResponse

    old = feedback(channels["A-W1"], "Cũ")
    FeedbackItem.objects.filter(pk=old.pk).update(client_hash="abc")
    (response,) = surveys(channels["A-W1"], [5])
    recent = feedback(channels["A-W1"], "Mới")
    FeedbackItem.objects.filter(pk=recent.pk).update(client_hash="def")
    later = timezone.localdate() + dt.timedelta(days=31)
    FeedbackItem.objects.filter(pk=recent.pk).update(
        received_at=timezone.now() + dt.timedelta(days=30)
    )
    result = services.daily_job(today=later)
    assert result["forgotten"] == 2
    assert FeedbackItem.objects.get(pk=old.pk).client_hash == ""
    assert SurveyResponse.objects.get(pk=response.pk).client_hash == ""
    assert FeedbackItem.objects.get(pk=recent.pk).client_hash == "def"
