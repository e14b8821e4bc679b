"""Panels fed by the other apps: national target (plans), overdue tasks (workitems) and
citizen satisfaction (feedback), built through those apps' services."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from kieumau.core.actors import CLI
from kieumau.dashboards import extensions
from kieumau.dashboards.selectors import dashboard
from kieumau.feedback.services import open_channel, questions_for_unit, submit_survey
from kieumau.workitems import services as tasks
from tests.dashboards import data

pytestmark = pytest.mark.usefixtures("hierarchy")


@pytest.fixture
def known(db):
    return data.build()


def test_the_national_target_of_the_year(known):
    assert extensions.national_target(2025) == {
        "due": "2025-12-31",
        "due_vi": "31/12/2025",
        "min_share": 30.0,
        "max_share": 50.0,
    }
    assert extensions.national_target(2027)["due"] == "2030-12-31"
    board = dashboard(CLI, year=2025, as_of=dt.date(2026, 3, 1))
    assert {c.code: c.target for c in board.children} == {"A": 30.0, "C": 30.0}


def test_overdue_tasks_of_the_province(known, make_user):
    agency = tasks.create_agency(actor=CLI, province="A", name="Sở Tài chính A", kind="department")
    tasks.create_item(
        actor=CLI,
        title="Bố trí đất an ninh",
        unit="A-W1",
        due_date=dt.date(2026, 1, 31),
        assignee_agency=agency,
    )
    tasks.create_item(actor=CLI, title="Xây trụ sở", unit="A-W1", due_date=dt.date(2030, 6, 30))
    tasks.create_item(actor=CLI, title="Việc của C", unit="C-W1", due_date=dt.date(2026, 1, 1))
    as_of = dt.date(2026, 3, 1)
    board = dashboard(make_user("province_admin", "A"), year=2025, as_of=as_of)
    assert board.overdue["count"] == 1
    (row,) = board.overdue["rows"]
    assert (row["title"], row["unit"], row["agency"], row["days_late"]) == (
        "Bố trí đất an ninh",
        "A-W1",
        "Sở Tài chính A",
        29,
    )
    assert dashboard(CLI, year=2025, as_of=as_of).overdue["count"] == 2


def test_citizen_satisfaction_per_province_and_unit(known, client, make_user):
    channel = open_channel(actor=CLI, unit_code="A-W1")
    questions = questions_for_unit(channel.unit_id)
    for i, score in enumerate([5, 5, 1]):
        submit_survey(
            actor=AnonymousUser(),
            channel_code=channel.code,
            scores={q.pk: score for q in questions},
            client=f"c{i}",
        )
    year = timezone.localdate().year
    nation = dashboard(CLI, year=year)
    assert nation.satisfaction == [
        {"code": "A", "name": "Tỉnh A", "responses": 3, "satisfied": 2, "rate": 66.7}
    ]
    province = dashboard(CLI, under="A", year=year)
    assert [(r["code"], r["rate"]) for r in province.satisfaction] == [("A-W1", 66.7)]
    client.force_login(make_user("ministry_viewer", "VN"))
    page = client.get("/dashboards/", {"year": year, "under": "A"}).content.decode()
    assert 'id="table-satisfaction"' in page and 'id="table-overdue"' in page


def test_panels_are_left_out_when_an_app_does_not_provide_them(known, monkeypatch):
    monkeypatch.setattr(extensions, "_selector", lambda module, name: None)
    board = dashboard(CLI, year=2025, as_of=dt.date(2026, 3, 1))
    assert board.overdue is None and board.satisfaction is None
    assert board.national_target is None and board.plan is None
    assert all(c.target is None for c in board.children)
