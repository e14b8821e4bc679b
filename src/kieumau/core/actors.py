"""The actor used when the system itself writes (CLI commands, demo loading, background jobs).

Shell access to the server is already full trust; naming the actor keeps the audit log honest
about where a change came from.
"""


class SystemActor:
    """A pseudo-user with national scope and no database row."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    is_anonymous = False
    pk = None
    id = None

    def __init__(self, name: str = "cli"):
        self.name = name

    def get_username(self) -> str:
        return f"system:{self.name}"

    def __str__(self) -> str:
        return self.get_username()


CLI = SystemActor("cli")
