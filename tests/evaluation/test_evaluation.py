"""Evaluation service: missing data, previous years across a merger, stored results, incremental
re-evaluation equal to a full one.

Data: the `hierarchy` fixture (A-W2 + B-W1 merge into A-W9 on 1/7/2025) and the default 22
criteria (QD5764 v1). Values go in through `set_values`, which re-evaluates at once.
"""

import copy

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kieumau.audit.models import AuditEntry
from kieumau.core.actors import CLI
from kieumau.core.errors import NotFound, ValidationFailed
from kieumau.criteria import services as criteria_services
from kieumau.criteria.models import CriteriaVersion, Indicator
from kieumau.datavalues.models import DataValue
from kieumau.datavalues.services import set_values
from kieumau.engine import input_digest, parse_period
from kieumau.evaluation.inputs import engine_unit, readings_for_units
from kieumau.evaluation.models import EvaluationResult
from kieumau.evaluation.services import (
    cached_spec,
    evaluate_subtree,
    evaluate_unit_code,
    version_for,
)
from kieumau.orgunits.models import OrgUnit
from tests.criteria.conftest import import_default

pytestmark = pytest.mark.usefixtures("hierarchy", "default_criteria")


@pytest.fixture
def default_criteria(db):
    return import_default()


MONTHS_2024 = [f"2024-{m:02d}" for m in range(1, 13)]


def put(unit: str, period: str, **values) -> None:
    set_values(actor=CLI, unit_code=unit, period_code=period, values=values)


def criterion(result: dict, code: str) -> dict:
    return next(c for c in result["criteria"] if c["code"] == code)


def evaluate(unit="A-W1", period="2025") -> dict:
    return evaluate_unit_code(CLI, unit, period)


def stored_rows() -> dict[tuple[str, str, int], dict]:
    return {
        (row.unit.code, row.period, row.criteria_version.number): {
            "input_digest": row.input_digest,
            "met": row.met,
            "total": row.total,
            "missing_data": row.missing_data,
            "model_standard": row.model_standard,
            "statuses": row.statuses,
            "result": row.result,
        }
        for row in EvaluationResult.objects.select_related("unit", "criteria_version")
    }


# -- missing data, zero denominators, type mismatches ------------------------------------------


def test_without_data_every_criterion_is_missing_data_naming_its_indicators():
    result = evaluate()
    assert (result["met"], result["total"], result["missing_data"]) == (0, 22, 22)
    assert result["model_standard"] is False
    for c in result["criteria"]:
        assert c["status"] == "missing_data", c["code"]
        assert c["missing"], c["code"]
        assert "Kết luận: thiếu số liệu, chưa đánh giá được" in c["explanation"]
        # The reason names every missing indicator by its code.
        for key in c["missing"]:
            assert f"({key.split('@')[0]})" in c["explanation"], (c["code"], key)
    satisfaction = criterion(result, "7.3")
    assert "(satisfaction_rate): chưa có số liệu" in satisfaction["explanation"]
    assert satisfaction["values"]["satisfaction_rate"] is None
    assert satisfaction["threshold"] == {"satisfaction_min_pct": 90, "survey_respondents_min": 100}


def test_partial_data_is_still_missing_data_never_met():
    # 7.3 needs both the rate and the number of respondents.
    put("A-W1", "2025", satisfaction_rate="95")
    c = criterion(evaluate(), "7.3")
    assert c["status"] == "missing_data"
    assert c["missing"] == ["survey_respondents"]
    assert "(survey_respondents): chưa có số liệu" in c["explanation"]
    put("A-W1", "2025", survey_respondents="150")
    c = criterion(evaluate(), "7.3")
    assert c["status"] == "met"
    assert c["values"]["satisfaction_rate"] == 95
    assert c["explanation"].endswith("Kết luận: đạt.")
    put("A-W1", "2025", satisfaction_rate="89,9")
    assert criterion(evaluate(), "7.3")["status"] == "not_met"


def test_a_zero_denominator_is_missing_data_with_the_reason():
    put("A-W1", "2025", safe_units_assessed="0", safe_units_recognised="0")
    c = criterion(evaluate(), "6.2")
    assert c["status"] == "missing_data"
    assert "mẫu số bằng 0" in c["explanation"]
    assert c["values"]["safe_units_assessed"] == 0
    put("A-W1", "2025", safe_units_assessed="10", safe_units_recognised="9")
    assert criterion(evaluate(), "6.2")["status"] == "met"  # 90% exactly


