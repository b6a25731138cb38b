"""``auglift convert {h36m,3dhp,3dpw,fit3d,bvh} ... --out <dir>``: native dataset -> Parquet frame table + card.

Examples::

    auglift convert h36m --positions-3d data_3d_h36m.npz --cameras cameras.pkl --out h36m_table
    auglift convert h36m --annotations h36m_train.npz --cameras cameras.pkl --out h36m_table
    auglift convert 3dhp /data/mpi_inf_3dhp --out 3dhp_table
    auglift convert 3dpw /data/3DPW --out 3dpw_table
    auglift convert fit3d /data/fit3d --out fit3d_table --max-frames 500 --stride 2
    auglift convert bvh mocap/*.bvh --cameras cameras.pkl --virtual-cameras 2 --bone-lengths h36m \
        --body-proportions 2 --fps 25 --simulate-detector --depth-source synthetic --out bvh_table

Real XYCD columns (detector -> 2D pose -> depth run on the dataset's own media, joined to the ground truth by
timestamp; ``auglift_hf.data.join``); ``--check`` first says what the join would do, without running a model::

    auglift convert h36m --annotations h36m_test.npz --cameras cameras.pkl --images h36m/images \
        --detector PekingU/rtdetr_r50vd_coco_o365 --pose-model usyd-community/vitpose-base-simple \
        --depth-model depth-anything/Depth-Anything-V2-Metric-Indoor-Small-hf --out h36m_xycd
    auglift convert h36m --positions-3d data_3d_h36m.npz --cameras cameras.pkl --videos /data/h36m --check
    auglift convert h36m --positions-3d data_3d_h36m.npz --cameras cameras.pkl --videos /data/h36m --out h36m_xycd
    auglift convert 3dpw /data/3DPW --videos /data/3DPW --association gt-box --out 3dpw_xycd
    accelerate launch -m auglift_hf.cli convert fit3d /data/fit3d --videos /data/fit3d --out fit3d_xycd
"""

from __future__ import annotations

import argparse
import sys

from ..utils.cli_args import (
    DEFAULT_DETECTOR_PRESET,
    DEPTH_SIMULATION_CHOICES,
    DETECTOR_PRESET_CHOICES,
    depth_severity,
    non_negative_int,
    positive_float,
    positive_int,
)

