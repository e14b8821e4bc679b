"""GET /api/v1/units/{code}/evaluation?period= and `kieumau evaluate`: the same contract.

Both return criteria_version, met, total, model_standard, groups and criteria [{code, name,
status, values, threshold, explanation}]. Unknown unit → 404 / exit 2; bad period → 422 / exit 2.
"""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kieumau.accounts.services import create_token
from kieumau.core.actors import CLI
from kieumau.datavalues.services import set_values
from kieumau.evaluation.models import EvaluationResult
from tests.criteria.conftest import import_default

pytestmark = pytest.mark.usefixtures("hierarchy", "default_criteria")


@pytest.fixture
def default_criteria(db):
    return import_default()


URL = "/api/v1/units/{}/evaluation"
CONTRACT = {"criteria_version", "met", "total", "model_standard", "groups", "criteria"}
CRITERION = {"code", "name", "status", "values", "threshold", "explanation"}


@pytest.fixture
def some_values():
    set_values(
        actor=CLI,
        unit_code="A-W1",
        period_code="2024",
        values={"drug_users": "20", "fugitives_caught": "5"},
    )
    set_values(
        actor=CLI,
        unit_code="A-W1",
        period_code="2025",
        values={
            "drug_users": "16",
            "new_drug_users": "0",
            "fugitives_at_large": "2",
            "fugitives_caught": "7",
            "satisfaction_rate": "95,5",
            "survey_respondents": "1.200",
            "safe_units_assessed": "0",
            "safe_units_recognised": "0",
        },
    )


@pytest.fixture
def ministry(client, make_user):
    client.force_login(make_user("ministry_viewer", "VN"))
    return client


