"""Writes of the feedback app: public submissions, answers, settings, forums, indicator values.

Public submissions (survey, feedback) come from people without an account: the service checks
the input (size limits, a real choice of kind, a plausible phone and e-mail), refuses
duplicates and leaves an audit entry without personal data. Staff writes authorise on the
unit (NotFound out of scope, the same answer as for a missing row), write in one transaction
and leave an audit entry. Rate limits and the honeypot are the public views' job (they are
about the HTTP client, not the data).
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from kieumau.accounts.permissions import ANSWER_FEEDBACK, MANAGE_FEEDBACK
from kieumau.accounts.scope import can_act_on_unit, grant_for, recipients_by_unit
from kieumau.audit.services import record
from kieumau.core.actors import SystemActor
from kieumau.core.errors import Conflict, DomainError, NotFound, Problem, ValidationFailed
from kieumau.feedback import codes
from kieumau.feedback.choices import Kind, Status
from kieumau.feedback.defaults import ensure_default_questions
from kieumau.feedback.models import (
    FeedbackItem,
    FeedbackSettings,
    ForumIssue,
    ForumSession,
    PublicChannel,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)
from kieumau.feedback.places import names_of, province_ids, rules_for_unit
from kieumau.notifications.services import notify
from kieumau.orgunits.choices import COMMUNE_LEVEL_KINDS, Level
from kieumau.orgunits.models import OrgUnit, OrgUnitVersion

MAX_FEEDBACK_TEXT = 2000
MAX_COMMENT = 1000
MAX_ANSWER = 4000
MAX_NAME = 100
MAX_ISSUE = 1000
MAX_QUESTIONS = 15
DUPLICATE_WINDOW = dt.timedelta(hours=72)
SURVEY_DUPLICATE_WINDOW = dt.timedelta(hours=24)
_PHONE = re.compile(r"^\+?[0-9]{8,15}$")


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _text(value: str, *, field: str, limit: int, required: bool, label: str) -> str:
    """Stripped text within `limit` characters; Vietnamese refusal naming the field."""
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed.single(f"chưa nhập {label}", "required", field=field)
    if len(text) > limit:
        raise ValidationFailed.single(
            f"{label} dài quá {limit:,} ký tự".replace(",", "."), "too long", field=field
        )
    return text


def _not_found() -> NotFound:
    return NotFound.single("không tìm thấy trang của đơn vị", "channel not found")


# -- public channels ---------------------------------------------------------------------------
def active_channel(code: str) -> PublicChannel:
    """The active public channel with `code` (case ignored); NotFound otherwise."""
    channel = (
        PublicChannel.objects.filter(code=(code or "").lower()[:12], active=True)
        .select_related("unit")
        .first()
    )
    if channel is None:
        raise _not_found()
    return channel


def _create_with_fresh_code(create, what: str):
    """Run `create()` (an INSERT carrying a freshly drawn random code) until the code is unique.

    Protects public codes from collisions without a lookup race: the unique index decides, and
    a clash (one in millions) just draws again; after ten clashes the caller is told to retry.
    """
    for _attempt in range(10):
        try:
            with transaction.atomic():
                return create()
        except IntegrityError:
            continue
    raise Conflict.single(f"không tạo được {what}, hãy thử lại", "code collision")


@transaction.atomic
def open_channel(*, actor, unit_code: str) -> PublicChannel:
    """Give a commune-level unit its public address (idempotent: an existing one is returned).

    Protects scope and meaning: only someone who answers feedback for the unit may publish its
    page, and only for a unit in force today at commune level (the police units citizens meet).
    A published page always has questions to ask (the national default set is ensured).
    """
    unit = OrgUnit.objects.filter(code=unit_code).first()
    if unit is None or not can_act_on_unit(actor, ANSWER_FEEDBACK, unit.pk):
        raise NotFound.single(f"không tìm thấy đơn vị '{unit_code}'", "unit not found")
    ensure_default_questions(actor=actor)
    existing = PublicChannel.objects.filter(unit=unit).first()
    if existing is not None:
        if not existing.active:
            existing.active = True
            existing.save(update_fields=["active"])
        return existing
    version = OrgUnitVersion.objects.active_on(timezone.localdate()).filter(unit=unit).first()
    if version is None or version.kind not in COMMUNE_LEVEL_KINDS:
        raise ValidationFailed.single(
            f"đơn vị '{unit_code}' không phải đơn vị cấp xã đang hoạt động",
            "not an active commune-level unit",
            field="unit",
        )
    channel = _create_with_fresh_code(
        lambda: PublicChannel.objects.create(unit=unit, code=codes.new_channel_code()),
        "mã trang",
    )
    record(
        actor=actor,
        event="feedback.channel.open",
        target=channel,
        unit=unit,
        after={"code": channel.code},
    )
    return channel


# -- the public survey -------------------------------------------------------------------------
def questions_for_unit(unit_id: int, day: dt.date | None = None) -> list[SurveyQuestion]:
    """The active scale questions for a unit: its province's own set, else the national default."""
    day = day or timezone.localdate()
    province = province_ids([unit_id], day)[unit_id]
    own = list(SurveyQuestion.objects.filter(province_id=province, active=True))
    if province is not None and own:
        return own
    return list(SurveyQuestion.objects.filter(province__isnull=True, active=True))


