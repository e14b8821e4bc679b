"""The task board (filters, bounded queries), the daily job (overdue, escalation, reminders)
and the suggested tasks for failing criteria."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kieumau.core.actors import CLI
from kieumau.notifications.models import Notification
from kieumau.workitems import selectors, services
from kieumau.workitems.models import WorkItem
from kieumau.workitems.reminders import daily_job
from tests.criteria.conftest import import_default
from tests.plans.helpers import result
from tests.workitems.helpers import agencies, item

TODAY = dt.date(2026, 3, 10)


@pytest.fixture
def setup(hierarchy, make_user):
    ag = agencies()
    officer = make_user("agency_officer", "A")
    services.add_member(actor=CLI, agency_id=ag["finance"].pk, user=officer)
    admin = make_user("province_admin", "A")
    return {"agencies": ag, "officer": officer, "admin": admin}


def _board(user, **params):
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/tasks/", params)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_board_queries_do_not_grow_with_tasks(setup, django_assert_max_num_queries):
    fin = setup["agencies"]["finance"].pk
    for n in range(2):
        item(fin, title=f"Việc {n}")
    few, response = _board(setup["admin"])
    assert len(response.context["page"]) == 2
    for n in range(2, 20):
        item(fin if n % 2 else setup["agencies"]["city"].pk, unit="A-W9", title=f"Việc {n}")
    client = Client()
    client.force_login(setup["admin"])
    with django_assert_max_num_queries(few):
        response = client.get("/tasks/")
    assert len(response.context["page"]) == 20


def test_overdue_filter_and_selector(setup):
    fin = setup["agencies"]["finance"].pk
    late = item(fin, title="Quá hạn", due=dt.date(2020, 1, 31))
    item(fin, title="Còn hạn", due=dt.date(2099, 1, 31))
    _, response = _board(setup["officer"], overdue="1")
    assert [i.title for i in response.context["page"]] == ["Quá hạn"]
    assert "Quá hạn" in response.content.decode()
    assert list(selectors.overdue_items(setup["admin"], under="A")) == [late]
    assert list(selectors.overdue_items(setup["admin"], as_of=dt.date(2019, 1, 1))) == []


def test_daily_job_marks_escalates_and_reminds_once(setup):
    fin = setup["agencies"]["finance"].pk
    late = item(fin, title="Quá hạn", due=TODAY - dt.timedelta(days=1))
    soon = item(fin, title="Sắp đến hạn", due=TODAY + dt.timedelta(days=7))
    item(None, unit="A-W1", title="Công an phường", due=TODAY + dt.timedelta(days=1))
    out = daily_job(today=TODAY)
    # Reminders: the agency's member (7 days), and for the unit's task (1 day) the province
    # administrator (no officer on A-W1) but not the agency officer, who cannot see it.
    assert out == {"marked_overdue": 1, "escalations": 1, "reminders": 2}
    late.refresh_from_db()
    assert late.status == "overdue" and late.escalated_at is not None
    admin_note = Notification.objects.get(user=setup["admin"], kind="workitem_overdue")
    assert "Quá hạn" in admin_note.subject
    assert Notification.objects.filter(user=setup["admin"], kind="workitem_due").count() == 1
    reminder = Notification.objects.get(user=setup["officer"], kind="workitem_due")
    assert "7 ngày" in reminder.subject and soon.title in reminder.subject
    assert daily_job(today=TODAY) == {"marked_overdue": 0, "escalations": 0, "reminders": 0}


def test_editing_the_due_date_reopens_an_overdue_task(setup):
    late = item(setup["agencies"]["finance"].pk, due=TODAY - dt.timedelta(days=3))
    daily_job(today=TODAY)
    late.refresh_from_db()
    updated = services.update_item(
        actor=setup["admin"],
        item_id=late.pk,
        expected_revision=late.revision,
        due_date=dt.date(2099, 1, 1),
    )
    assert updated.status == "open" and updated.escalated_at is None


def test_failing_criteria_suggest_tasks_without_duplicates(setup):
    version = import_default()
    result(version, "A-W1", 2025, model=False, failing=["3.1", "5.1"])
    proposals = selectors.suggestions(setup["admin"], 2025)
    by_origin = {p.origin: p for p in proposals}
    # 3.1 is in the table (two tasks), 5.1 is not.
    assert set(by_origin) == {"suggested:3.1:A-W1", "suggested:3.1:A-W1:2"}
    land = by_origin["suggested:3.1:A-W1"]
    assert land.agency_name == "UBND Thành phố A" and "≥ 500 m²" in land.title
    created = services.create_suggested(actor=setup["admin"], year=2025, origins=list(by_origin))
    assert len(created) == 2
    assert services.create_suggested(actor=setup["admin"], year=2025, origins=list(by_origin)) == []
    assert all(p.exists for p in selectors.suggestions(setup["admin"], 2025))
    assert WorkItem.objects.get(origin="suggested:3.1:A-W1").criterion_code == "3.1"


def test_agencies_page_is_bounded_and_ties_officers(
    setup, make_user, django_assert_max_num_queries
):
    client = Client()
    client.force_login(setup["admin"])
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/tasks/agencies/").status_code == 200
    for n in range(6):
        services.create_agency(actor=CLI, province="A", name=f"Sở {n}", kind="department")
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        response = client.get("/tasks/agencies/")
    assert len(response.context["agencies"]) == 8
    newcomer = make_user("agency_officer", "A", username="can-bo-moi")
    fin = setup["agencies"]["finance"]
    ok = client.post(
        "/tasks/agencies/", {"action": "member", "agency": fin.pk, "username": "can-bo-moi"}
    )
    assert ok.status_code == 302
    assert fin.members.filter(user=newcomer).exists()
    # An account without a role in the province is refused like a missing one.
    make_user("viewer", "C-W1", username="o-tinh-c")
    refused = client.post(
        "/tasks/agencies/", {"action": "member", "agency": fin.pk, "username": "o-tinh-c"}
    )
    assert refused.status_code == 400
    assert "không tìm thấy người dùng" in refused.content.decode()
    client.post("/tasks/agencies/", {"action": "unmember", "agency": fin.pk, "user": newcomer.pk})
    assert not fin.members.filter(user=newcomer).exists()
