"""The scope matrix: every route × every role × an object in and out of scope.

The table of routes is checked against the URL configuration itself (Django patterns and the
ninja API's), so a new route without a line here fails `test_every_route_is_in_the_matrix`.

Expectations: in scope → the page's normal success; out of scope → 404 (the same answer as a
missing object); no permission at all → 404 for HTML pages; anonymous → redirect to the sign-in
page for pages and 401 for the API. Each role's checks run in a savepoint rolled back afterwards,
so the POST routes act on the same objects for every role.
"""

import datetime as dt
import importlib
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone

from kieumau.accounts import services
from kieumau.accounts.models import ApiToken, RoleAssignment
from kieumau.core.actors import CLI
from kieumau.core.errors import DomainError
from kieumau.criteria.models import CriteriaVersion
from kieumau.datavalues.batch import Entry, apply_entries
from kieumau.datavalues.forms_loader import load_default_forms
from kieumau.datavalues.models import (
    DataSet,
    DataValue,
    ImportJob,
    Submission,
    SubmissionEvent,
    ValueComment,
)
from kieumau.datavalues.workflow import transition
from kieumau.engine import period_containing
from kieumau.evaluation.models import EvaluationJob
from kieumau.notifications.models import Notification
from kieumau.orgunits.models import OrgUnit, OrgUnitVersion
from tests.accounts.conftest import ROLE_UNITS, ROLES
from tests.criteria.conftest import import_default

User = get_user_model()

NATIONAL = {"ministry_admin", "ministry_viewer"}
VIEW_UNITS_ROLES = {
    "ministry_admin",
    "ministry_viewer",
    "province_admin",
    "province_appraiser",
    "unit_officer",
    "viewer",
}
MANAGE_UNITS_ROLES = {"ministry_admin"}
USER_ROLES = {"ministry_admin", "province_admin"}
AUDIT_ROLES = {"ministry_admin", "ministry_viewer", "province_admin"}

# A unit each role may see, and one it may not (national roles see everything).
IN_UNIT = {role: "C-W1" if role == "viewer" else "A-W1" for role in ROLE_UNITS}
IN_UNIT["anonymous"] = "A-W1"
OUT_UNIT = {role: "A-W1" if role == "viewer" else "C-W1" for role in ROLE_UNITS}
OUT_UNIT["anonymous"] = "C-W1"
# The top of each role's tree as of today.
TREE_ROOTS = {
    "ministry_admin": ["VN"],
    "ministry_viewer": ["VN"],
    "province_admin": ["A"],
    "province_appraiser": ["A"],
    "unit_officer": ["A-W1"],
    "viewer": ["C"],
}
MISSING_ID = 10**9

# Later apps keep their lines of the matrix in tests/<app>/scope.py (ROUTES, FORMS, POST_ROUTES),
# merged below, so that each app's routes sit next to its other tests.
APP_SCOPE_MODULES = [
    "tests.plans.scope",
    "tests.workitems.scope",
    "tests.feedback.scope",
    "tests.reports.scope",
    "tests.dashboards.scope",
]


@dataclass
class Form:
    role: str
    path: str
    data: dict
    done: object  # callable(world, client) -> bool: the POST took effect
    files: object = None  # callable() -> dict of uploaded files added to the data
    setup: object = None  # callable(world) -> dict of values for the path's {placeholders}


def url_patterns() -> set[str]:
    """Every route of the URL configuration, with the prefixes of the includes (ninja's too)."""

    def walk(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern, prefix + str(pattern.pattern))
            else:
                assert isinstance(pattern, URLPattern)
                yield prefix + str(pattern.pattern)

    return set(walk(get_resolver()))


# -- the world the checks act on ---------------------------------------------------------------
@dataclass
class World:
    people: dict
    subjects: dict
    tokens: dict  # role -> id of the role's own token; "other" -> subject-c's token

    def client(self, role: str, **kwargs) -> Client:
        client = Client(**kwargs)
        if self.people[role] is not None:
            client.force_login(self.people[role])
        return client

    def assignment(self, key: str) -> RoleAssignment:
        return self.subjects[key].role_assignments.get()


@pytest.fixture
def world(people, subjects):
    import_default()
    load_default_forms(CLI)
    for role, user in [*people.items(), ("other", subjects["in_c"])]:
        if user is not None:
            Notification.objects.create(user=user, kind="test", subject=f"tin-{role}")
    tokens = {}
    for role, user in people.items():
        if user is not None:
            tokens[role] = services.create_token(actor=user, user=user, name=f"token-{role}")[0].pk
    other = subjects["in_c"]
    tokens["other"] = services.create_token(actor=other, user=other, name="token-khac")[0].pk
    return World(people, subjects, tokens)


def expect(response, expected, what: str = "") -> None:
    """expected: an HTTP status, or "login" for the redirect to the sign-in page."""
    label = f"{response.request['REQUEST_METHOD']} {response.request['PATH_INFO']} {what}"
    if expected == "login":
        assert response.status_code == 302, f"{label}: {response.status_code}, expected login"
        assert response["Location"].startswith("/accounts/login/?next="), label
    else:
        assert response.status_code == expected, (
            f"{label}: {response.status_code}, expected {expected}"
        )


def page_status(role: str, allowed: set[str]):
    if role == "anonymous":
        return "login"
    return 200 if role in allowed else 404


def out_status(role: str, allowed: set[str]):
    """Status for an out-of-scope object: national roles have none, so theirs succeeds."""
    if role == "anonymous":
        return "login"
    if role not in allowed:
        return 404
    return 200 if role in NATIONAL else 404


def fresh(user):
    return User.objects.get(pk=user.pk)


# -- the checks, one per route -----------------------------------------------------------------
def check_home(w: World, role: str):
    expect(w.client(role).get("/"), page_status(role, set(ROLE_UNITS)))


def check_healthz(w: World, role: str):
    expect(w.client(role).get("/healthz"), 200)


def check_set_language(w: World, role: str):
    client = w.client(role)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/units/"})
    expect(response, 302)
    assert response["Location"] == "/units/"
    assert client.cookies["django_language"].value == "en"


def check_login(w: World, role: str):
    response = w.client(role).get("/accounts/login/")
    if role == "anonymous":
        expect(response, 200)
    else:
        expect(response, 302)
        assert response["Location"] == "/"


def check_logout(w: World, role: str):
    client = w.client(role)
    expect(client.get("/accounts/logout/"), 405)
    response = client.post("/accounts/logout/")
    expect(response, 302)
    assert response["Location"] == "/accounts/login/"
    expect(client.get("/"), "login")


def check_password_change(w: World, role: str):
    expect(w.client(role).get("/accounts/password/"), page_status(role, set(ROLE_UNITS)))


def check_tokens(w: World, role: str):
    response = w.client(role).get("/accounts/tokens/")
    expect(response, page_status(role, set(ROLE_UNITS)))
    if role != "anonymous":
        html = response.content.decode()
        assert f"token-{role}" in html
        assert "token-khac" not in html


def check_token_revoke(w: World, role: str):
    other = w.tokens["other"]
    client = w.client(role)
    if role == "anonymous":
        expect(client.post(f"/accounts/tokens/{other}/revoke/"), "login")
    else:
        own = w.tokens[role]
        response = client.post(f"/accounts/tokens/{own}/revoke/")
        expect(response, 302)
        assert ApiToken.objects.get(pk=own).revoked_at is not None
        hidden = client.post(f"/accounts/tokens/{other}/revoke/")
        missing = client.post(f"/accounts/tokens/{MISSING_ID}/revoke/")
        # Someone else's token: refused exactly like a token that does not exist.
        assert (hidden.status_code, hidden.get("Location")) == (
            missing.status_code,
            missing.get("Location"),
        )
    assert ApiToken.objects.get(pk=other).revoked_at is None


