"""Monthly data entry in a real browser: an officer enters and submits last month's report, the
province approves it, and the unit's scorecard shows the change at once.

Data: the `hierarchy` fixture (ward A-W1 of province A), the default 22 criteria and the default
report forms. Every other month of the year already holds figures (entered by the CLI), so the
yearly sum behind criterion 5.1 becomes complete the moment the officer's month lands.
"""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kieumau.core.actors import CLI
from kieumau.datavalues.forms_loader import load_default_forms
from kieumau.datavalues.services import set_values
from kieumau.engine import Period, period_containing
from tests.criteria.conftest import import_default

pytestmark = pytest.mark.e2e

PASSWORD = "Mật-khẩu-dài-2025"
MONTH_FIGURES = {
    "crime_reports_received": "10",
    "crime_reports_handled_on_time": "10",
    "crime_social_order": "1",
    "dossiers_settled": "120",
    "dossiers_on_time": "118",
    "dossiers_early": "30",
}


def sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.wait_for_load_state()


@pytest.fixture
def last_month(hierarchy):
    """Last month; the rest of its year already reported, so only this month is missing."""
    import_default()
    load_default_forms(CLI)
    month = period_containing(timezone.localdate(), "month").previous()
    for other in Period.of_year(month.year).subperiods("month"):
        if other != month:
            set_values(actor=CLI, unit_code="A-W1", period_code=other.code, values=MONTH_FIGURES)
    set_values(
        actor=CLI, unit_code="A-W1", period_code=str(month.year), values={"crowd_complaints": "0"}
    )
    return month


def test_officer_submits_province_approves_scorecard_updates(open_page, last_month, make_user):
    officer = make_user("unit_officer", "A-W1")
    admin = make_user("province_admin", "A")
    page, log = open_page()
    sign_in(page, officer.username)
    page.goto("/evaluation/units/A-W1/?period=" + str(last_month.year))
    expect(page.locator("#c-5\\.1 summary .badge")).to_have_text("thiếu số liệu")

    page.goto(f"/data/entry/A-W1/BC-THANG/{last_month.code}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Báo cáo tháng")
    page.locator("#v_crime_reports_received").fill("12")
    page.locator("#v_crime_reports_handled_on_time").fill("13")
    # Checked while typing, before anything is saved.
    expect(page.locator("#live-checks")).to_contain_text("lớn hơn")
    page.locator("#v_crime_reports_handled_on_time").fill("12")
    for code, value in MONTH_FIGURES.items():
        if code not in ("crime_reports_received", "crime_reports_handled_on_time"):
            page.locator(f"#v_{code}").fill(value)
    page.locator("#v_dossiers_on_time_pct").fill("98,3")
    expect(page.locator("#live-checks")).to_contain_text("Không thấy lỗi")
    page.get_by_role("button", name="Lưu và nộp").click()
    expect(page.locator("#report-status")).to_have_text("Đã nộp")
    expect(page.locator(".timeline")).to_contain_text("Đã nộp")
    log.assert_clean()

    admin_page, admin_log = open_page()
    sign_in(admin_page, admin.username)
    admin_page.goto("/data/")
    admin_page.get_by_role("link", name="A-W1").click()
    admin_page.get_by_label("Nhận xét hoặc lý do").fill("Số liệu khớp sổ theo dõi.")
    admin_page.get_by_role("button", name="Duyệt").click()
    expect(admin_page.locator("#report-status")).to_have_text("Đã duyệt")
    expect(admin_page.locator(".timeline")).to_contain_text("Số liệu khớp sổ theo dõi.")
    admin_log.assert_clean()

    page.goto("/evaluation/units/A-W1/?period=" + str(last_month.year))
    expect(page.locator("#c-5\\.1 summary .badge")).to_have_text("đạt")
    page.goto("/notifications/")
    expect(page.locator("ul.notifications")).to_contain_text("đã được duyệt")
    log.assert_clean()
