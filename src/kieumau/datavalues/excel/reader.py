"""Reading a filled template back into entries for `apply_entries`, refusing what is not one.

The reader trusts nothing it did not write: the hidden sheet must still match its hash, every
sheet it lists must be there and nothing else, the hidden codes must be where they were, and
the value area may hold only values — no formulas, no error cells, no merged cells, nothing
outside it. Each refusal names the sheet, the cell and the value. Empty cells are "no value"
(they never delete a stored value). Checking the values themselves (types, bounds, scope,
entry window, the forms' checks) is left to `apply_entries`, the one write path.
"""

import datetime as dt
import io
from collections.abc import Callable

from django.db import DatabaseError
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

from kieumau.core.errors import DomainError, Problem
from kieumau.criteria.models import Indicator
from kieumau.datavalues.batch import Entry
from kieumau.datavalues.excel import layout as L
from kieumau.datavalues.excel.errors import refuse
from kieumau.datavalues.excel.package import Package, PackageError, merged_ranges
from kieumau.datavalues.excel.safety import MAX_COLS, MAX_ROWS, MAX_UNCOMPRESSED
from kieumau.engine.numbers import format_number

SheetProgress = Callable[[int, int], None]
_MIDNIGHT = dt.time(0, 0)
_LAYOUT_HINT = "không thêm, xóa hay sắp xếp lại dòng, cột của biểu mẫu; hãy tải biểu mẫu mới"


def _shown(value) -> str | None:
    """A value as an error report shows it: text, cut to 200 characters."""
    return None if value is None else str(value)[:200]


def _at(sheet: str, cell: str, value, message: str, message_en: str) -> Problem:
    """A problem located at one cell of one sheet, with the offending value."""
    return Problem(message, message_en, sheet=sheet, cell=cell, value=_shown(value))


def _blank(value) -> bool:
    """Whether a cell counts as empty (nothing, or only spaces): empty means "no value"."""
    return value is None or (isinstance(value, str) and not value.strip())


def _corrupted() -> Problem:
    """The answer to any parser failure: the file is damaged, never a crash."""
    return Problem(
        "tệp Excel bị hỏng, không đọc được; hãy mở bằng Excel và lưu lại dạng .xlsx",
        "corrupted workbook",
    )


def read_entries(
    data: bytes, package: Package, on_sheet: SheetProgress | None = None
) -> list[Entry]:
    """The entries of a filled template, or ImportRefused listing every problem found.

    Protects the write path from files that only look like templates. openpyxl reads in
    read-only mode (cells streamed, never all in memory); any parser failure is answered as a
    corrupted file, never a crash (database errors are not the file's fault and propagate).
    `on_sheet(done, total)` is called after each data sheet, for a progress bar.
    """
    try:
        workbook = load_workbook(
            io.BytesIO(data), read_only=True, data_only=False, keep_links=False
        )
    except DomainError:
        raise
    except Exception:
        refuse([_corrupted()])
    try:
        return _read(workbook, package, on_sheet or _no_progress)
    except (DomainError, DatabaseError):
        raise
    except Exception:
        refuse([_corrupted()])
    finally:
        workbook.close()


def _meta_rows(workbook) -> list[tuple]:
    """The rows of `_kieumau` (columns A-D), bounded so a huge hidden sheet cannot stall."""
    ws = workbook[L.META_SHEET]
    ws.reset_dimensions()
    rows = []
    for n, row in enumerate(ws.iter_rows(max_col=L.META_COLS, values_only=True), start=1):
        if n > MAX_ROWS:
            refuse([Problem("trang ẩn của biểu mẫu quá lớn", "meta sheet too large")])
        rows.append(row)
    return rows


def _no_progress(done: int, total: int) -> None:
    """The default: nobody is watching."""


def _read(workbook, package: Package, on_sheet: SheetProgress) -> list[Entry]:
    """Hidden sheet, sheet list, then every data sheet; all problems of a stage together."""
    names = workbook.sheetnames
    if L.META_SHEET not in names:
        refuse(
            [
                Problem(
                    "tệp không phải biểu mẫu do hệ thống tạo (thiếu trang ẩn "
                    f"'{L.META_SHEET}'); hãy tải biểu mẫu từ hệ thống, nhập số liệu vào đó rồi "
                    "tải lên",
                    "not a kieumau template",
                )
            ]
        )
    layout = L.decode(_meta_rows(workbook))
    listed = [s.name for s in layout.sheets]
    problems: list[Problem] = [
        Problem(
            f"thiếu trang '{name}' của biểu mẫu (không xóa hay đổi tên trang)",
            "missing sheet",
            sheet=name,
        )
        for name in listed
        if name not in names
    ]
    problems += [
        Problem(
            f"trang '{name}' không thuộc biểu mẫu; hãy xóa trang này (hoặc chép số liệu vào "
            "đúng trang) rồi tải lên lại",
            "extra sheet",
            sheet=name,
        )
        for name in names
        if name not in listed and name != L.META_SHEET
    ]
    if problems:
        refuse(problems)
    paths = {s.name: s.path for s in package.sheets()}
    codes = {c for s in layout.sheets for c in s.indicators}
    types = dict(Indicator.objects.filter(code__in=codes).values_list("code", "value_type"))
    entries: list[Entry] = []
    for done, sheet in enumerate(layout.sheets, start=1):
        ws = workbook[sheet.name]
        if not hasattr(ws, "iter_rows"):
            problems.append(
                Problem("trang không phải là trang tính", "not a worksheet", sheet=sheet.name)
            )
            continue
        problems += _merge_problems(package, paths.get(sheet.name), sheet)
        problems += _read_sheet(ws, sheet, types, entries)
        on_sheet(done, len(layout.sheets))
    if problems:
        refuse(problems)
    if not entries:
        refuse(
            [
                Problem(
                    "tệp không có số liệu nào: mọi ô nhập liệu đều trống",
                    "no values in the workbook",
                )
            ]
        )
    return entries


