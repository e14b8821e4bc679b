"""The national default survey: the questions every province uses until it sets its own."""

from kieumau.audit.services import record
from kieumau.feedback.models import SurveyQuestion

DEFAULT_QUESTIONS = (
    "Thái độ, tác phong của cán bộ, chiến sĩ khi tiếp xúc, làm việc với Nhân dân",
    "Sự công khai, minh bạch và thuận tiện khi giải quyết thủ tục hành chính",
    "Thời gian giải quyết công việc, tiếp nhận và trả lời phản ánh của người dân",
    "Tình hình an ninh, trật tự nơi ông/bà sinh sống",
    "Mức độ hài lòng chung đối với Công an phường/xã",
)


def ensure_default_questions(*, actor) -> int:
    """Create the national default questions when none exist; returns how many were created.

    Protects every public survey from having nothing to ask: migration 0002 seeds the same
    set, but a database emptied and reloaded without it (a restore of an old dump, a test
    flush) would otherwise refuse every response. Called inside the caller's transaction;
    audited when it creates anything.
    """
    if SurveyQuestion.objects.filter(province__isnull=True).exists():
        return 0
    SurveyQuestion.objects.bulk_create(
        SurveyQuestion(province=None, order=i, text=text)
        for i, text in enumerate(DEFAULT_QUESTIONS, 1)
    )
    record(
        actor=actor,
        event="feedback.questions.default",
        target_repr="khảo sát mặc định",
        after={"questions": list(DEFAULT_QUESTIONS)},
    )
    return len(DEFAULT_QUESTIONS)
