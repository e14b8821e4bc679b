"""Evaluate a criteria version for units and periods: spec + readings -> explained results.

Flow for one unit and period (see :class:`_Session`):

1. **Applicability.** A criterion whose ``applies_to`` excludes the unit's kind, or whose
   ``valid_from``/``valid_to`` does not contain the last day of the evaluated period, is
   ``not_applicable`` and is left out of the totals. A year of a version with its own reporting
   year (TT 124) ends on that year's last day (15/11), not on 31/12.
2. **Reading.** Every value an applicable rule reads is looked up once (:func:`.readings.lookup`):
   direct value, roll-up of shorter periods, or a problem ("chưa có số liệu", "giá trị ... không
   phải số nguyên", "thiếu số liệu các kỳ 2025-03"). A year rolls up the months, quarters and
   half-years of the version's reporting year (:meth:`.periods.ReportingYear.subperiods_of`), and
   the explanation of a rule reading such values names that year's dates.
3. **Missing data first.** If any value a rule reads is missing or invalid, the criterion is
   ``missing_data`` — whatever the rest of the rule says. The rule is not run (CEL would only
   raise "undefined variable"); the explanation still shows every condition it can.
4. **Rule.** Otherwise the compiled CEL program runs; its true/false is the status. A CEL error
   (e.g. ``null`` from a zero denominator compared with a threshold) or a non-boolean result
   gives ``missing_data``. If a top-level condition cannot be determined (a helper returned
   missing data) the criterion is ``missing_data`` even when CEL's ``&&`` could decide
   without it: the data is incomplete and the reviewer must see that.
5. **Explanation** (:mod:`.explain`) and totals: per group met/total, overall met/total
   (applicable criteria), ``model_standard`` = every applicable criterion met.

Nothing raised by bad readings escapes: data problems become ``missing_data`` with a reason.
Only a version with validation errors (refused by ``compile_version``) or a bad period code
raises, before any unit is evaluated.

Speed: programs are compiled once per version (cached); one ``cel.Context`` serves a whole
batch, with the functions and parameters registered once; per unit only its indicator values
are pushed into the context (``Context.update``, a fraction of a µs a value — cheaper than a
variable resolver, whose Python callback runs on every read). Which rules apply and which
values they read is worked out once per unit kind. Explanations are rendered lazily. See
``docs/criteria-format.md`` for the measured cost.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

import cel

from .digest import digest_inputs
from .errors import PeriodError
from .explain import (
    ConditionResult,
    Env,
    Explanation,
    evaluate_outcomes,
    evaluate_plan,
)
from .functions import EvaluationState, from_cel, make_functions, to_cel
from .numbers import format_quantity
from .periods import MIN_YEAR, Period, ReportingYear, is_shorter, parse_period
from .readings import Readings, as_readings, lookup
from .results import (
    MET,
    MISSING_DATA,
    NOT_APPLICABLE,
    NOT_MET,
    CriterionResult,
    GroupResult,
    Unit,
    UnitResult,
)
from .rules import CompiledRule, CompiledVersion, compile_version
from .spec import UNIT_KIND_LABELS_EN, UNIT_KIND_LABELS_VI, IndicatorSpec, VersionSpec

ReadingsLike = Readings | Mapping[Any, Mapping[str, Any]]

# Python type of an already-normal value, per indicator type (see readings.normalise).
_FAST_TYPES: dict[str, type] = {
    "integer": int,
    "decimal": float,
    "percentage": float,
    "boolean": bool,
}
_OFFSET_SUFFIX = {"current": "", "prev_year": "@prev_year", "prev_period": "@prev_period"}
_OFFSET_VI = {"current": "", "prev_year": " (năm trước)", "prev_period": " (kỳ trước)"}
_OFFSET_EN = {"current": "", "prev_year": " (a year earlier)", "prev_period": " (previous period)"}


def _read_key(code: str, offset: str) -> str:
    return code + _OFFSET_SUFFIX[offset]


def _not_applicable_reason(
    rule: CompiledRule, unit: Unit, period: Period, end: dt.date
) -> tuple[str, str]:
    """Why a criterion does not apply to ``unit`` in ``period`` (empty when it applies).

    ``end`` is the period's last day as the version counts it (a reporting year may end on
    15/11), so a criterion's validity dates are checked against the year actually assessed.
    """
    c = rule.criterion
    if c.applies_to and unit.kind not in c.applies_to:
        kinds_vi = ", ".join(UNIT_KIND_LABELS_VI[k] for k in c.applies_to)
        kinds_en = ", ".join(UNIT_KIND_LABELS_EN[k] for k in c.applies_to)
        return (
            f"Tiêu chí không áp dụng cho {UNIT_KIND_LABELS_VI[unit.kind]} (chỉ áp dụng cho: "
            f"{kinds_vi}).",
            f"The criterion does not apply to a {UNIT_KIND_LABELS_EN[unit.kind]} (applies to: "
            f"{kinds_en}).",
        )
    if c.valid_from and end < c.valid_from:
        return (
            f"Tiêu chí chỉ áp dụng từ {format_quantity(c.valid_from)}; kỳ {period.code} kết "
            f"thúc ngày {format_quantity(end)}.",
            f"The criterion applies from {c.valid_from.isoformat()}; {period.code} ends "
            f"{end.isoformat()}.",
        )
    if c.valid_to and end > c.valid_to:
        return (
            f"Tiêu chí chỉ áp dụng đến {format_quantity(c.valid_to)}; kỳ {period.code} kết "
            f"thúc ngày {format_quantity(end)}.",
            f"The criterion applies until {c.valid_to.isoformat()}; {period.code} ends "
            f"{end.isoformat()}.",
        )
    return "", ""


_OFFSETS = ("current", "prev_year", "prev_period")


class _Collected:
    """What was read for one unit: usable values per offset, problems, and digest inputs."""

    __slots__ = ("applicability", "problems", "used", "values")

    def __init__(self, applicability: list[tuple[CompiledRule, str, str]]):
        self.applicability = applicability
        # Usable (normalised) values by offset index: current, prev_year, prev_period.
        self.values: tuple[dict[str, Any], dict[str, Any], dict[str, Any]] = ({}, {}, {})
        self.problems: dict[tuple[str, str], tuple[str, str]] = {}
        self.used: list[tuple[str, str, Any]] = []


class _Session:
    """One evaluation call: a CEL context reused for every unit and criterion of the call."""

    def __init__(self, compiled: CompiledVersion):
        self.compiled = compiled
        spec = compiled.spec
        self.state = EvaluationState()
        self.functions = make_functions(self.state, {s.code: s.levels for s in spec.scales})
        self.ctx = cel.Context()
        for name, fn in self.functions.items():
            self.ctx.add_function(name, fn)
        self.ctx.add_variable("params", {p.name: p.value for p in spec.parameters})
        params = {p.name: p.value for p in spec.parameters}
        self.indicators = spec.indicators_by_code
        self.reporting_year = spec.reporting_year
        self.has_dates = any(i.value_type == "date" for i in spec.indicators)
        # Per rule: the offsets at which it reads an indicator reported more often than yearly,
        # i.e. values a reporting year other than the calendar year can change.
        self.short_offsets = {
            id(rule): frozenset(
                offset
                for code, offset in rule.reads
                if is_shorter(self.indicators[code].period_type, "year")
            )
            for rule in compiled.rules
        }
        self._notes: dict[tuple[frozenset[str], str], tuple[str, str]] = {}
        # Per rule, computed once: what it reads (code, offset index, result key, read) and
        # the thresholds it uses.
        self.read_keys = {
            id(rule): tuple(
                (code, _OFFSETS.index(offset), _read_key(code, offset), (code, offset))
                for code, offset in rule.reads
            )
            for rule in compiled.rules
        }
        self.thresholds = {
            id(rule): {name: params[name] for name in sorted(rule.analysis.parameters)}
            for rule in compiled.rules
        }
        self.param_values = {
            key: {"params." + name: value for name, value in thresholds.items()}
            for key, thresholds in self.thresholds.items()
        }
        self._plans: dict[tuple[str, str], tuple[list[Any], list[tuple[Any, ...]]]] = {}

    # -- reading -----------------------------------------------------------------------------
    def plan_for(self, kind: str, period: Period) -> tuple[list[Any], list[tuple[Any, ...]]]:
        """Applicability of every rule for a unit kind and period, and the values to read.

        Cached: in a batch every unit of the same kind shares it.
        """
        key = (kind, period.code)
        cached = self._plans.get(key)
        if cached is not None:
            return cached
        end = self.reporting_year.period_range(period)[1]
        probe = Unit("-", kind, end)
        applicability = []
        reads: dict[tuple[str, str], None] = {}
        for rule in self.compiled.rules:
            reason_vi, reason_en = _not_applicable_reason(rule, probe, period, end)
            applicability.append((rule, reason_vi, reason_en))
            if not reason_vi:
                reads.update(dict.fromkeys(rule.reads))
        targets: list[Period | None] = [period]
        for step in (Period.same_period_last_year, Period.previous):
            try:
                targets.append(step(period))
            except PeriodError:
                targets.append(None)
        infos = []
        for read in reads:
            code, offset = read
            ind = self.indicators[code]
            index = _OFFSETS.index(offset)
            target = targets[index]
            infos.append(
                (
                    read,
                    code,
                    index,
                    target,
                    target.code if target else "",
                    ind,
                    _FAST_TYPES.get(ind.value_type),
                    ind.min_value,
                    ind.max_value,
                )
            )
        plan = (applicability, infos)
        self._plans[key] = plan
        return plan

    def collect(self, unit: Unit, period: Period, readings: Readings) -> _Collected:
        """Applicability of every rule and every value the applicable rules read."""
        applicability, reads = self.plan_for(unit.kind, period)
        out = _Collected(applicability)
        values = out.values
        used = out.used
        raw_map = readings.raw
        for read, code, index, target, period_code, ind, fast, lo, hi in reads:
            if target is None:
                out.problems[read] = ("không có kỳ trước", "no earlier period")
                continue
            raw = raw_map.get((code, period_code))
            # Fast path: a direct value of exactly the expected type within its bounds.
            if (
                raw is not None
                and type(raw) is fast
                and (lo is None or raw >= lo)
                and (hi is None or raw <= hi)
                and (fast is not float or math.isfinite(raw))
            ):
                values[index][code] = raw
                used.append((code, period_code, raw))
                continue
            found = lookup(ind, target, readings, self.reporting_year)
            used.extend(found.used)
            if found.ok:
                values[index][code] = found.value
            else:
                out.problems[read] = (found.problem_vi, found.problem_en)
        return out

    # -- evaluating --------------------------------------------------------------------------
    def evaluate(self, unit: Unit, period: Period, readings: Readings) -> UnitResult:
        collected = self.collect(unit, period, readings)
        current, prev_year, prev_period = collected.values
        state = self.state
        if self.has_dates:
            state.values = _cel_values(current)
            state.prev_year = _cel_values(prev_year)
            state.prev_period = _cel_values(prev_period)
        else:
            state.values, state.prev_year, state.prev_period = current, prev_year, prev_period
        # Variables of an earlier unit may linger in the context; they are never read, because
        # a rule runs only when every indicator it reads has a usable value for *this* unit.
        self.ctx.update(state.values)
        env = Env(current, prev_year, prev_period, None, self.functions, period.period_type)

        results = []
        for rule, na_vi, na_en in collected.applicability:
            if na_vi:
                c = rule.criterion
                results.append(
                    CriterionResult(
                        c.code,
                        c.name_vi,
                        c.name_en,
                        c.group,
                        NOT_APPLICABLE,
                        {},
                        {},
                        Explanation(vi=na_vi, en=na_en),
                    )
                )
            else:
                results.append(self._criterion(rule, collected, env, period))
        return self._summarise(unit, period, results, collected.used)

    def _criterion(
        self, rule: CompiledRule, collected: _Collected, env: Env, period: Period
    ) -> CriterionResult:
        c = rule.criterion
        keys = self.read_keys[id(rule)]
        by_offset = collected.values
        values = {key: by_offset[index].get(code) for code, index, key, _ in keys}
        problems = collected.problems
        missing = [key for _, _, key, read in keys if read in problems] if problems else []
        values.update(self.param_values[id(rule)])

        error = ""
        if missing:
            status = MISSING_DATA
        else:
            if rule.parts_program is not None:
                env = replace(env, parts=self._parts(rule))
            try:
                result = rule.program.execute(self.ctx)
            except Exception as exc:  # any CEL failure here is a data problem: missing_data
                result = None
                error = str(exc).splitlines()[0][:160]
            if result is True and not rule.plan.null_sensitive:
                # CEL's && is true only when every condition is true: nothing is unknown.
                status = MET
            elif isinstance(result, bool):
                # False may hide an unknown condition absorbed by && (false && error); true may
                # hide one in "null != x" (see ExplainPlan.null_sensitive).
                unknown = any(o is None for o in evaluate_outcomes(rule.plan, env))
                status = MISSING_DATA if unknown else (MET if result else NOT_MET)
            else:
                status = MISSING_DATA
                if not error:
                    error = f"kết quả không phải đúng/sai: {result!r}"
        explanation = Explanation(
            _render,
            rule,
            env,
            status,
            missing,
            problems,
            error,
            self.indicators,
            self.period_note(rule, period),
        )
        return CriterionResult(
            c.code,
            c.name_vi,
            c.name_en,
            c.group,
            status,
            values,
            dict(self.thresholds[id(rule)]),
            explanation,
            tuple(missing),
        )

    def period_note(self, rule: CompiledRule, period: Period) -> tuple[str, str]:
        """The sentence naming the reporting year(s) a rule's rolled-up values cover, or empty.

        Protects reviewers of a TT 124 result from reading "2025" as January–December: when a
        year is evaluated under a non-calendar reporting year and the rule reads a monthly,
        quarterly or half-yearly indicator, its explanation says which dates were summed.
        """
        offsets = self.short_offsets[id(rule)]
        if not offsets or period.period_type != "year" or self.reporting_year.is_calendar:
            return "", ""
        key = (offsets, period.code)
        note = self._notes.get(key)
        if note is None:
            note = self._notes[key] = _reporting_year_note(
                self.reporting_year,
                period.year,
                earlier=bool(offsets - {"current"}) and period.year > MIN_YEAR,
            )
        return note

    def _parts(self, rule: CompiledRule) -> list[Any]:
        assert rule.parts_program is not None
        try:
            return [from_cel(v) for v in rule.parts_program.execute(self.ctx)]
        except Exception:  # one part failed: compute them one at a time
            out = []
            for source in rule.plan.parts:
                try:
                    out.append(from_cel(cel.compile(source).execute(self.ctx)))
                except Exception:  # this part cannot be computed: unknown
                    out.append(None)
            return out

    def digest(self, unit: Unit, period: Period, used: list[tuple[str, str, Any]]) -> str:
        """The input digest of one unit's evaluation."""
        spec = self.compiled.spec
        return digest_inputs(
            self.compiled.digest,
            spec.set_code,
            spec.version,
            (unit.code, unit.kind, unit.as_of),
            period.code,
            used,
        )

    def _summarise(
        self,
        unit: Unit,
        period: Period,
        results: list[CriterionResult],
        used: list[tuple[str, str, Any]],
    ) -> UnitResult:
        spec = self.compiled.spec
        counts: dict[str, dict[str, int]] = {
            g.code: {MET: 0, NOT_MET: 0, MISSING_DATA: 0, NOT_APPLICABLE: 0} for g in spec.groups
        }
        totals = {MET: 0, NOT_MET: 0, MISSING_DATA: 0, NOT_APPLICABLE: 0}
        for r in results:
            counts[r.group][r.status] += 1
            totals[r.status] += 1
        groups = []
        for g in sorted(spec.groups, key=lambda g: g.order):
            n = counts[g.code]
            groups.append(
                GroupResult(
                    code=g.code,
                    name_vi=g.name_vi,
                    name_en=g.name_en,
                    met=n[MET],
                    total=n[MET] + n[NOT_MET] + n[MISSING_DATA],
                    missing_data=n[MISSING_DATA],
                    not_applicable=n[NOT_APPLICABLE],
                )
            )
        met = totals[MET]
        total = met + totals[NOT_MET] + totals[MISSING_DATA]
        ry = self.compiled.spec.reporting_year
        own_year = period.period_type == "year" and not ry.is_calendar
        return UnitResult(
            unit=unit,
            period=period.code,
            set_code=spec.set_code,
            version=spec.version,
            criteria=tuple(results),
            groups=tuple(groups),
            met=met,
            total=total,
            missing_data=totals[MISSING_DATA],
            model_standard=total > 0 and met == total,
            input_digest=self.digest(unit, period, used),
            reporting_year_vi=ry.label_vi(period.year) if own_year else "",
            reporting_year_en=ry.label_en(period.year) if own_year else "",
        )


