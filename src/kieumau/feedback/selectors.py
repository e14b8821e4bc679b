"""Reads of the feedback app, always through the scope chokepoint (404 out of scope).

Staff reads start from `visible_to(actor, feedback.view)`. Contact details (name, phone,
e-mail) are personal data: they are shown only where the actor holds feedback.answer on the
item's unit, never in lists, exports or public pages. The public reads (`public_channel`,
`public_status`) serve people without an account by design: they return the unit's name, the
questions, and an item's status and public answer — nothing personal.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from kieumau.accounts.permissions import (
    ANSWER_FEEDBACK,
    MANAGE_FEEDBACK,
    MANAGE_WORKITEMS,
    VIEW_FEEDBACK,
)
from kieumau.accounts.scope import can_act_on_unit, grant_for
from kieumau.core.errors import NotFound, ValidationFailed
from kieumau.engine import Period, PeriodError, parse_period
from kieumau.feedback import codes
from kieumau.feedback.choices import Kind, Status
from kieumau.feedback.models import (
    DEFAULT_MIN_SAMPLE,
    FeedbackItem,
    FeedbackSettings,
    ForumIssue,
    ForumSession,
    PublicChannel,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)
from kieumau.feedback.places import names_of, province_ids, rules_of
from kieumau.feedback.services import active_channel, questions_for_unit
from kieumau.feedback.stats import SurveySummary, summarise
from kieumau.orgunits.choices import Level
from kieumau.orgunits.models import OrgUnit, OrgUnitClosure, OrgUnitVersion

PAGE_SIZE = 50


def period_of(text, *, default_today: dt.date | None = None) -> Period:
    """A year (YYYY) or month (YYYY-MM) period; the current year when empty."""
    text = str(text or "").strip()
    if not text:
        return Period.of_year((default_today or timezone.localdate()).year)
    try:
        period = parse_period(text)
    except PeriodError as exc:
        raise ValidationFailed.single(str(exc), "invalid period", field="period") from exc
    if period.period_type not in ("year", "month", "quarter"):
        raise ValidationFailed.single(
            f"kỳ '{text}' không dùng được: chọn năm (YYYY) hoặc tháng (YYYY-MM)",
            "year or month",
            field="period",
        )
    return period


def _bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    """The period as [start, end) aware datetimes in the local time zone."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def _answerable(actor, unit_ids) -> set[int]:
    """Which of `unit_ids` the actor answers feedback for (one query)."""
    grant = grant_for(actor, ANSWER_FEEDBACK)
    unit_ids = set(unit_ids)
    if grant.national:
        return unit_ids
    if grant.empty or not unit_ids:
        return set()
    return set(
        OrgUnitClosure.objects.filter(
            ancestor_id__in=grant.unit_ids, descendant_id__in=unit_ids
        ).values_list("descendant_id", flat=True)
    )


def _root(actor, perm: str, under: str | None):
    """The unit `under` if visible under `perm` (NotFound otherwise); None when not given."""
    if not under:
        return None
    root = OrgUnit.objects.visible_to(actor, perm).filter(code=under.strip()).first()
    if root is None:
        raise NotFound.single(f"không tìm thấy đơn vị '{under}'", "unit not found")
    return root


def _within(queryset, root, path: str = "unit"):
    if root is None:
        return queryset
    inside = OrgUnitClosure.objects.filter(ancestor=root).values("descendant_id")
    return queryset.filter(**{f"{path}__in": inside})


# -- public ------------------------------------------------------------------------------------
@dataclass
class PublicPage:
    channel: PublicChannel
    unit_name: str
    questions: list[SurveyQuestion]


def public_channel(code: str) -> PublicPage:
    """What a unit's public page shows: its name and survey questions (NotFound if unknown)."""
    channel = active_channel(code)
    today = timezone.localdate()
    return PublicPage(
        channel=channel,
        unit_name=names_of([channel.unit_id], today).get(channel.unit_id, channel.unit.code),
        questions=questions_for_unit(channel.unit_id, today),
    )