def test_a_stored_value_of_the_wrong_type_is_missing_data_not_an_error():
    """Values written around set_values (old imports, a type changed in the catalogue)."""
    unit = OrgUnit.objects.get(code="A-W1")
    for code, value in [
        ("safe_units_assessed", "mười"),
        ("safe_units_recognised", True),
        ("satisfaction_rate", {"x": 1}),
        ("survey_respondents", [1, 2]),
    ]:
        DataValue.objects.create(
            unit=unit, indicator=Indicator.objects.get(code=code), period="2025", value=value
        )
    result = evaluate()
    six_two = criterion(result, "6.2")
    assert six_two["status"] == "missing_data"
    assert "giá trị “mười” không phải số nguyên" in six_two["explanation"]
    assert criterion(result, "7.3")["status"] == "missing_data"
    assert result["met"] == 0


# -- previous year, mergers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "status"),
    [("17", "met"), ("16", "met"), ("18", "not_met"), ("25", "not_met")],
)
def test_drug_users_must_fall_15_percent_on_last_year(now, status):
    put("A-W1", "2024", drug_users="20", fugitives_caught="5")
    put(
        "A-W1",
        "2025",
        drug_users=now,
        new_drug_users="0",
        fugitives_at_large="0",
        fugitives_caught="6",
    )
    c = criterion(evaluate(), "5.3")
    assert c["status"] == status
    assert c["values"]["drug_users@prev_year"] == 20
    assert c["values"]["drug_users"] == int(now)
    assert "(20 người → " in c["explanation"]


def test_previous_year_missing_is_missing_data():
    put(
        "A-W1",
        "2025",
        drug_users="17",
        new_drug_users="0",
        fugitives_at_large="0",
        fugitives_caught="6",
    )
    c = criterion(evaluate(), "5.3")
    assert c["status"] == "missing_data"
    assert "drug_users@prev_year" in c["missing"]
    assert "(drug_users) (năm trước): chưa có số liệu" in c["explanation"]


def test_after_the_merger_last_year_is_the_predecessors_summed():
    put("A-W2", "2024", drug_users="20", fugitives_caught="5", env_food_cases="4")
    put("B-W1", "2024", drug_users="10", fugitives_caught="1", env_food_cases="2")
    for month in MONTHS_2024:
        put("A-W2", month, crime_social_order="2")
        put("B-W1", month, crime_social_order="1")
    # 2025 of the new ward: its own months from July, its predecessors' before.
    for m in range(1, 7):
        put("A-W2", f"2025-{m:02d}", crime_social_order="1")
        put("B-W1", f"2025-{m:02d}", crime_social_order="1")
    for m in range(7, 13):
        put("A-W9", f"2025-{m:02d}", crime_social_order="1")
    put(
        "A-W9",
        "2025",
        drug_users="25",
        new_drug_users="0",
        fugitives_at_large="1",
        fugitives_caught="8",
        organised_crime_groups="0",
        crime_hotspots="0",
        env_food_cases="1",
    )
    result = evaluate("A-W9", "2025")
    five_three = criterion(result, "5.3")
    assert five_three["values"]["drug_users@prev_year"] == 30
    assert five_three["values"]["fugitives_caught@prev_year"] == 6
    assert five_three["status"] == "met"  # 30 → 25 is -16.7%; 6 → 8 is +33%
    assert "(30 người → 25 người)" in five_three["explanation"]
    five_four = criterion(result, "5.4")
    assert five_four["values"]["crime_social_order@prev_year"] == 36
    assert five_four["values"]["crime_social_order"] == 18  # 6 × (1 + 1) + 6 × 1
    assert five_four["values"]["env_food_cases@prev_year"] == 6
    assert five_four["status"] == "met"  # 36 → 18 is -50%; 6 → 1 is -83%
    # The old wards keep their own history.
    a_w2 = criterion(evaluate("A-W2", "2024"), "5.3")
    assert a_w2["values"]["drug_users"] == 20


def test_a_unit_evaluated_outside_its_life_or_without_a_version_is_not_found():
    with pytest.raises(NotFound, match="đơn vị 'A-W9' không tồn tại trong kỳ 2024"):
        evaluate("A-W9", "2024")
    with pytest.raises(NotFound, match="chưa có bộ tiêu chí nào có hiệu lực cho kỳ 2020"):
        evaluate("A-W1", "2020")
    with pytest.raises(NotFound, match="không tìm thấy đơn vị 'KHONG'"):
        evaluate("KHONG", "2025")
    with pytest.raises(ValidationFailed):
        evaluate("A-W1", "2025-13")


# -- stored results ----------------------------------------------------------------------------


