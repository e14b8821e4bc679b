"""Shared set-up of the case page, API and list tests: people by role and cases in each state.

Data: the `hierarchy` fixture (province A with wards A-W1 and A-W9; province C with C-W1) and
the default 22 criteria. Cases are for 2025 and submitted today (after 1/3/2025: no district
step). Import `people_fixture` into a test module to use the `people` fixture.
"""

import datetime as dt

import pytest
from django.test import Client

from kieumau.assessments.services import decide_criterion, register_cases, save_self_assessment
from kieumau.assessments.workflow import transition
from tests.criteria.conftest import import_default

DECISION = {
    "number": "2878/QĐ-BCA",
    "date": dt.date(2026, 4, 22),
    "signer": "Thứ trưởng Nguyễn Văn A",
    "year": 2025,
}


@pytest.fixture(name="people")
def people_fixture(hierarchy, make_user):
    """role → user: the ward's officer, province A's administrator and appraiser, the Ministry,
    and people of province C (out of scope for A's cases)."""
    import_default()
    return {
        "officer": make_user("unit_officer", "A-W1"),
        "admin": make_user("province_admin", "A"),
        "appraiser": make_user("province_appraiser", "A"),
        "ministry": make_user("ministry_admin", "VN"),
        "other_officer": make_user("unit_officer", "C-W1"),
        "c_admin": make_user("province_admin", "C"),
    }


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def register(people, *codes: str, year: int = 2025):
    return register_cases(actor=people["admin"], unit_codes=list(codes or ["A-W1"]), year=year)


def explain_all(case, actor):
    """Self-assess every criterion as met; required evidence is explained instead of attached."""
    for crit in case.criteria.all():
        save_self_assessment(
            actor=actor,
            case_id=case.pk,
            code=crit.code,
            self_status="met",
            narrative="Đã thực hiện đầy đủ.",
            no_evidence_reason="Hồ sơ giấy lưu tại đơn vị" if crit.evidence_required else "",
        )


def agree_all(case, actor):
    for crit in case.criteria.all():
        decide_criterion(actor=actor, case_id=case.pk, code=crit.code, decision="agree")


def submitted(people, code: str = "A-W1", year: int = 2025):
    (case,) = register(people, code, year=year)
    unit_side = people["officer"] if code == "A-W1" else people["admin"]
    explain_all(case, unit_side)
    return transition(actor=unit_side, case_id=case.pk, action="submit")


def proposed(people, code: str = "A-W1"):
    case = submitted(people, code)
    agree_all(case, people["appraiser"])
    return transition(actor=people["appraiser"], case_id=case.pk, action="approve")


def recognised(people, code: str = "A-W1"):
    case = proposed(people, code)
    return transition(
        actor=people["ministry"], case_id=case.pk, action="recognise", decision=DECISION
    )
