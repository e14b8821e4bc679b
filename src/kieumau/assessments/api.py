"""API: assessment cases — list, read, register, self-assess, appraise, move along the workflow;
the register of recognised units.

Thin like the pages: reads through `assessments.selectors` (404 out of scope), writes through
the services and `workflow.transition`, refusals through the DomainError handler (400 with the
list of problems, 404, 409). A 409 also carries `current`: the case's state and revision now
(and the criterion's revision for criterion writes), so a client can reload and decide again.
"""

import datetime as dt

from ninja import Field, Query, Router, Schema, Status

from kieumau.assessments import selectors
from kieumau.assessments.models import AssessmentCase, CaseCriterion
from kieumau.assessments.services import decide_criterion, register_cases, save_self_assessment
from kieumau.assessments.workflow import add_comment, transition
from kieumau.core.errors import Conflict
from kieumau.orgunits.schemas import ErrorOut

router = Router()


class ConflictOut(ErrorOut):
    current: dict | None = Field(
        None, description="Trạng thái hiện tại: status, revision (và criterion_revision)"
    )


ERRORS = {400: ErrorOut, 404: ErrorOut, 409: ConflictOut, 422: ErrorOut}


class EvidenceOut(Schema):
    id: int
    sha256: str
    filename: str
    title: str
    kind: str
    size: int
    url: str | None


class CriterionOut(Schema):
    code: str
    group: str
    name: str
    evidence_required: list[str]
    evaluated_status: str
    evaluated_explanation: str
    self_status: str
    narrative: str
    no_evidence_reason: str
    evidence: list[EvidenceOut]
    self_assessed_by: str | None
    decision: str
    decision_reason: str
    decided_by: str | None
    decided_at: dt.datetime | None
    revision: int


class EventOut(Schema):
    action: str
    from_status: str
    to_status: str
    actor: str
    comment: str
    at: dt.datetime


class RecognitionOut(Schema):
    number: str
    date: dt.date | None
    signer: str
    year: int | None


class CaseSummaryOut(Schema):
    id: int
    unit: str
    unit_name: str
    district: str
    province: str
    province_name: str
    year: int
    status: str
    revision: int
    submitted_at: dt.datetime | None
    criteria_version: str


class ProblemOut(Schema):
    message: str
    message_en: str = ""
    field: str | None = None


class CaseOut(CaseSummaryOut):
    snapshot_sha256: str
    snapshot_intact: bool
    recognition: RecognitionOut | None
    closing_reason: str
    actions: list[str] = Field(..., description="Thao tác bạn được làm ngay bây giờ")
    missing_for_submission: list[ProblemOut]
    criteria: list[CriterionOut]
    events: list[EventOut]


class CaseListOut(Schema):
    total: int
    offset: int
    limit: int
    cases: list[CaseSummaryOut]


class RegisterIn(Schema):
    units: list[str] = Field(..., description="Mã các đơn vị cấp xã, ví dụ ['HY-TPHY-ANTAO']")
    year: int = Field(..., ge=2000, le=2100)


class SelfAssessmentIn(Schema):
    self_status: str = Field(..., description="met (đạt) hoặc not_met (không đạt)")
    narrative: str = ""
    no_evidence_reason: str = Field("", description="Lý do không có minh chứng, nếu không đính kèm")
    evidence: list[int] = Field([], description="Mã (id) các tệp minh chứng của đơn vị")
    revision: int | None = Field(None, description="Phiên bản tiêu chí bạn đã đọc; khác thì 409")


class DecisionIn(Schema):
    decision: str = Field(..., description="agree (đồng ý) hoặc disagree (không đồng ý)")
    reason: str = Field("", description="Bắt buộc khi không đồng ý")
    revision: int | None = Field(None, description="Phiên bản tiêu chí bạn đã đọc; khác thì 409")


class RecognitionIn(Schema):
    number: str = ""
    date: str | None = Field(None, description="Ngày quyết định: dd/mm/yyyy hoặc yyyy-mm-dd")
    signer: str = ""
    year: int | None = None


class TransitionIn(Schema):
    action: str = Field(
        ..., description="submit, forward, return, approve, recognise, refuse, revoke, withdraw"
    )
    revision: int | None = Field(None, description="Phiên bản hồ sơ bạn đã đọc; khác thì 409")
    comment: str = Field("", description="Nhận xét; bắt buộc (lý do) khi trả lại, từ chối, thu hồi")
    decision: RecognitionIn | None = Field(None, description="Quyết định công nhận (recognise)")


class CommentIn(Schema):
    comment: str


