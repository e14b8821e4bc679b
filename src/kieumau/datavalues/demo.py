"""Demo values 2021–2025 for every demo commune-level unit, reproducing what the seeds publish.

Published facts reproduced (DOMAIN.md §3, seeds 001 and 004):
- Hưng Yên 2022, the 14 wards of Thành phố Hưng Yên and Thị xã Mỹ Hào: the real station land
  areas (3.1 met by exactly An Tảo, Lam Sơn, Hiến Nam, Hồng Châu; Mỹ Hào's wards have no land or
  headquarters of their own yet), group 1 passed by 5 of the 14, and the distribution 1 ward at
  21/22, 4 at 20, 5 at 19, 4 at 18;
- Nghệ An 2023: the 16 wards of Vinh at 21/22, missing only criterion 1.1;
- Lạng Sơn 2022: the 5 wards of the city between 15 and 18 of 22.
Which ward misses which other criterion is not published: those choices, and every other value,
are plausible inventions, stored with `is_synthetic=True`. The values themselves are built from
one baseline meeting every criterion, multiplied by a whole number per unit (so every ratio rule
keeps its outcome), and then broken exactly where a unit must fail — and checked with the
engine before anything is stored.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from kieumau.audit.services import record
from kieumau.core.actors import SystemActor
from kieumau.criteria.models import Indicator
from kieumau.criteria.samples import BASE_CURRENT, BASE_PREVIOUS
from kieumau.datavalues.models import DataValue
from kieumau.engine import NOT_APPLICABLE, Period, Readings, Unit, VersionSpec, evaluate_unit
from kieumau.orgunits.choices import COMMUNE_LEVEL_KINDS
from kieumau.orgunits.models import LineageLink, OrgUnitVersion
from kieumau.orgunits.querysets import active_on_q

DEMO = SystemActor("demo")
YEARS = (2022, 2023, 2024, 2025)

# Counts that scale with the size of a unit; everything else (ratings, yes/no, percentages,
# zero-tolerance counts, land, headcount) stays as it is.
SCALED = {
    k
    for k, v in BASE_CURRENT.items()
    if isinstance(v, int)
    and not isinstance(v, bool)
    and v > 0
    and k
    not in {
        "progress_hearings_held",
        "police_headcount",
        "police_headcount_quota",
        "security_land_sites",
        "security_land_area",
        "equipment_norm_pct",
        "self_management_models",
        "skilful_mobilisation_models",
    }
}

Values = dict[str, object]
# How to make each criterion fail, given the unit's current and previous-year values.
FAIL: dict[str, Callable[[Values, Values], None]] = {
    "1.1": lambda c, p: c.update(party_committee_rating="Hoàn thành tốt nhiệm vụ"),
    "1.2": lambda c, p: c.update(security_resolution_issued=False),
    "2.1": lambda c, p: c.update(police_party_cell_exemplary=False),
    "2.2": lambda c, p: c.update(officers_disciplined=1),
    "2.3": lambda c, p: c.update(police_headcount=c["police_headcount_quota"] - 1),
    "3.1": lambda c, p: c.update(security_land_area=390),
    "3.2": lambda c, p: c.update(own_headquarters=False, headquarters_standard_design=False),
    "3.3": lambda c, p: c.update(equipment_norm_pct=85),
    "4.1": lambda c, p: c.update(
        population_discrepancies_fixed=c["population_discrepancies_found"] - 1
    ),
    "4.2": lambda c, p: c.update(weapons_managed=c["weapons_to_manage"] - 1),
    "4.3": lambda c, p: c.update(serious_traffic_accidents=1),
    "5.1": lambda c, p: c.update(crime_reports_handled_on_time=c["crime_reports_received"] - 1),
    "5.2": lambda c, p: c.update(reoffenders=c["supervised_persons"] // 40),
    "5.3": lambda c, p: c.update(drug_users=p["drug_users"]),
    "5.4": lambda c, p: c.update(crime_social_order=p["crime_social_order"]),
    "6.1": lambda c, p: c.update(self_management_models=1),
    "6.2": lambda c, p: c.update(safe_units_recognised=c["safe_units_assessed"] * 8 // 10),
    "6.3": lambda c, p: c.update(cultured_families=c["families"] * 85 // 100),
    "6.4": lambda c, p: c.update(groups_with_street_guards=c["residential_groups"] - 1),
    "7.1": lambda c, p: c.update(dossiers_early=c["dossiers_settled"] // 20),
    "7.2": lambda c, p: c.update(justified_conduct_complaints=1),
    "7.3": lambda c, p: c.update(satisfaction_rate=85.0),
}

# Hưng Yên 2022 (seed 001): code → (land area m² or None for no land yet, failing criteria).
HUNG_YEN_2022: dict[str, tuple[float | None, tuple[str, ...]]] = {
    "P33-ANTAO": (2160, ("6.1",)),
    "P33-LAMSON": (821.6, ("3.2", "6.1")),
    "P33-HIENNAM": (1500, ("6.1", "7.1")),
    "P33-HONGCHAU": (1000, ("3.3", "6.1")),
    "P33-LELOI": (390, ("3.1", "6.1")),
    "P33-QUANGTRUNG": (155.6, ("1.1", "3.1", "6.1")),
    "P33-MINHKHAI": (146, ("1.1", "3.1", "7.1")),
    "P33-PHUNGCHIKIEN": (None, ("1.1", "3.1", "3.2")),
    "P33-BANYENNHAN": (None, ("1.1", "3.1", "3.2")),
    "P33-MINHDUC": (None, ("1.1", "3.1", "3.2")),
    "P33-DISU": (None, ("1.1", "3.1", "3.2", "6.1")),
    "P33-NHANHOA": (None, ("1.1", "3.1", "3.2", "6.1")),
    "P33-BACHSAM": (None, ("1.1", "3.1", "3.2", "7.1")),
    "P33-PHANDINHPHUNG": (None, ("1.1", "3.1", "3.2", "6.3")),
}
# The real land areas also hold in later years until a unit ends.
HUNG_YEN_LAND = {code: land for code, (land, _fails) in HUNG_YEN_2022.items()}
LANG_SON_2022: dict[str, tuple[str, ...]] = {
    "P20-CHILANG": ("1.1", "3.2", "6.1", "7.1"),
    "P20-DONGKINH": ("1.1", "3.1", "3.2", "6.1", "7.3"),
    "P20-HOANGVANTHU": ("1.1", "3.1", "3.2", "6.1", "6.3", "7.1"),
    "P20-TAMTHANH": ("1.1", "2.3", "3.1", "3.2", "6.1", "6.3", "7.1"),
    "P20-VINHTRAI": ("1.1", "3.1", "3.3", "6.1", "6.4", "7.1"),
}
OPTIONAL_FAILS = ("3.2", "3.3", "6.1", "6.3", "6.4", "7.1", "7.3", "2.3", "4.1", "5.4")


@dataclass(frozen=True)
class DemoUnit:
    unit_id: int
    code: str
    kind: str
    predecessors: int


def _units_in(year: int) -> list[DemoUnit]:
    """Demo commune-level units in force on 31/12 of `year` (not the synthetic S- structure)."""
    day = Period.of_year(year).end
    rows = (
        OrgUnitVersion.objects.filter(active_on_q(day), kind__in=COMMUNE_LEVEL_KINDS)
        .exclude(unit__code__startswith="S-")
        .values_list("unit_id", "unit__code", "kind")
    )
    preds: dict[int, int] = {}
    for succ in LineageLink.objects.values_list("successor_id", flat=True):
        preds[succ] = preds.get(succ, 0) + 1
    return [DemoUnit(uid, code, kind, preds.get(uid, 0)) for uid, code, kind in rows]


def _vinh_pilots() -> set[str]:
    """Nghệ An's 16 pilot wards of 2023: the wards of Vinh in force then."""
    day = Period.of_year(2023).end
    codes = OrgUnitVersion.objects.filter(
        active_on_q(day), kind="ward", parent__code="P40-TPVINH"
    ).values_list("unit__code", flat=True)
    return set(sorted(codes)[:16])


