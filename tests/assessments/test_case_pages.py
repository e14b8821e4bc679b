"""The assessment pages: the case page per role, its forms (self-assessment, appraisal,
transitions, recognition, comments), the case list with its register form, the register of
recognised units and the national view.

Data: the `hierarchy` fixture (province A with wards A-W1 and A-W9; province C with C-W1), the
default 22 criteria; cases for 2025 submitted today (no district step).
"""

import pytest

from kieumau.assessments.choices import CaseStatus
from kieumau.assessments.models import AssessmentCase, CaseCriterion, CaseEvent
from kieumau.assessments.services import save_self_assessment
from kieumau.assessments.workflow import transition
from tests.assessments.case_helpers import (
    agree_all,
    client_for,
    explain_all,
    people_fixture,  # noqa: F401 - the `people` fixture
    proposed,
    recognised,
    register,
    submitted,
)

pytestmark = pytest.mark.usefixtures("hierarchy")


def page(client, case):
    response = client.get(f"/assessments/cases/{case.pk}/")
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def self_form(case, code="1.1"):
    return f'action="/assessments/cases/{case.pk}/criteria/{code}/"'


def decide_form(case, code="1.1"):
    return f'action="/assessments/cases/{case.pk}/criteria/{code}/decision/"'


def button(action):
    return f'name="action" value="{action}"'


def crit(case, code="1.1") -> CaseCriterion:
    return CaseCriterion.objects.get(case=case, code=code)


# -- the case page per role --------------------------------------------------------------------
def test_draft_case_officer_edits_appraiser_only_reads(people):
    (case,) = register(people)
    officer = page(client_for(people["officer"]), case)
    assert self_form(case) in officer and self_form(case, "7.2") in officer
    assert decide_form(case) not in officer
    assert button("submit") in officer
    assert button("approve") not in officer and 'id="recognise-form"' not in officer
    assert 'id="missing"' in officer and "thiếu minh chứng" in officer
    appraiser = page(client_for(people["appraiser"]), case)
    assert self_form(case) not in appraiser and decide_form(case) not in appraiser
    assert 'name="action"' not in appraiser
    assert "Xếp loại thi đua Đảng bộ, UBND phường" in appraiser  # the criteria are shown
    # The province administrator registers cases and may withdraw them.
    assert button("withdraw") in page(client_for(people["admin"]), case)


def test_under_appraisal_the_appraiser_decides_the_officer_waits(people):
    case = submitted(people)
    officer = page(client_for(people["officer"]), case)
    assert self_form(case) not in officer and decide_form(case) not in officer
    assert 'name="action"' not in officer
    assert "Đã thực hiện đầy đủ." in officer  # the self-assessment is shown read-only
    assert "nên không thể thẩm định hồ sơ" not in officer  # not an appraiser at all
    appraiser = page(client_for(people["appraiser"]), case)
    assert decide_form(case) in appraiser and decide_form(case, "7.2") in appraiser
    assert button("approve") in appraiser and button("return") in appraiser
    assert self_form(case) not in appraiser
    assert 'id="changes"' in appraiser  # reviewers see what changed since submission
    ministry = page(client_for(people["ministry"]), case)
    assert 'id="recognise-form"' not in ministry


def test_the_self_assessor_is_not_offered_the_appraisal(people):
    (case,) = register(people)
    explain_all(case, people["admin"])
    client = client_for(people["admin"])
    response = client.post(
        f"/assessments/cases/{case.pk}/transition/",
        {"action": "submit", "revision": case.revision},
    )
    assert response.status_code == 302
    html = page(client, case)
    assert decide_form(case) not in html and button("approve") not in html
    assert "nên không thể thẩm định hồ sơ" in html


def test_proposed_case_shows_the_ministry_the_recognition_form(people):
    case = proposed(people)
    ministry = page(client_for(people["ministry"]), case)
    assert 'id="recognise-form"' in ministry and button("refuse") in ministry
    assert decide_form(case) not in ministry
    appraiser = page(client_for(people["appraiser"]), case)
    assert 'id="recognise-form"' not in appraiser and 'name="action"' not in appraiser


