"""Logic of the AugLift demo Space, importable without Gradio (the app in ``app.py`` only wires it to a UI).

Everything here works on bytes / arrays the app has already read from Gradio's upload folder; no function
takes a file path chosen by the user. Units: 2D in pixels, 3D in camera-frame millimetres (root-relative),
H36M-17 joint order.

Input contract (:mod:`auglift_hf.contract`): the extractor is built from the depth lifter's contract (its default
depth model, the metric Depth Anything V2, and its descriptor); a depth of another kind is refused. A keypoints
upload has no depth: the Space then feeds the depth lifter a flat depth as an explicit, recorded override (the
note under the plots says so). A keypoints upload without scores gives each c-lifter the confidence of its own
contract (``score_fill``, the median score of its training table; 1.0 for a folder saved without it), noted under
the plots and in the downloads' metadata. A temporal lifter is fed its contract's ``frame_rate`` (25 Hz for the
shipped lifters): a video, or a keypoints upload with ``fps``, of another rate is resampled to it and the 3D back
to the upload's frames (:mod:`auglift_hf.preprocess.frame_rate`; noted, and recorded in the downloads' metadata);
a keypoints upload without ``fps`` is lifted as given, with a note. Lifters run with flip test, as they were
evaluated.
"""

from __future__ import annotations

import functools
import io
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from auglift_hf.skeleton import H36M_BONES, H36M_JOINT_NAMES, H36M_LEFT_JOINTS, H36M_RIGHT_JOINTS, NUM_JOINTS

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MODELS = ("poseformer-xycd", "poseformer-xy")

# Upload limits (checked before anything is decoded).
MAX_JSON_BYTES = 5 * 1024 * 1024
MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGE_SIDE = 4096
MAX_VIDEO_BYTES = 50 * 1024 * 1024
MAX_VIDEO_SECONDS = 10.0
MAX_FRAMES = 600
MAX_VIDEO_FRAMES = 300
DISPLAY_SIDE = 640  # frames kept for display are downscaled to this longest side


class DemoError(ValueError):
    """A problem with the user's input, shown to the user as is."""


@dataclass
class LiftResult:
    """Everything the UI shows: 2D input, optional frames and depth maps, and 3D per model (mm)."""

    keypoints_2d: np.ndarray  # (F, 17, 2) px
    scores: np.ndarray | None  # (F, 17); None: the upload had no scores (each c-lifter gets its score_fill)
    image_size: tuple[int, int]  # (w, h)
    poses: dict[str, np.ndarray] = field(default_factory=dict)  # label -> (F, 17, 3) mm
    frames: list[np.ndarray] | None = None  # display frames (h, w, 3) uint8
    depth_maps: list[np.ndarray] | None = None  # colourised display depth maps (h, w, 3) uint8
    fps: float | None = None
    notes: list[str] = field(default_factory=list)
    presence: np.ndarray | None = None  # (F, 17) in [0, 1]: keypoint in the upload (1) or missing (0)
    score_fills: dict[str, float] = field(default_factory=dict)  # label -> confidence fed when scores is None
    frame_rates: dict[str, dict] = field(default_factory=dict)  # label -> frame_rate_resampling record (resampled)

    @property
    def num_frames(self) -> int:
        return int(self.keypoints_2d.shape[0])

    @property
    def display_scores(self) -> np.ndarray:
        """``(F, 17)`` for drawing: the scores, else the presence (1 = in the upload), else ones."""
        if self.scores is not None:
            return self.scores
        return self.presence if self.presence is not None else np.ones(self.keypoints_2d.shape[:2], np.float32)


# ----------------------------------------------------------------------------------------------- models
def model_specs() -> dict[str, str]:
    """Label -> folder or Hub id, from ``AUGLIFT_MODELS`` (comma-separated, ``label=path`` or ``path``).

    Default: the shipped ``checkpoints/poseformer-xycd`` and ``checkpoints/poseformer-xy`` when they exist,
    else the Hub ids ``auglift/poseformer-xycd`` and ``auglift/poseformer-xy``; plus every MotionBERT folder
    present in ``checkpoints/`` (``motionbert*`` with a ``config.json``, e.g. a converted official checkpoint).
    """
    raw = os.environ.get("AUGLIFT_MODELS", "").strip()
    specs: dict[str, str] = {}
    if raw:
        for item in (s.strip() for s in raw.split(",")):
            if item:
                label, _, path = item.rpartition("=") if "=" in item else ("", "", item)
                specs[label or Path(path).name] = path
        return specs
    for name in DEFAULT_MODELS:
        local = REPO_ROOT / "checkpoints" / name
        specs[name] = os.fspath(local) if local.is_dir() else f"auglift/{name}"
    for folder in sorted((REPO_ROOT / "checkpoints").glob("motionbert*")):
        if (folder / "config.json").is_file():
            specs[folder.name] = os.fspath(folder)
    return specs


