"""`kieumau feedback compute|escalate`: the feedback indicators and the overdue escalation.

`compute --period YYYY[-MM] [--under CODE] [--as USERNAME]` writes criteria 7.2 and 7.3's
indicator values from the feedback and survey data (through the one write path for values);
`escalate` notifies provinces about overdue items now (the scheduler does it daily).
Exit codes: 0 done, 1 refused (reasons on stderr), 2 unknown unit or period.
"""

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from kieumau.core.actors import CLI
from kieumau.core.errors import DomainError, NotFound
from kieumau.feedback.services import compute_indicators, escalate_overdue


class Command(BaseCommand):
    help = "Citizen feedback: write the 7.2/7.3 indicator values; escalate overdue items."

    def add_arguments(self, parser):
        """The subcommands and their options."""
        sub = parser.add_subparsers(dest="action", required=True)
        compute = sub.add_parser("compute", help="write the feedback indicators of a period")
        compute.add_argument("--period", required=True, help="YYYY or YYYY-MM")
        compute.add_argument("--under", help="only units under this unit code")
        compute.add_argument("--as", dest="as_user", metavar="USERNAME")
        sub.add_parser("escalate", help="notify provinces about overdue items now")

    def handle(self, *args, action, **options):
        """Run one subcommand; print a JSON summary; refusals go to stderr with exit 1 or 2."""
        try:
            if action == "compute":
                result = compute_indicators(
                    actor=self._actor(options.get("as_user")),
                    period=options["period"],
                    under=options.get("under"),
                ).as_dict()
            else:
                result = escalate_overdue()
        except NotFound as exc:
            raise CommandError(exc.summary(), returncode=2) from exc
        except DomainError as exc:
            for message in exc.messages():
                self.stderr.write(message)
            code = 2 if any(p.field in {"period", "under"} for p in exc.problems) else 1
            raise CommandError("Không có giá trị nào được ghi.", returncode=code) from exc
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))

    def _actor(self, username: str | None):
        """The CLI system actor, or the named active user (whose scope then applies)."""
        if not username:
            return CLI
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"không tìm thấy người dùng '{username}'", returncode=2)
        return user
