"""Reads of the dashboards: nation → province → unit, as of a date, for a year.

Everything comes from what other apps stored: evaluation results (criteria met, model
standard, per-criterion statuses), assessment cases (recognition decisions) and report
submissions (timeliness). Nothing is evaluated here. Every read starts from the scope
chokepoint (`visible_to(actor, dashboards.view)`): a unit outside the actor's scope is absent,
so asking for it answers NotFound (404) exactly like a unit that does not exist.

The number of queries is fixed whatever the number of units (tests count them): counts are
aggregated in the database (`values` + `annotate`, conditional `Count` over the stored
statuses), and the few row lists (unit → province, unit → met) are read as tuples in one query
each.
"""

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models import Avg, Count, Max, Q, Sum
from django.utils import timezone

from kieumau.accounts.permissions import VIEW_DASHBOARDS
from kieumau.accounts.scope import grant_for
from kieumau.assessments.choices import CaseStatus
from kieumau.assessments.models import AssessmentCase
from kieumau.core.errors import NotFound, ValidationFailed
from kieumau.criteria.models import CriteriaVersion
from kieumau.dashboards import extensions
from kieumau.datavalues.models import DataSet, Submission
from kieumau.engine import Period
from kieumau.evaluation.models import EvaluationResult
from kieumau.evaluation.services import version_for
from kieumau.orgunits.choices import COMMUNE_LEVEL_KINDS, Level
from kieumau.orgunits.models import OrgUnit, OrgUnitVersion
from kieumau.orgunits.selectors import subtree_ids

log = logging.getLogger(__name__)
MONTHLY_FORM = "BC-THANG"
"""The monthly progress report (due on the 18th) whose timeliness the dashboards show."""
IDS_AS_LIST = 1000
"""Up to this many units (a province) the other reads filter on the id list; above it (the
nation) on a subquery: PostgreSQL plans the small list far better, and a list of thousands
of ids costs more to build than the join."""
TREND_YEARS = 5
"""How many years the trend panel covers, ending with the chosen year."""


@dataclass(frozen=True)
class Crumb:
    code: str
    name: str
    level: int


@dataclass
class ChildRow:
    """One line of the drill-down table: a province (at the nation) or a unit (in a province)."""

    code: str
    name: str
    units: int = 0
    evaluated: int = 0
    model_standard: int = 0
    recognised: int = 0
    met_sum: int = 0
    target: float | None = None

    @property
    def share(self) -> float:
        """Recognised model units as a percentage of the units in force."""
        return round(100 * self.recognised / self.units, 1) if self.units else 0.0

    @property
    def average_met(self) -> float | None:
        return round(self.met_sum / self.evaluated, 1) if self.evaluated else None


@dataclass
class Dashboard:
    year: int
    as_of: dt.date
    root: Crumb
    crumbs: list[Crumb]
    level: str  # "nation", "province" or "unit"
    version_label: str = ""
    criteria: list[dict] = field(default_factory=list)
    groups: list[dict] = field(default_factory=list)
    children: list[ChildRow] = field(default_factory=list)
    totals: ChildRow | None = None
    distribution: list[dict] = field(default_factory=list)
    criterion_rates: list[dict] = field(default_factory=list)
    group_rates: list[dict] = field(default_factory=list)
    heatmap: list[dict] = field(default_factory=list)
    timeliness: list[dict] = field(default_factory=list)
    trends: list[dict] = field(default_factory=list)
    unit: dict | None = None
    decided_by: dt.date | None = None
    national_target: dict | None = None
    plan: dict | None = None
    overdue: dict | None = None
    satisfaction: list[dict] | None = None

    def as_dict(self) -> dict:
        """What the JSON API and the page's charts read (plain JSON types only)."""
        return {
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            "level": self.level,
            "root": {"code": self.root.code, "name": self.root.name},
            "crumbs": [{"code": c.code, "name": c.name} for c in self.crumbs],
            "criteria_version": self.version_label,
            "criteria": self.criteria,
            "groups": self.groups,
            "children": [child_dict(c) for c in self.children],
            "totals": child_dict(self.totals) if self.totals else None,
            "distribution": self.distribution,
            "criterion_rates": self.criterion_rates,
            "group_rates": self.group_rates,
            "heatmap": self.heatmap,
            "timeliness": self.timeliness,
            "trends": self.trends,
            "unit": self.unit,
            "national_target": self.national_target,
            "plan": self.plan,
            "overdue": self.overdue,
            "satisfaction": self.satisfaction,
        }


