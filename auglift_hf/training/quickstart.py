"""``auglift quickstart``: the main job. Nothing downloaded; the default budget fits in 5 minutes of job time on
2 idle CPU cores (``--full``: the longer run of earlier versions, ``--smoke``: seconds, meaningless numbers).

1. **Data**: procedural motion (:mod:`auglift_hf.simulation`: walking, reaching, squatting, turning, waving,
   bending) seen by random cameras - or, with ``--h36m/--cameras``, real Human3.6M motion with its real
   cameras - with **detector-definition 2D** by default (COCO-17 landmarks from the 3D skeleton, temporally
   correlated detector noise, occlusion-dependent errors and confidences, mapped to H36M-17 with AugLift's rule:
   :func:`auglift_hf.simulation.simulate_coco_detector` with the default detector preset, ``movenet-fitted``:
   the simulator fitted to real MoveNet) and per-joint depth from the package's default depth
   simulation at its default severity (``surface-v2`` at the calibrated severity,
   :data:`auglift_hf.data.schema.DEFAULT_DEPTH_SIMULATION`,
   :data:`auglift_hf.simulation.surface_error.CALIBRATED_SEVERITY`) through the depth source of ``auglift convert
   --depth-source synthetic`` (:func:`auglift_hf.data.schema.synthetic_depth_source`, CASP descriptor), so the
   XYCD lifter sees the depth the shipped lifters' tables give (``--depth-simulation capsule-v1`` /
   ``--depth-severity S``: another simulation or severity; ``--simple-simulation``: the earlier per-frame jitter
   on the H36M joints with ``capsule-v1`` depth and the mild :class:`~auglift_hf.simulation.DepthCorruption`).
   Written as a canonical frame table (Parquet + dataset card, ``detected2d`` and ``gt2d`` configs) whose card,
   like ``summary.json`` and ``comparison.md``, names the simulation and severity (:func:`depth_label`).
2. **Train** an XY and an XYCD lifter (same architecture, seed and budget) with transformers' ``Trainer``.
3. **Evaluate** both with the ``evaluate`` metric (:func:`auglift_hf.load_metric`) on the held-out split.
4. **Reload** the XYCD folder with ``AutoModel.from_pretrained`` and lift a held-out sequence in one pass.
5. Compare XYCD with XY **with its uncertainty**: a paired bootstrap 95 % interval of the difference over the test
   sequences (:func:`auglift_hf.metrics.bootstrap.paired_bootstrap_interval`, seeded); "no significant difference" when it contains 0.
   Write ``comparison.png``, ``comparison.md`` and ``summary.json`` and print the comparison table **last**.

Outputs: ``--out`` (default ``quickstart_out``) receives ``data/<name>``, ``runs/tcn27-xy``, ``runs/tcn27-xycd``,
``comparison.png``, ``comparison.md`` and ``summary.json`` (:data:`RUN_OUTPUTS`). A folder that already holds any
of them (an earlier run, finished or not) is refused (exit 4) unless ``--overwrite``, which replaces exactly those
paths; other files in the folder are never touched.
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

from auglift_hf.utils.cli_args import (
    DEFAULT_DETECTOR_PRESET,
    DEPTH_SIMULATION_CHOICES,
    depth_severity,
    positive_int,
)

#: Budgets of the default run, of ``--full`` (the default before issue 28: ~29 min of job time under load) and of
#: ``--smoke`` (used by the tests; its numbers are meaningless). The default is sized so the whole job stays under
#: 5 minutes of wall time on 2 idle cores (measured CPU time in README.md) with 24 test sequences for the interval.
PROFILES: dict[str, dict[str, Any]] = {
    "default": {
        "train_sequences": 96,
        "test_sequences": 32,
        "num_frames": 150,
        "max_steps": 1000,
        "batch_size": 128,
        "channels": 256,
        "h36m_stride": 4,
        "h36m_max_frames": 150,
        "h36m_sequences": 96,
    },
    "full": {
        "train_sequences": 96,
        "test_sequences": 24,
        "num_frames": 200,
        "max_steps": 1000,
        "batch_size": 256,
        "channels": 256,
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
        "h36m_stride": 20,
        "h36m_max_frames": 60,
        "h36m_sequences": 8,
    },
}
XY = ["x", "y"]
XYCD = ["x", "y", "c", "d"]
#: What a run writes under ``--out`` (relative paths); only these are replaced by ``--overwrite``.
RUN_OUTPUTS: tuple[str, ...] = (
    "data/procedural", "data/h36m", "runs/tcn27-xy", "runs/tcn27-xycd", "comparison.png", "comparison.md",
    "summary.json",
)  # fmt: skip
#: Printed above the table and written into ``comparison.md`` / ``summary.json`` by ``--smoke``.
SMOKE_NOTE = (
    "SMOKE RUN: tiny data and 40 training steps, only to check that the pipeline runs end to end; "
    "these numbers are meaningless (run without --smoke for the comparison)"
)


# ------------------------------------------------------------------------------------------------ data


def quickstart_depth_source(
    seed: int = 0,
    fps: float = 25.0,
    simulation: str | None = None,
    severity: float | None = None,
    simple: bool = False,
) -> Any:
    """The quickstart table's depth source: :func:`auglift_hf.data.schema.synthetic_depth_source`, the one
    ``auglift convert --depth-source synthetic`` uses (CASP descriptor; one seeded call per sequence and config:
    sampled at the detected 2D in ``detected2d``, at the exact projection in ``gt2d``).

    Args:
        seed: the source's seed (``--seed``).
        fps: frame rate of the sequences (the error model's temporal terms).
        simulation, severity: ``None`` = the package defaults (:data:`auglift_hf.data.schema.DEFAULT_DEPTH_SIMULATION`
            at that simulation's default severity: ``surface-v2`` at the calibrated one).
        simple: ``--simple-simulation``: ``capsule-v1`` with the mild :class:`~auglift_hf.simulation.DepthCorruption`
            (then ``simulation`` and ``severity`` must be ``None``).
    """
    from auglift_hf.data.schema import DEFAULT_DEPTH_SIMULATION, synthetic_depth_source

    if simple:
        if simulation is not None or severity is not None:
            raise ValueError(
                "--simple-simulation brings its own depth (capsule-v1 with the mild DepthCorruption): drop "
                "--depth-simulation / --depth-severity, or drop --simple-simulation"
            )
        from auglift_hf.simulation import DepthCorruption

        return synthetic_depth_source(seed=seed, fps=fps, simulation="capsule-v1", corruption=DepthCorruption())
    return synthetic_depth_source(
        seed=seed, fps=fps, simulation=simulation or DEFAULT_DEPTH_SIMULATION, severity=severity
    )


def depth_label(source: Any) -> str:
    """A simulated depth source in words, e.g. ``"simulated depth: surface-v2, severity 3 (calibrated)"``
    (``"(optimistic)"`` at :data:`~auglift_hf.simulation.surface_error.OPTIMISTIC_SEVERITY`), read from the source's
    own ``simulation`` and ``depth_error`` (what the table's card records), so the label cannot disagree with it."""
    from auglift_hf.simulation.surface_error import CALIBRATED_SEVERITY, OPTIMISTIC_SEVERITY

    error = source.depth_error
    if error is None:
        return f"simulated depth: {source.simulation}, exact (no depth error)"
    severity = error.get("severity") if isinstance(error, dict) else None
    if severity is None:  # an error model without a severity knob: --simple-simulation's DepthCorruption
        return f"simulated depth: {source.simulation}, mild DepthCorruption"
    label = f"simulated depth: {source.simulation}, severity {float(severity):g}"
    if source.simulation == "surface-v2":
        qualifier = {CALIBRATED_SEVERITY: " (calibrated)", OPTIMISTIC_SEVERITY: " (optimistic)"}
        label += qualifier.get(float(severity), "")
    return label


def procedural_records(
    num_train: int, num_test: int, num_frames: int, seed: int = 0, progress: bool = True, realistic: bool = True
) -> list:
    """Procedural motion seen by random cameras, with detector-definition 2D (``realistic``) or per-frame jitter on
    the joint projections: train + test ``SequenceRecord``s."""
    from tqdm.auto import tqdm

    from auglift_hf.data.schema import SequenceRecord
    from auglift_hf.simulation import (
        MOTION_TYPES,
        apply_detector_noise,
        generate_motion,
        project_sequence,
        random_camera,
        simulate_coco_detector,
    )
    from auglift_hf.simulation.detector2d import coco_detector_preset

    noise, offsets = coco_detector_preset(DEFAULT_DETECTOR_PRESET)
    rng = np.random.default_rng(seed)
    records = []
    total = num_train + num_test
    for i in tqdm(range(total), desc="motion + cameras", disable=not progress):
        kind = MOTION_TYPES[i % len(MOTION_TYPES)]
        world = generate_motion(kind, num_frames, fps=25.0, seed=rng)
        cam = random_camera(world, seed=rng)
        joints_cam, kp = project_sequence(world, cam)
        if realistic:
            det = simulate_coco_detector(joints_cam, cam, fps=25.0, params=noise, offsets=offsets, seed=rng)
            noisy, scores = det["keypoints_2d"], det["scores"]
        else:
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
    positions_3d: str,
    cameras: str,
    stride: int,
    max_frames: int,
    seed: int = 0,
    max_sequences: int | None = None,
    realistic: bool = True,
) -> list:
    """Real H36M motion and cameras (train S1/S5/S6/S7/S8, test S9/S11) with detector-definition 2D (``realistic``)
    or per-frame jitter on the joint projections."""
    from auglift_hf.data.h36m import read_h36m_positions_3d, simulate_detector_2d
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
    if realistic:
        simulate_detector_2d(records, cameras, seed=seed)
        return records
    out = []
    for rec in records:
        noisy, scores = apply_detector_noise(rec.keypoints_2d, seed=rng)
        out.append(dataclasses.replace(rec, detected_2d=noisy, detected_scores=scores))
    return out


def build_table(
    records: list,
    out_dir: str | os.PathLike,
    name: str,
    seed: int = 0,
    progress: bool = True,
    realistic: bool = True,
    depth_source: Any = None,
) -> Path:
    """Write ``records`` as a canonical table folder with simulated depth columns (``d, d_min, d_max``).

    ``depth_source``: :func:`quickstart_depth_source` (default: the package's default simulation and severity, or
    with ``realistic=False`` the ``--simple-simulation`` one). It goes through
    :func:`auglift_hf.data.schema.write_frame_table` exactly as ``auglift convert --depth-source synthetic`` passes
    its own, so the card records the simulation the same way (its depth source text, here prefixed with
    :func:`depth_label`, and the machine-readable ``auglift_depth_simulation`` entry)."""
    from auglift_hf.data.schema import write_frame_table

    if depth_source is None:
        fps = float(records[0].fps) if records else 25.0
        depth_source = quickstart_depth_source(seed, fps, simple=not realistic)
    write_frame_table(
        records,
        out_dir,
        dataset_name=name,
        depth_source=depth_source,
        card={
            "license": "research-only (H36M)" if name == "h36m" else "apache-2.0",
            "depth_source": f"{depth_label(depth_source)}; {depth_source.kind}",
            "how_built": "`auglift quickstart` (auglift_hf.training.quickstart)",
            # gt2d holds H36M joints, detected2d the detector-definition (COCO) 2D unless --simple-simulation
            "keypoint_definition_by_config": {"gt2d": "h36m", "detected2d": "coco" if realistic else "h36m"},
        },
        progress=progress,
    )
    return Path(out_dir)


# ------------------------------------------------------------------------------------------- training


def train_lifter(
    table: Path, channels: list[str], out_dir: Path, profile: dict[str, Any], seed: int, progress: bool
) -> dict[str, Any]:
    """Train one TCN-27f lifter on ``table``'s ``detected2d`` train split; returns :func:`run_training`'s result.

    No evaluation during training: the last step is the model (choosing a checkpoint by its error on the test
    split would bias the comparison in its favour, and costs time)."""
    from .config import load_config
    from .trainer import run_training

    config = {
        "model": {
            "model_type": "tcn",
            "num_frames": 27,
            "input_channels": channels,
            "model_kwargs": {"channels": profile["channels"], "dropout": 0.1},
        },
        "data": {"train_datasets": [str(table)], "dataset_config": "detected2d"},
        "training": {
            "output_dir": str(out_dir),
            "max_steps": profile["max_steps"],
            "per_device_train_batch_size": profile["batch_size"],
            "learning_rate": 2e-3,
            "lr_decay": 0.98,
            "eval_strategy": "no",
            "save_strategy": "no",
            "logging_steps": max(profile["max_steps"] // 10, 1),
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


def describe_interval(name: str, iv: dict[str, float], unit: str = "mm") -> str:
    """One phrase: ``MPJPE -2.1 mm (-3.4 %, 95 % CI -5.0 % to -1.9 %: better)`` for ``b`` vs ``a``."""
    verdict = "no significant difference" if not iv["significant"] else ("better" if iv["difference"] < 0 else "worse")
    return (
        f"{name} {iv['difference']:+.1f} {unit} ({100 * iv['relative']:+.1f} %, {100 * iv['confidence']:.0f} % CI "
        f"{100 * iv['relative_low']:+.1f} % to {100 * iv['relative_high']:+.1f} %: {verdict})"
    )


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


def plot_comparison(
    results: dict[str, dict[str, float]], lifted: dict[str, dict[str, Any]], path: Path, note: str | None = None
) -> Path:
    """Bars of MPJPE / PA-MPJPE for each model, per-frame error on the lifted held-out sequence, and one typical
    frame of that sequence: ground truth and every model, in millimetres (root-relative)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from auglift_hf.analysis.plots import draw_skeleton_3d, save_figure

    fig = plt.figure(figsize=(15, 4.8))
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
    mean_err = np.mean([out["error_mm"] for out in lifted.values()], axis=0)
    frame = int(np.argmin(np.abs(mean_err - np.median(mean_err))))  # a typical frame for both models
    first = next(iter(lifted.values()))
    draw_skeleton_3d(ax, first["target"][frame] * 1000.0, color="black", label="ground truth")
    for (name, out), colour in zip(lifted.items(), ("tab:blue", "tab:orange", "tab:green")):
        draw_skeleton_3d(
            ax, out["pred"][frame] * 1000.0, color=colour, label=f"{name} ({out['error_mm'][frame]:.0f} mm)"
        )
    ax.set_xlabel("x (mm)")
    ax.set_ylabel("z, depth (mm)")
    ax.set_zlabel("-y (mm)")
    ax.set_title(f"held-out sequence, frame {frame} (root-relative, mm)")
    ax.legend(fontsize=8)
    if note:
        fig.suptitle(note, color="tab:red", fontsize=10)
    return save_figure(fig, path)


def comparison_table(
    results: dict[str, dict[str, float]],
    lifted: dict[str, dict[str, Any]],
    times: dict,
    intervals: dict[str, dict[str, float]] | None = None,
    note: str | None = None,
    inputs: str | None = None,
) -> str:
    """Markdown table: one row per model, then XYCD vs XY with its paired bootstrap interval (last line).

    ``intervals``: ``{"mpjpe": ..., "pa_mpjpe": ...}`` from :func:`~auglift_hf.metrics.bootstrap.paired_bootstrap_interval` (second model vs
    first); ``note``: a warning printed above the table and appended to the last line (``--smoke``); ``inputs``:
    what the data was (motion, 2D, :func:`depth_label`), printed above the table."""
    header = (
        "| model | MPJPE (mm) | PA-MPJPE (mm) | N-MPJPE (mm) | PCK3D@150 | AUC | held-out seq MPJPE (mm) | train (s) |"
    )
    lines = ([f"**{note}**", ""] if note else []) + ([f"Inputs: {inputs}", ""] if inputs else [])
    lines += [header, "|---|---|---|---|---|---|---|---|"]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r.get('mpjpe', np.nan):.1f} | {r.get('pa_mpjpe', np.nan):.1f} | {r.get('n_mpjpe', np.nan):.1f}"
            f" | {100 * r.get('pck3d', np.nan):.1f} % | {100 * r.get('auc', np.nan):.1f} % "
            f"| {lifted[name]['error_mm'].mean():.1f} | {times.get(name, np.nan):.0f} |"
        )
    names = list(results)
    if len(names) == 2 and intervals:
        iv = intervals["mpjpe"]
        lines.append("")
        lines.append(
            f"{names[1]} vs {names[0]}: {describe_interval('MPJPE', iv)}, "
            f"{describe_interval('PA-MPJPE', intervals['pa_mpjpe'])}; paired bootstrap over {iv['num_groups']} test "
            f"sequences ({iv['n_resamples']} resamples, seed {iv['seed']}; negative = better)"
            + (" [SMOKE RUN: meaningless numbers]" if note else "")
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------- CLI


def add_arguments(parser: argparse.ArgumentParser) -> None:
    budget = parser.add_mutually_exclusive_group()
    budget.add_argument(
        "--smoke", action="store_true",
        help="tiny budget (seconds; used by the tests): checks that the pipeline runs, its numbers are meaningless",
    )  # fmt: skip
    budget.add_argument(
        "--full", action="store_true",
        help="the longer run (2.5x the data, 1000 steps of 256 windows, 256 channels; ~30 min of job time on 2 "
        "loaded cores) instead of the default 5-minute one",
    )  # fmt: skip
    parser.add_argument("--h36m", help="VideoPose3D-format data_3d_h36m.npz: use real H36M motion")
    parser.add_argument("--cameras", help="MMPose cameras.pkl (with --h36m)")
    parser.add_argument(
        "--out", default="quickstart_out",
        help="output folder (data, runs, plot); an earlier run there is refused unless --overwrite",
    )  # fmt: skip
    parser.add_argument(
        "--overwrite", action="store_true",
        help="replace an earlier quickstart run in --out (only the paths a run writes; other files are kept)",
    )  # fmt: skip
    parser.add_argument(
        "--seed", type=int, default=0,
        help="seed of the data (motion, cameras, detector noise, depth errors), of training (both lifters get the "
        "same) and of the bootstrap interval (default 0)",
    )  # fmt: skip
    parser.add_argument("--max-steps", type=positive_int, default=None, help="override the training steps per model")
    parser.add_argument(
        "--depth-simulation", choices=DEPTH_SIMULATION_CHOICES, default=None,
        help="the depth simulation (default: the package's, surface-v2: a body surface on a floor in a room, "
        "part-aware errors; capsule-v1: capsules on the joint chain, the earlier quickstart's)",
    )  # fmt: skip
    parser.add_argument(
        "--depth-severity", type=depth_severity, default=None,
        help="severity of the depth error model (0 = exact depth; default: the simulation's own, surface-v2: 3 = "
        "calibrated to AugLift's real-depth gain, 1 = optimistic; capsule-v1: 1; at most 10)",
    )  # fmt: skip
    parser.add_argument(
        "--simple-simulation", action="store_true",
        help="the earlier, kinder inputs: per-frame jitter on the H36M joints and capsule-v1 depth with mild "
        "corruption (not with --depth-simulation / --depth-severity)",
    )  # fmt: skip
    parser.add_argument("--no-progress", action="store_true", help="hide progress bars")


def prepare_output(out: Path, overwrite: bool) -> list[str]:
    """Refuse an ``--out`` that holds an earlier run (any of :data:`RUN_OUTPUTS`) unless ``overwrite``; with it,
    remove exactly those paths. Returns the replaced paths. Nothing else in the folder is touched."""
    import shutil

    from auglift_hf.errors import OutputError

    if out.exists() and not out.is_dir():
        raise OutputError(f"--out {out} is a file, not a folder")
    earlier = [name for name in RUN_OUTPUTS if (out / name).exists() or (out / name).is_symlink()]
    if earlier and not overwrite:
        raise OutputError(
            f"--out {out} already holds a quickstart run ({', '.join(earlier)}); nothing was changed: pass "
            "--overwrite to replace it, or --out <new folder> to keep it"
        )
    for name in earlier:
        path = out / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    return earlier


def run(args: argparse.Namespace) -> int:
    import torch
    from transformers.utils import logging as hf_logging

    if (args.h36m is None) != (args.cameras is None):
        raise ValueError("--h36m and --cameras go together")
    if args.h36m:
        for p in (args.h36m, args.cameras):
            if not Path(p).is_file():
                raise FileNotFoundError(f"{p} does not exist")
    depth_options = (getattr(args, "depth_simulation", None), getattr(args, "depth_severity", None))
    # the depth source once before anything is written (a contradictory option is refused here); made again at the
    # records' frame rate below
    source = quickstart_depth_source(args.seed, 25.0, *depth_options, simple=args.simple_simulation)
    kind = "smoke" if args.smoke else "full" if getattr(args, "full", False) else "default"
    profile = dict(PROFILES[kind])
    if args.max_steps:
        profile["max_steps"] = args.max_steps
    note = SMOKE_NOTE if args.smoke else None
    out = Path(args.out)
    replaced = prepare_output(out, getattr(args, "overwrite", False))
    if replaced:
        print(f"--overwrite: replaced the earlier run's {', '.join(replaced)} in {out}")
    hf_logging.set_verbosity_error()
    # One thread: the lifters are small (0.06 CPU s per training step), so a second thread buys little on idle cores
    # and, on shared ones, spin-waiting threads multiplied the job's CPU time more than tenfold (issue 28).
    torch.set_num_threads(1)
    progress = not args.no_progress
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    if note:
        print(note)

    if args.h36m:
        print(f"[1/5] building an XYCD table from real H36M motion ({args.h36m}; {depth_label(source)})")
        records = h36m_records(
            args.h36m, args.cameras, profile["h36m_stride"], profile["h36m_max_frames"], args.seed,
            max_sequences=profile["h36m_sequences"], realistic=not args.simple_simulation,
        )  # fmt: skip
        name = "h36m"
    else:
        print(f"[1/5] building an XYCD table from procedural motion with random cameras ({depth_label(source)})")
        records = procedural_records(
            profile["train_sequences"], profile["test_sequences"], profile["num_frames"], args.seed, progress,
            realistic=not args.simple_simulation,
        )  # fmt: skip
        name = "procedural"
    rates = sorted({float(r.fps) for r in records})
    if len(rates) != 1:  # one frame rate for the error model's temporal terms (flicker, drift)
        raise ValueError(f"quickstart records must share one frame rate, got {rates}")
    source = quickstart_depth_source(args.seed, rates[0], *depth_options, simple=args.simple_simulation)
    table = build_table(
        records, out / "data" / name, name, args.seed, progress, realistic=not args.simple_simulation,
        depth_source=source,
    )  # fmt: skip
    inputs = ", ".join([
        "real Human3.6M motion and cameras" if args.h36m else "procedural motion seen by random cameras",
        "per-frame jitter on the H36M joints" if args.simple_simulation
        else f"simulated COCO-detector 2D ({DEFAULT_DETECTOR_PRESET} preset)",
        depth_label(source),
    ])  # fmt: skip
    t_data = time.perf_counter() - t0

    results: dict[str, dict[str, float]] = {}
    lifted: dict[str, dict[str, Any]] = {}
    times: dict[str, float] = {}
    folders: dict[str, Path] = {}
    for step, (label, channels) in enumerate((("XY", XY), ("XYCD", XYCD)), start=2):
        print(
            f"[{step}/5] training the {label} lifter (TCN 27 frames, {profile['channels']} channels, "
            f"{profile['max_steps']} steps of {profile['batch_size']} windows)"
        )
        t = time.perf_counter()
        res = train_lifter(table, channels, out / "runs" / f"tcn27-{label.lower()}", profile, args.seed, progress)
        times[label] = time.perf_counter() - t
        folders[label] = Path(res["final_dir"])

    print("[4/5] evaluating both lifters on every test frame with the evaluate metric (AutoModel.from_pretrained)")
    from transformers import AutoModel

    from auglift_hf.metrics.bootstrap import paired_bootstrap_interval
    from auglift_hf.metrics.functional import mpjpe, p_mpjpe

    from .data import window_dataset

    per_frame: dict[str, dict[str, np.ndarray]] = {}
    groups = None
    for label, channels in (("XY", XY), ("XYCD", XYCD)):
        model = AutoModel.from_pretrained(folders[label])
        test = window_dataset(table, channels, 27, "test", "detected2d")
        pred, target = predict_windows(model, test)
        results[label] = evaluate_with_metric(pred, target)
        per_frame[label] = {
            "mpjpe": mpjpe(pred * 1000.0, target * 1000.0, reduction="none"),
            "pa_mpjpe": p_mpjpe(pred * 1000.0, target * 1000.0, reduction="none"),
        }
        groups = test.seq_start[test.centres]  # one id per test sequence
        lifted[label] = lift_sequence(folders[label], table, channels)
    intervals = {
        key: paired_bootstrap_interval(per_frame["XY"][key], per_frame["XYCD"][key], groups, seed=args.seed)
        for key in ("mpjpe", "pa_mpjpe")
    }

    print("[5/5] writing the comparison")
    png = plot_comparison(results, lifted, out / "comparison.png", note=note)
    table_md = comparison_table(results, lifted, times, intervals, note=note, inputs=inputs)
    summary = {
        "profile": kind,
        "note": note,
        "budget": profile,
        "seed": args.seed,
        "data": str(table),
        "inputs": inputs,
        "depth_simulation": {**source.simulation_record, "label": depth_label(source)},
        "models": {k: str(v) for k, v in folders.items()},
        "results": results,
        "xycd_vs_xy": intervals,
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
