"""The workitems lines of the scope matrix (tests/accounts/test_scope_matrix.py merges them).

ROUTES: route pattern -> check(world, role); FORMS: name -> Form for the CSRF test; POST_ROUTES:
every workitems route whose view takes a POST.

Tasks are scoped by the unit they concern: "fin" (about A-W1, assigned to Sở Tài chính A, the
agency officer's agency), "city" (about A-W1, assigned to UBND Thành phố A) and "c" (about C-W1).
The agency officer sees only "fin"; everyone else by unit scope. Reports need
workitems.update; creating and editing need workitems.manage.
"""

import datetime as dt

from tests.accounts.test_scope_matrix import Form

EVERYONE = {
    "ministry_admin",
    "ministry_viewer",
    "province_admin",
    "province_appraiser",
    "unit_officer",
    "agency_officer",
    "viewer",
}
MANAGE = {"ministry_admin", "province_admin"}
UPDATE = {"ministry_admin", "province_admin", "unit_officer", "agency_officer"}
IN_A = {"ministry_admin", "ministry_viewer", "province_admin", "province_appraiser", "unit_officer"}
SEES = {
    "fin": IN_A | {"agency_officer"},
    "city": IN_A,
    "c": {"ministry_admin", "ministry_viewer", "viewer"},
}
FIXED_PK = 9201


def tasks(w) -> dict:
    """Agencies of A and C, the agency officer in Sở Tài chính A, and three tasks."""
    from kieumau.core.actors import CLI
    from kieumau.workitems import services

    fin = services.create_agency(actor=CLI, province="A", name="Sở Tài chính A", kind="department")
    city = services.create_agency(
        actor=CLI, province="A", name="UBND Thành phố A", kind="peoples_committee"
    )
    c = services.create_agency(actor=CLI, province="C", name="Sở Tài chính C", kind="department")
    services.add_member(actor=CLI, agency_id=fin.pk, user=w.people["agency_officer"])
    due = dt.date(2030, 6, 30)
    return {
        key: services.create_item(
            actor=CLI, title=f"Việc {key}", unit=unit, due_date=due, assignee_agency=agency.pk
        )
        for key, unit, agency in (("fin", "A-W1", fin), ("city", "A-W1", city), ("c", "C-W1", c))
    }


def _status(role: str, key: str, allowed: set[str], ok=200):
    if role == "anonymous":
        return "login"
    return ok if role in allowed and role in SEES[key] else 404


def check_board(w, role: str):
    from tests.accounts.test_scope_matrix import expect, page_status

    tasks(w)
    client = w.client(role)
    response = client.get("/tasks/", {"agency": ""})
    expect(response, page_status(role, EVERYONE))
    if response.status_code == 200:
        listed = {i.title for i in response.context["page"]}
        assert listed == {f"Việc {k}" for k in SEES if role in SEES[k]}
    expect(client.get("/tasks/", {"overdue": "1"}), page_status(role, EVERYONE), "overdue")


def check_create(w, role: str):
    from kieumau.workitems.models import WorkItem
    from tests.accounts.test_scope_matrix import NATIONAL, expect, page_status

    client = w.client(role)
    expect(client.get("/tasks/new/"), page_status(role, MANAGE))
    for unit in ("A-W1", "C-W1"):
        data = {"title": f"Mới {unit}", "unit": unit, "due_date": "2030-01-31"}
        response = client.post("/tasks/new/", data)
        allowed = role in MANAGE and (unit == "A-W1" or role in NATIONAL)
        if role == "anonymous":
            expect(response, "login", unit)
        elif role not in MANAGE:
            expect(response, 404, unit)
        else:
            expect(response, 302 if allowed else 400, unit)
        assert WorkItem.objects.filter(title=f"Mới {unit}").exists() == allowed, f"{role} {unit}"


def _failing_results():
    from kieumau.criteria.models import CriteriaVersion
    from kieumau.evaluation.models import EvaluationResult
    from kieumau.orgunits.models import OrgUnit

    version = CriteriaVersion.objects.first()
    for code in ("A-W1", "C-W1"):
        EvaluationResult.objects.get_or_create(
            unit=OrgUnit.objects.get(code=code),
            period="2025",
            criteria_version=version,
            defaults={
                "input_digest": "x",
                "met": 21,
                "total": 22,
                "model_standard": False,
                "statuses": {"3.3": "not_met"},
                "result": {},
            },
        )


