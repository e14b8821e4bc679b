"""A synthetic national unit structure at real scale, for benchmarks and load tests.

`plan_national` is pure (no database): from the real province list and the real 2025 province
merger (read from the demo reorganisation files, so both stay in step) it draws, deterministically
for a seed, ~705 districts and ~10,000 commune-level units before 2025 (~1,800 of them wards),
and on 1/7/2025 exactly 3,321 commune-level units (2,621 communes, 687 wards, 13 special zones)
in 34 provinces, each new unit merging a few old ones. `generate_national` writes that plan with
bulk inserts in one transaction — deliberately not through `apply_changes`, which validates row
by row and would take many minutes for ~25,000 events — then rebuilds the scope closure once and
writes one audit entry. Every unit it creates is flagged synthetic and carries the code prefix.
"""

import datetime as dt
import random
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import connection, transaction

from kieumau.audit.services import record
from kieumau.core.errors import ValidationFailed
from kieumau.orgunits.choices import KIND_LEVEL, EventKind, Kind
from kieumau.orgunits.closure import rebuild_closure
from kieumau.orgunits.models import (
    LineageEvent,
    LineageLink,
    OrgUnit,
    OrgUnitVersion,
    Reorganisation,
)

DEMO_DIR = Path(__file__).resolve().parent / "data" / "demo"
START = dt.date(2020, 1, 1)
POLICE_DISTRICTS_END = dt.date(2025, 3, 1)
REORG_DATE = dt.date(2025, 7, 1)
DEFAULT_PREFIX = "S-"
BATCH_SIZE = 2000
TARGET_DISTRICTS = 705  # district-level units before 2025 (DOMAIN.md §5: 694 district police)

# Commune-level units of each of the 34 provinces from 1/7/2025: (wards, communes, special zones),
# keyed by the surviving province's GSO code. Totals: 687 + 2,621 + 13 = 3,321 (DOMAIN.md §5).
# Per-province figures follow the published 2025 resolutions as far as we know them; only the
# national totals are checked (tests) and relied upon.
NEW_COUNTS: dict[str, tuple[int, int, int]] = {
    "01": (51, 75, 0),
    "04": (3, 53, 0),
    "08": (7, 117, 0),
    "10": (10, 89, 0),
    "11": (3, 42, 0),
    "12": (2, 36, 0),
    "14": (8, 67, 0),
    "19": (15, 77, 0),
    "20": (4, 61, 0),
    "22": (30, 22, 2),
    "25": (15, 133, 0),
    "27": (33, 66, 0),
    "31": (45, 67, 2),
    "33": (11, 93, 0),
    "37": (32, 97, 0),
    "38": (19, 147, 0),
    "40": (11, 119, 0),
    "42": (9, 60, 0),
    "45": (8, 69, 1),
    "46": (21, 19, 0),
    "48": (23, 70, 1),
    "51": (9, 86, 1),
    "56": (16, 48, 1),
    "64": (25, 110, 0),
    "66": (14, 88, 0),
    "68": (20, 103, 1),
    "72": (14, 82, 0),
    "75": (23, 72, 0),
    "79": (113, 54, 1),
    "86": (19, 105, 0),
    "87": (20, 82, 0),
    "89": (14, 85, 3),
    "92": (31, 72, 0),
    "96": (9, 55, 0),
}

# The 13 special zones (đặc khu) of 2025 are real; their names are used as is.
SPECIAL_ZONES: dict[str, tuple[str, ...]] = {
    "22": ("Vân Đồn", "Cô Tô"),
    "31": ("Cát Hải", "Bạch Long Vĩ"),
    "45": ("Cồn Cỏ",),
    "48": ("Hoàng Sa",),
    "51": ("Lý Sơn",),
    "56": ("Trường Sa",),
    "68": ("Phú Quý",),
    "79": ("Côn Đảo",),
    "89": ("Phú Quốc", "Kiên Hải", "Thổ Châu"),
}

# fmt: off
_SYLLABLES = (
    "An", "Bình", "Châu", "Chính", "Cường", "Đông", "Đức", "Giang", "Hà", "Hải", "Hòa", "Hồng",
    "Hưng", "Hương", "Khánh", "Lạc", "Lâm", "Lộc", "Long", "Lợi", "Minh", "Mỹ", "Nam", "Nghĩa",
    "Ngọc", "Nhân", "Phong", "Phú", "Phúc", "Phước", "Quang", "Sơn", "Tân", "Thạnh", "Thành",
    "Thắng", "Thịnh", "Thuận", "Thượng", "Tiến", "Trung", "Trường", "Vĩnh", "Xuân", "Yên",
)
# fmt: on

