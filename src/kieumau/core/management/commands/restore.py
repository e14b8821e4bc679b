"""`kieumau restore FILE [--force]`: verify a backup archive, then restore it."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kieumau.core.backup import BackupRefused, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `kieumau backup`. Checksums are verified first; a database "
        "that already holds data is only replaced with --force. Exit code 0 when restored, 1 "
        "when refused (the reason on stderr)."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the .tar.gz written by `kieumau backup`")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace the data of a database that is not empty",
        )

    def handle(self, *args, archive, force=False, **options):
        try:
            report = restore_backup(Path(archive), force=force)
        except BackupRefused as exc:
            raise CommandError(f"Không khôi phục: {exc}") from exc
        self.stdout.write(
            f"Đã khôi phục {sum(report.rows.values())} dòng dữ liệu và {report.files} tệp; "
            f"chuỗi nhật ký nguyên vẹn ({report.audit_checked} mục)."
        )
