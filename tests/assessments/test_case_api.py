"""/api/v1/assessments: list, read, register, self-assess, appraise, transitions, comments and
the register of recognised units — with the refusals a client must be able to act on (400 with
the list of problems, 404 out of scope, 409 with the current state).

Data: the `hierarchy` fixture and the default 22 criteria; cases for 2025 (no district step).
"""

import json

import pytest

from kieumau.accounts.services import create_token
from kieumau.assessments.models import AssessmentCase, CaseCriterion
from tests.assessments.case_helpers import (
    client_for,
    explain_all,
    people_fixture,  # noqa: F401 - the `people` fixture
    proposed,
    recognised,
    register,
    submitted,
)

pytestmark = pytest.mark.usefixtures("hierarchy")
BASE = "/api/v1/assessments"


class Api:
    """A client authenticated with a bearer token, speaking JSON."""

    def __init__(self, client, user):
        self.client = client
        _, key = create_token(actor=user, user=user, name="api")
        self.headers = {"Authorization": f"Bearer {key}"}

    def get(self, path, **query):
        return self.client.get(BASE + path, query, headers=self.headers)

    def send(self, method, path, payload):
        return getattr(self.client, method)(
            BASE + path,
            data=json.dumps(payload),
            content_type="application/json",
            headers=self.headers,
        )


@pytest.fixture
def api(client, people):
    return lambda who: Api(client, people[who])


def test_list_cases_with_filters_and_scope(api, people):
    register(people, "A-W1", "A-W9")
    submitted_case = AssessmentCase.objects.get(unit__code="A-W1")
    explain_all(submitted_case, people["officer"])
    from kieumau.assessments.workflow import transition

    transition(actor=people["officer"], case_id=submitted_case.pk, action="submit")
    body = api("ministry").get("/cases", year=2025).json()
    assert body["total"] == 2
    first = body["cases"][0]
    assert (first["unit"], first["province"], first["province_name"], first["status"]) == (
        "A-W1",
        "A",
        "Tỉnh A",
        "province_review",
    )
    assert first["criteria_version"].startswith("QD5764")
    assert [c["unit"] for c in api("ministry").get("/cases", status="draft").json()["cases"]] == [
        "A-W9"
    ]
    assert [c["unit"] for c in api("ministry").get("/cases", under="A-W9").json()["cases"]] == [
        "A-W9"
    ]
    assert api("officer").get("/cases").json()["total"] == 1
    assert api("other_officer").get("/cases").json()["total"] == 0
    assert api("officer").get("/cases", under="C").status_code == 404
    bad = api("ministry").get("/cases", status="xong")
    assert bad.status_code == 400 and "trạng thái 'xong' không hợp lệ" in bad.json()["detail"]
    assert api("ministry").get("/cases", limit=0).status_code == 422


def test_register_cases_all_or_nothing(api, people):
    response = api("admin").send("post", "/cases", {"units": ["A-W1", "A-W9"], "year": 2025})
    assert response.status_code == 201, response.content
    assert [c["unit"] for c in response.json()] == ["A-W1", "A-W9"]
    assert {c["status"] for c in response.json()} == {"draft"}
    refused = api("admin").send("post", "/cases", {"units": ["A-W1", "C-W1"], "year": 2026})
    assert refused.status_code == 400
    messages = [e["message"] for e in refused.json()["errors"]]
    assert "không tìm thấy đơn vị 'C-W1'" in messages
    assert not AssessmentCase.objects.filter(year=2026).exists()
    # An appraiser registers nothing: the units are "not found" for them.
    assert (
        api("appraiser").send("post", "/cases", {"units": ["A-W1"], "year": 2026}).status_code
        == 400
    )


def test_read_case_has_criteria_events_and_actions(api, people):
    case = submitted(people)
    body = api("appraiser").get(f"/cases/{case.pk}").json()
    assert body["status"] == "province_review" and body["revision"] == case.revision
    assert len(body["snapshot_sha256"]) == 64 and body["snapshot_intact"] is True
    assert len(body["criteria"]) == 22
    c11 = body["criteria"][0]
    assert (c11["code"], c11["self_status"], c11["self_assessed_by"]) == (
        "1.1",
        "met",
        people["officer"].username,
    )
    assert c11["evidence_required"] and c11["no_evidence_reason"] == "Hồ sơ giấy lưu tại đơn vị"
    assert [e["action"] for e in body["events"]] == ["submit"]
    assert body["actions"] == ["return", "approve"]
    assert api("officer").get(f"/cases/{case.pk}").json()["actions"] == []
    assert api("other_officer").get(f"/cases/{case.pk}").status_code == 404
    assert api("ministry").get("/cases/999999").status_code == 404


