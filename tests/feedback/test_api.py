"""The feedback API: list items, answer one, survey results per unit and period."""

import pytest
from django.test import Client
from django.utils import timezone

from tests.feedback.helpers import feedback, surveys

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_list_filter_and_answer(channels, staff):
    conduct = feedback(channels["A-W1"], "Thái độ", kind="conduct")
    feedback(channels["A-W1"], "Đèn")
    client = client_for(staff["officer"])
    body = client.get("/api/v1/feedback/items", {"kind": "conduct"}).json()
    assert body["total"] == 1 and body["items"][0]["tracking_code"] == conduct.tracking_code
    url = f"/api/v1/feedback/items/{conduct.pk}/answer"
    answer = {"answer": "Đã kiểm tra", "justified": True, "revision": 1}
    response = client.post(url, answer, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["status"] == "answered" and response.json()["justified"] is True
    stale = client.post(url, answer, content_type="application/json")
    assert stale.status_code == 409
    empty = client.post(url, {"answer": " "}, content_type="application/json")
    assert empty.status_code == 400 and "câu trả lời" in empty.json()["detail"]
    assert client.get("/api/v1/feedback/items", {"under": "C-W1"}).status_code == 404


def test_survey_results_with_interval_and_sample(channels, staff):
    surveys(channels["A-W1"], [5, 5, 4, 1])
    year = str(timezone.localdate().year)
    body = client_for(staff["admin"]).get("/api/v1/feedback/surveys/A-W1", {"period": year}).json()
    assert body["responses"] == 4 and body["satisfaction_rate"] == 75.0
    assert body["rate_low"] < 75 < body["rate_high"]
    assert body["enough"] is False and body["min_sample"] == 30
    assert len(body["questions"]) == 5 and body["questions"][0]["distribution"] == [1, 0, 0, 1, 2]
    assert (
        client_for(staff["admin"]).get("/api/v1/feedback/surveys/A-W1", {"period": "x"}).status_code
        == 400
    )
