"""Rendering a planned template into openpyxl sheets: titles, headers, cells, drop-downs, locks.

Pure presentation of what `template` decided; no database access here. The positions come from
`layout` so the reader finds exactly what was written.
"""

import datetime as dt
from dataclasses import dataclass, field

from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties

from kieumau.datavalues.excel import layout as L
from kieumau.datavalues.excel.safe_text import put_text
from kieumau.engine import Period
from kieumau.engine.numbers import format_number

YES, NO = "Có", "Không"

_THIN = Side(style="thin", color="FFB0B0B0")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="FFDDE7F3")
_SECTION_FILL = PatternFill("solid", fgColor="FFC5D6EC")
_HINT_FILL = PatternFill("solid", fgColor="FFF2F2F2")
_INPUT_FILL = PatternFill("solid", fgColor="FFFFFFFF")
_UNLOCKED = Protection(locked=False)
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")
_WRAP_CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
_NUMBER_FORMATS = {
    "integer": "#,##0",
    "decimal": "#,##0.##",
    "percentage": "0.0",
    "date": "DD/MM/YYYY",
}
_WHOLE_LIMIT = 999_999_999_999_999
_DATE_MIN, _DATE_MAX = dt.date(1990, 1, 1), dt.date(2100, 12, 31)


@dataclass(frozen=True)
class Column:
    """One indicator column as the template shows it."""

    code: str
    name_vi: str
    section: str
    unit_vi: str
    value_type: str
    min_value: float | None
    max_value: float | None
    choices: tuple[str, ...]
    required: bool


@dataclass(frozen=True)
class Row:
    """One unit row."""

    code: str
    name: str


@dataclass
class SheetPlan:
    """Everything one data sheet shows: which form, period, units, indicators and values."""

    name: str
    form_code: str
    form_name: str
    period: Period
    scope_label: str
    rows: list[Row]
    columns: list[Column]
    values: dict[tuple[str, str], object] = field(default_factory=dict)


class Lists:
    """The drop-down lists, written once each into `_kieumau` from column J on.

    Protects the drop-downs from Excel's 255-character limit on inline lists and from choices
    that contain commas: each list lives in its own column and validations point at it.
    """

    def __init__(self) -> None:
        """No list yet; `range_for` adds them as columns need them."""
        self.columns: list[tuple[str, ...]] = []

    def range_for(self, items: tuple[str, ...]) -> str:
        """An absolute reference to the list `items` on the hidden sheet (added if new)."""
        if items not in self.columns:
            self.columns.append(items)
        col = get_column_letter(L.LIST_FIRST_COL + self.columns.index(items))
        return f"{quote_sheetname(L.META_SHEET)}!${col}$1:${col}${len(items)}"

    def write(self, ws) -> None:
        """Put every list into its own column of `_kieumau`, from column J."""
        for offset, items in enumerate(self.columns):
            for i, item in enumerate(items, start=1):
                put_text(ws.cell(row=i, column=L.LIST_FIRST_COL + offset), item)


def _num(value: float) -> str:
    """A bound as Vietnamese readers write it (1.000; 0,5)."""
    return format_number(int(value) if float(value).is_integer() else value)


def _formula_number(value: float) -> str:
    """A bound as a validation formula writes it: plain digits, a point for decimals."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _bounds(col: Column) -> tuple[float | None, float | None]:
    """The bounds a column enforces: the indicator's own, percentages 0-100 by default."""
    low, high = col.min_value, col.max_value
    if col.value_type == "percentage":
        low = 0 if low is None else low
        high = 100 if high is None else high
    return low, high


def _number_rule(col: Column) -> str:
    """What a number column accepts, in words: "số nguyên ≥ 0", "tỷ lệ % từ 0 đến 100"."""
    low, high = _bounds(col)
    what = {"integer": "số nguyên", "decimal": "số", "percentage": "tỷ lệ %"}[col.value_type]
    if low is not None and high is not None:
        return f"{what} từ {_num(low)} đến {_num(high)}"
    if low is not None:
        return f"{what} ≥ {_num(low)}"
    if high is not None:
        return f"{what} ≤ {_num(high)}"
    return what


def hint(col: Column) -> str:
    """The short hint under an indicator's name: unit, what to type, bounds, optional."""
    if col.value_type in {"integer", "decimal", "percentage"}:
        unit = col.unit_vi if col.unit_vi and col.unit_vi != "%" else ""
        text = f"{unit}; {_number_rule(col)}" if unit else _number_rule(col)
    elif col.value_type == "boolean":
        text = f"{YES} / {NO}"
    elif col.value_type == "choice":
        text = "chọn trong danh sách"
    elif col.value_type == "date":
        text = "ngày (dd/mm/yyyy)"
    else:
        text = "văn bản"
    return text if col.required else f"{text}; không bắt buộc"