DATASETS = ("h36m", "3dhp", "3dpw", "fit3d", "humaneva", "bvh")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``auglift convert``."""
    parser.add_argument("dataset", choices=DATASETS, help="which dataset to convert")
    parser.add_argument(
        "source", nargs="*",
        help="dataset root or file (3dhp, 3dpw, fit3d; humaneva: the folder of VideoPose3D's data_3d/2d_humaneva15 npz; "
        "bvh: files / folders)",
    )  # fmt: skip
    parser.add_argument(
        "--out",
        help="output folder (required unless --check); only files auglift wrote there (its manifest) are replaced, "
        "atomically",
    )  # fmt: skip
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="write the table into an --out that holds files auglift did not write (they are kept, never deleted)",
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
        "--fps", type=positive_float,
        help="h36m: frame rate of --positions-3d (default: 25 for *fk25*, else 50); bvh: resample to this rate "
        "(default: each file's Frame Time)",
    )  # fmt: skip
    parser.add_argument(
        "--depth-source", choices=("none", "synthetic"), default="none",
        help="depth descriptor columns: none, or simulated monocular depth (mocap without images; --depth-simulation)",
    )  # fmt: skip
    parser.add_argument(
        "--depth-severity", type=depth_severity, default=None,
        help="severity of the monocular-depth error model with --depth-source synthetic (0 = exact depth; default: "
        "the simulation's own, surface-v2: 3 = calibrated to AugLift's real-depth gain, 1 = optimistic; capsule-v1: "
        "1; at most 10); refused without --depth-source synthetic",
    )  # fmt: skip
    parser.add_argument(
        "--depth-severity-range", type=depth_severity, nargs=2, default=None, metavar=("LO", "HI"),
        help="with --depth-simulation surface-v2, instead of --depth-severity: one severity per sequence drawn "
        "uniformly in [LO, HI] (training tables for lifters that must not over-trust depth)",
    )  # fmt: skip
    parser.add_argument(
        "--depth-encoding", choices=("package", "auglift"), default=None,
        help="with --depth-source synthetic: the depth codec lifters trained on the table use: package (default; "
        "pelvis-relative, clipped, 16 sunflower samples) or auglift (AugLift's nearest-joint codec, 100 samples)",
    )  # fmt: skip
    parser.add_argument(
        "--depth-simulation", choices=DEPTH_SIMULATION_CHOICES, default=None,
        help="with --depth-source synthetic: surface-v2 (default; body surface on a floor in a room, part-aware "
        "errors, calibrated; issue 24) or capsule-v1 (capsules on the joint chain: the earlier tables)",
    )  # fmt: skip
    parser.add_argument(
        "--workers", type=positive_int, default=1, metavar="N",
        help="with --depth-source synthetic: simulate the sequences' depth in N processes (default 1); the table is "
        "byte-identical to --workers 1",
    )  # fmt: skip
    parser.add_argument(
        "--depth-cache", default=None, metavar="DIR",
        help="with --depth-source synthetic: keep each sequence's simulated depth in DIR as it is computed, so that "
        "an interrupted conversion rerun with the same options resumes with the same bytes (other options or inputs "
        "are refused); removed once the table is written",
    )  # fmt: skip
    parser.add_argument(
        "--simulate-detector", action="store_true",
        help="h36m: add the detected2d config with detector-definition 2D (COCO-17 landmarks, realistic noise)",
    )  # fmt: skip
    parser.add_argument(
        "--detector-preset", choices=DETECTOR_PRESET_CHOICES, default=None,
        help="with --simulate-detector: the simulated detector's preset (auglift_hf.simulation.detector2d."
        f"COCO_DETECTOR_PRESETS; default: {DEFAULT_DETECTOR_PRESET!r}, the whole simulator fitted to real MoveNet: "
        "error tails, persistent misses, scores; 'optimistic': the default until 2026-12-06, kinder than MoveNet; "
        "'score-calibrated': 'optimistic' with confidences only as informative of the errors as real MoveNet's)",
    )  # fmt: skip
    parser.add_argument(
        "--detector-seed",
        type=non_negative_int,
        default=0,
        help="seed of --simulate-detector (and of --body-proportions, --virtual-cameras)",
    )
    parser.add_argument(
        "--body-proportions", type=int, default=0, metavar="K",
        help="h36m --positions-3d: add K copies of every training take with other body proportions (bone lengths x "
        "1 +- 0.2 per symmetric group, PoseAug's range); test takes are never changed",
    )  # fmt: skip
    parser.add_argument(
        "--virtual-cameras", type=int, default=0, metavar="K",
        help="h36m --positions-3d: add K copies of every training record seen by random virtual cameras (distance, "
        "height, focal and azimuth ranges of auglift_hf.simulation.viewpoints); test takes are never changed",
    )  # fmt: skip
    parser.add_argument("--no-progress", action="store_true", help="disable tqdm progress bars")
    add_bvh_arguments(parser)
    add_join_arguments(parser)


def add_bvh_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``auglift convert bvh`` (auglift_hf.data.bvh)."""
    g = parser.add_argument_group("bvh (auglift_hf.data.bvh)")
    g.add_argument("--joint-map", help="built-in map (auglift, bandai, mixamo, cmu) or a JSON map file; default: "
                   "the built-in map whose joints the file has")  # fmt: skip
    g.add_argument("--units", choices=("auto", "m", "cm", "mm", "inch"), default="auto",
                   help="units of the BVH (default auto: from the body's size, refused when ambiguous)")  # fmt: skip
    g.add_argument("--up-axis", choices=("y", "z"), default="y", help="the BVH's up axis (default y, the BVH norm)")
    g.add_argument("--bone-lengths", choices=("file", "h36m"), default="file",
                   help="keep the file's skeleton, or retarget its motion onto H36M (S1) bone lengths")  # fmt: skip
    g.add_argument("--split", choices=("train", "test"), default="train", help="split of every clip (train)")
    g.add_argument("--license", help="licence id of the source motion for the card (default: known for Bandai "
                   "Namco, cc-by-nc-4.0; else unknown)")  # fmt: skip
    g.add_argument("--dataset-name", help="the table's dataset column (default: bandai for its skeleton, else bvh)")


