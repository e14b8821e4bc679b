"""Plan pages: the list, the roll-up and the plan page at a bounded number of queries; the
chart data and table; contradictions flagged on save; a stale edit refused with what changed."""

import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kieumau.core.actors import CLI
from kieumau.plans import services
from tests.criteria.conftest import import_default
from tests.plans.helpers import case, end, make_plan, result


@pytest.fixture
def admin(hierarchy, make_user):
    import_default()
    client = Client()
    client.force_login(make_user("province_admin", "A"))
    return client


def _plans(n: int):
    for i in range(n):
        plan = make_plan("A", 2023, 2026, number=f"{i}/KH")
        services.add_target(actor=CLI, plan_id=plan.pk, kind="share", value=50, due_date=end(2025))
        services.designate_units(actor=CLI, plan_id=plan.pk, year=2024, unit_codes=["A-W1"])


def queries(client, path, data=None):
    """(number of queries, response) of one GET; the page's base cost includes the nav flags."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, data or {})
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_plan_list_queries_do_not_grow_with_plans(admin, django_assert_max_num_queries):
    _plans(2)
    few, response = queries(admin, "/plans/")
    assert len(response.context["plans"]) == 2
    _plans(8)
    with django_assert_max_num_queries(few):
        response = admin.get("/plans/")
    assert len(response.context["plans"]) == 10
    assert "0/KH" in response.content.decode()


def test_national_rollup_is_bounded(admin, django_assert_max_num_queries):
    _plans(1)
    few, _ = queries(admin, "/plans/national/", {"as_of": "2025-12-31"})
    _plans(2)
    with django_assert_max_num_queries(few):
        response = admin.get("/plans/national/", {"as_of": "2025-12-31"})
    (row,) = response.context["rows"]
    # A on 31/12/2025: wards A-W1 and A-W9; 30–50% needs 1, 100% needs 2.
    assert (row.code, row.wards, row.plans) == ("A", 2, 3)
    assert [n[1:] for n in row.needed] == [(1, 1), (2, 2)]


def test_plan_page_shows_chart_data_table_and_flags(admin, django_assert_max_num_queries):
    plan = make_plan("A", 2023, 2026)
    services.designate_units(actor=CLI, plan_id=plan.pk, year=2023, unit_codes=["A-W1"])
    services.add_target(actor=CLI, plan_id=plan.pk, kind="share", value=100, due_date=end(2024))
    from kieumau.criteria.models import CriteriaVersion

    version = CriteriaVersion.objects.get()
    case(version, "A-W1", 2024, "province_review")
    result(version, "A-W1", 2024, model=False, failing=["3.1"])
    few, first = queries(admin, f"/plans/{plan.pk}/", {"as_of": "2024-10-01"})
    few_html = first.content.decode()
    services.designate_units(actor=CLI, plan_id=plan.pk, year=2024, unit_codes=["A-W2"])
    case(version, "A-W2", 2024, "draft")
    with django_assert_max_num_queries(few):
        response = admin.get(f"/plans/{plan.pk}/", {"as_of": "2024-10-01"})
    html = response.content.decode()
    assert 'id="plan-chart"' in html and 'id="progress-table"' in html
    assert "<script>" not in html
    data = json.loads(re.search(r'id="plan-chart-data"[^>]*>(.*?)</script>', html).group(1))
    assert data["years"] == [2023, 2024, 2025, 2026]
    assert data["required"][1] == 2  # 100% of A-W1, A-W2 on 31/12/2024
    # The roadmap designated one ward for a target of two: flagged, in Vietnamese.
    assert "lộ trình không thể đạt mục tiêu" in few_html
    # After 1 September, the designated ward still failing criteria is flagged.
    assert "chưa đạt đủ tiêu chí" in html


def test_targets_form_flags_dates_outside_the_period(admin):
    plan = make_plan("A", 2023, 2026)
    response = admin.post(
        f"/plans/{plan.pk}/targets/",
        {"kind": "share", "value": "100", "due_date": "2030-12-31"},
        follow=True,
    )
    assert "ngoài thời kỳ 2023–2026" in response.content.decode()
    bad = admin.post(
        f"/plans/{plan.pk}/targets/", {"kind": "share", "value": "150", "due_date": "2025-12-31"}
    )
    assert bad.status_code == 400


def test_a_stale_edit_answers_409_with_what_changed(admin):
    plan = make_plan("A", 2023, 2026)
    data = {
        "unit_code": "A",
        "kind": "scheme",
        "number": "01/ĐA",
        "title": "Sửa lần 1",
        "start_year": "2023",
        "end_year": "2027",
        "population": "wards",
        "revision": "1",
    }
    assert admin.post(f"/plans/{plan.pk}/edit/", data).status_code == 302
    stale = admin.post(f"/plans/{plan.pk}/edit/", {**data, "title": "Sửa lần 2"})
    assert stale.status_code == 409
    assert "năm kết thúc: 2026 → 2027" in stale.content.decode()