@functools.lru_cache(maxsize=8)
def load_model(spec: str) -> tuple[Any, Any]:
    """(model in eval mode, PoseLiftingProcessor) for a folder or Hub id; cached."""
    from auglift_hf.models import load_lifter  # strict: mismatched weights are an error, not random init
    from auglift_hf.processing_lifting import PoseLiftingProcessor

    try:
        model = load_lifter(spec)
        processor = PoseLiftingProcessor.from_pretrained(spec)
    except (OSError, ValueError) as err:
        raise DemoError(f"model {spec!r} could not be loaded ({type(err).__name__}: {err})") from err
    return model, processor


def lift(
    spec: str,
    keypoints_2d: np.ndarray,
    scores: np.ndarray | None,
    image_size: tuple[int, int],
    depth=None,
    depth_kind: str | None = None,
    presence: np.ndarray | None = None,
    fps: float | None = None,
    resampled: dict | None = None,
):
    """Lift a (F, 17, 2) px sequence with one model (flip test) -> ((F, 17, 3) root-relative mm, note or None).

    ``depth_kind`` (``"metric"`` / ``"relative"``) of ``depth`` is checked against the model's input contract.
    ``scores=None`` (an upload without scores): a c-lifter gets its contract's ``score_fill`` times ``presence``
    ``(F, 17)`` (1 = keypoint in the upload, 0 = missing; default all 1), said in the note.
    ``fps``: the sequence's frame rate (Hz, ``None`` = unknown): a temporal lifter whose contract records another
    ``frame_rate`` is fed the sequence resampled to it and its 3D is resampled back (one pose per input frame),
    said in the note and stored in ``resampled`` (a dict, filled with the ``frame_rate_resampling`` record).
    """
    from auglift_hf.contract import check_contract, fill_scores
    from auglift_hf.preprocess.frame_rate import plan_frame_rate
    from auglift_hf.preprocess.pipeline import lift_keypoints

    model, processor = load_model(spec)
    channels = list(processor.input_channels)
    fill_note = None
    if scores is None:
        pres = np.ones(keypoints_2d.shape[:2], np.float32) if presence is None else presence
        scores, _, fill_note = fill_scores(processor, pres, Path(spec).name)
    depth_channels = [c for c in channels if c.startswith("d")]
    if getattr(processor, "scale_normalization", None) == "depth" and depth is None:
        raise DemoError(f"{Path(spec).name}: its dscale2d scale normalisation needs metric depth; none is available")
    contract = getattr(processor, "input_contract", None)
    note = None
    if depth_channels and depth is None:
        recorded = check_contract(
            contract, depth_kind=None, override=True, lifter=Path(spec).name, source="this upload (no images)"
        )
        k = 3 if "d_min" in channels or "d_max" in channels else 1
        # missing depth: the processor encodes NaN as MISSING_DEPTH_FILL, the no-depth input of depth dropout
        depth = np.full(keypoints_2d.shape[:2] + (k,), np.nan, dtype=np.float32)
        note = (
            f"{Path(spec).name}: no depth available, the XYCD model gets its no-depth input "
            "(flat depth; trained with depth dropout)"
        )
        if recorded:
            note += f" [{'; '.join(recorded)}]"
    elif depth_channels and depth_kind is not None:
        try:
            check_contract(contract, depth_kind=depth_kind, lifter=Path(spec).name, source="the Space's depth model")
        except ValueError as err:
            raise DemoError(str(err)) from err
    if fill_note:
        note = f"{note}; {fill_note}" if note else fill_note
    try:
        plan = plan_frame_rate(processor, fps, Path(spec).name, fps_hint="an `fps` entry in the keypoints file")
    except ValueError as err:
        raise DemoError(str(err)) from err
    record = plan.metadata(len(keypoints_2d))
    rate_note = plan.note
    if record is not None:
        rate_note = (
            f"{Path(spec).name} was trained at {plan.lifter_fps:g} Hz: the {plan.input_fps:g} fps input was lifted as "
            f"{record['lifted_frames']} frames at {plan.lifter_fps:g} Hz and its 3D resampled back to every input frame"
        )
        if resampled is not None:
            resampled.update(record)
    if rate_note:
        note = f"{note}; {rate_note}" if note else rate_note

    # the package's lifting loop (flip test, batches, MotionBERT's stitched clips) at the lifter's frame rate
    poses = lift_keypoints(
        model, processor, keypoints_2d, image_size, scores=scores, depth=depth, fps=plan.input_fps,
        frame_rate_warning=False,
    )  # fmt: skip
    if hasattr(model, "lift_sequence"):
        return processor.post_process(poses, image_size=image_size), note
    return processor.post_process(poses), note


