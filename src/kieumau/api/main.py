"""The API under /api/v1/: one NinjaAPI, each app registers its router here."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest
from ninja import NinjaAPI

from kieumau.api.auth import SessionUserAuth, TokenAuth
from kieumau.core.errors import DomainError

log = logging.getLogger(__name__)

api = NinjaAPI(
    title="kieumau API",
    version="1",
    description=(
        "API của hệ thống Công an phường điển hình, kiểu mẫu. Xác thực bằng mã truy cập "
        "(Authorization: Bearer km_…) hoặc phiên đăng nhập. Đơn vị ngoài phạm vi trả về 404."
    ),
    auth=[TokenAuth(), SessionUserAuth()],
    urls_namespace="api",
)


def error_body(exc: DomainError) -> dict:
    """The JSON every refusal answers with: a summary and each problem (message, field, row)."""
    return {
        "detail": exc.summary(),
        "errors": [
            {k: v for k, v in p.as_dict().items() if k != "located"}
            | {"field": p.field, "row": p.row}
            for p in exc.problems
        ],
    }


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError):
    body = error_body(exc)
    current = getattr(exc, "current", None)
    if current is not None:
        # A refusal that depends on the object's state (409) says what that state is now.
        body["current"] = current
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def database_unavailable(request: HttpRequest, exc: Exception):
    """The database dropped the connection or is busy: a clean 503 the client may retry.

    Django discards the broken connection at the end of the request, so the next call works
    again without restarting anything; the traceback goes to the log, never to the client.
    """
    log.error("database unavailable during %s %s: %r", request.method, request.path, exc)
    message = "cơ sở dữ liệu tạm thời không truy cập được; hãy thử lại sau ít phút"
    return api.create_response(
        request, {"detail": message, "errors": [{"message": message}]}, status=503
    )


def _register() -> None:
    from kieumau.assessments.api import router as assessments_router
    from kieumau.dashboards.api import router as dashboards_router
    from kieumau.datavalues.api import router as datavalues_router
    from kieumau.evaluation.api import router as evaluation_router
    from kieumau.feedback.api import router as feedback_router
    from kieumau.orgunits.api import router as orgunits_router
    from kieumau.plans.api import router as plans_router
    from kieumau.reports.api import router as reports_router
    from kieumau.workitems.api import router as workitems_router

    api.add_router("/units", orgunits_router, tags=["units"])
    api.add_router("/units", evaluation_router, tags=["evaluation"])
    api.add_router("/datavalues", datavalues_router, tags=["datavalues"])
    api.add_router("/assessments", assessments_router, tags=["assessments"])
    api.add_router("/plans", plans_router, tags=["plans"])
    api.add_router("/workitems", workitems_router, tags=["workitems"])
    api.add_router("/feedback", feedback_router, tags=["feedback"])
    api.add_router("/reports", reports_router, tags=["reports"])
    api.add_router("/dashboards", dashboards_router, tags=["dashboards"])


_register()
