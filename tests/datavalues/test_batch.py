"""apply_entries: the one write path of forms, Excel, the API and the CLI.

A batch is validated whole — scope, unit existence, indicator, value, duplicates, locked
reports, entry windows, cross-field checks, revisions — and then written whole, or not at all.
Data: the `hierarchy` fixture (A-W1 and A-W9 in province A, C-W1 in province C) and the default
criteria and report forms.
"""

import datetime as dt

import pytest

from kieumau.audit.models import AuditEntry
from kieumau.core.actors import CLI
from kieumau.core.errors import Conflict, NotFound, ValidationFailed
from kieumau.datavalues.batch import MAX_LISTED_PROBLEMS, Entry, apply_entries
from kieumau.datavalues.models import DataValue
from kieumau.datavalues.services import set_values
from kieumau.datavalues.workflow import transition
from kieumau.evaluation.models import EvaluationResult
from tests.datavalues.conftest import (
    CLOSED_MONTH,
    CURRENT_MONTH,
    MONTHLY,
    NEXT_MONTH,
    OPEN_MONTH,
    report,
    stored,
)

pytestmark = pytest.mark.usefixtures("hierarchy", "forms")

LOCK_ADVICE = "không sửa được số liệu; đề nghị cấp tỉnh trả lại hoặc mở khóa"
STATE_VI = {"submitted": "đã nộp", "approved": "đã duyệt"}


def entries(values: dict, unit="A-W1", period=OPEN_MONTH, **kwargs) -> list[Entry]:
    return [Entry(unit, code, period, raw, **kwargs) for code, raw in values.items()]


def apply(batch, actor=CLI, **kwargs):
    return apply_entries(actor=actor, entries=batch, source=kwargs.pop("source", "test"), **kwargs)


def value_events() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(event="datavalues.values_set").order_by("seq"))


def everything() -> list[tuple]:
    return sorted(DataValue.objects.values_list("unit__code", "indicator__code", "period", "value"))


def refused(batch, actor=CLI, cls=ValidationFailed, **kwargs) -> list:
    """The problems of a refused batch; asserts nothing was written or audited."""
    before, audit = everything(), AuditEntry.objects.count()
    results = list(EvaluationResult.objects.values_list("id", "input_digest"))
    with pytest.raises(cls) as exc:
        apply(batch, actor=actor, **kwargs)
    assert everything() == before
    assert AuditEntry.objects.count() == audit
    assert list(EvaluationResult.objects.values_list("id", "input_digest")) == results
    return exc.value.problems


def submitted(unit="A-W1", period=OPEN_MONTH):
    """A complete monthly report, submitted (by the system actor)."""
    apply(entries(MONTHLY, unit=unit, period=period))
    return transition(actor=CLI, submission_id=report(unit, period=period).pk, action="submit")


# -- all or nothing ----------------------------------------------------------------------------
def test_a_batch_across_units_and_periods_lands_whole():
    batch = [
        *entries({"crime_reports_received": "10", "crime_social_order": "1"}),
        *entries({"crime_reports_received": "2.160"}, period=CURRENT_MONTH),
        *entries({"dossiers_settled": "7"}, unit="A-W9"),
        *entries({"progress_hearings_held": "2"}, unit="C-W1", period="2025Q3"),
    ]
    result = apply(batch)
    assert (result.created, result.updated, result.unchanged) == (5, 0, 0)
    assert stored() == {"crime_reports_received": 10, "crime_social_order": 1}
    assert stored(period=CURRENT_MONTH) == {"crime_reports_received": 2160}
    assert stored("A-W9") == {"dossiers_settled": 7}
    assert stored("C-W1", "2025Q3") == {"progress_hearings_held": 2}
    assert len(result.saved_keys) == 5