def test_a_stored_result_names_its_version_and_the_digest_of_its_inputs(default_criteria):
    put("A-W1", "2024", drug_users="20")
    put("A-W1", "2025", drug_users="17", families="2.160")
    result = evaluate()
    row = EvaluationResult.objects.get(unit__code="A-W1", period="2025")
    assert row.criteria_version == default_criteria
    assert row.input_digest == result["input_digest"]
    assert len(row.input_digest) == 64
    assert result["criteria_version"] == "QD5764 v1"
    assert result["criteria_version_sha256"] == default_criteria.spec_sha256
    assert row.result == result
    assert row.statuses == {c["code"]: c["status"] for c in result["criteria"]}
    assert (row.met, row.total, row.missing_data) == (
        result["met"],
        result["total"],
        result["missing_data"],
    )
    # The digest is the engine's digest of exactly these readings: reproducible from the data.
    period = parse_period("2025")
    unit = OrgUnit.objects.get(code="A-W1")
    spec = cached_spec(default_criteria)
    readings = readings_for_units([unit.pk], period, spec)[unit.pk]
    assert row.input_digest == input_digest(
        spec, engine_unit(unit.pk, "A-W1", period), period, readings
    )
    # Evaluating again changes nothing; one row per unit, period and version.
    assert evaluate()["input_digest"] == row.input_digest
    assert EvaluationResult.objects.filter(unit=unit, period="2025").count() == 1
    # A value the rules read changes the digest.
    put("A-W1", "2024", drug_users="21")
    row.refresh_from_db()
    assert row.input_digest != result["input_digest"]
    assert criterion(row.result, "5.3")["values"]["drug_users@prev_year"] == 21


def test_a_changed_result_gets_a_new_computed_at():
    put("A-W1", "2025", drug_users="17")
    EvaluationResult.objects.update(computed_at="2000-01-01T00:00:00Z")
    put("A-W1", "2025", drug_users="18")
    row = EvaluationResult.objects.get(unit__code="A-W1", period="2025")
    assert row.computed_at.year > 2000


def test_a_newer_version_scores_periods_after_its_start(default_criteria):
    draft = criteria_services.derive_draft(actor=CLI, version_id=default_criteria.pk)
    spec = copy.deepcopy(draft.spec)
    spec["valid_from"] = "2026-01-01"
    spec["parameters"]["satisfaction_min_pct"]["value"] = 96
    criteria_services.update_draft(actor=CLI, version_id=draft.pk, spec_dict=spec, revision=1)
    v2 = criteria_services.publish(actor=CLI, version_id=draft.pk)
    for year in ("2025", "2026"):
        put("A-W1", year, satisfaction_rate="95", survey_respondents="120")
    r2025, r2026 = evaluate(period="2025"), evaluate(period="2026")
    assert r2025["criteria_version"] == "QD5764 v1"
    assert r2026["criteria_version"] == "QD5764 v2"
    assert r2026["criteria_version_sha256"] == v2.spec_sha256
    assert criterion(r2025, "7.3")["status"] == "met"
    assert criterion(r2026, "7.3")["status"] == "not_met"
    assert criterion(r2026, "7.3")["threshold"]["satisfaction_min_pct"] == 96
    assert EvaluationResult.objects.get(unit__code="A-W1", period="2026").criteria_version == v2
    # Results computed with v1 keep citing v1.
    assert (
        EvaluationResult.objects.get(unit__code="A-W1", period="2025").criteria_version_id
        == default_criteria.pk
    )


# -- re-evaluation on change ---------------------------------------------------------------------


def test_a_change_re_evaluates_what_it_affects_and_nothing_else():
    evaluate_subtree(actor=CLI, root_code=None, period_code="2025")
    evaluate_subtree(actor=CLI, root_code=None, period_code="2024")
    before = stored_rows()
    assert set(before) == {
        ("A-W1", "2025", 1),
        ("A-W9", "2025", 1),
        ("C-W1", "2025", 1),
        ("A-W1", "2024", 1),
        ("A-W2", "2024", 1),
        ("B-W1", "2024", 1),
        ("C-W1", "2024", 1),
    }
    # A predecessor's 2024 value: its own 2024 and its successor's 2025 (last year = predecessors).
    put("B-W1", "2024", drug_users="7")
    after = stored_rows()
    changed = {k for k in after if after[k] != before[k]}
    assert changed == {("B-W1", "2024", 1), ("A-W9", "2025", 1)}
    assert (
        criterion(after[("A-W9", "2025", 1)]["result"], "5.3")["values"]["drug_users@prev_year"]
        == 7
    )
    # A ward's 2024 value: its 2024 and its 2025.
    put("A-W1", "2024", drug_users="9")
    again = stored_rows()
    changed = {k for k in again if again[k] != after[k]}
    assert changed == {("A-W1", "2024", 1), ("A-W1", "2025", 1)}
    # A value no rule of another year reads.
    put("C-W1", "2025", satisfaction_rate="91")
    last = stored_rows()
    assert {k for k in last if last[k] != again[k]} == {("C-W1", "2025", 1)}


