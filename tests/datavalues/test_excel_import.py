"""Excel import: the round trip, idempotency, what empty cells mean, conversions, and refusals
that come from the values (types, checks, scope, entry window) — each leaving the database as
it was. Malformed files are in test_excel_malformed.py.
"""

import datetime as dt
import hashlib

import pytest

from kieumau.audit.models import AuditEntry
from kieumau.core.actors import CLI
from kieumau.core.errors import DomainError, ValidationFailed
from kieumau.datavalues.choices import SubmissionStatus
from kieumau.datavalues.excel import build_template, error_report_xlsx, import_workbook
from kieumau.datavalues.models import DataSet, DataValue, Submission
from kieumau.datavalues.services import set_values
from kieumau.orgunits.models import OrgUnit
from tests.datavalues import test_excel_support as support
from tests.datavalues.test_excel_support import (
    MAY,
    MAY_SHEET,
    MONTHLY_CODES,
    OPEN_DAY,
    VALID_ROW,
    counts,
    fill,
    filled_may,
    may_template,
    open_book,
    row_cells,
    save_book,
    stored,
)

# Fixtures shared by the Excel tests.
admin_a = support.admin_a
extra_form = support.extra_form


def refused(data: bytes, actor=CLI, today=OPEN_DAY) -> DomainError:
    """The refusal of importing `data`, after checking that nothing changed."""
    before = counts()
    with pytest.raises(DomainError) as exc:
        import_workbook(actor=actor, data=data, filename="bao-cao.xlsx", today=today)
    assert counts() == before
    return exc.value


def test_round_trip_then_the_same_file_again_changes_nothing(admin_a):
    data = filled_may(actor=admin_a)
    result = import_workbook(actor=admin_a, data=data, filename="tinh-a.xlsx", today=OPEN_DAY)
    assert (result.created, result.updated, result.unchanged) == (16, 0, 0)
    assert result.warnings == []
    expected = dict(zip(MONTHLY_CODES, VALID_ROW, strict=True))
    assert stored("A-W1") == expected
    assert stored("A-W2") == expected
    entries = AuditEntry.objects.filter(event="datavalues.values_set").order_by("seq")
    assert [e.target_repr for e in entries] == ["A-W1 2025-05", "A-W2 2025-05"]
    assert {e.note for e in entries} == {f"excel:{hashlib.sha256(data).hexdigest()}"}
    assert {e.actor_id for e in entries} == {admin_a.pk}
    revisions = list(DataValue.objects.order_by("pk").values_list("pk", "revision"))

    before = counts()
    again = import_workbook(actor=admin_a, data=data, filename="tinh-a.xlsx", today=OPEN_DAY)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 16)
    assert counts() == before
    assert list(DataValue.objects.order_by("pk").values_list("pk", "revision")) == revisions

    # A template downloaded now is pre-filled with what was imported, and imports unchanged.
    fresh = may_template(actor=admin_a)
    assert open_book(fresh)[MAY_SHEET]["D8"].value == 10
    third = import_workbook(actor=admin_a, data=fresh, filename="moi.xlsx", today=OPEN_DAY)
    assert (third.created, third.updated, third.unchanged) == (0, 0, 16)


def test_empty_cells_mean_no_value_and_never_delete(hierarchy, forms):
    set_values(actor=CLI, unit_code="A-W1", period_code=MAY, values={"crime_social_order": 4})
    data = may_template()
    assert open_book(data)[MAY_SHEET]["G8"].value == 4
    changed = fill(data, {"G8": None, "D9": 7, "E9": 7})
    result = import_workbook(actor=CLI, data=changed, filename="x.xlsx")
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert stored("A-W1") == {"crime_social_order": 4}
    assert stored("A-W2") == {"crime_reports_received": 7, "crime_reports_handled_on_time": 7}


def test_a_changed_cell_updates_only_that_value(hierarchy, forms):
    import_workbook(actor=CLI, data=filled_may(), filename="x.xlsx")
    changed = fill(may_template(), {"G9": 0})
    result = import_workbook(actor=CLI, data=changed, filename="x.xlsx")
    assert (result.created, result.updated, result.unchanged) == (0, 1, 15)
    assert stored("A-W2")["crime_social_order"] == 0
    value = DataValue.objects.get(unit__code="A-W2", indicator__code="crime_social_order")
    assert value.revision == 2


