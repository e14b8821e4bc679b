"""Reads of generated reports and schedules, always through the scope chokepoint."""

from kieumau.accounts.permissions import VIEW_REPORTS
from kieumau.core.errors import NotFound
from kieumau.reports.models import GeneratedReport, ReportSchedule

LIST_LIMIT = 100


def visible_reports(actor):
    """Every report the actor may read (reports of units within their reports.view scope)."""
    return GeneratedReport.objects.visible_to(actor, VIEW_REPORTS)


def report_list(
    actor, *, kind: str | None = None, limit: int = LIST_LIMIT
) -> list[GeneratedReport]:
    """The newest reports the actor may read, with their unit (one query).

    Protects scope through `visible_to`: a province reads its own reports, the Ministry all.
    """
    reports = visible_reports(actor).select_related("unit")
    if kind:
        reports = reports.filter(kind=kind)
    return list(reports[:limit])


def get_report(actor, report_id) -> GeneratedReport:
    """One report if the actor may read it; NotFound otherwise (also when it does not exist)."""
    report = visible_reports(actor).select_related("unit").filter(pk=report_id).first()
    if report is None:
        raise NotFound.single("không tìm thấy báo cáo", "report not found")
    return report


def schedule_list(actor) -> list[ReportSchedule]:
    """The schedules of units within the actor's reports.view scope (one query)."""
    return list(ReportSchedule.objects.visible_to(actor, VIEW_REPORTS).select_related("unit"))
