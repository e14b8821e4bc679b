"""Reads for the scorecard and the province matrix, through the scope chokepoint."""

import datetime as dt
from dataclasses import dataclass

from kieumau.accounts.permissions import VIEW_EVALUATION
from kieumau.core.errors import NotFound
from kieumau.engine import Period
from kieumau.evaluation.models import EvaluationResult
from kieumau.evaluation.services import version_for
from kieumau.orgunits.choices import COMMUNE_LEVEL_KINDS
from kieumau.orgunits.models import OrgUnit, OrgUnitVersion
from kieumau.orgunits.selectors import subtree_ids


def history_of(actor, code: str) -> list[dict]:
    """The unit's stored yearly scores, oldest first (one query; kept current on every write).

    Reads what the evaluation service stored instead of evaluating every year again on each
    page view; the scorecard itself always shows a fresh evaluation of the chosen period.
    """
    rows = (
        EvaluationResult.objects.visible_to(actor, VIEW_EVALUATION)
        .filter(unit__code=code, period__regex=r"^[0-9]{4}$")
        .select_related("criteria_version__criteria_set")
        .order_by("period", "criteria_version__valid_from", "criteria_version__number")
    )
    latest = {row.period: row for row in rows}
    return [
        {
            "period": period,
            "met": row.met,
            "total": row.total,
            "model_standard": row.model_standard,
            "version": row.criteria_version.label,
        }
        for period, row in sorted(latest.items())
    ]


@dataclass(frozen=True)
class MatrixRow:
    code: str
    name: str
    parent_name: str
    met: int | None
    total: int | None
    model_standard: bool | None
    statuses: dict


@dataclass(frozen=True)
class Matrix:
    period: str
    version_label: str
    criteria: list[dict]
    groups: list[dict]
    rows: list[MatrixRow]
    evaluated: int


def province_matrix(
    actor, root_code: str, period: Period, as_of: dt.date, group: str | None = None
) -> Matrix:
    """Units × criteria statuses under `root_code` (structure as of `as_of`), from stored results."""
    root = OrgUnit.objects.visible_to(actor, VIEW_EVALUATION).filter(code=root_code).first()
    if root is None:
        raise NotFound.single(f"không tìm thấy đơn vị '{root_code}'", "unit not found")
    version = version_for(period)
    spec_criteria = [
        {"code": c["code"], "group": c["group"], "name": c["name_vi"]}
        for c in version.spec.get("criteria", [])
        if not group or c["group"] == group
    ]
    versions = (
        OrgUnitVersion.objects.active_on(as_of)
        .filter(unit_id__in=subtree_ids(root.pk, as_of), kind__in=COMMUNE_LEVEL_KINDS)
        .filter(unit__in=OrgUnit.objects.visible_to(actor, VIEW_EVALUATION))
        .select_related("unit", "parent")
        .order_by("parent_id", "name")
    )
    versions = list(versions)
    parent_names = dict(
        OrgUnitVersion.objects.active_on(as_of)
        .filter(unit_id__in={v.parent_id for v in versions})
        .values_list("unit_id", "name")
    )
    results = {
        r.unit_id: r
        for r in EvaluationResult.objects.visible_to(actor, VIEW_EVALUATION)
        .filter(
            unit_id__in=[v.unit_id for v in versions], period=period.code, criteria_version=version
        )
        .only("unit_id", "met", "total", "model_standard", "statuses")
    }
    rows = []
    for v in versions:
        r = results.get(v.unit_id)
        rows.append(
            MatrixRow(
                code=v.unit.code,
                name=v.name,
                parent_name=parent_names.get(v.parent_id, ""),
                met=r.met if r else None,
                total=r.total if r else None,
                model_standard=r.model_standard if r else None,
                statuses=r.statuses if r else {},
            )
        )
    groups = [{"code": g["code"], "name": g["name_vi"]} for g in version.spec.get("groups", [])]
    return Matrix(
        period=period.code,
        version_label=version.label,
        criteria=spec_criteria,
        groups=groups,
        rows=rows,
        evaluated=len(results),
    )
