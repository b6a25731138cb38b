"""Uncertainty of a comparison between two lifters: seed statistics and a paired bootstrap over test sequences.

Pure numpy. A comparison is *paired*: both lifters are scored on the same poses, so the per-pose error difference
``b - a`` carries the comparison and the pose-to-pose difficulty cancels. Poses of one test sequence are strongly
correlated, so the resampling unit is the **sequence** (a group label per pose), not the pose: each bootstrap draw
picks as many sequences as there are, with replacement, and recomputes the pooled mean difference over the drawn
sequences' poses (a sequence drawn twice counts twice). The percentile interval of those draws is the interval;
when it contains 0 the comparison is "no significant difference".

Seeds: with several trained replicates per recipe (seeds), the per-pose errors of a recipe are the mean over its
replicates before the bootstrap (the interval is then about the test set, for the seed-averaged recipe), and the
spread over seeds is reported separately by :func:`seed_statistics`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

#: Default number of bootstrap draws and confidence level.
N_RESAMPLES: int = 10_000
CONFIDENCE: float = 0.95


def paired_bootstrap_interval(
    errors_a: Any,
    errors_b: Any,
    groups: Any,
    *,
    n_resamples: int = N_RESAMPLES,
    confidence: float = CONFIDENCE,
    seed: int = 0,
    chunk_size: int = 2_000,
) -> dict[str, Any]:
    """Paired bootstrap interval of the mean difference ``b - a`` resampling groups (test sequences).

    Args:
        errors_a, errors_b: ``(N,)`` per-pose errors of the two lifters on the **same** poses (e.g. MPJPE in mm;
            ``(K, N)`` = K seed replicates, averaged over K first).
        groups: ``(N,)`` sequence label of every pose (any hashable values); the resampling unit.
        n_resamples: bootstrap draws; confidence: two-sided level of the percentile interval.
        seed: seed of the draws (the same seed gives the same interval).
        chunk_size: draws computed at once (memory ``chunk_size x num_groups``).

    Returns:
        ``{"difference": mean(b - a), "low", "high", "relative": difference / mean(a), "relative_low",
        "relative_high", "significant": bool (interval excludes 0), "num_poses", "num_groups", "n_resamples",
        "confidence", "seed"}``; the relative bounds are the interval of ``mean(b) / mean(a) - 1`` over the same
        draws.
    """
    a, b = _replicate_mean(errors_a, "errors_a"), _replicate_mean(errors_b, "errors_b")
    if a.shape != b.shape:
        raise ValueError(
            f"`errors_a` and `errors_b` must score the same poses; got {a.shape[0]} and {b.shape[0]} poses"
        )
    labels = np.asarray(groups)
    if labels.shape != a.shape:
        raise ValueError(f"`groups` must give one label per pose, shape {a.shape}; got {labels.shape}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"`confidence` must be in (0, 1), got {confidence}")
    if n_resamples < 1:
        raise ValueError(f"`n_resamples` must be >= 1, got {n_resamples}")
    _, inverse = np.unique(labels, return_inverse=True)
    inverse = inverse.reshape(-1)
    num_groups = int(inverse.max()) + 1
    count = np.bincount(inverse, minlength=num_groups).astype(np.float64)
    sum_a = np.bincount(inverse, weights=a, minlength=num_groups)
    sum_b = np.bincount(inverse, weights=b, minlength=num_groups)
    rng = np.random.default_rng(seed)
    diffs, ratios = np.empty(n_resamples), np.empty(n_resamples)
    for start in range(0, n_resamples, chunk_size):
        m = min(chunk_size, n_resamples - start)
        # how often each group is drawn in each resample: (m, groups) multinomial counts, vectorised
        w = rng.multinomial(num_groups, np.full(num_groups, 1.0 / num_groups), size=m).astype(np.float64)
        n, sa, sb = w @ count, w @ sum_a, w @ sum_b
        diffs[start : start + m] = (sb - sa) / n
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios[start : start + m] = sb / sa - 1.0
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(diffs, [alpha, 1.0 - alpha])
    rel_low, rel_high = np.nanquantile(ratios, [alpha, 1.0 - alpha])
    mean_a = float(a.mean())
    difference = float(b.mean() - mean_a)
    return {
        "difference": difference,
        "low": float(low),
        "high": float(high),
        "relative": difference / mean_a if mean_a else float("nan"),
        "relative_low": float(rel_low),
        "relative_high": float(rel_high),
        "significant": bool(low > 0.0 or high < 0.0),
        "num_poses": int(a.shape[0]),
        "num_groups": num_groups,
        "n_resamples": int(n_resamples),
        "confidence": float(confidence),
        "seed": int(seed),
    }


def seed_statistics(values: Sequence[float] | np.ndarray) -> dict[str, Any]:
    """Mean and sample standard deviation (``ddof=1``; ``None`` for one seed) of one metric over seed replicates."""
    v = np.asarray(values, dtype=np.float64).reshape(-1)
    if v.size == 0 or not np.isfinite(v).all():
        raise ValueError(f"`values` must be a non-empty list of finite numbers, got {v.tolist()}")
    return {"mean": float(v.mean()), "std": float(v.std(ddof=1)) if v.size > 1 else None, "seeds": int(v.size)}


def describe_comparison(
    result: dict[str, Any], name_a: str, name_b: str, unit: str = "mm", groups: str = "sequences"
) -> str:
    """One line for a comparison: the difference with its interval, or "no significant difference"."""
    pct = int(round(result["confidence"] * 100))
    span = (
        f"{result['difference']:+.1f} {unit} ({100 * result['relative']:+.1f} %), {pct} % CI "
        f"[{result['low']:+.1f}, {result['high']:+.1f}] {unit} over {result['num_groups']} {groups}"
    )
    if not result["significant"]:
        return f"{name_b} vs {name_a}: no significant difference ({span})"
    verdict = "lower (better)" if result["difference"] < 0 else "higher (worse)"
    return f"{name_b} vs {name_a}: {verdict} error, {span}"


def _replicate_mean(errors: Any, name: str) -> np.ndarray:
    e = np.asarray(errors, dtype=np.float64)
    if e.ndim == 2:
        e = e.mean(0)
    if e.ndim != 1 or e.size == 0:
        raise ValueError(f"`{name}` must be per-pose errors (N,) or seed replicates (K, N); got shape {e.shape}")
    if not np.isfinite(e).all():
        raise ValueError(f"`{name}` contains NaN or inf values")
    return e
