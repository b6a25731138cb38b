"""``auglift lift <image | video | keypoints.json> --model <id or folder> --out <file.json | file.npz> [--plot PNG]``.

Runs the ``"pose-lifting"`` pipeline. A keypoints JSON (AlphaPose/COCO results, or this command's own output)
skips the detector and 2D pose stages; without images there is no depth, so a depth-channel model gets zero
depth with a warning (use an XY / XYC model, or lift the video instead).

Output (JSON or NPZ, same keys): ``keypoints_3d`` (frames x 17 x 3, millimetres, camera axes, root-relative unless
intrinsics and metric depth were given), ``keypoints_2d`` (frames x 17 x 2 pixels, H36M-17), ``scores``,
``joint_names``, ``frame_index``, ``valid``, ``image_size``, ``input_channels``, ``coordinates`` and, with
depth, ``depth`` (frames x 17 x k).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from .cli import add_backend_arguments

    parser.add_argument("input", help="an image, a video, or a 2D keypoints JSON (AlphaPose/COCO or auglift format)")
    parser.add_argument("--model", required=True, help="lifter Hub id or folder (with preprocessor_config.json)")
    parser.add_argument("--out", required=True, help="output .json or .npz")
    parser.add_argument(
        "--plot", default=None, help="also render a 3D skeleton plot to this image (.png, .jpg, .pdf or .svg)"
    )
    parser.add_argument("--image-size", type=int, nargs=2, metavar=("W", "H"), default=None,
                        help="image size of a keypoints JSON (else read from the file or estimated, with a warning)")  # fmt: skip
    parser.add_argument("--track", type=int, default=None, help="AlphaPose track id to lift (default: best per frame)")
    parser.add_argument("--max-frames", type=int, default=None, help="lift at most this many video frames")
    parser.add_argument("--focal-length", type=float, nargs=2, default=None, metavar=("FX", "FY"),
                        help="pixels; with --principal-point and a metric depth model: absolute camera-frame output")  # fmt: skip
    parser.add_argument("--principal-point", type=float, nargs=2, default=None, metavar=("CX", "CY"))
    parser.add_argument("--batch-size", type=int, default=8, help="frames per detector/pose/depth forward pass")
    add_backend_arguments(parser)


def to_serialisable(result: dict[str, Any]) -> dict[str, Any]:
    """Pipeline output -> JSON-ready dict (lists, rounded to 0.01 mm / px)."""
    out: dict[str, Any] = {}
    for key, value in result.items():
        if key == "depth_map" or value is None:
            continue
        if isinstance(value, np.ndarray):
            value = np.round(value, 3 if key in ("scores", "depth") else 2) if value.dtype.kind == "f" else value
            out[key] = value.tolist()
        elif isinstance(value, tuple):
            out[key] = list(value)
        else:
            out[key] = value
    out["units"] = {"keypoints_3d": "mm", "keypoints_2d": "px", "depth": "depth map units"}
    return out


def write_result(result: dict[str, Any], path: str | Path) -> None:
    """Write a pipeline result as ``.json`` or ``.npz`` atomically."""
    from ..utils.io import atomic_write_file

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        with atomic_write_file(path, "w") as fh:
            json.dump(to_serialisable(result), fh)
    elif suffix == ".npz":
        arrays = {}
        for k, v in result.items():
            if v is None:
                continue
            arrays[k] = np.asarray(v) if not isinstance(v, str) else np.array(v)
        buf = io.BytesIO()
        np.savez_compressed(buf, **arrays)
        with atomic_write_file(path, "wb") as fh:
            fh.write(buf.getvalue())
    else:
        raise ValueError(f"--out must end in .json or .npz, got {path}")


#: ``--plot`` suffix -> matplotlib format (the file's bytes match its name).
PLOT_FORMATS = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".pdf": "pdf", ".svg": "svg"}


def plot_format(path: str | Path) -> str:
    """The matplotlib format of a plot path from its suffix; ``ValueError`` naming ``--plot`` otherwise."""
    suffix = Path(path).suffix.lower()
    if suffix not in PLOT_FORMATS:
        raise ValueError(f"--plot {path}: unsupported image suffix {suffix!r} (use one of {', '.join(PLOT_FORMATS)})")
    return PLOT_FORMATS[suffix]


def plot_skeletons(keypoints_3d: np.ndarray, path: str | Path, num_panels: int = 4, title: str = "") -> None:
    """Render up to ``num_panels`` evenly spaced frames of ``(frames, 17, 3)`` mm as 3D skeletons to an image
    whose format follows ``path``'s suffix (:data:`PLOT_FORMATS`)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from ..skeleton import H36M_BONES, H36M_LEFT_JOINTS
    from ..utils.io import atomic_write_file

    fmt = plot_format(path)
    kp = np.asarray(keypoints_3d, np.float32)
    frames = np.unique(np.linspace(0, len(kp) - 1, min(num_panels, len(kp))).round().astype(int))
    fig = plt.figure(figsize=(3.2 * len(frames), 3.6))
    radius = max(float(np.abs(kp - kp[:, :1]).max()), 1.0)
    left = set(H36M_LEFT_JOINTS)
    for n, f in enumerate(frames):
        ax = fig.add_subplot(1, len(frames), n + 1, projection="3d")
        p = kp[f] - kp[f, 0]
        for child, parent in H36M_BONES:
            colour = "tab:blue" if child in left else "tab:red"
            # camera axes -> plot axes: x right, z (forward) into the page, -y up
            ax.plot(p[[child, parent], 0], p[[child, parent], 2], -p[[child, parent], 1], color=colour, lw=2)
        ax.scatter(p[:, 0], p[:, 2], -p[:, 1], s=6, color="k")
        ax.set_xlim(-radius, radius)
        ax.set_ylim(-radius, radius)
        ax.set_zlim(-radius, radius)
        ax.set_xlabel("x (mm)")
        ax.set_ylabel("z (mm)")
        ax.set_zlabel("-y (mm)")
        ax.set_title(f"frame {f}")
        ax.view_init(elev=15, azim=-70)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=90)
    plt.close(fig)
    with atomic_write_file(path, "wb") as fh:
        fh.write(buf.getvalue())


