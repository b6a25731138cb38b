"""Viewpoint augmentation: the same motion seen by random virtual cameras (offline, PoseAug's RT idea).

Human3.6M films every take with the same four cameras (room corners, 1.5-1.6 m high, ~5.2 m from the subject,
focal ~1147 px on a 1000 px wide image), so a lifter trained on it sees four viewpoints of a few thousand poses
and learns them as a prior: a pose it has not seen from these cameras (another dataset's motion, another
camera height or distance) leaves that prior. PoseAug's RT generator (Zhang et al., CVPR 2021) answers by
rotating and translating the 3D pose before projecting it; this module is its random, non-adversarial,
temporally consistent counterpart used to build augmented training tables: a static virtual camera per sequence
(:func:`auglift_hf.simulation.motion.random_camera`: random azimuth, no roll, aimed at the sequence's mean
pelvis, focal lowered when needed so the whole sequence stays in the image).

The ranges (:data:`VIRTUAL_CAMERAS`) span the capture set-ups of the public 3D-pose datasets, not any
evaluation table:

* horizontal distance 2.5-6 m from the sequence's mean pelvis *plus* the radius of its pelvis trajectory (the
  person never comes closer than 2.5 m): from 3DPW's hand-held phones (subjects ~30 % closer than H36M's
  5.15 m mean, AugLift arXiv 2508.07112 Sec. 4) to H36M's room corners;
* height 0.5-2.5 m: from a low tripod to a camera near a capture room's ceiling (H36M 1.5-1.6 m; MPI-INF-3DHP,
  Mehta et al. 3DV 2017, mixes chest-height cameras with ceiling-mounted ones looking down);
* focal 700-1600 px on a 1000 x 1000 image: a phone's main camera (26 mm-equivalent lens, ~65 deg horizontal
  field of view, ~785 px) to a mild telephoto, with H36M's ~1147 px inside the range;
* azimuth uniform over 360 deg (people face every way relative to a camera), principal point at the image
  centre (+- 2 px), no lens distortion; every joint of every frame inside the image with a 5 % margin.

Note for evaluation: ``benchmarks/reference/build_data.py``'s out-of-domain test cameras (0.7 x H36M's distance,
0.5-2.6 m high, focal 800 / 1500 px) fall inside these ranges, so a lifter trained with this augmentation is no
longer out of its *viewpoint* distribution there; a second motion domain (the CMU table) stays a true
cross-dataset test.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from .motion import Seed, random_camera


@dataclass(frozen=True)
class VirtualCameraRanges:
    """Ranges of :func:`virtual_camera` (uniform draws); the sources are in the module docstring.

    Attributes:
        distance: horizontal metres from the mean pelvis, added to the pelvis trajectory's radius.
        height: metres above the floor (world z, z up).
        focal: pixels (square pixels), before lowering to keep the sequence in the image.
        image_size: ``(width, height)`` pixels.
        margin: fraction of the image size kept free at every border.
    """

    distance: tuple[float, float] = (2.5, 6.0)
    height: tuple[float, float] = (0.5, 2.5)
    focal: tuple[float, float] = (700.0, 1600.0)
    image_size: tuple[int, int] = (1000, 1000)
    margin: float = 0.05

    def __post_init__(self) -> None:
        for name in ("distance", "height", "focal"):
            lo, hi = getattr(self, name)
            if not (np.isfinite(lo) and np.isfinite(hi) and 0 < lo <= hi):
                raise ValueError(f"VirtualCameraRanges.{name} must be a finite range 0 < low <= high, got {(lo, hi)}")
        if not 0 <= self.margin < 0.5:
            raise ValueError(f"VirtualCameraRanges.margin must be in [0, 0.5), got {self.margin}")

    def to_dict(self) -> dict:
        return asdict(self)


#: The documented preset (module docstring).
VIRTUAL_CAMERAS = VirtualCameraRanges()


def virtual_camera(joints_world: np.ndarray, seed: Seed = None, ranges: VirtualCameraRanges | None = None) -> dict:
    """A random static camera for one sequence ``(T, 17, 3)`` world metres (z up, floor at z ~ 0).

    Returns the MMPose ``cameras.pkl`` dict ``{"R" (3, 3), "T" (3,), "f" (2,), "c" (2,), "w", "h"}`` with
    ``X_cam = (X_world - T) @ R``.
    """
    r = ranges or VIRTUAL_CAMERAS
    return random_camera(
        joints_world, seed, distance=r.distance, height=r.height, focal=r.focal, image_size=r.image_size,
        margin=r.margin,
    )  # fmt: skip