@dataclass(frozen=True)
class PublicStatus:
    """The public view of one item: never the text's author, never contact details."""

    tracking_code: str
    kind_label: str
    unit_name: str
    status: str
    status_label: str
    received_on: dt.date
    due_date: dt.date
    answer: str
    answered_on: dt.date | None
    overdue: bool


def public_status(code_text: str) -> PublicStatus | None:
    """Look up an item by its tracking code; None for an unknown or malformed code."""
    code = codes.normalise_tracking_code(code_text)
    if code is None:
        return None
    item = FeedbackItem.objects.filter(tracking_code=code).first()
    if item is None:
        return None
    today = timezone.localdate()
    answered = item.status in (Status.ANSWERED, Status.CLOSED)
    return PublicStatus(
        tracking_code=item.tracking_code,
        kind_label=str(Kind(item.kind).label),
        unit_name=names_of([item.unit_id], today).get(item.unit_id, ""),
        status=item.status,
        status_label=str(Status(item.status).label),
        received_on=timezone.localtime(item.received_at).date(),
        due_date=item.due_date,
        answer=item.answer if answered else "",
        answered_on=timezone.localtime(item.answered_at).date() if item.answered_at else None,
        overdue=item.is_overdue(today),
    )


# -- staff: items ------------------------------------------------------------------------------
@dataclass
class ItemRow:
    item: FeedbackItem
    unit_name: str
    overdue: bool


@dataclass
class Listing:
    rows: list[ItemRow]
    total: int
    offset: int
    limit: int
    filters: dict

    @property
    def has_next(self) -> bool:
        return self.offset + self.limit < self.total


def item_list(
    actor,
    *,
    under: str | None = None,
    status: str | None = None,
    kind: str | None = None,
    overdue: bool = False,
    offset: int = 0,
    limit: int = PAGE_SIZE,
) -> Listing:
    """Feedback items the actor may read, newest first, filtered (three queries a page).

    Protects scope through `visible_to(actor, feedback.view)`; an `under` unit outside it
    answers 404. Rows carry no contact details.
    """
    today = timezone.localdate()
    rows = _within(
        FeedbackItem.objects.visible_to(actor, VIEW_FEEDBACK), _root(actor, VIEW_FEEDBACK, under)
    )
    if status in Status.values:
        rows = rows.filter(status=status)
    else:
        status = ""
    if kind in Kind.values:
        rows = rows.filter(kind=kind)
    else:
        kind = ""
    if overdue:
        rows = rows.filter(status=Status.NEW, due_date__lt=today)
    total = rows.count()
    page = list(
        rows.select_related("unit").order_by("-received_at", "-id")[offset : offset + limit]
    )
    names = names_of({i.unit_id for i in page}, today)
    return Listing(
        rows=[ItemRow(i, names.get(i.unit_id, i.unit.code), i.is_overdue(today)) for i in page],
        total=total,
        offset=offset,
        limit=limit,
        filters={"under": under or "", "status": status, "kind": kind, "overdue": overdue},
    )


@dataclass
class ItemDetail:
    item: FeedbackItem
    unit_name: str
    can_answer: bool
    show_contact: bool
    overdue: bool


