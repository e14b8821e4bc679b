"""Cross-field checks of a report form: parts that exceed their total, percentages that disagree.

Pure functions over a {indicator code: value} mapping so the browser preview, the server save
and the Excel import apply the same checks with the same words. A check whose inputs are not all
present is skipped (the missing value has its own message). "Not greater" checks are errors;
a stated percentage that disagrees with its parts is a warning: the seeds themselves contain such
slips, and the figures stay as reported until someone corrects them.
"""

from dataclasses import dataclass

from kieumau.core.errors import Problem

DEFAULT_TOLERANCE = 0.5
"""Percentage points a stated percentage may differ from the one recomputed from its parts."""


@dataclass(frozen=True)
class CheckOutcome:
    errors: list[Problem]
    warnings: list[Problem]


def _num(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _fmt(number: float) -> str:
    text = f"{number:,.1f}" if number != int(number) else f"{int(number):,}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def check_spec_problems(check: dict, known: set[str]) -> list[str]:
    """Why a check definition is unusable (unknown kind or indicator), for the form loader."""
    kind = check.get("kind")
    if kind == "not_greater":
        codes = [*check.get("parts", []), check.get("total")]
    elif kind == "percentage":
        codes = [check.get("numerator"), check.get("denominator"), check.get("stated")]
    else:
        return [f"loại kiểm tra '{kind}' không được hỗ trợ (not_greater, percentage)"]
    return [
        f"kiểm tra dùng chỉ tiêu '{c}' không có trong biểu mẫu" for c in codes if c not in known
    ]


def run_checks(
    checks: list[dict], values: dict[str, object], labels: dict[str, str]
) -> CheckOutcome:
    """Apply every check to `values`; each problem names the indicators it concerns.

    Protects the data from reports that contradict themselves (on-time + late > total) while
    never blocking a report for a rounding difference in a stated percentage.
    """
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for check in checks:
        kind = check.get("kind")
        if kind == "not_greater":
            parts = [_num(values.get(code)) for code in check["parts"]]
            total = _num(values.get(check["total"]))
            if total is None or any(p is None for p in parts):
                continue
            if sum(parts) > total:
                names = " + ".join(labels.get(c, c) for c in check["parts"])
                errors.append(
                    Problem(
                        f"{names} ({_fmt(sum(parts))}) lớn hơn {labels.get(check['total'], check['total'])} "
                        f"({_fmt(total)})",
                        "parts exceed their total",
                        field=check["parts"][0],
                    )
                )
        elif kind == "percentage":
            numerator = _num(values.get(check["numerator"]))
            denominator = _num(values.get(check["denominator"]))
            stated = _num(values.get(check["stated"]))
            if numerator is None or denominator is None or stated is None or denominator == 0:
                continue
            computed = 100 * numerator / denominator
            tolerance = float(check.get("tolerance", DEFAULT_TOLERANCE))
            if abs(computed - stated) > tolerance:
                warnings.append(
                    Problem(
                        f"{labels.get(check['stated'], check['stated'])} ghi {_fmt(stated)}% nhưng "
                        f"tính từ số liệu là {_fmt(round(computed, 1))}% "
                        f"({_fmt(numerator)}/{_fmt(denominator)})",
                        "stated percentage disagrees with its parts",
                        field=check["stated"],
                    )
                )
    return CheckOutcome(errors, warnings)
