"""Per-joint depth descriptors of the capsule body by analytic ray casting (the fast path, no depth map).

Casts only the rays of each joint's sampling disk (17 x N rays, the same pattern as
:mod:`auglift_hf.features.depth`) against the capsules of :mod:`auglift_hf.simulation.renderer` analytically and
reduces them exactly like ``sample_depth``; same numbers as sampling the rendered map up to rendering
discretisation (identical with ``snap=True`` and ``image_size`` given).
"""

from __future__ import annotations

from typing import Any

import torch

from ..features.depth import (
    CASP_DEFAULTS,
    _as_tensor,
    casp_radii,
    check_h36m_keypoints,
    disk_pattern,
    masked_quantiles,
    reduce_disk_samples,
)
from ..skeleton import NUM_JOINTS
from .depth_error import DepthCorruption, MonocularDepthError, _seed_ints
from .renderer import _capsule_endpoints, _capsule_pixel_boxes, _check_joints, _far_tensor, _intrinsics, capsule_hits


def _ray_cast_culled(
    pts: torch.Tensor, a: torch.Tensor, b: torch.Tensor, radii: torch.Tensor, f: torch.Tensor, c: torch.Tensor
) -> torch.Tensor:
    """Depth of the rays through pixels ``pts (B, J, N, 2)`` -> ``(B, J, N)`` (``inf`` = miss).

    Exact, but each joint's N rays are only tested against the capsules whose pixel box overlaps the box of
    that joint's samples: the overlapping (frame, joint, capsule) triples are listed, hit-tested as one
    ``(M, N)`` batch and min-reduced back per joint.
    """
    bsz, nj, n, _ = pts.shape
    ulo, uhi, vlo, vhi = _capsule_pixel_boxes(a, b, radii, f, c)  # (B, S)
    plo, phi = pts.amin(2), pts.amax(2)  # (B, J, 2)
    overlap = (phi[..., 0, None] >= ulo[:, None]) & (plo[..., 0, None] <= uhi[:, None])
    overlap &= (phi[..., 1, None] >= vlo[:, None]) & (plo[..., 1, None] <= vhi[:, None])  # (B, J, S)
    fb, fj, fs = overlap.nonzero(as_tuple=True)  # (M,) each
    out = torch.full((bsz * nj, n), float("inf"), dtype=pts.dtype, device=pts.device)
    if fb.numel() == 0:
        return out.reshape(bsz, nj, n)
    p = pts[fb, fj]  # (M, N, 2)
    rays = torch.cat([(p - c[fb, None]) / f[fb, None], torch.ones_like(p[..., :1])], -1)  # (M, N, 3)
    pa, pb = a[fb, fs], b[fb, fs]  # (M, 3)
    ba = pb - pa

    def dots(q: torch.Tensor) -> torch.Tensor:
        return torch.einsum("mnk,mk->mn", rays, q)

    def seg(x: torch.Tensor) -> torch.Tensor:
        return x.sum(-1)[:, None]  # (M, 1)

    t = capsule_hits(
        dots(ba), dots(pa), dots(pb), (rays * rays).sum(-1), seg(ba * ba), seg(ba * pa), seg(pa * pa), seg(pb * pb),
        (radii * radii)[fs, None],
    )  # fmt: skip
    out.scatter_reduce_(0, (fb * nj + fj)[:, None].expand(-1, n), t, reduce="amin")
    return out.reshape(bsz, nj, n)


def sampling_inputs(
    joints: torch.Tensor, keypoints_2d: Any, scores: Any, f: Any, c: Any
) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor, torch.Tensor]:
    """Checked sampling inputs of a ray-cast descriptor: ``(kp (B, 17, 2) pixels, scores (B, 17) or None, f (B, 2),
    c (B, 2))`` in ``joints``' dtype; ``keypoints_2d=None`` = the exact pinhole projection of ``joints`` (B, 17, 3)."""
    bsz = joints.shape[0]
    if f is None or c is None:
        raise ValueError("`f` and `c` (pixel intrinsics, shape (2,) or (batch, 2)) are required")
    f_t, c_t = _intrinsics(f, "f", bsz, joints), _intrinsics(c, "c", bsz, joints)
    if keypoints_2d is None:
        z = joints[..., 2:].clamp(min=1e-6)
        kp = joints[..., :2] / z * f_t[:, None] + c_t[:, None]
    else:
        kp = _as_tensor(keypoints_2d, "keypoints_2d", joints.device).to(joints.dtype)
        check_h36m_keypoints(kp, "keypoints_2d")
        if kp.shape[0] != bsz:
            raise ValueError(f"`keypoints_2d` batch {kp.shape[0]} does not match `joints_cam` batch {bsz}")
    sc = None
    if scores is not None:
        sc = _as_tensor(scores, "scores", joints.device).to(joints.dtype)
        if tuple(sc.shape) != (bsz, NUM_JOINTS):
            raise ValueError(f"`scores` must have shape ({bsz}, 17), got {tuple(sc.shape)}")
    return kp, sc, f_t, c_t


