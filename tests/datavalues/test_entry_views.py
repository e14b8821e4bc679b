"""The data-entry pages through the Django test client: enter, save, submit, review, history.

An officer of ward A-W1 enters last month's report (always open), the province administrator of
A reviews it. Messages are the Vietnamese ones people read on the page.
Data: the `hierarchy` fixture and the default criteria and report forms.
"""

import datetime as dt
import html

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kieumau.core.actors import CLI
from kieumau.datavalues.batch import Entry, apply_entries
from kieumau.datavalues.models import DataValue, DueRule, Submission, ValueComment
from kieumau.datavalues.schedule import DueSpec, due_date
from kieumau.datavalues.workflow import transition
from kieumau.engine import parse_period
from kieumau.notifications.models import Notification
from kieumau.orgunits.models import OrgUnit
from tests.conftest import change
from tests.datavalues.conftest import MONTHLY, NEXT_MONTH, OPEN_MONTH, local_noon, report, stored

pytestmark = pytest.mark.usefixtures("hierarchy", "forms")

URL = f"/data/entry/A-W1/BC-THANG/{OPEN_MONTH}/"
CODES = [
    "crime_reports_received",
    "crime_reports_handled_on_time",
    "crime_reports_on_time_pct",
    "crime_social_order",
    "dossiers_settled",
    "dossiers_on_time",
    "dossiers_early",
    "dossiers_on_time_pct",
]


def text(response) -> str:
    """The page as people read it (entities decoded)."""
    return html.unescape(response.content.decode())


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def officer(make_user):
    return make_user("unit_officer", "A-W1")


@pytest.fixture
def admin(make_user):
    return make_user("province_admin", "A")


def form_data(response, action="save", **values) -> dict:
    """What the browser posts from the page in `response`: every input as shown, changed ones
    replaced, the revisions the page was rendered with."""
    sheet = response.context["sheet"]
    data = {"action": action, "sub_rev": str(sheet.submission.revision)}
    for _section, rows in sheet.sections:
        for row in rows:
            code = row.indicator.code
            data[f"v_{code}"] = row.text
            data[f"r_{code}"] = str(row.revision)
    for code, raw in values.items():
        data[f"v_{code}"] = raw
    return data


def fill(values=MONTHLY, unit="A-W1", period=OPEN_MONTH):
    apply_entries(
        actor=CLI,
        entries=[Entry(unit, code, period, raw) for code, raw in values.items()],
        source="test",
    )


# -- entering ----------------------------------------------------------------------------------
def test_the_officer_opens_the_report(officer):
    response = signed_in(officer).get(URL)
    assert response.status_code == 200
    sheet = response.context["sheet"]
    assert sheet.can_edit and not sheet.can_review and not sheet.can_unlock
    assert [row.indicator.code for _s, rows in sheet.sections for row in rows] == CODES
    page = text(response)
    assert "Báo cáo tháng kết quả xây dựng Công an phường điển hình, kiểu mẫu" in page
    assert "Phường Một (A-W1)" in page
    assert 'name="v_crime_reports_received"' in page
    assert "Lưu nháp" in page
    # The criteria each value feeds are shown beside it.
    received = sheet.sections[0][1][0]
    assert "5.1" in {c["code"] for c in received.affects}
    # The due date: the 18th of the month after.
    assert sheet.due == due_date(parse_period(OPEN_MONTH), DueSpec(18, 1))
    assert sheet.due.strftime("%d/%m/%Y") in page


def test_opening_a_report_writes_nothing(officer, make_user):
    """A read is a read: opening, checking and viewing a report creates no rows and no audit."""
    from kieumau.audit.models import AuditEntry

    before = AuditEntry.objects.count()
    for user in (officer, make_user("viewer", "A"), make_user("province_admin", "A")):
        assert signed_in(user).get(URL).status_code == 200
    assert not Submission.objects.exists()
    assert AuditEntry.objects.count() == before
    # Reviewing a report nobody started says so and changes nothing.
    admin = make_user("province_admin", "A", username="admin-review")
    response = signed_in(admin).post(URL + "review/", {"action": "approve"}, follow=True)
    assert "Báo cáo này chưa được lập." in text(response)
    assert not Submission.objects.exists()


def test_the_first_submit_creates_and_submits_the_report(officer):
    client = signed_in(officer)
    client.post(URL, form_data(client.get(URL), action="submit", **MONTHLY))
    sub = Submission.objects.get()
    assert (sub.status, sub.revision) == ("submitted", 2)
    assert [e.action for e in sub.events.all()] == ["submit"]