def check_suggest(w, role: str):
    from kieumau.workitems.models import WorkItem
    from tests.accounts.test_scope_matrix import NATIONAL, expect, page_status

    _failing_results()
    client = w.client(role)
    response = client.get("/tasks/suggest/", {"year": "2025"})
    expect(response, page_status(role, MANAGE))
    if response.status_code == 200:
        shown = {p.unit_code for p in response.context["proposals"]}
        assert shown == ({"A-W1", "C-W1"} if role in NATIONAL else {"A-W1"})
    origins = ["suggested:3.3:A-W1", "suggested:3.3:C-W1"]
    response = client.post("/tasks/suggest/", {"year": "2025", "origin": origins})
    expect(response, "login" if role == "anonymous" else 302 if role in MANAGE else 404)
    made = set(WorkItem.objects.values_list("origin", flat=True))
    wanted = set() if role not in MANAGE else set(origins) if role in NATIONAL else {origins[0]}
    assert made == wanted, f"{role}: {made}"
    # A second time creates nothing more.
    client.post("/tasks/suggest/", {"year": "2025", "origin": origins})
    assert WorkItem.objects.count() == len(wanted)


def check_item(w, role: str):
    from kieumau.workitems.models import WorkItemUpdate
    from tests.accounts.test_scope_matrix import MISSING_ID, expect

    made = tasks(w)
    client = w.client(role)
    for key, item in made.items():
        expect(client.get(f"/tasks/{item.pk}/"), _status(role, key, EVERYONE), key)
        data = {"note": f"Báo cáo {key}", "percent": "30", "revision": str(item.revision)}
        wanted = _status(role, key, UPDATE, ok=302)
        expect(client.post(f"/tasks/{item.pk}/", data), wanted, f"post {key}")
        done = WorkItemUpdate.objects.filter(item=item).exists()
        assert done == (wanted == 302), f"{role} {key}: reported={done}"
    expect(client.get(f"/tasks/{MISSING_ID}/"), "login" if role == "anonymous" else 404)


def check_edit(w, role: str):
    from kieumau.workitems.models import WorkItem
    from tests.accounts.test_scope_matrix import expect

    made = tasks(w)
    client = w.client(role)
    for key, item in made.items():
        expect(client.get(f"/tasks/{item.pk}/edit/"), _status(role, key, MANAGE), key)
        data = {
            "title": "Đã sửa",
            "unit": item.unit.code,
            "assignee_agency": str(item.assignee_agency_id),
            "due_date": "2031-01-31",
            "status": "in_progress",
            "revision": "1",
        }
        wanted = _status(role, key, MANAGE, ok=302)
        expect(client.post(f"/tasks/{item.pk}/edit/", data), wanted, f"post {key}")
        edited = WorkItem.objects.get(pk=item.pk).title == "Đã sửa"
        assert edited == (wanted == 302), f"{role} {key}: edited={edited}"


def _api(role: str, key: str, allowed: set[str] = EVERYONE, ok=200):
    if role == "anonymous":
        return 401
    return ok if role in allowed and role in SEES[key] else 404


def check_api_list(w, role: str):
    from kieumau.workitems.models import WorkItem
    from tests.accounts.test_scope_matrix import NATIONAL, expect

    tasks(w)
    client = w.client(role)
    response = client.get("/api/v1/workitems")
    expect(response, 401 if role == "anonymous" else 200)
    if response.status_code == 200:
        listed = {i["title"] for i in response.json()}
        assert listed == {f"Việc {k}" for k in SEES if role in SEES[k]}
    for unit in ("A-W1", "C-W1"):
        payload = {"title": f"API {unit}", "unit": unit, "due_date": "2030-03-31"}
        response = client.post("/api/v1/workitems", payload, content_type="application/json")
        allowed = role in MANAGE and (unit == "A-W1" or role in NATIONAL)
        expect(response, 401 if role == "anonymous" else 201 if allowed else 404, unit)
        assert WorkItem.objects.filter(title=f"API {unit}").exists() == allowed


def check_api_item(w, role: str):
    from kieumau.workitems.models import WorkItem
    from tests.accounts.test_scope_matrix import expect

    client = w.client(role)
    for key, item in tasks(w).items():
        expect(client.get(f"/api/v1/workitems/{item.pk}"), _api(role, key), key)
        response = client.patch(
            f"/api/v1/workitems/{item.pk}",
            {"title": "API sửa", "revision": 1},
            content_type="application/json",
        )
        expect(response, _api(role, key, MANAGE), f"patch {key}")
        edited = WorkItem.objects.get(pk=item.pk).title == "API sửa"
        assert edited == (response.status_code == 200)


def check_api_progress(w, role: str):
    from tests.accounts.test_scope_matrix import expect

    client = w.client(role)
    for key, item in tasks(w).items():
        response = client.post(
            f"/api/v1/workitems/{item.pk}/progress",
            {"note": "Đang làm", "percent": 20},
            content_type="application/json",
        )
        expect(response, _api(role, key, UPDATE, ok=201), key)
        assert item.updates.exists() == (response.status_code == 201)


