"""Fixtures of the fault tests: the data-collection world, and helpers for PostgreSQL-only cases."""

import pytest
from django.db import connection

from tests.datavalues.conftest import forms  # noqa: F401

# Some faults only exist with a database server: killing the backend of a connection, a second
# process seeing committed rows. SQLite is a file inside the application process; there is no
# server-side session to terminate. These tests run in CI's PostgreSQL pass (.ci/run sets
# KIEUMAU_DATABASE_URL), where `make test` runs the whole suite again on a fresh database.
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs a database server (runs in CI's PostgreSQL pass, KIEUMAU_DATABASE_URL)",
)


def database_url() -> str:
    """A URL to the test database the current test uses (for a child process)."""
    s = connection.settings_dict
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or 5432
    auth = s.get("USER") or "postgres"
    if s.get("PASSWORD"):
        auth += f":{s['PASSWORD']}"
    return f"postgresql://{auth}@{host}:{port}/{s['NAME']}"
