"""Agency officers see and update only their own agency's tasks; others by unit scope."""

import datetime as dt

import pytest
from django.test import Client

from kieumau.core.actors import CLI
from kieumau.core.errors import Conflict, NotFound, ValidationFailed
from kieumau.workitems import selectors, services
from kieumau.workitems.models import WorkItem
from tests.workitems.helpers import agencies, item


@pytest.fixture
def world(hierarchy, make_user):
    ag = agencies()
    officer = make_user("agency_officer", "A")
    services.add_member(actor=CLI, agency_id=ag["finance"].pk, user=officer)
    items = {
        "own": item(ag["finance"].pk, title="Việc của Sở Tài chính"),
        "other": item(ag["city"].pk, title="Việc của UBND thành phố"),
        "unit": item(None, unit="A-W1", title="Việc của Công an phường"),
        "c": item(ag["c"].pk, unit="C-W1", title="Việc ở tỉnh C"),
    }
    return {"agencies": ag, "officer": officer, "items": items}


def test_agency_officer_sees_only_their_agency(world, make_user):
    officer = world["officer"]
    listed = set(selectors.item_list(officer).values_list("title", flat=True))
    assert listed == {"Việc của Sở Tài chính"}
    for key in ("other", "unit", "c"):
        with pytest.raises(NotFound):
            selectors.get_item(officer, world["items"][key].pk)
    admin = make_user("province_admin", "A")
    assert selectors.item_list(admin).count() == 3


def test_agency_officer_pages_answer_404_for_other_tasks(world):
    client = Client()
    client.force_login(world["officer"])
    own, other = world["items"]["own"], world["items"]["other"]
    assert client.get(f"/tasks/{own.pk}/").status_code == 200
    assert client.get(f"/tasks/{other.pk}/").status_code == 404
    assert client.get(f"/api/v1/workitems/{other.pk}").status_code == 404
    response = client.post(
        f"/tasks/{other.pk}/", {"note": "Đã làm", "percent": "50", "revision": "1"}
    )
    assert response.status_code == 404
    assert WorkItem.objects.get(pk=other.pk).percent == 0


def test_agency_officer_reports_progress_on_their_task(world):
    officer, own = world["officer"], world["items"]["own"]
    update = services.report_progress(
        actor=officer,
        item_id=own.pk,
        note="Đã trình UBND tỉnh phương án kinh phí",
        percent=40,
        evidence_link="https://hungyen.gov.vn/van-ban/1",
        expected_revision=1,
    )
    own.refresh_from_db()
    assert (own.status, own.percent, own.revision) == ("in_progress", 40, 2)
    assert update.author == officer
    with pytest.raises(NotFound):
        services.report_progress(
            actor=officer, item_id=world["items"]["other"].pk, note="x", percent=10
        )
    with pytest.raises(Conflict, match="trạng thái: mới giao → đang thực hiện, tiến độ: 0% → 40%"):
        services.report_progress(
            actor=officer, item_id=own.pk, note="y", percent=50, expected_revision=1
        )
    with pytest.raises(ValidationFailed, match="0 đến 100"):
        services.report_progress(actor=officer, item_id=own.pk, note="y", percent=150)


def test_agency_officer_cannot_create_or_edit(world):
    officer = world["officer"]
    with pytest.raises(NotFound):
        services.create_item(actor=officer, title="x", unit="A-W1", due_date=dt.date(2030, 1, 1))
    with pytest.raises(NotFound):
        services.update_item(actor=officer, item_id=world["items"]["own"].pk, title="y")


def test_origin_opens_at_most_one_task(world):
    first = item(world["agencies"]["city"].pk, origin="forum-issue:12")
    assert first.origin == "forum-issue:12"
    with pytest.raises(Conflict):
        item(world["agencies"]["city"].pk, origin="forum-issue:12")


def test_an_agency_of_another_province_cannot_be_assigned(world):
    with pytest.raises(ValidationFailed, match="không thuộc tỉnh"):
        item(world["agencies"]["c"].pk, unit="A-W1")
