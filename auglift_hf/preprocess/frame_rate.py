"""Frame-rate matching: feed a temporal lifter its training frame rate, return one 3D pose per input frame.

A temporal lifter sees a fixed number of consecutive frames (TCN 27, PoseFormer 9, MotionBERT 243). Trained on
Human3.6M at 25 Hz, a 27-frame window covers 1.08 s of motion; a 60 fps video fed frame by frame would give it
0.45 s windows of motion 2.4x slower than anything it saw. The lifter's input contract records its rate
(``frame_rate``, :mod:`auglift_hf.contract`); every entry point that knows the input's rate
(:func:`plan_frame_rate`) resamples the 2D sequence to it, lifts, and resamples the 3D back to the input's frame
times (:func:`lift_at_frame_rate`), so the output keeps exactly one pose per input frame, in the input's order.

Time axis: frame ``i`` of a constant-rate sequence at ``fps`` Hz lies at ``i / fps`` seconds (the first frame at
0). Resampling is linear interpolation in time between the two neighbouring source frames (coordinates in pixels,
depth in metres or relative units, 3D in metres); at the ends the first / last source frame is held (never
extrapolated). Flags and scores follow the rule "a resampled value is missing if either neighbour it is mixed
from is missing" (:func:`resample_sequence` ``kind``). Everything here is pure, vectorised numpy.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..contract import FRAME_RATE_TOLERANCE as RATE_TOLERANCE  # 1 %: rates closer than this are not resampled
from ..contract import rates_agree

_SNAP = 1e-6  # positions within this many source frames of a source frame take that frame exactly

RESAMPLE_KINDS = ("linear", "score", "missing", "valid")


def check_fps(value: Any, name: str = "fps") -> float | None:
    """An input frame rate in Hz as a finite float ``> 0`` or ``None`` (unknown); else a one-line ``ValueError``."""
    from ..contract import check_frame_rate

    return check_frame_rate(value, where="input", name=name)


def resampled_length(num_frames: int, src_fps: float, dst_fps: float) -> int:
    """Frames of a ``dst_fps`` grid within the span of ``num_frames`` frames at ``src_fps`` (none extrapolated)."""
    return int(math.floor((int(num_frames) - 1) * float(dst_fps) / float(src_fps) + _SNAP)) + 1


#: Most frames a sequence is resampled to for lifting (5.6 h at 25 Hz). An input rate that needs more (e.g. 44
#: frames stated at 0.001 fps: 1.07 M frames) is refused rather than interpolated for minutes into gigabytes.
MAX_RESAMPLED_FRAMES = 500_000


def check_resampled_length(num_frames: int, src_fps: float, dst_fps: float) -> int:
    """The resampled length of ``num_frames`` frames at ``src_fps`` on a ``dst_fps`` grid, refused when a
    sequence of >= 2 frames would collapse to < 2 frames (a rate far too high: every pose the same) or exceed
    :data:`MAX_RESAMPLED_FRAMES` (a rate far too low). One-line ``ValueError`` naming the input rate."""
    n = int(num_frames)
    m = resampled_length(n, src_fps, dst_fps)
    span = (n - 1) / float(src_fps)
    if n >= 2 and m < 2:
        raise ValueError(
            f"input frame rate {src_fps:g} Hz (--fps / the file's fps): its {n} frames span {span:.3g} s, which is "
            f"{m} frame at the lifter's {dst_fps:g} Hz (needs >= 2); is the frame rate right?"
        )
    if m > MAX_RESAMPLED_FRAMES:
        raise ValueError(
            f"input frame rate {src_fps:g} Hz (--fps / the file's fps): its {n} frames span {span:.3g} s, which is "
            f"{m:,} frames at the lifter's {dst_fps:g} Hz (at most {MAX_RESAMPLED_FRAMES:,}); is the frame rate right?"
        )
    return m


def resampling_weights(
    num_frames: int, src_fps: float, dst_fps: float, num_out: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where each output frame of a ``dst_fps`` grid falls between the frames of a ``src_fps`` sequence.

    Args:
        num_frames: ``N`` source frames, frame ``i`` at ``i / src_fps`` seconds.
        src_fps, dst_fps: source and output rates (Hz, > 0).
        num_out: ``M`` output frames, frame ``k`` at ``k / dst_fps`` seconds; default: every output time within
            the source's span, ``floor((N - 1) * dst_fps / src_fps) + 1`` (so no output frame is extrapolated).
            Output times past the last source frame hold it.

    Returns:
        ``left (M,) int64``, ``right (M,) int64``, ``weight (M,) float64`` in ``[0, 1)``: output ``k`` is
        ``(1 - weight) * source[left] + weight * source[right]``; ``weight == 0`` (and ``right == left``) where
        the output time coincides with a source frame (within 1e-6 frames) or lies outside the source's span.
    """
    n = int(num_frames)
    if n < 1:
        raise ValueError(f"resampling needs at least one frame, got {num_frames}")
    src, dst = float(src_fps), float(dst_fps)
    if not (math.isfinite(src) and src > 0 and math.isfinite(dst) and dst > 0):
        raise ValueError(f"frame rates must be finite and > 0, got {src_fps} -> {dst_fps}")
    if num_out is None:
        num_out = resampled_length(n, src, dst)
    pos = np.arange(int(num_out), dtype=np.float64) * (src / dst)  # output times in source frames
    near = np.rint(pos)
    pos = np.clip(np.where(np.abs(pos - near) <= _SNAP, near, pos), 0.0, n - 1)
    left = np.floor(pos).astype(np.int64)
    weight = pos - left
    right = np.where(weight > 0, np.minimum(left + 1, n - 1), left)
    return left, right, weight


