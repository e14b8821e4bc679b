"""Fixtures of the accounts tests: one signed-in person per role, and people to act on."""

import pytest

# The roles of the scope matrix and the unit each one is granted on.
ROLE_UNITS = {
    "ministry_admin": "VN",
    "ministry_viewer": "VN",
    "province_admin": "A",
    "province_appraiser": "A",
    "unit_officer": "A-W1",
    "agency_officer": "A",
    "viewer": "C",
}
ROLES = ["anonymous", *ROLE_UNITS]


@pytest.fixture
def people(hierarchy, make_user):
    """role -> a user holding that role on its unit of ROLE_UNITS (None for anonymous)."""
    users = {role: make_user(role, unit) for role, unit in ROLE_UNITS.items()}
    users["anonymous"] = None
    return users


@pytest.fixture
def subjects(hierarchy, make_user):
    """Users to act on: one inside province A (ward A-W1), one inside province C (C-W1)."""
    return {
        "in_a": make_user("viewer", "A-W1", username="subject-a"),
        "in_c": make_user("viewer", "C-W1", username="subject-c"),
    }


@pytest.fixture
def argon2_hasher():
    """Request this to keep the configured (Argon2) password hasher in a test."""


@pytest.fixture(autouse=True)
def _fast_password_hasher(request, settings):
    """Argon2 as configured costs ~1 s per hash here; tests that only need *a* password use a
    fast hasher. Tests about hashing itself request `argon2_hasher`."""
    if "argon2_hasher" not in request.fixturenames:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
