"""Simulation of the inputs real models produce, for training and evaluating lifters on mocap without images.

One package (DESIGN.md: "simulation is a product, not a test helper"), one module per concept:

* :mod:`.motion` -- procedural human motion over the H36M-17 skeleton and random cameras;
* :mod:`.renderer` -- the capsule body and its z-buffer depth renderer;
* :mod:`.raycast` -- per-joint depth descriptors by analytic ray casting (fast path, same numbers as sampling
  the rendered map);
* :mod:`.detector2d` -- the 2D-detector noise model;
* :mod:`.depth_error` -- monocular depth-estimator error models.

Every parameter cites its source in its docstring or comment.
"""

from .depth_error import DepthCorruption, corrupt_depth, gaussian_blur
from .detector2d import DetectorNoise, apply_detector_noise
from .motion import (
    BONE_LENGTHS,
    MOTION_TYPES,
    generate_motion,
    generate_sequences,
    look_at_camera,
    project_sequence,
    random_camera,
    sample_bone_lengths,
)
from .raycast import casp_from_joints, depth_descriptors_from_joints
from .renderer import HEAD_SPHERE, body_capsules, project_joints, ray_cast_capsules, render_depth

__all__ = [
    "BONE_LENGTHS",
    "HEAD_SPHERE",
    "MOTION_TYPES",
    "DepthCorruption",
    "DetectorNoise",
    "apply_detector_noise",
    "body_capsules",
    "casp_from_joints",
    "corrupt_depth",
    "depth_descriptors_from_joints",
    "gaussian_blur",
    "generate_motion",
    "generate_sequences",
    "look_at_camera",
    "project_joints",
    "project_sequence",
    "random_camera",
    "ray_cast_capsules",
    "render_depth",
    "sample_bone_lengths",
]