def check_user_list(w: World, role: str):
    response = w.client(role).get("/accounts/users/")
    expect(response, page_status(role, USER_ROLES))
    if role in USER_ROLES:
        listed = {u.username for u in response.context["users"]}
        assert "subject-a" in listed
        assert ("subject-c" in listed) == (role in NATIONAL)


def check_user_create(w: World, role: str):
    client = w.client(role)
    expect(client.get("/accounts/users/new/"), page_status(role, USER_ROLES))
    data = {"username": "moi-a", "full_name": "Mới", "role": "viewer", "unit_code": "A-W1"}
    response = client.post("/accounts/users/new/", data)
    if role in USER_ROLES:
        expect(response, 302)
        assert User.objects.filter(username="moi-a").exists()
    else:
        expect(response, page_status(role, USER_ROLES))
        assert not User.objects.filter(username="moi-a").exists()
    data = {**data, "username": "moi-c", "unit_code": "C-W1"}
    response = client.post("/accounts/users/new/", data)
    created = User.objects.filter(username="moi-c").exists()
    if role in NATIONAL & USER_ROLES:
        expect(response, 302)
        assert created
    elif role in USER_ROLES:
        expect(response, 200)  # the form again, saying the unit was not found
        assert "không tìm thấy đơn vị" in response.content.decode()
        assert not created
    else:
        expect(response, page_status(role, USER_ROLES))
        assert not created


def check_user_detail(w: World, role: str):
    client = w.client(role)
    a, c = w.subjects["in_a"].pk, w.subjects["in_c"].pk
    expect(client.get(f"/accounts/users/{a}/"), page_status(role, USER_ROLES), "in scope")
    expect(client.get(f"/accounts/users/{c}/"), out_status(role, USER_ROLES), "out of scope")
    missing = "login" if role == "anonymous" else 404
    expect(client.get(f"/accounts/users/{MISSING_ID}/"), missing, "missing")


def _post_on_subjects(w: World, role: str, path: str, data: dict, changed) -> None:
    """POST on the in-scope and the out-of-scope subject; `changed(key)` says if it acted."""
    client = w.client(role)
    for key in ("in_a", "in_c"):
        response = client.post(path.format(user=w.subjects[key].pk, a=w.assignment(key).pk), data)
        if role == "anonymous":
            expect(response, "login", key)
            assert not changed(key)
        elif role not in USER_ROLES:
            expect(response, 404, key)
            assert not changed(key)
        elif key == "in_a" or role in NATIONAL:
            expect(response, 302, key)
            assert changed(key), f"{role} could not act on {key}"
        else:
            # Out of scope: refused, nothing changed (the page answers like a missing user).
            assert response.status_code in (302, 404)
            assert not changed(key), f"{role} acted on {key}"


def check_user_lock(w: World, role: str):
    _post_on_subjects(
        w,
        role,
        "/accounts/users/{user}/lock/",
        {"active": "0"},
        lambda key: not fresh(w.subjects[key]).is_active,
    )


def check_user_reset_password(w: World, role: str):
    hashes = {key: user.password for key, user in w.subjects.items()}
    _post_on_subjects(
        w,
        role,
        "/accounts/users/{user}/password/",
        {},
        lambda key: fresh(w.subjects[key]).password != hashes[key],
    )


def check_role_end(w: World, role: str):
    _post_on_subjects(
        w,
        role,
        "/accounts/users/{user}/roles/{a}/end/",
        {},
        lambda key: RoleAssignment.objects.get(pk=w.assignment(key).pk).valid_to is not None,
    )


def check_units_tree(w: World, role: str):
    response = w.client(role).get("/units/")
    expect(response, page_status(role, VIEW_UNITS_ROLES))
    if role in VIEW_UNITS_ROLES:
        assert [n.row.code for n in response.context["nodes"]] == TREE_ROOTS[role]


def check_reorganise(w: World, role: str):
    expect(w.client(role).get("/units/reorganise/"), page_status(role, MANAGE_UNITS_ROLES))


def check_unit_detail(w: World, role: str):
    client = w.client(role)
    expect(client.get(f"/units/{IN_UNIT[role]}/"), page_status(role, VIEW_UNITS_ROLES), "in")
    expect(client.get(f"/units/{OUT_UNIT[role]}/"), out_status(role, VIEW_UNITS_ROLES), "out")
    missing = "login" if role == "anonymous" else 404
    expect(client.get("/units/KHONG-CO/"), missing, "missing")


def check_unit_children(w: World, role: str):
    client = w.client(role)
    in_status = page_status(role, VIEW_UNITS_ROLES)
    expect(client.get(f"/units/{IN_UNIT[role]}/children/"), in_status, "in")
    out = out_status(role, VIEW_UNITS_ROLES)
    expect(client.get(f"/units/{OUT_UNIT[role]}/children/"), out, "out")


def check_unit_edit(w: World, role: str):
    client = w.client(role)
    expect(client.get("/units/A-W1/edit/"), page_status(role, MANAGE_UNITS_ROLES))
    expect(client.get("/units/C-W1/edit/"), page_status(role, MANAGE_UNITS_ROLES))
    response = client.post(
        "/units/C-W1/edit/",
        {"effective_date": "2026-01-01", "name": "Đổi tên", "legal_basis": "QĐ 1"},
    )
    renamed = OrgUnitVersion.objects.filter(unit__code="C-W1", name="Đổi tên").exists()
    if role in MANAGE_UNITS_ROLES:
        expect(response, 302)
        assert renamed
    else:
        expect(response, page_status(role, MANAGE_UNITS_ROLES))
        assert not renamed


def check_audit(w: World, role: str):
    response = w.client(role).get("/audit/")
    expect(response, page_status(role, AUDIT_ROLES))
    if role in AUDIT_ROLES:
        units = {e.unit.code for e in response.context["page"] if e.unit_id}
        assert "A-W1" in units
        assert ("C-W1" in units) == (role in NATIONAL)


def check_api_openapi(w: World, role: str):
    response = w.client(role).get("/api/v1/openapi.json")
    expect(response, 200)
    assert "/api/v1/units" in response.json()["paths"]


def check_api_docs(w: World, role: str):
    expect(w.client(role).get("/api/v1/docs"), 200)


def check_api_root(w: World, role: str):
    expect(w.client(role).get("/api/v1/"), 404)


def api_status(role: str, in_scope: bool):
    if role == "anonymous":
        return 401
    if role not in VIEW_UNITS_ROLES:
        return 404
    return 200 if in_scope or role in NATIONAL else 404


def check_api_units(w: World, role: str):
    response = w.client(role).get("/api/v1/units")
    expect(response, 401 if role == "anonymous" else 200)
    if role != "anonymous":
        listed = {row["code"] for row in response.json()}
        assert (IN_UNIT[role] in listed) == (role in VIEW_UNITS_ROLES)
        assert (OUT_UNIT[role] in listed) == (role in NATIONAL)


def check_api_unit(w: World, role: str):
    client = w.client(role)
    expect(client.get(f"/api/v1/units/{IN_UNIT[role]}"), api_status(role, True), "in")
    expect(client.get(f"/api/v1/units/{OUT_UNIT[role]}"), api_status(role, False), "out")


def check_api_history(w: World, role: str):
    client = w.client(role)
    expect(client.get(f"/api/v1/units/{IN_UNIT[role]}/history"), api_status(role, True), "in")
    expect(client.get(f"/api/v1/units/{OUT_UNIT[role]}/history"), api_status(role, False), "out")


# -- criteria and evaluation ---------------------------------------------------------------------
CRITERIA_ROLES = set(ROLE_UNITS)  # every role reads the criteria (agency officers included)
MANAGE_CRITERIA_ROLES = {"ministry_admin"}
EVALUATION_ROLES = VIEW_UNITS_ROLES
RUN_EVALUATION_ROLES = {"ministry_admin", "province_admin"}
V1 = "/criteria/QD5764/v1/"


