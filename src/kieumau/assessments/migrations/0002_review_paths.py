import datetime as dt

from django.db import migrations


def seed(apps, schema_editor):
    ReviewPath = apps.get_model("assessments", "ReviewPath")
    if ReviewPath.objects.exists():
        return
    ReviewPath.objects.create(
        valid_from=dt.date(2019, 1, 1),
        valid_to=dt.date(2025, 3, 1),
        district_review=True,
        note="Công an cấp huyện xem xét trước khi Công an tỉnh thẩm định",
    )
    ReviewPath.objects.create(
        valid_from=dt.date(2025, 3, 1),
        valid_to=None,
        district_review=False,
        note="Từ 01/3/2025 không còn Công an cấp huyện; Công an tỉnh thẩm định trực tiếp",
    )


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
