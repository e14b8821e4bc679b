"""Browser fixtures: Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

Tests here are marked `e2e`; tests/conftest.py skips them when /usr/bin/chromium is missing.
"""

import os
from dataclasses import dataclass, field

import pytest

# Playwright's sync API runs an asyncio loop in this thread; Django would otherwise refuse the
# ORM calls that fixtures make while it runs.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class BrowserLog:
    """What the page reported: console errors, uncaught exceptions, failed requests."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        return [m for m in self.console_errors if "Content Security Policy" in m]

    def assert_clean(self) -> None:
        assert not self.csp_violations(), self.csp_violations()
        assert not self.page_errors, self.page_errors
        assert not self.failed_requests, self.failed_requests
        assert not self.console_errors, self.console_errors


def _is_favicon(url: str) -> bool:
    # Chromium asks for /favicon.ico on its own; the site declares none (a 404 we ignore).
    return url.split("?")[0].endswith("/favicon.ico")


def _attach(page, log: BrowserLog):
    def on_console(msg):
        if msg.type == "error" and not _is_favicon(msg.location.get("url", "")):
            log.console_errors.append(f"{msg.text} ({msg.location.get('url', '')})")

    def on_response(response):
        if response.status >= 400 and not _is_favicon(response.url):
            log.failed_requests.append(f"{response.status} {response.url}")

    def on_request_failed(request):
        # ERR_ABORTED: the browser cancelled the request because the page navigated away (a form
        # was submitted while, say, the icon was still loading); not an answer of the server.
        if not _is_favicon(request.url) and "ERR_ABORTED" not in (request.failure or ""):
            log.failed_requests.append(f"failed {request.url}: {request.failure}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: log.page_errors.append(str(exc)))
    page.on("response", on_response)
    page.on("requestfailed", on_request_failed)


@pytest.fixture
def open_page(browser, live_server):
    """open_page(viewport=..., locale=...) -> (page, log); contexts are closed after the test.

    The browser asks for Vietnamese (Accept-Language vi-VN), as officers' browsers do.
    """
    contexts = []

    def open_(viewport=DESKTOP, locale="vi-VN", **options):
        context = browser.new_context(
            viewport=viewport, locale=locale, base_url=live_server.url, **options
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        log = BrowserLog()
        _attach(page, log)
        return page, log

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def page_and_log(open_page):
    return open_page()


@pytest.fixture
def ministry_admin(hierarchy, make_user):
    return make_user("ministry_admin", "VN")
