"""The template format: where things sit on a data sheet and what the hidden sheet records.

A template has one data sheet per (form, period) and one very hidden sheet `_kieumau`. On a data
sheet, rows 1-6 are titles and headers, row 7 (hidden) holds the indicator codes from column D
on, and from row 8 each row is one unit: its code in hidden column A, a running number in B,
its name in C, its values from D on. `_kieumau` lists, as text in columns A-D, the format
version, the scope, every sheet with its form and period, and every sheet's unit and indicator
codes in order, closed by a SHA-256 of all those rows: an edited hidden sheet no longer matches
its hash, and edited hidden codes no longer match the lists. (A plain hash, not a signature: it
catches accidents and careless edits; a forged layout still only reaches units and indicators
that `apply_entries` accepts from that user.) Columns J onwards of `_kieumau` hold the lists
behind the drop-downs; they are not part of the hash.
"""

import hashlib
import json
import re
from dataclasses import dataclass

from kieumau.core.errors import Problem

FORMAT_VERSION = "1"
MARKER = "kieumau-template"
META_SHEET = "_kieumau"

TITLE_ROW = 1
PERIOD_ROW = 2
NOTE_ROW = 3
SECTION_ROW = 4
LABEL_ROW = 5
HINT_ROW = 6
CODE_ROW = 7
FIRST_DATA_ROW = 8

CODE_COL = 1
NUMBER_COL = 2
NAME_COL = 3
FIRST_VALUE_COL = 4

META_COLS = 4
LIST_FIRST_COL = 10

_SHEET_NAME_MAX = 31
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\']")


@dataclass(frozen=True)
class SheetLayout:
    """One data sheet: its name, form, period, and the unit and indicator codes in order."""

    name: str
    form: str
    period: str
    units: tuple[str, ...]
    indicators: tuple[str, ...]

    @property
    def last_row(self) -> int:
        """The last data row: anything below it is outside the template."""
        return FIRST_DATA_ROW + len(self.units) - 1

    @property
    def last_col(self) -> int:
        """The last value column: anything to its right is outside the template."""
        return FIRST_VALUE_COL + len(self.indicators) - 1


@dataclass(frozen=True)
class Layout:
    """The whole template as `_kieumau` describes it."""

    scope: str
    root: str
    sheets: tuple[SheetLayout, ...]


def sheet_name(form_code: str, period_code: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name for a form and period ("BC-THANG 2025-05").

    Protects the file from Excel's refusals: at most 31 characters, none of []:*?/\\ or an
    apostrophe, unique regardless of case (the mapping to form and period is in `_kieumau`).
    """
    clean = _SHEET_NAME_BAD.sub("-", form_code)
    suffix = f" {period_code}"
    base = clean[: _SHEET_NAME_MAX - len(suffix)] + suffix
    name, counter = base, 2
    while name.lower() in {t.lower() for t in taken} or name == META_SHEET:
        tail = f" ({counter})"
        name = base[: _SHEET_NAME_MAX - len(tail)] + tail
        counter += 1
    taken.add(name)
    return name


def _canonical(rows: list[tuple[str, ...]]) -> str:
    """One unambiguous text for the rows, so the same layout always hashes the same."""
    return json.dumps([list(r) for r in rows], ensure_ascii=False, separators=(",", ":"))


def digest(rows: list[tuple[str, ...]]) -> str:
    """SHA-256 of the metadata rows as canonical JSON: what makes an edit of them detectable."""
    return hashlib.sha256(_canonical(rows).encode("utf-8")).hexdigest()


def encode(layout: Layout) -> list[tuple[str, ...]]:
    """The rows of `_kieumau` (four text columns each), the hash row last.

    Protects the reader from guessing: everything it needs to map a cell to (unit, indicator,
    period) is written here, and the hash says whether it is still what the server wrote.
    """
    rows: list[tuple[str, ...]] = [
        (MARKER, FORMAT_VERSION, "", ""),
        ("scope", layout.scope, layout.root, ""),
    ]
    for sheet in layout.sheets:
        rows.append(("sheet", sheet.name, sheet.form, sheet.period))
    for sheet in layout.sheets:
        rows.extend(("unit", sheet.name, code, "") for code in sheet.units)
        rows.extend(("indicator", sheet.name, code, "") for code in sheet.indicators)
    rows.append(("sha256", digest(rows), "", ""))
    return rows


def _text(value) -> str:
    """A cell as the hash sees it: empty for nothing, text otherwise (no float/int drift)."""
    return "" if value is None else str(value)


def _altered(message_en: str) -> Problem:
    """The refusal for a hidden sheet that no longer matches what the server wrote."""
    return Problem(
        f"trang ẩn '{META_SHEET}' của biểu mẫu đã bị sửa hoặc hỏng; hãy tải biểu mẫu mới từ "
        "hệ thống và nhập lại số liệu",
        message_en,
        sheet=META_SHEET,
    )


def decode(raw_rows: list[tuple]) -> Layout:
    """The layout recorded in `_kieumau`, or ImportRefused saying why it cannot be trusted.

    Protects the import from a template whose hidden sheet was edited (period changed to reuse
    last month's file, codes swapped, rows added): the hash over the rows must match, and
    nothing may follow the hash row.
    """
    from kieumau.datavalues.excel.errors import refuse

    rows = [tuple(_text(v) for v in (*r, "", "", "", "")[:META_COLS]) for r in raw_rows]
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows or rows[0][0] != MARKER:
        refuse([_altered("hidden sheet without the template marker")])
    if rows[0][1] != FORMAT_VERSION:
        refuse(
            [
                Problem(
                    f"biểu mẫu theo định dạng '{rows[0][1]}' không còn được hỗ trợ (định dạng "
                    f"hiện tại: {FORMAT_VERSION}); hãy tải biểu mẫu mới",
                    "unsupported template format",
                    sheet=META_SHEET,
                )
            ]
        )
    hash_at = next((i for i, r in enumerate(rows) if r[0] == "sha256"), None)
    if hash_at is None or hash_at != len(rows) - 1 or rows[hash_at][1] != digest(rows[:hash_at]):
        refuse([_altered("hidden sheet hash mismatch")])
    scope = rows[1] if len(rows) > 1 and rows[1][0] == "scope" else ("scope", "", "", "")
    order: list[str] = []
    heads: dict[str, tuple[str, str]] = {}
    units: dict[str, list[str]] = {}
    indicators: dict[str, list[str]] = {}
    for kind, sheet, code, extra in rows[2:hash_at]:
        if kind == "sheet":
            order.append(sheet)
            heads[sheet] = (code, extra)
        elif kind == "unit" and sheet in heads:
            units.setdefault(sheet, []).append(code)
        elif kind == "indicator" and sheet in heads:
            indicators.setdefault(sheet, []).append(code)
        else:
            refuse([_altered(f"unexpected row kind {kind!r}")])
    return Layout(
        scope=scope[1],
        root=scope[2],
        sheets=tuple(
            SheetLayout(
                name=name,
                form=heads[name][0],
                period=heads[name][1],
                units=tuple(units.get(name, ())),
                indicators=tuple(indicators.get(name, ())),
            )
            for name in order
        ),
    )
