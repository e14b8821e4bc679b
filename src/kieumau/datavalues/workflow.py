"""The report state machine: draft → submitted → approved, or returned; unlock with a reason.

One module holds every transition so the rules can be read in one place. Each transition locks
the report row, checks the state the actor saw (`expected_revision`, so a double click or two
approvers cannot both act), authorises on the unit, writes the new state, a timeline event and
an audit entry in one transaction, and notifies the next person.
"""

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kieumau.accounts.permissions import APPROVE_DATA, ENTER_DATA, UNLOCK_DATA
from kieumau.accounts.scope import can_act_on_unit, users_with_perm_on
from kieumau.audit.services import record
from kieumau.audit.timeline import post_comment
from kieumau.core.errors import Conflict, NotFound, Problem, ValidationFailed
from kieumau.datavalues.checks import run_checks
from kieumau.datavalues.choices import (
    ACTION_VI,
    STATUS_VI,
    SubmissionAction,
    SubmissionStatus,
)
from kieumau.datavalues.forms_catalog import FormCatalog
from kieumau.datavalues.models import DataSet, DataValue, Submission, SubmissionEvent
from kieumau.datavalues.schedule import due_date
from kieumau.engine import PeriodError, parse_period
from kieumau.notifications.services import notify
from kieumau.orgunits.models import OrgUnit

S = SubmissionStatus

# action → (statuses it may start from, status it leads to, permission it needs)
TRANSITIONS: dict[str, tuple[frozenset[str], str, str]] = {
    SubmissionAction.SUBMIT: (frozenset({S.DRAFT, S.RETURNED}), S.SUBMITTED, ENTER_DATA),
    SubmissionAction.APPROVE: (frozenset({S.SUBMITTED}), S.APPROVED, APPROVE_DATA),
    SubmissionAction.RETURN: (frozenset({S.SUBMITTED}), S.RETURNED, APPROVE_DATA),
    SubmissionAction.UNLOCK: (frozenset({S.SUBMITTED, S.APPROVED}), S.DRAFT, UNLOCK_DATA),
}
_NEEDS_COMMENT = {SubmissionAction.RETURN, SubmissionAction.UNLOCK}


def report_url(sub: Submission) -> str:
    """Where a notification about this report sends people."""
    return reverse(
        "datavalues:entry",
        kwargs={"unit": sub.unit.code, "form": sub.dataset.code, "period": sub.period},
    )


def locate(*, actor, unit_code: str, form_code: str, period_code: str, perm: str) -> Submission:
    """The report row for (unit, form, period), or an unsaved draft when none exists yet.

    Reads only: opening a form must not create rows. Protects against reports for units out of
    scope or forms that do not apply: the unit must be visible under `perm` (NotFound otherwise,
    same as a missing unit), the form must exist and apply to the period's type.
    """
    unit = OrgUnit.objects.filter(code=unit_code).first()
    if unit is None or not can_act_on_unit(actor, perm, unit.pk):
        raise NotFound.single(f"không tìm thấy đơn vị '{unit_code}'", "unit not found")
    form = DataSet.objects.filter(code=form_code).first()
    if form is None:
        raise NotFound.single(f"không tìm thấy biểu mẫu '{form_code}'", "form not found")
    try:
        period = parse_period(period_code)
    except PeriodError as exc:
        raise ValidationFailed.single(str(exc), "invalid period", field="period") from exc
    if period.period_type != form.period_type:
        raise ValidationFailed.single(
            f"biểu mẫu '{form.code}' báo cáo theo kỳ '{form.period_type}', không theo kỳ "
            f"{period.code}",
            "form does not use this period type",
            field="period",
        )
    sub = Submission.objects.filter(dataset=form, unit=unit, period=period.code).first()
    return sub or Submission(dataset=form, unit=unit, period=period.code)


def get_or_start(*, actor, unit_code: str, form_code: str, period_code: str, perm: str):
    """The report row for (unit, form, period), created as a draft on first use.

    Called only inside a write (submit, comment) whose own audit entry records the report; the
    same scope and form checks as `locate` apply.
    """
    sub = locate(
        actor=actor, unit_code=unit_code, form_code=form_code, period_code=period_code, perm=perm
    )
    if sub.pk is None:
        sub, _ = Submission.objects.get_or_create(
            dataset=sub.dataset, unit=sub.unit, period=sub.period
        )
    return sub


def _missing_and_checks(sub: Submission, catalog: FormCatalog) -> tuple[list[Problem], list[dict]]:
    """Required values that are missing, plus the form's check errors and warnings."""
    form = catalog.forms[sub.dataset_id]
    stored = dict(
        DataValue.objects.filter(
            unit=sub.unit, period=sub.period, indicator_id__in=form.indicator_ids
        ).values_list("indicator_id", "value")
    )
    required = set(sub.dataset.items.filter(required=True).values_list("indicator_id", flat=True))
    problems = [
        Problem(
            f"thiếu {form.code_of[ind]} ({form.labels[form.code_of[ind]]})",
            "missing value",
            field=form.code_of[ind],
        )
        for ind in form.indicator_ids
        if ind in required and ind not in stored
    ]
    values = {form.code_of[ind]: value for ind, value in stored.items()}
    outcome = run_checks(form.checks, values, form.labels)
    problems.extend(outcome.errors)
    return problems, [w.as_dict() for w in outcome.warnings]


