"""AugLift demo Space: 2D keypoints (uploaded, or from an image / short video) -> 3D with XY and XYCD lifters.

Run locally with ``python spaces/auglift-demo/app.py``. Models come from ``AUGLIFT_MODELS`` (comma-separated
``label=folder-or-hub-id``), by default the shipped ``checkpoints/poseformer-xycd`` and ``poseformer-xy``.
Uploads are only read from Gradio's upload folder, after their size is checked.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import gradio as gr

sys.path.insert(0, str(Path(__file__).resolve().parent))

import demo_logic as logic  # noqa: E402

SPECS = logic.model_specs()
LABELS = list(SPECS)


def _upload_root() -> Path:
    from gradio.utils import get_upload_folder

    return Path(get_upload_folder()).resolve()


def _read_upload(path: str | None, limit: int, what: str) -> bytes:
    """Bytes of a file Gradio stored in its upload folder; anything else is refused."""
    if not path:
        raise logic.DemoError(f"no {what} was uploaded")
    resolved = Path(path).resolve()
    if not resolved.is_relative_to(_upload_root()):
        raise logic.DemoError(f"refusing to read {what}: not an uploaded file")
    size = resolved.stat().st_size
    if size > limit:
        raise logic.DemoError(f"the {what} is {size / 1e6:.1f} MB; the limit is {limit / 1e6:.0f} MB")
    return resolved.read_bytes()


def _models(left: str | None, right: str | None) -> list[str]:
    return [m for i, m in enumerate([left, right]) if m and m not in [left, right][:i]]


def _outputs(result: logic.LiftResult | None, status: str) -> tuple[Any, ...]:
    """status, overlay, depth, left plot, right plot, files, slider, state."""
    if result is None:
        return status, None, None, None, None, None, gr.Slider(maximum=1, value=0), None
    overlay, depth, figures = logic.frame_views(result, 0)
    plots = list(figures.values()) + [None, None]
    files = logic.write_downloads(result)
    notes = "".join(f"\n- {n}" for n in result.notes)
    text = f"{status}{notes}"
    slider = gr.Slider(minimum=0, maximum=max(result.num_frames - 1, 1), value=0, step=1)
    return text, overlay, depth, plots[0], plots[1], files, slider, result


def resolve_fps(recorded: float | None, given: float | None) -> float | None:
    """The keypoints' frame rate: the file's ``fps``, else the Frame rate box (0 / empty = unknown). A box value
    that contradicts the file (more than 1 % apart) is an error, never silently preferred."""
    import math

    if given is None or given == 0:
        return recorded
    if not (math.isfinite(given) and given > 0):
        raise logic.DemoError(f"the frame rate must be a positive number of frames per second, got {given:g}")
    if recorded and abs(given - recorded) > 0.01 * recorded:
        raise logic.DemoError(
            f"the file records fps = {recorded:g} but the Frame rate box says {given:g}; set it to 0"
        )
    return float(given)


def lift_keypoints(
    file: str | None,
    left: str,
    right: str,
    width: float | None = 0,
    height: float | None = 0,
    fps: float | None = 0,
) -> tuple[Any, ...]:
    """Uploaded 2D keypoints JSON -> 3D with the chosen models.

    The image size comes from the file, else from ``width`` x ``height`` (pixels; 0 = not given): it is never
    guessed from the keypoints, because a wrong size moves every lifted joint. The frame rate comes from the file's
    ``fps``, else from ``fps`` (the Frame rate box; 0 = unknown: lifted as given, with a note).
    """
    try:
        seq, depth = logic.parse_keypoints_bytes(_read_upload(file, logic.MAX_JSON_BYTES, "keypoints file"))
        size = logic.resolve_image_size(seq.image_size, width, height)
        rate = resolve_fps(seq.fps, fps)
        result = logic.LiftResult(seq.keypoints, seq.scores, size, fps=rate, presence=seq.presence)
        logic.lift_all(result, SPECS, _models(left, right), depth)
    except logic.DemoError as err:
        return _outputs(None, f"**Error:** {err}")
    return _outputs(result, f"Lifted {result.num_frames} frame(s) ({seq.source_format or 'keypoints'}).")


def _lift_frames(frames: list, fps: float | None, left: str, right: str) -> tuple[Any, ...]:
    found = logic.extract(frames)
    h, w = frames[0].shape[:2]
    shown, _ = logic.display_frames(frames)
    depth_maps = None
    if found.get("depth_maps"):
        depth_maps, _ = logic.display_frames([logic.depth_to_image(d) for d in found["depth_maps"]])
    result = logic.LiftResult(found["keypoints_2d"], found["scores"], (w, h), frames=shown, depth_maps=depth_maps)
    result.fps = fps
    return logic.lift_all(result, SPECS, _models(left, right), found["depth"], found.get("depth_kind"))


def lift_image(file: str | None, left: str, right: str) -> tuple[Any, ...]:
    """Uploaded image -> detector -> 2D pose -> depth -> 3D."""
    try:
        image = logic.check_image_bytes(_read_upload(file, logic.MAX_IMAGE_BYTES, "image"))
        result = _lift_frames([image], None, left, right)
    except logic.DemoError as err:
        return _outputs(None, f"**Error:** {err}")
    return _outputs(result, "Lifted the image.")


def lift_video(file: str | None, left: str, right: str) -> tuple[Any, ...]:
    """Uploaded short video -> per-frame 2D pose and depth -> 3D."""
    try:
        _read_upload(file, logic.MAX_VIDEO_BYTES, "video")  # size and location check
        frames, fps = logic.read_video(Path(file).resolve())
        result = _lift_frames(frames, fps, left, right)
    except logic.DemoError as err:
        return _outputs(None, f"**Error:** {err}")
    return _outputs(result, f"Lifted {result.num_frames} frames at {fps:.1f} fps.")


def show_frame(result: logic.LiftResult | None, index: float) -> tuple[Any, ...]:
    """Frame slider: overlay, depth and both 3D plots of one frame."""
    if result is None:
        return None, None, None, None
    overlay, depth, figures = logic.frame_views(result, int(index))
    plots = list(figures.values()) + [None, None]
    return overlay, depth, plots[0], plots[1]


with gr.Blocks(title="AugLift: depth-augmented 3D pose lifting") as demo:
    gr.Markdown(
        "# AugLift: depth-augmented 3D human pose lifting\n"
        "Lift 2D keypoints to 3D with a plain **XY** lifter and a depth-augmented **XYCD** lifter, side by side "
        "([paper](https://arxiv.org/abs/2508.07112)). Upload a 2D keypoints JSON (AlphaPose / COCO results or "
        "`auglift lift` output), or an image / short video (needs the detector, VitPose and Depth Anything "
        f"checkpoints). Limits: JSON {logic.MAX_JSON_BYTES // 2**20} MB and {logic.MAX_FRAMES} frames; image "
        f"{logic.MAX_IMAGE_BYTES // 2**20} MB and {logic.MAX_IMAGE_SIDE} px; video {logic.MAX_VIDEO_BYTES // 2**20} "
        f"MB, {logic.MAX_VIDEO_SECONDS:.0f} s."
    )
    with gr.Row():
        left_model = gr.Dropdown(LABELS, value=LABELS[0] if LABELS else None, label="Left model")
        right_model = gr.Dropdown(LABELS, value=LABELS[1] if len(LABELS) > 1 else None, label="Right model")
    with gr.Tabs():
        with gr.Tab("2D keypoints JSON"):
            keypoints_file = gr.File(label="Keypoints JSON", file_types=[".json"], type="filepath")
            with gr.Row():
                image_width = gr.Number(0, label="Image width (px)", precision=0, minimum=0)
                image_height = gr.Number(0, label="Image height (px)", precision=0, minimum=0)
                frame_rate = gr.Number(0, label="Frame rate (fps)", minimum=0)
            gr.Markdown(
                "The size of the frames the keypoints were detected on, and their frame rate (0 = taken from the "
                "file; a rate in neither is lifted as given, with a note)."
            )
            keypoints_button = gr.Button("Lift keypoints", variant="primary")
        with gr.Tab("Image"):
            image_file = gr.Image(label="Image", type="filepath", sources=["upload"])
            image_button = gr.Button("Lift image", variant="primary")
        with gr.Tab("Video"):
            video_file = gr.Video(label="Short video", sources=["upload"])
            video_button = gr.Button("Lift video", variant="primary")
    status = gr.Markdown("Upload an input and press *Lift*.", elem_id="status")
    frame = gr.Slider(0, 1, value=0, step=1, label="Frame")
    with gr.Row():
        overlay = gr.Image(label="2D skeleton", interactive=False)
        depth_view = gr.Image(label="Depth map", interactive=False)
    with gr.Row():
        left_plot = gr.Plot(label="Left model (3D, mm)", elem_id="left-plot")
        right_plot = gr.Plot(label="Right model (3D, mm)", elem_id="right-plot")
    downloads = gr.File(label="Downloads (JSON, NPZ, BVH per model)", file_count="multiple", interactive=False)
    state = gr.State(None)

    outputs = [status, overlay, depth_view, left_plot, right_plot, downloads, frame, state]
    inputs = [left_model, right_model]
    keypoints_button.click(
        lift_keypoints,
        [keypoints_file, *inputs, image_width, image_height, frame_rate],
        outputs,
        api_name="lift_keypoints",
    )
    image_button.click(lift_image, [image_file, *inputs], outputs, api_name="lift_image")
    video_button.click(lift_video, [video_file, *inputs], outputs, api_name="lift_video")
    frame.release(show_frame, [state, frame], [overlay, depth_view, left_plot, right_plot], api_name="show_frame")


if __name__ == "__main__":
    demo.launch(server_name=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"))
