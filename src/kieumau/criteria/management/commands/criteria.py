"""`kieumau criteria list|import|export|publish|derive`: criteria sets as YAML files."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kieumau.accounts.permissions import VIEW_CRITERIA
from kieumau.core.actors import CLI
from kieumau.core.errors import DomainError, NotFound
from kieumau.criteria import services
from kieumau.criteria.models import CriteriaSet, CriteriaVersion
from kieumau.engine import dump_version_yaml


class Command(BaseCommand):
    help = "Criteria sets: list, import FILE, export CODE [--version N], publish, derive."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        list_ = sub.add_parser("list", help="sets, versions and their status")
        list_.add_argument("--format", choices=["json", "table"], default="table")
        imp = sub.add_parser("import", help="import a whole version from YAML")
        imp.add_argument("file")
        exp = sub.add_parser("export", help="print a version as YAML")
        exp.add_argument("code")
        exp.add_argument("--version", dest="number", type=int, default=None)
        exp.add_argument("-o", "--output", default=None)
        for name in ("publish", "derive", "retire"):
            p = sub.add_parser(name, help=f"{name} a version")
            p.add_argument("code")
            p.add_argument("--version", dest="number", type=int, required=True)

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except NotFound as exc:
            raise CommandError(exc.summary(), returncode=2) from exc
        except DomainError as exc:
            for message in exc.messages():
                self.stderr.write(message)
            raise CommandError("Thao tác bị từ chối; không có gì thay đổi.") from exc

    def _list(self, format, **_):
        sets = []
        for cset in CriteriaSet.objects.visible_to(CLI, VIEW_CRITERIA).prefetch_related("versions"):
            in_force = services.version_in_force(cset.versions.all(), timezone.localdate())
            sets.append(
                {
                    "code": cset.code,
                    "name_vi": cset.name_vi,
                    "name_en": cset.name_en,
                    "in_force": in_force.number if in_force else None,
                    "versions": [
                        {
                            "version": v.number,
                            "status": v.status,
                            "valid_from": v.valid_from.isoformat() if v.valid_from else None,
                            "valid_to": v.valid_to.isoformat() if v.valid_to else None,
                            "provisional": v.provisional,
                            "criteria": len(v.spec.get("criteria", [])),
                            "sha256": v.spec_sha256,
                        }
                        for v in sorted(cset.versions.all(), key=lambda v: v.number)
                    ],
                }
            )
        if format == "json":
            self.stdout.write(json.dumps(sets, ensure_ascii=False, indent=2))
            return
        for s in sets:
            self.stdout.write(f"{s['code']}\t{s['name_vi']}")
            for v in s["versions"]:
                mark = " *" if v["version"] == s["in_force"] else ""
                self.stdout.write(
                    f"  v{v['version']}\t{v['status']}\t{v['criteria']} tiêu chí{mark}"
                )

    def _import(self, file, **_):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp '{file}'.", returncode=2)
        version = services.import_version(actor=CLI, text=path.read_text(encoding="utf-8"))
        self.stdout.write(f"Đã nhập {version.label} ({version.get_status_display()}).")

    def _export(self, code, number, output, **_):
        version = services.get_version(CLI, code, number)
        text = dump_version_yaml(services.spec_of(version))
        if output:
            Path(output).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")

    def _version(self, code, number) -> CriteriaVersion:
        return services.get_version(CLI, code, number)

    def _publish(self, code, number, **_):
        version = services.publish(actor=CLI, version_id=self._version(code, number).pk)
        self.stdout.write(f"Đã ban hành {version.label}.")

    def _derive(self, code, number, **_):
        draft = services.derive_draft(actor=CLI, version_id=self._version(code, number).pk)
        self.stdout.write(f"Đã tạo bản nháp {draft.label}.")

    def _retire(self, code, number, **_):
        version = services.retire(actor=CLI, version_id=self._version(code, number).pk)
        self.stdout.write(f"Đã ngừng áp dụng {version.label}.")
