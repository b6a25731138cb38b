"""How much a 2D detector's keypoint confidence says about its own keypoint error (issue 24).

A lifter fed ``(x, y, c)`` can only use ``c`` as far as ``c`` predicts where the 2D is wrong. Two statistics of
``(score, error)`` pairs measure that; both are rank statistics, so they compare sources whose scores live on
different scales (a real MoveNet score, a simulated OKS-style confidence) and are meaningful with ~100 pairs:

* **Spearman's rho** between score and error: -1 = the score orders keypoints exactly by error (informative),
  0 = no monotone relation.
* **AUROC** of the score for "the keypoint is bad" (``error > threshold``): the probability that a random good
  keypoint scores higher than a random bad one (ties count 1/2; the Mann-Whitney U statistic / (n_good x n_bad));
  0.5 = uninformative, 1 = the score separates them perfectly.

The error is the caller's: :mod:`benchmarks.real_peers.confidence_informativeness` uses the keypoint's distance to
the true landmark in units of ``2 sigma_j s`` (the COCO OKS unit of keypoint ``j`` at object scale ``s``), so that
"bad" (``> 1``) is the same event for every keypoint type: its OKS term ``exp(-d^2 / (2 (2 sigma_j s)^2))`` is below
``exp(-1/2) = 0.61``. Pure numpy.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: Default bootstrap draws and confidence level of :func:`bootstrap_informativeness`.
N_RESAMPLES: int = 2_000
CONFIDENCE: float = 0.95


def _pairs(scores: Any, errors: Any) -> tuple[np.ndarray, np.ndarray]:
    s, e = np.asarray(scores, np.float64).ravel(), np.asarray(errors, np.float64).ravel()
    if s.shape != e.shape:
        raise ValueError(f"`scores` and `errors` must pair up: {s.size} scores, {e.size} errors")
    if not (np.isfinite(s).all() and np.isfinite(e).all()):
        raise ValueError("`scores` and `errors` must be finite (drop missing keypoints first)")
    return s, e


def average_ranks(x: Any) -> np.ndarray:
    """1-based ranks of ``(N,)`` values, ties sharing their mean rank (``scipy.stats.rankdata``'s default)."""
    x = np.asarray(x, np.float64).ravel()
    order = np.argsort(x, kind="stable")
    xs = x[order]
    new = np.ones(x.size, bool)
    new[1:] = xs[1:] != xs[:-1]  # start of each run of ties
    run = np.cumsum(new) - 1
    mean_rank = (np.bincount(run, np.arange(1, x.size + 1)) / np.bincount(run))[run]
    out = np.empty(x.size)
    out[order] = mean_rank
    return out


def spearman_rho(scores: Any, errors: Any) -> float:
    """Spearman's rank correlation of ``(N,)`` scores and errors (average ranks for ties); NaN when one is constant."""
    s, e = _pairs(scores, errors)
    rs, re = average_ranks(s), average_ranks(e)
    rs, re = rs - rs.mean(), re - re.mean()
    den = np.sqrt((rs * rs).sum() * (re * re).sum())
    return float((rs * re).sum() / den) if den > 0 else float("nan")


def auroc_bad(scores: Any, bad: Any) -> float:
    """AUROC of the score for separating good from ``bad`` keypoints: ``P(score_good > score_bad)`` (ties 1/2).

    Args:
        scores: ``(N,)`` confidences; bad: ``(N,)`` bool, e.g. ``error > threshold``.

    Returns:
        In ``[0, 1]`` (0.5: uninformative); NaN when every keypoint is good or every one is bad.
    """
    s = np.asarray(scores, np.float64).ravel()
    b = np.asarray(bad, bool).ravel()
    if s.shape != b.shape:
        raise ValueError(f"`scores` and `bad` must pair up: {s.size} scores, {b.size} labels")
    n_bad, n_good = int(b.sum()), int((~b).sum())
    if n_bad == 0 or n_good == 0:
        return float("nan")
    r = average_ranks(s)
    u_good = r[~b].sum() - n_good * (n_good + 1) / 2.0  # Mann-Whitney U of the good keypoints' scores
    return float(u_good / (n_good * n_bad))


def score_error_statistics(scores: Any, errors: Any, threshold: float = 1.0) -> dict[str, float]:
    """``{"spearman", "auroc", "bad_fraction", "n"}`` of ``(N,)`` scores and errors (``bad = errors > threshold``)."""
    s, e = _pairs(scores, errors)
    return {
        "spearman": spearman_rho(s, e),
        "auroc": auroc_bad(s, e > threshold),
        "bad_fraction": float((e > threshold).mean()) if e.size else float("nan"),
        "n": int(e.size),
    }


def bootstrap_informativeness(
    scores: Any,
    errors: Any,
    threshold: float = 1.0,
    *,
    groups: Any = None,
    n_resamples: int = N_RESAMPLES,
    confidence: float = CONFIDENCE,
    seed: int = 0,
) -> dict[str, Any]:
    """:func:`score_error_statistics` with percentile bootstrap intervals.

    Resamples keypoints (``groups=None``) or whole groups (e.g. frames: keypoints of one image share its blur,
    crop and pose, so they are not independent; a group drawn twice counts twice). Draws where a statistic is
    undefined (no bad or no good keypoint drawn) are left out of that statistic's interval; their count is returned.

    Returns:
        ``{"spearman", "auroc", "bad_fraction", "n"`` (point estimates), ``"spearman_low", "spearman_high",
        "auroc_low", "auroc_high", "undefined_draws", "num_groups", "n_resamples", "confidence", "seed"}``.
    """
    s, e = _pairs(scores, errors)
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"`confidence` must be in (0, 1), got {confidence}")
    if n_resamples < 1:
        raise ValueError(f"`n_resamples` must be >= 1, got {n_resamples}")
    labels = np.arange(s.size) if groups is None else np.asarray(groups).ravel()
    if labels.shape != s.shape:
        raise ValueError(f"`groups` must give one label per keypoint ({s.size}), got {labels.size}")
    uniq, inverse = np.unique(labels, return_inverse=True)
    members = [np.flatnonzero(inverse == g) for g in range(len(uniq))]
    rng = np.random.default_rng(seed)
    rho, auc = np.full(n_resamples, np.nan), np.full(n_resamples, np.nan)
    for i in range(n_resamples):
        idx = np.concatenate([members[g] for g in rng.integers(0, len(uniq), len(uniq))])
        rho[i] = spearman_rho(s[idx], e[idx])
        auc[i] = auroc_bad(s[idx], e[idx] > threshold)
    alpha = (1.0 - confidence) / 2.0
    out: dict[str, Any] = score_error_statistics(s, e, threshold)
    for name, draws in (("spearman", rho), ("auroc", auc)):
        ok = draws[np.isfinite(draws)]
        lo, hi = np.quantile(ok, [alpha, 1.0 - alpha]) if ok.size else (np.nan, np.nan)
        out[f"{name}_low"], out[f"{name}_high"] = float(lo), float(hi)
    out.update(
        undefined_draws=int((~np.isfinite(auc) | ~np.isfinite(rho)).sum()), num_groups=len(uniq),
        n_resamples=n_resamples, confidence=confidence, seed=seed,
    )  # fmt: skip
    return out
