"""Judging an uploaded file from its raw bytes, before any spreadsheet parser touches it.

An upload is untrusted input that a parser would otherwise expand in memory: a 40 KB zip can
inflate to gigabytes, a sheet can declare a million rows, an XML part can declare entities.
Every check here reads only the zip directory and the first kilobytes of parts, so a hostile
file is refused in milliseconds with a Vietnamese reason, and only files within known bounds
reach openpyxl. The limits are module constants except the upload size
(`KIEUMAU_UPLOAD_MAX_BYTES`, 10 MB by default).
"""

import re

from django.conf import settings

from kieumau.core.errors import Problem
from kieumau.datavalues.excel.errors import refuse
from kieumau.datavalues.excel.package import Package, PackageError
from kieumau.engine.numbers import format_number

MAX_ENTRIES = 500
"""Parts in the zip; a real template has about 10 plus 2 per sheet."""
MAX_UNCOMPRESSED = 100 * 1024 * 1024
"""Total inflated size of all parts; a province workbook of 72,000 values inflates to ~4 MB."""
MAX_RATIO = 100
"""Inflation ratio of a large part or of the whole file; real sheets compress ~10 times, bombs
1,000 times and more."""
RATIO_FLOOR = 1024 * 1024
"""Below this inflated size no ratio is checked (tiny repetitive XML compresses very well)."""
MAX_SHEETS = 100
MAX_ROWS = 20_000
MAX_COLS = 500
HEAD_BYTES = 16 * 1024
"""How much of an XML part is read to find its root element (and any DOCTYPE before it)."""

OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"
XLSX_MAIN = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
}
_ROOT_START = re.compile(rb"<[A-Za-z_]")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s[^>]*?\bref="([^"]*)"')
_REF = re.compile(r"^\$?([A-Z]{1,3})\$?([0-9]{1,7})$")


def _mb(size: int) -> str:
    """A file size as people read it: "12,3 MB", or "850 KB" below a megabyte."""
    if size >= 1024 * 1024:
        return f"{format_number(size / 1024 / 1024, decimals=1)} MB"
    return f"{format_number(max(round(size / 1024), 1))} KB"


def _problem(filename: str, message: str, message_en: str) -> Problem:
    """A problem about the whole file, naming it so people know which upload failed."""
    return Problem(f"tệp '{filename}': {message}", message_en, value=filename or None)


