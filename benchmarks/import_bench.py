"""Benchmark of the Excel import of a province workbook, for one database.

A province of 100 wards, a synthetic monthly form of 60 integer indicators (the 6 monthly
indicators the default criteria read plus 54 invented ones), a workbook of 12 monthly sheets
built by the template builder and filled with openpyxl: 100 × 60 × 12 = 72,000 values. Timed:
a bare openpyxl read of every cell of the file (read-only mode, values only: the least any
importer must do), the safety checks plus the reader alone (file → 72,000 entries, nothing
written), and `import_workbook` end to end — safety checks, reading, validation of
every value, writing, audit, re-evaluation of the 100 wards — cold (every value new) and warm
(the same file again: every value unchanged). Prints one JSON object.
"""

import datetime as dt
import io
import json
import os
import random
import sys
import time

import django


def _hierarchy(units: int) -> None:
    """A nation, one province and `units` wards, created through the real service."""
    from kieumau.core.actors import CLI
    from kieumau.orgunits.changes import Change
    from kieumau.orgunits.services import apply_changes

    d0 = dt.date(2020, 1, 1)
    rows = [
        ("VN", "Việt Nam", "nation", ""),
        ("P", "Tỉnh Thử Nghiệm", "province", "VN"),
        *((f"P-W{i:03d}", f"Phường {i}", "ward", "P") for i in range(1, units + 1)),
    ]
    apply_changes(
        actor=CLI,
        changes=[
            Change(
                row=n,
                action="create",
                code=code,
                effective_date=d0,
                name=name,
                kind=kind,
                parent_code=parent,
            )
            for n, (code, name, kind, parent) in enumerate(rows, start=1)
        ],
        name="bench",
    )


def _form(indicator_count: int) -> None:
    """A monthly form of `indicator_count` integer indicators (the 6 real ones first)."""
    from kieumau.criteria.models import Indicator
    from kieumau.datavalues.models import DataSet, DataSetIndicator

    real = list(
        Indicator.objects.filter(period_type="month", value_type="integer").order_by("code")
    )
    synthetic = [
        Indicator(
            code=f"bench_{i:02d}",
            name_vi=f"Chỉ tiêu thử nghiệm số {i}",
            value_type="integer",
            unit_vi="vụ",
            period_type="month",
            aggregation="sum",
            min_value=0,
        )
        for i in range(1, indicator_count - len(real) + 1)
    ]
    Indicator.objects.bulk_create(synthetic)
    indicators = real + list(Indicator.objects.filter(code__startswith="bench_").order_by("code"))
    form = DataSet.objects.create(
        code="BENCH-THANG",
        name_vi="Biểu mẫu tháng thử nghiệm (60 chỉ tiêu)",
        period_type="month",
        unit_kinds=["ward"],
    )
    DataSetIndicator.objects.bulk_create(
        DataSetIndicator(
            dataset=form, indicator=ind, order=n, section_vi=f"Nhóm {n // 10 + 1}", required=True
        )
        for n, ind in enumerate(indicators)
    )


def _filled(template: bytes, seed: int) -> bytes:
    """The template with every value cell filled with a random integer."""
    import openpyxl

    from kieumau.datavalues.excel import layout as L

    rng = random.Random(seed)
    wb = openpyxl.load_workbook(io.BytesIO(template))
    for ws in wb.worksheets:
        if ws.title == L.META_SHEET:
            continue
        last_col = max(
            c
            for c in range(L.FIRST_VALUE_COL, ws.max_column + 1)
            if ws.cell(row=L.CODE_ROW, column=c).value
        )
        for row in ws.iter_rows(
            min_row=L.FIRST_DATA_ROW,
            max_row=ws.max_row,
            min_col=L.FIRST_VALUE_COL,
            max_col=last_col,
        ):
            for cell in row:
                cell.value = rng.randint(0, 500)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def main() -> None:
    """Build, fill, time; print one JSON object."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kieumau.config.settings")
    django.setup()
    import openpyxl
    from django.core.management import call_command
    from django.db import connection

    from benchmarks.harness import measure
    from kieumau.config.paths import project_root
    from kieumau.core.actors import CLI
    from kieumau.criteria.services import import_version
    from kieumau.datavalues.excel import build_template, import_workbook
    from kieumau.datavalues.excel.reader import read_entries
    from kieumau.datavalues.excel.safety import check_upload
    from kieumau.datavalues.models import DataValue

    load_start = os.getloadavg()[0]
    call_command("migrate", verbosity=0)
    _hierarchy(100)
    text = (project_root() / "src/kieumau/criteria/data/default_22.yaml").read_text(
        encoding="utf-8"
    )
    import_version(actor=CLI, text=text)
    _form(60)
    periods = [f"2025-{m:02d}" for m in range(1, 13)]
    start = time.perf_counter()
    template = build_template(actor=CLI, under_code="P", period_codes=periods)
    template_s = time.perf_counter() - start
    data = _filled(template, seed=2025)

    def bare_read():
        """Every cell of the file read with openpyxl in read-only mode, values only."""
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        count = 0
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                count += len(row)
        wb.close()
        return count

    def read_only():
        """Safety checks and the reader: file to entries, nothing written."""
        package = check_upload(data, "tinh.xlsx")
        try:
            assert len(read_entries(data, package)) == 72_000
        finally:
            package.close()

    def cold_import():
        """The whole import into an empty table; returns milliseconds."""
        DataValue.objects.all().delete()
        start = time.perf_counter()
        result = import_workbook(actor=CLI, data=data, filename="tinh.xlsx")
        elapsed = (time.perf_counter() - start) * 1000
        assert result.created == 72_000, result.as_dict()
        return elapsed

    def warm_import():
        """The same file again: every value unchanged."""
        result = import_workbook(actor=CLI, data=data, filename="tinh.xlsx")
        assert result.unchanged == 72_000, result.as_dict()

    cold = sorted(cold_import() for _ in range(3))
    results = {
        "database": connection.vendor,
        "units": 100,
        "indicators": 60,
        "months": 12,
        "values": DataValue.objects.count(),
        "file_bytes": len(data),
        "template_seconds": template_s,
        "bare_read": measure(bare_read, repeat=5, warmup=1),
        "checks_and_read": measure(read_only, repeat=5, warmup=1),
        "import_cold_ms": {"p50_ms": cold[1], "min_ms": cold[0], "max_ms": cold[2], "n": 3},
        "import_warm": measure(warm_import, repeat=3, warmup=0),
        "load_average": [load_start, os.getloadavg()[0]],
        "as_of": dt.date.today().isoformat(),
    }
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
