"""``auglift lift <image | video | keypoints.json> --model <id or folder> --out <file.json | file.npz> [--plot PNG]``.

Runs the ``"pose-lifting"`` pipeline with flip test (``--no-flip-test`` switches it off). The lifter folder's
input contract (:mod:`auglift_hf.contract`) picks the depth model and descriptor; conflicting choices are refused
unless ``--override-contract`` (recorded in the output's ``contract_deviations``). A keypoints JSON (AlphaPose/COCO
results, or this command's own output) skips the detector and 2D pose stages; without images there is no depth, so
a depth-channel lifter refuses it (use an XY / XYC model, lift the video instead, or ``--override-contract`` to feed
missing depth: NaN, encoded as ``MISSING_DEPTH_FILL``, what lifters trained with depth dropout saw for no depth).

Output (JSON or NPZ, same keys; strict JSON, never NaN / Infinity): ``keypoints_3d`` (frames x 17 x 3,
millimetres, camera axes, root-relative unless intrinsics and metric depth were given), ``keypoints_2d`` (frames x
17 x 2 pixels, H36M-17), ``scores``, ``joint_names``, ``frame_index``, ``valid`` (a detection of the lifted person),
``scores_given`` (False: the input had no detector scores; a c-lifter was then fed ``score_fill``, the
confidence of its input contract, recorded in the output and ``scores`` = what was fed), ``interpolated`` (frame
not measured: a missing frame number of a keypoints JSON, or a variable-frame-rate video
resampled to a constant rate, see ``resampling``), ``decode_failed`` (video frame that could not be decoded),
``missing_keypoints`` (frames x 17: non-finite / absent / far outside the image, filled), ``timestamps`` (seconds,
video), ``track`` (the lifted person's track id), ``image_size``, ``input_channels``, ``coordinates`` and, with
depth, ``depth`` (frames x 17 x k). ``--person all`` writes ``{"tracks": [...]}`` (NPZ: keys ``track<N>/<key>``).

Frame rate: a temporal lifter is fed sequences at its contract's ``frame_rate`` (25 Hz for the shipped lifters).
A video (its timestamps) or a keypoints JSON with ``fps`` of another rate is resampled to it and the 3D back to
the input's frames (one pose per input frame; ``frame_rate_resampling`` in the output records the input and lifter
rates); ``--fps`` states the rate of a keypoints JSON without ``fps`` (else it is lifted as given, with a warning).

The image size of a keypoints JSON is never guessed: it comes from ``--image-size W H``, from the file, or from
the video / image with exactly the JSON's stem next to it; otherwise ``lift`` stops and asks for ``--image-size``.
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
                        help="frame size of a keypoints JSON; required unless the file gives one or a video/image "
                             "with exactly the JSON's stem lies next to it (never guessed)")  # fmt: skip
    parser.add_argument("--person", default=None,
                        help="who to lift: 'auto' (default: the track with the largest box area x frames, then the most "
                             "central; tracks follow a person who leaves and comes back), a track id, or 'all' (one "
                             "result per track)")  # fmt: skip
    parser.add_argument("--track", type=int, default=None, help="older name of --person <track id>")
    parser.add_argument("--keypoint-format", default=None,
                        help="skeleton of a keypoints JSON when it does not declare one: coco17, h36m17, halpe26, "
                             "halpe136, coco_wholebody133, openpose_body25, openpose_coco18, blazepose33")  # fmt: skip
    parser.add_argument("--max-gap", type=int, default=None,
                        help="interpolate up to this many missing frames in a row in a keypoints JSON (default 10; "
                             "interpolated frames are flagged)")  # fmt: skip
    parser.add_argument(
        "--max-frames", type=int, default=None, help="lift at most the first N frames (video or keypoints JSON)"
    )
    parser.add_argument("--fps", type=float, default=None,
                        help="frame rate (Hz) of a keypoints JSON that does not record one: the sequence is resampled "
                             "to the lifter's training frame rate and its 3D back to the input frames")  # fmt: skip
    parser.add_argument("--focal-length", type=float, nargs=2, default=None, metavar=("FX", "FY"),
                        help="pixels; with --principal-point and a metric depth model: absolute camera-frame output")  # fmt: skip
    parser.add_argument("--principal-point", type=float, nargs=2, default=None, metavar=("CX", "CY"))
    parser.add_argument("--batch-size", type=int, default=8, help="frames per detector/pose/depth forward pass")
    parser.add_argument("--no-flip-test", action="store_true",
                        help="switch off the lifter's flip test (default: on, average with the mirrored input)")  # fmt: skip
    add_backend_arguments(parser)


def check_finite(result: Any, where: str = "output") -> None:
    """Refuse to write a result holding NaN or infinity (outputs are strict JSON / finite arrays)."""
    items = result.items() if isinstance(result, dict) else enumerate(result)
    for key, value in items:
        if isinstance(value, (dict, list)) and key != "joint_names":
            check_finite(value, f"{where}.{key}")
        elif isinstance(value, np.ndarray) and value.dtype.kind == "f" and not np.isfinite(value).all():
            raise ValueError(
                f"{where}.{key} holds {int((~np.isfinite(value)).sum())} non-finite values; nothing written"
            )
        elif isinstance(value, float) and not np.isfinite(value):
            raise ValueError(f"{where}.{key} is {value}; nothing written")


def to_serialisable(result: Any) -> dict[str, Any]:
    """Pipeline output -> JSON-ready dict (lists, rounded to 0.01 mm / px); a list of results (``--person all``)
    becomes ``{"tracks": [...]}``."""
    if isinstance(result, list):
        return {"tracks": [to_serialisable(r) for r in result]}
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
    depth_unit = {"metric": "m", "relative": "relative disparity (larger = nearer)"}.get(
        result.get("depth_kind"), "none"
    )
    out["units"] = {"keypoints_3d": "mm", "keypoints_2d": "px", "depth": depth_unit}
    return out


def write_result(result: dict[str, Any], path: str | Path) -> None:
    """Write a pipeline result as ``.json`` or ``.npz`` atomically."""
    from ..utils.io import atomic_write_file

    path = Path(path)
    suffix = path.suffix.lower()
    check_finite(result)
    if suffix == ".json":
        text = json.dumps(to_serialisable(result), allow_nan=False)  # strict JSON: never NaN / Infinity
        with atomic_write_file(path, "w") as fh:
            fh.write(text)
    elif suffix == ".npz":
        arrays = {}
        results = result if isinstance(result, list) else [result]
        for res in results:
            prefix = f"track{res.get('track')}/" if isinstance(result, list) else ""
            for k, v in res.items():
                if v is None:
                    continue
                if isinstance(v, dict) or k == "contract_deviations":
                    arrays[prefix + k] = np.array(json.dumps(v, allow_nan=False))  # JSON text: no allow_pickle
                else:
                    arrays[prefix + k] = np.asarray(v) if not isinstance(v, str) else np.array(v)
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
    from .cli import depth_params_from_args

    if args.plot:
        try:
            plot_format(args.plot)
        except ValueError as err:
            print(f"auglift lift: error: {err}", file=sys.stderr)
            return 2
    is_keypoints = Path(args.input).suffix.lower() == ".json"
    kwargs: dict[str, Any] = {
        "frame_batch_size": args.batch_size,
        "flip_test": not args.no_flip_test,
        "override_contract": args.override_contract,
    }
    if not is_keypoints:
        kwargs.update(
            detector=None if args.detector in ("full-image", "none") else args.detector,
            pose_estimator=args.pose_model,
            depth_estimator=None if args.depth_model == "none" else args.depth_model,
            depth_mode=args.depth_mode,
            depth_params=depth_params_from_args(args),
            detector_threshold=args.detector_threshold,
            backend_dtype=args.dtype,
            pose_flip_test=args.pose_flip_test,
        )
    device = None if args.device == "auto" else args.device
    call: dict[str, Any] = {}
    for key in ("image_size", "track", "person", "max_frames", "focal_length", "principal_point", "keypoint_format",
                "max_gap"):  # fmt: skip
        if getattr(args, key, None) is not None:
            call[key] = getattr(args, key)
    if args.max_gap is not None and args.max_gap < 0:
        print(f"auglift lift: error: --max-gap must be >= 0, got {args.max_gap}", file=sys.stderr)
        return 2
    fps = getattr(args, "fps", None)
    if fps is not None and not (np.isfinite(fps) and fps > 0):
        print(f"auglift lift: error: --fps must be a finite frame rate > 0 (Hz), got {fps:g}", file=sys.stderr)
        return 2
    if fps is not None:
        call["fps"] = float(fps)
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
            first = result[0] if isinstance(result, list) else result
            plot_skeletons(first["keypoints_3d"], args.plot, title=Path(args.input).name)
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
    results = result if isinstance(result, list) else [result]
    n = len(results[0]["keypoints_3d"])
    who = f"{len(results)} tracks, " if isinstance(result, list) else ""
    rate = results[0].get("frame_rate_resampling")
    via = f", via {rate['lifted_frames']} frames at the lifter's {rate['lifter_fps']:g} Hz" if rate else ""
    print(
        f"lifted {who}{n} frames ({', '.join(results[0]['input_channels'])} -> 3D, {results[0]['coordinates']}"
        f"{via}) to {out_path}"
    )
    return 0