def test_a_monthly_value_refreshes_a_stored_quarter():
    put("A-W1", "2025-02", crime_reports_received="4", crime_reports_handled_on_time="4")
    evaluate(period="2025Q1")
    put("A-W1", "2025-03", crime_reports_received="4", crime_reports_handled_on_time="1")
    stored = EvaluationResult.objects.get(unit__code="A-W1", period="2025Q1")
    assert stored.input_digest == evaluate_unit_code(CLI, "A-W1", "2025Q1")["input_digest"]


# Values the hypothesis test writes: (unit, period) pairs where the unit exists, and a few
# indicators read by 5.3, 5.4 and 6.2 (yearly "last" and "sum", monthly "sum", a ratio).
SLOTS = [
    ("A-W1", "2024"),
    ("A-W1", "2025"),
    ("A-W2", "2024"),
    ("B-W1", "2024"),
    ("A-W9", "2025"),
    ("C-W1", "2025"),
    ("A-W1", "2024-05"),
    ("A-W2", "2024-11"),
    ("B-W1", "2025-03"),
    ("A-W9", "2025-09"),
]
YEARLY = ["drug_users", "fugitives_caught", "safe_units_assessed", "safe_units_recognised"]
MONTHLY = ["crime_social_order"]

writes = st.lists(
    st.sampled_from(SLOTS).flatmap(
        lambda slot: st.tuples(
            st.just(slot),
            st.dictionaries(
                st.sampled_from(MONTHLY if "-" in slot[1] else YEARLY),
                st.integers(min_value=0, max_value=30),
                min_size=1,
                max_size=3,
            ),
        )
    ),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(writes=writes)
def test_incremental_re_evaluation_equals_a_full_one(writes):
    with transaction.atomic():
        # Every unit of both years evaluated once, then values land one write at a time.
        for year in ("2024", "2025"):
            evaluate_subtree(actor=CLI, root_code=None, period_code=year)
        for (unit, period), values in writes:
            set_values(
                actor=CLI,
                unit_code=unit,
                period_code=period,
                values={code: str(v) for code, v in values.items()},
            )
        incremental = stored_rows()
        # From scratch: no stored result, a full evaluation of both years.
        EvaluationResult.objects.all().delete()
        for year in ("2024", "2025"):
            evaluate_subtree(actor=CLI, root_code=None, period_code=year)
        full = stored_rows()
        assert full, "the full evaluation stored nothing"
        for key, row in full.items():
            assert key in incremental, key
            mine = incremental[key]
            assert mine["input_digest"] == row["input_digest"], key
            assert mine["statuses"] == row["statuses"], key
            assert (mine["met"], mine["missing_data"]) == (row["met"], row["missing_data"]), key
            assert mine["result"] == row["result"], key
        transaction.set_rollback(True)


# -- batch ---------------------------------------------------------------------------------------


def test_evaluate_subtree_covers_the_communes_in_force_at_the_end_of_the_period(make_user):
    calls = []
    assert (
        evaluate_subtree(
            actor=CLI, root_code="A", period_code="2025", progress=lambda d, t: calls.append((d, t))
        )
        == 2
    )
    assert calls[-1] == (2, 2)
    assert set(
        EvaluationResult.objects.filter(period="2025").values_list("unit__code", flat=True)
    ) == {"A-W1", "A-W9"}
    assert evaluate_subtree(actor=CLI, root_code="A", period_code="2024") == 2  # A-W1, A-W2
    assert evaluate_subtree(actor=CLI, root_code="B", period_code="2024") == 1
    assert evaluate_subtree(actor=CLI, root_code=None, period_code="2025") == 3
    # Small chunks give the same result with more progress steps.
    calls.clear()
    evaluate_subtree(
        actor=CLI,
        root_code=None,
        period_code="2024",
        progress=lambda d, t: calls.append((d, t)),
        chunk=1,
    )
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]
    entry = AuditEntry.objects.filter(event="evaluation.batch_run").order_by("seq").last()
    assert entry.after == {"period": "2024", "units": 4, "criteria_version": "QD5764 v1"}

    with pytest.raises(NotFound):
        evaluate_subtree(actor=make_user("province_admin", "C"), root_code="A", period_code="2025")
    with pytest.raises(ValidationFailed):
        evaluate_subtree(actor=CLI, root_code="A", period_code="2025-13")


def test_version_for_uses_the_end_of_the_period(default_criteria):
    assert version_for(parse_period("2025")) == default_criteria
    assert version_for(parse_period("2021")) == default_criteria  # from 13/7/2021
    with pytest.raises(NotFound):
        version_for(parse_period("2021-06"))
    assert CriteriaVersion.objects.count() == 1
