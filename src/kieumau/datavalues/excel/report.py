"""A refused import as a workbook people can sort, filter and fix from: sheet, cell, value, why."""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from kieumau.core.errors import Problem
from kieumau.datavalues.excel.safe_text import put_text

HEADERS = ("Trang", "Ô", "Giá trị", "Lý do", "Reason (English)")
WIDTHS = (24, 10, 24, 80, 40)
SHEET_TITLE = "Lỗi"


def _where_cell(problem: Problem) -> str:
    """The cell, or "dòng N" for a problem that only knows its row."""
    if problem.cell:
        return problem.cell
    return f"dòng {problem.row}" if problem.row is not None else ""


def error_report_xlsx(problems: list[Problem]) -> bytes:
    """The problems as an xlsx with columns Trang, Ô, Giá trị, Lý do and the English reason.

    Protects the person reading it: every text cell, values from the uploaded file included,
    goes through `put_text`, so a value such as `=HYPERLINK(...)` that was refused is shown as
    text and never runs when the report is opened.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    bold = Font(bold=True, color="FFFFFFFF")
    fill = PatternFill("solid", fgColor="FF1F4E79")
    for col, (title, width) in enumerate(zip(HEADERS, WIDTHS, strict=True), start=1):
        cell = ws.cell(row=1, column=col)
        put_text(cell, title)
        cell.font = bold
        cell.fill = fill
        ws.column_dimensions[cell.column_letter].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, problem in enumerate(problems, start=2):
        texts = (
            problem.sheet or "",
            _where_cell(problem),
            problem.value or "",
            problem.message,
            problem.message_en,
        )
        for col, text in enumerate(texts, start=1):
            cell = ws.cell(row=r, column=col)
            if text:
                put_text(cell, text)
            cell.alignment = wrap
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:E{max(len(problems) + 1, 1)}"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