def check_criteria_sets(w: World, role: str):
    expect(w.client(role).get("/criteria/"), page_status(role, CRITERIA_ROLES))


def check_criteria_version(w: World, role: str):
    expect(w.client(role).get(V1), page_status(role, CRITERIA_ROLES))
    missing = "login" if role == "anonymous" else 404
    expect(w.client(role).get("/criteria/QD5764/v99/"), missing, "missing version")


def check_criteria_action(w: World, role: str):
    response = w.client(role).post(f"{V1}derive/")
    derived = CriteriaVersion.objects.filter(criteria_set__code="QD5764", number=2).exists()
    if role in MANAGE_CRITERIA_ROLES:
        expect(response, 302)
        assert derived
    else:
        expect(response, page_status(role, MANAGE_CRITERIA_ROLES))
        assert not derived


def check_rule_editor(w: World, role: str):
    expect(w.client(role).get(f"{V1}rules/3.1/"), page_status(role, MANAGE_CRITERIA_ROLES))


def check_rule_validate(w: World, role: str):
    response = w.client(role).post(f"{V1}validate/", {"rule": "security_land_area >= "})
    expect(response, page_status(role, MANAGE_CRITERIA_ROLES))


def check_matrix(w: World, role: str):
    client = w.client(role)
    query = {"period": "2024", "as_of": "2024-06-01"}
    in_response = client.get("/evaluation/matrix/", {**query, "under": IN_UNIT[role]})
    expect(in_response, page_status(role, EVALUATION_ROLES), "in")
    out_response = client.get("/evaluation/matrix/", {**query, "under": OUT_UNIT[role]})
    expect(out_response, out_status(role, EVALUATION_ROLES), "out")


def check_scorecard(w: World, role: str):
    client = w.client(role)
    url = "/evaluation/units/{}/?period=2024"
    expect(client.get(url.format(IN_UNIT[role])), page_status(role, EVALUATION_ROLES), "in")
    expect(client.get(url.format(OUT_UNIT[role])), out_status(role, EVALUATION_ROLES), "out")


def check_start_job(w: World, role: str):
    client = w.client(role)
    for unit, in_scope in ((IN_UNIT[role], True), (OUT_UNIT[role], False)):
        before = EvaluationJob.objects.count()
        response = client.post("/evaluation/jobs/", {"under": unit, "period": "2024"})
        created = EvaluationJob.objects.count() > before
        allowed = role in RUN_EVALUATION_ROLES and (in_scope or role in NATIONAL)
        if role == "anonymous":
            expect(response, "login", unit)
        elif allowed:
            expect(response, 302, unit)
        else:
            expect(response, 404, unit)
        assert created == allowed, f"{role} {unit}: job created={created}"


def check_job(w: World, role: str):
    client = w.client(role)
    jobs = {
        code: EvaluationJob.objects.create(root=OrgUnit.objects.get(code=code), period="2024").pk
        for code in ("A-W1", "C-W1")
    }
    expect(
        client.get(f"/evaluation/jobs/{jobs[IN_UNIT[role]]}/"), page_status(role, EVALUATION_ROLES)
    )
    expect(
        client.get(f"/evaluation/jobs/{jobs[OUT_UNIT[role]]}/"), out_status(role, EVALUATION_ROLES)
    )


def check_api_evaluation(w: World, role: str):
    client = w.client(role)
    url = "/api/v1/units/{}/evaluation?period=2024"
    expect(client.get(url.format(IN_UNIT[role])), api_status(role, True), "in")
    expect(client.get(url.format(OUT_UNIT[role])), api_status(role, False), "out")


# -- data collection -----------------------------------------------------------------------------
DATA_ROLES = VIEW_UNITS_ROLES  # datavalues.view: every reading role
ENTER_ROLES = {"ministry_admin", "province_admin", "unit_officer"}
APPROVE_ROLES = {"ministry_admin", "province_admin"}
# Last month: its monthly report is open for entry whatever today is.
MONTH = period_containing(timezone.localdate(), "month").previous().code
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONTHLY = {
    "crime_reports_received": "10",
    "crime_reports_handled_on_time": "9",
    "crime_social_order": "2",
    "dossiers_settled": "40",
    "dossiers_on_time": "38",
    "dossiers_early": "5",
}


def entry_url(unit: str) -> str:
    return f"/data/entry/{unit}/BC-THANG/{MONTH}/"


def history_url(unit: str) -> str:
    return f"/data/values/{unit}/{MONTH}/crime_social_order/"


def acted_status(role: str, allowed: set[str], in_scope: bool, success=302):
    """A POST's answer: `success` where the role may act on the unit, 404 otherwise."""
    if role == "anonymous":
        return "login"
    return success if role in allowed and (in_scope or role in NATIONAL) else 404


def both_units(role: str):
    return ((IN_UNIT[role], True), (OUT_UNIT[role], False))


def submitted_reports() -> dict[str, Submission]:
    """A complete, submitted monthly report for A-W1 and C-W1 (entered by the system)."""
    out = {}
    for unit in ("A-W1", "C-W1"):
        apply_entries(
            actor=CLI,
            entries=[Entry(unit, code, MONTH, raw) for code, raw in MONTHLY.items()],
            source="test",
        )
        sub, _ = Submission.objects.get_or_create(
            dataset=DataSet.objects.get(code="BC-THANG"),
            unit=OrgUnit.objects.get(code=unit),
            period=MONTH,
        )
        out[unit] = transition(actor=CLI, submission_id=sub.pk, action="submit")
    return out


def check_data_index(w: World, role: str):
    expect(w.client(role).get("/data/"), page_status(role, DATA_ROLES))


def check_data_entry(w: World, role: str):
    client = w.client(role)
    expect(client.get(entry_url(IN_UNIT[role])), page_status(role, DATA_ROLES), "in")
    expect(client.get(entry_url(OUT_UNIT[role])), out_status(role, DATA_ROLES), "out")
    for unit, in_scope in both_units(role):
        response = client.post(entry_url(unit), {"action": "save", "v_crime_social_order": "3"})
        wanted = acted_status(role, ENTER_ROLES, in_scope)
        expect(response, wanted, f"save {unit}")
        written = DataValue.objects.filter(unit__code=unit, period=MONTH).exists()
        assert written == (wanted == 302), f"{role} {unit}: written={written}"


def check_data_check(w: World, role: str):
    client = w.client(role)
    for unit, in_scope in both_units(role):
        response = client.post(entry_url(unit) + "check/", {"v_crime_social_order": "hai"})
        expect(response, acted_status(role, DATA_ROLES, in_scope, success=200), unit)
        if response.status_code == 200:
            assert "không phải là số" in response.content.decode()
    assert not DataValue.objects.exists()


def check_data_review(w: World, role: str):
    reports = submitted_reports()
    client = w.client(role)
    for unit, in_scope in both_units(role):
        url = entry_url(unit) + "review/"
        response = client.post(url, {"action": "comment", "comment": "ý kiến"})
        wanted = acted_status(role, DATA_ROLES, in_scope)
        expect(response, wanted, f"comment {unit}")
        commented = SubmissionEvent.objects.filter(
            submission=reports[unit], action="comment"
        ).exists()
        assert commented == (wanted == 302), f"{role} {unit}: comment"
        response = client.post(url, {"action": "approve", "sub_rev": "2"})
        wanted = acted_status(role, APPROVE_ROLES, in_scope)
        expect(response, wanted, f"approve {unit}")
        status = Submission.objects.get(pk=reports[unit].pk).status
        assert (status == "approved") == (wanted == 302), f"{role} {unit}: {status}"


