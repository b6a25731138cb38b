"""``auglift evaluate --models A B ... --datasets D1 D2 ...``: cross-dataset matrix, comparisons and analyses.

Models are saved folders (or Hub ids); ``name=folder1,folder2,folder3`` makes one model a **group of seed
replicates** of one recipe (its cells are the mean over the replicates, with their standard deviation). Datasets are
canonical table folders (``auglift convert ... --out``). Every model is evaluated on every table's split with flip
test, on **every valid frame** of every sequence by default (windows centred on each frame, edge-padded at sequence
ends and next to invalid rows: :data:`~auglift_hf.analysis.protocol.PADDING_STATEMENT`), at the lifter's training
frame rate (rows of tables at other rates are interpolated); ``--stride`` / ``--max-samples`` choose a stated
subsample. Outputs in ``--out``: ``matrix.md`` (frames per table, the data each table holds -- simulated or real --,
seeds, the metric tables), ``matrix.csv``, ``matrix_mpjpe.png``, ``per_action_*.md``, ``comparisons.md`` (paired
bootstrap 95 % intervals over test takes for every compared pair; "no significant difference" when the interval
contains 0), ``evaluation.json`` (everything, machine-readable, for model cards and RESULTS) and, with the analysis
flags, ``occlusion``, ``novelty``, ``robustness`` and ``depth_order`` tables (``.md``) and plots (``.png``).

``--no-depth`` withholds every table's depth from the depth lifters (issue 24: how a depth lifter does without a
depth map): the table's depth columns are not read and the lifter's saved processor feeds the missing depth exactly
as for a user without a depth map (:meth:`~auglift_hf.PoseLiftingProcessor.encode` with no ``depth``:
:data:`~auglift_hf.processing_lifting.MISSING_DEPTH_FILL`, accepted because the contract says
``missing_depth: "fill"``). A depth lifter whose contract has no ``missing_depth: "fill"`` (trained without depth
dropout) never learnt that fallback and is refused; XY lifters are evaluated as without the flag. ``matrix.md``
and ``evaluation.json`` say per table and per cell that depth was withheld.
"""

from __future__ import annotations

import argparse
import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from auglift_hf.utils.cli_args import DEPTH_SIMULATION_CHOICES, depth_severity, positive_int

#: Depth simulations ``--depth-severity`` can re-derive with.
DEPTH_SIMULATIONS: tuple[str, ...] = DEPTH_SIMULATION_CHOICES
#: Input channels that carry depth.
DEPTH_CHANNELS: tuple[str, ...] = ("d", "d_min", "d_max")
#: What ``--no-depth`` does to a depth lifter, recorded per table and per cell.
NO_DEPTH_STATEMENT = (
    "depth withheld (--no-depth): the table's depth columns were not read; depth lifters were fed missing depth "
    "(MISSING_DEPTH_FILL through their saved processor, the depth-dropout fallback of their missing_depth='fill' "
    "contract), as with no depth map"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--models", nargs="+", required=True,
        help="model folders or Hub ids; NAME=FOLDER,FOLDER,... is one model made of seed replicates (mean and std "
        "over them; comparisons average their per-pose errors)",
    )  # fmt: skip
    parser.add_argument("--datasets", nargs="+", required=True, help="canonical table folders")
    parser.add_argument("--names", nargs="*", help="display names of the models (default: folder names)")
    parser.add_argument("--config", default="gt2d", help="table config: gt2d | detected2d")
    parser.add_argument(
        "--split",
        default="test",
        help="table split to evaluate (default: test; train / validation where the table has them)",
    )
    parser.add_argument("--out", default="eval_out", help="output folder")
    parser.add_argument(
        "--stride", type=positive_int, default=1,
        help="subsample: score every n-th frame of each sequence (default 1: every frame; recorded in the outputs)",
    )  # fmt: skip
    parser.add_argument(
        "--max-samples", type=positive_int, default=None,
        help="subsample: at most this many evenly spaced frames per table (default: all; recorded in the outputs)",
    )  # fmt: skip
    parser.add_argument(
        "--compare", nargs="+", metavar="A:B",
        help="pairs of model names to compare (B vs A, paired bootstrap over test takes); default: every pair",
    )  # fmt: skip
    parser.add_argument("--bootstrap", type=positive_int, default=10_000, help="bootstrap draws per comparison")
    parser.add_argument("--bootstrap-seed", type=int, default=0, help="seed of the bootstrap draws")
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
        "with the table's depth simulation (--depth-simulation; 0 = undistorted simulated depth, 1 = the "
        "simulation's preset) and plot MPJPE vs severity",
    )  # fmt: skip
    parser.add_argument(
        "--depth-simulation", choices=DEPTH_SIMULATIONS, default=None,
        help="--depth-severity: the simulation that re-derives the depth (default: the one the table's dataset card "
        "names, else capsule-v1); a table whose card names another simulation is refused",
    )  # fmt: skip
    parser.add_argument(
        "--depth-preset", default=None,
        help="error-model preset of --depth-severity (default: depth-anything-v2-metric for capsule-v1, surface-v2 "
        "for surface-v2)",
    )  # fmt: skip
    parser.add_argument(
        "--no-depth", action="store_true",
        help="withhold every table's depth: depth lifters are fed missing depth (their depth-dropout fallback, as "
        "with no depth map); lifters whose contract has no missing_depth='fill' are refused; XY lifters unaffected",
    )  # fmt: skip
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


