"""/api/v1/units: lists and details as of a date, histories, scope, authentication."""

import pytest

from kieumau.accounts import services as account_services


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Argon2 as configured costs ~1 s per hash; these tests only need some password."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def ministry(client, make_user, hierarchy):
    client.force_login(make_user("ministry_viewer", "VN"))
    return client


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()]


def test_list_as_of_dates_follows_the_reorganisations(ministry):
    before = codes(ministry.get("/api/v1/units", {"as_of": "2024-06-01"}))
    assert before == ["VN", "A", "B", "C", "A-D", "B-D", "A-W1", "A-W2", "B-W1", "C-W1"]
    # valid_to is exclusive: on the day of a change the new state is in force.
    assert codes(ministry.get("/api/v1/units", {"as_of": "2025-02-28"})) == before
    march = codes(ministry.get("/api/v1/units", {"as_of": "2025-03-01"}))
    assert "A-D" not in march and "B-D" not in march
    assert codes(ministry.get("/api/v1/units", {"as_of": "2025-06-30"})) == march
    july = codes(ministry.get("/api/v1/units", {"as_of": "2025-07-01"}))
    assert july == ["VN", "A", "C", "A-W1", "A-W9", "C-W1"]


def test_list_row_shape(ministry):
    response = ministry.get("/api/v1/units", {"as_of": "2024-06-01", "under": "A"})
    rows = {row["code"]: row for row in response.json()}
    assert set(rows) == {"A", "A-D", "A-W1", "A-W2"}
    assert rows["A-W1"] == {
        "code": "A-W1",
        "name": "Phường Một",
        "kind": "ward",
        "level": 3,
        "parent_code": "A-D",
        "valid_from": "2020-01-01",
        "valid_to": "2025-03-01",
        "status": "active",
        "is_synthetic": False,
    }


def test_list_by_level_and_under(ministry):
    wards = codes(ministry.get("/api/v1/units", {"as_of": "2025-07-01", "level": 3}))
    assert wards == ["A-W1", "A-W9", "C-W1"]
    under = codes(ministry.get("/api/v1/units", {"as_of": "2025-07-01", "under": "A"}))
    assert under == ["A", "A-W1", "A-W9"]


def test_list_under_an_unknown_unit_is_404_in_vietnamese(ministry):
    response = ministry.get("/api/v1/units", {"under": "KHONG-CO"})
    assert response.status_code == 404
    assert response.json()["detail"] == "không tìm thấy đơn vị 'KHONG-CO'"


def test_bad_date_is_422(ministry):
    response = ministry.get("/api/v1/units", {"as_of": "ngày mai"})
    assert response.status_code == 422


def test_detail_with_ancestors(ministry):
    response = ministry.get("/api/v1/units/A-W1", {"as_of": "2024-06-01"})
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Phường Một"
    assert body["parent_code"] == "A-D"
    assert body["as_of"] == "2024-06-01"
    assert [a["code"] for a in body["ancestors"]] == ["VN", "A", "A-D"]
    later = ministry.get("/api/v1/units/A-W1", {"as_of": "2025-03-01"}).json()
    assert [a["code"] for a in later["ancestors"]] == ["VN", "A"]


def test_detail_of_a_unit_that_did_not_exist_then(ministry):
    response = ministry.get("/api/v1/units/A-W9", {"as_of": "2024-06-01"})
    assert response.status_code == 404
    assert "không hoạt động vào ngày 01/06/2024" in response.json()["detail"]
    response = ministry.get("/api/v1/units/B", {"as_of": "2025-07-01"})
    assert response.status_code == 404


