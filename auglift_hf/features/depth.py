"""Per-joint depth descriptors sampled from a depth map: ``point``, ``minmax`` and ``casp``.

Conventions
-----------
* Depth maps are ``(B, H, W)`` in metres (metric estimators) or any relative unit; larger = farther.
* Keypoints are ``(B, 17, 2)`` in the depth map's pixel frame, H36M-17 order, pixel centres at integer
  coordinates (``depth[b, v, u]`` is the depth of pixel ``(u, v)``).
* Samples outside the map are clamped to the border. NaN, inf and non-positive depths are *invalid* and
  masked; a joint without any valid sample, or with a NaN keypoint (missed detection), gets ``fill_value``
  (default ``0.0``) and ``valid=False`` (returned with ``return_valid=True``).
* Everything is pure torch, batched over frames and joints (no Python loop over either), CPU or GPU.

CASP (AugLift's confidence-adaptive sampling, the "uncertainty-aware depth descriptor"):
``r_j = clip(k * S * (1 + beta * (1 - c_j)) ** gamma, r_min, r_max)`` with ``S`` the torso length in
pixels (pelvis to thorax); ``N`` samples of a fixed unit-disk pattern scaled by ``r_j`` around the joint;
``d`` = median, ``d_min`` = 10th and ``d_max`` = 90th percentile of the valid samples (or the true
min / max with ``extrema="minmax"``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from ..skeleton import NUM_JOINTS, PELVIS, THORAX

#: Defaults of AugLift's CASP code.
CASP_DEFAULTS: dict[str, float] = {"r_min": 3.0, "r_max": 30.0, "k": 0.04, "beta": 3.0, "gamma": 1.5}
#: Channel names of ``sample_depth(..., mode=m)`` outputs.
DEPTH_CHANNELS: dict[str, tuple[str, ...]] = {
    "point": ("d",),
    "minmax": ("d_min", "d_max"),
    "casp": ("d", "d_min", "d_max"),
}
#: Channel names of the CASP 10-value summary (``summary=True``).
CASP_SUMMARY_CHANNELS: tuple[str, ...] = ("x", "y", "c", "r", "q10", "q25", "q50", "q75", "q90", "d_point")
_SUMMARY_QUANTILES = (0.10, 0.25, 0.50, 0.75, 0.90)
_GOLDEN_ANGLE = math.pi * (3.0 - math.sqrt(5.0))


def check_h36m_keypoints(keypoints: Any, name: str = "keypoints", channels: int | None = 2) -> None:
    """Raise a clear ``ValueError`` unless ``keypoints`` has shape ``(B, 17, channels)`` (H36M-17)."""
    shape = tuple(getattr(keypoints, "shape", ()))
    want = f"(batch, {NUM_JOINTS}, {channels if channels is not None else 'C'})"
    if len(shape) != 3 or shape[1] != NUM_JOINTS or (channels is not None and shape[2] != channels):
        hint = " (COCO-17 input must be mapped with auglift_hf.skeleton.coco_to_h36m first)" if len(shape) == 3 else ""
        raise ValueError(f"`{name}` must have shape {want} in H36M-17 order, got {shape}{hint}")


def _as_tensor(x: Any, name: str, device: torch.device | None = None) -> torch.Tensor:
    if isinstance(x, torch.Tensor):
        t = x
    else:
        try:
            t = torch.from_numpy(np.asarray(x))
        except (TypeError, ValueError) as err:
            raise ValueError(f"`{name}` must be a numpy array or torch tensor, got {type(x).__name__}") from err
    if not t.is_floating_point():
        t = t.float()
    return t.to(device) if device is not None else t


def disk_pattern(
    num_samples: int = 100,
    pattern: str = "sunflower",
    seed: int = 0,
    device: torch.device | str | None = None,
    dtype: torch.dtype = torch.float32,
) -> torch.Tensor:
    """A fixed set of ``num_samples`` offsets in the unit disk, ``(N, 2)`` as ``(dx, dy)``.

    ``pattern="sunflower"`` (default) is the deterministic Fibonacci/Vogel spiral (evenly covers the disk;
    ``seed`` rotates it); ``"uniform"`` draws uniform-in-disk points from a generator seeded with ``seed``;
    ``"rejection"`` is AugLift's sampling (:data:`AUGLIFT_SAMPLING`): ``num_samples`` candidates uniform in the
    square ``[-1, 1]^2`` of which only those inside the disk are returned (about ``pi / 4`` of them, so fewer
    than ``num_samples`` rows).
    Both are identical across calls with the same arguments, so depth-map sampling and the analytic
    ray-cast path in :mod:`auglift_hf.simulation` see the very same points.
    """
    if num_samples < 1:
        raise ValueError(f"`num_samples` must be >= 1, got {num_samples}")
    if pattern == "sunflower":
        i = torch.arange(num_samples, dtype=torch.float64)
        radius = torch.sqrt((i + 0.5) / num_samples)
        theta = i * _GOLDEN_ANGLE + (seed * 0.6180339887498949 % 1.0) * 2 * math.pi
    elif pattern == "uniform":
        g = torch.Generator().manual_seed(int(seed))
        u = torch.rand(2, num_samples, generator=g, dtype=torch.float64)
        radius, theta = torch.sqrt(u[0]), 2 * math.pi * u[1]
    elif pattern == "rejection":  # AugLift's: candidates uniform in the square, those inside the disk kept
        g = torch.Generator().manual_seed(int(seed))
        sq = torch.rand(num_samples, 2, generator=g, dtype=torch.float64) * 2.0 - 1.0
        sq = sq[(sq * sq).sum(-1) <= 1.0]
        if sq.shape[0] == 0:
            sq = torch.zeros(1, 2, dtype=torch.float64)
        return sq.to(device=device, dtype=dtype)
    else:
        raise ValueError(f"`pattern` must be 'sunflower', 'uniform' or 'rejection', got {pattern!r}")
    return torch.stack([radius * torch.cos(theta), radius * torch.sin(theta)], -1).to(device=device, dtype=dtype)


def torso_length(keypoints: torch.Tensor) -> torch.Tensor:
    """Pelvis-to-thorax distance ``(B,)`` (same unit as ``keypoints`` ``(B, 17, 2)``)."""
    return (keypoints[:, PELVIS] - keypoints[:, THORAX]).norm(dim=-1)


def casp_radii(
    keypoints: torch.Tensor,
    scores: torch.Tensor | None,
    r_min: float = 3.0,
    r_max: float = 30.0,
    k: float = 0.04,
    beta: float = 3.0,
    gamma: float = 1.5,
) -> torch.Tensor:
    """CASP sampling radius per joint ``(B, 17)`` in pixels; ``scores=None`` means confidence 1."""
    s = torso_length(keypoints)[:, None]
    c = torch.ones_like(keypoints[..., 0]) if scores is None else scores.clamp(0.0, 1.0).to(keypoints.dtype)
    s = torch.nan_to_num(s, nan=0.0, posinf=0.0)
    return (k * s * (1.0 + beta * (1.0 - c)) ** gamma).clamp(r_min, r_max)


def _read_pixels(depth: torch.Tensor, u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """``depth[b, v, u]`` for integer ``u, v`` of shape ``(B, P)`` (already clamped) -> ``(B, P)``."""
    _, _, w = depth.shape
    return depth.reshape(depth.shape[0], -1).gather(1, v * w + u)


def sample_points(depth: torch.Tensor, points: torch.Tensor, interpolation: str = "bilinear") -> torch.Tensor:
    """Depth at sub-pixel ``points`` ``(B, P, 2)`` (pixels, clamped to the border) -> ``(B, P)``.

    ``"nearest"`` reads the pixel whose centre is closest (ties round up). ``"bilinear"`` interpolates the valid
    neighbours only (weights of invalid neighbours are dropped and the rest renormalised), so a single
    invalid pixel does not poison its surroundings; the result is NaN when all four are invalid.
    """
    _, h, w = depth.shape
    if interpolation == "nearest":  # round half up; coordinates >= 0 so truncation is floor
        upper = torch.tensor([w - 1.0, h - 1.0], dtype=points.dtype, device=points.device)
        ij = (torch.minimum(points.clamp(min=0), upper) + 0.5).long()
        return depth.reshape(depth.shape[0], -1).gather(1, ij[..., 1] * w + ij[..., 0])
    x = points[..., 0].clamp(0, w - 1)
    y = points[..., 1].clamp(0, h - 1)
    if interpolation != "bilinear":
        raise ValueError(f"`interpolation` must be 'nearest' or 'bilinear', got {interpolation!r}")
    x0f, y0f = x.floor(), y.floor()
    fx, fy = x - x0f, y - y0f
    x0, y0 = x0f.long(), y0f.long()
    x1, y1 = (x0 + 1).clamp(max=w - 1), (y0 + 1).clamp(max=h - 1)
    vals = torch.stack(
        [
            _read_pixels(depth, x0, y0),
            _read_pixels(depth, x1, y0),
            _read_pixels(depth, x0, y1),
            _read_pixels(depth, x1, y1),
        ]
    )
    wts = torch.stack([(1 - fx) * (1 - fy), fx * (1 - fy), (1 - fx) * fy, fx * fy]).to(vals.dtype)
    ok = torch.isfinite(vals) & (vals > 0)
    wts = torch.where(ok, wts, torch.zeros_like(wts))
    total = wts.sum(0)
    out = (torch.where(ok, vals, torch.zeros_like(vals)) * wts).sum(0) / total
    # only zero-weight valid neighbours (a point exactly on a grid line): their plain mean
    zeros = torch.zeros_like(vals)
    mean_valid = torch.where(ok, vals, zeros).sum(0) / ok.sum(0).clamp(min=1)
    out = torch.where(total > 1e-12, out, mean_valid)
    return torch.where(ok.any(0), out, torch.full_like(out, float("nan")))


def _sort_last(x: torch.Tensor) -> torch.Tensor:
    """Sorted values along the last axis. On CPU (no autograd) numpy's sort is ~10-20x faster than
    ``torch.sort`` for many short rows, so it is used through a zero-copy view; elsewhere ``torch.sort``."""
    if x.device.type == "cpu" and not x.requires_grad and x.dtype in (torch.float32, torch.float64):
        return torch.from_numpy(np.sort(x.contiguous().numpy(), axis=-1))
    return x.sort(dim=-1).values


def masked_quantiles(
    samples: torch.Tensor, quantiles: tuple[float, ...], fill_value: float = 0.0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Quantiles over the last axis ignoring invalid values (NaN, inf, <= 0), vectorised.

    Args:
        samples: ``(..., N)``.
        quantiles: values in ``[0, 1]``; ``0`` / ``1`` give the true min / max. Linear interpolation between
            order statistics, as ``torch.quantile``.
        fill_value: result where a row has no valid sample.

    Returns:
        ``(..., len(quantiles))`` values and the ``(...)`` validity flag (at least one valid sample).
    """
    valid = torch.isfinite(samples) & (samples > 0)
    inf = torch.tensor(float("inf"), dtype=samples.dtype, device=samples.device)
    srt = _sort_last(torch.where(valid, samples, inf))
    count = valid.sum(-1, keepdim=True)  # (..., 1)
    q = torch.tensor(quantiles, dtype=samples.dtype, device=samples.device)
    pos = q * (count - 1).clamp(min=0).to(samples.dtype)  # (..., Q)
    lo = pos.floor().long()
    hi = pos.ceil().long()
    frac = pos - lo.to(samples.dtype)
    v_lo, v_hi = srt.gather(-1, lo), srt.gather(-1, hi)
    out = v_lo + (v_hi - v_lo) * frac
    out = torch.where(frac == 0, v_lo, out)  # avoids inf - inf when hi == lo
    has_any = count[..., 0] > 0
    out = torch.where(has_any[..., None], out, torch.full_like(out, fill_value))
    return out, has_any


