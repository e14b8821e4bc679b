"""Properties of the dated hierarchy under random valid reorganisations.

Hypothesis draws a sequence of reorganisation files (creates, renames, reparents, merges, splits,
dissolves, several per file, at increasing dates) and applies them through `apply_changes`. An
independent model of the intervals says what the hierarchy should look like on every date; the
database must agree with it on sampled as-of dates, and must be a proper tree with consistent
lineage. `compute_closure` is tested as a pure function.
"""

import datetime as dt
import itertools
from dataclasses import dataclass, replace

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kieumau.core.actors import CLI
from kieumau.core.errors import ValidationFailed
from kieumau.orgunits import selectors
from kieumau.orgunits.changes import Change
from kieumau.orgunits.choices import KIND_LEVEL
from kieumau.orgunits.closure import compute_closure
from kieumau.orgunits.models import LineageLink, OrgUnit, OrgUnitClosure, OrgUnitVersion
from kieumau.orgunits.services import apply_changes

START = dt.date(2020, 1, 1)
KINDS_BY_LEVEL = {
    level: sorted(k for k, lv in KIND_LEVEL.items() if lv == level) for level in range(5)
}


# -- the model ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Interval:
    start: dt.date
    end: dt.date | None
    name: str
    kind: str
    parent: str | None

    @property
    def level(self) -> int:
        return KIND_LEVEL[self.kind]

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


class Model:
    """What the hierarchy should be: each code's intervals, built from the requested changes."""

    def __init__(self):
        self.units: dict[str, list[Interval]] = {}
        self.links: list[tuple[str, str, dt.date]] = []  # predecessor, successor, date
        self._names = itertools.count(1)

    def new_code(self, prefix: str) -> str:
        return f"{prefix}{next(self._names)}"

    def current(self) -> dict[str, Interval]:
        return {c: ivs[-1] for c, ivs in self.units.items() if ivs[-1].end is None}

    def on(self, day: dt.date) -> dict[str, Interval]:
        result = {}
        for code, intervals in self.units.items():
            for interval in intervals:
                if interval.covers(day):
                    result[code] = interval
        return result

    def children(self, code: str) -> list[str]:
        return sorted(c for c, iv in self.current().items() if iv.parent == code)

    # updates, all on one day
    def start(self, code, day, name, kind, parent):
        self.units[code] = [Interval(day, None, name, kind, parent)]

    def change(self, code, day, **fields):
        last = self.units[code][-1]
        if last.start == day:
            self.units[code][-1] = replace(last, **fields)
        else:
            self.units[code][-1] = replace(last, end=day)
            self.units[code].append(replace(last, start=day, **fields))

    def end(self, code, day):
        self.units[code][-1] = replace(self.units[code][-1], end=day)


# -- drawing valid files -----------------------------------------------------------------------
class Step:
    """One reorganisation file: rows at one date, and the model updates they imply."""

    def __init__(self, model: Model, day: dt.date):
        self.model = model
        self.day = day
        self.rows: list[Change] = []
        self.busy: set[str] = set()
        self.updates = []

    def row(self, action, code, **fields):
        self.rows.append(
            Change(
                row=len(self.rows) + 1,
                action=action,
                code=code,
                effective_date=self.day,
                legal_basis="QĐ thử",
                **fields,
            )
        )

    def free(self, codes) -> list[str]:
        return sorted(c for c in codes if c not in self.busy)


def draw_create(data, step: Step) -> bool:
    current = step.model.current()
    parents = step.free(c for c, iv in current.items() if iv.level < 4)
    if not parents:
        return False
    parent = data.draw(st.sampled_from(parents))
    level = data.draw(st.integers(current[parent].level + 1, 4))
    kind = data.draw(st.sampled_from(KINDS_BY_LEVEL[level]))
    code = step.model.new_code("N")
    name = f"Đơn vị {code}"
    step.busy |= {parent, code}
    step.row("create", code, name=name, kind=kind, parent_code=parent)
    step.updates.append(lambda m, d: m.start(code, d, name, kind, parent))
    return True


def draw_rename(data, step: Step) -> bool:
    candidates = step.free(step.model.current())
    if not candidates:
        return False
    code = data.draw(st.sampled_from(candidates))
    name = f"Tên mới {step.model.new_code('')}"
    step.busy.add(code)
    step.row("rename", code, name=name)
    step.updates.append(lambda m, d: m.change(code, d, name=name))
    return True


def draw_reparent(data, step: Step) -> bool:
    current = step.model.current()
    options = [
        (unit, parent)
        for unit in step.free(c for c, iv in current.items() if iv.parent is not None)
        for parent in step.free(current)
        if current[parent].level < current[unit].level and parent != current[unit].parent
    ]
    if not options:
        return False
    unit, parent = data.draw(st.sampled_from(options))
    step.busy |= {unit, parent, current[unit].parent}
    step.row("reparent", unit, parent_code=parent)
    step.updates.append(lambda m, d: m.change(unit, d, parent=parent))
    return True