def _encoding_processor(model_path: str) -> Any:
    """The lifter's saved processor when the table's vectorised encoding is not its own (a ``scale_normalization``,
    other screen coordinates or AugLift's depth codec: then it encodes the inputs), else None."""
    folder = Path(model_path)
    if not (folder / "preprocessor_config.json").is_file():
        return None
    from auglift_hf import PoseLiftingProcessor

    proc = PoseLiftingProcessor.from_pretrained(folder)
    from auglift_hf.processing_lifting import uses_default_frame_encoding

    return None if uses_default_frame_encoding(proc) else proc


def _no_depth_processor(name: str, folder: str, model: Any, processor: Any) -> Any:
    """``--no-depth``: the processor that encodes a lifter's inputs without depth.

    A lifter that reads no depth keeps ``processor`` (evaluated as without the flag). A depth lifter gets its saved
    processor, which feeds absent depth as missing depth (the path of a user without a depth map) because its
    contract says ``missing_depth: "fill"``; any other depth lifter (no contract, ``missing_depth`` null, or
    ``scale_normalization="depth"``, which needs the metric pelvis depth) is refused in one line naming it.
    Table rows are H36M-17 (the canonical table), so the processor reads them as such whatever its
    ``keypoint_format``.
    """
    import copy

    reads = [c for c in model.config.input_channels if c in DEPTH_CHANNELS]
    if processor is not None and processor.scale_normalization == "depth":
        raise ValueError(
            f"--no-depth: {name} ({folder}) has scale_normalization='depth': it needs the metric depth at the pelvis "
            "and has no no-depth fallback; drop it from --models or evaluate it with depth"
        )
    if not reads:
        return processor
    from auglift_hf import PoseLiftingProcessor

    try:
        full = PoseLiftingProcessor.from_pretrained(folder)
    except OSError:
        full = None
    fill = getattr(full, "missing_depth", None)
    if fill != "fill":
        why = (
            "has no preprocessor_config.json (no input contract)"
            if full is None
            else f"has missing_depth={fill!r} in its input contract (trained without depth dropout)"
        )
        raise ValueError(
            f"--no-depth: {name} ({folder}) reads depth channel(s) {reads} and {why}: it never learnt a no-depth "
            "fallback (missing_depth='fill'); drop it from --models or evaluate it with depth"
        )
    if full.keypoint_format != "h36m":
        full = copy.copy(full)
        full.keypoint_format = "h36m"
    return full