def _title(text: str) -> str:
    """An input-hint title within Excel's 32-character limit."""
    return text if len(text) <= 32 else text[:31] + "…"


def _validation(col: Column, lists: Lists) -> DataValidation:
    """The drop-down or number check of one column, with an input hint and a Vietnamese error.

    Protects entry at the source: Excel itself refuses a word in a number column or a choice
    not in the list before the file is ever uploaded (the server checks everything again).
    """
    low, high = _bounds(col)
    kwargs: dict = {}
    if col.value_type in {"integer", "decimal", "percentage"}:
        kwargs["type"] = "whole" if col.value_type == "integer" else "decimal"
        kwargs["operator"] = "between"
        kwargs["formula1"] = _formula_number(low if low is not None else -_WHOLE_LIMIT)
        kwargs["formula2"] = _formula_number(high if high is not None else _WHOLE_LIMIT)
        error = f"Hãy nhập {_number_rule(col)}."
    elif col.value_type == "boolean":
        kwargs["type"] = "list"
        kwargs["formula1"] = lists.range_for((YES, NO))
        error = f"Hãy chọn {YES} hoặc {NO}."
    elif col.value_type == "choice":
        kwargs["type"] = "list"
        kwargs["formula1"] = lists.range_for(col.choices)
        error = "Hãy chọn một giá trị trong danh sách."
    elif col.value_type == "date":
        kwargs["type"] = "date"
        kwargs["operator"] = "between"
        kwargs["formula1"] = str((_DATE_MIN - dt.date(1899, 12, 30)).days)
        kwargs["formula2"] = str((_DATE_MAX - dt.date(1899, 12, 30)).days)
        error = "Hãy nhập một ngày dạng dd/mm/yyyy."
    else:
        kwargs["type"] = "textLength"
        kwargs["operator"] = "lessThanOrEqual"
        kwargs["formula1"] = "2000"
        error = "Văn bản dài tối đa 2.000 ký tự."
    return DataValidation(
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle="Giá trị không hợp lệ",
        error=error[:255],
        showInputMessage=True,
        promptTitle=_title(col.name_vi),
        prompt=f"{col.name_vi}: {hint(col)}"[:255],
        **kwargs,
    )


def _cell_value(col: Column, value):
    """The stored value as the cell shows it: numbers stay numbers, yes/no as Có/Không."""
    if col.value_type == "boolean" and isinstance(value, bool):
        return YES if value else NO
    if col.value_type == "date" and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _put(cell, value) -> None:
    """Write a value: text through `put_text` (never a formula), anything else as is."""
    if isinstance(value, str):
        put_text(cell, value)
    else:
        cell.value = value