def child_dict(row: ChildRow) -> dict:
    return {
        "code": row.code,
        "name": row.name,
        "units": row.units,
        "evaluated": row.evaluated,
        "model_standard": row.model_standard,
        "recognised": row.recognised,
        "share": row.share,
        "average_met": row.average_met,
        "target": row.target,
    }


# -- parameters ----------------------------------------------------------------------------------
def parse_year(value, default: int) -> int:
    """The dashboard's year from a query string; ValidationFailed (Vietnamese) when it is not one."""
    text = str(value or "").strip()
    if not text:
        return default
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise ValidationFailed.single(f"năm '{text}' không hợp lệ", "invalid year", field="year")
    return int(text)


def default_year(as_of: dt.date) -> int:
    """The year a dashboard opens on: the last finished year before `as_of` (what is reviewed)."""
    return as_of.year - 1


# -- scope ---------------------------------------------------------------------------------------
def resolve_root(actor, under: str | None, as_of: dt.date) -> OrgUnitVersion:
    """The unit the dashboard is about, in force on `as_of` and within the actor's scope.

    Protects scope: `under` must be readable under dashboards.view (NotFound otherwise, as for a
    missing code); without `under`, the actor's topmost readable unit on `as_of` (the nation for
    the Ministry, their province for a province, their ward for a ward officer).
    """
    visible = OrgUnit.objects.visible_to(actor, VIEW_DASHBOARDS)
    versions = OrgUnitVersion.objects.active_on(as_of).select_related("unit")
    if under:
        version = versions.filter(unit__code=under, unit__in=visible.values("pk")).first()
    else:
        # The top of the actor's grants (not a sort of every unit in scope).
        grant = grant_for(actor, VIEW_DASHBOARDS)
        tops = (
            versions.filter(level=Level.NATION)
            if grant.national
            else versions.filter(unit_id__in=grant.unit_ids)
        )
        version = tops.order_by("level", "name").first()
    if version is None:
        code = under or "—"
        raise NotFound.single(
            f"không tìm thấy đơn vị '{code}' vào ngày {as_of:%d/%m/%Y}", "unit not found"
        )
    return version


def _crumbs(actor, root: OrgUnitVersion, upper: dict[int, tuple]) -> list[Crumb]:
    """The readable chain above the root (for the breadcrumb), from the preloaded upper levels."""
    visible = set(
        OrgUnit.objects.visible_to(actor, VIEW_DASHBOARDS)
        .filter(pk__in=list(upper))
        .values_list("pk", flat=True)
    )
    chain = []
    parent = root.parent_id
    for _ in range(6):
        if parent is None or parent not in upper or parent not in visible:
            break
        _, code, name, level, grand = upper[parent]
        chain.append(Crumb(code, name, level))
        parent = grand
    return list(reversed(chain))


def _upper_levels(as_of: dt.date) -> dict[int, tuple]:
    """{unit id: (id, code, name, level, parent id)} of the nation, provinces and districts in
    force on `as_of` (a few hundred rows, one query): the chains walked in memory."""
    return {
        row[0]: row
        for row in OrgUnitVersion.objects.active_on(as_of)
        .filter(level__lte=Level.DISTRICT)
        .values_list("unit_id", "unit__code", "name", "level", "parent_id")
    }


def _province_of(unit_parent: int | None, upper: dict[int, tuple]) -> int | None:
    parent = unit_parent
    for _ in range(6):
        if parent is None or parent not in upper:
            return None
        if upper[parent][3] == Level.PROVINCE:
            return parent
        parent = upper[parent][4]
    return None


