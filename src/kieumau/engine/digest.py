"""Digests that let a stored result prove what it was computed from.

A stored evaluation result cites the criteria version and ``input_digest``: the SHA-256 of a
canonical serialisation of exactly the inputs the evaluation read — the version's content, the
unit (code, kind, as_of), the period, and every ``(indicator, period, value)`` the applicable
rules read, including values that were absent (as null) and invalid ones (tagged with their
type). Readings that no rule reads do not change it; changing any value that was read, adding a
value that was missing, or editing the version does.

Values are digested *after* normalisation, so ``2160``, ``2160.0`` and ``Decimal("2160")`` for a
decimal indicator give the same digest — they are the same input to the rules. JSON keeps the
types apart (``5`` vs ``5.0`` vs ``true`` vs ``"5"``); dates and invalid values are tagged lists
(``["date", "2025-03-01"]``, ``["invalid", "str", "'9'"]``); keys are sorted and separators
fixed so the bytes are canonical. Inputs are listed in the order the version reads them (a
function of the version's content, which is itself part of the digest).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from .loader import version_to_dict
from .spec import VersionSpec

DIGEST_FORMAT = "kieumau-input-digest/1"


def encode_value(value: Any) -> list[Any]:
    """A type-tagged, JSON-safe form of ``value`` used inside digests."""
    if value is None:
        return ["null"]
    if isinstance(value, bool):
        return ["bool", value]
    if isinstance(value, int):
        return ["int", str(value)]
    if isinstance(value, float):
        return ["float", repr(value)]
    if isinstance(value, str):
        return ["str", value]
    if isinstance(value, dt.datetime):
        return ["datetime", value.isoformat()]
    if isinstance(value, dt.date):
        return ["date", value.isoformat()]
    type_name = getattr(value, "type_name", type(value).__name__)
    return ["invalid", type_name, getattr(value, "text", repr(value))]


def canonical_json(data: Any) -> bytes:
    """Canonical UTF-8 JSON bytes: sorted keys, no spaces, no ASCII escaping."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def version_digest(spec: VersionSpec) -> str:
    """SHA-256 of the version's canonical dict form: changes whenever any rule/label changes."""
    return hashlib.sha256(canonical_json(version_to_dict(spec, json_safe=True))).hexdigest()


def _json_default(value: Any) -> Any:
    """JSON form of values JSON lacks (dates, invalid-value markers): tagged lists."""
    return encode_value(value)


_ENCODER = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), default=_json_default, allow_nan=False
)


def digest_inputs(
    version_sha: str,
    set_code: str,
    version: int,
    unit: tuple[str, str, dt.date],
    period_code: str,
    used: Iterable[tuple[str, str, Any]],
) -> str:
    """The input digest from its parts (see the module docstring).

    Bytes hashed: the canonical JSON header, a newline, then one JSON array holding the array
    of input keys (``"code@period"``) and the array of their values, in the order given
    (first occurrence wins). The evaluator passes inputs in the order the version reads them,
    which is fixed by the version's content (itself digested), so no sort is needed. JSON
    keeps ``1``, ``1.0``, ``true`` and ``"1"`` apart and writes floats in their shortest
    round-trip form; the C encoder does both arrays in one call.
    """
    header = {
        "format": DIGEST_FORMAT,
        "version": {"set": set_code, "number": version, "sha256": version_sha},
        "unit": {"code": unit[0], "kind": unit[1], "as_of": unit[2].isoformat()},
        "period": period_code,
    }
    unique: dict[str, Any] = {}
    for code, period, value in used:
        unique.setdefault(f"{code}@{period}", value)
    h = hashlib.sha256(canonical_json(header))
    h.update(b"\n")
    h.update(_ENCODER.encode([list(unique), list(unique.values())]).encode())
    return h.hexdigest()