def check_data_history(w: World, role: str):
    client = w.client(role)
    expect(client.get(history_url(IN_UNIT[role])), page_status(role, DATA_ROLES), "in")
    expect(client.get(history_url(OUT_UNIT[role])), out_status(role, DATA_ROLES), "out")
    for unit, in_scope in both_units(role):
        response = client.post(history_url(unit), {"text": "nguồn số liệu"})
        wanted = acted_status(role, DATA_ROLES, in_scope)
        expect(response, wanted, f"comment {unit}")
        commented = ValueComment.objects.filter(unit__code=unit).exists()
        assert commented == (wanted == 302), f"{role} {unit}"


def check_data_status(w: World, role: str):
    client = w.client(role)
    query = {"form": "BC-THANG", "period": MONTH}
    expect(client.get("/data/status/", query), page_status(role, DATA_ROLES), "default")
    in_response = client.get("/data/status/", {**query, "under": IN_UNIT[role]})
    expect(in_response, page_status(role, DATA_ROLES), "in")
    out_response = client.get("/data/status/", {**query, "under": OUT_UNIT[role]})
    expect(out_response, out_status(role, DATA_ROLES), "out")
    if in_response.status_code == 200:
        assert [r.code for r in in_response.context["data"]["rows"]] == [IN_UNIT[role]]


def check_data_template(w: World, role: str):
    client = w.client(role)
    for unit, in_scope in both_units(role):
        response = client.get("/data/template/", {"unit": unit, "period": MONTH})
        expect(response, acted_status(role, DATA_ROLES, in_scope, success=200), unit)
        if response.status_code == 200:
            assert response["Content-Type"] == XLSX


def check_data_import(w: World, role: str):
    client = w.client(role)
    expect(client.get("/data/import/"), page_status(role, ENTER_ROLES))
    upload = SimpleUploadedFile("so-lieu.xlsx", b"PK not really a workbook", content_type=XLSX)
    response = client.post("/data/import/", {"file": upload})
    queued = ImportJob.objects.filter(filename="so-lieu.xlsx").exists()
    if role == "anonymous":
        expect(response, "login")
    elif role in ENTER_ROLES:
        expect(response, 302)
        assert response["Location"].startswith("/data/import/")
    else:
        expect(response, 404)
    assert queued == (role in ENTER_ROLES)


def own_and_other_jobs(w: World, role: str) -> tuple[int | None, int]:
    """An import job of the role's person (None for anonymous) and one of somebody else."""
    user = w.people[role]
    own = (
        ImportJob.objects.create(
            filename="cua-toi.xlsx",
            content=b"x",
            sha256="0" * 64,
            created_by=user,
            status="refused",
            problems=[{"message": "lỗi", "sheet": "A-W1", "cell": "C5"}],
        ).pk
        if user
        else None
    )
    other = ImportJob.objects.create(
        filename="cua-nguoi-khac.xlsx",
        content=b"x",
        sha256="1" * 64,
        created_by=w.subjects["in_a"],
        status="refused",
        problems=[{"message": "lỗi"}],
    ).pk
    return own, other


def check_data_import_job(w: World, role: str):
    client = w.client(role)
    own, other = own_and_other_jobs(w, role)
    if own is not None:
        expect(client.get(f"/data/import/{own}/"), page_status(role, ENTER_ROLES), "own")
    # Somebody else's job is nobody's business, even a ministry administrator's.
    missing = "login" if role == "anonymous" else 404
    expect(client.get(f"/data/import/{other}/"), missing, "other")


def check_data_import_errors(w: World, role: str):
    client = w.client(role)
    own, other = own_and_other_jobs(w, role)
    if own is not None:
        response = client.get(f"/data/import/{own}/errors.xlsx")
        expect(response, page_status(role, ENTER_ROLES), "own")
        if response.status_code == 200:
            assert response["Content-Type"] == XLSX
    missing = "login" if role == "anonymous" else 404
    expect(client.get(f"/data/import/{other}/errors.xlsx"), missing, "other")


def check_notifications(w: World, role: str):
    response = w.client(role).get("/notifications/")
    expect(response, page_status(role, set(ROLE_UNITS)))
    if role != "anonymous":
        subjects = {n.subject for n in response.context["notifications"]}
        assert subjects == {f"tin-{role}"}


def check_notifications_read(w: World, role: str):
    client = w.client(role)
    other = Notification.objects.get(subject="tin-other")
    response = client.post("/notifications/read/", {"id": str(other.pk)})
    expect(response, "login" if role == "anonymous" else 302)
    assert Notification.objects.get(pk=other.pk).read_at is None
    if role != "anonymous":
        client.post("/notifications/read/", {})
        assert Notification.objects.get(subject=f"tin-{role}").read_at is not None
        assert Notification.objects.get(pk=other.pk).read_at is None


def check_api_datavalues(w: World, role: str):
    client = w.client(role)
    for unit, in_scope in both_units(role):
        response = client.get("/api/v1/datavalues", {"unit": unit, "period": MONTH})
        expect(response, api_status(role, in_scope), f"read {unit}")
    missing = client.post(
        "/api/v1/datavalues",
        [{"unit": "KHONG-CO", "indicator": "crime_social_order", "period": MONTH, "value": 3}],
        content_type="application/json",
    )
    for unit, in_scope in both_units(role):
        row = {"unit": unit, "indicator": "crime_social_order", "period": MONTH, "value": 3}
        response = client.post("/api/v1/datavalues", [row], content_type="application/json")
        written = DataValue.objects.filter(unit__code=unit, period=MONTH).exists()
        if role == "anonymous":
            expect(response, 401, unit)
        elif role in ENTER_ROLES and (in_scope or role in NATIONAL):
            expect(response, 200, unit)
        else:
            # Refused exactly like a unit that does not exist.
            expect(response, missing.status_code, unit)
            detail = response.json()["detail"]
            assert detail == missing.json()["detail"].replace("KHONG-CO", unit), detail
        assert written == (response.status_code == 200), f"{role} {unit}"


def check_api_datavalues_status(w: World, role: str):
    client = w.client(role)
    for unit, in_scope in both_units(role):
        query = {"form": "BC-THANG", "period": MONTH, "under": unit}
        response = client.get("/api/v1/datavalues/status", query)
        expect(response, api_status(role, in_scope), unit)
        if response.status_code == 200:
            assert [u["code"] for u in response.json()["units"]] == [unit]


# -- evidence files --------------------------------------------------------------------------------
EVIDENCE_ROLES = VIEW_UNITS_ROLES  # assessments.view: every reading role
SELF_ASSESS_ROLES = {"ministry_admin", "province_admin", "unit_officer"}
EVIDENCE = "/assessments/evidence/"


def evidence_storage():
    """The "evidence" storage in a temporary directory, for one check."""
    import contextlib
    import tempfile

    from django.conf import settings
    from django.test import override_settings

    stack = contextlib.ExitStack()
    root = stack.enter_context(tempfile.TemporaryDirectory())
    backend = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    storages = {**settings.STORAGES, "evidence": {**backend, "OPTIONS": {"location": root}}}
    stack.enter_context(override_settings(STORAGES=storages))
    return stack


def check_evidence_list(w: World, role: str):
    from kieumau.assessments.models import EvidenceFile

    client = w.client(role)
    with evidence_storage():
        in_response = client.get(EVIDENCE, {"unit": IN_UNIT[role]})
        expect(in_response, page_status(role, EVIDENCE_ROLES), "in")
        out_response = client.get(EVIDENCE, {"unit": OUT_UNIT[role]})
        expect(out_response, out_status(role, EVIDENCE_ROLES), "out")
        for unit, in_scope in both_units(role):
            upload = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4\n%%EOF\n")
            response = client.post(f"{EVIDENCE}?unit={unit}", {"file": upload})
            wanted = acted_status(role, SELF_ASSESS_ROLES, in_scope)
            expect(response, wanted, f"upload {unit}")
            stored = EvidenceFile.objects.filter(unit__code=unit).exists()
            assert stored == (wanted == 302), f"{role} {unit}: stored={stored}"


