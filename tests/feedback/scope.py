"""The feedback lines of the scope matrix (tests/accounts/test_scope_matrix.py merges them).

ROUTES: route pattern -> check(world, role); FORMS: name -> Form for the CSRF test; POST_ROUTES:
every feedback route whose view takes a POST.

Each check builds its data (public pages of A-W1 and C-W1, one feedback item and one forum per
ward) inside the role's rolled-back savepoint. Staff pages follow the usual rules: feedback.view
to read, feedback.answer to answer and record forums, feedback.manage for settings and the
indicator computation. The public pages under /p/ answer every role alike, signed in or not.
"""

import datetime as dt

from tests.accounts.test_scope_matrix import (
    IN_UNIT,
    MISSING_ID,
    NATIONAL,
    OUT_UNIT,
    Form,
    World,
    acted_status,
    both_units,
    expect,
    out_status,
    page_status,
)

VIEW = {
    "ministry_admin",
    "ministry_viewer",
    "province_admin",
    "province_appraiser",
    "unit_officer",
    "viewer",
}
ANSWER = {"ministry_admin", "province_admin", "unit_officer"}
MANAGE = {"ministry_admin", "province_admin"}
CSRF_CHANNEL = "csrf22"
CSRF_ITEM = 9301
CSRF_FORUM = 9302


def feedback_world() -> dict:
    """Public pages, one item and one forum for each of A-W1 and C-W1 (made by the system)."""
    from django.contrib.auth.models import AnonymousUser

    from kieumau.core.actors import CLI
    from kieumau.feedback import services
    from tests.feedback.conftest import seed_default_questions

    seed_default_questions()
    out = {}
    for code in ("A-W1", "C-W1"):
        channel = services.open_channel(actor=CLI, unit_code=code)
        item = services.submit_feedback(
            actor=AnonymousUser(),
            channel_code=channel.code,
            kind="problem",
            text=f"Ý kiến ở {code}",
            name="Người Gửi",
            phone="0912000111",
        )
        forum = services.record_forum(
            actor=CLI, unit_code=code, held_on=dt.date(2025, 5, 1), attendees=40
        )
        out[code] = {"channel": channel.code, "item": item, "forum": forum}
    return out


def _status(role: str, allowed: set[str], in_scope: bool, success=200):
    if role == "anonymous":
        return "login"
    return success if role in allowed and (in_scope or role in NATIONAL) else 404


def _api(role: str, allowed: set[str], in_scope: bool, success=200):
    if role == "anonymous":
        return 401
    return success if role in allowed and (in_scope or role in NATIONAL) else 404


# -- staff pages -------------------------------------------------------------------------------
def check_list(w: World, role: str):
    data = feedback_world()
    response = w.client(role).get("/feedback/")
    expect(response, page_status(role, VIEW))
    if role in VIEW:
        listed = {r.item.pk for r in response.context["listing"].rows}
        assert data[IN_UNIT[role]]["item"].pk in listed
        assert (data[OUT_UNIT[role]]["item"].pk in listed) == (role in NATIONAL)
        assert "0912000111" not in response.content.decode()
    expect(w.client(role).get("/feedback/", {"under": OUT_UNIT[role]}), out_status(role, VIEW))


def check_item(w: World, role: str):
    from kieumau.feedback.models import FeedbackItem

    data = feedback_world()
    client = w.client(role)
    for unit, in_scope in both_units(role):
        item = data[unit]["item"]
        response = client.get(f"/feedback/items/{item.pk}/")
        expect(response, _status(role, VIEW, in_scope), f"read {unit}")
        if response.status_code == 200:
            shown = "0912000111" in response.content.decode()
            assert shown == (role in ANSWER), f"{role} {unit}: contact shown={shown}"
        response = client.post(f"/feedback/items/{item.pk}/", {"answer": "Đã tiếp thu"})
        wanted = acted_status(role, ANSWER, in_scope)
        expect(response, wanted, f"answer {unit}")
        answered = FeedbackItem.objects.get(pk=item.pk).answer == "Đã tiếp thu"
        assert answered == (wanted == 302), f"{role} {unit}: answered={answered}"
    expect(client.get(f"/feedback/items/{MISSING_ID}/"), "login" if role == "anonymous" else 404)