def _contract_deviations(
    models: dict[str, str], datasets: list[str], config: str, split: str = "test", no_depth: bool = False
) -> dict[str, list[str]]:
    """``"<model> on <table>" -> deviations`` between each lifter's input contract and each table's card contract.

    Evaluation on a table made differently from the lifter's training data is a legitimate experiment (e.g. other
    descriptor parameters), so deviations are recorded (``contract_deviations.json``) and warned about, not refused.
    Pairs whose cell is skipped (a depth channel the table lacks, :func:`_missing_inputs`) are not checked: the
    lifter is not fed that table at all, so no note may say it was (e.g. "fed as missing depth"). With
    ``no_depth`` (``--no-depth``) a depth lifter is checked as fed no depth (the note says it was fed missing depth).
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
            channels = _model_channels(path)
            if channels is not None and _missing_inputs(ds_path, config, split, channels, quiet=True,
                                                        no_depth=no_depth):  # fmt: skip
                continue  # skipped cell: reported with its reason in matrix.md, never fed
            withheld = no_depth and contract.depth_kind is not None
            notes = check_contract(
                contract, depth_kind=None if withheld else table.depth_kind if contract.depth_kind is not None else ...,
                depth_descriptor=None if withheld else table.depth_descriptor,
                keypoint_definition=table.keypoint_definition, override=True, lifter=name,
                source=f"table {_name(ds_path)} ({config})" + (" with its depth withheld (--no-depth)" if withheld else ""),
            )  # fmt: skip
            if notes:
                out[f"{name} on {_name(ds_path)}"] = notes
    return out


def parse_model_groups(entries: list[str], names: list[str] | None = None) -> dict[str, list[str]]:
    """``--models`` entries -> ``{name: [folder, ...]}``: ``NAME=F1,F2,...`` is a group of seed replicates, a plain
    folder / Hub id a group of one named after it (or after the matching ``--names`` entry)."""
    groups: dict[str, list[str]] = {}
    for entry in entries:
        name, _, members = entry.partition("=")
        if members and not Path(entry).exists():
            folders = [m for m in members.split(",") if m]
            if not name or not folders:
                raise ValueError(f"--models entry {entry!r}: expected NAME=FOLDER[,FOLDER...]")
        else:
            name, folders = _name(entry), [entry]
        if name in groups:
            raise ValueError(f"--models: the name {name!r} is given twice (name the entries: NAME=FOLDER,...)")
        groups[name] = folders
    if names:
        if len(names) != len(groups):
            raise ValueError(f"{len(names)} --names for {len(groups)} --models")
        groups = dict(zip(names, groups.values()))
    return groups


def _subsample_statement(stride: int, max_samples: int | None) -> str:
    if stride == 1 and not max_samples:
        return "whole test split: every valid frame of every sequence"
    parts = [f"every {stride}th frame of each sequence" if stride > 1 else "every valid frame"]
    if max_samples:
        parts.append(f"at most {max_samples} evenly spaced frames per table")
    return "subsample: " + ", ".join(parts)


def _evaluate(args: argparse.Namespace) -> int:
    from tqdm.auto import tqdm

    from auglift_hf.data.windows import PoseWindowDataset
    from auglift_hf.metrics.bootstrap import paired_bootstrap_interval, seed_statistics
    from auglift_hf.models import load_lifter
    from auglift_hf.utils.io import ensure_writable_dir

    from .matrix import average_cells, write_matrix
    from .protocol import PADDING_STATEMENT, data_label, describe_table, frame_counts
    from .robustness import write_stratified

    groups = parse_model_groups(args.models, args.names)
    if args.no_depth and args.depth_severity:
        raise ValueError("--no-depth withholds the depth that --depth-severity re-derives: give one of them")
    if (args.depth_simulation or args.depth_preset) and not args.depth_severity:
        given = "--depth-simulation" if args.depth_simulation else "--depth-preset"
        raise ValueError(f"{given} applies to --depth-severity only (it would be ignored)")
    simulations = _severity_simulations(args) if args.depth_severity else {}  # refuses a mismatch before any work
    out = Path(args.out)
    ensure_writable_dir(out, "--out")
    pairs = _comparison_pairs(args.compare, list(groups))
    want = {k: args.all_analyses or getattr(args, k) for k in ("occlusion", "novelty", "robustness", "depth_order")}
    members = {n: [(f, load_lifter(f), _encoding_processor(f)) for f in folders] for n, folders in groups.items()}
    if args.no_depth:  # refuses, before any work, a depth lifter without a no-depth fallback
        members = {n: [(f, m, _no_depth_processor(n, f, m, p)) for f, m, p in reps] for n, reps in members.items()}
    models = {n: m[0][1] for n, m in members.items()}  # the first replicate stands for the group in analyses
    processors = {n: m[0][2] for n, m in members.items()}
    contract_notes = _contract_deviations({f"{n} ({f})" if len(fs) > 1 else n: f for n, fs in groups.items()
                                           for f in fs}, args.datasets, args.config, args.split, args.no_depth)  # fmt: skip
    if contract_notes:
        out.mkdir(parents=True, exist_ok=True)
        (out / "contract_deviations.json").write_text(json.dumps(contract_notes, indent=1))
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    errors: dict[str, dict[str, np.ndarray]] = {}  # dataset -> model -> per-pose MPJPE (mm), mean over replicates
    per_pose: dict[str, dict[str, dict[str, np.ndarray]]] = {}  # dataset -> model -> metric -> (replicates, poses)
    rows_of: dict[str, np.ndarray] = {}
    takes_of: dict[str, np.ndarray] = {}
    tables: dict[str, dict[str, Any]] = {}
    for ds_path in args.datasets:
        ds_name = _name(ds_path)
        info = _table_info(ds_path, args.config, args.split)
        desc = describe_table(ds_path, args.config)
        tables[ds_name] = {"path": str(ds_path), "data": desc, "label": data_label(desc), "datasets": info["datasets"]}
        if args.no_depth:
            tables[ds_name]["label"] += "; depth withheld (--no-depth)"
            tables[ds_name]["depth_input"] = NO_DEPTH_STATEMENT
        for name, reps in tqdm(members.items(), desc=f"evaluate on {ds_name}", disable=args.no_progress):
            channels = tuple(reps[0][1].config.input_channels)
            reason = _missing_inputs(ds_path, args.config, args.split, channels, no_depth=args.no_depth)
            if reason:
                cells[(name, ds_name)] = {"skipped": reason}
                print(f"auglift evaluate: skipped {name} on {ds_name}: {reason}")
                continue
            rep_cells, rep_errors = [], []
            for folder, model, processor in reps:
                res = _score(model, processor, folder, ds_path, info, args)
                rows_of[ds_name], takes_of[ds_name] = res["rows"], res["takes"]
                rep_cells.append(res["cell"])
                rep_errors.append(res["per_pose"])
            cell = average_cells(rep_cells)
            cell["seeds"] = len(reps)
            cell["frame_rate"] = rep_cells[0]["frame_rate"]
            if args.no_depth:
                reads = any(c in DEPTH_CHANNELS for c in channels)
                cell["depth_input"] = "withheld: fed missing depth" if reads else "none (the lifter reads no depth)"
            for metric in ("mpjpe", "pa_mpjpe", "n_mpjpe"):
                cell[f"{metric}_seeds"] = seed_statistics([c[metric] for c in rep_cells])
            cells[(name, ds_name)] = cell
            stacked = {k: np.stack([e[k] for e in rep_errors]) for k in rep_errors[0]}
            per_pose.setdefault(ds_name, {})[name] = stacked
            errors.setdefault(ds_name, {})[name] = stacked["mpjpe"].mean(0)
        if ds_name in rows_of:
            tables[ds_name]["frames"] = frame_counts(info["valid"], info["reasons"], len(rows_of[ds_name]))
            tables[ds_name]["frames"]["takes"] = int(len(np.unique(takes_of[ds_name])))
            tables[ds_name]["frames"]["sequences"] = info["num_sequences"]
    comparisons = []
    for a, b in pairs:
        for ds_name, by_model in per_pose.items():
            if a not in by_model or b not in by_model:
                continue
            entry = {"a": a, "b": b, "table": ds_name, "seeds_a": len(groups[a]), "seeds_b": len(groups[b])}
            for metric in ("mpjpe", "pa_mpjpe"):
                entry[metric] = paired_bootstrap_interval(
                    by_model[a][metric], by_model[b][metric], takes_of[ds_name], n_resamples=args.bootstrap,
                    seed=args.bootstrap_seed,
                )  # fmt: skip
            comparisons.append(entry)
    run_info = {
        "subsample": _subsample_statement(args.stride, args.max_samples), "stride": args.stride,
        "max_samples": args.max_samples, "padding": PADDING_STATEMENT, "flip_test": not args.no_flip_test,
        "config": args.config, "split": args.split, "models": groups, "tables": tables,
    }  # fmt: skip
    if args.no_depth:
        run_info["depth"] = NO_DEPTH_STATEMENT
    if all(res.get("skipped") for res in cells.values()):
        reasons = "; ".join(f"{m} on {d}: {res['skipped']}" for (m, d), res in cells.items())
        raise ValueError(f"no model could be evaluated on any --datasets table ({reasons})")
    paths = write_matrix(cells, out, run_info=run_info, comparisons=comparisons)
    if args.depth_severity:
        paths.update(_depth_severity(args, models, processors, out, simulations))
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
            if args.no_depth:
                print(f"depth-order analysis skipped for {ds_name}: --no-depth withheld the depth it stratifies by")
            elif "d" not in cols:
                print(f"depth-order analysis skipped for {ds_name}: the table has no `d` column")
            else:
                from .depth_order import depth_order_analysis

                rows = depth_order_analysis(cols["d"][sel], j3d, errs)
                paths[f"depth_order:{ds_name}"] = write_stratified(rows, out, f"depth_order_{ds_name}", "ordinal acc.",
                                                                   f"Input-depth ordinal accuracy on {ds_name}")["markdown"]  # fmt: skip
    print((out / "matrix.md").read_text())
    print("wrote: " + ", ".join(str(p) for p in paths.values()))
    return 0


def _severity_simulations(args: argparse.Namespace) -> dict[str, tuple[str, dict | None]]:
    """``--depth-severity``: ``{table path: (simulation, descriptor)}``: the simulation that re-derives each table
    (:func:`~auglift_hf.analysis.depth_severity.resolve_simulation`: ``--depth-simulation`` or the card's; a
    contradiction is refused) and, for surface-v2, the descriptor of the table card's contract."""
    import os

    from auglift_hf.contract import InputContract

    from .depth_severity import resolve_simulation

    out = {}
    for ds_path in args.datasets:
        sim = resolve_simulation(ds_path, args.depth_simulation, args.config)
        descriptor = None
        if sim == "surface-v2" and os.path.isdir(ds_path):
            contract = InputContract.from_dataset_card(ds_path, config=args.config)
            descriptor = contract.depth_descriptor if contract is not None else None
        out[ds_path] = (sim, descriptor)
    return out


