"""Malformed uploads: each refused with its own Vietnamese reason, the database unchanged.

Every case starts from a valid, filled template of province A for May 2025 (so that a case
passing by mistake would import 16 values and fail the "unchanged" check) and breaks one thing:
the file type, the zip, the hidden sheet, the layout, or the cells.
"""

import io
import re
import zipfile

import pytest

from kieumau.core.actors import CLI
from kieumau.core.errors import DomainError
from kieumau.datavalues.excel import ImportRefused, build_template, import_workbook, safety
from kieumau.datavalues.services import set_values
from tests.datavalues.test_excel_support import (
    MAY,
    MAY_SHEET,
    counts,
    filled_may,
    may_template,
    open_book,
    part,
    rezip,
    save_book,
)

SHEET_XML = "xl/worksheets/sheet1.xml"
META_XML = "xl/worksheets/sheet2.xml"


def edit(data: bytes, change) -> bytes:
    """`data` after `change(workbook)` — an edit made with a spreadsheet program."""
    wb = open_book(data)
    change(wb)
    return save_book(wb)


def set_cell(sheet: str, ref: str, value, data_type: str | None = None):
    def change(wb):
        wb[sheet][ref] = value
        if data_type:
            wb[sheet][ref].data_type = data_type

    return change


def sub_xml(name: str, pattern: bytes, repl: bytes):
    def change(data: bytes) -> bytes:
        xml = part(data, name)
        new, n = re.subn(pattern, repl, xml, count=1)
        assert n == 1, pattern
        return rezip(data, replace={name: new})

    return change


def plain_zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, content in entries.items():
            z.writestr(name, content)
    return out.getvalue()


def macro(data: bytes) -> bytes:
    types = part(data, "[Content_Types].xml").replace(
        b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml"
    )
    return rezip(
        data,
        replace={"[Content_Types].xml": types},
        add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\0" * 100},
    )


def encrypted_entry(data: bytes) -> bytes:
    """The sheet part flagged "encrypted" (bit 0), as a zip tool with a password marks it."""
    raw = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info = z.getinfo(SHEET_XML)
    raw[info.header_offset + 6] |= 0x1
    name = SHEET_XML.encode()
    start = raw.find(b"PK\x01\x02")
    while start >= 0:
        length = int.from_bytes(raw[start + 28 : start + 30], "little")
        if bytes(raw[start + 46 : start + 46 + length]) == name:
            raw[start + 8] |= 0x1
        start = raw.find(b"PK\x01\x02", start + 4)
    return bytes(raw)


