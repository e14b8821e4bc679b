"""`make bench`: run every benchmark on SQLite and PostgreSQL and write docs/benchmarks.md.

Each database gets a fresh, throw-away database (a temp SQLite file; a new PostgreSQL database
named kieumau_bench_<time>, dropped afterwards) so figures never depend on leftover data.
PostgreSQL is used when reachable at KIEUMAU_BENCH_PG (default postgresql://postgres@127.0.0.1:5432).
"""

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.harness import machine  # noqa: E402

PG_BASE = os.environ.get("KIEUMAU_BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
BENCHES = [
    "benchmarks.orgunits_bench",
    "benchmarks.evaluation_bench",
    "benchmarks.import_bench",
    "benchmarks.dashboard_bench",
]


def _run(module: str, database_url: str, var_dir: str) -> dict:
    env = {**os.environ, "KIEUMAU_DATABASE_URL": database_url, "KIEUMAU_VAR_DIR": var_dir}
    out = subprocess.run(
        [sys.executable, "-m", module],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"benchmark {module} failed on {database_url}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _pg_admin(sql: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(sql)
        return True
    except psycopg.Error as exc:
        print(f"PostgreSQL not used: {exc}", file=sys.stderr)
        return False


def main() -> None:
    only = sys.argv[1:]
    results: dict[str, list[dict]] = {}
    for module in BENCHES:
        if only and module.rsplit(".", 1)[-1] not in only:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            results[module] = [_run(module, f"sqlite:///{tmp}/bench.sqlite3", tmp)]
            name = f"kieumau_bench_{int(time.time())}"
            if _pg_admin(f"CREATE DATABASE {name}"):
                try:
                    results[module].append(_run(module, f"{PG_BASE}/{name}", tmp))
                finally:
                    _pg_admin(f"DROP DATABASE IF EXISTS {name}")
    write_report(results)


def _fmt(m: dict) -> str:
    return f"{m['p50_ms']:.1f} / {m['p95_ms']:.1f}"


def _orgunits_section(rows: list[dict]) -> list[str]:
    lines = [
        "## Unit hierarchy as of a date (`kieumau synth` structure)",
        "",
        "Warm timings in milliseconds, p50 / p95. *Ratio* is p50 divided by the p50 of the",
        "baseline measured in the same run: a bare fetch of every version row of the structure.",
        "",
        "| Database | Units | Versions | Synth (s) | Baseline: bare fetch | Nation 2024-06-01 | Nation 2026-01-01 | Province subtree 2026 | Province admin's scope 2026 | Children of a province |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        base = r["baseline_bare_fetch"]["p50_ms"]

        def cell(key, r=r, base=base):
            return f"{_fmt(r[key])} ({r[key]['p50_ms'] / base:.2f}×)"

        lines.append(
            f"| {r['database']} | {r['units']:,} | {r['versions']:,} | {r['synth_seconds']:.1f} | "
            f"{_fmt(r['baseline_bare_fetch'])} | {cell('nation_2024')} | {cell('nation_2026')} | "
            f"{cell('subtree_province_2026')} | {cell('scoped_province_admin_2026')} | "
            f"{cell('children_of_province_2026')} |"
        )
    return lines


def _evaluation_section(rows: list[dict]) -> list[str]:
    lines = [
        "## National batch evaluation (criteria engine)",
        "",
        "All commune-level units in force on 31/12/2025 of the `synth` structure, two years of",
        "synthetic values each, default 22 criteria. *Nation* is `evaluate_subtree` for the whole",
        "nation end to end from the database (fetch values, build readings, run the engine, store",
        "results): cold = first run (writes every result), warm = unchanged results skipped.",
        "*Ratio* = nation warm p50 / bare fetch p50 (the same values read with one query, in the",
        "same run). *One unit* = `set_values` of one value including its immediate re-evaluation.",
        "Aim: nation ≤ 2 s and ≤ 3× the bare fetch; one unit ≤ 50 ms.",
        "",
        "| Database | Units | Values | Bare fetch (ms) | Nation cold (ms) | Nation warm (ms, p50 / p95) | Ratio warm / bare | One unit incremental (ms, p50 / p95) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        ratio = r["nation_warm"]["p50_ms"] / r["bare_fetch"]["p50_ms"]
        lines.append(
            f"| {r['database']} | {r['units']:,} | {r['values']:,} | {_fmt(r['bare_fetch'])} | "
            f"{r['nation_cold_ms']:.0f} | {_fmt(r['nation_warm'])} | {ratio:.2f}× | "
            f"{_fmt(r['one_unit_incremental'])} |"
        )
    return lines


def _import_section(rows: list[dict]) -> list[str]:
    lines = [
        "## Excel import of a province workbook",
        "",
        "100 wards × 60 monthly integer indicators × 12 monthly sheets = 72,000 values, in a",
        "workbook built by the template builder and filled with openpyxl. *Bare read* = openpyxl",
        "read-only iteration over every cell (values only), the least any importer must do.",
        "*Checks + read* = the safety checks and the reader (file → 72,000 entries, nothing",
        "written). *Import* = `import_workbook` end to end: checks, read, validation of every",
        "value, writing, audit, re-evaluation of the 100 wards; cold = every value new, warm = the",
        "same file again (every value unchanged). Ratios are to the bare read of the same run.",
        "Aim: import ≤ 5 s and ≤ 2× the bare read.",
        "",
        "| Database | Values | File (KB) | Bare read (ms) | Checks + read (ms) | Import cold (ms) | Import warm (ms) | Ratio read / bare | Ratio cold / bare | Ratio warm / bare |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        bare = r["bare_read"]["p50_ms"]
        read, cold, warm = (
            r["checks_and_read"]["p50_ms"],
            r["import_cold_ms"]["p50_ms"],
            r["import_warm"]["p50_ms"],
        )
        lines.append(
            f"| {r['database']} | {r['values']:,} | {r['file_bytes'] / 1024:,.0f} | "
            f"{_fmt(r['bare_read'])} | {_fmt(r['checks_and_read'])} | {cold:.0f} | "
            f"{_fmt(r['import_warm'])} | {read / bare:.2f}× | {cold / bare:.2f}× | "
            f"{warm / bare:.2f}× |"
        )
    loads = "; ".join(
        f"{r['database']} {r['load_average'][0]:.1f} → {r['load_average'][1]:.1f}"
        for r in rows
        if "load_average" in r
    )
    if loads:
        lines += ["", f"Load average (1 min) at the start → end of each run: {loads}."]
    return lines


def _dashboard_section(rows: list[dict]) -> list[str]:
    from benchmarks.dashboard_bench import section

    return section(rows)


def _load_section(rows: list[dict]) -> list[str]:
    from benchmarks.load.report import load_section

    return load_section(rows)


SECTIONS = {
    "benchmarks.orgunits_bench": _orgunits_section,
    "benchmarks.evaluation_bench": _evaluation_section,
    "benchmarks.import_bench": _import_section,
    "benchmarks.dashboard_bench": _dashboard_section,
    "benchmarks.load": _load_section,  # written by `make load` (benchmarks/load/run.py)
}


def write_report(results: dict[str, list[dict]]) -> None:
    out = ROOT / "docs" / "benchmarks.md"
    previous = _previous_sections(out)
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (benchmarks/run.py); do not edit by hand. Each section names the",
        "run it comes from; `python benchmarks/run.py orgunits_bench` reruns one section.",
        "",
    ]
    stamp = f"Run {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} on {machine()}."
    for module, render in SECTIONS.items():
        if module in results:
            lines += [*render(results[module]), "", stamp, ""]
        elif module in previous:
            lines += [*previous[module], ""]
    out.write_text("\n".join(lines).rstrip() + "\n")
    print(out.read_text())


def _previous_sections(path: Path) -> dict[str, list[str]]:
    """Sections of the existing report, kept when only some benchmarks are rerun."""
    if not path.exists():
        return {}
    titles = {
        "## Unit hierarchy": "benchmarks.orgunits_bench",
        "## National batch evaluation": "benchmarks.evaluation_bench",
        "## Excel import": "benchmarks.import_bench",
        "## Dashboards and reports": "benchmarks.dashboard_bench",
        "## Load test": "benchmarks.load",
    }
    sections: dict[str, list[str]] = {}
    current = None
    for line in path.read_text().splitlines():
        if line.startswith("## "):
            current = next((m for t, m in titles.items() if line.startswith(t)), None)
        if current:
            sections.setdefault(current, []).append(line)
    return sections


if __name__ == "__main__":
    main()
