"""`kieumau scheduler [--once] [--today YYYY-MM-DD]`: run the daily jobs (reminders, ...)."""

import datetime as dt
import json
import signal
import time

from django.core.management.base import BaseCommand, CommandError

from kieumau.core.scheduler import run_due_jobs


class Command(BaseCommand):
    help = "Run the daily jobs once per day (report reminders); loops unless --once."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run what is due and exit")
        parser.add_argument("--today", help="pretend today is this date (YYYY-MM-DD)")
        parser.add_argument("--interval", type=int, default=300, help="seconds between wake-ups")

    def handle(self, *args, once, today, interval, **options):
        day = None
        if today:
            try:
                day = dt.date.fromisoformat(today)
            except ValueError as exc:
                raise CommandError(f"ngày '{today}' không hợp lệ (YYYY-MM-DD)") from exc
        if once:
            self.stdout.write(json.dumps(run_due_jobs(day), ensure_ascii=False, default=str))
            return
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
        signal.signal(signal.SIGINT, lambda *_: stopping.append(1))
        while not stopping:
            run_due_jobs(day)
            for _ in range(interval):
                if stopping:
                    break
                time.sleep(1)