def resample_sequence(
    values: Any,
    src_fps: float,
    dst_fps: float,
    num_out: int | None = None,
    kind: str = "linear",
    missing: Any = None,
) -> np.ndarray:
    """Resample a constant-rate sequence ``(N, ...)`` from ``src_fps`` to ``dst_fps`` Hz along its first axis.

    Args:
        values: ``(N, ...)`` per-frame values, frame ``i`` at ``i / src_fps`` s, e.g. keypoints ``(N, 17, 2)``
            pixels, depth ``(N, 17, k)``, scores ``(N, 17)``, 3D poses ``(N, 17, 3)`` metres, flags ``(N,)`` /
            ``(N, 17)`` bool.
        src_fps, dst_fps: rates in Hz (> 0).
        num_out: number of output frames ``M`` (default: the output times within the source's span, see
            :func:`resampling_weights`); frame ``k`` is at ``k / dst_fps`` s.
        kind: how values mix between the two neighbouring source frames:

            * ``"linear"``: linear interpolation in time (coordinates, depth, 3D); a NaN neighbour that contributes
              gives NaN (missing depth stays missing);
            * ``"score"``: linear interpolation of confidences, but 0 where either contributing neighbour is
              missing (score <= 0, or ``missing`` True): an interpolated joint is only as present as both sides;
            * ``"missing"``: bool flags, True where either contributing neighbour is True (missing joints/frames);
            * ``"valid"``: bool flags, True only where every contributing neighbour is True (valid frames).
        missing: for ``kind="score"``, optional ``(N, ...)`` bool flags of missing values (default ``values <= 0``).

    Returns:
        ``(M, ...)``: float arrays keep their dtype (float32 stays float32), flags are bool. With equal rates and
        the default ``num_out`` the input is returned unchanged (as a copy).
    """
    if kind not in RESAMPLE_KINDS:
        raise ValueError(f"`kind` must be one of {list(RESAMPLE_KINDS)}, got {kind!r}")
    arr = np.asarray(values)
    if arr.ndim < 1 or arr.shape[0] < 1:
        raise ValueError(f"`values` must have shape (frames, ...) with frames >= 1, got {arr.shape}")
    left, right, weight = resampling_weights(arr.shape[0], src_fps, dst_fps, num_out)
    mixed = weight > 0  # output frames made from two source frames
    if kind in ("missing", "valid"):
        flags = arr.astype(bool)
        mix_shape = (-1,) + (1,) * (flags.ndim - 1)
        both = flags[left] | flags[right] if kind == "missing" else flags[left] & flags[right]
        return np.where(mixed.reshape(mix_shape), both, flags[left])
    dtype = arr.dtype if arr.dtype.kind == "f" else np.float64
    a, b = arr[left].astype(np.float64), arr[right].astype(np.float64)
    w = weight.reshape((-1,) + (1,) * (arr.ndim - 1))
    with np.errstate(invalid="ignore"):
        out = np.where(w > 0, (1.0 - w) * a + w * b, a)  # exact frames never touch (a NaN) right neighbour
    if kind == "score":
        gone = arr <= 0 if missing is None else np.asarray(missing, bool)
        gone = resample_sequence(gone, src_fps, dst_fps, num_out, kind="missing")
        out = np.where(gone, 0.0, out)
    return out.astype(dtype)


