"""Paired bootstrap over test sequences and seed statistics (auglift_hf.metrics.bootstrap)."""

from __future__ import annotations

import numpy as np
import pytest

from auglift_hf.metrics.bootstrap import describe_comparison, paired_bootstrap_interval, seed_statistics


def _errors(seed=0, sequences=20, per_seq=50):
    rng = np.random.default_rng(seed)
    difficulty = np.repeat(rng.uniform(30, 90, sequences), per_seq)  # sequences differ a lot
    a = difficulty + rng.normal(0, 5, difficulty.size)
    groups = np.repeat(np.arange(sequences), per_seq)
    return a, groups


def test_identical_lifters_are_no_significant_difference():
    a, groups = _errors()
    res = paired_bootstrap_interval(a, a.copy(), groups, n_resamples=500)
    assert res["difference"] == 0.0 and res["low"] <= 0.0 <= res["high"] and not res["significant"]
    assert "no significant difference" in describe_comparison(res, "xy", "xycd")


def test_a_constant_improvement_is_significant_and_exact():
    a, groups = _errors()
    res = paired_bootstrap_interval(a, a - 3.0, groups, n_resamples=500)
    assert res["difference"] == pytest.approx(-3.0) and res["low"] == pytest.approx(-3.0)
    assert res["high"] == pytest.approx(-3.0) and res["significant"]
    assert res["relative"] == pytest.approx(-3.0 / a.mean())
    assert describe_comparison(res, "xy", "xycd").startswith("xycd vs xy: lower (better) error, -3.0 mm")


def test_resampling_sequences_not_poses_widens_the_interval_for_correlated_errors():
    a, groups = _errors(sequences=12)
    rng = np.random.default_rng(1)
    effect = np.repeat(rng.normal(-1.0, 4.0, 12), 50)  # the gain depends on the sequence
    b = a + effect + rng.normal(0, 1, a.size)
    by_seq = paired_bootstrap_interval(a, b, groups, n_resamples=2000, seed=3)
    by_pose = paired_bootstrap_interval(a, b, np.arange(a.size), n_resamples=2000, seed=3)
    assert (by_seq["high"] - by_seq["low"]) > 3 * (by_pose["high"] - by_pose["low"])
    assert by_seq["num_groups"] == 12 and by_pose["num_groups"] == a.size
    # seeded: the same seed gives the same interval, another seed a slightly different one
    again = paired_bootstrap_interval(a, b, groups, n_resamples=2000, seed=3)
    assert (again["low"], again["high"]) == (by_seq["low"], by_seq["high"])


def test_seed_replicates_are_averaged_per_pose():
    a, groups = _errors()
    reps_b = np.stack([a - 2.0, a - 4.0, a - 3.0])
    res = paired_bootstrap_interval(np.stack([a, a]), reps_b, groups, n_resamples=200)
    assert res["difference"] == pytest.approx(-3.0)
    stats = seed_statistics([10.0, 12.0, 14.0])
    assert stats == {"mean": 12.0, "std": 2.0, "seeds": 3}
    assert seed_statistics([5.0]) == {"mean": 5.0, "std": None, "seeds": 1}


@pytest.mark.parametrize(
    ("a", "b", "groups", "match"),
    [
        (np.ones(4), np.ones(5), np.arange(4), "same poses"),
        (np.ones(4), np.ones(4), np.arange(3), "one label per pose"),
        (np.array([1.0, np.nan]), np.ones(2), np.arange(2), "NaN"),
        (np.ones((2, 2, 2)), np.ones((2, 2, 2)), np.arange(2), r"\(N,\)"),
    ],
)
def test_bad_inputs_are_refused(a, b, groups, match):
    with pytest.raises(ValueError, match=match):
        paired_bootstrap_interval(a, b, groups, n_resamples=10)