def _depth_severity(
    args: argparse.Namespace,
    models: dict[str, Any],
    processors: dict[str, Any],
    out: Path,
    simulations: dict[str, tuple[str, dict | None]],
) -> dict[str, Path]:
    """``--depth-severity``: MPJPE of every model on every table re-derived at each severity with the table's
    simulation (``simulations``, :func:`_severity_simulations`; inputs encoded by each lifter's saved processor, as
    in the main matrix)."""
    import torch
    from tqdm.auto import tqdm

    from auglift_hf.data.windows import PoseWindowDataset, load_frame_table
    from auglift_hf.models import input_frames

    from .depth_severity import rederive_depth, select_sequences, write_severity
    from .matrix import predict_dataset

    results: dict[str, dict[str, dict[float, float]]] = {}
    severities = sorted(set(args.depth_severity))
    bases = {
        ds_path: select_sequences(
            load_frame_table(ds_path, config=args.config, split=args.split), args.severity_max_rows
        )
        for ds_path in args.datasets
    }
    print(severity_cost(bases, severities, models, args))
    bar = tqdm(
        total=len(bases) * len(severities), desc="--depth-severity (table x severity)", disable=args.no_progress
    )
    for ds_path, base in bases.items():
        ds_name = _name(ds_path)
        for sev in severities:
            bar.update(1)
            simulation, descriptor = simulations[ds_path]
            table = rederive_depth(
                base, sev, at_gt=args.config == "gt2d", preset=args.depth_preset, progress=not args.no_progress,
                simulation=simulation, descriptor=descriptor,
            )  # fmt: skip
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
    bar.close()
    paths = write_severity(results, out, {_name(p): sim for p, (sim, _) in simulations.items()})
    print((out / "depth_severity.md").read_text())
    return {f"severity:{k}": v for k, v in paths.items()}


