"""The plans API: a plan with its targets re-based, and its progress per year."""

import datetime as dt

from django.test import Client

from kieumau.core.actors import CLI
from kieumau.plans import services
from tests.plans.helpers import end, make_plan


def test_plan_and_progress_name_the_rule(hierarchy, make_user):
    plan = make_plan("A", 2024, 2026)
    services.designate_units(actor=CLI, plan_id=plan.pk, year=2024, unit_codes=["A-W2"])
    services.add_target(
        actor=CLI, plan_id=plan.pk, kind="count", value=1, base_count=3, due_date=end(2025)
    )
    client = Client()
    client.force_login(make_user("province_appraiser", "A"))
    body = client.get(f"/api/v1/plans/{plan.pk}").json()
    (target,) = body["targets"]
    assert (target["required"], target["total"], target["rule"]) == (1, 2, "proportional_rebase")
    progress = client.get(
        f"/api/v1/plans/{plan.pk}/progress", {"as_of": dt.date(2025, 10, 1).isoformat()}
    ).json()
    years = {y["year"]: y for y in progress["years"]}
    assert set(years) == {2024, 2025, 2026}
    assert years[2025]["designated"] == 1 and years[2025]["required"] == 1
    assert years[2025]["flags"] and years[2025]["at_risk"]
    bad = client.get(f"/api/v1/plans/{plan.pk}/progress", {"as_of": "31-31-2025"})
    assert bad.status_code == 400