def _merge_problems(package: Package, path: str | None, sheet: L.SheetLayout) -> list[Problem]:
    """Merged cells touching the hidden codes or the value area (header merges are the template's)."""
    if path is None:
        return []
    try:
        ranges = merged_ranges(package, path, MAX_UNCOMPRESSED)
    except PackageError:
        return [_corrupted()]
    out = []
    for ref in ranges:
        min_col, _min_row, _max_col, max_row = range_boundaries(ref)
        if max_row >= L.CODE_ROW or min_col <= L.CODE_COL:
            out.append(
                _at(
                    sheet.name,
                    ref,
                    None,
                    f"các ô {ref} bị gộp (merge); hãy bỏ gộp ô trong vùng nhập liệu",
                    "merged cells in the data area",
                )
            )
    return out


def _code_problems(
    sheet: str, expected: tuple[str, ...], actual: list[tuple[str, object]], what: str
) -> list[Problem]:
    """Duplicated codes, then the first position where the hidden codes differ from the layout.

    `actual` holds (cell, value) of the hidden code cells in order. Only the first positional
    difference is reported: one inserted row would otherwise shift every row below it.
    """
    out = []
    seen: dict[str, str] = {}
    duplicated = set()
    for cell, value in actual:
        if _blank(value):
            continue
        code = str(value)
        if code in seen:
            duplicated.add(cell)
            out.append(
                _at(
                    sheet,
                    cell,
                    code,
                    f"{what} '{code}' xuất hiện hai lần (ô {seen[code]} và ô {cell}); mỗi "
                    f"{what} chỉ có một {'dòng' if what == 'đơn vị' else 'cột'}",
                    "duplicated row" if what == "đơn vị" else "duplicated column",
                )
            )
        else:
            seen[code] = cell
    for i in range(max(len(expected), len(actual))):
        want = expected[i] if i < len(expected) else None
        cell, value = actual[i]
        got = None if _blank(value) else str(value)
        if got == want or cell in duplicated:
            continue
        if want is None:
            message = f"{what} '{got}' nằm ngoài vùng của biểu mẫu; {_LAYOUT_HINT}"
        elif got is None:
            message = f"thiếu mã {what} ẩn (biểu mẫu gốc: '{want}'); {_LAYOUT_HINT}"
        else:
            message = f"mã {what} ẩn là '{got}', biểu mẫu gốc là '{want}'; {_LAYOUT_HINT}"
        out.append(_at(sheet, cell, got, message, "hidden codes do not match the template"))
        break
    return out


def _convert(raw, value_type: str | None, cell):
    """The cell's value as `parse_value` should see it.

    Dates typed into Excel arrive as datetimes (kept as dates); a percentage typed as "85%"
    arrives as 0.85 in a %-formatted cell and is read back as 85, so a share is never stored a
    hundred times too small.
    """
    if isinstance(raw, dt.datetime) and raw.time() == _MIDNIGHT:
        return raw.date()
    if (
        value_type == "percentage"
        and isinstance(raw, int | float)
        and not isinstance(raw, bool)
        and "%" in cell.number_format
    ):
        return round(raw * 100, 10)
    return raw


def _too_large(sheet: str) -> Problem:
    """The refusal of a sheet whose cells reach beyond the limits, whatever it declared."""
    return Problem(
        f"trang có dữ liệu vượt giới hạn {format_number(MAX_ROWS)} dòng × {MAX_COLS} cột",
        "sheet too large",
        sheet=sheet,
    )


def _code_row(row: tuple, sheet: L.SheetLayout) -> tuple[list[tuple[str, object]], list[Problem]]:
    """The hidden indicator codes of row 7 as (cell, value), and formulas found in that row."""
    r = L.CODE_ROW
    width = max(sheet.last_col, len(row))
    cells = [
        (f"{get_column_letter(c)}{r}", row[c - 1].value if c <= len(row) else None)
        for c in range(L.FIRST_VALUE_COL, width + 1)
    ]
    while len(cells) > len(sheet.indicators) and _blank(cells[-1][1]):
        cells.pop()
    formulas = [
        _formula(sheet.name, f"{get_column_letter(c)}{r}", row[c - 1].value)
        for c in range(L.FIRST_VALUE_COL, len(row) + 1)
        if row[c - 1].data_type == "f"
    ]
    return cells, formulas