@transaction.atomic
def submit_survey(
    *, actor, channel_code: str, scores: dict[int, object], comment: str = "", client: str = ""
) -> SurveyResponse:
    """Store one anonymous survey response (every question answered 1–5).

    Protects the satisfaction rate: a response must answer every current question of the
    unit's survey with a whole number 1–5, the comment is size-limited, and the same answers
    sent again from the same client within a day are refused as a duplicate (a double tap or a
    resubmitted page must not count twice).
    """
    channel = active_channel(channel_code)
    questions = questions_for_unit(channel.unit_id)
    if not questions:
        raise Conflict.single("khảo sát của đơn vị chưa có câu hỏi", "no questions")
    problems, clean = [], {}
    for question in questions:
        raw = str(scores.get(question.pk, "") or "").strip()
        if raw not in {"1", "2", "3", "4", "5"}:
            problems.append(
                Problem(
                    f"chưa chọn mức đánh giá cho câu: {question.text}",
                    "answer every question 1-5",
                    field=f"q{question.pk}",
                )
            )
        else:
            clean[question.pk] = int(raw)
    if problems:
        raise ValidationFailed(problems)
    comment = _text(comment, field="comment", limit=MAX_COMMENT, required=False, label="ý kiến")
    mean = sum(clean.values()) / len(clean) if clean else 0.0
    if client:
        recent = SurveyResponse.objects.filter(
            unit_id=channel.unit_id,
            client_hash=client,
            comment=comment,
            submitted_at__gte=timezone.now() - SURVEY_DUPLICATE_WINDOW,
        ).prefetch_related("answers")
        signature = sorted(clean.items())
        for previous in recent:
            if sorted((a.question_id, a.score) for a in previous.answers.all()) == signature:
                raise Conflict.single(
                    "phiếu khảo sát này đã được gửi; cảm ơn ông/bà", "duplicate survey"
                )
    response = SurveyResponse.objects.create(
        unit_id=channel.unit_id, mean_score=mean, comment=comment, client_hash=client
    )
    SurveyAnswer.objects.bulk_create(
        SurveyAnswer(response=response, question_id=qid, score=score)
        for qid, score in clean.items()
    )
    record(
        actor=actor,
        event="feedback.survey.submit",
        target=response,
        unit=channel.unit,
        after={"questions": len(clean), "mean": round(mean, 3)},
    )
    return response