def _comparison_pairs(compare: list[str] | None, names: list[str]) -> list[tuple[str, str]]:
    """``--compare A:B ...`` -> ``[(A, B), ...]`` (unknown names refused); default every pair in ``--models`` order."""
    if not compare:
        return [(a, b) for i, a in enumerate(names) for b in names[i + 1 :]]
    pairs = []
    for item in compare:
        a, sep, b = item.partition(":")
        if not sep or a not in names or b not in names or a == b:
            raise ValueError(f"--compare {item!r}: expected A:B with two different model names among {names}")
        pairs.append((a, b))
    return pairs


def _table_info(table_dir: str, config: str, split: str) -> dict[str, Any]:
    """The table (loaded once) and the id / validity columns in table order."""
    from auglift_hf.data.windows import column_numpy, load_frame_table

    table = load_frame_table(table_dir, config=config, split=split)

    def strings(name: str, default: str) -> np.ndarray:
        if name not in table.column_names:
            return np.full(table.num_rows, default, dtype=object)
        return np.asarray(table.column(name).to_pylist(), dtype=object)

    info = {name: strings(name, "") for name in ("dataset", "subject", "action", "camera")}
    info["person"] = strings("person", "0")
    info["table"] = table
    info["valid"] = (
        column_numpy(table, "valid").astype(bool) if "valid" in table.column_names else np.ones(table.num_rows, bool)
    )
    info["reasons"] = strings("invalid_reason", "") if "invalid_reason" in table.column_names else None
    keys = np.unique(np.stack([info[k].astype(str) for k in ("dataset", "subject", "action", "camera")]
                              + [info["person"].astype(str)], 1), axis=0)  # fmt: skip
    info["num_sequences"] = int(len(keys))
    info["datasets"] = sorted(set(info["dataset"].tolist()))
    return info