def _read_sheet(ws, sheet: L.SheetLayout, types: dict[str, str], entries: list[Entry]) -> list:
    """Walk one data sheet once, streaming: hidden codes, value cells, anything outside.

    Rows are not kept: each value becomes an entry as it is read (kept only if the sheet's
    hidden codes turn out to match the layout), so memory and the garbage collector's work grow
    with the values, not with every cell object of the sheet.
    """
    problems: list[Problem] = []
    name, period, indicators = sheet.name, sheet.period, sheet.indicators
    last_row, last_col = sheet.last_row, sheet.last_col
    needs_care = {
        i for i, code in enumerate(indicators) if types.get(code) in {"percentage", "date"}
    }
    letters = [get_column_letter(c) for c in range(1, MAX_COLS + 1)]
    code_cells: list[tuple[str, object]] | None = None
    indicators_ok = False
    unit_cells: list[tuple[str, object]] = []
    found: list[Entry] = []
    ws.reset_dimensions()
    for r, row in enumerate(ws.iter_rows(), start=1):
        if r > MAX_ROWS or len(row) > MAX_COLS:
            refuse([_too_large(name)])
        if r < L.CODE_ROW:
            continue
        if r == L.CODE_ROW:
            code_cells, formulas = _code_row(row, sheet)
            code_problems = _code_problems(
                name, indicators, _padded_codes(code_cells, sheet), "chỉ tiêu"
            )
            problems += formulas + code_problems
            indicators_ok = not code_problems
            continue
        code = row[0] if row else None
        code_value = None if code is None else code.value
        unit_cells.append((f"A{r}", code_value))
        if code is not None and code.data_type == "f":
            problems.append(_formula(name, f"A{r}", code_value))
        if r > last_row:
            for c in range(2, len(row) + 1):
                value = row[c - 1].value
                if not _blank(value):
                    problems.append(_outside(name, f"{letters[c - 1]}{r}", value))
            continue
        unit = "" if code_value is None else str(code_value)
        for c in range(L.FIRST_VALUE_COL, len(row) + 1):
            cell = row[c - 1]
            raw = cell.value
            if raw is None or (raw.__class__ is str and not raw.strip()):
                continue
            where = f"{letters[c - 1]}{r}"
            kind = cell.data_type
            if kind == "f":
                problems.append(_formula(name, where, raw))
            elif c > last_col:
                problems.append(_outside(name, where, raw))
            elif kind == "e":
                problems.append(
                    _at(
                        name,
                        where,
                        raw,
                        f"ô có lỗi Excel '{raw}'; hãy nhập một giá trị",
                        "error cell",
                    )
                )
            elif indicators_ok:
                index = c - L.FIRST_VALUE_COL
                code_of_cell = indicators[index]
                if index in needs_care or kind == "d":
                    raw = _convert(raw, types.get(code_of_cell), cell)
                found.append(Entry(unit, code_of_cell, period, raw, r, name, where))
    if code_cells is None:
        problems += _code_problems(name, indicators, _padded_codes([], sheet), "chỉ tiêu")
    while len(unit_cells) > len(sheet.units) and _blank(unit_cells[-1][1]):
        unit_cells.pop()
    unit_cells += [
        (f"A{L.FIRST_DATA_ROW + i}", None) for i in range(len(unit_cells), len(sheet.units))
    ]
    unit_problems = _code_problems(name, sheet.units, unit_cells, "đơn vị")
    problems += unit_problems
    if not unit_problems and indicators_ok:
        entries.extend(found)
    return problems


def _padded_codes(cells: list[tuple[str, object]], sheet: L.SheetLayout) -> list:
    """The code cells, padded with empty ones up to the number of indicators of the layout."""
    return cells + [
        (f"{get_column_letter(L.FIRST_VALUE_COL + i)}{L.CODE_ROW}", None)
        for i in range(len(cells), len(sheet.indicators))
    ]


def _formula(sheet: str, cell: str, value) -> Problem:
    """A formula refused at its cell: its result is not a reported figure."""
    text = getattr(value, "text", value)
    return _at(
        sheet,
        cell,
        text,
        f"ô chứa công thức '{_shown(text)}'; chỉ nhập giá trị (sao chép rồi dùng Dán đặc biệt → "
        "Giá trị)",
        "formula in a value cell",
    )


def _outside(sheet: str, cell: str, value) -> Problem:
    """Data outside the value area refused: it would otherwise be silently ignored."""
    return _at(
        sheet,
        cell,
        value,
        "ô nằm ngoài vùng nhập liệu của biểu mẫu nhưng có dữ liệu; số liệu này sẽ không được "
        "nhập — hãy xóa hoặc chuyển vào đúng ô",
        "data outside the value area",
    )
