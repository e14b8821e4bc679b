"""Forums "Công an lắng nghe ý kiến Nhân dân": sessions, issues and their follow-up tasks."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from kieumau.core.errors import NotFound, ValidationFailed
from kieumau.feedback import selectors, services
from kieumau.workitems.models import WorkItem

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def forum(staff, issues=("Xe máy đỗ chiếm vỉa hè", "Thiếu đèn chiếu sáng ngõ 12")):
    return services.record_forum(
        actor=staff["officer"],
        unit_code="A-W1",
        held_on=dt.date(2025, 9, 20),
        attendees=85,
        place="Nhà văn hóa tổ dân phố 3",
        issues=list(issues),
    )


def test_an_officer_records_a_forum_with_its_issues(hierarchy, staff):
    session = forum(staff)
    assert session.attendees == 85 and session.issues.count() == 2
    response = client_for(staff["officer"]).get(f"/feedback/forums/{session.pk}/")
    html = response.content.decode()
    assert "Thiếu đèn chiếu sáng ngõ 12" in html and "85" in html


def test_a_forum_needs_a_past_date_and_a_count(hierarchy, staff):
    with pytest.raises(ValidationFailed) as refused:
        services.record_forum(
            actor=staff["officer"],
            unit_code="A-W1",
            held_on=timezone.localdate() + dt.timedelta(days=2),
            attendees="nhiều",
        )
    fields = {p.field for p in refused.value.problems}
    assert fields == {"held_on", "attendees"}
    with pytest.raises(NotFound):
        services.record_forum(
            actor=staff["officer"], unit_code="C-W1", held_on=dt.date(2025, 1, 1), attendees=3
        )


def test_an_issue_becomes_one_follow_up_task_found_by_its_origin(hierarchy, staff):
    session = forum(staff)
    issue = session.issues.first()
    due = timezone.localdate() + dt.timedelta(days=30)
    task = services.create_followup(actor=staff["admin"], issue_id=issue.pk, due_date=due)
    assert task.origin == f"forum-issue:{issue.pk}"
    assert task.unit.code == "A-W1" and task.due_date == due
    again = services.create_followup(actor=staff["admin"], issue_id=issue.pk, due_date=due)
    assert again.pk == task.pk
    assert WorkItem.objects.filter(origin=issue.origin).count() == 1
    detail = selectors.forum_detail(staff["admin"], session.pk)
    assert [row.task.pk if row.task else None for row in detail.issues] == [task.pk, None]


def test_the_forum_page_creates_the_task(hierarchy, staff):
    session = forum(staff)
    issue = session.issues.last()
    client = client_for(staff["admin"])
    page = client.get(f"/feedback/forums/{session.pk}/").content.decode()
    assert 'name="due_date"' in page
    response = client.post(
        f"/feedback/forums/{session.pk}/",
        {"action": "task", "issue": str(issue.pk), "due_date": "2026-12-31"},
    )
    assert response.status_code == 302
    assert WorkItem.objects.get(origin=issue.origin).due_date == dt.date(2026, 12, 31)


def test_who_may_not_create_tasks_is_refused_and_not_offered_the_button(hierarchy, staff):
    session = forum(staff)
    issue = session.issues.first()
    # A ward's officer records forums but does not open tasks (workitems.manage).
    page = client_for(staff["officer"]).get(f"/feedback/forums/{session.pk}/").content.decode()
    assert 'name="due_date"' not in page
    with pytest.raises(NotFound):
        services.create_followup(
            actor=staff["officer"], issue_id=issue.pk, due_date=dt.date(2026, 1, 1)
        )
    with pytest.raises(NotFound):
        services.create_followup(
            actor=staff["c_admin"], issue_id=issue.pk, due_date=dt.date(2026, 1, 1)
        )
    assert not WorkItem.objects.exists()


def test_the_forum_list_does_not_grow_queries(hierarchy, staff, django_assert_max_num_queries):
    forum(staff)
    client = client_for(staff["admin"])
    with django_assert_max_num_queries(45) as few:
        client.get("/feedback/forums/")
    for i in range(10):
        forum(staff, issues=[f"Vấn đề {i}"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/feedback/forums/")