def write_data_sheet(ws, plan: SheetPlan, lists: Lists) -> None:
    """Render one data sheet: title, headers, hidden codes, pre-filled cells, checks, locks.

    Protects the layout the reader relies on: every cell except the value cells is locked (sheet
    protection without password, so nobody types into a header by accident), the codes are
    hidden, and all text goes through `put_text` so nothing exported can run as a formula.
    """
    last_col = max(L.FIRST_VALUE_COL + len(plan.columns) - 1, L.NAME_COL)
    last_letter = get_column_letter(last_col)
    first_row, last_row = L.FIRST_DATA_ROW, L.FIRST_DATA_ROW + len(plan.rows) - 1

    put_text(ws.cell(row=L.TITLE_ROW, column=L.NUMBER_COL), plan.form_name)
    ws.cell(row=L.TITLE_ROW, column=L.NUMBER_COL).font = Font(bold=True, size=14)
    put_text(
        ws.cell(row=L.PERIOD_ROW, column=L.NUMBER_COL),
        f"Kỳ báo cáo: {plan.period.label_vi} ({plan.period.code}) — {plan.scope_label}",
    )
    ws.cell(row=L.PERIOD_ROW, column=L.NUMBER_COL).font = Font(bold=True)
    put_text(
        ws.cell(row=L.NOTE_ROW, column=L.NUMBER_COL),
        "Nhập số liệu vào các ô trắng. Ô để trống là chưa có số liệu (không xóa số liệu đã "
        "lưu). Không thêm, xóa, đổi tên trang hay sắp xếp lại dòng, cột; không dùng công thức.",
    )
    ws.cell(row=L.NOTE_ROW, column=L.NUMBER_COL).font = Font(italic=True, color="FF555555")
    for row in (L.TITLE_ROW, L.PERIOD_ROW, L.NOTE_ROW):
        ws.merge_cells(start_row=row, start_column=L.NUMBER_COL, end_row=row, end_column=last_col)

    put_text(ws.cell(row=L.SECTION_ROW, column=L.NUMBER_COL), "Đơn vị")
    ws.merge_cells(
        start_row=L.SECTION_ROW,
        start_column=L.NUMBER_COL,
        end_row=L.SECTION_ROW,
        end_column=L.NAME_COL,
    )
    put_text(ws.cell(row=L.LABEL_ROW, column=L.NUMBER_COL), "STT")
    put_text(ws.cell(row=L.LABEL_ROW, column=L.NAME_COL), "Tên đơn vị")
    for col in range(L.NUMBER_COL, last_col + 1):
        for row in (L.SECTION_ROW, L.LABEL_ROW, L.HINT_ROW):
            cell = ws.cell(row=row, column=col)
            cell.border = _BORDER
            cell.alignment = _WRAP_CENTER
            cell.fill = _SECTION_FILL if row == L.SECTION_ROW else _HEADER_FILL
            if row != L.HINT_ROW:
                cell.font = Font(bold=True)
            else:
                cell.fill = _HINT_FILL
                cell.font = Font(italic=True, size=9)

    put_text(ws.cell(row=L.CODE_ROW, column=L.CODE_COL), "mã")
    start = L.FIRST_VALUE_COL
    for i, col in enumerate(plan.columns):
        index = L.FIRST_VALUE_COL + i
        put_text(ws.cell(row=L.LABEL_ROW, column=index), col.name_vi)
        put_text(ws.cell(row=L.HINT_ROW, column=index), hint(col))
        put_text(ws.cell(row=L.CODE_ROW, column=index), col.code)
        ws.column_dimensions[get_column_letter(index)].width = 18
        last_of_section = i + 1 == len(plan.columns) or plan.columns[i + 1].section != col.section
        if last_of_section:
            put_text(ws.cell(row=L.SECTION_ROW, column=start), col.section or "")
            if index > start:
                ws.merge_cells(
                    start_row=L.SECTION_ROW,
                    start_column=start,
                    end_row=L.SECTION_ROW,
                    end_column=index,
                )
            start = index + 1

    formats = [_NUMBER_FORMATS.get(col.value_type) for col in plan.columns]
    for n, unit in enumerate(plan.rows):
        r = first_row + n
        put_text(ws.cell(row=r, column=L.CODE_COL), unit.code)
        number = ws.cell(row=r, column=L.NUMBER_COL, value=n + 1)
        number.border = _BORDER
        name = ws.cell(row=r, column=L.NAME_COL)
        put_text(name, unit.name)
        name.border = _BORDER
        for i, col in enumerate(plan.columns):
            cell = ws.cell(row=r, column=L.FIRST_VALUE_COL + i)
            value = plan.values.get((unit.code, col.code))
            if value is not None:
                _put(cell, _cell_value(col, value))
            cell.protection = _UNLOCKED
            cell.border = _BORDER
            cell.fill = _INPUT_FILL
            if formats[i]:
                cell.number_format = formats[i]

    if plan.rows:
        for i, col in enumerate(plan.columns):
            letter = get_column_letter(L.FIRST_VALUE_COL + i)
            validation = _validation(col, lists)
            ws.add_data_validation(validation)
            validation.add(f"{letter}{first_row}:{letter}{last_row}")

    ws.column_dimensions["A"].hidden = True
    ws.column_dimensions[get_column_letter(L.NUMBER_COL)].width = 6
    ws.column_dimensions[get_column_letter(L.NAME_COL)].width = 30
    ws.row_dimensions[L.CODE_ROW].hidden = True
    ws.row_dimensions[L.LABEL_ROW].height = 75
    ws.row_dimensions[L.NOTE_ROW].height = 30
    ws.cell(row=L.NOTE_ROW, column=L.NUMBER_COL).alignment = _WRAP_TOP
    ws.freeze_panes = ws.cell(row=first_row, column=L.FIRST_VALUE_COL)
    ws.print_title_rows = f"{L.SECTION_ROW}:{L.HINT_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_area = f"B1:{last_letter}{max(last_row, L.HINT_ROW)}"
    protection = ws.protection
    protection.sheet = True
    protection.formatColumns = False
    protection.formatRows = False


def write_meta_sheet(ws, rows: list[tuple[str, ...]], lists: Lists) -> None:
    """Render `_kieumau`: the layout rows in columns A-D, the drop-down lists from J on.

    Very hidden (Excel offers no menu to show it) and protected, so only a deliberate edit can
    change it — and that edit breaks its hash.
    """
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            if value:
                put_text(ws.cell(row=r, column=c), value)
    lists.write(ws)
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True
