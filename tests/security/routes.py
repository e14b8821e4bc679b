"""The routes of the running configuration, generated: Django URL patterns and API operations.

Every security check that is "for every route" reads its list from here, so a route added by any
app is covered the moment it is mounted, without touching these tests.
"""

import re
import uuid

from django.urls import URLPattern, URLResolver, get_resolver

API_PREFIX = "api/v1/"
# Django routes that answer anonymous visitors on purpose. Everything else must send them to the
# sign-in page. `p/` holds the citizen-facing pages (feedback surveys), public by design.
PUBLIC_PREFIXES = ("p/",)
PUBLIC_ROUTES = {
    "healthz",  # load balancers probe it without credentials
    "i18n/setlang/",  # the language switch on the sign-in page
    "accounts/login/",
    "accounts/logout/",  # signing out an anonymous visitor is a harmless redirect
}
# API operations that need no credentials: the schema and its interactive documentation.
PUBLIC_API_PATHS = {"/api/v1/openapi.json", "/api/v1/docs"}

_CONVERTER = re.compile(r"<(?:(?P<kind>\w+):)?(?P<name>\w+)>")
_SAMPLES = {"int": "1", "str": "x", "slug": "x", "path": "x/y", "uuid": str(uuid.uuid4())}


def django_routes() -> list[tuple[str, URLPattern]]:
    """(route pattern as Django prints it, pattern) for every route outside the API."""

    def walk(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern), pattern

    return sorted(
        ((route, p) for route, p in walk(get_resolver()) if not route.startswith(API_PREFIX)),
        key=lambda item: item[0],
    )


def is_public(route: str) -> bool:
    return route in PUBLIC_ROUTES or route.startswith(PUBLIC_PREFIXES)


def sample_path(route: str) -> str:
    """A concrete URL for a route pattern: each converter replaced by a plausible value."""
    if route.startswith("^"):
        raise AssertionError(f"regular-expression route {route!r}: give it a path() pattern")
    return "/" + _CONVERTER.sub(lambda m: _SAMPLES.get(m.group("kind") or "str", "x"), route)


def api_operations() -> list[tuple[str, str, dict]]:
    """(METHOD, path template, operation) for every operation of the OpenAPI document."""
    from kieumau.api.main import api

    schema = api.get_openapi_schema(path_prefix="/" + API_PREFIX)
    return sorted(
        (method.upper(), path, op)
        for path, methods in schema["paths"].items()
        for method, op in methods.items()
        if method in {"get", "post", "put", "patch", "delete"}
    )


def api_sample_path(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)