def test_cells_are_read_as_people_type_them(extra_form):
    data = fill(
        may_template(),
        {
            "D8": "2.160",  # Vietnamese thousands separator, typed as text
            "E8": 2160.0,
            "F8": 0.85,  # "85%" typed into the cell: Excel stores 0.85 with a % format
            "H8": " 12 ",
        },
    )
    wb = open_book(data)
    wb[MAY_SHEET]["F8"].number_format = "0%"
    wb["BC-THU 2025-05"]["D8"] = dt.datetime(2025, 5, 14)
    wb["BC-THU 2025-05"]["E8"] = "=không phải công thức"
    wb["BC-THU 2025-05"]["E8"].data_type = "s"
    result = import_workbook(actor=CLI, data=save_book(wb), filename="x.xlsx")
    assert result.created == 6
    assert stored("A-W1") == {
        "crime_reports_received": 2160,
        "crime_reports_handled_on_time": 2160,
        "crime_reports_on_time_pct": 85,
        "dossiers_settled": 12,
        "inspection_date": "2025-05-14",
        "inspection_note": "=không phải công thức",
    }
    # Exported again (the note as neutralised text), the same values come back unchanged.
    again = import_workbook(actor=CLI, data=may_template(), filename="x.xlsx")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 6)


def test_yes_no_and_choices_from_the_drop_downs(hierarchy, forms):
    data = build_template(actor=CLI, unit_code="A-W1", period_code="2025")
    ws = open_book(data)["BC-NAM 2025"]
    col = {
        ws.cell(row=7, column=c).value: ws.cell(row=7, column=c).column_letter for c in range(4, 73)
    }
    filled = fill(
        data,
        {
            f"{col['party_committee_rating']}8": "Hoàn thành xuất sắc nhiệm vụ",
            f"{col['own_headquarters']}8": "Có",
            f"{col['id_targets_met']}8": "Không",
            f"{col['families']}8": 1500,
        },
        sheet="BC-NAM 2025",
    )
    result = import_workbook(actor=CLI, data=filled, filename="nam.xlsx")
    assert result.created == 4
    assert stored("A-W1", "2025") == {
        "party_committee_rating": "Hoàn thành xuất sắc nhiệm vụ",
        "own_headquarters": True,
        "id_targets_met": False,
        "families": 1500,
    }


def test_a_workbook_of_several_months(hierarchy, forms):
    data = build_template(actor=CLI, under_code="A", period_codes=["2025-06", "2025-07"])
    wb = open_book(data)
    for name in ("BC-THANG 2025-06", "BC-THANG 2025-07"):
        for ref, value in {**row_cells(8, VALID_ROW), **row_cells(9, VALID_ROW)}.items():
            wb[name][ref] = value
    seen = []
    result = import_workbook(
        actor=CLI,
        data=save_book(wb),
        filename="quy.xlsx",
        progress=lambda percent, stage: seen.append((percent, stage)),
    )
    assert result.created == 32
    # The progress bar moves sheet by sheet, then says what the last step does.
    assert seen == [
        (5, "đang kiểm tra tệp"),
        (35, "đã đọc 1/2 trang"),
        (65, "đã đọc 2/2 trang"),
        (70, "đang kiểm tra và ghi 32 giá trị"),
    ]
    assert len(stored("A-W2", "2025-06")) == 8
    assert len(stored("A-W9", "2025-07")) == 8
    assert stored("A-W2", "2025-07") == {}


@pytest.mark.parametrize(
    ("cells", "cell", "value", "message"),
    [
        ({"D8": "nhiều"}, "D8", "nhiều", "'nhiều' không phải là số"),
        ({"D8": 2.5}, "D8", "2.5", "phải là số nguyên"),
        ({"D8": -1}, "D8", "-1", "nằm ngoài giới hạn cho phép"),
        ({"F8": 120}, "F8", "120", "nằm ngoài giới hạn cho phép (từ 0 đến 100)"),
        ({"D8": dt.datetime(2025, 5, 1)}, "D8", "2025-05-01", "không phải là số"),
        ({"D8": True}, "D8", "True", "không phải là số"),
    ],
)
def test_wrong_values_are_refused_at_their_cell(hierarchy, forms, cells, cell, value, message):
    error = refused(fill(filled_may(), cells))
    assert isinstance(error, ValidationFailed)
    (problem,) = error.problems
    assert (problem.sheet, problem.cell, problem.value) == (MAY_SHEET, cell, value)
    assert message in problem.message
    assert problem.located().startswith(f"Trang '{MAY_SHEET}', ô {cell}: ")


