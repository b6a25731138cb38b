"""MotionBERT's coordinate conventions as pure functions (numpy, vectorised over frames and joints).

MotionBERT (github.com/Walter0807/MotionBERT) trains and evaluates its H36M models in **normalised image units**
(``lib/data/datareader_h36m.py``):

* 2D input: pixels ``u`` of a ``w x h`` image -> ``u / w * 2 - [1, h / w]`` (x in ``[-1, 1]``, aspect kept; the
  same formula as VideoPose3D's screen normalisation), plus the raw detector confidence in ``[0, 1]`` as a third
  channel (not ``2c - 1`` as this package's other lifters).
* 3D output: the 2.5D pose ``joint3d_image`` (pixel x, y and a root-relative depth in pixel units) normalised the
  same way, z scaled by ``2 / w``; trained root-relative (``rootrel: True``).
* Evaluation (``train.py`` ``evaluate``): zero the predicted root joint, ``denormalize`` back to 2.5D pixels
  (``(xy + [1, h / w]) * w / 2``, ``z * w / 2``), multiply by the per-frame ``2.5d_factor`` of the dataset
  (millimetres per pixel; from the lcn-pose preprocessing MotionBERT's reader is adapted from, about
  ``Z_root / f``), subtract the root and score against ``joints_2.5d_image`` in millimetres.
  :func:`motionbert_to_camera_units` is exactly that sequence, so numbers computed with it are comparable.

Metric output without ground-truth root depth (inference): the factor is ``Z_root / f`` (metres per pixel at the
root's depth, pinhole camera). ``f`` is the focal length in pixels (given, or assumed from the H36M cameras'
field of view, :data:`H36M_FOCAL_PER_WIDTH`), and ``Z_root`` comes from, in order of preference: a given root
depth; metric depth at the joints (:func:`root_depth_from_joint_depth`, closed form); or a reference depth
(:data:`H36M_MEAN_ROOT_DEPTH_M`). Without metric depth the scale is therefore an assumption, as for any monocular
lifter: the output is the H36M-like scale, not a measurement.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .camera import image_coordinates, normalize_screen_coordinates

#: Mean camera-to-pelvis distance (m) of the H36M test cameras, measured on S9/S11 with the real cameras
#: (benchmarks/RESULTS.md data table: 5.14 m; training subjects 5.16 m).
H36M_MEAN_ROOT_DEPTH_M: float = 5.14
#: H36M focal length per image width: the four cameras of ``cameras.pkl`` have f = 1145.0-1149.7 px on
#: 1000-px-wide images (VideoPose3D ``h36m_cameras_intrinsic_params``), i.e. f / w = 1.147.
H36M_FOCAL_PER_WIDTH: float = 1.147


def _arr(x: Any, name: str) -> np.ndarray:
    arr = np.asarray(x.detach().cpu().numpy() if hasattr(x, "detach") else x, dtype=np.float64)
    if not np.isfinite(arr).all():
        raise ValueError(f"`{name}` contains NaN or inf")
    return arr


def _size(image_size: Any) -> tuple[float, float]:
    size = np.asarray(image_size, dtype=np.float64).reshape(-1)
    if size.shape != (2,) or not (size > 0).all():
        raise ValueError(f"`image_size` must be (width, height) with both > 0, got {size.tolist()}")
    return float(size[0]), float(size[1])


def motionbert_normalize_keypoints(keypoints_px: Any, image_size: Any) -> np.ndarray:
    """Pixels ``(..., 2)`` -> MotionBERT's normalised image units ``u / w * 2 - [1, h / w]`` (``read_2d``)."""
    w, h = _size(image_size)
    return normalize_screen_coordinates(_arr(keypoints_px, "keypoints_px"), w, h)


def motionbert_encode_confidence(scores: Any) -> np.ndarray:
    """Detector confidences -> MotionBERT's third input channel: the raw score clipped to ``[0, 1]``."""
    return np.clip(_arr(scores, "scores"), 0.0, 1.0)


