"""Body-proportion augmentation: the same motion performed by people (and skeleton definitions) of other proportions.

Human3.6M's five training subjects share one joint definition and similar proportions, so a lifter learns
their bone-length ratios as a prior; another dataset's skeleton (e.g. the CMU mocap: hips ~30 % narrower and
forearms ~25 % shorter than H36M's, ``../shared/data/README.md``) breaks that prior even on motions H36M has.
PoseAug (Zhang et al., CVPR 2021) answers with its bone-length (BL) generator; this module is its random,
non-adversarial counterpart, used to build augmented training tables offline:

* the 16 bones of H36M-17 are scaled per **symmetric group** (left/right bones together:
  :data:`SYMMETRIC_BONE_GROUPS`, the groups of PoseAug's BL on this skeleton);
* each group's ratio is drawn uniformly in ``1 +- limit`` with ``limit = 0.2`` (PoseAug's ``blr_tanhlimit``,
  reference ``function_poseaug/config.py``), one draw per sequence (a person does not change shape);
* the spine-thorax group stays at ratio 1 as PoseAug masks it (:data:`POSEAUG_FIXED_GROUPS`);
* the root (pelvis) stays where it is and every bone keeps its direction, so the motion, the camera and the
  root trajectory are unchanged: only the joints' positions relative to the pelvis move.

The ranges come from PoseAug, not from any evaluation set (the CMU table is evaluation-only).
"""

from __future__ import annotations

import numpy as np

from ..skeleton import H36M_BONES, NUM_JOINTS

NUM_BONES = len(H36M_BONES)  # 16; bone b joins joint b + 1 to its parent
#: Symmetric bone groups (indices into :data:`auglift_hf.skeleton.H36M_BONES`): hip, thigh, shin, pelvis-spine,
#: spine-thorax, neck, head, shoulder, upper arm, forearm (PoseAug's 9 BL groups with neck and head separate).
SYMMETRIC_BONE_GROUPS: tuple[tuple[int, ...], ...] = (
    (0, 3), (1, 4), (2, 5), (6,), (7,), (8,), (9,), (10, 13), (11, 14), (12, 15),
)  # fmt: skip
#: Groups PoseAug's BL keeps fixed (its 5th group, the spine-thorax segment).
POSEAUG_FIXED_GROUPS: tuple[int, ...] = (4,)
#: PoseAug's bone-length ratio limit (``blr_tanhlimit``): ratios in ``1 +- 0.2``.
POSEAUG_RATIO_LIMIT = 0.2


def ancestry_matrix() -> np.ndarray:
    """``(17, 16)``: ``A[j, b] = 1`` if bone ``b`` lies on the path from the root to joint ``j``."""
    parents = dict(H36M_BONES)
    a = np.zeros((NUM_JOINTS, NUM_BONES))
    for j in range(1, NUM_JOINTS):
        k = j
        while k != 0:
            a[j, k - 1] = 1.0
            k = parents[k]
    return a


_ANCESTRY = ancestry_matrix()
_CHILD = np.array([c for c, _ in H36M_BONES])
_PARENT = np.array([p for _, p in H36M_BONES])
#: ``(16,)`` index of each bone's group in :data:`SYMMETRIC_BONE_GROUPS`.
_GROUP_OF_BONE = np.array(
    [next(g for g, bones in enumerate(SYMMETRIC_BONE_GROUPS) if b in bones) for b in range(NUM_BONES)]
)


def random_bone_ratios(
    seed: int | np.random.Generator | None = None,
    limit: float = POSEAUG_RATIO_LIMIT,
    fixed_groups: tuple[int, ...] = POSEAUG_FIXED_GROUPS,
    size: int | None = None,
) -> np.ndarray:
    """Per-bone length ratios ``(16,)`` (or ``(size, 16)``): one uniform ``1 +- limit`` draw per symmetric group."""
    if not 0 <= limit < 1:
        raise ValueError(f"`limit` must be in [0, 1), got {limit}")
    rng = np.random.default_rng(seed)
    shape = (len(SYMMETRIC_BONE_GROUPS),) if size is None else (size, len(SYMMETRIC_BONE_GROUPS))
    group_ratio = 1.0 + rng.uniform(-limit, limit, shape)
    group_ratio[..., list(fixed_groups)] = 1.0
    return group_ratio[..., _GROUP_OF_BONE]


def scale_bone_lengths(joints: np.ndarray, ratios: np.ndarray) -> np.ndarray:
    """Scale every bone of ``joints (..., 17, 3)`` by ``ratios (..., 16)`` (broadcast), keeping the root joint.

    Each bone keeps its direction; joint ``j`` moves to ``root + sum over its ancestor bones of ratio * bone``.
    Units and frame are those of the input (any rigid frame: scaling bones commutes with rotations).
    """
    joints = np.asarray(joints)
    if joints.shape[-2:] != (NUM_JOINTS, 3):
        raise ValueError(f"`joints` must have shape (..., {NUM_JOINTS}, 3), got {joints.shape}")
    ratios = np.asarray(ratios, dtype=joints.dtype)
    if ratios.shape[-1] != NUM_BONES or not np.all(ratios > 0):
        raise ValueError(f"`ratios` must be positive with a last axis of {NUM_BONES} bones, got {ratios.shape}")
    bones = joints[..., _CHILD, :] - joints[..., _PARENT, :]
    scaled = bones * ratios[..., :, None]
    return joints[..., :1, :] + np.einsum("jb,...bc->...jc", _ANCESTRY.astype(joints.dtype), scaled)


def bone_lengths(joints: np.ndarray) -> np.ndarray:
    """``(..., 17, 3) -> (..., 16)`` length of every bone of :data:`auglift_hf.skeleton.H36M_BONES`."""
    joints = np.asarray(joints)
    return np.linalg.norm(joints[..., _CHILD, :] - joints[..., _PARENT, :], axis=-1)