def test_the_forms_checks_refuse_inconsistent_rows(hierarchy, forms):
    error = refused(fill(filled_may(), {"E9": 11}))  # handled on time 11 > received 10
    (problem,) = error.problems
    assert problem.sheet == MAY_SHEET
    assert problem.row == 9
    assert "'A-W2' kỳ 2025-05" in problem.message


def test_every_problem_is_listed_not_only_the_first(hierarchy, forms):
    error = refused(fill(filled_may(), {"D8": "x", "D9": "y", "G9": -3}))
    assert sorted(p.cell for p in error.problems) == ["D8", "D9", "G9"]


def test_units_outside_the_importers_scope_are_refused(hierarchy, forms, make_user):
    officer = make_user("unit_officer", "A-W1")
    error = refused(filled_may(), actor=officer)
    assert {p.message for p in error.problems} == {"không tìm thấy đơn vị 'A-W2'"}
    assert {p.cell for p in error.problems} == {f"{c}9" for c in "DEFGHIJK"}
    own_row_only = fill(may_template(), row_cells(8, VALID_ROW))
    result = import_workbook(actor=officer, data=own_row_only, filename="x.xlsx", today=OPEN_DAY)
    assert result.created == 8


def test_the_entry_window_applies_to_people_not_to_the_cli(admin_a):
    data = filled_may(actor=admin_a)
    error = refused(data, actor=admin_a, today=dt.date(2025, 9, 1))
    assert "kỳ 2025-05 đã đóng từ 18/08/2025" in error.problems[0].message
    error = refused(data, actor=admin_a, today=dt.date(2025, 4, 20))
    assert error.problems[0].message == "kỳ 2025-05 chưa bắt đầu (mở từ 01/05/2025)"
    result = import_workbook(actor=CLI, data=data, filename="x.xlsx", today=dt.date(2025, 9, 1))
    assert result.created == 16


def test_the_error_report_workbook(hierarchy, forms):
    wb = open_book(fill(filled_may(), {"G9": "nhiều"}))
    wb[MAY_SHEET]["D8"] = '=HYPERLINK("http://x")'
    wb[MAY_SHEET]["D8"].data_type = "s"  # typed as text: refused as "not a number"
    error = refused(save_book(wb))
    wb = open_book(error_report_xlsx(error.problems))
    ws = wb.active
    assert ws.title == "Lỗi"
    assert [c.value for c in ws[1]] == ["Trang", "Ô", "Giá trị", "Lý do", "Reason (English)"]
    assert ws[1][0].font.bold
    assert ws.freeze_panes == "A2"
    rows = {row[1]: row for row in ws.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"D8", "G9"}
    assert rows["G9"][:3] == (MAY_SHEET, "G9", "nhiều")
    assert "không phải là số" in rows["G9"][3]
    assert rows["G9"][4] == "'nhiều' is not a number"
    d8 = next(r for r in range(2, 4) if ws.cell(row=r, column=2).value == "D8")
    formula = ws.cell(row=d8, column=3)
    assert formula.value == '=HYPERLINK("http://x")'
    assert formula.data_type == "s"
    assert formula.quotePrefix


def test_a_problem_without_a_cell_shows_its_row_in_the_report():
    from kieumau.core.errors import Problem

    ws = open_book(error_report_xlsx([Problem("lỗi", "error", row=12), Problem("chung")])).active
    assert [list(r) for r in ws.iter_rows(min_row=2, values_only=True)] == [
        [None, "dòng 12", None, "lỗi", "error"],
        [None, None, None, "chung", None],
    ]


def test_unchanged_prefilled_values_of_a_submitted_report_do_not_block_the_import(hierarchy, forms):
    import_workbook(actor=CLI, data=filled_may(), filename="x.xlsx")
    Submission.objects.create(
        dataset=DataSet.objects.get(code="BC-THANG"),
        unit=OrgUnit.objects.get(code="A-W1"),
        period=MAY,
        status=SubmissionStatus.SUBMITTED,
    )
    changed = fill(may_template(), {"G9": 0})  # A-W2 only; A-W1's row is pre-filled, unchanged
    result = import_workbook(actor=CLI, data=changed, filename="x.xlsx")
    assert (result.updated, result.unchanged) == (1, 15)