def test_one_bad_cell_writes_nothing_and_every_problem_is_listed():
    apply(entries({"crime_reports_received": "10"}))
    batch = [
        *entries({"crime_reports_received": "12"}, sheet="A-W1", cell="C5"),
        Entry("A-W9", "dossiers_settled", OPEN_MONTH, "7", sheet="A-W9", cell="C9"),
        Entry("A-W9", "dossiers_on_time", OPEN_MONTH, "bảy", sheet="A-W9", cell="C10"),
        Entry("C-W1", "crime_social_order", CURRENT_MONTH, "-1", sheet="C-W1", cell="D4"),
        Entry("C-W1", "khong_co", CURRENT_MONTH, "1", row=12),
        Entry("KHONG-CO", "crime_social_order", CURRENT_MONTH, "1", row=13),
        Entry("A-W1", "crime_social_order", "2025-13", "1", row=14),
        Entry("A-W1", "drug_users", OPEN_MONTH, "1", row=15),
        Entry("A-W1", "satisfaction_rate", OPEN_MONTH[:4], "100,5", row=16),
    ]
    problems = refused(batch)
    assert [p.located() for p in problems] == [
        "Trang 'A-W9', ô C10: dossiers_on_time (Số hồ sơ giải quyết đúng hoặc trước hạn): "
        "'bảy' không phải là số",
        "Trang 'C-W1', ô D4: crime_social_order (Số vụ phạm tội về trật tự xã hội): "
        "-1 nằm ngoài giới hạn cho phép (từ 0 đến …)",
        "Dòng 12: chỉ tiêu 'khong_co' không tồn tại",
        "Dòng 13: không tìm thấy đơn vị 'KHONG-CO'",
        "Dòng 14: Mã kỳ '2025-13': tháng phải từ 01 đến 12",
        f"Dòng 15: chỉ tiêu 'drug_users' được báo cáo theo kỳ 'year', không nhập cho kỳ "
        f"{OPEN_MONTH}",
        "Dòng 16: satisfaction_rate (Tỷ lệ người dân hài lòng): 100,5 nằm ngoài giới hạn cho "
        "phép (từ 0 đến 100)",
    ]
    bad_cell = problems[0]
    assert (bad_cell.sheet, bad_cell.cell, bad_cell.field, bad_cell.value) == (
        "A-W9",
        "C10",
        "dossiers_on_time",
        "bảy",
    )
    assert stored() == {"crime_reports_received": 10}  # not 12
    assert stored("A-W9") == {}


def test_an_empty_batch_is_refused():
    assert refused([])[0].message == "không có giá trị nào để ghi"


def test_a_huge_refusal_lists_a_bounded_number_of_problems():
    batch = [Entry("A-W1", f"khong_co_{i}", OPEN_MONTH, "1", row=i) for i in range(1, 601)]
    problems = refused(batch)
    assert len(problems) == MAX_LISTED_PROBLEMS + 1
    assert problems[-1].message == "… và 100 lỗi khác"


def test_the_same_value_twice_is_accepted_once():
    batch = [
        Entry("A-W1", "crime_reports_received", OPEN_MONTH, "10", sheet="A-W1", cell="C5"),
        Entry("A-W1", "crime_reports_received", OPEN_MONTH, "10,0", sheet="Tổng hợp", cell="F9"),
    ]
    result = apply(batch)
    assert (result.created, result.updated, result.unchanged) == (1, 0, 0)
    assert stored() == {"crime_reports_received": 10}


def test_the_same_value_twice_with_different_values_is_refused():
    batch = [
        Entry("A-W1", "crime_reports_received", OPEN_MONTH, "10", sheet="A-W1", cell="C5"),
        Entry("A-W1", "crime_reports_received", OPEN_MONTH, "11", sheet="Tổng hợp", cell="F9"),
        Entry("A-W1", "crime_social_order", OPEN_MONTH, "1", row=3),
        Entry("A-W1", "crime_social_order", OPEN_MONTH, "2", row=8),
    ]
    problems = refused(batch)
    assert [p.located() for p in problems] == [
        f"Trang 'Tổng hợp', ô F9: crime_reports_received của 'A-W1' kỳ {OPEN_MONTH} được "
        "nhập hai lần với giá trị khác nhau (lần đầu ở C5)",
        f"Dòng 8: crime_social_order của 'A-W1' kỳ {OPEN_MONTH} được nhập hai lần với giá trị "
        "khác nhau (lần đầu ở dòng 3)",
    ]


