"""Signing in: audited, throttled against guessing, safe session and security headers."""

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from kieumau.accounts.models import LoginFailure
from kieumau.audit.models import AuditEntry

PASSWORD = "Mật-khẩu-dài-2025"
LOCKED_EN = "Too many failed sign-ins"


@pytest.fixture
def officer(make_user, hierarchy):
    return make_user("unit_officer", "A-W1", username="can-bo", password=PASSWORD)


def sign_in(client, username="can-bo", password=PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def locked_message(response) -> str:
    return " ".join(str(e) for e in response.context["form"].non_field_errors())


def test_sign_in_works_and_is_audited(client, officer):
    response = sign_in(client)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert is_signed_in(client)
    entry = AuditEntry.objects.get(event="accounts.login")
    assert entry.actor == officer
    assert entry.target_id == str(officer.pk)
    assert entry.request_id  # tied to the request that signed in
    assert client.get("/").status_code == 200


def test_sign_in_goes_to_next(client, officer):
    response = client.post(
        "/accounts/login/?next=/units/",
        {"username": "can-bo", "password": PASSWORD, "next": "/units/"},
    )
    assert response["Location"] == "/units/"
    response = client.get("/accounts/login/")
    assert response.status_code == 302  # already signed in


def test_failed_sign_in_is_audited_without_the_password(client, officer):
    response = sign_in(client, password="sai-mat-khau-roi")
    assert response.status_code == 200
    assert not is_signed_in(client)
    entry = AuditEntry.objects.get(event="accounts.login_failed")
    assert entry.actor is None
    assert entry.after == {"username": "can-bo", "ip": "127.0.0.1"}
    assert "sai-mat-khau-roi" not in str(entry.after)
    assert LoginFailure.objects.filter(username="can-bo").count() == 1


def _fail(client, times, username="can-bo", **extra):
    for _ in range(times):
        response = sign_in(client, username=username, password="sai-mat-khau-roi", **extra)
        assert response.status_code == 200


def test_too_many_failures_lock_even_the_right_password(client, officer, settings):
    settings.KIEUMAU_LOGIN_MAX_FAILURES = 3
    _fail(client, 3)
    response = sign_in(client)
    assert response.status_code == 200
    assert not is_signed_in(client)
    assert any(e.code == "locked" for e in response.context["form"].errors.as_data()["__all__"])
    # Attempts while locked are not counted again (the lock does not extend itself).
    assert LoginFailure.objects.filter(username="can-bo").count() == 3
    # Other usernames are not locked by this one's failures.
    other = Client()
    assert sign_in(other, username="khac", password="x").status_code == 200
    assert not any(
        e.code == "locked"
        for e in other.post("/accounts/login/", {"username": "khac", "password": "x"})
        .context["form"]
        .errors.as_data()["__all__"]
    )


def test_the_lock_is_case_insensitive(client, officer, settings):
    settings.KIEUMAU_LOGIN_MAX_FAILURES = 2
    _fail(client, 1, username="CAN-BO")
    _fail(client, 1, username="Can-Bo")
    response = sign_in(client)
    assert not is_signed_in(client)
    assert response.status_code == 200


def test_sign_in_works_again_once_the_window_has_passed(client, officer, settings):
    settings.KIEUMAU_LOGIN_MAX_FAILURES = 3
    _fail(client, 3)
    assert sign_in(client).status_code == 200
    window = dt.timedelta(seconds=django_settings.KIEUMAU_LOGIN_WINDOW_SECONDS)
    LoginFailure.objects.update(at=timezone.now() - window - dt.timedelta(seconds=1))
    response = sign_in(client)
    assert response.status_code == 302
    assert is_signed_in(client)
    assert not LoginFailure.objects.filter(username="can-bo").exists()  # cleared on success


def test_a_shorter_window_setting_unlocks(client, officer, settings):
    settings.KIEUMAU_LOGIN_MAX_FAILURES = 3
    _fail(client, 3)
    LoginFailure.objects.update(at=timezone.now() - dt.timedelta(seconds=120))
    assert sign_in(client).status_code == 200
    settings.KIEUMAU_LOGIN_WINDOW_SECONDS = 60
    assert sign_in(client).status_code == 302


def test_spraying_from_one_address_is_locked(client, officer, settings):
    settings.KIEUMAU_LOGIN_MAX_FAILURES = 2
    for i in range(8):  # 4 x the limit, each username only once
        sign_in(client, username=f"doan-{i}", password="x")
    response = sign_in(client)
    assert response.status_code == 200
    assert not is_signed_in(client)
    elsewhere = Client(REMOTE_ADDR="10.0.0.9")
    assert sign_in(elsewhere).status_code == 302


def test_the_locked_message_is_vietnamese_by_default(client, officer, settings):
    settings.KIEUMAU_LOGIN_MAX_FAILURES = 1
    _fail(client, 1)
    message = locked_message(sign_in(client))
    assert LOCKED_EN not in message
    assert "khóa" in message and "15" in message


def test_the_locked_message_ignores_the_browser_language(client, officer, settings):
    settings.KIEUMAU_LOGIN_MAX_FAILURES = 1
    _fail(client, 1)
    response = sign_in(client, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert LOCKED_EN not in locked_message(response)


def test_the_locked_message_in_english_when_chosen(client, officer, settings):
    settings.KIEUMAU_LOGIN_MAX_FAILURES = 1
    _fail(client, 1)
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    response = sign_in(client)
    assert LOCKED_EN in locked_message(response)


def test_session_key_changes_on_sign_in(client, officer):
    session = client.session
    session["trước-khi-đăng-nhập"] = 1
    session.save()
    before = session.session_key
    assert client.cookies[django_settings.SESSION_COOKIE_NAME].value == before
    sign_in(client)
    after = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert is_signed_in(client)


def test_session_cookie_is_http_only(client, officer):
    response = sign_in(client)
    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_sign_out_needs_post_and_ends_the_session(client, officer):
    sign_in(client)
    assert client.get("/accounts/logout/").status_code == 405
    assert is_signed_in(client)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert not is_signed_in(client)
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("path", ["/accounts/login/", "/", "/units/", "/api/v1/units", "/healthz"])
def test_security_headers(client, officer, path):
    if path != "/accounts/login/":
        client.force_login(officer)
    response = client.get(path)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    directives = {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in csp.split(";")) if part
    }
    script_src = directives.get("script-src", directives["default-src"])
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