def item_detail(actor, pk: int) -> ItemDetail:
    """One item (NotFound out of scope); contact details only for those who answer for it."""
    item = (
        FeedbackItem.objects.visible_to(actor, VIEW_FEEDBACK)
        .select_related("unit", "answered_by")
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise NotFound.single("không tìm thấy ý kiến", "feedback item not found")
    today = timezone.localdate()
    answers = bool(_answerable(actor, [item.unit_id]))
    return ItemDetail(
        item=item,
        unit_name=names_of([item.unit_id], today).get(item.unit_id, item.unit.code),
        can_answer=answers,
        show_contact=answers,
        overdue=item.is_overdue(today),
    )


def contact_visible_units(actor, unit_ids) -> set[int]:
    """Units among `unit_ids` whose items' contact details the actor may see (the API)."""
    return _answerable(actor, unit_ids)


# -- staff: statistics -------------------------------------------------------------------------
@dataclass
class UnitStatsRow:
    unit_id: int
    code: str
    name: str
    received: int = 0
    answered: int = 0
    justified: int = 0
    waiting: int = 0
    overdue: int = 0
    answer_days: list[float] = field(default_factory=list)
    means: list[float] = field(default_factory=list)
    survey: SurveySummary | None = None

    @property
    def answer_rate(self) -> float | None:
        return 100 * self.answered / self.received if self.received else None

    @property
    def mean_answer_days(self) -> float | None:
        return sum(self.answer_days) / len(self.answer_days) if self.answer_days else None

    @property
    def max_answer_days(self) -> float | None:
        return max(self.answer_days) if self.answer_days else None


def unit_stats_rows(
    actor, *, perm: str = VIEW_FEEDBACK, under: str | None = None, period: Period
) -> list[UnitStatsRow]:
    """Per unit in scope with feedback, responses or a public page: response rate, answer
    times, and the period's survey summary against its province's minimum sample.

    Protects scope (`visible_to(actor, perm)`); a fixed number of queries for any number of
    units. Items count in the period they were received; an answer time is the days from
    receipt to the first answer.
    """
    root = _root(actor, perm, under)
    start, end = _bounds(period)
    today = timezone.localdate()
    items = _within(FeedbackItem.objects.visible_to(actor, perm), root).filter(
        received_at__gte=start, received_at__lt=end
    )
    responses = _within(SurveyResponse.objects.visible_to(actor, perm), root).filter(
        submitted_at__gte=start, submitted_at__lt=end
    )
    channels = _within(PublicChannel.objects.visible_to(actor, perm), root)
    by_unit: dict[int, UnitStatsRow] = {}

    def row(uid: int) -> UnitStatsRow:
        if uid not in by_unit:
            by_unit[uid] = UnitStatsRow(unit_id=uid, code="", name="")
        return by_unit[uid]

    for uid, kind, justified, received, answered, due in items.values_list(
        "unit_id", "kind", "justified", "received_at", "answered_at", "due_date"
    ):
        r = row(uid)
        r.received += 1
        if answered is not None:
            r.answered += 1
            r.answer_days.append((answered - received).total_seconds() / 86400)
        else:
            r.waiting += 1
            if due < today:
                r.overdue += 1
        if kind == Kind.CONDUCT and justified:
            r.justified += 1
    for uid, mean in responses.values_list("unit_id", "mean_score"):
        row(uid).means.append(mean)
    for uid in channels.values_list("unit_id", flat=True):
        row(uid)
    if not by_unit:
        return []
    day = min(period.end, today)
    codes_ = dict(OrgUnit.objects.filter(pk__in=list(by_unit)).values_list("pk", "code"))
    names = names_of(by_unit, day)
    provinces = province_ids(by_unit, day)
    rules = rules_of(provinces.values())
    for uid, r in by_unit.items():
        r.code = codes_.get(uid, "")
        r.name = names.get(uid, r.code)
        province = provinces.get(uid)
        min_sample = rules[province][1] if province in rules else DEFAULT_MIN_SAMPLE
        r.survey = summarise(r.means, min_sample)
    return sorted(by_unit.values(), key=lambda r: r.code)


@dataclass
class QuestionResult:
    question: SurveyQuestion
    count: int
    mean: float | None
    distribution: list[int]


@dataclass
class SurveyResults:
    unit: OrgUnit
    unit_name: str
    period: Period
    summary: SurveySummary
    questions: list[QuestionResult]
    comments: list[tuple[dt.datetime, str]]


def survey_results(actor, unit_code: str, period: Period, *, comments: int = 20) -> SurveyResults:
    """One unit's survey for a period: per-question means and distribution, the summary with
    its interval, the latest free-text comments (NotFound out of scope)."""
    unit = OrgUnit.objects.visible_to(actor, VIEW_FEEDBACK).filter(code=unit_code).first()
    if unit is None:
        raise NotFound.single(f"không tìm thấy đơn vị '{unit_code}'", "unit not found")
    start, end = _bounds(period)
    responses = SurveyResponse.objects.filter(
        unit=unit, submitted_at__gte=start, submitted_at__lt=end
    )
    means = list(responses.values_list("mean_score", flat=True))
    day = min(period.end, timezone.localdate())
    province = province_ids([unit.pk], day)[unit.pk]
    min_sample = rules_of([province])[province][1] if province else DEFAULT_MIN_SAMPLE
    per_question: dict[int, list[int]] = {}
    for qid, score in SurveyAnswer.objects.filter(response__in=responses).values_list(
        "question_id", "score"
    ):
        per_question.setdefault(qid, [0, 0, 0, 0, 0])[score - 1] += 1
    questions = SurveyQuestion.objects.in_bulk(list(per_question))
    results = []
    for qid, dist in sorted(per_question.items(), key=lambda kv: (questions[kv[0]].order, kv[0])):
        n = sum(dist)
        results.append(
            QuestionResult(
                questions[qid],
                n,
                sum((i + 1) * c for i, c in enumerate(dist)) / n if n else None,
                dist,
            )
        )
    latest = list(
        responses.exclude(comment="")
        .order_by("-submitted_at")
        .values_list("submitted_at", "comment")[:comments]
    )
    return SurveyResults(
        unit=unit,
        unit_name=names_of([unit.pk], day).get(unit.pk, unit.code),
        period=period,
        summary=summarise(means, min_sample),
        questions=results,
        comments=latest,
    )


# -- staff: provinces, settings, posters -------------------------------------------------------
def managed_provinces(actor) -> list[tuple[str, str]]:
    """(code, name) of provinces in force today where the actor manages feedback (one query)."""
    visible = OrgUnit.objects.visible_to(actor, MANAGE_FEEDBACK).values("pk")
    return list(
        OrgUnitVersion.objects.active_on(timezone.localdate())
        .filter(level=Level.PROVINCE, unit_id__in=visible)
        .order_by("name")
        .values_list("unit__code", "name")
    )


@dataclass
class SettingsPage:
    province: OrgUnit
    name: str
    answer_days: int
    min_sample: int
    questions: list[str]
    uses_default: bool


def settings_page(actor, province_code: str) -> SettingsPage:
    """A province's feedback rules and questions (NotFound unless the actor manages them)."""
    province = OrgUnit.objects.visible_to(actor, MANAGE_FEEDBACK).filter(code=province_code).first()
    if (
        province is None
        or not OrgUnitVersion.objects.filter(unit=province, level=Level.PROVINCE).exists()
    ):
        raise NotFound.single(f"không tìm thấy tỉnh '{province_code}'", "province not found")
    stored = FeedbackSettings.objects.filter(province=province).first()
    own = list(
        SurveyQuestion.objects.filter(province=province, active=True).values_list("text", flat=True)
    )
    defaults = list(
        SurveyQuestion.objects.filter(province__isnull=True, active=True).values_list(
            "text", flat=True
        )
    )
    today = timezone.localdate()
    return SettingsPage(
        province=province,
        name=names_of([province.pk], today).get(province.pk, province.code),
        answer_days=stored.answer_days if stored else FeedbackSettings().answer_days,
        min_sample=stored.min_sample if stored else FeedbackSettings().min_sample,
        questions=own or defaults,
        uses_default=not own,
    )


@dataclass
class PosterPage:
    unit: OrgUnit
    unit_name: str
    channel: PublicChannel | None
    can_open: bool


def poster_page(actor, unit_code: str) -> PosterPage:
    """A unit's poster data: its public channel, if opened (NotFound out of scope)."""
    unit = OrgUnit.objects.visible_to(actor, VIEW_FEEDBACK).filter(code=unit_code).first()
    if unit is None:
        raise NotFound.single(f"không tìm thấy đơn vị '{unit_code}'", "unit not found")
    today = timezone.localdate()
    return PosterPage(
        unit=unit,
        unit_name=names_of([unit.pk], today).get(unit.pk, unit.code),
        channel=PublicChannel.objects.filter(unit=unit, active=True).first(),
        can_open=bool(_answerable(actor, [unit.pk])),
    )


# -- staff: forums -----------------------------------------------------------------------------
@dataclass
class ForumRow:
    session: ForumSession
    unit_name: str
    issues: int


def forum_list(actor, *, under: str | None = None, offset: int = 0, limit: int = PAGE_SIZE):
    """Forums the actor may read, newest first, with their issue counts (three queries)."""
    from django.db.models import Count

    rows = _within(
        ForumSession.objects.visible_to(actor, VIEW_FEEDBACK), _root(actor, VIEW_FEEDBACK, under)
    )
    total = rows.count()
    page = list(
        rows.select_related("unit").annotate(n_issues=Count("issues"))[offset : offset + limit]
    )
    names = names_of({s.unit_id for s in page}, timezone.localdate())
    return Listing(
        rows=[ForumRow(s, names.get(s.unit_id, s.unit.code), s.n_issues) for s in page],
        total=total,
        offset=offset,
        limit=limit,
        filters={"under": under or ""},
    )


@dataclass
class IssueRow:
    issue: ForumIssue
    task: object | None


@dataclass
class ForumDetail:
    session: ForumSession
    unit_name: str
    issues: list[IssueRow]
    can_edit: bool
    tasks_available: bool


def forum_detail(actor, pk: int) -> ForumDetail:
    """One forum with its issues and their follow-up tasks (NotFound out of scope).

    The tasks are found by their origin "forum-issue:<id>" through the work items' own scope
    (`visible_to(actor, workitems.view)`): a task the actor may not read is simply not shown.
    """
    from kieumau.feedback.services import workitems_available

    session = (
        ForumSession.objects.visible_to(actor, VIEW_FEEDBACK)
        .select_related("unit")
        .filter(pk=pk)
        .first()
    )
    if session is None:
        raise NotFound.single("không tìm thấy diễn đàn", "forum not found")
    issues = list(session.issues.all())
    tasks: dict[str, object] = {}
    available = workitems_available()
    if available and issues:
        from kieumau.accounts.permissions import VIEW_WORKITEMS
        from kieumau.workitems.models import WorkItem

        for task in (
            WorkItem.objects.visible_to(actor, VIEW_WORKITEMS)
            .filter(origin__in=[i.origin for i in issues])
            .exclude(status="cancelled")
        ):
            tasks[task.origin] = task
    return ForumDetail(
        session=session,
        unit_name=names_of([session.unit_id], timezone.localdate()).get(
            session.unit_id, session.unit.code
        ),
        issues=[IssueRow(i, tasks.get(i.origin)) for i in issues],
        can_edit=bool(_answerable(actor, [session.unit_id])),
        tasks_available=available and can_act_on_unit(actor, MANAGE_WORKITEMS, session.unit_id),
    )


def own_units(actor, *, limit: int = 10) -> list[tuple[str, str]]:
    """(code, name) of the commune-level units the actor answers for, when there are few (a
    ward's officers): the list page links their posters. Empty for wide scopes (two queries)."""
    from kieumau.orgunits.choices import COMMUNE_LEVEL_KINDS

    grant = grant_for(actor, ANSWER_FEEDBACK)
    if grant.empty or grant.national:
        return []
    inside = OrgUnitClosure.objects.filter(ancestor_id__in=grant.unit_ids).values("descendant_id")
    rows = list(
        OrgUnitVersion.objects.active_on(timezone.localdate())
        .filter(unit_id__in=inside, kind__in=COMMUNE_LEVEL_KINDS)
        .order_by("unit__code")
        .values_list("unit__code", "name")[: limit + 1]
    )
    return rows if len(rows) <= limit else []
