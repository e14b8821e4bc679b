"""Reads of assessment cases, always through the scope chokepoint.

Every function takes the actor and starts from `AssessmentCase.objects.visible_to(actor,
VIEW_ASSESSMENTS)`: a case outside the actor's scope is simply absent, so fetching it answers
NotFound exactly like a case that does not exist. Each read runs a fixed number of queries
whatever the number of cases, criteria, evidence files or events (tests count them).

Where a case sits (its commune-level unit's name, district and province) is read as of the last
day of the case's year: a 2024 case of a ward whose district was dissolved in 2025 still shows
that district, and a province that absorbed another in mid-2025 holds its 2025 cases.
"""

import datetime as dt
import unicodedata
from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from kieumau.accounts.permissions import (
    APPRAISE_CASES,
    RECOGNISE_CASES,
    SELF_ASSESS,
    VIEW_ASSESSMENTS,
)
from kieumau.accounts.scope import can_act_on_unit, has_perm
from kieumau.assessments.choices import EDITABLE, CaseStatus
from kieumau.assessments.models import AssessmentCase, CaseCriterion, CaseEvent, EvidenceFile
from kieumau.assessments.services import is_independent
from kieumau.assessments.snapshot import differences, snapshot_intact
from kieumau.assessments.workflow import (
    _REVIEWS,
    TRANSITIONS,
    _authorised,
    missing_for_submission,
)
from kieumau.core.errors import NotFound, Problem, ValidationFailed
from kieumau.orgunits.choices import Level
from kieumau.orgunits.models import OrgUnit, OrgUnitClosure, OrgUnitVersion

S = CaseStatus
LIST_LIMIT = 100
"""Cases per page of the case list (and the API's default page)."""
MAX_LIMIT = 5000
"""The most cases one API page may carry (a whole province's year fits)."""


# -- where a case sits -------------------------------------------------------------------------
@dataclass(frozen=True)
class Place:
    """A unit as of a day: its name and the district and province above it."""

    unit_name: str = ""
    district_code: str = ""
    district_name: str = ""
    province_id: int | None = None
    province_code: str = ""
    province_name: str = ""


def sort_key(name: str) -> tuple[str, str]:
    """A key that orders Vietnamese names as people expect: by their letters without marks
    (Đà Nẵng beside Đắk Lắk among the D's, not after Z), then exactly."""
    bare = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in bare if not unicodedata.combining(ch)).casefold(), name


def year_end(year: int) -> dt.date:
    """The day a case's place is read on: 31 December of its year."""
    return dt.date(int(year), 12, 31)


def _version_on(versions: list[tuple], day: dt.date) -> tuple | None:
    """The version in force on `day`; else the last one started before it; else the first."""
    chosen = None
    for version in versions:  # sorted by valid_from
        valid_from, valid_to = version[0], version[1]
        if valid_from <= day:
            chosen = version
            if valid_to is None or valid_to > day:
                return version
    return chosen or (versions[0] if versions else None)


def places(pairs) -> dict[tuple[int, dt.date], Place]:
    """{(unit id, day): Place} for any number of pairs, in two queries.

    Protects nothing by itself and reads no case: callers pass units they already read through
    the chokepoint (names of the units above are not secret). The units' own versions are read for the units asked about; the levels above (nation,
    provinces, districts: a few thousand rows at national scale) are read whole, and the
    parent chain of each unit is walked in memory as of its day.
    """
    pairs = set(pairs)
    if not pairs:
        return {}
    columns = ("unit_id", "valid_from", "valid_to", "name", "parent_id", "level", "unit__code")
    own: dict[int, list[tuple]] = {}
    for row in (
        OrgUnitVersion.objects.filter(unit_id__in={uid for uid, _ in pairs})
        .order_by("valid_from")
        .values_list(*columns)
    ):
        own.setdefault(row[0], []).append(row[1:])
    upper: dict[int, list[tuple]] = {}
    for row in (
        OrgUnitVersion.objects.filter(level__lte=Level.DISTRICT)
        .order_by("valid_from")
        .values_list(*columns)
    ):
        upper.setdefault(row[0], []).append(row[1:])
    out = {}
    for uid, day in pairs:
        version = _version_on(own.get(uid, []), day)
        if version is None:
            out[uid, day] = Place()
            continue
        found = {"unit_name": version[2]}
        parent = version[3]
        for _ in range(6):  # nation > province > district > commune: a few steps at most
            if parent is None:
                break
            above = _version_on(upper.get(parent, []), day)
            if above is None:
                break
            if above[4] == Level.DISTRICT and "district_code" not in found:
                found |= {"district_code": above[5], "district_name": above[2]}
            elif above[4] == Level.PROVINCE:
                found |= {
                    "province_id": parent,
                    "province_code": above[5],
                    "province_name": above[2],
                }
                break
            parent = above[3]
        out[uid, day] = Place(**found)
    return out


