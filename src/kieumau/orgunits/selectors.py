"""Reads of the unit hierarchy, always as of a date and always through the scope chokepoint."""

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from kieumau.accounts.permissions import VIEW_UNITS
from kieumau.core.errors import NotFound, ValidationFailed
from kieumau.orgunits.models import LineageEvent, LineageLink, OrgUnit, OrgUnitVersion


@dataclass(frozen=True)
class UnitRow:
    """A unit as of a date: what lists, the CLI and the API print."""

    code: str
    name: str
    kind: str
    kind_label: str
    level: int
    parent_code: str | None
    valid_from: dt.date
    valid_to: dt.date | None
    status: str
    is_synthetic: bool

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "kind": self.kind,
            "level": self.level,
            "parent_code": self.parent_code,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "status": self.status,
            "is_synthetic": self.is_synthetic,
        }


def parse_as_of(value: str | dt.date | None) -> dt.date:
    """The as-of date from a query string or CLI flag; today when absent."""
    if value in (None, ""):
        return timezone.localdate()
    if isinstance(value, dt.date):
        return value
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(str(value).strip(), fmt).date()
        except ValueError:
            continue
    raise ValidationFailed.single(
        f"ngày '{value}' không hợp lệ (dùng YYYY-MM-DD hoặc DD/MM/YYYY)",
        f"invalid date '{value}'",
        field="as_of",
    )


def row_of(version: OrgUnitVersion) -> UnitRow:
    return UnitRow(
        code=version.unit.code,
        name=version.name,
        kind=version.kind,
        kind_label=str(version.get_kind_display()),
        level=version.level,
        parent_code=version.parent.code if version.parent_id else None,
        valid_from=version.valid_from,
        valid_to=version.valid_to,
        status=version.status,
        is_synthetic=version.unit.is_synthetic,
    )


def visible_versions(actor, as_of: dt.date):
    """Versions in force on `as_of` of units the actor may see."""
    visible_units = OrgUnit.objects.visible_to(actor, VIEW_UNITS).values("pk")
    return (
        OrgUnitVersion.objects.active_on(as_of)
        .filter(unit_id__in=visible_units)
        .select_related("unit", "parent")
    )


def get_unit(actor, code: str) -> OrgUnit:
    """The unit with `code` if the actor may see it; NotFound otherwise (also when missing)."""
    unit = OrgUnit.objects.visible_to(actor, VIEW_UNITS).filter(code=code).first()
    if unit is None:
        raise NotFound.single(f"không tìm thấy đơn vị '{code}'", f"unit '{code}' not found")
    return unit


def subtree_ids(root_id: int, as_of: dt.date) -> list[int]:
    """Ids of `root_id` and all its descendants on `as_of` (one recursive query, both DBs)."""
    table = OrgUnitVersion._meta.db_table
    sql = (
        f"WITH RECURSIVE sub(unit_id) AS (SELECT CAST(%s AS BIGINT) UNION "  # noqa: S608 - table name is ours
        f"SELECT v.unit_id FROM {table} v JOIN sub ON v.parent_id = sub.unit_id "
        f"WHERE v.valid_from <= %s AND (v.valid_to IS NULL OR v.valid_to > %s)) "
        f"SELECT unit_id FROM sub"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [root_id, as_of, as_of])
        return [r[0] for r in cursor.fetchall()]


def units_as_of(
    actor, as_of: dt.date, *, under: str | None = None, level: int | None = None
) -> list[UnitRow]:
    """All units in force on `as_of` the actor may see, optionally within `under`'s subtree."""
    versions = visible_versions(actor, as_of)
    if under:
        root = get_unit(actor, under)
        versions = versions.filter(unit_id__in=subtree_ids(root.pk, as_of))
    if level is not None:
        versions = versions.filter(level=level)
    return [row_of(v) for v in versions.order_by("level", "unit__code")]


def search_units(actor, as_of: dt.date, text: str, *, limit: int = 100) -> list[UnitRow]:
    """Visible units in force on `as_of` whose name or code contains `text` (in the database)."""
    versions = visible_versions(actor, as_of).filter(
        Q(name__icontains=text) | Q(unit__code__icontains=text)
    )
    return [row_of(v) for v in versions.order_by("level", "unit__code")[:limit]]


def version_as_of(actor, code: str, as_of: dt.date) -> OrgUnitVersion | None:
    """The unit's version in force on `as_of`, or None if it did not exist then."""
    unit = get_unit(actor, code)
    return (
        OrgUnitVersion.objects.active_on(as_of)
        .filter(unit=unit)
        .select_related("unit", "parent")
        .first()
    )


@dataclass(frozen=True)
class TreeNode:
    row: UnitRow
    child_count: int


def children_as_of(actor, as_of: dt.date, parent_code: str | None) -> list[TreeNode]:
    """The visible children of a unit on `as_of` (roots when no parent), with their child counts.

    For a scoped actor with no parent given, the roots are the topmost units they can see.
    """
    versions = visible_versions(actor, as_of)
    if parent_code:
        parent = get_unit(actor, parent_code)
        level_rows = list(versions.filter(parent=parent))
    else:
        visible = list(versions.only("unit_id", "parent_id", "level"))
        ids = {v.unit_id for v in visible}
        top = [v.unit_id for v in visible if v.parent_id not in ids]
        level_rows = list(versions.filter(unit_id__in=top))
    counts: dict[int, int] = {}
    for parent_id in versions.filter(parent_id__in=[v.unit_id for v in level_rows]).values_list(
        "parent_id", flat=True
    ):
        counts[parent_id] = counts.get(parent_id, 0) + 1
    level_rows.sort(key=lambda v: (v.level, v.name))
    return [TreeNode(row_of(v), counts.get(v.unit_id, 0)) for v in level_rows]