def test_history_of_a_merge(ministry):
    response = ministry.get("/api/v1/units/A-W9/history")
    assert response.status_code == 200
    body = response.json()
    assert body["predecessors"] == [
        {"code": "A-W2", "name": "Phường Hai"},
        {"code": "B-W1", "name": "Phường Ba"},
    ]
    assert body["successors"] == []
    assert [e["kind"] for e in body["timeline"]] == ["merge"]

    b = ministry.get("/api/v1/units/B/history").json()
    assert b["successors"] == [{"code": "A", "name": "Tỉnh A"}]
    assert [(v["valid_from"], v["valid_to"]) for v in b["versions"]] == [
        ("2020-01-01", "2025-07-01")
    ]
    b_w1 = ministry.get("/api/v1/units/B-W1/history").json()
    assert [(e["date"], e["kind"]) for e in b_w1["timeline"]] == [
        ("2020-01-01", "create"),
        ("2025-03-01", "reparent"),
        ("2025-07-01", "merge"),
    ]
    assert b_w1["timeline"][1]["parent_code"] == "B"
    assert b_w1["timeline"][2]["successors"] == [{"code": "A-W9", "name": "Phường Chín"}]


def test_scope_of_a_province_viewer(client, make_user, hierarchy):
    client.force_login(make_user("viewer", "C"))
    assert codes(client.get("/api/v1/units", {"as_of": "2025-07-01"})) == ["C", "C-W1"]
    assert client.get("/api/v1/units/A-W1").status_code == 404
    assert client.get("/api/v1/units/A-W1/history").status_code == 404
    assert client.get("/api/v1/units", {"under": "A"}).status_code == 404
    # An out-of-scope unit answers exactly like a missing one.
    missing = client.get("/api/v1/units/KHONG-CO")
    hidden = client.get("/api/v1/units/A")
    assert (missing.status_code, hidden.status_code) == (404, 404)


def test_a_merged_province_keeps_the_history_of_what_it_absorbed(client, make_user, hierarchy):
    client.force_login(make_user("province_admin", "A"))
    before = codes(client.get("/api/v1/units", {"as_of": "2024-06-01"}))
    assert before == ["A", "B", "A-D", "B-D", "A-W1", "A-W2", "B-W1"]
    assert client.get("/api/v1/units/B-W1", {"as_of": "2024-06-01"}).status_code == 200
    assert client.get("/api/v1/units/C-W1").status_code == 404


def test_ancestors_stop_at_the_edge_of_scope(client, make_user, hierarchy):
    client.force_login(make_user("unit_officer", "A-W1"))
    body = client.get("/api/v1/units/A-W1", {"as_of": "2025-07-01"}).json()
    assert body["ancestors"] == []
    assert body["parent_code"] == "A"
    assert codes(client.get("/api/v1/units", {"as_of": "2025-07-01"})) == ["A-W1"]


def test_anonymous_is_401(client, hierarchy):
    for path in ("/api/v1/units", "/api/v1/units/A", "/api/v1/units/A/history"):
        assert client.get(path).status_code == 401


def test_bearer_token(client, make_user, hierarchy):
    user = make_user("viewer", "C")
    _token, key = account_services.create_token(actor=user, user=user, name="script")
    response = client.get(
        "/api/v1/units", {"as_of": "2025-07-01"}, HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert codes(response) == ["C", "C-W1"]
    wrong = client.get("/api/v1/units", HTTP_AUTHORIZATION=f"Bearer {key[:-2]}xx")
    assert wrong.status_code == 401
    not_ours = client.get("/api/v1/units", HTTP_AUTHORIZATION="Bearer abc")
    assert not_ours.status_code == 401


def test_locked_user_session_and_token_stop_working(client, make_user, hierarchy):
    user = make_user("viewer", "C")
    _token, key = account_services.create_token(actor=user, user=user, name="script")
    client.force_login(user)
    assert client.get("/api/v1/units").status_code == 200
    account_services.set_active(
        actor=make_user("province_admin", "C"), user_id=user.pk, active=False
    )
    assert client.get("/api/v1/units").status_code == 401
    assert client.get("/api/v1/units", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_openapi_document_is_served(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/v1/units", "/api/v1/units/{code}", "/api/v1/units/{code}/history"} <= set(paths)
