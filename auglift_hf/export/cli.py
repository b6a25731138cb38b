"""``auglift export``: lifters to ONNX, motion files (JSON / NPZ) to BVH.

Failures are one stderr line with the exit code of :mod:`auglift_hf.errors` (raised to ``auglift_hf.cli``).
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="format", metavar="FORMAT", required=True)
    onnx = sub.add_parser("onnx", help="export a lifter folder to ONNX (dynamic batch), checked with onnxruntime")
    onnx.add_argument("folder", help="saved lifter folder (config.json + model.safetensors) or Hub id")
    onnx.add_argument("out", help="output .onnx file")
    onnx.add_argument("--opset", type=int, default=18, help="ONNX opset (default 18)")
    onnx.add_argument("--atol", type=float, default=1e-4, help="max |onnxruntime - PyTorch| accepted (default 1e-4)")
    onnx.add_argument(
        "--exporter",
        choices=("auto", "legacy", "dynamo"),
        default="auto",
        help="torch.onnx exporter: auto (legacy, dynamo when the onnxruntime check fails), legacy, dynamo",
    )
    onnx.add_argument("--no-verify", action="store_true", help="skip the onnxruntime comparison")
    bvh = sub.add_parser(
        "bvh", help="convert a motion JSON/NPZ (keypoints_3d in mm) to BVH (offsets and positions in centimetres, Y up)",
        description="Convert a motion JSON/NPZ (camera-frame keypoints_3d in millimetres) to a BVH file whose "
        "offsets and root positions are in centimetres (1 BVH unit = 1 cm), Y up, the person facing +Z.",
    )  # fmt: skip
    bvh.add_argument("motion", help="motion .json or .npz written by `auglift lift` or the Space")
    bvh.add_argument("out", help="output .bvh file")
    bvh.add_argument(
        "--fps", type=float, default=None,
        help="frame rate (default: the motion file's `fps`; required when the file records none)",
    )  # fmt: skip


def run(args: argparse.Namespace) -> int:
    import math

    from ..utils.outputs import check_not_input

    check_not_input(args.out, [args.folder if args.format == "onnx" else args.motion], what="output")
    if args.format == "onnx":
        from .onnx import export_onnx

        result = export_onnx(
            args.folder, args.out, opset=args.opset, exporter=args.exporter, verify=not args.no_verify, atol=args.atol
        )
        print(f"wrote {result.path} (opset {result.opset}, {result.exporter} exporter)")
        print(f"  input  keypoints {result.input_shape}")
        print(f"  output poses_3d  {result.output_shape}")
        if result.max_abs_diff is not None:
            print(f"  onnxruntime vs PyTorch: max abs diff {result.max_abs_diff:.3g} (atol {args.atol:g})")
        return 0
    from .bvh import write_bvh
    from .motion import load_motion

    if args.fps is not None and not (math.isfinite(args.fps) and args.fps > 0):
        raise ValueError(f"--fps must be a positive number, got {args.fps}")
    motion = load_motion(args.motion)
    fps = args.fps or motion.get("fps")
    if not fps:
        raise ValueError(f"{args.motion} records no `fps` (the source frame rate); pass --fps")
    write_bvh(args.out, motion["keypoints_3d"], fps=fps)
    print(f"wrote {args.out} ({motion['keypoints_3d'].shape[0]} frames at {fps:g} fps; units: centimetres, Y up)")
    return 0