def add_join_arguments(parser: argparse.ArgumentParser) -> None:
    """Media + backend options: with ``--images`` or ``--videos`` the table gets real-pipeline XYCD columns."""
    from ..preprocess.cli import add_backend_arguments

    g = parser.add_argument_group("real XYCD columns (auglift_hf.data.join)")
    g.add_argument("--images", help="folder of the annotation npz's image files (h36m / 3dhp MMPose npz), by name")
    g.add_argument("--videos", help="dataset media root in its native layout (videos / image sequences)")
    g.add_argument(
        "--check", action="store_true",
        help="run no model: list what the join would do (sequences found / missing, annotation vs media rates, name "
        "mismatches with a suggestion, rows per reason, joinable rows); non-zero exit when nothing can be joined",
    )  # fmt: skip
    g.add_argument("--association", choices=("iou", "oks", "gt-box"), default="iou",
                   help="which detection is the annotated person: IoU or OKS against the projected ground-truth box, "
                   "or gt-box: prompt the pose model with the ground-truth box + --gt-box-margin (no detector)")  # fmt: skip
    g.add_argument("--min-score", type=positive_float, default=0.3, help="minimum IoU / OKS of an association (0.3)")
    g.add_argument("--gt-box-margin", type=float, default=150.0, help="gt-box margin in pixels (AugLift: 150)")
    g.add_argument("--batch-size", type=positive_int, default=8, help="frames per forward pass")
    g.add_argument("--shard-size", type=positive_int, default=256, help="media frames per shard file (unit of resume)")
    if "--overwrite" not in parser._option_string_actions:  # `auglift convert` may already define it
        g.add_argument("--overwrite", action="store_true", help="discard an earlier join run in --out")
    add_backend_arguments(parser)


def _run_join_cli(args: argparse.Namespace) -> int:
    """The join has its own ``--out`` protection (a plan file; a non-empty folder without one is refused unless
    ``--overwrite``) so that an interrupted run resumes instead of being refused or wiped. Errors are raised to
    ``auglift_hf.cli`` (one line, exit codes of :mod:`auglift_hf.errors`)."""
    counts = _run_join(args)
    for config, splits in counts.items():
        print(f"{args.out} [{config}] " + ", ".join(f"{s}: {n:,} rows" for s, n in splits.items()))
    if counts:
        from .join import read_join_card

        dropped = read_join_card(args.out)["auglift_join"]["dropped_rows"]
        for config, reasons in dropped.items():
            if reasons:
                print(f"{args.out} [{config}] valid=False: " + ", ".join(f"{r} {n:,}" for r, n in reasons.items()))
    return 0


def _join_inputs(args: argparse.Namespace) -> dict:
    """The ground-truth and media arguments of :func:`~auglift_hf.data.join.prepare_join`."""
    cameras = args.cameras
    if args.dataset == "h36m":
        if not cameras or len(cameras) != 1:
            raise ValueError("h36m needs exactly one --cameras cameras.pkl")
        cameras = cameras[0]
    return {
        "source": args.source, "annotations": args.annotations, "positions_3d": args.positions_3d, "cameras": cameras,
        "images": args.images, "videos": args.videos, "subjects": args.subjects, "test_subjects": args.test_subjects,
        "max_frames": args.max_frames, "stride": args.stride, "fps": args.fps,
        "unknown_subject_split": getattr(args, "unknown_subject_split", None),
    }  # fmt: skip


def _run_check(args: argparse.Namespace) -> int:
    """``--check``: print what the join would do; no model is loaded and nothing is written."""
    from .join import check_join, format_check

    if not (args.images or args.videos):
        raise ValueError("--check describes the join: give --images <folder> or --videos <dataset root>")
    report = check_join(args.dataset, **_join_inputs(args))
    for line in format_check(report):
        print(line)
    if report["rate_contradictions"]:
        raise ValueError(f"the join would refuse: {report['rate_contradictions'][0]}")
    if not report["joinable_rows"]:
        if not any(e["found"] for e in report["sequences"]):
            raise FileNotFoundError(f"{args.dataset}: nothing can be joined: no media found for any sequence")
        raise ValueError(f"{args.dataset}: nothing can be joined: {report['rows']:,} rows, none with a media frame")
    return 0


def _run_join(args: argparse.Namespace) -> dict:
    from ..preprocess.cli import build_extractor
    from .join import build_xycd_table

    if args.gt_box_margin < 0:
        raise ValueError(f"--gt-box-margin must be >= 0 pixels, got {args.gt_box_margin}")
    if getattr(args, "features", None):
        raise ValueError("--features (AugLift V2 backbone features) is not written by the dataset join; use "
                         "`auglift preprocess` for feature columns")  # fmt: skip
    if args.depth_source != "none" or args.detections:
        raise ValueError("--depth-source / --detections do not apply with --images / --videos "
                         "(the depth and the 2D come from the given backends)")  # fmt: skip
    args.multi_person = True  # every detected person is a candidate for the association
    counts = build_xycd_table(
        args.dataset, args.out, None, make_extractor=lambda: build_extractor(args), **_join_inputs(args),
        association=args.association, min_score=args.min_score,
        gt_box_margin=args.gt_box_margin, batch_size=args.batch_size, shard_size=args.shard_size,
        overwrite=args.overwrite, progress=not args.no_progress,
    )  # fmt: skip
    return counts or {}


