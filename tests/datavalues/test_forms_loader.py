"""Report forms as data: the shipped forms load, re-loading changes nothing, bad files land nowhere.

The default forms are what every province reports on: the monthly progress report (BC-THANG),
the quarterly one (BC-QUY) and the yearly report on the 22 criteria (BC-NAM), whose sections are
the criteria groups. A bad form file is refused whole, every problem listed in Vietnamese.
"""

import textwrap

import pytest

from kieumau.audit.models import AuditEntry
from kieumau.core.actors import CLI
from kieumau.core.errors import NotFound, ValidationFailed
from kieumau.criteria.models import Indicator
from kieumau.criteria.services import spec_of
from kieumau.datavalues.forms_catalog import FormCatalog
from kieumau.datavalues.forms_loader import DEFAULT_FORMS, import_forms, load_default_forms
from kieumau.datavalues.models import DataSet, DataSetIndicator
from kieumau.engine import Period, affected_criteria
from kieumau.evaluation.services import version_for
from tests.criteria.conftest import import_default

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


def items(code: str) -> list[DataSetIndicator]:
    return list(DataSetIndicator.objects.filter(dataset__code=code).select_related("indicator"))


def form_events() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(event="datavalues.form_saved").order_by("seq"))


def load(text: str):
    return import_forms(actor=CLI, text=textwrap.dedent(text))


def refused(text: str) -> list[str]:
    """The messages of a refused file; asserts that nothing at all was written."""
    forms = list(DataSet.objects.values_list("code", "due_day", "is_active"))
    rows = list(DataSetIndicator.objects.values_list("dataset_id", "indicator_id", "order"))
    indicators = list(Indicator.objects.values_list("code", "value_type", "period_type"))
    audit = AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        load(text)
    assert list(DataSet.objects.values_list("code", "due_day", "is_active")) == forms
    assert list(DataSetIndicator.objects.values_list("dataset_id", "indicator_id", "order")) == rows
    assert list(Indicator.objects.values_list("code", "value_type", "period_type")) == indicators
    assert AuditEntry.objects.count() == audit
    return [p.message for p in exc.value.problems]


GOOD_FORM = """
    - code: BC-THU
      name_vi: Báo cáo thử
      period: month
      due: {day: 10}
      sections:
        - name_vi: "5. Phòng, chống tội phạm"
          indicators: [crime_reports_received, crime_reports_handled_on_time]
"""


def with_forms(*bodies: str) -> str:
    return "format: 1\nforms:\n" + "".join(textwrap.dedent(b) for b in bodies)


# -- the default forms -------------------------------------------------------------------------
def test_the_monthly_report(forms):
    monthly = forms["BC-THANG"]
    assert (monthly.period_type, monthly.due_day, monthly.due_months_after) == ("month", 18, 1)
    assert monthly.expiry_days == 60
    assert monthly.remind_days_before == 3
    assert set(monthly.unit_kinds) == {"ward", "commune", "township", "special_zone"}
    rows = items("BC-THANG")
    assert [r.indicator.code for r in rows] == MONTHLY_CODES
    assert len(rows) == 8
    optional = {r.indicator.code for r in rows if not r.required}
    assert optional == {"crime_reports_on_time_pct", "dossiers_on_time_pct"}
    assert {r.section_vi for r in rows} == {
        "5. Công tác phòng, chống tội phạm",
        "7. Công tác cải cách hành chính",
    }
    assert len(monthly.checks) == 5
    # The stated percentages are indicators the form defines alongside the criteria's own.
    stated = Indicator.objects.get(code="crime_reports_on_time_pct")
    assert (stated.value_type, stated.period_type, stated.aggregation) == (
        "percentage",
        "month",
        "average",
    )


def test_the_quarterly_report(forms):
    quarterly = forms["BC-QUY"]
    assert (quarterly.period_type, quarterly.due_day, quarterly.expiry_days) == ("quarter", 18, 0)
    assert [(r.indicator.code, r.required) for r in items("BC-QUY")] == [
        ("progress_hearings_held", True)
    ]


