"""The annual assessment in a real browser: the ward's officer self-assesses (explaining the
evidence that does not exist, uploading the one that does) and submits; the province's appraiser
agrees on every criterion and approves; the Ministry records the recognition; the register of
recognised units shows the ward.

Data: the `hierarchy` fixture (ward A-W1 "Phường Một" of province A), the default 22 criteria,
a 2025 case registered by the province and self-assessed already except criteria 1.1 and 3.1
(both ask for evidence). Submitted today, so no district step.
"""

import pytest
from playwright.sync_api import expect

from kieumau.assessments.models import CaseCriterion
from kieumau.assessments.services import register_cases, save_self_assessment
from tests.assessments.evidence_samples import PDF, evidence_storage_settings
from tests.criteria.conftest import import_default

pytestmark = pytest.mark.e2e

PASSWORD = "Mật-khẩu-dài-2025"
PHONE = {"width": 390, "height": 844}
LEFT_FOR_THE_BROWSER = ("1.1", "3.1")


def sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.wait_for_load_state()


def criterion(page, code: str):
    return page.locator("#c-" + code.replace(".", "\\."))


@pytest.fixture
def people(hierarchy, make_user, settings, tmp_path):
    import_default()
    evidence_storage_settings(settings, tmp_path / "evidence")
    return {
        "officer": make_user("unit_officer", "A-W1"),
        "admin": make_user("province_admin", "A"),
        "appraiser": make_user("province_appraiser", "A"),
        "ministry": make_user("ministry_admin", "VN"),
    }


@pytest.fixture
def case(people):
    (case,) = register_cases(actor=people["admin"], unit_codes=["A-W1"], year=2025)
    for crit in case.criteria.exclude(code__in=LEFT_FOR_THE_BROWSER):
        save_self_assessment(
            actor=people["officer"],
            case_id=case.pk,
            code=crit.code,
            self_status="met",
            narrative="Đã thực hiện đầy đủ.",
            no_evidence_reason="Hồ sơ giấy lưu tại đơn vị" if crit.evidence_required else "",
        )
    return case


def test_self_assess_submit_appraise_recognise_register(open_page, people, case):
    # -- the ward's officer ------------------------------------------------------------------
    page, log = open_page()
    sign_in(page, people["officer"].username)
    page.get_by_role("link", name="Hồ sơ công nhận").click()
    page.locator("#cases").get_by_role("link", name="Phường Một").click()
    expect(page.locator("#case-status")).to_have_text("Tự đánh giá")

    page.get_by_role("button", name="Nộp để thẩm định").click()
    missing = page.locator("#missing")
    expect(missing).to_contain_text("tiêu chí 1.1: thiếu minh chứng")
    expect(missing).to_contain_text("tiêu chí 3.1: thiếu minh chứng")
    expect(page.locator("#case-status")).to_have_text("Tự đánh giá")
    # The refused submission answers 400 on purpose; the browser reports it twice.
    assert [r.split()[0] for r in log.failed_requests] == ["400"]
    assert len(log.console_errors) == 1 and "status of 400" in log.console_errors[0]
    log.failed_requests.clear()
    log.console_errors.clear()

    first = criterion(page, "1.1")
    first.get_by_label("Đạt", exact=True).check()
    first.get_by_label("Thuyết minh").fill("Đảng bộ phường xếp loại Hoàn thành xuất sắc nhiệm vụ.")
    first.get_by_label("Lý do không có minh chứng").fill(
        "Quyết định xếp loại lưu bản giấy tại Đảng ủy phường, chưa số hóa."
    )
    first.get_by_role("button", name="Lưu tiêu chí 1.1").click()
    expect(page.locator(".messages")).to_contain_text("Đã lưu tiêu chí 1.1.")

    land = criterion(page, "3.1")
    land.get_by_label("Đạt", exact=True).check()
    land.get_by_label("Tải lên tệp minh chứng mới").set_input_files(
        {"name": "quyet-dinh-giao-dat.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    land.get_by_label("Tiêu đề tệp mới").fill("Quyết định giao đất trụ sở")
    land.get_by_role("button", name="Lưu tiêu chí 3.1").click()
    expect(page.locator(".messages")).to_contain_text("Đã lưu tiêu chí 3.1.")
    expect(land.locator(".evidence-files")).to_contain_text("Quyết định giao đất trụ sở")
    expect(page.locator("#missing")).to_have_count(0)

    page.get_by_role("button", name="Nộp để thẩm định").click()
    expect(page.locator("#case-status")).to_have_text("Cấp tỉnh thẩm định")
    expect(page.locator(".timeline")).to_contain_text("Đã nộp")
    expect(criterion(page, "1.1").locator(".self")).to_contain_text("lưu bản giấy tại Đảng ủy")
    log.assert_clean()

    phone, phone_log = open_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(phone, people["officer"].username)
    phone.goto(f"/assessments/cases/{case.pk}/")
    width, inner = phone.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert (width, inner) == (PHONE["width"], PHONE["width"]), (width, inner)
    phone_log.assert_clean()

    # -- the province's appraiser ------------------------------------------------------------
    council, council_log = open_page()
    sign_in(council, people["appraiser"].username)
    council.goto("/assessments/")
    council.locator("#waiting").get_by_role("link", name="A-W1 · 2025").click()
    expect(council.locator("#changes")).to_contain_text("Số liệu không thay đổi từ khi nộp.")
    for code in CaseCriterion.objects.filter(case=case).values_list("code", flat=True):
        block = criterion(council, code)
        block.get_by_label("Đồng ý", exact=True).check()
        block.get_by_role("button", name=f"Ghi kết luận tiêu chí {code}").click()
        expect(criterion(council, code).locator(".appraisal .badge")).to_have_text("Đồng ý")
    council.get_by_label("Nhận xét hoặc lý do").fill("Đủ điều kiện đề nghị công nhận.")
    council.get_by_role("button", name="Thông qua và đề nghị Bộ công nhận").click()
    expect(council.locator("#case-status")).to_have_text("Đã đề nghị Bộ công nhận")
    council_log.assert_clean()

    # -- the Ministry ------------------------------------------------------------------------
    ministry, ministry_log = open_page()
    sign_in(ministry, people["ministry"].username)
    ministry.goto(f"/assessments/cases/{case.pk}/")
    form = ministry.locator("#recognise-form")
    form.get_by_label("Số quyết định").fill("2878/QĐ-BCA")
    form.get_by_label("Ngày quyết định").fill("22/04/2026")
    form.get_by_label("Người ký").fill("Thứ trưởng Nguyễn Văn A")
    expect(form.get_by_label("Năm công nhận")).to_have_value("2025")
    form.get_by_role("button", name="Ghi nhận công nhận").click()
    expect(ministry.locator("#case-status")).to_have_text("Đã công nhận")
    expect(ministry.locator("#recognition")).to_contain_text("2878/QĐ-BCA")

    ministry.goto("/assessments/recognised/?year=2025")
    register = ministry.locator("#register")
    expect(register).to_contain_text("Phường Một")
    expect(register).to_contain_text("2878/QĐ-BCA")
    expect(register).to_contain_text("22/04/2026")
    expect(register).to_contain_text("Thứ trưởng Nguyễn Văn A")
    expect(ministry.locator("#recognised-count")).to_have_text("1 đơn vị được công nhận")
    ministry_log.assert_clean()
