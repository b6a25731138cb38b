"""``auglift preprocess <images | video | dataset-root> ... --out DIR``: 2D pose + depth descriptors as a table.

Runs unchanged on one process or under ``accelerate launch`` (each rank takes a disjoint set of shards; the
main process merges). Re-running the same command resumes: completed shards are skipped.

Examples::

    auglift preprocess clip.mp4 frames_dir/ --out out/
    accelerate launch --num_processes 4 -m auglift_hf.cli preprocess /data/root --out out/ --device cuda --dtype fp16
"""

from __future__ import annotations

import argparse
import sys


def add_backend_arguments(parser: argparse.ArgumentParser) -> None:
    """Backend and device options shared by ``auglift preprocess`` and ``auglift lift``.

    Depth and descriptor options default to the lifter's input contract (``--model`` of ``auglift lift``,
    ``--lifter`` of ``auglift preprocess``), else to the metric Depth Anything V2 and the descriptor the shipped
    lifters were trained with (CASP, 16 samples).
    """
    from ..contract import DEFAULT_DEPTH_MODEL, DEFAULT_NUM_SAMPLES
    from .depth import DEPTH_CHECKPOINTS
    from .detector import DEFAULT_DETECTOR, DEFAULT_THRESHOLD
    from .pose2d import DEFAULT_POSE_MODEL

    g = parser.add_argument_group("backends")
    g.add_argument("--detector", default=DEFAULT_DETECTOR,
                   help=f"person detector checkpoint id or folder, or 'full-image' (no detection). Default {DEFAULT_DETECTOR}")  # fmt: skip
    g.add_argument("--detector-threshold", type=float, default=DEFAULT_THRESHOLD,
                   help=f"person score threshold (default {DEFAULT_THRESHOLD:g}, AugLift's)")  # fmt: skip
    g.add_argument(
        "--pose-model", default=DEFAULT_POSE_MODEL, help=f"VitPose checkpoint id or folder ({DEFAULT_POSE_MODEL})"
    )
    g.add_argument("--depth-model", default="default",
                   help="depth checkpoint id or folder, a name (metric-indoor, metric-outdoor, relative, each also -large/-base/"
                        f"-small; {len(DEPTH_CHECKPOINTS)} in DEPTH_CHECKPOINTS), or 'none'. Default: the "
                        f"lifter's contract, else the metric Depth Anything V2 {DEFAULT_DEPTH_MODEL} (metres; a "
                        "relative model only feeds a lifter whose contract says relative)")  # fmt: skip
    g.add_argument("--depth-mode", default=None, choices=("casp", "point", "minmax"),
                   help="depth descriptor (default: the lifter's contract, else casp)")  # fmt: skip
    g.add_argument("--depth-samples", type=int, default=None,
                   help=f"disk samples per joint (default: the lifter's contract, else {DEFAULT_NUM_SAMPLES})")  # fmt: skip
    g.add_argument("--override-contract", action="store_true",
                   help="accept backends/descriptors that conflict with the lifter's input contract (recorded in the output)")  # fmt: skip
    g.add_argument("--pose-flip-test", action="store_true",
                   help="2D flip test of VitPose (average heatmaps of the crop and its mirror; twice the cost)")  # fmt: skip
    g.add_argument("--features", default=None,
                   help="AugLift V2: also sample this ViT backbone's patch features at the keypoints (e.g. facebook/dinov2-small)")  # fmt: skip
    g.add_argument("--multi-person", action="store_true", help="keep every detected person (default: best one)")
    g.add_argument("--device", default="auto", help="'auto', 'cpu', 'cuda', 'cuda:1', ...")
    g.add_argument("--dtype", default=None, choices=("fp32", "fp16", "bf16"),
                   help="backbone precision (GPU); the depth head always runs in fp32")  # fmt: skip
    g.add_argument("--local-files-only", action="store_true", help="never contact the Hub")


def depth_params_from_args(args: argparse.Namespace) -> dict | None:
    """Explicit descriptor choices of the command line (``None`` = take them from the contract / defaults)."""
    return {"num_samples": int(args.depth_samples)} if getattr(args, "depth_samples", None) else None


def build_extractor(args: argparse.Namespace):  # noqa: ANN201
    from .extractor import XYCDExtractor
    from .sharding import is_distributed_launch, partial_state

    local = True if args.local_files_only else None
    device = args.device
    if device == "auto" and is_distributed_launch():
        device = partial_state().device  # one GPU per rank under accelerate launch / torchrun (CPU: "cpu")
    features = None
    if getattr(args, "features", None):
        from .features import BackboneFeatureSampler

        features = BackboneFeatureSampler(args.features, device=device, dtype=args.dtype, local_files_only=local)
    contract = None
    if getattr(args, "lifter", None):
        from ..contract import load_contract

        contract = load_contract(args.lifter)
    return XYCDExtractor(
        feature_extractor=features,
        detector=None if args.detector in ("full-image", "none") else args.detector,
        pose_estimator=args.pose_model,
        depth_estimator=None if args.depth_model == "none" else args.depth_model,
        depth_mode=args.depth_mode,
        depth_params=depth_params_from_args(args),
        contract=contract,
        override_contract=args.override_contract,
        lifter_name=str(getattr(args, "lifter", None) or "the lifter"),
        pose_flip_test=args.pose_flip_test,
        multi_person=args.multi_person,
        detector_threshold=args.detector_threshold,
        device=device,
        dtype=args.dtype,
        local_files_only=local,
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="+", help="image files, image folders, videos, or a dataset root folder")
    parser.add_argument("--out", required=True, help="output folder (shards, merged Parquet table, failures)")
    parser.add_argument("--shard-size", type=int, default=64, help="frames per shard file (unit of resume)")
    parser.add_argument("--batch-size", type=int, default=8, help="frames per forward pass")
    parser.add_argument("--dataset-name", default="custom", help="value of the `dataset` column")
    parser.add_argument("--fps", type=float, default=0.0, help="frame rate of image sequences (0 = unknown)")
    parser.add_argument("--overwrite", action="store_true", help="discard an earlier run in --out")
    parser.add_argument("--no-merge", action="store_true", help="only write shards (merge later with --merge-only)")
    parser.add_argument("--merge-only", action="store_true", help="only merge the shards already in --out")
    parser.add_argument("--no-progress", action="store_true", help="hide progress bars")
    parser.add_argument("--lifter", default=None,
                        help="lifter folder whose input contract (depth model, descriptor) the table must satisfy")  # fmt: skip
    add_backend_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .sharding import merge_shards, run_preprocess

    try:
        missing = [p for p in args.inputs if not Path(p).exists()]
        if missing and not args.merge_only:
            raise FileNotFoundError(f"input not found: {missing[0]}")
        if args.merge_only:
            path = merge_shards(args.out, progress=not args.no_progress)
        else:
            path = run_preprocess(
                args.inputs, args.out, build_extractor(args), shard_size=args.shard_size, batch_size=args.batch_size,
                dataset_name=args.dataset_name, fps=args.fps, merge=not args.no_merge, overwrite=args.overwrite,
                progress=not args.no_progress,
            )  # fmt: skip
    except (ValueError, OSError) as err:  # OSError: also a checkpoint that is not available (offline)
        from ..errors import exit_code, one_line

        print(f"auglift preprocess: error: {one_line(err)}", file=sys.stderr)
        return exit_code(err)
    if path is not None:
        import pyarrow.parquet as pq

        meta = pq.read_metadata(path)
        print(f"wrote {meta.num_rows} rows to {path}")
    return 0
