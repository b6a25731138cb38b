"""From an augmented 3D pose to the lifter's input: projection, depth of the augmented body, encoding (torch).

AugLift v4 renders the augmented SMPL body and runs a monocular depth model on it, live during training. The
stand-in here is the **training table's own depth simulation** on the augmented skeleton (body, scene, error model
and descriptor read from the table's card: :mod:`.table_depth`), vectorised over the batch; without it (low-level
use) the capsule-body ray caster (:func:`auglift_hf.simulation.raycast.depth_descriptors_from_joints`) with the
older :class:`auglift_hf.simulation.depth_error.DepthCorruption`. Depth is not differentiated (a depth network is not either in
AugLift): the generators get their gradients through the 2D projection.

:func:`encode_like_processor` is the torch twin of :meth:`auglift_hf.PoseLiftingProcessor.encode` for H36M-17
pixel input (channels ``x, y, c, d, d_min, d_max``, scale normalisation included), so augmented poses are encoded
exactly as the saved processor encodes real inputs (``tests/simulation/test_poseaug.py`` checks equality).
"""

from __future__ import annotations

from typing import Any

import torch

from ...features.scale_normalization import apply_scale_normalization
from ...skeleton import PELVIS


def project_pinhole(pose: torch.Tensor, focal: torch.Tensor, center: torch.Tensor) -> torch.Tensor:
    """``(B, 17, 3)`` camera metres, ``focal``/``center`` ``(B, 2)`` pixels -> ``(B, 17, 2)`` pixels (differentiable)."""
    z = pose[..., 2:3].clamp(min=1e-3)
    return pose[..., :2] / z * focal[:, None] + center[:, None]


def project_pinhole_clamped(pose: torch.Tensor, focal: torch.Tensor, center: torch.Tensor) -> torch.Tensor:
    """PoseAug's ``project_to_2d`` without distortion (``common/camera.py:55``): ``clamp(X / Z, -1, 1) * f + c``.

    ``(B, 17, 3)`` -> ``(B, 17, 2)`` pixels. The clamp keeps the 2D of freely translated poses (RT's ``t_z = w^2``
    can be ~0 or put joints behind the camera) bounded for the 2D discriminator; poses fully inside the image
    (``|X / Z| < 1`` for any usual field of view) project exactly as :func:`project_pinhole`.
    """
    z = pose[..., 2:3]
    z = torch.where(z.abs() < 1e-6, torch.full_like(z, 1e-6), z)
    return (pose[..., :2] / z).clamp(-1.0, 1.0) * focal[:, None] + center[:, None]


def inside_image(
    uv: torch.Tensor, pose: torch.Tensor, image_size: torch.Tensor, min_depth: float = 0.1
) -> torch.Tensor:
    """``(B,)`` bool: every joint in front of the camera (z > ``min_depth`` m) and inside ``image_size`` ``(B, 2)``."""
    w, h = image_size[:, 0:1], image_size[:, 1:2]
    ok = (uv[..., 0] >= 0) & (uv[..., 0] <= w) & (uv[..., 1] >= 0) & (uv[..., 1] <= h) & (pose[..., 2] > min_depth)
    return ok.all(-1)


@torch.no_grad()
def augmented_depth(
    pose: torch.Tensor,
    focal: torch.Tensor,
    center: torch.Tensor,
    image_size: torch.Tensor | None = None,
    mode: str = "point",
    corruption: Any = "default",
    generator: torch.Generator | int = 0,
    num_samples: int = 16,
    simulation: Any = None,
) -> torch.Tensor:
    """Depth descriptors ``(B, 17, k)`` (metres) of augmented bodies, sampled at their exact projections.

    Args:
        pose: ``(B, 17, 3)`` augmented camera-frame joints (metres).
        focal, center: ``(B, 2)`` pixels. image_size: ``(B, 2)`` or ``None`` (no border clamp; capsule only).
        mode: ``"point"`` (k=1), ``"minmax"`` (k=2) or ``"casp"`` (k=3, ``num_samples`` rays per joint).
        corruption: a :class:`~auglift_hf.simulation.depth_error.DepthCorruption`, ``"default"`` (its defaults) or ``None``.
        generator: seed or ``torch.Generator`` of the corruption.
        simulation: an :class:`~auglift_hf.simulation.poseaug.table_depth.AugmentedDepthSimulation` (the training
            table's simulation, error model and descriptor, what PoseAug training uses): then ``mode``,
            ``corruption`` and ``num_samples`` are the simulation's (``mode="casp"`` asks a legacy one for CASP).
    """
    from ..depth_error import DepthCorruption
    from ..raycast import depth_descriptors_from_joints

    if simulation is not None:
        seed = generator
        if isinstance(generator, torch.Generator):
            seed = int(torch.randint(0, 2**31 - 1, (1,), generator=generator))
        return simulation.descriptors(pose, focal, center, image_size, int(seed), needs_extrema=mode == "casp")

    if isinstance(corruption, str):
        if corruption != "default":
            raise ValueError(f"`corruption` must be a DepthCorruption, 'default' or None, got {corruption!r}")
        corruption = DepthCorruption()
    size = None
    if image_size is not None:
        size = (float(image_size[0, 0]), float(image_size[0, 1]))
    chunk = max(int(pose.shape[0]), 1) if mode == "point" else 256  # measured fastest (bench_poseaug_depth.py)
    return depth_descriptors_from_joints(  # float32: 2x faster than float64; differences < 0.1 mm
        pose.detach().float(), None, None, focal.float(), center.float(), mode=mode, corruption=corruption,
        seed=generator, image_size=size, num_samples=num_samples, chunk_size=chunk,
    ).to(pose.dtype)  # fmt: skip