def evaluate_cli(*args) -> str:
    out = StringIO()
    call_command("evaluate", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def cli_refusal(*args) -> tuple[int, str]:
    with pytest.raises(CommandError) as exc:
        call_command("evaluate", *args, stdout=StringIO(), stderr=StringIO())
    return exc.value.returncode, str(exc.value)


def test_api_returns_the_contract(ministry, some_values):
    response = ministry.get(URL.format("A-W1"), {"period": "2025"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) >= CONTRACT
    assert (body["unit"], body["period"]) == ("A-W1", "2025")
    assert body["criteria_version"] == "QD5764 v1"
    assert body["total"] == 22
    assert body["met"] == 2  # 5.3 and 7.3
    assert body["model_standard"] is False
    assert len(body["criteria"]) == 22
    assert [g["code"] for g in body["groups"]] == ["1", "2", "3", "4", "5", "6", "7"]
    assert sum(g["total"] for g in body["groups"]) == 22
    assert sum(g["met"] for g in body["groups"]) == body["met"]
    for c in body["criteria"]:
        assert set(c) >= CRITERION, c["code"]
        assert c["status"] in {"met", "not_met", "missing_data", "not_applicable"}
        assert c["explanation"]
    by_code = {c["code"]: c for c in body["criteria"]}
    assert by_code["5.3"]["status"] == "met"
    assert by_code["5.3"]["name"] == "Ma túy, truy nã"
    assert by_code["5.3"]["values"]["drug_users@prev_year"] == 20
    assert by_code["5.3"]["threshold"] == {
        "drug_users_decrease_min_pct": 15,
        "fugitives_caught_increase_min_pct": 20,
    }
    assert by_code["7.3"]["values"] == {
        "satisfaction_rate": 95.5,
        "survey_respondents": 1200,
        "params.satisfaction_min_pct": 90,
        "params.survey_respondents_min": 100,
    }
    assert by_code["6.2"]["status"] == "missing_data"
    assert "mẫu số bằng 0" in by_code["6.2"]["explanation"]
    # The answer is what was stored.
    row = EvaluationResult.objects.get(unit__code="A-W1", period="2025")
    assert row.input_digest == body["input_digest"]


def test_cli_json_gives_the_same_numbers_as_the_api(ministry, some_values):
    api = ministry.get(URL.format("A-W1"), {"period": "2025"}).json()
    cli = json.loads(evaluate_cli("--unit", "A-W1", "--period", "2025", "--format", "json"))
    assert set(cli) >= CONTRACT
    assert cli == api


def test_cli_table(some_values):
    out = evaluate_cli("--unit", "A-W1", "--period", "2025")
    lines = out.splitlines()
    assert lines[0] == "A-W1 — kỳ 2025 — QD5764 v1: 2/22 tiêu chí đạt"
    assert len(lines) == 23
    assert any(line.strip().startswith("5.3   đạt") for line in lines)
    assert any(line.strip().startswith("6.2   thiếu số liệu") for line in lines)


def test_cli_batch(some_values):
    err = StringIO()
    out = StringIO()
    call_command("evaluate", "--under", "A", "--period", "2025", stdout=out, stderr=err)
    assert out.getvalue().strip() == "Đã đánh giá 2 đơn vị cho kỳ 2025."
    out = StringIO()
    call_command("evaluate", "--nation", "--period", "2024", stdout=out, stderr=err)
    assert out.getvalue().strip() == "Đã đánh giá 4 đơn vị cho kỳ 2024."
    assert EvaluationResult.objects.filter(period="2024").count() == 4


def test_unknown_unit_is_404_and_exit_2(ministry):
    response = ministry.get(URL.format("KHONG-CO"), {"period": "2025"})
    assert response.status_code == 404
    assert response.json()["detail"] == "không tìm thấy đơn vị 'KHONG-CO'"
    code, message = cli_refusal("--unit", "KHONG-CO", "--period", "2025")
    assert code == 2
    assert "không tìm thấy đơn vị 'KHONG-CO'" in message
    code, _ = cli_refusal("--under", "KHONG-CO", "--period", "2025")
    assert code == 2


@pytest.mark.parametrize("period", ["2025-13", "20x5", "năm nay", "2025Q5"])
def test_bad_period_is_422_and_exit_2(ministry, period):
    response = ministry.get(URL.format("A-W1"), {"period": period})
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["errors"][0]["field"] == "period"
    assert body["detail"]
    code, message = cli_refusal("--unit", "A-W1", "--period", period)
    assert code == 2
    assert message == body["detail"]


def test_missing_period_is_422(ministry):
    assert ministry.get(URL.format("A-W1")).status_code == 422


def test_a_period_outside_the_unit_or_the_criteria_is_404_and_exit_2(ministry):
    response = ministry.get(URL.format("A-W9"), {"period": "2024"})
    assert response.status_code == 404
    assert "đơn vị 'A-W9' không tồn tại trong kỳ 2024" in response.json()["detail"]
    assert cli_refusal("--unit", "A-W9", "--period", "2024")[0] == 2
    response = ministry.get(URL.format("A-W1"), {"period": "2020"})
    assert response.status_code == 404
    assert "chưa có bộ tiêu chí nào có hiệu lực cho kỳ 2020" in response.json()["detail"]


def test_out_of_scope_is_404_like_a_missing_unit(client, make_user, some_values):
    client.force_login(make_user("province_admin", "C"))
    hidden = client.get(URL.format("A-W1"), {"period": "2025"})
    missing = client.get(URL.format("KHONG"), {"period": "2025"})
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"] == "không tìm thấy đơn vị 'A-W1'"
    assert client.get(URL.format("C-W1"), {"period": "2025"}).status_code == 200


def test_a_province_admin_of_a_sees_the_history_of_merged_b(client, make_user):
    client.force_login(make_user("province_admin", "A"))
    assert client.get(URL.format("B-W1"), {"period": "2024"}).status_code == 200
    assert client.get(URL.format("A-W9"), {"period": "2025"}).status_code == 200
    assert client.get(URL.format("C-W1"), {"period": "2025"}).status_code == 404


def test_bearer_token_and_anonymous(client, make_user, some_values):
    user = make_user("viewer", "A")
    _, key = create_token(actor=user, user=user, name="thử")
    response = client.get(
        URL.format("A-W1"), {"period": "2025"}, headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 200
    assert response.json()["met"] == 2
    assert client.get(URL.format("A-W1"), {"period": "2025"}).status_code == 401
    bad = client.get(
        URL.format("A-W1"), {"period": "2025"}, headers={"Authorization": "Bearer km_sai"}
    )
    assert bad.status_code == 401


def test_openapi_documents_the_error_answers(ministry):
    spec = ministry.get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/units/{code}/evaluation"]["get"]
    assert {"200", "404", "422"} <= set(operation["responses"])


def test_a_value_of_the_wrong_type_is_missing_data_in_the_api_not_a_500(ministry):
    from kieumau.criteria.models import Indicator
    from kieumau.datavalues.models import DataValue
    from kieumau.orgunits.models import OrgUnit

    DataValue.objects.create(
        unit=OrgUnit.objects.get(code="A-W1"),
        indicator=Indicator.objects.get(code="survey_respondents"),
        period="2025",
        value="một trăm",
    )
    response = ministry.get(URL.format("A-W1"), {"period": "2025"})
    assert response.status_code == 200
    seven_three = next(c for c in response.json()["criteria"] if c["code"] == "7.3")
    assert seven_three["status"] == "missing_data"
    assert "giá trị “một trăm” không phải số nguyên" in seven_three["explanation"]
    out = evaluate_cli("--unit", "A-W1", "--period", "2025")
    assert "7.3   thiếu số liệu" in out