def test_saving_a_draft_stores_the_values(officer):
    client = signed_in(officer)
    page = client.get(URL)
    response = client.post(
        URL,
        form_data(page, crime_reports_received="2.160", crime_reports_handled_on_time="2000"),
    )
    assert response.status_code == 302
    assert response["Location"] == URL
    assert stored() == {"crime_reports_received": 2160, "crime_reports_handled_on_time": 2000}
    after = client.get(URL)
    assert "Đã lưu: 2 giá trị thay đổi." in text(after)
    assert report().status == "draft"
    row = DataValue.objects.get(indicator__code="crime_reports_received", period=OPEN_MONTH)
    assert (row.updated_by, row.revision) == (officer, 1)
    # Saving the page again as shown changes nothing.
    client.post(URL, form_data(after))
    assert DataValue.objects.get(pk=row.pk).revision == 1


def test_a_bad_value_stores_nothing_and_says_why(officer):
    client = signed_in(officer)
    page = client.get(URL)
    response = client.post(
        URL, form_data(page, crime_reports_received="12", crime_social_order="hai")
    )
    assert response.status_code == 400
    shown = text(response)
    assert "Chưa có gì được lưu:" in shown
    assert "crime_social_order (Số vụ phạm tội về trật tự xã hội): 'hai' không phải là số" in shown
    assert stored() == {}
    # What was typed is shown again, so nothing has to be typed twice.
    assert 'value="hai"' in shown
    assert 'value="12"' in shown


def test_a_value_contradicting_the_stored_total_is_refused(officer):
    fill({"crime_reports_received": "5"})
    client = signed_in(officer)
    response = client.post(URL, form_data(client.get(URL), crime_reports_handled_on_time="6"))
    assert response.status_code == 400
    assert "(6) lớn hơn Số tin báo, tố giác tội phạm tiếp nhận (5)" in text(response)
    assert stored() == {"crime_reports_received": 5}


def test_a_percentage_warning_is_shown_and_the_values_kept(officer):
    client = signed_in(officer)
    values = {
        "crime_reports_received": "10",
        "crime_reports_handled_on_time": "9",
        "crime_reports_on_time_pct": "50",
    }
    response = client.post(URL, form_data(client.get(URL), **values), follow=True)
    assert response.status_code == 200
    assert "ghi 50% nhưng tính từ số liệu là 90% (9/10)" in text(response)
    assert stored()["crime_reports_on_time_pct"] == 50.0


def test_two_sessions_editing_the_same_value(officer, admin):
    first, second = signed_in(officer), signed_in(admin)
    first_page, second_page = first.get(URL), second.get(URL)
    assert first.post(URL, form_data(first_page, crime_social_order="5")).status_code == 302
    response = second.post(URL, form_data(second_page, crime_social_order="7"))
    assert response.status_code == 409
    shown = text(response)
    assert "Người khác đã sửa báo cáo này; chưa có gì được lưu." in shown
    assert "crime_social_order: người khác đã sửa giá trị thành '5' (unit_officer-a-w1, " in shown
    assert stored() == {"crime_social_order": 5}
    # Reloaded, the page carries the new revision and the edit goes through.
    assert second.post(URL, form_data(second.get(URL), crime_social_order="7")).status_code == 302
    assert stored() == {"crime_social_order": 7}


def test_untouched_inputs_do_not_conflict_with_someone_elses_edit(officer, admin):
    fill({"crime_social_order": "1", "dossiers_settled": "3"})
    first, second = signed_in(officer), signed_in(admin)
    second_page = second.get(URL)
    first.post(URL, form_data(first.get(URL), crime_social_order="2"))
    # The second person changes another value; theirs lands, the first person's is kept.
    response = second.post(
        URL, form_data(second_page, crime_social_order="2", dossiers_settled="4")
    )
    assert response.status_code == 302
    assert stored() == {"crime_social_order": 2, "dossiers_settled": 4}


# -- submitting and reviewing ------------------------------------------------------------------
def test_save_and_submit(officer, admin):
    client = signed_in(officer)
    response = client.post(URL, form_data(client.get(URL), action="submit", **MONTHLY))
    assert response.status_code == 302
    sub = report()
    assert (sub.status, sub.submitted_by) == ("submitted", officer)
    page = client.get(URL)
    assert "Đã nộp báo cáo lên cấp tỉnh." in text(page)
    assert not page.context["sheet"].can_edit
    assert 'id="report-status">Đã nộp<' in text(page)
    # A locked report takes no more values from the page.
    before = stored()
    assert client.post(URL, form_data(page, crime_social_order="9")).status_code == 404
    assert stored() == before
    # The province is told.
    assert Notification.objects.filter(user=admin, kind="report_submit").count() == 1


