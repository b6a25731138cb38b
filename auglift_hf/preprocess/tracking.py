"""Track ids for multi-person output: greedy IoU matching of person boxes between consecutive frames.

Run once over a merged sequence (not per shard), so ids do not depend on how frames were split between
shards, resumed runs or processes.
"""

from __future__ import annotations

import numpy as np

from .detector import box_iou


def assign_tracks(
    frame_index: np.ndarray, boxes: np.ndarray, valid: np.ndarray, iou_threshold: float = 0.3
) -> np.ndarray:
    """Track id per row of one sequence (``-1`` for invalid rows).

    Args:
        frame_index: ``(R,)`` frame of each row (rows of one frame are contiguous, frames ascending).
        boxes: ``(R, 4)`` xyxy pixels.
        valid: ``(R,)`` rows that hold a person.
        iou_threshold: minimum IoU with a track's last box to continue it (greedy, best IoU first).
    """
    tracks = np.full(len(frame_index), -1, np.int32)
    prev_rows = np.zeros(0, np.int64)
    next_id = 0
    for f in np.unique(frame_index):
        rows = np.flatnonzero((frame_index == f) & valid)
        if len(rows) and len(prev_rows):
            iou = box_iou(boxes[rows], boxes[prev_rows])
            pairs = np.argwhere(iou >= iou_threshold)
            pairs = pairs[np.argsort(-iou[pairs[:, 0], pairs[:, 1]], kind="stable")]
            used_now, used_prev = set(), set()
            for a, b in pairs:
                if a not in used_now and b not in used_prev:
                    tracks[rows[a]] = tracks[prev_rows[b]]
                    used_now.add(a)
                    used_prev.add(b)
        for r in rows:
            if tracks[r] < 0:
                tracks[r] = next_id
                next_id += 1
        if len(rows):
            prev_rows = rows
    return tracks
