"""The load-test section of docs/benchmarks.md (written through benchmarks/run.py)."""

TITLE = "## Load test: gunicorn + PostgreSQL (`make load`)"
LABELS = {
    "healthz": "Baseline: GET /healthz",
    "scorecard": "Scorecard of a ward (GET /evaluation/units/…)",
    "matrix": "Evaluation matrix of a province (GET /evaluation/matrix/)",
    "dashboard": "Dashboard (GET /dashboards/)",
    "save": "Data-entry save (POST the monthly form, CSRF)",
}


def load_section(rows: list[dict]) -> list[str]:
    r = rows[-1]
    base = next(p for p in r["phases"] if p["scenario"] == "healthz")
    lines = [
        TITLE,
        "",
        f"{r['units']:,} units of the `kieumau synth` nation ({r['evaluable']:,} commune-level",
        f"units evaluated for 2025), {r['values']:,} stored values; gunicorn with",
        f"{r['workers']} sync workers on {r['database']}, locust ({r['users']} concurrent users, no",
        f"think time) on the same machine, {r['duration']} s per phase, all phases against the",
        "same server in one run. Response times in milliseconds. *× base* compares with the",
        "baseline phase: throughput as a fraction of /healthz's, p50 as a multiple of its p50.",
        "",
        "| Phase | Requests | Failures | Requests/s | p50 | p95 | p99 | Throughput × base | p50 × base |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for p in r["phases"]:
        if not p.get("requests"):
            lines.append(
                f"| {LABELS.get(p['scenario'], p['scenario'])} | not measured: {p.get('note', 'no requests')} |||||||| "
            )
            continue
        lines.append(
            f"| {LABELS.get(p['scenario'], p['scenario'])} | {p['requests']:,} | {p['failures']:,} | "
            f"{p['rps']:.1f} | {p['p50']:.0f} | {p['p95']:.0f} | {p['p99']:.0f} | "
            f"{p['rps'] / base['rps']:.3f} | {p['p50'] / max(base['p50'], 1):.1f}× |"
        )
    if r.get("load_average"):
        lines += [
            "",
            f"Load average (1 min) at the start → end: {r['load_average'][0]:.1f} → "
            f"{r['load_average'][1]:.1f} (the machine is shared; locust runs on it too).",
        ]
    return lines
