"""Reminders of report deadlines: a few days before the due date, and once overdue.

`send_reminders(today)` is idempotent: each (report, kind, person) is notified once, so the
scheduler may run it every few minutes, after downtime, or twice by accident. Reminders go to
the unit's data-entry officers (in-app and e-mail); overdue notices also go to the province's
administrators, who see the whole list on the report status page.
"""

import datetime as dt

from django.db import transaction
from django.urls import reverse

from kieumau.accounts.permissions import APPROVE_DATA, ENTER_DATA
from kieumau.accounts.scope import recipients_by_unit
from kieumau.datavalues.choices import SubmissionStatus
from kieumau.datavalues.forms_catalog import FormCatalog
from kieumau.datavalues.models import Submission
from kieumau.datavalues.schedule import due_date
from kieumau.engine import period_containing
from kieumau.notifications.services import notify
from kieumau.orgunits.models import OrgUnitVersion

_DONE = {SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED}
OVERDUE_LOOKBACK = 3
"""How many past periods are checked for overdue reports."""
OVERDUE_NOTICE_DAYS = 30
"""Overdue notices go out while a report is at most this many days late; the report status
page keeps listing older gaps, but nobody is notified about a period long gone (e.g. on the first
run of a new install)."""


def _candidate_periods(period_type: str, today: dt.date, count: int):
    """The current period and the `count` before it: the ones whose deadline can be near or past."""
    period = period_containing(today, period_type)
    out = [period]
    for _ in range(count):
        out.append(out[-1].previous())
    return out


@transaction.atomic
def send_reminders(*, today: dt.date) -> dict[str, int]:
    """Notify units whose report is due within `remind_days_before` days or is overdue.

    Protects deadlines without nagging: a report already submitted or approved gets nothing, a
    unit gets at most one "due soon" and one "overdue" notice per report, and only units that
    existed during the period (and still exist) are reminded.
    """
    catalog = FormCatalog.load()
    counts = {"due_soon": 0, "overdue": 0}
    for form in catalog.forms.values():
        for period in _candidate_periods(form.period_type, today, OVERDUE_LOOKBACK):
            kinds = list(form.unit_kinds) or None
            versions = OrgUnitVersion.objects.active_on(min(period.end, today))
            if kinds:
                versions = versions.filter(kind__in=kinds)
            units = dict(versions.values_list("unit_id", "unit__code"))
            done = set(
                Submission.objects.filter(
                    dataset_id=form.pk, period=period.code, status__in=list(_DONE)
                ).values_list("unit_id", flat=True)
            )
            pending = {uid: code for uid, code in units.items() if uid not in done}
            if not pending:
                continue
            officers = recipients_by_unit(pending, ENTER_DATA)
            approvers = None
            for unit_id, code in pending.items():
                due = due_date(period, catalog.due_spec(form, unit_id=unit_id))
                days_left = (due - today).days
                url = reverse(
                    "datavalues:entry",
                    kwargs={"unit": code, "form": form.code, "period": period.code},
                )
                if 0 <= days_left <= form.remind_days_before:
                    counts["due_soon"] += notify(
                        users=officers[unit_id],
                        kind="report_due_soon",
                        subject=f"Sắp đến hạn: {form.name_vi} kỳ {period.code} — {code} (hạn {due:%d/%m/%Y})",
                        body=f"Báo cáo kỳ {period.code} của {code} cần nộp trước hết ngày {due:%d/%m/%Y}.",
                        url=url,
                        key=f"due:{form.pk}:{unit_id}:{period.code}",
                    )
                elif -OVERDUE_NOTICE_DAYS <= days_left < 0:
                    if approvers is None:
                        approvers = recipients_by_unit(pending, APPROVE_DATA)
                    users = officers[unit_id] + approvers[unit_id]
                    counts["overdue"] += notify(
                        users={u.pk: u for u in users}.values(),
                        kind="report_overdue",
                        subject=f"Quá hạn: {form.name_vi} kỳ {period.code} — {code} (hạn {due:%d/%m/%Y})",
                        body=f"Báo cáo kỳ {period.code} của {code} đã quá hạn {-days_left} ngày.",
                        url=url,
                        key=f"overdue:{form.pk}:{unit_id}:{period.code}",
                    )
    return counts


def daily_job(*, today: dt.date) -> dict[str, int]:
    """The scheduler's entry point (see kieumau.core.scheduler)."""
    return send_reminders(today=today)
