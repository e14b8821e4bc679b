"""The plans lines of the scope matrix (tests/accounts/test_scope_matrix.py merges them).

ROUTES: route pattern -> check(world, role); FORMS: name -> Form for the CSRF test; POST_ROUTES:
every plans route whose view takes a POST.

A plan belongs to a province: plan "A" is read by the Ministry's roles and by the roles granted
on province A (not by a ward's officer, whose scope is the ward); plan "C" by the Ministry and
the viewer of C. The agency officer holds no plans permission. Managing needs plans.manage
(Ministry and province administrators) on the plan's province.
"""

import datetime as dt

from tests.accounts.test_scope_matrix import Form

VIEW = {
    "ministry_admin",
    "ministry_viewer",
    "province_admin",
    "province_appraiser",
    "unit_officer",
    "viewer",
}
MANAGE = {"ministry_admin", "province_admin"}
SEES = {
    "A": {"ministry_admin", "ministry_viewer", "province_admin", "province_appraiser"},
    "C": {"ministry_admin", "ministry_viewer", "viewer"},
}
FIXED_PK = 9101


def plans() -> dict:
    """A plan of province A and one of province C, created by the system."""
    from kieumau.core.actors import CLI
    from kieumau.plans import services

    return {
        code: services.create_plan(
            actor=CLI,
            unit_code=code,
            kind="scheme",
            number=f"KH-{code}",
            title=f"Kế hoạch {code}",
            start_year=2023,
            end_year=2028,
        )
        for code in ("A", "C")
    }


def _status(role: str, code: str, allowed: set[str], ok=200):
    if role == "anonymous":
        return "login"
    return ok if role in allowed and role in SEES[code] else 404


def check_list(w, role: str):
    from tests.accounts.test_scope_matrix import expect, page_status

    plans()
    response = w.client(role).get("/plans/")
    expect(response, page_status(role, VIEW))
    if response.status_code == 200:
        listed = {p.number for p in response.context["plans"]}
        assert listed == {f"KH-{c}" for c in ("A", "C") if role in SEES[c]}


def check_national(w, role: str):
    from tests.accounts.test_scope_matrix import NATIONAL, expect, page_status

    response = w.client(role).get("/plans/national/")
    expect(response, page_status(role, VIEW))
    if response.status_code == 200:
        shown = {r.code for r in response.context["rows"]}
        wanted = {"A", "C"} if role in NATIONAL else {"A"} if role in SEES["A"] else set()
        if role == "viewer":
            wanted = {"C"}
        assert shown == wanted


def check_create(w, role: str):
    from kieumau.plans.models import Plan
    from tests.accounts.test_scope_matrix import NATIONAL, expect, page_status

    client = w.client(role)
    expect(client.get("/plans/new/"), page_status(role, MANAGE))
    for code in ("A", "C"):
        data = {
            "unit_code": code,
            "kind": "plan",
            "number": f"MOI-{code}",
            "title": "Kế hoạch mới",
            "start_year": "2024",
            "end_year": "2030",
            "population": "wards",
        }
        response = client.post("/plans/new/", data)
        allowed = role in MANAGE and (code == "A" or role in NATIONAL)
        if role == "anonymous":
            expect(response, "login", code)
        elif role not in MANAGE:
            expect(response, 404, code)
        else:
            expect(response, 302 if allowed else 400, code)
        assert Plan.objects.filter(number=f"MOI-{code}").exists() == allowed, f"{role} {code}"


def check_detail(w, role: str):
    from tests.accounts.test_scope_matrix import MISSING_ID, expect

    made = plans()
    client = w.client(role)
    for code, plan in made.items():
        expect(client.get(f"/plans/{plan.pk}/"), _status(role, code, VIEW), code)
    expect(client.get(f"/plans/{MISSING_ID}/"), "login" if role == "anonymous" else 404)


def check_edit(w, role: str):
    from kieumau.plans.models import Plan
    from tests.accounts.test_scope_matrix import expect

    made = plans()
    client = w.client(role)
    for code, plan in made.items():
        expect(client.get(f"/plans/{plan.pk}/edit/"), _status(role, code, MANAGE), code)
        data = {
            "unit_code": code,
            "kind": "scheme",
            "number": f"KH-{code}",
            "title": "Tên đã sửa",
            "start_year": "2023",
            "end_year": "2029",
            "population": "wards",
            "revision": "1",
        }
        wanted = _status(role, code, MANAGE, ok=302)
        expect(client.post(f"/plans/{plan.pk}/edit/", data), wanted, code)
        assert (Plan.objects.get(pk=plan.pk).end_year == 2029) == (wanted == 302), f"{role} {code}"