def _disk_samples(
    depth: torch.Tensor,
    keypoints: torch.Tensor,
    radii: torch.Tensor,
    offsets: torch.Tensor,
    interpolation: str,
) -> torch.Tensor:
    """Depth at ``keypoint + r * offset`` for every joint and disk sample: ``(B, 17, N)``."""
    b, j, _ = keypoints.shape
    pts = keypoints[:, :, None, :] + radii[:, :, None, None] * offsets[None, None]  # (B, J, N, 2)
    return sample_points(depth, pts.reshape(b, -1, 2), interpolation).reshape(b, j, -1)


def reduce_disk_samples(
    samples: torch.Tensor,
    extrema: str = "quantile",
    fill_value: float = 0.0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """CASP reduction of disk samples ``(B, 17, N)`` -> ``(B, 17, 3)`` (d, d_min, d_max) and validity ``(B, 17)``.

    ``extrema="quantile"`` gives (median, Q10, Q90) as AugLift's code; ``"minmax"`` gives (median, min, max).
    Shared by :func:`sample_depth` and the analytic ray-cast path in :mod:`auglift_hf.simulation`.
    """
    if extrema == "quantile":
        qs = (0.5, 0.1, 0.9)
    elif extrema == "minmax":
        qs = (0.5, 0.0, 1.0)
    else:
        raise ValueError(f"`extrema` must be 'quantile' or 'minmax', got {extrema!r}")
    return masked_quantiles(samples, qs, fill_value)


def sample_depth(
    depth: Any,
    keypoints: Any,
    scores: Any = None,
    mode: str = "point",
    *,
    radius: float = 3.0,
    num_samples: int = 100,
    pattern: str = "sunflower",
    seed: int = 0,
    r_min: float = CASP_DEFAULTS["r_min"],
    r_max: float = CASP_DEFAULTS["r_max"],
    k: float = CASP_DEFAULTS["k"],
    beta: float = CASP_DEFAULTS["beta"],
    gamma: float = CASP_DEFAULTS["gamma"],
    extrema: str = "quantile",
    interpolation: str | None = None,
    summary: bool = False,
    fill_value: float = 0.0,
    return_valid: bool = False,
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """Per-joint depth descriptors from a depth map.

    Args:
        depth: ``(B, H, W)`` depth maps (metres or relative units), numpy or torch.
        keypoints: ``(B, 17, 2)`` H36M-17 keypoints in the map's pixel frame.
        scores: ``(B, 17)`` confidences in ``[0, 1]`` (CASP radii; ``None`` = all 1).
        mode: ``"point"`` (bilinear depth at the joint, k=1), ``"minmax"`` (min and max over a disk of fixed
            ``radius`` pixels, k=2) or ``"casp"`` (confidence-adaptive disk: d, d_min, d_max, k=3).
        radius: disk radius in pixels for ``"minmax"`` (legacy: 3).
        num_samples, pattern, seed: the unit-disk sample pattern (:func:`disk_pattern`).
        r_min, r_max, k, beta, gamma: CASP radius parameters (AugLift defaults).
        extrema: CASP ``d_min`` / ``d_max`` as the 10th / 90th percentiles (``"quantile"``) or true min / max.
        interpolation: how disk samples read the map, ``"nearest"`` (default for disks) or ``"bilinear"``
            (the ``point`` mode is always bilinear unless ``"nearest"`` is given).
        summary: CASP only: return the 10-value summary ``[x, y, c, r, Q10, Q25, Q50, Q75, Q90, d_point]``
            (:data:`CASP_SUMMARY_CHANNELS`) instead of 3 values.
        fill_value: value of a joint without any valid (finite, > 0) depth sample.
        return_valid: also return the ``(B, 17)`` boolean validity flag.

    Returns:
        ``(B, 17, k)`` float tensor on ``depth``'s device (and the validity flag if requested).
    """
    depth_t = _as_tensor(depth, "depth")
    if depth_t.ndim != 3:
        raise ValueError(f"`depth` must have shape (batch, height, width), got {tuple(depth_t.shape)}")
    kp = _as_tensor(keypoints, "keypoints", depth_t.device).to(depth_t.dtype)
    check_h36m_keypoints(kp, "keypoints")
    if kp.shape[0] != depth_t.shape[0]:
        raise ValueError(f"`keypoints` batch {kp.shape[0]} does not match `depth` batch {depth_t.shape[0]}")
    sc = None
    if scores is not None:
        sc = _as_tensor(scores, "scores", depth_t.device).to(depth_t.dtype)
        if tuple(sc.shape) != tuple(kp.shape[:2]):
            raise ValueError(f"`scores` must have shape {tuple(kp.shape[:2])}, got {tuple(sc.shape)}")
    if mode not in DEPTH_CHANNELS:
        raise ValueError(f"`mode` must be one of {sorted(DEPTH_CHANNELS)}, got {mode!r}")
    if summary and mode != "casp":
        raise ValueError("`summary=True` is only available with mode='casp'")
    kp_ok = torch.isfinite(kp).all(-1)  # missing (NaN) keypoints get the fill value and valid=False
    if not bool(kp_ok.all()):
        kp = torch.where(kp_ok[..., None], kp, torch.zeros_like(kp))
        out, valid = sample_depth(
            depth_t, kp, sc, mode, radius=radius, num_samples=num_samples, pattern=pattern, seed=seed,
            r_min=r_min, r_max=r_max, k=k, beta=beta, gamma=gamma, extrema=extrema, interpolation=interpolation,
            summary=summary, fill_value=fill_value, return_valid=True,
        )  # fmt: skip
        valid = valid & kp_ok
        if summary:
            out[..., 4:] = torch.where(kp_ok[..., None], out[..., 4:], torch.full_like(out[..., 4:], fill_value))
        else:
            out = torch.where(kp_ok[..., None], out, torch.full_like(out, fill_value))
        return (out, valid) if return_valid else out
    b = kp.shape[0]

    if mode == "point":
        d = sample_points(depth_t, kp, interpolation or "bilinear").reshape(b, NUM_JOINTS, 1)
        valid = torch.isfinite(d[..., 0])
        out = torch.where(valid[..., None], d, torch.full_like(d, fill_value))
        return (out, valid) if return_valid else out

    offsets = disk_pattern(num_samples, pattern, seed, depth_t.device, depth_t.dtype)
    interp = interpolation or "nearest"
    if mode == "minmax":
        radii = torch.full(kp.shape[:2], float(radius), dtype=depth_t.dtype, device=depth_t.device)
        samples = _disk_samples(depth_t, kp, radii, offsets, interp)
        out, valid = masked_quantiles(samples, (0.0, 1.0), fill_value)
        return (out, valid) if return_valid else out

    radii = casp_radii(kp, sc, r_min=r_min, r_max=r_max, k=k, beta=beta, gamma=gamma)
    samples = _disk_samples(depth_t, kp, radii, offsets, interp)
    if not summary:
        out, valid = reduce_disk_samples(samples, extrema, fill_value)
        return (out, valid) if return_valid else out
    qs, valid = masked_quantiles(samples, _SUMMARY_QUANTILES, fill_value)
    d_point = sample_points(depth_t, kp, "bilinear")
    d_point = torch.where(torch.isfinite(d_point), d_point, torch.full_like(d_point, fill_value))
    c = torch.ones_like(radii) if sc is None else sc
    out = torch.cat([kp, c[..., None], radii[..., None], qs, d_point[..., None]], -1)
    return (out, valid) if return_valid else out


# ------------------------------------------------------------------ encodings of the depth channels

#: Named encodings of the depth descriptors fed to a lifter (recorded as ``depth_descriptor["encoding"]`` in the
#: input contract; absent = ``"package"``, what every shipped lifter was trained on).
DEPTH_ENCODINGS: tuple[str, ...] = ("package", "auglift")
#: AugLift's CASP sampling as in its depth script (``get_casp_depth`` of
#: ``coarse_depth_experiments/.../metric_depth/1_30_estimate_depth_proto_loop_metric_h36m_v3_sampling_patch_statistics.py``,
#: nikolaiwarner7/auglift commit 049992e): ``num_samples=100`` candidates uniform in the square ``[-r, r]^2``, those
#: inside the disk kept (about 79), same radius law as :data:`CASP_DEFAULTS`. Pattern ``"rejection"`` of
#: :func:`disk_pattern` (seeded here; AugLift's draw is unseeded per joint and frame).
AUGLIFT_SAMPLING: dict[str, Any] = {"num_samples": 100, "pattern": "rejection"}


def encode_depth(
    descriptors: Any,
    encoding: str = "package",
    *,
    max_depth: float = 2.0,
    max_depth_offset: float = 1.0,
) -> dict[str, np.ndarray]:
    """Per-joint depth descriptors ``(..., 17, k)`` metres (``k`` = 1: ``d``; 3: ``d, d_min, d_max``) -> the
    lifter's depth channels, ``{"d": (..., 17), ["d_min", "d_max"]}``.

    * ``"package"`` (default; :class:`~auglift_hf.PoseLiftingProcessor` with ``depth_reference="pelvis"``):
      ``d - d_pelvis`` clipped to ``+-max_depth`` and divided by it; ``d_min - d``, ``d_max - d`` clipped to
      ``+-max_depth_offset`` and divided by it.
    * ``"auglift"``: AugLift's own codec (``PoseFormerLabel.encode``, ``mmpose/mmpose/codecs/poseformer_label.py``
      of nikolaiwarner7/auglift commit 049992e): depth relative to the joint **nearest the camera**
      (``d - min_j d``); with one depth channel (XYCD) clipped to ``[0, 2]`` m and mapped to ``[-1, 1]``
      (``2 (x / 2) - 1``); with the CASP channels the relative depth is **not clipped** and the offsets
      ``d_min - d``, ``d_max - d`` are clipped to ``+-1`` m (not rescaled). (Its confidence channel is ``2c - 1``,
      as the package's; AugLift's CASP file subtracts the offsets from its point depth, here from ``d``.)

    Joints with a non-finite descriptor, or frames whose reference is non-finite, get NaN (the processor's
    missing-depth fill applies downstream).
    """
    if encoding not in DEPTH_ENCODINGS:
        raise ValueError(f"`encoding` must be one of {list(DEPTH_ENCODINGS)}, got {encoding!r}")
    dp = np.asarray(descriptors.detach().cpu() if hasattr(descriptors, "detach") else descriptors, dtype=np.float64)
    if dp.ndim < 2 or dp.shape[-2] != NUM_JOINTS or dp.shape[-1] not in (1, 3):
        raise ValueError(f"`descriptors` must have shape (..., 17, 1) or (..., 17, 3), got {dp.shape}")
    d = dp[..., 0]
    with np.errstate(invalid="ignore"):
        if encoding == "package":
            out = {"d": np.clip(d - d[..., PELVIS : PELVIS + 1], -max_depth, max_depth) / max_depth}
            m = max_depth_offset
            if dp.shape[-1] == 3:
                out["d_min"] = np.clip(dp[..., 1] - d, -m, m) / m
                out["d_max"] = np.clip(dp[..., 2] - d, -m, m) / m
            return out
        finite = np.where(np.isfinite(d), d, np.inf)
        ref = finite.min(axis=-1, keepdims=True)
        ref = np.where(np.isfinite(ref), ref, np.nan)
        rel = d - ref
        if dp.shape[-1] == 1:
            return {"d": 2.0 * (np.clip(rel, 0.0, 2.0) / 2.0) - 1.0}
        return {"d": rel, "d_min": np.clip(dp[..., 1] - d, -1.0, 1.0), "d_max": np.clip(dp[..., 2] - d, -1.0, 1.0)}