def provinces_on(actor, day: dt.date) -> list[tuple[str, str]]:
    """(code, name) of the provinces in force on `day` the actor may read cases of (one query).

    Protects scope: only provinces whose unit is visible under assessments.view are offered.
    """
    visible = OrgUnit.objects.visible_to(actor, VIEW_ASSESSMENTS).values("pk")
    return list(
        OrgUnitVersion.objects.active_on(day)
        .filter(level=Level.PROVINCE, unit_id__in=visible)
        .order_by("name")
        .values_list("unit__code", "name")
    )


# -- filters -----------------------------------------------------------------------------------
def parse_year(value, *, required: bool = False) -> int | None:
    """A year from a query string; ValidationFailed (Vietnamese) when it is not one."""
    text = str(value or "").strip()
    if not text:
        if required:
            raise ValidationFailed.single("chưa chọn năm", "year required", field="year")
        return None
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise ValidationFailed.single(f"năm '{text}' không hợp lệ", "invalid year", field="year")
    return int(text)


def parse_day(text) -> dt.date | None:
    """A date typed as dd/mm/yyyy (or yyyy-mm-dd); None when it is not one (the recognition
    service then says so in Vietnamese)."""
    if isinstance(text, dt.date):
        return text
    text = str(text or "").strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _scoped_root(actor, code: str, field_name: str) -> OrgUnit:
    """A filter's unit if the actor may read it; NotFound otherwise (like a missing code)."""
    unit = OrgUnit.objects.visible_to(actor, VIEW_ASSESSMENTS).filter(code=code).first()
    if unit is None:
        raise NotFound.single(f"không tìm thấy đơn vị '{code}'", "unit not found", field=field_name)
    return unit


def _within(queryset, root: OrgUnit):
    """Cases of units that `root` contains or ever contained (a dissolved district's too)."""
    return queryset.filter(
        unit_id__in=OrgUnitClosure.objects.filter(ancestor=root).values("descendant_id")
    )


def visible_cases(actor):
    """Every case the actor may read (the chokepoint; the start of every read below)."""
    return AssessmentCase.objects.visible_to(actor, VIEW_ASSESSMENTS)


# -- case list ---------------------------------------------------------------------------------
@dataclass
class CaseRow:
    """A case as lists show it."""

    case: AssessmentCase
    place: Place

    @property
    def code(self) -> str:
        return self.case.unit.code


@dataclass
class CaseList:
    total: int
    rows: list[CaseRow]
    offset: int
    limit: int
    filters: dict = field(default_factory=dict)

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.rows) < self.total