@transaction.atomic
def transition(
    *,
    actor,
    submission_id: int,
    action: str,
    expected_revision: int | None = None,
    comment: str = "",
    now: dt.datetime | None = None,
    notify_next: bool = True,
) -> Submission:
    """Move one report along the state machine; refuses with 409 and the current state.

    Submitting needs every required value and no failing check (the list of what is missing
    comes back); returning and unlocking need a written reason; approving or returning one's
    own submission is refused so that nobody approves their own figures.
    """
    now = now or timezone.now()
    if action not in TRANSITIONS:
        raise ValidationFailed.single(f"thao tác '{action}' không hợp lệ", "unknown action")
    sub = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("dataset", "unit")
        .filter(pk=submission_id)
        .first()
    )
    sources, target, perm = TRANSITIONS[action]
    if sub is None or not can_act_on_unit(actor, perm, sub.unit_id):
        raise NotFound.single("không tìm thấy báo cáo", "report not found")
    label = STATUS_VI[sub.status]
    if expected_revision is not None and expected_revision != sub.revision:
        raise Conflict.single(
            f"báo cáo đã thay đổi trạng thái ({label}) sau khi bạn mở trang; hãy tải lại",
            f"report changed (now {sub.status})",
            field="status",
        )
    if sub.status not in sources:
        raise Conflict.single(
            f"không thể {ACTION_VI[action]} báo cáo đang ở trạng thái '{label}'",
            f"cannot {action} a report in state {sub.status}",
            field="status",
        )
    comment = comment.strip()
    if action in _NEEDS_COMMENT and not comment:
        raise ValidationFailed.single("cần ghi rõ lý do", "a reason is required", field="comment")
    if (
        action in {SubmissionAction.APPROVE, SubmissionAction.RETURN}
        and getattr(actor, "pk", None)
        and sub.submitted_by_id == actor.pk
    ):
        raise ValidationFailed.single(
            "người nộp báo cáo không tự duyệt hoặc trả lại báo cáo của mình",
            "the submitter cannot review their own report",
        )
    before = {"status": sub.status, "revision": sub.revision}
    user = actor if getattr(actor, "pk", None) else None
    if action == SubmissionAction.SUBMIT:
        catalog = FormCatalog.load(active_only=False)
        problems, warnings = _missing_and_checks(sub, catalog)
        if problems:
            raise ValidationFailed(problems)
        if sub.due_date is None:
            form = catalog.forms[sub.dataset_id]
            sub.due_date = due_date(
                parse_period(sub.period), catalog.due_spec(form, unit_id=sub.unit_id)
            )
        sub.submitted_at, sub.submitted_by, sub.warnings = now, user, warnings
        sub.reopened = False
    elif action in {SubmissionAction.APPROVE, SubmissionAction.RETURN}:
        sub.decided_at, sub.decided_by = now, user
        # A report returned for correction must be correctable even after its period closed.
        sub.reopened = sub.reopened or action == SubmissionAction.RETURN
    elif action == SubmissionAction.UNLOCK:
        sub.reopened = True
    sub.status = target
    sub.revision += 1
    sub.save()
    SubmissionEvent.objects.create(
        submission=sub,
        action=action,
        actor=user,
        actor_repr=actor.get_username() if hasattr(actor, "get_username") else str(actor),
        comment=comment,
        at=now,
    )
    record(
        actor=actor,
        event=f"datavalues.report_{action}",
        target=sub,
        unit=sub.unit,
        target_repr=f"{sub.unit.code} {sub.dataset.code} {sub.period}",
        before=before,
        after={"status": sub.status, "revision": sub.revision},
        note=comment,
    )
    if notify_next:
        _notify_next(sub, action, comment, actor=user)
    return sub


def _notify_next(sub: Submission, action: str, comment: str, actor=None) -> None:
    """Tell the next person: the province on submit; the unit's officers otherwise.

    The person who acted is never told about their own action (a province administrator who
    submits for a ward is not asked to approve it; the one who unlocks is not told it is unlocked).
    """
    title = f"{sub.dataset.name_vi} kỳ {sub.period} — {sub.unit.code}"
    acted = getattr(actor, "pk", None)
    if action == SubmissionAction.SUBMIT:
        users = [u for u in users_with_perm_on(sub.unit_id, APPROVE_DATA) if u.pk != acted]
        subject = f"Báo cáo chờ duyệt: {title}"
    else:
        users = [u for u in users_with_perm_on(sub.unit_id, ENTER_DATA) if u.pk != acted]
        verb = {
            SubmissionAction.APPROVE: "đã được duyệt",
            SubmissionAction.RETURN: "bị trả lại",
            SubmissionAction.UNLOCK: "đã được mở khóa",
        }[action]
        subject = f"Báo cáo {verb}: {title}"
    notify(
        users=users,
        kind=f"report_{action}",
        subject=subject,
        body=comment,
        url=report_url(sub),
        key=f"report:{sub.pk}:{sub.revision}",
    )


@transaction.atomic
def add_comment(*, actor, submission_id: int, comment: str) -> SubmissionEvent:
    """A comment on a report's timeline, by anyone who may read the unit's data, audited."""
    from kieumau.accounts.permissions import VIEW_DATA

    sub = Submission.objects.select_related("unit").filter(pk=submission_id).first()
    if sub is None or not can_act_on_unit(actor, VIEW_DATA, sub.unit_id):
        raise NotFound.single("không tìm thấy báo cáo", "report not found")
    return post_comment(
        actor=actor,
        events=sub.events,
        subject=sub,
        unit=sub.unit,
        action=SubmissionAction.COMMENT,
        audit_event="datavalues.report_comment",
        comment=comment,
    )
