"""`kieumau data set --unit CODE --period P CODE=VALUE ...` and `kieumau data get ...`."""

import json

from django.core.management.base import BaseCommand, CommandError

from kieumau.core.actors import CLI
from kieumau.core.errors import DomainError, NotFound
from kieumau.datavalues.selectors import values_of
from kieumau.datavalues.services import resolve_period, set_values


class Command(BaseCommand):
    help = "Periodic data values: set several values of one unit and period, or print them."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        set_ = sub.add_parser("set", help="set values: CODE=VALUE ...")
        set_.add_argument("--unit", required=True)
        set_.add_argument("--period", required=True)
        set_.add_argument("assignments", nargs="+", metavar="CODE=VALUE")
        get = sub.add_parser("get", help="print the values of one unit and period")
        get.add_argument("--unit", required=True)
        get.add_argument("--period", required=True)
        get.add_argument("--format", choices=["json", "table"], default="table")

    def handle(self, *args, action, **options):
        try:
            if action == "set":
                self._set(options["unit"], options["period"], options["assignments"])
            else:
                self._get(options["unit"], options["period"], options["format"])
        except NotFound as exc:
            raise CommandError(exc.summary(), returncode=2) from exc
        except DomainError as exc:
            for message in exc.messages():
                self.stderr.write(message)
            code = 2 if any(p.field in {"period", "unit"} for p in exc.problems) else 1
            raise CommandError("Không có giá trị nào được ghi.", returncode=code) from exc

    def _set(self, unit, period, assignments):
        values = {}
        for item in assignments:
            if "=" not in item:
                raise CommandError(f"'{item}' phải có dạng MÃ=GIÁ_TRỊ", returncode=2)
            code, raw = item.split("=", 1)
            values[code.strip()] = raw
        saved = set_values(actor=CLI, unit_code=unit, period_code=period, values=values)
        self.stdout.write(f"Đã ghi {len(saved)} giá trị cho {unit}, kỳ {period}.")

    def _get(self, unit, period, fmt):
        resolve_period(period)
        rows = values_of(CLI, unit, period)
        data = {dv.indicator.code: dv.value for dv in rows}
        if fmt == "json":
            self.stdout.write(
                json.dumps(
                    {"unit": unit, "period": period, "values": data}, ensure_ascii=False, indent=2
                )
            )
            return
        for code, value in data.items():
            self.stdout.write(f"{code}\t{value}")