def check_evidence_file(w: World, role: str):
    from kieumau.assessments.evidence import store_evidence

    client = w.client(role)
    with evidence_storage():
        files = {
            code: store_evidence(
                actor=CLI,
                unit_code=code,
                upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n" + code.encode()),
            ).pk
            for code in ("A-W1", "C-W1")
        }
        in_response = client.get(f"{EVIDENCE}{files[IN_UNIT[role]]}/")
        expect(in_response, page_status(role, EVIDENCE_ROLES), "in")
        out_response = client.get(f"{EVIDENCE}{files[OUT_UNIT[role]]}/")
        expect(out_response, out_status(role, EVIDENCE_ROLES), "out")
        missing = "login" if role == "anonymous" else 404
        expect(client.get(f"{EVIDENCE}{MISSING_ID}/"), missing, "missing")


# -- assessment cases ----------------------------------------------------------------------------
ASSESS_ROLES = VIEW_UNITS_ROLES  # assessments.view: every reading role
APPRAISE_ROLES = {"ministry_admin", "province_admin", "province_appraiser"}
REGISTER_ROLES = {"ministry_admin", "province_admin"}
CASES = "/assessments/"
CASES_API = "/api/v1/assessments"


def assessment_cases(submitted: bool = False) -> dict:
    """A 2025 case of A-W1 and of C-W1 registered by the system; when `submitted`, also
    self-assessed and submitted by the system (so every person is independent of them)."""
    from kieumau.assessments import workflow as case_workflow
    from kieumau.assessments.services import register_cases

    cases = {}
    for unit in ("A-W1", "C-W1"):
        (case,) = register_cases(actor=CLI, unit_codes=[unit], year=2025)
        if submitted:
            case.criteria.update(self_status="met", no_evidence_reason="Lưu bản giấy")
            case = case_workflow.transition(actor=CLI, case_id=case.pk, action="submit")
        cases[unit] = case
    return cases


def check_assessments_index(w: World, role: str):
    from kieumau.assessments.models import AssessmentCase

    client = w.client(role)
    for unit in ("A-W9", "C-W1"):
        response = client.post(CASES, {"units": unit, "year": "2025"})
        allowed = role in REGISTER_ROLES and (unit == "A-W9" or role in NATIONAL)
        registered = AssessmentCase.objects.filter(unit__code=unit).exists()
        if role == "anonymous":
            expect(response, "login", unit)
        elif role not in REGISTER_ROLES:
            expect(response, 404, unit)
        else:
            expect(response, 302 if allowed else 400, unit)
        assert registered == allowed, f"{role} {unit}: registered={registered}"
    AssessmentCase.objects.all().delete()
    assessment_cases()
    response = client.get(CASES)
    expect(response, page_status(role, ASSESS_ROLES))
    if response.status_code == 200:
        listed = {row.code for row in response.context["listing"].rows}
        assert IN_UNIT[role] in listed
        assert (OUT_UNIT[role] in listed) == (role in NATIONAL)
    out = client.get(CASES, {"under": OUT_UNIT[role]})
    expect(out, out_status(role, ASSESS_ROLES), "under out")


def check_case_page(w: World, role: str):
    cases = assessment_cases()
    client = w.client(role)
    in_page = client.get(f"{CASES}cases/{cases[IN_UNIT[role]].pk}/")
    expect(in_page, page_status(role, ASSESS_ROLES), "in")
    out_page = client.get(f"{CASES}cases/{cases[OUT_UNIT[role]].pk}/")
    expect(out_page, out_status(role, ASSESS_ROLES), "out")
    missing = "login" if role == "anonymous" else 404
    expect(client.get(f"{CASES}cases/{MISSING_ID}/"), missing, "missing")


def check_case_dossier(w: World, role: str):
    cases = assessment_cases(submitted=True)
    client = w.client(role)
    in_page = client.get(f"{CASES}cases/{cases[IN_UNIT[role]].pk}/dossier/")
    expect(in_page, page_status(role, ASSESS_ROLES), "in")
    out_page = client.get(f"{CASES}cases/{cases[OUT_UNIT[role]].pk}/dossier/")
    expect(out_page, out_status(role, ASSESS_ROLES), "out")


def check_case_self_assess(w: World, role: str):
    from kieumau.assessments.models import CaseCriterion

    cases = assessment_cases()
    client = w.client(role)
    for unit, in_scope in both_units(role):
        case = cases[unit]
        response = client.post(
            f"{CASES}cases/{case.pk}/criteria/1.1/",
            {"self_status": "not_met", "narrative": "Chưa đạt"},
        )
        wanted = acted_status(role, SELF_ASSESS_ROLES, in_scope)
        expect(response, wanted, unit)
        saved = CaseCriterion.objects.get(case=case, code="1.1").narrative == "Chưa đạt"
        assert saved == (wanted == 302), f"{role} {unit}: saved={saved}"


def check_case_decide(w: World, role: str):
    from kieumau.assessments.models import CaseCriterion

    cases = assessment_cases(submitted=True)
    client = w.client(role)
    for unit, in_scope in both_units(role):
        case = cases[unit]
        response = client.post(
            f"{CASES}cases/{case.pk}/criteria/1.1/decision/", {"decision": "agree"}
        )
        wanted = acted_status(role, APPRAISE_ROLES, in_scope)
        expect(response, wanted, unit)
        decided = CaseCriterion.objects.get(case=case, code="1.1").decision == "agree"
        assert decided == (wanted == 302), f"{role} {unit}: decided={decided}"


def check_case_agree_remaining(w: World, role: str):
    from kieumau.assessments.models import CaseCriterion

    cases = assessment_cases(submitted=True)
    client = w.client(role)
    for unit, in_scope in both_units(role):
        case = cases[unit]
        response = client.post(f"{CASES}cases/{case.pk}/agree-remaining/")
        wanted = acted_status(role, APPRAISE_ROLES, in_scope)
        expect(response, wanted, unit)
        agreed = CaseCriterion.objects.filter(case=case, decision="agree").exists()
        assert agreed == (wanted == 302), f"{role} {unit}: agreed={agreed}"


def check_case_transition(w: World, role: str):
    from kieumau.assessments.models import AssessmentCase

    cases = assessment_cases(submitted=True)
    client = w.client(role)
    for unit, in_scope in both_units(role):
        case = cases[unit]
        response = client.post(
            f"{CASES}cases/{case.pk}/transition/",
            {"action": "return", "revision": case.revision, "comment": "Bổ sung"},
        )
        wanted = acted_status(role, APPRAISE_ROLES, in_scope)
        expect(response, wanted, unit)
        returned = AssessmentCase.objects.get(pk=case.pk).status == "returned"
        assert returned == (wanted == 302), f"{role} {unit}: returned={returned}"


def check_case_comment(w: World, role: str):
    from kieumau.assessments.models import CaseEvent

    cases = assessment_cases()
    client = w.client(role)
    for unit, in_scope in both_units(role):
        response = client.post(f"{CASES}cases/{cases[unit].pk}/comment/", {"comment": "ý kiến"})
        wanted = acted_status(role, ASSESS_ROLES, in_scope)
        expect(response, wanted, unit)
        commented = CaseEvent.objects.filter(case=cases[unit], action="comment").exists()
        assert commented == (wanted == 302), f"{role} {unit}: commented={commented}"


