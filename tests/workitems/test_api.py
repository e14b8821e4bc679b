"""The workitems API: an agency officer lists and reports on their own tasks only; a stale
update answers 409 with the task's current state."""

import pytest
from django.test import Client

from kieumau.core.actors import CLI
from kieumau.workitems import services
from tests.workitems.helpers import agencies, item


@pytest.fixture
def api(hierarchy, make_user):
    ag = agencies()
    officer = make_user("agency_officer", "A")
    services.add_member(actor=CLI, agency_id=ag["finance"].pk, user=officer)
    items = {"own": item(ag["finance"].pk, title="Của sở"), "other": item(ag["city"].pk)}
    clients = {}
    for key, user in (("officer", officer), ("admin", make_user("province_admin", "A"))):
        clients[key] = Client()
        clients[key].force_login(user)
    return clients, items


def test_agency_officer_api_sees_and_reports_on_own_tasks(api):
    clients, items = api
    officer = clients["officer"]
    assert [i["title"] for i in officer.get("/api/v1/workitems").json()] == ["Của sở"]
    response = officer.post(
        f"/api/v1/workitems/{items['own'].pk}/progress",
        {"note": "Đã lập dự toán", "percent": 30, "revision": 1},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["status_after"] == "in_progress"
    response = officer.post(
        f"/api/v1/workitems/{items['other'].pk}/progress",
        {"note": "x", "percent": 30},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_stale_update_answers_409_with_current_state(api):
    clients, items = api
    admin = clients["admin"]
    url = f"/api/v1/workitems/{items['own'].pk}"
    first = admin.patch(url, {"revision": 1, "title": "Tên mới"}, content_type="application/json")
    assert first.status_code == 200 and first.json()["revision"] == 2
    stale = admin.patch(url, {"revision": 1, "title": "Khác"}, content_type="application/json")
    assert stale.status_code == 409
    body = stale.json()
    assert body["current"]["revision"] == 2
    assert "tên công việc: Của sở → Tên mới" in body["detail"]


def test_create_through_the_api_validates(api):
    clients, _ = api
    response = clients["admin"].post(
        "/api/v1/workitems",
        {"title": "", "unit": "A-W1", "due_date": "2030-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "chưa nhập tên công việc" in response.json()["detail"]