# -- public feedback ---------------------------------------------------------------------------
@transaction.atomic
def submit_feedback(
    *,
    actor,
    channel_code: str,
    kind: str,
    text: str,
    name: str = "",
    phone: str = "",
    email: str = "",
    client: str = "",
) -> FeedbackItem:
    """Store one citizen feedback item with a new tracking code and its answer deadline.

    Protects the unit's register and the citizen: the kind must be one of the three, the text
    present and size-limited, contact details optional but plausible; the same text sent to the
    same unit within 72 hours is refused as a duplicate. The answer deadline comes from the
    province's settings. The unit's officers are notified; the audit entry carries no personal
    data.
    """
    channel = active_channel(channel_code)
    problems: list[Problem] = []
    if kind not in Kind.values:
        problems.append(Problem("chưa chọn loại ý kiến", "choose a kind", field="kind"))
    try:
        text = _text(text, field="text", limit=MAX_FEEDBACK_TEXT, required=True, label="nội dung")
    except ValidationFailed as exc:
        problems += exc.problems
    try:
        name = _text(name, field="name", limit=MAX_NAME, required=False, label="họ tên")
    except ValidationFailed as exc:
        problems += exc.problems
    phone = re.sub(r"[\s.\-()]", "", phone or "")
    if phone and not _PHONE.match(phone):
        problems.append(Problem("số điện thoại không hợp lệ", "invalid phone", field="phone"))
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(
                Problem("địa chỉ thư điện tử không hợp lệ", "invalid e-mail", field="email")
            )
    if problems:
        raise ValidationFailed(problems)
    digest = codes.text_digest(text)
    if FeedbackItem.objects.filter(
        unit_id=channel.unit_id,
        text_digest=digest,
        received_at__gte=timezone.now() - DUPLICATE_WINDOW,
    ).exists():
        raise Conflict.single(
            "ý kiến có cùng nội dung đã được gửi tới đơn vị trong 3 ngày qua; "
            "đơn vị sẽ trả lời theo mã tra cứu đã cấp",
            "duplicate feedback",
            field="text",
        )
    today = timezone.localdate()
    _province, answer_days, _sample = rules_for_unit(channel.unit_id, today)
    item = _create_with_fresh_code(
        lambda: FeedbackItem.objects.create(
            unit_id=channel.unit_id,
            kind=kind,
            text=text,
            text_digest=digest,
            tracking_code=codes.new_tracking_code(),
            name=name,
            phone=phone,
            email=email,
            client_hash=client,
            due_date=today + dt.timedelta(days=answer_days),
        ),
        "mã tra cứu",
    )
    record(
        actor=actor,
        event="feedback.item.submit",
        target=item,
        unit=channel.unit,
        target_repr=item.tracking_code,
        after={"kind": kind, "anonymous": item.anonymous, "due_date": item.due_date.isoformat()},
    )
    recipients = recipients_by_unit([channel.unit_id], ANSWER_FEEDBACK)[channel.unit_id]
    notify(
        users=recipients,
        kind="feedback.new",
        subject=f"Ý kiến mới của người dân ({item.tracking_code}), hạn trả lời "
        f"{item.due_date:%d/%m/%Y}",
        body=str(Kind(kind).label),
        url=reverse("feedback:item", args=[item.pk]),
        key=f"feedback-new:{item.pk}",
    )
    return item


# -- answering ---------------------------------------------------------------------------------
def _locked_item(actor, item_id: int) -> FeedbackItem:
    item = FeedbackItem.objects.select_for_update().filter(pk=item_id).first()
    if item is None or not can_act_on_unit(actor, ANSWER_FEEDBACK, item.unit_id):
        raise NotFound.single("không tìm thấy ý kiến", "feedback item not found")
    return item


@transaction.atomic
def answer_item(
    *,
    actor,
    item_id: int,
    answer: str,
    justified: bool | None = None,
    close: bool = False,
    revision: int | None = None,
) -> FeedbackItem:
    """Record (or correct) the unit's public answer to an item; optionally close it.

    Protects the citizen's record: only someone answering for the item's unit may write
    (NotFound otherwise), the answer is required and size-limited, a closed item cannot be
    changed, and an item changed since the officer opened it is refused (409). For a conduct
    complaint the officer records whether it was justified (criterion 7.2 counts those).
    """
    item = _locked_item(actor, item_id)
    if revision is not None and revision != item.revision:
        raise Conflict.single(
            "ý kiến đã được người khác cập nhật sau khi bạn mở trang; hãy tải lại",
            "item changed",
        )
    if item.status == Status.CLOSED:
        raise Conflict.single("ý kiến đã đóng, không sửa được câu trả lời", "item closed")
    answer = _text(answer, field="answer", limit=MAX_ANSWER, required=True, label="câu trả lời")
    if item.kind != Kind.CONDUCT:
        justified = None
    before = {"status": item.status, "answer": item.answer, "justified": item.justified}
    now = timezone.now()
    item.answer = answer
    item.justified = justified
    if item.answered_at is None:
        item.answered_at = now
    item.answered_by = _user(actor)
    item.status = Status.CLOSED if close else Status.ANSWERED
    if close:
        item.closed_at = now
    item.revision += 1
    item.save()
    record(
        actor=actor,
        event="feedback.item.answer",
        target=item,
        unit=item.unit,
        target_repr=item.tracking_code,
        before=before,
        after={"status": item.status, "answer": item.answer, "justified": item.justified},
    )
    return item


