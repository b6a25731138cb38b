"""Track ids for multi-person output, and the choice of the person to lift across a video.

:func:`assign_tracks` matches person boxes between frames greedily by IoU with each track's **predicted** box
(constant velocity from its last two boxes, as SORT's motion model without the Kalman filter: Bewley et al.,
ICIP 2016), and keeps a track alive for ``max_age`` frames without a match, so a bystander crossing in front of
the person (boxes overlapping for a few frames, one of them possibly undetected) does not take over the track.
Run once over a merged sequence (not per shard), so ids do not depend on how frames were split between
shards, resumed runs or processes.

:func:`choose_track` picks the person to lift: the track seen in the most frames, ties broken by the most
central mean box, then the higher mean detection score.
"""

from __future__ import annotations

import numpy as np

from .detector import box_iou

#: Frames a track survives without a match (0.2-0.4 s at 25-50 fps: a short full occlusion by a bystander).
MAX_AGE = 10


def assign_tracks(
    frame_index: np.ndarray,
    boxes: np.ndarray,
    valid: np.ndarray,
    iou_threshold: float = 0.3,
    max_age: int = MAX_AGE,
) -> np.ndarray:
    """Track id per row of one sequence (``-1`` for invalid rows).

    Args:
        frame_index: ``(R,)`` frame of each row (rows of one frame are contiguous, frames ascending).
        boxes: ``(R, 4)`` xyxy pixels.
        valid: ``(R,)`` rows that hold a person.
        iou_threshold: minimum IoU between a box and a track's predicted box to continue the track (greedy,
            best IoU first; each track and each box used once per frame).
        max_age: frames a track may go unmatched and still be continued (its box extrapolated at constant
            velocity meanwhile).
    """
    frame_index = np.asarray(frame_index)
    boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
    valid = np.asarray(valid, bool)
    tracks = np.full(len(frame_index), -1, np.int32)
    last_box: list[np.ndarray] = []
    velocity: list[np.ndarray] = []
    last_frame: list[int] = []
    for f in np.unique(frame_index):
        rows = np.flatnonzero((frame_index == f) & valid)
        alive = [t for t in range(len(last_box)) if f - last_frame[t] <= max_age + 1]
        matched_rows: set[int] = set()
        if len(rows) and alive:
            pred = np.stack([last_box[t] + velocity[t] * (f - last_frame[t]) for t in alive])
            iou = box_iou(boxes[rows], pred)
            pairs = np.argwhere(iou >= iou_threshold)
            pairs = pairs[np.argsort(-iou[pairs[:, 0], pairs[:, 1]], kind="stable")]
            used_tracks: set[int] = set()
            for a, b in pairs:
                if a in matched_rows or b in used_tracks:
                    continue
                t = alive[b]
                tracks[rows[a]] = t
                gap = f - last_frame[t]
                velocity[t] = (boxes[rows[a]] - last_box[t]) / gap
                last_box[t], last_frame[t] = boxes[rows[a]], int(f)
                matched_rows.add(a)
                used_tracks.add(b)
        for a, r in enumerate(rows):
            if a not in matched_rows:
                tracks[r] = len(last_box)
                last_box.append(boxes[r])
                velocity.append(np.zeros(4))
                last_frame.append(int(f))
    return tracks


def choose_track(
    tracks: np.ndarray, boxes: np.ndarray, scores: np.ndarray, image_size: tuple[int, int] | None = None
) -> int:
    """The track to lift by default: most frames, then most central mean box centre, then best mean score.

    Args:
        tracks: ``(R,)`` track id per row (``-1`` ignored); one row per track and frame.
        boxes: ``(R, 4)`` xyxy pixels.
        scores: ``(R,)`` detection scores.
        image_size: ``(w, h)`` for centrality (without it, only length and score count).
    Raises ``ValueError`` when no row has a track.
    """
    tracks = np.asarray(tracks)
    ids, counts = np.unique(tracks[tracks >= 0], return_counts=True)
    if len(ids) == 0:
        raise ValueError("nobody was detected in any frame")
    centre = np.zeros(len(ids))
    if image_size is not None:
        w, h = image_size
        c = np.stack([(boxes[:, 0] + boxes[:, 2]) / 2 / w - 0.5, (boxes[:, 1] + boxes[:, 3]) / 2 / h - 0.5], -1)
        dist = np.linalg.norm(c, axis=-1)
        centre = np.array([dist[tracks == t].mean() for t in ids])
    mean_score = np.array([np.asarray(scores)[tracks == t].mean() for t in ids])
    order = np.lexsort((-mean_score, centre, -counts))
    return int(ids[order[0]])