class RecognisedOut(Schema):
    case_id: int
    unit: str
    unit_name: str
    province: str
    province_name: str
    year: int
    status: str
    decision_number: str
    decision_date: dt.date | None
    decision_signer: str


def _summary(case: AssessmentCase, place: selectors.Place) -> dict:
    return {
        "id": case.pk,
        "unit": case.unit.code,
        "unit_name": place.unit_name,
        "district": place.district_code,
        "province": place.province_code,
        "province_name": place.province_name,
        "year": case.year,
        "status": case.status,
        "revision": case.revision,
        "submitted_at": case.submitted_at,
        "criteria_version": case.criteria_version.label,
    }


def _criterion(crit: CaseCriterion) -> dict:
    return {
        "code": crit.code,
        "group": crit.group,
        "name": crit.name_vi,
        "evidence_required": list(crit.evidence_required or []),
        "evaluated_status": crit.evaluated_status,
        "evaluated_explanation": crit.evaluated_explanation,
        "self_status": crit.self_status,
        "narrative": crit.narrative,
        "no_evidence_reason": crit.no_evidence_reason,
        "evidence": [
            {
                "id": f.pk,
                "sha256": f.sha256,
                "filename": f.filename,
                "title": f.title,
                "kind": f.kind,
                "size": f.size,
                "url": selectors.evidence_url(f),
            }
            for f in crit.evidence.all()
        ],
        "self_assessed_by": crit.self_assessed_by.get_username() if crit.self_assessed_by else None,
        "decision": crit.decision,
        "decision_reason": crit.decision_reason,
        "decided_by": crit.decided_by.get_username() if crit.decided_by else None,
        "decided_at": crit.decided_at,
        "revision": crit.revision,
    }


def _case(actor, case_id: int) -> dict:
    detail = selectors.case_detail(actor, case_id)
    case = detail.case
    recognised = case.decision_number or case.recognised_year
    return {
        **_summary(case, detail.place),
        "snapshot_sha256": case.snapshot_sha256,
        "snapshot_intact": detail.snapshot_intact,
        "recognition": {
            "number": case.decision_number,
            "date": case.decision_date,
            "signer": case.decision_signer,
            "year": case.recognised_year,
        }
        if recognised
        else None,
        "closing_reason": case.closing_reason,
        "actions": detail.actions,
        "missing_for_submission": [p.as_dict() for p in detail.missing],
        "criteria": [_criterion(c) for c in detail.criteria],
        "events": [
            {
                "action": e.action,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "actor": e.actor_repr,
                "comment": e.comment,
                "at": e.at,
            }
            for e in detail.events
        ],
    }


def _with_current(exc: Conflict, actor, case_id: int, code: str | None = None) -> Conflict:
    """Attach the case's state now (and the criterion's revision) to a 409 refusal."""
    case = selectors.visible_cases(actor).filter(pk=case_id).first()
    if case is not None:
        exc.current = {"status": case.status, "revision": case.revision}
        if code is not None:
            crit = case.criteria.filter(code=code).only("revision").first()
            if crit is not None:
                exc.current["criterion_revision"] = crit.revision
    return exc


@router.get("/cases", response={200: CaseListOut, **ERRORS})
def list_cases(
    request,
    year: int | None = None,
    status: str | None = None,
    under: str | None = None,
    province: str | None = None,
    offset: int = 0,
    limit: int = Query(selectors.LIST_LIMIT, ge=1, le=selectors.MAX_LIMIT),
):
    """Cases you may read, newest year first; filter by year, status (draft, province_review,
    proposed, recognised, …), `under` (a city, district, province or unit code) or province.

    Protects scope: only cases visible to you; an `under`/`province` out of scope is 404."""
    listing = selectors.case_list(
        request.auth,
        year=year,
        status=status,
        under=under,
        province=province,
        offset=offset,
        limit=limit,
    )
    return {
        "total": listing.total,
        "offset": listing.offset,
        "limit": listing.limit,
        "cases": [_summary(r.case, r.place) for r in listing.rows],
    }


@router.post("/cases", response={201: list[CaseSummaryOut], **ERRORS})
def create_cases(request, payload: RegisterIn):
    """Register units for a year (all or nothing): each must be a commune-level unit in your
    scope without a case for that year; the criteria version in force is pinned.

    Protects the register: `register_cases` checks assessments.register on each unit; a unit
    out of scope is refused like one that does not exist."""
    cases = register_cases(actor=request.auth, unit_codes=payload.units, year=payload.year)
    day = selectors.year_end(payload.year)
    where = selectors.places((c.unit_id, day) for c in cases)
    return Status(201, [_summary(c, where[c.unit_id, day]) for c in cases])


