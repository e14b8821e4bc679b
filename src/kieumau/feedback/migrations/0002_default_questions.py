"""Seed the national default survey: five 1–5 questions every province uses until it sets its own."""

from django.db import migrations

DEFAULT_QUESTIONS = (
    "Thái độ, tác phong của cán bộ, chiến sĩ khi tiếp xúc, làm việc với Nhân dân",
    "Sự công khai, minh bạch và thuận tiện khi giải quyết thủ tục hành chính",
    "Thời gian giải quyết công việc, tiếp nhận và trả lời phản ánh của người dân",
    "Tình hình an ninh, trật tự nơi ông/bà sinh sống",
    "Mức độ hài lòng chung đối với Công an phường/xã",
)


def seed(apps, schema_editor):
    Question = apps.get_model("feedback", "SurveyQuestion")
    if Question.objects.filter(province__isnull=True).exists():
        return
    Question.objects.bulk_create(
        Question(province=None, order=i, text=text) for i, text in enumerate(DEFAULT_QUESTIONS, 1)
    )


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
