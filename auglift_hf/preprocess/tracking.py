"""Track ids for multi-person output, and the choice of the person to lift across a video.

:func:`assign_tracks` runs two passes over one whole sequence (after shards are merged, so ids never depend on how
frames were split between shards, resumed runs or processes):

1. **Tracklets**: person boxes are matched between frames greedily by IoU with each track's **predicted** box
   (constant velocity from its last two boxes, as SORT's motion model without the Kalman filter: Bewley et al.,
   ICIP 2016); a track survives ``max_age`` frames without a match, so a bystander crossing in front of the person
   (boxes overlapping for a few frames, one of them possibly undetected) does not take over the track.
2. **Re-entry** (:func:`link_tracklets`): a person who leaves the frame or is hidden for longer than ``max_age``
   comes back as a new tracklet; tracklet ``B`` continues tracklet ``A`` when ``B`` starts after ``A`` ends (two
   boxes of one frame are two people, so tracklets that overlap in time are never joined), within
   :data:`LINK_MAX_GAP` frames, and ``A``'s last
   appearance agrees with ``B``'s first in position, size and 2D pose (appearance-free, in units of the person's
   box height; gates :data:`LINK_MAX_DISTANCE`, :data:`LINK_MAX_SIZE_RATIO`, :data:`LINK_MAX_POSE_DISTANCE`).
   Candidate links are accepted greedily, lowest cost first, each tracklet continuing at most one and continued
   by at most one. A person who comes back at the far side of the image stays a new track (no appearance model).

:func:`choose_track` picks the person to lift (``--person auto``) by :data:`SUBJECT_RULE`: the largest box area
summed over the frames a track is seen (mean box area x frames seen), ties broken by the most central mean box,
then the higher mean detection score. The subject of a video is the person it is about: near the camera for most
of it; a small bystander in the background visible throughout has a long track but a small box. The ranking is
:func:`rank_tracks` (reported in the pipeline's ``track_choice`` output and as a log line).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from .detector import box_iou

logger = logging.getLogger(__name__)

#: Frames a track survives without a match (0.2-0.4 s at 25-50 fps: a short full occlusion by a bystander).
MAX_AGE = 10
#: Re-entry gate: frames between a tracklet's last row and the next one's first (10 s at 25 fps, 5 s at 50 fps:
#: longer absences are new people as far as an appearance-free tracker can tell; it also keeps the candidate
#: pairs local in time on long videos).
LINK_MAX_GAP = 250
#: Re-entry gate: centre distance between a tracklet's last box and the next one's first, in box heights.
LINK_MAX_DISTANCE = 2.0
#: Re-entry gate: ratio of the two box heights (a person walking away for a second changes size little).
LINK_MAX_SIZE_RATIO = 1.6
#: Re-entry gate: mean distance of the box-normalised 2D poses (keypoints - box centre) / box height.
LINK_MAX_POSE_DISTANCE = 0.25
#: Rows averaged at each end of a tracklet for its size and pose.
LINK_END_ROWS = 5
#: Keypoint score below which a joint takes no part in the pose comparison.
LINK_MIN_KEYPOINT_SCORE = 0.3
SUBJECT_RULE = (
    "largest box area summed over the frames a track is seen (mean box area x frames), then most central, "
    "then best mean detection score"
)


def assign_tracks(
    frame_index: np.ndarray,
    boxes: np.ndarray,
    valid: np.ndarray,
    iou_threshold: float = 0.3,
    max_age: int = MAX_AGE,
    keypoints: np.ndarray | None = None,
    keypoint_scores: np.ndarray | None = None,
    link: bool = True,
) -> np.ndarray:
    """Track id per row of one sequence (``-1`` for invalid rows), ids numbered by first appearance.

    Args:
        frame_index: ``(R,)`` frame of each row (rows of one frame are contiguous, frames ascending).
        boxes: ``(R, 4)`` xyxy pixels.
        valid: ``(R,)`` rows that hold a person.
        iou_threshold: minimum IoU between a box and a track's predicted box to continue the track (greedy,
            best IoU first; each track and each box used once per frame).
        max_age: frames a track may go unmatched and still be continued (its box extrapolated at constant
            velocity meanwhile).
        keypoints: ``(R, J, 2)`` pixels, optional: 2D pose for the re-entry test (without it, position and size).
        keypoint_scores: ``(R, J)``, optional (all joints count without it).
        link: re-associate tracklets across longer gaps (:func:`link_tracklets`).
    """
    frame_index = np.asarray(frame_index)
    boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
    valid = np.asarray(valid, bool)
    tracks = _iou_tracklets(frame_index, boxes, valid, iou_threshold, max_age)
    if link:
        tracks = link_tracklets(tracks, frame_index, boxes, keypoints, keypoint_scores)
    return tracks


def _iou_tracklets(
    frame_index: np.ndarray, boxes: np.ndarray, valid: np.ndarray, iou_threshold: float, max_age: int
) -> np.ndarray:
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


def _end_summary(rows: np.ndarray, boxes: np.ndarray, kp: np.ndarray | None, ks: np.ndarray | None) -> tuple:
    """Box centre ``(2,)`` of the end row, mean height, and mean normalised pose ``(J, 2)`` / joint mask ``(J,)``."""
    b = boxes[rows]
    heights = np.maximum(b[:, 3] - b[:, 1], 1e-6)
    centres = (b[:, :2] + b[:, 2:]) / 2
    if kp is None:
        return centres, heights.mean(), None, None
    pose = (kp[rows] - centres[:, None]) / heights[:, None, None]  # (n, J, 2)
    seen = np.ones(pose.shape[:2], bool) if ks is None else ks[rows] >= LINK_MIN_KEYPOINT_SCORE
    n = seen.sum(0)
    mean = np.where(seen[..., None], pose, 0.0).sum(0) / np.maximum(n, 1)[:, None]
    return centres, heights.mean(), mean, n > 0


def link_tracklets(
    tracks: np.ndarray,
    frame_index: np.ndarray,
    boxes: np.ndarray,
    keypoints: np.ndarray | None = None,
    keypoint_scores: np.ndarray | None = None,
) -> np.ndarray:
    """Join tracklets that are one person leaving and coming back (see the module docstring); ``-1`` kept.

    Returns track ids renumbered ``0, 1, ...`` by first appearance. The time, position and size gates are
    evaluated on blocks of (ending, starting) tracklet pairs close in time, vectorised; the pose only for the pairs
    that pass them.
    """
    tracks = np.asarray(tracks)
    ids = np.unique(tracks[tracks >= 0])
    if len(ids) < 2:
        return _renumber(tracks, frame_index)
    frame_index = np.asarray(frame_index)
    boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
    kp = None if keypoints is None else np.asarray(keypoints, np.float64).reshape(len(boxes), -1, 2)
    ks = None if keypoint_scores is None or kp is None else np.asarray(keypoint_scores).reshape(len(boxes), -1)
    t_count = len(ids)
    sel = np.flatnonzero(tracks >= 0)
    by_track = sel[np.argsort(tracks[sel], kind="stable")]  # rows grouped by track, frame order kept
    bounds = np.r_[0, np.cumsum(np.unique(tracks[sel], return_counts=True)[1])]
    start = np.empty(t_count, np.int64)
    end = np.empty(t_count, np.int64)
    head_c, tail_c = np.empty((t_count, 2)), np.empty((t_count, 2))
    head_h, tail_h = np.empty(t_count), np.empty(t_count)
    joints = 0 if kp is None else kp.shape[1]
    head_p, tail_p = np.zeros((t_count, joints, 2)), np.zeros((t_count, joints, 2))
    head_m, tail_m = np.zeros((t_count, joints), bool), np.zeros((t_count, joints), bool)
    for i in range(t_count):  # O(rows at the two ends) per tracklet
        rows = by_track[bounds[i] : bounds[i + 1]]
        start[i], end[i] = frame_index[rows[0]], frame_index[rows[-1]]
        c, head_h[i], p, m = _end_summary(rows[:LINK_END_ROWS], boxes, kp, ks)
        head_c[i] = c[0]
        if p is not None:
            head_p[i], head_m[i] = p, m
        c, tail_h[i], p, m = _end_summary(rows[-LINK_END_ROWS:], boxes, kp, ks)
        tail_c[i] = c[-1]
        if p is not None:
            tail_p[i], tail_m[i] = p, m
    # candidate pairs (a ends, then b starts within LINK_MAX_GAP) by the cheap gates: blocks of tracklets sorted by
    # their end against the tracklets starting in the block's time window (memory and time local in time)
    a_order, b_order = np.argsort(end, kind="stable"), np.argsort(start, kind="stable")
    starts = start[b_order]
    log_ratio = np.log(LINK_MAX_SIZE_RATIO)
    pairs = [np.zeros((0, 3))]
    for lo in range(0, t_count, 256):
        ia = a_order[lo : lo + 256]
        c0 = np.searchsorted(starts, end[ia].min() + 1)
        c1 = np.searchsorted(starts, end[ia].max() + LINK_MAX_GAP, side="right")
        ib = b_order[c0:c1]
        dist = np.linalg.norm(tail_c[ia, None] - head_c[None, ib], axis=-1) / np.maximum(
            tail_h[ia, None], head_h[None, ib]
        )
        size = np.abs(np.log(tail_h[ia, None] / head_h[None, ib]))
        gap = start[None, ib] - end[ia, None]
        ok = (gap > 0) & (gap <= LINK_MAX_GAP) & (dist <= LINK_MAX_DISTANCE) & (size <= log_ratio)
        i, j = np.nonzero(ok)
        pairs.append(np.stack([ia[i], ib[j], dist[i, j] / LINK_MAX_DISTANCE + size[i, j] / log_ratio], 1))
    cand = np.concatenate(pairs)
    a_idx, b_idx, cost = cand[:, 0].astype(np.int64), cand[:, 1].astype(np.int64), cand[:, 2]
    if joints and len(cand):
        both = tail_m[a_idx] & head_m[b_idx]  # (P, J): joints seen at both ends (no joint: no pose evidence)
        d = np.linalg.norm(tail_p[a_idx] - head_p[b_idx], axis=-1)
        pose = np.where(both, d, 0.0).sum(-1) / np.maximum(both.sum(-1), 1)
        keep = pose <= LINK_MAX_POSE_DISTANCE
        a_idx, b_idx, cost = a_idx[keep], b_idx[keep], cost[keep] + pose[keep] / LINK_MAX_POSE_DISTANCE
    order = np.argsort(cost, kind="stable")
    successor = np.full(t_count, -1)
    has_pred = np.zeros(t_count, bool)
    for a, b in zip(a_idx[order], b_idx[order]):
        if successor[a] < 0 and not has_pred[b]:
            successor[a], has_pred[b] = b, True
    root = np.arange(t_count)
    for a in np.argsort(start, kind="stable"):  # chains in time order: a's root is final before a is visited
        if successor[a] >= 0:
            root[successor[a]] = root[a]
    out = np.full(len(tracks), -1, np.int64)
    out[sel] = ids[root[np.searchsorted(ids, tracks[sel])]]
    return _renumber(out, frame_index)


def _renumber(tracks: np.ndarray, frame_index: np.ndarray) -> np.ndarray:
    """Ids ``0, 1, ...`` in order of first appearance (frame, then row within the frame)."""
    tracks = np.asarray(tracks)
    out = np.full(len(tracks), -1, np.int32)
    sel = np.flatnonzero(tracks >= 0)
    if len(sel) == 0:
        return out
    ids, first = np.unique(tracks[sel], return_index=True)
    order = np.lexsort((first, np.asarray(frame_index)[sel][first]))
    rank = np.empty(len(ids), np.int32)
    rank[order] = np.arange(len(ids), dtype=np.int32)
    out[sel] = rank[np.searchsorted(ids, tracks[sel])]
    return out


def rank_tracks(
    tracks: np.ndarray, boxes: np.ndarray, scores: np.ndarray, image_size: tuple[int, int] | None = None
) -> list[dict[str, Any]]:
    """Every track with its statistics, best subject first by :data:`SUBJECT_RULE`.

    Args:
        tracks: ``(R,)`` track id per row (``-1`` ignored); one row per track and frame.
        boxes: ``(R, 4)`` xyxy pixels.
        scores: ``(R,)`` detection scores.
        image_size: ``(w, h)``: box areas as a fraction of the image, and centrality (without it, areas in
            pixels and no centrality).
    Returns ``[{"track", "frames", "mean_box_area", "area_x_frames", "centre_distance", "mean_score"}, ...]``.
    """
    tracks = np.asarray(tracks)
    sel = np.flatnonzero(tracks >= 0)
    if len(sel) == 0:
        return []
    ids, inverse, counts = np.unique(tracks[sel], return_inverse=True, return_counts=True)
    b = np.asarray(boxes, np.float64).reshape(-1, 4)[sel]
    area = np.clip(b[:, 2] - b[:, 0], 0, None) * np.clip(b[:, 3] - b[:, 1], 0, None)
    centre = np.zeros(len(sel))
    if image_size is not None:
        w, h = image_size
        area = area / float(w * h)
        c = np.stack([(b[:, 0] + b[:, 2]) / 2 / w - 0.5, (b[:, 1] + b[:, 3]) / 2 / h - 0.5], -1)
        centre = np.linalg.norm(c, axis=-1)
    total_area = np.bincount(inverse, area, len(ids))
    mean_centre = np.bincount(inverse, centre, len(ids)) / counts
    mean_score = np.bincount(inverse, np.asarray(scores, np.float64).reshape(-1)[sel], len(ids)) / counts
    order = np.lexsort((-mean_score, mean_centre, -total_area))
    return [
        {
            "track": int(ids[i]),
            "frames": int(counts[i]),
            "mean_box_area": float(total_area[i] / counts[i]),
            "area_x_frames": float(total_area[i]),
            "centre_distance": float(mean_centre[i]),
            "mean_score": float(mean_score[i]),
        }
        for i in order
    ]


def choose_track(
    tracks: np.ndarray, boxes: np.ndarray, scores: np.ndarray, image_size: tuple[int, int] | None = None
) -> int:
    """The track to lift by default (:data:`SUBJECT_RULE`; :func:`rank_tracks`). With several tracks the choice
    is logged (a warning naming the runner-up, so a user sees which person was lifted).

    Raises ``ValueError`` when no row has a track.
    """
    ranked = rank_tracks(tracks, boxes, scores, image_size)
    if not ranked:
        raise ValueError("nobody was detected in any frame")
    if len(ranked) > 1:
        logger.warning("%s", describe_choice(ranked, image_size is not None))
    return ranked[0]["track"]


def describe_choice(ranked: list[dict[str, Any]], fraction: bool = True) -> str:
    """One line: which track ``--person auto`` lifts and why, and the runner-up."""
    unit = "% of the image" if fraction else " px"
    k = 100.0 if fraction else 1.0

    def say(r: dict[str, Any]) -> str:
        return f"track {r['track']} ({r['frames']} frames, mean box {k * r['mean_box_area']:.3g}{unit})"

    line = f"--person auto: lifting {say(ranked[0])}; rule: {SUBJECT_RULE}"
    if len(ranked) > 1:
        line += f"; runner-up {say(ranked[1])} of {len(ranked)} tracks (--person N lifts another)"
    return line
