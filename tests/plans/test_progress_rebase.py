"""Progress of a plan across the 2025 merger of the `hierarchy` fixture (B into A; A-W2 and
B-W1 into A-W9 on 1/7/2025): shares on the structure of the target date, designations carried
through the lineage, the rule named."""

import datetime as dt

import pytest

from kieumau.core.actors import CLI
from kieumau.core.errors import Conflict, NotFound, ValidationFailed
from kieumau.plans import selectors, services
from kieumau.plans.targets import RULE_REBASED, RULE_SHARE
from tests.criteria.conftest import import_default
from tests.plans.helpers import case, end, make_plan, result


@pytest.fixture
def version(hierarchy):
    return import_default()


def test_counts_follow_the_structure_of_each_year(version):
    plan = make_plan("A", 2023, 2026)
    services.designate_units(actor=CLI, plan_id=plan.pk, year=2024, unit_codes=["A-W2"])
    services.designate_units(actor=CLI, plan_id=plan.pk, year=2025, unit_codes=["A-W1"])
    services.add_target(
        actor=CLI, plan_id=plan.pk, kind="count", value=2, base_count=3, due_date=end(2025)
    )
    services.add_target(actor=CLI, plan_id=plan.pk, kind="share", value=100, due_date=end(2026))
    case(version, "A-W2", 2024, "recognised", 2024)
    case(version, "A-W1", 2025, "province_review")
    result(version, "A-W1", 2025, model=True)

    p2024 = selectors.plan_progress(CLI, plan, 2024, as_of=dt.date(2024, 10, 1))
    assert (p2024.total, p2024.designated, p2024.recognised) == (2, 1, 1)

    p2025 = selectors.plan_progress(CLI, plan, 2025, as_of=dt.date(2025, 10, 1))
    # On 31/12/2025 A has A-W1 and A-W9; A-W2 (designated 2024) is carried to A-W9.
    assert p2025.total == 2
    assert p2025.designated == 2 and p2025.designated_this_year == 1
    # Recognition belongs to the unit recognised: A-W9 is a new unit, not recognised.
    assert p2025.recognised == 0
    assert (p2025.meeting, p2025.open_cases) == (1, 1)
    # "2 of 3" stated before the merger, re-based on 2 wards: ceil(2·2/3) = 2.
    assert p2025.required == 2
    assert "cơ cấu đơn vị đã thay đổi" in p2025.required_rule
    assert p2025.assessment.forecast_likely == 1
    assert p2025.at_risk

    overview = selectors.plan_overview(CLI, plan, as_of=dt.date(2025, 10, 1))
    rules = {t.due_date.year: t.rule for t in overview.targets}
    assert rules == {2025: RULE_REBASED, 2026: RULE_SHARE}
    assert overview.chart_data()["years"] == [2023, 2024, 2025, 2026]
    (w2,) = [d for d in overview.designated if d.code == "A-W2"]
    assert w2.current_codes == ("A-W9",) and w2.recognised_year == 2024


def test_a_plan_of_a_merged_province_is_counted_on_its_successor(version):
    plan = make_plan("B", 2024, 2025)
    services.designate_units(actor=CLI, plan_id=plan.pk, year=2024, unit_codes=["B-W1"])
    services.add_target(actor=CLI, plan_id=plan.pk, kind="share", value=50, due_date=end(2025))
    before = selectors.plan_progress(CLI, plan, 2024, as_of=dt.date(2024, 6, 1))
    assert (before.root_code, before.total, before.root_rule) == ("B", 1, "")
    after = selectors.plan_progress(CLI, plan, 2025, as_of=dt.date(2025, 6, 1))
    assert after.root_code == "A" and "hợp nhất" in after.root_rule
    assert (after.total, after.designated, after.required) == (2, 1, 1)


def test_contradicting_targets_are_flagged_on_save(version):
    plan = make_plan("A", 2023, 2026)
    services.designate_units(actor=CLI, plan_id=plan.pk, year=2023, unit_codes=["A-W1"])
    _, warnings = services.add_target(
        actor=CLI, plan_id=plan.pk, kind="share", value=100, due_date=end(2024)
    )
    assert [w["code"] for w in warnings] == ["designations_short"]
    _, warnings = services.add_target(
        actor=CLI, plan_id=plan.pk, kind="share", value=100, due_date=end(2030)
    )
    assert any("ngoài thời kỳ 2023–2026" in w["message"] for w in warnings)
    plan.refresh_from_db()
    assert len(plan.warnings) >= 2


def test_bad_targets_and_units_are_refused(version):
    plan = make_plan("A", 2023, 2026)
    with pytest.raises(ValidationFailed, match="100%"):
        services.add_target(actor=CLI, plan_id=plan.pk, kind="share", value=120, due_date=end(2025))
    with pytest.raises(ValidationFailed, match="vượt quá mẫu số"):
        services.add_target(
            actor=CLI, plan_id=plan.pk, kind="count", value=12, base_count=11, due_date=end(2025)
        )
    with pytest.raises(ValidationFailed, match="C-W1"):
        services.designate_units(actor=CLI, plan_id=plan.pk, year=2024, unit_codes=["C-W1"])
    with pytest.raises(ValidationFailed, match="cấp xã"):
        services.designate_units(actor=CLI, plan_id=plan.pk, year=2024, unit_codes=["A-D"])


def test_a_stale_edit_is_refused_with_what_changed(version, make_user):
    admin = make_user("province_admin", "A")
    plan = make_plan("A", 2023, 2026)
    services.update_plan(actor=admin, plan_id=plan.pk, expected_revision=1, end_year=2028)
    with pytest.raises(Conflict) as exc:
        services.update_plan(actor=admin, plan_id=plan.pk, expected_revision=1, title="Khác")
    message = exc.value.summary()
    assert "năm kết thúc: 2026 → 2028" in message and "province_admin-a" in message


def test_plans_of_other_provinces_are_not_found(version, make_user):
    plan = make_plan("C", 2023, 2026)
    admin_a = make_user("province_admin", "A")
    with pytest.raises(NotFound):
        selectors.get_plan(admin_a, plan.pk)
    with pytest.raises(NotFound):
        services.update_plan(actor=admin_a, plan_id=plan.pk, expected_revision=1, title="x")
    assert selectors.get_plan(make_user("province_admin", "C"), plan.pk) == plan
