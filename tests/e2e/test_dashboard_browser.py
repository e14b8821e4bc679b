"""The dashboard in a real browser (Chromium, Vietnamese): charts drawn under CSP, drill-down
nation → province → unit and back, the PNG and Excel downloads.

Data: tests/dashboards/data.py on the `hierarchy` fixture (provinces A and C; A-W1 recognised,
A-W9 at 21/22, C-W1 at 19/22 for 2025).
"""

import pytest
from playwright.sync_api import expect

from tests.dashboards import data

pytestmark = pytest.mark.e2e

PASSWORD = "Mật-khẩu-dài-2025"
QUERY = "year=2025&as_of=2026-03-01"


def sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.wait_for_load_state()


@pytest.fixture
def known(ministry_admin):
    data.build()
    return ministry_admin


def test_drill_down_from_the_nation_to_a_unit(known, page_and_log):
    page, log = page_and_log
    sign_in(page, known.username)
    page.goto(f"/dashboards/?{QUERY}")
    charts = page.locator("[data-chart]")
    expect(charts.first).to_have_attribute("data-ready", "1")
    assert page.locator("[data-chart] canvas").count() == charts.count() >= 6
    children = page.locator("#table-children")
    expect(children.locator("tbody tr")).to_have_count(2)
    expect(children.locator("tfoot td").nth(4)).to_have_text("33,3")  # 1 recognised of 3 units

    with page.expect_download() as png:
        page.locator("button[data-png='distribution']").click()
    assert png.value.suggested_filename == "dashboard-VN-2025-distribution.png"

    children.get_by_role("link", name="Tỉnh A").click()
    page.wait_for_url("**under=A**")
    expect(page.locator("#panel-heatmap [data-chart] canvas")).to_have_count(1)
    page.locator("#panel-heatmap summary").click()
    heatmap = page.locator("#table-heatmap")
    expect(heatmap.locator("tbody th")).to_have_text(["Phường Một", "Phường Chín"])
    expect(heatmap.locator("tbody tr").nth(1).locator("td").first).to_have_text("21/22")

    with page.expect_download() as xlsx:
        page.locator("#panel-heatmap").get_by_role("link", name="Excel").click()
    assert xlsx.value.suggested_filename == "dashboard-A-2025-heatmap.xlsx"

    heatmap.get_by_role("link", name="Phường Chín").click()
    page.wait_for_url("**under=A-W9**")
    unit = page.locator("#table-unit")
    expect(unit).to_contain_text(data.EXPLAIN["1.1"])
    expect(page.locator("#panel-unit h2")).to_contain_text("21/22")

    page.locator("ul.crumbs").get_by_role("link", name="Việt Nam").click()
    page.wait_for_url("**under=VN**")
    expect(page.locator("#table-children tbody tr")).to_have_count(2)
    log.assert_clean()


def test_a_province_user_starts_at_their_province_on_a_phone(open_page, known, make_user):
    admin = make_user("province_admin", "C")
    page, log = open_page(viewport={"width": 390, "height": 844})
    sign_in(page, admin.username)
    page.goto(f"/dashboards/?{QUERY}")
    expect(page.locator("hgroup p")).to_contain_text("Tỉnh C")
    expect(page.locator("#panel-heatmap [data-chart] canvas")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    response = page.goto(f"/dashboards/?{QUERY}&under=A")
    assert response.status == 404
    log.failed_requests.clear()  # the 404 above is the expected answer
    log.console_errors[:] = [m for m in log.console_errors if "404" not in m]
    log.assert_clean()
