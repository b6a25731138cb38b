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

import dataclasses
import re
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


# --------------------------------------------------------------------------------------------------------
# Named 2D keypoint formats of other tools, and how each reaches H36M-17
# --------------------------------------------------------------------------------------------------------
#
# Every format below that carries the 17 COCO body keypoints is mapped by first selecting them (by name, in
# COCO order) and then applying AugLift's COCO-17 -> H36M-17 rule (:func:`coco_to_h36m`), so a lifter trained on
# COCO-detector joints sees the joints it was trained on. Sources of the joint orders:
#
# * COCO-17: the ``person`` category of the COCO keypoints annotations (cocodataset.org/#format-data).
# * Halpe-26 and Halpe-136 (AlphaPose): AlphaPose ``docs/output.md``; joints 0-16 are COCO-17, then head, neck,
#   hip, big/small toes and heels (Halpe-136 adds face and hands after those 26).
# * COCO-WholeBody-133 (MMPose / RTMPose ``wholebody``): Jin et al., ECCV 2020; joints 0-16 are COCO-17.
# * OpenPose BODY_25 and COCO-18: OpenPose ``doc/02_output.md`` (``poseParameters.cpp``); 0 = nose, 1 = neck
#   (synthesised), then right/left arms, (BODY_25: 8 = mid-hip), legs, eyes, ears (BODY_25: then feet). The
#   COCO-17 joints are present by name (OpenPose's COCO models were trained on COCO's keypoints).
# * BlazePose-33 (MediaPipe Pose landmarker, ``pose_landmarker`` model card): 0 nose, 1-6 eye inner/centre/
#   outer, 7-8 ears, 9-10 mouth, 11-16 arms, 17-22 hands, 23-28 legs, 29-32 feet. Its ``left_eye`` (2),
#   ``right_eye`` (5), ears, shoulders, elbows, wrists, hips, knees and ankles name the COCO landmarks. The
#   landmarks come from a different detector with its own annotation protocol (its hips in particular sit
#   higher than COCO's), so a lifter trained on COCO detections sees a shifted input: expect larger errors.

COCO_KEYPOINT_NAMES: tuple[str, ...] = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder", "left_elbow",
    "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle",
    "right_ankle",
)  # fmt: skip
HALPE26_KEYPOINT_NAMES: tuple[str, ...] = COCO_KEYPOINT_NAMES + (
    "head", "neck", "hip", "left_big_toe", "right_big_toe", "left_small_toe", "right_small_toe", "left_heel",
    "right_heel",
)  # fmt: skip
OPENPOSE_BODY25_KEYPOINT_NAMES: tuple[str, ...] = (
    "nose", "neck", "right_shoulder", "right_elbow", "right_wrist", "left_shoulder", "left_elbow", "left_wrist",
    "mid_hip", "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle", "right_eye",
    "left_eye", "right_ear", "left_ear", "left_big_toe", "left_small_toe", "left_heel", "right_big_toe",
    "right_small_toe", "right_heel",
)  # fmt: skip
OPENPOSE_COCO18_KEYPOINT_NAMES: tuple[str, ...] = (
    "nose", "neck", "right_shoulder", "right_elbow", "right_wrist", "left_shoulder", "left_elbow", "left_wrist",
    "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle", "right_eye", "left_eye",
    "right_ear", "left_ear",
)  # fmt: skip
BLAZEPOSE33_KEYPOINT_NAMES: tuple[str, ...] = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye", "right_eye_outer",
    "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder", "right_shoulder", "left_elbow",
    "right_elbow", "left_wrist", "right_wrist", "left_pinky", "right_pinky", "left_index", "right_index",
    "left_thumb", "right_thumb", "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
    "left_heel", "right_heel", "left_foot_index", "right_foot_index",
)  # fmt: skip
#: H36M-17 as MMPose names it (``configs/_base_/datasets/h36m.py``), in the package's joint order.
H36M_KEYPOINT_NAMES: tuple[str, ...] = (
    "root", "right_hip", "right_knee", "right_foot", "left_hip", "left_knee", "left_foot", "spine", "thorax",
    "neck_base", "head", "left_shoulder", "left_elbow", "left_wrist", "right_shoulder", "right_elbow", "right_wrist",
)  # fmt: skip


