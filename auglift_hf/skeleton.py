"""Joint sets, mappings, flip pairs and bones.

Conventions
-----------
* **H36M-17** is the single internal joint order of the whole package, exactly as MMPose and
  VideoPose3D use it::

      0 pelvis (root)   1 r_hip    2 r_knee    3 r_ankle   4 l_hip     5 l_knee    6 l_ankle
      7 spine           8 thorax   9 neck/nose 10 head     11 l_shoulder 12 l_elbow 13 l_wrist
      14 r_shoulder     15 r_elbow 16 r_wrist

* Other skeletons (the 32-joint H36M mocap layout, COCO-17, 3DHP-28, SMPL-24, Fit3D-25) are mapped
  to H36M-17 on entry (readers / processor) and never leak further.
* Mapping functions work on arrays of shape ``(..., J, C)`` for any number of channels ``C``
  (x, y, confidence, depth, ...), numpy or torch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

H36M_JOINT_NAMES: tuple[str, ...] = (
    "pelvis",
    "r_hip",
    "r_knee",
    "r_ankle",
    "l_hip",
    "l_knee",
    "l_ankle",
    "spine",
    "thorax",
    "neck",
    "head",
    "l_shoulder",
    "l_elbow",
    "l_wrist",
    "r_shoulder",
    "r_elbow",
    "r_wrist",
)
NUM_JOINTS = 17
ROOT_INDEX = 0
PELVIS, R_HIP, R_KNEE, R_ANKLE, L_HIP, L_KNEE, L_ANKLE = range(7)
SPINE, THORAX, NECK, HEAD = 7, 8, 9, 10
L_SHOULDER, L_ELBOW, L_WRIST, R_SHOULDER, R_ELBOW, R_WRIST = 11, 12, 13, 14, 15, 16

#: Parent of each H36M-17 joint (-1 for the root), as VideoPose3D's ``remove_joints`` result.
H36M_PARENTS: tuple[int, ...] = (-1, 0, 1, 2, 0, 4, 5, 0, 7, 8, 9, 8, 11, 12, 8, 14, 15)
#: (child, parent) bones; 16 of them.
H36M_BONES: tuple[tuple[int, int], ...] = tuple((j, p) for j, p in enumerate(H36M_PARENTS) if p >= 0)
H36M_LEFT_JOINTS: tuple[int, ...] = (4, 5, 6, 11, 12, 13)
H36M_RIGHT_JOINTS: tuple[int, ...] = (1, 2, 3, 14, 15, 16)
#: Left/right joint pairs swapped by a horizontal flip.
H36M_FLIP_PAIRS: tuple[tuple[int, int], ...] = tuple(zip(H36M_LEFT_JOINTS, H36M_RIGHT_JOINTS))
#: Permutation applied by a horizontal flip: ``flipped[..., i, :] = x[..., H36M_FLIP_PERMUTATION[i], :]``.
H36M_FLIP_PERMUTATION: tuple[int, ...] = tuple(
    {**{a: b for a, b in H36M_FLIP_PAIRS}, **{b: a for a, b in H36M_FLIP_PAIRS}}.get(j, j) for j in range(17)
)

#: The 32-joint Human3.6M mocap layout (VideoPose3D ``h36m_skeleton``), and its 17-joint subset.
H36M32_PARENTS: tuple[int, ...] = (
    -1, 0, 1, 2, 3, 4, 0, 6, 7, 8, 9, 0, 11, 12, 13, 14, 12,
    16, 17, 18, 19, 20, 19, 22, 12, 24, 25, 26, 27, 28, 27, 30,
)  # fmt: skip
H36M32_TO_17: tuple[int, ...] = (0, 1, 2, 3, 6, 7, 8, 12, 13, 14, 15, 17, 18, 19, 25, 26, 27)

COCO_JOINT_NAMES: tuple[str, ...] = (
    "nose",
    "l_eye",
    "r_eye",
    "l_ear",
    "r_ear",
    "l_shoulder",
    "r_shoulder",
    "l_elbow",
    "r_elbow",
    "l_wrist",
    "r_wrist",
    "l_hip",
    "r_hip",
    "l_knee",
    "r_knee",
    "l_ankle",
    "r_ankle",
)
COCO_FLIP_PAIRS: tuple[tuple[int, int], ...] = ((1, 2), (3, 4), (5, 6), (7, 8), (9, 10), (11, 12), (13, 14), (15, 16))

#: For every H36M-17 joint, the COCO-17 joints it is the mean of (AugLift's mapping).
#: spine is the mean of pelvis and thorax, i.e. of both hips and both shoulders with equal weight.
COCO_TO_H36M_SOURCES: tuple[tuple[int, ...], ...] = (
    (11, 12),  # pelvis = mean(hips)
    (12,),  # r_hip
    (14,),  # r_knee
    (16,),  # r_ankle
    (11,),  # l_hip
    (13,),  # l_knee
    (15,),  # l_ankle
    (5, 6, 11, 12),  # spine = mean(pelvis, thorax)
    (5, 6),  # thorax = mean(shoulders)
    (0,),  # neck/nose = nose
    (1, 2),  # head = mean(eyes)
    (5,),  # l_shoulder
    (7,),  # l_elbow
    (9,),  # l_wrist
    (6,),  # r_shoulder
    (8,),  # r_elbow
    (10,),  # r_wrist
)


def _mapping_matrix(sources: tuple[tuple[int, ...], ...], num_in: int) -> np.ndarray:
    m = np.zeros((len(sources), num_in), dtype=np.float64)
    for out, src in enumerate(sources):
        m[out, list(src)] = 1.0 / len(src)
    return m


_COCO_TO_H36M_MATRIX = _mapping_matrix(COCO_TO_H36M_SOURCES, 17)


def _is_torch(x: Any) -> bool:
    return type(x).__module__.startswith("torch")


def coco_to_h36m(keypoints: Any, confidence_channel: int | None = 2) -> Any:
    """Map COCO-17 keypoints to H36M-17 with AugLift's rules (MMPose's ``convert_keypoint_definition``).

    Args:
        keypoints: ``(..., 17, C)`` array (numpy or torch) in COCO-17 order; any channels
            (x, y, confidence, depth, ...).
        confidence_channel: index of the confidence channel, or ``None``. It is averaged over the source joints
            like every other channel, as MMPose's ``convert_keypoint_definition`` (``demo/body3d_pose_lifter_demo.py``),
            which AugLift uses, maps ``(K, 3)`` keypoints with their scores: a synthesised joint (pelvis, spine,
            thorax, head) gets the **mean** confidence of its sources (:data:`COCO_TO_H36M_SOURCES`). Kept for
            the call signature; it no longer changes the result.

    Returns:
        ``(..., 17, C)`` in H36M-17 order, same type and dtype as the input.
    """
    if keypoints.ndim < 2 or keypoints.shape[-2] != 17:
        raise ValueError(f"coco_to_h36m: `keypoints` must have shape (..., 17, C), got {tuple(keypoints.shape)}")
    if _is_torch(keypoints):
        import torch

        m = torch.as_tensor(_COCO_TO_H36M_MATRIX, dtype=keypoints.dtype, device=keypoints.device)
        return torch.einsum("oi,...ic->...oc", m, keypoints)
    x = np.asarray(keypoints)
    out = np.einsum("oi,...ic->...oc", _COCO_TO_H36M_MATRIX.astype(x.dtype, copy=False), x)
    return out.astype(x.dtype, copy=False)


def h36m32_to_17(positions: Any) -> Any:
    """Select the 17-joint subset from the 32-joint mocap layout: ``(..., 32, C) -> (..., 17, C)``."""
    if positions.ndim < 2 or positions.shape[-2] != 32:
        raise ValueError(f"h36m32_to_17: `positions` must have shape (..., 32, C), got {tuple(positions.shape)}")
    return positions[..., list(H36M32_TO_17), :]


def flip_keypoints(
    keypoints: Any, flip_permutation: tuple[int, ...] = H36M_FLIP_PERMUTATION, x_channel: int = 0
) -> Any:
    """Horizontal flip: negate channel ``x_channel`` and swap left/right joints.

    Assumes x is centred at 0 (screen-normalised 2D or camera-frame 3D), so mirroring is ``x -> -x``.
    Works on ``(..., 17, C)`` numpy arrays or torch tensors; returns a new array.
    """
    perm = list(flip_permutation)
    if _is_torch(keypoints):
        out = keypoints[..., perm, :].clone()
    else:
        out = np.array(keypoints)[..., perm, :].copy()
    out[..., x_channel] = -out[..., x_channel]
    return out


def bone_lengths(joints: Any) -> Any:
    """Lengths of the 16 H36M bones: ``(..., 17, 3) -> (..., 16)``, same unit as the input."""
    child = [c for c, _ in H36M_BONES]
    parent = [p for _, p in H36M_BONES]
    diff = joints[..., child, :] - joints[..., parent, :]
    if _is_torch(joints):
        return diff.norm(dim=-1)
    return np.linalg.norm(diff, axis=-1)
