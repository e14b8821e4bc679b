"""Reads of plans and their progress, always through the scope chokepoint.

Public API used by other apps (dashboards, reports):

- `plan_list(actor, under=None)` — the plans the actor may read.
- `get_plan(actor, plan_id)` — one plan or NotFound (out of scope answers like missing).
- `plan_progress(actor, plan, year, as_of=None)` — one year: designated, recognised, meeting
  all criteria, open cases, required units with the re-basing rule, forecast and at-risk flags.
- `plan_overview(actor, plan, as_of=None)` — every year of the plan (the chart and table).
- `national_rollup(actor, as_of=None)` — per province: wards, recognised, national targets.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from kieumau.accounts.permissions import VIEW_PLANS
from kieumau.assessments.models import AssessmentCase
from kieumau.core.errors import NotFound
from kieumau.evaluation.models import EvaluationResult
from kieumau.orgunits.choices import Kind, Level
from kieumau.plans.models import NationalTarget, Plan, PlanDesignation
from kieumau.plans.progress import Milestone, YearAssessment, YearFacts, assess_year
from kieumau.plans.structure import Structure, all_links, carry_forward
from kieumau.plans.targets import RULE_VI, Required, percent, required_for_share, required_units

CLOSED_CASE = ("recognised", "refused", "revoked", "withdrawn")
NATIONAL_DEFAULTS = ((dt.date(2025, 12, 31), 30, 50), (dt.date(2030, 12, 31), 100, 100))


def plan_list(actor, *, under: str | None = None):
    """Plans the actor may read (VIEW_PLANS on the plan's unit), optionally of one unit code.

    Protects other provinces' plans: the queryset starts from the scope chokepoint.
    """
    rows = Plan.objects.visible_to(actor, VIEW_PLANS).select_related("unit")
    if under:
        rows = rows.filter(unit__code=under)
    return rows.annotate(
        target_count=Count("targets", distinct=True),
        designation_count=Count("designations", distinct=True),
    ).order_by("unit__code", "-start_year", "number")


def get_plan(actor, plan_id: int) -> Plan:
    """The plan if the actor may read it; NotFound otherwise (the same answer as missing)."""
    plan = (
        Plan.objects.visible_to(actor, VIEW_PLANS).select_related("unit").filter(pk=plan_id).first()
    )
    if plan is None:
        raise NotFound.single("không tìm thấy kế hoạch", "plan not found")
    return plan


def unit_names(wanted: dict[int, dt.date]) -> dict[int, str]:
    """Each unit's name on its date (its last name before then if it had ceased); one query."""
    from kieumau.orgunits.models import OrgUnitVersion

    names: dict[int, str] = {}
    for unit_id, name, valid_from in (
        OrgUnitVersion.objects.filter(unit_id__in=list(wanted))
        .order_by("valid_from")
        .values_list("unit_id", "name", "valid_from")
    ):
        if valid_from <= wanted[unit_id] or unit_id not in names:
            names[unit_id] = name
    return names


@dataclass(frozen=True)
class TargetRow:
    """A target on the structure of its date: units needed, out of how many, by which rule."""

    id: int
    kind: str
    value: str
    base_count: int | None
    due_date: dt.date
    note: str
    required: int
    total: int
    rule: str
    rule_text: str


@dataclass(frozen=True)
class DesignatedRow:
    code: str
    name: str
    year: int
    current_codes: tuple[str, ...]
    met: int | None
    total: int | None
    meeting: bool
    case_status: str
    recognised_year: int | None


@dataclass(frozen=True)
class YearProgress:
    """One year of a plan (what `plan_progress` returns)."""

    plan_id: int
    year: int
    structure_date: dt.date
    root_code: str
    root_rule: str
    total: int
    designated: int
    designated_this_year: int
    recognised: int
    meeting: int
    open_cases: int
    required: int | None
    required_rule: str
    assessment: YearAssessment
    flag_units: dict = field(default_factory=dict)

    @property
    def at_risk(self) -> bool:
        return self.assessment.at_risk

    @property
    def recognised_percent(self) -> float | None:
        return percent(self.recognised, self.total)

    def as_dict(self) -> dict:
        a = self.assessment
        return {
            "year": self.year,
            "structure_date": self.structure_date.isoformat(),
            "root": self.root_code,
            "root_rule": self.root_rule,
            "total": self.total,
            "designated": self.designated,
            "designated_this_year": self.designated_this_year,
            "recognised": self.recognised,
            "meeting": self.meeting,
            "open_cases": self.open_cases,
            "required": self.required,
            "required_rule": self.required_rule,
            "expected_year_end": a.expected_year_end,
            "forecast_likely": a.forecast_likely,
            "forecast_optimistic": a.forecast_optimistic,
            "at_risk": a.at_risk,
            "flags": [
                {
                    "code": f.code,
                    "message": f.message,
                    "units": list(self.flag_units.get(f.code, [])),
                }
                for f in a.flags
            ],
        }


@dataclass
class PlanFacts:
    """Everything about a plan's units loaded once (a handful of queries for all years)."""

    designations: list[tuple[int, int]]  # (unit_id, year)
    recognised: dict[int, int]  # unit_id -> first recognised year
    meeting: dict[str, set[int]]  # period -> units meeting all criteria
    results: dict[tuple[int, str], tuple[int, int]]  # (unit, period) -> (met, total)
    cases: dict[tuple[int, int], str]  # (unit, year) -> status
    codes: dict[int, str]
    links: list


def _facts(plan: Plan, unit_ids: set[int], years: list[int], links: list) -> PlanFacts:
    designations = list(
        PlanDesignation.objects.filter(plan=plan).values_list("unit_id", "year", "unit__code")
    )
    ids = unit_ids | {d[0] for d in designations}
    recognised: dict[int, int] = {}
    cases: dict[tuple[int, int], str] = {}
    for uid, year, status, ryear in AssessmentCase.objects.filter(unit_id__in=ids).values_list(
        "unit_id", "year", "status", "recognised_year"
    ):
        cases[uid, year] = status
        if status == "recognised":
            got = ryear or year
            recognised[uid] = min(recognised.get(uid, got), got)
    meeting: dict[str, set[int]] = {}
    results: dict[tuple[int, str], tuple[int, int]] = {}
    for uid, period, met, total, model in (
        EvaluationResult.objects.filter(unit_id__in=ids, period__in=[str(y) for y in years])
        .order_by("criteria_version__valid_from", "criteria_version__number")
        .values_list("unit_id", "period", "met", "total", "model_standard")
    ):
        results[uid, period] = (met, total)
        if model:
            meeting.setdefault(period, set()).add(uid)
        else:
            meeting.setdefault(period, set()).discard(uid)
    return PlanFacts(
        designations=[(u, y) for u, y, _ in designations],
        recognised=recognised,
        meeting=meeting,
        results=results,
        cases=cases,
        codes={u: c for u, _, c in designations},
        links=links,
    )


def _structure(structures: dict, day: dt.date) -> Structure:
    """The structure on `day`, loaded once per request (cached in `structures`)."""
    if day not in structures:
        structures[day] = Structure(day)
    return structures[day]


def _root_on(plan: Plan, structure: Structure, links=None) -> tuple[int | None, str]:
    """The plan's unit on the structure's date: itself, or its successor after a merger."""
    if plan.unit_id in structure.units:
        return plan.unit_id, ""
    successors = carry_forward([plan.unit_id], structure.day, set(structure.units), links)[
        plan.unit_id
    ]
    provinces = sorted(s for s in successors if structure.units[s].level <= Level.PROVINCE)
    if provinces:
        return provinces[0], (
            f"đơn vị ban hành kế hoạch đã hợp nhất vào {structure.units[provinces[0]].name}; "
            "tỷ lệ tính trên toàn bộ đơn vị kế thừa"
        )
    return None, "đơn vị ban hành kế hoạch không còn tồn tại tại ngày này"


def _milestones(
    plan: Plan, structures: dict[dt.date, Structure], links=None
) -> list[tuple[object, Required]]:
    out = []
    for target in plan.targets.all():
        structure = _structure(structures, target.due_date)
        root, _ = _root_on(plan, structure, links)
        total = len(structure.population(root, plan.population)) if root else 0
        out.append(
            (
                target,
                required_units(
                    kind=target.kind,
                    value=target.value,
                    total=total,
                    base_count=target.base_count,
                ),
            )
        )
    return out


def target_rows(plan: Plan, structures: dict | None = None, links=None) -> list[TargetRow]:
    """The plan's targets, each re-based on the structure in force on its date."""
    structures = {} if structures is None else structures
    return [
        TargetRow(
            id=t.pk,
            kind=t.kind,
            value=f"{t.value.normalize():f}",
            base_count=t.base_count,
            due_date=t.due_date,
            note=t.note,
            required=req.count,
            total=req.total,
            rule=req.rule,
            rule_text=RULE_VI[req.rule],
        )
        for t, req in _milestones(plan, structures, links)
    ]


def _year_progress(
    plan: Plan,
    year: int,
    as_of: dt.date,
    facts: PlanFacts,
    milestones: list[tuple[object, Required]],
    structures: dict,
) -> YearProgress:
    day = dt.date(year, 12, 31)
    structure = _structure(structures, day)
    root, root_rule = _root_on(plan, structure, facts.links)
    population = structure.population(root, plan.population) if root else set()
    alive = set(structure.units)
    carried = carry_forward(
        sorted({u for u, y in facts.designations if y <= year}), day, alive, facts.links
    )
    designated = set()
    this_year = set()
    for uid, y in facts.designations:
        if y <= year:
            now = carried.get(uid, set()) & population
            designated |= now
            if y == year:
                this_year |= now
    recognised = {u for u in population if facts.recognised.get(u, 9999) <= year}
    meeting = facts.meeting.get(str(year), set()) & population
    open_cases = {u for u in population if facts.cases.get((u, year)) not in (None, *CLOSED_CASE)}
    stones = [Milestone(t.due_date, req.count) for t, req in milestones]
    assessment = assess_year(
        YearFacts(
            year=year,
            total=len(population),
            designated=frozenset(designated),
            designated_this_year=frozenset(this_year),
            recognised=frozenset(recognised),
            meeting=frozenset(meeting),
            open_cases=frozenset(open_cases),
        ),
        milestones=stones,
        start=dt.date(plan.start_year, 1, 1),
        as_of=as_of,
    )
    due = [(t, req) for t, req in milestones if t.due_date.year == year]
    required = max((req.count for _, req in due), default=None)
    required_rule = "; ".join(RULE_VI[req.rule] for _, req in due)
    names = structure.units
    flag_units = {
        f.code: [names[u].code for u in f.units if u in names] for f in assessment.flags if f.units
    }
    return YearProgress(
        plan_id=plan.pk,
        year=year,
        structure_date=day,
        root_code=names[root].code if root else "",
        root_rule=root_rule,
        total=len(population),
        designated=len(designated),
        designated_this_year=len(this_year),
        recognised=len(recognised),
        meeting=len(meeting),
        open_cases=len(open_cases),
        required=required,
        required_rule=required_rule,
        assessment=assessment,
        flag_units=flag_units,
    )


def _years(plan: Plan) -> list[int]:
    return list(range(plan.start_year, max(plan.start_year, plan.end_year) + 1))


def plan_progress(actor, plan: Plan | int, year: int, as_of: dt.date | None = None) -> YearProgress:
    """One year of a plan: designated, recognised, meeting all criteria, open cases, forecast.

    Protects the reader from comparing against the wrong structure: shares are counted on the
    units in force on 31/12 of `year`; designations of units that ceased are carried to their
    successors through the lineage; the rule used is named in `required_rule`/`root_rule`.
    The plan is re-read through the scope chokepoint (NotFound out of scope).
    """
    plan = get_plan(actor, plan if isinstance(plan, int) else plan.pk)
    as_of = as_of or timezone.localdate()
    structures: dict = {}
    day = dt.date(year, 12, 31)
    structure = _structure(structures, day)
    links = all_links()
    root, _ = _root_on(plan, structure, links)
    units = structure.population(root, plan.population) if root else set()
    facts = _facts(plan, units, [year], links)
    milestones = _milestones(plan, structures, links)
    return _year_progress(plan, year, as_of, facts, milestones, structures)


@dataclass(frozen=True)
class Overview:
    plan: Plan
    targets: list[TargetRow]
    years: list[YearProgress]
    designated: list[DesignatedRow]
    as_of: dt.date

    def chart_data(self) -> dict:
        """The series of the target-versus-actual chart (also the JSON of the API)."""
        return {
            "years": [y.year for y in self.years],
            "total": [y.total for y in self.years],
            "expected": [y.assessment.expected_year_end for y in self.years],
            "required": [y.required for y in self.years],
            "designated": [y.designated for y in self.years],
            "recognised": [y.recognised for y in self.years],
            "meeting": [y.meeting for y in self.years],
            "forecast": [y.assessment.forecast_likely for y in self.years],
        }


def plan_overview(actor, plan: Plan | int, as_of: dt.date | None = None) -> Overview:
    """Every year of a plan, its re-based targets and its designated units' status.

    The plan page, its chart and the API read this; the number of queries does not depend on
    the number of units (one structure load per year, plus a few for facts and lineage).
    """
    plan = get_plan(actor, plan if isinstance(plan, int) else plan.pk)
    as_of = as_of or timezone.localdate()
    years = _years(plan)
    structures: dict = {}
    links = all_links()
    units: set[int] = set()
    for year in years:
        day = dt.date(year, 12, 31)
        structure = _structure(structures, day)
        root, _ = _root_on(plan, structure, links)
        if root:
            units |= structure.population(root, plan.population)
    facts = _facts(plan, units, years, links)
    milestones = _milestones(plan, structures, links)
    rows = [_year_progress(plan, y, as_of, facts, milestones, structures) for y in years]
    today = _structure(structures, as_of)
    alive = set(today.units)
    carried = carry_forward([u for u, _ in facts.designations], as_of, alive, links)
    period = str(min(max(as_of.year, plan.start_year), plan.end_year))
    names = unit_names({uid: dt.date(year, 12, 31) for uid, year in facts.designations})
    designated = []
    for uid, year in sorted(facts.designations, key=lambda d: (d[1], facts.codes[d[0]])):
        result = facts.results.get((uid, period))
        designated.append(
            DesignatedRow(
                code=facts.codes[uid],
                name=names.get(uid, ""),
                year=year,
                current_codes=tuple(sorted(today.units[u].code for u in carried.get(uid, ()))),
                met=result[0] if result else None,
                total=result[1] if result else None,
                meeting=uid in facts.meeting.get(period, set()),
                case_status=facts.cases.get((uid, year), ""),
                recognised_year=facts.recognised.get(uid),
            )
        )
    return Overview(
        plan=plan,
        targets=target_rows(plan, structures, links),
        years=rows,
        designated=designated,
        as_of=as_of,
    )


# -- the national roll-up ------------------------------------------------------------------------
@dataclass(frozen=True)
class ProvinceRow:
    code: str
    name: str
    wards: int
    recognised: int
    share: float | None
    plans: int
    needed: list[tuple[dt.date, int, int]]  # (due, units for the low share, for the high share)
    behind: bool


def national_targets() -> list[tuple[dt.date, int, int]]:
    """The Ministry's targets (due date, min %, max %) as stored; the defaults when none are."""
    rows = [
        (t.due_date, t.min_share, t.max_share) for t in NationalTarget.objects.order_by("due_date")
    ]
    return rows or [(d, lo, hi) for d, lo, hi in NATIONAL_DEFAULTS]


def national_rollup(actor, as_of: dt.date | None = None) -> list[ProvinceRow]:
    """Per province the actor may read: wards in force, recognised, share, national targets.

    Protects scope (provinces come through the chokepoint: a province administrator sees their
    own) and the page's cost: a fixed number of queries for any number of provinces.
    """
    from kieumau.orgunits.models import OrgUnit

    as_of = as_of or timezone.localdate()
    visible = set(OrgUnit.objects.visible_to(actor, VIEW_PLANS).values_list("pk", flat=True))
    structure = Structure(as_of)
    provinces = sorted(
        (u for u in structure.units.values() if u.level == Level.PROVINCE and u.unit_id in visible),
        key=lambda u: u.name,
    )
    wards_by_province: dict[int, set[int]] = {p.unit_id: set() for p in provinces}
    for info in structure.units.values():
        if info.kind == Kind.WARD:
            province = structure.province_of(info.unit_id)
            if province in wards_by_province:
                wards_by_province[province].add(info.unit_id)
    all_wards = set().union(*wards_by_province.values()) if wards_by_province else set()
    recognised = set(
        AssessmentCase.objects.filter(
            unit_id__in=all_wards, status="recognised", recognised_year__lte=as_of.year
        ).values_list("unit_id", flat=True)
    )
    plan_counts = dict(
        Plan.objects.visible_to(actor, VIEW_PLANS)
        .values_list("unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "n")
    )
    targets = national_targets()
    rows = []
    for p in provinces:
        wards = wards_by_province[p.unit_id]
        got = len(wards & recognised)
        needed = [
            (due, required_for_share(lo, len(wards)), required_for_share(hi, len(wards)))
            for due, lo, hi in targets
        ]
        upcoming = [n for n in needed if n[0] >= as_of]
        rows.append(
            ProvinceRow(
                code=p.code,
                name=p.name,
                wards=len(wards),
                recognised=got,
                share=percent(got, len(wards)),
                plans=plan_counts.get(p.unit_id, 0),
                needed=needed,
                behind=bool(upcoming)
                and as_of.year >= upcoming[0][0].year
                and got < upcoming[0][1],
            )
        )
    return rows
