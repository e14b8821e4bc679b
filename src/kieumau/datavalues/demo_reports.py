"""Demo monthly reports: the report forms, four recent months of figures and their submissions.

So that the report status pages have something true to show on a fresh install: for the four
months before the current one every demo commune-level unit has plausible monthly figures
(consistent with the forms' checks); most reports were submitted on time and approved, some
late, the last month's are partly missing (overdue), and the current month is open. Figures are
marked synthetic. Loaded once: a second run finds the reports and changes nothing.
"""

import datetime as dt
import random
from zoneinfo import ZoneInfo

from django.utils import timezone

from kieumau.core.actors import SystemActor
from kieumau.datavalues.batch import Entry, apply_entries
from kieumau.datavalues.choices import SubmissionAction
from kieumau.datavalues.forms_catalog import FormCatalog
from kieumau.datavalues.forms_loader import load_default_forms
from kieumau.datavalues.models import DataSet, Submission
from kieumau.datavalues.schedule import due_date
from kieumau.datavalues.workflow import get_or_start, transition
from kieumau.engine import period_containing
from kieumau.orgunits.choices import COMMUNE_LEVEL_KINDS
from kieumau.orgunits.models import OrgUnitVersion

DEMO = SystemActor("demo")
MONTHLY_FORM = "BC-THANG"
_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _month_values(rng: random.Random) -> dict[str, int | float]:
    received = rng.randint(3, 40)
    handled = received - rng.choice([0, 0, 0, 1]) if received else 0
    settled = rng.randint(40, 400)
    on_time = settled - rng.randint(0, 3)
    early = rng.randint(0, on_time // 2)
    return {
        "crime_reports_received": received,
        "crime_reports_handled_on_time": max(handled, 0),
        "crime_social_order": rng.randint(0, 4),
        "dossiers_settled": settled,
        "dossiers_on_time": on_time,
        "dossiers_early": early,
        "crime_reports_on_time_pct": round(100 * max(handled, 0) / received, 1),
        "dossiers_on_time_pct": round(100 * on_time / settled, 1),
    }


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=_TZ)


def load_demo_reports(*, today: dt.date | None = None, seed: int = 18) -> dict[str, int]:
    """Forms, figures and submissions for the demo (idempotent; see the module docstring)."""
    today = today or timezone.localdate()
    load_default_forms(DEMO)
    form = DataSet.objects.get(code=MONTHLY_FORM)
    if Submission.objects.filter(dataset=form).exists():
        return {"values": 0, "reports": 0}
    rng = random.Random(seed)
    current = period_containing(today, "month")
    months = []
    period = current
    for _ in range(4):
        period = period.previous()
        months.append(period)
    months.reverse()
    catalog = FormCatalog.load()
    cform = catalog.forms[form.pk]
    entries = []
    plan = []
    for month in months:
        units = list(
            OrgUnitVersion.objects.active_on(month.end)
            .filter(kind__in=COMMUNE_LEVEL_KINDS)
            .values_list("unit_id", "unit__code")
            .order_by("unit__code")
        )
        last = month == months[-1]
        for unit_id, code in units:
            roll = rng.random()
            if last and roll < 0.3:
                continue  # not reported yet: overdue
            for indicator, value in _month_values(rng).items():
                entries.append(Entry(unit=code, indicator=indicator, period=month.code, raw=value))
            plan.append((unit_id, code, month, roll))
    result = apply_entries(
        actor=DEMO, entries=entries, source="demo", synthetic=True, reevaluate=False, today=today
    )
    reports = 0
    for unit_id, code, month, roll in plan:
        due = due_date(month, catalog.due_spec(cform, unit_id=unit_id))
        sub = get_or_start(
            actor=DEMO,
            unit_code=code,
            form_code=MONTHLY_FORM,
            period_code=month.code,
            perm="datavalues.enter",
        )
        late = roll > 0.85
        submitted_on = (
            due + dt.timedelta(days=rng.randint(1, 6))
            if late
            else due - dt.timedelta(days=rng.randint(0, 10))
        )
        if submitted_on > today:
            continue
        transition(
            actor=DEMO,
            submission_id=sub.pk,
            action=SubmissionAction.SUBMIT,
            now=_at(submitted_on, 9),
            notify_next=False,
        )
        reports += 1
        approved_on = submitted_on + dt.timedelta(days=rng.randint(1, 5))
        if month != months[-1] and approved_on <= today:
            transition(
                actor=DEMO,
                submission_id=sub.pk,
                action=SubmissionAction.APPROVE,
                now=_at(approved_on, 15),
                notify_next=False,
            )
    return {"values": result.created, "reports": reports}