def _cel_values(values: dict[str, Any]) -> dict[str, Any]:
    """Values as CEL takes them (dates become UTC datetimes; everything else as is)."""
    if any(isinstance(v, dt.date) for v in values.values()):
        return {k: to_cel(v) if isinstance(v, dt.date) else v for k, v in values.items()}
    return values


def _reporting_year_note(ry: ReportingYear, year: int, *, earlier: bool) -> tuple[str, str]:
    """Vietnamese and English sentence naming reporting year ``year`` (and ``year - 1``).

    Kept apart from rendering so the dates are formatted once per batch, not per criterion.
    """
    vi = f"Số liệu tính theo {ry.label_vi(year)}"
    en = f"Figures cover the {ry.label_en(year)}"
    if earlier:
        start, end = ry.range(year - 1)
        vi += f" (năm trước: {start:%d/%m/%Y}–{end:%d/%m/%Y})"
        en += f" (a year earlier: {start.isoformat()} to {end.isoformat()})"
    return vi + ".", en + "."


def _render(
    rule: CompiledRule,
    env: Env,
    status: str,
    missing: list[str],
    problems: dict[tuple[str, str], tuple[str, str]],
    error: str,
    indicators: Mapping[str, IndicatorSpec],
    note: tuple[str, str] = ("", ""),
) -> tuple[tuple[ConditionResult, ...], str, str]:
    """Render one criterion's explanation (called lazily by :class:`Explanation`)."""
    conditions, notes_vi, notes_en = evaluate_plan(rule.plan, env)
    if missing:
        missing_vi = []
        missing_en = []
        for read in rule.reads:
            if read not in problems:
                continue
            problem_vi, problem_en = problems[read]
            code, offset = read
            ind = indicators[code]
            missing_vi.append(f"{ind.name_vi} ({code}){_OFFSET_VI[offset]}: {problem_vi}")
            missing_en.append(f"{ind.name_en or code} ({code}){_OFFSET_EN[offset]}: {problem_en}")
        notes_vi = [*missing_vi, *notes_vi]
        notes_en = [*missing_en, *notes_en]
    elif status == MISSING_DATA and not notes_vi:
        if error:
            notes_vi = [f"không tính được quy tắc ({error})"]
            notes_en = [f"the rule could not be computed ({error})"]
        else:
            notes_vi = ["không xác định được kết quả quy tắc"]
            notes_en = ["the rule result could not be determined"]
    vi, en = _explanation(conditions, status, notes_vi, notes_en)
    if note[0]:
        vi, en = f"{vi} {note[0]}", f"{en} {note[1]}"
    if status in (MET, NOT_MET) and all(cd.outcome for cd in conditions) != (status == MET):
        en += " [engine note: condition outcomes disagree with the rule result]"
    return conditions, vi, en


