"""Script and HTML typed into every free-text field come back escaped on every page showing it."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from kieumau.core.actors import CLI
from kieumau.feedback import services
from tests.feedback.helpers import feedback, surveys

pytestmark = pytest.mark.django_db

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)><b>đậm</b>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"


def assert_escaped(html: str, where: str) -> None:
    assert "<script>alert" not in html, f"{where}: raw script"
    assert "<img src=x" not in html, f"{where}: raw img"
    assert "<b>đậm</b>" not in html, f"{where}: raw markup"
    assert ESCAPED in html, f"{where}: payload not shown escaped"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_free_text_field_is_escaped_everywhere(channels, staff):
    code = channels["A-W1"]
    services.save_settings(
        actor=staff["admin"],
        province_code="A",
        answer_days=15,
        min_sample=1,
        questions=[PAYLOAD[:300]],
    )
    item = feedback(code, PAYLOAD, kind="conduct", name=PAYLOAD[:100])
    services.answer_item(actor=staff["officer"], item_id=item.pk, answer=PAYLOAD)
    surveys(code, [5], comment=PAYLOAD)
    forum = services.record_forum(
        actor=CLI,
        unit_code="A-W1",
        held_on=dt.date(2025, 5, 1),
        attendees=10,
        place=PAYLOAD[:200],
        notes=PAYLOAD,
        issues=[PAYLOAD],
    )
    period = str(timezone.localdate().year)
    officer = client_for(staff["officer"])
    pages = {
        "public survey (question)": Client().get(f"/p/{code}/survey/"),
        "public look-up (answer)": Client().get("/p/track/", {"code": item.tracking_code}),
        "item page (text, name, answer)": officer.get(f"/feedback/items/{item.pk}/"),
        "list (text)": officer.get("/feedback/"),
        "unit survey (comment, question)": officer.get(
            "/feedback/units/A-W1/survey/", {"period": period}
        ),
        "forum (place, notes, issue)": officer.get(f"/feedback/forums/{forum.pk}/"),
        "settings (question)": client_for(staff["admin"]).get("/feedback/settings/A/"),
    }
    for where, response in pages.items():
        assert response.status_code == 200, where
        assert_escaped(response.content.decode(), where)


def test_a_refused_public_form_shows_the_typed_text_escaped(channels):
    code = channels["A-W1"]
    response = Client().post(
        f"/p/{code}/feedback/", {"kind": "", "text": PAYLOAD, "name": PAYLOAD, "email": "x"}
    )
    assert response.status_code == 400
    assert_escaped(response.content.decode(), "refused feedback form")
    response = Client().post(f"/p/{code}/survey/", {"comment": PAYLOAD})
    assert response.status_code == 400
    assert_escaped(response.content.decode(), "refused survey form")


def test_the_lookup_echoes_a_typed_code_escaped(channels):
    response = Client().get("/p/track/", {"code": '"><script>alert(1)</script>'})
    html = response.content.decode()
    assert "<script>alert(1)" not in html
