"""Deployment hardening: production checks, CSP, headers, CSRF, passwords, session fixation.

Lists are generated (templates found on disk, routes read from the URL configuration), so a
template or a page added by any app is checked without editing this file.
"""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError
from django.test import Client

import kieumau
from tests.security.routes import API_PREFIX, django_routes, is_public

PACKAGE = Path(kieumau.__file__).parent
PASSWORD = "Mật-khẩu-dài-2025"
TEMPLATES = sorted(PACKAGE.rglob("templates/**/*.html"))

# -- production settings -------------------------------------------------------------------------


def production_env(**extra) -> dict:
    """The environment docs/configuration.md prescribes for production (HTTPS behind nginx)."""
    # Not the test run's own settings, nor the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE
    # (tests/e2e/conftest.py sets it for Playwright; production never does).
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("KIEUMAU_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        KIEUMAU_SECURE="1",
        KIEUMAU_SECRET_KEY=secrets.token_urlsafe(64),
        KIEUMAU_ALLOWED_HOSTS="kieumau.example.gov.vn",
        KIEUMAU_CSRF_TRUSTED_ORIGINS="https://kieumau.example.gov.vn",
    )
    if os.environ.get("KIEUMAU_DATABASE_URL"):
        env["KIEUMAU_DATABASE_URL"] = os.environ["KIEUMAU_DATABASE_URL"]
    env.update(extra)
    return env