# ----------------------------------------------------------------------------------------------- inputs
def parse_keypoints_bytes(data: bytes) -> tuple[Any, np.ndarray | None]:
    """Keypoints JSON bytes -> (H36M-17 KeypointSequence, optional depth (F, 17, k) metres)."""
    from auglift_hf.preprocess.io_keypoints import parse_keypoints

    if len(data) > MAX_JSON_BYTES:
        raise DemoError(f"keypoints file is {len(data) / 1e6:.1f} MB; the limit is {MAX_JSON_BYTES / 1e6:.0f} MB")
    try:
        obj = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise DemoError(f"the keypoints file is not valid JSON ({err})") from err
    try:
        seq = parse_keypoints(obj, path="uploaded keypoints")
    except (ValueError, KeyError, TypeError, IndexError) as err:
        raise DemoError(str(err)) from err
    if seq.keypoints.shape[0] > MAX_FRAMES:
        raise DemoError(f"the keypoints file has {seq.keypoints.shape[0]} frames; the limit is {MAX_FRAMES}")
    depth = None
    if isinstance(obj, dict) and obj.get("depth") is not None:
        depth = np.asarray(obj["depth"], dtype=np.float32)
        if depth.ndim == 2:
            depth = depth[..., None]
        if depth.shape[:2] != seq.keypoints.shape[:2]:
            raise DemoError(f"`depth` must have shape (frames, 17, k), got {depth.shape}")
    return seq, depth


def resolve_image_size(from_file: Any, width: float | None, height: float | None) -> tuple[int, int]:
    """``(width, height)`` pixels of a keypoints upload: the file's own size, else the one the user entered.

    Never guessed from the keypoints' extent (a guessed size moves every lifted joint: ~157 mm on a real clip).
    An entered size that contradicts the file's is refused.
    """
    given = [int(v) if v is not None and np.isfinite(v) else 0 for v in (width, height)]
    if any(v < 0 for v in given) or (given[0] > 0) != (given[1] > 0):
        raise DemoError(f"enter both the image width and height in pixels (got {given[0]} x {given[1]})")
    if from_file:
        size = (int(from_file[0]), int(from_file[1]))
        if given[0] and tuple(given) != size:
            raise DemoError(f"the entered image size {given[0]}x{given[1]} contradicts the file's {size[0]}x{size[1]}")
        return size
    if not given[0]:
        raise DemoError(
            "this keypoints file gives no image size: enter the image width and height (px) of the frames "
            "the keypoints were detected on"
        )
    from auglift_hf.preprocess.io_keypoints import check_image_size

    try:
        return check_image_size(given, "entered image size")  # the bounds `auglift lift` applies
    except ValueError as err:
        raise DemoError(str(err)) from None


def check_image_bytes(data: bytes) -> np.ndarray:
    """Image bytes -> (H, W, 3) uint8 RGB, refusing files or sizes over the limits."""
    from PIL import Image

    if len(data) > MAX_IMAGE_BYTES:
        raise DemoError(f"the image is {len(data) / 1e6:.1f} MB; the limit is {MAX_IMAGE_BYTES / 1e6:.0f} MB")
    try:
        with Image.open(io.BytesIO(data)) as im:
            if max(im.size) > MAX_IMAGE_SIDE:
                raise DemoError(f"the image is {im.size[0]}x{im.size[1]} px; the limit is {MAX_IMAGE_SIDE} px a side")
            from auglift_hf.preprocess._hf import load_image

            return load_image(im)  # upright (EXIF applied), as the user's viewer shows it
    except DemoError:
        raise
    except Exception as err:  # noqa: BLE001 - PIL raises many types for corrupt files
        raise DemoError(f"the image could not be decoded ({type(err).__name__})") from err


