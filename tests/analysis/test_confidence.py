"""Score-error statistics of :mod:`auglift_hf.analysis.confidence`, against hand-computed cases."""

import numpy as np
import pytest

from auglift_hf.analysis.confidence import (
    auroc_bad,
    average_ranks,
    bootstrap_informativeness,
    score_error_statistics,
    spearman_rho,
)


def test_average_ranks_share_ties():
    np.testing.assert_array_equal(average_ranks([3.0, 1.0, 3.0, 2.0]), [3.5, 1.0, 3.5, 2.0])
    np.testing.assert_array_equal(average_ranks([5.0, 5.0, 5.0]), [2.0, 2.0, 2.0])


def test_spearman_hand_computed():
    assert spearman_rho([0.9, 0.8, 0.7, 0.6], [1, 2, 3, 4]) == pytest.approx(-1.0)
    assert spearman_rho([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    # ranks (1, 2, 3, 4) vs (2, 1, 4, 3): d = (1, 1, 1, 1), rho = 1 - 6 * 4 / (4 * 15) = 0.6
    assert spearman_rho([1, 2, 3, 4], [2, 1, 4, 3]) == pytest.approx(0.6)
    # ties: scores (1, 1, 2) -> ranks (1.5, 1.5, 3); errors (1, 2, 3); Pearson of the ranks = sqrt(3) / 2
    assert spearman_rho([1, 1, 2], [1, 2, 3]) == pytest.approx(np.sqrt(3) / 2)
    assert np.isnan(spearman_rho([0.5, 0.5, 0.5], [1, 2, 3]))


def test_auroc_hand_computed():
    # good keypoints score 0.9, 0.8; bad 0.85, 0.1: pairs (0.9>0.85, 0.9>0.1, 0.8<0.85, 0.8>0.1) -> 3/4
    assert auroc_bad([0.9, 0.8, 0.85, 0.1], [False, False, True, True]) == pytest.approx(0.75)
    assert auroc_bad([0.9, 0.8, 0.2, 0.1], [False, False, True, True]) == pytest.approx(1.0)
    assert auroc_bad([0.1, 0.2, 0.8, 0.9], [False, False, True, True]) == pytest.approx(0.0)
    assert auroc_bad([0.5, 0.5], [False, True]) == pytest.approx(0.5)  # a tie counts one half
    assert np.isnan(auroc_bad([0.5, 0.6], [False, False]))
    with pytest.raises(ValueError, match="pair up"):
        auroc_bad([0.5, 0.6], [True])


def test_statistics_of_an_uninformative_and_a_perfect_score():
    rng = np.random.default_rng(0)
    err = rng.exponential(1.0, 20_000)
    noise = score_error_statistics(rng.random(err.size), err, threshold=1.0)
    assert abs(noise["spearman"]) < 0.03 and abs(noise["auroc"] - 0.5) < 0.02
    assert noise["bad_fraction"] == pytest.approx(np.exp(-1.0), abs=0.01) and noise["n"] == err.size
    perfect = score_error_statistics(np.exp(-err), err, threshold=1.0)
    assert perfect["spearman"] == pytest.approx(-1.0) and perfect["auroc"] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="finite"):
        score_error_statistics([0.5, np.nan], [1.0, 2.0])


def test_bootstrap_brackets_the_estimate_and_groups_widen_it():
    rng = np.random.default_rng(1)
    frame_effect = np.repeat(rng.normal(0, 1.0, 8), 12)  # keypoints of one frame share an error offset
    err = np.abs(frame_effect + rng.normal(0, 0.5, frame_effect.size))
    score = -err + rng.normal(0, 0.5, err.size)
    groups = np.repeat(np.arange(8), 12)
    kp = bootstrap_informativeness(score, err, threshold=1.0, n_resamples=400, seed=0)
    fr = bootstrap_informativeness(score, err, threshold=1.0, groups=groups, n_resamples=400, seed=0)
    for out in (kp, fr):
        assert out["spearman_low"] <= out["spearman"] <= out["spearman_high"] < 0
        assert 0.5 < out["auroc_low"] <= out["auroc"] <= out["auroc_high"]
    assert kp["num_groups"] == 96 and fr["num_groups"] == 8
    assert fr["spearman_high"] - fr["spearman_low"] > kp["spearman_high"] - kp["spearman_low"]
    again = bootstrap_informativeness(score, err, threshold=1.0, n_resamples=400, seed=0)
    assert again["auroc_low"] == kp["auroc_low"]  # seeded
    with pytest.raises(ValueError, match="groups"):
        bootstrap_informativeness(score, err, groups=groups[:-1])
