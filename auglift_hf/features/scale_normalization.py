"""AugLift v4's 2D scale normalisations (arXiv 2508.07112 v4): box rescaling and depth-based rescaling ("dscale2d").

Both act on **pixel** keypoints ``(..., K, 2)`` (H36M-17 after any COCO mapping, so K = 17 inside the package)
*before* the processor's screen normalisation, and both change only the 2D input, never the 3D target (the lifter
still predicts root-relative metres, so :meth:`~auglift_hf.PoseLiftingProcessor.post_process` is unchanged).
Every function takes numpy arrays or torch tensors and returns the same kind (torch stays differentiable).

* **Box rescaling** (detection setting, the paper's Algorithm 1 step 4): centroid ``c = mean_j x_j`` of the K
  keypoints, box size ``b = ((max x - min x) + (max y - min y)) / 2``, ``s = b_mean / b`` with ``b_mean`` the mean
  box size of the training set (pixels), ``x_j <- s (x_j - c) + c``. Invariant to any zoom of the 2D pose about
  its centroid: ``x -> c + z (x - c)`` multiplies ``b`` by ``z`` and ``s`` by ``1 / z``.
* **Depth rescaling** (ground-truth-2D setting): ``(x', y') = (x, y) * d_root / d_ref``. The paper does not say in
  which 2D frame; here ``(x, y)`` are pixels **relative to the principal point** (the processor uses the image
  centre, the same centre its screen normalisation uses), so for a camera with a centred principal point the
  result is exactly what that camera would see with the body ``d_ref - d_root`` metres further along the optical
  axis, when the body is planar at depth ``d_root`` (weak perspective; for real bodies the error is second order in
  ``depth extent / d_root``). Scaling about the image centre keeps the perspective cue of where the body is in the
  image (a person off-centre stays off-centre by the amount the moved camera would see). ``d_root`` comes from the
  depth input (the metric depth sampled at the pelvis keypoint: what the lifter's depth channel already measures);
  ``d_ref`` = 4.5 m by default, the best value of the paper's sweep over 3.5-6.0 m. H36M subjects stand at
  ~5.15 m, 3DPW's at ~3.6 m (the paper's motivation).
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: Names accepted by ``PoseLiftingProcessor(scale_normalization=...)``.
SCALE_NORMALIZATIONS: tuple[str | None, ...] = (None, "box", "depth")
#: AugLift v4's reference depth (metres): best of its sweep over 3.5-6.0 m (GT-2D setting, with PoseAug).
DEFAULT_REFERENCE_DEPTH = 4.5


def _is_torch(x: Any) -> bool:
    return hasattr(x, "detach") and hasattr(x, "dim")


def _check_xy(keypoints_2d: Any, name: str = "keypoints_2d") -> None:
    if keypoints_2d.ndim < 2 or keypoints_2d.shape[-1] != 2 or keypoints_2d.shape[-2] < 2:
        raise ValueError(f"`{name}` must have shape (..., K, 2) pixels with K >= 2, got {tuple(keypoints_2d.shape)}")


def box_size(keypoints_2d: Any) -> Any:
    """AugLift's box size ``b = ((max x - min x) + (max y - min y)) / 2``: ``(..., K, 2)`` pixels -> ``(...)``."""
    _check_xy(keypoints_2d)
    if _is_torch(keypoints_2d):
        span = keypoints_2d.amax(dim=-2) - keypoints_2d.amin(dim=-2)
    else:
        kp = np.asarray(keypoints_2d)
        span = kp.max(axis=-2) - kp.min(axis=-2)
    return 0.5 * (span[..., 0] + span[..., 1])


def fit_box_size_mean(keypoints_2d: Any, valid: Any = None) -> float:
    """Mean box size (pixels) over a training set's frames ``(N, K, 2)`` (optionally only rows with ``valid``)."""
    kp = keypoints_2d.detach().cpu().numpy() if _is_torch(keypoints_2d) else np.asarray(keypoints_2d, np.float64)
    _check_xy(kp)
    b = box_size(kp.reshape(-1, *kp.shape[-2:]))
    if valid is not None:
        b = b[np.asarray(valid, bool).reshape(-1)]
    b = b[np.isfinite(b)]
    if b.size == 0 or not (b > 0).any():
        raise ValueError("cannot fit `box_size_mean`: no frame with a positive, finite box size")
    return float(b[b > 0].mean())


