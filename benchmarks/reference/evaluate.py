"""Evaluate trained reference lifters on the S9/S11 test tables (in-domain and out-of-domain, GT and noisy 2D).

"GT-2D" is the H36M joints' projection (the ground truth of a ``keypoint_definition: "h36m"`` lifter);
"COCO-GT-2D" the noise-free detector-definition 2D (the ground truth of a ``"coco"`` lifter; tables
``*_cocogt`` from ``build_data.py --gt-definition coco``); "noisy-2D" the simulated detector's output.

For every model folder (``config.json`` + ``model.safetensors`` + ``preprocessor_config.json``) and every (table,
config) pair it scores one centred window every ``--stride`` frames (per table: ``--table-stride``) of every test
sequence, with the folder's own :class:`~auglift_hf.PoseLiftingProcessor` (so the numbers are those of the shipped
conventions) and flip test-time augmentation, and writes MPJPE / PA-MPJPE frame-wise (all poses pooled) and
action-wise (mean of the 15 per-action means, the "Avg" column of VideoPose3D / PoseFormer) to
``<out>/<name>.json``, with the number of frames scored per condition, and the per-pose errors with each pose's take
to ``<out>/<name>.npz``.

``--table`` groups runs into recipes by name (``<recipe>`` and ``<recipe>-seed<k>`` are seed replicates of one
recipe): every table cell is the mean over the recipe's seeds with their standard deviation and count, and every
XY-vs-XYCD pair gets a paired bootstrap 95 % interval over test takes
(:func:`auglift_hf.metrics.bootstrap.paired_bootstrap_interval`, per-pose errors averaged over seeds), printed as
"no significant difference" when it contains 0.

Usage::

    python benchmarks/reference/evaluate.py --data /work/cache/h36m_ref --out /work/cache/h36m_ref/eval \
        /work/cache/h36m_ref/runs/*/final
    python benchmarks/reference/evaluate.py --table /work/cache/h36m_ref/eval   # markdown tables for RESULTS.md
"""

from __future__ import annotations

import argparse
import json
import os
import re
import time
from pathlib import Path

import numpy as np
import torch

#: (table folder name, table config) -> row label.
CONDITIONS: dict[tuple[str, str], str] = {
    ("test", "gt2d"): "in-domain GT-2D",
    ("test", "detected2d"): "in-domain noisy-2D",
    ("test_ood", "gt2d"): "out-of-domain GT-2D",
    ("test_ood", "detected2d"): "out-of-domain noisy-2D",
    ("test_cmu", "gt2d"): "CMU GT-2D",
    ("test_cmu", "detected2d"): "CMU noisy-2D",
    # noise-free detector-definition 2D (build_data.py --gt-definition coco): the GT 2D of a "coco" lifter
    ("test_cocogt", "gt2d"): "in-domain COCO-GT-2D",
    ("test_ood_cocogt", "gt2d"): "out-of-domain COCO-GT-2D",
    ("test_cmu_cocogt", "gt2d"): "CMU COCO-GT-2D",
}
#: Conditions also evaluated with the depth channels removed (set to the processor's MISSING_DEPTH_FILL, what the
#: no-depth entry points feed): "an XYCD lifter with its depth channels removed" (issue 14).
NO_DEPTH = {
    ("test", "detected2d"): "in-domain noisy-2D, no depth",
    ("test_cmu", "detected2d"): "CMU noisy-2D, no depth",
}


def action_labels(table, rows: np.ndarray) -> np.ndarray:  # noqa: ANN001
    """H36M action of each row without the take number ("Walking 1" -> "Walking")."""
    actions = np.asarray(table.column("action").take(rows).to_pylist(), dtype=object)
    return np.array([a.split(" ")[0] for a in actions])


def take_labels(table, rows: np.ndarray) -> np.ndarray:  # noqa: ANN001
    """The take (subject/action, all cameras) of each row: the resampling unit of the paired bootstrap."""
    subjects = np.asarray(table.column("subject").take(rows).to_pylist(), dtype=object)
    actions = np.asarray(table.column("action").take(rows).to_pylist(), dtype=object)
    return np.array([f"{s}/{a}" for s, a in zip(subjects, actions)])