def draw_merge(data, step: Step) -> bool:
    current = step.model.current()
    by_level: dict[int, list[str]] = {}
    for code in step.free(c for c, iv in current.items() if iv.parent is not None):
        if not set(step.model.children(code)) & step.busy:
            by_level.setdefault(current[code].level, []).append(code)
    into_new = data.draw(st.booleans())
    if into_new:
        levels = [lv for lv, codes in by_level.items() if codes]
        if not levels:
            return False
        level = data.draw(st.sampled_from(sorted(levels)))
        pool = by_level[level]
        predecessors = data.draw(
            st.lists(st.sampled_from(pool), min_size=1, max_size=min(3, len(pool)), unique=True)
        )
        parents = [
            c for c in step.free(current) if current[c].level < level and c not in predecessors
        ]
        if not parents:
            return False
        parent = data.draw(st.sampled_from(parents))
        successor = step.model.new_code("M")
        kind = data.draw(st.sampled_from(KINDS_BY_LEVEL[level]))
        name = f"Hợp nhất {successor}"
        fields = {"name": name, "kind": kind, "parent_code": parent}
        step.busy.add(parent)
    else:
        levels = [lv for lv, codes in by_level.items() if len(codes) >= 2]
        if not levels:
            return False
        pool = by_level[data.draw(st.sampled_from(sorted(levels)))]
        successor = data.draw(st.sampled_from(pool))
        others = [c for c in pool if c != successor]
        predecessors = data.draw(
            st.lists(st.sampled_from(others), min_size=1, max_size=min(2, len(others)), unique=True)
        )
        renamed = data.draw(st.booleans())
        fields = {"name": f"Sau hợp nhất {successor}"} if renamed else {}
    moved = [child for p in predecessors for child in step.model.children(p)]
    step.busy |= {successor, *predecessors, *moved}
    step.row("merge", successor, from_codes=list(predecessors), **fields)

    def update(m: Model, d):
        if into_new:
            m.start(successor, d, fields["name"], fields["kind"], fields["parent_code"])
        elif fields:
            m.change(successor, d, name=fields["name"])
        for predecessor in predecessors:
            for child in m.children(predecessor):
                m.change(child, d, parent=successor)
            m.end(predecessor, d)
            m.links.append((predecessor, successor, d))

    step.updates.append(update)
    return True


def draw_split(data, step: Step) -> bool:
    current = step.model.current()
    candidates = [
        c
        for c in step.free(c for c, iv in current.items() if iv.parent is not None)
        if current[c].parent not in step.busy and not set(step.model.children(c)) & step.busy
    ]
    if not candidates:
        return False
    original = data.draw(st.sampled_from(candidates))
    keep = data.draw(st.booleans())
    interval = current[original]
    new_codes = [step.model.new_code("S") for _ in range(data.draw(st.integers(1, 2)))]
    children = step.model.children(original)
    step.busy |= {original, interval.parent, *new_codes, *children}
    for code in new_codes:
        step.row(
            "create",
            code,
            name=f"Tách {code}",
            kind=interval.kind,
            parent_code=interval.parent,
        )
    moved = [] if keep else children
    for child in moved:
        step.row("reparent", child, parent_code=new_codes[0])
    to_codes = [original, *new_codes] if keep else new_codes
    step.row("split", original, to_codes=to_codes)

    def update(m: Model, d):
        for code in new_codes:
            m.start(code, d, f"Tách {code}", interval.kind, interval.parent)
        for child in moved:
            m.change(child, d, parent=new_codes[0])
        for code in to_codes:
            m.links.append((original, code, d))
        if not keep:
            m.end(original, d)

    step.updates.append(update)
    return True


def draw_dissolve(data, step: Step) -> bool:
    current = step.model.current()
    leaves = [
        c
        for c in step.free(c for c, iv in current.items() if iv.parent is not None)
        if not step.model.children(c)
    ]
    if not leaves:
        return False
    code = data.draw(st.sampled_from(leaves))
    step.busy.add(code)
    step.row("dissolve", code)
    step.updates.append(lambda m, d: m.end(code, d))
    return True


OPERATIONS = {
    "create": draw_create,
    "rename": draw_rename,
    "reparent": draw_reparent,
    "merge": draw_merge,
    "split": draw_split,
    "dissolve": draw_dissolve,
}


