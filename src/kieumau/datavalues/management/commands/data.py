"""`kieumau data set|get|template|import`: periodic values from the command line.

`set --unit CODE --period P CODE=VALUE ...` and `get --unit CODE --period P` work on one unit;
`template (--unit CODE | --under CODE) --period P [--period P2 ...] -o FILE.xlsx` writes an
Excel template; `import FILE.xlsx [--report ERRORS.xlsx]` imports a filled one, all or nothing.
Exit codes: 0 done, 1 refused (reasons on stderr, nothing written), 2 unknown unit, period,
user or file.
"""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from kieumau.core.actors import CLI
from kieumau.core.errors import DomainError, NotFound
from kieumau.datavalues.excel import build_template, error_report_xlsx, import_workbook
from kieumau.datavalues.excel.safety import check_size
from kieumau.datavalues.selectors import values_of
from kieumau.datavalues.services import resolve_period, set_values


class Command(BaseCommand):
    help = "Periodic data values: set or print one unit's values; Excel templates and imports."

    def add_arguments(self, parser):
        """The four subcommands and their options."""
        sub = parser.add_subparsers(dest="action", required=True)
        set_ = sub.add_parser("set", help="set values: CODE=VALUE ...")
        set_.add_argument("--unit", required=True)
        set_.add_argument("--period", required=True)
        set_.add_argument("assignments", nargs="+", metavar="CODE=VALUE")
        get = sub.add_parser("get", help="print the values of one unit and period")
        get.add_argument("--unit", required=True)
        get.add_argument("--period", required=True)
        get.add_argument("--format", choices=["json", "table"], default="table")
        template = sub.add_parser("template", help="write an Excel template (.xlsx)")
        which = template.add_mutually_exclusive_group(required=True)
        which.add_argument("--unit", help="one unit")
        which.add_argument("--under", help="every commune-level unit under this unit")
        template.add_argument(
            "--period", required=True, action="append", help="period code; repeat for several"
        )
        template.add_argument("-o", "--output", required=True, metavar="FILE.xlsx")
        template.add_argument("--as", dest="as_user", metavar="USERNAME")
        import_ = sub.add_parser("import", help="import a filled Excel template, all or nothing")
        import_.add_argument("file", metavar="FILE.xlsx")
        import_.add_argument("--as", dest="as_user", metavar="USERNAME")
        import_.add_argument(
            "--report", metavar="ERRORS.xlsx", help="when refused, also write the errors here"
        )

    def handle(self, *args, action, **options):
        """Run one subcommand; turn refusals into located messages and exit codes 1 or 2."""
        try:
            if action == "set":
                self._set(options["unit"], options["period"], options["assignments"])
            elif action == "get":
                self._get(options["unit"], options["period"], options["format"])
            elif action == "template":
                self._template(options)
            else:
                self._import(options)
        except NotFound as exc:
            raise CommandError(exc.summary(), returncode=2) from exc
        except DomainError as exc:
            for message in exc.messages():
                self.stderr.write(message)
            code = 2 if any(p.field in {"period", "unit"} for p in exc.problems) else 1
            if action == "import" and options.get("report"):
                Path(options["report"]).write_bytes(error_report_xlsx(exc.problems))
                self.stderr.write(f"Báo cáo lỗi: {options['report']}")
            raise CommandError("Không có giá trị nào được ghi.", returncode=code) from exc

    def _actor(self, username: str | None):
        """The CLI system actor, or the named active user (whose scope then applies)."""
        if not username:
            return CLI
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"không tìm thấy người dùng '{username}'", returncode=2)
        return user

    def _set(self, unit, period, assignments):
        """Store `CODE=VALUE` assignments of one unit and period, all or nothing."""
        values = {}
        for item in assignments:
            if "=" not in item:
                raise CommandError(f"'{item}' phải có dạng MÃ=GIÁ_TRỊ", returncode=2)
            code, raw = item.split("=", 1)
            values[code.strip()] = raw
        saved = set_values(actor=CLI, unit_code=unit, period_code=period, values=values)
        self.stdout.write(f"Đã ghi {len(saved)} giá trị cho {unit}, kỳ {period}.")

    def _get(self, unit, period, fmt):
        """Print one unit's stored values for a period (table or JSON)."""
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

    def _template(self, options):
        """Write the template file; nothing is written when the request is refused."""
        data = build_template(
            actor=self._actor(options["as_user"]),
            unit_code=options["unit"],
            under_code=options["under"],
            period_codes=options["period"],
        )
        output = Path(options["output"])
        try:
            output.write_bytes(data)
        except OSError as exc:
            raise CommandError(f"không ghi được tệp '{output}': {exc}", returncode=2) from exc
        self.stdout.write(f"Đã ghi biểu mẫu {output} ({len(data):,} byte).".replace(",", "."))

    def _import(self, options):
        """Import a filled template; the size is checked before the file is read."""
        actor = self._actor(options["as_user"])
        path = Path(options["file"])
        try:
            check_size(path.stat().st_size, path.name)
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                f"không đọc được tệp '{path}': {exc.strerror}", returncode=2
            ) from exc
        result = import_workbook(actor=actor, data=data, filename=path.name)
        self.stdout.write(
            f"Đã nhập tệp {path.name}: {result.created} giá trị mới, {result.updated} giá trị "
            f"được sửa, {result.unchanged} giá trị không đổi."
        )
        for warning in result.warnings:
            self.stdout.write(f"Cảnh báo: {warning.located()}")
