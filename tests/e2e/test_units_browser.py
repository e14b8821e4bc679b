"""The units pages in a real browser: sign-in, the dated tree with htmx children, a unit's history.

Data: the `hierarchy` fixture (tests/conftest.py). Before 1/3/2025 wards sit under districts;
on 1/3/2025 districts are dissolved; on 1/7/2025 province B merges into A and wards A-W2 + B-W1
merge into A-W9 "Phường Chín".
"""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PASSWORD = "Mật-khẩu-dài-2025"
SCREENSHOTS = "/tmp"
PHONE = {"width": 390, "height": 844}


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    """Fill and submit the login form as a user does (Vietnamese labels)."""
    page.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.wait_for_load_state()


def show_tree_as_of(page, day: str) -> None:
    """Set the as-of date input on the tree page and submit the form."""
    page.locator("#as_of").fill(day)
    page.locator("#as-of-form").get_by_role("button", name="Xem", exact=True).click()
    page.wait_for_url(re.compile(rf"/units/\?as_of={day}"))


def node(scope, code: str):
    return scope.locator(f'li.tree-node[data-code="{code}"]')


def expand(page, code: str):
    """Open a unit's <details> by clicking its summary (not its link); wait for the children."""
    item = node(page, code)
    summary = item.locator(":scope > details > summary")
    with page.expect_response(re.compile(rf"/units/{re.escape(code)}/children/")) as response:
        summary.locator("small").click()
    assert response.value.status == 200
    expect(item.locator(":scope > details")).to_have_attribute("open", "")
    children = item.locator(":scope > details > .tree-children > ul.tree-level")
    expect(children).to_be_visible()
    expect(item.locator(":scope > details > .tree-children > [aria-busy]")).to_have_count(0)
    return children


def assert_fits_the_phone(page, what: str) -> None:
    """No horizontal scrolling: the document is no wider than the window, and the window was not
    widened (a mobile browser zooms out to fit wide content, which would hide the overflow)."""
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert inner == PHONE["width"], f"{what}: the page was zoomed out to {inner}px to fit"
    assert width <= inner, f"{what} overflows: scrollWidth {width} > innerWidth {inner}"


def assert_assets_loaded(page) -> None:
    """htmx ran (not blocked by the CSP) and the stylesheets applied."""
    assert page.evaluate("typeof window.htmx") == "object"
    assert (
        page.evaluate("getComputedStyle(document.querySelector('header.site')).borderBottomStyle")
        == "solid"
    ), "app.css did not apply"
    assert page.evaluate("getComputedStyle(document.body).getPropertyValue('--pico-spacing')"), (
        "pico.css did not apply"
    )