# -- the dashboard -------------------------------------------------------------------------------
def dashboard(
    actor, *, under: str | None = None, year=None, as_of=None, decided_by: dt.date | None = None
) -> Dashboard:
    """The dashboard of `under` (or the actor's own top unit) for `year`, structure as of `as_of`.

    Recognitions count when decided on or before `decided_by` (default `as_of`): a report on
    a year, issued months later, counts the decisions taken since the year ended.

    Protects scope: the root and every unit counted come through `visible_to(actor,
    dashboards.view)`; a root out of scope is NotFound. A fixed number of queries whatever the
    number of units (aggregates in the database, one tuple list per panel).
    """
    as_of = as_of or timezone.localdate()
    year = parse_year(year, default_year(as_of))
    root = resolve_root(actor, under, as_of)
    decided_by = decided_by or as_of
    key = _cache_key(actor, root, year, as_of, decided_by)
    cached = _cache_call(cache.get, key) if key else None
    if cached is None:
        cached = _core(actor, root, year, as_of, decided_by)
        if key:
            _cache_call(cache.set, key, cached, cache_seconds())
    board, owner, child_rows = cached
    # Panels of the other apps are read live (their data is not in the cache's fingerprint).
    board.national_target = extensions.national_target(year)
    if board.level == "nation" and board.national_target:
        for child in board.children:
            child.target = float(board.national_target["min_share"])
    if board.level != "unit":
        board.plan = extensions.plan_target(actor, root.unit.code, year, as_of)
    board.overdue = extensions.overdue_tasks(actor, root.unit.code, as_of)
    board.satisfaction = _satisfaction(actor, root, year, owner, child_rows)
    return board


def _cache_call(method, *args):
    """A cache read or write that degrades to "no cache" when the cache is unusable (e.g. the
    database cache table was not created: `kieumau createcachetable`), in a savepoint so that a
    PostgreSQL error does not abort the request's transaction."""
    try:
        with transaction.atomic():
            return method(*args)
    except DatabaseError:
        log.warning("dashboard cache unavailable", exc_info=True)
        return None


def cache_seconds() -> int:
    """How long a national dashboard is cached (setting DASHBOARD_CACHE_SECONDS; 0 = never)."""
    return int(getattr(settings, "DASHBOARD_CACHE_SECONDS", 600))


def _cache_key(actor, root: OrgUnitVersion, year: int, as_of, decided_by) -> str | None:
    """The cache key of a national dashboard: who may see what, what is asked, and a fingerprint
    of the data it is computed from — so any write through the services (a new or re-computed
    result, a case decision, a submission, a reorganisation, a new criteria version) changes
    the key and the next view recomputes. Below the nation nothing is cached (a province's
    dashboard is computed in a few tens of milliseconds; measured in docs/benchmarks.md)."""
    seconds = cache_seconds()
    if seconds <= 0 or root.level != Level.NATION:
        return None
    grant = grant_for(actor, VIEW_DASHBOARDS)
    scope = "national" if grant.national else ",".join(map(str, sorted(grant.unit_ids)))
    fingerprint = [
        EvaluationResult.objects.aggregate(n=Count("pk"), t=Max("computed_at")),
        AssessmentCase.objects.aggregate(
            n=Count("pk"),
            r=Sum("revision"),
            ok=Count("pk", filter=Q(status=CaseStatus.RECOGNISED)),
            d=Max("decision_date"),
        ),
        Submission.objects.aggregate(n=Count("pk"), t=Max("submitted_at")),
        OrgUnitVersion.objects.aggregate(n=Count("pk"), m=Max("pk")),
        CriteriaVersion.objects.aggregate(n=Count("pk"), m=Max("pk"), s=Count("status")),
    ]
    raw = repr((scope, root.unit_id, year, as_of, decided_by, fingerprint))
    return "dashboards:" + hashlib.sha256(raw.encode()).hexdigest()


def _core(actor, root: OrgUnitVersion, year: int, as_of: dt.date, decided_by: dt.date):
    """Everything computed from evaluation, assessments and submissions (what may be cached),
    with which drill-down line each unit counts in (for the live satisfaction panel)."""
    upper = _upper_levels(as_of)
    crumbs = _crumbs(actor, root, upper)
    root_crumb = Crumb(root.unit.code, root.name, root.level)
    if root.level >= Level.COMMUNE:
        level = "unit"
    elif root.level == Level.NATION:
        level = "nation"
    else:
        level = "province"
    board = Dashboard(year=year, as_of=as_of, root=root_crumb, crumbs=crumbs, level=level)
    board.decided_by = decided_by
    period = Period.of_year(year)
    try:
        version = version_for(period)
    except NotFound:
        version = None
    if version is not None:
        board.version_label = version.label
        board.criteria = [
            {"code": c["code"], "group": c["group"], "name": c["name_vi"]}
            for c in version.spec.get("criteria", [])
        ]
        board.groups = [
            {"code": g["code"], "name": g["name_vi"]} for g in version.spec.get("groups", [])
        ]
    units, in_scope = units_in(actor, root, as_of)
    if level == "unit":
        board.unit = _unit_panel(actor, root, year, version)
    owner, child_rows = _children(board, root, units, in_scope, upper, year, version, actor)
    results = _results(actor, in_scope, period, version)
    _distribution(board, results)
    _rates(board, results)
    if level != "nation":
        _heatmap(board, results, units)
    board.timeliness = _timeliness(actor, len(units), in_scope, year, as_of)
    board.trends = _trends(actor, in_scope, year, board.decided_by)
    return board, owner, child_rows


