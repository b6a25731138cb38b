"""Reading 2D keypoint files for lifting without the detector stage.

Accepted JSON layouts:

* **AlphaPose / COCO results**: a list of per-detection entries ``{"image_id": "12.jpg" | 12, "keypoints":
  [x0, y0, s0, x1, y1, s1, ...], "score": float, "idx"?: track}``. The first 17 triples are COCO-17 (Halpe-26
  and COCO-WholeBody put COCO-17 first; the rest is ignored). Entries are grouped by ``image_id`` (numeric
  order when ids are numbers or ``"<number>.<ext>"``); with several people in a frame the best ``score``
  (or the given ``track``) is kept. Frames between the first and last id without a detection are filled by
  linear interpolation and get score 0.
* **The project's own format** (what ``auglift lift`` writes): ``{"keypoints_2d": (F, 17, 2) px,
  "scores"?: (F, 17), "joint_format"?: "h36m" | "coco", "image_size"?: [w, h], "fps"?: float}``; ``scores``
  may also be ``keypoint_scores``. Also a COCO-style object with ``{"annotations": [...]}`` (COCO keypoints).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from pathlib import Path
from typing import Any

import numpy as np

from ..skeleton import NUM_JOINTS, coco_to_h36m


@dataclasses.dataclass
class KeypointSequence:
    """A 2D sequence in H36M-17: ``keypoints (F, 17, 2)`` px, ``scores (F, 17)`` in [0, 1], ``frame_index (F,)``;
    ``image_size`` ``(w, h)`` when the file says so (else ``None``), ``source_format`` for messages."""

    keypoints: np.ndarray
    scores: np.ndarray
    frame_index: np.ndarray
    image_size: tuple[int, int] | None = None
    fps: float | None = None
    source_format: str = ""


def _frame_number(image_id: Any, fallback: int) -> int:
    if isinstance(image_id, (int, np.integer)):
        return int(image_id)
    m = re.search(r"(\d+)(?=\.[A-Za-z0-9]+$|$)", str(image_id))
    return int(m.group(1)) if m else fallback


def _interpolate_gaps(frames: np.ndarray, kp: np.ndarray, sc: np.ndarray) -> tuple[np.ndarray, ...]:
    full = np.arange(frames.min(), frames.max() + 1)
    if len(full) == len(frames):
        return frames, kp, sc
    flat = kp.reshape(len(frames), -1)
    filled = np.stack([np.interp(full, frames, flat[:, i]) for i in range(flat.shape[1])], 1)
    scores = np.zeros((len(full), NUM_JOINTS), np.float32)
    scores[np.searchsorted(full, frames)] = sc
    return full, filled.reshape(len(full), NUM_JOINTS, 2).astype(np.float32), scores


def _from_entries(entries: list[dict[str, Any]], path: str, track: int | None) -> KeypointSequence:
    best: dict[int, tuple[float, np.ndarray]] = {}
    for n, e in enumerate(entries):
        if not isinstance(e, dict) or "keypoints" not in e:
            raise ValueError(f"{path}: entry {n} has no `keypoints` (AlphaPose/COCO results layout expected)")
        flat = np.asarray(e["keypoints"], dtype=np.float32).reshape(-1)
        if flat.size % 3 or flat.size < 3 * NUM_JOINTS:
            raise ValueError(
                f"{path}: entry {n} `keypoints` must hold >= 17 (x, y, score) triples, got {flat.size} values"
            )
        if track is not None:
            idx = e.get("idx", e.get("track_id"))
            idx = int(np.asarray(idx).reshape(-1)[0]) if idx is not None else None
            if idx != track:
                continue
        frame = _frame_number(e.get("image_id", n), n)
        score = float(e.get("score", flat.reshape(-1, 3)[:NUM_JOINTS, 2].mean()))
        if frame not in best or score > best[frame][0]:
            best[frame] = (score, flat.reshape(-1, 3)[:NUM_JOINTS])
    if not best:
        raise ValueError(f"{path}: no detections" + (f" with track {track}" if track is not None else ""))
    frames = np.array(sorted(best))
    coco = np.stack([best[f][1] for f in frames]).astype(np.float32)
    coco = np.nan_to_num(coco)
    h36m = coco_to_h36m(coco, confidence_channel=2)
    frames, kp, sc = _interpolate_gaps(frames, h36m[..., :2], np.clip(h36m[..., 2], 0, 1))
    return KeypointSequence(kp, sc, frames, source_format="alphapose/coco results")


def _numeric(value: Any, field: str, path: str) -> np.ndarray:
    try:
        return np.asarray(value, dtype=np.float32)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{path}: `{field}` must be an array of numbers ({err})") from err


def _from_own(obj: dict[str, Any], path: str) -> KeypointSequence:
    kp = _numeric(obj["keypoints_2d"], "keypoints_2d", path)
    if kp.ndim == 2:
        kp = kp[None]
    if kp.ndim != 3 or kp.shape[1] != NUM_JOINTS or kp.shape[2] not in (2, 3):
        raise ValueError(f"{path}: `keypoints_2d` must have shape (frames, 17, 2), got {kp.shape}")
    scores = obj.get("scores", obj.get("keypoint_scores"))
    if scores is None:
        sc = kp[..., 2] if kp.shape[2] == 3 else np.ones(kp.shape[:2], np.float32)
    else:
        sc = _numeric(scores, "scores", path)
        if sc.shape != kp.shape[:2]:
            raise ValueError(
                f"{path}: `scores` must have shape {kp.shape[:2]} (frames, 17) like `keypoints_2d`, got {sc.shape}"
            )
    kp = kp[..., :2]
    fmt = str(obj.get("joint_format", "h36m")).lower()
    if fmt in ("coco", "coco17", "coco-17"):
        h = coco_to_h36m(np.concatenate([kp, sc[..., None]], -1), confidence_channel=2)
        kp, sc = h[..., :2], h[..., 2]
    elif fmt not in ("h36m", "h36m17", "h36m-17"):
        raise ValueError(f"{path}: `joint_format` must be 'h36m' or 'coco', got {fmt!r}")
    size = obj.get("image_size")
    frames = np.asarray(obj.get("frame_index", np.arange(len(kp))), dtype=np.int64).reshape(-1)
    if frames.shape != (len(kp),):
        raise ValueError(f"{path}: `frame_index` must have {len(kp)} entries, got {frames.shape}")
    return KeypointSequence(
        np.nan_to_num(kp).astype(np.float32), np.clip(np.nan_to_num(sc), 0, 1).astype(np.float32), frames,
        tuple(int(v) for v in size) if size is not None else None, obj.get("fps"), "auglift keypoints json",
    )  # fmt: skip


def parse_keypoints(obj: Any, path: str = "<keypoints>", track: int | None = None) -> KeypointSequence:
    """Parse an already-loaded JSON object (see the module docstring for the layouts)."""
    if isinstance(obj, list):
        if not obj:
            raise ValueError(f"{path}: empty keypoints list")
        return _from_entries(obj, path, track)
    if isinstance(obj, dict):
        if "keypoints_2d" in obj:
            return _from_own(obj, path)
        if "annotations" in obj:
            return _from_entries(obj["annotations"], path, track)
    raise ValueError(
        f"{path}: unrecognised keypoints JSON (expected a list of AlphaPose/COCO entries with `keypoints`, or an "
        f"object with `keypoints_2d`), got {type(obj).__name__}"
    )


def read_keypoints_json(path: str | os.PathLike, track: int | None = None) -> KeypointSequence:
    """Read a keypoints JSON file into an H36M-17 :class:`KeypointSequence` (errors name the file)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"keypoints file not found: {path}")
    try:
        obj = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"{path}: not valid JSON ({err})") from err
    return parse_keypoints(obj, os.fspath(path), track)