@transaction.atomic
def close_item(*, actor, item_id: int) -> FeedbackItem:
    """Close an answered item (no further changes). An unanswered item cannot be closed."""
    item = _locked_item(actor, item_id)
    if item.status != Status.ANSWERED:
        raise Conflict.single("chỉ đóng được ý kiến đã trả lời", "answer before closing")
    item.status = Status.CLOSED
    item.closed_at = timezone.now()
    item.revision += 1
    item.save(update_fields=["status", "closed_at", "revision"])
    record(
        actor=actor,
        event="feedback.item.close",
        target=item,
        unit=item.unit,
        target_repr=item.tracking_code,
        after={"status": item.status},
    )
    return item


# -- escalation --------------------------------------------------------------------------------
def escalate_overdue(*, today: dt.date | None = None) -> dict:
    """Tell each province about its items past their answer deadline, once per item.

    Protects citizens from silence: every unanswered item past its deadline is reported to
    the province's feedback managers (the nearest holders of feedback.manage above the unit)
    and marked escalated, so a second run the same day (or a retry) sends nothing twice.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        items = list(
            FeedbackItem.objects.select_for_update()
            .filter(status=Status.NEW, due_date__lt=today, escalated_at__isnull=True)
            .order_by("unit_id", "due_date")
        )
        if not items:
            return {"escalated": 0, "notified": 0}
        provinces = province_ids({i.unit_id for i in items}, today)
        names = names_of({i.unit_id for i in items}, today)
        by_province: dict[int, list[FeedbackItem]] = {}
        for item in items:
            target = provinces.get(item.unit_id) or item.unit_id
            by_province.setdefault(target, []).append(item)
        recipients = recipients_by_unit(list(by_province), MANAGE_FEEDBACK)
        notified = 0
        for province_id, group in by_province.items():
            lines = [
                f"- {i.tracking_code} · {names.get(i.unit_id, '')} · hạn {i.due_date:%d/%m/%Y}"
                for i in group
            ]
            notified += notify(
                users=recipients.get(province_id, []),
                kind="feedback.overdue",
                subject=f"{len(group)} ý kiến của người dân quá hạn trả lời",
                body="\n".join(lines),
                url=reverse("feedback:list") + "?overdue=1",
                key=f"feedback-overdue:{province_id}:{today.isoformat()}",
            )
        now = timezone.now()
        FeedbackItem.objects.filter(pk__in=[i.pk for i in items]).update(escalated_at=now)
        record(
            actor=SystemActor("scheduler"),
            event="feedback.escalate",
            note=f"{len(items)} ý kiến quá hạn",
            after={"items": [i.tracking_code for i in items]},
        )
    return {"escalated": len(items), "notified": notified}


CLIENT_HASH_DAYS = 30
"""How long the keyed hash of a submitter's address is kept (duplicate and abuse checks)."""


@transaction.atomic
def forget_clients(*, today: dt.date | None = None) -> int:
    """Erase the client hashes of submissions older than CLIENT_HASH_DAYS; returns how many.

    Protects citizens' privacy as the privacy notice promises: the connection fingerprint is
    needed only for the short windows of rate limits and duplicate checks.
    """
    today = today or timezone.localdate()
    before = dt.datetime.combine(
        today - dt.timedelta(days=CLIENT_HASH_DAYS),
        dt.time.min,
        tzinfo=timezone.get_current_timezone(),
    )
    erased = (
        FeedbackItem.objects.filter(received_at__lt=before)
        .exclude(client_hash="")
        .update(client_hash="")
    )
    erased += (
        SurveyResponse.objects.filter(submitted_at__lt=before)
        .exclude(client_hash="")
        .update(client_hash="")
    )
    return erased


