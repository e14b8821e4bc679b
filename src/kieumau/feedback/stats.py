"""Pure arithmetic of the satisfaction survey: the index, the rate and its Wilson interval.

No Django here: numbers in, numbers out, property-tested in tests/feedback/test_stats.py.
A response is *satisfied* when the mean of its 1–5 answers is at least `SATISFIED_FROM`; the
satisfaction rate is the share of satisfied responses; the index maps the mean of all answers
from the 1–5 scale onto 0–100.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

SCALE_MIN = 1
SCALE_MAX = 5
SATISFIED_FROM = 4.0
Z_95 = 1.959963984540054


def response_mean(scores: Sequence[int]) -> float | None:
    """The mean of one response's answers on the 1–5 scale; None without answers."""
    if not scores:
        return None
    for score in scores:
        if not SCALE_MIN <= score <= SCALE_MAX:
            raise ValueError(f"score {score} outside {SCALE_MIN}..{SCALE_MAX}")
    return sum(scores) / len(scores)


def is_satisfied(scores: Sequence[int]) -> bool:
    """Whether one response counts as satisfied (its mean is at least SATISFIED_FROM)."""
    mean = response_mean(scores)
    return mean is not None and mean >= SATISFIED_FROM


def index_of(means: Sequence[float]) -> float | None:
    """The satisfaction index 0–100 of responses with these means; None without responses."""
    if not means:
        return None
    mean = sum(means) / len(means)
    return 100 * (mean - SCALE_MIN) / (SCALE_MAX - SCALE_MIN)


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float] | None:
    """The Wilson score interval of a proportion (successes out of n), as shares 0–1.

    Sound for small samples and for rates near 0 or 1, where the textbook ±z·√(p(1-p)/n)
    interval collapses or leaves [0, 1]. None when n is 0 (no sample, no interval).
    """
    if n < 0 or successes < 0 or successes > n:
        raise ValueError("need 0 <= successes <= n")
    if n == 0:
        return None
    p = successes / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    low, high = max(0.0, centre - half), min(1.0, centre + half)
    # Rounding must not push the bounds past the observed rate at the extremes.
    return min(low, p), max(high, p)


@dataclass(frozen=True)
class SurveySummary:
    """What a period's responses of one unit say, and whether there are enough of them."""

    responses: int
    satisfied: int
    index: float | None
    rate_low: float | None
    rate_high: float | None
    min_sample: int

    @property
    def rate(self) -> float | None:
        """The satisfaction rate in percent; None without responses."""
        return 100 * self.satisfied / self.responses if self.responses else None

    @property
    def enough(self) -> bool:
        """Whether the sample reaches the minimum size needed to publish the rate."""
        return self.responses >= max(1, self.min_sample)


def summarise(means: Sequence[float], min_sample: int) -> SurveySummary:
    """Summarise the per-response means of one unit and period (rate, index, 95% interval)."""
    satisfied = sum(1 for m in means if m >= SATISFIED_FROM)
    interval = wilson_interval(satisfied, len(means))
    return SurveySummary(
        responses=len(means),
        satisfied=satisfied,
        index=index_of(means),
        rate_low=100 * interval[0] if interval else None,
        rate_high=100 * interval[1] if interval else None,
        min_sample=min_sample,
    )
