"""The frozen record of what a unit submitted, and how today's data differs from it.

At submission a case stores its values (every value of the unit for the assessed year and the
year before), the evaluation result computed from them, and each criterion's self-assessment
with the SHA-256 of every evidence file. Appraisers judge that record, not the live data, so a
value changed after submission cannot silently change what was appraised; the differences are
shown beside it instead.
"""

import hashlib
import json

from kieumau.audit.chain import normalise_json
from kieumau.core.actors import SystemActor
from kieumau.datavalues.models import DataValue


def _year_values(unit_id: int, year: int) -> dict[str, dict[str, object]]:
    """{period: {indicator: value}} for the year and the year before (all period types)."""
    prefixes = (str(year), str(year - 1))
    out: dict[str, dict[str, object]] = {}
    for period, code, value in (
        DataValue.objects.filter(unit_id=unit_id)
        .filter(period__regex=r"^[0-9]{4}")
        .values_list("period", "indicator__code", "value")
    ):
        if period[:4] in prefixes:
            out.setdefault(period, {})[code] = value
    return {p: dict(sorted(v.items())) for p, v in sorted(out.items())}


def _result(case) -> dict:
    from kieumau.evaluation.services import evaluate_unit_code

    result = evaluate_unit_code(
        SystemActor("snapshot"),
        case.unit.code,
        str(case.year),
        set_code=case.criteria_version.criteria_set.code,
    )
    return {
        "criteria_version": result["criteria_version"],
        "met": result["met"],
        "total": result["total"],
        "model_standard": result["model_standard"],
        "input_digest": result["input_digest"],
        "statuses": {c["code"]: c["status"] for c in result["criteria"]},
    }


def build_snapshot(case) -> tuple[dict, str]:
    """The snapshot of a case as submitted, and the SHA-256 of its canonical JSON."""
    criteria = []
    for crit in case.criteria.prefetch_related("evidence").order_by("order"):
        criteria.append(
            {
                "code": crit.code,
                "self_status": crit.self_status,
                "narrative": crit.narrative,
                "no_evidence_reason": crit.no_evidence_reason,
                "evidence": sorted(
                    (
                        {"id": f.pk, "sha256": f.sha256, "filename": f.filename}
                        for f in crit.evidence.all()
                    ),
                    key=lambda e: e["sha256"],
                ),
            }
        )
    data = normalise_json(
        {
            "unit": case.unit.code,
            "year": case.year,
            "values": _year_values(case.unit_id, case.year),
            "result": _result(case),
            "criteria": criteria,
        }
    )
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return data, hashlib.sha256(canonical.encode()).hexdigest()


def snapshot_intact(case) -> bool:
    """Whether the stored snapshot still hashes to the digest recorded at submission."""
    if not case.snapshot:
        return True
    canonical = json.dumps(case.snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest() == case.snapshot_sha256


def differences(case) -> dict:
    """What changed since submission: values (before → now) and criterion statuses.

    Empty lists when nothing changed, or when the case has no snapshot yet (still a draft).
    """
    if not case.snapshot:
        return {"values": [], "statuses": [], "checked": False}
    now = _year_values(case.unit_id, case.year)
    then = case.snapshot.get("values", {})
    changed = []
    for period in sorted(set(now) | set(then)):
        a, b = then.get(period, {}), now.get(period, {})
        for code in sorted(set(a) | set(b)):
            if a.get(code) != b.get(code):
                changed.append(
                    {"period": period, "indicator": code, "then": a.get(code), "now": b.get(code)}
                )
    statuses = []
    if changed:
        current = _result(case)["statuses"]
        before = case.snapshot.get("result", {}).get("statuses", {})
        statuses = [
            {"code": code, "then": before.get(code), "now": current.get(code)}
            for code in sorted(set(before) | set(current))
            if before.get(code) != current.get(code)
        ]
    return {"values": changed, "statuses": statuses, "checked": True}