@dataclasses.dataclass(frozen=True)
class KeypointFormat:
    """A named 2D keypoint layout: ``num_keypoints`` per person, joint ``names`` (``()`` when only the count
    is published in a form we match, e.g. the 133 whole-body points), and ``coco_indices``: where the 17
    COCO joints sit (``None`` for H36M-17, which is the package's own order)."""

    name: str
    num_keypoints: int
    names: tuple[str, ...]
    coco_indices: tuple[int, ...] | None


def _coco_indices(names: tuple[str, ...]) -> tuple[int, ...]:
    return tuple(names.index(n) for n in COCO_KEYPOINT_NAMES)


#: Every format a keypoint file may declare (``--keypoint-format`` / the file's ``categories`` / its count).
KEYPOINT_FORMATS: dict[str, KeypointFormat] = {
    f.name: f
    for f in (
        KeypointFormat("coco17", 17, COCO_KEYPOINT_NAMES, tuple(range(17))),
        KeypointFormat("h36m17", 17, H36M_KEYPOINT_NAMES, None),
        KeypointFormat("halpe26", 26, HALPE26_KEYPOINT_NAMES, tuple(range(17))),
        KeypointFormat("halpe136", 136, (), tuple(range(17))),
        KeypointFormat("coco_wholebody133", 133, (), tuple(range(17))),
        KeypointFormat("openpose_body25", 25, OPENPOSE_BODY25_KEYPOINT_NAMES, _coco_indices(OPENPOSE_BODY25_KEYPOINT_NAMES)),
        KeypointFormat("openpose_coco18", 18, OPENPOSE_COCO18_KEYPOINT_NAMES, _coco_indices(OPENPOSE_COCO18_KEYPOINT_NAMES)),
        KeypointFormat("blazepose33", 33, BLAZEPOSE33_KEYPOINT_NAMES, _coco_indices(BLAZEPOSE33_KEYPOINT_NAMES)),
    )
}  # fmt: skip
#: Aliases accepted for format names (lower case, ``-``/space -> ``_``).
KEYPOINT_FORMAT_ALIASES: dict[str, str] = {
    "coco": "coco17", "coco_17": "coco17", "h36m": "h36m17", "h36m_17": "h36m17", "halpe": "halpe26",
    "halpe_26": "halpe26", "halpe_136": "halpe136", "wholebody": "coco_wholebody133", "coco_wholebody": "coco_wholebody133",
    "body25": "openpose_body25", "body_25": "openpose_body25", "openpose": "openpose_body25", "coco18": "openpose_coco18",
    "coco_18": "openpose_coco18", "blazepose": "blazepose33", "blazepose_33": "blazepose33", "mediapipe": "blazepose33",
}  # fmt: skip
#: The keypoint counts that identify one format when a file declares nothing else.
FORMAT_BY_COUNT: dict[int, str] = {17: "coco17", 26: "halpe26", 136: "halpe136", 133: "coco_wholebody133",
                                   25: "openpose_body25", 18: "openpose_coco18", 33: "blazepose33"}  # fmt: skip

_SIDE_PREFIXES = (("left_", "left_"), ("right_", "right_"), ("l_", "left_"), ("r_", "right_"))
_NAME_SYNONYMS = {
    "pelvis": "root", "root_pelvis": "root", "hip_root": "root", "hips": "root", "mid_hip": "mid_hip",
    "midhip": "mid_hip", "neck": "neck", "neck_nose": "neck_base", "thorax": "thorax", "spine": "spine",
    "head_top": "head", "headtop": "head",
}  # fmt: skip
_PART_SYNONYMS = {"foot": "ankle", "ankle": "ankle", "hand": "wrist"}