# -- self-assessment ---------------------------------------------------------------------------
def test_self_assessment_saves_and_a_stale_revision_is_409(people):
    (case,) = register(people)
    client = client_for(people["officer"])
    url = f"/assessments/cases/{case.pk}/criteria/1.1/"
    seen = crit(case).revision
    response = client.post(
        url,
        {
            "revision": seen,
            "self_status": "not_met",
            "narrative": "Chưa có quyết định xếp loại.",
            "no_evidence_reason": "Đảng ủy chưa họp xếp loại",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"/assessments/cases/{case.pk}/#c-1.1")
    saved = crit(case)
    assert (saved.self_status, saved.narrative, saved.revision) == (
        "not_met",
        "Chưa có quyết định xếp loại.",
        seen + 1,
    )
    stale = client.post(
        url, {"revision": seen, "self_status": "met", "narrative": "Bản sửa của tôi"}
    )
    assert stale.status_code == 409
    html = stale.content.decode()
    assert "đã được người khác sửa" in html
    assert "Bản sửa của tôi" in html  # what the officer typed is kept
    assert crit(case).self_status == "not_met"


def test_self_assessment_refusals_are_messages_on_the_page(people):
    (case,) = register(people)
    client = client_for(people["officer"])
    response = client.post(f"/assessments/cases/{case.pk}/criteria/1.1/", {"self_status": "có lẽ"})
    assert response.status_code == 400
    assert "chọn &#x27;đạt&#x27; hoặc &#x27;không đạt&#x27;" in response.content.decode()
    missing = client.post(f"/assessments/cases/{case.pk}/criteria/9.9/", {"self_status": "met"})
    assert missing.status_code == 404


def test_self_assessment_uploads_evidence_with_a_preview_link(people, settings, tmp_path):
    from tests.assessments.evidence_samples import PDF, evidence_storage_settings

    evidence_storage_settings(settings, tmp_path)
    (case,) = register(people)
    client = client_for(people["officer"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("quyet-dinh.pdf", PDF, content_type="application/pdf")
    response = client.post(
        f"/assessments/cases/{case.pk}/criteria/1.1/",
        {
            "revision": crit(case).revision,
            "self_status": "met",
            "file": upload,
            "file_title": "Quyết định xếp loại 2025",
        },
    )
    assert response.status_code == 302
    (evidence,) = crit(case).evidence.all()
    html = page(client, case)
    assert f'href="/assessments/evidence/{evidence.pk}/"' in html
    assert "Quyết định xếp loại 2025" in html
    assert client.get(f"/assessments/evidence/{evidence.pk}/").status_code == 200


def test_a_refused_upload_saves_nothing_and_says_why(people, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.assessments.evidence_samples import EXE, evidence_storage_settings

    evidence_storage_settings(settings, tmp_path)
    (case,) = register(people)
    seen = crit(case).revision
    response = client_for(people["officer"]).post(
        f"/assessments/cases/{case.pk}/criteria/1.1/",
        {
            "revision": seen,
            "self_status": "met",
            "narrative": "Kèm quyết định",
            "file": SimpleUploadedFile("quyet-dinh.pdf", EXE, content_type="application/pdf"),
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "quyet-dinh.pdf" in html and "Kèm quyết định" in html
    assert crit(case).revision == seen and not crit(case).evidence.exists()


def test_html_in_a_narrative_is_escaped(people):
    (case,) = register(people)
    save_self_assessment(
        actor=people["officer"],
        case_id=case.pk,
        code="1.1",
        self_status="met",
        narrative='<script>alert("x")</script><b>đậm</b>',
        no_evidence_reason="<img src=x onerror=alert(1)>",
    )
    html = page(client_for(people["appraiser"]), case)
    assert "<script>alert" not in html and "<b>đậm</b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;đậm&lt;/b&gt;" in html
    assert "<img src=x" not in html


# -- appraisal ---------------------------------------------------------------------------------
def test_appraisal_agree_disagree_and_who_may(people):
    case = submitted(people)
    client = client_for(people["appraiser"])
    url = f"/assessments/cases/{case.pk}/criteria/3.1/decision/"
    refused = client.post(url, {"decision": "disagree", "revision": crit(case, "3.1").revision})
    assert refused.status_code == 400
    assert "không đồng ý thì phải ghi rõ lý do" in refused.content.decode()
    response = client.post(
        url,
        {
            "decision": "disagree",
            "reason": "Diện tích trụ sở chưa đủ 500 m²",
            "revision": crit(case, "3.1").revision,
        },
    )
    assert response.status_code == 302
    saved = crit(case, "3.1")
    assert (saved.decision, saved.decision_reason, saved.decided_by) == (
        "disagree",
        "Diện tích trụ sở chưa đủ 500 m²",
        people["appraiser"],
    )
    assert "Diện tích trụ sở chưa đủ 500 m²" in page(client_for(people["officer"]), case)
    # The officer holds no appraisal permission: refused like a case that does not exist.
    assert client_for(people["officer"]).post(url, {"decision": "agree"}).status_code == 404
    assert crit(case, "3.1").decision == "disagree"


def test_deciding_a_draft_is_409(people):
    (case,) = register(people)
    response = client_for(people["appraiser"]).post(
        f"/assessments/cases/{case.pk}/criteria/1.1/decision/", {"decision": "agree"}
    )
    assert response.status_code == 409
    assert "chưa hoặc không còn ở bước thẩm định" in response.content.decode()


# -- transitions -------------------------------------------------------------------------------
def test_submission_blocked_with_the_list_then_submitted(people):
    (case,) = register(people)
    client = client_for(people["officer"])
    url = f"/assessments/cases/{case.pk}/transition/"
    refused = client.post(url, {"action": "submit", "revision": case.revision})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "tiêu chí 1.1: thiếu minh chứng (Quyết định xếp loại chất lượng" in html
    assert "tiêu chí 3.1: thiếu minh chứng" in html
    assert AssessmentCase.objects.get(pk=case.pk).status == CaseStatus.DRAFT
    explain_all(case, people["officer"])
    response = client.post(url, {"action": "submit", "revision": case.revision})
    assert response.status_code == 302
    assert AssessmentCase.objects.get(pk=case.pk).status == CaseStatus.PROVINCE_REVIEW
    # The same button pressed again from the stale page: 409 with the state it is in now.
    again = client.post(url, {"action": "submit", "revision": case.revision})
    assert again.status_code == 409
    assert "chờ cấp tỉnh thẩm định" in again.content.decode()
    assert CaseEvent.objects.filter(case=case, action="submit").count() == 1


def test_illegal_transition_is_409_with_the_current_state(people):
    case = submitted(people)
    response = client_for(people["ministry"]).post(
        f"/assessments/cases/{case.pk}/transition/",
        {"action": "recognise", "revision": case.revision},
    )
    assert response.status_code == 409
    assert "đang ở trạng thái &#x27;chờ cấp tỉnh thẩm định&#x27;" in response.content.decode()
    assert AssessmentCase.objects.get(pk=case.pk).status == CaseStatus.PROVINCE_REVIEW


def test_return_needs_a_reason_and_reaches_the_timeline(people):
    case = submitted(people)
    client = client_for(people["appraiser"])
    url = f"/assessments/cases/{case.pk}/transition/"
    refused = client.post(url, {"action": "return", "revision": case.revision})
    assert refused.status_code == 400 and "cần ghi rõ lý do" in refused.content.decode()
    response = client.post(
        url, {"action": "return", "revision": case.revision, "comment": "Bổ sung biên bản"}
    )
    assert response.status_code == 302
    html = page(client_for(people["officer"]), case)
    assert "Bổ sung biên bản" in html and self_form(case) in html


def test_the_ministry_records_the_recognition_from_the_form(people):
    case = proposed(people)
    client = client_for(people["ministry"])
    url = f"/assessments/cases/{case.pk}/transition/"
    form = {
        "action": "recognise",
        "revision": case.revision,
        "decision_number": "2878/QĐ-BCA",
        "decision_date": "22/4/2026",
        "decision_signer": "Thứ trưởng",
        "decision_year": "2025",
    }
    bad = client.post(url, {**form, "decision_date": "31/02/2026"})
    assert bad.status_code == 400 and "sai ngày quyết định" in bad.content.decode()
    assert 'value="2878/QĐ-BCA"' in bad.content.decode()  # the typed decision is kept
    assert client.post(url, form).status_code == 302
    case.refresh_from_db()
    assert (case.status, case.decision_number, str(case.decision_date), case.recognised_year) == (
        "recognised",
        "2878/QĐ-BCA",
        "2026-04-22",
        2025,
    )
    assert 'id="recognition"' in page(client, case)


def test_comments_go_on_the_timeline(people):
    (case,) = register(people)
    client = client_for(people["appraiser"])
    url = f"/assessments/cases/{case.pk}/comment/"
    assert client.post(url, {"comment": "   "}).status_code == 400
    response = client.post(url, {"comment": "Nhớ đính kèm biên bản họp"})
    assert response.status_code == 302
    assert "Nhớ đính kèm biên bản họp" in page(client_for(people["officer"]), case)


# -- scope -------------------------------------------------------------------------------------
def test_out_of_scope_is_404_everywhere_and_changes_nothing(people):
    case = submitted(people)
    outsider = client_for(people["other_officer"])
    base = f"/assessments/cases/{case.pk}/"
    assert outsider.get(base).status_code == 404
    assert client_for(people["officer"]).get("/assessments/cases/999999/").status_code == 404
    posts = {
        "criteria/1.1/": {"self_status": "met"},
        "criteria/1.1/decision/": {"decision": "agree"},
        "transition/": {"action": "return", "comment": "x"},
        "comment/": {"comment": "x"},
    }
    for path, data in posts.items():
        assert outsider.post(base + path, data).status_code == 404, path
        assert client_for(people["c_admin"]).post(base + path, data).status_code == 404, path
    assert not CaseEvent.objects.filter(case=case).exclude(action="submit").exists()
    assert not CaseCriterion.objects.filter(case=case).exclude(decision="").exists()


# -- the list and the register form ------------------------------------------------------------
def test_case_list_filters_and_scope(people):
    register(people, "A-W1", "A-W9")
    (c_case,) = register_c(people)
    a_case = AssessmentCase.objects.get(unit__code="A-W1")
    explain_all(a_case, people["officer"])
    from kieumau.assessments.workflow import transition

    transition(actor=people["officer"], case_id=a_case.pk, action="submit")
    ministry = client_for(people["ministry"])

    def listed(client, **query):
        response = client.get("/assessments/", query)
        assert response.status_code == 200
        return [r.code for r in response.context["listing"].rows]

    assert listed(ministry) == ["A-W1", "A-W9", "C-W1"]
    assert listed(ministry, status="province_review") == ["A-W1"]
    assert listed(ministry, province="C") == ["C-W1"]
    assert listed(ministry, under="A-W9", year="2025") == ["A-W9"]
    assert listed(ministry, year="2024") == []
    assert listed(client_for(people["admin"])) == ["A-W1", "A-W9"]
    assert listed(client_for(people["officer"])) == ["A-W1"]
    assert client_for(people["admin"]).get("/assessments/", {"under": "C"}).status_code == 404
    bad = ministry.get("/assessments/", {"status": "xong", "year": "năm nay"})
    assert bad.status_code == 400
    assert "năm &#x27;năm nay&#x27; không hợp lệ" in bad.content.decode()
    assert c_case.unit.code == "C-W1"


def register_c(people):
    from kieumau.assessments.services import register_cases

    return register_cases(actor=people["c_admin"], unit_codes=["C-W1"], year=2025)


def test_register_form_all_or_nothing(people):
    admin = client_for(people["admin"])
    response = admin.post("/assessments/", {"units": "A-W1, A-W9", "year": "2025"})
    assert response.status_code == 302
    assert response["Location"] == "/assessments/?year=2025"
    assert set(AssessmentCase.objects.values_list("unit__code", flat=True)) == {"A-W1", "A-W9"}
    again = admin.post("/assessments/", {"units": "A-W1\nC-W1", "year": "2026"})
    assert again.status_code == 400
    html = again.content.decode()
    assert "không tìm thấy đơn vị &#x27;C-W1&#x27;" in html
    assert "A-W1\nC-W1</textarea>" in html  # what was typed is kept
    assert not AssessmentCase.objects.filter(year=2026).exists()
    assert (
        'id="register"' not in client_for(people["appraiser"]).get("/assessments/").content.decode()
    )
    assert (
        client_for(people["appraiser"])
        .post("/assessments/", {"units": "A-W1", "year": "2026"})
        .status_code
        == 404
    )


# -- the register and the national view --------------------------------------------------------
def test_register_of_recognised_units_and_national_view(people):
    case = recognised(people)
    register(people, "A-W9")
    register_c(people)
    ministry = client_for(people["ministry"])
    response = ministry.get("/assessments/recognised/", {"year": "2025"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Phường Một" in html and "2878/QĐ-BCA" in html and "22/04/2026" in html
    assert [r.case.pk for r in response.context["rows"]] == [case.pk]
    assert ministry.get("/assessments/recognised/", {"year": "2024"}).context["rows"] == []
    assert (
        client_for(people["c_admin"])
        .get("/assessments/recognised/", {"year": "2025"})
        .context["rows"]
        == []
    )
    assert ministry.get("/assessments/recognised/", {"year": "x"}).status_code == 400

    national = ministry.get("/assessments/national/", {"year": "2025"})
    assert national.status_code == 200
    lines = {p.code: p.tally for p in national.context["data"]["provinces"]}
    assert (lines["A"].registered, lines["A"].submitted, lines["A"].recognised) == (2, 1, 1)
    assert (lines["C"].registered, lines["C"].submitted) == (1, 0)
    assert national.context["data"]["total"].registered == 3
    own = client_for(people["admin"]).get("/assessments/national/", {"year": "2025"})
    assert [p.code for p in own.context["data"]["provinces"]] == ["A"]


def test_navigation_links_to_the_assessments(people, make_user):
    html = client_for(people["officer"]).get("/").content.decode()
    assert 'href="/assessments/"' in html
    agency = make_user("agency_officer", "A")
    assert 'href="/assessments/"' not in client_for(agency).get("/").content.decode()
    assert client_for(agency).get("/assessments/").status_code == 404


def test_a_case_left_in_district_review_passes_to_the_province(people):
    """A case submitted in January 2025 went to the district, which was dissolved on 1/3/2025
    before it forwarded; today the province's appraisers take the district step over."""
    import datetime as dt

    from django.utils import timezone

    from kieumau.assessments.workflow import transition

    (case,) = register(people, year=2024)
    explain_all(case, people["officer"])
    january = timezone.make_aware(dt.datetime(2025, 1, 20, 9))
    case = transition(actor=people["officer"], case_id=case.pk, action="submit", now=january)
    assert case.status == CaseStatus.DISTRICT_REVIEW
    appraiser = client_for(people["appraiser"])
    assert button("forward") in page(appraiser, case)
    assert button("forward") not in page(client_for(people["officer"]), case)
    response = appraiser.post(
        f"/assessments/cases/{case.pk}/transition/",
        {"action": "forward", "revision": case.revision},
    )
    assert response.status_code == 302
    assert AssessmentCase.objects.get(pk=case.pk).status == CaseStatus.PROVINCE_REVIEW


def test_every_case_form_needs_the_csrf_token(people):
    """The case forms are refused without the CSRF token (403) and work with it."""
    from django.test import Client

    (case,) = register(people)
    base = f"/assessments/cases/{case.pk}/"
    forms = [
        ("officer", base + "criteria/1.1/", {"self_status": "met", "narrative": "CSRF"}),
        ("officer", base + "comment/", {"comment": "CSRF"}),
        ("admin", "/assessments/", {"units": "A-W9", "year": "2025"}),
        ("admin", base + "transition/", {"action": "withdraw", "comment": "CSRF"}),
    ]
    for who, url, data in forms:
        client = Client(enforce_csrf_checks=True)
        client.force_login(people[who])
        client.get(base)
        assert client.post(url, data).status_code == 403, url
        token = client.cookies["csrftoken"].value
        assert client.post(url, {**data, "csrfmiddlewaretoken": token}).status_code == 302, url
    assert crit(case).narrative == "CSRF"
    assert AssessmentCase.objects.get(pk=case.pk).status == CaseStatus.WITHDRAWN
    assert AssessmentCase.objects.filter(unit__code="A-W9").exists()


# -- the printable dossier list ----------------------------------------------------------------
def test_the_dossier_lists_every_criterion_and_file_with_its_digest(people, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.assessments.evidence_samples import PDF, evidence_storage_settings

    evidence_storage_settings(settings, tmp_path)
    (case,) = register(people)
    explain_all(case, people["officer"])
    officer = client_for(people["officer"])
    officer.post(
        f"/assessments/cases/{case.pk}/criteria/1.1/",
        {
            "revision": crit(case).revision,
            "self_status": "met",
            "file": SimpleUploadedFile("qd.pdf", PDF, content_type="application/pdf"),
            "file_title": "Quyết định <b>xếp loại</b>",
        },
    )
    case = transition(actor=people["officer"], case_id=case.pk, action="submit")
    agree_all(case, people["appraiser"])
    case = transition(actor=people["appraiser"], case_id=case.pk, action="approve")
    response = client_for(people["ministry"]).get(f"/assessments/cases/{case.pk}/dossier/")
    assert response.status_code == 200
    html = response.content.decode()
    (evidence,) = crit(case).evidence.all()
    # Every criterion, the file by name and full digest, the snapshot digest.
    assert html.count("<tr>") - 2 >= case.criteria.count()
    for code in case.criteria.values_list("code", flat=True):
        assert f"<strong>{code}</strong>" in html
    assert evidence.sha256 in html
    assert case.snapshot_sha256 in html
    assert "Quyết định &lt;b&gt;xếp loại&lt;/b&gt;" in html
    assert "Hồ sơ giấy" in html  # the written reason where no file exists
    # The case page links to it once submitted.
    assert 'id="dossier-link"' in page(client_for(people["ministry"]), case)


# -- agreeing with what remains ----------------------------------------------------------------
def test_agree_with_every_remaining_criterion_keeps_decisions_made(people):
    from kieumau.assessments.services import decide_criterion

    case = submitted(people)
    decide_criterion(
        actor=people["admin"], case_id=case.pk, code="1.1", decision="disagree", reason="Thiếu"
    )
    client = client_for(people["appraiser"])
    assert 'id="agree-remaining"' in page(client, case)
    response = client.post(f"/assessments/cases/{case.pk}/agree-remaining/")
    assert response.status_code == 302
    decisions = dict(case.criteria.values_list("code", "decision"))
    assert decisions.pop("1.1") == "disagree"  # a colleague's decision stays
    assert set(decisions.values()) == {"agree"}
    assert crit(case, "1.2").decided_by == people["appraiser"]
    # Nothing left to agree with: the button is gone, a second click is refused.
    assert 'id="agree-remaining"' not in page(client, case)
    again = client.post(f"/assessments/cases/{case.pk}/agree-remaining/")
    assert again.status_code == 400
    # Whoever submitted a case may not appraise it; a unit officer may not appraise at all.
    case2 = submitted(people, "A-W9")  # submitted by the province administrator
    url2 = f"/assessments/cases/{case2.pk}/agree-remaining/"
    assert client_for(people["admin"]).post(url2).status_code == 400
    assert client_for(people["officer"]).post(url2).status_code == 404
    assert not case2.criteria.exclude(decision="").exists()
