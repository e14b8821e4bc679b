"""Writes of agencies and work items: create, edit, report progress, cancel.

Every function authorises first (NotFound out of scope, the same answer as for an item that
does not exist), validates, writes in one transaction and leaves an audit entry. Editing and
reporting take the revision the actor saw; a stale save is refused (409) with what changed.

Used by other apps: `create_item` is the one way to open a task (the feedback forums call it
with an `origin` such as "forum-issue:12").
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from kieumau.accounts.permissions import MANAGE_WORKITEMS, UPDATE_WORKITEMS
from kieumau.accounts.scope import can_act_on_unit
from kieumau.audit.services import record
from kieumau.core.errors import Conflict, NotFound, Problem, ValidationFailed
from kieumau.orgunits.models import OrgUnit, OrgUnitClosure
from kieumau.workitems.choices import ACTIVE, STATUS_VI, AgencyKind, ItemStatus
from kieumau.workitems.models import Agency, AgencyMember, WorkItem, WorkItemUpdate

FIELD_VI = {
    "title": "tên công việc",
    "description": "nội dung",
    "due_date": "hạn hoàn thành",
    "status": "trạng thái",
    "assignee_agency": "cơ quan thực hiện",
    "assignee_unit": "đơn vị thực hiện",
    "criterion_code": "tiêu chí",
    "plan": "kế hoạch",
    "percent": "tiến độ",
}


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _actor_repr(actor) -> str:
    return actor.get_username() if hasattr(actor, "get_username") else str(actor)


def _text(value, field: str, limit: int = 8000) -> str:
    """Free text as typed, without surrounding spaces; empty allowed, over-long refused."""
    text = (value or "").strip()
    if len(text) > limit:
        raise ValidationFailed.single(
            f"nội dung quá dài (tối đa {limit} ký tự)", "too long", field=field
        )
    return text


def _not_found(what: str = "không tìm thấy công việc"):
    return NotFound.single(what, "not found")


def _unit(value, field: str) -> OrgUnit:
    if isinstance(value, OrgUnit):
        return value
    unit = OrgUnit.objects.filter(code=str(value or "").strip()).first()
    if unit is None:
        raise NotFound.single(f"không tìm thấy đơn vị '{value}'", "unit not found", field=field)
    return unit


def _agency_for(value, unit: OrgUnit) -> Agency:
    agency = value if isinstance(value, Agency) else Agency.objects.filter(pk=value).first()
    inside = OrgUnitClosure.objects.filter(
        ancestor_id=getattr(agency, "province_id", None), descendant_id=unit.pk
    ).exists()
    if agency is None or not agency.active or not inside:
        raise ValidationFailed.single(
            "cơ quan thực hiện không thuộc tỉnh của đơn vị",
            "agency not in the unit's province",
            field="assignee_agency",
        )
    return agency


def _plan_for(actor, value):
    if value in (None, ""):
        return None
    from kieumau.plans.models import Plan

    plan = value if isinstance(value, Plan) else Plan.objects.filter(pk=value).first()
    if plan is None or not can_act_on_unit(actor, MANAGE_WORKITEMS, plan.unit_id):
        raise ValidationFailed.single("không tìm thấy kế hoạch", "plan not found", field="plan")
    return plan


def _check_text(title: str, due_date) -> list[Problem]:
    problems = []
    if not (title or "").strip():
        problems.append(Problem("chưa nhập tên công việc", "title required", field="title"))
    elif len(title) > 300:
        problems.append(
            Problem("tên công việc quá dài (tối đa 300 ký tự)", "too long", field="title")
        )
    if not isinstance(due_date, dt.date):
        problems.append(Problem("chưa nhập hạn hoàn thành", "due date required", field="due_date"))
    return problems


def _snapshot(item: WorkItem) -> dict:
    return {
        "title": item.title,
        "description": item.description,
        "due_date": item.due_date.isoformat() if item.due_date else None,
        "status": item.status,
        "assignee_agency": item.assignee_agency.name if item.assignee_agency_id else None,
        "assignee_unit": item.assignee_unit.code if item.assignee_unit_id else None,
        "criterion_code": item.criterion_code,
        "plan": item.plan_id,
        "percent": item.percent,
    }


@transaction.atomic
def create_item(
    *,
    actor,
    title,
    unit,
    due_date,
    description="",
    assignee_agency=None,
    assignee_unit=None,
    plan=None,
    criterion_code="",
    origin="",
) -> WorkItem:
    """Open a task about `unit` (an OrgUnit or its code), assigned to an agency or a unit.

    Protects the task register: the actor needs MANAGE_WORKITEMS on the unit (NotFound
    otherwise); an agency must belong to the unit's province; an assignee unit must be in the
    actor's scope; with neither assignee the unit itself is assigned. A non-empty `origin`
    ("forum-issue:12", "suggested:3.1:P33-ANTAO") opens at most one task that is not cancelled:
    a second call is refused with Conflict, so callers can retry safely.
    """
    unit = _unit(unit, "unit")
    if not can_act_on_unit(actor, MANAGE_WORKITEMS, unit.pk):
        raise NotFound.single(
            f"không tìm thấy đơn vị '{unit.code}'", "unit not found", field="unit"
        )
    problems = _check_text(title, due_date)
    if problems:
        raise ValidationFailed(problems)
    agency = _agency_for(assignee_agency, unit) if assignee_agency not in (None, "") else None
    target_unit = None
    if assignee_unit not in (None, ""):
        target_unit = _unit(assignee_unit, "assignee_unit")
        if not can_act_on_unit(actor, MANAGE_WORKITEMS, target_unit.pk):
            raise NotFound.single(
                f"không tìm thấy đơn vị '{target_unit.code}'",
                "unit not found",
                field="assignee_unit",
            )
    if agency is None and target_unit is None:
        target_unit = unit
    origin = (origin or "").strip()[:120]
    if origin:
        twin = (
            WorkItem.objects.select_for_update()
            .filter(origin=origin)
            .exclude(status=ItemStatus.CANCELLED)
            .first()
        )
        if twin is not None:
            raise Conflict.single(
                f"đã có công việc từ nguồn này: “{twin.title}”",
                "an item with this origin exists",
                field="origin",
            )
    item = WorkItem.objects.create(
        title=title.strip(),
        description=_text(description, "description"),
        unit=unit,
        assignee_agency=agency,
        assignee_unit=target_unit,
        plan=_plan_for(actor, plan),
        criterion_code=(criterion_code or "").strip()[:20],
        origin=origin,
        due_date=due_date,
        created_by=_user(actor),
    )
    record(actor=actor, event="workitems.create", target=item, unit=unit, after=_snapshot(item))
    return item


def _locked(actor, item_id: int, perm: str) -> WorkItem:
    """The item locked for update if the actor may see it and holds `perm` on its unit."""
    visible = WorkItem.objects.visible_to(actor, perm).filter(pk=item_id).values("pk")
    item = (
        WorkItem.objects.select_for_update(of=("self",))
        .select_related("unit", "assignee_agency", "assignee_unit")
        .filter(pk__in=visible)
        .first()
    )
    if item is None or not can_act_on_unit(actor, perm, item.unit_id):
        raise _not_found()
    return item


def _shown(key: str, value) -> str:
    """A changed value as people read it in a conflict message."""
    if key == "status":
        return STATUS_VI.get(value, str(value))
    if key == "percent":
        return f"{value}%"
    return "—" if value in (None, "") else str(value)


def _check_revision(item: WorkItem, expected_revision) -> None:
    if expected_revision in (None, ""):
        return
    if int(expected_revision) != item.revision:
        changes = item.last_changes or {}
        what = ", ".join(
            f"{FIELD_VI.get(k, k)}: {_shown(k, v[0])} → {_shown(k, v[1])}"
            for k, v in changes.get("fields", {}).items()
        )
        exc = Conflict.single(
            f"công việc đã được {changes.get('by', 'người khác')} cập nhật (phiên bản "
            f"{item.revision}, {STATUS_VI[item.status]}) sau khi bạn mở trang"
            + (f"; đã thay đổi: {what}" if what else "")
            + "; hãy tải lại",
            "item changed",
            field="revision",
        )
        exc.current = {"revision": item.revision, "status": item.status, "changes": changes}
        raise exc


def _bump(item: WorkItem, actor, before: dict) -> dict:
    after = _snapshot(item)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    item.revision += 1
    item.updated_at = timezone.now()
    item.last_changes = {
        "by": _actor_repr(actor),
        "at": item.updated_at.isoformat(),
        "fields": changed,
    }
    return changed


EDITABLE_STATUS = {ItemStatus.OPEN, ItemStatus.IN_PROGRESS, ItemStatus.DONE, ItemStatus.CANCELLED}


@transaction.atomic
def update_item(*, actor, item_id: int, expected_revision=None, **data) -> WorkItem:
    """Edit a task (title, description, due date, assignee, criterion, plan, status).

    Protects concurrent editors and the register: MANAGE_WORKITEMS on the item's unit, the
    revision the editor saw (409 naming who changed what otherwise); a task is cancelled or
    re-opened here, never deleted.
    """
    item = _locked(actor, item_id, MANAGE_WORKITEMS)
    _check_revision(item, expected_revision)
    before = _snapshot(item)
    if "title" in data:
        item.title = (data["title"] or "").strip()
    if "description" in data:
        item.description = _text(data["description"], "description")
    if "due_date" in data:
        item.due_date = data["due_date"]
    problems = _check_text(item.title, item.due_date)
    if problems:
        raise ValidationFailed(problems)
    if "criterion_code" in data:
        item.criterion_code = (data["criterion_code"] or "").strip()[:20]
    if "plan" in data:
        item.plan = _plan_for(actor, data["plan"])
    if "assignee_agency" in data or "assignee_unit" in data:
        agency = data.get("assignee_agency")
        target = data.get("assignee_unit")
        item.assignee_agency = _agency_for(agency, item.unit) if agency not in (None, "") else None
        item.assignee_unit = None
        if target not in (None, ""):
            item.assignee_unit = _unit(target, "assignee_unit")
            if not can_act_on_unit(actor, MANAGE_WORKITEMS, item.assignee_unit.pk):
                raise NotFound.single(
                    "không tìm thấy đơn vị", "unit not found", field="assignee_unit"
                )
        if item.assignee_agency is None and item.assignee_unit is None:
            raise ValidationFailed.single(
                "chưa chọn cơ quan hoặc đơn vị thực hiện", "no assignee", field="assignee_agency"
            )
    if data.get("status"):
        status = data["status"]
        if status not in EDITABLE_STATUS:
            raise ValidationFailed.single(
                "trạng thái không hợp lệ", "invalid status", field="status"
            )
        if status != item.status and not (
            status == ItemStatus.OPEN and item.status == ItemStatus.OVERDUE
        ):
            item.status = status
            item.completed_at = timezone.now() if status == ItemStatus.DONE else None
    if item.status == ItemStatus.OVERDUE and item.due_date >= timezone.localdate():
        item.status = ItemStatus.IN_PROGRESS if item.percent else ItemStatus.OPEN
        item.escalated_at = None
    changed = _bump(item, actor, before)
    item.save()
    record(
        actor=actor,
        event="workitems.update",
        target=item,
        unit=item.unit,
        before={k: v[0] for k, v in changed.items()},
        after={k: v[1] for k, v in changed.items()},
    )
    return item


@transaction.atomic
def report_progress(
    *,
    actor,
    item_id: int,
    note: str,
    percent,
    done: bool = False,
    evidence_text: str = "",
    evidence_link: str = "",
    expected_revision=None,
) -> WorkItemUpdate:
    """Report progress on a task: what was done, how far (0–100%), evidence, done or not.

    Protects other agencies' work: UPDATE_WORKITEMS on the item's unit *and* the item visible
    under the agency narrowing (an agency officer reports only on their agency's tasks, 404
    otherwise); a cancelled or finished task takes no report; the revision guards against
    reporting on a task that changed meanwhile.
    """
    item = _locked(actor, item_id, UPDATE_WORKITEMS)
    _check_revision(item, expected_revision)
    if item.status not in ACTIVE:
        raise Conflict.single(
            f"công việc {STATUS_VI[item.status]}, không thể báo cáo tiến độ",
            "item closed",
            field="status",
        )
    problems = []
    try:
        percent = int(str(percent).strip().rstrip("%"))
    except (TypeError, ValueError):
        percent = -1
    if not 0 <= percent <= 100:
        problems.append(Problem("tiến độ phải từ 0 đến 100%", "percent 0–100", field="percent"))
    note = _text(note, "note")
    if not note:
        problems.append(Problem("chưa nhập nội dung báo cáo", "note required", field="note"))
    link = (evidence_link or "").strip()
    if link and not link.startswith(("https://", "http://")):
        problems.append(
            Problem(
                "đường dẫn minh chứng phải bắt đầu bằng https://", "bad link", field="evidence_link"
            )
        )
    if problems:
        raise ValidationFailed(problems)
    before = _snapshot(item)
    if done or percent == 100:
        item.status, item.percent, item.completed_at = ItemStatus.DONE, 100, timezone.now()
    else:
        item.percent = percent
        if item.status == ItemStatus.OPEN:
            item.status = ItemStatus.IN_PROGRESS
    _bump(item, actor, before)
    item.save()
    update = WorkItemUpdate.objects.create(
        item=item,
        author=_user(actor),
        author_repr=_actor_repr(actor)[:200],
        note=note,
        percent=item.percent,
        status_after=item.status,
        evidence_text=_text(evidence_text, "evidence_text"),
        evidence_link=link[:500],
    )
    record(
        actor=actor,
        event="workitems.progress",
        target=item,
        unit=item.unit,
        before={"status": before["status"], "percent": before["percent"]},
        after={"status": item.status, "percent": item.percent},
    )
    return update


@transaction.atomic
def create_agency(*, actor, province, name: str, kind: str, short_name: str = "") -> Agency:
    """Register an agency of a province (idempotent by name).

    Protects the agency list: MANAGE_WORKITEMS on the province.
    """
    province = _unit(province, "province")
    if not can_act_on_unit(actor, MANAGE_WORKITEMS, province.pk):
        raise NotFound.single("không tìm thấy tỉnh", "province not found", field="province")
    if kind not in AgencyKind.values or not (name or "").strip():
        raise ValidationFailed.single("tên hoặc loại cơ quan không hợp lệ", "invalid agency")
    agency, created = Agency.objects.get_or_create(
        province=province, name=name.strip(), defaults={"kind": kind, "short_name": short_name}
    )
    if created:
        record(actor=actor, event="workitems.agency_create", target=agency, unit=province)
    return agency


@transaction.atomic
def add_member(*, actor, agency_id: int, user) -> AgencyMember:
    """Tie an agency officer's account to an agency (who works on its tasks).

    Protects the narrowing: MANAGE_WORKITEMS on the agency's province.
    """
    agency = Agency.objects.filter(pk=agency_id).first()
    if agency is None or not can_act_on_unit(actor, MANAGE_WORKITEMS, agency.province_id):
        raise NotFound.single("không tìm thấy cơ quan", "agency not found")
    member, created = AgencyMember.objects.get_or_create(agency=agency, user=user)
    if created:
        record(
            actor=actor,
            event="workitems.member_add",
            target=agency,
            unit=agency.province,
            after={"user": user.get_username()},
        )
    return member


@transaction.atomic
def create_suggested(
    *, actor, year: int, origins: list[str], under: str | None = None
) -> list[WorkItem]:
    """Create the chosen suggested tasks (by origin), skipping those that already exist.

    Protects against duplicates: proposals are recomputed from the data (not trusted from the
    form) and an origin that already has a task is skipped; each task goes through
    `create_item` (which authorises MANAGE_WORKITEMS on the unit).
    """
    from kieumau.workitems.selectors import suggestions

    wanted = set(origins)
    created = []
    for p in suggestions(actor, year, under=under):
        if p.origin not in wanted or p.exists:
            continue
        created.append(
            create_item(
                actor=actor,
                title=p.title,
                unit=p.unit_code,
                due_date=p.due_date,
                description=p.description,
                assignee_agency=p.agency_id,
                assignee_unit=None if p.agency_id else p.unit_code,
                criterion_code=p.criterion_code,
                origin=p.origin,
            )
        )
    return created


def _member_candidate(agency: Agency, username: str):
    """The active user `username` holding a role today inside the agency's province."""
    from django.contrib.auth import get_user_model

    from kieumau.accounts.models import RoleAssignment

    user = (
        get_user_model().objects.filter(username=(username or "").strip(), is_active=True).first()
    )
    inside = OrgUnitClosure.objects.filter(ancestor_id=agency.province_id).values("descendant_id")
    if (
        user is None
        or not RoleAssignment.objects.active_on(timezone.localdate())
        .filter(user=user, unit_id__in=inside)
        .exists()
    ):
        raise NotFound.single(
            f"không tìm thấy người dùng '{username}' trong tỉnh của cơ quan",
            "user not found in the agency's province",
            field="username",
        )
    return user