def test_writing_the_same_batch_twice_changes_nothing_the_second_time():
    batch = entries(MONTHLY) + entries({"crime_social_order": "4"}, period=CURRENT_MONTH)
    first = apply(batch)
    assert (first.created, first.updated, first.unchanged) == (7, 0, 0)
    audit = AuditEntry.objects.count()
    revisions = sorted(DataValue.objects.values_list("pk", "revision", "updated_at"))
    second = apply(batch)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 7)
    assert AuditEntry.objects.count() == audit
    assert sorted(DataValue.objects.values_list("pk", "revision", "updated_at")) == revisions
    # One changed value among unchanged ones: one update, one audit entry.
    third = apply(entries({**MONTHLY, "crime_social_order": "3"}))
    assert (third.created, third.updated, third.unchanged) == (0, 1, 5)
    assert value_events()[-1].after == {"crime_social_order": 3}


# -- scope -------------------------------------------------------------------------------------
def test_an_officer_writes_their_ward_only(make_user):
    officer = make_user("unit_officer", "A-W1")
    batch = [
        *entries({"crime_social_order": "1"}),
        *entries({"crime_social_order": "1"}, unit="C-W1", sheet="C-W1", cell="C4"),
        *entries({"crime_social_order": "1"}, unit="A-W9"),
    ]
    problems = refused(batch, actor=officer)
    assert [p.located() for p in problems] == [
        "Trang 'C-W1', ô C4: không tìm thấy đơn vị 'C-W1'",
        "không tìm thấy đơn vị 'A-W9'",
    ]
    # Out of scope reads exactly like a unit that does not exist.
    missing = refused(entries({"crime_social_order": "1"}, unit="KHONG-CO"), actor=officer)
    assert missing[0].message == "không tìm thấy đơn vị 'KHONG-CO'"
    apply(batch[:1], actor=officer)
    assert stored() == {"crime_social_order": 1}


@pytest.mark.parametrize(
    ("role", "unit", "target", "allowed"),
    [
        ("province_admin", "A", "A-W9", True),
        ("province_admin", "C", "A-W1", False),
        ("unit_officer", "C-W1", "C-W1", True),
        ("viewer", "A", "A-W1", False),
        ("province_appraiser", "A", "A-W1", False),
        ("ministry_admin", "VN", "C-W1", True),
    ],
)
def test_who_may_write(make_user, role, unit, target, allowed):
    user = make_user(role, unit)
    batch = entries({"crime_social_order": "2"}, unit=target)
    if allowed:
        apply(batch, actor=user)
        assert stored(target) == {"crime_social_order": 2}
    else:
        (problem,) = refused(batch, actor=user)
        assert problem.message == f"không tìm thấy đơn vị '{target}'"


# -- locked reports ----------------------------------------------------------------------------
@pytest.mark.parametrize("state", ["submitted", "approved"])
def test_a_submitted_or_approved_report_cannot_change(make_user, state):
    sub = submitted()
    if state == "approved":
        sub = transition(actor=CLI, submission_id=sub.pk, action="approve")
    assert sub.status == state
    officer = make_user("unit_officer", "A-W1")
    admin = make_user("province_admin", "A")
    batch = entries({"crime_social_order": "5"}, sheet="A-W1", cell="C7")
    for actor in (officer, admin, CLI):  # the system actor too: a locked report is locked
        (problem,) = refused(batch, actor=actor)
        assert problem.message == (
            "báo cáo 'Báo cáo tháng kết quả xây dựng Công an phường điển hình, kiểu mẫu' "
            f"kỳ {OPEN_MONTH} của 'A-W1' {STATE_VI[state]}, {LOCK_ADVICE}"
        )
        assert (problem.sheet, problem.cell) == ("A-W1", "C7")
    assert stored()["crime_social_order"] == 2
    # Other periods and other units are not locked by it.
    apply(entries({"crime_social_order": "5"}, period=CURRENT_MONTH), actor=officer)
    apply(entries({"crime_social_order": "5"}, unit="A-W9"), actor=admin)