def _check_depth_workers(args: argparse.Namespace) -> None:
    """``--workers`` / ``--depth-cache`` parallelise and keep the simulated depth: refused without it (they would be
    ignored), and a cache that is, holds or lies in ``--out`` (replaced by the table) or an input is refused."""
    workers, cache = args.workers, args.depth_cache  # workers >= 1: the parser's positive_int
    for option, given in (("--workers", workers != 1), ("--depth-cache", cache is not None)):
        if given and args.depth_source != "synthetic":
            raise ValueError(f"{option} applies to --depth-source synthetic only (no simulated depth to "
                             f"{'parallelise' if option == '--workers' else 'cache'})")  # fmt: skip
    if cache is not None and args.out:
        from pathlib import Path

        from ..utils.outputs import check_not_input

        c, o = Path(cache).resolve(), Path(args.out).resolve()
        if c == o or o in c.parents or c in o.parents:
            raise ValueError(f"--depth-cache {cache} and --out {args.out} must be separate folders (the table "
                             "replaces --out; the cache is removed once the table is written)")  # fmt: skip
        check_not_input(cache, [*(args.source if isinstance(args.source, list) else [args.source]), args.positions_3d,
                                args.annotations, args.detections, *(args.cameras or ())], what="--depth-cache")  # fmt: skip
    if workers > 1:
        import os

        cores = os.cpu_count() or 1
        if workers > cores:
            print(f"auglift convert: warning: --workers {workers} exceeds the {cores} CPU cores; the processes share "
                  "them (the same table, not faster)", file=sys.stderr)  # fmt: skip


