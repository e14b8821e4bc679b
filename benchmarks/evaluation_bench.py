"""Benchmark of the national batch evaluation on `kieumau synth` data, for one database.

Two years (2024, 2025) of synthetic values for every commune-level unit in force on 2025-12-31
(3,321 units, ~145 values per unit-year), then: the whole nation evaluated end to end from the
database (cold: results written; warm: unchanged results skipped), its ratio to a bare fetch
of the same values, and one unit's incremental re-evaluation after a changed value.
"""

import datetime as dt
import json
import os
import random
import sys
import time

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kieumau.config.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from benchmarks.harness import measure
    from kieumau.config.paths import project_root
    from kieumau.core.actors import CLI
    from kieumau.criteria.models import Indicator
    from kieumau.criteria.services import import_version, spec_of
    from kieumau.datavalues.models import DataValue
    from kieumau.datavalues.services import set_values
    from kieumau.datavalues.synthetic import synthetic_year_values
    from kieumau.engine import Period
    from kieumau.evaluation.inputs import evaluable_units, needed_periods
    from kieumau.evaluation.services import evaluate_subtree

    call_command("migrate", verbosity=0)
    call_command("synth", verbosity=0)
    text = (project_root() / "src/kieumau/criteria/data/default_22.yaml").read_text(
        encoding="utf-8"
    )
    version = import_version(actor=CLI, text=text)
    spec = spec_of(version)
    period = Period.of_year(2025)
    units = evaluable_units(None, period)
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
    load_s = time.perf_counter() - start
    codes = [p.code for p in needed_periods(period)]

    def bare_fetch():
        return list(
            DataValue.objects.filter(period__in=codes).values_list(
                "unit_id", "indicator__code", "period", "value"
            )
        )

    def nation():
        evaluate_subtree(actor=CLI, root_code=None, period_code="2025")

    cold_start = time.perf_counter()
    nation()
    cold_ms = (time.perf_counter() - cold_start) * 1000
    target = units[len(units) // 2][1]
    counter = iter(range(10**6))

    def one_unit():
        with transaction.atomic():
            set_values(
                actor=CLI,
                unit_code=target,
                period_code="2025",
                values={"reoffenders": next(counter) % 7},
            )

    results = {
        "database": connection.vendor,
        "units": len(units),
        "values": DataValue.objects.count(),
        "load_seconds": load_s,
        "bare_fetch": measure(bare_fetch, repeat=5, warmup=1),
        "nation_cold_ms": cold_ms,
        "nation_warm": measure(nation, repeat=3, warmup=0),
        "one_unit_incremental": measure(one_unit, repeat=20),
        "as_of": dt.date.today().isoformat(),
    }
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
