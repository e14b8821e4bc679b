"""The database connection dropped under a running application: clean errors, then recovery.

A PostgreSQL restart or failover kills the server side of every open connection. The
application must answer the requests caught in it with a plain error (no traceback, no SQL, no
driver message), and the very next request must work on a new connection, without restarting
the process. Requests go through the real WSGI handler, with Django's per-request connection
handling switched on (the test client turns it off).

PostgreSQL only: terminating a connection's server process (pg_terminate_backend) is what a
restart does; SQLite has no server and no connection to lose.
"""

import psycopg
import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import Client as DjangoClient
from werkzeug.test import Client

from kieumau.accounts.services import create_token
from tests.faults.conftest import postgresql_only

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]
LEAKS = [b"Traceback", b"psycopg", b"OperationalError", b"terminating connection", b"SELECT"]


def terminate(pid: int) -> None:
    """What a database restart does to one connection: its server process is killed."""
    s = connection.settings_dict
    with psycopg.connect(
        host=s.get("HOST") or "127.0.0.1",
        port=s.get("PORT") or 5432,
        user=s.get("USER") or "postgres",
        password=s.get("PASSWORD") or None,
        dbname=s["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


class DropOnce:
    """Middleware: kill this request's database connection right before the view runs."""

    armed = False

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if DropOnce.armed:
            DropOnce.armed = False
            # A first query: the connection's health check for this request is then done (as
            # after any query of the session or user), so the drop is met by the view itself.
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            terminate(connection.connection.info.backend_pid)
        return self.get_response(request)


@pytest.fixture
def app(settings, hierarchy, make_user):
    settings.DEBUG = False
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.DropOnce"]
    user = make_user("ministry_admin", "VN")
    browser = DjangoClient()
    browser.force_login(user)
    session = browser.cookies[settings.SESSION_COOKIE_NAME].value
    assert SessionStore().exists(session)
    token = create_token(actor=user, user=user, name="faults")[1]
    client = Client(WSGIHandler())
    client.set_cookie(settings.SESSION_COOKIE_NAME, session, domain="localhost")
    yield client, {"Authorization": f"Bearer {token}"}
    DropOnce.armed = False
    connection.close()


def test_a_page_caught_in_the_drop_is_a_clean_500_and_the_next_one_works(app):
    client, _ = app
    assert client.get("/units/").status_code == 200
    DropOnce.armed = True
    response = client.get("/units/")
    assert response.status_code == 500
    assert not any(leak in response.data for leak in LEAKS), response.data[:500]
    assert client.get("/units/").status_code == 200


def test_an_api_call_caught_in_the_drop_is_a_clean_error_and_the_next_one_works(app):
    client, headers = app
    assert client.get("/api/v1/units", headers=headers).status_code == 200
    DropOnce.armed = True
    response = client.get("/api/v1/units", headers=headers)
    assert response.status_code == 503
    assert "thử lại" in response.json["detail"]
    assert not any(leak in response.data for leak in LEAKS), response.data[:500]
    again = client.get("/api/v1/units", headers=headers)
    assert again.status_code == 200
    assert again.json


def test_a_connection_killed_between_requests_is_replaced_silently(app):
    """Idle connections dropped by a restart are noticed by the health check (CONN_HEALTH_CHECKS)
    before the request uses them: no request fails at all."""
    client, headers = app
    assert client.get("/units/").status_code == 200
    assert connection.connection is not None
    terminate(connection.connection.info.backend_pid)
    assert client.get("/units/").status_code == 200
    assert client.get("/api/v1/units", headers=headers).status_code == 200


def test_healthz_says_503_while_the_database_is_unreachable(app):
    client, _ = app
    original = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = 1  # nothing listens there
    try:
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json["status"] == "error"
    finally:
        connection.close()
        connection.settings_dict["PORT"] = original
    assert client.get("/healthz").status_code == 200
