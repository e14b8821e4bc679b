"""What the engine takes about a unit and what it gives back: frozen dataclasses.

* :class:`Unit` – the evaluated unit as the caller saw it on ``as_of`` (code and kind come from
  the effective-dated hierarchy, which the engine does not know).
* :class:`CriterionResult` – one criterion: status, the values and thresholds used, and an
  explanation in Vietnamese and English, condition by condition.
* :class:`GroupResult` – met/total per group; :class:`UnitResult` – everything for the unit,
  with ``model_standard`` (all applicable criteria met) and the ``input_digest``.

Statuses: ``met`` (đạt), ``not_met`` (không đạt), ``missing_data`` (thiếu số liệu — never
counted as met), ``not_applicable`` (không áp dụng — not counted at all).

Result classes use ``__slots__``: a national batch keeps 73,000 criterion results alive, and
without a per-instance ``__dict__`` they cost less memory and less garbage-collector time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .explain import ConditionResult, Explanation
from .spec import UNIT_KINDS

MET = "met"
NOT_MET = "not_met"
MISSING_DATA = "missing_data"
NOT_APPLICABLE = "not_applicable"
RESULT_STATUSES: tuple[str, ...] = (MET, NOT_MET, MISSING_DATA, NOT_APPLICABLE)
STATUS_LABELS_VI = {
    MET: "đạt",
    NOT_MET: "không đạt",
    MISSING_DATA: "thiếu số liệu",
    NOT_APPLICABLE: "không áp dụng",
}


@dataclass(frozen=True)
class Unit:
    """The unit evaluated: ``code``, ``kind`` (ward/commune/township/special_zone) and the
    ``as_of`` date on which the caller read that code and kind from the hierarchy."""

    code: str
    kind: str
    as_of: dt.date

    def __post_init__(self) -> None:
        if self.kind not in UNIT_KINDS:
            raise ValueError(
                f"Loại đơn vị '{self.kind}' không hợp lệ (chọn: {', '.join(UNIT_KINDS)})"
            )
        if not isinstance(self.as_of, dt.date):
            raise ValueError("as_of phải là một ngày (datetime.date)")


@dataclass(frozen=True, slots=True)
class CriterionResult:
    """The result of one criterion for one unit and period.

    ``values`` maps what the rule read to its value: indicator codes for the evaluated period,
    ``code@prev_year`` / ``code@prev_period`` for earlier periods, and ``params.NAME`` for
    parameters; ``thresholds`` maps the parameter names used to their values. ``missing``
    lists the read keys that had no usable value. ``explanation`` (also ``explanation_vi``,
    ``explanation_en`` and ``conditions``) is rendered on first access — see
    :class:`~.explain.Explanation` for why.
    """

    code: str
    name_vi: str
    name_en: str
    group: str
    status: str
    values: dict[str, Any]
    thresholds: dict[str, Any]
    explanation: Explanation
    missing: tuple[str, ...] = ()

    @property
    def explanation_vi(self) -> str:
        """Vietnamese explanation a person can check ("... 1,2% < 1,5%: đạt. Kết luận: đạt.")."""
        return self.explanation.vi

    @property
    def explanation_en(self) -> str:
        """English explanation."""
        return self.explanation.en

    @property
    def conditions(self) -> tuple[ConditionResult, ...]:
        """The rule's top-level conditions, each rendered with its outcome."""
        return self.explanation.conditions

    @property
    def met(self) -> bool:
        """True only for ``met``: missing data is never met."""
        return self.status == MET

    @property
    def status_vi(self) -> str:
        """The status in Vietnamese ("đạt", "không đạt", ...)."""
        return STATUS_LABELS_VI[self.status]


@dataclass(frozen=True, slots=True)
class GroupResult:
    """Counts for one group; ``total`` counts applicable criteria only."""

    code: str
    name_vi: str
    name_en: str
    met: int
    total: int
    missing_data: int
    not_applicable: int


@dataclass(frozen=True, slots=True)
class UnitResult:
    """Everything the engine concluded about one unit for one period.

    ``met``/``total`` is the "x/22" figure (``total`` counts applicable criteria);
    ``model_standard`` is true only when every applicable criterion is met (and at least one
    applies). ``input_digest`` proves which inputs the result came from.
    ``reporting_year_vi``/``reporting_year_en`` name the dates of the year assessed when the
    version counts years differently from the calendar ("năm báo cáo 16/11/2024–15/11/2025");
    they are empty for a calendar year and for months, quarters and half-years.
    """

    unit: Unit
    period: str
    set_code: str
    version: int
    criteria: tuple[CriterionResult, ...]
    groups: tuple[GroupResult, ...]
    met: int
    total: int
    missing_data: int
    model_standard: bool
    input_digest: str
    reporting_year_vi: str = ""
    reporting_year_en: str = ""

    @property
    def score_text(self) -> str:
        """The score as people write it: "21/22"."""
        return f"{self.met}/{self.total}"

    def criterion(self, code: str) -> CriterionResult:
        """The result of criterion ``code`` (KeyError if the version has no such criterion)."""
        for result in self.criteria:
            if result.code == code:
                return result
        raise KeyError(code)