@transaction.atomic
def add_member_by_username(*, actor, agency_id: int, username: str) -> AgencyMember:
    """Tie the account `username` to an agency (from the agencies page).

    Protects accounts elsewhere: the user must hold a role in the agency's province today
    (NotFound otherwise, like a missing user); MANAGE_WORKITEMS on that province is checked by
    `add_member`.
    """
    agency = Agency.objects.filter(pk=agency_id).first()
    if agency is None or not can_act_on_unit(actor, MANAGE_WORKITEMS, agency.province_id):
        raise NotFound.single("không tìm thấy cơ quan", "agency not found")
    return add_member(actor=actor, agency_id=agency.pk, user=_member_candidate(agency, username))


@transaction.atomic
def remove_member(*, actor, agency_id: int, user_id: int) -> None:
    """Untie an account from an agency; it then sees none of the agency's tasks.

    Protects the narrowing: MANAGE_WORKITEMS on the agency's province (NotFound otherwise).
    """
    member = (
        AgencyMember.objects.select_related("agency", "user")
        .filter(agency_id=agency_id, user_id=user_id)
        .first()
    )
    if member is None or not can_act_on_unit(actor, MANAGE_WORKITEMS, member.agency.province_id):
        raise NotFound.single("không tìm thấy thành viên", "member not found")
    username = member.user.get_username()
    member.delete()
    record(
        actor=actor,
        event="workitems.member_remove",
        target=member.agency,
        unit=member.agency.province,
        before={"user": username},
    )