def box_rescale(keypoints_2d: Any, box_size_mean: float, eps: float = 1e-6) -> Any:
    """Rescale each pose about its keypoint centroid so its box size becomes ``box_size_mean`` pixels.

    Args:
        keypoints_2d: ``(..., K, 2)`` pixels.
        box_size_mean: target box size ``b_mean`` (pixels, the training set's mean; > 0).
        eps: poses with a box smaller than this (pixels) are refused: their scale is undefined.

    Returns:
        ``(..., K, 2)`` pixels, ``s (x - c) + c`` with ``s = b_mean / b``.
    """
    if not (np.isfinite(box_size_mean) and box_size_mean > 0):
        raise ValueError(f"`box_size_mean` must be a positive number of pixels, got {box_size_mean}")
    b = box_size(keypoints_2d)
    small = (b < eps) if _is_torch(b) else (np.asarray(b) < eps)
    if bool(small.any()):
        raise ValueError(f"box rescaling: a pose has a box size below {eps} px (all keypoints at one point)")
    centroid = keypoints_2d.mean(-2, keepdims=True) if not _is_torch(keypoints_2d) else keypoints_2d.mean(-2, True)
    s = (box_size_mean / b)[..., None, None]
    return s * (keypoints_2d - centroid) + centroid


def depth_rescale(keypoints_2d: Any, root_depth: Any, reference_depth: float, center: Any) -> Any:
    """dscale2d: ``x' = c + (x - c) * d_root / d_ref`` (pixels about the principal point ``c``).

    Args:
        keypoints_2d: ``(..., K, 2)`` pixels.
        root_depth: ``(...)`` metric depth of the root (metres, > 0), one per pose.
        reference_depth: ``d_ref`` metres (> 0), e.g. :data:`DEFAULT_REFERENCE_DEPTH`.
        center: ``(2,)`` or ``(..., 2)`` principal point (pixels); the processor passes the image centre.

    Returns:
        ``(..., K, 2)`` pixels: what a camera with the root at ``d_ref`` would see (for a planar body).
    """
    _check_xy(keypoints_2d)
    if not (np.isfinite(reference_depth) and reference_depth > 0):
        raise ValueError(f"`reference_depth` must be a positive number of metres, got {reference_depth}")
    if _is_torch(keypoints_2d):
        import torch

        d = torch.as_tensor(root_depth, dtype=keypoints_2d.dtype, device=keypoints_2d.device)
        c = torch.as_tensor(center, dtype=keypoints_2d.dtype, device=keypoints_2d.device)
        bad = bool((~torch.isfinite(d) | (d <= 0)).any())
    else:
        d = np.asarray(root_depth, np.float64)
        c = np.asarray(center, np.float64)
        bad = bool((~np.isfinite(d) | (d <= 0)).any())
    if bad:
        raise ValueError("depth rescaling: `root_depth` must be finite and > 0 metres for every pose")
    if tuple(d.shape) != tuple(keypoints_2d.shape[:-2]):
        raise ValueError(
            f"`root_depth` must have shape {tuple(keypoints_2d.shape[:-2])} (one per pose), got {tuple(d.shape)}"
        )
    c = c[..., None, :]
    return c + (keypoints_2d - c) * (d / reference_depth)[..., None, None]


def apply_scale_normalization(
    keypoints_2d: Any,
    mode: str | None,
    *,
    image_size: tuple[float, float] | None = None,
    box_size_mean: float | None = None,
    reference_depth: float | None = None,
    root_depth: Any = None,
) -> Any:
    """Dispatch on ``mode`` (``None`` | ``"box"`` | ``"depth"``); ``None`` returns the input unchanged.

    ``"depth"`` scales about the image centre ``(w / 2, h / 2)`` of ``image_size`` (the processor's convention).
    """
    if mode is None:
        return keypoints_2d
    if mode == "box":
        if box_size_mean is None:
            raise ValueError("scale_normalization='box' needs `box_size_mean` (fit it on the training set first)")
        return box_rescale(keypoints_2d, box_size_mean)
    if mode == "depth":
        if root_depth is None:
            raise ValueError("scale_normalization='depth' needs the root depth (a metric depth input)")
        if image_size is None:
            raise ValueError("scale_normalization='depth' needs `image_size` (its centre is the scaling centre)")
        ref = DEFAULT_REFERENCE_DEPTH if reference_depth is None else reference_depth
        centre = (float(image_size[0]) / 2.0, float(image_size[1]) / 2.0)
        return depth_rescale(keypoints_2d, root_depth, ref, centre)
    raise ValueError(f"`scale_normalization` must be one of {list(SCALE_NORMALIZATIONS)}, got {mode!r}")


__all__ = [
    "DEFAULT_REFERENCE_DEPTH",
    "SCALE_NORMALIZATIONS",
    "apply_scale_normalization",
    "box_rescale",
    "box_size",
    "depth_rescale",
    "fit_box_size_mean",
]