def test_the_yearly_report_has_a_section_per_criteria_group(forms):
    yearly = forms["BC-NAM"]
    assert (yearly.period_type, yearly.due_day, yearly.due_months_after) == ("year", 15, 1)
    spec = spec_of(version_for(Period.of_year(2025), set_code="QD5764"))
    read_yearly = {
        ind.code
        for ind in spec.indicators
        if ind.period_type == "year" and affected_criteria(spec, ind.code)
    }
    rows = items("BC-NAM")
    # Every yearly indicator a criterion reads, once, and nothing else.
    assert len(rows) == len(read_yearly)
    assert {r.indicator.code for r in rows} == read_yearly
    assert all(r.required for r in rows)
    # Sections are the criteria groups, in the groups' order, named "<code>. <name>".
    group_names = [f"{g.code}. {g.name_vi}" for g in spec.groups]
    sections = list(dict.fromkeys(r.section_vi for r in rows))
    assert sections == [name for name in group_names if name in sections]
    assert len(sections) == 7
    section_of = {r.indicator.code: r.section_vi for r in rows}
    assert section_of["drug_users"].startswith("5. ")
    assert section_of["security_land_area"].startswith("3. ")
    assert section_of["satisfaction_rate"].startswith("7. ")
    assert section_of["party_committee_rating"].startswith("1. ")
    # Each indicator sits in the group of the first criterion that reads it.
    group_of = {c.code: c.group for c in spec.criteria}
    for row in rows:
        first = min(
            affected_criteria(spec, row.indicator.code),
            key=lambda c: [int(x) for x in c.split(".")],
        )
        assert row.section_vi.startswith(f"{group_of[first]}. "), row.indicator.code
    # Monthly and quarterly indicators are not in the yearly report.
    assert not {"crime_reports_received", "progress_hearings_held"} & set(section_of)


def test_loading_is_audited_once_per_form(forms):
    events = form_events()
    assert [e.target_repr for e in events] == ["BC-THANG", "BC-QUY", "BC-NAM"]
    monthly = events[0]
    assert monthly.before is None
    assert monthly.after["indicators"] == MONTHLY_CODES
    assert monthly.after["due_day"] == 18


def test_the_catalogue_sees_the_forms(forms):
    catalog = FormCatalog.load()
    assert [f.code for f in catalog.forms_for("ward", "month")] == ["BC-THANG"]
    assert [f.code for f in catalog.forms_for("commune", "year")] == ["BC-NAM"]
    assert catalog.forms_for("province", "month") == []
    monthly = catalog.by_code("BC-THANG")
    assert [monthly.code_of[i] for i in monthly.indicator_ids] == MONTHLY_CODES
    assert monthly.labels["crime_reports_received"] == "Số tin báo, tố giác tội phạm tiếp nhận"


def test_re_importing_the_same_file_changes_nothing(forms):
    before_rows = list(
        DataSetIndicator.objects.order_by("pk").values_list(
            "pk", "dataset_id", "indicator_id", "order", "required", "section_vi"
        )
    )
    before_forms = list(DataSet.objects.order_by("pk").values())
    audit = AuditEntry.objects.count()
    again = load_default_forms(CLI)
    assert {f.pk for f in again} == {f.pk for f in forms.values()}
    assert AuditEntry.objects.count() == audit
    assert list(DataSet.objects.order_by("pk").values()) == before_forms
    after_rows = list(
        DataSetIndicator.objects.order_by("pk").values_list(
            "pk", "dataset_id", "indicator_id", "order", "required", "section_vi"
        )
    )
    assert after_rows == before_rows


def test_a_changed_form_is_updated_and_audited_with_before_and_after(forms):
    text = DEFAULT_FORMS.read_text(encoding="utf-8").replace(
        "due: {day: 18, months_after: 1}\n    remind_days_before: 3",
        "due: {day: 15, months_after: 1}\n    remind_days_before: 3",
    )
    kept = {r.indicator_id: r.pk for r in items("BC-THANG")}
    import_forms(actor=CLI, text=text)
    assert DataSet.objects.get(code="BC-THANG").due_day == 15
    (event,) = form_events()[3:]
    assert event.target_repr == "BC-THANG"
    assert (event.before["due_day"], event.after["due_day"]) == (18, 15)
    # The form's rows are the same rows, not deleted and recreated.
    assert {r.indicator_id: r.pk for r in items("BC-THANG")} == kept


