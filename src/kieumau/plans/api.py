"""The plans API under /api/v1/plans/: plans, their targets and their progress.

Thin like the pages: reads through `plans.selectors` (404 out of scope). Progress is counted
on the structure in force on 31/12 of each year; each target names the re-basing rule used.
"""

import datetime as dt

from ninja import Field, Router, Schema

from kieumau.orgunits.schemas import ErrorOut
from kieumau.orgunits.selectors import parse_as_of
from kieumau.plans import selectors

router = Router()

ERRORS = {400: ErrorOut, 404: ErrorOut}


class TargetOut(Schema):
    id: int
    kind: str
    value: str
    base_count: int | None
    due_date: dt.date
    note: str
    required: int = Field(..., description="Số đơn vị cần đạt trên cơ cấu tại ngày mục tiêu")
    total: int
    rule: str
    rule_text: str


class PlanOut(Schema):
    id: int
    unit: str
    kind: str
    number: str
    title: str
    issued_on: dt.date | None
    issuer: str
    start_year: int
    end_year: int
    population: str
    baseline_year: int | None
    baseline_text: str
    baseline_numbers: dict
    revision: int
    warnings: list[dict]


class PlanDetailOut(PlanOut):
    targets: list[TargetOut]


class FlagOut(Schema):
    code: str
    message: str
    units: list[str]


class YearOut(Schema):
    year: int
    structure_date: dt.date
    root: str
    root_rule: str
    total: int
    designated: int
    designated_this_year: int
    recognised: int
    meeting: int
    open_cases: int
    required: int | None
    required_rule: str
    expected_year_end: int
    forecast_likely: int
    forecast_optimistic: int
    at_risk: bool
    flags: list[FlagOut]


class ProgressOut(Schema):
    plan_id: int
    as_of: dt.date
    years: list[YearOut]


def _plan(plan) -> dict:
    return {
        "id": plan.pk,
        "unit": plan.unit.code,
        "kind": plan.kind,
        "number": plan.number,
        "title": plan.title,
        "issued_on": plan.issued_on,
        "issuer": plan.issuer,
        "start_year": plan.start_year,
        "end_year": plan.end_year,
        "population": plan.population,
        "baseline_year": plan.baseline_year,
        "baseline_text": plan.baseline_text,
        "baseline_numbers": plan.baseline_numbers or {},
        "revision": plan.revision,
        "warnings": plan.warnings or [],
    }


@router.get("", response={200: list[PlanOut], **ERRORS})
def list_plans(request, unit: str | None = None):
    """The plans you may read (optionally of one unit code)."""
    return [_plan(p) for p in selectors.plan_list(request.auth, under=unit)]


@router.get("/{plan_id}", response={200: PlanDetailOut, **ERRORS})
def read_plan(request, plan_id: int):
    """One plan with its targets re-based on the structure in force on each target's date."""
    plan = selectors.get_plan(request.auth, plan_id)
    return {**_plan(plan), "targets": [t.__dict__ for t in selectors.target_rows(plan)]}


@router.get("/{plan_id}/progress", response={200: ProgressOut, **ERRORS})
def progress(request, plan_id: int, year: int | None = None, as_of: str | None = None):
    """Progress per year (or one `year`): designated, recognised, meeting all criteria, open
    cases, units needed with the rule used, forecast and at-risk flags, as of `as_of`."""
    day = parse_as_of(as_of)
    if year is not None:
        rows = [selectors.plan_progress(request.auth, plan_id, year, as_of=day)]
    else:
        rows = selectors.plan_overview(request.auth, plan_id, as_of=day).years
    return {"plan_id": plan_id, "as_of": day, "years": [r.as_dict() for r in rows]}
