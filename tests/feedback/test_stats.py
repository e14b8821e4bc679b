"""The survey arithmetic: index, satisfaction rate and its Wilson interval, small samples too."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kieumau.feedback.stats import (
    index_of,
    is_satisfied,
    response_mean,
    summarise,
    wilson_interval,
)

counts = st.integers(min_value=1, max_value=100_000).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
)
scores = st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=12)


@given(counts)
def test_the_interval_lies_in_0_1_and_contains_the_observed_rate(kn):
    k, n = kn
    low, high = wilson_interval(k, n)
    assert 0.0 <= low <= k / n <= high <= 1.0


@given(counts)
def test_the_interval_is_symmetric_between_successes_and_failures(kn):
    k, n = kn
    low, high = wilson_interval(k, n)
    low2, high2 = wilson_interval(n - k, n)
    assert math.isclose(low, 1 - high2, abs_tol=1e-9)
    assert math.isclose(high, 1 - low2, abs_tol=1e-9)


@given(st.integers(min_value=1, max_value=2000), st.floats(min_value=0, max_value=1))
def test_more_responses_at_the_same_rate_narrow_the_interval(n, share):
    k = round(share * n)
    low, high = wilson_interval(k, n)
    low4, high4 = wilson_interval(4 * k, 4 * n)
    assert high4 - low4 < high - low


def test_small_samples_give_wide_intervals_even_at_100_percent():
    low, high = wilson_interval(1, 1)
    assert high == 1.0 and low < 0.25
    low, high = wilson_interval(5, 5)
    assert 0.5 < low < 0.6 and high == 1.0
    low, high = wilson_interval(0, 3)
    assert low == 0.0 and 0.5 < high < 0.6


def test_a_known_value():
    # 90 of 100: the Wilson 95% interval is about 82.6%–94.5%.
    low, high = wilson_interval(90, 100)
    assert low == pytest.approx(0.8256, abs=1e-3)
    assert high == pytest.approx(0.9448, abs=1e-3)


def test_no_sample_no_interval_and_bad_counts_are_refused():
    assert wilson_interval(0, 0) is None
    with pytest.raises(ValueError):
        wilson_interval(3, 2)
    with pytest.raises(ValueError):
        wilson_interval(-1, 2)


@given(scores)
def test_a_response_mean_is_on_the_scale_and_satisfied_from_4(values):
    mean = response_mean(values)
    assert 1 <= mean <= 5
    assert is_satisfied(values) == (mean >= 4)


def test_answers_outside_the_scale_are_refused():
    with pytest.raises(ValueError):
        response_mean([0, 5])
    with pytest.raises(ValueError):
        response_mean([6])
    assert response_mean([]) is None and not is_satisfied([])


@given(st.lists(st.floats(min_value=1, max_value=5), min_size=1, max_size=200))
def test_the_index_maps_the_scale_onto_0_100(means):
    index = index_of(means)
    assert -1e-9 <= index <= 100 + 1e-9
    assert index_of([1.0] * len(means)) == 0
    assert index_of([5.0] * len(means)) == 100


@given(st.lists(st.floats(min_value=1, max_value=5), max_size=200), st.integers(1, 300))
def test_the_summary_is_consistent(means, min_sample):
    s = summarise(means, min_sample)
    assert s.responses == len(means)
    assert s.enough == (len(means) >= min_sample)
    if means:
        assert s.rate_low <= s.rate <= s.rate_high
        assert s.satisfied == sum(1 for m in means if m >= 4)
    else:
        assert s.rate is None and s.index is None and s.rate_low is None


def test_below_the_minimum_sample_the_summary_says_so():
    s = summarise([5.0, 4.0, 2.0], min_sample=30)
    assert not s.enough
    assert s.rate == pytest.approx(200 / 3)