def read_video(path: str | os.PathLike) -> tuple[list[np.ndarray], float]:
    """Decode an uploaded video (already size-checked) -> (frames (H, W, 3) uint8, fps), enforcing limits."""
    from auglift_hf.preprocess.video import VideoReader

    try:
        reader = VideoReader(path)
    except (ValueError, FileNotFoundError) as err:
        raise DemoError(f"the video could not be decoded ({err})") from err
    seconds = len(reader) / float(reader.fps)
    if seconds > MAX_VIDEO_SECONDS or len(reader) > MAX_VIDEO_FRAMES:
        raise DemoError(
            f"the video is {seconds:.1f} s / {len(reader)} frames; the limit is {MAX_VIDEO_SECONDS:.0f} s and "
            f"{MAX_VIDEO_FRAMES} frames"
        )
    if max(reader.size) > MAX_IMAGE_SIDE:
        raise DemoError(f"the video is {reader.size[0]}x{reader.size[1]} px; the limit is {MAX_IMAGE_SIDE} px a side")
    frames, failed = [], []
    for f in reader.decode(0, len(reader) + reader.missing_frames):  # upright (rotation metadata applied)
        (frames if f.image is not None else failed).append(f.image if f.image is not None else f.index)
    if failed:  # never lift a shorter clip silently (a truncated upload)
        raise DemoError(
            f"{len(failed)} of {len(frames) + len(failed)} video frames cannot be decoded (frames {failed[:5]}"
            f"{' ...' if len(failed) > 5 else ''}; truncated or corrupt file?)"
        )
    return frames, float(reader.fps)


def depth_lifter_contract() -> tuple[str, Any]:
    """(label, input contract) of the first chosen model that takes depth; ``("", None)`` when none does."""
    for label, spec in model_specs().items():
        try:
            _, processor = load_model(spec)
        except DemoError:
            continue
        if processor.needs_depth:
            return label, processor.input_contract
    return "", None


@functools.lru_cache(maxsize=1)
def get_extractor() -> Any:
    """The detector -> VitPose -> Depth Anything extractor built from the depth lifter's input contract (its
    default depth model and descriptor), or a :class:`DemoError` saying why not."""
    from auglift_hf.preprocess import XYCDExtractor

    offline = os.environ.get("HF_HUB_OFFLINE", "").lower() in {"1", "true", "yes"}
    label, contract = depth_lifter_contract()
    try:
        return XYCDExtractor(
            contract=contract, lifter_name=label or "the lifter", multi_person=True,
            local_files_only=True if offline else None,
        )  # fmt: skip
    except Exception as err:  # noqa: BLE001 - any failure means: not available here
        raise DemoError(
            "The detector / 2D pose / depth checkpoints are not available here "
            f"({'offline, ' if offline else ''}{type(err).__name__}). Upload a 2D keypoints JSON instead."
        ) from err


def extract(frames: list[np.ndarray]) -> dict[str, Any]:
    """Run the extractor on frames -> one person across the frames (keypoints, scores, depth, depth maps).

    With several people the person is one track (``assign_tracks``: boxes matched over frames and re-entries), the
    one with the largest box area x frames, then most central (``choose_track``), as ``auglift lift`` does: a bystander crossing does not take over. Frames
    without that person take the nearest frame with it.
    """
    from auglift_hf.preprocess.pipeline import fill_invalid_depth, fill_invalid_frames
    from auglift_hf.preprocess.tracking import assign_tracks, choose_track

    extractor = get_extractor()
    try:
        out = extractor(frames, return_depth_maps=True)
    except Exception as err:  # noqa: BLE001
        raise DemoError(f"2D pose / depth extraction failed ({type(err).__name__}: {err})") from err
    rows = np.asarray(out["frame"])
    valid = np.asarray(out["valid"], bool)
    if not valid.any():
        raise DemoError("no person was detected")
    boxes = np.asarray(out["bbox"], np.float64)
    tracks = assign_tracks(rows, boxes, valid)
    h, w = np.asarray(frames[0]).shape[:2]
    track = choose_track(tracks, boxes, np.asarray(out["bbox_score"]), (w, h))
    keep = [int(np.flatnonzero(rows == i)[0]) for i in range(len(frames))]  # an (invalid) row per frame
    found = np.zeros(len(frames), bool)
    for r in np.flatnonzero(tracks == track):
        keep[int(rows[r])] = int(r)
        found[int(rows[r])] = True
    depth = None
    if np.asarray(out["depth"]).size:  # joints without valid depth: the frame's median (no relative depth cue)
        depth = fill_invalid_depth(np.asarray(out["depth"])[keep], np.asarray(out["depth_valid"])[keep])
    kp, sc = np.asarray(out["keypoints_2d"])[keep], np.asarray(out["keypoint_scores"])[keep]
    if depth is not None:
        kp, sc, depth = fill_invalid_frames(found, kp, sc, depth)
    else:
        kp, sc = fill_invalid_frames(found, kp, sc)
    return {
        "keypoints_2d": kp,
        "scores": sc,
        "depth": depth,
        "depth_kind": None if depth is None else extractor.depth_kind,
        "depth_maps": out.get("depth_maps"),
    }


