"""``auglift convert {h36m,3dhp,3dpw,fit3d} ... --out <dir>``: native dataset -> Parquet frame table + card.

Examples::

    auglift convert h36m --positions-3d data_3d_h36m.npz --cameras cameras.pkl --out h36m_table
    auglift convert h36m --annotations h36m_train.npz --cameras cameras.pkl --out h36m_table
    auglift convert 3dhp /data/mpi_inf_3dhp --out 3dhp_table
    auglift convert 3dpw /data/3DPW --out 3dpw_table
    auglift convert fit3d /data/fit3d --out fit3d_table --max-frames 500 --stride 2
"""

from __future__ import annotations

import argparse
import sys

DATASETS = ("h36m", "3dhp", "3dpw", "fit3d")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``auglift convert``."""
    parser.add_argument("dataset", choices=DATASETS, help="which dataset to convert")
    parser.add_argument("source", nargs="?", help="dataset root or file (3dhp, 3dpw, fit3d)")
    parser.add_argument("--out", required=True, help="output folder (replaced atomically)")
    parser.add_argument("--positions-3d", help="h36m: VideoPose3D data_3d_h36m.npz (world metres)")
    parser.add_argument("--annotations", help="h36m: MMPose preprocessed annotation npz")
    parser.add_argument("--cameras", nargs="+", help="camera file(s): h36m cameras.pkl; 3dhp MMPose cameras_*.pkl")
    parser.add_argument(
        "--detections", help="h36m: VideoPose3D data_2d_h36m_<detector>.npz (adds the detected2d config)"
    )
    parser.add_argument("--subjects", nargs="+", help="subjects (or 3DPW sequences) to keep, e.g. S9 S11")
    parser.add_argument("--test-subjects", nargs="+", help="fit3d: override the deterministic test subjects")
    parser.add_argument("--max-frames", type=int, help="keep at most this many frames per sequence")
    parser.add_argument("--stride", type=int, default=1, help="keep every k-th frame (default 1)")
    parser.add_argument(
        "--fps", type=float, help="h36m: frame rate of --positions-3d (default: 25 for *fk25*, else 50)"
    )
    parser.add_argument(
        "--depth-source", choices=("none", "synthetic"), default="none",
        help="depth descriptor columns: none, or the synthetic capsule renderer (mocap without images)",
    )  # fmt: skip
    parser.add_argument(
        "--depth-severity", type=float, default=1.0,
        help="severity of the monocular-depth error model with --depth-source synthetic (0 = exact depth, "
        "1 = the Depth Anything V2 metric preset, default)",
    )  # fmt: skip
    parser.add_argument(
        "--simulate-detector", action="store_true",
        help="h36m: add the detected2d config with detector-definition 2D (COCO-17 landmarks, realistic noise)",
    )  # fmt: skip
    parser.add_argument("--detector-seed", type=int, default=0, help="seed of --simulate-detector")
    parser.add_argument("--no-progress", action="store_true", help="disable tqdm progress bars")


def run(args: argparse.Namespace) -> int:
    """Convert and print ``{config: {split: rows}}``; clear one-line errors, exit code 2, no partial output."""
    try:
        depth_source = None
        if args.depth_source == "synthetic":
            from .schema import synthetic_depth_source

            if args.depth_severity < 0:
                raise ValueError(f"--depth-severity must be >= 0, got {args.depth_severity}")
            depth_source = synthetic_depth_source(severity=args.depth_severity)
        if args.simulate_detector and args.dataset != "h36m":
            raise ValueError("--simulate-detector needs 3D camera-frame motion; supported for h36m")
        common = {
            "max_frames": args.max_frames,
            "stride": args.stride,
            "depth_source": depth_source,
            "progress": not args.no_progress,
        }
        if args.dataset == "h36m":
            from .h36m import convert_h36m

            if not args.cameras or len(args.cameras) != 1:
                raise ValueError("h36m needs exactly one --cameras cameras.pkl")
            positions_3d = args.positions_3d or (args.source if args.annotations is None else None)
            counts = convert_h36m(
                args.out, cameras=args.cameras[0], positions_3d=positions_3d, annotations=args.annotations,
                detections=args.detections, subjects=args.subjects, fps=args.fps,
                simulate_detector=args.simulate_detector, detector_seed=args.detector_seed, **common,
            )  # fmt: skip
        else:
            if not args.source:
                raise ValueError(f"{args.dataset} needs a dataset root or file")
            if args.dataset == "3dhp":
                from .mpi_inf_3dhp import convert_3dhp

                counts = convert_3dhp(args.source, args.out, cameras=args.cameras, subjects=args.subjects, **common)
            elif args.dataset == "3dpw":
                from .pw3d import convert_3dpw

                counts = convert_3dpw(args.source, args.out, sequences=args.subjects, **common)
            else:
                from .fit3d import convert_fit3d

                counts = convert_fit3d(
                    args.source, args.out, subjects=args.subjects, test_subjects=args.test_subjects, **common
                )
    except (ValueError, FileNotFoundError) as err:
        print(f"auglift convert {args.dataset}: error: {err}", file=sys.stderr)
        return 2
    for config, splits in counts.items():
        print(f"{args.out} [{config}] " + ", ".join(f"{s}: {n:,} rows" for s, n in splits.items()))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry point (``python -m auglift_hf.data.cli h36m ...``)."""
    parser = argparse.ArgumentParser(prog="auglift convert", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
