"""`kieumau token create USERNAME [--name NAME]`: print a new API token for a user."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from kieumau.accounts.services import create_token
from kieumau.core.actors import CLI


class Command(BaseCommand):
    help = "API tokens. `create USERNAME` prints a new token (shown once)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token for a user")
        create.add_argument("username")
        create.add_argument("--name", default="CLI")

    def handle(self, *args, action, username, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Không tìm thấy người dùng '{username}'.", returncode=2)
        _token, key = create_token(actor=CLI, user=user, name=name)
        self.stdout.write(key)