def test_sign_in_and_browse_the_tree_through_the_reorganisation(page_and_log, ministry_admin):
    page, log = page_and_log
    sign_in(page, ministry_admin.username)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xin chào")
    expect(page.locator("header.site")).to_contain_text("Đơn vị")

    page.locator("header.site").get_by_role("link", name="Đơn vị", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đơn vị")
    assert_assets_loaded(page)

    # As of 1/6/2024: VN > A > Thành phố A (district) > Phường Một.
    show_tree_as_of(page, "2024-06-01")
    expect(page.locator("hgroup p")).to_have_text("Hệ thống tổ chức tại ngày 01/06/2024")
    expect(page.locator("#as_of")).to_have_value("2024-06-01")
    vn = node(page, "VN")
    expect(vn.locator(":scope > details > summary")).to_contain_text("Việt Nam")
    expect(vn.locator(":scope > details > summary")).to_contain_text("3 đơn vị")
    expect(vn.locator(":scope > details")).not_to_have_attribute("open", "")

    provinces = expand(page, "VN")
    expect(provinces.locator(":scope > li.tree-node")).to_have_count(3)
    expect(node(provinces, "A")).to_contain_text("Tỉnh A")
    expect(node(provinces, "B")).to_contain_text("Tỉnh B")
    expect(node(provinces, "C")).to_contain_text("Tỉnh C")

    districts = expand(page, "A")
    expect(districts.locator(":scope > li.tree-node")).to_have_count(1)
    district = node(districts, "A-D")
    expect(district).to_contain_text("Thành phố A")
    expect(district).to_contain_text("Thành phố thuộc tỉnh")

    wards = expand(page, "A-D")
    expect(wards.locator(":scope > li.tree-node")).to_have_count(2)
    expect(node(wards, "A-W1")).to_contain_text("Phường Một")
    expect(node(wards, "A-W1").get_by_role("link", name="Phường Một")).to_be_visible()
    expect(node(wards, "A-W2")).to_contain_text("Phường Hai")
    expect(wards).not_to_contain_text("Phường Chín")
    page.screenshot(path=f"{SCREENSHOTS}/kieumau-tree-2024.png", full_page=True)

    # As of 1/1/2026: the districts are gone, B merged into A, A-W2 + B-W1 became A-W9.
    show_tree_as_of(page, "2026-01-01")
    expect(page.locator("hgroup p")).to_have_text("Hệ thống tổ chức tại ngày 01/01/2026")
    expect(node(page, "VN").locator(":scope > details > summary")).to_contain_text("2 đơn vị")
    provinces = expand(page, "VN")
    expect(provinces.locator(":scope > li.tree-node")).to_have_count(2)
    expect(node(provinces, "B")).to_have_count(0)
    expect(provinces).not_to_contain_text("Tỉnh B")
    wards = expand(page, "A")
    expect(wards.locator(":scope > li.tree-node")).to_have_count(2)
    expect(node(wards, "A-D")).to_have_count(0)
    expect(wards).not_to_contain_text("Thành phố A")
    expect(node(wards, "A-W9")).to_contain_text("Phường Chín")
    expect(node(wards, "A-W9").locator("small")).to_have_text("Phường · A-W9")
    expect(node(wards, "A-W1")).to_contain_text("Phường Một")
    expect(page.locator("li.tree-node", has_text="Phường Ba")).to_have_count(0)
    page.screenshot(path=f"{SCREENSHOTS}/kieumau-tree.png", full_page=True)

    # The merged ward's page: its predecessors and the merge in the timeline.
    node(wards, "A-W9").get_by_role("link", name="Phường Chín").click()
    expect(page).to_have_url(re.compile(r"/units/A-W9/\?as_of=2026-01-01$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Phường Chín")
    breadcrumb = page.get_by_role("navigation", name="breadcrumb")
    expect(breadcrumb).to_contain_text("Việt Nam")
    expect(breadcrumb).to_contain_text("Tỉnh A")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Phường")
    expect(facts).to_contain_text("01/07/2025 – …")

    history = page.locator("#history")
    expect(history.get_by_role("heading", name="Lịch sử")).to_be_visible()
    predecessors = history.locator("p", has_text="Đơn vị tiền thân:")
    expect(predecessors).to_contain_text("Phường Hai (A-W2), Phường Ba (B-W1)")
    events = history.locator("ol.timeline > li")
    expect(events).to_have_count(1)
    expect(events.first.locator("time")).to_have_text("01/07/2025")
    expect(events.first.locator("time")).to_have_attribute("datetime", "2025-07-01")
    expect(events.first).to_contain_text("Sáp nhập")
    expect(events.first).to_contain_text("Phường Chín")
    versions = history.locator("table tbody tr")
    expect(versions).to_have_count(1)
    expect(versions.first.locator("td").first).to_have_text("01/07/2025")
    page.screenshot(path=f"{SCREENSHOTS}/kieumau-unit.png", full_page=True)

    # Follow a predecessor: Phường Hai existed until the merge, under A-D then A.
    predecessors.get_by_role("link", name="Phường Hai").click()
    expect(page).to_have_url(re.compile(r"/units/A-W2/"))
    # It no longer exists today, so the page shows it as of its last day, and says so.
    expect(page.get_by_role("heading", level=1)).to_have_text("Phường Hai")
    expect(page.get_by_role("status")).to_contain_text("Đơn vị này không tồn tại vào ngày")
    expect(page.get_by_role("status")).to_contain_text("đang hiển thị đơn vị tại ngày 30/06/2025")
    history = page.locator("#history")
    expect(history.locator("p", has_text="Đơn vị kế thừa:")).to_contain_text("Phường Chín (A-W9)")
    times = history.locator("ol.timeline > li time")
    expect(times).to_have_text(["01/01/2020", "01/03/2025", "01/07/2025"])
    expect(history.locator("ol.timeline > li").nth(1)).to_contain_text("Chuyển đơn vị cấp trên")
    expect(history.locator("ol.timeline > li").nth(2)).to_contain_text("Sáp nhập")
    for text in history.locator("ol.timeline time, table td:nth-child(-n+2)").all_inner_texts():
        assert re.fullmatch(r"\d\d/\d\d/\d{4}|…", text.strip()), text
    page.screenshot(path=f"{SCREENSHOTS}/kieumau-unit-predecessor.png", full_page=True)

    # …and back to the successor from the timeline ("thành" Phường Chín).
    history.locator("ol.timeline > li").nth(2).get_by_role("link", name="Phường Chín").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Phường Chín")

    log.assert_clean()


def test_wrong_password_shows_the_vietnamese_error(page_and_log, ministry_admin):
    page, log = page_and_log
    sign_in(page, ministry_admin.username, password="sai-mật-khẩu")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text(re.compile(r"tên đăng nhập và mật khẩu chính xác", re.IGNORECASE))
    expect(page.get_by_label("Tên đăng nhập")).to_have_value(ministry_admin.username)
    expect(page.get_by_label("Mật khẩu")).to_have_value("")
    expect(page.locator("header.site")).not_to_contain_text("Đơn vị")
    # The failed attempt above answered 200 with the form again; nothing else went wrong.
    log.assert_clean()


def test_language_switch_turns_the_page_english_and_back(page_and_log, ministry_admin):
    page, log = page_and_log
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_label("Username")).to_be_visible()

    page.get_by_label("Username").fill(ministry_admin.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.goto("/units/?as_of=2024-06-01")
    expect(page.get_by_role("heading", level=1)).to_have_text("Units")
    expect(page.locator("hgroup p")).to_have_text("The hierarchy as of 2024-06-01")
    expect(node(page, "VN")).to_contain_text("3 units")
    assert_assets_loaded(page)

    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page).to_have_url(re.compile(r"/units/\?as_of=2024-06-01$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Đơn vị")
    expect(node(page, "VN")).to_contain_text("3 đơn vị")
    log.assert_clean()


def test_phone_viewport_has_no_horizontal_overflow(open_page, ministry_admin):
    page, log = open_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập")
    assert_fits_the_phone(page, "login page")
    page.screenshot(path=f"{SCREENSHOTS}/kieumau-phone-login.png", full_page=True)

    sign_in(page, ministry_admin.username)
    page.goto("/units/?as_of=2024-06-01")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đơn vị")
    expand(page, "VN")
    expand(page, "A")
    wards = expand(page, "A-D")
    expect(node(wards, "A-W1")).to_be_visible()
    assert_fits_the_phone(page, "tree page")
    page.screenshot(path=f"{SCREENSHOTS}/kieumau-phone-tree.png", full_page=True)

    page.goto("/units/A-W2/?as_of=2024-06-01")
    expect(page.get_by_role("heading", level=1)).to_have_text("Phường Hai")
    assert_fits_the_phone(page, "unit page")
    page.screenshot(path=f"{SCREENSHOTS}/kieumau-phone-unit.png", full_page=True)
    log.assert_clean()