def case_list(
    actor,
    *,
    year=None,
    status: str | None = None,
    under: str | None = None,
    province: str | None = None,
    offset: int = 0,
    limit: int = LIST_LIMIT,
) -> CaseList:
    """The cases the actor may read, filtered by year, state and place; one page of them.

    Protects scope: the cases come through `visible_to` and a place filter (`under`: a city,
    district, province or unit code; `province`: a province code) must itself be readable
    (NotFound otherwise, like a code that does not exist). Bad filters answer ValidationFailed
    in Vietnamese. Five queries whatever the page size (count, page, two for the places, one
    for the place filter).
    """
    year = parse_year(year)
    problems = []
    status = (status or "").strip()
    if status and status not in S.values:
        problems.append(
            Problem(f"trạng thái '{status}' không hợp lệ", "invalid status", field="status")
        )
    if problems:
        raise ValidationFailed(problems)
    offset, limit = max(int(offset or 0), 0), min(max(int(limit or LIST_LIMIT), 1), MAX_LIMIT)
    cases = visible_cases(actor)
    if year is not None:
        cases = cases.filter(year=year)
    if status:
        cases = cases.filter(status=status)
    for code, name in ((under, "under"), (province, "province")):
        code = (code or "").strip()
        if code:
            cases = _within(cases, _scoped_root(actor, code, name))
    total = cases.count()
    page = list(
        cases.select_related("unit", "criteria_version__criteria_set")
        .defer("criteria_version__spec")
        .order_by("-year", "unit__code")[offset : offset + limit]
    )
    where = places((c.unit_id, year_end(c.year)) for c in page)
    return CaseList(
        total=total,
        rows=[CaseRow(c, where[c.unit_id, year_end(c.year)]) for c in page],
        offset=offset,
        limit=limit,
        filters={
            "year": year,
            "status": status,
            "under": (under or "").strip(),
            "province": (province or "").strip(),
        },
    )


# -- case detail -------------------------------------------------------------------------------
@dataclass
class CriteriaGroup:
    code: str
    name: str
    criteria: list[CaseCriterion]


@dataclass
class CaseDetail:
    """Everything the case page and the API show about one case, and what the actor may do."""

    case: AssessmentCase
    place: Place
    groups: list[CriteriaGroup]
    events: list[CaseEvent]
    actions: list[str]
    can_self_assess: bool
    can_decide: bool
    conflicted: bool
    can_comment: bool
    is_reviewer: bool
    independent: bool | None
    missing: list[Problem]
    unit_files: list[EvidenceFile]
    differences: dict | None
    snapshot_intact: bool
    snapshot_statuses: dict

    @property
    def criteria(self) -> list[CaseCriterion]:
        return [c for g in self.groups for c in g.criteria]

    @property
    def decided(self) -> int:
        return sum(1 for c in self.criteria if c.decision)


def evidence_url(evidence: EvidenceFile) -> str | None:
    """The preview (PDF, images) or download (Word, Excel) address of an evidence file; the
    evidence view checks scope and the file's SHA-256 again when it is opened."""
    try:
        return reverse("evidence:file", kwargs={"pk": evidence.pk})
    except NoReverseMatch:  # the evidence pages are not mounted
        return None


def evidence_list_url(unit_code: str) -> str | None:
    """The unit's evidence page (its files and the upload form)."""
    try:
        return f"{reverse('evidence:list')}?unit={unit_code}"
    except NoReverseMatch:
        return None


