"""Geometric self-occlusion ("pipe man"): how much of each pose hides behind its own limbs.

Every H36M bone is a pipe (a capsule of radius ``r`` metres: torso bones :data:`TORSO_RADIUS`, limbs
:data:`LIMB_RADIUS`). A joint is occluded when, in the image, it lies within the projected radius of a pipe it
does not belong to, and that pipe is closer to the camera at that point. Uses 3D camera-frame joints only
(projection ``x/z, y/z``), so it works for any dataset without images.
"""

from __future__ import annotations

import numpy as np

from ..skeleton import H36M_BONES, NUM_JOINTS

TORSO_RADIUS = 0.10
LIMB_RADIUS = 0.05
_TORSO_BONES = {(1, 0), (4, 0), (7, 0), (8, 7), (9, 8), (11, 8), (14, 8)}


def bone_radii() -> np.ndarray:
    """Pipe radius (metres) of each of the 16 H36M bones."""
    return np.array([TORSO_RADIUS if bone in _TORSO_BONES else LIMB_RADIUS for bone in H36M_BONES])


def joint_occlusion(joints_cam: np.ndarray, margin: float = 0.02) -> np.ndarray:
    """Boolean ``(N, 17)``: joint hidden behind a pipe of another bone (depth margin ``margin`` metres).

    Args:
        joints_cam: ``(N, 17, 3)`` camera-frame metres (z > 0).
    """
    j = np.asarray(joints_cam, np.float64)
    if j.ndim != 3 or j.shape[1:] != (NUM_JOINTS, 3):
        raise ValueError(f"`joints_cam` must have shape (N, 17, 3), got {j.shape}")
    z = np.maximum(j[..., 2], 1e-6)
    uv = j[..., :2] / z[..., None]  # normalised image coordinates (N, 17, 2)
    child = np.array([c for c, _ in H36M_BONES])
    parent = np.array([p for _, p in H36M_BONES])
    a, b = uv[:, parent], uv[:, child]  # (N, B, 2)
    za, zb = z[:, parent], z[:, child]
    ab = b - a
    ap = uv[:, :, None, :] - a[:, None]  # (N, J, B, 2)
    t = np.clip((ap * ab[:, None]).sum(-1) / np.maximum((ab**2).sum(-1)[:, None], 1e-12), 0.0, 1.0)
    closest = a[:, None] + t[..., None] * ab[:, None]
    dist = np.linalg.norm(uv[:, :, None, :] - closest, axis=-1)
    z_seg = za[:, None] + t * (zb - za)[:, None]
    r2d = bone_radii()[None, None] / np.maximum(z_seg, 1e-6)
    own = (np.arange(NUM_JOINTS)[:, None] == child[None]) | (np.arange(NUM_JOINTS)[:, None] == parent[None])
    hidden = (dist < r2d) & (z_seg < z[:, :, None] - margin) & ~own[None]
    return hidden.any(-1)


def occlusion_score(joints_cam: np.ndarray, margin: float = 0.02) -> np.ndarray:
    """Fraction of occluded joints per pose ``(N,)`` in [0, 1]."""
    return joint_occlusion(joints_cam, margin).mean(-1)


def occlusion_analysis(joints_cam: np.ndarray, errors: dict[str, np.ndarray], num_bins: int = 4) -> list[dict]:
    """MPJPE per occlusion quartile (AugLift's self-occlusion analysis)."""
    from .robustness import stratify

    return stratify(occlusion_score(joints_cam), errors, num_bins, "occlusion")
