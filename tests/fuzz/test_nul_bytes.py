"""A NUL character in any string the API accepts is a clear 400, never a server error.

PostgreSQL refuses text containing NUL (0x00) outright, so a value that reaches a query
unchecked becomes a 500 there (SQLite stores it quietly). `core.middleware.RefuseNulMiddleware`
answers every such request with 400 before any view runs. Generated from the OpenAPI document:
every string path and query parameter, and every string property of a JSON body, of every
operation, gets "A\\x00" in turn, as the Ministry administrator (the widest scope reaches the
deepest code).
"""

import json

import pytest
from django.test import Client

from kieumau.accounts.services import create_token
from tests.security.routes import api_operations

NUL = "A\x00"
SAMPLES = {"code": "A-W1", "unit": "A-W1", "period": "2025", "case_id": "1"}


def _resolve(schema: dict, document: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def _string_properties(schema: dict, document: dict) -> tuple[dict, list[str], bool]:
    """(a filler object, its string property names, whether the body is a list of them)."""
    schema = _resolve(schema, document)
    is_list = schema.get("type") == "array"
    if is_list:
        schema = _resolve(schema.get("items", {}), document)
    props = schema.get("properties", {})
    filler, strings = {}, []
    for name, prop in props.items():
        prop = _resolve(prop, document)
        kinds = {prop.get("type")} | {
            _resolve(p, document).get("type") for p in prop.get("anyOf", [])
        }
        if "string" in kinds:
            strings.append(name)
            filler[name] = SAMPLES.get(name, "x")
        elif "integer" in kinds or "number" in kinds:
            filler[name] = 1
        elif "boolean" in kinds:
            filler[name] = True
        else:
            filler[name] = None
    return filler, strings, is_list


def cases() -> list:
    from kieumau.api.main import api

    document = api.get_openapi_schema(path_prefix="/api/v1/")
    found = []
    for method, path, op in api_operations():
        params = [
            p
            for p in op.get("parameters", [])
            if p.get("schema", {}).get("type") == "string" or p["in"] == "path"
        ]
        for param in params:
            found.append((method, path, param["in"], param["name"]))
        body = op.get("requestBody", {}).get("content", {}).get("application/json")
        if body:
            for name in _string_properties(body["schema"], document)[1]:
                found.append((method, path, "body", name))
    return found


def _request(client, method, path, where, name, document_op_params, body_schema, document):
    url = path
    query = {}
    for p in document_op_params:
        value = NUL if (p["in"], p["name"]) == (where, name) else SAMPLES.get(p["name"], "x")
        if p["in"] == "path":
            url = url.replace("{" + p["name"] + "}", value.replace("\x00", "%00"))
        elif p["in"] == "query" and (p.get("required") or (p["in"], p["name"]) == (where, name)):
            query[p["name"]] = value
    data = None
    if body_schema is not None:
        filler, _strings, is_list = _string_properties(body_schema, document)
        if where == "body":
            filler[name] = NUL
        data = json.dumps([filler] if is_list else filler)
    if query:
        from urllib.parse import urlencode

        url += "?" + urlencode(query)
    return client.generic(method, url, data or "", content_type="application/json")


def _case_id(method, path, where, name) -> str:
    return f"{method} {path} {where}:{name}"


CASES = [pytest.param(*c, id=_case_id(*c)) for c in cases()]


@pytest.fixture
def admin_api(hierarchy, make_user):
    user = make_user("ministry_admin", "VN")
    return Client(
        headers={"Authorization": f"Bearer {create_token(actor=user, user=user, name='nul')[1]}"}
    )


def test_there_are_cases():
    assert len(CASES) >= 10


@pytest.mark.parametrize(("method", "path", "where", "name"), CASES)
def test_a_nul_character_is_not_a_server_error(admin_api, method, path, where, name):
    from kieumau.api.main import api

    document = api.get_openapi_schema(path_prefix="/api/v1/")
    op = document["paths"][path][method.lower()]
    body = op.get("requestBody", {}).get("content", {}).get("application/json")
    response = _request(
        admin_api,
        method,
        path,
        where,
        name,
        op.get("parameters", []),
        body["schema"] if body else None,
        document,
    )
    assert response.status_code == 400, f"{method} {path} with NUL in {where} {name}"
    assert "NUL" in response.json()["detail"]