def _lifter_frame_rate(folder: str, model: Any) -> tuple[float | None, str]:
    """The rate a temporal lifter's windows are sampled at (its contract's ``frame_rate``) and a statement."""
    from auglift_hf.contract import frame_rate_for
    from auglift_hf.models import input_frames

    if input_frames(model.config) <= 1:
        return None, "single-frame lifter (rate-free)"
    if not (Path(folder) / "preprocessor_config.json").is_file():
        return None, "lifter records no frame_rate: table rows fed as they are"
    from auglift_hf import PoseLiftingProcessor

    rate, note = frame_rate_for(PoseLiftingProcessor.from_pretrained(folder), folder)
    if rate is None:
        return None, "lifter records no frame_rate: table rows fed as they are"
    return rate, f"windows sampled at the lifter's {rate:g} Hz (rows of tables at other rates interpolated)"


def _score(model: Any, processor: Any, folder: str, ds_path: str, info: dict, args: argparse.Namespace) -> dict:
    """One replicate on one table: cell metrics over the protocol's joints, per-pose errors, scored rows, takes."""
    import torch

    from auglift_hf.data.windows import PoseWindowDataset
    from auglift_hf.metrics.functional import mpjpe, n_mpjpe, p_mpjpe
    from auglift_hf.models import input_frames

    from .matrix import cell_metrics, predict_dataset
    from .protocol import protocol_group, scored_joints, take_label

    rate, rate_note = _lifter_frame_rate(folder, model)
    table = info["table"]
    if getattr(args, "no_depth", False) and any(c in DEPTH_CHANNELS for c in model.config.input_channels):
        # no depth column: the processor (with its contract checked by _no_depth_processor) feeds missing depth
        table = table.drop_columns([c for c in DEPTH_CHANNELS if c in table.column_names])
    ds = PoseWindowDataset(table, window_size=input_frames(model.config), stride=args.stride,
                           channels=tuple(model.config.input_channels), processor=processor, frame_rate=rate)  # fmt: skip
    idx = np.arange(len(ds))
    if args.max_samples and len(ds) > args.max_samples:
        idx = np.unique(np.linspace(0, len(ds) - 1, args.max_samples).astype(np.int64))
    sub = torch.utils.data.Subset(ds, idx.tolist()) if len(idx) < len(ds) else ds
    pred = predict_dataset(model, sub, args.batch_size, flip_test=not args.no_flip_test)
    rows = ds.centres[idx]
    trow = _table_order(ds)[rows]
    datasets = sorted(set(info["dataset"][trow].tolist()))
    joints = scored_joints(datasets[0]) if len(datasets) == 1 else np.arange(pred["pred"].shape[1])
    p, t = pred["pred"][:, joints] * 1000, pred["target"][:, joints] * 1000
    keys = list(zip(info["dataset"][trow], info["subject"][trow], info["action"][trow]))
    unique = {k: i for i, k in enumerate(dict.fromkeys(keys))}
    inverse = np.fromiter((unique[k] for k in keys), np.int64, len(keys))
    groups = np.asarray([protocol_group(*k) for k in unique], dtype=object)[inverse]
    takes = np.asarray([take_label(*k) for k in unique], dtype=object)[inverse]
    cell = cell_metrics(p, t, groups)
    cell["joints"] = [int(j) for j in joints]
    cell["frame_rate"] = rate_note
    per_pose = {
        "mpjpe": mpjpe(p, t, reduction="none"), "pa_mpjpe": p_mpjpe(p, t, reduction="none"),
        "n_mpjpe": n_mpjpe(p, t, reduction="none"),
    }  # fmt: skip
    return {"cell": cell, "per_pose": per_pose, "rows": rows, "takes": takes}


