"""The dashboards: numbers against the known data set, drill-down, as-of structure, scope,
exports, the JSON API, and a fixed number of queries whatever the number of units."""

import datetime as dt
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from kieumau.core.actors import CLI
from kieumau.core.errors import NotFound
from kieumau.criteria.models import CriteriaVersion
from kieumau.dashboards.selectors import dashboard, month_periods
from kieumau.orgunits.services import apply_changes
from tests.conftest import change
from tests.dashboards import data

pytestmark = pytest.mark.usefixtures("hierarchy")
AS_OF = dt.date(2026, 3, 1)
QUERY = {"year": "2025", "as_of": "2026-03-01"}


@pytest.fixture
def known(db):
    return data.build()


@pytest.fixture
def ministry(client, make_user):
    client.force_login(make_user("ministry_viewer", "VN"))
    return client


def test_nation_counts_each_province_from_stored_results(known):
    board = dashboard(CLI, year=2025, as_of=AS_OF)
    assert board.level == "nation"
    rows = {c.code: c for c in board.children}
    assert set(rows) == {"A", "C"}  # B merged into A on 1/7/2025
    a, c = rows["A"], rows["C"]
    assert (a.units, a.evaluated, a.model_standard, a.recognised) == (2, 2, 1, 1)
    assert a.share == 50.0
    assert a.average_met == 21.5
    assert (c.units, c.evaluated, c.model_standard, c.recognised, c.share) == (1, 1, 0, 0, 0.0)
    assert board.totals.units == 3 and board.totals.recognised == 1


def test_distribution_and_pass_rates(known):
    board = dashboard(CLI, year=2025, as_of=AS_OF)
    assert [(d["label"], d["units"]) for d in board.distribution] == [
        ("22/22", 1),
        ("21/22", 1),
        ("19/22", 1),
    ]
    rates = {c["code"]: (c["met"], c["evaluated"], c["rate"]) for c in board.criterion_rates}
    assert len(rates) == 22
    assert rates["1.1"] == (2, 3, 66.7)
    assert rates["3.1"] == (2, 3, 66.7)
    assert rates["7.3"] == (2, 3, 66.7)  # missing data is not met
    assert rates["5.1"] == (3, 3, 100.0)
    groups = {g["code"]: g["met"] for g in board.group_rates}
    assert groups == {"1": 2, "2": 3, "3": 2, "4": 3, "5": 3, "6": 3, "7": 2}


def test_timeliness_counts_on_time_late_and_missing(known):
    board = dashboard(CLI, year=2025, as_of=AS_OF)
    january = board.timeliness[0]
    assert january == {
        "period": "2025-01",
        "on_time": 1,
        "late": 1,
        "missing": 1,
        "expected": 3,
        "rate": 33.3,
    }
    assert len(board.timeliness) == 12  # every month of 2025 was due by 1/3/2026
    assert [p.code for p in month_periods(2025, dt.date(2025, 3, 17))] == ["2025-01"]


def test_trends_across_years(known):
    trends = {t["year"]: t for t in dashboard(CLI, year=2025, as_of=AS_OF).trends}
    assert trends[2025]["evaluated"] == 3
    assert trends[2025]["model_standard"] == 1
    assert trends[2025]["recognised"] == 1
    assert trends[2025]["average_met"] == pytest.approx(20.7)
    assert trends[2024]["evaluated"] == 1 and trends[2024]["average_met"] == 20.0
    assert trends[2021]["evaluated"] == 0


def test_drill_down_to_a_province_shows_the_heatmap(known):
    board = dashboard(CLI, under="A", year=2025, as_of=AS_OF)
    assert board.level == "province"
    assert [c.code for c in board.crumbs] == ["VN"]
    assert [r["name"] for r in board.heatmap] == ["Phường Một", "Phường Chín"]
    chin = board.heatmap[1]
    codes = [c["code"] for c in board.criteria]
    assert chin["met"] == 21
    assert chin["statuses"][codes.index("1.1")] == "not_met"
    assert [c.code for c in board.children] == ["A-W9", "A-W1"]  # by name: Chín, Một


def test_drill_down_to_a_unit(known):
    board = dashboard(CLI, under="C-W1", year=2025, as_of=AS_OF)
    assert board.level == "unit"
    assert [c.code for c in board.crumbs] == ["VN", "C"]
    assert board.unit["met"] == 19
    short = {c["code"]: c["explanation"] for c in board.unit["criteria"] if c["status"] != "met"}
    assert short["3.1"] == data.EXPLAIN["3.1"]
    assert board.unit["case"]["status"] == "draft"


def test_structure_follows_the_as_of_date(known):
    before = dashboard(CLI, year=2024, as_of=dt.date(2024, 6, 1))
    assert {c.code for c in before.children} == {"A", "B", "C"}
    a = next(c for c in before.children if c.code == "A")
    assert (a.units, a.evaluated) == (2, 1)  # A-W1 and A-W2; only A-W1 has a 2024 result


def test_a_province_user_sees_their_province_only(known, make_user):
    admin = make_user("province_admin", "A")
    board = dashboard(admin, year=2025, as_of=AS_OF)
    assert board.root.code == "A"
    assert board.crumbs == []  # the nation is not theirs
    with pytest.raises(NotFound):
        dashboard(admin, under="C", year=2025, as_of=AS_OF)
    with pytest.raises(NotFound):
        dashboard(admin, under="VN", year=2025, as_of=AS_OF)


