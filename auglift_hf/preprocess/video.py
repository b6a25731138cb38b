"""Video decoding with PyAV: frames as users shot them (orientation, real timestamps, decode failures).

Why PyAV (over imageio-ffmpeg or OpenCV): its pip wheels bundle FFmpeg's libraries, so decoding works on a
fresh machine with no system FFmpeg and no GUI/codec packages (OpenCV wheels drop many codecs; imageio-ffmpeg
pipes raw frames from an ``ffmpeg`` subprocess and cannot seek without restarting it). PyAV gives direct access
to each frame's presentation timestamp and side data, and seeks to the key frame before a target time.

Conventions (what :class:`VideoReader` guarantees):

* **Frame numbers are positions in presentation order**: frame ``k`` is the ``k``-th frame the file holds
  (its packets' timestamps sorted), never ``round(pts x average rate)``. A variable-frame-rate clip therefore
  keeps every real frame and invents none. Seeking to frame ``k`` decodes exactly frame ``k`` (resumed /
  distributed shards).
* **A frame's time** (``reader.timestamps[k]``, :attr:`DecodedFrame.time`) is its presentation timestamp minus
  the presentation timestamp of the **first frame the decoder outputs**, in seconds: frame 0 is at 0 s whatever
  the container's start offset (an MP4 edit list, a Matroska stream starting at 0.2 s, codec delay, an AVI with
  B-frames whose first pts is 1). Packets the demuxer marks for discarding (before an edit list's start) and
  packets before the first decoded frame are not frames of the clip. This is the one definition of a video
  frame's time in the package: ``lift``, ``preprocess`` and the dataset join (:mod:`auglift_hf.data.media`)
  all read it from here.
* **Orientation as displayed**: the display matrix a phone writes (``AV_FRAME_DATA_DISPLAYMATRIX`` side data,
  or the legacy ``rotate`` stream tag) is applied to every frame exactly as FFmpeg's ``-autorotate`` does
  (``fftools/ffmpeg_filter.c``: ``transpose`` / ``hflip`` / ``vflip`` chosen from the matrix), so a portrait
  clip reaches the detector upright and ``reader.size`` is the displayed ``(width, height)``.
* **Decode failures are reported, never skipped silently**: :meth:`VideoReader.decode` yields one
  :class:`DecodedFrame` per frame in the range, with ``image=None`` and ``error`` set for a frame that could
  not be decoded; frames the container declares but does not hold (a truncated file) are counted in
  ``reader.missing_frames`` and listed in ``reader.problems``.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import os
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import numpy as np

VIDEO_EXTENSIONS = (".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg")

#: Relative spread of the frame intervals under which a clip counts as constant-frame-rate: 10 % covers the
#: rounding of timestamps to a coarse time base (e.g. 1/90000 s or NTSC's 1001/30000 s) and never hides a
#: dropped or duplicated frame (which changes one interval by >= 50 % at any rate).
CFR_TOLERANCE = 0.10


@dataclasses.dataclass
class DecodedFrame:
    """One frame of a :meth:`VideoReader.decode` range: ``image`` ``(H, W, 3)`` uint8 RGB as displayed, or
    ``None`` with ``error`` set; ``time`` in seconds from the first decoded frame (real, or estimated for a
    missing frame at the nominal rate)."""

    index: int
    image: np.ndarray | None
    time: float
    error: str = ""


def orientation_ops(matrix: np.ndarray | None, rotate_tag: float = 0.0) -> tuple[str, ...]:
    """The image operations that display a frame, from its 3x3 display matrix (FFmpeg's int32 16.16 layout).

    Follows FFmpeg's autorotate (``fftools/ffmpeg_filter.c`` with ``get_rotation`` of ``cmdutils.c``):
    ``theta = -av_display_rotation_get(m)`` wrapped to ``[0, 360)``; 90 -> ``transpose=clock`` (or
    ``cclock_flip`` when ``m[3] > 0``), 180 -> ``hflip`` if ``m[0] < 0`` then ``vflip`` if ``m[4] < 0``,
    270 -> ``transpose=cclock`` (or ``clock_flip`` when ``m[3] < 0``), 0 -> ``vflip`` if ``m[4] < 0``.
    Without a matrix, the legacy ``rotate`` tag (clockwise degrees) is used. Returns names of
    :func:`apply_orientation` operations. Non-right angles are refused (no such phone output exists).
    """
    if matrix is not None:
        m = np.asarray(matrix, np.float64).reshape(9)
        s0, s1 = math.hypot(m[0], m[3]), math.hypot(m[1], m[4])
        if s0 == 0 or s1 == 0:
            return ()
        theta = -round(-math.degrees(math.atan2(m[1] / s1, m[0] / s0)))  # -av_display_rotation_get
    else:
        m = None
        theta = float(rotate_tag)
    theta -= 360 * math.floor(theta / 360 + 0.9 / 360)
    if abs(theta - 90) < 1:
        return ("cclock_flip",) if m is not None and m[3] > 0 else ("clock",)
    if abs(theta - 180) < 1:
        if m is None:
            return ("hflip", "vflip")
        return tuple(op for op, on in (("hflip", m[0] < 0), ("vflip", m[4] < 0)) if on)
    if abs(theta - 270) < 1:
        return ("clock_flip",) if m is not None and m[3] < 0 else ("cclock",)
    if abs(theta) < 1:
        return ("vflip",) if m is not None and m[4] < 0 else ()
    raise ValueError(f"unsupported display rotation {theta:.1f} degrees (only multiples of 90 are supported)")


def apply_orientation(image: np.ndarray, ops: tuple[str, ...]) -> np.ndarray:
    """Apply FFmpeg ``transpose`` / ``hflip`` / ``vflip`` operations to an ``(H, W, C)`` array (a view when possible)."""
    for op in ops:
        if op == "clock":  # rotate 90 degrees clockwise
            image = np.rot90(image, -1)
        elif op == "cclock":  # 90 counter-clockwise
            image = np.rot90(image, 1)
        elif op == "cclock_flip":  # 90 counter-clockwise then vertical flip = transpose
            image = image.swapaxes(0, 1)
        elif op == "clock_flip":  # 90 clockwise then vertical flip = anti-transpose
            image = np.rot90(image, -1)[::-1]
        elif op == "hflip":
            image = image[:, ::-1]
        elif op == "vflip":
            image = image[::-1]
        else:
            raise ValueError(f"unknown orientation operation {op!r}")
    return np.ascontiguousarray(image)


def _display_matrix(frame) -> np.ndarray | None:  # noqa: ANN001 - av.VideoFrame
    import av

    for sd in frame.side_data:
        if sd.type == av.sidedata.sidedata.Type.DISPLAYMATRIX:
            data = bytes(sd)
            if len(data) == 36:
                return np.frombuffer(data, "<i4").astype(np.int64)
    return None


@functools.lru_cache(maxsize=32)
def _scan(path: str, size: int, mtime_ns: int) -> dict:
    """Demux (no decoding) once per file version: packet timestamps, declared count, first-frame geometry."""
    import av

    problems: list[str] = []
    with av.open(path) as container:
        if not container.streams.video:
            raise ValueError("no video stream")
        stream = container.streams.video[0]
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        if not rate:
            raise ValueError("unknown frame rate")
        time_base = Fraction(stream.time_base) if stream.time_base else Fraction(1, 1)
        declared = int(stream.frames or 0)
        rotate_tag = float(stream.metadata.get("rotate", 0) or 0)
        pts: list[int | None] = []  # of the packets that hold a frame (not marked for discarding)
        skipped = 0
        try:
            for packet in container.demux(stream):
                if not packet.size:
                    continue
                if packet.is_discard:  # an edit list's pre-roll: the decoder drops these frames
                    skipped += 1
                    continue
                pts.append(None if packet.pts is None else int(packet.pts))
        except av.error.FFmpegError as err:
            problems.append(f"reading stopped after {len(pts)} packets ({err})")
    with av.open(path) as container:  # geometry and timestamp of the first decodable frame
        stream = container.streams.video[0]
        first = None
        try:
            for frame in container.decode(stream):
                first = frame
                break
        except av.error.FFmpegError as err:
            raise ValueError(f"the first frame cannot be decoded ({err})") from err
        if first is None:
            raise ValueError("no decodable frames")
        matrix = _display_matrix(first)
        coded = (int(first.width), int(first.height))
    origin = None if first.pts is None or None in pts else int(first.pts)
    unique = sorted({p for p in pts if p is not None and origin is not None and p >= origin})
    if origin is None or len(unique) != sum(p >= origin for p in pts if p is not None):
        unique = []  # timestamps missing or repeated (raw streams, some AVI): number frames by decode order
    num = len(unique) if unique else len(pts)
    if unique:
        skipped += sum(p < origin for p in pts if p is not None)  # never output by the decoder
    declared = max(declared - skipped, 0) if declared else 0  # the container counts the pre-roll too
    if declared > num:
        problems.append(f"the container declares {declared} frames but holds {num} (truncated file?)")
    return {
        "rate": Fraction(rate), "time_base": time_base, "origin": origin or 0, "pts": unique, "num": num,
        "declared": declared, "matrix": matrix, "rotate_tag": rotate_tag, "coded": coded, "problems": problems,
    }  # fmt: skip


class VideoReader:
    """Random access to the frames of one video file, as displayed and with real timestamps.

    Attributes: ``len(reader)`` frames present in the file; ``reader.fps`` the container's nominal (average)
    rate; ``reader.size`` the **displayed** ``(width, height)`` (rotation applied; ``reader.coded_size`` is the
    stored one); ``reader.timestamps`` ``(frames,)`` seconds; ``reader.orientation`` the operations applied
    (see :func:`orientation_ops`); ``reader.missing_frames`` frames the container declares but does not hold;
    ``reader.problems`` human-readable notes about those. Errors name the file: ``FileNotFoundError`` when it is
    missing, ``ValueError`` when it cannot be decoded at all.
    """

    def __init__(self, path: str | os.PathLike):
        import av

        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"video file not found: {self.path}")
        st = self.path.stat()
        try:
            info = _scan(os.fspath(self.path.resolve()), st.st_size, st.st_mtime_ns)
            self.orientation = orientation_ops(info["matrix"], info["rotate_tag"])
        except (av.error.FFmpegError, ValueError, IndexError, OSError) as err:
            raise ValueError(f"cannot decode video {self.path}: {err}") from err
        self._rate: Fraction = info["rate"]
        self._time_base: Fraction = info["time_base"]
        self._origin: int = info["origin"]  # pts of the first decoded frame = time 0
        self._pts: list[int] = info["pts"]
        self._pts_index = {p: i for i, p in enumerate(self._pts)}
        self.num_frames: int = info["num"]
        self.declared_frames: int = info["declared"]
        self.missing_frames = max(0, self.declared_frames - self.num_frames)
        self.problems: list[str] = list(info["problems"])
        self.coded_size: tuple[int, int] = info["coded"]
        self._matrix = info["matrix"]
        self._rotate_tag = info["rotate_tag"]
        transposed = any(op in ("clock", "cclock", "clock_flip", "cclock_flip") for op in self.orientation)
        self.size = self.coded_size[::-1] if transposed else self.coded_size
        if self.num_frames <= 0 or min(self.size) <= 0:
            raise ValueError(f"cannot decode video {self.path}: no decodable frames")
        if self._pts:
            self.timestamps = np.array([float((p - self._origin) * self._time_base) for p in self._pts], np.float64)
        else:
            self.timestamps = np.arange(self.num_frames, dtype=np.float64) / float(self._rate)

    @property
    def fps(self) -> float:
        """The container's nominal (average) frame rate."""
        return float(self._rate)

    def is_constant_rate(self, tolerance: float = CFR_TOLERANCE) -> bool:
        """True when every frame interval is within ``tolerance`` (relative) of the median interval."""
        if self.num_frames < 3:
            return True
        dt = np.diff(self.timestamps)
        med = float(np.median(dt))
        return med > 0 and bool(np.all(np.abs(dt - med) <= tolerance * med))

    def __len__(self) -> int:
        return self.num_frames

    def _oriented(self, frame) -> np.ndarray:  # noqa: ANN001 - av.VideoFrame
        matrix = _display_matrix(frame)
        ops = self.orientation if matrix is None else orientation_ops(matrix)
        return apply_orientation(frame.to_ndarray(format="rgb24"), ops)

    def _time(self, index: int) -> float:
        if index < self.num_frames:
            return float(self.timestamps[index])
        last = float(self.timestamps[-1]) if self.num_frames else 0.0
        return last + (index - self.num_frames + 1) / float(self._rate)  # a declared but absent frame

    def decode(self, start: int = 0, stop: int | None = None) -> Iterator[DecodedFrame]:
        """One :class:`DecodedFrame` per frame ``start <= index < stop``, in order, never raising on bad data.

        ``stop`` may reach ``len(reader) + reader.missing_frames`` (the declared count) to report the absent
        tail of a truncated file. Packets that fail to decode mark their frames with ``error``; decoding goes on.
        """
        import av

        total = self.num_frames + self.missing_frames
        stop = total if stop is None else min(stop, total)
        if start >= stop:
            return
        expected = start
        last_error = ""
        counter = 0 if (start == 0 or not self._pts) else None  # without timestamps: count from the first frame
        try:
            with av.open(os.fspath(self.path)) as container:
                stream = container.streams.video[0]
                stream.thread_type = "AUTO"
                if 0 < start < self.num_frames and self._pts:  # seek by the frame's own timestamp
                    container.seek(self._pts[start], stream=stream, backward=True, any_frame=False)
                done = False
                for packet in container.demux(stream):
                    try:
                        frames = packet.decode()
                    except av.error.FFmpegError as err:
                        last_error = str(err)
                        continue
                    for frame in frames:
                        if frame.pts is not None and self._pts:
                            idx = self._pts_index.get(int(frame.pts))
                        else:
                            idx = counter
                        if counter is not None:
                            counter += 1
                        if idx is None or idx < expected:
                            continue
                        if idx >= stop:
                            done = True
                            break
                        for missing in range(expected, idx):
                            yield self._failed(missing, last_error)
                        if getattr(frame, "is_corrupt", False):
                            yield self._failed(idx, "the decoder flagged the frame as corrupt")
                        else:
                            yield DecodedFrame(idx, self._oriented(frame), self._time(idx))
                        expected = idx + 1
                    if done:
                        break
        except av.error.FFmpegError as err:
            last_error = str(err)
        for missing in range(expected, stop):
            yield self._failed(missing, last_error)

    def _failed(self, index: int, error: str) -> DecodedFrame:
        why = error or (
            "absent from the file (truncated?)" if index >= self.num_frames else "not produced by the decoder"
        )
        return DecodedFrame(index, None, self._time(index), f"cannot decode video {self.path}: frame {index}: {why}")

    def iter_frames(self, start: int = 0, stop: int | None = None) -> Iterator[tuple[int, np.ndarray, float]]:
        """The decodable frames ``start <= index < stop`` as ``(index, (H, W, 3) uint8 RGB as displayed, seconds)``.

        Frames that fail to decode are left out (use :meth:`decode` to see them).
        """
        stop = self.num_frames if stop is None else min(stop, self.num_frames)
        for f in self.decode(start, stop):
            if f.image is not None:
                yield f.index, f.image, f.time

    def read(self, indices: list[int]) -> list[np.ndarray]:
        """Frames at the given (sorted or not) indices; raises ``IndexError`` for an index out of range."""
        for i in indices:
            if not 0 <= i < self.num_frames:
                raise IndexError(f"{self.path}: frame {i} out of range [0, {self.num_frames})")
        if not indices:
            return []
        wanted = set(indices)
        got = {i: im for i, im, _ in self.iter_frames(min(indices), max(indices) + 1) if i in wanted}
        missing = wanted - set(got)
        if missing:
            raise ValueError(f"cannot decode video {self.path}: frames {sorted(missing)[:5]} missing")
        return [got[i] for i in indices]


def resample_constant_rate(
    timestamps: np.ndarray, fps: float, tolerance: float = 0.25
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A constant-rate time grid over real frame times, and how to interpolate onto it.

    Args:
        timestamps: ``(N,)`` increasing source frame times in seconds.
        fps: the output rate (frames per second).
        tolerance: a grid time within ``tolerance / fps`` of a source frame takes that frame as it is.

    Returns:
        ``times (M,)`` grid seconds (from the first source frame), ``left (M,)`` / ``weight (M,)`` (value =
        ``(1 - weight) * source[left] + weight * source[left + 1]``; ``weight`` 0 for exact frames) and
        ``interpolated (M,)`` bool (no source frame within the tolerance).
    """
    t = np.asarray(timestamps, np.float64)
    if t.ndim != 1 or len(t) == 0 or not np.all(np.diff(t) > 0):
        raise ValueError("`timestamps` must be a non-empty increasing 1D array")
    if not fps > 0:
        raise ValueError(f"`fps` must be > 0, got {fps}")
    count = int(np.floor((t[-1] - t[0]) * fps + 1e-6)) + 1
    times = t[0] + np.arange(count) / fps
    right = np.clip(np.searchsorted(t, times, side="left"), 0, len(t) - 1)
    left = np.clip(right - 1, 0, len(t) - 1)
    nearest = np.where(np.abs(t[right] - times) <= np.abs(times - t[left]), right, left)
    exact = np.abs(t[nearest] - times) <= tolerance / fps
    lo = np.clip(np.searchsorted(t, times, side="right") - 1, 0, max(len(t) - 2, 0))
    span = t[np.minimum(lo + 1, len(t) - 1)] - t[lo]
    weight = np.where(span > 0, (times - t[lo]) / np.where(span > 0, span, 1.0), 0.0)
    weight = np.clip(weight, 0.0, 1.0)
    lo = np.where(exact, nearest, lo)
    weight = np.where(exact, 0.0, weight)
    return times, lo.astype(np.int64), weight, ~exact