def run(args: argparse.Namespace) -> int:
    """Convert and print ``{config: {split: rows}}``. Failures are raised to ``auglift_hf.cli``, which prints one
    line and exits with the code of :mod:`auglift_hf.errors`; nothing partial is written and an ``--out`` that is
    not an earlier table is never replaced without ``--overwrite``."""
    sources = list(args.source or [])
    if args.dataset != "bvh":
        if len(sources) > 1:
            raise ValueError(f"{args.dataset} takes one dataset root or file, got {len(sources)}: {sources}")
        args.source = sources[0] if sources else None
    _check_depth_workers(args)
    if getattr(args, "check", False):
        return _run_check(args)
    if not args.out:
        raise ValueError("the following arguments are required: --out")

    from ..utils.outputs import check_not_input

    check_not_input(args.out, [*sources, args.positions_3d, args.annotations, args.detections,
                               *(args.cameras or ()), getattr(args, "images", None), getattr(args, "videos", None)])  # fmt: skip
    if args.depth_severity is not None and args.depth_source != "synthetic":
        raise ValueError("--depth-severity applies to --depth-source synthetic only (it would be ignored)")
    if args.depth_simulation is not None and args.depth_source != "synthetic":
        raise ValueError("--depth-simulation applies to --depth-source synthetic only (it would be ignored)")
    from .schema import DEFAULT_DEPTH_SIMULATION

    simulation = args.depth_simulation or DEFAULT_DEPTH_SIMULATION
    encoding = getattr(args, "depth_encoding", None)
    if encoding is not None and args.depth_source != "synthetic":
        raise ValueError("--depth-encoding applies to --depth-source synthetic only (it would be ignored)")
    encoding = encoding or "package"
    severity_range = getattr(args, "depth_severity_range", None)
    if severity_range is not None:
        if args.depth_severity is not None:
            raise ValueError("give --depth-severity or --depth-severity-range, not both")
        if args.depth_source != "synthetic" or simulation != "surface-v2":
            raise ValueError("--depth-severity-range needs --depth-source synthetic --depth-simulation surface-v2")
        if severity_range[0] > severity_range[1]:
            raise ValueError(
                f"--depth-severity-range: LO must not exceed HI, got {severity_range[0]:g} {severity_range[1]:g}"
            )
        severity_range = tuple(severity_range)
    if getattr(args, "images", None) or getattr(args, "videos", None):
        if args.dataset == "bvh":
            raise ValueError("--images / --videos do not apply to bvh (motion capture without media)")
        return _run_join_cli(args)  # its own --out protection: an interrupted join resumes in the same folder
    from .schema import check_table_output

    check_table_output(args.out, args.overwrite)
    depth_source = None
    severity = args.depth_severity  # None: the simulation's default (surface-v2: calibrated)
    if args.depth_source == "synthetic":
        from .schema import synthetic_depth_source

        depth_source = synthetic_depth_source(
            severity=severity, simulation=simulation, severity_range=severity_range, encoding=encoding
        )
    if args.body_proportions and args.dataset not in ("h36m", "bvh"):
        raise ValueError("--body-proportions needs 3D camera-frame motion; supported for h36m and bvh")
    if args.virtual_cameras and args.dataset not in ("h36m", "bvh"):
        raise ValueError("--virtual-cameras needs 3D camera-frame motion; supported for h36m and bvh")
    if args.simulate_detector and args.dataset not in ("h36m", "humaneva", "bvh"):
        raise ValueError("--simulate-detector needs 3D camera-frame motion; supported for h36m, humaneva and bvh")
    if args.detector_preset is not None and not args.simulate_detector:
        raise ValueError("--detector-preset applies with --simulate-detector only")
    detector_preset = args.detector_preset or DEFAULT_DETECTOR_PRESET
    if args.dataset != "bvh":
        given = [o for o in ("joint_map", "license", "dataset_name") if getattr(args, o) is not None]
        given += [o for o, d in (("units", "auto"), ("up_axis", "y"), ("bone_lengths", "file"), ("split", "train"))
                  if getattr(args, o) != d]  # fmt: skip
        if given:
            raise ValueError(f"--{given[0].replace('_', '-')} applies to bvh only")
    if args.dataset == "humaneva":  # evaluation only: its own reader (auglift_hf.data.humaneva), 60 Hz depth error
        from .humaneva import FPS, convert_humaneva
        from .schema import synthetic_depth_source

        if not args.source:
            raise ValueError("humaneva needs the folder of data_3d_humaneva15.npz / data_2d_humaneva15_gt.npz")
        depth = (
            synthetic_depth_source(
                severity=severity, fps=FPS, simulation=simulation, severity_range=severity_range, encoding=encoding
            )
            if depth_source is not None
            else None
        )
        counts = convert_humaneva(
            args.source, args.out, subjects=args.subjects, max_frames=args.max_frames, stride=args.stride,
            depth_source=depth, simulate_detector=args.simulate_detector, detector_seed=args.detector_seed,
            detector_preset=detector_preset, overwrite=args.overwrite, progress=not args.no_progress,
            workers=args.workers, depth_cache=args.depth_cache,
        )  # fmt: skip
        for config, splits in counts.items():
            print(f"{args.out} [{config}] " + ", ".join(f"{s}: {n:,} rows" for s, n in splits.items()))
        return 0
    common = {
        "max_frames": args.max_frames,
        "stride": args.stride,
        "depth_source": depth_source,
        "progress": not args.no_progress,
        "overwrite": args.overwrite,
        "workers": args.workers,
        "depth_cache": args.depth_cache,
    }
    if args.dataset != "h36m":
        for option in ("unknown_subject_split",) + (("fps",) if args.dataset != "bvh" else ()):
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
            unknown_subject_split=args.unknown_subject_split, simulate_detector=args.simulate_detector,
            detector_seed=args.detector_seed, detector_preset=detector_preset, body_proportions=args.body_proportions,
            virtual_cameras=args.virtual_cameras, **common,
        )  # fmt: skip
    elif args.dataset == "bvh":
        from .bvh.table import convert_bvh

        if not sources:
            raise ValueError("bvh needs BVH files or folders")
        if args.detections or args.positions_3d or args.annotations or args.subjects or args.test_subjects:
            raise ValueError("--detections / --positions-3d / --annotations / --subjects / --test-subjects do not "
                             "apply to bvh")  # fmt: skip
        if args.cameras and len(args.cameras) != 1:
            raise ValueError("bvh takes at most one --cameras cameras.pkl (the real H36M cameras)")
        counts = convert_bvh(
            sources, args.out, cameras=args.cameras[0] if args.cameras else None,
            virtual_cameras=args.virtual_cameras, joint_map=args.joint_map, units=args.units, up_axis=args.up_axis,
            bone_lengths=args.bone_lengths, body_proportions=args.body_proportions, fps=args.fps,
            split=args.split, simulate_detector=args.simulate_detector, detector_seed=args.detector_seed,
            detector_preset=detector_preset, license=args.license, dataset_name=args.dataset_name, **common,
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
