"""``auglift evaluate --models A B ... --datasets D1 D2 ...``: cross-dataset matrix and AugLift's analyses.

Models are saved folders (or Hub ids); datasets are canonical table folders (``auglift convert ... --out``).
Every model is evaluated on every dataset's test split with flip test; outputs go to ``--out``:
``matrix.md``, ``matrix.csv``, ``matrix_mpjpe.png``, ``per_action_*.md`` and, with the analysis flags,
``occlusion``, ``novelty``, ``robustness`` and ``depth_order`` tables (``.md``) and plots (``.png``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from auglift_hf.utils.cli_args import depth_severity, positive_int


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--models", nargs="+", required=True, help="model folders or Hub ids")
    parser.add_argument("--datasets", nargs="+", required=True, help="canonical table folders")
    parser.add_argument("--names", nargs="*", help="display names of the models (default: folder names)")
    parser.add_argument("--config", default="gt2d", help="table config: gt2d | detected2d")
    parser.add_argument("--split", default="test")
    parser.add_argument("--out", default="eval_out", help="output folder")
    parser.add_argument("--stride", type=positive_int, default=1, help="evaluate every n-th frame")
    parser.add_argument(
        "--max-samples", type=positive_int, default=None, help="evenly spaced subset per dataset (default: all)"
    )
    parser.add_argument("--no-flip-test", action="store_true", help="disable flip test-time augmentation")
    parser.add_argument("--batch-size", type=positive_int, default=1024, help="windows per forward pass")
    parser.add_argument("--no-progress", action="store_true", help="disable tqdm progress bars")
    parser.add_argument("--occlusion", action="store_true", help="MPJPE per self-occlusion quartile")
    parser.add_argument("--novelty", action="store_true", help="MPJPE per pose-novelty tier (needs a train split)")
    parser.add_argument("--robustness", action="store_true", help="MPJPE per 2D detection-error quartile")
    parser.add_argument("--depth-order", action="store_true", help="ordinal accuracy of the input depth channel")
    parser.add_argument("--all-analyses", action="store_true", help="run every analysis")
    parser.add_argument(
        "--depth-severity", nargs="+", type=depth_severity, metavar="S",
        help="re-derive the depth channels of every evaluated table at these monocular-depth error severities "
        "(0 = undistorted capsule-body depth, 1 = the Depth Anything V2 metric preset) and plot MPJPE vs severity",
    )  # fmt: skip
    parser.add_argument("--depth-preset", default="depth-anything-v2-metric", help="preset of --depth-severity")
    parser.add_argument(
        "--severity-max-rows", type=positive_int, default=None,
        help="--depth-severity: evaluate on whole sequences with at most this many rows per table (cost bound)",
    )  # fmt: skip


def _name(path: str) -> str:
    return Path(path).name or str(path)


def _table_columns(table_dir: str, config: str, split: str, rows: np.ndarray, columns: list[str]) -> dict[str, Any]:
    from auglift_hf.data.windows import column_numpy, load_frame_table

    table = load_frame_table(table_dir, config=config, split=split)
    shapes = {"keypoints_2d": (17, 2), "keypoints_3d": (17, 3), "d": (17,), "keypoint_scores": (17,)}
    out = {}
    for c in columns:
        if c in table.column_names:
            out[c] = column_numpy(table, c, shapes.get(c, ()))
    out["action"] = (
        np.asarray(table.column("action").to_pylist(), dtype=object) if "action" in table.column_names else None
    )
    return out


def run(args: argparse.Namespace) -> int:
    """``auglift evaluate``: inference only, so autograd is off for the call (and restored afterwards);
    ``--no-progress`` also silences the ``datasets`` bars (loading a table) for the call."""
    import datasets
    import torch

    bars = datasets.is_progress_bar_enabled()
    if args.no_progress:
        datasets.disable_progress_bars()
    try:
        with torch.no_grad(), _guarded_out(args):
            return _evaluate(args)
    finally:
        if args.no_progress and bars:
            datasets.enable_progress_bars()


#: What ``auglift evaluate`` writes (recognises folders written before the manifest existed).
_OUTPUT_FILES = ("matrix*", "per_action_*", "contract_deviations.json", "occlusion_*", "novelty_*", "robustness_*",
                 "depth_order_*", "depth_severity*")  # fmt: skip


@contextlib.contextmanager
def _guarded_out(args: argparse.Namespace) -> Iterator[None]:
    """``--out`` is not an input, holds no foreign files (:mod:`auglift_hf.utils.outputs`), and keeps nothing a
    failed run wrote; a successful run records its files in the folder's manifest."""
    from auglift_hf.utils.outputs import check_not_input, check_output_folder, files_removed_on_failure, write_manifest

    check_not_input(args.out, [*args.models, *args.datasets])
    check_output_folder(args.out, legacy=_OUTPUT_FILES)  # all files there are ours, so all are after the run
    with files_removed_on_failure(args.out):
        yield
    write_manifest(args.out, "auglift evaluate")