def encode_like_processor(
    processor: Any,
    keypoints_2d: torch.Tensor,
    image_size: torch.Tensor,
    depth: torch.Tensor | None = None,
    scores: torch.Tensor | None = None,
) -> torch.Tensor:
    """Torch twin of ``processor.encode`` for H36M-17 pixels: ``(B, 17, 2)`` -> ``(B, 17, C)`` (differentiable in 2D).

    Args:
        processor: a :class:`~auglift_hf.PoseLiftingProcessor` (reads ``input_channels``, ``max_depth``,
            ``max_depth_offset``, ``depth_reference``, ``scale_normalization``, ``box_size_mean``,
            ``reference_depth``).
        keypoints_2d: ``(B, 17, 2)`` pixels. image_size: ``(B, 2)`` (width, height) pixels.
        depth: ``(B, 17, 1)`` ``[d]`` or ``(B, 17, 3)`` ``[d, d_min, d_max]`` metres.
        scores: ``(B, 17)`` in [0, 1] (default 1 for a ``c`` channel: ground-truth 2D).
    """
    channels = list(processor.input_channels)
    encoding = (getattr(processor, "depth_descriptor", None) or {}).get("encoding", "package")
    if encoding != "package" and any(c.startswith("d") for c in channels):
        raise ValueError(
            f"encode_like_processor: the processor's depth encoding {encoding!r} is not implemented here (pelvis- or "
            "nearest-relative clipped depth only)"
        )
    if getattr(processor, "coordinate_normalization", "videopose3d") != "videopose3d":
        raise ValueError(
            "encode_like_processor: only the VideoPose3D conventions are implemented (confidence 2c - 1); the processor "
            f"uses coordinate_normalization={processor.coordinate_normalization!r}"
        )
    mode = getattr(processor, "scale_normalization", None)
    d = depth[..., 0] if depth is not None else None
    if (mode == "depth" or any(c.startswith("d") for c in channels)) and d is None:
        raise ValueError(f"encode_like_processor: channels {channels} / scale_normalization {mode!r} need `depth`")
    w, h = image_size[:, 0:1, None], image_size[:, 1:2, None]
    kp = keypoints_2d
    if mode == "box":
        kp = apply_scale_normalization(kp, "box", box_size_mean=processor.box_size_mean)
    elif mode == "depth":
        from ...features.scale_normalization import depth_rescale

        centre = torch.cat([w, h], -1)[:, 0] / 2.0
        kp = depth_rescale(kp, d[:, PELVIS], processor.reference_depth, centre)
    x = kp[..., 0:1] / w * 2 - 1
    y = kp[..., 1:2] / w * 2 - h / w
    chans = {"x": x, "y": y}
    if "c" in channels:
        sc = torch.ones_like(x[..., 0]) if scores is None else scores
        chans["c"] = (2 * sc.clamp(0, 1) - 1)[..., None]
    if d is not None:
        ref = d[:, PELVIS : PELVIS + 1] if processor.depth_reference == "pelvis" else d.amin(1, keepdim=True)
        m = processor.max_depth
        chans["d"] = ((d - ref).clamp(-m, m) / m)[..., None]
        if depth.shape[-1] == 3:
            mo = processor.max_depth_offset
            chans["d_min"] = ((depth[..., 1] - d).clamp(-mo, mo) / mo)[..., None]
            chans["d_max"] = ((depth[..., 2] - d).clamp(-mo, mo) / mo)[..., None]
    missing = [c for c in channels if c not in chans]
    if missing:
        raise ValueError(f"encode_like_processor: cannot produce channels {missing} from the given inputs")
    return torch.cat([chans[c] for c in channels], -1)


__all__ = ["augmented_depth", "encode_like_processor", "inside_image", "project_pinhole", "project_pinhole_clamped"]
