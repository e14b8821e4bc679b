"""Fixtures of the data-collection tests: the default criteria and report forms, and helpers.

`forms` loads what a fresh installation loads: the 22 criteria (QD5764 v1) and the default
report forms (BC-THANG monthly, BC-QUY quarterly, BC-NAM yearly), both as the CLI would.
"""

import datetime as dt

import pytest
from django.utils import timezone

from kieumau.core.actors import CLI
from kieumau.datavalues.forms_loader import load_default_forms
from kieumau.datavalues.models import DataSet, DataValue, Submission
from kieumau.engine import period_containing
from tests.criteria.conftest import import_default

# Months of BC-THANG relative to today, so that the tests mean the same thing on any day. Entry
# opens on the month's first day and closes 60 days after the 18th of the following month, so
# last month and this month are always open, next month not yet, four months ago no longer.
_THIS = period_containing(timezone.localdate(), "month")
CURRENT_MONTH = _THIS.code
OPEN_MONTH = _THIS.previous().code
NEXT_MONTH = _THIS.next().code
CLOSED_MONTH = _THIS.previous().previous().previous().previous().code

# A complete and consistent monthly report (every required value of BC-THANG).
MONTHLY = {
    "crime_reports_received": "10",
    "crime_reports_handled_on_time": "9",
    "crime_social_order": "2",
    "dossiers_settled": "40",
    "dossiers_on_time": "38",
    "dossiers_early": "5",
}


@pytest.fixture
def forms(db):
    """The default criteria and the default report forms, imported as the CLI does."""
    import_default()
    return {f.code: f for f in load_default_forms(CLI)}


def stored(unit: str = "A-W1", period: str = OPEN_MONTH) -> dict:
    """{indicator code: value} stored for one unit and period."""
    return {
        dv.indicator.code: dv.value
        for dv in DataValue.objects.filter(unit__code=unit, period=period).select_related(
            "indicator"
        )
    }


def report(unit: str = "A-W1", form: str = "BC-THANG", period: str = OPEN_MONTH) -> Submission:
    """The report row (created as a draft when missing, as the first submit or comment does)."""
    from kieumau.orgunits.models import OrgUnit

    sub, _ = Submission.objects.get_or_create(
        dataset=DataSet.objects.get(code=form),
        unit=OrgUnit.objects.get(code=unit),
        period=period,
    )
    return sub


def local_noon(day: dt.date) -> dt.datetime:
    """Midday of `day` in the project's time zone (what `now=` takes)."""
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, 12, 0))
