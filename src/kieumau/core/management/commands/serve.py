"""`kieumau serve`: gunicorn and the background worker together; Ctrl-C stops both cleanly."""

import os
import shutil
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the app with gunicorn; run the db_worker and the daily scheduler beside it."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("KIEUMAU_WEB_WORKERS", "3"))
        )

    def handle(self, *args, port, host, workers, **options):
        bin_dir = os.path.dirname(sys.executable)
        gunicorn = shutil.which("gunicorn", path=bin_dir) or shutil.which("gunicorn")
        kieumau = shutil.which("kieumau", path=bin_dir) or shutil.which("kieumau")
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kieumau.config.settings"}
        web = subprocess.Popen(  # noqa: S603 - fixed argv of our own tools
            [
                gunicorn,
                "kieumau.config.wsgi:application",
                "--bind",
                f"{host}:{port}",
                "--workers",
                str(workers),
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "10",
            ],
            env=env,
        )
        worker = subprocess.Popen([kieumau, "db_worker"], env=env)  # noqa: S603
        scheduler = subprocess.Popen([kieumau, "scheduler"], env=env)  # noqa: S603
        children = [web, worker, scheduler]
        self.stdout.write(f"kieumau: http://{host}:{port}  (Ctrl-C để dừng / to stop)")

        def stop(*_):
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        finally:
            stop()
            deadline = time.monotonic() + 15
            for child in children:
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
        codes = [child.returncode for child in children]
        if any(code not in (0, -signal.SIGTERM, None) for code in codes):
            self.stderr.write(f"kieumau: a process exited with {codes}")