def sample_points(
    kp: torch.Tensor,
    scores: torch.Tensor | None,
    mode: str,
    *,
    radius: float,
    num_samples: int,
    pattern: str,
    pattern_seed: int,
    r_min: float,
    r_max: float,
    k: float,
    beta: float,
    gamma: float,
) -> torch.Tensor:
    """``(B, 17, N, 2)`` pixel positions a descriptor reads around each keypoint: the joint itself (``"point"``,
    N = 1), a fixed disk of ``radius`` px (``"minmax"``) or the confidence-adaptive CASP disk (``"casp"``), with
    :func:`auglift_hf.features.depth.disk_pattern` offsets (as :func:`auglift_hf.features.sample_depth`)."""
    bsz = kp.shape[0]
    if mode == "point":
        offsets = torch.zeros(1, 2, dtype=kp.dtype, device=kp.device)
        radii = torch.zeros(bsz, NUM_JOINTS, dtype=kp.dtype, device=kp.device)
    else:
        offsets = disk_pattern(num_samples, pattern, pattern_seed, kp.device, kp.dtype)
        if mode == "minmax":
            radii = torch.full((bsz, NUM_JOINTS), float(radius), dtype=kp.dtype, device=kp.device)
        else:
            radii = casp_radii(kp, scores, r_min=r_min, r_max=r_max, k=k, beta=beta, gamma=gamma)
    return kp[:, :, None, :] + radii[:, :, None, None] * offsets[None, None]


def reduce_samples(samples: torch.Tensor, mode: str, extrema: str) -> torch.Tensor:
    """``(B, 17, N)`` sampled depths -> the descriptor ``(B, 17, k)``: the point, the disk's min / max, or CASP's
    (d, d_min, d_max) by ``extrema`` (:func:`auglift_hf.features.depth.reduce_disk_samples`)."""
    if mode == "point":
        return samples
    if mode == "minmax":
        return masked_quantiles(samples, (0.0, 1.0))[0]
    return reduce_disk_samples(samples, extrema)[0]