def duplicate_entry(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
        with pytest.warns(UserWarning, match="Duplicate name"):
            dst.writestr(SHEET_XML, b"<worksheet/>")
    return out.getvalue()


def many_entries(data: bytes) -> bytes:
    return rezip(data, add={f"customXml/item{i}.bin": b"x" for i in range(600)})


def bomb(data: bytes) -> bytes:
    return rezip(data, add={"xl/media/image1.bin": b"\0" * (8 * 1024 * 1024)})


def many_small_bombs(data: bytes) -> bytes:
    """Ten parts just under the per-part floor, each a megabyte of zeros: caught by the total."""
    return rezip(data, add={f"xl/media/image{i}.bin": b"\0" * 900_000 for i in range(10)})


def doctype(data: bytes) -> bytes:
    """A "billion laughs" entity declaration in front of the sheet's root element."""
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    xml = part(data, SHEET_XML)
    assert xml.startswith(b"<worksheet")
    return rezip(data, replace={SHEET_XML: laughs + xml})


def no_dimension_and_far_row(data: bytes) -> bytes:
    """A value at row 30,000 in a sheet whose dimension was removed (so it cannot be seen early)."""
    big = edit(data, set_cell(MAY_SHEET, "D30000", 1))
    return sub_xml(SHEET_XML, rb"<dimension [^>]*/>", b"")(big)


def meta_period_changed(data: bytes) -> bytes:
    def change(wb):
        meta = wb["_kieumau"]
        for row in meta.iter_rows():
            if row[0].value == "sheet":
                row[3].value = "2025-06"

    return edit(data, change)


def meta_rehashed_version(data: bytes) -> bytes:
    return edit(data, set_cell("_kieumau", "B1", "0"))


def meta_removed(data: bytes) -> bytes:
    return edit(data, lambda wb: wb.remove(wb["_kieumau"]))


def renamed_sheet(data: bytes) -> bytes:
    def change(wb):
        wb[MAY_SHEET].title = "Tháng 5"

    return edit(data, change)


def extra_sheet(data: bytes) -> bytes:
    return edit(data, lambda wb: wb.create_sheet("Ghi chú").cell(row=1, column=1, value="xem"))


def missing_sheet_of_two(_data: bytes) -> bytes:
    data = build_template(actor=CLI, under_code="A", period_codes=["2025-06", "2025-07"])

    def change(wb):
        wb["BC-THANG 2025-06"]["D8"] = 1
        wb.remove(wb["BC-THANG 2025-07"])

    return edit(data, change)


def merged(data: bytes) -> bytes:
    return edit(data, lambda wb: wb[MAY_SHEET].merge_cells("D8:E8"))


def duplicated_row(data: bytes) -> bytes:
    def change(wb):
        ws = wb[MAY_SHEET]
        for c in range(1, 12):
            ws.cell(row=10, column=c, value=ws.cell(row=8, column=c).value)

    return edit(data, change)


def sorted_rows(data: bytes) -> bytes:
    def change(wb):
        ws = wb[MAY_SHEET]
        ws["A8"], ws["A9"] = "A-W2", "A-W1"

    return edit(data, change)


def swapped_indicator_code(data: bytes) -> bytes:
    return edit(data, set_cell(MAY_SHEET, "G7", "drug_users"))


def duplicated_indicator_column(data: bytes) -> bytes:
    return edit(data, set_cell(MAY_SHEET, "E7", "crime_reports_received"))


CASES = {
    "csv renamed to xlsx": (
        lambda d: b"unit,indicator,value\nA-W1,crime_social_order,1\n",
        "tệp 'bao-cao.xlsx': không phải là tệp Excel .xlsx",
        None,
    ),
    "empty file": (lambda d: b"", "tệp 'bao-cao.xlsx': tệp rỗng", None),
    "legacy .xls or password-protected (OLE2)": (
        lambda d: safety.OLE2_MAGIC + b"\0" * 4096,
        "tệp được đặt mật khẩu hoặc là định dạng .xls cũ",
        None,
    ),
    "encrypted zip entry": (encrypted_entry, "tệp được đặt mật khẩu", None),
    "truncated upload": (lambda d: d[: len(d) // 2], "không phải là tệp Excel .xlsx", None),
    "zip without content types": (
        lambda d: plain_zip({"data.txt": b"1,2,3"}),
        "không phải là tệp Excel .xlsx (thiếu [Content_Types].xml)",
        None,
    ),
    "a Word document": (
        lambda d: plain_zip(
            {
                "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.'
                b'openxmlformats.org/package/2006/content-types"><Override PartName="/word/'
                b'document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                b'wordprocessingml.document.main+xml"/></Types>',
                "_rels/.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.'
                b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type='
                b'"http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                b'officeDocument" Target="word/document.xml"/></Relationships>',
                "word/document.xml": b"<document/>",
            }
        ),
        "không phải là tệp Excel .xlsx",
        None,
    ),
    "macro-enabled workbook": (macro, "tệp có chứa macro (.xlsm)", None),
    "zip bomb": (bomb, 'dấu hiệu "bom nén"', None),
    "zip bomb spread over small parts": (many_small_bombs, 'dấu hiệu "bom nén"', None),
    "too many zip entries": (many_entries, "phần nén, vượt giới hạn 500", None),
    "duplicate zip entry names": (duplicate_entry, "hai phần trùng tên", None),
    "XML entity expansion (DOCTYPE)": (doctype, "khai báo XML không được phép", None),
    "absurd declared dimensions": (
        sub_xml(SHEET_XML, rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"'),
        "khai báo kích thước 1.048.576 dòng × 16.384 cột, vượt giới hạn 20.000 dòng × 500 cột",
        MAY_SHEET,
    ),
    "rows far beyond the limit without a dimension": (
        no_dimension_and_far_row,
        "trang có dữ liệu vượt giới hạn 20.000 dòng × 500 cột",
        MAY_SHEET,
    ),
    "corrupted sheet XML": (
        sub_xml(SHEET_XML, rb"</sheetData>", b"</sheetDat>"),
        "tệp Excel bị hỏng, không đọc được",
        None,
    ),
    "not a template (no hidden sheet)": (
        meta_removed,
        "tệp không phải biểu mẫu do hệ thống tạo (thiếu trang ẩn '_kieumau')",
        None,
    ),
    "hidden sheet edited (period changed)": (
        meta_period_changed,
        "trang ẩn '_kieumau' của biểu mẫu đã bị sửa hoặc hỏng",
        "_kieumau",
    ),
    "hidden sheet from another format version": (
        meta_rehashed_version,
        "biểu mẫu theo định dạng '0' không còn được hỗ trợ",
        "_kieumau",
    ),
    "renamed sheet": (renamed_sheet, "thiếu trang 'BC-THANG 2025-05' của biểu mẫu", MAY_SHEET),
    "extra sheet": (extra_sheet, "trang 'Ghi chú' không thuộc biểu mẫu", "Ghi chú"),
    "missing sheet": (
        missing_sheet_of_two,
        "thiếu trang 'BC-THANG 2025-07' của biểu mẫu",
        "BC-THANG 2025-07",
    ),
    "formula in a value cell": (
        lambda d: edit(d, set_cell(MAY_SHEET, "D8", "=E8+2")),
        "ô chứa công thức '=E8+2'; chỉ nhập giá trị",
        MAY_SHEET,
    ),
    "formula in a hidden code cell": (
        lambda d: edit(d, set_cell(MAY_SHEET, "A9", '="A-W"&2')),
        "ô chứa công thức",
        MAY_SHEET,
    ),
    "Excel error value": (
        lambda d: edit(d, set_cell(MAY_SHEET, "E9", "#DIV/0!")),
        "ô có lỗi Excel '#DIV/0!'",
        MAY_SHEET,
    ),
    "merged cells in the data area": (merged, "các ô D8:E8 bị gộp (merge)", MAY_SHEET),
    "duplicated unit row": (
        duplicated_row,
        "đơn vị 'A-W1' xuất hiện hai lần (ô A8 và ô A10)",
        MAY_SHEET,
    ),
    "rows re-sorted": (
        sorted_rows,
        "mã đơn vị ẩn là 'A-W2', biểu mẫu gốc là 'A-W1'",
        MAY_SHEET,
    ),
    "hidden indicator code edited": (
        swapped_indicator_code,
        "mã chỉ tiêu ẩn là 'drug_users', biểu mẫu gốc là 'crime_social_order'",
        MAY_SHEET,
    ),
    "duplicated indicator column": (
        duplicated_indicator_column,
        "chỉ tiêu 'crime_reports_received' xuất hiện hai lần (ô D7 và ô E7)",
        MAY_SHEET,
    ),
    "value below the last unit": (
        lambda d: edit(d, set_cell(MAY_SHEET, "D11", 5)),
        "ô nằm ngoài vùng nhập liệu của biểu mẫu nhưng có dữ liệu",
        MAY_SHEET,
    ),
    "value right of the last indicator": (
        lambda d: edit(d, set_cell(MAY_SHEET, "L8", 5)),
        "ô nằm ngoài vùng nhập liệu của biểu mẫu nhưng có dữ liệu",
        MAY_SHEET,
    ),
    "text in a number cell": (
        lambda d: edit(d, set_cell(MAY_SHEET, "G8", "ba vụ")),
        "crime_social_order (Số vụ phạm tội về trật tự xã hội): 'ba vụ' không phải là số",
        MAY_SHEET,
    ),
    "date in a number cell": (
        lambda d: edit(d, set_cell(MAY_SHEET, "H9", __import__("datetime").date(2025, 5, 2))),
        "'2025-05-02' không phải là số",
        MAY_SHEET,
    ),
    "nothing filled in": (
        lambda d: may_template(),
        "tệp không có số liệu nào: mọi ô nhập liệu đều trống",
        None,
    ),
}


@pytest.fixture
def valid(hierarchy, forms):
    """A valid filled workbook, and one value already stored that must survive every refusal."""
    set_values(actor=CLI, unit_code="C-W1", period_code=MAY, values={"crime_social_order": 2})
    return filled_may()


def test_the_valid_workbook_imports(valid):
    assert import_workbook(actor=CLI, data=valid, filename="ok.xlsx").created == 16


def test_there_are_at_least_twenty_malformed_cases():
    assert len(CASES) >= 20


@pytest.mark.parametrize(("make", "message", "sheet"), CASES.values(), ids=list(CASES))
def test_a_malformed_file_is_refused_and_nothing_changes(valid, make, message, sheet):
    data = make(valid)
    before = counts()
    with pytest.raises(DomainError) as exc:
        import_workbook(actor=CLI, data=data, filename="bao-cao.xlsx")
    assert counts() == before
    assert before[0] == 1
    problems = exc.value.problems
    matching = [p for p in problems if message in p.message]
    assert matching, [p.located() for p in problems]
    assert all(p.message and p.message_en for p in problems)
    if sheet is not None:
        assert matching[0].sheet == sheet
        assert matching[0].located().startswith(f"Trang '{sheet}'")


def test_file_problems_are_import_refusals_with_cells(valid):
    with pytest.raises(ImportRefused) as exc:
        import_workbook(
            actor=CLI,
            data=edit(valid, set_cell(MAY_SHEET, "D8", "=SUM(E8:F8)")),
            filename="x.xlsx",
        )
    (problem,) = exc.value.problems
    assert (problem.sheet, problem.cell, problem.value) == (MAY_SHEET, "D8", "=SUM(E8:F8)")
    assert problem.located().startswith(f"Trang '{MAY_SHEET}', ô D8: ô chứa công thức")


def test_the_size_limit_is_a_setting(valid, settings):
    settings.KIEUMAU_UPLOAD_MAX_BYTES = 1024
    before = counts()
    with pytest.raises(ImportRefused) as exc:
        import_workbook(actor=CLI, data=valid, filename="lon.xlsx")
    assert counts() == before
    assert re.fullmatch(
        r"tệp 'lon.xlsx': dung lượng \d+ KB vượt giới hạn 1 KB; hãy chia thành nhiều tệp",
        exc.value.problems[0].message,
    )
    with pytest.raises(ImportRefused):
        safety.check_size(1025, "lon.xlsx")
    safety.check_size(1024, "vua.xlsx")


def test_many_problems_are_capped_with_a_count(valid):
    def change(wb):
        ws = wb[MAY_SHEET]
        ws.delete_rows(8, 2)
        for r in range(8, 108):
            for c in range(4, 12):
                ws.cell(row=r, column=c, value=f"=X{r}")

    with pytest.raises(ImportRefused) as exc:
        import_workbook(actor=CLI, data=edit(valid, change), filename="x.xlsx")
    problems = exc.value.problems
    assert len(problems) == 501
    assert re.fullmatch(r"… và \d+ lỗi khác", problems[-1].message)