def lift_all(
    result: LiftResult, specs: dict[str, str], labels: list[str], depth=None, depth_kind: str | None = None
) -> LiftResult:
    """Lift ``result``'s 2D with every chosen model label (unknown labels are an input error)."""
    if not labels:
        raise DemoError("choose at least one model")
    for label in labels:
        if label not in specs:
            raise DemoError(f"unknown model {label!r}; available: {', '.join(specs)}")
        resampled: dict = {}
        poses, note = lift(
            specs[label], result.keypoints_2d, result.scores, result.image_size, depth, depth_kind, result.presence,
            fps=result.fps, resampled=resampled,
        )  # fmt: skip
        if resampled:
            result.frame_rates[label] = resampled
        if result.scores is None:
            from auglift_hf.contract import score_fill_for

            value, _ = score_fill_for(load_model(specs[label])[1], label)
            if value is not None:
                result.score_fills[label] = value
        result.poses[label] = poses
        if note:
            result.notes.append(note)
    return result


# ----------------------------------------------------------------------------------------------- outputs
def _scale_to_display(image: np.ndarray) -> tuple[np.ndarray, float]:
    from PIL import Image

    h, w = image.shape[:2]
    s = min(1.0, DISPLAY_SIDE / max(h, w))
    if s < 1.0:
        image = np.asarray(Image.fromarray(image).resize((round(w * s), round(h * s))))
    return image, s


def draw_skeleton(
    image: np.ndarray | None, keypoints: np.ndarray, scores: np.ndarray, image_size: tuple[int, int]
) -> np.ndarray:
    """Draw the H36M-17 skeleton (left blue, right red, centre green) on a frame or a blank canvas."""
    from PIL import Image, ImageDraw

    if image is None:
        w, h = image_size
        s = min(1.0, DISPLAY_SIDE / max(w, h))
        canvas = Image.new("RGB", (max(round(w * s), 1), max(round(h * s), 1)), (245, 245, 245))
    else:
        canvas = Image.fromarray(image).convert("RGB")
        s = canvas.size[0] / image_size[0]
    draw = ImageDraw.Draw(canvas)
    pts = keypoints * s
    width = max(2, round(max(canvas.size) / 200))
    for child, parent in H36M_BONES:
        color = (
            (40, 90, 220)
            if child in H36M_LEFT_JOINTS
            else (220, 50, 50)
            if child in H36M_RIGHT_JOINTS
            else (30, 160, 60)
        )
        draw.line([tuple(pts[parent]), tuple(pts[child])], fill=color, width=width)
    for j in range(NUM_JOINTS):
        r = width + 1
        shade = int(255 * (1 - float(np.clip(scores[j], 0, 1))))
        draw.ellipse([pts[j, 0] - r, pts[j, 1] - r, pts[j, 0] + r, pts[j, 1] + r], fill=(shade, shade, shade))
    return np.asarray(canvas)


def depth_to_image(depth: np.ndarray) -> np.ndarray:
    """Colourise a depth map (near = bright) -> (h, w, 3) uint8."""
    from matplotlib import colormaps

    d = np.asarray(depth, dtype=np.float64)
    finite = np.isfinite(d)
    if not finite.any():
        return np.zeros(d.shape + (3,), dtype=np.uint8)
    lo, hi = np.percentile(d[finite], [2, 98])
    norm = np.clip((d - lo) / max(hi - lo, 1e-6), 0, 1)
    norm[~finite] = 1
    return (colormaps["magma"](1 - norm)[..., :3] * 255).astype(np.uint8)


