"""Evaluating units against the criteria version in force, and storing the explained results.

Protects "everyone sees the same result for the same data": the API, the CLI, the scorecard and
the batch all go through `evaluate_units`, which pins the criteria version and the digest of the
inputs the engine read. A changed value re-evaluates, at once, only the units and periods it
can affect.
"""

from collections.abc import Callable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kieumau.accounts.permissions import VIEW_EVALUATION
from kieumau.audit.chain import normalise_json
from kieumau.audit.services import record
from kieumau.core.errors import NotFound, ValidationFailed
from kieumau.criteria.choices import VersionStatus
from kieumau.criteria.models import CriteriaVersion
from kieumau.criteria.services import spec_of
from kieumau.engine import (
    Period,
    PeriodError,
    UnitResult,
    VersionSpec,
    affected_criteria,
    evaluate_many,
    parse_period,
)
from kieumau.evaluation.inputs import (
    engine_unit,
    evaluable_units,
    needed_periods,
    readings_for_units,
)
from kieumau.evaluation.models import EvaluationResult
from kieumau.orgunits.models import LineageLink, OrgUnit


def parse_period_or_fail(code: str) -> Period:
    """The period for a code, or ValidationFailed with the engine's Vietnamese reason."""
    try:
        return parse_period(code)
    except PeriodError as exc:
        raise ValidationFailed.single(str(exc), "invalid period", field="period") from exc


def version_for(period: Period, *, set_code: str | None = None) -> CriteriaVersion:
    """The published criteria version in force on the period's last day (latest start wins)."""
    versions = CriteriaVersion.objects.filter(
        status__in=[VersionStatus.PUBLISHED, VersionStatus.RETIRED]
    )
    if set_code:
        versions = versions.filter(criteria_set__code=set_code)
    day = period.end
    version = (
        versions.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        .select_related("criteria_set")
        .order_by("-valid_from", "-number")
        .first()
    )
    if version is None:
        raise NotFound.single(
            f"chưa có bộ tiêu chí nào có hiệu lực cho kỳ {period.code}",
            "no criteria version in force for this period",
            field="period",
        )
    return version


_SPEC_CACHE: dict[tuple[int, str], VersionSpec] = {}


def cached_spec(version: CriteriaVersion) -> VersionSpec:
    """The engine spec of a version, cached by its digest (published specs never change)."""
    key = (version.pk, version.spec_sha256)
    if key not in _SPEC_CACHE:
        _SPEC_CACHE[key] = spec_of(version)
    return _SPEC_CACHE[key]


def serialise(result: UnitResult, version: CriteriaVersion, spec: VersionSpec) -> dict:
    """The explained result as the API, CLI and stored rows present it."""
    evidence = {c.code: list(c.evidence) for c in spec.criteria}
    return normalise_json(
        {
            "unit": result.unit.code,
            "period": result.period,
            "criteria_version": version.label,
            "criteria_version_sha256": version.spec_sha256,
            "input_digest": result.input_digest,
            "met": result.met,
            "total": result.total,
            "missing_data": result.missing_data,
            "model_standard": result.model_standard,
            # Only for a version with its own year (TT 124): "năm báo cáo 16/11/2024–15/11/2025".
            **(
                {
                    "reporting_year": result.reporting_year_vi,
                    "reporting_year_en": result.reporting_year_en,
                }
                if result.reporting_year_vi
                else {}
            ),
            "groups": [
                {
                    "code": g.code,
                    "name": g.name_vi,
                    "name_en": g.name_en,
                    "met": g.met,
                    "total": g.total,
                    "missing_data": g.missing_data,
                    "not_applicable": g.not_applicable,
                }
                for g in result.groups
            ],
            "criteria": [
                {
                    "code": c.code,
                    "group": c.group,
                    "name": c.name_vi,
                    "name_en": c.name_en,
                    "status": c.status,
                    "values": c.values,
                    "threshold": c.thresholds,
                    "explanation": c.explanation_vi,
                    "explanation_en": c.explanation_en,
                    "missing": list(c.missing),
                    "evidence": evidence.get(c.code, []),
                }
                for c in result.criteria
            ],
        }
    )


