"""API: write periodic values (the same pipeline as forms and Excel), read them, report status."""

from typing import Any

from ninja import Field, Router, Schema

from kieumau.core.errors import ValidationFailed
from kieumau.datavalues import selectors
from kieumau.datavalues.batch import Entry, apply_entries
from kieumau.orgunits.schemas import ErrorOut

router = Router()

MAX_VALUES = 100_000
"""The most values one request may carry; larger loads go through Excel or several requests."""


class ValueIn(Schema):
    unit: str = Field(..., max_length=40, description="Mã đơn vị, ví dụ HY-TPHY-ANTAO")
    indicator: str = Field(..., max_length=64, description="Mã chỉ tiêu, ví dụ drug_users")
    period: str = Field(..., max_length=10, description="Kỳ: 2025, 2025H1, 2025Q3, 2025-05")
    value: Any = Field(..., description="Số, có/không, lựa chọn, ngày dd/mm/yyyy hoặc văn bản")
    expected_revision: int | None = Field(
        None, ge=0, description="Phiên bản bạn đã đọc (0 = trống); khác thì trả về 409"
    )


class ProblemOut(Schema):
    message: str
    message_en: str = ""
    located: str = ""
    field: str | None = None
    row: int | None = None


class WriteOut(Schema):
    created: int
    updated: int
    unchanged: int
    warnings: list[ProblemOut]


class ValueOut(Schema):
    indicator: str
    value: Any
    revision: int
    updated_at: str
    updated_by: str | None


class StatusRowOut(Schema):
    code: str
    name: str
    status: str
    submitted_at: str | None
    on_time: bool | None
    due: str


class StatusOut(Schema):
    form: str
    period: str
    total: int
    on_time: int
    late: int
    missing: int
    overdue: int
    units: list[StatusRowOut]


@router.post(
    "", response={200: WriteOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
)
def write_values(request, values: list[ValueIn]):
    """Write a list of {unit, indicator, period, value}: all are validated, then all or none land.

    Each problem in a refusal names its position in the list (`row`, from 1). A value changed
    by someone else since `expected_revision` refuses the request with 409.
    """
    if not values:
        raise ValidationFailed.single("danh sách giá trị trống", "empty list")
    if len(values) > MAX_VALUES:
        raise ValidationFailed.single(
            f"tối đa {MAX_VALUES:,} giá trị mỗi lần gửi".replace(",", "."), "too many values"
        )
    entries = [
        Entry(
            unit=v.unit,
            indicator=v.indicator,
            period=v.period,
            raw=v.value,
            row=i,
            expected_revision=v.expected_revision,
        )
        for i, v in enumerate(values, start=1)
    ]
    return apply_entries(actor=request.auth, entries=entries, source="api").as_dict()


@router.get("", response={200: list[ValueOut], 404: ErrorOut, 422: ErrorOut})
def read_values(request, unit: str, period: str):
    """The stored values of one unit and period (404 when the unit is out of your scope)."""
    return [
        {
            "indicator": dv.indicator.code,
            "value": dv.value,
            "revision": dv.revision,
            "updated_at": dv.updated_at.isoformat(),
            "updated_by": dv.updated_by.get_username() if dv.updated_by else None,
        }
        for dv in selectors.values_of(request.auth, unit, period)
    ]


@router.get("/status", response={200: StatusOut, 404: ErrorOut, 422: ErrorOut})
def report_status(request, form: str, period: str, under: str | None = None):
    """Which units have submitted `form` for `period`, on time or late, and which have not."""
    data = selectors.report_status(request.auth, form, period, under)
    s = data["summary"]
    return {
        "form": form,
        "period": data["period"].code,
        "total": s.total,
        "on_time": s.on_time,
        "late": s.late,
        "missing": s.missing,
        "overdue": s.overdue,
        "units": [
            {
                "code": r.code,
                "name": r.name,
                "status": r.status,
                "submitted_at": r.submitted_at.isoformat() if r.submitted_at else None,
                "on_time": r.on_time,
                "due": r.due.isoformat(),
            }
            for r in data["rows"]
        ],
    }
