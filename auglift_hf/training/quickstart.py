"""``auglift quickstart``: the main job. Nothing downloaded, a few minutes on a laptop CPU.

1. **Data**: procedural motion (:mod:`auglift_hf.simulation`: walking, reaching, squatting, turning, waving,
   bending) seen by random cameras - or, with ``--h36m/--cameras``, real Human3.6M motion with its real
   cameras - projected to 2D, corrupted by the 2D-detector noise model (confidences fall with the error), with
   per-joint depth from the synthetic capsule-body renderer corrupted like a monocular estimate. Written as a
   canonical frame table (Parquet + dataset card, ``detected2d`` and ``gt2d`` configs).
2. **Train** an XY and an XYCD lifter (same architecture, seed and budget) with transformers' ``Trainer``.
3. **Evaluate** both with the ``evaluate`` metric (:func:`auglift_hf.load_metric`) on the held-out split.
4. **Reload** the XYCD folder with ``AutoModel.from_pretrained`` and lift a held-out sequence in one pass.
5. Write ``comparison.png`` and ``comparison.md`` and print the comparison table **last**.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np

#: Budgets of the default run and of ``--smoke`` (used by the tests).
PROFILES: dict[str, dict[str, Any]] = {
    "default": {
        "train_sequences": 96,
        "test_sequences": 24,
        "num_frames": 200,
        "max_steps": 1000,
        "batch_size": 256,
        "channels": 256,
        "eval_windows": 3000,
        "metric_poses": 2000,
        "h36m_stride": 4,
        "h36m_max_frames": 200,
        "h36m_sequences": 100,
    },
    "smoke": {
        "train_sequences": 12,
        "test_sequences": 6,
        "num_frames": 60,
        "max_steps": 40,
        "batch_size": 64,
        "channels": 64,
        "eval_windows": 200,
        "metric_poses": 200,
        "h36m_stride": 20,
        "h36m_max_frames": 60,
        "h36m_sequences": 8,
    },
}
XY = ["x", "y"]
XYCD = ["x", "y", "c", "d"]


# ------------------------------------------------------------------------------------------------ data


def add_synthetic_depth(records: list, seed: int = 0, progress: bool = True) -> list:
    """Attach a per-joint depth channel ``d`` ``(T, 17, 1)`` metres to every record, in place.

    Depth comes from ray-casting the capsule body (:func:`auglift_hf.simulation.depth_descriptors_from_joints`,
    ``mode="point"``) at the **detected** 2D keypoints (as a real pipeline samples a depth map at its detections),
    corrupted like a monocular estimate (:class:`auglift_hf.simulation.DepthCorruption`: per-frame scale/shift,
    blur, multiplicative noise). All frames go through in one batched, seeded call.
    """
    import torch
    from tqdm.auto import tqdm

    from auglift_hf.simulation import DepthCorruption, depth_descriptors_from_joints

    corruption = DepthCorruption()
    g = torch.Generator().manual_seed(seed)
    for rec in tqdm(records, desc="synthetic depth", disable=not progress):
        k2 = rec.detected_2d if rec.detected_2d is not None else rec.keypoints_2d
        sc = rec.detected_scores if rec.detected_scores is not None else rec.keypoint_scores
        d = depth_descriptors_from_joints(
            rec.keypoints_3d, k2, sc, rec.focal, rec.center, mode="point", corruption=corruption, seed=g,
            image_size=rec.image_size,
        )  # fmt: skip
        rec.depth = d.numpy().astype(np.float32)
    return records


def procedural_records(num_train: int, num_test: int, num_frames: int, seed: int = 0, progress: bool = True) -> list:
    """Procedural motion seen by random cameras, with detector-noise 2D: train + test ``SequenceRecord``s."""
    from tqdm.auto import tqdm

    from auglift_hf.data.schema import SequenceRecord
    from auglift_hf.simulation import (
        MOTION_TYPES,
        apply_detector_noise,
        generate_motion,
        project_sequence,
        random_camera,
    )

    rng = np.random.default_rng(seed)
    records = []
    total = num_train + num_test
    for i in tqdm(range(total), desc="motion + cameras", disable=not progress):
        kind = MOTION_TYPES[i % len(MOTION_TYPES)]
        world = generate_motion(kind, num_frames, fps=25.0, seed=rng)
        cam = random_camera(world, seed=rng)
        joints_cam, kp = project_sequence(world, cam)
        noisy, scores = apply_detector_noise(kp, seed=rng)
        split = "train" if i < num_train else "test"
        records.append(
            SequenceRecord(
                dataset="procedural", subject=f"P{i:03d}", action=f"{kind} {i}", camera="cam0",
                keypoints_2d=kp, keypoints_3d=joints_cam, focal=cam["f"], center=cam["c"],
                image_size=(cam["w"], cam["h"]), fps=25.0, split=split,
                detected_2d=noisy, detected_scores=scores, source="auglift_hf.simulation",
            )
        )  # fmt: skip
    return records


def h36m_records(
    positions_3d: str, cameras: str, stride: int, max_frames: int, seed: int = 0, max_sequences: int | None = None
) -> list:
    """Real H36M motion and cameras (train S1/S5/S6/S7/S8, test S9/S11) with detector-noise 2D."""
    from auglift_hf.data.h36m import read_h36m_positions_3d
    from auglift_hf.simulation import apply_detector_noise

    records = read_h36m_positions_3d(positions_3d, cameras, stride=stride, max_frames=max_frames, fps=25.0)
    rng = np.random.default_rng(seed)
    if max_sequences is not None:  # a balanced subset: every k-th sequence of each split
        keep = []
        for split in ("train", "test"):
            recs = [r for r in records if r.split == split]
            n = max_sequences if split == "train" else max(max_sequences // 4, 1)
            keep += [recs[i] for i in np.unique(np.linspace(0, len(recs) - 1, min(n, len(recs))).astype(int))]
        records = keep
    out = []
    for rec in records:
        noisy, scores = apply_detector_noise(rec.keypoints_2d, seed=rng)
        out.append(dataclasses.replace(rec, detected_2d=noisy, detected_scores=scores))
    return out


def build_table(records: list, out_dir: str | os.PathLike, name: str, seed: int = 0, progress: bool = True) -> Path:
    """Write ``records`` (+ synthetic depth, :func:`add_synthetic_depth`) as a canonical table folder."""
    from auglift_hf.contract import DEFAULT_DEPTH_MODEL, default_descriptor
    from auglift_hf.data.schema import write_frame_table

    add_synthetic_depth(records, seed, progress)
    write_frame_table(
        records,
        out_dir,
        dataset_name=name,
        depth_source=None,
        card={
            "license": "research-only (H36M)" if name == "h36m" else "apache-2.0",
            "depth_source": "synthetic (capsule-body ray casting at the detected 2D keypoints, monocular corruption)",
            # input contract inherited by the lifters trained here: metric point depth standing in for the
            # metric Depth Anything V2; both configs hold H36M joints (exact / through the detector-noise model)
            "depth_contract": {
                "depth_kind": "metric",
                "depth_model": DEFAULT_DEPTH_MODEL,
                "depth_descriptor": default_descriptor("point", 1),
            },
            "keypoint_definition_by_config": {"gt2d": "h36m", "detected2d": "h36m"},
        },
        progress=progress,
    )
    return Path(out_dir)


# ------------------------------------------------------------------------------------------- training


def train_lifter(
    table: Path, channels: list[str], out_dir: Path, profile: dict[str, Any], seed: int, progress: bool
) -> dict[str, Any]:
    """Train one TCN-27f lifter on ``table``'s ``detected2d`` config; returns :func:`run_training`'s result."""
    from .config import load_config
    from .trainer import run_training

    config = {
        "model": {
            "model_type": "tcn",
            "num_frames": 27,
            "input_channels": channels,
            "model_kwargs": {"channels": profile["channels"], "dropout": 0.1},
        },
        "data": {
            "train_datasets": [str(table)],
            "eval_datasets": [str(table)],
            "dataset_config": "detected2d",
            "max_eval_samples": profile["eval_windows"],
        },
        "training": {
            "output_dir": str(out_dir),
            "max_steps": profile["max_steps"],
            "per_device_train_batch_size": profile["batch_size"],
            "per_device_eval_batch_size": 512,
            "learning_rate": 2e-3,
            "lr_decay": 0.98,
            "eval_strategy": "steps",
            "save_strategy": "steps",
            "eval_steps": max(profile["max_steps"] // 3, 1),
            "save_steps": max(profile["max_steps"] // 3, 1),
            "logging_steps": max(profile["max_steps"] // 10, 1),
            "save_total_limit": 1,
            "seed": seed,
            "resume": False,
            "disable_tqdm": not progress,
            "use_cpu": True,
            "dataloader_num_workers": 0,
        },
    }
    model_args, data_args, training_args = load_config(config)
    return run_training(model_args, data_args, training_args, final_dir=out_dir / "final")


# ----------------------------------------------------------------------------------------- evaluation


def predict_windows(model: Any, dataset: Any, batch_size: int = 512) -> tuple[np.ndarray, np.ndarray]:
    """Flip-test predictions and targets ``(N, 17, 3)`` metres over a window dataset."""
    import torch

    model.eval()
    preds, targets = [], []
    with torch.no_grad():
        for start in range(0, len(dataset), batch_size):
            items = [dataset[i] for i in range(start, min(start + batch_size, len(dataset)))]
            x = torch.stack([torch.as_tensor(it["keypoints"]) for it in items])
            y = torch.stack([torch.as_tensor(it["labels"]) for it in items])
            preds.append(model(keypoints=x, flip_test=True).poses_3d[:, 0].numpy())
            targets.append(y[:, y.shape[1] // 2].numpy())
    return np.concatenate(preds), np.concatenate(targets)


def evaluate_with_metric(pred_m: np.ndarray, target_m: np.ndarray) -> dict[str, float]:
    """The ``evaluate`` module's numbers (mm / fractions) for metre poses; pure functions as a fallback."""
    pred, target = pred_m * 1000.0, target_m * 1000.0
    try:
        from auglift_hf import load_metric

        metric = load_metric()
        return {k: float(v) for k, v in metric.compute(predictions=pred, references=target).items() if np.isscalar(v)}
    except ImportError:
        from auglift_hf.metrics.functional import compute_pose3d_metrics

        out = compute_pose3d_metrics(pred, target)
        return {k: float(v) for k, v in out.items() if np.isscalar(v)}


