"""How informative is a detector's keypoint confidence about its own error: real MoveNet vs the simulated detector.

Issue 24 (benchmarks/RESULTS.md, "how informative is the detector's confidence"). Statistics
(:mod:`auglift_hf.analysis.confidence`): Spearman's rho between score and error, and the AUROC of the score for a
bad keypoint (error > 1 in units of ``2 sigma_j s``, i.e. its OKS term below 0.61), per COCO-17 keypoint.

* **Real**: MoveNet SinglePose Lightning (``run_peers.py`` output) on the 4 annotated H36M frames (all 17 COCO
  keypoints) and the 4 annotated MPI-INF-3DHP frames (the 8 limb keypoints, as ``evaluate_peers.py``); the error of a
  keypoint is its distance to the true landmark, i.e. the projection of the 3D ground truth through the landmark
  offsets fitted to MoveNet (``movenet-measured``; ``--reference default`` uses the default offsets instead). Every
  keypoint counts, low scores included (they are the point). Bootstrap intervals over keypoints and over frames.
  MediaPipe (BlazePose, a non-COCO definition) on the limb keypoints only, for comparison.
* **Simulated, same poses**: the simulated detector (a named preset) on the exact 3D poses and cameras of the same
  8 frames and keypoints, ``--draws`` independent draws: the sampling distribution of the statistic at the real
  sample size (the real value's percentile in it says whether MoveNet could be this simulator).
* **Simulated, H36M test motion**: the preset on real S9/S11 motion (``data_3d_h36m_fk25.npz``, 25 Hz, four real
  cameras, every sequence whole, seeded as the ``test`` table of ``benchmarks/reference/build_data.py``:
  ``seed = [SEEDS["noise"] * 100 + 1, i]`` per sorted record), every ``--stride``-th frame scored.

Usage (package venv, ~2 min)::

    python benchmarks/real_peers/confidence_informativeness.py /work/cache/real_peers/peers_raw.json \
        --out /work/cache/real_peers/confidence_informativeness.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from evaluate_peers import COCO_LIMBS, SHARED, annotated_frames, blazepose_coco  # noqa: E402

BAD_THRESHOLD = 1.0  # error in units of 2 sigma_j s (the keypoint's OKS term < exp(-1/2))
TEST_TABLE_SEED = 1 * 100 + 1  # build_data.py: SEEDS["noise"] * 100 + index of "test" in its table list


def _unit(part: np.ndarray) -> np.ndarray:
    from auglift_hf.simulation.detector2d import COCO_OKS_SIGMAS, object_scale_px

    return 2.0 * np.asarray(COCO_OKS_SIGMAS) * object_scale_px(np.asarray(part)[None])[0]  # (17,) px


def _landmarks_px(frame: dict, offsets) -> np.ndarray:  # noqa: ANN001
    from auglift_hf.camera import project
    from auglift_hf.simulation import coco_landmarks_3d

    c = frame["camera"]
    return project(coco_landmarks_3d(frame["joints"][None], offsets)[0], c["f"], c["c"], c.get("k"), c.get("p"))


def _keypoints(frame: dict) -> list[int]:
    return list(range(17)) if frame["dataset"] == "h36m" else list(COCO_LIMBS)


def real_pairs(frames: list[dict], offsets, source: str = "movenet") -> dict[str, np.ndarray]:  # noqa: ANN001
    """``{"score", "error", "frame"}`` of a real detector's COCO keypoints against the true landmarks."""
    score, error, group = [], [], []
    for i, f in enumerate(frames):
        if source == "movenet":
            det = np.asarray(f["movenet"], np.float64)
            idx = _keypoints(f)
        else:  # BlazePose: its COCO-named landmarks, visibility as the score; limbs only (definitions differ)
            if f["mediapipe"] is None:
                continue
            det = blazepose_coco(np.asarray(f["mediapipe"]["image"], np.float64))[:, [0, 1, 3]]
            idx = list(COCO_LIMBS)
        err = np.linalg.norm(det[:, :2] - _landmarks_px(f, offsets), axis=-1) / _unit(f["part"])
        score += det[idx, 2].tolist()
        error += err[idx].tolist()
        group += [i] * len(idx)
    return {"score": np.array(score), "error": np.array(error), "frame": np.array(group)}


