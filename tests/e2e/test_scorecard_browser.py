"""The scorecard and the province matrix in a real browser (Chromium, Vietnamese).

Data: the `hierarchy` fixture (tests/conftest.py) — on 1/7/2025 A-W2 + B-W1 merge into A-W9
"Phường Chín" — the default 22 criteria, and a few 2024/2025 values entered through set_values.
"""

import re

import pytest
from playwright.sync_api import expect

from kieumau.core.actors import CLI
from kieumau.datavalues.services import set_values
from kieumau.evaluation.services import evaluate_subtree
from tests.criteria.conftest import import_default

pytestmark = pytest.mark.e2e


@pytest.fixture
def default_criteria(db):
    return import_default()


PASSWORD = "Mật-khẩu-dài-2025"
SCREENSHOTS = "/tmp"


def sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.wait_for_load_state()


@pytest.fixture
def scored(default_criteria, ministry_admin):
    """A-W1 meets 5.3 and 7.3 in 2025; A-W9's last year is its predecessors' summed."""
    set_values(
        actor=CLI,
        unit_code="A-W1",
        period_code="2024",
        values={"drug_users": "20", "fugitives_caught": "5"},
    )
    set_values(
        actor=CLI,
        unit_code="A-W1",
        period_code="2025",
        values={
            "drug_users": "16",
            "new_drug_users": "0",
            "fugitives_at_large": "2",
            "fugitives_caught": "7",
            "satisfaction_rate": "95,5",
            "survey_respondents": "1.200",
        },
    )
    set_values(actor=CLI, unit_code="A-W2", period_code="2024", values={"drug_users": "20"})
    set_values(actor=CLI, unit_code="B-W1", period_code="2024", values={"drug_users": "10"})
    set_values(actor=CLI, unit_code="A-W9", period_code="2025", values={"drug_users": "25"})
    evaluate_subtree(actor=CLI, root_code="A", period_code="2025")
    return ministry_admin


def test_scorecard_shows_the_score_and_explains_a_criterion(page_and_log, scored):
    page, log = page_and_log
    sign_in(page, scored.username)
    page.goto("/evaluation/units/A-W1/?period=2025")
    expect(page.get_by_role("heading", level=1)).to_have_text("Phường Một")
    expect(page.locator("#score")).to_have_text("2/22")
    expect(page.locator(".score-summary")).to_contain_text("tiêu chí đạt")

    five_three = page.locator("#c-5\\.3")
    expect(five_three.locator("summary")).to_contain_text("Ma túy, truy nã")
    expect(five_three.locator("summary .badge")).to_have_text("đạt")
    explanation = five_three.locator(".explanation")
    expect(explanation).to_be_hidden()
    five_three.locator("summary").click()
    expect(explanation).to_be_visible()
    expect(explanation).to_contain_text("(20 người → 16 người) 20% ≥ Mức giảm tối thiểu 15%")
    expect(explanation).to_contain_text("Kết luận: đạt.")

    six_two = page.locator("#c-6\\.2")
    expect(six_two.locator("summary .badge")).to_have_text("thiếu số liệu")
    six_two.locator("summary").click()
    expect(six_two.locator(".explanation")).to_contain_text("chưa có số liệu")
    page.screenshot(path=f"{SCREENSHOTS}/kieumau-scorecard.png", full_page=True)

    # Another period through the form.
    page.get_by_label("Kỳ").fill("2024")
    page.get_by_role("button", name="Xem", exact=True).click()
    expect(page).to_have_url(re.compile(r"/evaluation/units/A-W1/\?period=2024$"))
    expect(page.locator("#score")).to_have_text("0/22")
    log.assert_clean()


def test_matrix_of_province_a_clicks_through_to_the_scorecard(page_and_log, scored):
    page, log = page_and_log
    sign_in(page, scored.username)
    page.goto("/evaluation/matrix/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.get_by_label("Mã tỉnh, thành phố", exact=True).fill("A")
    page.get_by_label("Kỳ").fill("2025")
    page.get_by_label("Cơ cấu tổ chức tại ngày").fill("2026-01-01")
    page.get_by_role("button", name="Xem", exact=True).click()
    expect(page).to_have_url(re.compile(r"/evaluation/matrix/\?under=A&period=2025"))

    table = page.locator("table.heatmap")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(table.locator("tbody th")).to_contain_text(["Phường", "Phường"])
    a_w1 = rows.filter(has_text="Phường Một")
    expect(a_w1.locator("td").first).to_have_text("2/22")
    expect(a_w1.locator("td.cell")).to_have_count(22)
    expect(a_w1.locator("td.cell.st-met")).to_have_count(2)
    a_w9 = rows.filter(has_text="Phường Chín")
    expect(a_w9.locator("td.cell")).to_have_count(22)
    expect(table).not_to_contain_text("Phường Hai")
    page.screenshot(path=f"{SCREENSHOTS}/kieumau-matrix.png", full_page=True)

    # Click the 5.3 cell of the merged ward: its scorecard, at that criterion.
    a_w9.locator('td[title^="5.3:"] a').click()
    expect(page).to_have_url(re.compile(r"/evaluation/units/A-W9/\?period=2025#c-5\.3$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Phường Chín")
    expect(page.locator("#score")).to_have_text("0/22")
    target = page.locator("#c-5\\.3")
    target.locator("summary").click()
    # Last year of the new ward is its two predecessors together: 20 + 10.
    expect(target.locator(".explanation")).to_contain_text("(30 người → 25 người)")

    # The same structure on 1/6/2024: the old wards under the district.
    page.goto("/evaluation/matrix/?under=A&period=2024&as_of=2024-06-01")
    rows = page.locator("table.heatmap tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("table.heatmap")).to_contain_text("Phường Hai")
    expect(page.locator("table.heatmap")).to_contain_text("Thành phố A")
    expect(page.locator("table.heatmap")).not_to_contain_text("Phường Chín")
    log.assert_clean()
