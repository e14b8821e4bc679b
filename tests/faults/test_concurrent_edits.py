"""Two editors save the same value at the same moment with the same expected revision.

Exactly one save wins; the other gets a conflict (409) and nothing is lost or silently
overwritten: the stored value is the winner's, its revision went up by exactly one, and the
audit log holds exactly one change. Each editor runs in its own thread with its own database
connection (as two application processes would), released together by a barrier.

PostgreSQL only: SQLite serialises writers on one file lock, so the race this guards against
(two transactions reading the same revision) cannot happen there.
"""

import threading

import pytest
from django.db import connection

from kieumau.audit.models import AuditEntry
from kieumau.core.actors import CLI
from kieumau.core.errors import Conflict
from kieumau.datavalues.models import DataValue
from kieumau.datavalues.services import set_values
from tests.faults.conftest import postgresql_only

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]
PERIOD = "2025-05"
CODE = "crime_social_order"


def race(editors: list[dict]) -> list:
    """Run set_values for every editor at once; returns each outcome (rows or the exception)."""
    barrier = threading.Barrier(len(editors))
    outcomes: list = [None] * len(editors)

    def run(i, kwargs):
        try:
            barrier.wait(timeout=30)
            outcomes[i] = set_values(actor=CLI, unit_code="A-W1", period_code=PERIOD, **kwargs)
        except Exception as exc:
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, kw)) for i, kw in enumerate(editors)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def changes() -> int:
    return AuditEntry.objects.filter(event="datavalues.values_set").count()


@pytest.mark.parametrize("rounds", [5])
def test_same_revision_exactly_one_wins(hierarchy, forms, rounds):
    set_values(actor=CLI, unit_code="A-W1", period_code=PERIOD, values={CODE: 1})
    for round_ in range(rounds):
        stored = DataValue.objects.get(unit__code="A-W1", indicator__code=CODE)
        before_changes = changes()
        editors = [
            {"values": {CODE: 100 + 2 * round_ + i}, "expected_revisions": {CODE: stored.revision}}
            for i in range(2)
        ]
        outcomes = race(editors)
        won = [i for i, o in enumerate(outcomes) if not isinstance(o, Exception)]
        lost = [o for o in outcomes if isinstance(o, Exception)]
        assert len(won) == 1, outcomes
        assert len(lost) == 1 and isinstance(lost[0], Conflict), outcomes
        after = DataValue.objects.get(unit__code="A-W1", indicator__code=CODE)
        assert after.value == editors[won[0]]["values"][CODE]
        assert after.revision == stored.revision + 1
        assert changes() == before_changes + 1


def test_first_value_entered_twice_at_once(hierarchy, forms):
    """Both editors saw an empty cell (expected revision 0): one value is created, one conflict,
    never a duplicate row or a server error."""
    outcomes = race(
        [
            {"values": {CODE: 7}, "expected_revisions": {CODE: 0}},
            {"values": {CODE: 8}, "expected_revisions": {CODE: 0}},
        ]
    )
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1, outcomes
    assert isinstance(errors[0], Conflict), repr(errors[0])
    rows = DataValue.objects.filter(unit__code="A-W1", indicator__code=CODE, period=PERIOD)
    assert rows.count() == 1
    assert rows.get().value in {7, 8}
    assert rows.get().revision == 1