def _scale_processor(model_path: str) -> Any:
    """The lifter's saved processor when it has a ``scale_normalization`` (then it encodes the inputs), else None."""
    folder = Path(model_path)
    if not (folder / "preprocessor_config.json").is_file():
        return None
    from auglift_hf import PoseLiftingProcessor

    proc = PoseLiftingProcessor.from_pretrained(folder)
    return proc if getattr(proc, "scale_normalization", None) is not None else None


def _contract_deviations(models: dict[str, str], datasets: list[str], config: str) -> dict[str, list[str]]:
    """``"<model> on <table>" -> deviations`` between each lifter's input contract and each table's card contract.

    Evaluation on a table made differently from the lifter's training data is a legitimate experiment (e.g. other
    descriptor parameters), so deviations are recorded (``contract_deviations.json``) and warned about, not refused.
    """
    import os

    from auglift_hf.contract import InputContract, check_contract, load_contract

    out: dict[str, list[str]] = {}
    for name, path in models.items():
        has_processor = os.path.isfile(os.path.join(path, "preprocessor_config.json"))
        contract = load_contract(path, warn=False) if has_processor else None
        for ds_path in datasets:
            table = InputContract.from_dataset_card(ds_path, config=config) if os.path.isdir(ds_path) else None
            if contract is None or table is None:
                continue
            notes = check_contract(
                contract, depth_kind=table.depth_kind if contract.depth_kind is not None else ...,
                depth_descriptor=table.depth_descriptor, keypoint_definition=table.keypoint_definition,
                override=True, lifter=name, source=f"table {_name(ds_path)} ({config})",
            )  # fmt: skip
            if notes:
                out[f"{name} on {_name(ds_path)}"] = notes
    return out


