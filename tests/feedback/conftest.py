"""Fixtures of the feedback tests: public pages for wards A-W1 and C-W1, people by role."""

import importlib

import pytest
from django.apps import apps

from kieumau.core.actors import CLI
from kieumau.feedback.services import open_channel

PASSWORD = "Mật-khẩu-dài-2025"


def seed_default_questions():
    """Put back the default questions (a transactional test's flush may have emptied them)."""
    importlib.import_module("kieumau.feedback.migrations.0002_default_questions").seed(apps, None)


@pytest.fixture
def channels(hierarchy):
    """Public pages of A-W1 (province A) and C-W1 (province C): code by unit code.

    Rate-limit counters live in the (database) cache: every test starts with none.
    """
    from django.core.cache import cache

    cache.clear()
    seed_default_questions()
    return {code: open_channel(actor=CLI, unit_code=code).code for code in ("A-W1", "C-W1")}


@pytest.fixture
def staff(hierarchy, make_user):
    return {
        "officer": make_user("unit_officer", "A-W1"),
        "admin": make_user("province_admin", "A"),
        "viewer": make_user("viewer", "A"),
        "c_admin": make_user("province_admin", "C"),
        "ministry": make_user("ministry_admin", "VN"),
    }