@torch.no_grad()
def predict_centres(model, ds, flip_test: bool = True, batch_size: int = 512) -> np.ndarray:  # noqa: ANN001
    """Root-relative 3D of every window centre of ``ds`` (a ``PoseWindowDataset``): ``(N, 17, 3)`` metres."""
    preds = []
    for start in range(0, len(ds), batch_size):
        batch = ds.get_batch(np.arange(start, min(start + batch_size, len(ds))))
        out = model(keypoints=batch["keypoints"], flip_test=flip_test).poses_3d
        preds.append(out[:, out.shape[1] // 2].numpy())
    return np.concatenate(preds).astype(np.float64)


@torch.no_grad()
def evaluate_folder(
    folder: str | os.PathLike,
    data_root: Path,
    stride: int,
    batch_size: int = 512,
    flip_test: bool = True,
    strides: dict[str, int] | None = None,
) -> dict:
    """Metrics of one model folder on every condition of :data:`CONDITIONS` (mm).

    ``strides`` overrides ``stride`` per table folder name (e.g. ``{"test_cmu": 1}``). Every condition records its
    ``table`` and ``stride``; ``results["tables"]`` describes each scored table (:func:`table_record`), so that
    ``ship.py`` can state the frame selection and the depth of the rows from what was measured.
    """
    from transformers import AutoModel

    import auglift_hf  # noqa: F401 - registers the Auto classes
    from auglift_hf.contract import frame_rate_for
    from auglift_hf.data.windows import PoseWindowDataset, column_numpy, load_frame_table
    from auglift_hf.metrics import compute_pose3d_metrics, mpjpe, p_mpjpe
    from auglift_hf.processing_lifting import PoseLiftingProcessor
    from auglift_hf.skeleton import NUM_JOINTS, ROOT_INDEX

    model = AutoModel.from_pretrained(folder).eval()
    processor = PoseLiftingProcessor.from_pretrained(folder)
    window = processor.num_frames
    # A temporal lifter's window spans its training rate's seconds: rows of a table at another rate (CMU's 24 Hz,
    # HumanEva's 60 Hz) are resampled to it, as `auglift evaluate` does (auglift_hf/analysis/cli.py _lifter_frame_rate)
    rate, note = frame_rate_for(processor, os.fspath(folder))
    if note is not None:
        raise ValueError(f"{note} (the evaluation would feed every table's rows as they are)")
    results: dict = {"folder": os.fspath(folder), "stride": stride, "flip_test": flip_test, "conditions": {},
                     "tables": {}, "frame_rate": rate}  # fmt: skip
    from auglift_hf.processing_lifting import MISSING_DEPTH_FILL

    depth_idx = [i for i, c in enumerate(processor.input_channels) if c in ("d", "d_min", "d_max")]
    conditions = [(k, v, False) for k, v in CONDITIONS.items()]
    conditions += [(k, v, True) for k, v in NO_DEPTH.items() if depth_idx]
    for (table_name, config), label, no_depth in conditions:
        if not (data_root / table_name).is_dir():
            continue
        table = load_frame_table(data_root / table_name, config=config, split="test")
        table_stride = (strides or {}).get(table_name, stride)
        ds = PoseWindowDataset(
            table,
            window_size=window,
            stride=table_stride,
            processor=processor,
            config=config,
            split="test",
            frame_rate=rate,
        )
        if table_name not in results["tables"]:
            results["tables"][table_name] = table_record(data_root / table_name, ds, table)
        if no_depth:
            ds.features[..., depth_idx] = MISSING_DEPTH_FILL
        # the tables are written sorted by (ids, frame), so window centres index the table rows directly
        k3 = column_numpy(table, "keypoints_3d", (NUM_JOINTS, 3))[ds.centres]
        expected = k3 - k3[:, ROOT_INDEX : ROOT_INDEX + 1]
        if not np.allclose(expected, ds.targets[ds.centres], atol=1e-6):
            raise ValueError(f"{data_root / table_name}: table rows are not sorted by sequence and frame")
        t0 = time.perf_counter()
        pred = predict_centres(model, ds, flip_test, batch_size) * 1000.0
        seconds = time.perf_counter() - t0
        metrics = compute_pose3d_metrics(pred, expected * 1000.0, action_labels(table, ds.centres))
        metrics["inference_poses_per_second"] = len(ds) / seconds
        metrics["frames"] = {"scored": int(len(ds)), "valid": int(ds.valid.sum()), "rows": int(table.num_rows)}
        metrics["table"], metrics["stride"] = table_name, table_stride
        metrics["table_fps"] = sorted({float(f) for f in np.unique(column_numpy(table, "fps"))})
        metrics["window_frame_rate"] = rate  # None: a single-frame lifter (rate-free)
        results["conditions"][label] = metrics
        results.setdefault("per_pose", {})[label] = {
            "mpjpe": mpjpe(pred, expected * 1000.0, reduction="none"),
            "pa_mpjpe": p_mpjpe(pred, expected * 1000.0, reduction="none"),
            "take": take_labels(table, ds.centres),
        }
        print(f"{Path(folder).parent.name:24s} {label:24s} MPJPE {metrics['mpjpe']:6.1f}  "
              f"PA {metrics['pa_mpjpe']:6.1f}  (action-wise {metrics['mpjpe_action_wise']:6.1f})", flush=True)  # fmt: skip
    return results


def table_record(path: Path, ds, table) -> dict:  # noqa: ANN001
    """What an evaluation table is: its path, rows, sequences and takes, and how its depth was made, read from the
    table itself (``<table>_summary.json`` "depth" text of ``build_data.py``; the card's ``auglift_depth_simulation``
    record of ``auglift convert``), ``None`` where it records nothing."""
    from auglift_hf.contract import read_card_metadata
    from auglift_hf.simulation.depth_source import DEPTH_SIMULATION_KEY

    summary = path.parent / f"{path.name}_summary.json"
    card = path / "README.md"
    return {
        "path": os.fspath(path),
        "rows": int(table.num_rows),
        "sequences": int(ds.num_sequences),
        "takes": int(len(np.unique(take_labels(table, np.arange(table.num_rows))))),
        "depth": json.loads(summary.read_text()).get("depth") if summary.is_file() else None,
        "depth_simulation": read_card_metadata(card).get(DEPTH_SIMULATION_KEY) if card.is_file() else None,
    }


def _train_info(folder: Path) -> dict:
    path = folder / "eval_results.json"
    if not path.is_file():
        return {}
    train = json.loads(path.read_text()).get("train", {})
    return {k: train.get(k) for k in ("train_runtime", "train_samples_per_second", "train_loss")}


def recipe_of(name: str) -> str:
    """``tcn-27f-xy-seed1`` -> ``tcn-27f-xy``: runs of one recipe that differ only by seed."""
    return re.sub(r"-seed\d+$", "", name)


def _fmt(values: list[float]) -> str:
    from auglift_hf.metrics.bootstrap import seed_statistics

    st = seed_statistics(values)
    return f"{st['mean']:.1f}" if st["seeds"] == 1 else f"{st['mean']:.1f} ± {st['std']:.1f} ({st['seeds']} seeds)"


def render_tables(eval_dir: Path, n_resamples: int = 10_000) -> str:
    """Markdown tables of every ``<eval_dir>/*.json`` (written by the evaluation above), runs grouped into recipes
    (mean ± std over seeds) and XY-vs-XYCD paired bootstrap intervals from the ``*.npz`` per-pose errors."""
    from auglift_hf.metrics.bootstrap import describe_comparison, paired_bootstrap_interval

    runs = {p.stem: json.loads(p.read_text()) for p in sorted(eval_dir.glob("*.json"))}
    recipes: dict[str, list[str]] = {}
    for name in runs:
        recipes.setdefault(recipe_of(name), []).append(name)
    labels = list(CONDITIONS.values()) + list(NO_DEPTH.values())
    labels = [x for x in labels if any(x in r["conditions"] for r in runs.values())]
    lines = ["MPJPE / PA-MPJPE mm (action-wise MPJPE), mean ± std over seeds; frames scored per condition below.", "",
             "| recipe | " + " | ".join(labels) + " |", "|---|" + "---|" * len(labels)]  # fmt: skip
    for recipe, names in recipes.items():
        cells = []
        for label in labels:
            ms = [runs[n]["conditions"][label] for n in names if label in runs[n]["conditions"]]
            cells.append("-" if not ms else f"{_fmt([m['mpjpe'] for m in ms])} / {_fmt([m['pa_mpjpe'] for m in ms])} "
                         f"({_fmt([m['mpjpe_action_wise'] for m in ms])})")  # fmt: skip
        lines.append(f"| {recipe} | " + " | ".join(cells) + " |")
    frames = {}
    for res in runs.values():
        for label, m in res["conditions"].items():
            frames.setdefault(label, m.get("frames", {}).get("scored", m.get("num_poses")))
    lines += ["", "| condition | frames scored |", "|---|---|"] + [f"| {k} | {v:,} |" for k, v in frames.items()]
    lines += ["", "XYCD vs XY (paired bootstrap over test takes, 95 %, per-pose errors averaged over seeds):", "",
              "| pair | condition | seeds XY / XYCD | MPJPE | PA-MPJPE |", "|---|---|---|---|---|"]  # fmt: skip
    for recipe, names in recipes.items():
        tokens = recipe.split("-")
        if "xy" not in tokens:
            continue
        other = "-".join("xycd" if t == "xy" else t for t in tokens)
        if other not in recipes:
            continue
        for label in labels:
            pose = [_per_pose(eval_dir, n, label) for n in names]
            pose_b = [_per_pose(eval_dir, n, label) for n in recipes[other]]
            if any(p is None for p in pose + pose_b) or not pose:
                continue
            cols = []
            for metric in ("mpjpe", "pa_mpjpe"):
                res = paired_bootstrap_interval(np.stack([p[metric] for p in pose]),
                                                np.stack([p[metric] for p in pose_b]), pose[0]["take"],
                                                n_resamples=n_resamples)  # fmt: skip
                cols.append(describe_comparison(res, recipe, other, groups="takes").split(": ", 1)[1])
            lines.append(f"| {other} vs {recipe} | {label} | {len(names)} / {len(recipes[other])} | " + " | ".join(cols)
                         + " |")  # fmt: skip
    lines += ["", "| run | parameters | train steps x batch | train time (s) | train samples/s | final train loss (m) | "
              "inference poses/s (flip test) |", "|---|---|---|---|---|---|---|"]  # fmt: skip
    for name, res in runs.items():
        t = res.get("train", {})
        inf = np.mean([m["inference_poses_per_second"] for m in res["conditions"].values()])
        runtime, sps, loss = (t.get(k) for k in ("train_runtime", "train_samples_per_second", "train_loss"))
        lines.append(
            f"| {name} | {res.get('num_parameters', 0) / 1e6:.2f} M | {res.get('steps', '?')} x {res.get('batch', '?')} | "
            f"{runtime or 0:.0f} | {sps or 0:.0f} | {loss or float('nan'):.4f} | {inf:.0f} |"
        )
    return "\n".join(lines)


def _per_pose(eval_dir: Path, name: str, label: str) -> dict | None:
    path = eval_dir / f"{name}.npz"
    if not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as data:
        key = label.replace(" ", "_").replace(",", "")
        if f"{key}__mpjpe" not in data:
            return None
        return {m: data[f"{key}__{m}"] for m in ("mpjpe", "pa_mpjpe", "take")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", help="model folders (e.g. runs/<name>/final)")
    parser.add_argument("--data", default="/work/cache/h36m_ref", help="root holding test/ and test_ood/")
    parser.add_argument("--out", default="/work/cache/h36m_ref/eval")
    parser.add_argument("--stride", type=int, default=32, help="one evaluation window every N frames")
    parser.add_argument(
        "--table-stride", action="append", default=[], metavar="TABLE=N",
        help="per-table stride overriding --stride, e.g. test_cmu=1 (repeatable; recorded per condition)",
    )  # fmt: skip
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--table", default=None, help="print the markdown tables of an eval folder and exit")
    args = parser.parse_args(argv)
    if args.table:
        print(render_tables(Path(args.table)))
        return 0
    strides = {}
    for item in args.table_stride:
        name, _, value = item.partition("=")
        if not value.isdigit() or int(value) < 1:
            parser.error(f"--table-stride {item!r}: expected TABLE=N with N >= 1")
        strides[name] = int(value)
    torch.set_num_threads(args.threads)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for folder in map(Path, args.folders):
        name = folder.parent.name if folder.name == "final" else folder.name
        res = evaluate_folder(folder, Path(args.data), args.stride, strides=strides)
        res["train"] = _train_info(folder)
        cfg_path = folder / "training_config.json"
        if cfg_path.is_file():
            cfg = json.loads(cfg_path.read_text())["training"]
            res["steps"], res["batch"] = cfg.get("max_steps"), cfg.get("per_device_train_batch_size", 8)
        from safetensors import safe_open

        with safe_open(folder / "model.safetensors", "pt") as fh:
            res["num_parameters"] = int(sum(np.prod(fh.get_slice(k).get_shape()) for k in fh.keys()))
        per_pose = res.pop("per_pose", {})
        arrays = {f"{label.replace(' ', '_').replace(',', '')}__{k}": np.asarray(v, dtype=str if k == "take" else None)
                  for label, d in per_pose.items() for k, v in d.items()}  # fmt: skip
        with open(out / f".{name}.npz.tmp", "wb") as fh:
            np.savez(fh, **arrays)
        os.replace(out / f".{name}.npz.tmp", out / f"{name}.npz")
        tmp = out / f".{name}.json.tmp"
        tmp.write_text(json.dumps(res, indent=2))
        os.replace(tmp, out / f"{name}.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
