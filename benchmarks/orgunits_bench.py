"""Benchmark of the as-of hierarchy queries on `kieumau synth` data, for one database.

Run by benchmarks/run.py in a subprocess with KIEUMAU_DATABASE_URL set; prints one JSON object.
Baseline: a bare fetch of every version row (the least any as-of query must read).
"""

import datetime as dt
import json
import os
import sys
import time

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kieumau.config.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from benchmarks.harness import measure
    from kieumau.accounts.models import RoleAssignment
    from kieumau.core.actors import CLI
    from kieumau.orgunits import selectors
    from kieumau.orgunits.models import OrgUnit, OrgUnitVersion

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    call_command("synth", verbosity=0)
    synth_s = time.perf_counter() - start

    before, after = dt.date(2024, 6, 1), dt.date(2026, 1, 1)
    province = (
        OrgUnitVersion.objects.active_on(after).filter(level=1).order_by("unit__code").first().unit
    )
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_user("bench-province-admin", password="x" * 12)
    RoleAssignment.objects.create(
        user=admin, role="province_admin", unit=province, valid_from=dt.date(2020, 1, 1)
    )

    def fresh_admin():
        return get_user_model().objects.get(pk=admin.pk)

    results = {
        "database": connection.vendor,
        "units": OrgUnit.objects.count(),
        "versions": OrgUnitVersion.objects.count(),
        "synth_seconds": synth_s,
        "baseline_bare_fetch": measure(
            lambda: list(OrgUnitVersion.objects.values_list("unit_id", "parent_id", "name")),
            repeat=15,
        ),
        "nation_2024": measure(lambda: selectors.units_as_of(CLI, before), repeat=15),
        "nation_2026": measure(lambda: selectors.units_as_of(CLI, after), repeat=15),
        "subtree_province_2026": measure(
            lambda: selectors.units_as_of(CLI, after, under=province.code)
        ),
        "scoped_province_admin_2026": measure(lambda: selectors.units_as_of(fresh_admin(), after)),
        "children_of_province_2026": measure(
            lambda: selectors.children_as_of(CLI, after, province.code)
        ),
    }
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
