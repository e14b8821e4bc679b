"""Benchmark of the national dashboard and a province's annual report on `kieumau synth` data.

Run by benchmarks/run.py in a subprocess with KIEUMAU_DATABASE_URL set; prints one JSON object.
Data: the synth structure; stored 2024 and 2025 evaluation results for every commune-level unit
in force on 31/12/2025 (random statuses, bulk-written: the dashboard reads stored results, it
never evaluates), 20% of them recognised for 2025, and twelve monthly reports of 2025 with
random submission days. Measured through the Django test client with a signed-in Ministry
viewer: the JSON API and the HTML page of the national dashboard (warm), the trivial /healthz
view as baseline in the same run, and one province's annual report generated end to end (Word,
Excel, PDF written). Aims: national dashboard p95 ≤ 50 ms; the annual report ≤ 2 s.
"""

import datetime as dt
import json
import os
import random
import sys
import tempfile
import time

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kieumau.config.settings")
    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from benchmarks.harness import measure
    from kieumau.accounts.models import RoleAssignment
    from kieumau.assessments.models import AssessmentCase
    from kieumau.config.paths import project_root
    from kieumau.core.actors import CLI
    from kieumau.criteria.services import import_version
    from kieumau.datavalues.forms_loader import load_default_forms
    from kieumau.datavalues.models import DataSet, Submission
    from kieumau.engine import Period
    from kieumau.evaluation.inputs import evaluable_units
    from kieumau.evaluation.models import EvaluationResult
    from kieumau.orgunits.models import OrgUnitVersion
    from kieumau.reports import services as reports

    settings.ALLOWED_HOSTS = ["*"]
    settings.STORAGES = {  # pages render without collectstatic
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.REPORTS_DIR = tempfile.mkdtemp()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("synth", verbosity=0)
    text = (project_root() / "src/kieumau/criteria/data/default_22.yaml").read_text(
        encoding="utf-8"
    )
    version = import_version(actor=CLI, text=text)
    load_default_forms(CLI)
    codes = [c["code"] for c in version.spec["criteria"]]
    rng = random.Random(2025)
    units = evaluable_units(None, Period.of_year(2025))
    start = time.perf_counter()
    rows = []
    for unit_id, _code, _unit in units:
        for year in ("2024", "2025"):
            statuses = {
                c: rng.choices(["met", "not_met", "missing_data"], [85, 12, 3])[0] for c in codes
            }
            met = sum(s == "met" for s in statuses.values())
            rows.append(
                EvaluationResult(
                    unit_id=unit_id,
                    period=year,
                    criteria_version=version,
                    input_digest="bench",
                    met=met,
                    total=len(codes),
                    model_standard=met == len(codes),
                    statuses=statuses,
                    result={"criteria": []},
                )
            )
    EvaluationResult.objects.bulk_create(rows, batch_size=2000)
    cases = [
        AssessmentCase(
            unit_id=unit_id,
            year=2025,
            criteria_version=version,
            status="recognised",
            recognised_year=2025,
            decision_number=f"{i}/QĐ-BCA",
            decision_date=dt.date(2026, 2, 10),
        )
        for i, (unit_id, _code, _unit) in enumerate(units)
        if rng.random() < 0.2
    ]
    AssessmentCase.objects.bulk_create(cases, batch_size=2000)
    form = DataSet.objects.get(code="BC-THANG")
    subs = []
    for unit_id, _code, _unit in units:
        for month in range(1, 13):
            if rng.random() < 0.1:
                continue
            nxt = Period.of_month(2025, month).next()
            due = dt.date(nxt.year, nxt.start.month, 18)
            day = due + dt.timedelta(days=rng.randint(-10, 5))
            subs.append(
                Submission(
                    dataset=form,
                    unit_id=unit_id,
                    period=f"2025-{month:02d}",
                    status="submitted",
                    due_date=due,
                    submitted_at=timezone.make_aware(dt.datetime(day.year, day.month, day.day, 9)),
                )
            )
    Submission.objects.bulk_create(subs, batch_size=5000)
    load_s = time.perf_counter() - start

    user = get_user_model().objects.create_user("bench-ministry", password="x" * 12)
    RoleAssignment.objects.create(
        user=user,
        role="ministry_viewer",
        unit=OrgUnitVersion.objects.filter(level=0).first().unit,
        valid_from=dt.date(2020, 1, 1),
    )
    client = Client()
    client.force_login(user)
    query = {"year": "2025", "as_of": "2026-03-01"}

    def get(path, params=None):
        def run():
            response = client.get(path, params or {})
            assert response.status_code == 200, (path, response.status_code)

        return run

    end_2025 = dt.date(2025, 12, 31)
    province = max(
        OrgUnitVersion.objects.active_on(end_2025).filter(level=1).select_related("unit"),
        key=lambda v: OrgUnitVersion.objects.active_on(end_2025).filter(parent=v.unit).count(),
    )

    def annual_report():
        report = reports.request_report(
            actor=CLI, kind="annual", unit_code=province.unit.code, year=2025, date="15/03/2026"
        )
        reports.generate(report.pk)

    results = {
        "database": connection.vendor,
        "units": len(units),
        "results": EvaluationResult.objects.count(),
        "load_seconds": load_s,
        "load_average": [os.getloadavg()[0]],
        "baseline_healthz": measure(get("/healthz"), repeat=30),
        "national_api": measure(get("/api/v1/dashboards", query), repeat=30),
        "national_page": measure(get("/dashboards/", query), repeat=15),
        "province_page": measure(
            get("/dashboards/", {**query, "under": province.unit.code}), repeat=15
        ),
        "province": province.name,
        "annual_report": measure(annual_report, repeat=3, warmup=1),
        "as_of": dt.date.today().isoformat(),
    }
    results["load_average"].append(os.getloadavg()[0])
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()


def _fmt(m: dict) -> str:
    return f"{m['p50_ms']:.1f} / {m['p95_ms']:.1f}"


def section(rows: list[dict]) -> list[str]:
    """The docs/benchmarks.md section of this benchmark (called by benchmarks/run.py)."""
    lines = [
        "## Dashboards and reports",
        "",
        "`kieumau synth` structure; stored 2024 and 2025 results for every commune-level unit in",
        "force on 31/12/2025, 20% recognised, twelve monthly reports of 2025. Warm timings through",
        "the Django test client (session, middleware, template), p50 / p95 in ms. *Baseline* =",
        "the trivial /healthz view in the same run; ratios are p95 / baseline p95. *Annual report*",
        "= one province's annual report generated end to end (data, Word, Excel, PDF written).",
        "Aims: national dashboard p95 ≤ 50 ms; annual report ≤ 2 s.",
        "",
        "| Database | Units | Baseline /healthz | National API (JSON) | National page (HTML) | Province page | Annual report, largest province (ms) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        base = r["baseline_healthz"]["p95_ms"]

        def cell(key, r=r, base=base):
            return f"{_fmt(r[key])} ({r[key]['p95_ms'] / base:.0f}×)"

        lines.append(
            f"| {r['database']} | {r['units']:,} | {_fmt(r['baseline_healthz'])} | "
            f"{cell('national_api')} | {cell('national_page')} | {cell('province_page')} | "
            f"{_fmt(r['annual_report'])} ({r['province']}) |"
        )
    loads = "; ".join(
        f"{r['database']} {r['load_average'][0]:.1f} → {r['load_average'][1]:.1f}" for r in rows
    )
    lines += ["", f"Load average (1 min) at the start → end of each run: {loads}."]
    return lines
