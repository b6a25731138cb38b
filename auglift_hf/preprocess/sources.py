"""Inputs of the preprocessing run: image files, image folders (one sequence each) and videos.

:func:`discover_sources` turns command-line paths into an ordered list of :class:`Source` (deterministic:
sorted names, so every process of a distributed run sees the same list); :func:`iter_frames` decodes a
frame range of one source, yielding a per-frame error instead of raising so the rest of the run goes on.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ._hf import load_image
from .video import VIDEO_EXTENSIONS, VideoReader

logger = logging.getLogger(__name__)

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")


def _natural_key(name: str) -> list[Any]:
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", name)]


@dataclasses.dataclass
class Source:
    """One sequence: a video file or an ordered list of image files.

    ``subject`` / ``action`` are the canonical table ids (the first folder below the dataset root, and the
    rest of the relative path without extension); ``error`` is set when the source cannot be opened at all.
    """

    path: str
    kind: str  # "video" | "images"
    subject: str
    action: str
    num_frames: int
    fps: float
    files: list[str] = dataclasses.field(default_factory=list)
    error: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _ids(rel: Path) -> tuple[str, str]:
    parts = rel.with_suffix("").parts if rel.suffix else rel.parts
    if len(parts) > 1:
        return parts[0], "/".join(parts[1:])
    return "", "/".join(parts) if parts else ""


def _video_source(path: Path, rel: Path) -> Source:
    subject, action = _ids(rel)
    try:
        reader = VideoReader(path)
        for problem in reader.problems:
            logger.warning("%s: %s", path, problem)
        return Source(os.fspath(path), "video", subject, action, len(reader), reader.fps)
    except (ValueError, FileNotFoundError) as err:
        return Source(os.fspath(path), "video", subject, action, 0, 0.0, error=str(err))


def discover_sources(inputs: list[str | os.PathLike], fps: float = 0.0) -> list[Source]:
    """Paths -> sources. A directory is walked recursively: every folder holding images becomes one image
    sequence (frames in natural name order) and every video file one video sequence; a single image file is
    a one-frame sequence. ``fps`` is recorded for image sequences (0 = unknown)."""
    sources: list[Source] = []
    for item in inputs:
        path = Path(item)
        if not path.exists():
            raise FileNotFoundError(f"input not found: {path}")
        if path.is_file():
            ext = path.suffix.lower()
            if ext in VIDEO_EXTENSIONS:
                sources.append(_video_source(path, Path(path.name)))
            elif ext in IMAGE_EXTENSIONS:
                sources.append(Source(os.fspath(path), "images", "", path.stem, 1, fps, [os.fspath(path)]))
            else:
                raise ValueError(f"{path}: not an image ({IMAGE_EXTENSIONS}) or video ({VIDEO_EXTENSIONS}) file")
            continue
        found = False
        for dirpath, dirnames, filenames in os.walk(path):
            dirnames.sort(key=_natural_key)
            d = Path(dirpath)
            images = sorted((f for f in filenames if f.lower().endswith(IMAGE_EXTENSIONS)), key=_natural_key)
            if images:
                rel = d.relative_to(path)
                subject, action = _ids(rel) if rel.parts else ("", path.name)
                files = [os.fspath(d / f) for f in images]
                sources.append(Source(os.fspath(d), "images", subject, action, len(files), fps, files))
                found = True
            for f in sorted((f for f in filenames if f.lower().endswith(VIDEO_EXTENSIONS)), key=_natural_key):
                sources.append(_video_source(d / f, (d / f).relative_to(path)))
                found = True
        if not found:
            raise ValueError(f"{path}: no image or video files found")
    return sources


@dataclasses.dataclass
class Frame:
    """One decoded (or failed) frame: ``image`` is ``None`` and ``error`` is set when it could not be read."""

    source_index: int
    frame_index: int
    image: np.ndarray | None
    timestamp: float
    error: str = ""


def iter_frames(source: Source, source_index: int, start: int, stop: int) -> Iterator[Frame]:
    """Frames ``start <= i < stop`` of a source; unreadable frames come back with ``error`` set, never raise."""
    if source.error:
        for i in range(start, stop):
            yield Frame(source_index, i, None, 0.0, source.error)
        return
    if source.kind == "images":
        for i in range(start, stop):
            t = i / source.fps if source.fps > 0 else 0.0
            try:
                yield Frame(source_index, i, load_image(source.files[i]), t)
            except (ValueError, FileNotFoundError) as err:
                yield Frame(source_index, i, None, t, str(err))
        return
    try:
        reader = VideoReader(source.path)
    except (ValueError, FileNotFoundError) as err:
        for i in range(start, stop):
            yield Frame(source_index, i, None, 0.0, str(err))
        return
    # frames in presentation order with their real timestamps; a frame that fails to decode keeps its row
    for f in reader.decode(start, stop):
        yield Frame(source_index, f.index, f.image, f.time, f.error)
