"""Exceptions raised by the engine.

Only two things raise: a criteria specification that cannot be used (``SpecError``) and a period
code that cannot be read (``PeriodError``). Bad *readings* never raise: they become
``missing_data`` results with a Vietnamese reason (see ``evaluate.py``). Every exception carries
Vietnamese messages for people and English ones for logs, so that the web layer can show them
as they are, in the spirit of "bad input is an answer, not a crash".
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SpecProblem:
    """One problem found in a criteria specification.

    ``place_vi`` names where the problem is in words a Ministry clerk understands
    ("Tiêu chí 5.2, quy tắc"); ``path`` is the machine path ("criteria[5.2].rule") for the editor
    to highlight the field; ``line``/``column`` (1-based) point inside a rule when known.
    ``severity`` is ``"error"`` (blocks loading or publishing) or ``"warning"`` (advice only).
    """

    place_vi: str
    path: str
    message_vi: str
    message_en: str
    severity: str = "error"
    line: int | None = None
    column: int | None = None

    @property
    def text_vi(self) -> str:
        """The full Vietnamese sentence: place, position when known, message."""
        pos = f" (dòng {self.line}, cột {self.column})" if self.line is not None else ""
        return f"{self.place_vi}{pos}: {self.message_vi}"

    @property
    def text_en(self) -> str:
        """The full English sentence: path, position when known, message."""
        pos = f" (line {self.line}, column {self.column})" if self.line is not None else ""
        return f"{self.path}{pos}: {self.message_en}"

    @property
    def is_error(self) -> bool:
        """True when this problem blocks loading or publishing."""
        return self.severity == "error"


class SpecError(ValueError):
    """A criteria specification that cannot be used.

    Carries every problem found (not only the first) so that whoever fixes the file fixes it in
    one pass: ``messages`` are the Vietnamese sentences, ``problems`` the structured records.
    """

    def __init__(self, problems: list[SpecProblem] | tuple[SpecProblem, ...]):
        self.problems: tuple[SpecProblem, ...] = tuple(problems)
        self.messages: list[str] = [p.text_vi for p in self.problems]
        self.messages_en: list[str] = [p.text_en for p in self.problems]
        super().__init__("\n".join(self.messages) or "Bộ tiêu chí không hợp lệ")


class PeriodError(ValueError):
    """A period code or period operation that makes no sense.

    ``message_vi`` is shown to people; ``str(error)`` is the Vietnamese message too, with the
    English one in ``message_en``.
    """

    def __init__(self, message_vi: str, message_en: str):
        self.message_vi = message_vi
        self.message_en = message_en
        super().__init__(message_vi)


@dataclass(frozen=True)
class RuleProblem:
    """One problem in a rule, positioned for the rule editor.

    ``line``/``column`` are 1-based and count characters (Unicode code points) like the ``cel``
    library's own syntax errors. ``severity`` is ``"error"`` (the rule cannot be used; a version
    containing it cannot be published) or ``"warning"`` (advice, e.g. a threshold written as a
    literal instead of a parameter). ``code`` is a stable machine tag such as ``syntax``,
    ``unknown_indicator``, ``unknown_parameter``, ``unknown_function``, ``type``, ``literal``.
    """

    line: int
    column: int
    message_vi: str
    message_en: str
    severity: str = "error"
    code: str = "error"

    @property
    def is_error(self) -> bool:
        """True when this problem blocks using the rule."""
        return self.severity == "error"