def planned_failures(code: str, year: int, rng: random.Random, pilots: set[str]) -> tuple[str, ...]:
    """Which criteria the unit fails in `year`: the seeds' facts first, then plausible draws."""
    if year == 2022 and code in HUNG_YEN_2022:
        return HUNG_YEN_2022[code][1]
    if year == 2022 and code in LANG_SON_2022:
        return LANG_SON_2022[code]
    if year == 2023 and code in pilots:
        return ("1.1",)
    if code == "P56-VINHNGUYEN" and year >= 2023:
        return ()
    improvement = year - 2021
    count = max(0, min(6, int(rng.gauss(4.5 - improvement, 1.3))))
    if year == 2023 and code.startswith("P40-"):
        count = max(count, 2)  # only the 16 registered wards reached 21/22 that year
    drawn = set(rng.sample(("1.1", *OPTIONAL_FAILS), count))
    if code in HUNG_YEN_LAND and (HUNG_YEN_LAND[code] or 0) < 500:
        drawn.add("3.1")  # the real shortfall of land lasts until the unit ends
        if HUNG_YEN_LAND[code] is None:
            drawn.add("3.2")
    return tuple(sorted(drawn))


def next_year_trend(previous: Values) -> Values:
    """Last year's "vs previous year" figures moved the way a unit meeting 5.3 and 5.4 moves."""
    return {
        "drug_users": int(previous["drug_users"] * 0.8),
        "fugitives_caught": -(-previous["fugitives_caught"] * 5 // 4),
        "crime_social_order": int(previous["crime_social_order"] * 0.9),
        "env_food_cases": int(previous["env_food_cases"] * 0.4),
    }


def unit_values(
    code: str, scale: int, fails: tuple[str, ...], land: float | None, previous: Values
) -> Values:
    """This year's values of a unit that fails exactly `fails`, given last year's figures."""
    current = {k: (v * scale if k in SCALED else v) for k, v in BASE_CURRENT.items()}
    current.update(next_year_trend(previous))
    if land is not None:
        current["security_land_area"] = land
    for criterion in fails:
        FAIL[criterion](current, previous)
    if land is None and code in HUNG_YEN_LAND:
        current["security_land_area"] = 0
        current["own_headquarters"] = False
        current["headquarters_standard_design"] = False
    return current


def check(
    spec: VersionSpec, unit: Unit, year: int, current: Values, previous: Values, fails
) -> None:
    """Refuse to store demo values whose evaluation is not exactly the planned one."""
    result = evaluate_unit(
        spec, unit, str(year), Readings.from_periods({str(year): current, str(year - 1): previous})
    )
    failing = {c.code for c in result.criteria if c.status not in ("met", NOT_APPLICABLE)}
    if failing != set(fails):
        raise AssertionError(
            f"demo values of {unit.code} {year}: planned {sorted(fails)}, got {sorted(failing)}"
        )


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def _rows(
    unit_id: int, year: int, values: Values, spec: VersionSpec, ids: dict, rng
) -> list[DataValue]:
    rows = []
    period = Period.of_year(year)
    for code, value in values.items():
        indicator = spec.indicators_by_code[code]
        if indicator.period_type == "year":
            rows.append(
                DataValue(
                    unit_id=unit_id,
                    indicator_id=ids[code],
                    period=period.code,
                    value=value,
                    is_synthetic=True,
                )
            )
            continue
        subs = period.subperiods(indicator.period_type)
        for sub, part in zip(subs, _split(int(value), len(subs), rng), strict=True):
            rows.append(
                DataValue(
                    unit_id=unit_id,
                    indicator_id=ids[code],
                    period=sub.code,
                    value=part,
                    is_synthetic=True,
                )
            )
    return rows


def _previous(unit: DemoUnit, year: int, scale: int, stored, preds) -> tuple[Values, bool]:
    """Last year's trend figures: the unit's own, its predecessors' sum, or a new baseline."""
    own = stored.get((unit.unit_id, year - 1))
    if own is not None:
        return {k: own[k] for k in BASE_PREVIOUS}, False
    parts = [stored[(p, year - 1)] for p in preds.get(unit.unit_id, ()) if (p, year - 1) in stored]
    if parts:
        return {k: sum(part[k] for part in parts) for k in BASE_PREVIOUS}, False
    return {k: v * scale for k, v in BASE_PREVIOUS.items()}, True


@transaction.atomic
def load_demo_values(spec: VersionSpec, *, seed: int = 2022) -> int:
    """Store the demo values once (skipped when demo values exist); returns how many were stored.

    Every year's "vs previous year" figures follow from what is stored for the year before —
    the unit's own values, or after a merger its predecessors' sum — so the stored data
    evaluates exactly as planned (each unit-year is checked with the engine first).
    """
    if DataValue.objects.filter(is_synthetic=True, unit__code__startswith="P").exists():
        return 0
    rng = random.Random(seed)
    ids = dict(Indicator.objects.values_list("code", "id"))
    pilots = _vinh_pilots()
    preds: dict[int, list[int]] = {}
    for pred, succ in LineageLink.objects.values_list("predecessor_id", "successor_id"):
        preds.setdefault(succ, []).append(pred)
    scales: dict[int, int] = {}
    stored: dict[tuple[int, int], Values] = {}
    rows: list[DataValue] = []
    for year in YEARS:
        for unit in _units_in(year):
            scale = scales.setdefault(
                unit.unit_id, max(1, unit.predecessors) * rng.choice((1, 1, 2, 3))
            )
            fails = planned_failures(unit.code, year, rng, pilots)
            land = HUNG_YEN_LAND.get(unit.code, rng.choice((560, 750, 1100, 1600, 2400)))
            previous, is_new = _previous(unit, year, scale, stored, preds)
            current = unit_values(unit.code, scale, fails, land, previous)
            check(
                spec,
                Unit(unit.code, unit.kind, Period.of_year(year).end),
                year,
                current,
                previous,
                fails,
            )
            if is_new:
                stored[(unit.unit_id, year - 1)] = previous
                rows += _rows(unit.unit_id, year - 1, previous, spec, ids, rng)
            stored[(unit.unit_id, year)] = current
            rows += _rows(unit.unit_id, year, current, spec, ids, rng)
    DataValue.objects.bulk_create(rows, batch_size=2000)
    record(
        actor=DEMO, event="demo.values_loaded", after={"values": len(rows), "years": list(YEARS)}
    )
    return len(rows)


DEFAULT_CRITERIA = "criteria/data/default_22.yaml"


def load_demo_criteria_and_values() -> dict[str, int]:
    """Import the default criteria set (once), store the demo values (once), evaluate 2022–2025.

    Idempotent: a second run imports nothing, stores nothing and re-evaluates without changes.
    """
    from pathlib import Path

    from kieumau.criteria.models import CriteriaSet
    from kieumau.criteria.services import import_version, spec_of
    from kieumau.engine import load_version_yaml
    from kieumau.evaluation.services import evaluate_subtree, version_for

    text = (Path(__file__).resolve().parent.parent / DEFAULT_CRITERIA).read_text(encoding="utf-8")
    imported = 0
    if not CriteriaSet.objects.filter(code=load_version_yaml(text).set_code).exists():
        import_version(actor=DEMO, text=text)
        imported = 1
    spec = spec_of(version_for(Period.of_year(YEARS[0])))
    values = load_demo_values(spec)
    evaluated = 0
    if values:
        for year in YEARS:
            evaluated += evaluate_subtree(actor=DEMO, root_code="VN", period_code=str(year))
    return {"criteria_imported": imported, "values": values, "evaluated": evaluated}
