"""`kieumau orgunits reorganise FILE` and `kieumau orgunits show --as-of DATE [--under CODE]`."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kieumau.core.actors import CLI
from kieumau.core.errors import DomainError, NotFound
from kieumau.orgunits import selectors
from kieumau.orgunits.services import reorganise_from_file


class Command(BaseCommand):
    help = "The unit hierarchy: apply a reorganisation file, or show the units as of a date."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        reorganise = sub.add_parser("reorganise", help="apply a CSV/YAML reorganisation atomically")
        reorganise.add_argument("file")
        show = sub.add_parser("show", help="print the units in force on a date")
        show.add_argument("--as-of", dest="as_of", default=None, help="YYYY-MM-DD (default today)")
        show.add_argument("--under", default=None, help="only this unit's subtree")
        show.add_argument("--format", choices=["json", "table"], default="table")

    def handle(self, *args, action, **options):
        if action == "reorganise":
            self._reorganise(options["file"])
        else:
            self._show(options["as_of"], options["under"], options["format"])

    def _reorganise(self, file_name: str) -> None:
        path = Path(file_name)
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp '{file_name}'.", returncode=2)
        try:
            reorg = reorganise_from_file(actor=CLI, data=path.read_bytes(), file_name=path.name)
        except DomainError as exc:
            for message in exc.messages():
                self.stderr.write(message)
            raise CommandError(
                f"Tệp '{path.name}' bị từ chối ({len(exc.problems)} lỗi); không có gì thay đổi."
            ) from exc
        events = ", ".join(f"{k}: {v}" for k, v in sorted(reorg.summary["events"].items()))
        self.stdout.write(f"Đã áp dụng '{reorg.name}': {reorg.summary['rows']} dòng ({events}).")

    def _show(self, as_of, under, fmt) -> None:
        try:
            day = selectors.parse_as_of(as_of)
            rows = selectors.units_as_of(CLI, day, under=under)
        except NotFound as exc:
            raise CommandError(exc.summary(), returncode=2) from exc
        except DomainError as exc:
            raise CommandError(exc.summary(), returncode=2) from exc
        if fmt == "json":
            self.stdout.write(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=2))
            return
        for r in rows:
            indent = "  " * r.level
            self.stdout.write(
                f"{indent}{r.code}\t{r.name}\t{r.kind_label}\t{r.valid_from}–{r.valid_to or ''}"
            )
