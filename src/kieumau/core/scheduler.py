"""Daily jobs (report reminders today; scheduled reports later), run once per day each.

`kieumau scheduler` (started by `kieumau serve` beside gunicorn and the worker) wakes every few
minutes and runs every job not yet run for today. A job that fails is recorded with its error
and retried on the next wake-up; the jobs themselves are idempotent, so a retry or a second
scheduler process cannot send anything twice.
"""

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from kieumau.core.models import ScheduledRun

log = logging.getLogger(__name__)

DAILY_JOBS: tuple[str, ...] = (
    "kieumau.datavalues.reminders.daily_job",
    "kieumau.workitems.reminders.daily_job",
    "kieumau.reports.services.daily_job",
    "kieumau.feedback.services.daily_job",
)
"""Dotted paths of callables taking `today` and returning a JSON-able summary."""


def run_due_jobs(today: dt.date | None = None, jobs: tuple[str, ...] = DAILY_JOBS) -> dict:
    """Run each job not yet finished for `today`; returns {job: result or error}."""
    today = today or timezone.localdate()
    out = {}
    for path in jobs:
        run = ScheduledRun.objects.filter(job=path, day=today).first()
        if run is not None and run.finished_at is not None:
            continue
        if run is None:
            try:
                with transaction.atomic():
                    run = ScheduledRun.objects.create(job=path, day=today)
            except IntegrityError:
                continue  # another scheduler took it
        try:
            result = import_string(path)(today=today)
        except Exception as exc:
            log.exception("daily job %s failed", path)
            ScheduledRun.objects.filter(pk=run.pk).update(error=str(exc)[:2000])
            out[path] = {"error": str(exc)}
            continue
        ScheduledRun.objects.filter(pk=run.pk).update(
            finished_at=timezone.now(), result=result or {}, error=""
        )
        out[path] = result
    return out
