"""The reports lines of the scope matrix (tests/accounts/test_scope_matrix.py merges them).

ROUTES: route pattern -> check(world, role); FORMS: name -> Form for the CSRF test; POST_ROUTES:
every reports route whose view takes a POST.

Reports belong to a province (or the nation, or a district). reports.view is held by every
reading role on its own subtree, so a ward officer reads no province report; reports.generate
by the Ministry's administrator and the province administrator. A report or unit out of scope
answers 404 like a missing one.
"""

import tempfile

from django.test import override_settings

# Who reads a province report of their own province (a ward officer's scope is their ward).
READ_ROLES = {"ministry_admin", "ministry_viewer", "province_admin", "province_appraiser", "viewer"}
LIST_ROLES = READ_ROLES | {"unit_officer"}
GENERATE_ROLES = {"ministry_admin", "province_admin"}
FIXED_ID = 990_001  # the report the CSRF case regenerates


def province(role: str, inside: bool) -> str:
    """The province in (or out of) the role's scope: C for the viewer, A for the others."""
    own = "C" if role == "viewer" else "A"
    return own if inside else ("A" if own == "C" else "C")


def _report(code: str, *, done: bool = False, pk: int | None = None):
    from kieumau.orgunits.models import OrgUnit
    from kieumau.reports.models import GeneratedReport
    from kieumau.reports.services import reports_dir

    params = {"unit": code, "year": 2025, "date": "2026-11-15", "number": ""}
    fields = {"kind": "annual", "unit": OrgUnit.objects.get(code=code), "parameters": params}
    if pk:
        report = GeneratedReport.objects.get_or_create(pk=pk, defaults=fields)[0]
    else:
        report = GeneratedReport.objects.create(**fields)
    if done:
        folder = reports_dir() / str(report.pk)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "r.pdf").write_bytes(b"%PDF-1.4 test")
        report.status = "done"
        report.files = {
            "pdf": {"path": f"{report.pk}/r.pdf", "sha256": "0" * 64, "size": 13, "name": "r.pdf"}
        }
        report.save()
    return report


def _status(role: str, allowed: set[str], inside: bool, success=200):
    if role == "anonymous":
        return "login"
    if role not in allowed:
        return 404
    return success if inside or role in {"ministry_admin", "ministry_viewer"} else 404


def check_index(w, role: str):
    from kieumau.reports.models import GeneratedReport
    from tests.accounts.test_scope_matrix import expect, page_status

    client = w.client(role)
    expect(client.get("/reports/"), page_status(role, LIST_ROLES))
    for inside in (True, False):
        code = province(role, inside)
        before = GeneratedReport.objects.count()
        response = client.post(
            "/reports/", {"kind": "annual", "unit_code": code, "year": "2025", "date": "15/11/2026"}
        )
        created = GeneratedReport.objects.count() > before
        expected = _status(role, GENERATE_ROLES, inside, 302)
        if role in LIST_ROLES and role not in GENERATE_ROLES:
            expected = 404
        expect(response, expected, code)
        assert created == (expected == 302), f"{role} {code}: created={created}"


def check_schedules(w, role: str):
    from kieumau.reports.models import ReportSchedule
    from tests.accounts.test_scope_matrix import expect, page_status

    client = w.client(role)
    expect(client.get("/reports/schedules/"), page_status(role, LIST_ROLES))
    for inside in (True, False):
        code = province(role, inside)
        before = ReportSchedule.objects.count()
        response = client.post(
            "/reports/schedules/", {"kind": "monthly", "unit_code": code, "day_of_month": "15"}
        )
        created = ReportSchedule.objects.count() > before
        expected = _status(role, GENERATE_ROLES, inside, 302)
        if role in LIST_ROLES and role not in GENERATE_ROLES:
            expected = 404
        expect(response, expected, code)
        assert created == (expected == 302), f"{role} {code}: created={created}"


def check_detail(w, role: str):
    from tests.accounts.test_scope_matrix import expect

    client = w.client(role)
    for inside in (True, False):
        report = _report(province(role, inside))
        expect(client.get(f"/reports/{report.pk}/"), _status(role, READ_ROLES, inside), str(inside))
    missing = "login" if role == "anonymous" else 404
    expect(client.get("/reports/999999999/"), missing, "missing")


