"""Prepare the load-test database: the `kieumau synth` nation with two years of values.

Run with KIEUMAU_DATABASE_URL pointing at the load database (benchmarks/load/run.py does).
Idempotent: a database already prepared (the synthetic nation and the load users exist) is left
as it is, so a second `make load` starts the server at once. Prints one JSON line describing
the data: units, values, the province and wards the load users work on.
"""

import datetime as dt
import json
import os
import random
import sys
import time

import django

PASSWORD = "Tai-thu-nghiem-2026!"
OFFICERS = 8


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kieumau.config.settings")
    django.setup()
    from django.core.management import call_command

    from kieumau.accounts.models import RoleAssignment, User
    from kieumau.core.actors import CLI
    from kieumau.criteria.models import Indicator
    from kieumau.criteria.services import import_version, spec_of
    from kieumau.datavalues.forms_loader import load_default_forms
    from kieumau.datavalues.models import DataValue
    from kieumau.datavalues.synthetic import synthetic_year_values
    from kieumau.engine import Period
    from kieumau.evaluation.inputs import evaluable_units
    from kieumau.evaluation.services import evaluate_subtree
    from kieumau.orgunits.models import OrgUnit
    from kieumau.orgunits.selectors import children_as_of

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    timings = {}
    if not User.objects.filter(username="load-bo").exists():
        start = time.perf_counter()
        call_command("synth", verbosity=0)
        timings["synth_s"] = time.perf_counter() - start
        from kieumau.config.paths import project_root
        from kieumau.criteria.models import CriteriaVersion

        if not CriteriaVersion.objects.exists():
            text = (project_root() / "src/kieumau/criteria/data/default_22.yaml").read_text(
                encoding="utf-8"
            )
            import_version(actor=CLI, text=text)
        load_default_forms(CLI)
        version = CriteriaVersion.objects.order_by("pk").first()
        spec = spec_of(version)
        units = evaluable_units(None, Period.of_year(2025))
        indicators = dict(Indicator.objects.values_list("code", "id"))
        rng = random.Random(2025)
        start = time.perf_counter()
        batch = []
        for unit_id, _code, _unit in units:
            for year in (2024, 2025):
                for (code, per), value in synthetic_year_values(spec, year, rng).items():
                    batch.append(
                        DataValue(
                            unit_id=unit_id,
                            indicator_id=indicators[code],
                            period=per,
                            value=value,
                            is_synthetic=True,
                        )
                    )
            if len(batch) > 20000:
                DataValue.objects.bulk_create(batch, batch_size=5000)
                batch = []
        DataValue.objects.bulk_create(batch, batch_size=5000)
        timings["values_s"] = time.perf_counter() - start
        start = time.perf_counter()
        evaluate_subtree(actor=CLI, root_code=None, period_code="2025")
        timings["evaluation_s"] = time.perf_counter() - start

        today = dt.date.today()
        root = OrgUnit.objects.get(code="S-VN")
        province = children_as_of(CLI, today, root.code)[0].row.code
        wards = [n.row.code for n in children_as_of(CLI, today, province)[:OFFICERS]]
        people = [
            ("load-bo", "ministry_admin", root.code),
            ("load-tinh", "province_admin", province),
        ]
        people += [(f"load-xa-{i}", "unit_officer", code) for i, code in enumerate(wards)]
        for username, role, code in people:
            user = User.objects.create_user(username=username, password=PASSWORD)
            RoleAssignment.objects.create(
                user=user,
                role=role,
                unit=OrgUnit.objects.get(code=code),
                valid_from=dt.date(2020, 1, 1),
            )
    province = RoleAssignment.objects.get(user__username="load-tinh").unit.code
    wards = [
        ra.unit.code
        for ra in RoleAssignment.objects.filter(user__username__startswith="load-xa-")
        .select_related("unit")
        .order_by("user__username")
    ]
    info = {
        "database": django.db.connection.vendor,
        "units": OrgUnit.objects.count(),
        "evaluable_units_2025": len(evaluable_units(None, Period.of_year(2025))),
        "values": DataValue.objects.count(),
        "province": province,
        "wards": wards,
        "password": PASSWORD,
        **timings,
    }
    json.dump(info, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