def check_stats(w: World, role: str):
    feedback_world()
    client = w.client(role)
    response = client.get("/feedback/stats/")
    expect(response, page_status(role, VIEW))
    if role in VIEW:
        codes = {r.code for r in response.context["rows"]}
        assert IN_UNIT[role] in codes
        assert (OUT_UNIT[role] in codes) == (role in NATIONAL)
    expect(client.get("/feedback/stats/", {"under": OUT_UNIT[role]}), out_status(role, VIEW))


def check_compute(w: World, role: str):
    from kieumau.audit.models import AuditEntry

    feedback_world()
    client = w.client(role)
    for unit, in_scope in both_units(role):
        before = AuditEntry.objects.filter(event="feedback.compute").count()
        response = client.post("/feedback/stats/compute/", {"period": "2025", "under": unit})
        wanted = acted_status(role, MANAGE, in_scope)
        expect(response, wanted, unit)
        ran = AuditEntry.objects.filter(event="feedback.compute").count() > before
        assert ran == (wanted == 302), f"{role} {unit}: ran={ran}"


def check_unit_survey(w: World, role: str):
    feedback_world()
    client = w.client(role)
    for unit, in_scope in both_units(role):
        response = client.get(f"/feedback/units/{unit}/survey/")
        expect(response, _status(role, VIEW, in_scope), unit)


def check_poster(w: World, role: str):
    from kieumau.feedback.models import PublicChannel
    from tests.feedback.conftest import seed_default_questions

    seed_default_questions()
    client = w.client(role)
    for unit, in_scope in both_units(role):
        expect(client.get(f"/feedback/units/{unit}/poster/"), _status(role, VIEW, in_scope), unit)
        response = client.post(f"/feedback/units/{unit}/poster/")
        wanted = acted_status(role, ANSWER, in_scope)
        expect(response, wanted, f"open {unit}")
        opened = PublicChannel.objects.filter(unit__code=unit).exists()
        assert opened == (wanted == 302), f"{role} {unit}: opened={opened}"


def check_settings(w: World, role: str):
    from kieumau.feedback.models import FeedbackSettings

    client = w.client(role)
    for province, in_scope in (("A", True), ("C", False)):
        expect(client.get(f"/feedback/settings/{province}/"), _status(role, MANAGE, in_scope))
        response = client.post(
            f"/feedback/settings/{province}/",
            {"answer_days": "7", "min_sample": "20", "questions": "Câu hỏi"},
        )
        wanted = acted_status(role, MANAGE, in_scope)
        expect(response, wanted, f"save {province}")
        saved = FeedbackSettings.objects.filter(province__code=province, answer_days=7).exists()
        assert saved == (wanted == 302), f"{role} {province}: saved={saved}"


def check_forums(w: World, role: str):
    from kieumau.feedback.models import ForumSession

    data = feedback_world()
    client = w.client(role)
    response = client.get("/feedback/forums/")
    expect(response, page_status(role, VIEW))
    if role in VIEW:
        listed = {r.session.pk for r in response.context["listing"].rows}
        assert data[IN_UNIT[role]]["forum"].pk in listed
        assert (data[OUT_UNIT[role]]["forum"].pk in listed) == (role in NATIONAL)
    for unit, in_scope in both_units(role):
        response = client.post(
            "/feedback/forums/", {"unit": unit, "held_on": "2025-06-01", "attendees": "12"}
        )
        wanted = acted_status(role, ANSWER, in_scope)
        expect(response, wanted, f"record {unit}")
        made = ForumSession.objects.filter(unit__code=unit, attendees=12).exists()
        assert made == (wanted == 302), f"{role} {unit}: recorded={made}"


def check_forum(w: World, role: str):
    from kieumau.feedback.models import ForumIssue

    data = feedback_world()
    client = w.client(role)
    for unit, in_scope in both_units(role):
        forum = data[unit]["forum"]
        expect(client.get(f"/feedback/forums/{forum.pk}/"), _status(role, VIEW, in_scope), unit)
        response = client.post(f"/feedback/forums/{forum.pk}/", {"text": "Vấn đề mới"})
        wanted = acted_status(role, ANSWER, in_scope)
        expect(response, wanted, f"issue {unit}")
        added = ForumIssue.objects.filter(session=forum, text="Vấn đề mới").exists()
        assert added == (wanted == 302), f"{role} {unit}: added={added}"