def simulated_same_poses(frames: list[dict], preset: str, draws: int, seed: int = 0, limbs: bool = False) -> dict:
    """The preset on the exact poses / cameras / keypoints of ``frames``, ``draws`` times: the statistic's spread.

    ``limbs``: the 8 limb keypoints of every frame only (as the real ``movenet_limbs`` row)."""
    from auglift_hf.analysis.confidence import score_error_statistics
    from auglift_hf.simulation.detector2d import coco_detector_preset, simulate_coco_detector

    noise, offsets = coco_detector_preset(preset)
    rng = np.random.default_rng(seed)
    truth = [_landmarks_px(f, offsets) for f in frames]
    stats = []
    for _ in range(draws):
        score, error = [], []
        for f, lm in zip(frames, truth):
            out = simulate_coco_detector(f["joints"][None], f["camera"], 50.0, noise, offsets, seed=rng)
            idx = list(COCO_LIMBS) if limbs else _keypoints(f)
            err = np.linalg.norm(out["coco_2d"][0].astype(np.float64) - lm, axis=-1) / _unit(f["part"])
            score += out["coco_scores"][0, idx].tolist()
            error += err[idx].tolist()
        stats.append(score_error_statistics(score, error, BAD_THRESHOLD))
    out = {}
    for k in ("spearman", "auroc", "bad_fraction"):
        v = np.array([s[k] for s in stats])
        v = v[np.isfinite(v)]
        out[k] = {"median": float(np.median(v)), "p2.5": float(np.quantile(v, 0.025)),
                  "p97.5": float(np.quantile(v, 0.975)), "values": v.tolist()}  # fmt: skip
    out.update(draws=draws, n=stats[0]["n"])
    return out


def simulated_h36m(preset: str, stride: int, subjects: tuple[str, ...] = ("S9", "S11")) -> dict[str, np.ndarray]:
    """``{"score", "error", "hidden", "sequence"}`` of the preset on real S9/S11 motion (build_data ``test`` seeds)."""
    from auglift_hf.camera import load_mmpose_cameras, project
    from auglift_hf.data.h36m import read_h36m_positions_3d
    from auglift_hf.simulation import coco_landmarks_3d
    from auglift_hf.simulation.detector2d import (
        COCO_OKS_SIGMAS,
        coco_detector_preset,
        object_scale_px,
        simulate_coco_detector,
    )

    noise, offsets = coco_detector_preset(preset)
    cams = load_mmpose_cameras(SHARED / "h36m" / "cameras.pkl")
    records = read_h36m_positions_3d(
        SHARED / "h36m" / "data_3d_h36m_fk25.npz", cams, subjects=list(subjects), fps=25.0
    )
    score, error, hidden, seq = [], [], [], []
    for i, rec in enumerate(sorted(records, key=lambda r: r.sort_key)):  # as simulate_detector_2d
        cam = dict(cams.get((rec.subject, rec.camera), {}))
        cam.update(f=np.asarray(rec.focal, np.float64).ravel(), c=np.asarray(rec.center, np.float64).ravel())
        out = simulate_coco_detector(
            rec.keypoints_3d, cam, rec.fps, noise, offsets, seed=np.random.default_rng([TEST_TABLE_SEED, i])
        )
        lm = coco_landmarks_3d(np.asarray(rec.keypoints_3d, np.float64), offsets)
        proj = project(lm, cam["f"], cam["c"], cam.get("k"), cam.get("p"))
        unit = 2.0 * np.asarray(COCO_OKS_SIGMAS)[None] * object_scale_px(proj, noise.area_fraction)[:, None]
        err = np.linalg.norm(out["coco_2d"].astype(np.float64) - proj, axis=-1) / unit
        keep = slice(0, None, stride)
        score.append(out["coco_scores"][keep].ravel())
        error.append(err[keep].ravel())
        hidden.append(out["coco_hidden"][keep].ravel())
        seq.append(np.full(err[keep].size, i))
    return {
        k: np.concatenate(v) for k, v in (("score", score), ("error", error), ("hidden", hidden), ("sequence", seq))
    }


