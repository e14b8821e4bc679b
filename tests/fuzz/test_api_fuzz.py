"""API fuzzing, bounded: every operation × every role, a few generated requests each.

No answer may be a server error, and every answer must match the OpenAPI document (status code
declared, content type, body schema). The requests are derandomised, so the run is the same on
every machine; `make fuzz` runs the same code with many more examples.
"""

import pytest
from schemathesis.core.failures import FailureGroup
from schemathesis.openapi.checks import UndefinedStatusCode

from tests.accounts.conftest import ROLE_UNITS
from tests.fuzz.api_fuzz import example_count, fuzz_operation, load_schema, operations

EXAMPLES = example_count(default=6)


@pytest.fixture(scope="module")
def schema():
    return load_schema()


def test_the_schema_lists_the_api(schema):
    labels = {op.label for op in operations(schema)}
    assert "GET /api/v1/units" in labels
    assert "POST /api/v1/datavalues" in labels


@pytest.mark.parametrize("role", list(ROLE_UNITS))
def test_fuzz_every_operation_as(role, schema, fuzz_world):
    failures = []
    for operation in operations(schema):
        try:
            fuzz_operation(operation, fuzz_world[role], EXAMPLES)
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)


def test_the_fuzzer_reports_an_undocumented_answer(schema, fuzz_world):
    """Guards against a vacuous run: a wrong token gets 401, which no operation documents."""
    operation = next(op for op in operations(schema) if op.label == "GET /api/v1/units")
    with pytest.raises(FailureGroup) as raised:
        fuzz_operation(operation, "km_wrong", 2)
    assert any(isinstance(e, UndefinedStatusCode) for e in raised.value.exceptions)
