"""The assessment state machine, in one place.

```
draft ─submit─▶ district_review ─forward─▶ province_review ─approve─▶ proposed ─recognise─▶ recognised
  ▲   (only while a district step exists)        │                      └─refuse─▶ refused      │
  └──────────── returned ◀──return (reason)──────┘                                             revoke
                                                                                               ▼
draft/returned ─withdraw (reason)─▶ withdrawn                                               revoked
```

Each transition locks the case row, checks the revision the actor saw (a double click or two
approvers racing: exactly one wins, the other gets 409 with the current state), checks the
state, authorises on the unit (or, for the district step, on the unit's district), enforces
independence (nobody reviews a case they submitted or self-assessed), writes the new state, a
timeline event and an audit entry in one transaction, and notifies the next actor.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from kieumau.accounts.permissions import (
    APPRAISE_CASES,
    FORWARD_CASES,
    RECOGNISE_CASES,
    REGISTER_CASES,
    SELF_ASSESS,
)
from kieumau.accounts.scope import can_act_on_unit, users_with_perm_on
from kieumau.assessments.choices import EDITABLE, STATUS_VI, CaseAction, CaseStatus
from kieumau.assessments.models import AssessmentCase, CaseEvent, ReviewPath
from kieumau.assessments.services import check_revision, is_independent
from kieumau.assessments.snapshot import build_snapshot
from kieumau.audit.services import record
from kieumau.audit.timeline import post_comment
from kieumau.core.errors import Conflict, NotFound, Problem, ValidationFailed
from kieumau.notifications.services import notify
from kieumau.orgunits.choices import Level
from kieumau.orgunits.models import OrgUnitVersion

S = CaseStatus
A = CaseAction

# action → (states it may start from, permission on the unit it needs)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    A.SUBMIT: (frozenset({S.DRAFT, S.RETURNED}), SELF_ASSESS),
    A.FORWARD: (frozenset({S.DISTRICT_REVIEW}), FORWARD_CASES),
    A.RETURN: (frozenset({S.DISTRICT_REVIEW, S.PROVINCE_REVIEW}), APPRAISE_CASES),
    A.APPROVE: (frozenset({S.PROVINCE_REVIEW}), APPRAISE_CASES),
    A.RECOGNISE: (frozenset({S.PROPOSED}), RECOGNISE_CASES),
    A.REFUSE: (frozenset({S.PROPOSED}), RECOGNISE_CASES),
    A.REVOKE: (frozenset({S.RECOGNISED}), RECOGNISE_CASES),
    A.WITHDRAW: (frozenset({S.DRAFT, S.RETURNED}), REGISTER_CASES),
}
_NEEDS_REASON = {A.RETURN, A.REFUSE, A.REVOKE, A.WITHDRAW}
_REVIEWS = {A.FORWARD, A.RETURN, A.APPROVE}


def case_url(case: AssessmentCase) -> str:
    return reverse("assessments:case", kwargs={"pk": case.pk})


def district_review_on(day: dt.date) -> bool:
    """Whether a case submitted on `day` goes through a district review first (ReviewPath)."""
    path = (
        ReviewPath.objects.filter(valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        .order_by("-valid_from")
        .first()
    )
    return bool(path and path.district_review)


def district_of(case: AssessmentCase, day: dt.date) -> int | None:
    """The unit's district-level parent on `day`, if it had one."""
    version = (
        OrgUnitVersion.objects.filter(unit=case.unit, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        .first()
    )
    if version is None or version.parent_id is None:
        return None
    parent = (
        OrgUnitVersion.objects.filter(unit_id=version.parent_id, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        .first()
    )
    return parent.unit_id if parent is not None and parent.level == Level.DISTRICT else None


def missing_for_submission(case: AssessmentCase) -> list[Problem]:
    """What blocks submission: criteria not self-assessed, required evidence neither attached
    nor explained. Each problem names the criterion and the evidence it asks for."""
    problems = []
    for crit in case.criteria.prefetch_related("evidence").order_by("order"):
        if not crit.self_status:
            problems.append(
                Problem(
                    f"tiêu chí {crit.code}: chưa tự đánh giá đạt/không đạt",
                    "not assessed",
                    field=crit.code,
                )
            )
        if crit.evidence_required and not crit.evidence.all() and not crit.no_evidence_reason:
            needed = "; ".join(crit.evidence_required)
            problems.append(
                Problem(
                    f"tiêu chí {crit.code}: thiếu minh chứng ({needed}) hoặc lý do không có",
                    "missing evidence",
                    field=crit.code,
                )
            )
    return problems


def _authorised(actor, case: AssessmentCase, action: str, perm: str, day: dt.date) -> bool:
    if action == A.FORWARD or (action == A.RETURN and case.status == S.DISTRICT_REVIEW):
        district = district_of(case, day)
        if district is None:
            # The district was dissolved (1/3/2025) while the case waited for it: the province's
            # appraisers take the district step over, or the case would be stuck for good.
            return can_act_on_unit(actor, APPRAISE_CASES, case.unit_id)
        return can_act_on_unit(actor, FORWARD_CASES, district)
    return can_act_on_unit(actor, perm, case.unit_id)


@transaction.atomic
def transition(
    *,
    actor,
    case_id: int,
    action: str,
    expected_revision: int | None = None,
    comment: str = "",
    decision: dict | None = None,
    now: dt.datetime | None = None,
) -> AssessmentCase:
    """Move one case along the state machine (see the module docstring for the rules).

    `decision` carries the Ministry's recognition: {"number", "date" (a date), "signer",
    "year"}. Refusals: 404 when the case is out of scope, 409 with the current state when the
    action is not possible now or the case changed since it was read, 400 with the list of
    what is missing when a submission or an approval is incomplete.
    """
    now = now or timezone.now()
    if action not in TRANSITIONS:
        raise ValidationFailed.single(f"thao tác '{action}' không hợp lệ", "unknown action")
    sources, perm = TRANSITIONS[action]
    case = (
        AssessmentCase.objects.select_for_update()
        .select_related("unit", "criteria_version__criteria_set")
        .filter(pk=case_id)
        .first()
    )
    day = timezone.localdate(now)
    visible = case is not None and (
        _authorised(actor, case, action, perm, day) or can_act_on_unit(actor, perm, case.unit_id)
    )
    if not visible:
        raise NotFound.single("không tìm thấy hồ sơ đánh giá", "case not found")
    check_revision(case, expected_revision)
    if case.status not in sources:
        raise Conflict.single(
            f"không thể {CaseAction(action).label.lower()} hồ sơ đang ở trạng thái "
            f"'{STATUS_VI[case.status]}'",
            f"cannot {action} a case in state {case.status}",
            field="status",
        )
    if not _authorised(actor, case, action, perm, day):
        raise NotFound.single("không tìm thấy hồ sơ đánh giá", "case not found")
    comment = comment.strip()
    if action in _NEEDS_REASON and not comment:
        raise ValidationFailed.single("cần ghi rõ lý do", "a reason is required", field="comment")
    if action in _REVIEWS and not is_independent(actor, case):
        raise ValidationFailed.single(
            "người tự đánh giá hoặc nộp hồ sơ không được xem xét, thẩm định hồ sơ đó",
            "conflict of interest",
        )
    user = actor if getattr(actor, "pk", None) else None
    before = case.status
    if action == A.SUBMIT:
        problems = missing_for_submission(case)
        if problems:
            raise ValidationFailed(problems)
        case.snapshot, case.snapshot_sha256 = build_snapshot(case)
        case.submitted_at, case.submitted_by = now, user
        case.district_review = district_review_on(day) and district_of(case, day) is not None
        case.status = S.DISTRICT_REVIEW if case.district_review else S.PROVINCE_REVIEW
    elif action == A.FORWARD:
        case.status = S.PROVINCE_REVIEW
    elif action == A.RETURN:
        case.status = S.RETURNED
        case.criteria.update(decision="", decision_reason="", decided_by=None, decided_at=None)
    elif action == A.APPROVE:
        undecided = [c for c in case.criteria.order_by("order") if not c.decision]
        if undecided:
            raise ValidationFailed(
                [
                    Problem(
                        f"tiêu chí {c.code}: hội đồng chưa kết luận", "not decided", field=c.code
                    )
                    for c in undecided
                ]
            )
        case.status, case.approved_at, case.approved_by = S.PROPOSED, now, user
    elif action == A.RECOGNISE:
        _recognition(case, decision or {})
        case.status = S.RECOGNISED
    elif action in (A.REFUSE, A.REVOKE, A.WITHDRAW):
        case.status = {A.REFUSE: S.REFUSED, A.REVOKE: S.REVOKED, A.WITHDRAW: S.WITHDRAWN}[action]
        case.closing_reason = comment
    case.revision += 1
    case.save()
    CaseEvent.objects.create(
        case=case,
        action=action,
        from_status=before,
        to_status=case.status,
        actor=user,
        actor_repr=actor.get_username() if hasattr(actor, "get_username") else str(actor),
        comment=comment,
        at=now,
    )
    record(
        actor=actor,
        event=f"assessments.case_{action}",
        target=case,
        unit=case.unit,
        target_repr=f"{case.unit.code} {case.year}",
        before={"status": before},
        after={
            "status": case.status,
            "revision": case.revision,
            **({"snapshot_sha256": case.snapshot_sha256} if action == A.SUBMIT else {}),
            **(
                {
                    "decision_number": case.decision_number,
                    "decision_date": case.decision_date.isoformat(),
                    "signer": case.decision_signer,
                    "year": case.recognised_year,
                }
                if action == A.RECOGNISE
                else {}
            ),
        },
        note=comment,
    )
    _notify_next(case, action, comment, day)
    return case


def _recognition(case: AssessmentCase, decision: dict) -> None:
    """Fill the Ministry's decision fields; every one is required and the year must match."""
    problems = []
    number = str(decision.get("number") or "").strip()
    signer = str(decision.get("signer") or "").strip()
    date = decision.get("date")
    year = decision.get("year") or case.year
    if not number:
        problems.append(Problem("thiếu số quyết định", "decision number required", field="number"))
    if not isinstance(date, dt.date):
        problems.append(
            Problem("thiếu hoặc sai ngày quyết định", "decision date required", field="date")
        )
    elif date.year < case.year:
        problems.append(
            Problem(
                f"ngày quyết định {date:%d/%m/%Y} trước năm được công nhận {case.year}",
                "decision before the year",
                field="date",
            )
        )
    if not signer:
        problems.append(Problem("thiếu người ký", "signer required", field="signer"))
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = None
    if year != case.year:
        problems.append(
            Problem(
                f"năm công nhận phải là {case.year} (năm của hồ sơ)", "year mismatch", field="year"
            )
        )
    if problems:
        raise ValidationFailed(problems)
    case.decision_number, case.decision_date = number[:60], date
    case.decision_signer, case.recognised_year = signer[:200], year


def _notify_next(case: AssessmentCase, action: str, comment: str, day: dt.date) -> None:
    """Tell whoever acts next: the district or province on submit, the Ministry on approval,
    the unit on return and on the Ministry's decision."""
    title = f"hồ sơ {case.unit.code} năm {case.year}"
    if action == A.SUBMIT and case.status == S.DISTRICT_REVIEW:
        district = district_of(case, day)
        users, subject = (
            users_with_perm_on(district, FORWARD_CASES) if district else [],
            f"Chờ cấp huyện xem xét: {title}",
        )
    elif action in (A.SUBMIT, A.FORWARD):
        users, subject = users_with_perm_on(case.unit_id, APPRAISE_CASES), f"Chờ thẩm định: {title}"
    elif action == A.APPROVE:
        users, subject = (
            users_with_perm_on(case.unit_id, RECOGNISE_CASES),
            f"Đề nghị công nhận: {title}",
        )
    else:
        verb = {
            A.RETURN: "bị trả lại",
            A.RECOGNISE: "đã được công nhận",
            A.REFUSE: "không được công nhận",
            A.REVOKE: "bị thu hồi công nhận",
            A.WITHDRAW: "đã rút đăng ký",
        }[action]
        users, subject = (
            users_with_perm_on(case.unit_id, SELF_ASSESS),
            f"{title[0].upper()}{title[1:]} {verb}",
        )
    notify(
        users=users,
        kind=f"case_{action}",
        subject=subject,
        body=comment,
        url=case_url(case),
        key=f"case:{case.pk}:{case.revision}",
    )


@transaction.atomic
def add_comment(*, actor, case_id: int, comment: str) -> CaseEvent:
    """A comment on the case's timeline by anyone who may read the case, audited."""
    from kieumau.accounts.permissions import VIEW_ASSESSMENTS

    case = AssessmentCase.objects.select_related("unit").filter(pk=case_id).first()
    if case is None or not can_act_on_unit(actor, VIEW_ASSESSMENTS, case.unit_id):
        raise NotFound.single("không tìm thấy hồ sơ đánh giá", "case not found")
    return post_comment(
        actor=actor,
        events=case.events,
        subject=case,
        unit=case.unit,
        action=A.COMMENT,
        audit_event="assessments.case_comment",
        comment=comment,
    )


def editable(case: AssessmentCase) -> bool:
    return case.status in EDITABLE
