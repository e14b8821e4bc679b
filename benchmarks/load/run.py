"""`make load`: the load test end to end, its figures written into docs/benchmarks.md.

1. The database: KIEUMAU_LOAD_DATABASE_URL, or a PostgreSQL database `kieumau_load` on
   127.0.0.1:5432 (created when missing). `--fresh` drops and recreates that default database.
2. Data: benchmarks/load/prepare.py (the `kieumau synth` nation, two years of values, the 2025
   evaluation, load users), skipped when already there.
3. gunicorn (KIEUMAU_LOAD_WORKERS sync workers, default 2 × cores + 1) on a free local port.
4. One locust phase per scenario (benchmarks/load/locustfile.py), the baseline /healthz first,
   KIEUMAU_LOAD_SECONDS each (default 20) with KIEUMAU_LOAD_USERS users (default 8).
5. The section "Load test" of docs/benchmarks.md, through benchmarks/run.py's writer.
"""

import csv
import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/kieumau_load"
SCENARIOS = ["healthz", "scorecard", "matrix", "dashboard", "save"]


def fail(message: str) -> None:
    sys.stderr.write(f"make load: {message}\n")
    raise SystemExit(1)


def database_url(fresh: bool) -> str:
    url = os.environ.get("KIEUMAU_LOAD_DATABASE_URL")
    if url:
        return url
    import psycopg

    try:
        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True, connect_timeout=3
        ) as conn:
            if fresh:
                conn.execute("DROP DATABASE IF EXISTS kieumau_load")
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = 'kieumau_load'"
            ).fetchone()
            if not exists:
                conn.execute("CREATE DATABASE kieumau_load")
    except psycopg.Error as exc:
        fail(
            "cần PostgreSQL tại 127.0.0.1:5432 (user postgres) hoặc đặt "
            f"KIEUMAU_LOAD_DATABASE_URL / PostgreSQL is needed: {exc}"
        )
    return DEFAULT_URL


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, server: subprocess.Popen) -> None:
    for _ in range(120):
        if server.poll() is not None:
            fail("gunicorn stopped during start-up")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    fail("gunicorn did not answer /healthz within 60 s")


def last_month() -> str:
    first = dt.date.today().replace(day=1)
    return (first - dt.timedelta(days=1)).strftime("%Y-%m")


def run_phase(scenario, host, env, users, seconds, work: Path) -> dict:
    prefix = work / scenario
    command = [
        str(BIN / "locust"),
        "-f",
        str(ROOT / "benchmarks/load/locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{seconds}s",
        "--host",
        host,
        "--csv",
        str(prefix),
        "--only-summary",
        "--reset-stats",
        "--loglevel",
        "WARNING",
    ]
    result = subprocess.run(
        command,
        env={**env, "KIEUMAU_LOAD_SCENARIO": scenario},
        capture_output=True,
        text=True,
        check=False,
    )
    stats = Path(f"{prefix}_stats.csv")
    if not stats.exists():
        sys.stderr.write(result.stderr[-3000:])
        fail(f"locust produced no statistics for {scenario}")
    name = scenario
    for row in csv.DictReader(stats.open()):
        if row["Name"] == name:
            return {
                "scenario": scenario,
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50": float(row["50%"]),
                "p95": float(row["95%"]),
                "p99": float(row["99%"]),
            }
    return {"scenario": scenario, "requests": 0, "note": "no request succeeded"}


def main() -> None:
    fresh = "--fresh" in sys.argv[1:]
    if not (BIN / "locust").exists() or not (BIN / "gunicorn").exists():
        fail("thiếu locust/gunicorn trong .venv; chạy `make setup` / run `make setup` first")
    url = database_url(fresh)
    var_dir = ROOT / "var" / "load"
    var_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "KIEUMAU_DATABASE_URL": url,
        "KIEUMAU_VAR_DIR": str(var_dir),
        "KIEUMAU_LOG_LEVEL": "WARNING",
        "KIEUMAU_LOGIN_MAX_FAILURES": "1000",
    }
    print("== preparing data (first run: about 3 minutes)", flush=True)
    prepared = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks/load/prepare.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if prepared.returncode != 0:
        sys.stderr.write(prepared.stderr[-5000:])
        fail("preparing the load database failed")
    info = json.loads(prepared.stdout.strip().splitlines()[-1])
    subprocess.run(
        [str(BIN / "kieumau"), "collectstatic", "--noinput", "--verbosity", "0"],
        env=env,
        check=True,
    )
    workers = int(os.environ.get("KIEUMAU_LOAD_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
    users = int(os.environ.get("KIEUMAU_LOAD_USERS", "8"))
    seconds = int(os.environ.get("KIEUMAU_LOAD_SECONDS", "20"))
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "kieumau.config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    phases = []
    load_before = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="kieumau-load-"))
    try:
        wait_ready(host, server)
        locust_env = {
            **env,
            "KIEUMAU_LOAD_INFO": json.dumps(info),
            "KIEUMAU_LOAD_MONTH": last_month(),
        }
        for scenario in SCENARIOS:
            print(f"== phase {scenario}: {users} users, {seconds} s", flush=True)
            phase = run_phase(scenario, host, locust_env, users, seconds, work)
            print(f"   {phase}", flush=True)
            phases.append(phase)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)
    result = {
        "database": info["database"],
        "units": info["units"],
        "evaluable": info["evaluable_units_2025"],
        "values": info["values"],
        "workers": workers,
        "users": users,
        "duration": seconds,
        "phases": phases,
        "load_average": [load_before, os.getloadavg()[0]],
    }
    from benchmarks.run import write_report

    write_report({"benchmarks.load": [result]})


if __name__ == "__main__":
    main()