def initial_rows(model: Model) -> list[Change]:
    """VN, two provinces, a district in each, and wards: a start with something to reorganise."""
    rows = [
        ("VN", "nation", None),
        ("P1", "province", "VN"),
        ("P2", "central_city", "VN"),
        ("D1", "rural_district", "P1"),
        ("D2", "urban_district", "P2"),
        ("W1", "commune", "D1"),
        ("W2", "ward", "D1"),
        ("W3", "ward", "D2"),
        ("W4", "township", "P2"),
        ("G1", "village", "W1"),
    ]
    changes = []
    for i, (code, kind, parent) in enumerate(rows, 1):
        name = f"Ban đầu {code}"
        model.start(code, START, name, kind, parent)
        changes.append(
            Change(
                row=i,
                action="create",
                code=code,
                effective_date=START,
                name=name,
                kind=kind,
                parent_code=parent or "",
            )
        )
    return changes


def apply_step(step: Step) -> None:
    try:
        apply_changes(actor=CLI, changes=step.rows, name=f"bước {step.day}")
    except ValidationFailed as exc:
        rows = "\n".join(f"  {c.row}: {c.action} {c.code} {c.__dict__}" for c in step.rows)
        pytest.fail(f"a valid file was refused on {step.day}: {exc.messages()}\n{rows}")
    for update in step.updates:
        update(step.model, step.day)


# -- the properties ----------------------------------------------------------------------------
def check_intervals_disjoint() -> None:
    """Each unit has at most one version covering any date."""
    for unit_id, versions in itertools.groupby(
        OrgUnitVersion.objects.order_by("unit_id", "valid_from"), key=lambda v: v.unit_id
    ):
        versions = list(versions)
        for earlier, later in itertools.pairwise(versions):
            assert earlier.valid_to is not None, f"unit {unit_id}: open version before another"
            assert earlier.valid_to <= later.valid_from, f"unit {unit_id}: overlapping versions"


def check_tree_on(day: dt.date) -> None:
    active = list(OrgUnitVersion.objects.active_on(day).select_related("unit"))
    by_unit = {}
    for version in active:
        assert version.unit_id not in by_unit, f"{version.unit.code}: two versions on {day}"
        by_unit[version.unit_id] = version
    codes = [v.unit.code for v in active]
    assert len(codes) == len(set(codes))
    roots = [v.unit.code for v in active if v.parent_id is None]
    assert roots == ["VN"], f"roots on {day}: {roots}"
    for version in active:
        if version.parent_id is None:
            continue
        parent = by_unit.get(version.parent_id)
        assert parent is not None, f"{version.unit.code} on {day}: parent not active"
        assert parent.level < version.level, f"{version.unit.code} on {day}: level not below"
        seen = {version.unit_id}
        node = parent
        while node.parent_id is not None:
            assert node.unit_id not in seen, f"cycle through {node.unit.code} on {day}"
            seen.add(node.unit_id)
            node = by_unit[node.parent_id]


def check_matches_model(model: Model, day: dt.date) -> None:
    expected = {code: (iv.name, iv.kind, iv.level, iv.parent) for code, iv in model.on(day).items()}
    actual = {
        r.code: (r.name, r.kind, r.level, r.parent_code) for r in selectors.units_as_of(CLI, day)
    }
    assert actual == expected, f"as of {day}"


def check_lineage(model: Model) -> None:
    stored = {
        (link.predecessor.code, link.successor.code, link.event.effective_date)
        for link in LineageLink.objects.select_related("predecessor", "successor", "event")
    }
    assert stored == set(model.links)
    successors_of: dict[tuple[str, dt.date], set[str]] = {}
    for predecessor, successor, day in stored:
        successors_of.setdefault((predecessor, day), set()).add(successor)
    histories = {}

    def history(code):
        if code not in histories:
            histories[code] = selectors.unit_history(CLI, code)
        return histories[code]

    for predecessor, successor, day in stored:
        active = {v.unit.code for v in OrgUnitVersion.objects.active_on(day).select_related("unit")}
        if predecessor not in successors_of[(predecessor, day)]:
            assert predecessor not in active, f"{predecessor} still active after {day}"
        assert successor in active, f"successor {successor} not active on {day}"
        assert successor in {code for code, _name in history(predecessor).successors}
        assert predecessor in {code for code, _name in history(successor).predecessors}