def daily_job(*, today: dt.date) -> dict:
    """The scheduler's daily entry point (core.scheduler.DAILY_JOBS): escalate overdue items,
    forget old client hashes."""
    return {**escalate_overdue(today=today), "forgotten": forget_clients(today=today)}


# -- province settings -------------------------------------------------------------------------
def _province(actor, code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None or not can_act_on_unit(actor, MANAGE_FEEDBACK, unit.pk):
        raise NotFound.single(f"không tìm thấy tỉnh '{code}'", "province not found")
    if not OrgUnitVersion.objects.filter(unit=unit, level=Level.PROVINCE).exists():
        raise NotFound.single(f"'{code}' không phải đơn vị cấp tỉnh", "not a province")
    return unit


@transaction.atomic
def save_settings(
    *, actor, province_code: str, answer_days, min_sample, questions: list[str]
) -> FeedbackSettings:
    """Set a province's answer deadline, minimum sample and survey questions.

    Protects the survey's meaning: only the province's feedback managers may change it; days
    1–90, sample 1–10,000, 1–15 questions of at most 300 characters. Old questions are
    deactivated, not deleted, so past answers keep their question; an empty list returns the
    province to the national default set.
    """
    province = _province(actor, province_code)
    problems = []
    try:
        days = int(str(answer_days).strip())
        if not 1 <= days <= 90:
            raise ValueError
    except ValueError:
        problems.append(
            Problem("số ngày trả lời phải từ 1 đến 90", "1-90 days", field="answer_days")
        )
    try:
        sample = int(str(min_sample).strip())
        if not 1 <= sample <= 10000:
            raise ValueError
    except ValueError:
        problems.append(
            Problem("cỡ mẫu tối thiểu phải từ 1 đến 10.000", "1-10000", field="min_sample")
        )
    texts = [q.strip() for q in questions if q and q.strip()]
    if len(texts) > MAX_QUESTIONS:
        problems.append(
            Problem(f"tối đa {MAX_QUESTIONS} câu hỏi", "too many questions", field="questions")
        )
    for i, text in enumerate(texts, 1):
        if len(text) > 300:
            problems.append(
                Problem(f"câu hỏi {i} dài quá 300 ký tự", "question too long", field="questions")
            )
    if problems:
        raise ValidationFailed(problems)
    rules, _created = FeedbackSettings.objects.select_for_update().get_or_create(province=province)
    before = {"answer_days": rules.answer_days, "min_sample": rules.min_sample}
    rules.answer_days, rules.min_sample = days, sample
    rules.updated_at, rules.updated_by = timezone.now(), _user(actor)
    rules.save()
    current = list(SurveyQuestion.objects.filter(province=province, active=True))
    old_texts = [q.text for q in current]
    if old_texts != texts:
        SurveyQuestion.objects.filter(pk__in=[q.pk for q in current]).update(active=False)
        SurveyQuestion.objects.bulk_create(
            SurveyQuestion(province=province, order=i, text=text) for i, text in enumerate(texts, 1)
        )
    record(
        actor=actor,
        event="feedback.settings",
        target=rules,
        unit=province,
        before={**before, "questions": old_texts},
        after={"answer_days": days, "min_sample": sample, "questions": texts},
    )
    return rules


# -- forums ------------------------------------------------------------------------------------
def _forum_unit(actor, unit_code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=unit_code).first()
    if unit is None or not can_act_on_unit(actor, ANSWER_FEEDBACK, unit.pk):
        raise NotFound.single(f"không tìm thấy đơn vị '{unit_code}'", "unit not found")
    return unit


@transaction.atomic
def record_forum(
    *,
    actor,
    unit_code: str,
    held_on: dt.date | None,
    attendees,
    place: str = "",
    notes: str = "",
    issues: list[str] = (),
) -> ForumSession:
    """Record a forum "Công an lắng nghe ý kiến Nhân dân" with the issues raised there.

    Protects the record: only officers answering feedback for the unit may record it; the date
    is required and not in the future, attendees a whole number, texts size-limited.
    """
    unit = _forum_unit(actor, unit_code)
    problems = []
    if held_on is None:
        problems.append(
            Problem("chưa nhập ngày tổ chức (dd/mm/yyyy)", "date required", field="held_on")
        )
    elif held_on > timezone.localdate():
        problems.append(Problem("ngày tổ chức ở tương lai", "date in the future", field="held_on"))
    try:
        count = int(str(attendees).strip())
        if not 0 <= count <= 100000:
            raise ValueError
    except ValueError:
        problems.append(
            Problem("số người tham dự không hợp lệ", "invalid count", field="attendees")
        )
    try:
        place = _text(place, field="place", limit=200, required=False, label="địa điểm")
        notes = _text(notes, field="notes", limit=MAX_ANSWER, required=False, label="ghi chú")
        texts = [
            _text(t, field="issues", limit=MAX_ISSUE, required=False, label="vấn đề")
            for t in issues
        ]
    except DomainError as exc:
        problems += exc.problems
        texts = []
    if problems:
        raise ValidationFailed(problems)
    session = ForumSession.objects.create(
        unit=unit,
        held_on=held_on,
        attendees=count,
        place=place,
        notes=notes,
        created_by=_user(actor),
    )
    ForumIssue.objects.bulk_create(ForumIssue(session=session, text=t) for t in texts if t)
    record(
        actor=actor,
        event="feedback.forum.record",
        target=session,
        unit=unit,
        after={"held_on": held_on.isoformat(), "attendees": count, "issues": len(texts)},
    )
    return session


def _locked_session(actor, session_id: int) -> ForumSession:
    session = (
        ForumSession.objects.select_for_update()
        .select_related("unit")
        .filter(pk=session_id)
        .first()
    )
    if session is None or not can_act_on_unit(actor, ANSWER_FEEDBACK, session.unit_id):
        raise NotFound.single("không tìm thấy diễn đàn", "forum not found")
    return session


@transaction.atomic
def add_forum_issue(*, actor, session_id: int, text: str) -> ForumIssue:
    """Add one issue raised at a forum (officers of the forum's unit only)."""
    session = _locked_session(actor, session_id)
    text = _text(text, field="text", limit=MAX_ISSUE, required=True, label="vấn đề")
    issue = ForumIssue.objects.create(session=session, text=text)
    record(actor=actor, event="feedback.forum.issue", target=issue, unit=session.unit)
    return issue


def workitems_available() -> bool:
    """Whether the work-items app offers `create_item` yet (it is built in parallel)."""
    try:
        from kieumau.workitems import services
    except ImportError:  # pragma: no cover - the app exists
        return False
    return callable(getattr(services, "create_item", None))


@transaction.atomic
def create_followup(*, actor, issue_id: int, due_date: dt.date | None, title: str = "") -> object:
    """Create the follow-up work item of a forum issue (once: an existing one is returned).

    Protects against duplicate tasks: the item is found again by its origin
    "forum-issue:<id>". Authorisation: the forum's unit must be in the actor's feedback scope;
    the work-items service then applies its own rules (who may create tasks).
    """
    issue = ForumIssue.objects.select_related("session__unit").filter(pk=issue_id).first()
    if issue is None:
        raise NotFound.single("không tìm thấy vấn đề", "issue not found")
    session = _locked_session(actor, issue.session_id)
    if not workitems_available():
        raise Conflict.single(
            "chức năng giao việc chưa sẵn sàng trên hệ thống này", "work items not available"
        )
    from kieumau.workitems.models import WorkItem
    from kieumau.workitems.services import create_item

    existing = WorkItem.objects.filter(origin=issue.origin).exclude(status="cancelled").first()
    if existing is not None:
        return existing
    if due_date is None:
        raise ValidationFailed.single(
            "chưa nhập hạn hoàn thành", "due date required", field="due_date"
        )
    title = _text(
        title or issue.text.splitlines()[0][:200],
        field="title",
        limit=200,
        required=True,
        label="tên công việc",
    )
    item = create_item(
        actor=actor,
        title=title,
        unit=session.unit,
        due_date=due_date,
        description=f"Vấn đề nêu tại diễn đàn ngày {session.held_on:%d/%m/%Y}: {issue.text}",
        origin=issue.origin,
    )
    record(
        actor=actor,
        event="feedback.forum.followup",
        target=issue,
        unit=session.unit,
        after={"workitem": getattr(item, "pk", None)},
    )
    return item


# -- indicator values --------------------------------------------------------------------------
@dataclass
class ComputeResult:
    """What `compute_indicators` wrote and why it left units out."""

    period: str
    written: dict[str, dict] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    refused: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "period": self.period,
            "written": self.written,
            "skipped": self.skipped,
            "refused": self.refused,
        }


