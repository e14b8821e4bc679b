"""Pages: the dashboard (nation → province → unit) and its tables as an Excel download."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import format_html_join

from kieumau.accounts.permissions import VIEW_DASHBOARDS
from kieumau.core.errors import DomainError, NotFound
from kieumau.core.web import require_perm
from kieumau.dashboards import selectors
from kieumau.dashboards.exports import PANEL_TITLES, workbook_bytes
from kieumau.orgunits.selectors import parse_as_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUS_CLASSES = ("met", "not_met", "missing_data", "not_applicable")


GLYPHS = {"met": "✓", "not_met": "✗", "missing_data": "?", "not_applicable": "–"}


def _cells(statuses: list[str]) -> str:
    """One heatmap row's cells, built here: a province has thousands of cells, too many for
    a template loop to render quickly."""
    return format_html_join(
        "",
        '<td class="cell st-{}">{}</td>',
        ((s or "none", GLYPHS.get(s, "·")) for s in statuses),
    )


def _board(request):
    as_of = parse_as_of(request.GET.get("as_of"))
    return selectors.dashboard(
        request.user,
        under=request.GET.get("under", "").strip() or None,
        year=request.GET.get("year"),
        as_of=as_of,
    )


@require_perm(VIEW_DASHBOARDS)
def index(request):
    context = {"board": None, "error": None, "panels": PANEL_TITLES}
    try:
        board = _board(request)
    except NotFound:
        raise
    except DomainError as exc:
        context["error"] = exc.summary()
        context["as_of"] = timezone.localdate()
        return render(request, "dashboards/index.html", context, status=400)
    context |= {
        "board": board,
        "data": board.as_dict(),
        "as_of": board.as_of,
        "heatmap_rows": [(row, _cells(row["statuses"])) for row in board.heatmap],
    }
    query = {"under": board.root.code, "year": board.year, "as_of": board.as_of.isoformat()}
    context["query"] = "&".join(f"{k}={v}" for k, v in query.items())
    return render(request, "dashboards/index.html", context)


@require_perm(VIEW_DASHBOARDS)
def export(request):
    try:
        board = _board(request)
    except NotFound:
        raise
    except DomainError as exc:
        return HttpResponse(exc.summary(), status=400, content_type="text/plain; charset=utf-8")
    panel = request.GET.get("panel", "").strip() or None
    content = workbook_bytes(board, panel)
    name = f"dashboard-{board.root.code}-{board.year}{'-' + panel if panel else ''}.xlsx"
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