def check_closure() -> None:
    """Whoever may see a unit also sees its children (ever) and the predecessors of a successor."""
    pairs = set(OrgUnitClosure.objects.values_list("ancestor_id", "descendant_id"))
    for unit_id in OrgUnit.objects.values_list("id", flat=True):
        assert (unit_id, unit_id) in pairs
    for unit_id, parent_id in OrgUnitVersion.objects.filter(parent__isnull=False).values_list(
        "unit_id", "parent_id"
    ):
        assert (parent_id, unit_id) in pairs
    for predecessor, successor in LineageLink.objects.values_list("predecessor_id", "successor_id"):
        assert (successor, predecessor) in pairs


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_reorganisations_keep_a_consistent_history(db, data):
    with transaction.atomic():
        model = Model()
        apply_changes(actor=CLI, changes=initial_rows(model), name="ban đầu")
        day = START
        step_dates = []
        for _ in range(data.draw(st.integers(1, 6), label="steps")):
            day += dt.timedelta(days=data.draw(st.integers(1, 400), label="gap"))
            step = Step(model, day)
            wanted = data.draw(
                st.lists(st.sampled_from(sorted(OPERATIONS)), min_size=1, max_size=3),
                label="operations",
            )
            for name in wanted:
                if OPERATIONS[name](data, step):
                    event(f"applied {name}")
            if not step.rows:
                continue
            apply_step(step)
            step_dates.append(day)

        check_intervals_disjoint()
        boundaries = {START, *step_dates, *(d - dt.timedelta(days=1) for d in step_dates)}
        extra = data.draw(
            st.lists(st.dates(START, day + dt.timedelta(days=30)), max_size=3), label="as_of"
        )
        for as_of in sorted(boundaries | set(extra)):
            check_tree_on(as_of)
            check_matches_model(model, as_of)
        check_lineage(model)
        check_closure()
        transaction.set_rollback(True)


def test_split_successor_history_names_the_original(hierarchy):
    """The successors of a split list the split unit as predecessor (and vice versa)."""
    day = dt.date(2026, 1, 1)
    apply_changes(
        actor=CLI,
        name="tách",
        changes=[
            Change(
                row=1,
                action="create",
                code="C-W2",
                effective_date=day,
                name="Xã Hai",
                kind="commune",
                parent_code="C",
            ),
            Change(
                row=2, action="split", code="C-W1", effective_date=day, to_codes=["C-W1", "C-W2"]
            ),
        ],
    )
    assert selectors.unit_history(CLI, "C-W2").predecessors == (("C-W1", "Xã Bốn"),)
    assert selectors.unit_history(CLI, "C-W1").successors == (
        ("C-W1", "Xã Bốn"),
        ("C-W2", "Xã Hai"),
    )
    timeline = selectors.unit_history(CLI, "C-W2").timeline
    assert [(e.kind, e.predecessors) for e in timeline] == [
        ("create", ()),
        ("split", (("C-W1", "Xã Bốn"),)),
    ]
    assert selectors.version_as_of(CLI, "C-W1", day) is not None  # partial split keeps it


# -- compute_closure as a pure function --------------------------------------------------------
def test_closure_of_a_chain_includes_self_and_every_ancestor():
    pairs = compute_closure([1, 2, 3], {(2, 1), (3, 2)}, set())
    assert pairs == {(1, 1), (2, 2), (3, 3), (1, 2), (1, 3), (2, 3)}


def test_closure_follows_lineage_to_the_successor():
    # 4 merged into 1; 5 was 4's child: whoever sees 1 sees 4 and 5 (history), not the reverse.
    pairs = compute_closure([1, 4, 5], {(5, 4)}, {(4, 1)})
    assert {(1, 4), (1, 5), (4, 5)} <= pairs
    assert (4, 1) not in pairs and (5, 1) not in pairs


def test_closure_unions_parents_over_time():
    # 3 moved from parent 1 to parent 2: both keep seeing it.
    pairs = compute_closure([1, 2, 3], {(3, 1), (3, 2)}, set())
    assert {(1, 3), (2, 3)} <= pairs
    assert (1, 2) not in pairs and (2, 1) not in pairs


def test_closure_terminates_on_cycles():
    pairs = compute_closure([1, 2], {(1, 2), (2, 1)}, set())
    assert pairs == {(1, 1), (2, 2), (1, 2), (2, 1)}


def test_closure_only_for_listed_units():
    assert compute_closure([], {(2, 1)}, {(3, 1)}) == set()
    assert compute_closure([2], {(2, 1)}, set()) == {(2, 2), (1, 2)}


def _reachable(start: int, up: dict[int, set[int]]) -> set[int]:
    seen, frontier = {start}, [start]
    while frontier:
        node = frontier.pop()
        for nxt in up.get(node, ()):
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return seen


edges = st.sets(st.tuples(st.integers(0, 9), st.integers(0, 9)), max_size=25)


@given(units=st.sets(st.integers(0, 9)), parents=edges, lineage=edges)
def test_closure_is_reachability(units, parents, lineage):
    pairs = compute_closure(sorted(units), parents, lineage)
    up: dict[int, set[int]] = {}
    for child, parent in parents | lineage:
        up.setdefault(child, set()).add(parent)
    expected = {(a, u) for u in units for a in _reachable(u, up)}
    assert pairs == expected
    # Transitive over the listed units, reflexive, and never invents descendants.
    assert all((u, u) in pairs for u in units)
    assert {d for _a, d in pairs} == set(units)
    for (a, b), (c, d) in itertools.product(pairs, pairs):
        if b == c and d in units and a in units and b in units:
            assert (a, d) in pairs
