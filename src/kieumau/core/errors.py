"""Errors that services raise and every entry point turns into a clear answer.

Each carries Vietnamese messages (with English beside them) that name the place of the problem,
so the form, the API, the CLI and the importer can all show the same thing.
"""

from dataclasses import dataclass, field


@dataclass
class Problem:
    """One thing wrong with an input: where (row, field, or sheet and cell) and why.

    Messages are Vietnamese with English beside them; `value` is the offending input as text,
    so an Excel error report can show sheet, cell, value and reason in four columns.
    """

    message: str
    message_en: str = ""
    field: str | None = None
    row: int | None = None
    sheet: str | None = None
    cell: str | None = None
    value: str | None = None

    def located(self) -> str:
        """The message prefixed with where it happened, as people read it."""
        if self.sheet is not None:
            where = f"Trang '{self.sheet}'" + (f", ô {self.cell}" if self.cell else "")
            return f"{where}: {self.message}"
        return f"Dòng {self.row}: {self.message}" if self.row is not None else self.message

    def as_dict(self) -> dict:
        """The problem as JSON for the API and the import job page."""
        out = {"message": self.message, "message_en": self.message_en, "located": self.located()}
        for key in ("field", "row", "sheet", "cell", "value"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out


@dataclass
class DomainError(Exception):
    """Base for refusals that are the user's input, not a bug: they map to 4xx / exit code 1-2."""

    problems: list[Problem] = field(default_factory=list)
    status_code: int = 400

    def __post_init__(self):
        super().__init__(self.summary())

    @classmethod
    def single(cls, message: str, message_en: str = "", **kwargs):
        return cls([Problem(message, message_en, **kwargs)])

    def summary(self) -> str:
        return "; ".join(p.located() for p in self.problems)

    def messages(self) -> list[str]:
        return [p.located() for p in self.problems]


class ValidationFailed(DomainError):
    """The input is malformed or inconsistent; nothing was changed."""


class PermissionDenied(DomainError):
    """The actor may not do this. Raised by services; views turn reads of this into 404."""

    def __post_init__(self):
        self.status_code = 403
        super().__post_init__()


class NotFound(DomainError):
    """The object does not exist or is outside the actor's scope (indistinguishable on purpose)."""

    def __post_init__(self):
        self.status_code = 404
        super().__post_init__()


class Conflict(DomainError):
    """The object changed since the actor read it, or the transition is not allowed now."""

    def __post_init__(self):
        self.status_code = 409
        super().__post_init__()
