"""`kieumau backup [-o FILE]`: one tar.gz with the database, evidence files and reports."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kieumau.core.backup import BackupRefused, create_backup, default_filename


class Command(BaseCommand):
    help = (
        "Write a backup archive (database, evidence files, generated reports, manifest with "
        "SHA-256 checksums). Exit code 0 when written, 1 when refused."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "-o",
            "--output",
            help="archive to write (default: var/backups/kieumau-YYYYMMDD-HHMMSS.tar.gz)",
        )

    def handle(self, *args, output=None, **options):
        from django.conf import settings

        target = Path(output) if output else Path(settings.VAR_DIR) / "backups" / default_filename()
        try:
            manifest = create_backup(target)
        except (BackupRefused, OSError) as exc:
            raise CommandError(f"Không tạo được bản sao lưu: {exc}") from exc
        rows = sum(manifest["tables"].values())
        files = len(manifest["members"]) - 1
        self.stdout.write(
            f"Đã sao lưu {rows} dòng dữ liệu và {files} tệp vào {target} "
            f"(CSDL {manifest['database']['vendor']})."
        )