def test_page_renders_tables_and_hands_data_to_the_charts(known, ministry):
    response = ministry.get("/dashboards/", {**QUERY, "under": "A"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="dashboard-data"' in page and 'type="application/json"' in page
    assert "<script>" not in page  # no inline script: CSP
    assert "dashboards/dashboard.js" in page and "vendor/echarts/echarts.min.js" in page
    for table in (
        "children",
        "distribution",
        "criteria",
        "groups",
        "heatmap",
        "timeliness",
        "trends",
    ):
        assert f'id="table-{table}"' in page, table
    start = page.index('id="dashboard-data"')
    payload = page[page.index(">", start) + 1 : page.index("</script>", start)]
    assert json.loads(payload)["root"]["code"] == "A"


def test_bad_year_is_a_clear_answer(known, ministry):
    response = ministry.get("/dashboards/", {"year": "20x5"})
    assert response.status_code == 400
    assert response.context["error"] == "năm '20x5' không hợp lệ"


def test_excel_export_holds_every_table(known, ministry):
    response = ministry.get("/dashboards/export.xlsx", {**QUERY, "under": "A"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert "Bản đồ nhiệt" in book.sheetnames and "Đơn vị" in book.sheetnames
    units = list(book["Đơn vị"].iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[2], r[4], r[5]) for r in units] == [("A-W9", 1, 0, 0), ("A-W1", 1, 1, 1)]
    one = ministry.get("/dashboards/export.xlsx", {**QUERY, "panel": "distribution"})
    sheet = load_workbook(io.BytesIO(one.content))
    assert sheet.sheetnames == ["Phân bố tiêu chí đạt"]
    assert list(sheet.active.iter_rows(min_row=3, values_only=True)) == [
        ("22/22", 1),
        ("21/22", 1),
        ("19/22", 1),
    ]


def test_api_returns_the_dashboard_as_json(known, ministry):
    body = ministry.get("/api/v1/dashboards", {**QUERY, "under": "A"}).json()
    assert body["level"] == "province"
    assert body["totals"]["recognised"] == 1
    assert body["distribution"][0] == {"met": 22, "total": 22, "label": "22/22", "units": 1}
    assert ministry.get("/api/v1/dashboards", {"under": "NOPE"}).status_code == 404


# -- a fixed number of queries ------------------------------------------------------------------
def _more_wards(count: int) -> None:
    """`count` more wards in C with stored 2025 results."""
    rows = [
        change(
            i,
            "create",
            f"C-X{i}",
            dt.date(2020, 1, 1),
            name=f"Xã {i}",
            kind="commune",
            parent_code="C",
        )
        for i in range(1, count + 1)
    ]
    apply_changes(actor=CLI, changes=rows, name="more")
    version = CriteriaVersion.objects.get()
    for i in range(1, count + 1):
        data._store(version, f"C-X{i}", "2025")


@pytest.mark.parametrize(
    "path,params",
    [
        ("/dashboards/", {}),
        ("/dashboards/", {"under": "C"}),
        ("/dashboards/", {"under": "C-W1"}),
        ("/dashboards/export.xlsx", {}),
        ("/dashboards/export.xlsx", {"under": "C"}),
        ("/api/v1/dashboards", {}),
        ("/api/v1/dashboards", {"under": "C"}),
    ],
)
def test_queries_do_not_grow_with_the_number_of_units(known, ministry, path, params):
    query = {**QUERY, **params}
    with CaptureQueriesContext(connection) as few:
        assert ministry.get(path, query).status_code == 200
    _more_wards(6)
    with CaptureQueriesContext(connection) as many:
        assert ministry.get(path, query).status_code == 200
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]
    assert len(few) <= 80  # layout (session, navigation) and the other apps' panels included


def test_a_report_sent_late_in_the_evening_of_the_due_day_is_on_time(known):
    """The due date is a local (Vietnamese) day: 23:30 on the 18th is still the 18th, although
    it is 16:30 UTC; 00:30 on the 19th is late although it is still the 18th in UTC."""
    from django.utils import timezone

    from kieumau.datavalues.models import Submission

    sub = Submission.objects.get(unit__code="C-W1", period="2025-01")
    sub.submitted_at = timezone.make_aware(dt.datetime(2025, 2, 18, 23, 30))
    sub.save()
    assert dashboard(CLI, year=2025, as_of=AS_OF).timeliness[0]["on_time"] == 2
    sub.submitted_at = timezone.make_aware(dt.datetime(2025, 2, 19, 0, 30))
    sub.save()
    january = dashboard(CLI, year=2025, as_of=AS_OF).timeliness[0]
    assert (january["on_time"], january["late"]) == (1, 1)


def test_the_national_dashboard_is_cached_until_its_data_changes(known, ministry):
    """Measured (docs/benchmarks.md): the national aggregates are cached, keyed by a fingerprint
    of the data they come from, so a change through the services shows at once."""
    with CaptureQueriesContext(connection) as first:
        before = ministry.get("/api/v1/dashboards", QUERY).json()
    with CaptureQueriesContext(connection) as second:
        assert ministry.get("/api/v1/dashboards", QUERY).json() == before
    assert len(second) < len(first)
    data._store(CriteriaVersion.objects.get(), "A-W9", "2025")  # re-computed: now 22/22 too
    from kieumau.evaluation.models import EvaluationResult

    EvaluationResult.objects.filter(unit__code="A-W9", period="2025").update(
        met=22, model_standard=True
    )
    data._store(CriteriaVersion.objects.get(), "C-W1", "2025")  # touches computed_at
    after = ministry.get("/api/v1/dashboards", QUERY).json()
    assert after["totals"]["model_standard"] == 2


def test_without_a_cache_table_the_dashboard_still_answers(known, ministry, settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "no_such_table",
        }
    }
    # (changing CACHES makes Django drop its cache connections: the new one has no table)
    assert ministry.get("/api/v1/dashboards", QUERY).status_code == 200
    assert "dashboard cache unavailable" in caplog.text
