"""Building feedback data for the tests through the public services."""

from django.contrib.auth.models import AnonymousUser

from kieumau.feedback.models import PublicChannel
from kieumau.feedback.services import questions_for_unit, submit_feedback, submit_survey

CITIZEN = AnonymousUser()


def feedback(code: str, text: str, kind: str = "problem", **contact):
    return submit_feedback(actor=CITIZEN, channel_code=code, kind=kind, text=text, **contact)


def surveys(code: str, scores: list[int], comment: str = ""):
    """One response per score (every question answered with that score)."""
    unit_id = PublicChannel.objects.get(code=code).unit_id
    questions = questions_for_unit(unit_id)
    return [
        submit_survey(
            actor=CITIZEN,
            channel_code=code,
            scores={q.pk: score for q in questions},
            comment=comment,
            client=f"client-{i}",
        )
        for i, score in enumerate(scores)
    ]
