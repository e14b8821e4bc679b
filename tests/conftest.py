"""Shared fixtures: a small dated hierarchy built through the real services, and users by role."""

import datetime as dt

import pytest

from kieumau.accounts.models import RoleAssignment
from kieumau.core.actors import CLI
from kieumau.orgunits.changes import Change
from kieumau.orgunits.services import apply_changes

REORG_DATE = dt.date(2025, 7, 1)


def _flush_lifting_audit_triggers():
    """Let Django's test flush empty the append-only audit table on SQLite.

    Transactional tests (live server, threads) end with a flush of every table. PostgreSQL
    flushes with TRUNCATE, which row triggers do not see; SQLite flushes with DELETE, which the
    `audit_no_delete` trigger refuses. The flush statements are wrapped so that the trigger is
    dropped for the flush and recreated right after. Test-only: production never flushes.
    """
    import importlib

    import django.db.backends.sqlite3.base  # noqa: F401 - must load before .operations
    from django.db.backends.sqlite3.operations import DatabaseOperations

    triggers = importlib.import_module("kieumau.audit.migrations.0002_append_only_triggers")
    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, **kwargs):
        statements = original(self, style, tables, **kwargs)
        if triggers.TABLE in tables:
            return [*triggers.SQLITE_DOWN, *statements, *triggers.SQLITE_UP]
        return statements

    DatabaseOperations.sql_flush = sql_flush


_flush_lifting_audit_triggers()
POLICE_DISTRICTS_END = dt.date(2025, 3, 1)


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Tests render templates without running collectstatic."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def change(row, action, code, day, **kwargs):
    return Change(row=row, action=action, code=code, effective_date=day, **kwargs)


def build_small_hierarchy():
    """Two provinces A and B (B merges into A on 1/7/2025), each with a district and wards.

    Before 1/3/2025: VN > A > A-D > A-W1, A-W2 ; VN > B > B-D > B-W1.
    1/3/2025: districts dissolved, wards re-parented to their province.
    1/7/2025: B merges into A; A-W2 and B-W1 merge into new ward A-W9.
    Also a third province C that is unchanged, with ward C-W1.
    """
    d0 = dt.date(2020, 1, 1)
    rows = [
        ("create", "VN", d0, {"name": "Việt Nam", "kind": "nation"}),
        ("create", "A", d0, {"name": "Tỉnh A", "kind": "province", "parent_code": "VN"}),
        ("create", "B", d0, {"name": "Tỉnh B", "kind": "province", "parent_code": "VN"}),
        ("create", "C", d0, {"name": "Tỉnh C", "kind": "province", "parent_code": "VN"}),
        (
            "create",
            "A-D",
            d0,
            {"name": "Thành phố A", "kind": "provincial_city", "parent_code": "A"},
        ),
        ("create", "B-D", d0, {"name": "Thị xã B", "kind": "town", "parent_code": "B"}),
        ("create", "A-W1", d0, {"name": "Phường Một", "kind": "ward", "parent_code": "A-D"}),
        ("create", "A-W2", d0, {"name": "Phường Hai", "kind": "ward", "parent_code": "A-D"}),
        ("create", "B-W1", d0, {"name": "Phường Ba", "kind": "ward", "parent_code": "B-D"}),
        ("create", "C-W1", d0, {"name": "Xã Bốn", "kind": "commune", "parent_code": "C"}),
    ]
    apply_changes(
        actor=CLI,
        changes=[change(i, a, c, d, **kw) for i, (a, c, d, kw) in enumerate(rows, 1)],
        name="fixture",
    )
    d1, d2 = POLICE_DISTRICTS_END, REORG_DATE
    rows = [
        ("reparent", "A-W1", d1, {"parent_code": "A"}),
        ("reparent", "A-W2", d1, {"parent_code": "A"}),
        ("reparent", "B-W1", d1, {"parent_code": "B"}),
        ("dissolve", "A-D", d1, {}),
        ("dissolve", "B-D", d1, {}),
        ("merge", "A", d2, {"from_codes": ["B"]}),
        (
            "merge",
            "A-W9",
            d2,
            {
                "from_codes": ["A-W2", "B-W1"],
                "name": "Phường Chín",
                "kind": "ward",
                "parent_code": "A",
            },
        ),
    ]
    apply_changes(
        actor=CLI,
        changes=[change(i, a, c, d, **kw) for i, (a, c, d, kw) in enumerate(rows, 1)],
        name="fixture-2025",
    )


@pytest.fixture
def hierarchy(db):
    build_small_hierarchy()
    _reseed_review_paths()


def _reseed_review_paths():
    """Put back the review paths migration 0002 seeds, if a transactional test's flush (live
    server, threads) emptied the table earlier in this worker; the workflow reads them."""
    import importlib

    from django.apps import apps

    importlib.import_module("kieumau.assessments.migrations.0002_review_paths").seed(apps, None)


@pytest.fixture
def make_user(db, django_user_model):
    """make_user(role, unit_code) -> a user holding that role on that unit since 2020."""

    def make(
        role: str, unit_code: str | None, username: str | None = None, password="Mật-khẩu-dài-2025"
    ):
        from kieumau.orgunits.models import OrgUnit

        username = username or f"{role}-{unit_code or 'none'}".lower()
        user = django_user_model.objects.create_user(username=username, password=password)
        if unit_code:
            RoleAssignment.objects.create(
                user=user,
                role=role,
                unit=OrgUnit.objects.get(code=unit_code),
                valid_from=dt.date(2020, 1, 1),
            )
        return user

    return make


def pytest_collection_modifyitems(config, items):
    """Browser tests need /usr/bin/chromium; skip them without it unless KIEUMAU_REQUIRE_E2E=1."""
    import os

    if os.path.exists("/usr/bin/chromium"):
        return
    if os.environ.get("KIEUMAU_REQUIRE_E2E") == "1":
        raise pytest.UsageError("KIEUMAU_REQUIRE_E2E=1 but /usr/bin/chromium is missing")
    skip = pytest.mark.skip(reason="no /usr/bin/chromium on this machine")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)