def canonical_keypoint_name(name: str) -> str:
    """Normalise a joint name for matching declarations: lower case, separators -> ``_``, ``L``/``R``/``l_``
    prefixes -> ``left_``/``right_`` (``LShoulder``, ``l_shoulder``, ``left-shoulder`` -> ``left_shoulder``)."""
    raw = str(name).strip()
    camel = re.match(r"^([LR])([A-Z][A-Za-z]*)$", raw)  # OpenPose's "LShoulder", "RBigToe"
    if camel:
        raw = ("left_" if camel.group(1) == "L" else "right_") + re.sub(r"(?<!^)([A-Z])", r"_\1", camel.group(2))
    s = re.sub(r"[^a-z0-9]+", "_", raw.lower()).strip("_")
    for prefix, side in _SIDE_PREFIXES:
        if s.startswith(prefix):
            return side + s[len(prefix) :]
    return _NAME_SYNONYMS.get(s, s)


def _h36m_part(name: str) -> str | None:
    """H36M-17 joint of a canonical name, side-specific (``left_knee``), or ``None``."""
    c = canonical_keypoint_name(name)
    if c in ("root", "spine", "thorax", "head"):
        return c
    if c in ("neck_base", "neck", "nose", "neck_nose"):
        return "neck_base"
    m = re.match(r"^(left|right)_(hip|knee|ankle|foot|shoulder|elbow|wrist|hand)$", c)
    if m:
        return f"{m.group(1)}_{_PART_SYNONYMS.get(m.group(2), m.group(2))}"
    return None


_H36M_PARTS = tuple(_h36m_part(n) for n in H36M_KEYPOINT_NAMES)


def _sideless(part: str) -> str:
    return part.split("_", 1)[1] if part.startswith(("left_", "right_")) else part


@dataclasses.dataclass(frozen=True)
class DetectedFormat:
    """Result of :func:`detect_keypoint_format`: the format, the permutation ``order`` that puts the file's
    keypoints into the format's canonical order (``None`` = as stored), how it was recognised (``evidence``) and
    ``notes`` worth a warning."""

    format: KeypointFormat
    order: tuple[int, ...] | None
    evidence: str
    notes: tuple[str, ...] = ()


def resolve_keypoint_format(name: str) -> KeypointFormat:
    """A format by name or alias (``"coco"``, ``"body25"``, ``"blazepose"``, ...); ``ValueError`` lists the known ones."""
    key = re.sub(r"[^a-z0-9]+", "_", str(name).lower()).strip("_")
    key = KEYPOINT_FORMAT_ALIASES.get(key, key)
    if key not in KEYPOINT_FORMATS:
        raise ValueError(f"unknown keypoint format {name!r}; known: {sorted(KEYPOINT_FORMATS)}")
    return KEYPOINT_FORMATS[key]