def test_submit_with_a_missing_value_lists_it_and_saves_nothing(officer):
    client = signed_in(officer)
    values = {k: v for k, v in MONTHLY.items() if k != "dossiers_early"}
    response = client.post(URL, form_data(client.get(URL), action="submit", **values))
    assert response.status_code == 400
    shown = text(response)
    assert "thiếu dossiers_early (Số hồ sơ giải quyết trước hạn)" in shown
    assert "Chưa có gì được lưu:" in shown
    assert report().status == "draft"
    assert stored() == {}  # the page said nothing was saved: nothing was


def test_a_double_submit_is_refused(officer):
    client = signed_in(officer)
    page = client.get(URL)
    client.post(URL, form_data(page, action="submit", **MONTHLY))
    # The second click of the same page: the report is locked now.
    assert client.post(URL, form_data(page, action="submit")).status_code == 404
    assert report().revision == 2


def test_the_province_approves_on_the_review_form(officer, admin):
    fill()
    transition(actor=officer, submission_id=report().pk, action="submit")
    client = signed_in(admin)
    page = client.get(URL)
    sheet = page.context["sheet"]
    assert sheet.can_review and sheet.can_unlock and not sheet.can_edit
    assert "Duyệt" in text(page)
    response = client.post(
        URL + "review/", {"action": "approve", "sub_rev": str(sheet.submission.revision)}
    )
    assert response.status_code == 302
    assert response["Location"] == URL
    sub = report()
    assert (sub.status, sub.decided_by) == ("approved", admin)
    # The officer cannot approve (their own or any) report: not found.
    assert signed_in(officer).post(URL + "review/", {"action": "unlock"}).status_code == 404


def test_a_stale_review_is_refused_with_a_message(officer, admin, make_user):
    fill()
    sub = transition(actor=officer, submission_id=report().pk, action="submit")
    other = make_user("province_admin", "A", username="admin2-a")
    client = signed_in(admin)
    page = client.get(URL)
    transition(actor=other, submission_id=sub.pk, action="return", comment="Sai")
    data = {"action": "approve", "sub_rev": str(page.context["sheet"].submission.revision)}
    response = client.post(URL + "review/", data, follow=True)
    assert "báo cáo đã thay đổi trạng thái (bị trả lại) sau khi bạn mở trang" in text(response)
    assert report().status == "returned"


def test_a_returned_report_shows_the_reason_in_the_timeline(officer, admin):
    fill()
    transition(actor=officer, submission_id=report().pk, action="submit")
    client = signed_in(admin)
    rev = client.get(URL).context["sheet"].submission.revision
    reason = "Thiếu số liệu <b>hồ sơ</b>\nđề nghị bổ sung"
    client.post(URL + "review/", {"action": "return", "sub_rev": str(rev), "comment": reason})
    assert report().status == "returned"
    page = signed_in(officer).get(URL)
    raw = page.content.decode()
    assert "Thiếu số liệu &lt;b&gt;hồ sơ&lt;/b&gt;<br>đề nghị bổ sung" in raw
    assert "<b>hồ sơ</b>" not in raw
    assert "Bị trả lại" in text(page)
    assert page.context["sheet"].can_edit  # returned: the officer corrects it


def test_returning_without_a_reason_is_refused_on_the_page(officer, admin):
    fill()
    transition(actor=officer, submission_id=report().pk, action="submit")
    client = signed_in(admin)
    rev = client.get(URL).context["sheet"].submission.revision
    response = client.post(
        URL + "review/", {"action": "return", "sub_rev": str(rev), "comment": " "}, follow=True
    )
    assert "cần ghi rõ lý do" in text(response)
    assert report().status == "submitted"


def test_a_timeline_comment(officer, make_user):
    viewer = make_user("viewer", "A")
    client = signed_in(viewer)
    client.get(URL)
    response = client.post(URL + "review/", {"action": "comment", "comment": "Đã <i>xem</i>"})
    assert response.status_code == 302
    page = signed_in(officer).get(URL)
    assert "Đã &lt;i&gt;xem&lt;/i&gt;" in page.content.decode()
    # A viewer reads but does not edit.
    assert not client.get(URL).context["sheet"].can_edit
    assert client.post(URL, {"action": "save", "v_crime_social_order": "1"}).status_code == 404
    assert stored() == {}


