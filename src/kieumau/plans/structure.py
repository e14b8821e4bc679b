"""The unit structure on a date, and where units went through the lineage — for plan progress.

One query per date loads every unit in force (id, parent, level, kind, name); subtrees and
counts are then walked in memory, so a plan page costs the same number of queries whatever
the size of the province. Lineage follows merge/split links forward: a unit that ceased
is represented, on a later date, by its successors in force then.
"""

import datetime as dt
from dataclasses import dataclass

from kieumau.orgunits.choices import COMMUNE_LEVEL_KINDS, Kind
from kieumau.orgunits.models import LineageLink, OrgUnitVersion
from kieumau.plans.choices import Population


@dataclass(frozen=True)
class UnitInfo:
    unit_id: int
    code: str
    name: str
    kind: str
    level: int
    parent_id: int | None


class Structure:
    """All units in force on `day`, with their children, loaded in one query."""

    def __init__(self, day: dt.date):
        self.day = day
        self.units: dict[int, UnitInfo] = {}
        self.children: dict[int, list[int]] = {}
        for unit_id, code, name, kind, level, parent_id in (
            OrgUnitVersion.objects.active_on(day)
            .values_list("unit_id", "unit__code", "name", "kind", "level", "parent_id")
            .iterator(chunk_size=2000)
        ):
            self.units[unit_id] = UnitInfo(unit_id, code, name, kind, level, parent_id)
            self.children.setdefault(parent_id, []).append(unit_id)

    def subtree(self, root_id: int) -> list[int]:
        """`root_id` and all its descendants on the day (empty when it is not in force)."""
        if root_id not in self.units:
            return []
        out, stack = [], [root_id]
        while stack:
            uid = stack.pop()
            out.append(uid)
            stack.extend(self.children.get(uid, ()))
        return out

    def population(self, root_id: int, population: str) -> set[int]:
        """The units a plan counts under `root_id`: wards, or every commune-level unit."""
        kinds = (Kind.WARD,) if population == Population.WARDS else COMMUNE_LEVEL_KINDS
        return {u for u in self.subtree(root_id) if self.units[u].kind in kinds}

    def province_of(self, unit_id: int) -> int | None:
        """The province-level ancestor of a unit on the day (itself for a province)."""
        seen = set()
        while unit_id in self.units and unit_id not in seen:
            seen.add(unit_id)
            info = self.units[unit_id]
            if info.level == 1:
                return unit_id
            unit_id = info.parent_id
        return None


def all_links() -> list[tuple[int, int, dt.date]]:
    """Every lineage link (predecessor, successor, effective date), for many carries at once."""
    return list(
        LineageLink.objects.values_list("predecessor_id", "successor_id", "event__effective_date")
    )


def carry_forward(
    unit_ids, day: dt.date, alive: set[int], links: list | None = None
) -> dict[int, set[int]]:
    """For each unit, the units in force on `day` it became through merges and splits.

    A unit in force (`alive`) stands for itself; a unit that ceased before `day` stands for its
    successors (followed link by link, a few queries at most); a unit created after `day` or
    dissolved without successor stands for nothing.
    """
    out = {uid: {uid} if uid in alive else set() for uid in unit_ids}
    frontier = {uid: {uid} for uid in unit_ids if uid not in alive}
    for _ in range(8):
        if not frontier:
            break
        pending = set().union(*frontier.values())
        step: dict[int, set[int]] = {}
        rows = (
            [(p, s) for p, s, when in links if p in pending and when <= day]
            if links is not None
            else LineageLink.objects.filter(
                predecessor_id__in=pending, event__effective_date__lte=day
            ).values_list("predecessor_id", "successor_id")
        )
        for pred, succ in rows:
            if succ != pred:
                step.setdefault(pred, set()).add(succ)
        next_frontier = {}
        for origin, current in frontier.items():
            nxt = set()
            for uid in current:
                for succ in step.get(uid, ()):
                    if succ in alive:
                        out[origin].add(succ)
                    else:
                        nxt.add(succ)
            if nxt:
                next_frontier[origin] = nxt
        frontier = next_frontier
    return out