def lift_sequence(folder: Path, table: Path, channels: list[str]) -> dict[str, Any]:
    """Reload ``folder`` with ``AutoModel.from_pretrained`` and lift the first test sequence in one pass."""
    import torch
    from transformers import AutoModel

    import auglift_hf  # noqa: F401 - registers the Auto classes
    from auglift_hf.data.windows import PoseWindowDataset

    model = AutoModel.from_pretrained(folder).eval()
    ds = PoseWindowDataset(table, window_size=1, channels=tuple(channels), config="detected2d", split="test")
    first = ds.seq_start == ds.seq_start[0]
    rows = np.flatnonzero(first)
    x = torch.from_numpy(ds.features[rows])[None]
    with torch.no_grad():
        poses = model(keypoints=x, flip_test=True).poses_3d[0].numpy()  # (T, 17, 3), full sequence in one pass
    target = ds.targets[rows]
    err = np.linalg.norm(poses - target, axis=-1).mean(-1) * 1000.0
    return {"model": type(model).__name__, "frames": len(rows), "pred": poses, "target": target, "error_mm": err}


def plot_comparison(results: dict[str, dict[str, float]], lifted: dict[str, dict[str, Any]], path: Path) -> Path:
    """Bars of MPJPE / PA-MPJPE for each model + per-frame error on the lifted held-out sequence."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from auglift_hf.analysis.plots import draw_skeleton_3d, save_figure

    fig = plt.figure(figsize=(15, 4.5))
    ax = fig.add_subplot(1, 3, 1)
    names = list(results)
    keys = ["mpjpe", "pa_mpjpe"]
    xs = np.arange(len(keys))
    for i, name in enumerate(names):
        vals = [results[name].get(k, np.nan) for k in keys]
        bars = ax.bar(xs + (i - 0.5) * 0.35, vals, 0.35, label=name)
        ax.bar_label(bars, fmt="%.1f", fontsize=8)
    ax.set_xticks(xs, ["MPJPE", "PA-MPJPE"])
    ax.set_ylabel("mm (lower is better)")
    ax.set_title("held-out test split")
    ax.legend()
    ax = fig.add_subplot(1, 3, 2)
    for name, out in lifted.items():
        ax.plot(out["error_mm"], label=f"{name} ({out['error_mm'].mean():.1f} mm)")
    ax.set_xlabel("frame")
    ax.set_ylabel("MPJPE (mm)")
    ax.set_title("lifted held-out sequence")
    ax.legend()
    ax = fig.add_subplot(1, 3, 3, projection="3d")
    name = list(lifted)[-1]
    frame = int(np.argmin(np.abs(lifted[name]["error_mm"] - np.median(lifted[name]["error_mm"]))))  # a typical frame
    draw_skeleton_3d(ax, lifted[name]["target"][frame], color="black", label="ground truth")
    draw_skeleton_3d(ax, lifted[name]["pred"][frame], color="tab:orange", label=name)
    ax.set_title(f"frame {frame}")
    ax.legend(fontsize=8)
    return save_figure(fig, path)


def comparison_table(results: dict[str, dict[str, float]], lifted: dict[str, dict[str, Any]], times: dict) -> str:
    """Markdown table: one row per model, plus the relative change of XYCD vs XY."""
    header = (
        "| model | MPJPE (mm) | PA-MPJPE (mm) | N-MPJPE (mm) | PCK3D@150 | AUC | held-out seq MPJPE (mm) | train (s) |"
    )
    lines = [header, "|---|---|---|---|---|---|---|---|"]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r.get('mpjpe', np.nan):.1f} | {r.get('pa_mpjpe', np.nan):.1f} | {r.get('n_mpjpe', np.nan):.1f}"
            f" | {100 * r.get('pck3d', np.nan):.1f} % | {100 * r.get('auc', np.nan):.1f} % "
            f"| {lifted[name]['error_mm'].mean():.1f} | {times.get(name, np.nan):.0f} |"
        )
    names = list(results)
    if len(names) == 2:
        a, b = (results[n]["mpjpe"] for n in names)
        pa, pb = (results[n]["pa_mpjpe"] for n in names)
        lines.append("")
        lines.append(
            f"{names[1]} vs {names[0]}: MPJPE {100 * (b - a) / a:+.1f} %, PA-MPJPE {100 * (pb - pa) / pa:+.1f} % "
            "(negative = better)"
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------- CLI


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--smoke", action="store_true", help="tiny budget (under a minute; used by the tests)")
    parser.add_argument("--h36m", help="VideoPose3D-format data_3d_h36m.npz: use real H36M motion")
    parser.add_argument("--cameras", help="MMPose cameras.pkl (with --h36m)")
    parser.add_argument("--out", default="quickstart_out", help="output folder (data, runs, plot)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-steps", type=int, default=None, help="override the training steps per model")
    parser.add_argument("--no-progress", action="store_true", help="hide progress bars")


def run(args: argparse.Namespace) -> int:
    import torch
    from transformers.utils import logging as hf_logging

    if (args.h36m is None) != (args.cameras is None):
        raise ValueError("--h36m and --cameras go together")
    hf_logging.set_verbosity_error()
    torch.set_num_threads(max(torch.get_num_threads(), 1))
    profile = dict(PROFILES["smoke" if args.smoke else "default"])
    if args.max_steps:
        profile["max_steps"] = args.max_steps
    progress = not args.no_progress
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()

    if args.h36m:
        for p in (args.h36m, args.cameras):
            if not Path(p).is_file():
                raise FileNotFoundError(f"auglift quickstart: {p} does not exist")
        print(f"[1/5] building an XYCD table from real H36M motion ({args.h36m})")
        records = h36m_records(
            args.h36m, args.cameras, profile["h36m_stride"], profile["h36m_max_frames"], args.seed,
            max_sequences=profile["h36m_sequences"],
        )  # fmt: skip
        name = "h36m"
    else:
        print("[1/5] building an XYCD table from procedural motion with random cameras")
        records = procedural_records(
            profile["train_sequences"], profile["test_sequences"], profile["num_frames"], args.seed, progress
        )
        name = "procedural"
    table = build_table(records, out / "data" / name, name, args.seed, progress)
    t_data = time.perf_counter() - t0

    results: dict[str, dict[str, float]] = {}
    lifted: dict[str, dict[str, Any]] = {}
    times: dict[str, float] = {}
    folders: dict[str, Path] = {}
    for step, (label, channels) in enumerate((("XY", XY), ("XYCD", XYCD)), start=2):
        print(f"[{step}/5] training the {label} lifter (TCN 27 frames, {profile['max_steps']} steps)")
        t = time.perf_counter()
        res = train_lifter(table, channels, out / "runs" / f"tcn27-{label.lower()}", profile, args.seed, progress)
        times[label] = time.perf_counter() - t
        folders[label] = Path(res["final_dir"])

    print("[4/5] evaluating both lifters with the evaluate metric; reloading with AutoModel.from_pretrained")
    from transformers import AutoModel

    from .data import SubsetWindows, window_dataset

    for label, channels in (("XY", XY), ("XYCD", XYCD)):
        model = AutoModel.from_pretrained(folders[label])
        test = SubsetWindows(window_dataset(table, channels, 27, "test", "detected2d"), profile["metric_poses"])
        pred, target = predict_windows(model, test)
        results[label] = evaluate_with_metric(pred, target)
        lifted[label] = lift_sequence(folders[label], table, channels)

    print("[5/5] writing the comparison")
    png = plot_comparison(results, lifted, out / "comparison.png")
    table_md = comparison_table(results, lifted, times)
    summary = {
        "data": str(table),
        "models": {k: str(v) for k, v in folders.items()},
        "results": results,
        "train_seconds": times,
        "data_seconds": t_data,
        "total_seconds": time.perf_counter() - t0,
    }
    from auglift_hf.utils.io import atomic_write_file

    with atomic_write_file(out / "comparison.md", "w") as fh:
        fh.write(table_md + "\n")
    with atomic_write_file(out / "summary.json", "w") as fh:
        json.dump(summary, fh, indent=2)
    print(f"Hub-ready folders: {folders['XY']}  {folders['XYCD']}")
    print(f"plot: {png}   total time: {summary['total_seconds']:.0f} s")
    print()
    print(table_md)
    return 0
