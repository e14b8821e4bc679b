"""POST/GET /api/v1/datavalues and the report-status API; reminders on the right days.

Data: the `hierarchy` fixture (province A with wards A-W1, A-W9; province C with C-W1) and the
default report forms. Reminder days are given explicitly (`today=`), so time is frozen.
"""

import datetime as dt
import json

import pytest
from django.core import mail

from kieumau.accounts.services import create_token
from kieumau.audit.models import AuditEntry
from kieumau.core.actors import CLI
from kieumau.core.models import ScheduledRun
from kieumau.core.scheduler import DAILY_JOBS, run_due_jobs
from kieumau.datavalues.models import DataValue
from kieumau.datavalues.reminders import send_reminders
from kieumau.datavalues.workflow import transition
from kieumau.notifications.models import Notification
from tests.datavalues.conftest import MONTHLY, OPEN_MONTH, report, stored

pytestmark = pytest.mark.usefixtures("hierarchy", "forms")
URL = "/api/v1/datavalues"


def post(client, user, payload):
    key = getattr(user, "_api_key", None)
    if key is None:
        _, key = create_token(actor=user, user=user, name="thử")
        user._api_key = key
    return client.post(
        URL,
        data=json.dumps(payload),
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )


def rows(unit="A-W1", period=OPEN_MONTH, **values):
    return [
        {"unit": unit, "indicator": code, "period": period, "value": value}
        for code, value in (values or MONTHLY).items()
    ]


def test_post_writes_all_values_and_a_second_post_changes_nothing(client, make_user):
    officer = make_user("unit_officer", "A-W1")
    response = post(client, officer, rows())
    assert response.status_code == 200, response.content
    assert response.json()["created"] == len(MONTHLY)
    assert stored()["dossiers_settled"] == 40
    again = post(client, officer, rows())
    assert again.json() == {"created": 0, "updated": 0, "unchanged": len(MONTHLY), "warnings": []}


def test_post_is_all_or_nothing_and_names_each_bad_row(client, make_user):
    officer = make_user("unit_officer", "A-W1")
    payload = rows()
    payload[2]["value"] = "nhiều"
    payload.append({"unit": "A-W1", "indicator": "khong_co", "period": OPEN_MONTH, "value": 1})
    _, officer._api_key = create_token(actor=officer, user=officer, name="thử")
    before = AuditEntry.objects.count()
    response = post(client, officer, payload)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {e["row"] for e in errors} == {3, len(payload)}
    assert any("'nhiều' không phải là số" in e["message"] for e in errors)
    assert any("chỉ tiêu 'khong_co' không tồn tại" in e["message"] for e in errors)
    assert not DataValue.objects.exists()
    assert AuditEntry.objects.count() == before


def test_post_out_of_scope_unit_is_refused_like_a_missing_one(client, make_user):
    officer = make_user("unit_officer", "A-W1")
    response = post(client, officer, rows(unit="C-W1"))
    assert response.status_code == 400
    assert "không tìm thấy đơn vị 'C-W1'" in response.json()["detail"]
    assert not DataValue.objects.exists()


def test_post_with_a_stale_revision_is_a_conflict(client, make_user):
    officer = make_user("unit_officer", "A-W1")
    post(client, officer, rows())
    payload = [
        {
            "unit": "A-W1",
            "indicator": "dossiers_settled",
            "period": OPEN_MONTH,
            "value": 50,
            "expected_revision": 0,
        }
    ]
    response = post(client, officer, payload)
    assert response.status_code == 409
    assert "người khác đã sửa giá trị thành '40'" in response.json()["detail"]
    assert stored()["dossiers_settled"] == 40


def test_get_values_and_status(client, make_user):
    officer = make_user("unit_officer", "A-W1")
    post(client, officer, rows())
    _, key = create_token(actor=officer, user=officer, name="đọc")
    auth = {"Authorization": f"Bearer {key}"}
    values = client.get(URL, {"unit": "A-W1", "period": OPEN_MONTH}, headers=auth).json()
    assert {v["indicator"]: v["value"] for v in values}["crime_reports_received"] == 10
    assert client.get(URL, {"unit": "C-W1", "period": OPEN_MONTH}, headers=auth).status_code == 404
    transition(actor=officer, submission_id=report().pk, action="submit")
    admin = make_user("province_admin", "A")
    _, admin_key = create_token(actor=admin, user=admin, name="tỉnh")
    response = client.get(
        f"{URL}/status",
        {"form": "BC-THANG", "period": OPEN_MONTH, "under": "A"},
        headers={"Authorization": f"Bearer {admin_key}"},
    )
    assert response.status_code == 200, response.content
    status = response.json()
    by_code = {u["code"]: u for u in status["units"]}
    assert by_code["A-W1"]["status"] == "submitted"
    assert status["total"] == len(status["units"])
    assert status["on_time"] + status["late"] == 1


