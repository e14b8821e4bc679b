"""The refusal of an uploaded workbook as a whole, before any value is looked at."""

from typing import NoReturn

from kieumau.core.errors import Problem, ValidationFailed
from kieumau.datavalues.batch import MAX_LISTED_PROBLEMS


class ImportRefused(ValidationFailed):
    """The file itself is unacceptable (not xlsx, too big, altered template, formulas, ...).

    A ValidationFailed, so every entry point that already answers domain errors answers this
    one too (400, exit code 1); its problems carry sheet, cell and value like the batch's.
    """


def refuse(problems: list[Problem]) -> NoReturn:
    """Raise ImportRefused listing at most MAX_LISTED_PROBLEMS problems (and how many more).

    Protects the error report from growing with the file: a sheet full of formulas gives a
    readable report of the first few hundred cells, not 70,000 lines.
    """
    if len(problems) > MAX_LISTED_PROBLEMS:
        extra = len(problems) - MAX_LISTED_PROBLEMS
        problems = [
            *problems[:MAX_LISTED_PROBLEMS],
            Problem(f"… và {extra} lỗi khác", f"… and {extra} more problems"),
        ]
    raise ImportRefused(problems)