def run(args: argparse.Namespace) -> int:
    from transformers import pipeline

    from ..errors import exit_code
    from ..models import load_lifter
    from .pipeline import register_pipeline

    register_pipeline()
    out_path = Path(args.out)
    if out_path.suffix.lower() not in (".json", ".npz"):
        print(f"auglift lift: error: --out must end in .json or .npz, got {out_path}", file=sys.stderr)
        return 2
    if args.plot:
        try:
            plot_format(args.plot)
        except ValueError as err:
            print(f"auglift lift: error: {err}", file=sys.stderr)
            return 2
    is_keypoints = Path(args.input).suffix.lower() == ".json"
    kwargs: dict[str, Any] = {"frame_batch_size": args.batch_size}
    if not is_keypoints:
        kwargs.update(
            detector=None if args.detector in ("full-image", "none") else args.detector,
            pose_estimator=args.pose_model,
            depth_estimator=None if args.depth_model == "none" else args.depth_model,
            depth_mode=args.depth_mode,
            detector_threshold=args.detector_threshold,
            backend_dtype=args.dtype,
        )
    device = None if args.device == "auto" else args.device
    call: dict[str, Any] = {}
    for key in ("image_size", "track", "max_frames", "focal_length", "principal_point"):
        if getattr(args, key) is not None:
            call[key] = getattr(args, key)
    try:
        model = load_lifter(args.model)  # strict: missing / unexpected / mis-shaped weights are refused
        lifter = pipeline("pose-lifting", model=model, device=device, **kwargs)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = lifter(args.input, **call)
        for w in caught:
            print(f"auglift lift: warning: {w.message}", file=sys.stderr)
        write_result(result, out_path)
        if args.plot:
            plot_skeletons(result["keypoints_3d"], args.plot, title=Path(args.input).name)
    except (ValueError, OSError) as err:
        print(f"auglift lift: error: {err}", file=sys.stderr)
        if isinstance(err, OSError) and not isinstance(err, FileNotFoundError) and not is_keypoints:
            print(
                "auglift lift: hint: the detector / pose / depth checkpoints must be downloadable or local folders "
                "(--detector, --pose-model, --depth-model; --depth-model none skips depth); a 2D keypoints JSON "
                "needs none of them",
                file=sys.stderr,
            )
        return exit_code(err)
    n = len(result["keypoints_3d"])
    print(f"lifted {n} frames ({', '.join(result['input_channels'])} -> 3D, {result['coordinates']}) to {out_path}")
    return 0
