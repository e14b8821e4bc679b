"""The feedback demo: public pages, responses and items on demo wards; 7.2/7.3 values; once."""

import pytest
from django.utils import timezone

from kieumau.datavalues.models import DataValue
from kieumau.feedback.demo import load_demo
from kieumau.feedback.models import FeedbackItem, PublicChannel, SurveyResponse
from kieumau.orgunits.demo import load_demo as load_structure
from tests.criteria.conftest import import_default
from tests.feedback.conftest import seed_default_questions

pytestmark = pytest.mark.django_db


def test_the_demo_gives_wards_values_for_7_2_and_7_3_and_loads_once():
    load_structure(password="Mat-khau-demo-2025")
    import_default()
    seed_default_questions()
    counts = load_demo()
    assert counts["pages"] >= 4 and counts["items"] == 6 * counts["pages"]
    assert counts["responses"] > 100 and counts["forums"] >= 2
    year = str(timezone.localdate().year)
    rates = DataValue.objects.filter(indicator__code="satisfaction_rate", period=year)
    assert rates.exists()
    big = PublicChannel.objects.filter(unit__in=rates.values("unit")).count()
    # Wards below the minimum sample get no rate, but still their 7.2 counts.
    assert big < counts["pages"]
    received = DataValue.objects.filter(indicator__code="citizen_feedback_received", period=year)
    assert received.count() == counts["pages"]
    assert FeedbackItem.objects.filter(status="new").exists()
    assert load_demo() == {}
    assert SurveyResponse.objects.count() == counts["responses"]
