"""Panels fed by the plans, workitems and feedback apps, read only when those apps provide them.

Those apps were built alongside the dashboards; their selectors are imported lazily, inside the
functions, so that the dashboards keep working (without those panels) if a selector is absent
or its tables are not migrated yet. Each function answers None (panel left out) in that case.
Every read goes through the other app's own selector, which applies its own scope chokepoint
with its own permission (plans.view, workitems.view, feedback.view): a person without that
permission simply gets no panel.
"""

import datetime as dt
import importlib
import logging

from django.db import DatabaseError, transaction

from kieumau.core.errors import DomainError
from kieumau.engine import Period

log = logging.getLogger(__name__)
OVERDUE_LIMIT = 10
"""How many overdue tasks the panel lists (the count covers them all)."""


def _selector(module: str, name: str):
    """The named selector if its app provides it, else None (never raises on import problems)."""
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


def _guarded(func, *args, **kwargs):
    """Call another app's selector in a savepoint; None when it refuses (out of scope, missing
    unit) or its tables are not there yet (a PostgreSQL error must not poison the request)."""
    try:
        with transaction.atomic():
            return func(*args, **kwargs)
    except DomainError:
        return None
    except DatabaseError:
        log.warning("dashboard panel %s unavailable", getattr(func, "__name__", func))
        return None


def national_target(year: int) -> dict | None:
    """The Ministry's next milestone for `year` (share of wards, %, due date) from the plans
    app's `national_targets` (e.g. ≥ 30% by 31/12/2025, 100% by 2030); None without plans."""
    national_targets = _selector("kieumau.plans.selectors", "national_targets")
    if national_targets is None:
        return None
    milestones = _guarded(national_targets)
    for due, low, high in sorted(milestones or []):
        if due.year >= year:
            return {
                "due": due.isoformat(),
                "due_vi": f"{due:%d/%m/%Y}",
                "min_share": float(low),
                "max_share": float(high),
            }
    return None


def plan_target(actor, root_code: str, year: int, as_of: dt.date) -> dict | None:
    """The unit's own plan (Đề án) for `year`: units required by year end, recognised, total,
    from `plans.selectors.plan_progress`; None when the unit has no plan covering the year."""
    plan_list = _selector("kieumau.plans.selectors", "plan_list")
    plan_progress = _selector("kieumau.plans.selectors", "plan_progress")
    if plan_list is None or plan_progress is None:
        return None
    plans = _guarded(
        lambda: [p for p in plan_list(actor, under=root_code) if p.start_year <= year <= p.end_year]
    )
    if not plans:
        return None
    plan = plans[0]
    progress = _guarded(plan_progress, actor, plan, year, as_of)
    if progress is None:
        return None
    share = (
        round(100 * progress.required / progress.total, 1)
        if progress.required is not None and progress.total
        else None
    )
    return {
        "plan": f"{plan.number} — {plan.title}",
        "year": year,
        "total": progress.total,
        "required": progress.required,
        "required_share": share,
        "recognised": progress.recognised,
        "designated": progress.designated,
        "at_risk": bool(progress.at_risk),
    }


def overdue_tasks(actor, root_code: str, as_of: dt.date) -> dict | None:
    """Tasks under the unit past their due date and not done (count and the oldest few), from
    `workitems.selectors.overdue_items`; None without the workitems app or its permission."""
    overdue_items = _selector("kieumau.workitems.selectors", "overdue_items")
    if overdue_items is None:
        return None

    def read():
        items = overdue_items(actor, under=root_code, as_of=as_of)
        count = items.count()
        rows = [
            {
                "title": item.title,
                "unit": item.unit.code,
                "agency": item.assignee_agency.name if item.assignee_agency_id else "",
                "due_date": item.due_date.isoformat(),
                "days_late": (as_of - item.due_date).days,
                "percent": item.percent,
            }
            for item in items.select_related("unit", "assignee_agency")[:OVERDUE_LIMIT]
        ]
        return {"count": count, "rows": rows}

    return _guarded(read)


def satisfaction(actor, root_code: str, year: int) -> list | None:
    """Per unit under the root: the year's survey responses and satisfied respondents, from
    `feedback.selectors.unit_stats_rows`; None without the feedback app or its permission."""
    unit_stats_rows = _selector("kieumau.feedback.selectors", "unit_stats_rows")
    if unit_stats_rows is None:
        return None
    rows = _guarded(unit_stats_rows, actor, under=root_code, period=Period.of_year(year))
    if rows is None:
        return None
    return [
        (r.unit_id, r.survey.responses, r.survey.satisfied)
        for r in rows
        if r.survey is not None and r.survey.responses
    ]
