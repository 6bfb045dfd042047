"""Small-number suppression: hand-checked values and a property test that no 1-7 count leaks."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lsc_workforce.config import ConfigError
from lsc_workforce.privacy import SuppressionRule, format_suppressed, suppress_counts

pytestmark = pytest.mark.unit


def test_hes_rule_by_hand():
    frame = pl.DataFrame(
        {"trust_code": list("abcdefghij"), "leavers": [0, 1, 7, 8, 12, 13, 22, 23, 100, None]}
    )
    out = suppress_counts(frame, ["leavers"])
    assert out["leavers"].to_list() == [0, None, None, 10, 10, 15, 20, 25, 100, None]
    assert out["trust_code"].to_list() == frame["trust_code"].to_list()


def test_modelled_counts_round_to_people_first():
    frame = pl.DataFrame({"expected_leavers": [0.4, 0.6, 7.4, 7.6, 12.49, 12.5]})
    out = suppress_counts(frame, ["expected_leavers"])
    # 0.4 -> 0 people (shown), 0.6 -> 1 (suppressed), 7.4 -> 7 (suppressed), 7.6 -> 8 -> 10
    assert out["expected_leavers"].to_list() == [0, None, None, 10, 10, 15]


def test_configurable_rule():
    frame = pl.DataFrame({"n": [2, 3, 5, 6, 11]})
    out = suppress_counts(frame, ["n"], SuppressionRule(low=1, high=2, base=10))
    assert out["n"].to_list() == [None, 0, 10, 10, 10]
    assert SuppressionRule.from_mapping({"high": 2}).high == 2  # [src:dqmi-suppression]
    with pytest.raises(ConfigError):
        SuppressionRule.from_mapping({"hgih": 5})
    with pytest.raises(ConfigError):
        SuppressionRule(low=3, high=2)
    # 11 people would round to 10, inside a 1-10 band: refused rather than published
    with pytest.raises(ConfigError, match="could fall inside"):
        SuppressionRule(high=10, base=5)
    # 1 person would round to 2, inside a 2-3 band
    with pytest.raises(ConfigError, match="inside the suppressed band"):
        SuppressionRule(low=2, high=3, base=2)


def test_rejects_bad_columns():
    frame = pl.DataFrame({"n": [-1, 3], "s": ["a", "b"]})
    with pytest.raises(ConfigError, match="negative"):
        suppress_counts(frame, ["n"])
    with pytest.raises(ConfigError, match="not numeric"):
        suppress_counts(frame, ["s"])
    with pytest.raises(ConfigError, match="not a column"):
        suppress_counts(frame, ["missing"])


def test_format_marks_suppressed():
    out = format_suppressed(suppress_counts(pl.DataFrame({"n": [3, 9]}), ["n"]), ["n"])
    assert out["n"].to_list() == ["*", "10"]


counts = st.one_of(
    st.integers(min_value=0, max_value=5000).map(float),
    st.floats(min_value=0, max_value=5000, allow_nan=False),
)


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.lists(counts, min_size=2, max_size=2), min_size=1, max_size=40),
    low=st.integers(1, 3),
    high=st.integers(3, 10),
    base=st.sampled_from([1, 2, 5, 10]),
)
def test_no_small_count_leaks(values, low, high, base):
    try:
        rule = SuppressionRule(low=low, high=high, base=base)
    except ConfigError:
        assume(False)
    frame = pl.DataFrame(
        {"leavers": [v[0] for v in values], "retirements": [v[1] for v in values]},
        schema={"leavers": pl.Float64, "retirements": pl.Float64},
    )
    out = suppress_counts(frame, ["leavers", "retirements"], rule)
    for column in ("leavers", "retirements"):
        for before, after in zip(frame[column], out[column], strict=True):
            people = int(before + 0.5)
            if low <= people <= high:
                assert after is None
            else:
                # published values are multiples of base, never in the suppressed band,
                # and within half a base of the true count
                assert after % base == 0
                assert not (low <= after <= high)
                assert abs(after - people) <= base / 2