# -- value history -----------------------------------------------------------------------------
def test_the_value_history_shows_each_change_and_comments(officer):
    client = signed_in(officer)
    client.post(URL, form_data(client.get(URL), crime_social_order="3"))
    client.post(URL, form_data(client.get(URL), crime_social_order="4"))
    history = f"/data/values/A-W1/{OPEN_MONTH}/crime_social_order/"
    response = client.get(history)
    assert response.status_code == 200
    changes = response.context["changes"]
    assert [(c["before"], c["after"], c["actor"], c["source"]) for c in changes] == [
        ("3", "4", "unit_officer-a-w1", "form"),
        ("", "3", "unit_officer-a-w1", "form"),
    ]
    posted = client.post(history, {"text": "Theo <script>alert(1)</script> báo cáo"})
    assert posted.status_code == 302
    assert posted["Location"] == history
    (comment,) = ValueComment.objects.all()
    assert (comment.text, comment.author) == ("Theo <script>alert(1)</script> báo cáo", officer)
    page = client.get(history).content.decode()
    assert "Theo &lt;script&gt;alert(1)&lt;/script&gt; báo cáo" in page
    assert "<script>alert(1)</script>" not in page
    # The entry page counts the comments beside the value.
    sheet = client.get(URL).context["sheet"]
    row = next(
        r for _s, rows in sheet.sections for r in rows if r.indicator.code == "crime_social_order"
    )
    assert row.comments == 1


def test_an_empty_comment_is_refused(officer):
    client = signed_in(officer)
    history = f"/data/values/A-W1/{OPEN_MONTH}/crime_social_order/"
    response = client.post(history, {"text": "   "}, follow=True)
    assert "nội dung trống" in text(response)
    assert not ValueComment.objects.exists()


