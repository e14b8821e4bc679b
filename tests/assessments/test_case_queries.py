"""No N+1: the case list, the case page, the register of recognised units and the national view
run the same number of queries for one case as for many (and for many criteria with evidence
and a long timeline).

Data: the `hierarchy` fixture and the default 22 criteria. States are set directly on the rows
where only the counting matters (the workflow itself is tested elsewhere).
"""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from kieumau.assessments import selectors
from kieumau.assessments.models import AssessmentCase, EvidenceFile
from kieumau.assessments.services import register_cases, save_self_assessment
from kieumau.assessments.workflow import add_comment
from kieumau.orgunits.models import OrgUnit
from tests.assessments.case_helpers import (
    client_for,
    people_fixture,  # noqa: F401 - the `people` fixture
    register,
)

pytestmark = pytest.mark.usefixtures("hierarchy")


def fresh(user):
    """The user read again, without the permission grants cached on the object."""
    return get_user_model().objects.get(pk=user.pk)


def count(fn, *args, **kwargs) -> int:
    with CaptureQueriesContext(connection) as queries:
        fn(*args, **kwargs)
    return len(queries)


def recognise_rows(cases) -> None:
    AssessmentCase.objects.filter(pk__in=[c.pk for c in cases]).update(
        status="recognised",
        recognised_year=F("year"),
        decision_number="1/QĐ-BCA",
        decision_date=dt.date(2026, 1, 5),
        decision_signer="Bộ trưởng",
        submitted_at=dt.datetime(2025, 12, 1, tzinfo=dt.UTC),
    )


def more_cases(people):
    """Two more 2025 cases (A-W9 in province A, C-W1 in province C) and a 2024 one (B-W1,
    of province B before it merged into A)."""
    extra = register(people, "A-W9")
    extra += register_cases(actor=people["c_admin"], unit_codes=["C-W1"], year=2025)
    extra += register(people, "B-W1", year=2024)
    return extra


def test_case_list_queries_do_not_grow_with_the_cases(people):
    (first,) = register(people)
    ministry = people["ministry"]
    selectors.case_list(fresh(ministry))  # warm the criteria spec cache
    one = count(selectors.case_list, fresh(ministry))
    one_filtered = count(selectors.case_list, fresh(ministry), year=2025, province="A")
    client = client_for(ministry)
    one_page = count(client.get, "/assessments/")
    more_cases(people)
    many = count(selectors.case_list, fresh(ministry))
    assert len(selectors.case_list(fresh(ministry)).rows) == 4
    assert many == one <= 6
    assert count(selectors.case_list, fresh(ministry), year=2025, province="A") == one_filtered
    assert count(client.get, "/assessments/") == one_page
    assert first.pk


def test_case_page_queries_do_not_grow_with_evidence_and_events(people):
    (case,) = register(people)
    officer, appraiser = people["officer"], people["appraiser"]
    selectors.case_detail(fresh(officer), case.pk)
    small = count(selectors.case_detail, fresh(officer), case.pk)
    small_other = count(selectors.case_detail, fresh(appraiser), case.pk)
    client = client_for(officer)
    small_page = count(client.get, f"/assessments/cases/{case.pk}/")
    unit = OrgUnit.objects.get(code="A-W1")
    files = [
        EvidenceFile.objects.create(
            unit=unit,
            sha256=f"{i:064x}",
            filename=f"bien-ban-{i}.pdf",
            content_type="application/pdf",
            kind="pdf",
            size=100,
            path=f"A-W1/00/{i:064x}",
        )
        for i in range(6)
    ]
    for code in ("1.1", "1.2", "2.1", "3.1"):
        save_self_assessment(
            actor=officer,
            case_id=case.pk,
            code=code,
            self_status="met",
            evidence_ids=[f.pk for f in files],
        )
    for i in range(8):
        add_comment(actor=appraiser, case_id=case.pk, comment=f"Ý kiến {i}")
    detail = selectors.case_detail(fresh(officer), case.pk)
    assert len(detail.events) == 8 and len(detail.criteria[0].evidence.all()) == 6
    # 22 criteria: a query per criterion would break these bounds on its own.
    assert small <= 20 and small_other <= 16 and small_page <= 40
    assert count(selectors.case_detail, fresh(officer), case.pk) == small
    assert count(selectors.case_detail, fresh(appraiser), case.pk) == small_other
    assert count(client.get, f"/assessments/cases/{case.pk}/") == small_page


def test_register_and_national_view_queries_do_not_grow(people):
    (first,) = register(people)
    recognise_rows([first])
    ministry = people["ministry"]
    register_one = count(selectors.recognised_register, fresh(ministry), 2025)
    national_one = count(selectors.national_view, fresh(ministry), 2025)
    client = client_for(ministry)
    register_page = count(client.get, "/assessments/recognised/", {"year": "2025"})
    national_page = count(client.get, "/assessments/national/", {"year": "2025"})
    recognise_rows(more_cases(people))
    rows = selectors.recognised_register(fresh(ministry), 2025)
    # By province, then unit name: Phường Chín (A-W9) before Phường Một (A-W1).
    assert [r.case.unit.code for r in rows] == ["A-W9", "A-W1", "C-W1"]
    assert count(selectors.recognised_register, fresh(ministry), 2025) == register_one <= 5
    assert count(selectors.national_view, fresh(ministry), 2025) == national_one <= 5
    assert count(client.get, "/assessments/recognised/", {"year": "2025"}) == register_page
    assert count(client.get, "/assessments/national/", {"year": "2025"}) == national_page
    national = selectors.national_view(fresh(ministry), 2025)
    assert {p.code: p.tally.recognised for p in national["provinces"]} == {"A": 2, "C": 1}