# -- public pages: the same for everyone -------------------------------------------------------
def check_public_landing(w: World, role: str):
    data = feedback_world()
    client = w.client(role)
    expect(client.get(f"/p/{data['A-W1']['channel']}/"), 200)
    expect(client.get("/p/khong-co/"), 404)


def check_public_survey(w: World, role: str):
    from kieumau.feedback.models import SurveyResponse
    from kieumau.feedback.services import questions_for_unit

    data = feedback_world()
    code = data["C-W1"]["channel"]
    client = w.client(role)
    expect(client.get(f"/p/{code}/survey/"), 200)
    unit_id = data["C-W1"]["item"].unit_id
    answers = {f"q{q.pk}": "4" for q in questions_for_unit(unit_id)}
    expect(client.post(f"/p/{code}/survey/", answers), 302)
    assert SurveyResponse.objects.filter(unit_id=unit_id).count() == 1


def check_public_feedback(w: World, role: str):
    from kieumau.feedback.models import FeedbackItem

    data = feedback_world()
    code = data["A-W1"]["channel"]
    client = w.client(role)
    expect(client.get(f"/p/{code}/feedback/"), 200)
    response = client.post(f"/p/{code}/feedback/", {"kind": "suggestion", "text": f"Góp ý {role}"})
    expect(response, 302)
    assert FeedbackItem.objects.filter(text=f"Góp ý {role}").exists()


def check_public_thanks(w: World, role: str):
    data = feedback_world()
    expect(w.client(role).get(f"/p/{data['A-W1']['channel']}/thanks/"), 200)


def check_public_track(w: World, role: str):
    data = feedback_world()
    response = w.client(role).get("/p/track/", {"code": data["C-W1"]["item"].tracking_code})
    expect(response, 200)
    html = response.content.decode()
    assert data["C-W1"]["item"].tracking_code in html
    assert "0912000111" not in html and "Người Gửi" not in html


def check_public_privacy(w: World, role: str):
    expect(w.client(role).get("/p/privacy/"), 200)


# -- API ---------------------------------------------------------------------------------------
def check_api_items(w: World, role: str):
    data = feedback_world()
    response = w.client(role).get("/api/v1/feedback/items")
    expect(response, 401 if role == "anonymous" else 200)
    if role != "anonymous":
        listed = {row["id"]: row for row in response.json()["items"]}
        assert (data[IN_UNIT[role]]["item"].pk in listed) == (role in VIEW)
        assert (data[OUT_UNIT[role]]["item"].pk in listed) == (role in NATIONAL)
        for row in listed.values():
            assert (row["contact"] is not None) == (role in ANSWER), role
    response = w.client(role).get("/api/v1/feedback/items", {"under": OUT_UNIT[role]})
    expect(response, _api(role, VIEW, False))


def check_api_answer(w: World, role: str):
    from kieumau.feedback.models import FeedbackItem

    data = feedback_world()
    client = w.client(role)
    for unit, in_scope in both_units(role):
        item = data[unit]["item"]
        response = client.post(
            f"/api/v1/feedback/items/{item.pk}/answer",
            {"answer": "Trả lời qua API"},
            content_type="application/json",
        )
        wanted = _api(role, ANSWER, in_scope)
        expect(response, wanted, unit)
        answered = FeedbackItem.objects.get(pk=item.pk).status == "answered"
        assert answered == (wanted == 200), f"{role} {unit}: answered={answered}"


def check_api_survey(w: World, role: str):
    feedback_world()
    client = w.client(role)
    for unit, in_scope in both_units(role):
        response = client.get(f"/api/v1/feedback/surveys/{unit}", {"period": "2025"})
        expect(response, _api(role, VIEW, in_scope), unit)


ROUTES: dict = {
    "feedback/": check_list,
    "feedback/items/<int:pk>/": check_item,
    "feedback/stats/": check_stats,
    "feedback/stats/compute/": check_compute,
    "feedback/units/<str:code>/survey/": check_unit_survey,
    "feedback/units/<str:code>/poster/": check_poster,
    "feedback/settings/<str:code>/": check_settings,
    "feedback/forums/": check_forums,
    "feedback/forums/<int:pk>/": check_forum,
    "p/<str:code>/": check_public_landing,
    "p/<str:code>/survey/": check_public_survey,
    "p/<str:code>/feedback/": check_public_feedback,
    "p/<str:code>/thanks/": check_public_thanks,
    "p/track/": check_public_track,
    "p/privacy/": check_public_privacy,
    "api/v1/feedback/items": check_api_items,
    "api/v1/feedback/items/<item_id>/answer": check_api_answer,
    "api/v1/feedback/surveys/<code>": check_api_survey,
}