def test_an_indicator_dropped_from_a_form_leaves_it(forms):
    text = with_forms(GOOD_FORM)
    load(text)
    assert [r.indicator.code for r in items("BC-THU")] == [
        "crime_reports_received",
        "crime_reports_handled_on_time",
    ]
    load(text.replace(", crime_reports_handled_on_time]", "]"))
    assert [r.indicator.code for r in items("BC-THU")] == ["crime_reports_received"]


def test_the_yearly_form_needs_its_criteria_set_published(db):
    with pytest.raises(ValidationFailed) as exc:
        load_default_forms(CLI)
    assert "bộ tiêu chí 'QD5764' chưa được ban hành" in exc.value.summary()
    assert not DataSet.objects.exists()


def test_only_criteria_managers_load_forms(hierarchy, make_user):
    import_default()
    for role, unit in (("province_admin", "A"), ("unit_officer", "A-W1")):
        with pytest.raises(NotFound):
            load_default_forms(make_user(role, unit))
    assert not DataSet.objects.exists()
    load_default_forms(make_user("ministry_admin", "VN"))
    assert DataSet.objects.count() == 3


# -- bad files ---------------------------------------------------------------------------------
@pytest.fixture
def criteria(db):
    return import_default()


def test_an_unknown_indicator_is_refused(criteria):
    text = with_forms(GOOD_FORM.replace("crime_reports_received", "khong_co"))
    assert refused(text) == ["biểu mẫu 'BC-THU': chỉ tiêu 'khong_co' không tồn tại"]


@pytest.mark.parametrize("period", ["week", "tháng", None])
def test_a_bad_period_type_is_refused(criteria, period):
    line = "" if period is None else f"      period: {period}\n"
    text = with_forms(GOOD_FORM.replace("      period: month\n", line))
    assert refused(text) == [f"biểu mẫu 'BC-THU': loại kỳ '{period}' không hợp lệ"]


def test_a_duplicate_form_code_is_refused(criteria):
    text = with_forms(GOOD_FORM, GOOD_FORM)
    assert refused(text) == ["biểu mẫu 'BC-THU': mã bị trùng"]


def test_a_check_naming_an_indicator_outside_the_form_is_refused(criteria):
    body = GOOD_FORM + (
        "      checks:\n"
        "        - {kind: not_greater, parts: [crime_reports_handled_on_time], total: drug_users}\n"
        "        - {kind: percentage, numerator: a, denominator: crime_reports_received,"
        " stated: b}\n"
        "        - {kind: ratio}\n"
    )
    assert refused(with_forms(body)) == [
        "biểu mẫu 'BC-THU': kiểm tra dùng chỉ tiêu 'drug_users' không có trong biểu mẫu",
        "biểu mẫu 'BC-THU': kiểm tra dùng chỉ tiêu 'a' không có trong biểu mẫu",
        "biểu mẫu 'BC-THU': kiểm tra dùng chỉ tiêu 'b' không có trong biểu mẫu",
        "biểu mẫu 'BC-THU': loại kiểm tra 'ratio' không được hỗ trợ (not_greater, percentage)",
    ]


@pytest.mark.parametrize("day", ["0", "32", "'18'", "-1", "1.5"])
def test_a_bad_due_day_is_refused(criteria, day):
    text = with_forms(GOOD_FORM.replace("due: {day: 10}", f"due: {{day: {day}}}"))
    (message,) = refused(text)
    assert message.startswith("biểu mẫu 'BC-THU': ngày hạn nộp ")
    assert message.endswith(" phải từ 1 đến 31")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("due: {day: 10, months_after: -1}", "-1"),
        ("due: {day: 10, months_after: sau}", "sau"),
        ("due: {day: 10}\n      expiry_days: -5", "-5"),
        ("due: {day: 10}\n      remind_days_before: ba", "ba"),
    ],
    ids=["months_after negative", "months_after text", "expiry_days", "remind_days_before"],
)
def test_bad_day_counts_are_refused_not_crashed_on(criteria, field, value):
    text = with_forms(GOOD_FORM.replace("due: {day: 10}", field))
    (message,) = refused(text)
    assert message.startswith("biểu mẫu 'BC-THU': ")
    assert f"'{value}'" in message


