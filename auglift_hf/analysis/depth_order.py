"""Ordinal depth accuracy of the *input* depth channel against the ground-truth joint depths."""

from __future__ import annotations

import numpy as np


def input_depth_ordinal_accuracy(depth: np.ndarray, joints_cam: np.ndarray, tolerance_mm: float = 50.0) -> np.ndarray:
    """Per-pose share of joint pairs whose depth order in ``depth`` ``(N, 17)`` (m) agrees with the GT z (m).

    Pairs closer than ``tolerance_mm`` count as "same depth" in both (AugLift's ordinal analysis).
    """
    from ..metrics.functional import ordinal_depth_accuracy

    d = np.asarray(depth, np.float64)
    j = np.asarray(joints_cam, np.float64)
    if d.shape != j.shape[:-1]:
        raise ValueError(f"`depth` must have shape {j.shape[:-1]}, got {d.shape}")
    pred = np.zeros_like(j)
    pred[..., 2] = d * 1000.0
    target = np.zeros_like(j)
    target[..., 2] = j[..., 2] * 1000.0
    return ordinal_depth_accuracy(pred, target, tolerance=tolerance_mm, reduction="none")


def depth_order_analysis(
    depth: np.ndarray, joints_cam: np.ndarray, errors: dict[str, np.ndarray], num_bins: int = 4
) -> list[dict]:
    """MPJPE per quantile bin of the input depth's ordinal accuracy."""
    from .robustness import stratify

    return stratify(input_depth_ordinal_accuracy(depth, joints_cam), errors, num_bins, "ordinal acc.")