def test_check_deploy_is_clean_with_production_settings():
    """Django's own deployment checklist: any warning (not only errors) fails."""
    result = subprocess.run(
        [sys.executable, "-m", "kieumau.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_flags_the_development_defaults():
    """The same check without KIEUMAU_SECURE is not clean: the test above is not vacuous."""
    result = subprocess.run(
        [sys.executable, "-m", "kieumau.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=production_env(KIEUMAU_SECURE="0"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "security.W012" in result.stdout + result.stderr


# -- CSP: no inline script anywhere ----------------------------------------------------------------
_SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
_EVENT_ATTR = re.compile(r"<[a-zA-Z][^>]*\s(on[a-z]+)\s*=", re.IGNORECASE | re.DOTALL)
_JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)
_HX_ON = re.compile(r"\shx-on[:-]", re.IGNORECASE)


def test_templates_were_found():
    assert len(TEMPLATES) >= 20
    assert PACKAGE / "templates" / "base.html" in TEMPLATES


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_template_has_no_inline_script(template):
    """Inline code would be blocked by the CSP in the browser (and would need 'unsafe-inline')."""
    text = template.read_text(encoding="utf-8")
    for match in _SCRIPT_TAG.finditer(text):
        attrs = match.group(1)
        assert re.search(r"\bsrc\s*=", attrs) or "application/json" in attrs, (
            f"inline <script> in {template.name}: {match.group(0)}"
        )
    event = _EVENT_ATTR.search(text)
    assert event is None, f"event handler attribute {event.group(1)}= in {template.name}"
    assert not _JS_URL.search(text), f"javascript: URL in {template.name}"
    assert not _HX_ON.search(text), f"hx-on (evaluated inline script) in {template.name}"


def test_csp_setting_has_no_unsafe_sources():
    directives = django_settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    for name, sources in directives.items():
        for source in sources:
            assert "unsafe" not in source, f"{name} allows {source}"
            assert not str(source).startswith(("http:", "https:", "*")), f"{name}: {source}"


# -- headers on every page ---------------------------------------------------------------------------
def parameterless_staff_pages() -> list[str]:
    """Every staff route without a parameter: its page can be fetched as-is."""
    return [
        "/" + route
        for route, pattern in django_routes()
        if "<" not in route and not is_public(route) and not route.startswith(API_PREFIX)
    ]


def assert_security_headers(response, label: str) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    assert csp, f"{label}: no Content-Security-Policy"
    script_src = re.search(r"script-src ([^;]*)", csp)
    assert script_src and "'self'" in script_src.group(1), f"{label}: {csp}"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, f"{label}: {csp}"
    assert "frame-ancestors 'none'" in csp, f"{label}: {csp}"
    assert "object-src 'none'" in csp, f"{label}: {csp}"
    assert response.headers.get("X-Content-Type-Options") == "nosniff", label
    assert response.headers.get("X-Frame-Options") == "DENY", label
    assert response.headers.get("Referrer-Policy") == "same-origin", label
    assert response.headers.get("Cross-Origin-Opener-Policy") == "same-origin", label


@pytest.fixture
def admin_client(hierarchy, make_user):
    client = Client()
    client.force_login(make_user("ministry_admin", "VN"))
    return client


def test_every_parameterless_page_sends_the_security_headers(admin_client):
    pages = parameterless_staff_pages()
    assert "/units/" in pages and "/evaluation/matrix/" in pages
    checked = 0
    for path in pages:
        response = admin_client.get(path)
        if response.status_code == 405:
            continue  # POST-only endpoints (their POST answers are covered by the scope matrix)
        assert response.status_code < 500, f"{path}: {response.status_code}"
        assert_security_headers(response, path)
        checked += 1
    assert checked >= 10


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/healthz", "/api/v1/openapi.json"])
def test_public_answers_send_the_security_headers(path):
    assert_security_headers(Client().get(path), path)


# -- CSRF ----------------------------------------------------------------------------------------
def test_no_django_view_is_csrf_exempt():
    """Every HTML route goes through CsrfViewMiddleware; only ninja's API is exempt from it (the
    API checks CSRF itself for session cookies, and bearer tokens are not sent by browsers)."""
    assert "django.middleware.csrf.CsrfViewMiddleware" in django_settings.MIDDLEWARE
    exempt = [
        route
        for route, pattern in django_routes()
        if getattr(pattern.callback, "csrf_exempt", False)
    ]
    assert exempt == []


def test_no_source_file_uses_csrf_exempt():
    offenders = [
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if "csrf_exempt" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_api_with_a_session_cookie_needs_the_csrf_token(hierarchy, make_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("ministry_admin", "VN"))
    assert client.get("/api/v1/units").status_code == 200
    response = client.post("/api/v1/datavalues", {"unit": "A-W1"}, content_type="application/json")
    assert response.status_code in {401, 403}, response.status_code


def test_a_form_post_without_the_token_is_refused(hierarchy, make_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("ministry_admin", "VN"))
    response = client.post("/accounts/tokens/", {"name": "x"})
    assert response.status_code == 403


# -- passwords and sessions ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("Ngan-2025", "shorter than 10 characters"),
        ("1234567890123", "entirely numeric"),
        ("password123", "a common password"),
        ("nguyenvanan-2025", "too close to the user's name"),
    ],
)
def test_weak_passwords_are_refused(password, why, django_user_model):
    user = django_user_model(username="nguyenvanan", first_name="Nguyễn Văn An")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_a_long_passphrase_is_accepted(django_user_model):
    validate_password(PASSWORD, django_user_model(username="nguyenvanan"))


def test_passwords_are_hashed_with_argon2():
    assert django_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_session_key_is_replaced_at_sign_in(hierarchy, make_user, settings):
    """Session fixation: a key planted before sign-in must not become the signed-in session."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    make_user("unit_officer", "A-W1", username="can-bo", password=PASSWORD)
    planted = SessionStore()
    planted["planted"] = True
    planted.create()
    client = Client()
    client.cookies[django_settings.SESSION_COOKIE_NAME] = planted.session_key
    response = client.post("/accounts/login/", {"username": "can-bo", "password": PASSWORD})
    assert response.status_code == 302
    new_key = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert new_key and new_key != planted.session_key
    assert not SessionStore().exists(planted.session_key)
    assert "_auth_user_id" in client.session


def test_session_cookie_flags():
    assert django_settings.SESSION_COOKIE_HTTPONLY
    assert django_settings.SESSION_COOKIE_SAMESITE in {"Lax", "Strict"}