def test_a_bad_file_is_refused_whole_with_every_problem(criteria):
    good = GOOD_FORM.replace("BC-THU", "BC-TOT")
    bad = (
        GOOD_FORM.replace("crime_reports_received", "khong_co")
        .replace("period: month", "period: month\n      unit_kinds: [ward, xom]")
        .replace("due: {day: 10}", "due: {day: 40}")
    )
    extra = """
    - code: BC-THEM
      period: month
      extra_indicators:
        so_vu_moi:
          name_vi: Số vụ mới
          type: integer
          period: month
      sections:
        - name_vi: "Khác"
          indicators: [so_vu_moi, so_vu_moi]
    """
    messages = refused(with_forms(good, bad, extra))
    assert messages == [
        "biểu mẫu 'BC-THU': loại đơn vị 'xom' không hợp lệ",
        "biểu mẫu 'BC-THU': ngày hạn nộp '40' phải từ 1 đến 31",
        "biểu mẫu 'BC-THU': chỉ tiêu 'khong_co' không tồn tại",
        "biểu mẫu 'BC-THEM': một chỉ tiêu xuất hiện hai lần",
    ]
    # The good form and the new indicator of the third did not land either.
    assert not DataSet.objects.filter(code="BC-TOT").exists()
    assert not Indicator.objects.filter(code="so_vu_moi").exists()


def test_an_extra_indicator_must_be_well_defined_and_of_the_forms_period(criteria):
    body = """
    - code: BC-THEM
      period: month
      extra_indicators:
        ty_le_nam:
          name_vi: Tỷ lệ năm
          type: percentage
          period: year
        vo_danh:
          type: số
          period: month
          aggregation: median
      sections:
        - name_vi: "Khác"
          indicators: [ty_le_nam, vo_danh]
    """
    assert refused(with_forms(body)) == [
        "biểu mẫu 'BC-THEM', chỉ tiêu 'vo_danh': kiểu giá trị 'số' không hợp lệ",
        "biểu mẫu 'BC-THEM', chỉ tiêu 'vo_danh': cách cộng dồn 'median' không hợp lệ",
        "biểu mẫu 'BC-THEM', chỉ tiêu 'vo_danh': thiếu tên tiếng Việt (name_vi)",
        "biểu mẫu 'BC-THEM': chỉ tiêu 'ty_le_nam' không báo cáo theo kỳ 'month'",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("forms: [", "tệp YAML không đọc được"),
        ("format: 1\n", "tệp biểu mẫu phải có danh sách 'forms'"),
        ("- code: BC-THU\n", "tệp biểu mẫu phải có danh sách 'forms'"),
        ("forms:\n  - name_vi: Không mã\n", "biểu mẫu thứ 1: thiếu mã (code)"),
        (
            "forms:\n  - code: BC-RONG\n    period: month\n    sections: []\n",
            "biểu mẫu 'BC-RONG': không có chỉ tiêu nào",
        ),
        (
            "forms:\n  - code: BC-X\n    period: month\n    due: 18\n    sections:\n"
            "      - indicators: [crime_reports_received]\n",
            "biểu mẫu 'BC-X': 'due' phải có dạng {day: 18}",
        ),
    ],
)
def test_malformed_files_are_refused_with_a_message(criteria, text, message):
    (first, *_rest) = refused(text)
    assert first.startswith(message)


def test_a_good_file_lands_after_a_refused_one(criteria):
    refused(with_forms(GOOD_FORM.replace("crime_reports_received", "khong_co")))
    (form,) = load(with_forms(GOOD_FORM))
    assert form.code == "BC-THU"
    assert form.due_day == 10
    assert form.unit_kinds  # every commune-level kind when none is named