@transaction.atomic
def compute_indicators(*, actor, period: str, under: str | None = None) -> ComputeResult:
    """Write the feedback indicators of criteria 7.2 and 7.3 for each unit under `under`.

    For every commune-level unit with feedback or survey responses in the period: 7.2 reads
    citizen_feedback_received, citizen_feedback_answered and justified_conduct_complaints; 7.3
    reads satisfaction_rate and survey_respondents, written only when the responses reach the
    province's minimum sample (otherwise the unit is listed as skipped with the reason).
    Protects data integrity by writing only through `datavalues.batch.apply_entries` (scope,
    locks of submitted reports, audit, re-evaluation), one unit per batch, so a locked report
    of one ward does not block the others; its refusal is reported. Only indicators whose
    period type matches the period are written (they are yearly in the default criteria).
    """
    from kieumau.criteria.models import Indicator
    from kieumau.datavalues.batch import Entry, apply_entries
    from kieumau.feedback.selectors import period_of, unit_stats_rows

    parsed = period_of(period)
    if under:
        root = OrgUnit.objects.filter(code=under).first()
        if root is None or not can_act_on_unit(actor, MANAGE_FEEDBACK, root.pk):
            raise NotFound.single(f"không tìm thấy đơn vị '{under}'", "unit not found")
    elif not grant_for(actor, MANAGE_FEEDBACK).national:
        raise ValidationFailed.single("chọn đơn vị (tỉnh) cần tính", "choose a unit", field="under")
    result = ComputeResult(period=parsed.code)
    kinds = dict(
        Indicator.objects.filter(
            code__in=[
                "citizen_feedback_received",
                "citizen_feedback_answered",
                "justified_conduct_complaints",
                "satisfaction_rate",
                "survey_respondents",
            ]
        ).values_list("code", "period_type")
    )
    fits = {code for code, ptype in kinds.items() if ptype == parsed.period_type}
    rows = unit_stats_rows(actor, perm=MANAGE_FEEDBACK, under=under, period=parsed)
    for row in rows:
        values: dict[str, object] = {}
        if row.received:
            values.update(
                citizen_feedback_received=row.received,
                citizen_feedback_answered=row.answered,
                justified_conduct_complaints=row.justified,
            )
        if row.survey.responses:
            if row.survey.enough:
                values.update(
                    satisfaction_rate=round(row.survey.rate, 2),
                    survey_respondents=row.survey.responses,
                )
            else:
                result.skipped[row.code] = (
                    f"chỉ có {row.survey.responses} phiếu khảo sát, dưới cỡ mẫu tối thiểu "
                    f"{row.survey.min_sample}: chưa ghi tỷ lệ hài lòng"
                )
        values = {k: v for k, v in values.items() if k in fits}
        if not values:
            if row.code not in result.skipped and (row.received or row.survey.responses):
                result.skipped[row.code] = f"các chỉ tiêu không báo cáo theo kỳ {parsed.code}"
            continue
        try:
            with transaction.atomic():
                apply_entries(
                    actor=actor,
                    entries=[Entry(row.code, k, parsed.code, v) for k, v in values.items()],
                    source="feedback",
                )
        except DomainError as exc:
            result.refused[row.code] = exc.messages()
            continue
        result.written[row.code] = values
    record(
        actor=actor,
        event="feedback.compute",
        note=f"kỳ {parsed.code}" + (f", {under}" if under else ""),
        after={
            "written": len(result.written),
            "skipped": len(result.skipped),
            "refused": len(result.refused),
        },
    )
    return result
