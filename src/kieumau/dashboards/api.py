"""The dashboards API under /api/v1/dashboards/: the dashboard's data as JSON."""

from django.http import JsonResponse
from ninja import Router

from kieumau.dashboards import selectors
from kieumau.orgunits.schemas import ErrorOut
from kieumau.orgunits.selectors import parse_as_of

router = Router()


@router.get("", response={200: dict, 400: ErrorOut, 404: ErrorOut}, summary="Dashboard data")
def dashboard(request, under: str = "", year: str = "", as_of: str = ""):
    """Số liệu bảng điều khiển của một đơn vị (mặc định: đơn vị cao nhất trong phạm vi) cho một
    năm, cơ cấu tổ chức theo ngày `as_of`. Đơn vị ngoài phạm vi trả về 404."""
    board = selectors.dashboard(
        request.auth, under=under.strip() or None, year=year, as_of=parse_as_of(as_of)
    )
    # Already plain JSON types: answered as is (validating the nested dict costs more than
    # computing a cached national dashboard).
    return JsonResponse(board.as_dict(), json_dumps_params={"ensure_ascii": False})
