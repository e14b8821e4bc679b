"""`kieumau demo [--once]`: load the demo structure and accounts, then print the logins."""

import os

from django.core.management.base import BaseCommand, CommandError

from kieumau.core.errors import DomainError
from kieumau.orgunits.demo import demo_logins, is_loaded, load_demo, login_block


class Command(BaseCommand):
    help = (
        "Nạp dữ liệu mẫu (cơ cấu đơn vị thật của 5 tỉnh, tài khoản mẫu) và in thông tin đăng nhập "
        "(load the demo data and print the demo logins)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--once",
            action="store_true",
            help="nạp chỉ khi chưa nạp / load only if not loaded yet (then just print)",
        )

    def handle(self, *args, once: bool, **options):
        password = os.environ.get("KIEUMAU_DEMO_PASSWORD") or None
        if once and is_loaded():
            self.stdout.write("Dữ liệu mẫu đã có sẵn / demo data already loaded.")
            logins = demo_logins(password)
        else:
            try:
                result = load_demo(password=password)
            except DomainError as exc:
                for message in exc.messages():
                    self.stderr.write(message)
                raise CommandError(
                    "Không nạp được dữ liệu mẫu; không có gì thay đổi / demo not loaded, "
                    "nothing changed."
                ) from exc
            if result.applied_files:
                self.stdout.write("Đã áp dụng / applied: " + ", ".join(result.applied_files))
            if result.created_users:
                self.stdout.write("Đã tạo tài khoản / created: " + ", ".join(result.created_users))
            if not result.changed:
                self.stdout.write("Không có gì mới / nothing new: demo data already loaded.")
            logins = result.logins
        from kieumau.datavalues.demo import load_demo_criteria_and_values

        loaded = load_demo_criteria_and_values()
        if loaded["values"]:
            self.stdout.write(
                f"Bộ tiêu chí mặc định và {loaded['values']:,} giá trị mẫu 2021–2025 đã nạp; "
                f"{loaded['evaluated']:,} kết quả đánh giá / default criteria, demo values and "
                "evaluations loaded."
            )
        from kieumau.datavalues.demo_reports import load_demo_reports

        reports = load_demo_reports()
        if reports["reports"]:
            self.stdout.write(
                f"Biểu mẫu báo cáo và {reports['reports']:,} báo cáo tháng mẫu đã nạp / "
                "report forms and demo monthly reports loaded."
            )
        from kieumau.feedback.demo import load_demo as load_feedback_demo
        from kieumau.plans.demo import load_demo as load_plans_demo

        for label, counts in (
            ("Kế hoạch, lộ trình / plans", load_plans_demo()),
            ("Khảo sát, ý kiến người dân / citizen feedback", load_feedback_demo()),
        ):
            if counts:
                detail = ", ".join(f"{name}: {count:,}" for name, count in counts.items())
                self.stdout.write(f"{label}: {detail}")
        self.stdout.write(login_block(logins, port=os.environ.get("PORT") or "8000"))
