"""3D pose metrics: pure numpy/torch functions (:mod:`.functional`) and the ``pose3d`` evaluate module.

Poses are ``(N, J, 3)`` arrays in **millimetres** (H36M-17 order). Training and the evaluation CLI call the pure
functions; :func:`load_metric` returns the Hugging Face ``evaluate`` wrapper for ecosystem use.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .functional import (
    AUC_THRESHOLDS_MM,
    PCK_THRESHOLD_MM,
    aggregate_by_action,
    auc,
    compute_pose3d_metrics,
    joint_errors,
    mpjpe,
    mpjve,
    n_mpjpe,
    ordinal_depth_accuracy,
    p_mpjpe,
    pck3d,
    procrustes_align,
)

#: Folder of the ``pose3d`` evaluate module (laid out like a Hub metric Space: ``pose3d.py`` + ``README.md``).
POSE3D_METRIC_PATH: Path = Path(__file__).resolve().parent / "pose3d"

__all__ = [
    "AUC_THRESHOLDS_MM",
    "PCK_THRESHOLD_MM",
    "POSE3D_METRIC_PATH",
    "aggregate_by_action",
    "auc",
    "compute_pose3d_metrics",
    "joint_errors",
    "load_metric",
    "mpjpe",
    "mpjve",
    "n_mpjpe",
    "ordinal_depth_accuracy",
    "p_mpjpe",
    "pck3d",
    "procrustes_align",
]


def load_metric(path: str | Path | None = None, **kwargs: Any):
    """Load the ``pose3d`` evaluate module (offline: it is a local folder shipped with the package).

    Args:
        path: folder or Hub id of the module; defaults to :data:`POSE3D_METRIC_PATH`.
        **kwargs: forwarded to ``evaluate.load`` (e.g. ``experiment_id``, ``keep_in_memory``).

    Returns:
        ``evaluate.EvaluationModule`` whose ``compute(predictions=(N, J, 3), references=(N, J, 3), actions=None)``
        returns ``mpjpe``, ``pa_mpjpe``, ``n_mpjpe`` (mm), ``pck3d``, ``auc`` (fractions) and ``num_poses``.
    """
    import evaluate

    return evaluate.load(str(path if path is not None else POSE3D_METRIC_PATH), **kwargs)
