"""2D-detector simulation: what a 2D pose detector outputs given the true pose (pixels, H36M-17 order).

Every random function takes ``seed`` (an int, ``None`` or a ``numpy.random.Generator``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from ..skeleton import (
    H36M_FLIP_PAIRS,
    H36M_PARENTS,
    L_ANKLE,
    L_WRIST,
    NUM_JOINTS,
    PELVIS,
    R_ANKLE,
    R_HIP,
    R_WRIST,
    THORAX,
)
from .motion import Seed, _rng


@dataclass
class DetectorNoise:
    """Parameters of the 2D-detector noise model (:func:`apply_detector_noise`).

    Attributes:
        jitter: Gaussian jitter std per joint as a fraction of the joint's bone length in pixels
            (the bone to its parent; the root uses the pelvis-hip bone). 0.05 ~ a good detector.
        extremity_factor: jitter multiplier for wrists and ankles (detectors are worse there).
        gross_error_prob: probability per joint and frame of a gross error (a wrong-part detection).
        gross_error_scale: gross displacement magnitude, as a fraction of the torso length in pixels,
            drawn uniformly in ``[0.5, 1] * gross_error_scale`` in a random direction.
        swap_prob: probability per frame and left/right limb pair (hip-knee-ankle / shoulder-elbow-wrist
            chains counted per joint pair) of a left/right swap.
        confidence_scale: confidence falls as ``exp(-(err / (confidence_scale * torso_px))**2)``.
        confidence_noise: std of additive Gaussian noise on the confidence.
        min_confidence: the confidence floor.
    """

    jitter: float = 0.05
    extremity_factor: float = 1.5
    gross_error_prob: float = 0.01
    gross_error_scale: float = 0.5
    swap_prob: float = 0.005
    confidence_scale: float = 0.25
    confidence_noise: float = 0.03
    min_confidence: float = 0.05

    def to_dict(self) -> dict:
        return asdict(self)


_ROOT_BONE = (R_HIP, PELVIS)


def apply_detector_noise(
    keypoints_2d: np.ndarray,
    params: DetectorNoise | None = None,
    seed: Seed = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Corrupt ground-truth 2D keypoints like a 2D pose detector, and give them confidences.

    Per joint and frame: Gaussian jitter with std ``jitter x bone length (px)`` (x ``extremity_factor`` for
    wrists/ankles), occasional gross errors (``gross_error_prob``) and left/right swaps (``swap_prob``).
    Confidence decreases with the injected error (see :class:`DetectorNoise`), so a lifter can learn to
    trust confident joints.

    Args:
        keypoints_2d: ``(..., 17, 2)`` pixels (ground truth).
        params: noise parameters (default :class:`DetectorNoise()`).
        seed: int / generator / ``None``.

    Returns:
        ``(noisy (..., 17, 2) px float32, scores (..., 17) float32 in [min_confidence, 1])``.
    """
    kp = np.asarray(keypoints_2d, np.float64)
    if kp.ndim < 2 or kp.shape[-2:] != (NUM_JOINTS, 2):
        raise ValueError(f"`keypoints_2d` must have shape (..., 17, 2), got {kp.shape}")
    p = params or DetectorNoise()
    rng = _rng(seed)
    parents = np.array(H36M_PARENTS)
    parents[PELVIS] = R_HIP
    bone_px = np.linalg.norm(kp - kp[..., parents, :], axis=-1)  # (..., 17)
    torso_px = np.linalg.norm(kp[..., THORAX, :] - kp[..., PELVIS, :], axis=-1)[..., None]  # (..., 1)
    factor = np.ones(NUM_JOINTS)
    factor[[L_WRIST, R_WRIST, L_ANKLE, R_ANKLE]] = p.extremity_factor
    sigma = p.jitter * np.maximum(bone_px, 0.25 * torso_px) * factor
    noisy = kp + rng.normal(size=kp.shape) * sigma[..., None]
    gross = rng.random(kp.shape[:-1]) < p.gross_error_prob
    angle = rng.uniform(0, 2 * np.pi, kp.shape[:-1])
    magnitude = rng.uniform(0.5, 1.0, kp.shape[:-1]) * p.gross_error_scale * torso_px
    offset = np.stack([np.cos(angle), np.sin(angle)], -1) * magnitude[..., None]
    noisy = np.where(gross[..., None], noisy + offset, noisy)
    if p.swap_prob > 0:
        left = np.array([a for a, _ in H36M_FLIP_PAIRS])
        right = np.array([b for _, b in H36M_FLIP_PAIRS])
        swap = rng.random((*kp.shape[:-2], len(left))) < p.swap_prob
        swapped = noisy.copy()
        swapped[..., left, :] = np.where(swap[..., None], noisy[..., right, :], noisy[..., left, :])
        swapped[..., right, :] = np.where(swap[..., None], noisy[..., left, :], noisy[..., right, :])
        noisy = swapped
    err = np.linalg.norm(noisy - kp, axis=-1)
    conf = np.exp(-((err / np.maximum(p.confidence_scale * torso_px, 1e-6)) ** 2))
    conf = conf + rng.normal(0, p.confidence_noise, conf.shape)
    conf = np.clip(conf, p.min_confidence, 1.0)
    return noisy.astype(np.float32), conf.astype(np.float32)
