"""Writes to the unit hierarchy. Every change — a single edit in the UI or a national
reorganisation file — goes through `apply_changes`: one transaction, validated row by row,
checked as a whole tree afterwards, audited per event, and rolled back entirely on any problem.
"""

import datetime as dt
import hashlib
from collections import defaultdict

from django.db import transaction
from django.db.models import Q

from kieumau.accounts.permissions import MANAGE_UNITS
from kieumau.accounts.scope import can_act_on_unit, grant_for
from kieumau.audit.services import record
from kieumau.core.errors import Problem, ValidationFailed
from kieumau.orgunits.changes import Change, ReorganisationFile, parse_file
from kieumau.orgunits.choices import KIND_LEVEL, EventKind, Status
from kieumau.orgunits.closure import rebuild_closure
from kieumau.orgunits.models import (
    LineageEvent,
    LineageLink,
    OrgUnit,
    OrgUnitVersion,
    Reorganisation,
)
from kieumau.orgunits.querysets import active_on_q


class _RowError(Exception):
    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


def _code_of(unit_id: int) -> str:
    return OrgUnit.objects.filter(pk=unit_id).values_list("code", flat=True).first() or "?"


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


class _Applier:
    """Applies changes one by one against the database inside the caller's transaction."""

    def __init__(self, reorganisation: Reorganisation, actor):
        self.reorg = reorganisation
        self.actor = actor
        self.national = grant_for(actor, MANAGE_UNITS).national
        self.touched_dates: set[dt.date] = set()
        self.ended_units: set[int] = set()
        self.events: list[LineageEvent] = []

    # -- lookups -------------------------------------------------------------------------------
    def fail(self, change: Change, message: str, message_en: str = "", field: str = "code"):
        raise _RowError(Problem(message, message_en, field=field, row=change.row))

    def unit(self, change: Change, code: str, field: str = "code") -> OrgUnit:
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None:
            self.fail(
                change, f"mã đơn vị '{code}' không tồn tại", f"unknown unit code '{code}'", field
            )
        if not self.national and not can_act_on_unit(self.actor, MANAGE_UNITS, unit.pk):
            self.fail(change, f"bạn không có quyền sửa đơn vị '{code}'", "not allowed", field)
        return unit

    def version_at(self, change: Change, unit: OrgUnit, day: dt.date, field: str = "code"):
        later = unit.versions.filter(valid_from__gt=day).order_by("valid_from").first()
        if later is not None:
            self.fail(
                change,
                f"đơn vị '{unit.code}' đã có thay đổi từ ngày {_fmt(later.valid_from)}, sau ngày hiệu "
                f"lực {_fmt(day)}: các thời kỳ sẽ chồng lấn",
                "overlapping dates",
                field,
            )
        current = unit.versions.filter(active_on_q(day)).first()
        if current is None:
            self.fail(
                change,
                f"đơn vị '{unit.code}' không còn hoạt động vào ngày {_fmt(day)}",
                f"unit '{unit.code}' is not active on {day}",
                field,
            )
        return current

    def _mine(self, version: OrgUnitVersion) -> bool:
        return version.event_id is not None and version.event.reorganisation_id == self.reorg.pk

    # -- primitive operations ------------------------------------------------------------------
    def start_version(self, unit: OrgUnit, day: dt.date, event: LineageEvent, **fields):
        """Create the unit's first version."""
        fields.setdefault("status", Status.ACTIVE)
        fields["level"] = KIND_LEVEL[fields["kind"]]
        return OrgUnitVersion.objects.create(unit=unit, valid_from=day, event=event, **fields)

    def change_version(self, change: Change, unit: OrgUnit, day: dt.date, event, **fields):
        """Close the version in force on `day` and open a new one with `fields` changed."""
        current = self.version_at(change, unit, day)
        if "kind" in fields:
            fields["level"] = KIND_LEVEL[fields["kind"]]
        if current.valid_from == day:
            if not self._mine(current):
                self.fail(
                    change,
                    f"đơn vị '{unit.code}' đã có một thay đổi khác có hiệu lực cùng ngày {_fmt(day)}",
                    "another change takes effect on the same day",
                )
            for name, value in fields.items():
                setattr(current, name, value)
            current.save()
            return current
        current.valid_to = day
        current.save(update_fields=["valid_to"])
        values = {
            "name": current.name,
            "kind": current.kind,
            "level": current.level,
            "parent_id": current.parent_id,
            "status": current.status,
        }
        values.update(fields)
        if "parent" in values:
            values["parent_id"] = values.pop("parent").pk if values["parent"] else None
        return OrgUnitVersion.objects.create(unit=unit, valid_from=day, event=event, **values)

    def end_unit(self, change: Change, unit: OrgUnit, day: dt.date, field: str = "code"):
        """Close the unit's version in force on `day`: the unit ceases to exist from `day`."""
        self.ended_units.add(unit.pk)
        current = self.version_at(change, unit, day, field)
        if current.valid_from == day:
            if not self._mine(current) or not unit.versions.filter(valid_to=day).exists():
                self.fail(
                    change,
                    f"đơn vị '{unit.code}' bắt đầu từ ngày {_fmt(day)} nên không thể chấm dứt cùng ngày",
                    "unit would exist for zero days",
                    field,
                )
            current.delete()
            return
        current.valid_to = day
        current.save(update_fields=["valid_to"])

    def event(self, change: Change, kind: str, unit: OrgUnit) -> LineageEvent:
        event = LineageEvent.objects.create(
            kind=kind,
            unit=unit,
            effective_date=change.effective_date,
            legal_basis=change.legal_basis or self.reorg.legal_basis,
            legal_basis_date=change.legal_basis_date,
            note=change.note,
            is_synthetic=change.is_synthetic,
            reorganisation=self.reorg,
        )
        self.events.append(event)
        self.touched_dates.add(change.effective_date)
        return event

    def parent(self, change: Change) -> OrgUnit | None:
        if not change.parent_code:
            return None
        parent = self.unit(change, change.parent_code, "parent_code")
        self.version_at(change, parent, change.effective_date, "parent_code")
        return parent

    def move_children(self, change: Change, old: OrgUnit, new: OrgUnit, event: LineageEvent):
        """Children of a merged-away unit follow it to the successor."""
        day = change.effective_date
        for version in OrgUnitVersion.objects.filter(active_on_q(day), parent=old).select_related(
            "unit"
        ):
            self.change_version(change, version.unit, day, event, parent=new)

    # -- actions -------------------------------------------------------------------------------
    def apply(self, change: Change) -> None:
        getattr(self, f"do_{change.action}")(change)

    def do_create(self, change: Change) -> None:
        if OrgUnit.objects.filter(code=change.code).exists():
            self.fail(change, f"mã đơn vị '{change.code}' đã tồn tại", "code already exists")
        parent = self.parent(change)
        if parent is None and not self.national:
            self.fail(change, "cần mã đơn vị cha", "parent required", "parent_code")
        unit = OrgUnit.objects.create(
            code=change.code, is_synthetic=change.is_synthetic, note=change.note
        )
        event = self.event(change, EventKind.CREATE, unit)
        self.start_version(
            unit,
            change.effective_date,
            event,
            name=change.name,
            kind=change.kind,
            parent=parent,
            status=change.status or Status.ACTIVE,
        )

    def _simple(self, change: Change, event_kind: str, **fields) -> None:
        unit = self.unit(change, change.code)
        event = self.event(change, event_kind, unit)
        self.change_version(change, unit, change.effective_date, event, **fields)

    def do_rename(self, change: Change) -> None:
        self._simple(change, EventKind.RENAME, name=change.name)

    def do_change_kind(self, change: Change) -> None:
        self._simple(change, EventKind.CHANGE_KIND, kind=change.kind)

    def do_change_status(self, change: Change) -> None:
        self._simple(change, EventKind.CHANGE_STATUS, status=change.status)

    def do_reparent(self, change: Change) -> None:
        self._simple(change, EventKind.REPARENT, parent=self.parent(change))

    def do_dissolve(self, change: Change) -> None:
        unit = self.unit(change, change.code)
        self.event(change, EventKind.DISSOLVE, unit)
        self.end_unit(change, unit, change.effective_date)

    def do_merge(self, change: Change) -> None:
        day = change.effective_date
        if change.code in change.from_codes:
            self.fail(
                change, "đơn vị nhận sáp nhập không được nằm trong from_codes", "", "from_codes"
            )
        predecessors = [self.unit(change, code, "from_codes") for code in change.from_codes]
        successor = OrgUnit.objects.filter(code=change.code).first()
        fields = {k: getattr(change, k) for k in ("name", "kind") if getattr(change, k)}
        if change.parent_code:
            fields["parent"] = self.parent(change)
        if successor is None:
            if not change.name or not change.kind:
                self.fail(
                    change,
                    f"đơn vị mới '{change.code}' cần tên (name) và loại (kind)",
                    "a new successor needs name and kind",
                    "name",
                )
            successor = OrgUnit.objects.create(
                code=change.code, is_synthetic=change.is_synthetic, note=change.note
            )
            event = self.event(change, EventKind.MERGE, successor)
            self.start_version(successor, day, event, **fields)
        else:
            successor = self.unit(change, change.code)
            event = self.event(change, EventKind.MERGE, successor)
            if fields:
                self.change_version(change, successor, day, event, **fields)
            else:
                self.version_at(change, successor, day)
        for predecessor in predecessors:
            self.version_at(change, predecessor, day, "from_codes")
            LineageLink.objects.create(event=event, predecessor=predecessor, successor=successor)
            self.end_unit(change, predecessor, day, "from_codes")
            self.move_children(change, predecessor, successor, event)

    def do_split(self, change: Change) -> None:
        day = change.effective_date
        original = self.unit(change, change.code)
        self.version_at(change, original, day)
        event = self.event(change, EventKind.SPLIT, original)
        for code in change.to_codes:
            successor = self.unit(change, code, "to_codes")
            self.version_at(change, successor, day, "to_codes")
            LineageLink.objects.create(event=event, predecessor=original, successor=successor)
        if change.code not in change.to_codes:
            self.end_unit(change, original, day)

    # -- whole-tree checks ---------------------------------------------------------------------
    def dates_to_check(self) -> list[dt.date]:
        """Every date on which the tree may have changed shape because of this file.

        The effective dates themselves, and every later start or end of a version of a unit the
        file touched, of a child of such a unit, or of a parent such a unit now hangs under —
        so a change cannot contradict a change already recorded for a later date.
        """
        if not self.touched_dates:
            return []
        first = min(self.touched_dates)
        relevant = self.ended_units | set(
            OrgUnitVersion.objects.filter(event__reorganisation=self.reorg).values_list(
                "unit_id", flat=True
            )
        )
        near = OrgUnitVersion.objects.filter(Q(unit_id__in=relevant) | Q(parent_id__in=relevant))
        parents = set(near.exclude(parent_id=None).values_list("parent_id", flat=True))
        dates = set(self.touched_dates)
        for start, end in (
            near.order_by()
            .values_list("valid_from", "valid_to")
            .union(
                OrgUnitVersion.objects.filter(unit_id__in=parents)
                .order_by()
                .values_list("valid_from", "valid_to")
            )
        ):
            dates.update(d for d in (start, end) if d is not None and d >= first)
        return sorted(dates)

    def check_tree(self) -> list[Problem]:
        """After all rows: on each affected date the active units must form a proper tree."""
        problems: list[Problem] = []
        row_of_unit = {e.unit_id: e for e in self.events}
        for day in self.dates_to_check():
            active = {
                v.unit_id: v
                for v in OrgUnitVersion.objects.filter(active_on_q(day)).select_related("unit")
            }
            for version in active.values():
                if version.parent_id is None:
                    continue
                parent = active.get(version.parent_id)
                if parent is None:
                    problems.append(
                        Problem(
                            f"ngày {_fmt(day)}: đơn vị '{version.unit.code}' vẫn thuộc đơn vị "
                            f"'{_code_of(version.parent_id)}' đã không còn hoạt động; hãy chuyển "
                            "nó sang đơn vị khác hoặc giải thể",
                            "child of an inactive unit",
                            row=self._row(row_of_unit, version),
                        )
                    )
                elif parent.level >= version.level:
                    problems.append(
                        Problem(
                            f"ngày {_fmt(day)}: '{version.unit.code}' ({version.get_kind_display()}) "
                            f"không thể trực thuộc '{parent.unit.code}' ({parent.get_kind_display()})",
                            "parent level must be above the child's",
                            row=self._row(row_of_unit, version),
                        )
                    )
            problems.extend(self._cycles(day, active, row_of_unit))
        return problems

    def _row(self, row_of_unit, version) -> int | None:
        event = row_of_unit.get(version.unit_id) or row_of_unit.get(version.parent_id)
        return getattr(event, "_row", None)

    def _cycles(self, day, active, row_of_unit) -> list[Problem]:
        problems = []
        for unit_id in {e.unit_id for e in self.events}:
            seen = set()
            node = active.get(unit_id)
            while node is not None and node.parent_id is not None:
                if node.unit_id in seen:
                    problems.append(
                        Problem(
                            f"ngày {_fmt(day)}: quan hệ cấp trên tạo thành vòng lặp qua "
                            f"'{node.unit.code}'",
                            "cycle in the hierarchy",
                            row=self._row(row_of_unit, node),
                        )
                    )
                    break
                seen.add(node.unit_id)
                node = active.get(node.parent_id)
        return problems


