"""Plans and tasks in a real browser: a province administrator opens a plan page (the ECharts
chart is drawn from the json_script data, the year table and the designated units are there, no
CSP violation); an agency officer opens the task board, sees only their agency's task, and
reports progress on it, on a phone-sized screen.

Data: the `hierarchy` fixture (province A, wards A-W1, A-W2 → A-W9), a plan of A for 2023–2026
with a target and two designated wards, two agencies of A with one task each.
"""

import datetime as dt

import pytest
from playwright.sync_api import expect

from kieumau.core.actors import CLI
from kieumau.plans import services as plans
from kieumau.workitems import services as tasks
from kieumau.workitems.models import WorkItem

pytestmark = pytest.mark.e2e

PASSWORD = "Mật-khẩu-dài-2025"
PHONE = {"width": 390, "height": 844}


def sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.wait_for_load_state()


@pytest.fixture
def data(hierarchy, make_user):
    plan = plans.create_plan(
        actor=CLI,
        unit_code="A",
        kind="scheme",
        number="1886/QĐ-UBND",
        title="Đề án Công an phường kiểu mẫu",
        start_year=2023,
        end_year=2026,
    )
    plans.designate_units(actor=CLI, plan_id=plan.pk, year=2023, unit_codes=["A-W1", "A-W2"])
    plans.add_target(
        actor=CLI, plan_id=plan.pk, kind="share", value=50, due_date=dt.date(2025, 12, 31)
    )
    fin = tasks.create_agency(actor=CLI, province="A", name="Sở Tài chính", kind="department")
    city = tasks.create_agency(
        actor=CLI, province="A", name="UBND thành phố", kind="peoples_committee"
    )
    officer = make_user("agency_officer", "A", username="so-taichinh")
    tasks.add_member(actor=CLI, agency_id=fin.pk, user=officer)
    own = tasks.create_item(
        actor=CLI,
        title="Bố trí kinh phí trang thiết bị",
        unit="A-W1",
        due_date=dt.date(2030, 6, 30),
        assignee_agency=fin.pk,
        plan=plan,
    )
    tasks.create_item(
        actor=CLI,
        title="Bố trí đất cho Công an phường",
        unit="A-W1",
        due_date=dt.date(2030, 6, 30),
        assignee_agency=city.pk,
    )
    make_user("province_admin", "A", username="tinh-a")
    return {"plan": plan, "own": own}


def test_plan_page_draws_the_chart_and_the_table(data, page_and_log):
    page, log = page_and_log
    sign_in(page, "tinh-a")
    page.goto(f"/plans/{data['plan'].pk}/")
    chart = page.locator("#plan-chart")
    expect(chart).to_have_attribute("data-rendered", "1")
    expect(chart.locator("svg")).to_have_count(1)
    expect(page.locator("#progress-table tbody tr")).to_have_count(4)
    expect(page.locator("#designated-table")).to_contain_text("A-W2")
    expect(page.locator("#targets-table")).to_contain_text("50%")
    log.assert_clean()


def test_agency_officer_reports_progress_on_the_task_board(data, open_page):
    page, log = open_page(viewport=PHONE)
    sign_in(page, "so-taichinh")
    page.goto("/tasks/")
    rows = page.locator("#tasks tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Bố trí kinh phí trang thiết bị")
    rows.first.get_by_role("link").click()
    form = page.locator("#progress-form")
    form.locator("textarea[name=note]").fill("Đã trình UBND tỉnh phương án kinh phí")
    form.locator("input[name=percent]").fill("60")
    form.locator("input[name=evidence_link]").fill("https://example.gov.vn/van-ban/12")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("#item-percent")).to_have_text("60%")
    expect(page.locator("#updates")).to_contain_text("Đã trình UBND tỉnh phương án kinh phí")
    item = WorkItem.objects.get(pk=data["own"].pk)
    assert (item.status, item.percent) == ("in_progress", 60)
    log.assert_clean()