def recognise_all(cases: dict) -> None:
    from kieumau.assessments.models import AssessmentCase

    AssessmentCase.objects.filter(pk__in=[c.pk for c in cases.values()]).update(
        status="recognised",
        recognised_year=2025,
        decision_number="1/QĐ-BCA",
        decision_date=dt.date(2026, 1, 5),
        decision_signer="Bộ trưởng",
    )


def check_recognised_register(w: World, role: str):
    recognise_all(assessment_cases())
    response = w.client(role).get(f"{CASES}recognised/", {"year": "2025"})
    expect(response, page_status(role, ASSESS_ROLES))
    if response.status_code == 200:
        listed = {r.case.unit.code for r in response.context["rows"]}
        assert IN_UNIT[role] in listed
        assert (OUT_UNIT[role] in listed) == (role in NATIONAL)


def check_national_view(w: World, role: str):
    assessment_cases()
    response = w.client(role).get(f"{CASES}national/", {"year": "2025"})
    expect(response, page_status(role, ASSESS_ROLES))
    if response.status_code == 200:
        provinces = {p.code for p in response.context["data"]["provinces"]}
        assert provinces == ({"A", "C"} if role in NATIONAL else {IN_UNIT[role].split("-")[0]})


def check_api_cases(w: World, role: str):
    from kieumau.assessments.models import AssessmentCase

    client = w.client(role)
    for unit in ("A-W9", "C-W1"):
        response = client.post(
            f"{CASES_API}/cases",
            {"units": [unit], "year": 2025},
            content_type="application/json",
        )
        allowed = role in REGISTER_ROLES and (unit == "A-W9" or role in NATIONAL)
        expect(response, 401 if role == "anonymous" else 201 if allowed else 400, unit)
        registered = AssessmentCase.objects.filter(unit__code=unit).exists()
        assert registered == allowed, f"{role} {unit}: registered={registered}"
    AssessmentCase.objects.all().delete()
    assessment_cases()
    response = client.get(f"{CASES_API}/cases")
    expect(response, 401 if role == "anonymous" else 200)
    if role != "anonymous":
        listed = {c["unit"] for c in response.json()["cases"]}
        assert (IN_UNIT[role] in listed) == (role in ASSESS_ROLES)
        assert (OUT_UNIT[role] in listed) == (role in NATIONAL)


def check_api_case(w: World, role: str):
    cases = assessment_cases()
    client = w.client(role)
    for unit, in_scope in both_units(role):
        response = client.get(f"{CASES_API}/cases/{cases[unit].pk}")
        expect(response, api_status(role, in_scope), unit)


def _api_write(w: World, role: str, cases: dict, path: str, method: str, payload, roles, ok):
    """Send `payload` to `path` (formatted with the case id) for the in- and out-of-scope case."""
    client = w.client(role)
    for unit, in_scope in both_units(role):
        response = getattr(client, method)(
            f"{CASES_API}/cases/{cases[unit].pk}{path}",
            payload,
            content_type="application/json",
        )
        if role == "anonymous":
            expect(response, 401, unit)
        else:
            expect(response, ok if role in roles and (in_scope or role in NATIONAL) else 404, unit)


def check_api_case_criterion(w: World, role: str):
    from kieumau.assessments.models import CaseCriterion

    cases = assessment_cases()
    payload = {"self_status": "not_met", "narrative": "API"}
    _api_write(w, role, cases, "/criteria/1.1", "put", payload, SELF_ASSESS_ROLES, 200)
    for unit, in_scope in both_units(role):
        saved = CaseCriterion.objects.get(case=cases[unit], code="1.1").narrative == "API"
        allowed = role in SELF_ASSESS_ROLES and (in_scope or role in NATIONAL)
        assert saved == allowed, f"{role} {unit}: saved={saved}"


def check_api_case_decision(w: World, role: str):
    cases = assessment_cases(submitted=True)
    payload = {"decision": "agree"}
    _api_write(w, role, cases, "/criteria/1.1/decision", "post", payload, APPRAISE_ROLES, 200)


def check_api_case_transitions(w: World, role: str):
    cases = assessment_cases(submitted=True)
    payload = {"action": "return", "comment": "Bổ sung"}
    _api_write(w, role, cases, "/transitions", "post", payload, APPRAISE_ROLES, 200)


def check_api_case_comments(w: World, role: str):
    cases = assessment_cases()
    _api_write(w, role, cases, "/comments", "post", {"comment": "ý kiến"}, ASSESS_ROLES, 201)


def check_api_recognised(w: World, role: str):
    recognise_all(assessment_cases())
    response = w.client(role).get(f"{CASES_API}/recognised", {"year": 2025})
    expect(response, 401 if role == "anonymous" else 200)
    if role != "anonymous":
        listed = {r["unit"] for r in response.json()}
        assert (IN_UNIT[role] in listed) == (role in ASSESS_ROLES)
        assert (OUT_UNIT[role] in listed) == (role in NATIONAL)


ROUTES = {
    "": check_home,
    "healthz": check_healthz,
    "i18n/setlang/": check_set_language,
    "accounts/login/": check_login,
    "accounts/logout/": check_logout,
    "accounts/password/": check_password_change,
    "accounts/tokens/": check_tokens,
    "accounts/tokens/<int:token_id>/revoke/": check_token_revoke,
    "accounts/users/": check_user_list,
    "accounts/users/new/": check_user_create,
    "accounts/users/<int:user_id>/": check_user_detail,
    "accounts/users/<int:user_id>/lock/": check_user_lock,
    "accounts/users/<int:user_id>/password/": check_user_reset_password,
    "accounts/users/<int:user_id>/roles/<int:assignment_id>/end/": check_role_end,
    "units/": check_units_tree,
    "units/reorganise/": check_reorganise,
    "units/<str:code>/": check_unit_detail,
    "units/<str:code>/children/": check_unit_children,
    "units/<str:code>/edit/": check_unit_edit,
    "audit/": check_audit,
    "api/v1/openapi.json": check_api_openapi,
    "api/v1/docs": check_api_docs,
    "api/v1/": check_api_root,
    "api/v1/units": check_api_units,
    "api/v1/units/<code>": check_api_unit,
    "api/v1/units/<code>/history": check_api_history,
    "api/v1/units/<code>/evaluation": check_api_evaluation,
    "criteria/": check_criteria_sets,
    "criteria/<str:set_code>/v<int:number>/": check_criteria_version,
    "criteria/<str:set_code>/v<int:number>/<str:action>/": check_criteria_action,
    "criteria/<str:set_code>/v<int:number>/rules/<str:code>/": check_rule_editor,
    "criteria/<str:set_code>/v<int:number>/validate/": check_rule_validate,
    "evaluation/matrix/": check_matrix,
    "evaluation/units/<str:code>/": check_scorecard,
    "evaluation/jobs/": check_start_job,
    "evaluation/jobs/<int:job_id>/": check_job,
    "data/": check_data_index,
    "data/entry/<str:unit>/<str:form>/<str:period>/": check_data_entry,
    "data/entry/<str:unit>/<str:form>/<str:period>/check/": check_data_check,
    "data/entry/<str:unit>/<str:form>/<str:period>/review/": check_data_review,
    "data/values/<str:unit>/<str:period>/<str:indicator>/": check_data_history,
    "data/status/": check_data_status,
    "data/template/": check_data_template,
    "data/import/": check_data_import,
    "data/import/<int:job_id>/": check_data_import_job,
    "data/import/<int:job_id>/errors.xlsx": check_data_import_errors,
    "notifications/": check_notifications,
    "notifications/read/": check_notifications_read,
    "api/v1/datavalues": check_api_datavalues,
    "api/v1/datavalues/status": check_api_datavalues_status,
    "assessments/evidence/": check_evidence_list,
    "assessments/evidence/<int:pk>/": check_evidence_file,
    "assessments/": check_assessments_index,
    "assessments/cases/<int:pk>/": check_case_page,
    "assessments/cases/<int:pk>/dossier/": check_case_dossier,
    "assessments/cases/<int:pk>/criteria/<str:code>/": check_case_self_assess,
    "assessments/cases/<int:pk>/criteria/<str:code>/decision/": check_case_decide,
    "assessments/cases/<int:pk>/agree-remaining/": check_case_agree_remaining,
    "assessments/cases/<int:pk>/transition/": check_case_transition,
    "assessments/cases/<int:pk>/comment/": check_case_comment,
    "assessments/recognised/": check_recognised_register,
    "assessments/national/": check_national_view,
    "api/v1/assessments/cases": check_api_cases,
    "api/v1/assessments/cases/<case_id>": check_api_case,
    "api/v1/assessments/cases/<case_id>/criteria/<code>": check_api_case_criterion,
    "api/v1/assessments/cases/<case_id>/criteria/<code>/decision": check_api_case_decision,
    "api/v1/assessments/cases/<case_id>/transitions": check_api_case_transitions,
    "api/v1/assessments/cases/<case_id>/comments": check_api_case_comments,
    "api/v1/assessments/recognised": check_api_recognised,
}
for _module in APP_SCOPE_MODULES:
    ROUTES.update(importlib.import_module(_module).ROUTES)