def evaluate_units(
    units: list[tuple[int, object]],
    period: Period,
    version: CriteriaVersion,
    *,
    store: bool = True,
    output: bool = True,
) -> dict[int, dict]:
    """Evaluate (unit id, engine Unit) pairs for one period; store and return serialised results.

    Results whose input digest equals the stored one are neither re-serialised nor rewritten
    (explanations are the costly part); with `output=False` (batch runs) only the changed
    results are serialised and the return value holds just those.
    """
    spec = cached_spec(version)
    readings = readings_for_units([uid for uid, _ in units], period, spec)
    results = evaluate_many(spec, [(unit, readings[uid]) for uid, unit in units], period=period)
    existing = {}
    if store:
        existing = {
            row.unit_id: row
            for row in EvaluationResult.objects.filter(
                unit_id__in=[uid for uid, _ in units], period=period.code, criteria_version=version
            ).only("id", "unit_id", "input_digest")
        }
    out = {}
    changed = {}
    for (uid, _), res in zip(units, results, strict=True):
        row = existing.get(uid)
        fresh = row is None or row.input_digest != res.input_digest
        if output or fresh:
            out[uid] = serialise(res, version, spec)
        if store and fresh:
            changed[uid] = out[uid]
    if changed:
        _store(changed, existing, period, version)
    return out


def _store(out: dict[int, dict], existing: dict, period: Period, version: CriteriaVersion) -> None:
    new, changed = [], []
    for uid, data in out.items():
        fields = {
            "input_digest": data["input_digest"],
            "met": data["met"],
            "total": data["total"],
            "missing_data": data["missing_data"],
            "model_standard": data["model_standard"],
            "statuses": {c["code"]: c["status"] for c in data["criteria"]},
            "result": data,
        }
        row = existing.get(uid)
        if row is None:
            new.append(
                EvaluationResult(
                    unit_id=uid, period=period.code, criteria_version=version, **fields
                )
            )
        else:
            for key, value in fields.items():
                setattr(row, key, value)
            row.computed_at = timezone.now()  # bulk_update does not apply auto_now
            changed.append(row)
    EvaluationResult.objects.bulk_create(new, batch_size=1000)
    if changed:
        EvaluationResult.objects.bulk_update(
            changed,
            [
                "input_digest",
                "met",
                "total",
                "missing_data",
                "model_standard",
                "statuses",
                "result",
                "computed_at",
            ],
            batch_size=500,
        )


def evaluate_unit_code(
    actor, unit_code: str, period_code: str, *, set_code: str | None = None
) -> dict:
    """One unit's explained result (computed now, stored), for the API, CLI and scorecard."""
    unit = OrgUnit.objects.visible_to(actor, VIEW_EVALUATION).filter(code=unit_code).first()
    if unit is None:
        raise NotFound.single(
            f"không tìm thấy đơn vị '{unit_code}'", "unit not found", field="unit"
        )
    period = parse_period_or_fail(period_code)
    engine = engine_unit(unit.pk, unit.code, period)
    if engine is None:
        raise NotFound.single(
            f"đơn vị '{unit_code}' không tồn tại trong kỳ {period.code}",
            "unit did not exist in this period",
            field="period",
        )
    version = version_for(period, set_code=set_code)
    with transaction.atomic():
        return evaluate_units([(unit.pk, engine)], period, version)[unit.pk]


def evaluate_subtree(
    *,
    actor,
    root_code: str | None,
    period_code: str,
    progress: Callable[[int, int], None] | None = None,
    chunk: int = 500,
) -> int:
    """Re-evaluate every commune-level unit under `root_code` (or the nation) for a period."""
    period = parse_period_or_fail(period_code)
    root = None
    if root_code:
        root = OrgUnit.objects.visible_to(actor, VIEW_EVALUATION).filter(code=root_code).first()
        if root is None:
            raise NotFound.single(f"không tìm thấy đơn vị '{root_code}'", "unit not found")
    version = version_for(period)
    units = [(uid, unit) for uid, _code, unit in evaluable_units(root.pk if root else None, period)]
    done = 0
    for start in range(0, len(units), chunk):
        with transaction.atomic():
            evaluate_units(units[start : start + chunk], period, version, output=False)
        done += len(units[start : start + chunk])
        if progress:
            progress(done, len(units))
    with transaction.atomic():
        record(
            actor=actor,
            event="evaluation.batch_run",
            target=root,
            unit=root,
            target_repr=root_code or "toàn quốc",
            after={"period": period.code, "units": len(units), "criteria_version": version.label},
        )
    return len(units)


def reevaluate_after_change(*, unit: OrgUnit, period: Period, indicator_codes: set[str]) -> int:
    """Re-evaluate what one changed value can change (see `reevaluate_after_changes`)."""
    return reevaluate_after_changes({unit.pk: ({period}, set(indicator_codes))})


