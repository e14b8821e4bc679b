"""Background generation of a report, its progress saved on the report row for the bar."""

from django_tasks import task

from kieumau.reports.services import generate


@task()
def run_report(report_id: int) -> str:
    """Generate one queued report; returns the SHA-256 of its Word file."""
    return generate(report_id).sha256
