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
    """Re-evaluate at once what a changed value can change; returns how many results were redone.

    The year containing the value is always evaluated for the unit. Every *stored* result of the
    unit or of its successors (whose earlier periods sum this unit's values) is refreshed when
    its evaluation reads the changed period — the period itself, a quarter or half-year
    containing a month, the next year's "previous year", the next month's "previous period" —
    and when its criteria version reads one of the changed indicators.
    """
    successors = list(
        LineageLink.objects.filter(predecessor=unit).values_list("successor_id", "successor__code")
    )
    codes = {unit.pk: unit.code, **dict(successors)}
    targets: dict[tuple[int, str], bool] = {(unit.pk, str(period.year)): True}
    for uid, stored_period in (
        EvaluationResult.objects.filter(unit_id__in=list(codes))
        .values_list("unit_id", "period")
        .distinct()
    ):
        try:
            reads = {p.code for p in needed_periods(parse_period(stored_period))}
        except PeriodError:
            continue
        if period.code in reads:
            targets.setdefault((uid, stored_period), False)
    redone = 0
    for (uid, period_code), always in sorted(targets.items()):
        target = parse_period(period_code)
        try:
            version = version_for(target)
        except NotFound:
            continue
        if not any(affected_criteria(cached_spec(version), code) for code in indicator_codes):
            continue
        engine = engine_unit(uid, codes[uid], target)
        if engine is None:
            continue
        if (
            not always
            and not EvaluationResult.objects.filter(
                unit_id=uid, period=period_code, criteria_version=version
            ).exists()
        ):
            continue
        evaluate_units([(uid, engine)], target, version)
        redone += 1
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