def reevaluate_after_changes(changes: dict[int, tuple[set[Period], set[str]]]) -> int:
    """Re-evaluate at once what changed values can change; returns how many results were redone.

    `changes` maps a unit id to the periods and indicator codes written for it. The year
    containing each changed period is always evaluated for the unit. Every *stored* result of
    the unit or of its successors (whose earlier periods sum this unit's values) is refreshed
    when its evaluation reads a changed period — the period itself, a quarter or half-year
    containing a month, the next year's "previous year", the next month's "previous period" —
    and when its criteria version reads one of the changed indicators. Units sharing a period
    and version are evaluated together, so a province workbook costs one batch per period,
    not one evaluation per unit.
    """
    if not changes:
        return 0
    codes = dict(OrgUnit.objects.filter(pk__in=list(changes)).values_list("pk", "code"))
    sources: dict[int, set[int]] = {uid: {uid} for uid in changes}
    for pred, succ, succ_code in LineageLink.objects.filter(
        predecessor_id__in=list(changes)
    ).values_list("predecessor_id", "successor_id", "successor__code"):
        codes[succ] = succ_code
        sources.setdefault(succ, set()).add(pred)
    targets: dict[tuple[int, str], tuple[bool, set[str]]] = {}

    def add(uid: int, period_code: str, always: bool, indicator_codes: set[str]) -> None:
        was_always, known = targets.get((uid, period_code), (False, set()))
        targets[(uid, period_code)] = (was_always or always, known | indicator_codes)

    year_rules: dict[int, object] = {}

    def reporting_year(period: Period):
        if period.year not in year_rules:
            try:
                version = version_for(Period.of_year(period.year))
                year_rules[period.year] = cached_spec(version).reporting_year
            except NotFound:
                year_rules[period.year] = None
        return year_rules[period.year]

    for uid, (periods, indicator_codes) in changes.items():
        for period in periods:
            year_rule = reporting_year(period)
            year = year_rule.year_of_period(period) if year_rule is not None else period.year
            add(uid, str(year), True, indicator_codes)
    reads_cache: dict[str, set[str]] = {}
    for uid, stored_period in (
        EvaluationResult.objects.filter(unit_id__in=list(sources))
        .values_list("unit_id", "period")
        .distinct()
    ):
        if stored_period not in reads_cache:
            try:
                target = parse_period(stored_period)
                year_rule = reporting_year(target)
                reads_cache[stored_period] = {
                    p.code
                    for p in (
                        needed_periods(target, year_rule)
                        if year_rule is not None
                        else needed_periods(target)
                    )
                }
            except PeriodError:
                reads_cache[stored_period] = set()
        for source in sources[uid]:
            periods, indicator_codes = changes[source]
            if any(p.code in reads_cache[stored_period] for p in periods):
                add(uid, stored_period, False, indicator_codes)
    by_period: dict[str, list[tuple[int, bool, set[str]]]] = {}
    for (uid, period_code), (always, indicator_codes) in sorted(targets.items()):
        by_period.setdefault(period_code, []).append((uid, always, indicator_codes))
    redone = 0
    for period_code, rows in by_period.items():
        target = parse_period(period_code)
        try:
            version = version_for(target)
        except NotFound:
            continue
        spec = cached_spec(version)
        relevant = [
            (uid, always)
            for uid, always, indicator_codes in rows
            if any(affected_criteria(spec, code) for code in indicator_codes)
        ]
        stored = set(
            EvaluationResult.objects.filter(
                unit_id__in=[uid for uid, always in relevant if not always],
                period=period_code,
                criteria_version=version,
            ).values_list("unit_id", flat=True)
        )
        batch = []
        for uid, always in relevant:
            if not always and uid not in stored:
                continue
            engine = engine_unit(uid, codes[uid], target)
            if engine is not None:
                batch.append((uid, engine))
        if batch:
            evaluate_units(batch, target, version, output=False)
            redone += len(batch)
    return redone


@transaction.atomic
def queue_evaluation_job(*, actor, root_code: str, period_code: str):
    """Queue a background re-evaluation of a subtree (run by the db_worker), audited.

    Protects the worker from unauthorised or malformed work: the period must parse and the
    root must be within the actor's evaluation.run scope (NotFound otherwise).
    """
    from kieumau.accounts.permissions import RUN_EVALUATION
    from kieumau.accounts.scope import can_act_on_unit
    from kieumau.evaluation.models import EvaluationJob
    from kieumau.evaluation.tasks import run_evaluation_job

    parse_period_or_fail(period_code)
    root = OrgUnit.objects.filter(code=root_code).first()
    if root is None or not can_act_on_unit(actor, RUN_EVALUATION, root.pk):
        raise NotFound.single(f"không tìm thấy đơn vị '{root_code}'", "unit not found")
    job = EvaluationJob.objects.create(
        root=root, period=period_code, created_by=actor if getattr(actor, "pk", None) else None
    )
    record(
        actor=actor,
        event="evaluation.job_queued",
        target=job,
        unit=root,
        after={"period": period_code},
    )
    transaction.on_commit(lambda: run_evaluation_job.enqueue(job.pk))
    return job
