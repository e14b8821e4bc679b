"""Reads of agencies and work items, always through the scope chokepoint.

`WorkItem.objects.visible_to` applies the agency narrowing (agency officers see only their
agencies' items), so everything here starts from it. Public API used by other apps:

- `item_list(actor, ...)` — the task board's rows (filters: agency, status, overdue, under).
- `get_item(actor, item_id)` — one item or NotFound (out of scope answers like missing).
- `overdue_items(actor, under=None, as_of=None)` — items still to do whose due date passed.
- `agencies_for(actor)` — the agencies whose tasks the actor may see or assign.
- `suggestions(actor, year, under=None)` — tasks proposed for failing criteria.
"""

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.db.models import Q
from django.utils import timezone

from kieumau.accounts.permissions import MANAGE_WORKITEMS, VIEW_WORKITEMS
from kieumau.core.errors import NotFound
from kieumau.orgunits.models import OrgUnit, OrgUnitClosure, OrgUnitVersion
from kieumau.workitems.choices import ACTIVE, ItemStatus
from kieumau.workitems.models import Agency, WorkItem

SUGGESTIONS_FILE = Path(__file__).resolve().parent / "data" / "suggestions.json"
PAGE = 200


def visible_items(actor):
    """Items the actor may read (VIEW_WORKITEMS, narrowed to their agencies for agency officers)."""
    return WorkItem.objects.visible_to(actor, VIEW_WORKITEMS).select_related(
        "unit", "assignee_agency", "assignee_unit", "plan"
    )


def _under(rows, actor, under: str | None):
    if not under:
        return rows
    unit = OrgUnit.objects.visible_to(actor, VIEW_WORKITEMS).filter(code=under).first()
    if unit is None:
        raise NotFound.single(f"không tìm thấy đơn vị '{under}'", "unit not found")
    inside = OrgUnitClosure.objects.filter(ancestor=unit).values("descendant_id")
    return rows.filter(unit_id__in=inside)


def overdue_q(as_of: dt.date) -> Q:
    """Items still to be done whose due date has passed (marked overdue or not yet)."""
    return Q(status__in=list(ACTIVE), due_date__lt=as_of)


def item_list(
    actor,
    *,
    agency: int | str | None = None,
    status: str | None = None,
    overdue: bool = False,
    due_within: int | None = None,
    under: str | None = None,
    plan: int | None = None,
    as_of: dt.date | None = None,
):
    """The task board: visible items filtered by agency, state, overdue, due soon, unit, plan.

    Protects scope (the chokepoint, with the agency narrowing) and the page's cost (one query
    with its related rows, at most PAGE rows; the caller slices).
    """
    as_of = as_of or timezone.localdate()
    rows = _under(visible_items(actor), actor, under)
    if agency not in (None, ""):
        rows = rows.filter(assignee_agency_id=int(agency))
    if status == ItemStatus.OVERDUE:
        rows = rows.filter(overdue_q(as_of))
    elif status in ItemStatus.values:
        rows = rows.filter(status=status)
    elif status == "active":
        rows = rows.filter(status__in=list(ACTIVE))
    if overdue:
        rows = rows.filter(overdue_q(as_of))
    if due_within is not None:
        rows = rows.filter(
            status__in=list(ACTIVE),
            due_date__gte=as_of,
            due_date__lte=as_of + dt.timedelta(days=due_within),
        )
    if plan not in (None, ""):
        rows = rows.filter(plan_id=int(plan))
    return rows.order_by("due_date", "id")


def get_item(actor, item_id: int) -> WorkItem:
    """The item if the actor may read it; NotFound otherwise (the same answer as missing)."""
    item = visible_items(actor).filter(pk=item_id).first()
    if item is None:
        raise NotFound.single("không tìm thấy công việc", "item not found")
    return item


def item_updates(item: WorkItem):
    """An item's progress reports, oldest first (the item was read through `get_item`)."""
    return item.updates.select_related("author").order_by("at", "id")


def overdue_items(actor, under: str | None = None, as_of: dt.date | None = None):
    """Items the actor may read that are still to do and past their due date, oldest first.

    For dashboards and reports: the same scope and agency narrowing as the task board;
    `under` restricts to a unit's subtree (NotFound when the actor cannot see that unit).
    """
    as_of = as_of or timezone.localdate()
    return (
        _under(visible_items(actor), actor, under)
        .filter(overdue_q(as_of))
        .order_by("due_date", "id")
    )


def agencies_for(actor, perm: str = VIEW_WORKITEMS):
    """Agencies of the provinces where the actor holds `perm` (for filters and assignment)."""
    return Agency.objects.visible_to(actor, perm).filter(active=True).select_related("province")