# -- CSRF cases --------------------------------------------------------------------------------
def _fixed() -> dict:
    """A public page, an item and a forum of A-W1 with fixed codes and ids, for the CSRF cases."""
    from kieumau.feedback.models import FeedbackItem, ForumSession, PublicChannel
    from kieumau.orgunits.models import OrgUnit
    from tests.feedback.conftest import seed_default_questions

    seed_default_questions()
    unit = OrgUnit.objects.get(code="A-W1")
    PublicChannel.objects.get_or_create(unit=unit, defaults={"code": CSRF_CHANNEL})
    FeedbackItem.objects.get_or_create(
        pk=CSRF_ITEM,
        defaults={
            "unit": unit,
            "kind": "problem",
            "text": "Kiểm thử",
            "text_digest": "0" * 64,
            "tracking_code": "PA-CSRF-0001",
            "due_date": dt.date(2030, 1, 1),
        },
    )
    ForumSession.objects.get_or_create(
        pk=CSRF_FORUM, defaults={"unit": unit, "held_on": dt.date(2025, 5, 1), "attendees": 5}
    )
    return {}


def _survey_answers() -> dict:
    from kieumau.feedback.models import SurveyQuestion

    _fixed()
    return {
        f"q{pk}": "5"
        for pk in SurveyQuestion.objects.filter(province__isnull=True, active=True).values_list(
            "pk", flat=True
        )
    }


def _item():
    from kieumau.feedback.models import FeedbackItem

    return FeedbackItem.objects.get(pk=CSRF_ITEM)


def _exists(model_path: str, **lookup):
    def done(w, c):
        from django.apps import apps

        return apps.get_model(model_path).objects.filter(**lookup).exists()

    return done


FORMS: dict = {
    "feedback answer": Form(
        "unit_officer",
        f"/feedback/items/{CSRF_ITEM}/",
        {"answer": "Đã trả lời"},
        lambda w, c: _item().answer == "Đã trả lời",
        files=_fixed,
    ),
    "feedback compute": Form(
        "province_admin",
        "/feedback/stats/compute/",
        {"period": "2025", "under": "A"},
        _exists("audit.AuditEntry", event="feedback.compute"),
    ),
    "feedback poster": Form(
        "unit_officer",
        "/feedback/units/A-W1/poster/",
        {},
        _exists("feedback.PublicChannel", unit__code="A-W1"),
    ),
    "feedback settings": Form(
        "province_admin",
        "/feedback/settings/A/",
        {"answer_days": "9", "min_sample": "30", "questions": ""},
        _exists("feedback.FeedbackSettings", province__code="A", answer_days=9),
    ),
    "forum record": Form(
        "unit_officer",
        "/feedback/forums/",
        {"unit": "A-W1", "held_on": "2025-06-01", "attendees": "33"},
        _exists("feedback.ForumSession", attendees=33),
    ),
    "forum issue": Form(
        "unit_officer",
        f"/feedback/forums/{CSRF_FORUM}/",
        {"text": "Vấn đề kiểm thử"},
        _exists("feedback.ForumIssue", text="Vấn đề kiểm thử"),
        files=_fixed,
    ),
    "public survey": Form(
        "anonymous",
        f"/p/{CSRF_CHANNEL}/survey/",
        {},
        _exists("feedback.SurveyResponse"),
        files=_survey_answers,
    ),
    "public feedback": Form(
        "anonymous",
        f"/p/{CSRF_CHANNEL}/feedback/",
        {"kind": "problem", "text": "Góp ý kiểm thử"},
        _exists("feedback.FeedbackItem", text="Góp ý kiểm thử"),
        files=_fixed,
    ),
}
POST_ROUTES: set[str] = {
    "feedback/items/<int:pk>/",
    "feedback/stats/compute/",
    "feedback/units/<str:code>/poster/",
    "feedback/settings/<str:code>/",
    "feedback/forums/",
    "feedback/forums/<int:pk>/",
    "p/<str:code>/survey/",
    "p/<str:code>/feedback/",
}