def motionbert_denormalize(poses: Any, image_size: Any) -> np.ndarray:
    """MotionBERT's ``DataReaderH36M.denormalize``: normalised ``(..., 3)`` -> 2.5D pixels
    (``xy -> (xy + [1, h / w]) * w / 2``, ``z -> z * w / 2``)."""
    w, h = _size(image_size)
    p = _arr(poses, "poses")
    if p.shape[-1] != 3:
        raise ValueError(f"`poses` must have shape (..., 3), got {p.shape}")
    out = np.empty_like(p)
    out[..., :2] = image_coordinates(p[..., :2], w, h)  # the inverse of VideoPose3D's screen normalisation
    out[..., 2] = p[..., 2] * w / 2
    return out


def motionbert_to_camera_units(poses: Any, image_size: Any, factor: Any, root_index: int = 0) -> np.ndarray:
    """MotionBERT's evaluation-time conversion: normalised ``(frames, J, 3)`` -> root-relative ``factor`` units.

    Exactly ``train.py``'s sequence: zero the root joint (``rootrel``), denormalise to 2.5D pixels, multiply by
    ``factor`` (per frame ``(frames,)`` or a scalar; MotionBERT's ``2.5d_factor`` in mm per pixel gives mm, a
    factor in metres per pixel gives metres), subtract the root.
    """
    p = _arr(poses, "poses").copy()
    if p.ndim != 3 or p.shape[-1] != 3:
        raise ValueError(f"`poses` must have shape (frames, joints, 3), got {p.shape}")
    f = _arr(factor, "factor").reshape(-1)
    if f.size not in (1, p.shape[0]) or not (f > 0).all():
        raise ValueError(f"`factor` must be a positive scalar or one value per frame ({p.shape[0]}), got {f.size}")
    p[:, root_index, :] = 0.0
    p = motionbert_denormalize(p, image_size) * f[:, None, None]
    return p - p[:, root_index : root_index + 1]


def scale_factor(root_depth: Any, focal_length: Any) -> np.ndarray:
    """Metres per pixel at the root: ``Z_root / f`` (pinhole; ``focal_length`` the mean of fx, fy if two)."""
    z = _arr(root_depth, "root_depth").reshape(-1)
    f = float(np.mean(_arr(focal_length, "focal_length")))
    if not (z > 0).all() or f <= 0:
        raise ValueError(f"root depth and focal length must be > 0, got {z.min()} and {f}")
    return z / f


def assumed_focal_length(image_size: Any) -> float:
    """Focal length (px) assumed when none is given: the H36M cameras' ``f / w`` (:data:`H36M_FOCAL_PER_WIDTH`)."""
    return H36M_FOCAL_PER_WIDTH * _size(image_size)[0]


def root_depth_from_joint_depth(poses: Any, image_size: Any, depth: Any, focal_length: Any) -> np.ndarray:
    """Root depth ``(frames,)`` metres from metric depth at the joints, without ground truth.

    With ``z_j`` the predicted root-relative depth of joint ``j`` in 2.5D pixels and ``d_j`` its measured depth,
    ``d_j = Z_root + (Z_root / f) z_j``, so ``Z_root = d_j / (1 + z_j / f)``; the median over joints with a
    positive depth is taken (a joint-wise robust estimate).

    Args:
        poses: ``(frames, J, 3)`` MotionBERT normalised output. image_size: ``(w, h)``.
        depth: ``(frames, J)`` metres (non-positive = missing). focal_length: pixels.
    """
    p = motionbert_denormalize(_arr(poses, "poses"), image_size)
    z = p[..., 2] - p[:, :1, 2]
    d = np.asarray(depth, dtype=np.float64)
    if d.shape != z.shape:
        raise ValueError(f"`depth` must have shape {z.shape}, got {d.shape}")
    f = float(np.mean(_arr(focal_length, "focal_length")))
    valid = np.isfinite(d) & (d > 0) & (1 + z / f > 0)
    if not valid.any(axis=1).all():
        raise ValueError("`depth` has a frame without any positive joint depth; cannot estimate the root depth")
    est = np.where(valid, d / np.where(valid, 1 + z / f, 1.0), np.nan)
    return np.nanmedian(est, axis=1)


__all__ = [
    "H36M_FOCAL_PER_WIDTH",
    "H36M_MEAN_ROOT_DEPTH_M",
    "assumed_focal_length",
    "motionbert_denormalize",
    "motionbert_encode_confidence",
    "motionbert_normalize_keypoints",
    "motionbert_to_camera_units",
    "root_depth_from_joint_depth",
    "scale_factor",
]
