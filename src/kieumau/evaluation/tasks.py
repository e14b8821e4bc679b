"""Background evaluation of a subtree or the nation, reporting progress to its job row."""

from django.utils import timezone
from django_tasks import task

from kieumau.core.actors import SystemActor
from kieumau.evaluation.models import EvaluationJob
from kieumau.evaluation.services import evaluate_subtree


@task()
def run_evaluation_job(job_id: int) -> int:
    """Run one EvaluationJob; progress is saved as it goes so the page can show a bar."""
    job = EvaluationJob.objects.select_related("root", "created_by").get(pk=job_id)
    job.status = EvaluationJob.Status.RUNNING
    job.save(update_fields=["status"])

    def progress(done: int, total: int) -> None:
        EvaluationJob.objects.filter(pk=job_id).update(done=done, total=total)

    actor = job.created_by or SystemActor("worker")
    try:
        count = evaluate_subtree(
            actor=actor, root_code=job.root.code, period_code=job.period, progress=progress
        )
    except Exception as exc:
        EvaluationJob.objects.filter(pk=job_id).update(
            status=EvaluationJob.Status.FAILED, message=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    EvaluationJob.objects.filter(pk=job_id).update(
        status=EvaluationJob.Status.DONE, done=count, total=count, finished_at=timezone.now()
    )
    return count