_KIND_PREFIX = {
    Kind.WARD: "Phường",
    Kind.COMMUNE: "Xã",
    Kind.TOWNSHIP: "Thị trấn",
    Kind.SPECIAL_ZONE: "Đặc khu",
    Kind.URBAN_DISTRICT: "Quận",
    Kind.PROVINCIAL_CITY: "Thành phố",
    Kind.TOWN: "Thị xã",
    Kind.RURAL_DISTRICT: "Huyện",
}

_PROVINCE_CODE = re.compile(r"^P(\d\d)$")


@dataclass(frozen=True)
class RealProvince:
    """A province before 1/7/2025: GSO code, name and kind."""

    gso: str
    name: str
    kind: str


@dataclass(frozen=True)
class RealProvinces:
    """The 63 provinces before 1/7/2025 and the 23 absorbing merges of NQ 202/2025/QH15."""

    provinces: tuple[RealProvince, ...]
    merges: dict[str, tuple[str, ...]]  # surviving GSO code -> absorbed GSO codes

    def survivor_of(self, gso: str) -> str:
        """The GSO code of the province that `gso` belongs to from 1/7/2025."""
        for keep, absorbed in self.merges.items():
            if gso in absorbed:
                return keep
        return gso


def real_provinces(demo_dir: Path = DEMO_DIR) -> RealProvinces:
    """Read the real province list and 2025 merger from the demo reorganisation files.

    Keeps one source of truth: the synthetic structure merges exactly the provinces the demo
    data merges, so benchmarks exercise the same 63 → 34 shape users will see.
    """
    provinces = []
    merges: dict[str, tuple[str, ...]] = {}
    for path in sorted(demo_dir.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for row in doc.get("changes", []):
            match = _PROVINCE_CODE.match(str(row.get("code", "")))
            if not match:
                continue
            if row.get("action") == "create" and row.get("kind") in (
                Kind.PROVINCE,
                Kind.CENTRAL_CITY,
            ):
                provinces.append(RealProvince(match.group(1), row["name"], row["kind"]))
            elif row.get("action") == "merge":
                merges[match.group(1)] = tuple(
                    _PROVINCE_CODE.match(code).group(1) for code in row.get("from", [])
                )
    return RealProvinces(tuple(sorted(provinces, key=lambda p: p.gso)), merges)


# -- the plan (pure) ---------------------------------------------------------------------------


@dataclass
class PlannedUnit:
    """One unit of the plan, identified by its code until it is inserted."""

    code: str
    name: str
    kind: str
    province: str  # GSO code of the (old or surviving) province it belongs to
    district: str | None = None  # district code, for old commune-level units
    successor: str | None = None  # new unit code, for old commune-level units


@dataclass
class Plan:
    """Everything to insert, by code. Deterministic for (seed, scale, prefix)."""

    prefix: str
    nation: PlannedUnit
    provinces: list[PlannedUnit]
    merges: dict[str, tuple[str, ...]]  # surviving province code -> absorbed province codes
    districts: list[PlannedUnit] = field(default_factory=list)
    old_units: list[PlannedUnit] = field(default_factory=list)
    new_units: list[PlannedUnit] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Unit counts by period and kind: what the command prints and the audit entry keeps."""
        old = Counter(u.kind for u in self.old_units)
        new = Counter(u.kind for u in self.new_units)
        absorbed = sum(len(v) for v in self.merges.values())
        return {
            "provinces_before": len(self.provinces),
            "provinces_after": len(self.provinces) - absorbed,
            "districts": len(self.districts),
            "communes_before": len(self.old_units),
            "wards_before": old[Kind.WARD],
            "townships_before": old[Kind.TOWNSHIP],
            "communes_kind_before": old[Kind.COMMUNE],
            "communes_after": len(self.new_units),
            "wards_after": new[Kind.WARD],
            "communes_kind_after": new[Kind.COMMUNE],
            "special_zones_after": new[Kind.SPECIAL_ZONE],
        }


class _Names:
    """Plausible Vietnamese place names, unique within a province."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: dict[str, set[str]] = defaultdict(set)

    def draw(self, province: str) -> str:
        used = self.used[province]
        for _ in range(20):
            name = f"{self.rng.choice(_SYLLABLES)} {self.rng.choice(_SYLLABLES)}"
            if name not in used and name.split()[0] != name.split()[1]:
                used.add(name)
                return name
        name = f"{self.rng.choice(_SYLLABLES)} {len(used) + 1}"
        used.add(name)
        return name


def _scaled(count: int, scale: float, minimum: int) -> int:
    if scale >= 1 or count == 0:
        return count
    return max(minimum, round(count * scale))


def _predecessor_kinds(rng: random.Random, new_kind: str) -> list[str]:
    """Kinds of the old units merged into one new unit (ward ≈ 3 wards, commune ≈ 3 communes)."""
    if new_kind == Kind.SPECIAL_ZONE:
        return [Kind.TOWNSHIP] + [Kind.COMMUNE] * rng.choice((0, 1, 2))
    if new_kind == Kind.WARD:
        k = rng.choices((1, 2, 3, 4, 5), weights=(12, 28, 35, 17, 8))[0]
        return [Kind.WARD] + [
            Kind.COMMUNE if rng.random() < 0.1 else Kind.WARD for _ in range(k - 1)
        ]
    k = rng.choices((1, 2, 3, 4, 5), weights=(5, 25, 40, 22, 8))[0]
    first = Kind.TOWNSHIP if rng.random() < 0.22 else Kind.COMMUNE
    return [first] + [Kind.COMMUNE] * (k - 1)


def plan_national(*, seed: int = 1, scale: float = 1.0, prefix: str = DEFAULT_PREFIX) -> Plan:
    """Draw the synthetic structure (no database). At scale 1 the 2025 counts are exact.

    Protects benchmark comparability: the same seed always yields the same units, names and
    lineage, so timings measured on two machines or two commits describe the same data.
    """
    if not 0 < scale <= 1:
        raise ValidationFailed.single(
            "tỉ lệ (scale) phải lớn hơn 0 và không quá 1", "scale must be in (0, 1]", field="scale"
        )
    real = real_provinces()
    rng = random.Random(seed)
    names = _Names(rng)
    nation = PlannedUnit(f"{prefix}VN", "Việt Nam (dữ liệu tổng hợp)", Kind.NATION, "")
    provinces = [
        PlannedUnit(f"{prefix}P{p.gso}", f"{p.name} (tổng hợp)", p.kind, p.gso)
        for p in real.provinces
    ]
    kind_of_province = {p.gso: p.kind for p in real.provinces}
    plan = Plan(
        prefix=prefix,
        nation=nation,
        provinces=provinces,
        merges={
            f"{prefix}P{keep}": tuple(f"{prefix}P{a}" for a in absorbed)
            for keep, absorbed in real.merges.items()
        },
    )
    old_by_province: dict[str, list[PlannedUnit]] = defaultdict(list)
    for survivor in sorted(NEW_COUNTS):
        wards, communes, zones = NEW_COUNTS[survivor]
        group = [survivor, *real.merges.get(survivor, ())]
        weights = [1.5] + [1.0] * (len(group) - 1)
        kinds = (
            [Kind.WARD] * _scaled(wards, scale, 1)
            + [Kind.COMMUNE] * _scaled(communes, scale, 1)
            + [Kind.SPECIAL_ZONE] * _scaled(zones, scale, 0)
        )
        zone_names = list(SPECIAL_ZONES.get(survivor, ()))
        for index, kind in enumerate(kinds, start=1):
            if kind == Kind.SPECIAL_ZONE and zone_names:
                base = zone_names.pop(0)
                names.used[survivor].add(base)
            else:
                base = names.draw(survivor)
            new = PlannedUnit(
                f"{prefix}P{survivor}-N{index:03d}",
                f"{_KIND_PREFIX[kind]} {base}",
                kind,
                survivor,
            )
            plan.new_units.append(new)
            old_province = rng.choices(group, weights=weights)[0]
            for old_kind in _predecessor_kinds(rng, kind):
                old_by_province[old_province].append(
                    PlannedUnit(
                        "",
                        f"{_KIND_PREFIX[old_kind]} {names.draw(old_province)}",
                        old_kind,
                        old_province,
                        successor=new.code,
                    )
                )
    _place_in_districts(plan, old_by_province, kind_of_province, names, scale)
    return plan


def _place_in_districts(plan, old_by_province, kind_of_province, names, scale) -> None:
    """Number the old units and group them into districts (~14 units each, 705 in all)."""
    total_old = sum(len(v) for v in old_by_province.values())
    target = max(len(old_by_province), round(TARGET_DISTRICTS * scale))
    share = {gso: max(1, len(units) * target / total_old) for gso, units in old_by_province.items()}
    counts = {gso: int(s) for gso, s in share.items()}
    # Largest remainders to hit the target exactly (when every province can take one more).
    for gso in sorted(share, key=lambda g: (share[g] - counts[g], g), reverse=True):
        if sum(counts.values()) >= target:
            break
        counts[gso] += 1
    for gso in sorted(old_by_province):
        units = old_by_province[gso]
        # Wards first so that urban districts hold wards and rural ones communes, as in reality.
        units.sort(key=lambda u: (u.kind != Kind.WARD, u.successor))
        n_districts = min(counts[gso], len(units))
        size = len(units) / n_districts
        central = kind_of_province[gso] == Kind.CENTRAL_CITY
        for d in range(n_districts):
            chunk = units[round(d * size) : round((d + 1) * size)]
            if any(u.kind == Kind.WARD for u in chunk):
                if central:
                    kind = Kind.URBAN_DISTRICT
                else:
                    kind = Kind.PROVINCIAL_CITY if d == 0 else Kind.TOWN
            else:
                kind = Kind.RURAL_DISTRICT
            district = PlannedUnit(
                f"{plan.prefix}P{gso}-H{d + 1:02d}",
                f"{_KIND_PREFIX[kind]} {names.draw(gso)}",
                kind,
                gso,
            )
            plan.districts.append(district)
            for unit in chunk:
                unit.district = district.code
        for index, unit in enumerate(units, start=1):
            unit.code = f"{plan.prefix}P{gso}-X{index:04d}"
            plan.old_units.append(unit)


# -- writing it -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SynthResult:
    """What `generate_national` wrote, and how long it took."""

    prefix: str
    seed: int
    scale: float
    counts: dict[str, int]
    seconds: float


def _refuse_existing(prefix: str) -> None:
    if not prefix.strip():
        raise ValidationFailed.single(
            "cần tiền tố mã (--prefix) không rỗng để không trùng với đơn vị thật",
            "a non-empty prefix is required",
            field="prefix",
        )
    if OrgUnit.objects.filter(code__startswith=prefix).exists():
        raise ValidationFailed.single(
            f"đã có đơn vị với tiền tố mã '{prefix}'; hãy dùng tiền tố khác (--prefix) hoặc cơ sở "
            "dữ liệu khác — dữ liệu tổng hợp không được ghi đè",
            f"units with prefix '{prefix}' already exist",
            field="prefix",
        )


def generate_national(
    *, actor, seed: int = 1, scale: float = 1.0, prefix: str = DEFAULT_PREFIX
) -> SynthResult:
    """Write a synthetic national structure in one transaction (all or nothing).

    Protects real data: every unit is flagged synthetic and carries `prefix`; an existing prefix
    is refused rather than extended or overwritten. Lineage is complete (every old commune-level
    unit has exactly one successor) so history, scope and "previous year" rules can be measured
    on it. The scope closure is rebuilt once and the run is audited with its counts.
    """
    started = time.perf_counter()
    if not connection.features.can_return_rows_from_bulk_insert:  # pragma: no cover
        raise ValidationFailed.single(
            "cơ sở dữ liệu không hỗ trợ chèn hàng loạt có trả về khóa (cần SQLite ≥ 3.35 hoặc "
            "PostgreSQL)",
            "bulk insert must return primary keys",
        )
    plan = plan_national(seed=seed, scale=scale, prefix=prefix)
    with transaction.atomic():
        _refuse_existing(prefix)
        reorg = Reorganisation.objects.create(
            name=f"Dữ liệu tổng hợp quy mô quốc gia (tiền tố {prefix}, seed {seed})"[:200],
            effective_date=REORG_DATE,
            legal_basis="Dữ liệu tổng hợp (kieumau synth)",
            applied_by=actor if getattr(actor, "pk", None) else None,
        )
        counts = _write(plan, reorg)
        counts["closure_rows"] = rebuild_closure()
        reorg.summary = {"synthetic": True, "seed": seed, "scale": scale, **counts}
        reorg.save(update_fields=["summary"])
        record(
            actor=actor,
            event="orgunits.synth_generated",
            target=reorg,
            after={"prefix": prefix, "seed": seed, "scale": scale, **counts},
            note="Dữ liệu tổng hợp cho đo hiệu năng; mọi đơn vị có cờ synthetic.",
        )
    return SynthResult(prefix, seed, scale, counts, time.perf_counter() - started)


def _write(plan: Plan, reorg: Reorganisation) -> dict[str, int]:
    note = "Dữ liệu tổng hợp (kieumau synth), không phải đơn vị thật."
    all_units = [plan.nation, *plan.provinces, *plan.districts, *plan.old_units, *plan.new_units]
    created = OrgUnit.objects.bulk_create(
        [OrgUnit(code=u.code, is_synthetic=True, note=note) for u in all_units],
        batch_size=BATCH_SIZE,
    )
    pk = {unit.code: unit.pk for unit in created}
    absorbed = {code for codes in plan.merges.values() for code in codes}
    province_of = {p.province: p.code for p in plan.provinces}

    events: list[LineageEvent] = []

    def event(kind: str, code: str, day: dt.date, legal_basis: str = "") -> LineageEvent:
        item = LineageEvent(
            kind=kind,
            unit_id=pk[code],
            effective_date=day,
            legal_basis=legal_basis,
            note="Dữ liệu tổng hợp",
            is_synthetic=True,
            reorganisation=reorg,
        )
        events.append(item)
        return item

    created_ev = {
        u.code: event(EventKind.CREATE, u.code, START)
        for u in [plan.nation, *plan.provinces, *plan.districts, *plan.old_units]
    }
    reparent_ev = {
        u.code: event(EventKind.REPARENT, u.code, POLICE_DISTRICTS_END) for u in plan.old_units
    }
    for d in plan.districts:
        event(EventKind.DISSOLVE, d.code, POLICE_DISTRICTS_END)
    merge_ev = {
        code: event(EventKind.MERGE, code, REORG_DATE, "Nghị quyết 202/2025/QH15")
        for code in plan.merges
    }
    new_ev = {u.code: event(EventKind.MERGE, u.code, REORG_DATE) for u in plan.new_units}
    LineageEvent.objects.bulk_create(events, batch_size=BATCH_SIZE)

    versions: list[OrgUnitVersion] = []

    def version(unit: PlannedUnit, parent: str | None, start, end, ev: LineageEvent):
        versions.append(
            OrgUnitVersion(
                unit_id=pk[unit.code],
                name=unit.name,
                kind=unit.kind,
                level=KIND_LEVEL[unit.kind],
                parent_id=pk[parent] if parent else None,
                valid_from=start,
                valid_to=end,
                event_id=ev.pk,
            )
        )

    version(plan.nation, None, START, None, created_ev[plan.nation.code])
    for p in plan.provinces:
        end = REORG_DATE if p.code in absorbed else None
        version(p, plan.nation.code, START, end, created_ev[p.code])
    for d in plan.districts:
        version(d, province_of[d.province], START, POLICE_DISTRICTS_END, created_ev[d.code])
    for u in plan.old_units:
        version(u, u.district, START, POLICE_DISTRICTS_END, created_ev[u.code])
        province = province_of[u.province]
        version(u, province, POLICE_DISTRICTS_END, REORG_DATE, reparent_ev[u.code])
    for u in plan.new_units:
        version(u, province_of[u.province], REORG_DATE, None, new_ev[u.code])
    OrgUnitVersion.objects.bulk_create(versions, batch_size=BATCH_SIZE)

    links = [
        LineageLink(event_id=merge_ev[keep].pk, predecessor_id=pk[a], successor_id=pk[keep])
        for keep, codes in plan.merges.items()
        for a in codes
    ] + [
        LineageLink(
            event_id=new_ev[u.successor].pk, predecessor_id=pk[u.code], successor_id=pk[u.successor]
        )
        for u in plan.old_units
    ]
    LineageLink.objects.bulk_create(links, batch_size=BATCH_SIZE)
    return {
        **plan.counts(),
        "units": len(created),
        "versions": len(versions),
        "events": len(events),
        "links": len(links),
    }
