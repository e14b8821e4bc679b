"""Uploaded workbooks as background jobs: queued with their bytes, run by the worker.

The job keeps the file so a worker killed half-way leaves nothing partial (the import is one
transaction) and the job can simply run again.
"""

import hashlib

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from kieumau.accounts.permissions import ENTER_DATA
from kieumau.accounts.scope import has_perm
from kieumau.audit.services import record
from kieumau.core.actors import SystemActor
from kieumau.core.errors import DomainError, NotFound, ValidationFailed
from kieumau.core.text import clean_filename
from kieumau.datavalues.choices import ImportStatus
from kieumau.datavalues.models import ImportJob


def upload_limit() -> int:
    """The largest accepted upload in bytes (KIEUMAU_UPLOAD_MAX_BYTES, default 10 MB)."""
    return int(getattr(settings, "KIEUMAU_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


@transaction.atomic
def queue_import(*, actor, upload) -> ImportJob:
    """Store an uploaded workbook as a queued job, audited; refuses a missing or oversized file.

    The size is checked before the bytes are read into memory, so an oversized upload costs
    nothing; every other check runs in the worker with the same rules as the CLI.
    """
    if not has_perm(actor, ENTER_DATA):
        raise NotFound.single("không tìm thấy", "not found")
    if upload is None:
        raise ValidationFailed.single("chưa chọn tệp Excel", "no file", field="file")
    limit = upload_limit()
    if upload.size > limit:
        raise ValidationFailed.single(
            f"tệp {upload.size / 1024 / 1024:.1f} MB vượt giới hạn {limit / 1024 / 1024:.0f} MB",
            "file too large",
            field="file",
        )
    content = upload.read()
    job = ImportJob.objects.create(
        filename=clean_filename(upload.name or "") or "upload.xlsx",
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    record(
        actor=actor,
        event="datavalues.import_queued",
        target=job,
        target_repr=job.filename,
        after={"sha256": job.sha256, "bytes": len(content)},
    )
    transaction.on_commit(lambda: run_import_job.enqueue(job.pk))
    return job


def execute_import(job_id: int) -> ImportJob:
    """Run one queued import now; the result, or every problem found, is saved on the job."""
    from kieumau.datavalues.excel.imports import import_workbook

    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status == ImportStatus.DONE:
        return job
    ImportJob.objects.filter(pk=job_id).update(status=ImportStatus.RUNNING, progress=1)
    actor = job.created_by or SystemActor("worker")

    def progress(percent: int, stage: str) -> None:
        ImportJob.objects.filter(pk=job_id).update(progress=percent, message=stage)

    try:
        result = import_workbook(
            actor=actor, data=bytes(job.content), filename=job.filename, progress=progress
        )
    except DomainError as exc:
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.REFUSED,
            progress=100,
            message=f"{len(exc.problems)} lỗi; không có giá trị nào được ghi",
            problems=[p.as_dict() for p in exc.problems],
            finished_at=timezone.now(),
        )
    except Exception as exc:
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.FAILED,
            message=f"lỗi hệ thống, không có giá trị nào được ghi: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    else:
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.DONE,
            progress=100,
            summary=result.as_dict(),
            message=(
                f"đã ghi {result.created} giá trị mới, sửa {result.updated}, "
                f"{result.unchanged} không đổi"
            ),
            finished_at=timezone.now(),
        )
    return ImportJob.objects.get(pk=job_id)


@task()
def run_import_job(job_id: int) -> str:
    """The worker's entry point for an import job."""
    return execute_import(job_id).status