def depth_descriptors_from_joints(
    joints_cam: Any,
    keypoints_2d: Any = None,
    scores: Any = None,
    f: Any = None,
    c: Any = None,
    mode: str = "casp",
    *,
    far: Any = 10.0,
    corruption: DepthCorruption | MonocularDepthError | dict | None = None,
    seed: int | torch.Generator = 0,
    image_size: tuple[int, int] | None = None,
    snap: bool = False,
    radius: float = 3.0,
    num_samples: int = 100,
    pattern: str = "sunflower",
    pattern_seed: int = 0,
    extrema: str = "quantile",
    r_min: float = CASP_DEFAULTS["r_min"],
    r_max: float = CASP_DEFAULTS["r_max"],
    k: float = CASP_DEFAULTS["k"],
    beta: float = CASP_DEFAULTS["beta"],
    gamma: float = CASP_DEFAULTS["gamma"],
    chunk_size: int = 16,
) -> torch.Tensor:
    """Per-joint depth descriptors of the capsule body without rendering a map (the fast path).

    Args:
        joints_cam: ``(B, 17, 3)`` H36M-17 joints, camera frame, metres (the body that is "seen").
        keypoints_2d: ``(B, 17, 2)`` pixels where the descriptors are sampled (e.g. a 2D detector's noisy
            keypoints); ``None`` = the exact projection of ``joints_cam``.
        scores: ``(B, 17)`` confidences (CASP radii); ``None`` = 1.
        f, c: intrinsics ``(2,)`` or ``(B, 2)`` pixels (required).
        mode: ``"point"`` (k=1), ``"minmax"`` (k=2, disk of ``radius`` px) or ``"casp"`` (k=3: d, d_min, d_max).
        far: background plane depth (metres), scalar or ``(B,)``.
        corruption: a :class:`DepthCorruption` (or its kwargs) to mimic a monocular estimator: per-frame
            scale/shift, multiplicative noise per sample, and blur approximated by jittering every sample
            position with a Gaussian of ``blur_sigma`` pixels; or a :class:`MonocularDepthError` (the realistic
            model: each sample is cast at two jittered positions, one per blur scale, the body median comes from
            the 17 joint-centre rays, then :meth:`MonocularDepthError.apply_to_samples`; frames of one call are
            consecutive frames of one sequence). ``None`` = perfect depth.
        seed: seed or generator of the corruption.
        image_size: ``(width, height)``: clamp sample points to the image border as ``sample_depth`` does.
        snap: round sample points to pixel centres, which makes the result identical to
            ``sample_depth(render_depth(...), ..., interpolation="nearest")`` (with ``image_size`` given).
        radius, num_samples, pattern, pattern_seed, extrema, r_min, r_max, k, beta, gamma: as
            :func:`auglift_hf.features.sample_depth`.
        chunk_size: frames processed at once.

    Returns:
        ``(B, 17, k)`` float tensor, metres.
    """
    joints = _check_joints(joints_cam)
    if joints.dtype != torch.float64:
        joints = joints.float()
    bsz = joints.shape[0]
    kp, sc, f_t, c_t = sampling_inputs(joints, keypoints_2d, scores, f, c)
    if mode not in ("point", "minmax", "casp"):
        raise ValueError(f"`mode` must be 'point', 'minmax' or 'casp', got {mode!r}")
    if isinstance(corruption, dict):
        corruption = DepthCorruption(**corruption)
    far_t = _far_tensor(far, bsz, joints)
    if bsz == 0:
        return joints.new_zeros(0, NUM_JOINTS, {"point": 1, "minmax": 2, "casp": 3}[mode])
    g = seed if isinstance(seed, torch.Generator) else torch.Generator().manual_seed(int(seed))

    pts = sample_points(kp, sc, mode, radius=radius, num_samples=num_samples, pattern=pattern,
                        pattern_seed=pattern_seed, r_min=r_min, r_max=r_max, k=k, beta=beta, gamma=gamma)  # fmt: skip
    realistic = isinstance(corruption, MonocularDepthError)
    if corruption is not None and not realistic and corruption.blur_sigma > 0:
        jitter = torch.randn(pts.shape, generator=g, dtype=torch.float64).to(pts)
        pts = pts + corruption.blur_sigma * jitter

    def finish(p: torch.Tensor) -> torch.Tensor:
        if image_size is not None:
            w, h = image_size
            p = torch.stack([p[..., 0].clamp(0, w - 1), p[..., 1].clamp(0, h - 1)], -1)
        return (p + 0.5).floor() if snap else p

    a, b, caps_r = _capsule_endpoints(joints)

    def cast(p: torch.Tensor) -> torch.Tensor:
        p = finish(p)
        hits = torch.cat(
            [
                _ray_cast_culled(
                    p[s : s + chunk_size],
                    a[s : s + chunk_size],
                    b[s : s + chunk_size],
                    caps_r,
                    f_t[s : s + chunk_size],
                    c_t[s : s + chunk_size],
                )  # fmt: skip
                for s in range(0, bsz, chunk_size)
            ]
        )
        return torch.minimum(hits, far_t[:, None, None])  # (B, 17, N)

    if realistic:
        seed = _seed_ints(seed)[0]
        eff = corruption.effective()
        g_pos = torch.Generator().manual_seed(_seed_ints(seed)[1] + 1)
        edge = cast(pts + eff["edge_sigma_px"] * torch.randn(pts.shape, generator=g_pos, dtype=torch.float64).to(pts))
        thin = None
        if eff["thin_mix"] > 0:
            jit = torch.randn(pts.shape, generator=g_pos, dtype=torch.float64).to(pts)
            thin = cast(pts + eff["thin_sigma_px"] * jit)
        centre = cast(kp[:, :, None, :])[..., 0]  # (B, 17) the body's surface at the joint centres
        body = centre < far_t[:, None] - 1e-3
        median = torch.nan_to_num(torch.nanquantile(torch.where(body, centre, torch.nan), 0.5, dim=1), nan=0.0)
        samples = corruption.apply_to_samples(edge, thin, median, far_t, seed)
    else:
        samples = cast(pts)
    if corruption is not None and not realistic:
        scale, shift = corruption._frame_affine(bsz, g, samples)
        samples = scale[:, None, None] * samples + shift[:, None, None]
        if corruption.noise_std > 0:
            noise = torch.randn(samples.shape, generator=g, dtype=torch.float64).to(samples)
            samples = samples * (1 + corruption.noise_std * noise)
        samples = samples.clamp(min=corruption.min_depth)
    return reduce_samples(samples, mode, extrema)


def casp_from_joints(
    joints_cam: Any, keypoints_2d: Any = None, scores: Any = None, f: Any = None, c: Any = None, **kwargs: Any
) -> torch.Tensor:
    """CASP descriptors ``(B, 17, 3)`` (d, d_min, d_max) of the capsule body: ``depth_descriptors_from_joints(mode="casp")``."""
    return depth_descriptors_from_joints(joints_cam, keypoints_2d, scores, f, c, mode="casp", **kwargs)
