"""Fixtures of the API fuzzing: the small hierarchy with criteria, forms, some values, one
assessment case, and one bearer token per role."""

import pytest

from kieumau.accounts.services import create_token
from kieumau.core.actors import CLI
from kieumau.datavalues.forms_loader import load_default_forms
from tests.accounts.conftest import ROLE_UNITS, _fast_password_hasher  # noqa: F401
from tests.criteria.conftest import import_default


@pytest.fixture
def fuzz_world(hierarchy, make_user):
    """role -> raw bearer token, on a world with criteria, forms, stored values and a case."""
    from kieumau.assessments.services import register_cases
    from kieumau.datavalues.services import set_values
    from kieumau.engine import period_containing

    import_default()
    load_default_forms(CLI)
    tokens = {}
    users = {}
    for role, unit in ROLE_UNITS.items():
        users[role] = make_user(role, unit)
        tokens[role] = create_token(actor=users[role], user=users[role], name="fuzz")[1]
    import datetime as dt

    period = period_containing(dt.date.today(), "month").previous().code
    set_values(actor=CLI, unit_code="A-W1", period_code=period, values={"crime_social_order": 2})
    register_cases(actor=users["province_admin"], unit_codes=["A-W1"], year=2025)
    return tokens
