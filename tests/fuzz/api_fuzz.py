"""Schemathesis against the live OpenAPI document, in-process through the WSGI application.

Shared by the bounded run inside the test suite (tests/fuzz/test_api_fuzz.py) and the longer
`make fuzz`: the only difference is KIEUMAU_FUZZ_EXAMPLES, the number of generated requests per
operation, role and variant. Every run is derandomised (the same requests in the same order),
so a failure found once is found again.
"""

import contextlib
import os

import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Realistic values for path parameters, so that generated requests also reach existing objects
# (random strings mostly meet the 404 branch). Keyed by parameter name.
PATH_SAMPLES = {
    "code": ["A-W1", "C-W1", "VN", "A", "TC01", "TC22"],
    "case_id": [1, 2],
}


def example_count(default: int) -> int:
    return int(os.environ.get("KIEUMAU_FUZZ_EXAMPLES", str(default)))


@contextlib.contextmanager
def test_transaction_kept():
    """Calls into the WSGI application keep the test's database connection and transaction.

    Django's WSGI handler closes "obsolete" connections at the start and end of every request;
    inside a test transaction that would close the connection the test's data lives in. Django's
    own test client disconnects the same handler for the same reason.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def load_schema():
    """The OpenAPI document served at /api/v1/openapi.json, bound to the WSGI application."""
    from kieumau.config.wsgi import application

    with test_transaction_kept():
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    if os.environ.get("KIEUMAU_FUZZ_NUL", "0") != "1":
        # NUL characters in strings are sent by tests/fuzz/test_nul_bytes.py, one parameter at a
        # time, where a known failure can be named; KIEUMAU_FUZZ_NUL=1 mixes them in here too.
        schema.config.generation.update(allow_x00=False)
    return schema


def operations(schema) -> list:
    return [result.ok() for result in schema.get_all_operations()]


def _strategy(operation):
    """Random requests, plus requests whose path parameters name objects that exist."""
    names = [p.name for p in operation.path_parameters if p.name in PATH_SAMPLES]
    strategies = [operation.as_strategy()]
    for i in range(2 if names else 0):
        fixed = {n: PATH_SAMPLES[n][i % len(PATH_SAMPLES[n])] for n in names}
        strategies.append(operation.as_strategy(path_parameters=fixed))
    return st.one_of(strategies)


def fuzz_operation(operation, token: str, max_examples: int) -> None:
    """Send generated requests with this bearer token; any failed check raises with the case."""

    @settings(
        max_examples=max_examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
    )
    @given(case=_strategy(operation))
    def run(case):
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        case.validate_response(response, checks=CHECKS)

    with test_transaction_kept():
        run()