def upload_limit() -> int:
    """The largest accepted upload in bytes (setting KIEUMAU_UPLOAD_MAX_BYTES)."""
    return int(getattr(settings, "KIEUMAU_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


def check_size(size: int, filename: str) -> None:
    """Refuse a file larger than the upload limit, before reading it.

    Callers that know the size first (the CLI from the file system, the web from the upload)
    call this before reading the bytes into memory; `check_upload` calls it again.
    """
    limit = upload_limit()
    if size > limit:
        refuse(
            [
                _problem(
                    filename,
                    f"dung lượng {_mb(size)} vượt giới hạn {_mb(limit)}; hãy chia thành nhiều tệp",
                    "file too large",
                )
            ]
        )


def _col_number(letters: str) -> int:
    """Column letters as a number (A=1, XFD=16,384)."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _dimension(head: bytes) -> tuple[int, int] | None:
    """(rows, columns) a sheet declares in `<dimension ref="A1:D10">`, if it declares one."""
    match = _DIMENSION.search(head)
    if match is None:
        return None
    ref = match.group(1).decode("ascii", "replace").upper()
    corners = [_REF.match(part) for part in ref.split(":")]
    if not all(corners):
        return None
    rows = [int(c.group(2)) for c in corners]
    cols = [_col_number(c.group(1)) for c in corners]
    return max(rows) - min(rows) + 1, max(cols) - min(cols) + 1


def _zip_checks(package: Package, filename: str) -> None:
    """Entry count, duplicate names, encryption, total and per-part inflation."""
    infos = package.infos
    if len(infos) > MAX_ENTRIES:
        refuse(
            [
                _problem(
                    filename,
                    f"có {len(infos)} phần nén, vượt giới hạn {MAX_ENTRIES}; "
                    "không phải tệp Excel bình thường",
                    "too many zip entries",
                )
            ]
        )
    if len({i.filename for i in infos}) != len(infos):
        refuse(
            [
                _problem(
                    filename,
                    "tệp nén có hai phần trùng tên; tệp bị hỏng hoặc đã bị sửa",
                    "duplicate zip entry names",
                )
            ]
        )
    if any(i.flag_bits & 0x1 for i in infos):
        refuse([_password(filename)])
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    bomb = (
        total > MAX_UNCOMPRESSED
        or (total > RATIO_FLOOR and total > MAX_RATIO * max(packed, 1))
        or any(
            i.file_size > RATIO_FLOOR and i.file_size > MAX_RATIO * max(i.compress_size, 1)
            for i in infos
        )
    )
    if bomb:
        refuse(
            [
                _problem(
                    filename,
                    f"nội dung giải nén lên tới {_mb(total)} (tỷ lệ nén bất thường); tệp có "
                    'dấu hiệu "bom nén" nên bị từ chối',
                    "zip bomb",
                )
            ]
        )


def _password(filename: str) -> Problem:
    """The answer for OLE2 files and encrypted entries: password-protected or old .xls."""
    return _problem(
        filename,
        "tệp được đặt mật khẩu hoặc là định dạng .xls cũ; hãy mở bằng Excel, bỏ mật khẩu và "
        "lưu lại dạng Sổ làm việc Excel (.xlsx)",
        "password-protected or legacy .xls file",
    )


def _not_xlsx(filename: str, detail: str = "") -> Problem:
    """The answer for anything that is not an xlsx workbook, with what to do instead."""
    return _problem(
        filename,
        f"không phải là tệp Excel .xlsx{detail}; hãy tải biểu mẫu từ hệ thống, nhập số liệu "
        "rồi lưu dạng .xlsx",
        "not an xlsx file",
    )


def _type_checks(package: Package, filename: str) -> None:
    """Macros refused, the main part must be a spreadsheet (not a document, not .xlsb)."""
    if "[Content_Types].xml" not in package.names:
        refuse([_not_xlsx(filename, " (thiếu [Content_Types].xml)")])
    overrides, defaults = package.content_types()
    types = [*overrides.values(), *defaults.values()]
    if any("vbaproject" in n.lower() for n in package.names) or any(
        "macroenabled" in t.lower() or "vbaproject" in t.lower() for t in types
    ):
        refuse(
            [
                _problem(
                    filename,
                    "tệp có chứa macro (.xlsm); hệ thống không nhận tệp có macro — hãy lưu lại "
                    "dạng .xlsx không macro",
                    "macro-enabled workbook",
                )
            ]
        )
    book = package.workbook_part()
    if book is None or book not in package.names:
        refuse([_not_xlsx(filename)])
    kind = package.content_type(book)
    if kind not in XLSX_MAIN:
        detail = " (định dạng .xlsb)" if "binary" in kind.lower() else ""
        refuse([_not_xlsx(filename, detail)])


def _xml_checks(package: Package, filename: str) -> None:
    """No XML part may declare a DOCTYPE (entity expansion, external entities) before its root."""
    for info in package.infos:
        if not info.filename.lower().endswith((".xml", ".rels")) or info.file_size == 0:
            continue
        head = package.head(info.filename, HEAD_BYTES)
        root = _ROOT_START.search(head)
        prolog = head if root is None else head[: root.start()]
        if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog or root is None:
            refuse(
                [
                    _problem(
                        filename,
                        f"phần '{info.filename}' có khai báo XML không được phép (DOCTYPE/ENTITY)"
                        " hoặc không đọc được",
                        "XML part with a DOCTYPE or no root element",
                    )
                ]
            )


def _dimension_checks(package: Package, filename: str) -> None:
    """Sheets must exist, be few, and declare at most MAX_ROWS × MAX_COLS cells."""
    sheets = package.sheets()
    if not sheets:
        refuse([_not_xlsx(filename, " (không có trang tính nào)")])
    if len(sheets) > MAX_SHEETS:
        refuse(
            [
                _problem(
                    filename,
                    f"có {len(sheets)} trang, vượt giới hạn {MAX_SHEETS} trang",
                    "too many sheets",
                )
            ]
        )
    problems = []
    for sheet in sheets:
        if sheet.path is None or sheet.path not in package.names:
            continue
        size = _dimension(package.head(sheet.path, HEAD_BYTES))
        if size is None:
            continue
        rows, cols = size
        if rows > MAX_ROWS or cols > MAX_COLS:
            problems.append(
                Problem(
                    f"trang khai báo kích thước {format_number(rows)} dòng × "
                    f"{format_number(cols)} cột, vượt giới hạn {format_number(MAX_ROWS)} dòng × "
                    f"{MAX_COLS} cột; hãy xóa các dòng, cột thừa",
                    "sheet dimensions too large",
                    sheet=sheet.name,
                    value=filename or None,
                )
            )
    if problems:
        refuse(problems)


def check_upload(data: bytes, filename: str) -> Package:
    """Refuse (ImportRefused) anything that is not a plain, reasonably sized xlsx; else open it.

    In order: size; an OLE2 compound file (password-protected xlsx and legacy .xls both are);
    not a zip; zip entries (count, duplicate names, encryption, inflation); content types
    (macros, not a spreadsheet); XML parts declaring DTDs; sheet dimensions. Returns the opened
    package for the reader (the caller closes it).
    """
    check_size(len(data), filename)
    if not data:
        refuse([_problem(filename, "tệp rỗng", "empty file")])
    if data.startswith(OLE2_MAGIC):
        refuse([_password(filename)])
    if not data.startswith(ZIP_MAGIC):
        refuse([_not_xlsx(filename)])
    try:
        package = Package(data)
    except PackageError:
        refuse([_not_xlsx(filename, " (tệp nén bị hỏng)")])
    try:
        _zip_checks(package, filename)
        _type_checks(package, filename)
        _xml_checks(package, filename)
        _dimension_checks(package, filename)
    except PackageError:
        package.close()
        refuse([_not_xlsx(filename, " (cấu trúc tệp bị hỏng)")])
    except BaseException:
        package.close()
        raise
    return package
