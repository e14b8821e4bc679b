"""Citizen feedback in a real browser at phone size: a citizen scans the poster (opens the short
address), answers the survey, sends a complaint and gets a tracking code; the ward's officer
answers on their phone; the citizen looks the code up and reads the answer — and never sees
personal data.

Data: the `hierarchy` fixture (ward A-W1 "Phường Một"), its public page opened by the system,
the national default survey questions.
"""

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from kieumau.core.actors import CLI
from kieumau.feedback.models import FeedbackItem, SurveyResponse
from kieumau.feedback.services import open_channel, questions_for_unit
from tests.feedback.conftest import seed_default_questions

pytestmark = pytest.mark.e2e

PASSWORD = "Mật-khẩu-dài-2025"
PHONE = {"width": 390, "height": 844}
COMPLAINT = "Cán bộ trực ban ngày 12/11 nói năng thiếu lịch sự khi tôi hỏi về thủ tục tạm trú."


def sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.wait_for_load_state()


def fits_the_phone(page) -> None:
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{page.url}: {width} > {inner}"


@pytest.fixture
def channel(hierarchy):
    cache.clear()
    seed_default_questions()
    return open_channel(actor=CLI, unit_code="A-W1")


def test_citizen_survey_complaint_answer_and_lookup_on_a_phone(open_page, channel, make_user):
    officer = make_user("unit_officer", "A-W1")
    citizen, citizen_log = open_page(viewport=PHONE, is_mobile=True, has_touch=True)

    # -- the citizen scans the poster -------------------------------------------------------
    citizen.goto(f"/p/{channel.code}/")
    expect(citizen.locator("#unit-name")).to_have_text("Phường Một")
    fits_the_phone(citizen)
    citizen.locator("#go-survey").click()
    questions = questions_for_unit(channel.unit_id)
    for i, question in enumerate(questions):
        citizen.locator(f"#f-q{question.pk} input[value='{5 if i else 4}']").check()
    citizen.locator("#comment").fill("Tiếp dân nhanh, <b>rất</b> hài lòng")
    fits_the_phone(citizen)
    citizen.locator("#survey-form button[type=submit]").click()
    expect(citizen.locator("#survey-thanks")).to_be_visible()
    response = SurveyResponse.objects.get()
    assert response.answers.count() == len(questions)
    assert response.comment == "Tiếp dân nhanh, <b>rất</b> hài lòng"

    # -- ... then sends a complaint with contact details --------------------------------------
    citizen.goto(f"/p/{channel.code}/")
    citizen.locator("#go-feedback").click()
    citizen.locator("input[name=kind][value=conduct]").check()
    citizen.locator("#text").fill(COMPLAINT)
    citizen.locator("#name").fill("Lê Thị Hoa")
    citizen.locator("#phone").fill("0912 888 777")
    fits_the_phone(citizen)
    citizen.locator("#feedback-form button[type=submit]").click()
    code = citizen.locator("#tracking-code").inner_text().strip()
    item = FeedbackItem.objects.get()
    assert code == item.tracking_code and item.phone == "0912888777"
    citizen.goto(f"/p/track/?code={code}")
    expect(citizen.locator("#status")).to_have_text(item.get_status_display())
    expect(citizen.locator("#answer")).to_have_count(0)
    citizen_log.assert_clean()

    # -- the ward's officer answers on a phone -----------------------------------------------
    phone, phone_log = open_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(phone, officer.username)
    phone.goto("/feedback/")
    phone.locator("#items").get_by_role("link", name=code).click()
    expect(phone.locator("#contact")).to_contain_text("0912888777")
    expect(phone.locator("#item-text")).to_have_text(COMPLAINT)
    phone.locator("#answer").fill(
        "Công an phường đã làm việc với đồng chí trực ban và xin lỗi bà. Thủ tục tạm trú "
        "được hướng dẫn tại bộ phận một cửa."
    )
    phone.locator("#justified").select_option("1")
    phone.locator("#answer-form button[type=submit]").first.click()
    expect(phone.locator("#item-status")).to_have_text(
        FeedbackItem.objects.get().get_status_display()
    )
    assert FeedbackItem.objects.get().status == "answered"
    phone.goto("/feedback/units/A-W1/poster/")
    expect(phone.locator("#qr svg")).to_be_visible()
    expect(phone.locator("#short-url")).to_contain_text(f"/p/{channel.code}/")
    fits_the_phone(phone)
    phone_log.assert_clean()

    # -- the citizen looks the code up -------------------------------------------------------
    citizen.goto("/p/track/")
    citizen.locator("#code").fill(code.lower())
    citizen.locator("#track-form button[type=submit]").click()
    expect(citizen.locator("#answer")).to_contain_text("xin lỗi bà")
    result = citizen.locator("#result").inner_text()
    assert "0912888777" not in result and "Lê Thị Hoa" not in result and COMPLAINT not in result
    fits_the_phone(citizen)
    citizen_log.assert_clean()
