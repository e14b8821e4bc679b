"""Rebuilding the derived scope table `OrgUnitClosure` from versions and lineage."""

from collections import defaultdict

from kieumau.orgunits.models import LineageLink, OrgUnit, OrgUnitClosure, OrgUnitVersion


def compute_closure(
    unit_ids: list[int], parent_edges: set[tuple[int, int]], lineage_edges: set[tuple[int, int]]
) -> set[tuple[int, int]]:
    """All (ancestor, descendant) pairs, self included.

    `parent_edges` are (child, parent) pairs from any version; `lineage_edges` are (predecessor,
    successor). A successor "contains" its predecessors, so whoever sees the successor also sees
    the predecessors' history. Pure function: unit-tested and property-tested.
    """
    up: dict[int, set[int]] = defaultdict(set)
    for child, parent in parent_edges:
        up[child].add(parent)
    for predecessor, successor in lineage_edges:
        up[predecessor].add(successor)
    pairs: set[tuple[int, int]] = set()
    for unit_id in unit_ids:
        seen = {unit_id}
        stack = [unit_id]
        while stack:
            node = stack.pop()
            for nxt in up.get(node, ()):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        pairs.update((ancestor, unit_id) for ancestor in seen)
    return pairs


def rebuild_closure() -> int:
    """Replace the closure table from current data; called by every structural change.

    Protects scope: a unit moved or merged becomes visible to its new ancestors at once, and its
    old ancestors keep seeing the history they held.
    """
    unit_ids = list(OrgUnit.objects.values_list("id", flat=True))
    parent_edges = set(
        OrgUnitVersion.objects.filter(parent__isnull=False).values_list("unit_id", "parent_id")
    )
    lineage_edges = set(LineageLink.objects.values_list("predecessor_id", "successor_id"))
    wanted = compute_closure(unit_ids, parent_edges, lineage_edges)
    existing = set(OrgUnitClosure.objects.values_list("ancestor_id", "descendant_id"))
    stale = existing - wanted
    if stale:
        stale_ids = list(
            OrgUnitClosure.objects.filter(descendant_id__in={d for _, d in stale}).values_list(
                "id", "ancestor_id", "descendant_id"
            )
        )
        OrgUnitClosure.objects.filter(
            id__in=[pk for pk, a, d in stale_ids if (a, d) in stale]
        ).delete()
    OrgUnitClosure.objects.bulk_create(
        [OrgUnitClosure(ancestor_id=a, descendant_id=d) for a, d in wanted - existing],
        batch_size=5000,
    )
    return len(wanted)