def ancestors_as_of(actor, code: str, as_of: dt.date) -> list[UnitRow]:
    """The chain from the topmost visible ancestor down to the unit's parent on `as_of`."""
    unit = get_unit(actor, code)
    chain: list[UnitRow] = []
    visible = OrgUnit.objects.visible_to(actor, VIEW_UNITS)
    version = OrgUnitVersion.objects.active_on(as_of).filter(unit=unit).first()
    seen = {unit.pk}
    while version is not None and version.parent_id and version.parent_id not in seen:
        seen.add(version.parent_id)
        version = (
            OrgUnitVersion.objects.active_on(as_of)
            .filter(unit_id=version.parent_id)
            .select_related("unit", "parent")
            .first()
        )
        if version is None or not visible.filter(pk=version.unit_id).exists():
            break
        chain.append(row_of(version))
    return list(reversed(chain))


@dataclass(frozen=True)
class HistoryEntry:
    """One dated line of a unit's history timeline."""

    date: dt.date
    kind: str
    kind_label: str
    legal_basis: str
    legal_basis_date: dt.date | None
    note: str
    name: str | None
    parent_code: str | None
    parent_name: str | None
    predecessors: tuple[tuple[str, str], ...]
    successors: tuple[tuple[str, str], ...]
    is_synthetic: bool


@dataclass(frozen=True)
class UnitHistory:
    code: str
    is_synthetic: bool
    versions: tuple[UnitRow, ...]
    timeline: tuple[HistoryEntry, ...]
    predecessors: tuple[tuple[str, str], ...]
    successors: tuple[tuple[str, str], ...]


def _last_names(unit_ids: set[int]) -> dict[int, str]:
    """Each unit's latest name (for a unit that ended: the name it ended with)."""
    names: dict[int, str] = {}
    for unit_id, name in (
        OrgUnitVersion.objects.filter(unit_id__in=unit_ids)
        .order_by("valid_from")
        .values_list("unit_id", "name")
    ):
        names[unit_id] = name
    return names


def unit_history(actor, code: str) -> UnitHistory:
    """Everything that happened to a unit: versions, dated events, predecessors, successors."""
    unit = get_unit(actor, code)
    versions = list(unit.versions.select_related("unit", "parent").order_by("valid_from"))
    events = list(LineageEvent.objects.filter(unit=unit).order_by("effective_date", "id")) + list(
        LineageEvent.objects.filter(
            links__in=unit.successor_links.all() | unit.predecessor_links.all()
        )
        .exclude(unit=unit)
        .distinct()
        .order_by("effective_date", "id")
    )
    links = list(
        LineageLink.objects.filter(event__in=[e.pk for e in events]).select_related(
            "predecessor", "successor"
        )
    )
    unit_ids = {link.predecessor_id for link in links} | {link.successor_id for link in links}
    names = _last_names(unit_ids | {v.parent_id for v in versions if v.parent_id})
    by_event: dict[int, list[LineageLink]] = {}
    for link in links:
        by_event.setdefault(link.event_id, []).append(link)
    version_by_event = {v.event_id: v for v in versions if v.event_id}
    timeline = []
    for event in sorted(events, key=lambda e: (e.effective_date, e.pk)):
        version = version_by_event.get(event.pk)
        event_links = by_event.get(event.pk, [])
        timeline.append(
            HistoryEntry(
                date=event.effective_date,
                kind=event.kind,
                kind_label=str(event.get_kind_display()),
                legal_basis=event.legal_basis,
                legal_basis_date=event.legal_basis_date,
                note=event.note,
                name=version.name if version else None,
                parent_code=version.parent.code if version and version.parent_id else None,
                parent_name=names.get(version.parent_id) if version and version.parent_id else None,
                predecessors=tuple(
                    (link.predecessor.code, names.get(link.predecessor_id, ""))
                    for link in event_links
                    if link.successor_id == unit.pk
                ),
                successors=tuple(
                    (link.successor.code, names.get(link.successor_id, ""))
                    for link in event_links
                    if link.predecessor_id == unit.pk
                ),
                is_synthetic=event.is_synthetic,
            )
        )
    return UnitHistory(
        code=unit.code,
        is_synthetic=unit.is_synthetic,
        versions=tuple(row_of(v) for v in versions),
        timeline=tuple(timeline),
        predecessors=tuple(
            sorted(
                {
                    (link.predecessor.code, names.get(link.predecessor_id, ""))
                    for link in links
                    if link.successor_id == unit.pk
                }
            )
        ),
        successors=tuple(
            sorted(
                {
                    (link.successor.code, names.get(link.successor_id, ""))
                    for link in links
                    if link.predecessor_id == unit.pk
                }
            )
        ),
    )