def _evaluate(args: argparse.Namespace) -> int:
    import torch
    from tqdm.auto import tqdm

    from auglift_hf.data.windows import PoseWindowDataset
    from auglift_hf.models import input_frames, load_lifter
    from auglift_hf.utils.io import ensure_writable_dir

    from .matrix import cell_metrics, predict_dataset, write_matrix
    from .robustness import write_stratified

    names = args.names or [_name(m) for m in args.models]
    if len(names) != len(args.models):
        raise ValueError(f"{len(names)} --names for {len(args.models)} --models")
    out = Path(args.out)
    ensure_writable_dir(out, "--out")
    want = {k: args.all_analyses or getattr(args, k) for k in ("occlusion", "novelty", "robustness", "depth_order")}
    models = {n: load_lifter(m) for n, m in zip(names, args.models)}
    processors = {n: _scale_processor(m) for n, m in zip(names, args.models)}
    contract_notes = _contract_deviations(dict(zip(names, args.models)), args.datasets, args.config)
    if contract_notes:
        out.mkdir(parents=True, exist_ok=True)
        (out / "contract_deviations.json").write_text(json.dumps(contract_notes, indent=1))
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    errors: dict[str, dict[str, np.ndarray]] = {}  # dataset -> model -> per-pose MPJPE (mm)
    rows_of: dict[str, np.ndarray] = {}
    for ds_path in args.datasets:
        ds_name = _name(ds_path)
        for name, model in tqdm(models.items(), desc=f"evaluate on {ds_name}", disable=args.no_progress):
            channels = tuple(model.config.input_channels)
            reason = _missing_inputs(ds_path, args.config, args.split, channels)
            if reason:
                cells[(name, ds_name)] = {"skipped": reason}
                print(f"auglift evaluate: skipped {name} on {ds_name}: {reason}")
                continue
            window = input_frames(model.config)
            ds = PoseWindowDataset(ds_path, window_size=window, stride=args.stride, channels=channels,
                                   config=args.config, split=args.split, processor=processors[name])  # fmt: skip
            idx = np.arange(len(ds))
            if args.max_samples and len(ds) > args.max_samples:
                idx = np.unique(np.linspace(0, len(ds) - 1, args.max_samples).astype(np.int64))
            sub = torch.utils.data.Subset(ds, idx.tolist()) if len(idx) < len(ds) else ds
            pred = predict_dataset(model, sub, args.batch_size, flip_test=not args.no_flip_test)
            rows = ds.centres[idx]
            rows_of[ds_name] = rows
            cols = _table_columns(ds_path, args.config, args.split, rows, [])
            actions = cols["action"][_table_order(ds)[rows]] if cols["action"] is not None else None
            res = cell_metrics(pred["pred"] * 1000, pred["target"] * 1000, actions)
            cells[(name, ds_name)] = res
            errors.setdefault(ds_name, {})[name] = (
                np.linalg.norm(pred["pred"] - pred["target"], axis=-1).mean(-1) * 1000
            )
    if all(res.get("skipped") for res in cells.values()):
        reasons = "; ".join(f"{m} on {d}: {res['skipped']}" for (m, d), res in cells.items())
        raise ValueError(f"no model could be evaluated on any --datasets table ({reasons})")
    paths = write_matrix(cells, out)
    if args.depth_severity:
        paths.update(_depth_severity(args, models, processors, out))
    for ds_path in args.datasets:
        ds_name = _name(ds_path)
        if not any(want.values()):
            break
        errs = errors.get(ds_name)
        if not errs:
            print(f"auglift evaluate: analyses skipped for {ds_name}: no model could be evaluated on it")
            continue
        base = PoseWindowDataset(ds_path, window_size=1, channels=("x", "y"), config=args.config, split=args.split)
        order = _table_order(base)
        cols = _table_columns(
            ds_path, args.config, args.split, rows_of[ds_name], ["keypoints_2d", "keypoints_3d", "d"]
        )
        sel = order[rows_of[ds_name]]
        j3d = cols["keypoints_3d"][sel]
        if want["occlusion"]:
            from .occlusion import occlusion_analysis

            rows = occlusion_analysis(j3d, errs)
            paths[f"occlusion:{ds_name}"] = write_stratified(rows, out, f"occlusion_{ds_name}", "occlusion",
                                                             f"Self-occlusion quartiles on {ds_name}")["markdown"]  # fmt: skip
        if want["novelty"]:
            from .novelty import novelty_analysis

            try:
                train = _table_columns(ds_path, args.config, "train", np.arange(0), ["keypoints_3d"])["keypoints_3d"]
                step = max(len(train) // 20000, 1)
                rows = novelty_analysis(train[::step] * 1000, j3d * 1000, errs)
                paths[f"novelty:{ds_name}"] = write_stratified(rows, out, f"novelty_{ds_name}", "novelty (mm)",
                                                               f"Pose-novelty tiers on {ds_name}")["markdown"]  # fmt: skip
            except (ValueError, FileNotFoundError) as err:
                print(f"novelty analysis skipped for {ds_name}: {err}")
        if want["robustness"]:
            from .robustness import robustness_analysis

            gt = _table_columns(ds_path, "gt2d", args.split, np.arange(0), ["keypoints_2d"])["keypoints_2d"][sel]
            rows = robustness_analysis(cols["keypoints_2d"][sel], gt, errs)
            paths[f"robustness:{ds_name}"] = write_stratified(rows, out, f"robustness_{ds_name}", "2D error / torso",
                                                              f"Robustness to 2D error on {ds_name}")["markdown"]  # fmt: skip
        if want["depth_order"]:
            if "d" not in cols:
                print(f"depth-order analysis skipped for {ds_name}: the table has no `d` column")
            else:
                from .depth_order import depth_order_analysis

                rows = depth_order_analysis(cols["d"][sel], j3d, errs)
                paths[f"depth_order:{ds_name}"] = write_stratified(rows, out, f"depth_order_{ds_name}", "ordinal acc.",
                                                                   f"Input-depth ordinal accuracy on {ds_name}")["markdown"]  # fmt: skip
    print((out / "matrix.md").read_text())
    print("wrote: " + ", ".join(str(p) for p in paths.values()))
    return 0


def _depth_severity(
    args: argparse.Namespace, models: dict[str, Any], processors: dict[str, Any], out: Path
) -> dict[str, Path]:
    """``--depth-severity``: MPJPE of every model on every table re-derived at each severity (inputs encoded by
    each lifter's saved processor, as in the main matrix)."""
    import torch

    from auglift_hf.data.windows import PoseWindowDataset, load_frame_table
    from auglift_hf.models import input_frames

    from .depth_severity import rederive_depth, select_sequences, write_severity
    from .matrix import predict_dataset

    results: dict[str, dict[str, dict[float, float]]] = {}
    for ds_path in args.datasets:
        ds_name = _name(ds_path)
        base = select_sequences(
            load_frame_table(ds_path, config=args.config, split=args.split), args.severity_max_rows
        )
        for sev in sorted(set(args.depth_severity)):
            table = rederive_depth(base, sev, at_gt=args.config == "gt2d", preset=args.depth_preset)
            for name, model in models.items():
                channels = tuple(model.config.input_channels)
                uses_depth = any(c in channels for c in ("d", "d_min", "d_max"))
                done = results.get(ds_name, {}).get(name, {})
                if not uses_depth and done:  # XY / XYC models do not see the depth: one value for all severities
                    results[ds_name][name][sev] = next(iter(done.values()))
                    continue
                ds = PoseWindowDataset(table, window_size=input_frames(model.config), stride=args.stride,
                                       channels=channels, split=args.split, processor=processors[name])  # fmt: skip
                idx = np.arange(len(ds))
                if args.max_samples and len(ds) > args.max_samples:
                    idx = np.unique(np.linspace(0, len(ds) - 1, args.max_samples).astype(np.int64))
                sub = torch.utils.data.Subset(ds, idx.tolist()) if len(idx) < len(ds) else ds
                pred = predict_dataset(model, sub, args.batch_size, flip_test=not args.no_flip_test)
                mpjpe = float(np.linalg.norm(pred["pred"] - pred["target"], axis=-1).mean() * 1000)
                results.setdefault(ds_name, {}).setdefault(name, {})[sev] = mpjpe
    paths = write_severity(results, out)
    print((out / "depth_severity.md").read_text())
    return {f"severity:{k}": v for k, v in paths.items()}


def _missing_inputs(table_dir: str, config: str, split: str, channels: tuple[str, ...]) -> str | None:
    """Why a model with ``channels`` cannot be evaluated on a table (a depth channel the table lacks), else None."""
    from auglift_hf.data.windows import load_frame_table

    table = load_frame_table(table_dir, config=config, split=split)
    missing = [c for c in channels[2:] if c != "c" and c not in table.column_names]
    if missing:
        return (
            f"the model needs depth channel(s) {missing} but the table has no such column "
            "(convert it with --depth-source synthetic, or preprocess images to get depth)"
        )
    return None


def _table_order(ds: Any) -> np.ndarray:
    """Map from the window dataset's sorted row index to the table's row index (identity when pre-sorted)."""
    order = getattr(ds, "order", None)
    if order is not None:
        return np.asarray(order)
    return np.arange(len(ds.seq_start))
