"""Build the reference H36M frame tables: train (S1, S5, S6, S7, S8), test (S9, S11) and an out-of-domain test.

Every test table is a canonical frame-table folder (:func:`auglift_hf.data.schema.write_frame_table`) with two
configs:

* ``gt2d``: 2D by projecting the camera-frame joints with the camera's distortion; confidence 1.
* ``detected2d``: the same 2D corrupted by the detector noise model of :func:`auglift_hf.simulation.apply_detector_noise`
  with the default :class:`~auglift_hf.simulation.DetectorNoise` parameters (per-joint Gaussian jitter of 5 % of the
  joint's bone length in pixels, x1.5 at wrists/ankles; 1 % gross errors of 0.25-0.5 torso lengths; 0.5 % left/right
  swaps per limb-joint pair; confidence ``exp(-(err / (0.25 torso_px))^2) + N(0, 0.03)`` clipped to [0.05, 1]).
  One seeded draw per (subject, action, camera) sequence.

Depth descriptors ``d, d_min, d_max`` (metres) come from the capsule-body ray caster
(:func:`auglift_hf.simulation.depth_descriptors_from_joints`, CASP mode with 16 sunflower samples, (median, Q10, Q90))
with the default monocular corruption :class:`~auglift_hf.simulation.DepthCorruption` (per-frame log-scale std 0.05,
shift std 0.05 m, 1.5 px blur jitter, 2 % multiplicative noise). ``gt2d`` samples at the exact projection,
``detected2d`` at the noisy keypoints (as a real pipeline samples the depth map at the detections).

Training table (``train_noisy``): to fit the CPU budget it holds only the detector-noise 2D (in its ``gt2d`` config,
depth sampled at the noisy keypoints) and the first ``--train-max-frames`` (400 = 16 s) frames of every
(subject, action, camera) sequence of S1, S5, S6, S7, S8: 133 sequences x 4 cameras. Every lifter is trained on
noisy 2D with confidences, so the ``c`` channel carries information, and evaluated on both GT and noisy 2D.

Uncapped training table (``train_noisy_full``, used by the ``-xl`` runs): ``--train-max-frames 0 --train-name
train_noisy_full`` keeps every frame (25 Hz) of the same 133 sequences x 4 cameras, 617,012 rows (same noise and
depth model and seeds as ``train_noisy``; about 5.5 minutes with ``--threads 2``).

Out-of-domain split (``test_ood``): the same S9/S11 motion seen by four virtual cameras per sequence that imitate
AugLift's cross-dataset shift (3DPW subjects are ~30 % closer than H36M's 5.15 m): each real camera is moved
horizontally 30 % closer to the sequence's mean pelvis (``position = target + 0.7 * (real - target)`` in x, y),
put at heights 0.5 m / 2.6 m / 1.0 m / 2.2 m (cameras 0-3, H36M's are at 1.5-1.6 m) and aimed at the mean pelvis
(no roll), with focal lengths 800 / 1500 / 1500 / 800 px (H36M: ~1147 px), lowered when needed so every joint stays
inside the 1000 x 1000 image (2 % margin); principal point at the image centre; no distortion.

Realistic simulation (issue 14, ``--simulation realistic``, the default since then): the ``detected2d`` configs
(and the training table's 2D) are **detector-definition 2D** from :func:`auglift_hf.data.h36m.simulate_detector_2d`
(COCO-17 surface landmarks from the 3D skeleton, temporally correlated AR(1) noise scaled by the COCO OKS
constants, larger errors and lower confidences where the capsule body hides a landmark, then ``coco_to_h36m``),
and every depth descriptor comes from the monocular-depth error model
:func:`auglift_hf.simulation.depth_error_preset` (Depth Anything V2 metric preset): severity 1 for the test
tables, drawn uniformly in ``--train-severity`` (default 0.5-1.5) per training sequence. The CMU table
(``test_cmu``, ``--cmu``, evaluation only, never trained or tuned on) is the real CMU motion
``../shared/data/cmu/data_3d_cmu24.npz`` (24 Hz) through the same H36M reader and subject S1's real cameras;
frames whose joints leave the image are kept with ``valid = False`` (not evaluated). ``--simulation legacy``
rebuilds the tables of the first reference runs (``DetectorNoise`` on the H36M joints, ``DepthCorruption``).
``--depth-simulation surface-v2`` (issue 24) takes every depth column from the ``surface-v2`` simulation
(:func:`auglift_hf.simulation.surface_depth.surface_depth_source`, CASP with the same 16 samples) at
``--test-severity`` for test tables and one severity per training sequence drawn in ``--train-severity``; the 2D
(detector and GT) is the same to the bit as the capsule-v1 tables', so XY lifters trained on either are twins.
``--train-definition h36m`` gives the training table the same detector errors around the H36M joints
(:func:`auglift_hf.simulation.simulate_joint_detector`) for ``"h36m"`` lifters; ``--no-depth`` leaves out the depth
columns (XY lifters only; much faster). ``--gt-definition coco`` writes ``test_cocogt`` / ``test_ood_cocogt`` / ``test_cmu_cocogt`` instead: one ``gt2d``
config holding the noise-free detector-definition 2D (the COCO-17 landmarks' exact projections through
``coco_to_h36m``, confidence 1, depth sampled there), i.e. the error-free input of a ``"coco"`` lifter.

``--detector-preset NAME`` (issue 24) builds every table's detector 2D with a named preset of
:data:`auglift_hf.simulation.detector2d.COCO_DETECTOR_PRESETS` (default ``movenet-fitted``, the package's default;
``optimistic``: the default until 2026-12-06, which every reference table before the issue-24.5 campaign used, so
the scripts reproducing those sections pass it); ``score-calibrated`` gives the same 2D to the bit as
``optimistic`` with scores only as informative about the error as real MoveNet's (``confidence_informativeness``);
``movenet-measured`` MoveNet's measured offsets and noise. The preset is named in the table card.

``--body-proportions K`` adds K re-proportioned copies of every training take
(:func:`auglift_hf.data.h36m.augment_body_proportions`) and ``--virtual-cameras K`` K views of every training record
(re-proportioned ones included) from random static virtual cameras (:func:`auglift_hf.data.h36m.augment_viewpoints`,
ranges of :mod:`auglift_hf.simulation.viewpoints`); the summary JSON records both and the virtual cameras' geometry.

Issue-14 tables (about 15 minutes with two processes on a loaded 2-core machine)::

    python benchmarks/reference/build_data.py --out /work/cache/h36m_ref_i14 --only train_noisy \
        --train-name train_real --train-max-frames 200 &
    python benchmarks/reference/build_data.py --out /work/cache/h36m_ref_i14 --only test test_ood test_cmu \
        --test-max-frames 300

Legacy usage (about 5 minutes on 2 idle cores, 10 under load; writes ~650 MB outside the repository)::

    python benchmarks/reference/build_data.py --simulation legacy --out /work/cache/h36m_ref --only train_noisy &
    python benchmarks/reference/build_data.py --simulation legacy --out /work/cache/h36m_ref --only test test_ood
    python benchmarks/reference/build_data.py --out /work/cache/h36m_ref --only train_noisy --train-max-frames 0 \
        --train-name train_noisy_full --threads 2
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from auglift_hf.camera import load_mmpose_cameras, project, world_to_camera
from auglift_hf.contract import DEFAULT_DEPTH_MODEL, default_descriptor
from auglift_hf.data.h36m import (
    H36M_CAMERA_IDS,
    H36M_TEST_SUBJECTS,
    H36M_TRAIN_SUBJECTS,
    augment_body_proportions,
    augment_viewpoints,
    body_proportions_description,
    frames_in_view,
    load_positions_3d,
    read_h36m_positions_3d,
    simulate_detector_2d,
    viewpoints_description,
)
from auglift_hf.data.schema import SequenceRecord, write_frame_table
from auglift_hf.simulation import (
    DepthCorruption,
    DetectorNoise,
    MonocularDepthError,
    apply_detector_noise,
    depth_descriptors_from_joints,
    depth_error_preset,
    look_at_camera,
)
from auglift_hf.simulation.detector2d import COCO_DETECTOR_PRESETS, DEFAULT_DETECTOR_PRESET
from auglift_hf.simulation.surface_depth import surface_depth_source
from auglift_hf.skeleton import PELVIS, h36m32_to_17
from auglift_hf.utils.cli_args import positive_int

DEFAULT_DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "h36m"
DEFAULT_CMU = DEFAULT_DATA.parent / "cmu" / "data_3d_cmu24.npz"
CMU_FPS = 24.0
FPS = 25.0
#: Out-of-domain virtual cameras (index = H36M camera order): horizontal distance factor, height m, target focal px.
OOD_DISTANCE_FACTOR = 0.7
OOD_HEIGHTS = (0.5, 2.6, 1.0, 2.2)
OOD_FOCALS = (800.0, 1500.0, 1500.0, 800.0)
OOD_IMAGE_SIZE = (1000, 1000)
OOD_MARGIN = 0.02
#: Depth descriptor settings (documented in RESULTS.md).
CASP_SAMPLES = 16
SEEDS = {"noise": 1, "depth": 2, "body": 3, "views": 4}


class SyntheticCaspDepth:
    """Depth source for :func:`write_frame_table`: ray-cast CASP descriptors + monocular corruption, seeded per call."""

    channels = ("d", "d_min", "d_max")
    gt_keypoints_from_3d = True  # gt2d: sample at the exact pinhole projection of the joints

    def __init__(
        self,
        seed: int,
        corruption: DepthCorruption | MonocularDepthError | None = None,
        num_samples: int = CASP_SAMPLES,
        at_gt: bool = True,
        severity_range: tuple[float, float] | None = None,
    ):
        self.seed, self.calls = seed, 0
        self.gt_keypoints_from_3d = at_gt
        self.corruption = corruption or DepthCorruption()
        self.severity_range = severity_range  # realistic model: one severity per sequence drawn in this range
        self.num_samples = num_samples
        per_seq = f", severity drawn uniformly in {severity_range} per sequence" if severity_range else ""
        self.kind = (
            f"synthetic CASP (capsule-body ray caster, {num_samples} samples, median/Q10/Q90) with monocular "
            f"depth error {type(self.corruption).__name__} {self.corruption.to_dict()}{per_seq}, seed {seed}"
        )
        # the input contract of the table (its dataset card; lifters trained on it inherit it): metric depth
        # standing in for the metric Depth Anything V2, CASP with the default descriptor and these samples
        self.contract = {
            "depth_kind": "metric",
            "depth_model": DEFAULT_DEPTH_MODEL,
            "depth_descriptor": default_descriptor("casp", num_samples),
        }

    def __call__(self, keypoints_3d, keypoints_2d, scores, focal, center, image_size):  # noqa: ANN001
        self.calls += 1
        corruption = self.corruption
        if self.severity_range is not None:
            rng = np.random.default_rng([self.seed, self.calls])
            corruption = depth_error_preset(severity=float(rng.uniform(*self.severity_range)), fps=corruption.fps)
        out = depth_descriptors_from_joints(
            keypoints_3d, keypoints_2d, scores, focal, center, mode="casp", num_samples=self.num_samples,
            corruption=corruption, seed=self.seed * 1_000_003 + self.calls, image_size=tuple(image_size),
            chunk_size=1024,
        )  # fmt: skip
        return out.detach().cpu().numpy().astype(np.float32)


def add_detector_noise(records: list[SequenceRecord], seed: int, params: DetectorNoise | None = None) -> None:
    """Fill ``detected_2d`` / ``detected_scores`` of every record in place (one seeded draw per sequence)."""
    for i, rec in enumerate(sorted(records, key=lambda r: r.sort_key)):
        noisy, conf = apply_detector_noise(rec.keypoints_2d, params, seed=np.random.default_rng([seed, i]))
        rec.detected_2d, rec.detected_scores = noisy, conf


def ood_camera(world17: np.ndarray, real_cam: dict, index: int) -> dict:
    """The out-of-domain virtual camera ``index`` (0-3) for a sequence ``(T, 17, 3)`` world metres (z up)."""
    target = world17[:, PELVIS].mean(0)
    real = np.ravel(real_cam["T"]).astype(np.float64)
    pos = np.array([*(target[:2] + OOD_DISTANCE_FACTOR * (real[:2] - target[:2])), OOD_HEIGHTS[index]])
    R = look_at_camera(pos, target)
    cam = (world17 - pos) @ R
    w, h = OOD_IMAGE_SIZE
    ratio = np.abs(cam[..., :2] / cam[..., 2:3]).max(axis=(0, 1))
    f_max = float(min((0.5 - OOD_MARGIN) * w / ratio[0], (0.5 - OOD_MARGIN) * h / ratio[1]))
    f = min(OOD_FOCALS[index], f_max)
    return {"R": R, "T": pos, "f": np.array([f, f]), "c": np.array([w / 2.0, h / 2.0]), "w": w, "h": h}


def read_ood(positions: dict, cameras: dict, subjects: tuple[str, ...]) -> tuple[list[SequenceRecord], dict]:
    """Out-of-domain records (virtual cameras) and a summary of their geometry."""
    records, dist, focal = [], [], []
    for subject in subjects:
        for action in sorted(positions[subject]):
            world = h36m32_to_17(np.asarray(positions[subject][action], np.float64))
            for ci, cam_id in enumerate(H36M_CAMERA_IDS):
                cam = ood_camera(world, cameras[(subject, cam_id)], ci)
                xyz = world_to_camera(world, cam["R"], cam["T"])
                uv = project(xyz, cam["f"], cam["c"])
                dist.append(np.linalg.norm(xyz[:, PELVIS], axis=-1))
                focal.append(cam["f"][0])
                records.append(
                    SequenceRecord(
                        dataset="h36m_ood", subject=subject, action=action, camera=f"virtual{ci}",
                        keypoints_2d=uv, keypoints_3d=xyz, focal=cam["f"], center=cam["c"],
                        image_size=OOD_IMAGE_SIZE, fps=FPS, split="test", frame_index=np.arange(len(world)),
                        valid=(xyz[..., 2].min(-1) > 0.1) & frames_in_view(xyz, uv, *OOD_IMAGE_SIZE),
                        source="data_3d_h36m_fk25.npz + virtual cameras",
                    )
                )  # fmt: skip
    dist = np.concatenate(dist)
    summary = {
        "camera_to_pelvis_m": {"mean": float(dist.mean()), "p5": float(np.percentile(dist, 5)),
                               "p95": float(np.percentile(dist, 95))},
        "focal_px": {"min": float(np.min(focal)), "mean": float(np.mean(focal)), "max": float(np.max(focal))},
    }  # fmt: skip
    return records, summary


def real_summary(records: list[SequenceRecord]) -> dict:
    dist = np.concatenate([np.linalg.norm(r.keypoints_3d[:, PELVIS], axis=-1) for r in records])
    return {"camera_to_pelvis_m": {"mean": float(dist.mean()), "p5": float(np.percentile(dist, 5)),
                                   "p95": float(np.percentile(dist, 95)), }}  # fmt: skip


def read_bvh_training(
    paths: list[str], cameras: dict, body_proportions: int, max_frames: int | None = None
) -> tuple[list[SequenceRecord], dict, dict]:
    """BVH clips -> training records as ``auglift convert bvh --bone-lengths h36m --body-proportions K --fps 25``
    with the real H36M cameras (:func:`auglift_hf.data.bvh.table.bvh_records`: retargeted onto S1's bone lengths,
    K re-proportioned copies, the four cameras of one H36M training subject per clip); returns ``(records,
    {(subject, camera): camera}, summary)``, the summary holding the card's ``how_built`` and ``licence``;
    ``max_frames``: the first frames of every clip only (``--train-max-frames``)."""
    from auglift_hf.data.bvh.table import bvh_records, read_bvh_clips

    clips, maps, known = read_bvh_clips(paths)
    records, lookup, dropped = bvh_records(
        clips, dataset=known["dataset"] if known else "bvh", cameras=cameras, bone_lengths="h36m",
        body_proportions=body_proportions, fps=FPS, max_frames=max_frames, seed=SEEDS["body"],
    )  # fmt: skip
    summary = real_summary(records)
    summary.update(
        clips=len(clips), source_frames=int(sum(len(c.joints) for c in clips)), dropped_sequences=dropped,
        how_built=(
            f"{len(clips)} BVH clips (joint map(s) {maps}, file rate(s) {sorted({c.fps for c in clips})} fps) "
            f"resampled to {FPS:g} fps, retargeted onto H36M S1 bone lengths with {body_proportions} re-proportioned "
            f"copies (seed {SEEDS['body']}), the four real cameras of one H36M training subject per clip; "
            f"{dropped} clip-camera sequence(s) with no frame in view left out"
        ),
        licence={"license": known["license"], "note": known["note"]} if known else {"license": "unknown"},
    )  # fmt: skip
    return records, lookup, summary


def read_cmu(path: str, cameras: dict, max_frames: int | None) -> tuple[list[SequenceRecord], dict]:
    """CMU motion through the H36M reader with subject S1's real cameras; split ``test``, dataset ``cmu``."""
    positions = load_positions_3d(path)
    records = read_h36m_positions_3d(positions, cameras, subjects=list(positions), fps=CMU_FPS, max_frames=max_frames)
    for rec in records:
        rec.dataset, rec.split, rec.source = "cmu", "test", "data_3d_cmu24.npz + H36M S1 cameras"
    summary = real_summary(records)
    valid = np.concatenate([r.valid for r in records])
    summary["frames_in_view"] = {"valid": int(valid.sum()), "total": int(valid.size)}
    return records, summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--positions-3d", default=str(DEFAULT_DATA / "data_3d_h36m_fk25.npz"))
    parser.add_argument("--cameras", default=str(DEFAULT_DATA / "cameras.pkl"))
    parser.add_argument("--cmu", default=str(DEFAULT_CMU), help="CMU motion for test_cmu (evaluation only)")
    parser.add_argument("--out", required=True, help="output root (outside the repository)")
    parser.add_argument(
        "--only", nargs="+", default=["train_noisy", "test", "test_ood"],
        choices=["train_noisy", "test", "test_ood", "test_cmu", "train_bvh"],
    )  # fmt: skip
    parser.add_argument(
        "--bvh", nargs="+", default=[], metavar="PATH",
        help="train_bvh: BVH files / folders (e.g. the fetched Bandai Namco clips), read by auglift_hf.data.bvh",
    )  # fmt: skip
    parser.add_argument("--bvh-name", default="train_bvh", help="folder name of the BVH training table")
    parser.add_argument("--simulation", choices=("realistic", "legacy"), default="realistic")
    parser.add_argument(
        "--train-max-frames", type=int, default=400, help="frames kept per training sequence (0 = all frames)"
    )
    parser.add_argument("--test-max-frames", type=int, default=0, help="frames kept per test sequence (0 = all)")
    parser.add_argument(
        "--train-name", default="train_noisy", help="folder name of the training table (e.g. train_noisy_full)"
    )
    parser.add_argument("--train-severity", type=float, nargs=2, default=(0.5, 1.5), help="realistic: range")
    parser.add_argument("--test-severity", type=float, default=1.0, help="realistic: depth severity of test tables")
    parser.add_argument(
        "--depth-simulation", choices=("capsule-v1", "surface-v2"), default="capsule-v1",
        help="realistic: the depth simulation (surface-v2: issue 24; same 2D as capsule-v1 to the bit)",
    )  # fmt: skip
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--gt-definition", choices=("h36m", "coco"), default="h36m",
        help="test tables' gt2d: the H36M joints (h36m) or the noise-free detector-definition 2D (coco, the ground "
             "truth of a keypoint_definition 'coco' lifter; written as <name>_cocogt with a gt2d config only)",
    )  # fmt: skip
    parser.add_argument(
        "--train-definition", choices=("coco", "h36m"), default="coco",
        help="realistic training table's 2D: detector-definition (coco) or the same detector errors on the H36M "
             "joints (h36m, for keypoint_definition 'h36m' lifters)",
    )  # fmt: skip
    parser.add_argument("--no-depth", action="store_true", help="no depth columns (tables for XY lifters only)")
    parser.add_argument(
        "--workers", type=positive_int, default=1,
        help="processes simulating depth (surface-v2; the table is byte-identical to --workers 1)",
    )  # fmt: skip
    parser.add_argument(
        "--depth-cache", default=None, metavar="DIR",
        help="keep each sequence's simulated depth here as it is computed, so that an interrupted build resumes "
             "with the same bytes (removed once the table is written)",
    )  # fmt: skip
    parser.add_argument(
        "--body-proportions", type=int, default=0, metavar="K",
        help="add K re-proportioned copies of every training take (augment_body_proportions: PoseAug's bone-length "
             "ratios 1 +- 0.2 per symmetric group, one person per take)",
    )  # fmt: skip
    parser.add_argument(
        "--virtual-cameras", type=int, default=0, metavar="K",
        help="add K copies of every training record (re-proportioned ones included) seen by random virtual cameras "
             "(augment_viewpoints, auglift_hf.simulation.viewpoints ranges)",
    )  # fmt: skip
    parser.add_argument(
        "--train-noise-free", action="store_true",
        help="training 2D without detector errors (the exact definition 2D, confidence 1)",
    )  # fmt: skip
    parser.add_argument(
        "--detector-preset", choices=sorted(COCO_DETECTOR_PRESETS), default=None,
        help="realistic: the simulated detector's named preset for every table built (auglift_hf.simulation."
             f"detector2d.COCO_DETECTOR_PRESETS; default {DEFAULT_DETECTOR_PRESET}: the whole simulator fitted to "
             "real MoveNet, benchmarks/real_peers/fit_detector.py; optimistic: the default until 2026-12-06, every "
             "earlier reference table; score-calibrated: optimistic 2D with scores only as informative as real "
             "MoveNet's, issue 24)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.detector_preset is not None and args.simulation != "realistic":
        parser.error("--detector-preset applies to --simulation realistic only")
    args.detector_preset = args.detector_preset or DEFAULT_DETECTOR_PRESET
    torch.set_num_threads(args.threads)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    positions = load_positions_3d(args.positions_3d)
    cameras = load_mmpose_cameras(args.cameras)
    realistic = args.simulation == "realistic"
    test_max = args.test_max_frames or None
    if "train_bvh" in args.only and not args.bvh:
        parser.error("--only train_bvh needs --bvh PATH [PATH ...]")
    for i, name in enumerate(("train_noisy", "test", "test_ood", "test_cmu", "train_bvh")):
        if name not in args.only:
            continue
        t0 = time.time()
        train = name in ("train_noisy", "train_bvh")
        detector_cameras = cameras
        if name == "train_bvh":
            records, detector_cameras, summary = read_bvh_training(
                args.bvh, cameras, args.body_proportions, args.train_max_frames or None
            )
        elif name == "test_ood":
            records, summary = read_ood(positions, cameras, H36M_TEST_SUBJECTS)
            if test_max:
                records = [_head(r, test_max) for r in records]
        elif name == "test_cmu":
            records, summary = read_cmu(args.cmu, cameras, test_max)
        else:
            records = read_h36m_positions_3d(
                positions, cameras, subjects=H36M_TRAIN_SUBJECTS if train else H36M_TEST_SUBJECTS, fps=FPS,
                max_frames=(args.train_max_frames or None) if train else test_max,
            )  # fmt: skip
            summary = real_summary(records)
        if name == "train_noisy" and args.body_proportions:  # train_bvh: re-proportioned in read_bvh_training
            records += augment_body_proportions(records, cameras, copies=args.body_proportions, seed=SEEDS["body"])
        if train and args.virtual_cameras:
            views = augment_viewpoints(records, detector_cameras, copies=args.virtual_cameras, seed=SEEDS["views"])
            summary["virtual_camera_geometry"] = {
                **{f"virtual_{k}": v for k, v in real_summary(views).items()},
                "virtual_focal_px": {"mean": float(np.mean([r.focal[0] for r in views])),
                                     "min": float(np.min([r.focal[0] for r in views]))},
                "frames_in_view": float(np.mean(np.concatenate([r.valid for r in views]))),
            }  # fmt: skip
            records += views
        coco_gt = not train and args.gt_definition == "coco"
        if realistic:
            ood_cams = {(r.subject, r.camera): {} for r in records} if name == "test_ood" else detector_cameras
            detector = simulate_detector_2d(
                records, ood_cams, seed=SEEDS["noise"] * 100 + i, noise_free=coco_gt or (train and args.train_noise_free),
                definition=args.train_definition if train else "coco", preset=args.detector_preset,
            )  # fmt: skip
            fps = CMU_FPS if name == "test_cmu" else FPS
            if args.depth_simulation == "surface-v2":
                depth = surface_depth_source(
                    "casp", SEEDS["depth"] * 100 + i, severity=args.test_severity, fps=fps, num_samples=CASP_SAMPLES,
                    severity_range=tuple(args.train_severity) if train else None,
                )  # fmt: skip
                depth.gt_keypoints_from_3d = not (train or coco_gt)  # training rows: sampled at the detections
            else:
                depth = SyntheticCaspDepth(
                    SEEDS["depth"] * 100 + i, corruption=depth_error_preset(severity=args.test_severity, fps=fps),
                    at_gt=not (train or coco_gt), severity_range=tuple(args.train_severity) if train else None,
                )  # fmt: skip
        else:
            add_detector_noise(records, SEEDS["noise"] * 100 + i)
            detector = f"DetectorNoise {DetectorNoise().to_dict()} on the H36M joint projections"
            depth = SyntheticCaspDepth(SEEDS["depth"] * 100 + i, at_gt=not train)
        if train or coco_gt:  # detector(-definition) 2D only, stored as the table's single config
            for rec in records:
                rec.keypoints_2d, rec.keypoint_scores = rec.detected_2d, rec.detected_scores
                rec.detected_2d = rec.detected_scores = None
        card = {
            # gt2d holds H36M joints; detected2d (and the training table) the detector-definition COCO 2D (realistic)
            "keypoint_definition_by_config": {
                "gt2d": "coco" if realistic and (coco_gt or (train and args.train_definition == "coco")) else "h36m",
                "detected2d": "coco" if realistic else "h36m",
            },
            "how_built": f"benchmarks/reference/build_data.py --simulation {args.simulation} "
            f"--depth-simulation {args.depth_simulation} ({name}); see its docstring",
            "detected2d": detector,
        }
        if name == "train_bvh":
            card.update(bvh=summary.pop("how_built"), licence=summary.pop("licence"))
        elif train and args.body_proportions:
            card["body_proportions"] = body_proportions_description(args.body_proportions, SEEDS["body"])
        if train and args.virtual_cameras:
            card["virtual_cameras"] = viewpoints_description(args.virtual_cameras, SEEDS["views"])
        folder = (
            args.bvh_name
            if name == "train_bvh"
            else args.train_name
            if train
            else (f"{name}_cocogt" if coco_gt else name)
        )
        depth = None if args.no_depth else depth
        counts = write_frame_table(
            records,
            out / folder,
            dataset_name=f"h36m_ref_{folder}",
            depth_source=depth,
            card=card,
            workers=args.workers,
            depth_cache=None if depth is None else args.depth_cache,
        )
        kind = depth.kind if depth is not None else "none"
        summary.update(counts=counts, seconds=round(time.time() - t0, 1), depth=kind, detector=detector)
        if train:  # read back by ship.py for the model cards
            summary.update(
                train_max_frames=args.train_max_frames,
                body_proportions=args.body_proportions,
                virtual_cameras=args.virtual_cameras,
            )
        (out / f"{folder}_summary.json").write_text(json.dumps(summary, indent=2))
        print(name, json.dumps(summary), flush=True)
    return 0


def _head(rec: SequenceRecord, n: int) -> SequenceRecord:
    """The first ``n`` frames of a record (every per-frame field sliced)."""
    import dataclasses

    t = len(rec.keypoints_3d)
    fields = {}
    for f in dataclasses.fields(rec):
        v = getattr(rec, f.name)
        fields[f.name] = v[:n] if isinstance(v, np.ndarray) and v.ndim >= 1 and v.shape[0] == t else v
    return SequenceRecord(**fields)


if __name__ == "__main__":
    raise SystemExit(main())
