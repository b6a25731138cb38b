"""Pose novelty: how far each test pose is from the training distribution (k-means prototypes).

Poses are root-relative (pelvis at 0) and compared by mean per-joint distance (mm). ``k`` prototypes are
fitted on the training poses with seeded k-means (k-means++ initialisation, Lloyd iterations, numpy only);
a test pose's novelty is its distance to the nearest prototype.
"""

from __future__ import annotations

import numpy as np


def _flat(poses: np.ndarray) -> np.ndarray:
    p = np.asarray(poses, np.float64)
    if p.ndim != 3 or p.shape[-1] != 3:
        raise ValueError(f"`poses` must have shape (N, J, 3), got {p.shape}")
    return (p - p[:, :1]).reshape(len(p), -1)


def _mean_joint_distance(x: np.ndarray, protos: np.ndarray, chunk: int = 4096) -> np.ndarray:
    """``(N, K)`` mean per-joint Euclidean distances between flattened poses and prototypes."""
    j = x.shape[1] // 3
    out = np.empty((len(x), len(protos)))
    for s in range(0, len(x), chunk):
        d = x[s : s + chunk, None, :].reshape(-1, 1, j, 3) - protos.reshape(1, -1, j, 3)
        out[s : s + chunk] = np.linalg.norm(d, axis=-1).mean(-1)
    return out


def fit_prototypes(train_poses: np.ndarray, k: int = 50, iterations: int = 20, seed: int = 0) -> np.ndarray:
    """k-means prototypes ``(k, J, 3)`` of root-relative training poses ``(N, J, 3)`` (same unit)."""
    x = _flat(train_poses)
    k = min(k, len(x))
    if k < 1:
        raise ValueError("fit_prototypes: `train_poses` is empty")
    rng = np.random.default_rng(seed)
    centres = [x[rng.integers(len(x))]]
    d2 = ((x - centres[0]) ** 2).sum(-1)
    for _ in range(1, k):  # k-means++
        p = d2 / d2.sum() if d2.sum() > 0 else None
        centres.append(x[rng.choice(len(x), p=p)])
        d2 = np.minimum(d2, ((x - centres[-1]) ** 2).sum(-1))
    c = np.stack(centres)
    for _ in range(iterations):
        assign = (((x[:, None] - c[None]) ** 2).sum(-1)).argmin(1) if len(x) * k < 5e6 else _assign_chunked(x, c)
        counts = np.bincount(assign, minlength=k)
        sums = np.zeros_like(c)
        np.add.at(sums, assign, x)
        nonempty = counts > 0
        c[nonempty] = sums[nonempty] / counts[nonempty, None]
    return c.reshape(k, -1, 3)


def _assign_chunked(x: np.ndarray, c: np.ndarray, chunk: int = 8192) -> np.ndarray:
    return np.concatenate(
        [(((x[s : s + chunk, None] - c[None]) ** 2).sum(-1)).argmin(1) for s in range(0, len(x), chunk)]
    )


def pose_novelty(test_poses: np.ndarray, prototypes: np.ndarray) -> np.ndarray:
    """Distance ``(N,)`` of each test pose to its nearest prototype (mean per-joint distance, input unit)."""
    return _mean_joint_distance(_flat(test_poses), _flat(prototypes)).min(1)


def novelty_analysis(
    train_poses: np.ndarray, test_poses: np.ndarray, errors: dict[str, np.ndarray], k: int = 50, num_bins: int = 4,
    seed: int = 0,
) -> list[dict]:  # fmt: skip
    """MPJPE per novelty tier (quantile bins of the distance to the training prototypes)."""
    from .robustness import stratify

    return stratify(pose_novelty(test_poses, fit_prototypes(train_poses, k, seed=seed)), errors, num_bins, "novelty")
