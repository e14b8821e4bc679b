"""The public pages: survey, feedback with a tracking code, look-up, abuse resistance."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from kieumau.core.actors import CLI
from kieumau.feedback.models import FeedbackItem, SurveyQuestion, SurveyResponse
from kieumau.feedback.services import submit_feedback

pytestmark = pytest.mark.django_db


def survey_data(code: str, score: str = "5", **extra) -> dict:
    from kieumau.feedback.models import PublicChannel
    from kieumau.feedback.services import questions_for_unit

    unit_id = PublicChannel.objects.get(code=code).unit_id
    return {**{f"q{q.pk}": score for q in questions_for_unit(unit_id)}, **extra}


def test_the_short_address_shows_the_unit_and_its_two_forms(channels):
    response = Client().get(f"/p/{channels['A-W1']}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Phường Một" in html
    assert f"/p/{channels['A-W1']}/survey/" in html
    assert f"/p/{channels['A-W1']}/feedback/" in html


def test_an_unknown_address_is_404(channels):
    assert Client().get("/p/zzzzzz/").status_code == 404
    assert Client().get("/p/zzzzzz/survey/").status_code == 404


def test_a_complete_survey_is_stored_with_its_mean(channels):
    code = channels["A-W1"]
    data = survey_data(code, "4", comment="Cán bộ nhiệt tình")
    first = next(k for k in data if k.startswith("q"))
    data[first] = "2"
    response = Client().post(f"/p/{code}/survey/", data)
    assert response.status_code == 302
    assert response["Location"] == f"/p/{code}/thanks/?done=survey"
    stored = SurveyResponse.objects.get()
    n = SurveyQuestion.objects.filter(province__isnull=True, active=True).count()
    assert stored.mean_score == pytest.approx((4 * (n - 1) + 2) / n)
    assert stored.comment == "Cán bộ nhiệt tình"
    assert stored.answers.count() == n
    assert stored.unit.code == "A-W1"


def test_a_survey_with_a_missing_or_invalid_answer_is_refused_naming_the_question(channels):
    code = channels["A-W1"]
    data = survey_data(code)
    key = next(k for k in data if k.startswith("q"))
    for bad in ("", "0", "6", "4.5", "ba"):
        response = Client().post(f"/p/{code}/survey/", {**data, key: bad})
        assert response.status_code == 400
        assert "chưa chọn mức đánh giá" in response.content.decode()
    assert not SurveyResponse.objects.exists()


def test_the_same_survey_sent_twice_counts_once(channels):
    code = channels["A-W1"]
    client = Client()
    assert client.post(f"/p/{code}/survey/", survey_data(code)).status_code == 302
    again = client.post(f"/p/{code}/survey/", survey_data(code))
    assert again.status_code == 409
    assert "đã được gửi" in again.content.decode()
    assert SurveyResponse.objects.count() == 1
    # Different answers from the same connection (a family sharing a phone) are welcome.
    assert client.post(f"/p/{code}/survey/", survey_data(code, "3")).status_code == 302
    assert SurveyResponse.objects.count() == 2


def test_feedback_gives_a_tracking_code_and_the_lookup_shows_status_not_personal_data(channels):
    code = channels["A-W1"]
    client = Client()
    response = client.post(
        f"/p/{code}/feedback/",
        {
            "kind": "conduct",
            "text": "Cán bộ trực ban có thái độ không đúng mực.",
            "name": "Nguyễn Văn Bí Mật",
            "phone": "0912 345 678",
            "email": "bimat@example.vn",
        },
    )
    assert response.status_code == 302
    item = FeedbackItem.objects.get()
    assert item.phone == "0912345678" and item.name == "Nguyễn Văn Bí Mật"
    assert item.status == "new"
    thanks = client.get(response["Location"]).content.decode()
    assert item.tracking_code in thanks
    lookup = Client().get("/p/track/", {"code": item.tracking_code.lower().replace("-", " ")})
    html = lookup.content.decode()
    assert lookup.status_code == 200
    assert "Phường Một" in html and item.tracking_code in html
    for secret in ("Bí Mật", "0912345678", "bimat@example.vn", "thái độ không đúng mực"):
        assert secret not in html


def test_anonymous_feedback_drops_contact_details(channels):
    code = channels["A-W1"]
    response = Client().post(
        f"/p/{code}/feedback/",
        {"kind": "problem", "text": "Đèn đường hỏng", "anonymous": "1", "name": "Ai đó"},
    )
    assert response.status_code == 302
    item = FeedbackItem.objects.get()
    assert item.anonymous and item.name == ""


@pytest.mark.parametrize(
    "data,field_message",
    [
        ({"kind": "", "text": "Nội dung"}, "chưa chọn loại ý kiến"),
        ({"kind": "other", "text": "Nội dung"}, "chưa chọn loại ý kiến"),
        ({"kind": "problem", "text": "   "}, "chưa nhập nội dung"),
        ({"kind": "problem", "text": "x" * 2001}, "dài quá 2.000 ký tự"),
        ({"kind": "problem", "text": "ok", "name": "n" * 101}, "họ tên dài quá"),
        ({"kind": "problem", "text": "ok", "phone": "12ab"}, "số điện thoại không hợp lệ"),
        ({"kind": "problem", "text": "ok", "email": "khong-phai-email"}, "thư điện tử"),
    ],
)
def test_invalid_feedback_is_refused_with_a_vietnamese_reason(channels, data, field_message):
    response = Client().post(f"/p/{channels['A-W1']}/feedback/", data)
    assert response.status_code == 400
    assert field_message in response.content.decode()
    assert not FeedbackItem.objects.exists()


def test_the_same_text_to_the_same_unit_is_a_duplicate_but_another_unit_may_receive_it(channels):
    text = "Có nhóm thanh niên tụ tập gây ồn ào   sau 23 giờ."
    first = Client().post(f"/p/{channels['A-W1']}/feedback/", {"kind": "problem", "text": text})
    assert first.status_code == 302
    again = Client(REMOTE_ADDR="10.0.0.9").post(
        f"/p/{channels['A-W1']}/feedback/",
        {"kind": "suggestion", "text": text.upper().replace("   ", " ")},
    )
    assert again.status_code == 409
    assert "cùng nội dung" in again.content.decode()
    other = Client().post(f"/p/{channels['C-W1']}/feedback/", {"kind": "problem", "text": text})
    assert other.status_code == 302
    assert FeedbackItem.objects.count() == 2


def test_the_honeypot_refuses_bots_silently(channels):
    code = channels["A-W1"]
    bot = {"kind": "problem", "text": "Mua thuốc giá rẻ", "website": "http://spam.example"}
    response = Client().post(f"/p/{code}/feedback/", bot)
    assert response.status_code == 400
    assert not FeedbackItem.objects.exists()
    response = Client().post(f"/p/{code}/survey/", survey_data(code, website="x"))
    assert response.status_code == 400
    assert not SurveyResponse.objects.exists()


def test_one_client_is_rate_limited_and_another_is_not(channels, settings):
    settings.KIEUMAU_FEEDBACK_RATE_LIMITS = {"feedback": (3, 3600)}
    code = channels["A-W1"]
    client = Client(REMOTE_ADDR="203.0.113.5")
    for i in range(3):
        response = client.post(f"/p/{code}/feedback/", {"kind": "problem", "text": f"Việc {i}"})
        assert response.status_code == 302
    blocked = client.post(f"/p/{code}/feedback/", {"kind": "problem", "text": "Việc 4"})
    assert blocked.status_code == 429
    assert FeedbackItem.objects.count() == 3
    other = Client(REMOTE_ADDR="203.0.113.6")
    assert (
        other.post(f"/p/{code}/feedback/", {"kind": "problem", "text": "Việc 5"}).status_code == 302
    )


def test_a_unit_page_is_rate_limited_for_everyone_together(channels, settings):
    settings.KIEUMAU_FEEDBACK_RATE_LIMITS = {"unit-survey": (2, 3600)}
    code = channels["A-W1"]
    for i, score in enumerate(("5", "4", "3")):
        response = Client(REMOTE_ADDR=f"198.51.100.{i}").post(
            f"/p/{code}/survey/", survey_data(code, score)
        )
        assert response.status_code == (302 if i < 2 else 429)
    assert SurveyResponse.objects.count() == 2


def test_lookups_are_rate_limited(channels, settings):
    settings.KIEUMAU_FEEDBACK_RATE_LIMITS = {"lookup": (2, 3600)}
    client = Client()
    assert client.get("/p/track/", {"code": "PA-AAAA-AAAA"}).status_code == 200
    assert client.get("/p/track/", {"code": "PA-AAAA-AAAB"}).status_code == 200
    assert client.get("/p/track/", {"code": "PA-AAAA-AAAC"}).status_code == 429
    assert client.get("/p/track/").status_code == 200  # the empty form is not counted


def test_an_unknown_tracking_code_says_so(channels):
    response = Client().get("/p/track/", {"code": "PA-2222-3333"})
    assert 'id="not-found"' in response.content.decode()


def test_a_province_with_its_own_questions_asks_them(channels, staff):
    from kieumau.feedback.services import save_settings

    save_settings(
        actor=staff["admin"],
        province_code="A",
        answer_days=10,
        min_sample=5,
        questions=["Câu hỏi riêng của tỉnh A"],
    )
    html_a = Client().get(f"/p/{channels['A-W1']}/survey/").content.decode()
    html_c = Client().get(f"/p/{channels['C-W1']}/survey/").content.decode()
    assert "Câu hỏi riêng của tỉnh A" in html_a
    assert "Câu hỏi riêng của tỉnh A" not in html_c
    item = submit_feedback(
        actor=AnonymousUser(), channel_code=channels["A-W1"], kind="problem", text="Hạn 10 ngày"
    )
    assert (item.due_date - item.received_at.date()).days == 10


def test_a_published_page_always_has_questions(hierarchy):
    """Even after the seeded default set is gone (an old dump restored, a flushed database),
    publishing a page brings the national defaults back, audited, and a survey can be answered."""
    from kieumau.audit.models import AuditEntry
    from kieumau.feedback.defaults import DEFAULT_QUESTIONS
    from kieumau.feedback.models import SurveyQuestion
    from kieumau.feedback.services import open_channel, questions_for_unit

    SurveyQuestion.objects.all().delete()
    channel = open_channel(actor=CLI, unit_code="A-W1")
    assert [q.text for q in questions_for_unit(channel.unit_id)] == list(DEFAULT_QUESTIONS)
    assert AuditEntry.objects.filter(event="feedback.questions.default").count() == 1
    open_channel(actor=CLI, unit_code="C-W1")
    assert SurveyQuestion.objects.count() == len(DEFAULT_QUESTIONS)