def main(argv: list[str] | None = None) -> int:
    from auglift_hf.analysis.confidence import bootstrap_informativeness, score_error_statistics
    from auglift_hf.simulation.detector2d import coco_detector_preset

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("raw", help="peers_raw.json of run_peers.py")
    ap.add_argument("--out", required=True, help="JSON of every number (refused if it exists, unless --overwrite)")
    ap.add_argument("--overwrite", action="store_true")
    ap.add_argument("--presets", nargs="+", default=["default"], help="simulated detector presets to measure")
    ap.add_argument("--reference", choices=("movenet-measured", "default"), default="movenet-measured",
                    help="landmark offsets that define the real keypoints' true positions")  # fmt: skip
    ap.add_argument("--draws", type=int, default=500, help="simulated draws on the 8 real poses")
    ap.add_argument("--stride", type=int, default=10, help="score every N-th frame of the S9/S11 motion")
    ap.add_argument("--bootstrap", type=int, default=2000)
    args = ap.parse_args(argv)
    if Path(args.out).exists() and not args.overwrite:
        print(f"{args.out} exists; pass --overwrite to replace it", file=sys.stderr)
        return 2
    t0 = time.time()
    frames = annotated_frames(json.loads(Path(args.raw).read_text()))
    _, ref = coco_detector_preset(args.reference)
    report: dict = {"bad_threshold_2sigma_s": BAD_THRESHOLD, "reference_offsets": args.reference, "real": {}}
    for name, src, sel in (("movenet", "movenet", None), ("movenet_limbs", "movenet", COCO_LIMBS),
                           ("mediapipe_limbs (non-COCO definition)", "mediapipe", None)):  # fmt: skip
        p = real_pairs(frames, ref, src)
        if sel is not None:
            idx = np.concatenate([np.flatnonzero(p["frame"] == g)[: len(sel)] if frames[g]["dataset"] != "h36m" else
                                  np.flatnonzero(p["frame"] == g)[list(sel)] for g in np.unique(p["frame"])])  # fmt: skip
            p = {k: v[idx] for k, v in p.items()}
        kp = bootstrap_informativeness(p["score"], p["error"], BAD_THRESHOLD, n_resamples=args.bootstrap)
        fr = bootstrap_informativeness(p["score"], p["error"], BAD_THRESHOLD, groups=p["frame"],
                                       n_resamples=args.bootstrap)  # fmt: skip
        report["real"][name] = {
            **kp, "frame_bootstrap": {k: fr[k] for k in ("spearman_low", "spearman_high", "auroc_low", "auroc_high")},
            "num_frames": int(len(np.unique(p["frame"]))), "score_mean": float(p["score"].mean()),
            "score_p10_p50_p90": np.quantile(p["score"], [0.1, 0.5, 0.9]).round(3).tolist(),
            "error_median": float(np.median(p["error"])),
        }  # fmt: skip
        print(name, json.dumps({k: report["real"][name][k] for k in ("spearman", "spearman_low", "spearman_high",
              "auroc", "auroc_low", "auroc_high", "bad_fraction", "n", "frame_bootstrap")}), flush=True)  # fmt: skip
    real = report["real"]["movenet"]
    report["simulated_same_poses"], report["simulated_h36m"] = {}, {}
    for preset in args.presets:
        same = simulated_same_poses(frames, preset, args.draws)
        for k in ("spearman", "auroc"):  # where MoveNet's value falls in the simulator's sampling distribution
            same[k]["movenet_percentile"] = float(100.0 * np.mean(np.array(same[k]["values"]) <= real[k]))
        limb = simulated_same_poses(frames, preset, args.draws, limbs=True)
        for k in ("spearman", "auroc"):
            limb[k]["movenet_percentile"] = float(
                100.0 * np.mean(np.array(limb[k]["values"]) <= report["real"]["movenet_limbs"][k])
            )
        same["limbs"] = limb
        report["simulated_same_poses"][preset] = same
        for tag, d in (("same poses", same), ("same poses, limbs", limb)):
            print(preset, tag, json.dumps({k: {q: v for q, v in d[k].items() if q != "values"}
                                           for k in ("spearman", "auroc", "bad_fraction")}), flush=True)  # fmt: skip
        sim = simulated_h36m(preset, args.stride)
        whole = score_error_statistics(sim["score"], sim["error"], BAD_THRESHOLD)
        vis = score_error_statistics(sim["score"][~sim["hidden"]], sim["error"][~sim["hidden"]], BAD_THRESHOLD)
        report["simulated_h36m"][preset] = {
            **whole, "visible_only": vis, "hidden_fraction": float(sim["hidden"].mean()),
            "score_mean": float(sim["score"].mean()),
            "score_p10_p50_p90": np.quantile(sim["score"], [0.1, 0.5, 0.9]).round(3).tolist(),
            "error_median": float(np.median(sim["error"])), "num_sequences": int(len(np.unique(sim["sequence"]))),
            "stride": args.stride,
        }  # fmt: skip
        print(preset, "S9/S11", json.dumps({k: v for k, v in report["simulated_h36m"][preset].items()}), flush=True)
    report["seconds"] = round(time.time() - t0, 1)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1))
    print(f"wrote {args.out} ({report['seconds']} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
