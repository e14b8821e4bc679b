"""A worker dying in the middle of an Excel import leaves no partial data, and the job re-runs.

The import writes its values in one transaction (datavalues/imports.py). The failure is made
at the worst moment: after the values are written, before the audit rows and the commit. Three
ways: an exception (the worker catches it and marks the job failed), an abrupt stop that no
handler sees (the job stays "running"), and, on PostgreSQL, a real SIGKILL of a separate worker
process (SQLite's in-memory test database cannot be shared with a child process).
"""

import os
import signal
import subprocess
import sys
import textwrap

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kieumau.audit.models import AuditEntry
from kieumau.core.actors import CLI
from kieumau.datavalues import batch
from kieumau.datavalues.choices import ImportStatus
from kieumau.datavalues.imports import execute_import, queue_import
from kieumau.datavalues.models import DataValue, ImportJob
from tests.datavalues.test_excel_support import filled_may
from tests.faults.conftest import database_url, postgresql_only

VALUES_IN_FILE = 16


class WorkerKilled(BaseException):
    """Stands for SIGKILL in-process: not an Exception, so no handler of the worker runs."""


def queued_job() -> ImportJob:
    data = filled_may()
    upload = SimpleUploadedFile("tinh-a.xlsx", data, content_type="application/octet-stream")
    return queue_import(actor=CLI, upload=upload)


def crash_after_writing(monkeypatch, exc):
    """Make the import fail right after its values are in the database, before the commit."""
    written = {}

    def crash(**kwargs):
        written["rows"] = DataValue.objects.count()
        raise exc

    monkeypatch.setattr(batch, "record_many", crash)
    return written


def values_set_entries() -> int:
    return AuditEntry.objects.filter(event="datavalues.values_set").count()


@pytest.mark.parametrize(
    ("failure", "status_after"),
    [(RuntimeError("mất kết nối"), ImportStatus.FAILED), (WorkerKilled(), ImportStatus.RUNNING)],
    ids=["exception", "abrupt-stop"],
)
def test_a_failed_import_leaves_nothing_and_runs_again(
    hierarchy, forms, monkeypatch, failure, status_after
):
    job = queued_job()
    before = DataValue.objects.count()
    written = crash_after_writing(monkeypatch, failure)
    with pytest.raises(type(failure)):
        execute_import(job.pk)
    assert written["rows"] == before + VALUES_IN_FILE  # the crash came after the writes...
    assert DataValue.objects.count() == before  # ...and none of them survived
    assert values_set_entries() == 0
    assert ImportJob.objects.get(pk=job.pk).status == status_after

    monkeypatch.undo()
    job = execute_import(job.pk)
    assert job.status == ImportStatus.DONE
    assert job.summary["created"] == VALUES_IN_FILE
    assert DataValue.objects.count() == before + VALUES_IN_FILE
    assert execute_import(job.pk).status == ImportStatus.DONE  # a done job is not run twice
    assert DataValue.objects.count() == before + VALUES_IN_FILE


CHILD = textwrap.dedent(
    """
    import os, sys, time
    os.environ["DJANGO_SETTINGS_MODULE"] = "kieumau.config.settings"
    import django
    django.setup()
    from kieumau.datavalues import batch
    from kieumau.datavalues.imports import execute_import
    from kieumau.datavalues.models import DataValue

    def hang(**kwargs):
        print("WRITTEN", DataValue.objects.count(), flush=True)
        time.sleep(600)

    batch.record_many = hang
    execute_import(int(sys.argv[1]))
    """
)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_worker_process_killed_mid_import_leaves_nothing(hierarchy, forms):
    job = queued_job()
    before = DataValue.objects.count()
    env = {**os.environ, "KIEUMAU_DATABASE_URL": database_url()}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(job.pk)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = child.stdout.readline()
        assert line.startswith("WRITTEN"), line + child.stderr.read()
        assert int(line.split()[1]) == before + VALUES_IN_FILE  # inside the child's transaction
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=60)
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    assert DataValue.objects.count() == before
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.RUNNING

    job = execute_import(job.pk)  # the retry: what `db_worker` does when the task runs again
    assert job.status == ImportStatus.DONE
    assert DataValue.objects.count() == before + VALUES_IN_FILE
