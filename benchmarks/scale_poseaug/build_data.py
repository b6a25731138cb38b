"""Frame tables (Parquet) for the scale-normalisation / PoseAug experiments of issue 15 (benchmarks/RESULTS.md).

Motion: real H36M (``../shared/data/h36m/data_3d_h36m_fk25.npz``, 25 Hz) and real CMU mocap
(``../shared/data/cmu/data_3d_cmu24.npz``, 24 Hz, **evaluation only**). 2D = pinhole projection (no lens
distortion, so real and PoseAug-augmented poses are projected alike). Depth = the metric depth ``d`` at each
keypoint from the capsule-body ray caster with the default monocular corruption
(:class:`auglift_hf.simulation.DepthCorruption`: per-frame log-scale std 0.05, shift std 0.05 m, 1.5 px jitter,
2 % multiplicative noise), sampled at the exact projection (``gt``) or at the noisy detections (``det``).
Detections: :func:`auglift_hf.simulation.apply_detector_noise` with the default :class:`~auglift_hf.simulation.DetectorNoise`.

Tables (``<out>/<name>_{gt,det}.parquet``):

* ``train``: S1, S5, S6, S7, S8, 4 real cameras, every 4th frame of every sequence (single-frame lifters);
* ``test_id``: S9, S11, 4 real cameras, every 32nd frame (the reference protocol's poses);
* ``test_ood``: the same S9/S11 frames seen by the reference's out-of-domain virtual cameras
  (``benchmarks/reference/build_data.py::ood_camera``: 30 % closer, 0.5-2.6 m high, 800/1500 px focal);
* ``test_near``: a pure distance shift: each real S9/S11 camera moved 30 % closer to the sequence's mean pelvis
  along the line joining them (``T' = p + 0.7 (T - p)``), same orientation, focal length and principal point
  (frames with a joint outside the image are marked invalid);
* ``cmu``: all CMU takes, S1's 4 real H36M cameras, every 2nd frame; frames with a joint outside the image are
  marked invalid (never trained on).

Usage: ``python benchmarks/scale_poseaug/build_data.py --out /work/cache/i15`` (~2-4 CPU minutes).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from auglift_hf.camera import load_mmpose_cameras, project, world_to_camera
from auglift_hf.data.h36m import H36M_CAMERA_IDS, load_positions_3d
from auglift_hf.data.schema import SequenceRecord, record_to_arrow
from auglift_hf.simulation import DepthCorruption, apply_detector_noise, depth_descriptors_from_joints
from auglift_hf.skeleton import PELVIS, h36m32_to_17

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
REF = Path(__file__).resolve().parents[1] / "reference" / "build_data.py"


def _ood_camera():
    spec = importlib.util.spec_from_file_location("ref_build_data", REF)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.ood_camera


def _near_camera(world17: np.ndarray, real: dict, factor: float = 0.7) -> dict:
    """The real camera moved along the line to the sequence's mean pelvis to ``factor`` of its distance."""
    target = world17[:, PELVIS].mean(0)
    pos = target + factor * (np.ravel(real["T"]).astype(np.float64) - target)
    return {**real, "T": pos}


def _records(positions, cameras, subjects, stride, ood=False, dataset="h36m", cam_subject=None, near=False):
    ood_camera = _ood_camera() if ood else None
    out = []
    for subject in subjects:
        for action in sorted(positions[subject]):
            world = h36m32_to_17(np.asarray(positions[subject][action], np.float64))
            frames = np.arange(0, len(world), stride)
            for ci, cam_id in enumerate(H36M_CAMERA_IDS):
                real = cameras[(cam_subject or subject, cam_id)]
                cam = ood_camera(world, real, ci) if ood else (_near_camera(world, real) if near else real)
                xyz = world_to_camera(world[frames], cam["R"], cam["T"])
                uv = project(xyz, cam["f"], cam["c"])  # pinhole
                w, h = int(cam.get("w", 1000)), int(cam.get("h", 1002))
                inside = (uv[..., 0] >= 0).all(-1) & (uv[..., 0] <= w).all(-1) & (uv[..., 1] >= 0).all(-1)
                inside &= (uv[..., 1] <= h).all(-1) & (xyz[..., 2] > 0.1).all(-1)
                out.append(
                    SequenceRecord(
                        dataset=dataset, subject=subject, action=action,
                        camera=f"{'virtual' if ood else 'near' if near else ''}{ci}",
                        keypoints_2d=uv, keypoints_3d=xyz, focal=np.ravel(cam["f"])[:2], center=np.ravel(cam["c"])[:2],
                        image_size=(w, h), fps=25.0 / stride, split="test", frame_index=frames, valid=inside,
                        source="issue-15 benchmark",
                    )
                )  # fmt: skip
    return out


def _write(records, path: Path, detected: bool, seed: int) -> int:
    tables = []
    for i, rec in enumerate(records):
        if detected:
            noisy, conf = apply_detector_noise(rec.keypoints_2d, None, seed=np.random.default_rng([seed, i]))
            rec = SequenceRecord(**{**rec.__dict__, "keypoints_2d": noisy, "keypoint_scores": conf})
        depth = depth_descriptors_from_joints(
            rec.keypoints_3d, rec.keypoints_2d if detected else None, None, rec.focal, rec.center, mode="point",
            corruption=DepthCorruption(), seed=seed * 1_000_003 + i, image_size=tuple(rec.image_size),
            chunk_size=2048,
        ).numpy().astype(np.float32)  # fmt: skip
        tables.append(record_to_arrow(rec, ("d",), depth=depth))
    table = pa.concat_tables(tables)
    tmp = path.with_suffix(".tmp")
    pq.write_table(table, tmp)
    tmp.replace(path)
    return table.num_rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--only", nargs="+", default=["train", "test_id", "test_ood", "cmu", "test_near"])
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    h36m = load_positions_3d(SHARED / "h36m" / "data_3d_h36m_fk25.npz")
    cams = load_mmpose_cameras(SHARED / "h36m" / "cameras.pkl")
    summary_path = out / "summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.is_file() else {}
    for k, name in enumerate(("train", "test_id", "test_ood", "cmu", "test_near")):
        if name not in args.only:
            continue
        t0 = time.time()
        if name == "cmu":
            cmu = load_positions_3d(SHARED / "cmu" / "data_3d_cmu24.npz")
            recs = _records(cmu, cams, ["S1"], 2, dataset="cmu", cam_subject="S1")
        elif name == "train":
            recs = _records(h36m, cams, ["S1", "S5", "S6", "S7", "S8"], 4)
        else:
            recs = _records(h36m, cams, ["S9", "S11"], 32, ood=name == "test_ood", near=name == "test_near")
        dist = np.concatenate([np.linalg.norm(r.keypoints_3d[:, PELVIS], axis=-1) for r in recs])
        valid = np.concatenate([r.valid for r in recs])
        rows = {cfg: _write(recs, out / f"{name}_{cfg}.parquet", cfg == "det", 100 + 10 * k + (cfg == "det"))
                for cfg in ("gt", "det")}  # fmt: skip
        summary[name] = {"rows": rows, "valid": int(valid.sum()), "camera_to_pelvis_m_mean": float(dist.mean()),
                         "p5": float(np.percentile(dist, 5)), "p95": float(np.percentile(dist, 95)),
                         "seconds": round(time.time() - t0, 1)}  # fmt: skip
        print(name, json.dumps(summary[name]), flush=True)
    summary_path.write_text(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