def test_a_returned_report_can_be_corrected(make_user):
    sub = submitted()
    transition(actor=CLI, submission_id=sub.pk, action="return", comment="Sai số liệu")
    officer = make_user("unit_officer", "A-W1")
    apply(entries({"crime_social_order": "5"}), actor=officer)
    assert stored()["crime_social_order"] == 5


def test_a_locked_monthly_report_does_not_lock_the_yearly_values(make_user):
    submitted()
    year = OPEN_MONTH[:4]
    apply(entries({"drug_users": "3"}, period=year), actor=make_user("unit_officer", "A-W1"))
    assert stored(period=year) == {"drug_users": 3}


# -- entry windows -----------------------------------------------------------------------------
def test_a_month_not_yet_started_is_closed_to_users_but_not_to_the_system(make_user):
    officer = make_user("unit_officer", "A-W1")
    batch = entries({"crime_social_order": "1"}, period="2025-07")
    (problem,) = refused(batch, actor=officer, today=dt.date(2025, 6, 30))
    assert problem.message == "kỳ 2025-07 chưa bắt đầu (mở từ 01/07/2025)"
    apply(batch, actor=officer, today=dt.date(2025, 7, 1))
    assert stored(period="2025-07") == {"crime_social_order": 1}
    # Today's real calendar: next month is not open yet.
    (problem,) = refused(entries({"crime_social_order": "1"}, period=NEXT_MONTH), actor=officer)
    assert "chưa bắt đầu" in problem.message
    apply(entries({"crime_social_order": "1"}, period=NEXT_MONTH))  # the CLI may
    assert stored(period=NEXT_MONTH) == {"crime_social_order": 1}


def test_a_month_closes_sixty_days_after_its_due_date(make_user):
    officer = make_user("unit_officer", "A-W1")
    batch = entries({"crime_social_order": "1"}, period="2025-05")
    # Due 18/6/2025; entry stays open 60 days more.
    apply(batch, actor=officer, today=dt.date(2025, 8, 17))
    batch = entries({"crime_social_order": "2"}, period="2025-05")
    (problem,) = refused(batch, actor=officer, today=dt.date(2025, 8, 18))
    assert problem.message == (
        "kỳ 2025-05 đã đóng từ 18/08/2025; đề nghị quản trị cấp tỉnh mở khóa để sửa"
    )
    (problem,) = refused(entries({"crime_social_order": "2"}, period=CLOSED_MONTH), actor=officer)
    assert "đã đóng từ" in problem.message
    apply(batch, today=dt.date(2025, 8, 18))  # the system actor loads late data
    assert stored(period="2025-05") == {"crime_social_order": 2}


def test_a_yearly_report_has_no_closing_date(make_user):
    officer = make_user("unit_officer", "A-W1")
    apply(entries({"drug_users": "3"}, period="2021"), actor=officer)
    assert stored(period="2021") == {"drug_users": 3}


# -- cross-field checks ------------------------------------------------------------------------
def test_parts_above_their_total_are_refused_using_the_stored_total(make_user):
    officer = make_user("unit_officer", "A-W1")
    apply(entries({"crime_reports_received": "5"}), actor=officer)
    (problem,) = refused(
        entries({"crime_reports_handled_on_time": "6"}, sheet="A-W1", cell="C6"), actor=officer
    )
    assert problem.message == (
        f"'A-W1' kỳ {OPEN_MONTH}: Số tin báo được giải quyết đúng hạn (6) lớn hơn "
        "Số tin báo, tố giác tội phạm tiếp nhận (5)"
    )
    assert problem.field == "crime_reports_handled_on_time"
    assert problem.sheet == "A-W1"
    # Raising the total in the same batch makes it consistent.
    apply(
        entries({"crime_reports_handled_on_time": "6", "crime_reports_received": "6"}),
        actor=officer,
    )
    # Lowering the stored total below the stored part is refused the same way.
    (problem,) = refused(entries({"crime_reports_received": "4"}), actor=officer)
    assert "(6) lớn hơn Số tin báo, tố giác tội phạm tiếp nhận (4)" in problem.message
    assert stored() == {"crime_reports_received": 6, "crime_reports_handled_on_time": 6}


