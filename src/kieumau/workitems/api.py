"""The workitems API under /api/v1/workitems/: tasks list, create, read, update, progress.

Thin like the pages: reads through `workitems.selectors` (the chokepoint with the agency
narrowing: 404 out of scope), writes through `workitems.services` (400 with the problems,
404, 409 with `current` when the task changed since the revision sent).
"""

import datetime as dt

from django.utils import timezone
from ninja import Field, Router, Schema, Status

from kieumau.orgunits.schemas import ErrorOut
from kieumau.workitems import selectors, services

router = Router()


class ConflictOut(ErrorOut):
    current: dict | None = None


ERRORS = {400: ErrorOut, 404: ErrorOut, 409: ConflictOut, 422: ErrorOut}


class ItemOut(Schema):
    id: int
    title: str
    description: str
    unit: str
    assignee_agency: int | None
    assignee_agency_name: str | None
    assignee_unit: str | None
    plan: int | None
    criterion_code: str
    origin: str
    due_date: dt.date
    status: str
    overdue: bool
    percent: int
    revision: int


class UpdateOut(Schema):
    id: int
    at: dt.datetime
    author: str
    note: str
    percent: int
    status_after: str
    evidence_text: str
    evidence_link: str


class ItemDetailOut(ItemOut):
    updates: list[UpdateOut]


class ItemIn(Schema):
    title: str
    unit: str
    due_date: dt.date
    description: str = ""
    assignee_agency: int | None = None
    assignee_unit: str | None = None
    plan: int | None = None
    criterion_code: str = ""
    origin: str = ""


class ItemPatch(Schema):
    revision: int | None = Field(None, description="Phiên bản bạn đã đọc (chống ghi đè)")
    title: str | None = None
    description: str | None = None
    due_date: dt.date | None = None
    status: str | None = None
    criterion_code: str | None = None


class ProgressIn(Schema):
    note: str
    percent: int
    done: bool = False
    evidence_text: str = ""
    evidence_link: str = ""
    revision: int | None = None


def _item(item, today: dt.date) -> dict:
    return {
        "id": item.pk,
        "title": item.title,
        "description": item.description,
        "unit": item.unit.code,
        "assignee_agency": item.assignee_agency_id,
        "assignee_agency_name": item.assignee_agency.name if item.assignee_agency_id else None,
        "assignee_unit": item.assignee_unit.code if item.assignee_unit_id else None,
        "plan": item.plan_id,
        "criterion_code": item.criterion_code,
        "origin": item.origin,
        "due_date": item.due_date,
        "status": item.status,
        "overdue": item.is_overdue(today),
        "percent": item.percent,
        "revision": item.revision,
    }


def _update(u) -> dict:
    return {
        "id": u.pk,
        "at": u.at,
        "author": u.author_repr,
        "note": u.note,
        "percent": u.percent,
        "status_after": u.status_after,
        "evidence_text": u.evidence_text,
        "evidence_link": u.evidence_link,
    }


def _detail(actor, item_id: int) -> dict:
    item = selectors.get_item(actor, item_id)
    return {
        **_item(item, timezone.localdate()),
        "updates": [_update(u) for u in selectors.item_updates(item)],
    }


@router.get("", response={200: list[ItemOut], **ERRORS})
def list_items(
    request,
    agency: int | None = None,
    status: str | None = None,
    overdue: bool = False,
    under: str | None = None,
    plan: int | None = None,
):
    """Tasks you may see (agency officers: their agency's only), at most 500."""
    today = timezone.localdate()
    rows = selectors.item_list(
        request.auth, agency=agency, status=status, overdue=overdue, under=under, plan=plan
    )[:500]
    return [_item(i, today) for i in rows]


@router.post("", response={201: ItemDetailOut, **ERRORS})
def create(request, payload: ItemIn):
    """Open a task (MANAGE_WORKITEMS on the unit); an `origin` opens at most one task."""
    item = services.create_item(actor=request.auth, **payload.dict())
    return Status(201, _detail(request.auth, item.pk))


@router.get("/{item_id}", response={200: ItemDetailOut, **ERRORS})
def read(request, item_id: int):
    """One task with its progress reports."""
    return _detail(request.auth, item_id)


@router.patch("/{item_id}", response={200: ItemDetailOut, **ERRORS})
def update(request, item_id: int, payload: ItemPatch):
    """Edit a task (MANAGE_WORKITEMS); send the `revision` you read to avoid overwriting."""
    selectors.get_item(request.auth, item_id)
    data = {k: v for k, v in payload.dict().items() if v is not None and k != "revision"}
    services.update_item(
        actor=request.auth, item_id=item_id, expected_revision=payload.revision, **data
    )
    return _detail(request.auth, item_id)


@router.post("/{item_id}/progress", response={201: UpdateOut, **ERRORS})
def post_progress(request, item_id: int, payload: ProgressIn):
    """Report progress (UPDATE_WORKITEMS; agency officers on their agency's tasks only)."""
    selectors.get_item(request.auth, item_id)
    row = services.report_progress(
        actor=request.auth,
        item_id=item_id,
        note=payload.note,
        percent=payload.percent,
        done=payload.done,
        evidence_text=payload.evidence_text,
        evidence_link=payload.evidence_link,
        expected_revision=payload.revision,
    )
    return Status(201, _update(row))