def _explanation(
    conditions: tuple[ConditionResult, ...], status: str, notes_vi: list[str], notes_en: list[str]
) -> tuple[str, str]:
    body_vi = "; ".join(c.text_vi for c in conditions)
    body_en = "; ".join(c.text_en for c in conditions)
    if status == MET:
        end_vi, end_en = "Kết luận: đạt.", "Conclusion: met."
    elif status == NOT_MET:
        end_vi, end_en = "Kết luận: không đạt.", "Conclusion: not met."
    else:
        end_vi = "Kết luận: thiếu số liệu, chưa đánh giá được — " + "; ".join(notes_vi) + "."
        end_en = "Conclusion: missing data, cannot be assessed — " + "; ".join(notes_en) + "."
    return f"{body_vi}. {end_vi}", f"{body_en}. {end_en}"


def _as_period(period: Period | str) -> Period:
    return parse_period(period)


def evaluate_unit(
    version: VersionSpec, unit: Unit, period: Period | str, readings: ReadingsLike
) -> UnitResult:
    """Evaluate every criterion of ``version`` for ``unit`` in ``period``.

    ``readings`` holds the unit's values for ``period`` and the earlier periods the rules read
    (see :mod:`.readings` for the contract, including mergers). Bad or missing readings never
    raise: they give ``missing_data`` with the reason. Raises :class:`~.errors.SpecError` for a
    version with validation errors and :class:`~.errors.PeriodError` for a bad period code.
    """
    compiled = compile_version(version)
    return _Session(compiled).evaluate(unit, _as_period(period), as_readings(readings))


def evaluate_many(
    version: VersionSpec, items: Iterable[tuple[Unit, ReadingsLike]], *, period: Period | str
) -> list[UnitResult]:
    """Evaluate many units for one period, compiling once and sharing one CEL context.

    This is the batch path (3,321 units × 22 criteria); results are identical to calling
    :func:`evaluate_unit` per unit.
    """
    compiled = compile_version(version)
    parsed = _as_period(period)
    session = _Session(compiled)
    return [session.evaluate(unit, parsed, as_readings(readings)) for unit, readings in items]


def input_digest(
    version: VersionSpec, unit: Unit, period: Period | str, readings: ReadingsLike
) -> str:
    """SHA-256 over exactly the inputs an evaluation reads (see :mod:`.digest`).

    Equal to ``evaluate_unit(...).input_digest``; cheaper when only the digest is needed, e.g.
    to decide whether a stored result is still current.
    """
    compiled = compile_version(version)
    parsed = _as_period(period)
    session = _Session(compiled)
    collected = session.collect(unit, parsed, as_readings(readings))
    return session.digest(unit, parsed, collected.used)