def _mapped_twice(changes: list[Change]) -> list[Problem]:
    """A unit may be consumed (merged away, split, dissolved) or created only once per file."""
    consumed: dict[str, int] = {}
    created: dict[str, int] = {}
    problems = []

    def claim(table: dict[str, int], code: str, change: Change, field: str):
        if code in table:
            problems.append(
                Problem(
                    f"đơn vị '{code}' đã được xử lý ở dòng {table[code]}; mỗi đơn vị chỉ được "
                    "ánh xạ một lần",
                    f"unit '{code}' is mapped twice",
                    field=field,
                    row=change.row,
                )
            )
        else:
            table[code] = change.row

    for change in changes:
        if change.action == EventKind.MERGE:
            for code in change.from_codes:
                claim(consumed, code, change, "from_codes")
        elif (
            change.action == EventKind.SPLIT and change.code not in change.to_codes
        ) or change.action == EventKind.DISSOLVE:
            claim(consumed, change.code, change, "code")
        elif change.action == EventKind.CREATE:
            claim(created, change.code, change, "code")
    return problems


@transaction.atomic
def apply_changes(
    *,
    actor,
    changes: list[Change],
    name: str,
    legal_basis: str = "",
    effective_date: dt.date | None = None,
    file_name: str = "",
    file_sha256: str = "",
) -> Reorganisation:
    """Apply a list of hierarchy changes atomically; raise ValidationFailed listing every problem.

    Protects the history: nothing is ever deleted or overwritten, only closed and succeeded, and a
    file that is wrong anywhere changes nothing at all.
    """
    if not grant_for(actor, MANAGE_UNITS).unit_ids and not grant_for(actor, MANAGE_UNITS).national:
        raise ValidationFailed.single(
            "bạn không có quyền thay đổi cơ cấu đơn vị", "you may not change the unit structure"
        )
    problems = _mapped_twice(changes)
    if problems:
        raise ValidationFailed(problems)
    reorg = Reorganisation.objects.create(
        name=name[:200],
        effective_date=effective_date,
        legal_basis=legal_basis,
        file_name=file_name,
        file_sha256=file_sha256,
        applied_by=actor if getattr(actor, "pk", None) else None,
    )
    applier = _Applier(reorg, actor)
    ordered = sorted(changes, key=lambda c: (c.effective_date, c.row))
    for change in ordered:
        before = len(applier.events)
        try:
            applier.apply(change)
        except _RowError as exc:
            problems.append(exc.problem)
        for event in applier.events[before:]:
            event._row = change.row
    problems.extend(applier.check_tree())
    if problems:
        raise ValidationFailed(sorted(problems, key=lambda p: p.row or 0))
    rebuild_closure()
    counts: dict[str, int] = defaultdict(int)
    for event in applier.events:
        counts[event.kind] += 1
        _audit_event(actor, event)
    reorg.summary = {"events": dict(counts), "rows": len(changes)}
    reorg.save(update_fields=["summary"])
    record(
        actor=actor,
        event="orgunits.reorganisation_applied",
        target=reorg,
        after={"name": reorg.name, "file_sha256": file_sha256, **reorg.summary},
    )
    return reorg


