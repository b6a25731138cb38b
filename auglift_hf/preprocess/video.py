"""Video decoding with PyAV.

Why PyAV (over imageio-ffmpeg or OpenCV): its pip wheels bundle FFmpeg's libraries, so decoding works on a
fresh machine with no system FFmpeg and no GUI/codec packages (OpenCV wheels drop many codecs; imageio-ffmpeg
pipes raw frames from an ``ffmpeg`` subprocess and cannot seek without restarting it). PyAV gives direct access
to each frame's presentation timestamp, so frame indices are derived from timestamps rather than from a decode
counter, and it seeks to the key frame before a target time and decodes forward, which makes seeking
frame-accurate: a resumed or distributed shard starting at frame ``k`` decodes exactly frame ``k``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import numpy as np

VIDEO_EXTENSIONS = (".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg")


class VideoReader:
    """Random access to the frames of one video file.

    ``len(reader)`` is the number of frames, ``reader.fps`` the average frame rate, ``reader.size`` the
    ``(width, height)``; ``reader.iter_frames(start, stop)`` yields ``(index, (H, W, 3) uint8 RGB, seconds)``.
    Errors name the file: ``FileNotFoundError`` when it is missing, ``ValueError`` when it cannot be decoded.
    """

    def __init__(self, path: str | os.PathLike):
        import av

        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"video file not found: {self.path}")
        try:
            with av.open(os.fspath(self.path)) as container:
                if not container.streams.video:
                    raise ValueError("no video stream")
                stream = container.streams.video[0]
                rate = stream.average_rate or stream.guessed_rate or stream.base_rate
                if not rate:
                    raise ValueError("unknown frame rate")
                self._rate = Fraction(rate)
                self._time_base = Fraction(stream.time_base)
                self._start = stream.start_time or 0
                self.size = (int(stream.codec_context.width), int(stream.codec_context.height))
                num = int(stream.frames or 0)
                if num <= 0:  # container without a frame count: count packets (no decoding)
                    num = sum(1 for p in container.demux(stream) if p.size)
            if num <= 0 or self.size[0] <= 0 or self.size[1] <= 0:
                raise ValueError(f"no decodable frames (frames={num}, size={self.size})")
        except (av.error.FFmpegError, ValueError, IndexError) as err:
            raise ValueError(f"cannot decode video {self.path}: {err}") from err
        self.num_frames = num

    @property
    def fps(self) -> float:
        return float(self._rate)

    def __len__(self) -> int:
        return self.num_frames

    def _index(self, pts: int | None, fallback: int) -> int:
        if pts is None:
            return fallback
        return int(round(float((pts - self._start) * self._time_base * self._rate)))

    def iter_frames(self, start: int = 0, stop: int | None = None) -> Iterator[tuple[int, np.ndarray, float]]:
        """Decode frames ``start <= index < stop`` in order: ``(index, (H, W, 3) uint8, time in seconds)``.

        Seeks to the key frame at or before ``start`` and decodes forward, discarding earlier frames.
        Raises ``ValueError`` naming the file (and the frame) when decoding fails part-way.
        """
        import av

        stop = self.num_frames if stop is None else min(stop, self.num_frames)
        if start >= stop:
            return
        expected = start
        try:
            with av.open(os.fspath(self.path)) as container:
                stream = container.streams.video[0]
                stream.thread_type = "AUTO"
                if start > 0:
                    target = self._start + int(start / self._rate / self._time_base)
                    container.seek(target, stream=stream, backward=True, any_frame=False)
                counter = 0 if start == 0 else None
                for frame in container.decode(stream):
                    idx = self._index(frame.pts, counter if counter is not None else expected)
                    if counter is not None:
                        counter += 1
                    if idx < expected:
                        continue
                    if idx >= stop:
                        break
                    expected = idx + 1
                    yield idx, frame.to_ndarray(format="rgb24"), float(frame.time or 0.0)
        except av.error.FFmpegError as err:
            raise ValueError(f"cannot decode video {self.path} at frame {expected}: {err}") from err

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
