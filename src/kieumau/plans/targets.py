"""Target arithmetic, pure: how many units a share needs, re-basing, contradictions.

No Django here: plain numbers and dates in, frozen dataclasses out, so that the rules can be
property-tested. Rounding is always *up* (a target of 30% of 35 wards needs 11, since 10 would
be only 28.6%), computed with exact fractions, never floats.
"""

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

RULE_AS_STATED = "as_stated"
RULE_SHARE = "share_of_structure"
RULE_REBASED = "proportional_rebase"
RULE_CAPPED = "capped"

RULE_VI = {
    RULE_AS_STATED: "giữ nguyên số đơn vị như văn bản (cơ cấu đơn vị không đổi)",
    RULE_SHARE: "tỷ lệ tính trên số đơn vị có hiệu lực tại ngày mục tiêu, làm tròn lên",
    RULE_REBASED: (
        "cơ cấu đơn vị đã thay đổi: giữ tỷ lệ của văn bản (số đơn vị / mẫu số ghi trong văn bản) "
        "và áp dụng cho số đơn vị có hiệu lực tại ngày mục tiêu, làm tròn lên"
    ),
    RULE_CAPPED: "số đơn vị trong văn bản vượt quá số đơn vị hiện có: lấy bằng số đơn vị hiện có",
}


def required_for_share(share_percent: Decimal | int | str, total: int) -> int:
    """The fewest units out of `total` that reach `share_percent` percent (rounded up).

    Protects the targets from silent rounding down: 30% of 35 is 10.5 → 11, and 11/35 = 31.4%
    ≥ 30% while 10/35 = 28.6% < 30%. Exact: the share is read as a decimal, not a float.
    """
    if total < 0:
        raise ValueError("total must not be negative")
    share = Fraction(Decimal(str(share_percent)))
    if share < 0 or share > 100:
        raise ValueError("share must be between 0 and 100")
    return math.ceil(share * total / 100)


def share_of(count: int, total: int) -> Fraction | None:
    """count/total as an exact fraction (None when there is no unit to count)."""
    return Fraction(count, total) if total else None


def percent(count: int, total: int) -> float | None:
    """count/total in percent for display (rounded to one decimal)."""
    return round(count * 100 / total, 1) if total else None


@dataclass(frozen=True)
class Required:
    """How many units a target needs on its date, and which rule produced the number."""

    count: int
    total: int
    rule: str

    @property
    def explanation(self) -> str:
        return RULE_VI[self.rule]


def required_units(
    *, kind: str, value: Decimal | int | str, total: int, base_count: int | None = None
) -> Required:
    """The number of units a target needs when `total` units are in force on its date.

    Protects the comparison of plan and reality after a reorganisation: a share is applied to
    the structure on the target date (`share_of_structure`); a count stated against a
    denominator that no longer holds keeps its proportion (`proportional_rebase`: 11/35 on a
    structure of 30 units needs ceil(11·30/35) = 10); a count without a denominator is taken as
    stated, capped at `total`.
    """
    if kind == "share":
        return Required(required_for_share(value, total), total, RULE_SHARE)
    count = int(Decimal(str(value)))
    if count < 0:
        raise ValueError("count must not be negative")
    if base_count and base_count != total:
        return Required(math.ceil(Fraction(count, base_count) * total), total, RULE_REBASED)
    if count > total:
        return Required(total, total, RULE_CAPPED)
    return Required(count, total, RULE_AS_STATED)


@dataclass(frozen=True)
class TargetInput:
    """One target as the consistency check reads it."""

    kind: str
    value: Decimal
    due_date: dt.date
    base_count: int | None = None
    label: str = ""


@dataclass(frozen=True)
class Warning:
    """A contradiction found in a plan's targets, with its Vietnamese explanation."""

    code: str
    message: str


def check_plan(
    *,
    start_year: int,
    end_year: int,
    targets: list[TargetInput],
    designations_by_year: dict[int, int],
    total_by_date: dict[dt.date, int],
) -> list[Warning]:
    """Contradictions between a plan's period, its targets and its yearly designations.

    Protects a province from a roadmap that cannot add up: a target dated outside the plan's
    period, designations outside the period, a later target asking for fewer units than an
    earlier one, and yearly designations that by a target's date add up to fewer units than
    the target needs (on the structure in force that day, `total_by_date`).
    """
    out: list[Warning] = []
    if end_year < start_year:
        out.append(
            Warning(
                "period",
                f"năm kết thúc {end_year} trước năm bắt đầu {start_year} của kế hoạch",
            )
        )
    for year in sorted(designations_by_year):
        if not start_year <= year <= end_year:
            out.append(
                Warning(
                    "designation_outside_period",
                    f"có {designations_by_year[year]} đơn vị được chọn xây dựng năm {year}, "
                    f"ngoài thời kỳ {start_year}–{end_year} của kế hoạch",
                )
            )
    previous: tuple[dt.date, int] | None = None
    for target in sorted(targets, key=lambda t: t.due_date):
        where = target.label or f"mục tiêu đến {target.due_date:%d/%m/%Y}"
        if not start_year <= target.due_date.year <= end_year:
            out.append(
                Warning(
                    "target_outside_period",
                    f"{where}: ngày {target.due_date:%d/%m/%Y} nằm ngoài thời kỳ "
                    f"{start_year}–{end_year} của kế hoạch",
                )
            )
        total = total_by_date.get(target.due_date)
        if total is None:
            continue
        need = required_units(
            kind=target.kind, value=target.value, total=total, base_count=target.base_count
        ).count
        if previous is not None and need < previous[1]:
            out.append(
                Warning(
                    "decreasing",
                    f"{where}: cần {need} đơn vị, ít hơn {previous[1]} đơn vị của mục tiêu "
                    f"đến {previous[0]:%d/%m/%Y}",
                )
            )
        previous = (target.due_date, need)
        if designations_by_year:
            designated = sum(
                n for y, n in designations_by_year.items() if y <= target.due_date.year
            )
            if designated < need:
                out.append(
                    Warning(
                        "designations_short",
                        f"{where}: cần {need}/{total} đơn vị nhưng lộ trình chỉ chọn {designated} "
                        f"đơn vị đến hết năm {target.due_date.year}; lộ trình không thể đạt mục tiêu",
                    )
                )
    return out