def test_reminders_before_the_due_date_and_when_overdue_once_each(make_user):
    officer = make_user("unit_officer", "A-W1")
    officer.email = "canbo@example.vn"
    officer.save()
    admin = make_user("province_admin", "A")
    # May 2026: due 18 June 2026; BC-THANG reminds 3 days before.
    send_reminders(today=dt.date(2026, 6, 14))
    may = Notification.objects.filter(subject__contains="kỳ 2026-05 ")
    assert not may.exists()
    # April's report (due 18 May) is 27 days late on 14 June: overdue notices, once.
    assert Notification.objects.filter(user=officer, kind="report_overdue").count() == 1
    send_reminders(today=dt.date(2026, 6, 15))
    due_soon = Notification.objects.filter(user=officer, kind="report_due_soon")
    assert [n.subject for n in due_soon if "2026-05" in n.subject]
    assert any("hạn 18/06/2026" in n.subject for n in due_soon)
    # A-W1's reminder goes to its own officer; A-W9 has none, so its reminder goes one level up.
    admin_due = Notification.objects.filter(user=admin, kind="report_due_soon")
    assert not admin_due.filter(subject__contains="— A-W1 ").exists()
    assert admin_due.filter(subject__contains="— A-W9 ").exists()
    count = Notification.objects.filter(kind="report_due_soon", subject__contains="2026-05").count()
    send_reminders(today=dt.date(2026, 6, 16))  # still due soon: not sent again
    assert (
        Notification.objects.filter(kind="report_due_soon", subject__contains="2026-05").count()
        == count
    )
    send_reminders(today=dt.date(2026, 6, 19))
    overdue = Notification.objects.filter(kind="report_overdue", subject__contains="2026-05")
    assert {n.user for n in overdue} >= {officer, admin}


def test_a_submitted_report_gets_no_reminder(make_user):
    officer = make_user("unit_officer", "A-W1")
    make_user("province_admin", "A")
    from kieumau.datavalues.services import set_values

    set_values(actor=CLI, unit_code="A-W1", period_code="2026-05", values=MONTHLY)
    transition(actor=CLI, submission_id=report(period="2026-05").pk, action="submit")
    send_reminders(today=dt.date(2026, 6, 19))
    assert not Notification.objects.filter(
        user=officer, subject__contains="2026-05 — A-W1"
    ).exists()
    assert Notification.objects.filter(subject__contains="2026-05 — A-W9").exists()


def test_reminder_e_mails_go_out_after_commit(make_user, django_capture_on_commit_callbacks):
    officer = make_user("unit_officer", "A-W1")
    officer.email = "canbo@example.vn"
    officer.save()
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(today=dt.date(2026, 6, 15))
    assert any(m.to == ["canbo@example.vn"] and "Sắp đến hạn" in m.subject for m in mail.outbox)
    assert Notification.objects.filter(user=officer, emailed=True).exists()


def test_the_scheduler_runs_each_daily_job_once_per_day(make_user):
    make_user("unit_officer", "A-W1")
    first = run_due_jobs(dt.date(2026, 6, 15))
    assert first["kieumau.datavalues.reminders.daily_job"]["due_soon"] >= 1
    assert run_due_jobs(dt.date(2026, 6, 15)) == {}
    finished = ScheduledRun.objects.filter(day=dt.date(2026, 6, 15), finished_at__isnull=False)
    assert sorted(finished.values_list("job", flat=True)) == sorted(DAILY_JOBS)
    assert "kieumau.datavalues.reminders.daily_job" in run_due_jobs(dt.date(2026, 6, 16))


def test_a_report_returned_after_its_period_closed_can_be_corrected(make_user):
    from kieumau.datavalues.batch import Entry, apply_entries
    from tests.datavalues.conftest import CLOSED_MONTH

    officer = make_user("unit_officer", "A-W1")
    admin = make_user("province_admin", "A")
    from kieumau.datavalues.services import set_values

    set_values(actor=CLI, unit_code="A-W1", period_code=CLOSED_MONTH, values=MONTHLY)
    sub = report(period=CLOSED_MONTH)
    transition(actor=officer, submission_id=sub.pk, action="submit")
    transition(actor=admin, submission_id=sub.pk, action="return", comment="Sai số hồ sơ")
    entry = Entry(unit="A-W1", indicator="dossiers_settled", period=CLOSED_MONTH, raw="41")
    result = apply_entries(actor=officer, entries=[entry], source="form")
    assert result.updated == 1
    assert stored(period=CLOSED_MONTH)["dossiers_settled"] == 41
