"""The `kieumau` command line: `orgunits show`, `openapi`, and the served OpenAPI document."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from tests.audit.test_chain import audit_log_purged_after, kieumau_env, run_kieumau

__all__ = ["audit_log_purged_after"]  # a fixture used below

ROW_KEYS = {"code", "name", "kind", "level", "parent_code", "valid_from", "valid_to"}


def show(*args: str) -> list[dict]:
    out = io.StringIO()
    call_command("orgunits", "show", *args, stdout=out)
    return json.loads(out.getvalue())


def test_show_json_shape(hierarchy):
    rows = show("--as-of", "2024-06-01", "--under", "A", "--format", "json")
    assert all(set(row) >= ROW_KEYS for row in rows)
    by_code = {row["code"]: row for row in rows}
    assert list(by_code) == ["A", "A-D", "A-W1", "A-W2"]  # by level, then code
    assert by_code["A"] == {
        "code": "A",
        "name": "Tỉnh A",
        "kind": "province",
        "level": 1,
        "parent_code": "VN",
        "valid_from": "2020-01-01",
        "valid_to": None,
        "status": "active",
        "is_synthetic": False,
    }
    assert by_code["A-D"]["valid_to"] == "2025-03-01"
    assert by_code["A-W1"]["parent_code"] == "A-D"
    assert by_code["A-W2"]["kind"] == "ward" and by_code["A-W2"]["level"] == 3


def test_show_follows_the_date(hierarchy):
    after = {r["code"] for r in show("--as-of", "2025-07-01", "--under", "A", "--format", "json")}
    assert after == {"A", "A-W1", "A-W9"}
    day_before = show("--as-of", "30/06/2025", "--format", "json")
    assert {"B", "B-W1", "A-W2"} <= {r["code"] for r in day_before}
    assert "A-W9" not in {r["code"] for r in day_before}


def test_show_table(hierarchy):
    out = io.StringIO()
    call_command("orgunits", "show", "--as-of", "2024-06-01", "--under", "B", stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.split("\t")[0].strip() for line in lines] == ["B", "B-D", "B-W1"]
    assert lines[2].startswith("      B-W1\tPhường Ba")  # indented by level


@pytest.mark.parametrize(
    "args,message",
    [
        (["--under", "KHONG-CO"], "không tìm thấy đơn vị 'KHONG-CO'"),
        (["--as-of", "31/02/2025"], "ngày '31/02/2025' không hợp lệ"),
    ],
)
def test_show_refusals_exit_2_in_vietnamese(hierarchy, args, message):
    with pytest.raises(CommandError) as exc_info:
        call_command("orgunits", "show", *args, "--format", "json", stdout=io.StringIO())
    assert exc_info.value.returncode == 2
    assert message in str(exc_info.value)


def test_openapi_command_prints_the_document(db):
    out = io.StringIO()
    call_command("openapi", stdout=out)
    document = json.loads(out.getvalue())
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    assert {"/api/v1/units", "/api/v1/units/{code}", "/api/v1/units/{code}/history"} <= set(paths)
    parameters = {p["name"] for p in paths["/api/v1/units"]["get"]["parameters"]}
    assert {"as_of", "under", "level"} <= parameters


def test_openapi_json_is_served_and_matches_the_command(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    out = io.StringIO()
    call_command("openapi", stdout=out)
    assert response.json()["paths"].keys() == json.loads(out.getvalue())["paths"].keys()


@pytest.mark.django_db(transaction=True)
def test_exit_codes_of_the_real_command(hierarchy, audit_log_purged_after, tmp_path):
    env = kieumau_env(tmp_path)
    ok = run_kieumau(
        "orgunits", "show", "--as-of", "2024-06-01", "--under", "A", "--format", "json", env=env
    )
    assert ok.returncode == 0, ok.stderr
    assert [r["code"] for r in json.loads(ok.stdout)] == ["A", "A-D", "A-W1", "A-W2"]

    unknown = run_kieumau("orgunits", "show", "--under", "KHONG-CO", env=env)
    assert unknown.returncode == 2
    assert "không tìm thấy đơn vị 'KHONG-CO'" in unknown.stderr

    openapi = run_kieumau("openapi", env=env)
    assert openapi.returncode == 0, openapi.stderr
    assert "/api/v1/units/{code}/history" in json.loads(openapi.stdout)["paths"]