# -- suggested tasks for failing criteria ------------------------------------------------------
@cache
def suggestion_table() -> dict[str, list[dict]]:
    """The suggestion table (criterion code -> task templates), read once from the data file."""
    data = json.loads(SUGGESTIONS_FILE.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


@dataclass(frozen=True)
class Proposal:
    origin: str
    unit_code: str
    unit_name: str
    criterion_code: str
    title: str
    description: str
    agency_id: int | None
    agency_name: str
    due_date: dt.date
    exists: bool


def _pick_agency(template: dict, agencies: list[Agency], parent_name: str) -> Agency | None:
    kind = [a for a in agencies if a.kind == template.get("agency_kind")]
    hint = template.get("name_contains")
    if hint:
        kind = [a for a in kind if hint.lower() in a.name.lower()]
    if template.get("prefer_parent") and parent_name:
        named = [a for a in kind if parent_name.lower() in a.name.lower()]
        if named:
            return named[0]
    return kind[0] if kind else None


def suggestions(
    actor, year: int, under: str | None = None, as_of: dt.date | None = None
) -> list[Proposal]:
    """Tasks proposed for units whose evaluation for `year` fails a criterion in the table.

    Protects scope (units and results of the actor's MANAGE_WORKITEMS scope only) and the
    register from duplicates: a proposal whose origin "suggested:<code>:<unit>" already has a
    task that is not cancelled is marked `exists`. A fixed number of queries.
    """
    from kieumau.evaluation.models import EvaluationResult
    from kieumau.plans.structure import Structure

    as_of = as_of or timezone.localdate()
    table = suggestion_table()
    results = EvaluationResult.objects.visible_to(actor, MANAGE_WORKITEMS).filter(period=str(year))
    if under:
        unit = OrgUnit.objects.visible_to(actor, MANAGE_WORKITEMS).filter(code=under).first()
        if unit is None:
            raise NotFound.single(f"không tìm thấy đơn vị '{under}'", "unit not found")
        results = results.filter(
            unit_id__in=OrgUnitClosure.objects.filter(ancestor=unit).values("descendant_id")
        )
    failing: dict[int, list[str]] = {}
    for uid, statuses in results.values_list("unit_id", "statuses"):
        codes = [c for c, s in (statuses or {}).items() if s == "not_met" and c in table]
        if codes:
            failing.setdefault(uid, [])
            failing[uid] = sorted(set(failing[uid]) | set(codes))
    if not failing:
        return []
    structure = Structure(as_of)
    names = dict(
        OrgUnitVersion.objects.filter(unit_id__in=list(failing))
        .order_by("valid_from")
        .values_list("unit_id", "name")
    )
    codes = dict(OrgUnit.objects.filter(pk__in=list(failing)).values_list("pk", "code"))
    agencies_by_province: dict[int, list[Agency]] = {}
    for agency in Agency.objects.filter(active=True).order_by("name"):
        agencies_by_province.setdefault(agency.province_id, []).append(agency)
    existing = set(
        WorkItem.objects.filter(origin__startswith="suggested:")
        .exclude(status=ItemStatus.CANCELLED)
        .values_list("origin", flat=True)
    )
    out = []
    for uid in sorted(failing, key=lambda u: codes[u]):
        info = structure.units.get(uid)
        if info is None:
            continue
        province = structure.province_of(uid)
        parent = structure.units.get(info.parent_id) if info.parent_id else None
        parent_name = parent.name if parent and parent.level > 1 else ""
        for code in failing[uid]:
            for n, template in enumerate(table[code]):
                origin = f"suggested:{code}:{codes[uid]}" + (f":{n + 1}" if n else "")
                agency = _pick_agency(template, agencies_by_province.get(province, []), parent_name)
                out.append(
                    Proposal(
                        origin=origin,
                        unit_code=codes[uid],
                        unit_name=names.get(uid, ""),
                        criterion_code=code,
                        title=template["title"].format(unit=names.get(uid, ""), parent=parent_name),
                        description=template.get("description", ""),
                        agency_id=agency.pk if agency else None,
                        agency_name=agency.name if agency else "",
                        due_date=as_of + dt.timedelta(days=int(template.get("due_days", 90))),
                        exists=origin in existing,
                    )
                )
    return out


def agency_directory(actor):
    """Agencies the actor manages (MANAGE_WORKITEMS), with their members, for the agencies page.

    Two queries for any number of agencies (members prefetched).
    """
    return (
        Agency.objects.visible_to(actor, MANAGE_WORKITEMS)
        .select_related("province")
        .prefetch_related("members__user")
        .order_by("province__code", "name")
    )