def check_download(w, role: str):
    from tests.accounts.test_scope_matrix import expect

    with override_settings(REPORTS_DIR=tempfile.mkdtemp()):
        client = w.client(role)
        for inside in (True, False):
            report = _report(province(role, inside), done=True)
            response = client.get(f"/reports/{report.pk}/pdf/")
            expect(response, _status(role, READ_ROLES, inside), str(inside))
            if response.status_code == 200:
                assert response["X-Content-SHA256"] == "0" * 64


def check_regenerate(w, role: str):
    from kieumau.reports.models import GeneratedReport
    from tests.accounts.test_scope_matrix import expect

    client = w.client(role)
    for inside in (True, False):
        report = _report(province(role, inside))
        before = GeneratedReport.objects.count()
        response = client.post(f"/reports/{report.pk}/regenerate/")
        created = GeneratedReport.objects.count() > before
        expected = _status(role, GENERATE_ROLES, inside, 302)
        if role in LIST_ROLES and role not in GENERATE_ROLES:
            expected = 404
        expect(response, expected, str(inside))
        assert created == (expected == 302)


def _api(role: str, allowed: set[str], inside: bool, success=200):
    if role == "anonymous":
        return 401
    return _status(role, allowed, inside, success)


def check_api_reports(w, role: str):
    from tests.accounts.test_scope_matrix import expect

    client = w.client(role)
    mine, other = _report(province(role, True)), _report(province(role, False))
    response = client.get("/api/v1/reports")
    expect(response, 401 if role == "anonymous" else 200)
    if response.status_code == 200:
        listed = {r["id"] for r in response.json()}
        assert (mine.pk in listed) == (role in READ_ROLES)
        assert (other.pk in listed) == (role in {"ministry_admin", "ministry_viewer"})
    for inside in (True, False):
        code = province(role, inside)
        response = client.post(
            "/api/v1/reports",
            {"kind": "annual", "unit": code, "year": 2025, "date": "15/11/2026"},
            content_type="application/json",
        )
        expect(response, _api(role, GENERATE_ROLES, inside, 202), f"create {code}")


def check_api_report(w, role: str):
    from tests.accounts.test_scope_matrix import expect

    client = w.client(role)
    for inside in (True, False):
        report = _report(province(role, inside))
        expect(
            client.get(f"/api/v1/reports/{report.pk}"), _api(role, READ_ROLES, inside), str(inside)
        )


def check_api_download(w, role: str):
    from tests.accounts.test_scope_matrix import expect

    with override_settings(REPORTS_DIR=tempfile.mkdtemp()):
        client = w.client(role)
        for inside in (True, False):
            report = _report(province(role, inside), done=True)
            response = client.get(f"/api/v1/reports/{report.pk}/download/pdf")
            expect(response, _api(role, READ_ROLES, inside), str(inside))


ROUTES: dict = {
    "reports/": check_index,
    "reports/schedules/": check_schedules,
    "reports/<int:report_id>/": check_detail,
    "reports/<int:report_id>/regenerate/": check_regenerate,
    "reports/<int:report_id>/<str:fmt>/": check_download,
    "api/v1/reports": check_api_reports,
    "api/v1/reports/<report_id>": check_api_report,
    "api/v1/reports/<report_id>/download/<fmt>": check_api_download,
}


def _fixed_report() -> dict:
    """Create the report the regeneration form posts to (the CSRF case's fixed id)."""
    _report("A", pk=FIXED_ID)
    return {}


def _forms() -> dict:
    # Imported from the matrix module while it loads this one (Form is defined by then).
    from tests.accounts.test_scope_matrix import Form

    def created(kind: str):
        def done(w, client):
            from kieumau.reports.models import GeneratedReport, ReportSchedule

            model = ReportSchedule if kind == "schedule" else GeneratedReport
            return model.objects.filter(unit__code="A").exclude(pk=FIXED_ID).exists()

        return done

    return {
        "report request": Form(
            "province_admin",
            "/reports/",
            {"kind": "annual", "unit_code": "A", "year": "2025", "date": "15/11/2026"},
            created("report"),
        ),
        "report schedule": Form(
            "province_admin",
            "/reports/schedules/",
            {"kind": "monthly", "unit_code": "A", "day_of_month": "15"},
            created("schedule"),
        ),
        "report regenerate": Form(
            "province_admin",
            f"/reports/{FIXED_ID}/regenerate/",
            {},
            created("report"),
            files=_fixed_report,
        ),
    }


FORMS: dict = _forms()
POST_ROUTES: set[str] = {
    "reports/",
    "reports/schedules/",
    "reports/<int:report_id>/regenerate/",
}
