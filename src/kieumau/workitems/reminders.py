"""The daily job of work items: mark overdue items, escalate them, remind before due dates.

Registered in `core.scheduler.DAILY_JOBS`. Idempotent: marking is a state change done once;
notifications carry a dedupe key (item and occasion), so a second run on the same day — or a
second scheduler — sends nothing twice.
"""

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kieumau.accounts.permissions import MANAGE_WORKITEMS, UPDATE_WORKITEMS, VIEW_WORKITEMS
from kieumau.accounts.scope import recipients_by_unit
from kieumau.audit.services import record
from kieumau.core.actors import SystemActor
from kieumau.notifications.services import notify
from kieumau.workitems.choices import ItemStatus
from kieumau.workitems.models import AgencyMember, WorkItem

REMIND_DAYS = (7, 1)
"""Days before the due date on which the assignees are reminded."""

JOB = SystemActor("workitems-daily")


def _assignees(items) -> dict[int, list]:
    """Who works on each item: the agency's members, or the assigned unit's officers."""
    members: dict[int, list] = {}
    agency_ids = {i.assignee_agency_id for i in items if i.assignee_agency_id}
    for m in AgencyMember.objects.filter(
        agency_id__in=agency_ids, user__is_active=True
    ).select_related("user"):
        members.setdefault(m.agency_id, []).append(m.user)
    by_unit = recipients_by_unit(
        {i.assignee_unit_id for i in items if i.assignee_unit_id and not i.assignee_agency_id},
        UPDATE_WORKITEMS,
    )
    out = {}
    for i in items:
        if i.assignee_agency_id:
            out[i.pk] = members.get(i.assignee_agency_id, [])
        else:
            # Only people who can see the item (an agency officer of the province cannot).
            out[i.pk] = [
                u
                for u in by_unit.get(i.assignee_unit_id, [])
                if WorkItem.objects.visible_to(u, VIEW_WORKITEMS).filter(pk=i.pk).exists()
            ]
    return out


def daily_job(today: dt.date | None = None) -> dict:
    """Mark items past due as overdue and escalate them to the province's administrators;
    remind assignees 7 days and 1 day before the due date. Returns counts."""
    today = today or timezone.localdate()
    marked = escalated = reminded = 0
    with transaction.atomic():
        late = list(
            WorkItem.objects.select_for_update()
            .filter(status__in=[ItemStatus.OPEN, ItemStatus.IN_PROGRESS], due_date__lt=today)
            .select_related("unit")
        )
        for item in late:
            item.status = ItemStatus.OVERDUE
            item.revision += 1
            item.save(update_fields=["status", "revision"])
            record(
                actor=JOB,
                event="workitems.overdue",
                target=item,
                unit=item.unit,
                after={"status": "overdue", "due_date": item.due_date.isoformat()},
            )
        marked = len(late)
    pending = list(
        WorkItem.objects.filter(
            status=ItemStatus.OVERDUE, escalated_at__isnull=True
        ).select_related("unit", "assignee_agency", "assignee_unit")
    )
    admins = recipients_by_unit({i.unit_id for i in pending}, MANAGE_WORKITEMS)
    for item in pending:
        who = item.assignee_agency.name if item.assignee_agency_id else item.assignee_unit.code
        escalated += notify(
            users=admins.get(item.unit_id, []),
            kind="workitem_overdue",
            subject=f"Công việc quá hạn: {item.title}",
            body=f"Hạn {item.due_date:%d/%m/%Y}, giao {who}; chưa hoàn thành.",
            url=reverse("workitems:item", args=[item.pk]),
            key=f"workitem-overdue:{item.pk}",
        )
        WorkItem.objects.filter(pk=item.pk).update(escalated_at=timezone.now())
    soon = list(
        WorkItem.objects.filter(
            status__in=[ItemStatus.OPEN, ItemStatus.IN_PROGRESS],
            due_date__in=[today + dt.timedelta(days=d) for d in REMIND_DAYS],
        ).select_related("assignee_agency", "assignee_unit")
    )
    people = _assignees(soon)
    for item in soon:
        days = (item.due_date - today).days
        reminded += notify(
            users=people.get(item.pk, []),
            kind="workitem_due",
            subject=f"Sắp đến hạn ({days} ngày): {item.title}",
            body=f"Hạn hoàn thành {item.due_date:%d/%m/%Y}; tiến độ hiện tại {item.percent}%.",
            url=reverse("workitems:item", args=[item.pk]),
            key=f"workitem-due:{item.pk}:{item.due_date.isoformat()}:{days}",
        )
    return {"marked_overdue": marked, "escalations": escalated, "reminders": reminded}
