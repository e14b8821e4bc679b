"""The dashboards lines of the scope matrix (tests/accounts/test_scope_matrix.py merges them).

ROUTES: route pattern -> check(world, role); FORMS: name -> Form for the CSRF test; POST_ROUTES:
every dashboards route whose view takes a POST.

Every reading role holds dashboards.view on its own unit's subtree; the agency officer does not.
A unit out of scope answers 404 like a missing one; the Ministry's roles see every unit.
"""


def _roles():
    from tests.accounts.test_scope_matrix import VIEW_UNITS_ROLES

    return VIEW_UNITS_ROLES


def check_dashboard(w, role: str):
    from tests.accounts.test_scope_matrix import IN_UNIT, OUT_UNIT, expect, out_status, page_status

    client = w.client(role)
    response = client.get("/dashboards/", {"under": IN_UNIT[role], "year": "2025"})
    expect(response, page_status(role, _roles()), "in")
    if response.status_code == 200:
        assert response.context["board"].root.code == IN_UNIT[role]
    response = client.get("/dashboards/", {"under": OUT_UNIT[role], "year": "2025"})
    expect(response, out_status(role, _roles()), "out")
    if role not in ("anonymous", "agency_officer"):
        default = client.get("/dashboards/")
        expect(default, 200, "own top unit")


def check_dashboard_export(w, role: str):
    from tests.accounts.test_scope_matrix import IN_UNIT, OUT_UNIT, expect, out_status, page_status

    client = w.client(role)
    response = client.get("/dashboards/export.xlsx", {"under": IN_UNIT[role]})
    expect(response, page_status(role, _roles()), "in")
    response = client.get("/dashboards/export.xlsx", {"under": OUT_UNIT[role]})
    expect(response, out_status(role, _roles()), "out")


def check_api_dashboards(w, role: str):
    from tests.accounts.test_scope_matrix import IN_UNIT, OUT_UNIT, api_status, expect

    client = w.client(role)
    response = client.get("/api/v1/dashboards", {"under": IN_UNIT[role]})
    expect(response, api_status(role, True), "in")
    if response.status_code == 200:
        assert response.json()["root"]["code"] == IN_UNIT[role]
    expect(
        client.get("/api/v1/dashboards", {"under": OUT_UNIT[role]}), api_status(role, False), "out"
    )


ROUTES: dict = {
    "dashboards/": check_dashboard,
    "dashboards/export.xlsx": check_dashboard_export,
    "api/v1/dashboards": check_api_dashboards,
}
FORMS: dict = {}
POST_ROUTES: set[str] = set()