def _audit_event(actor, event: LineageEvent) -> None:
    version = event.versions.order_by("-valid_from").first()
    links = list(event.links.values_list("predecessor__code", "successor__code"))
    record(
        actor=actor,
        event=f"orgunits.{event.kind}",
        target=event.unit,
        unit=event.unit,
        after={
            "effective_date": event.effective_date,
            "name": version.name if version else None,
            "kind": version.kind if version else None,
            "parent": version.parent.code if version and version.parent_id else None,
            "links": [{"from": a, "to": b} for a, b in links],
            "legal_basis": event.legal_basis,
        },
        note=event.note,
    )


def reorganise_from_file(*, actor, data: bytes, file_name: str) -> Reorganisation:
    """Parse a CSV/YAML reorganisation file and apply it all or nothing."""
    parsed: ReorganisationFile = parse_file(data, file_name)
    return apply_changes(
        actor=actor,
        changes=parsed.changes,
        name=parsed.name or file_name,
        legal_basis=parsed.legal_basis,
        effective_date=parsed.effective_date,
        file_name=file_name,
        file_sha256=hashlib.sha256(data).hexdigest(),
    )


def edit_unit(
    *,
    actor,
    code: str,
    effective_date: dt.date,
    name: str = "",
    kind: str = "",
    parent_code: str = "",
    legal_basis: str = "",
    legal_basis_date: dt.date | None = None,
    note: str = "",
) -> Reorganisation:
    """One edit from the unit page (rename, change kind, move): the same path as a file."""
    current = (
        OrgUnitVersion.objects.filter(active_on_q(effective_date), unit__code=code)
        .select_related("parent")
        .first()
    )
    changes = []
    common = {
        "code": code,
        "effective_date": effective_date,
        "legal_basis": legal_basis,
        "legal_basis_date": legal_basis_date,
        "note": note,
    }
    row = 1
    if current is not None and name and name != current.name:
        changes.append(Change(row=row, action=EventKind.RENAME, name=name, **common))
        row += 1
    if current is not None and kind and kind != current.kind:
        changes.append(Change(row=row, action=EventKind.CHANGE_KIND, kind=kind, **common))
        row += 1
    current_parent = current.parent.code if current is not None and current.parent_id else ""
    if current is not None and parent_code and parent_code != current_parent:
        changes.append(
            Change(row=row, action=EventKind.REPARENT, parent_code=parent_code, **common)
        )
    if current is None:
        raise ValidationFailed.single(
            f"đơn vị '{code}' không hoạt động vào ngày {_fmt(effective_date)}",
            "unit not active on that date",
            field="effective_date",
        )
    if not changes:
        raise ValidationFailed.single("không có gì thay đổi", "nothing changed")
    return apply_changes(
        actor=actor, changes=changes, name=f"Sửa đơn vị {code}", legal_basis=legal_basis
    )


def create_unit(
    *,
    actor,
    code: str,
    name: str,
    kind: str,
    parent_code: str,
    effective_date: dt.date,
    legal_basis: str = "",
    is_synthetic: bool = False,
) -> OrgUnit:
    """Create one unit under a parent (the same path as a `create` row of a file)."""
    change = Change(
        row=1,
        action=EventKind.CREATE,
        code=code,
        name=name,
        kind=kind,
        parent_code=parent_code,
        effective_date=effective_date,
        legal_basis=legal_basis,
        is_synthetic=is_synthetic,
    )
    apply_changes(actor=actor, changes=[change], name=f"Tạo đơn vị {code}", legal_basis=legal_basis)
    return OrgUnit.objects.get(code=code)