def test_every_route_is_in_the_matrix():
    routes = url_patterns()
    missing = routes - set(ROUTES)
    stale = set(ROUTES) - routes
    assert not missing, f"routes without a line in the scope matrix: {sorted(missing)}"
    assert not stale, f"matrix lines for routes that no longer exist: {sorted(stale)}"


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_route_by_role_and_scope(world, route):
    failures = []
    for role in ROLES:
        with transaction.atomic():
            try:
                ROUTES[route](world, role)
            except AssertionError as exc:
                failures.append(f"[{role}] {exc}")
            transaction.set_rollback(True)
    assert not failures, "\n".join(failures)


# -- history across a merger -------------------------------------------------------------------
OLD_B_UNITS = ["B", "B-D", "B-W1"]


def test_a_merged_province_sees_the_history_it_absorbed(hierarchy, make_user):
    a_admin, c_admin = Client(), Client()
    a_admin.force_login(make_user("province_admin", "A"))
    c_admin.force_login(make_user("province_admin", "C"))
    for code in OLD_B_UNITS:
        response = a_admin.get(f"/units/{code}/")
        assert response.status_code == 200, code
        assert response.context["history"].code == code
        assert a_admin.get(f"/units/{code}/", {"as_of": "2024-06-01"}).context["version"]
        assert a_admin.get(f"/api/v1/units/{code}/history").status_code == 200
        assert c_admin.get(f"/units/{code}/").status_code == 404, code
        assert c_admin.get(f"/api/v1/units/{code}/history").status_code == 404, code
    old_tree = a_admin.get("/api/v1/units", {"as_of": "2024-06-01"}).json()
    assert {"B", "B-D", "B-W1"} <= {row["code"] for row in old_tree}
    assert a_admin.get("/units/", {"as_of": "2024-06-01"}).context["nodes"][0].row.code in {
        "A",
        "B",
    }


def test_a_unit_officer_sees_only_their_ward(hierarchy, make_user):
    client = Client()
    client.force_login(make_user("unit_officer", "A-W9"))
    assert client.get("/units/A-W9/").status_code == 200
    # Its predecessors' history comes with it; its siblings and its parent do not.
    assert client.get("/units/A-W2/").status_code == 200
    assert client.get("/units/B-W1/").status_code == 200
    assert client.get("/units/A-W1/").status_code == 404
    assert client.get("/units/A/").status_code == 404


# -- out of scope POSTs should say 404 ---------------------------------------------------------
OUT_OF_SCOPE_POSTS = {
    "lock": "/accounts/users/{user}/lock/",
    "reset password": "/accounts/users/{user}/password/",
    "end role": "/accounts/users/{user}/roles/{a}/end/",
    "revoke token": "/accounts/tokens/{token}/revoke/",
}


@pytest.mark.parametrize("path", OUT_OF_SCOPE_POSTS.values(), ids=OUT_OF_SCOPE_POSTS.keys())
def test_out_of_scope_posts_answer_404(world, path):
    client = world.client("province_admin")
    subject = world.subjects["in_c"]
    url = path.format(user=subject.pk, a=world.assignment("in_c").pk, token=world.tokens["other"])
    assert client.post(url, {"active": "0"}).status_code == 404


# -- managing a user who also holds roles elsewhere --------------------------------------------
@pytest.mark.parametrize(
    "other_role,other_unit", [("ministry_admin", "VN"), ("province_admin", "C")]
)
def test_province_admin_cannot_take_over_a_user_with_wider_roles(
    hierarchy, make_user, other_role, other_unit
):
    admin = make_user("province_admin", "A")
    boss = make_user(other_role, other_unit, username="sep")
    RoleAssignment.objects.create(
        user=boss,
        role="viewer",
        unit=OrgUnit.objects.get(code="A-W1"),
        valid_from=dt.date(2020, 1, 1),
    )
    before = boss.password
    with pytest.raises(DomainError):
        services.reset_password(actor=admin, user_id=boss.pk)
    with pytest.raises(DomainError):
        services.set_active(actor=admin, user_id=boss.pk, active=False)
    assert fresh(boss).password == before and fresh(boss).is_active


# -- CSRF on every form ------------------------------------------------------------------------
def csrf_client(w: World, role: str) -> Client:
    client = w.client(role, enforce_csrf_checks=True)
    client.get("/accounts/login/" if role == "anonymous" else "/")
    return client


def token_of(client: Client) -> str:
    return client.cookies["csrftoken"].value


FORMS = {
    "login": Form(
        "anonymous",
        "/accounts/login/",
        {"username": "subject-a", "password": "Mật-khẩu-dài-2025"},
        lambda w, c: "_auth_user_id" in c.session,
    ),
    "logout": Form(
        "viewer", "/accounts/logout/", {}, lambda w, c: "_auth_user_id" not in c.session
    ),
    "password change": Form(
        "viewer",
        "/accounts/password/",
        {
            "old_password": "Mật-khẩu-dài-2025",
            "new_password1": "Một-mật-khẩu-mới-2026",
            "new_password2": "Một-mật-khẩu-mới-2026",
        },
        lambda w, c: fresh(w.people["viewer"]).check_password("Một-mật-khẩu-mới-2026"),
    ),
    "set language": Form(
        "anonymous",
        "/i18n/setlang/",
        {"language": "en", "next": "/"},
        lambda w, c: "django_language" in c.cookies,
    ),
    "token create": Form(
        "viewer",
        "/accounts/tokens/",
        {"name": "mới"},
        lambda w, c: ApiToken.objects.filter(name="mới").exists(),
    ),
    "token revoke": Form(
        "viewer",
        "/accounts/tokens/{token}/revoke/",
        {},
        lambda w, c: ApiToken.objects.get(pk=w.tokens["viewer"]).revoked_at is not None,
    ),
    "user create": Form(
        "province_admin",
        "/accounts/users/new/",
        {"username": "moi", "full_name": "Mới", "role": "viewer", "unit_code": "A-W1"},
        lambda w, c: User.objects.filter(username="moi").exists(),
    ),
    "role grant": Form(
        "province_admin",
        "/accounts/users/{user}/",
        {"role": "unit_officer", "unit_code": "A-W9"},
        lambda w, c: w.subjects["in_a"].role_assignments.count() == 2,
    ),
    "user lock": Form(
        "province_admin",
        "/accounts/users/{user}/lock/",
        {"active": "0"},
        lambda w, c: not fresh(w.subjects["in_a"]).is_active,
    ),
    "reset password": Form(
        "province_admin",
        "/accounts/users/{user}/password/",
        {},
        lambda w, c: fresh(w.subjects["in_a"]).password != w.subjects["in_a"].password,
    ),
    "role end": Form(
        "province_admin",
        "/accounts/users/{user}/roles/{a}/end/",
        {},
        lambda w, c: w.assignment("in_a").valid_to is not None,
    ),
    "unit edit": Form(
        "ministry_admin",
        "/units/A-W1/edit/",
        {"effective_date": "2026-01-01", "name": "Tên mới", "legal_basis": "QĐ 1"},
        lambda w, c: OrgUnitVersion.objects.filter(name="Tên mới").exists(),
    ),
    "reorganise": Form(
        "ministry_admin",
        "/units/reorganise/",
        {},  # the file is added below
        lambda w, c: OrgUnit.objects.filter(code="C-W7").exists(),
    ),
    "data entry": Form(
        "unit_officer",
        entry_url("A-W1"),
        {"action": "save", "v_crime_social_order": "3"},
        lambda w, c: DataValue.objects.filter(unit__code="A-W1").exists(),
    ),
    "report comment": Form(
        "viewer",
        entry_url("C-W1") + "review/",
        {"action": "comment", "comment": "đã xem"},
        lambda w, c: SubmissionEvent.objects.filter(action="comment").exists(),
    ),
    "value comment": Form(
        "viewer",
        history_url("C-W1"),
        {"text": "nguồn số liệu"},
        lambda w, c: ValueComment.objects.exists(),
    ),
    "excel import": Form(
        "unit_officer",
        "/data/import/",
        {},  # the file is added below
        lambda w, c: ImportJob.objects.exists(),
    ),
    "notifications read": Form(
        "viewer",
        "/notifications/read/",
        {},
        lambda w, c: Notification.objects.get(subject="tin-viewer").read_at is not None,
    ),
}


