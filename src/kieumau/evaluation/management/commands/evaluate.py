"""`kieumau evaluate --unit CODE --period 2025 [--format json]` or `--under CODE|--nation`."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from kieumau.core.actors import CLI
from kieumau.core.errors import DomainError, NotFound, ValidationFailed
from kieumau.evaluation.services import evaluate_subtree, evaluate_unit_code

STATUS_VI = {
    "met": "đạt",
    "not_met": "không đạt",
    "missing_data": "thiếu số liệu",
    "not_applicable": "không áp dụng",
}


class Command(BaseCommand):
    help = "Evaluate one unit (explained) or re-evaluate a whole subtree / the nation."

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--unit", help="one unit: print its explained result")
        target.add_argument("--under", help="re-evaluate every commune-level unit under this unit")
        target.add_argument("--nation", action="store_true", help="re-evaluate the whole nation")
        parser.add_argument("--period", required=True, help="e.g. 2025, 2025H1, 2025Q3, 2025-05")
        parser.add_argument("--set", dest="set_code", default=None, help="criteria set code")
        parser.add_argument("--format", choices=["json", "table"], default="table")

    def handle(self, *args, **options):
        try:
            if options["unit"]:
                self._one(options)
            else:
                self._many(options)
        except (NotFound, ValidationFailed) as exc:
            raise CommandError(exc.summary(), returncode=2) from exc
        except DomainError as exc:
            raise CommandError(exc.summary()) from exc

    def _one(self, options):
        result = evaluate_unit_code(
            CLI, options["unit"], options["period"], set_code=options["set_code"]
        )
        if options["format"] == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"{result['unit']} — kỳ {result['period']} — {result['criteria_version']}: "
            f"{result['met']}/{result['total']} tiêu chí đạt"
            + (" — ĐẠT CHUẨN KIỂU MẪU" if result["model_standard"] else "")
        )
        for c in result["criteria"]:
            self.stdout.write(f"  {c['code']:5} {STATUS_VI[c['status']]:14} {c['explanation']}")

    def _many(self, options):
        def progress(done, total):
            sys.stderr.write(f"\r{done}/{total} đơn vị")

        count = evaluate_subtree(
            actor=CLI, root_code=options["under"], period_code=options["period"], progress=progress
        )
        sys.stderr.write("\n")
        self.stdout.write(f"Đã đánh giá {count} đơn vị cho kỳ {options['period']}.")
