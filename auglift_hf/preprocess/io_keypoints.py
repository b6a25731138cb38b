"""Reading 2D keypoint files for lifting without the detector stage: the skeleton is declared, never guessed.

Accepted JSON layouts:

* **COCO results / AlphaPose**: a list of per-detection entries ``{"image_id": "12.jpg" | 12, "keypoints":
  [x0, y0, s0, x1, y1, s1, ...], "score"?: float, "box" | "bbox"?: [x, y, w, h], "idx" | "track_id"?: track}``,
  or a COCO object ``{"categories": [...], "images"?: [...], "annotations": [...]}`` with the same entries.
* **OpenPose** per-frame output ``{"people": [{"pose_keypoints_2d": [...]}, ...]}`` (one frame).
* **The project's own format** (what ``auglift lift`` writes): ``{"keypoints_2d": (F, 17, 2) px, "scores"?:
  (F, 17), "joint_format"?: "h36m" | "coco", "image_size"?: [w, h], "fps"?: float, "frame_index"?: (F,)}``;
  ``scores`` may also be ``keypoint_scores``; ``"scores_given": false`` (``auglift lift`` output of input without
  scores) marks ``scores`` as a fill, read as no scores.

Scores: a file without a score column (the own format without ``scores`` and with ``(F, 17, 2)`` keypoints, e.g.
ground-truth 2D) has no confidence, and none is invented here: ``KeypointSequence.scores`` is ``None`` and
``presence`` says which keypoints were in the file. The lift step fills the confidence a c-lifter is fed from its
input contract (``score_fill``, the median score of its training table; :func:`auglift_hf.contract.fill_scores`:
``score_fill * presence``) and records the value in its output.

Skeleton (:func:`auglift_hf.skeleton.detect_keypoint_format`): the file's own declaration decides - a COCO
``categories[].keypoints`` name list (e.g. MMPose's ``h36m_coco.json`` declares the H36M-17 joints, which are
then lifted as H36M, not remapped as COCO), else the keypoint count (17 COCO, 26 Halpe, 136 Halpe-full, 133
COCO-WholeBody, 25 OpenPose BODY_25, 18 OpenPose COCO-18, 33 BlazePose); an explicit ``keypoint_format`` must
agree with a declaration. Anything else is refused with a ``ValueError`` naming the file. Every format is mapped to
H36M-17 on entry (:func:`auglift_hf.skeleton.to_h36m`).

Missing keypoints: a non-finite coordinate or score (NaN, inf), or OpenPose's ``(0, 0, 0)`` for "not detected",
is **missing**: its score becomes 0 and its position is filled (documented fill, before the mapping to H36M):
linear interpolation in time of the same joint between the nearest frames of the same person where it was
seen (the nearest such frame at the ends); a joint never seen in the sequence takes the mean of the joints seen
in that frame. A frame with no joint seen is ``valid = False``. ``missing`` records every filled joint.

Frames: frame numbers come from ``image_id`` (numbers, or the number ending ``"<name>_000123.jpg"``; other ids
in order of appearance). A number skipped between two detections is **interpolated** linearly (scores 0,
``interpolated = True``); a run of more than ``max_gap`` skipped frames (default :data:`MAX_INTERPOLATION_GAP`)
is refused unless the caller raises ``max_gap`` (``auglift lift --max-gap``): the lifter would otherwise see an
invented straight-line motion as real.

Unrelated images: a COCO object whose ``images[].file_name`` come from different sequences (they differ beyond a
trailing frame number, as MMPose's ``h36m_coco.json``) is a set of independent images: each is lifted alone
(``segment``), with the best-scoring person of each image and no interpolation between them.

People: with several people per frame, ``person="auto"`` lifts the subject by
:data:`~auglift_hf.preprocess.tracking.SUBJECT_RULE` (track ids from the file's ``idx`` / ``track_id``, else
:func:`~auglift_hf.preprocess.tracking.assign_tracks` on the boxes and poses), an integer lifts that track,
``"all"`` returns one sequence per track.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from ..skeleton import (
    NUM_JOINTS,
    DetectedFormat,
    KeypointFormat,
    detect_keypoint_format,
    resolve_keypoint_format,
    to_h36m,
)

#: Longest run of skipped frame numbers that is interpolated without an explicit ``max_gap``: 10 frames is
#: 0.2-0.4 s at 25-50 fps, a short occlusion; longer runs are refused (the lifter would see invented motion).
MAX_INTERPOLATION_GAP = 10


@dataclasses.dataclass
class KeypointSequence:
    """A 2D sequence of one person in H36M-17.

    ``keypoints (F, 17, 2)`` px (always finite), ``scores (F, 17)`` in [0, 1] or ``None`` when the file has no
    score column (see the module docstring: filled at lift time from the lifter's ``score_fill``),
    ``presence (F, 17)`` in [0, 1] (1: the keypoint is in the file; 0: missing or in an interpolated frame; a
    fraction for an H36M joint synthesised from partly missing source joints), ``frame_index (F,)``,
    ``valid (F,)`` (False: no joint seen in the frame), ``interpolated (F,)`` (frame number absent from the
    file, filled between its neighbours), ``missing (F, 17)`` (joint filled, see the module docstring);
    ``image_size`` ``(w, h)`` when the file gives one size, ``image_sizes (F, 2)`` when it gives one per frame;
    ``source_format`` / ``keypoint_format`` for messages and output; ``track`` the person's track id,
    ``track_choice`` the ranking ``person="auto"`` chose it from (``None`` with one person); ``notes``
    are facts worth a warning; ``segment (F,)`` (or ``None`` = one sequence) numbers runs of frames that belong
    together in time: the images of a COCO file drawn from different sequences are lifted one by one.
    """

    keypoints: np.ndarray
    scores: np.ndarray | None
    frame_index: np.ndarray
    image_size: tuple[int, int] | None = None
    fps: float | None = None
    source_format: str = ""
    valid: np.ndarray | None = None
    interpolated: np.ndarray | None = None
    missing: np.ndarray | None = None
    image_sizes: np.ndarray | None = None
    keypoint_format: str = ""
    track: int | None = None
    track_choice: dict[str, Any] | None = None
    notes: list[str] = dataclasses.field(default_factory=list)
    segment: np.ndarray | None = None
    presence: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.keypoints)
        if self.valid is None:
            self.valid = np.ones(n, bool)
        if self.interpolated is None:
            self.interpolated = np.zeros(n, bool)
        if self.missing is None:
            self.missing = np.zeros((n, NUM_JOINTS), bool)
        if self.presence is None:
            gone = self.missing | self.interpolated[:, None]
            self.presence = np.where(gone, 0.0, 1.0).astype(np.float32)

    @property
    def has_scores(self) -> bool:
        """Whether the file gave detector scores (else ``scores`` is ``None``: filled when lifting)."""
        return self.scores is not None


# ---------------------------------------------------------------------------------------------- helpers
def _numeric(value: Any, where: str) -> np.ndarray:
    """A list of numbers (``null`` allowed = missing) -> float64 array; strings / booleans / objects refused."""
    try:
        fast = np.asarray(value)
    except (ValueError, TypeError):  # ragged lists
        fast = None
    if fast is not None and fast.dtype.kind in "fiu":
        return fast.astype(np.float64)
    try:
        arr = np.asarray(value, dtype=object)
    except (ValueError, TypeError) as err:
        raise ValueError(f"{where} must be a list of numbers ({err})") from err
    flat = arr.reshape(-1)
    bad = [v for v in flat if v is not None and (isinstance(v, (bool, str, list, dict)) or not np.isscalar(v))]
    if bad:
        raise ValueError(f"{where} must hold numbers, found {type(bad[0]).__name__} {bad[0]!r}")
    return np.array([np.nan if v is None else v for v in flat], dtype=np.float64).reshape(arr.shape)


def _frame_numbers(image_ids: list[Any]) -> np.ndarray:
    """Frame number of each ``image_id``: numbers as they are, ``"..._000123.jpg"`` -> 123, else order seen."""
    numbers: list[int | None] = []
    for image_id in image_ids:
        if isinstance(image_id, (int, np.integer)) and not isinstance(image_id, bool):
            numbers.append(int(image_id))
            continue
        m = re.search(r"(\d+)(?=\.[A-Za-z0-9]+$|$)", str(image_id))
        numbers.append(int(m.group(1)) if m else None)
    if any(n is None for n in numbers):  # ids without numbers: order of first appearance
        order: dict[Any, int] = {}
        for image_id in image_ids:
            order.setdefault(str(image_id), len(order))
        return np.array([order[str(i)] for i in image_ids], np.int64)
    return np.array(numbers, np.int64)


def _missing_mask(kp: np.ndarray) -> np.ndarray:
    """``(..., J, 3)`` -> ``(..., J)``: non-finite x, y or score, or OpenPose's ``(0, 0, 0)``."""
    nonfinite = ~np.isfinite(kp).all(-1)
    zero = (kp[..., 0] == 0) & (kp[..., 1] == 0) & (kp[..., 2] == 0)
    return nonfinite | zero


def fill_missing(xy: np.ndarray, missing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fill missing joints of one person's sequence (the module docstring's rule), vectorised over joints.

    Args:
        xy: ``(F, J, 2)`` pixels (any value where ``missing``).
        missing: ``(F, J)`` bool.

    Returns:
        ``(filled (F, J, 2), frame_has_joint (F,))``; frames without any joint seen get the mean of the seen
        joints of the nearest frame (they are reported invalid by the caller), or 0 when nothing is seen at all.
    """
    xy = np.where(missing[..., None], np.nan, np.asarray(xy, np.float64))
    f, j = missing.shape
    seen = ~missing
    out = xy.copy()
    t = np.arange(f)
    cols = np.flatnonzero(seen.any(0) & (~seen).any(0))  # joints seen somewhere and missing somewhere
    for col in cols:  # per joint with gaps (np.interp is 1D); J <= 136, not per frame
        ok = seen[:, col]
        for c in range(2):
            out[~ok, col, c] = np.interp(t[~ok], t[ok], xy[ok, col, c])
    has = seen.any(1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # frames without any joint: mean of nothing
        centroid = np.nanmean(np.where(seen[..., None], xy, np.nan), axis=1)  # (F, 2)
    never = ~seen.any(0)
    if never.any():
        out[:, never] = centroid[:, None, :]
    if not has.all() and has.any():
        idx = np.flatnonzero(has)
        nearest = idx[np.clip(np.searchsorted(idx, t), 0, len(idx) - 1)]
        out[~has] = out[nearest[~has]]
    return np.nan_to_num(out, nan=0.0), has


def _interpolate_frames(
    frames: np.ndarray, arrays: list[np.ndarray], max_gap: int | None, path: str
) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
    """Fill skipped frame numbers by linear interpolation; refuse runs longer than ``max_gap``."""
    full = np.arange(frames.min(), frames.max() + 1)
    present = np.zeros(len(full), bool)
    present[frames - frames.min()] = True
    if present.all():
        return frames, arrays, np.zeros(len(frames), bool)
    gaps = np.diff(frames) - 1
    limit = MAX_INTERPOLATION_GAP if max_gap is None else int(max_gap)
    if gaps.max() > limit:
        at = int(np.argmax(gaps))
        raise ValueError(
            f"{path}: {int(gaps[at])} frames are missing between frames {frames[at]} and {frames[at + 1]} (sparse image ids: "
            f"{int(gaps.sum())} of {len(full)} frames missing); interpolating more than {limit} missing frames in a "
            f"row is refused: pass --max-gap {int(gaps.max())} to interpolate them anyway (flagged `interpolated`)"
        )
    out = []
    for a in arrays:
        flat = a.reshape(len(frames), -1).astype(np.float64)
        filled = np.stack([np.interp(full, frames, flat[:, i]) for i in range(flat.shape[1])], 1)
        out.append(filled.reshape((len(full),) + a.shape[1:]))
    return full, out, ~present


# ---------------------------------------------------------------------------------------------- layouts
def _format_for(declared: DetectedFormat | None, explicit: str | None, count: int, path: str) -> DetectedFormat:
    if explicit is not None:
        fmt = resolve_keypoint_format(explicit)
        if declared is not None and declared.format.name != fmt.name:
            raise ValueError(
                f"{path}: --keypoint-format {fmt.name} contradicts the file's declaration ({declared.evidence}: "
                f"{declared.format.name})"
            )
        if fmt.num_keypoints != count:
            raise ValueError(
                f"{path}: --keypoint-format {fmt.name} has {fmt.num_keypoints} keypoints, the file {count}"
            )
        return declared or DetectedFormat(fmt, None, "--keypoint-format")
    if declared is not None:
        return declared
    try:
        return detect_keypoint_format(None, count)
    except ValueError as err:
        raise ValueError(f"{path}: {err}") from err


def _declared_format(obj: dict[str, Any], path: str) -> tuple[DetectedFormat | None, dict[int, list[str]]]:
    """Keypoint names of the ``categories`` (person category, or the only one with keypoints)."""
    cats = obj.get("categories") or []
    if not isinstance(cats, list):
        raise ValueError(f"{path}: `categories` must be a list")
    with_kp = [c for c in cats if isinstance(c, dict) and c.get("keypoints")]
    if not with_kp:
        return None, {}
    names = {int(c.get("id", 1)): [str(n) for n in c["keypoints"]] for c in with_kp}
    first = next(iter(names.values()))
    try:
        return detect_keypoint_format(first), names
    except ValueError as err:
        raise ValueError(f"{path}: `categories` {err}") from err


def _image_sizes(obj: dict[str, Any], path: str) -> dict[Any, tuple[int, int]]:
    sizes: dict[Any, tuple[int, int]] = {}
    for n, im in enumerate(obj.get("images") or []):
        if not isinstance(im, dict) or "id" not in im:
            continue
        if "width" in im and "height" in im:
            wh = _numeric([im["width"], im["height"]], f"{path}: images[{n}] width/height")
            sizes[im["id"]] = (int(wh[0]), int(wh[1]))
    return sizes


def _track_ids(entries: list[dict[str, Any]]) -> np.ndarray | None:
    ids = []
    for e in entries:
        v = e.get("idx", e.get("track_id"))
        if v is None:
            return None
        v = np.asarray(v, dtype=object).reshape(-1)
        if len(v) != 1 or isinstance(v[0], (str, bool)):
            return None
        ids.append(int(float(v[0])))
    return np.asarray(ids, np.int64)


def _boxes(entries: list[dict[str, Any]], kp: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """xyxy boxes: the entry's ``box`` / ``bbox`` ([x, y, w, h]) or the extent of its seen keypoints."""
    seen = ~missing
    big = np.where(seen[..., None], kp[..., :2], np.nan)
    with np.errstate(all="ignore"):
        lo, hi = np.nanmin(big, axis=1), np.nanmax(big, axis=1)
    boxes = np.nan_to_num(np.concatenate([lo, hi], -1))
    for r, e in enumerate(entries):
        b = e.get("box", e.get("bbox"))
        if isinstance(b, (list, tuple)) and len(b) == 4 and all(isinstance(v, (int, float)) for v in b):
            if np.isfinite(b).all():
                boxes[r] = [b[0], b[1], b[0] + b[2], b[1] + b[3]]
    return boxes


def _from_entries(
    entries: list[Any],
    path: str,
    person: Any,
    keypoint_format: str | None,
    max_gap: int | None,
    declared: DetectedFormat | None = None,
    sizes_by_id: dict[Any, tuple[int, int]] | None = None,
    independent: bool = False,
) -> KeypointSequence | list[KeypointSequence]:
    if not entries:
        raise ValueError(f"{path}: no detections (empty list of entries)")
    rows = []
    for n, e in enumerate(entries):
        if not isinstance(e, dict) or "keypoints" not in e:
            raise ValueError(f"{path}: entry {n} has no `keypoints` (COCO results / AlphaPose layout expected)")
        flat = _numeric(e["keypoints"], f"{path}: entry {n} `keypoints`").reshape(-1)
        if flat.size == 0 or flat.size % 3:
            raise ValueError(f"{path}: entry {n} `keypoints` must hold (x, y, score) triples, got {flat.size} values")
        rows.append(flat)
    counts = {r.size // 3 for r in rows}
    if len(counts) != 1:
        raise ValueError(f"{path}: entries hold different keypoint counts {sorted(counts)}; one skeleton per file")
    count = counts.pop()
    fmt = _format_for(declared, keypoint_format, count, path)
    raw = np.stack(rows).reshape(len(rows), count, 3)
    missing = _missing_mask(raw)
    frames = _frame_numbers([e.get("image_id", n) for n, e in enumerate(entries)])
    scores_entry = np.array(
        [float(e["score"]) if isinstance(e.get("score"), (int, float)) and np.isfinite(e["score"]) else np.nan
         for e in entries]
    )  # fmt: skip
    mean_kp_score = np.where(missing, 0.0, np.nan_to_num(raw[..., 2])).mean(-1)
    scores_entry = np.where(np.isfinite(scores_entry), scores_entry, mean_kp_score)
    given = _track_ids(entries)
    order = np.lexsort((-scores_entry, frames))  # frame ascending, best score first
    multi = len(np.unique(frames)) != len(frames)
    if independent:  # unrelated images: the best-scoring person of each, no tracks
        tracks = np.zeros(len(entries), np.int64)
        person = "auto"
    elif given is not None:
        tracks = given
    elif multi:
        from .tracking import assign_tracks

        boxes = _boxes(entries, raw, missing)
        tracks = np.empty(len(entries), np.int64)
        tracks[order] = assign_tracks(
            frames[order], boxes[order], np.ones(len(order), bool), keypoints=raw[order, :, :2],
            keypoint_scores=np.where(missing[order], 0.0, raw[order, :, 2]),
        )  # fmt: skip
    else:
        tracks = np.zeros(len(entries), np.int64)
    uniq = np.unique(tracks)
    choice = None
    if person == "all":
        chosen = list(uniq)
    elif (person is None or person == "auto") and len(uniq) > 1:
        from .tracking import SUBJECT_RULE, choose_track, rank_tracks

        # one row per track and frame (its best-scoring entry, first in `order`), as choose_track counts frames
        _, first = np.unique(np.stack([tracks[order], frames[order]], 1), axis=0, return_index=True)
        rows, low = order[first], int(tracks.min())  # a file's own ids may be negative; choose_track skips < 0
        args = (tracks[rows] - low, _boxes(entries, raw, missing)[rows], scores_entry[rows])
        chosen = [choose_track(*args) + low]
        ranked = [{**r, "track": r["track"] + low} for r in rank_tracks(*args)[:10]]
        choice = {"track": chosen[0], "rule": SUBJECT_RULE, "tracks": ranked}
    elif person is None or person == "auto":
        chosen = [uniq[0]]
    else:
        if int(person) not in set(uniq.tolist()):
            raise ValueError(f"{path}: no detections with track {int(person)} (tracks: {uniq.tolist()[:20]})")
        chosen = [int(person)]
    out = []
    for t in chosen:
        sel = order[tracks[order] == t]
        f = frames[sel]
        keep = np.r_[True, f[1:] != f[:-1]]  # the best-scoring entry of this track per frame
        sel, f = sel[keep], f[keep]
        if independent:
            seq = _concat([_build(raw[i : i + 1], missing[i : i + 1], f[k : k + 1], fmt, path, 0)
                           for k, i in enumerate(sel)])  # fmt: skip
        else:
            seq = _build(raw[sel], missing[sel], f, fmt, path, max_gap)
        seq.track = int(t) if (given is not None or multi) and not independent else None
        seq.track_choice = choice if not independent else None
        seq.source_format = (
            f"{'coco' if declared else 'coco results / alphapose'} json ({fmt.format.name}, {fmt.evidence})"
        )
        seq.notes.extend(f"{path}: {note}" for note in fmt.notes)
        if sizes_by_id:
            ids = [entries[i].get("image_id") for i in sel]
            got = [sizes_by_id.get(i) for i in ids]
            if all(g is not None for g in got):
                per = np.asarray(got, np.int64)
                if seq.interpolated.any():
                    per = per[np.clip(np.searchsorted(f, seq.frame_index), 0, len(per) - 1)]
                if (per == per[0]).all():
                    seq.image_size = (int(per[0, 0]), int(per[0, 1]))
                else:
                    seq.image_sizes = per
        out.append(seq)
    return out if person == "all" else out[0]


def _concat(seqs: list[KeypointSequence]) -> KeypointSequence:
    """Independent one-image sequences -> one sequence whose frames are separate ``segment`` s."""
    cat = {k: np.concatenate([getattr(q, k) for q in seqs]) for k in
           ("keypoints", "frame_index", "valid", "interpolated", "missing", "presence")}  # fmt: skip
    cat["scores"] = None if seqs[0].scores is None else np.concatenate([q.scores for q in seqs])
    notes = [n for q in seqs for n in q.notes]
    seq = KeypointSequence(**cat, keypoint_format=seqs[0].keypoint_format, notes=notes[:1] if notes else [])
    seq.segment = np.arange(len(seqs))
    return seq


def _sequence_prefix(file_name: str) -> str:
    """``"S1_Directions_1.54138969_000001.jpg"`` -> ``"S1_Directions_1.54138969_"``: the name of a frame's sequence."""
    stem = re.sub(r"\.[A-Za-z0-9]+$", "", str(file_name).replace("\\", "/"))
    return re.sub(r"\d+$", "", stem)


def _build(
    raw: np.ndarray,
    missing: np.ndarray,
    frames: np.ndarray,
    fmt: DetectedFormat,
    path: str,
    max_gap: int | None,
    has_scores: bool = True,
) -> KeypointSequence:
    """One person's ``(F, J, 3)`` raw keypoints -> filled, H36M-17, gap-interpolated :class:`KeypointSequence`.

    ``has_scores=False``: the file has no score column (``raw[..., 2]`` is a placeholder): ``scores`` is ``None``
    and only ``presence`` is kept.
    """
    if missing.all():
        raise ValueError(f"{path}: no finite keypoint in any frame (every keypoint is NaN, infinite or (0, 0, 0))")
    xy, has = fill_missing(raw[..., :2], missing)
    sc = np.where(missing, 0.0, np.clip(np.nan_to_num(raw[..., 2]), 0.0, 1.0))
    h36m = to_h36m(np.concatenate([xy, sc[..., None], missing[..., None].astype(np.float64)], -1), fmt.format,
                   fmt.order)  # fmt: skip
    # a synthesised H36M joint is missing when any of its sources is (the 4th channel is averaged: > 0)
    kp, scores, miss_share = h36m[..., :2], np.clip(h36m[..., 2], 0.0, 1.0), h36m[..., 3]  # share of sources missing
    frames, (kp, scores, miss_f, has_f), interp = _interpolate_frames(
        frames, [kp, scores, miss_share, has.astype(np.float64)], max_gap, path
    )
    scores = np.where(interp[:, None], 0.0, scores)
    presence = np.where(interp[:, None], 0.0, np.clip(1.0 - miss_f, 0.0, 1.0))  # seen share of the sources
    miss = (miss_f > 0) & ~interp[:, None]
    valid = (has_f >= 1.0) & ~interp  # a detection of this person with at least one joint seen
    notes = []
    if missing.any():
        notes.append(
            f"{path}: {int(missing.sum())} keypoints are missing (non-finite or (0, 0, 0)) in "
            f"{int(missing.any(1).sum())} "
            "frames: score 0, position filled from the same joint in neighbouring frames"
        )
    if interp.any():
        notes.append(f"{path}: {int(interp.sum())} of {len(frames)} frames are not in the file and were interpolated")
    return KeypointSequence(
        kp.astype(np.float32), scores.astype(np.float32) if has_scores else None, frames.astype(np.int64),
        valid=valid.astype(bool), interpolated=interp, missing=miss, keypoint_format=fmt.format.name, notes=notes,
        presence=presence.astype(np.float32),
    )  # fmt: skip


def _from_own(
    obj: dict[str, Any], path: str, keypoint_format: str | None, max_gap: int | None = None
) -> KeypointSequence:
    kp = _numeric(obj["keypoints_2d"], f"{path}: `keypoints_2d`")
    if kp.ndim == 2:
        kp = kp[None]
    fmt_name = keypoint_format or str(obj.get("joint_format", "h36m"))
    try:
        fmt = resolve_keypoint_format(fmt_name)
    except ValueError as err:
        raise ValueError(f"{path}: `joint_format` {err}") from err
    if kp.ndim != 3 or kp.shape[1] != fmt.num_keypoints or kp.shape[2] not in (2, 3):
        raise ValueError(
            f"{path}: `keypoints_2d` must have shape (frames, {fmt.num_keypoints}, 2) for joint_format {fmt.name}, "
            f"got {kp.shape}"
        )
    scores = obj.get("scores", obj.get("keypoint_scores"))
    if obj.get("scores_given") is False:  # `auglift lift` output of scoreless input: its scores were a fill
        scores, kp = None, kp[..., :2]
    has_scores = scores is not None or kp.shape[2] == 3
    if scores is None:  # without a score column: a placeholder that only marks the keypoints as present
        sc = kp[..., 2] if kp.shape[2] == 3 else np.ones(kp.shape[:2])
    else:
        sc = _numeric(scores, f"{path}: `scores`")
        if sc.size != kp.shape[0] * kp.shape[1]:
            raise ValueError(f"{path}: `scores` must have shape {kp.shape[:2]}, got {sc.shape}")
        sc = sc.reshape(kp.shape[:2])
    raw = np.concatenate([kp[..., :2], sc[..., None]], -1)
    missing = ~np.isfinite(raw).all(-1)
    frames = obj.get("frame_index")
    frames = np.arange(len(kp)) if frames is None else _numeric(frames, f"{path}: `frame_index`").reshape(-1)
    if frames.shape != (len(kp),) or not np.isfinite(frames).all():
        raise ValueError(f"{path}: `frame_index` must have {len(kp)} finite entries, got {frames.shape}")
    frames = frames.astype(np.int64)
    if len(frames) > 1 and not (np.diff(frames) > 0).all():
        raise ValueError(f"{path}: `frame_index` must be strictly increasing")
    seq = _build(raw, missing, frames, DetectedFormat(fmt, None, "joint_format"), path, max_gap, has_scores)
    size = obj.get("image_size")
    if size is not None:
        wh = _numeric(size, f"{path}: `image_size`").reshape(-1)
        if wh.shape != (2,) or not np.isfinite(wh).all():
            raise ValueError(f"{path}: `image_size` must be [width, height], got {size!r}")
        seq.image_size = (int(wh[0]), int(wh[1]))
    from ..contract import check_frame_rate

    seq.fps = check_frame_rate(obj.get("fps"), path, "fps")  # null / absent: unknown rate
    seq.source_format = f"auglift keypoints json ({fmt.name})"
    return seq


def parse_keypoints(
    obj: Any,
    path: str = "<keypoints>",
    track: Any = None,
    *,
    person: Any = None,
    keypoint_format: str | None = None,
    max_gap: int | None = None,
) -> KeypointSequence | list[KeypointSequence]:
    """Parse an already-loaded JSON object (see the module docstring for the layouts and rules).

    ``person`` (``"auto"`` default, a track id, or ``"all"`` -> a list); ``track`` is the older name of an integer
    ``person``. ``keypoint_format`` states the skeleton (must agree with the file's declaration); ``max_gap`` the
    longest run of skipped frames to interpolate. Errors are ``ValueError`` naming ``path`` and the field.
    """
    person = person if person is not None else (int(track) if track is not None else "auto")
    if isinstance(obj, list):
        if not obj:
            raise ValueError(f"{path}: empty keypoints list")
        return _from_entries(obj, path, person, keypoint_format, max_gap)
    if isinstance(obj, dict):
        if "keypoints_2d" in obj:
            seq = _from_own(obj, path, keypoint_format, max_gap)
            return [seq] if person == "all" else seq
        if "annotations" in obj:
            declared, _ = _declared_format(obj, path)
            anns = obj["annotations"]
            if not isinstance(anns, list):
                raise ValueError(f"{path}: `annotations` must be a list")
            anns = [a for a in anns if not (isinstance(a, dict) and a.get("num_keypoints", 1) == 0)]
            names = {im.get("id"): im.get("file_name") for im in obj.get("images") or [] if isinstance(im, dict)}
            used = [names.get(a.get("image_id")) for a in anns if isinstance(a, dict)]
            # images from different sequences (file names differing beyond a trailing frame number) are unrelated
            independent = bool(used) and None not in used and len({_sequence_prefix(n) for n in used}) > 1
            return _from_entries(
                anns, path, person, keypoint_format, max_gap, declared, _image_sizes(obj, path), independent
            )
        if "people" in obj and isinstance(obj["people"], list):  # OpenPose, one frame
            people = [p for p in obj["people"] if isinstance(p, dict) and p.get("pose_keypoints_2d")]
            if not people:
                raise ValueError(f"{path}: OpenPose file with no people (`people[].pose_keypoints_2d`)")
            entries = [{"image_id": 0, "keypoints": p["pose_keypoints_2d"]} for p in people]
            return _from_entries(entries, path, person, keypoint_format, max_gap)
    raise ValueError(
        f"{path}: unrecognised keypoints JSON (expected a list of COCO-results/AlphaPose entries with `keypoints`, a "
        f"COCO object with `annotations`, OpenPose `people`, or an object with `keypoints_2d`), got {type(obj).__name__}"
    )


def read_keypoints_json(
    path: str | os.PathLike,
    track: Any = None,
    *,
    person: Any = None,
    keypoint_format: str | None = None,
    max_gap: int | None = None,
) -> KeypointSequence | list[KeypointSequence]:
    """Read a keypoints JSON file into an H36M-17 :class:`KeypointSequence` (errors name the file).

    Non-standard JSON numbers (``NaN``, ``Infinity``) are read as missing keypoints, not refused.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"keypoints file not found: {path}")
    try:
        obj = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as err:
        raise ValueError(f"{path}: not valid JSON ({err})") from err
    return parse_keypoints(
        obj, os.fspath(path), track, person=person, keypoint_format=keypoint_format, max_gap=max_gap
    )


# ---------------------------------------------------------------------------------------------- image checks
#: Accepted image sides in pixels: below 16 px no pose model runs; 16384 px is twice 8K video's 7680 (and
#: the limit of common video codecs' levels), so larger values are typos or units mix-ups.
MIN_IMAGE_SIDE, MAX_IMAGE_SIDE = 16, 16384
#: A keypoint may lie outside the image by this fraction of the image side: top-down pose models predict
#: joints of people cut by the frame edge outside it (the real AlphaPose walking clip has feet 3 % below the
#: bottom edge; MMPose / VitPose crops pad the box by 25 %, i.e. ~12 % of a full-height box per side).
OUTSIDE_TOLERANCE = 0.10
#: Refuse when more than this fraction of the seen keypoints lies beyond the tolerance (a wrong image size);
#: fewer are treated as missing with a warning (isolated wild detections).
OUTSIDE_REFUSE_FRACTION = 0.05
#: More than this fraction of the keypoints outside the frame (at all) is suspicious: refused as "width and
#: height swapped" when fewer than ``OUTSIDE_REFUSE_FRACTION`` would lie outside the transposed size (the real
#: walking clip: 2 % outside 1812x1004, 43 % outside 1004x1812), else a warning (e.g. a half-body shot).
SWAP_OUTSIDE_FRACTION = 0.25
#: Warn when the person's median height (seen keypoints) is below this fraction of the image height.
SMALL_PERSON_FRACTION = 0.05


def check_image_size(size: Any, where: str) -> tuple[int, int]:
    """``(width, height)`` as two ints within [:data:`MIN_IMAGE_SIDE`, :data:`MAX_IMAGE_SIDE`], else ``ValueError``."""
    arr = np.asarray(size, dtype=np.float64).reshape(-1) if size is not None else np.zeros(0)
    if arr.shape != (2,) or not np.isfinite(arr).all() or (arr != np.round(arr)).any():
        raise ValueError(f"{where}: the image size must be two integers W H, got {size!r}")
    w, h = int(arr[0]), int(arr[1])
    if not (MIN_IMAGE_SIDE <= w <= MAX_IMAGE_SIDE and MIN_IMAGE_SIDE <= h <= MAX_IMAGE_SIDE):
        raise ValueError(
            f"{where}: image size {w}x{h} is outside [{MIN_IMAGE_SIDE}, {MAX_IMAGE_SIDE}] px per side; pass the real "
            "frame size with --image-size W H"
        )
    return w, h


def check_keypoints_in_image(
    keypoints: np.ndarray, seen: np.ndarray, sizes: np.ndarray, where: str
) -> tuple[np.ndarray, list[str]]:
    """Check pixel keypoints against their image, with the documented tolerance.

    Args:
        keypoints: ``(F, J, 2)`` pixels.
        seen: ``(F, J)`` keypoints that were detected (not missing).
        sizes: ``(F, 2)`` or ``(2,)`` image ``(w, h)``.
        where: file / argument for messages.

    Returns:
        ``(outside (F, J) bool, warnings)``: keypoints beyond :data:`OUTSIDE_TOLERANCE` of the image (the caller
        treats them as missing). Raises ``ValueError`` when more than :data:`OUTSIDE_REFUSE_FRACTION` of the seen
        keypoints are that far outside (a wrong size), or when width and height look swapped
        (:data:`SWAP_OUTSIDE_FRACTION`).
    """
    kp = np.asarray(keypoints, np.float64)
    wh = np.broadcast_to(np.asarray(sizes, np.float64).reshape(-1, 2), (kp.shape[0], 2))[:, None, :]
    seen = np.asarray(seen, bool)
    notes: list[str] = []

    def outside(dims: np.ndarray, tol: float) -> np.ndarray:
        return ((kp < -tol * dims) | (kp > (1 + tol) * dims)).any(-1) & seen

    far = outside(wh, OUTSIDE_TOLERANCE)
    n_seen = max(int(seen.sum()), 1)
    w0, h0 = int(wh[0, 0, 0]), int(wh[0, 0, 1])
    beyond = outside(wh, 0.0).sum() / n_seen  # fraction outside the frame at all
    beyond_swapped = outside(wh[..., ::-1], 0.0).sum() / n_seen
    swapped = w0 != h0 and beyond > SWAP_OUTSIDE_FRACTION and beyond_swapped < OUTSIDE_REFUSE_FRACTION
    if far.sum() > OUTSIDE_REFUSE_FRACTION * n_seen or swapped:
        hi = np.where(seen[..., None], kp, -np.inf).reshape(-1, 2).max(0)
        lo = np.where(seen[..., None], kp, np.inf).reshape(-1, 2).min(0)
        what = (
            f"{beyond:.0%} of the keypoints lie outside the {w0}x{h0} image but {beyond_swapped:.0%} outside "
            f"{h0}x{w0}: width and height look swapped"
            if swapped
            else f"{int(far.sum())} of {n_seen} keypoints lie more than {OUTSIDE_TOLERANCE:.0%} outside the {w0}x{h0} "
            "image: wrong image size?"
        )
        raise ValueError(
            f"{where}: {what} (keypoints x {lo[0]:.0f}..{hi[0]:.0f}, y {lo[1]:.0f}..{hi[1]:.0f}); pass the real "
            "frame size with --image-size W H"
        )
    if far.any():
        notes.append(
            f"{where}: {int(far.sum())} keypoints lie more than {OUTSIDE_TOLERANCE:.0%} outside the {w0}x{h0} image: "
            "treated as missing"
        )
    if beyond > SWAP_OUTSIDE_FRACTION:
        notes.append(
            f"{where}: {beyond:.0%} of the keypoints lie outside the {w0}x{h0} image: is the image size right?"
        )
    ys = np.where(seen, kp[..., 1], np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        height = np.nanmedian(np.nanmax(ys, 1) - np.nanmin(ys, 1)) if seen.any() else np.nan
    if np.isfinite(height) and height < SMALL_PERSON_FRACTION * h0:
        notes.append(
            f"{where}: the person spans only {height:.0f} px ({height / h0:.1%}) of the {h0} px image height: is the "
            "image size right?"
        )
    return far, notes


__all__ = [
    "MAX_IMAGE_SIDE",
    "MIN_IMAGE_SIDE",
    "OUTSIDE_TOLERANCE",
    "SWAP_OUTSIDE_FRACTION",
    "check_image_size",
    "check_keypoints_in_image",
    "KeypointFormat",
    "KeypointSequence",
    "MAX_INTERPOLATION_GAP",
    "fill_missing",
    "parse_keypoints",
    "read_keypoints_json",
]