def _model_channels(model_path: str) -> tuple[str, ...] | None:
    """``input_channels`` of a lifter folder's ``config.json`` (``None`` when not readable here)."""
    try:
        return tuple(json.loads((Path(model_path) / "config.json").read_text())["input_channels"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


#: Rates of the cost estimate: re-derived depth rows per second (capsule-body ray casting + the error model:
#: ~450 rows per CPU second measured under load for the earlier quickstart's capsule point depth; ``bench_synthetic.py`` has
#: 319-339 for ray-cast descriptors) and lifted windows per second (TCN 27f with flip test). For issue 28's run
#: (H36M S9/S11, ~229k rows, 4 severities, XY + XYCD) they predict ~40 min; that run took 32 min on loaded cores.
RAYCAST_ROWS_PER_S = 500.0
LIFT_WINDOWS_PER_S = 2000.0


def severity_cost(bases: dict[str, Any], severities: list[float], models: dict[str, Any], args: Any) -> str:
    """One line saying what ``--depth-severity`` will do and roughly how long it takes: rows x severities of
    re-derived depth, plus one evaluation per severity for every depth model (XY models once per table)."""
    rows = sum(int(b.num_rows) for b in bases.values())
    depth_models = sum(any(c in m.config.input_channels for c in ("d", "d_min", "d_max")) for m in models.values())
    passes = depth_models * len(severities) + (len(models) - depth_models)
    windows = rows // max(args.stride, 1)
    if args.max_samples:
        windows = min(windows, args.max_samples * len(bases))
    seconds = rows * len(severities) / RAYCAST_ROWS_PER_S + windows * passes / LIFT_WINDOWS_PER_S
    limit = "" if args.severity_max_rows else " (--severity-max-rows N bounds the rows per table)"
    return (
        f"auglift evaluate: --depth-severity re-derives depth for {rows:,} rows x {len(severities)} severities and "
        f"runs {passes} model evaluations per table ({len(models)} models): expect about "
        f"{max(seconds / 60, 0.1):.1f} min on 2 idle cores{limit}"
    )


def _missing_inputs(
    table_dir: str, config: str, split: str, channels: tuple[str, ...], quiet: bool = False, no_depth: bool = False
) -> str | None:
    """Why a model with ``channels`` cannot be evaluated on a table (a depth channel the table lacks), else None
    (``quiet``: a table that cannot be read counts as evaluable; the evaluation itself reports it; ``no_depth``:
    depth is withheld anyway, so a table without depth columns lacks nothing)."""
    from auglift_hf.data.windows import load_frame_table

    if no_depth:
        channels = tuple(c for c in channels if c not in DEPTH_CHANNELS)

    try:
        table = load_frame_table(table_dir, config=config, split=split)
    except Exception:  # noqa: BLE001 - only with quiet: the real read reports the failure
        if not quiet:
            raise
        return None
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