def units_in(actor, root: OrgUnitVersion, as_of: dt.date) -> tuple[list[tuple], object]:
    """(unit id, code, name, parent id) of the commune-level units under `root` on `as_of` the
    actor may read (one query; the subtree by a recursive query below the nation), and the
    same set as the other reads filter on it (see IDS_AS_LIST)."""
    versions = OrgUnitVersion.objects.active_on(as_of).filter(
        kind__in=COMMUNE_LEVEL_KINDS,
        unit__in=OrgUnit.objects.visible_to(actor, VIEW_DASHBOARDS).values("pk"),
    )
    if root.level >= Level.COMMUNE:
        versions = versions.filter(unit_id=root.unit_id)
    elif root.level != Level.NATION:
        versions = versions.filter(unit_id__in=subtree_ids(root.unit_id, as_of))
    rows = list(
        versions.order_by("name", "unit__code").values_list(
            "unit_id", "unit__code", "name", "parent_id"
        )
    )
    if len(rows) <= IDS_AS_LIST:
        return rows, [r[0] for r in rows]
    return rows, versions.order_by().values("unit_id")


def _results(actor, in_scope, period: Period, version):
    """The stored results of the year for these units, through the chokepoint (a queryset)."""
    qs = EvaluationResult.objects.visible_to(actor, VIEW_DASHBOARDS).filter(
        period=period.code, unit_id__in=in_scope
    )
    if version is None:
        return qs.none()
    return qs.filter(criteria_version=version)


def _recognised(actor, in_scope, year: int, as_of: dt.date):
    """Cases recognised as model units for `year` by a decision dated on or before `as_of`."""
    return (
        AssessmentCase.objects.visible_to(actor, VIEW_DASHBOARDS)
        .filter(unit_id__in=in_scope, recognised_year=year, status=CaseStatus.RECOGNISED)
        .filter(Q(decision_date__isnull=True) | Q(decision_date__lte=as_of))
    )


def _children(
    board: Dashboard, root, units, in_scope, upper, year, version, actor
) -> tuple[dict, dict]:
    """Rows of the drill-down table: per province at the nation, per unit below it. Returns
    which line each unit counts in ({unit id: line key}) and the lines by key."""
    unit_ids = [u[0] for u in units]
    rows: dict[int, ChildRow] = {}
    owner: dict[int, int] = {}
    if board.level == "nation":
        for uid, (_, code, name, lvl, _) in upper.items():
            if lvl == Level.PROVINCE:
                rows[uid] = ChildRow(code=code, name=name)
        for uid, _, _, parent in units:
            province = _province_of(parent, upper)
            if province is not None:
                owner[uid] = province
    else:
        for uid, code, name, _ in units:
            rows[uid] = ChildRow(code=code, name=name)
            owner[uid] = uid
    for uid in unit_ids:
        if uid in owner:
            rows[owner[uid]].units += 1
    if version is not None:
        for uid, met, model in (
            _results(actor, in_scope, Period.of_year(year), version)
            .order_by()
            .values_list("unit_id", "met", "model_standard")
        ):
            row = rows.get(owner.get(uid))
            if row is not None:
                row.evaluated += 1
                row.met_sum += met
                row.model_standard += int(model)
    for uid in _recognised(actor, in_scope, year, board.decided_by).values_list(
        "unit_id", flat=True
    ):
        row = rows.get(owner.get(uid))
        if row is not None:
            row.recognised += 1
    # At the nation, provinces with no unit in force (or none readable) stay out.
    children = [r for r in rows.values() if r.units or board.level != "nation"]
    board.children = sorted(children, key=lambda r: _sort_key(r.name))
    total = ChildRow(code=root.unit.code, name=root.name)
    for child in board.children:
        for name in ("units", "evaluated", "model_standard", "recognised", "met_sum"):
            setattr(total, name, getattr(total, name) + getattr(child, name))
    board.totals = total
    return owner, rows