def check_targets(w, role: str):
    from tests.accounts.test_scope_matrix import expect

    made = plans()
    client = w.client(role)
    for code, plan in made.items():
        data = {"kind": "share", "value": "50", "due_date": "2025-12-31"}
        wanted = _status(role, code, MANAGE, ok=302)
        expect(client.post(f"/plans/{plan.pk}/targets/", data), wanted, code)
        assert plan.targets.exists() == (wanted == 302), f"{role} {code}"


def check_designations(w, role: str):
    from tests.accounts.test_scope_matrix import expect

    made = plans()
    client = w.client(role)
    for code, plan in made.items():
        data = {"year": "2025", "units": "A-W1" if code == "A" else "C-W1"}
        wanted = _status(role, code, MANAGE, ok=302)
        expect(client.post(f"/plans/{plan.pk}/designations/", data), wanted, code)
        assert plan.designations.exists() == (wanted == 302), f"{role} {code}"


def _api(role: str, code: str):
    if role == "anonymous":
        return 401
    return 200 if role in SEES[code] else 404


def check_api_list(w, role: str):
    from tests.accounts.test_scope_matrix import expect

    plans()
    response = w.client(role).get("/api/v1/plans")
    expect(response, 401 if role == "anonymous" else 200)
    if response.status_code == 200:
        listed = {p["number"] for p in response.json()}
        assert listed == {f"KH-{c}" for c in ("A", "C") if role in SEES[c]}


def check_api_plan(w, role: str):
    from tests.accounts.test_scope_matrix import expect

    client = w.client(role)
    for code, plan in plans().items():
        expect(client.get(f"/api/v1/plans/{plan.pk}"), _api(role, code), code)


def check_api_progress(w, role: str):
    from tests.accounts.test_scope_matrix import expect

    client = w.client(role)
    for code, plan in plans().items():
        response = client.get(f"/api/v1/plans/{plan.pk}/progress", {"year": 2025})
        expect(response, _api(role, code), code)
        if response.status_code == 200:
            assert response.json()["years"][0]["year"] == 2025


ROUTES: dict = {
    "plans/": check_list,
    "plans/national/": check_national,
    "plans/new/": check_create,
    "plans/<int:pk>/": check_detail,
    "plans/<int:pk>/edit/": check_edit,
    "plans/<int:pk>/targets/": check_targets,
    "plans/<int:pk>/designations/": check_designations,
    "api/v1/plans": check_api_list,
    "api/v1/plans/<plan_id>": check_api_plan,
    "api/v1/plans/<plan_id>/progress": check_api_progress,
}


def _fixed_plan() -> dict:
    """The plan of the CSRF cases, with a fixed id so that its URLs can be written down."""
    from kieumau.orgunits.models import OrgUnit
    from kieumau.plans.models import Plan

    Plan.objects.get_or_create(
        pk=FIXED_PK,
        defaults={
            "unit": OrgUnit.objects.get(code="A"),
            "kind": "scheme",
            "number": "CSRF",
            "title": "Kế hoạch kiểm thử",
            "start_year": 2023,
            "end_year": 2028,
        },
    )
    return {}


def _plan_row():
    from kieumau.plans.models import Plan

    return Plan.objects.get(pk=FIXED_PK)


FORMS: dict = {
    "plan create": Form(
        "province_admin",
        "/plans/new/",
        {
            "unit_code": "A",
            "kind": "resolution",
            "number": "NQ-1",
            "title": "Nghị quyết",
            "start_year": "2023",
            "end_year": "2030",
            "population": "wards",
        },
        lambda w, c: (
            __import__("kieumau.plans.models", fromlist=["Plan"])
            .Plan.objects.filter(number="NQ-1")
            .exists()
        ),
    ),
    "plan edit": Form(
        "province_admin",
        f"/plans/{FIXED_PK}/edit/",
        {
            "unit_code": "A",
            "kind": "scheme",
            "number": "CSRF",
            "title": "Đã sửa",
            "start_year": "2023",
            "end_year": "2028",
            "population": "wards",
        },
        lambda w, c: _plan_row().title == "Đã sửa",
        files=_fixed_plan,
    ),
    "plan targets": Form(
        "province_admin",
        f"/plans/{FIXED_PK}/targets/",
        {"kind": "count", "value": "1", "due_date": dt.date(2025, 12, 31).isoformat()},
        lambda w, c: _plan_row().targets.exists(),
        files=_fixed_plan,
    ),
    "plan designations": Form(
        "province_admin",
        f"/plans/{FIXED_PK}/designations/",
        {"year": "2024", "units": "A-W1"},
        lambda w, c: _plan_row().designations.exists(),
        files=_fixed_plan,
    ),
}
POST_ROUTES: set[str] = {
    "plans/new/",
    "plans/<int:pk>/edit/",
    "plans/<int:pk>/targets/",
    "plans/<int:pk>/designations/",
}