def test_put_self_assessment_with_revision(api, people):
    (case,) = register(people)
    crit = CaseCriterion.objects.get(case=case, code="3.1")
    payload = {
        "self_status": "not_met",
        "narrative": "Trụ sở tạm",
        "no_evidence_reason": "Chưa có quyết định giao đất",
        "revision": crit.revision,
    }
    response = api("officer").send("put", f"/cases/{case.pk}/criteria/3.1", payload)
    assert response.status_code == 200, response.content
    assert (response.json()["self_status"], response.json()["revision"]) == (
        "not_met",
        crit.revision + 1,
    )
    stale = api("officer").send("put", f"/cases/{case.pk}/criteria/3.1", payload)
    assert stale.status_code == 409
    assert stale.json()["current"] == {
        "status": "draft",
        "revision": case.revision,
        "criterion_revision": crit.revision + 1,
    }
    bad = api("officer").send(
        "put", f"/cases/{case.pk}/criteria/3.1", {"self_status": "tốt", "evidence": [999]}
    )
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} == {"self_status", "evidence"}
    assert (
        api("officer").send("put", f"/cases/{case.pk}/criteria/9.9", {"self_status": "met"})
    ).status_code == 404
    assert (
        api("other_officer").send("put", f"/cases/{case.pk}/criteria/3.1", {"self_status": "met"})
    ).status_code == 404


def test_post_decision(api, people):
    case = submitted(people)
    url = f"/cases/{case.pk}/criteria/3.1/decision"
    refused = api("appraiser").send("post", url, {"decision": "disagree"})
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "reason"
    response = api("appraiser").send("post", url, {"decision": "disagree", "reason": "Thiếu"})
    assert response.status_code == 200
    assert (response.json()["decision"], response.json()["decided_by"]) == (
        "disagree",
        people["appraiser"].username,
    )
    assert api("officer").send("post", url, {"decision": "agree"}).status_code == 404


def test_transitions_400_409_and_recognition(api, people):
    (case,) = register(people)
    url = f"/cases/{case.pk}/transitions"
    incomplete = api("officer").send("post", url, {"action": "submit", "revision": case.revision})
    assert incomplete.status_code == 400
    fields = {e["field"] for e in incomplete.json()["errors"]}
    assert {"1.1", "3.1"} <= fields
    assert any("thiếu minh chứng" in e["message"] for e in incomplete.json()["errors"])
    explain_all(case, people["officer"])
    done = api("officer").send("post", url, {"action": "submit", "revision": case.revision})
    assert done.status_code == 200 and done.json()["status"] == "province_review"
    stale = api("officer").send("post", url, {"action": "submit", "revision": case.revision})
    assert stale.status_code == 409
    assert stale.json()["current"] == {"status": "province_review", "revision": case.revision + 1}
    assert "chờ cấp tỉnh thẩm định" in stale.json()["detail"]
    illegal = api("ministry").send("post", url, {"action": "recognise"})
    assert illegal.status_code == 409
    assert illegal.json()["current"]["status"] == "province_review"
    assert api("ministry").send("post", url, {"action": "dance"}).status_code == 400
    assert api("other_officer").send("post", url, {"action": "approve"}).status_code == 404


def test_recognition_through_the_api_and_the_register(api, people):
    case = proposed(people)
    url = f"/cases/{case.pk}/transitions"
    missing = api("ministry").send("post", url, {"action": "recognise", "decision": {}})
    assert missing.status_code == 400
    assert {e["field"] for e in missing.json()["errors"]} == {"number", "date", "signer"}
    response = api("ministry").send(
        "post",
        url,
        {
            "action": "recognise",
            "revision": case.revision,
            "decision": {
                "number": "99/QĐ-BCA",
                "date": "15/01/2026",
                "signer": "Bộ trưởng",
                "year": 2025,
            },
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["recognition"] == {
        "number": "99/QĐ-BCA",
        "date": "2026-01-15",
        "signer": "Bộ trưởng",
        "year": 2025,
    }
    rows = api("admin").get("/recognised", year=2025).json()
    assert [(r["unit"], r["decision_number"], r["province"]) for r in rows] == [
        ("A-W1", "99/QĐ-BCA", "A")
    ]
    assert api("c_admin").get("/recognised", year=2025).json() == []
    assert api("admin").get("/recognised", year=1999).status_code == 400
    assert api("admin").get("/recognised").status_code == 422


def test_comments(api, people):
    case = recognised(people)
    response = api("officer").send("post", f"/cases/{case.pk}/comments", {"comment": "Cảm ơn"})
    assert response.status_code == 201 and response.json()["action"] == "comment"
    assert (
        api("officer").send("post", f"/cases/{case.pk}/comments", {"comment": " "}).status_code
        == 400
    )
    assert (
        api("other_officer").send("post", f"/cases/{case.pk}/comments", {"comment": "x"})
    ).status_code == 404


def test_anonymous_is_401_and_session_works(client, people):
    assert client.get(f"{BASE}/cases").status_code == 401
    (case,) = register(people)
    session = client_for(people["officer"])
    assert session.get(f"{BASE}/cases/{case.pk}").status_code == 200


def test_openapi_documents_the_routes(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/assessments/cases",
        "/api/v1/assessments/cases/{case_id}",
        "/api/v1/assessments/cases/{case_id}/criteria/{code}",
        "/api/v1/assessments/cases/{case_id}/criteria/{code}/decision",
        "/api/v1/assessments/cases/{case_id}/transitions",
        "/api/v1/assessments/cases/{case_id}/comments",
        "/api/v1/assessments/recognised",
    } <= set(paths)