def test_the_system_actor_is_held_to_the_checks_too():
    apply(entries({"dossiers_settled": "3"}))
    (problem,) = refused(entries({"dossiers_on_time": "4"}))
    assert "(4) lớn hơn Số hồ sơ thủ tục hành chính đã giải quyết (3)" in problem.message


def test_a_stated_percentage_that_disagrees_is_stored_with_a_warning():
    result = apply(
        entries(
            {
                "crime_reports_received": "10",
                "crime_reports_handled_on_time": "9",
                "crime_reports_on_time_pct": "80",
            },
            sheet="A-W1",
        )
    )
    assert result.created == 3
    (warning,) = result.warnings
    assert warning.message == (
        f"'A-W1' kỳ {OPEN_MONTH}: Tỷ lệ tin báo được giải quyết đúng hạn (tự tính) ghi 80% "
        "nhưng tính từ số liệu là 90% (9/10)"
    )
    assert warning.field == "crime_reports_on_time_pct"
    assert warning.sheet == "A-W1"
    assert result.as_dict()["warnings"][0]["message"] == warning.message
    assert stored()["crime_reports_on_time_pct"] == 80.0
    # Stated as computed: no warning.
    assert apply(entries({"crime_reports_on_time_pct": "90"})).warnings == []


# -- concurrent edits --------------------------------------------------------------------------
def test_a_stale_revision_is_a_conflict_naming_the_current_value(make_user):
    officer = make_user("unit_officer", "A-W1")
    apply(entries({"crime_social_order": "5"}), actor=officer)
    apply(entries({"crime_social_order": "6"}, expected_revision=1), actor=officer)
    (problem,) = refused(
        [
            *entries({"crime_social_order": "7"}, expected_revision=1),
            *entries({"crime_reports_received": "1"}, expected_revision=0),
        ],
        actor=officer,
        cls=Conflict,
    )
    assert problem.message.startswith(
        "crime_social_order: người khác đã sửa giá trị thành '6' (unit_officer-a-w1, "
    )
    assert problem.message.endswith(") sau khi bạn mở biểu mẫu; giá trị bạn nhập chưa được lưu")
    assert stored() == {"crime_social_order": 6}
    row = DataValue.objects.get(indicator__code="crime_social_order", period=OPEN_MONTH)
    assert row.revision == 2
    # "Was empty" (0) but someone filled it in.
    apply(entries({"dossiers_settled": "3"}))
    (problem,) = refused(
        entries({"dossiers_settled": "4"}, expected_revision=0), actor=officer, cls=Conflict
    )
    assert "người khác đã sửa giá trị thành '3'" in problem.message
    # With the revision now current the edit goes through.
    apply(entries({"crime_social_order": "7"}, expected_revision=2), actor=officer)
    assert stored()["crime_social_order"] == 7


def test_a_conflict_is_a_409():
    apply(entries({"crime_social_order": "5"}))
    with pytest.raises(Conflict) as exc:
        apply(entries({"crime_social_order": "7"}, expected_revision=0))
    assert exc.value.status_code == 409


# -- audit and re-evaluation -------------------------------------------------------------------
def test_one_audit_entry_per_unit_and_period_with_before_and_after(make_user):
    admin = make_user("province_admin", "A")
    apply(entries({"crime_social_order": "1"}))
    batch = [
        *entries({"crime_social_order": "2", "crime_reports_received": "10"}),
        *entries({"crime_social_order": "3"}, period=CURRENT_MONTH),
        *entries({"dossiers_settled": "7", "dossiers_on_time": "7"}, unit="A-W9"),
    ]
    apply(batch, actor=admin, source="excel:abc123")
    events = value_events()[1:]
    assert len(events) == 3
    by_target = {e.target_repr: e for e in events}
    assert set(by_target) == {
        f"A-W1 {OPEN_MONTH}",
        f"A-W1 {CURRENT_MONTH}",
        f"A-W9 {OPEN_MONTH}",
    }
    first = by_target[f"A-W1 {OPEN_MONTH}"]
    assert first.before == {"crime_social_order": 1, "crime_reports_received": None}
    assert first.after == {"crime_social_order": 2, "crime_reports_received": 10}
    assert by_target[f"A-W9 {OPEN_MONTH}"].after == {"dossiers_settled": 7, "dossiers_on_time": 7}
    for event in events:
        assert (event.actor, event.note) == (admin, "excel:abc123")
    assert {e.unit.code for e in events} == {"A-W1", "A-W9"}
    row = DataValue.objects.get(indicator__code="crime_social_order", period=OPEN_MONTH)
    assert (row.value, row.revision, row.updated_by) == (2, 2, admin)