def _satisfaction(actor, root, year, owner: dict, rows: dict) -> list[dict] | None:
    """Survey responses and satisfied respondents of the year per line of the drill-down
    table (summed per province at the nation), from the feedback app when it provides them."""
    per_unit = extensions.satisfaction(actor, root.unit.code, year)
    if per_unit is None:
        return None
    sums: dict[int, list[int]] = {}
    for uid, responses, satisfied in per_unit:
        key = owner.get(uid)
        if key is not None:
            pair = sums.setdefault(key, [0, 0])
            pair[0] += responses
            pair[1] += satisfied
    out = []
    for key, (responses, satisfied) in sums.items():
        row = rows[key]
        out.append(
            {
                "code": row.code,
                "name": row.name,
                "responses": responses,
                "satisfied": satisfied,
                "rate": round(100 * satisfied / responses, 1) if responses else None,
            }
        )
    return sorted(out, key=lambda r: _sort_key(r["name"]))


def _sort_key(name: str) -> tuple[str, str]:
    from kieumau.assessments.selectors import sort_key

    return sort_key(name)


def _distribution(board: Dashboard, results) -> None:
    """Units by number of criteria met (22/22, 21/22, …), counted in the database."""
    counts = {
        (met, total): n
        for met, total, n in results.order_by()
        .values("met", "total")
        .annotate(n=Count("pk"))
        .values_list("met", "total", "n")
    }
    board.distribution = [
        {"met": met, "total": total, "label": f"{met}/{total}", "units": n}
        for (met, total), n in sorted(counts.items(), reverse=True)
    ]


def _rates(board: Dashboard, results) -> None:
    """Pass rate per criterion and per group: conditional counts over the stored statuses in one
    aggregate query (a unit passes a group when it meets every criterion of the group)."""
    if not board.criteria:
        return
    aggregates = {"evaluated": Count("pk")}
    for i, c in enumerate(board.criteria):
        aggregates[f"c{i}"] = Count("pk", filter=Q(**{f"statuses__{c['code']}": "met"}))
    for j, g in enumerate(board.groups):
        codes = [c["code"] for c in board.criteria if c["group"] == g["code"]]
        condition = Q()
        for code in codes:
            condition &= Q(**{f"statuses__{code}": "met"})
        aggregates[f"g{j}"] = Count("pk", filter=condition)
    counts = results.order_by().aggregate(**aggregates)
    evaluated = counts["evaluated"]

    def rate(n: int) -> float:
        return round(100 * n / evaluated, 1) if evaluated else 0.0

    board.criterion_rates = [
        {**c, "met": counts[f"c{i}"], "evaluated": evaluated, "rate": rate(counts[f"c{i}"])}
        for i, c in enumerate(board.criteria)
    ]
    board.group_rates = [
        {**g, "met": counts[f"g{j}"], "evaluated": evaluated, "rate": rate(counts[f"g{j}"])}
        for j, g in enumerate(board.groups)
    ]


def _heatmap(board: Dashboard, results, units) -> None:
    """Units × criteria statuses of a province (or one unit), from the stored statuses."""
    stored = {
        uid: (met, total, statuses)
        for uid, met, total, statuses in results.order_by().values_list(
            "unit_id", "met", "total", "statuses"
        )
    }
    codes = [c["code"] for c in board.criteria]
    rows = []
    for uid, code, name, _ in units:
        met, total, statuses = stored.get(uid, (None, None, {}))
        rows.append(
            {
                "code": code,
                "name": name,
                "met": met,
                "total": total,
                "statuses": [statuses.get(c, "") for c in codes],
            }
        )
    rows.sort(key=lambda r: (-(r["met"] if r["met"] is not None else -1), _sort_key(r["name"])))
    board.heatmap = rows


def month_periods(year: int, as_of: dt.date) -> list[Period]:
    """The months of `year` whose monthly report was due by `as_of` (due on the 18th of the
    following month), oldest first."""
    out = []
    for month in range(1, 13):
        period = Period.of_month(year, month)
        nxt = period.next()
        if dt.date(nxt.year, nxt.start.month, 18) <= as_of:
            out.append(period)
    return out