def _case_of(unit: str = "A-W1", submitted: bool = False) -> dict:
    """The path values of a 2025 case of `unit` (registered, and submitted when asked)."""
    from kieumau.assessments import workflow as case_workflow
    from kieumau.assessments.services import register_cases

    (case,) = register_cases(actor=CLI, unit_codes=[unit], year=2025)
    if submitted:
        case.criteria.update(self_status="met", no_evidence_reason="Lưu bản giấy")
        case = case_workflow.transition(actor=CLI, case_id=case.pk, action="submit")
    return {"case": case.pk}


def _case_row(criterion: str = "1.1"):
    from kieumau.assessments.models import CaseCriterion

    return CaseCriterion.objects.get(case__unit__code="A-W1", code=criterion)


def _case_status() -> str | None:
    from kieumau.assessments.models import AssessmentCase

    case = AssessmentCase.objects.filter(unit__code="A-W1").first()
    return case.status if case else None


FORMS.update(
    {
        "case register": Form(
            "province_admin",
            "/assessments/",
            {"units": "A-W1", "year": "2025"},
            lambda w, c: _case_status() == "draft",
        ),
        "case self-assessment": Form(
            "unit_officer",
            "/assessments/cases/{case}/criteria/1.1/",
            {"self_status": "not_met", "narrative": "Tự đánh giá"},
            lambda w, c: _case_row().narrative == "Tự đánh giá",
            setup=lambda w: _case_of(),
        ),
        "case decision": Form(
            "province_appraiser",
            "/assessments/cases/{case}/criteria/1.1/decision/",
            {"decision": "agree"},
            lambda w, c: _case_row().decision == "agree",
            setup=lambda w: _case_of(submitted=True),
        ),
        "case agree remaining": Form(
            "province_appraiser",
            "/assessments/cases/{case}/agree-remaining/",
            {},
            lambda w, c: _case_row().decision == "agree",
            setup=lambda w: _case_of(submitted=True),
        ),
        "case transition": Form(
            "province_appraiser",
            "/assessments/cases/{case}/transition/",
            {"action": "return", "comment": "Bổ sung hồ sơ"},
            lambda w, c: _case_status() == "returned",
            setup=lambda w: _case_of(submitted=True),
        ),
        "case comment": Form(
            "viewer",
            "/assessments/cases/{case}/comment/",
            {"comment": "ý kiến"},
            lambda w, c: (
                __import__("kieumau.assessments.models", fromlist=["CaseEvent"])
                .CaseEvent.objects.filter(action="comment")
                .exists()
            ),
            setup=lambda w: _case_of("C-W1"),
        ),
        "evidence upload": Form(
            "unit_officer",
            "/assessments/evidence/?unit=A-W1",
            {"title": "Biên bản"},
            lambda w, c: (
                __import__("kieumau.assessments.models", fromlist=["EvidenceFile"])
                .EvidenceFile.objects.filter(unit__code="A-W1")
                .exists()
            ),
            files=lambda: {"file": SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4\n%%EOF\n")},
        ),
    }
)
for _module in APP_SCOPE_MODULES:
    FORMS.update(importlib.import_module(_module).FORMS)


def _form_data(name: str, form: Form) -> dict:
    data = dict(form.data)
    if form.files is not None:
        data.update(form.files())
    if name == "reorganise":
        content = "action,code,effective_date,name,kind,parent_code\ncreate,C-W7,2026-01-01,Xã Bảy,commune,C\n"
        data["file"] = SimpleUploadedFile("x.csv", content.encode())
    if name == "excel import":
        data["file"] = SimpleUploadedFile("so-lieu.xlsx", b"PK", content_type=XLSX)
    return data


@pytest.mark.parametrize("name", FORMS)
def test_forms_refuse_posts_without_the_csrf_token(world, name):
    form = FORMS[name]
    extra = form.setup(world) if form.setup else {}
    path = form.path.format(
        user=world.subjects["in_a"].pk,
        a=world.assignment("in_a").pk,
        token=world.tokens.get("viewer"),
        **extra,
    )
    client = csrf_client(world, form.role)
    with evidence_storage():
        response = client.post(path, _form_data(name, form))
        assert response.status_code == 403
        assert not form.done(world, client)

        response = client.post(
            path, {**_form_data(name, form), "csrfmiddlewaretoken": token_of(client)}
        )
    assert response.status_code in (200, 302)
    assert form.done(world, client), f"{name}: the POST with the token did not take effect"


def test_csrf_forms_cover_every_post_route():
    """Every route whose view takes a POST has a CSRF case above."""
    post_routes = {
        "i18n/setlang/",
        "accounts/login/",
        "accounts/logout/",
        "accounts/password/",
        "accounts/tokens/",
        "accounts/tokens/<int:token_id>/revoke/",
        "accounts/users/new/",
        "accounts/users/<int:user_id>/",
        "accounts/users/<int:user_id>/lock/",
        "accounts/users/<int:user_id>/password/",
        "accounts/users/<int:user_id>/roles/<int:assignment_id>/end/",
        "units/<str:code>/edit/",
        "units/reorganise/",
        "data/entry/<str:unit>/<str:form>/<str:period>/",
        "data/entry/<str:unit>/<str:form>/<str:period>/review/",
        "data/values/<str:unit>/<str:period>/<str:indicator>/",
        "data/import/",
        "notifications/read/",
        "assessments/",
        "assessments/cases/<int:pk>/criteria/<str:code>/",
        "assessments/cases/<int:pk>/criteria/<str:code>/decision/",
        "assessments/cases/<int:pk>/agree-remaining/",
        "assessments/cases/<int:pk>/transition/",
        "assessments/cases/<int:pk>/comment/",
        "assessments/evidence/",
    }
    for module in APP_SCOPE_MODULES:
        post_routes |= importlib.import_module(module).POST_ROUTES
    covered = {
        resolve(form.path.format(user=1, a=2, token=3, case=4).split("?")[0]).route
        for form in FORMS.values()
    }
    assert covered == post_routes
    assert post_routes <= url_patterns()