def check_agencies(w, role: str):
    from kieumau.workitems.models import Agency, AgencyMember
    from tests.accounts.test_scope_matrix import NATIONAL, expect, page_status

    tasks(w)
    client = w.client(role)
    response = client.get("/tasks/agencies/")
    expect(response, page_status(role, MANAGE))
    if response.status_code == 200:
        shown = {a.province.code for a in response.context["agencies"]}
        assert shown == ({"A", "C"} if role in NATIONAL else {"A"})
    for province in ("A", "C"):
        data = {
            "action": "agency",
            "province": province,
            "name": "Sở Xây dựng",
            "kind": "department",
        }
        response = client.post("/tasks/agencies/", data)
        allowed = role in MANAGE and (province == "A" or role in NATIONAL)
        if role == "anonymous":
            expect(response, "login", province)
        else:
            expect(response, 302 if allowed else 404, province)
        made = Agency.objects.filter(province__code=province, name="Sở Xây dựng").exists()
        assert made == allowed, f"{role} {province}"
    AgencyMember.objects.all().delete()
    fin = Agency.objects.get(name="Sở Tài chính A")
    data = {"action": "member", "agency": fin.pk, "username": w.people["agency_officer"].username}
    response = client.post("/tasks/agencies/", data)
    expect(response, "login" if role == "anonymous" else 302 if role in MANAGE else 404)
    assert AgencyMember.objects.filter(agency=fin).exists() == (role in MANAGE)


ROUTES: dict = {
    "tasks/agencies/": check_agencies,
    "tasks/": check_board,
    "tasks/new/": check_create,
    "tasks/suggest/": check_suggest,
    "tasks/<int:pk>/": check_item,
    "tasks/<int:pk>/edit/": check_edit,
    "api/v1/workitems": check_api_list,
    "api/v1/workitems/<item_id>": check_api_item,
    "api/v1/workitems/<item_id>/progress": check_api_progress,
}


def _fixed_item() -> dict:
    """The task of the CSRF cases, with a fixed id so that its URLs can be written down."""
    from kieumau.orgunits.models import OrgUnit
    from kieumau.workitems.models import WorkItem

    unit = OrgUnit.objects.get(code="A-W1")
    WorkItem.objects.get_or_create(
        pk=FIXED_PK,
        defaults={
            "title": "Việc kiểm thử",
            "unit": unit,
            "assignee_unit": unit,
            "due_date": dt.date(2030, 1, 1),
        },
    )
    return {}


def _suggest_data() -> dict:
    _failing_results()
    return {}


def _item():
    from kieumau.workitems.models import WorkItem

    return WorkItem.objects.get(pk=FIXED_PK)


def _origin_exists(origin: str) -> bool:
    from kieumau.workitems.models import WorkItem

    return WorkItem.objects.filter(origin=origin).exists()


def _title_exists(title: str) -> bool:
    from kieumau.workitems.models import WorkItem

    return WorkItem.objects.filter(title=title).exists()


def _agency_exists(name: str) -> bool:
    from kieumau.workitems.models import Agency

    return Agency.objects.filter(name=name).exists()


FORMS: dict = {
    "agency create": Form(
        "province_admin",
        "/tasks/agencies/",
        {"action": "agency", "province": "A", "name": "Sở Nội vụ A", "kind": "department"},
        lambda w, c: _agency_exists("Sở Nội vụ A"),
    ),
    "task create": Form(
        "province_admin",
        "/tasks/new/",
        {"title": "Việc CSRF", "unit": "A-W1", "due_date": "2030-01-31"},
        lambda w, c: _title_exists("Việc CSRF"),
    ),
    "task progress": Form(
        "province_admin",
        f"/tasks/{FIXED_PK}/",
        {"note": "Đã làm", "percent": "50"},
        lambda w, c: _item().updates.exists(),
        files=_fixed_item,
    ),
    "task edit": Form(
        "province_admin",
        f"/tasks/{FIXED_PK}/edit/",
        {"title": "Đã sửa", "unit": "A-W1", "assignee_unit": "A-W1", "due_date": "2030-02-01"},
        lambda w, c: _item().title == "Đã sửa",
        files=_fixed_item,
    ),
    "task suggest": Form(
        "province_admin",
        "/tasks/suggest/",
        {"year": "2025", "origin": "suggested:3.3:A-W1"},
        lambda w, c: _origin_exists("suggested:3.3:A-W1"),
        files=_suggest_data,
    ),
}
POST_ROUTES: set[str] = {
    "tasks/new/",
    "tasks/suggest/",
    "tasks/agencies/",
    "tasks/<int:pk>/",
    "tasks/<int:pk>/edit/",
}
