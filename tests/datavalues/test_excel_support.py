"""Fixtures and helpers shared by the Excel tests (this module holds no tests itself).

Data: the `hierarchy` fixture (tests/conftest.py) and `forms` (tests/datavalues/conftest.py: the
default 22 criteria and the default report forms). Under province A in May 2025: A-W1 (Phường Một) and A-W2 (Phường Hai); from July 2025:
A-W1 and A-W9. BC-THANG (monthly) has 8 indicators, D..K on its sheet, units from row 8.
"""

import datetime as dt
import io
import zipfile

import openpyxl
import pytest

from kieumau.audit.models import AuditEntry
from kieumau.core.actors import CLI
from kieumau.datavalues.excel import build_template
from kieumau.datavalues.forms_loader import import_forms
from kieumau.datavalues.models import DataValue

MAY = "2025-05"
MAY_SHEET = "BC-THANG 2025-05"
OPEN_DAY = dt.date(2025, 6, 1)
"""A day on which May 2025's monthly report is open for entry (it closes on 18/8/2025)."""

MONTHLY_CODES = [
    "crime_reports_received",
    "crime_reports_handled_on_time",
    "crime_reports_on_time_pct",
    "crime_social_order",
    "dossiers_settled",
    "dossiers_on_time",
    "dossiers_early",
    "dossiers_on_time_pct",
]
VALID_ROW = [10, 8, 80, 3, 20, 15, 5, 75]
"""Values for D..K of one unit that pass BC-THANG's checks (8/10 = 80%, 15/20 = 75%)."""

EXTRA_FORM = """
format: 1
forms:
  - code: BC-THU
    name_vi: Biểu mẫu thử ngày và văn bản
    period: month
    unit_kinds: [ward]
    extra_indicators:
      inspection_date: {name_vi: Ngày kiểm tra gần nhất, type: date, period: month, aggregation: last}
      inspection_note: {name_vi: Ghi chú kiểm tra, type: text, period: month, aggregation: last}
    sections:
      - name_vi: Kiểm tra
        indicators: [inspection_date, inspection_note]
"""


@pytest.fixture
def extra_form(hierarchy, forms):
    """A monthly test form with a date and a text indicator (the default forms have neither)."""
    import_forms(actor=CLI, text=EXTRA_FORM)


@pytest.fixture
def admin_a(hierarchy, forms, make_user):
    """A province administrator of A (enters data for A's wards; windows apply)."""
    return make_user("province_admin", "A")


def may_template(**kwargs) -> bytes:
    """The monthly template of province A for May 2025, built for the CLI actor by default."""
    kwargs.setdefault("actor", CLI)
    return build_template(under_code="A", period_code=MAY, **kwargs)


def open_book(data: bytes, **kwargs) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data), **kwargs)


def save_book(wb: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def fill(data: bytes, cells: dict[str, object], sheet: str = MAY_SHEET) -> bytes:
    """`data` with the given cells ("D8": value) of `sheet` set, as a person would in Excel."""
    wb = open_book(data)
    ws = wb[sheet]
    for ref, value in cells.items():
        ws[ref] = value
    return save_book(wb)


def row_cells(row: int, values: list, first_col: str = "D") -> dict[str, object]:
    """{"D8": v1, "E8": v2, ...} for consecutive columns from `first_col`."""
    start = openpyxl.utils.column_index_from_string(first_col)
    return {f"{openpyxl.utils.get_column_letter(start + i)}{row}": v for i, v in enumerate(values)}


def filled_may(**kwargs) -> bytes:
    """May's template with both wards fully filled with valid values."""
    return fill(may_template(**kwargs), {**row_cells(8, VALID_ROW), **row_cells(9, VALID_ROW)})


def rezip(
    data: bytes,
    *,
    replace: dict[str, bytes] | None = None,
    add: dict[str, bytes] | None = None,
    drop: set[str] = frozenset(),
) -> bytes:
    """The zip `data` with parts replaced, added or dropped (what a hostile tool could do)."""
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename in drop:
                continue
            content = replace.get(info.filename, src.read(info.filename))
            dst.writestr(info.filename, content, compress_type=zipfile.ZIP_DEFLATED)
        for name, content in add.items():
            dst.writestr(name, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def part(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read(name)


def counts() -> tuple[int, int, int]:
    """(data values, value audit entries, all audit entries): what an import may change."""
    return (
        DataValue.objects.count(),
        AuditEntry.objects.filter(event="datavalues.values_set").count(),
        AuditEntry.objects.count(),
    )


def stored(unit: str, period: str = MAY) -> dict[str, object]:
    rows = DataValue.objects.filter(unit__code=unit, period=period)
    return dict(rows.values_list("indicator__code", "value"))
