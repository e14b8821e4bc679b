"""`kieumau audit verify`: check the hash chain of the audit log."""

from django.core.management.base import BaseCommand, CommandError

from kieumau.audit.verify import verify_chain


class Command(BaseCommand):
    help = "Audit log tools. `verify`: exit 0 when the chain is intact, else name the first broken entry."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="verify the hash chain")

    def handle(self, *args, action, **options):
        report = verify_chain()
        if report.ok:
            self.stdout.write(f"Chuỗi nhật ký nguyên vẹn: {report.checked} mục đã kiểm tra.")
            return
        raise CommandError(
            f"Chuỗi nhật ký bị phá vỡ tại mục số {report.first_broken_seq}: {report.reason} "
            f"({report.checked} mục trước đó hợp lệ)."
        )