@router.get("/cases/{case_id}", response={200: CaseOut, **ERRORS})
def read_case(request, case_id: int):
    """One case: criteria with the self-assessment and the appraisal side by side, evidence,
    timeline, state, revision, snapshot digest and the actions open to you now.

    Protects scope: 404 for a case out of scope, as for one that does not exist."""
    return _case(request.auth, case_id)


@router.put("/cases/{case_id}/criteria/{code}", response={200: CriterionOut, **ERRORS})
def put_self_assessment(request, case_id: int, code: str, payload: SelfAssessmentIn):
    """The unit's self-assessment of one criterion (while draft or returned); `revision` is the
    criterion's revision you read (409 if someone saved it since).

    Protects the case: assessments.self on its unit (404), the state and the revision (409)."""
    try:
        crit = save_self_assessment(
            actor=request.auth,
            case_id=case_id,
            code=code,
            self_status=payload.self_status,
            narrative=payload.narrative,
            no_evidence_reason=payload.no_evidence_reason,
            evidence_ids=payload.evidence,
            expected_revision=payload.revision,
        )
    except Conflict as exc:
        raise _with_current(exc, request.auth, case_id, code) from None
    return _criterion(_fresh_criterion(crit.pk))


@router.post("/cases/{case_id}/criteria/{code}/decision", response={200: CriterionOut, **ERRORS})
def post_decision(request, case_id: int, code: str, payload: DecisionIn):
    """The appraisal council's decision on one criterion (while under the province's appraisal,
    by someone independent of the case): agree, or disagree with a reason.

    Protects the appraisal: assessments.appraise (404), state and revision (409), independence
    and the reason (400)."""
    try:
        crit = decide_criterion(
            actor=request.auth,
            case_id=case_id,
            code=code,
            decision=payload.decision,
            reason=payload.reason,
            expected_revision=payload.revision,
        )
    except Conflict as exc:
        raise _with_current(exc, request.auth, case_id, code) from None
    return _criterion(_fresh_criterion(crit.pk))


@router.post("/cases/{case_id}/transitions", response={200: CaseOut, **ERRORS})
def post_transition(request, case_id: int, payload: TransitionIn):
    """Move the case: submit, forward, return, approve, recognise (with `decision`: number,
    date, signer, year), refuse, revoke, withdraw. 400 lists what is missing; 409 says the
    state now when the action is not possible in it or the case changed since `revision`.

    Protects the state machine: every check is `workflow.transition`'s (permission, revision,
    state, reason, independence, completeness)."""
    decision = None
    if payload.decision is not None:
        decision = {
            "number": payload.decision.number,
            "date": selectors.parse_day(payload.decision.date),
            "signer": payload.decision.signer,
            "year": payload.decision.year,
        }
    try:
        transition(
            actor=request.auth,
            case_id=case_id,
            action=payload.action,
            expected_revision=payload.revision,
            comment=payload.comment,
            decision=decision,
        )
    except Conflict as exc:
        raise _with_current(exc, request.auth, case_id) from None
    return _case(request.auth, case_id)


@router.post("/cases/{case_id}/comments", response={201: EventOut, **ERRORS})
def post_comment(request, case_id: int, payload: CommentIn):
    """A comment on the case's timeline.

    Protects scope: anyone who may read the case may comment; others get 404."""
    event = add_comment(actor=request.auth, case_id=case_id, comment=payload.comment)
    return Status(
        201,
        {
            "action": event.action,
            "from_status": event.from_status,
            "to_status": event.to_status,
            "actor": event.actor_repr,
            "comment": event.comment,
            "at": event.at,
        },
    )


@router.get("/recognised", response={200: list[RecognisedOut], **ERRORS})
def recognised(request, year: int, under: str | None = None):
    """The register of units recognised for `year`, with the decision number, date and signer
    (revoked recognitions stay listed with status "revoked").

    Protects scope: a province reads its own register, the Ministry the nation's."""
    return [
        {
            "case_id": r.case.pk,
            "unit": r.case.unit.code,
            "unit_name": r.place.unit_name,
            "province": r.place.province_code,
            "province_name": r.place.province_name,
            "year": r.case.year,
            "status": r.case.status,
            "decision_number": r.case.decision_number,
            "decision_date": r.case.decision_date,
            "decision_signer": r.case.decision_signer,
        }
        for r in selectors.recognised_register(request.auth, year, under=under)
    ]


def _fresh_criterion(pk: int) -> CaseCriterion:
    """The criterion just written by a service (which authorised the write), for the answer."""
    return (
        CaseCriterion.objects.select_related("self_assessed_by", "decided_by")
        .prefetch_related("evidence")
        .get(pk=pk)
    )
