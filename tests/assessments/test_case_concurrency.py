"""Two appraisers press "approve" on the same case at the same moment: exactly one wins.

Real concurrency: two threads, each with its own database connection, released together by a
barrier, both holding the revision they read. The loser gets a Conflict (409 on the API) and
the case carries one approval, one audit entry for it and one revision step.

PostgreSQL only (CI's second pass, KIEUMAU_DATABASE_URL): the SQLite test database lives in
shared-cache memory, where a second writer fails at once ("table is locked") instead of
waiting as the file database in production does, so it cannot show the row lock at work. The
same refusal on both databases without threads is tested in test_case_workflow.py.
"""

import threading

import pytest
from django.db import connection

from kieumau.assessments.models import AssessmentCase, CaseEvent
from kieumau.assessments.workflow import transition
from kieumau.audit.models import AuditEntry
from kieumau.core.errors import Conflict
from tests.assessments.test_case_workflow import agree_all, submitted_case
from tests.audit.test_chain import audit_log_purged_after  # noqa: F401 (fixture)
from tests.criteria.conftest import import_default

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL (CI pass 2)"
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("hierarchy", "audit_log_purged_after"),
]


@pytest.fixture
def people(make_user):
    import_default()
    return {
        "officer": make_user("unit_officer", "A-W1"),
        "admin": make_user("province_admin", "A"),
        "appraiser": make_user("province_appraiser", "A"),
    }


def test_two_simultaneous_approvals_one_wins(people):
    case = submitted_case(people)
    agree_all(case, people["appraiser"])
    seen = AssessmentCase.objects.get(pk=case.pk).revision
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def approve(name: str) -> None:
        try:
            barrier.wait()
            transition(
                actor=people[name], case_id=case.pk, action="approve", expected_revision=seen
            )
            outcomes[name] = "won"
        except Conflict:
            outcomes[name] = "conflict"
        except Exception as exc:  # reported below: any other error fails the test
            outcomes[name] = f"error: {exc!r}"
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(n,)) for n in ("appraiser", "admin")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == ["conflict", "won"], outcomes
    after = AssessmentCase.objects.get(pk=case.pk)
    assert after.status == "proposed"  # approved by the province: proposed to the Ministry
    assert after.revision == seen + 1
    assert CaseEvent.objects.filter(case=case, action="approve").count() == 1
    assert AuditEntry.objects.filter(event="assessments.case_approve").count() == 1