def skeleton_figure(pose_mm: np.ndarray, title: str) -> Any:
    """Interactive 3D skeleton (plotly) of one (17, 3) mm pose; camera axes shown upright (-y up)."""
    import plotly.graph_objects as go

    p = np.asarray(pose_mm, dtype=np.float64)
    x, y, z = p[:, 0], p[:, 2], -p[:, 1]  # plot: x right, depth into the screen, up
    fig = go.Figure()
    for group, color, joints in (
        ("left", "#2f5bd9", set(H36M_LEFT_JOINTS)),
        ("right", "#d93333", set(H36M_RIGHT_JOINTS)),
        ("centre", "#2a9d4b", set(range(NUM_JOINTS)) - set(H36M_LEFT_JOINTS) - set(H36M_RIGHT_JOINTS)),
    ):
        xs, ys, zs = [], [], []
        for child, parent in H36M_BONES:
            if child in joints:
                xs += [x[parent], x[child], None]
                ys += [y[parent], y[child], None]
                zs += [z[parent], z[child], None]
        fig.add_trace(go.Scatter3d(x=xs, y=ys, z=zs, mode="lines", line={"color": color, "width": 6}, name=group))
    fig.add_trace(
        go.Scatter3d(
            x=x, y=y, z=z, mode="markers", marker={"size": 3, "color": "#222"}, text=list(H36M_JOINT_NAMES),
            hoverinfo="text", name="joints",
        )
    )  # fmt: skip
    r = max(float(np.abs(p).max()), 1.0) * 1.1
    axis = {"range": [-r, r], "showbackground": False}
    fig.update_layout(
        title={"text": title, "x": 0.5},
        scene={
            "xaxis": {**axis, "title": "x (mm)"},
            "yaxis": {**axis, "title": "depth (mm)"},
            "zaxis": {**axis, "title": "up (mm)"},
            "aspectmode": "cube",
            "camera": {"eye": {"x": 0.1, "y": -2.0, "z": 0.4}},
        },
        margin={"l": 0, "r": 0, "t": 40, "b": 0},
        height=420,
        showlegend=False,
    )
    return fig


def frame_views(result: LiftResult, index: int) -> tuple[np.ndarray, np.ndarray | None, dict[str, Any]]:
    """(2D overlay, depth image or None, label -> plotly figure) for frame ``index`` (clamped)."""
    i = int(np.clip(index, 0, result.num_frames - 1))
    frame = result.frames[i] if result.frames else None
    overlay = draw_skeleton(frame, result.keypoints_2d[i], result.display_scores[i], result.image_size)
    depth = result.depth_maps[i] if result.depth_maps else None
    figures = {label: skeleton_figure(p[i], f"{label} - frame {i}") for label, p in result.poses.items()}
    return overlay, depth, figures


def write_downloads(result: LiftResult, out_dir: str | os.PathLike | None = None) -> list[str]:
    """Write JSON / NPZ / BVH per model into a fresh temporary folder -> file paths."""
    from auglift_hf.export import save_motion_json, save_motion_npz, write_bvh

    out = Path(out_dir or tempfile.mkdtemp(prefix="auglift-demo-"))
    files = []
    for label, poses in result.poses.items():
        scores = result.scores
        kw = {"keypoints_2d": result.keypoints_2d, "fps": result.fps}
        kw["metadata"] = {"model": label, "image_size": list(result.image_size)}
        if label in result.frame_rates:  # fed at the lifter's frame rate, 3D resampled back to the input frames
            kw["metadata"]["frame_rate_resampling"] = result.frame_rates[label]
        if scores is None and label in result.score_fills:  # the confidence this model was fed
            pres = result.presence if result.presence is not None else np.ones(result.keypoints_2d.shape[:2])
            scores = (result.score_fills[label] * np.asarray(pres, np.float32)).astype(np.float32)
            kw["metadata"].update(scores_given=False, score_fill=result.score_fills[label])
        elif scores is None:
            kw["metadata"]["scores_given"] = False
        kw["scores"] = scores
        files.append(save_motion_json(out / f"{label}.json", poses, **kw))
        files.append(save_motion_npz(out / f"{label}.npz", poses, **kw))
        files.append(write_bvh(out / f"{label}.bvh", poses, fps=result.fps or 30.0))
    return files


def display_frames(frames: list[np.ndarray]) -> tuple[list[np.ndarray], float]:
    """Downscale frames for display -> (frames, scale)."""
    scaled = [_scale_to_display(f) for f in frames]
    return [f for f, _ in scaled], scaled[0][1] if scaled else 1.0
