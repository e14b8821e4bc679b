"""Pages: the scorecard, the province matrix (heatmap) as of a date, background re-evaluation.

The matrix reads stored results; the structure is the one in force on `as_of`: under A on
1/1/2026 the wards are A-W1 and A-W9 (Phường Chín); on 1/6/2024 A-W1 and A-W2 (Phường Hai)
under the district "Thành phố A".
"""

import re

import pytest
from django_tasks_db.models import DBTaskResult

from kieumau.core.actors import CLI
from kieumau.core.errors import NotFound
from kieumau.datavalues.services import set_values
from kieumau.evaluation.models import EvaluationJob, EvaluationResult
from kieumau.evaluation.services import evaluate_subtree
from kieumau.evaluation.tasks import run_evaluation_job
from tests.criteria.conftest import import_default

pytestmark = pytest.mark.usefixtures("hierarchy", "default_criteria")


@pytest.fixture
def default_criteria(db):
    return import_default()


@pytest.fixture
def values():
    set_values(
        actor=CLI,
        unit_code="A-W1",
        period_code="2025",
        values={
            "satisfaction_rate": "95",
            "survey_respondents": "150",
            "safe_units_assessed": "0",
            "safe_units_recognised": "0",
        },
    )


@pytest.fixture
def admin(client, make_user):
    client.force_login(make_user("ministry_admin", "VN"))
    return client


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def rows_of(page: str) -> list[str]:
    """The unit names of the matrix rows, in order."""
    body = page.split('<table class="heatmap">', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', body)


# -- scorecard -----------------------------------------------------------------------------------


def test_scorecard_shows_the_score_and_the_explanations(admin, values):
    page = html(admin.get("/evaluation/units/A-W1/", {"period": "2025"}))
    assert "Phường Một" in page
    assert '<strong id="score">1/22</strong>' in page
    assert "QD5764 v1" in page
    assert 'id="c-7.3"' in page
    assert "Kết luận: đạt." in page
    assert "mẫu số bằng 0" in page  # 6.2 explained
    assert "(party_committee_rating): chưa có số liệu" in page
    digest = EvaluationResult.objects.get(unit__code="A-W1", period="2025").input_digest
    assert digest[:12] in page


def test_scorecard_with_a_bad_period_says_so(admin):
    page = html(admin.get("/evaluation/units/A-W1/", {"period": "2025-13"}))
    assert 'role="alert"' in page
    assert "2025-13" in page
    assert 'id="score"' not in page
    page = html(admin.get("/evaluation/units/A-W9/", {"period": "2024"}))
    assert "đơn vị &#x27;A-W9&#x27; không tồn tại trong kỳ 2024" in page


def test_scorecard_of_an_unknown_or_hidden_unit_is_404(client, make_user):
    client.force_login(make_user("province_admin", "C"))
    assert client.get("/evaluation/units/KHONG/", {"period": "2025"}).status_code == 404
    assert client.get("/evaluation/units/A-W1/", {"period": "2025"}).status_code == 404
    assert client.get("/evaluation/units/C-W1/", {"period": "2025"}).status_code == 200


def test_scorecard_needs_a_sign_in(client):
    response = client.get("/evaluation/units/A-W1/", {"period": "2025"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# -- matrix --------------------------------------------------------------------------------------


def test_matrix_as_of_2026_shows_the_merged_ward(admin, values):
    evaluate_subtree(actor=CLI, root_code="A", period_code="2025")
    page = html(
        admin.get("/evaluation/matrix/", {"under": "A", "period": "2025", "as_of": "2026-01-01"})
    )
    assert sorted(rows_of(page)) == ["Phường Chín", "Phường Một"]
    assert "Đã đánh giá 2/2 đơn vị" in page
    assert page.count('<td class="cell st-') == 2 * 22
    assert '<td class="cell st-met" title="7.3: met"' in page
    assert 'title="6.2: missing_data"' in page
    assert 'href="/evaluation/units/A-W1/?period=2025#c-7.3"' in page
    assert 'href="/evaluation/units/A-W9/?period=2025#c-5.3"' in page
    assert "Phường Hai" not in page


def test_matrix_as_of_2024_shows_the_old_wards(admin):
    evaluate_subtree(actor=CLI, root_code="A", period_code="2024")
    page = html(
        admin.get("/evaluation/matrix/", {"under": "A", "period": "2024", "as_of": "2024-06-01"})
    )
    assert sorted(rows_of(page)) == ["Phường Hai", "Phường Một"]
    assert "Đã đánh giá 2/2 đơn vị" in page
    assert "Thành phố A" in page  # their parent then
    assert "Phường Chín" not in page
    assert 'href="/evaluation/units/A-W2/?period=2024#c-1.1"' in page
    assert page.count('<td class="cell st-missing_data"') == 2 * 22


def test_matrix_rows_without_a_stored_result_are_marked_not_evaluated(admin):
    page = html(
        admin.get("/evaluation/matrix/", {"under": "A", "period": "2025", "as_of": "2026-01-01"})
    )
    assert sorted(rows_of(page)) == ["Phường Chín", "Phường Một"]
    assert "Đã đánh giá 0/2 đơn vị" in page
    assert '<td class="cell st-met"' not in page
    assert page.count('<td class="cell st-none"') == 2 * 22


def test_matrix_by_group(admin, values):
    evaluate_subtree(actor=CLI, root_code="A", period_code="2025")
    page = html(
        admin.get(
            "/evaluation/matrix/",
            {"under": "A", "period": "2025", "as_of": "2026-01-01", "group": "7"},
        )
    )
    header = page.split("<thead>", 1)[1].split("</thead>", 1)[0]
    assert re.findall(r"<th title=\"[^\"]*\">([\d.]+)</th>", header) == ["7.1", "7.2", "7.3"]


def test_matrix_errors(admin, client, make_user):
    assert admin.get("/evaluation/matrix/", {"under": "KHONG", "period": "2025"}).status_code == 404
    page = html(admin.get("/evaluation/matrix/", {"under": "A", "period": "2025-13"}))
    assert 'role="alert"' in page
    page = html(admin.get("/evaluation/matrix/", {"under": "A", "as_of": "hôm qua"}))
    assert 'role="alert"' in page
    page = html(admin.get("/evaluation/matrix/"))  # the form alone
    assert 'name="under"' in page
    client.force_login(make_user("province_admin", "C"))
    assert client.get("/evaluation/matrix/", {"under": "A", "period": "2025"}).status_code == 404


# -- background jobs -----------------------------------------------------------------------------


def test_a_job_is_queued_run_and_shown_at_100_percent(
    client, make_user, values, django_capture_on_commit_callbacks
):
    client.force_login(make_user("province_admin", "A"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/evaluation/jobs/", {"under": "A", "period": "2025"})
    job = EvaluationJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/evaluation/jobs/{job.pk}/"
    assert (job.root.code, job.period, job.status) == ("A", "2025", "queued")
    task = DBTaskResult.objects.get()
    assert task.task_path.endswith("run_evaluation_job")
    assert task.args_kwargs["args"] == [job.pk]

    # While queued the progress fragment polls itself.
    page = html(client.get(f"/evaluation/jobs/{job.pk}/"))
    assert 'hx-trigger="every 1s"' in page
    assert f'hx-get="/evaluation/jobs/{job.pk}/"' in page
    assert '<progress value="0" max="100"' in page

    assert run_evaluation_job.call(job.pk) == 2
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.percent) == ("done", 2, 2, 100)
    assert job.finished_at is not None
    assert set(
        EvaluationResult.objects.filter(period="2025").values_list("unit__code", flat=True)
    ) == {"A-W1", "A-W9"}

    page = html(client.get(f"/evaluation/jobs/{job.pk}/"))
    assert '<progress value="100" max="100"' in page
    assert "2/2" in page
    assert "(100%)" in page
    assert "hx-trigger" not in page  # done: no more polling
    assert "/evaluation/matrix/?under=A&amp;period=2025" in page

    # htmx asks for the fragment only.
    fragment = html(client.get(f"/evaluation/jobs/{job.pk}/", headers={"HX-Request": "true"}))
    assert fragment.lstrip().startswith('<div id="job-progress"')
    assert "<html" not in fragment


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_the_queued_job(client, make_user):
    """The real `db_worker` picks the task up (autocommit, as in production: the worker checks
    its connection, which a test wrapped in one transaction would not survive on PostgreSQL)."""
    from django.core.management import call_command

    client.force_login(make_user("ministry_admin", "VN"))
    client.post("/evaluation/jobs/", {"under": "VN", "period": "2024"})
    job = EvaluationJob.objects.get()
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("done", 4, 4)
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_a_failing_job_is_marked_failed_with_the_reason(client, make_user):
    client.force_login(make_user("province_admin", "A"))
    client.post("/evaluation/jobs/", {"under": "A", "period": "2020"})  # no criteria in 2020
    job = EvaluationJob.objects.get()
    with pytest.raises(NotFound):
        run_evaluation_job.call(job.pk)
    job.refresh_from_db()
    assert job.status == "failed"
    assert "chưa có bộ tiêu chí nào có hiệu lực cho kỳ 2020" in job.message
    page = html(client.get(f"/evaluation/jobs/{job.pk}/"))
    assert "chưa có bộ tiêu chí nào có hiệu lực cho kỳ 2020" in page
    assert "hx-trigger" not in page


def test_who_may_start_and_see_jobs(client, make_user):
    client.force_login(make_user("viewer", "A"))
    assert client.post("/evaluation/jobs/", {"under": "A", "period": "2025"}).status_code == 404
    client.force_login(make_user("province_admin", "C"))
    assert client.post("/evaluation/jobs/", {"under": "A", "period": "2025"}).status_code == 404
    assert client.post("/evaluation/jobs/", {"under": "VN", "period": "2025"}).status_code == 404
    assert not EvaluationJob.objects.exists()
    assert client.get("/evaluation/jobs/", {"under": "C"}).status_code == 405
    # A job of province A is invisible to C's administrator.
    client.force_login(make_user("province_admin", "A"))
    client.post("/evaluation/jobs/", {"under": "A", "period": "2025"})
    job = EvaluationJob.objects.get()
    client.force_login(make_user("province_admin", "C", username="c-admin-2"))
    assert client.get(f"/evaluation/jobs/{job.pk}/").status_code == 404


def test_scorecard_years_come_from_the_stored_results(admin):
    for year in ("2023", "2024"):
        evaluate_subtree(actor=CLI, root_code="A", period_code=year)
    response = admin.get("/evaluation/units/A-W1/", {"period": "2024"})
    history = response.context["history"]
    assert [h["period"] for h in history] == ["2023", "2024"]
    stored = EvaluationResult.objects.get(unit__code="A-W1", period="2024")
    assert history[-1]["met"] == stored.met and history[-1]["total"] == stored.total
    assert history[-1]["version"] == "QD5764 v1"