def _local_midnight_after(day: dt.date) -> dt.datetime:
    """The instant the local day after `day` begins: a report is on time before it."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))


def _timeliness(actor, expected: int, in_scope, year: int, as_of: dt.date) -> list[dict]:
    """Per month of the year already due: monthly reports on time, late, missing.

    Counted in the database: on time = submitted before the local day after the due date fixed
    at submission; a draft, or no report, counts as missing. The due dates in use are read
    first (a handful: one per province rule and month), so the count compares plain columns
    with constants and needs no per-row date conversion (two queries).
    """
    form = DataSet.objects.filter(code=MONTHLY_FORM).only("pk").first()
    months = month_periods(year, as_of)
    if form is None or not months:
        return []
    rows = {p.code: {"period": p.code, "on_time": 0, "late": 0, "missing": 0} for p in months}
    submitted = (
        Submission.objects.visible_to(actor, VIEW_DASHBOARDS)
        .filter(dataset=form, period__in=list(rows), unit_id__in=in_scope)
        .exclude(status="draft")
        .exclude(submitted_at__isnull=True)
        .order_by()
    )
    dues = set(submitted.values_list("due_date", flat=True).distinct())
    on_time = Q(due_date__isnull=True)
    for due in dues - {None}:
        on_time |= Q(due_date=due, submitted_at__lt=_local_midnight_after(due))
    for period, total, in_time in (
        submitted.values("period")
        .annotate(total=Count("pk"), in_time=Count("pk", filter=on_time))
        .values_list("period", "total", "in_time")
    ):
        rows[period]["on_time"] += in_time
        rows[period]["late"] += total - in_time
    for row in rows.values():
        row["missing"] = max(expected - row["on_time"] - row["late"], 0)
        row["expected"] = expected
        row["rate"] = round(100 * row["on_time"] / expected, 1) if expected else 0.0
    return list(rows.values())


def _trends(actor, in_scope, year: int, decided_by: dt.date) -> list[dict]:
    """Per year (the last few): units evaluated, meeting every criterion, average met, and
    recognised — two aggregate queries. Where a year holds results of two criteria versions
    the one with more results is shown."""
    years = [str(y) for y in range(year - TREND_YEARS + 1, year + 1)]
    best: dict[str, dict] = {}
    for row in (
        EvaluationResult.objects.visible_to(actor, VIEW_DASHBOARDS)
        .filter(unit_id__in=in_scope, period__in=years)
        .order_by()
        .values("period", "criteria_version")
        .annotate(
            evaluated=Count("pk"),
            model_standard=Count("pk", filter=Q(model_standard=True)),
            average_met=Avg("met"),
        )
    ):
        if row["evaluated"] > best.get(row["period"], {}).get("evaluated", -1):
            best[row["period"]] = row
    recognised = dict(
        AssessmentCase.objects.visible_to(actor, VIEW_DASHBOARDS)
        .filter(
            unit_id__in=in_scope,
            recognised_year__in=[int(y) for y in years],
            status=CaseStatus.RECOGNISED,
        )
        .filter(Q(decision_date__isnull=True) | Q(decision_date__lte=decided_by))
        .order_by()
        .values("recognised_year")
        .annotate(n=Count("pk"))
        .values_list("recognised_year", "n")
    )
    out = []
    for y in years:
        row = best.get(y, {})
        avg = row.get("average_met")
        out.append(
            {
                "year": int(y),
                "evaluated": row.get("evaluated", 0),
                "model_standard": row.get("model_standard", 0),
                "average_met": round(float(avg), 1) if avg is not None else None,
                "recognised": recognised.get(int(y), 0),
            }
        )
    return out


def _unit_panel(actor, root: OrgUnitVersion, year: int, version) -> dict:
    """One unit: its criteria with status and explanation for the year, and its recognition."""
    result = None
    if version is not None:
        result = (
            EvaluationResult.objects.visible_to(actor, VIEW_DASHBOARDS)
            .filter(unit_id=root.unit_id, period=str(year), criteria_version=version)
            .values_list("result", flat=True)
            .first()
        )
    case = (
        AssessmentCase.objects.visible_to(actor, VIEW_DASHBOARDS)
        .filter(unit_id=root.unit_id, year=year)
        .values("status", "recognised_year", "decision_number", "decision_date")
        .first()
    )
    criteria = []
    if result:
        criteria = [
            {
                "code": c["code"],
                "group": c["group"],
                "name": c["name"],
                "status": c["status"],
                "explanation": c.get("explanation", ""),
            }
            for c in result.get("criteria", [])
        ]
    return {
        "met": result.get("met") if result else None,
        "total": result.get("total") if result else None,
        "criteria": criteria,
        "case": {
            **case,
            "status_label": str(CaseStatus(case["status"]).label),
            "decision_date": case["decision_date"].isoformat() if case["decision_date"] else None,
        }
        if case
        else None,
    }