# -- live checks -------------------------------------------------------------------------------
def test_the_live_check_shows_errors_warnings_and_affected_criteria(officer):
    client = signed_in(officer)
    response = client.post(
        URL + "check/",
        {
            "v_crime_reports_received": "5",
            "v_crime_reports_handled_on_time": "6",
            "v_dossiers_settled": "10",
            "v_dossiers_on_time": "8",
            "v_dossiers_on_time_pct": "50",
            "v_crime_social_order": "không rõ",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    shown = text(response)
    assert "'không rõ' không phải là số" in shown
    assert (
        "Số tin báo được giải quyết đúng hạn (6) lớn hơn Số tin báo, tố giác tội phạm tiếp nhận (5)"
        in shown
    )
    assert "ghi 50% nhưng tính từ số liệu là 80% (8/10)" in shown
    assert "Thay đổi của bạn ảnh hưởng đến:" in shown
    assert 'class="badge st-none" title="' in shown
    badges = [c["code"] for c in response.context["affected"]]
    assert "5.1" in badges
    assert badges == sorted(set(badges), key=lambda c: [int(x) for x in c.split(".")])
    assert stored() == {}  # a check saves nothing


def test_the_live_check_says_when_all_is_well(officer):
    response = signed_in(officer).post(URL + "check/", {"v_crime_reports_received": "5"})
    assert "Không thấy lỗi trong số liệu vừa nhập." in text(response)
    assert "5.1" in text(response)


def test_the_live_check_of_nothing_changed_shows_nothing(officer):
    response = signed_in(officer).post(URL + "check/", {})
    assert response.status_code == 200
    assert response.context["affected"] == []
    assert "Không thấy lỗi" not in text(response)


# -- scope -------------------------------------------------------------------------------------
def test_another_provinces_officer_gets_404_everywhere(make_user, officer):
    fill({"crime_social_order": "1"})
    outsider = signed_in(make_user("unit_officer", "C-W1"))
    assert outsider.get(URL).status_code == 404
    assert outsider.post(URL, {"action": "save", "v_crime_social_order": "9"}).status_code == 404
    assert outsider.post(URL + "check/", {"v_crime_social_order": "9"}).status_code == 404
    assert outsider.post(URL + "review/", {"action": "comment", "comment": "x"}).status_code == 404
    history = f"/data/values/A-W1/{OPEN_MONTH}/crime_social_order/"
    assert outsider.get(history).status_code == 404
    assert outsider.post(history, {"text": "x"}).status_code == 404
    assert stored() == {"crime_social_order": 1}
    assert not ValueComment.objects.exists()
    # Same answer as a unit that does not exist.
    assert outsider.get("/data/entry/KHONG-CO/BC-THANG/2025-05/").status_code == 404
    # Their own ward opens.
    assert outsider.get(f"/data/entry/C-W1/BC-THANG/{OPEN_MONTH}/").status_code == 200


def test_a_future_month_is_shown_but_not_editable(officer):
    client = signed_in(officer)
    url = f"/data/entry/A-W1/BC-THANG/{NEXT_MONTH}/"
    page = client.get(url)
    assert page.status_code == 200
    assert not page.context["sheet"].can_edit
    assert "chưa bắt đầu" in text(page)
    assert client.post(url, {"action": "save", "v_crime_social_order": "1"}).status_code == 404
    assert stored(period=NEXT_MONTH) == {}


def test_a_wrong_period_for_the_form_goes_back_with_a_message(officer):
    response = signed_in(officer).get("/data/entry/A-W1/BC-THANG/2025/", follow=True)
    assert response.redirect_chain[-1][0] == "/data/"
    assert "biểu mẫu 'BC-THANG' báo cáo theo kỳ 'month'" in text(response)


def test_the_start_page_lists_what_waits_for_the_province(officer, admin):
    fill()
    transition(actor=officer, submission_id=report().pk, action="submit")
    page = signed_in(admin).get("/data/")
    assert [s.unit.code for s in page.context["waiting"]] == ["A-W1"]
    assert URL in page.content.decode()
    own = signed_in(officer).get("/data/")
    assert own.context["waiting"] == []
    assert [u.code for u in own.context["own_units"]] == ["A-W1"]
    redirect = signed_in(officer).get(
        "/data/", {"unit": "A-W1", "form": "BC-THANG", "period": OPEN_MONTH}
    )
    assert redirect["Location"] == URL


# -- report status -----------------------------------------------------------------------------
def submit_at(unit: str, day: dt.date, period: str = OPEN_MONTH) -> Submission:
    fill(unit=unit, period=period)
    return transition(
        actor=CLI,
        submission_id=report(unit, period=period).pk,
        action="submit",
        now=local_noon(day),
    )


def status_page(client, **params):
    return client.get("/data/status/", {"form": "BC-THANG", "period": OPEN_MONTH, **params})


def test_the_province_sees_who_has_reported(admin):
    due = due_date(parse_period(OPEN_MONTH), DueSpec(18, 1))
    submit_at("A-W1", due)
    client = signed_in(admin)
    response = status_page(client)
    assert response.status_code == 200
    assert not response.context["national"]
    data = response.context["data"]
    assert {r.code: (r.status, r.on_time) for r in data["rows"]} == {
        "A-W1": ("submitted", True),
        "A-W9": ("not_started", None),
    }
    summary = data["summary"]
    assert (summary.total, summary.on_time, summary.late, summary.missing) == (2, 1, 0, 1)
    assert "1/2 đơn vị đã nộp (50,0%)" in text(response)
    # A-W9 submits after the due date: late.
    submit_at("A-W9", due + dt.timedelta(days=1))
    summary = status_page(client).context["data"]["summary"]
    assert (summary.on_time, summary.late, summary.missing) == (1, 1, 0)
    # Approved and returned reports still count as submitted.
    transition(actor=admin, submission_id=report().pk, action="approve")
    transition(actor=admin, submission_id=report("A-W9").pk, action="return", comment="Sai")
    summary = status_page(client).context["data"]["summary"]
    assert (summary.on_time, summary.late, summary.approved, summary.returned) == (1, 1, 1, 1)
    # Unlocked, the report is back to not submitted.
    transition(actor=admin, submission_id=report().pk, action="unlock", comment="Sửa")
    summary = status_page(client).context["data"]["summary"]
    assert (summary.on_time, summary.late, summary.missing) == (0, 1, 1)


def test_overdue_reports_are_counted(admin):
    client = signed_in(admin)
    summary = status_page(client, period="2025-05").context["data"]["summary"]
    # May 2025: wards A-W1 and A-W2 (merged into A-W9 in July); both overdue by now.
    assert (summary.total, summary.missing, summary.overdue) == (2, 2, 2)
    summary = status_page(client, period=NEXT_MONTH).context["data"]["summary"]
    assert (summary.missing, summary.overdue) == (2, 0)


def test_the_nation_sees_the_provinces(make_user):
    submit_at("A-W1", dt.date(2020, 1, 1))
    submit_at("C-W1", dt.date(2099, 1, 1))
    response = status_page(signed_in(make_user("ministry_admin", "VN")))
    assert response.status_code == 200
    assert response.context["national"]
    provinces = {
        p["name"]: (p["code"], p["summary"]) for p in response.context["data"]["provinces"]
    }
    assert set(provinces) == {"Tỉnh A", "Tỉnh C"}
    code_a, a = provinces["Tỉnh A"]
    code_c, c = provinces["Tỉnh C"]
    assert code_a == "A" and code_c == "C"
    assert (a.total, a.on_time, a.late, a.missing) == (2, 1, 0, 1)
    assert (c.total, c.on_time, c.late, c.missing) == (1, 0, 1, 0)
    page = text(response)
    assert f"?form=BC-THANG&period={OPEN_MONTH}&under=A" in page
    assert "2/3 đơn vị đã nộp" in page


def test_a_province_admin_cannot_look_at_another_province(admin):
    client = signed_in(admin)
    assert status_page(client, under="C").status_code == 404
    assert status_page(client, under="A").status_code == 200


def test_a_bad_period_is_a_message_not_an_error(admin):
    response = status_page(signed_in(admin), period="2025-13")
    assert response.status_code == 200
    assert "tháng phải từ 01 đến 12" in text(response)


def add_wards(count: int) -> list[str]:
    from kieumau.orgunits.services import apply_changes

    codes = [f"A-X{i:02d}" for i in range(count)]
    apply_changes(
        actor=CLI,
        changes=[
            change(
                i,
                "create",
                code,
                dt.date(2020, 1, 1),
                name=f"Phường {code}",
                kind="ward",
                parent_code="A",
            )
            for i, code in enumerate(codes, 1)
        ],
        name="more wards",
    )
    return codes


@pytest.mark.parametrize("province_rule", [False, True], ids=["form due day", "province due day"])
def test_the_status_page_costs_the_same_queries_for_any_number_of_units(
    admin, make_user, province_rule
):
    if province_rule:
        DueRule.objects.create(
            dataset=report().dataset, province=OrgUnit.objects.get(code="A"), due_day=10
        )
    client = signed_in(admin)
    national = signed_in(make_user("ministry_admin", "VN"))
    submit_at("A-W1", dt.date(2020, 1, 1))
    status_page(client)  # warm caches (sessions, content types)
    status_page(national)
    with CaptureQueriesContext(connection) as few:
        assert status_page(client).status_code == 200
    with CaptureQueriesContext(connection) as few_national:
        status_page(national)
    for i, code in enumerate(add_wards(12)):
        if i % 3:  # a third of them have not reported
            submit_at(code, dt.date(2020 if i % 2 else 2099, 1, 1))
    with CaptureQueriesContext(connection) as many:
        response = status_page(client)
    with CaptureQueriesContext(connection) as many_national:
        status_page(national)
    assert response.context["data"]["summary"].total == 14
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(many_national) == len(few_national)


# -- notifications -----------------------------------------------------------------------------
def test_the_inbox_and_marking_read(officer, admin, make_user):
    fill()
    transition(actor=officer, submission_id=report().pk, action="submit")
    other = make_user("province_admin", "A", username="admin2-a")
    client = signed_in(admin)
    inbox = client.get("/notifications/")
    assert inbox.status_code == 200
    (note,) = inbox.context["notifications"]
    assert note.subject.startswith("Báo cáo chờ duyệt: ")
    assert note.url == URL
    response = client.post("/notifications/read/", {"id": str(note.pk), "next": note.url})
    assert response.status_code == 302
    assert response["Location"] == URL
    note.refresh_from_db()
    assert note.read_at is not None
    # Someone else's notification is never touched, nor listed.
    theirs = Notification.objects.create(user=other, kind="x", subject="riêng")
    client.post("/notifications/read/", {"id": str(theirs.pk)})
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert theirs not in client.get("/notifications/").context["notifications"]
    # Only local redirects are followed.
    response = client.post("/notifications/read/", {"next": "//evil.example/"})
    assert response["Location"] == "/notifications/"


def test_the_live_check_needs_the_csrf_token_like_every_form(officer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    page = client.get(URL)
    token = client.cookies["csrftoken"].value
    assert client.post(URL + "check/", {"v_crime_social_order": "1"}).status_code == 403
    response = client.post(
        URL + "check/", {"v_crime_social_order": "1", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 200
    # The page's form carries the token, so htmx sends it with every check.
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()
