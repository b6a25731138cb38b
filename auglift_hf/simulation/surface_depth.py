"""Per-joint depth descriptors of the ``surface-v2`` simulation, and its depth source for frame tables.

The training path (:func:`surface_descriptors_from_joints`) casts only the rays through each joint's sample
pixels against the :mod:`.surface` body and scene; the inference-like path (:func:`surface_descriptors_from_maps`)
renders whole maps and reads them with :func:`auglift_hf.features.sample_depth`. Both read **the same pixels**:
sample points are snapped to the nearest pixel centre (``interpolation="nearest"``, clamped to the image) with
the same disk pattern and sample count, so without error they agree exactly and with
:class:`.surface_error.SurfaceDepthError` they share every per-frame / per-part draw (tested).

``surface-v2`` at :data:`.surface_error.CALIBRATED_SEVERITY` is the default simulation of synthetic tables
(issue 24); ``capsule-v1`` (:mod:`.raycast`) stays available for the earlier tables and checkpoints.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ..features.depth import (
    CASP_DEFAULTS,
    DEPTH_CHANNELS,
    sample_depth,
)
from ..skeleton import NUM_JOINTS
from .depth_error import _seed_ints
from .raycast import reduce_samples, sample_points, sampling_inputs
from .renderer import _check_joints
from .surface import (
    BodyShape,
    SceneSpec,
    body_ellipsoids,
    cast_scene_grouped,
    frame_scene_planes,
    render_surface,
    sample_body_shape,
    sample_body_shapes,
    sample_scene,
    sample_scenes,
    scene_planes,
)
from .surface_error import CALIBRATED_SEVERITY, SurfaceDepthError, body_reference, surface_error_preset

#: Name of this simulation (recorded in the table's depth source description).
SIMULATION_NAME = "surface-v2"


def _snap(p: torch.Tensor, w: int, h: int) -> torch.Tensor:
    """Clamp to the image and move to the nearest pixel centre (ties round up, as ``sample_points``)."""
    return torch.stack([(p[..., 0].clamp(0, w - 1) + 0.5).floor(), (p[..., 1].clamp(0, h - 1) + 0.5).floor()], -1)


def surface_descriptors_from_joints(
    joints_cam: Any,
    keypoints_2d: Any = None,
    scores: Any = None,
    f: Any = None,
    c: Any = None,
    mode: str = "casp",
    *,
    image_size: tuple[int, int],
    error: SurfaceDepthError | None = None,
    shape: BodyShape | None = None,
    scene: SceneSpec | None = None,
    seed: int | torch.Generator = 0,
    radius: float = 3.0,
    num_samples: int = 16,
    pattern: str = "sunflower",
    pattern_seed: int = 0,
    extrema: str = "quantile",
    r_min: float = CASP_DEFAULTS["r_min"],
    r_max: float = CASP_DEFAULTS["r_max"],
    k: float = CASP_DEFAULTS["k"],
    beta: float = CASP_DEFAULTS["beta"],
    gamma: float = CASP_DEFAULTS["gamma"],
    chunk_size: int = 256,
    independent_frames: bool = False,
) -> torch.Tensor:
    """Per-joint descriptors ``(B, 17, k)`` (metres) of the ``surface-v2`` body and scene, by ray casting.

    Args:
        joints_cam: ``(B, 17, 3)`` consecutive frames of one sequence, camera frame, metres (or, with
            ``independent_frames``, unrelated poses).
        keypoints_2d: ``(B, 17, 2)`` pixels where descriptors are sampled; ``None`` = the exact projection.
        scores: ``(B, 17)`` confidences (CASP radii); ``None`` = 1.
        f, c: intrinsics ``(2,)`` or ``(B, 2)`` pixels.
        mode: ``"point"`` / ``"minmax"`` / ``"casp"`` as :func:`auglift_hf.features.sample_depth`.
        image_size: ``(width, height)`` of the image the samples are snapped and clamped to.
        error: :class:`SurfaceDepthError` (``None`` = exact depth of the scene).
        shape, scene: body shape and scene; ``None`` = drawn from ``seed`` (:func:`sample_body_shape`,
            :func:`sample_scene`).
        seed: seed of the shape, scene and error draws.
        independent_frames: every frame is a sequence of its own (a batch of unrelated poses, e.g. PoseAug's
            augmented poses): its own body shape (:func:`.surface.sample_body_shapes`) and scene
            (:func:`.surface.frame_scene_planes`), and error draws independent between frames
            (:meth:`SurfaceDepthError.for_independent_frames`); each frame then has the distribution of a frame of a
            table sequence. ``shape`` / ``scene`` must be ``None``.
        Other arguments: the descriptor, as :func:`auglift_hf.features.sample_depth`.
    """
    j = _check_joints(joints_cam)
    j = j.double() if j.dtype != torch.float32 else j
    bsz = j.shape[0]
    kp, sc, f_t, c_t = sampling_inputs(j, keypoints_2d, scores, f, c)  # refuses missing intrinsics first
    if mode not in DEPTH_CHANNELS:
        raise ValueError(f"`mode` must be 'point', 'minmax' or 'casp', got {mode!r}")
    w, h = (int(v) for v in image_size)
    if bsz == 0:
        return j.new_zeros(0, NUM_JOINTS, len(DEPTH_CHANNELS[mode]))
    base = _seed_ints(seed)[0]
    if independent_frames:
        if shape is not None or scene is not None:
            raise ValueError(
                "independent_frames draws a body shape and a scene per frame: pass shape=None, scene=None"
            )
        shape = sample_body_shapes(base + 11, bsz)
        planes = frame_scene_planes(j, sample_scenes(base + 13, bsz))
        error = error.for_independent_frames() if error is not None else None
    else:
        shape = shape or sample_body_shape(base + 11)
        planes = scene_planes(j, scene or sample_scene(base + 13))
    centres, mats, parts = body_ellipsoids(j, shape)

    pts = sample_points(kp, sc, mode, radius=radius, num_samples=num_samples, pattern=pattern,
                        pattern_seed=pattern_seed, r_min=r_min, r_max=r_max, k=k, beta=beta, gamma=gamma)  # fmt: skip

    def cast(p: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        shp = p.shape[:-1]
        p = _snap(p, w, h).reshape(bsz, NUM_JOINTS, -1, 2)
        out = [
            cast_scene_grouped(
                p[s : s + chunk_size],
                f_t[s : s + chunk_size],
                c_t[s : s + chunk_size],
                centres[s : s + chunk_size],
                mats[s : s + chunk_size],
                parts,
                planes[s : s + chunk_size] if planes.ndim == 3 else planes,
            )  # fmt: skip
            for s in range(0, bsz, chunk_size)
        ]
        return torch.cat([o[0] for o in out]).reshape(shp), torch.cat([o[1] for o in out]).reshape(shp)

    if error is None:
        samples = cast(pts)[0]
    else:
        eff = error.effective()
        d0, p0 = cast(kp)
        reference = body_reference(d0, p0)
        terms = error.frame_terms(bsz, seed)
        g_pos = torch.Generator().manual_seed(_seed_ints(seed)[1] + 1)
        jit = torch.randn(pts.shape, generator=g_pos, dtype=torch.float64).to(pts)
        samples = error.transform(*cast(pts + eff["edge_sigma_px"] * jit), reference, terms)
        if eff["thin_mix"] > 0 and eff["thin_sigma_px"] > 0:
            jit = torch.randn(pts.shape, generator=g_pos, dtype=torch.float64).to(pts)
            thin = error.transform(*cast(pts + eff["thin_sigma_px"] * jit), reference, terms)
            samples = (1.0 - eff["thin_mix"]) * samples + eff["thin_mix"] * thin
        samples = error.finish(samples, terms, seed)
    return reduce_samples(samples, mode, extrema)


def surface_descriptors_from_maps(
    joints_cam: Any,
    keypoints_2d: Any = None,
    scores: Any = None,
    f: Any = None,
    c: Any = None,
    mode: str = "casp",
    *,
    image_size: tuple[int, int],
    error: SurfaceDepthError | None = None,
    shape: BodyShape | None = None,
    scene: SceneSpec | None = None,
    seed: int | torch.Generator = 0,
    **descriptor: Any,
) -> torch.Tensor:
    """The inference-like path: render the maps (:func:`.surface.render_surface`), corrupt them
    (:meth:`SurfaceDepthError.apply_to_maps`), read them with ``sample_depth(..., interpolation="nearest")``.
    Same arguments as :func:`surface_descriptors_from_joints` (``descriptor``: its descriptor keywords, with
    ``pattern_seed`` for the disk pattern's seed)."""
    j = _check_joints(joints_cam).double()
    kp, _, f_t, c_t = sampling_inputs(j, keypoints_2d, scores, f, c)  # the same checked inputs as the ray path
    base = _seed_ints(seed)[0]
    shape = shape or sample_body_shape(base + 11)
    scene = scene or sample_scene(base + 13)
    depth, part = render_surface(j, f_t, c_t, image_size, shape, scene)
    if error is not None:
        depth = error.apply_to_maps(depth, part, kp, seed)
    descriptor = dict(descriptor)
    if "pattern_seed" in descriptor:
        descriptor["seed"] = descriptor.pop("pattern_seed")
    descriptor.setdefault("num_samples", 16)
    return sample_depth(depth, kp, scores, mode, interpolation="nearest", **descriptor)


def draw_severity(seed: int, severity_range: tuple[float, float]) -> float:
    """The severity of one sequence (one depth-source call, or one batch of augmented poses) of a table built with
    ``severity_range=(lo, hi)``: uniform in ``[lo, hi]``, drawn from the call's ``seed``."""
    lo, hi = (float(v) for v in severity_range)
    return float(np.random.default_rng([int(seed), 24]).uniform(lo, hi))


def surface_depth_source(
    mode: str = "casp",
    seed: int = 0,
    severity: float | None = None,
    fps: float = 25.0,
    num_samples: int | None = None,
    error: SurfaceDepthError | None | str = "realistic",
    severity_range: tuple[float, float] | None = None,
    encoding: str = "package",
) -> Any:
    """A frame-table depth source (the signature of ``auglift_hf.data.schema.DepthSource``) on ``surface-v2``.

    Same attributes as ``auglift_hf.data.schema.synthetic_depth_source`` (``channels``, ``kind``, ``contract``,
    ``depth_error``, ``gt_keypoints_from_3d``) plus ``simulation = "surface-v2"``. One body shape and one scene per
    call (one sequence), drawn from ``seed * 1_000_003 + call number``. ``severity=None`` is
    :data:`.surface_error.CALIBRATED_SEVERITY`.

    ``severity_range=(lo, hi)`` (with ``error="realistic"``; replaces ``severity``): each call (sequence) draws its
    own severity uniformly in ``[lo, hi]`` from its seed, so a training table covers a range of depth quality
    (issue 24: lifters trained for a worse depth than the calibrated one). ``encoding``: see
    :func:`auglift_hf.simulation.depth_source.simulated_depth_source`.
    """
    from .depth_error import MAX_SEVERITY
    from .depth_source import simulated_depth_source

    described: Any = error
    if severity_range is not None:
        lo, hi = (float(v) for v in severity_range)
        if not 0.0 <= lo <= hi <= MAX_SEVERITY:
            raise ValueError(f"`severity_range` must satisfy 0 <= lo <= hi <= {MAX_SEVERITY:g}, got {severity_range}")
        if error != "realistic":
            raise ValueError("`severity_range` applies to error='realistic' only")
        described = {
            **surface_error_preset(severity=lo, fps=fps).to_dict(),
            "severity": [lo, hi],
            "severity_per_sequence": "uniform in the range, drawn from the sequence's seed",
        }
        error = None
    elif isinstance(error, str):
        if error != "realistic":
            raise ValueError(f"`error` must be 'realistic', None or a SurfaceDepthError, got {error!r}")
        error = surface_error_preset(severity=CALIBRATED_SEVERITY if severity is None else severity, fps=fps)
        described = error

    def descriptors(keypoints_3d, keypoints_2d, scores, focal, center, **kwargs):  # noqa: ANN001, ANN202
        model = error
        if severity_range is not None:
            model = surface_error_preset(severity=draw_severity(kwargs["seed"], (lo, hi)), fps=fps)
        return surface_descriptors_from_joints(
            np.asarray(keypoints_3d, dtype=np.float64), keypoints_2d, scores, np.asarray(focal, dtype=np.float64).reshape(2),
            np.asarray(center, dtype=np.float64).reshape(2), error=model, **kwargs,
        )  # fmt: skip

    return simulated_depth_source(
        descriptors, mode, seed, num_samples, simulation=SIMULATION_NAME,
        body=f"{SIMULATION_NAME} surface body in a room/outdoor scene",
        error=described, encoding=encoding,
    )  # fmt: skip


__all__ = [
    "SIMULATION_NAME",
    "draw_severity",
    "surface_depth_source",
    "surface_descriptors_from_joints",
    "surface_descriptors_from_maps",
]
