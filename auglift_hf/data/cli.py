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

from ..utils.cli_args import positive_float, positive_int

DATASETS = ("h36m", "3dhp", "3dpw", "fit3d")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``auglift convert``."""
    parser.add_argument("dataset", choices=DATASETS, help="which dataset to convert")
    parser.add_argument("source", nargs="?", help="dataset root or file (3dhp, 3dpw, fit3d)")
    parser.add_argument(
        "--out", required=True,
        help="output folder; replaced atomically only when it is an earlier `auglift convert` table (or empty)",
    )  # fmt: skip
    parser.add_argument(
        "--overwrite", action="store_true", help="replace --out even when it is not an earlier table (deletes it)"
    )
    parser.add_argument("--positions-3d", help="h36m: VideoPose3D data_3d_h36m.npz (world metres)")
    parser.add_argument("--annotations", help="h36m: MMPose preprocessed annotation npz")
    parser.add_argument("--cameras", nargs="+", help="camera file(s): h36m cameras.pkl; 3dhp MMPose cameras_*.pkl")
    parser.add_argument(
        "--detections", help="h36m: VideoPose3D data_2d_h36m_<detector>.npz (adds the detected2d config)"
    )
    parser.add_argument("--subjects", nargs="+", help="subjects (or 3DPW sequences) to keep, e.g. S9 S11")
    parser.add_argument("--test-subjects", nargs="+", help="fit3d: override the deterministic test subjects")
    parser.add_argument(
        "--unknown-subject-split", choices=("train", "test"), default=None,
        help="h36m: split of subjects outside S1/5/6/7/8 (train) and S9/11 (test); default: refuse them by name",
    )  # fmt: skip
    parser.add_argument("--max-frames", type=positive_int, help="keep at most this many frames per sequence")
    parser.add_argument("--stride", type=positive_int, default=1, help="keep every k-th frame (default 1)")
    parser.add_argument(
        "--fps", type=positive_float, help="h36m: frame rate of --positions-3d (default: 25 for *fk25*, else 50)"
    )
    parser.add_argument(
        "--depth-source", choices=("none", "synthetic"), default="none",
        help="depth descriptor columns: none, or the synthetic capsule renderer (mocap without images)",
    )  # fmt: skip
    parser.add_argument("--no-progress", action="store_true", help="disable tqdm progress bars")


def run(args: argparse.Namespace) -> int:
    """Convert and print ``{config: {split: rows}}``. Failures are raised to ``auglift_hf.cli``, which prints one
    line and exits with the code of :mod:`auglift_hf.errors`; nothing partial is written and an ``--out`` that is
    not an earlier table is never replaced without ``--overwrite``."""
    from .schema import check_table_output

    check_table_output(args.out, args.overwrite)
    common = {
        "max_frames": args.max_frames,
        "stride": args.stride,
        "depth_source": None if args.depth_source == "none" else args.depth_source,
        "progress": not args.no_progress,
        "overwrite": args.overwrite,
    }
    if args.dataset != "h36m":
        for option in ("unknown_subject_split", "fps"):
            if getattr(args, option) is not None:
                raise ValueError(f"--{option.replace('_', '-')} applies to h36m only")
    if args.dataset == "h36m":
        from .h36m import convert_h36m

        if not args.cameras or len(args.cameras) != 1:
            raise ValueError("h36m needs exactly one --cameras cameras.pkl")
        positions_3d = args.positions_3d or (args.source if args.annotations is None else None)
        counts = convert_h36m(
            args.out, cameras=args.cameras[0], positions_3d=positions_3d, annotations=args.annotations,
            detections=args.detections, subjects=args.subjects, fps=args.fps,
            unknown_subject_split=args.unknown_subject_split, **common,
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
    for config, splits in counts.items():
        print(f"{args.out} [{config}] " + ", ".join(f"{s}: {n:,} rows" for s, n in splits.items()))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry point (``python -m auglift_hf.data.cli h36m ...``)."""
    from ..cli import OneLineArgumentParser, run_command

    parser = OneLineArgumentParser(prog="auglift convert", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run_command("convert", run, parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
