"""Simulation of the inputs real models produce, for training and evaluating lifters on mocap without images.

One package (DESIGN.md: "simulation is a product, not a test helper"), one module per concept:

* :mod:`.motion` -- procedural human motion over the H36M-17 skeleton and random cameras;
* :mod:`.renderer` -- the capsule body and its z-buffer depth renderer;
* :mod:`.raycast` -- per-joint depth descriptors by analytic ray casting (fast path, same numbers as sampling
  the rendered map);
* :mod:`.keypoints_coco` -- COCO-17 surface landmarks (where COCO detectors put keypoints) from the 3D skeleton;
* :mod:`.detector2d` -- 2D-detector models: the simple per-frame noise on H36M joints, and detector-definition
  2D (COCO landmarks, temporally correlated noise, occlusion-dependent error and confidence, ``coco_to_h36m``),
  and the same error process on the H36M joints themselves (``simulate_joint_detector``);
* :mod:`.proportions` -- body-proportion augmentation (PoseAug's bone-length groups and range, applied at random);
* :mod:`.viewpoints` -- viewpoint augmentation (random static virtual cameras spanning the public datasets' set-ups);
* :mod:`.depth_error` -- monocular depth-estimator error models (the simple corruption, and
  :class:`MonocularDepthError` with one ``severity`` and a Depth Anything V2 metric preset);
* :mod:`.surface`, :mod:`.surface_error`, :mod:`.surface_depth` -- the ``surface-v2`` depth simulation (issue 24;
  the default, at the calibrated severity): a body surface off the joint chain on a floor in a room, a part-aware
  error model on the terms that survive the pelvis-relative encoding, and its per-joint descriptors / frame-table
  depth source. ``capsule-v1`` (:mod:`.renderer`, :mod:`.raycast`, :mod:`.depth_error`) stays available.

Every parameter cites its source in its docstring or comment.
"""

from .depth_error import (
    DEPTH_ERROR_PRESETS,
    DepthCorruption,
    MonocularDepthError,
    corrupt_depth,
    depth_error_preset,
    gaussian_blur,
)
from .detector2d import (
    COCO_OKS_SIGMAS,
    H36M_OKS_SIGMAS,
    DetectorNoise,
    RealisticDetectorNoise,
    apply_detector_noise,
    landmark_hidden,
    simulate_coco_detector,
    simulate_joint_detector,
)
from .keypoints_coco import CocoLandmarkOffsets, body_frame, coco_landmarks_3d, facing_away
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
from .proportions import bone_lengths, random_bone_ratios, scale_bone_lengths
from .raycast import casp_from_joints, depth_descriptors_from_joints
from .renderer import HEAD_SPHERE, body_capsules, project_joints, ray_cast_capsules, render_depth
from .surface import BodyShape, SceneSpec, render_surface
from .surface_depth import surface_depth_source, surface_descriptors_from_joints, surface_descriptors_from_maps
from .surface_error import SurfaceDepthError, surface_error_preset
from .viewpoints import VIRTUAL_CAMERAS, VirtualCameraRanges, virtual_camera

__all__ = [
    "BodyShape",
    "SceneSpec",
    "SurfaceDepthError",
    "render_surface",
    "surface_depth_source",
    "surface_descriptors_from_joints",
    "surface_descriptors_from_maps",
    "surface_error_preset",
    "BONE_LENGTHS",
    "COCO_OKS_SIGMAS",
    "H36M_OKS_SIGMAS",
    "DEPTH_ERROR_PRESETS",
    "CocoLandmarkOffsets",
    "MonocularDepthError",
    "RealisticDetectorNoise",
    "VIRTUAL_CAMERAS",
    "VirtualCameraRanges",
    "body_frame",
    "coco_landmarks_3d",
    "depth_error_preset",
    "facing_away",
    "landmark_hidden",
    "simulate_coco_detector",
    "simulate_joint_detector",
    "HEAD_SPHERE",
    "MOTION_TYPES",
    "DepthCorruption",
    "DetectorNoise",
    "apply_detector_noise",
    "body_capsules",
    "bone_lengths",
    "random_bone_ratios",
    "scale_bone_lengths",
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
    "virtual_camera",
    "sample_bone_lengths",
]