@dataclass(frozen=True)
class FrameRatePlan:
    """What an entry point does about frame rates for one input sequence.

    Attributes:
        input_fps: the input's rate (Hz), ``None`` when unknown.
        lifter_fps: the lifter's ``frame_rate`` (Hz), ``None`` for a single-frame lifter or when not recorded.
        resample: whether the 2D is resampled to ``lifter_fps`` (both known, differing by more than
            :data:`RATE_TOLERANCE`).
        note: a one-line warning for the entry point to emit once per input (unknown input rate for a lifter that
            records one, or a temporal lifter without ``frame_rate``), else ``None``.
    """

    input_fps: float | None
    lifter_fps: float | None
    resample: bool
    note: str | None = None

    def metadata(self, num_frames: int) -> dict[str, Any] | None:
        """The output record of a resampling of ``num_frames`` input frames (``None`` when nothing was resampled)."""
        if not self.resample:
            return None
        lifted = resampled_length(num_frames, self.input_fps, self.lifter_fps)
        return {
            "input_fps": float(self.input_fps),
            "lifter_fps": float(self.lifter_fps),
            "input_frames": int(num_frames),
            "lifted_frames": lifted,
            "method": "2D linearly interpolated in time to the lifter's frame rate, 3D interpolated back to the "
            "input's frame times (one pose per input frame)",
        }


def plan_frame_rate(
    processor: Any, input_fps: Any, lifter: str = "the lifter", fps_hint: str = "fps="
) -> FrameRatePlan:
    """Decide how to feed ``processor``'s lifter an input of ``input_fps`` Hz.

    Args:
        processor: the lifter's :class:`~auglift_hf.PoseLiftingProcessor` (``num_frames``, ``frame_rate``).
        input_fps: the input sequence's rate in Hz, ``None`` when unknown (checked: finite and > 0).
        lifter: the lifter's name for the note.
        fps_hint: how the caller states an input rate (``"--fps"`` on the command line), for the note.

    Returns:
        A :class:`FrameRatePlan`. Single-frame lifters are never resampled and never warn.
    """
    from ..contract import frame_rate_for

    fps = check_fps(input_fps)
    lifter_fps, note = frame_rate_for(processor, lifter)
    if int(getattr(processor, "num_frames", 1) or 1) <= 1:
        return FrameRatePlan(fps, None, False)
    if lifter_fps is None:
        return FrameRatePlan(fps, None, False, note)
    if fps is None:
        return FrameRatePlan(None, lifter_fps, False, (
            f"{lifter} expects {lifter_fps:g} Hz input (`frame_rate` of its input contract, {int(processor.num_frames)}"
            f"-frame windows) but the input's frame rate is unknown: lifted frame by frame as given; state the rate "
            f"with {fps_hint} to have it resampled"
        ))  # fmt: skip
    return FrameRatePlan(fps, lifter_fps, not rates_agree(fps, lifter_fps))


def lift_at_frame_rate(
    lift: Callable[..., np.ndarray],
    keypoints_2d: np.ndarray,
    scores: np.ndarray | None,
    depth: np.ndarray | None,
    input_fps: float,
    lifter_fps: float,
) -> np.ndarray:
    """Lift a sequence at the lifter's rate and return one 3D pose per input frame.

    Args:
        lift: ``lift(keypoints_2d, scores, depth) -> (M, 17, 3)``, the lifter on an ``M``-frame sequence.
        keypoints_2d: ``(N, 17, 2)`` pixels at ``input_fps`` Hz.
        scores: ``(N, 17)`` confidences (0 = missing joint) or ``None``.
        depth: ``(N, 17, k)`` depth descriptors (NaN = missing) or ``None``.
        input_fps, lifter_fps: the input's and the lifter's rates (Hz).

    Returns:
        ``(N, 17, 3)`` float32: the lifter's output at ``lifter_fps`` interpolated back to the input's frame times
        (the root-relative units the lifter outputs, e.g. metres).
    """
    n = len(keypoints_2d)
    check_resampled_length(n, input_fps, lifter_fps)
    kp = resample_sequence(keypoints_2d, input_fps, lifter_fps)
    sc = None if scores is None else resample_sequence(scores, input_fps, lifter_fps, kind="score")
    dp = None if depth is None else resample_sequence(depth, input_fps, lifter_fps)
    poses = np.asarray(lift(kp, sc, dp))
    if poses.shape[0] != kp.shape[0]:
        raise ValueError(f"the lifter returned {poses.shape[0]} poses for {kp.shape[0]} resampled frames")
    return resample_sequence(poses, lifter_fps, input_fps, num_out=n).astype(np.float32)


__all__ = [
    "MAX_RESAMPLED_FRAMES",
    "RATE_TOLERANCE",
    "check_resampled_length",
    "FrameRatePlan",
    "check_fps",
    "lift_at_frame_rate",
    "plan_frame_rate",
    "rates_agree",
    "resample_sequence",
    "resampled_length",
    "resampling_weights",
]
