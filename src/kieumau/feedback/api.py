"""The feedback API under /api/v1/feedback/ (staff only; the public pages have no API).

Reads through `feedback.selectors` (an `under` or unit out of scope answers 404), writes
through `feedback.services` (which authorise on the item's unit: 404 out of scope). Contact
details appear only on items whose unit the caller answers for, exactly as on the pages.
"""

import datetime as dt

from ninja import Field, Query, Router, Schema

from kieumau.feedback import selectors
from kieumau.feedback.services import answer_item
from kieumau.orgunits.schemas import ErrorOut

router = Router()
ERRORS = {400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class ContactOut(Schema):
    name: str
    phone: str
    email: str


class ItemOut(Schema):
    id: int
    tracking_code: str
    unit: str
    unit_name: str
    kind: str
    text: str
    status: str
    received_at: dt.datetime
    due_date: dt.date
    overdue: bool
    answer: str
    answered_at: dt.datetime | None
    justified: bool | None
    revision: int
    contact: ContactOut | None = Field(
        None, description="Chỉ có khi bạn có quyền trả lời ý kiến của đơn vị này"
    )


class ItemListOut(Schema):
    total: int
    offset: int
    limit: int
    items: list[ItemOut]


class AnswerIn(Schema):
    answer: str = Field(..., description="Câu trả lời công khai (tối đa 4.000 ký tự)")
    justified: bool | None = Field(None, description="Với phản ánh về tác phong: có căn cứ?")
    close: bool = Field(False, description="Đóng ý kiến sau khi trả lời")
    revision: int | None = Field(None, description="Phiên bản bạn đã đọc; khác thì 409")


class QuestionOut(Schema):
    text: str
    count: int
    mean: float | None
    distribution: list[int]


class SurveyOut(Schema):
    unit: str
    unit_name: str
    period: str
    responses: int
    satisfied: int
    satisfaction_rate: float | None
    rate_low: float | None = Field(None, description="Cận dưới khoảng tin cậy Wilson 95% (%)")
    rate_high: float | None = Field(None, description="Cận trên khoảng tin cậy Wilson 95% (%)")
    index: float | None = Field(None, description="Chỉ số hài lòng 0–100")
    min_sample: int
    enough: bool = Field(..., description="Đủ cỡ mẫu tối thiểu để ghi chỉ tiêu")
    questions: list[QuestionOut]


def _item(item, unit_name: str, contact: bool, today: dt.date) -> dict:
    return {
        "id": item.pk,
        "tracking_code": item.tracking_code,
        "unit": item.unit.code,
        "unit_name": unit_name,
        "kind": item.kind,
        "text": item.text,
        "status": item.status,
        "received_at": item.received_at,
        "due_date": item.due_date,
        "overdue": item.is_overdue(today),
        "answer": item.answer,
        "answered_at": item.answered_at,
        "justified": item.justified,
        "revision": item.revision,
        "contact": {"name": item.name, "phone": item.phone, "email": item.email}
        if contact
        else None,
    }


@router.get("/items", response={200: ItemListOut, **ERRORS})
def list_items(
    request,
    under: str | None = None,
    status: str | None = None,
    kind: str | None = None,
    overdue: bool = False,
    offset: int = Query(0, ge=0),
    limit: int = Query(selectors.PAGE_SIZE, ge=1, le=200),
):
    """Feedback items you may read, newest first; filter by `under` (a unit code), status
    (new, answered, closed), kind (suggestion, conduct, problem) and overdue.

    Protects scope and personal data: only items visible to you; contact details only on
    items of units you answer for."""
    from django.utils import timezone

    listing = selectors.item_list(
        request.auth,
        under=under,
        status=status,
        kind=kind,
        overdue=overdue,
        offset=offset,
        limit=limit,
    )
    contact = selectors.contact_visible_units(request.auth, {r.item.unit_id for r in listing.rows})
    today = timezone.localdate()
    return {
        "total": listing.total,
        "offset": listing.offset,
        "limit": listing.limit,
        "items": [
            _item(r.item, r.unit_name, r.item.unit_id in contact, today) for r in listing.rows
        ],
    }


@router.post("/items/{item_id}/answer", response={200: ItemOut, **ERRORS})
def post_answer(request, item_id: int, payload: AnswerIn):
    """Answer an item (or correct the answer), optionally closing it; 409 when it changed
    since `revision` or is closed. Needs feedback.answer on the item's unit (404 otherwise)."""
    from django.utils import timezone

    answer_item(
        actor=request.auth,
        item_id=item_id,
        answer=payload.answer,
        justified=payload.justified,
        close=payload.close,
        revision=payload.revision,
    )
    detail = selectors.item_detail(request.auth, item_id)
    return _item(detail.item, detail.unit_name, detail.show_contact, timezone.localdate())


@router.get("/surveys/{code}", response={200: SurveyOut, **ERRORS})
def survey(request, code: str, period: str | None = None):
    """A unit's satisfaction survey for a period (YYYY or YYYY-MM; default this year): rate
    with its Wilson 95% interval, index, whether the minimum sample is reached, and each
    question's mean and 1–5 distribution. 404 for a unit out of scope."""
    results = selectors.survey_results(request.auth, code, selectors.period_of(period))
    s = results.summary
    return {
        "unit": results.unit.code,
        "unit_name": results.unit_name,
        "period": results.period.code,
        "responses": s.responses,
        "satisfied": s.satisfied,
        "satisfaction_rate": s.rate,
        "rate_low": s.rate_low,
        "rate_high": s.rate_high,
        "index": s.index,
        "min_sample": s.min_sample,
        "enough": s.enough,
        "questions": [
            {
                "text": q.question.text,
                "count": q.count,
                "mean": q.mean,
                "distribution": q.distribution,
            }
            for q in results.questions
        ],
    }