def test_a_monthly_value_re_evaluates_the_units_year_at_once():
    year = OPEN_MONTH[:4]
    assert not EvaluationResult.objects.filter(unit__code="A-W1", period=year).exists()
    apply(entries({"crime_reports_received": "10", "crime_reports_handled_on_time": "9"}))
    row = EvaluationResult.objects.get(unit__code="A-W1", period=year)
    digest = row.input_digest
    apply(entries({"crime_reports_handled_on_time": "4"}))
    row.refresh_from_db()
    assert row.input_digest != digest
    # Nothing changed, nothing recomputed.
    apply(entries({"crime_reports_handled_on_time": "4"}))
    assert EvaluationResult.objects.get(pk=row.pk).input_digest == row.input_digest
    assert not EvaluationResult.objects.filter(unit__code="A-W9").exists()


def test_re_evaluation_can_be_left_to_a_later_batch():
    apply(entries({"crime_reports_received": "10"}), reevaluate=False)
    assert not EvaluationResult.objects.exists()


def test_set_values_is_the_same_path(make_user):
    officer = make_user("unit_officer", "A-W1")
    set_values(
        actor=officer, unit_code="A-W1", period_code=OPEN_MONTH, values={"dossiers_settled": "3"}
    )
    with pytest.raises(ValidationFailed, match="lớn hơn Số hồ sơ thủ tục hành chính đã giải quyết"):
        set_values(
            actor=officer,
            unit_code="A-W1",
            period_code=OPEN_MONTH,
            values={"dossiers_on_time": "4"},
        )
    with pytest.raises(NotFound, match="không tìm thấy đơn vị 'C-W1'"):
        set_values(
            actor=officer,
            unit_code="C-W1",
            period_code=OPEN_MONTH,
            values={"dossiers_settled": "3"},
        )
    assert value_events()[-1].note == "cli"


# -- cost --------------------------------------------------------------------------------------
def test_a_batch_costs_the_same_queries_for_any_number_of_units(make_user):
    """A province workbook is validated without asking about forms or due rules per unit."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kieumau.datavalues.models import DueRule
    from kieumau.orgunits.models import OrgUnit
    from kieumau.orgunits.services import apply_changes
    from tests.conftest import change

    DueRule.objects.create(
        dataset=report().dataset, province=OrgUnit.objects.get(code="A"), due_day=25
    )
    codes = [f"A-X{i:02d}" for i in range(12)]
    apply_changes(
        actor=CLI,
        changes=[
            change(i, "create", code, dt.date(2020, 1, 1), name=code, kind="ward", parent_code="A")
            for i, code in enumerate(codes, 1)
        ],
        name="more wards",
    )
    admin = make_user("province_admin", "A")

    def batch(units, raw):
        return [e for unit in units for e in entries(MONTHLY | {"crime_social_order": raw}, unit)]

    apply(batch(["A-W1"], "1"), actor=admin, reevaluate=False)  # warm the caches
    with CaptureQueriesContext(connection) as one:
        apply(batch(["A-W9"], "1"), actor=admin, reevaluate=False)
    with CaptureQueriesContext(connection) as many:
        apply(batch(codes, "1"), actor=admin, reevaluate=False)

    # Apart from the audit chain (one entry per unit and period), the same queries.
    def not_audit(captured):
        return [q["sql"] for q in captured.captured_queries if '"audit_' not in q["sql"]]

    assert len(not_audit(many)) == len(not_audit(one)), not_audit(many)
    audit_queries = len(many) - len(not_audit(many))
    assert audit_queries <= len(codes) * (len(one) - len(not_audit(one)))
    assert stored("A-X11")["crime_social_order"] == 1
