"""Anonymous visitors reach nothing but the public pages: generated from the routes that exist.

The scope matrix (tests/accounts/test_scope_matrix.py) checks each route against each role with
hand-written expectations; this is the blunt, automatic floor under it. A route added tomorrow
is covered here without anyone writing a line: every API operation answers 401 without
credentials, every staff page redirects to the sign-in page.
"""

import pytest
from django.test import Client

from tests.security.routes import (
    PUBLIC_API_PATHS,
    api_operations,
    api_sample_path,
    django_routes,
    is_public,
    sample_path,
)

STAFF_ROUTES = [route for route, _ in django_routes() if not is_public(route)]
API_OPERATIONS = [(m, p) for m, p, _ in api_operations() if p not in PUBLIC_API_PATHS]


def test_the_generated_lists_see_the_known_routes():
    """Guards the generator itself: if it found nothing, every check below would pass vacuously."""
    assert {"units/<str:code>/", "data/import/", "evaluation/matrix/"} <= set(STAFF_ROUTES)
    assert ("GET", "/api/v1/units") in API_OPERATIONS
    assert ("POST", "/api/v1/datavalues") in API_OPERATIONS


def test_every_api_operation_declares_authentication():
    for method, path, op in api_operations():
        if path in PUBLIC_API_PATHS:
            continue
        assert op.get("security"), f"{method} {path} has no security requirement in the schema"


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), API_OPERATIONS)
def test_api_operation_answers_401_to_anonymous(method, path):
    client = Client()
    response = client.generic(method, api_sample_path(path), "{}", content_type="application/json")
    assert response.status_code == 401, f"{method} {path}: {response.status_code}"
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), API_OPERATIONS)
def test_api_operation_refuses_a_wrong_token(method, path):
    client = Client(headers={"Authorization": "Bearer km_not-a-real-token"})
    response = client.generic(method, api_sample_path(path), "{}", content_type="application/json")
    assert response.status_code == 401, f"{method} {path}: {response.status_code}"


@pytest.mark.django_db
@pytest.mark.parametrize("route", STAFF_ROUTES)
def test_staff_page_redirects_anonymous_to_sign_in(route):
    """GET, and POST for the routes that only take POST: both must end at the sign-in page."""
    path = sample_path(route)
    client = Client()
    response = client.get(path)
    if response.status_code == 405:
        response = client.post(path, {})
    assert response.status_code == 302, f"{route}: {response.status_code}"
    assert response["Location"].startswith("/accounts/login/?next="), (
        f"{route}: redirected to {response['Location']}"
    )


@pytest.mark.django_db
def test_the_schema_itself_is_public():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["paths"]