def get_case(actor, case_id) -> AssessmentCase:
    """One case the actor may read, with its unit and criteria version.

    Protects scope: read through `visible_to`; out of scope, missing and malformed ids all
    answer the same NotFound.
    """
    try:
        case_id = int(case_id)
    except (TypeError, ValueError):
        case_id = 0
    case = (
        visible_cases(actor)
        .select_related(
            "unit",
            "criteria_version__criteria_set",
            "registered_by",
            "submitted_by",
            "approved_by",
        )
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound.single("không tìm thấy hồ sơ đánh giá", "case not found")
    return case


def available_actions(actor, case: AssessmentCase, *, independent: bool | None, day=None):
    """The transitions the actor may take on the case now, in the state machine's order.

    The same checks `workflow.transition` makes (state, permission on the unit or its district,
    independence for reviews), so a button is shown exactly when pressing it can succeed
    (completeness of a submission or an approval aside: those answer with their list).
    """
    day = day or timezone.localdate()
    out = []
    for action, (sources, perm) in TRANSITIONS.items():
        if case.status not in sources:
            continue
        if not _authorised(actor, case, action, perm, day):
            continue
        if action in _REVIEWS and independent is False:
            continue
        out.append(str(action))
    return out


def _group_names(case: AssessmentCase) -> dict[str, str]:
    """{group code: Vietnamese name} from the case's pinned criteria version (cached spec)."""
    from kieumau.evaluation.services import cached_spec

    try:
        spec = cached_spec(case.criteria_version)
    except Exception:  # a spec that no longer loads still leaves the case readable
        return {}
    return {g.code: g.name_vi for g in spec.groups}


def case_detail(actor, case_id) -> CaseDetail:
    """One case for its page: criteria by group (evidence prefetched), the timeline, what the
    actor may do now, and, for reviewers, what changed since submission.

    Protects scope and roles: the case comes through `visible_to` (NotFound out of scope);
    the edit, appraisal and transition controls follow the same permission, state and
    independence checks as the services, which check again on every write. A fixed number
    of queries whatever the number of criteria, evidence files and events.
    """
    case = get_case(actor, case_id)
    criteria = list(
        CaseCriterion.objects.filter(case=case)
        .select_related("self_assessed_by", "decided_by")
        .prefetch_related("evidence")
        .order_by("order")
    )
    names = _group_names(case)
    groups: dict[str, CriteriaGroup] = {}
    for crit in criteria:
        group = groups.setdefault(
            crit.group, CriteriaGroup(crit.group, names.get(crit.group, ""), [])
        )
        for evidence in crit.evidence.all():
            evidence.url = evidence_url(evidence)
        group.criteria.append(crit)
    events = list(CaseEvent.objects.filter(case=case).select_related("actor").order_by("at", "id"))
    reviewing = case.status in (S.DISTRICT_REVIEW, S.PROVINCE_REVIEW)
    independent = is_independent(actor, case) if reviewing else None
    actions = available_actions(actor, case, independent=independent)
    can_self_assess = case.status in EDITABLE and can_act_on_unit(actor, SELF_ASSESS, case.unit_id)
    may_appraise = case.status == S.PROVINCE_REVIEW and can_act_on_unit(
        actor, APPRAISE_CASES, case.unit_id
    )
    is_reviewer = bool(case.snapshot) and (
        "forward" in actions
        or can_act_on_unit(actor, APPRAISE_CASES, case.unit_id)
        or can_act_on_unit(actor, RECOGNISE_CASES, case.unit_id)
    )
    unit_files = []
    if can_self_assess:
        unit_files = list(
            EvidenceFile.objects.visible_to(actor, VIEW_ASSESSMENTS)
            .filter(unit_id=case.unit_id)
            .only("pk", "sha256", "filename", "title", "kind", "size", "uploaded_at", "unit_id")
        )
        for evidence in unit_files:
            evidence.url = evidence_url(evidence)
    snapshot = case.snapshot or {}
    return CaseDetail(
        case=case,
        place=places([(case.unit_id, year_end(case.year))])[case.unit_id, year_end(case.year)],
        groups=list(groups.values()),
        events=events,
        actions=actions,
        can_self_assess=can_self_assess,
        can_decide=may_appraise and bool(independent),
        conflicted=may_appraise and independent is False,
        can_comment=True,  # anyone reading the case may comment (add_comment checks again)
        is_reviewer=is_reviewer,
        independent=independent,
        missing=missing_for_submission(case) if "submit" in actions else [],
        unit_files=unit_files,
        differences=differences(case) if is_reviewer else None,
        snapshot_intact=snapshot_intact(case),
        snapshot_statuses=snapshot.get("result", {}).get("statuses", {}),
    )


# -- the register of recognised units ----------------------------------------------------------
@dataclass
class RecognisedRow:
    case: AssessmentCase
    place: Place

    @property
    def revoked(self) -> bool:
        return self.case.status == S.REVOKED


def recognised_register(actor, year, *, under: str | None = None) -> list[RecognisedRow]:
    """The units recognised for `year`, with the Ministry's decision (number, date, signer).

    Protects scope: through `visible_to` (a province reads its own register; the Ministry the
    nation's); an `under` code out of scope is NotFound. Recognitions later revoked stay on the
    register, marked, because the decision existed. Ordered by province, then unit name.
    Three queries (four with `under`).
    """
    year = parse_year(year, required=True)
    cases = visible_cases(actor).filter(recognised_year=year, status__in=[S.RECOGNISED, S.REVOKED])
    if under and under.strip():
        cases = _within(cases, _scoped_root(actor, under.strip(), "under"))
    found = list(cases.select_related("unit"))
    where = places((c.unit_id, year_end(c.year)) for c in found)
    rows = [RecognisedRow(c, where[c.unit_id, year_end(c.year)]) for c in found]
    rows.sort(
        key=lambda r: (
            sort_key(r.place.province_name),
            sort_key(r.place.unit_name),
            r.case.unit.code,
        )
    )
    return rows


# -- the national view -------------------------------------------------------------------------
@dataclass
class Tally:
    """One province's cases of a year, by stage.

    registered: every case not withdrawn; submitted: those submitted at least once (and not
    withdrawn); under_appraisal: now in district review or the province's appraisal; returned:
    now returned for rework; proposed, recognised, refused, revoked: now in that state.
    """

    registered: int = 0
    submitted: int = 0
    under_appraisal: int = 0
    returned: int = 0
    proposed: int = 0
    recognised: int = 0
    refused: int = 0
    revoked: int = 0
    withdrawn: int = 0

    def add(self, status: str, submitted: bool) -> None:
        if status == S.WITHDRAWN:
            self.withdrawn += 1
            return
        self.registered += 1
        self.submitted += int(submitted)
        if status in (S.DISTRICT_REVIEW, S.PROVINCE_REVIEW):
            self.under_appraisal += 1
        elif status in (S.RETURNED, S.PROPOSED, S.RECOGNISED, S.REFUSED, S.REVOKED):
            setattr(self, str(status), getattr(self, str(status)) + 1)

    def merge(self, other: "Tally") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class ProvinceTally:
    code: str
    name: str
    tally: Tally


def national_view(actor, year) -> dict:
    """Per province, the year's cases by stage: registered, submitted, under appraisal,
    proposed, recognised, refused (and returned, revoked, withdrawn), with the nation's total.

    Protects scope: counts only cases through `visible_to`, so a province reads its own line
    and the Ministry every province. Three queries whatever the number of cases.
    """
    year = parse_year(year, required=True)
    rows = list(
        visible_cases(actor)
        .filter(year=year)
        .values_list("unit_id", "status", "submitted_at")
        .order_by()
    )
    day = year_end(year)
    where = places((uid, day) for uid, _, _ in rows)
    by_province: dict[str, ProvinceTally] = {}
    total = Tally()
    for uid, status, submitted_at in rows:
        place = where[uid, day]
        line = by_province.setdefault(
            place.province_code,
            ProvinceTally(place.province_code, place.province_name or "—", Tally()),
        )
        line.tally.add(status, submitted_at is not None)
        total.add(status, submitted_at is not None)
    provinces = sorted(by_province.values(), key=lambda p: sort_key(p.name))
    return {"year": year, "provinces": provinces, "total": total}


def open_cases_for(actor, *, limit: int = 50) -> list[AssessmentCase]:
    """Cases waiting for something the actor may do (their own drafts, returned cases, cases
    to appraise or recognise), newest first — the case list's "waiting for you" box.

    Protects scope like every read here; a coarse pre-filter by state and permission (the
    case page tells exactly which actions are open). One query per permission held, at most
    three.
    """
    wanted = Q(pk__in=[])
    if has_perm(actor, SELF_ASSESS):
        mine = AssessmentCase.objects.visible_to(actor, SELF_ASSESS).values("pk")
        wanted |= Q(status__in=list(EDITABLE), pk__in=mine)
    if has_perm(actor, APPRAISE_CASES):
        theirs = AssessmentCase.objects.visible_to(actor, APPRAISE_CASES).values("pk")
        wanted |= Q(status=S.PROVINCE_REVIEW, pk__in=theirs)
    if has_perm(actor, RECOGNISE_CASES):
        ministry = AssessmentCase.objects.visible_to(actor, RECOGNISE_CASES).values("pk")
        wanted |= Q(status=S.PROPOSED, pk__in=ministry)
    return list(
        visible_cases(actor)
        .filter(wanted)
        .select_related("unit")
        .order_by("-year", "unit__code")[:limit]
    )