def detect_keypoint_format(names: Any = None, num_keypoints: int | None = None) -> DetectedFormat:
    """Identify a file's 2D keypoint layout from its own declaration.

    Args:
        names: the joint names the file declares (COCO ``categories[].keypoints``), or ``None``.
        num_keypoints: keypoints per person in the data (checked against the declaration).

    Rules, in order: declared names equal to a known format's (after :func:`canonical_keypoint_name`) -> that
    format as stored; a declaration naming the H36M-17 joints (root/pelvis, spine, thorax, neck, head and the
    limbs) -> H36M-17 (see below); declared names that are a permutation of a known format's -> reordered by
    name; no declaration -> the count (:data:`FORMAT_BY_COUNT`). Anything else raises ``ValueError`` (an unknown
    skeleton is refused, never guessed).

    H36M-17 declarations whose side-less joint sequence is H36M's (pelvis, hip, knee, ankle, hip, knee, ankle,
    spine, thorax, neck, head, shoulder, elbow, wrist, shoulder, elbow, wrist) are read in the H36M-17 index
    order whatever their left/right labels say: MMPose's own ``tests/data/h36m/h36m_coco.json`` labels joints
    1-3 ``left_*`` although its keypoints are the standard order (identical to ``test_h36m_body3d.npz``'s
    ``part``, whose joints 1-3 are on the same side as 14-16, the right arm); a note records the mismatch.
    Other H36M declarations are reordered by name.
    """
    if names is None:
        if num_keypoints is None:
            raise ValueError("no keypoint names or count to identify the keypoint format")
        if num_keypoints not in FORMAT_BY_COUNT:
            raise ValueError(
                f"{num_keypoints} keypoints per person match no known format ({_known_counts()}); "
                "pass --keypoint-format or convert the file"
            )
        fmt = KEYPOINT_FORMATS[FORMAT_BY_COUNT[num_keypoints]]
        return DetectedFormat(fmt, None, f"{num_keypoints} keypoints per person")
    declared = [str(n) for n in names]
    if num_keypoints is not None and num_keypoints != len(declared):
        raise ValueError(
            f"the file declares {len(declared)} keypoint names but holds {num_keypoints} keypoints per person"
        )
    canon = [canonical_keypoint_name(n) for n in declared]
    for fmt in KEYPOINT_FORMATS.values():
        if fmt.names and fmt.name != "h36m17" and canon == [canonical_keypoint_name(n) for n in fmt.names]:
            return DetectedFormat(fmt, None, f"declared joint names ({fmt.name})")
    parts = [_h36m_part(n) for n in declared]
    if len(declared) == NUM_JOINTS and None not in parts and len(set(parts)) == NUM_JOINTS:
        fmt = KEYPOINT_FORMATS["h36m17"]
        if [_sideless(p) for p in parts] == [_sideless(p) for p in _H36M_PARTS]:
            mismatched = [i for i, (p, q) in enumerate(zip(parts, _H36M_PARTS)) if p != q]
            notes = ()
            if mismatched:
                notes = (
                    f"the declared left/right labels of joints {mismatched} differ from H36M-17's; the keypoints are "
                    "read in the standard H36M-17 order (as MMPose writes these files)",
                )
            return DetectedFormat(fmt, None, "declared H36M-17 joint names", notes)
        order = tuple(parts.index(p) for p in _H36M_PARTS)
        return DetectedFormat(fmt, order, "declared H36M-17 joint names (reordered by name)")
    for fmt in KEYPOINT_FORMATS.values():
        if fmt.names and len(fmt.names) == len(canon):
            target = [canonical_keypoint_name(n) for n in fmt.names]
            if sorted(target) == sorted(canon) and len(set(canon)) == len(canon):
                order = tuple(canon.index(t) for t in target)
                return DetectedFormat(fmt, order, f"declared joint names ({fmt.name}, reordered by name)")
    raise ValueError(
        f"the declared keypoints {declared[:6]}{' ...' if len(declared) > 6 else ''} ({len(declared)} joints) match "
        f"no known format ({', '.join(sorted(KEYPOINT_FORMATS))}); pass --keypoint-format or convert the file"
    )


def _known_counts() -> str:
    return ", ".join(f"{n} = {f}" for n, f in sorted(FORMAT_BY_COUNT.items()))


def to_h36m(keypoints: np.ndarray, fmt: KeypointFormat, order: tuple[int, ...] | None = None) -> np.ndarray:
    """``(..., J, C)`` keypoints of a named format -> ``(..., 17, C)`` H36M-17 (channel 2 = confidence).

    ``order`` (from :func:`detect_keypoint_format`) first puts the joints in the format's canonical order; then
    H36M-17 passes through, and every other format selects its 17 COCO joints and applies :func:`coco_to_h36m`.
    """
    x = np.asarray(keypoints)
    if order is not None:
        x = x[..., list(order), :]
    if x.shape[-2] != fmt.num_keypoints:
        raise ValueError(f"{fmt.name} has {fmt.num_keypoints} keypoints per person, got {x.shape[-2]}")
    if fmt.coco_indices is None:
        return x.copy()
    return coco_to_h36m(x[..., list(fmt.coco_indices), :], confidence_channel=2)
