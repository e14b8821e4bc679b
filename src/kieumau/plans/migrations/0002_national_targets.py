"""Seed the Ministry's targets: 30–50% of the wards of each province by 2025, 100% by 2030."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

DEFAULTS = (
    (dt.date(2025, 12, 31), Decimal(30), Decimal(50), "30–50% số phường của mỗi tỉnh đến năm 2025"),
    (dt.date(2030, 12, 31), Decimal(100), Decimal(100), "100% số phường đến năm 2030"),
)


def seed(apps, schema_editor):
    NationalTarget = apps.get_model("plans", "NationalTarget")
    for due, low, high, note in DEFAULTS:
        NationalTarget.objects.get_or_create(
            due_date=due, defaults={"min_share": low, "max_share": high, "note": note}
        )


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
