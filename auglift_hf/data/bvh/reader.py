"""BVH (Biovision Hierarchy) motion files: parsing and vectorised forward kinematics (numpy).

A BVH file is a ``HIERARCHY`` (``ROOT`` / ``JOINT`` blocks with an ``OFFSET`` from the parent, a ``CHANNELS``
list, children, and ``End Site`` leaves that carry only an offset) followed by ``MOTION``: ``Frames: N``,
``Frame Time: t`` seconds, then ``N`` lines of one value per channel, in hierarchy (depth-first) order.

Conventions implemented (the ones the exchanged files of CMU, Bandai Namco, Mixamo, LaFAN1 and
``auglift export bvh`` follow):

* rotation channels are Euler angles in **degrees**, applied in the order they are listed (``Zrotation
  Xrotation Yrotation`` -> ``R = Rz @ Rx @ Ry``, intrinsic axes), any order and any subset of X, Y, Z;
* a joint's local translation is its ``OFFSET``, unless it has position channels: then the channels give the
  translation *instead of* the offset (the offset is the rest pose). Files that key every joint's position
  (Bandai Namco's 6-channel joints) repeat the offset in the channels; files that key only the root give the
  root's position. An absent position axis keeps the offset's value on that axis;
* world position of a joint ``p_j = p_parent + G_parent @ t_j`` and orientation ``G_j = G_parent @ R_j``;
  ``End Site`` positions are ``p_j + G_j @ offset``.

The file's units and up axis are not stated by the format: they are decided by the caller
(:mod:`auglift_hf.data.bvh.table`). Every inconsistency (channel counts, frame counts, non-finite numbers,
unbalanced braces) is refused with the file name and line number.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

import numpy as np

ROTATION_CHANNELS = ("Xrotation", "Yrotation", "Zrotation")
POSITION_CHANNELS = ("Xposition", "Yposition", "Zposition")
_AXIS = {"X": 0, "Y": 1, "Z": 2}


@dataclass(frozen=True)
class BVHMotion:
    """A parsed BVH file.

    Attributes:
        names: joint names in file (depth-first) order; end sites are not joints.
        parents: ``(J,)`` parent index of each joint, ``-1`` for the root.
        offsets: ``(J, 3)`` rest offsets from the parent, file units.
        channels: per joint, its channel names in file order.
        end_sites: joint index -> ``(3,)`` offset of its ``End Site`` (file units).
        motion: ``(frames, channels)`` float64 values, file units and degrees.
        frame_time: seconds per frame (``Frame Time``).
        source: the file name, for messages.
    """

    names: tuple[str, ...]
    parents: np.ndarray
    offsets: np.ndarray
    channels: tuple[tuple[str, ...], ...]
    end_sites: dict[int, np.ndarray] = field(default_factory=dict)
    motion: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    frame_time: float = 0.0
    source: str = "<bvh>"

    @property
    def num_frames(self) -> int:
        return int(self.motion.shape[0])

    @property
    def fps(self) -> float:
        """``1 / Frame Time``, snapped to the nearest integer rate when within 0.01 % (files print the frame
        time rounded: ``0.0333333`` is 30 fps, not 30.00003)."""
        rate = 1.0 / self.frame_time
        return float(round(rate)) if abs(rate - round(rate)) <= 1e-4 * rate else rate

    def channel_slices(self) -> list[slice]:
        """Column slice of ``motion`` for every joint."""
        starts = np.cumsum([0] + [len(c) for c in self.channels])
        return [slice(int(a), int(b)) for a, b in zip(starts[:-1], starts[1:])]


def _tokens(lines: list[str], stop: str) -> tuple[list[tuple[str, int]], int]:
    """``(token, 1-based line)`` pairs of the lines before the one starting with ``stop``, and that line's index."""
    out = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.split(None, 1)[:1] == [stop]:
            return out, i
        # braces may touch names ("Hips{"): give them their own tokens
        out.extend((tok, i + 1) for tok in stripped.replace("{", " { ").replace("}", " } ").split())
    return out, -1


def _float(tok: str, where: str) -> float:
    try:
        value = float(tok)
    except ValueError:
        raise ValueError(f"{where}: expected a number, got {tok!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"{where}: non-finite number {tok!r}")
    return value


def parse_bvh(path: str | os.PathLike) -> BVHMotion:
    """Read a BVH file into a :class:`BVHMotion` (hierarchy + raw channel values).

    Raises ``FileNotFoundError`` for a missing file and ``ValueError`` naming ``file:line`` for a malformed
    hierarchy, a channel line with the wrong number of values, fewer or more frame lines than ``Frames:``,
    a non-positive ``Frame Time`` and NaN / inf / non-numeric values.
    """
    src = os.fspath(path)
    with open(src, encoding="utf-8", errors="replace") as fh:
        lines = fh.read().splitlines()
    toks, motion_at = _tokens(lines, "MOTION")
    if not toks or toks[0][0] != "HIERARCHY":
        raise ValueError(f"{src}:1: not a BVH file (expected HIERARCHY first)")
    if motion_at < 0:
        raise ValueError(f"{src}:{len(lines)}: no MOTION section (truncated file?)")
    names: list[str] = []
    parents: list[int] = []
    offsets: list[list[float]] = []
    channels: list[tuple[str, ...]] = []
    end_sites: dict[int, np.ndarray] = {}
    stack: list[int] = []  # joint index per open brace; -2 for an End Site block
    pending: int | None = None  # what the next "{" opens
    i = 1
    while i < len(toks):
        tok, line = toks[i]
        where = f"{src}:{line}"
        if tok in ("ROOT", "JOINT"):
            if i + 1 >= len(toks) or toks[i + 1][0] in "{}":
                raise ValueError(f"{where}: {tok} without a name")
            if tok == "ROOT" and (stack or names):
                raise ValueError(f"{where}: a second ROOT (only one skeleton per file is supported)")
            if tok == "JOINT" and (not stack or stack[-1] < 0):
                raise ValueError(f"{where}: JOINT outside a joint block")
            names.append(toks[i + 1][0])
            parents.append(stack[-1] if stack else -1)
            offsets.append([math.nan] * 3)
            channels.append(())
            pending = len(names) - 1
            i += 2
        elif tok == "End":
            if i + 1 >= len(toks) or toks[i + 1][0] != "Site" or not stack or stack[-1] < 0:
                raise ValueError(f"{where}: `End` must be `End Site` inside a joint block")
            pending = -2
            i += 2
        elif tok == "{":
            if pending is None:
                raise ValueError(f"{where}: `{{` without a ROOT / JOINT / End Site before it")
            stack.append(pending)
            pending = None
            i += 1
        elif tok == "}":
            if not stack:
                raise ValueError(f"{where}: unbalanced `}}`")
            closed = stack.pop()
            if closed >= 0 and any(math.isnan(v) for v in offsets[closed]):
                raise ValueError(f"{where}: joint {names[closed]!r} has no OFFSET")
            i += 1
        elif tok == "OFFSET":
            if not stack:
                raise ValueError(f"{where}: OFFSET outside a block")
            vec = [_float(t, f"{src}:{ln}") for t, ln in toks[i + 1 : i + 4]]
            if len(vec) != 3:
                raise ValueError(f"{where}: OFFSET needs 3 numbers")
            if stack[-1] == -2:
                end_sites[stack[-2]] = np.array(vec)
            else:
                offsets[stack[-1]] = vec
            i += 4
        elif tok == "CHANNELS":
            if not stack or stack[-1] < 0:
                raise ValueError(f"{where}: CHANNELS outside a joint block")
            try:
                n = int(toks[i + 1][0])
            except (IndexError, ValueError):
                raise ValueError(f"{where}: CHANNELS must be followed by their count") from None
            chans = tuple(t for t, _ in toks[i + 2 : i + 2 + n])
            bad = [c for c in chans if c not in ROTATION_CHANNELS + POSITION_CHANNELS]
            if len(chans) != n or bad:
                raise ValueError(
                    f"{where}: CHANNELS {n} lists {list(chans)}; expected {n} of "
                    f"{list(POSITION_CHANNELS + ROTATION_CHANNELS)}"
                )
            if len(set(chans)) != n:
                raise ValueError(f"{where}: repeated channel in {list(chans)}")
            channels[stack[-1]] = chans
            i += 2 + n
        else:
            raise ValueError(f"{where}: unexpected token {tok!r} in the HIERARCHY")
    if stack:
        raise ValueError(f"{src}:{motion_at + 1}: {len(stack)} block(s) not closed before MOTION")
    if not names:
        raise ValueError(f"{src}: no ROOT joint in the HIERARCHY")
    motion, frame_time = _parse_motion(lines, motion_at, sum(len(c) for c in channels), src)
    return BVHMotion(
        names=tuple(names), parents=np.array(parents), offsets=np.array(offsets, np.float64),
        channels=tuple(channels), end_sites=end_sites, motion=motion, frame_time=frame_time, source=src,
    )  # fmt: skip


def _header(lines: list[str], at: int, key: str, src: str) -> tuple[str, int]:
    """The value after ``key`` (e.g. ``Frames:``) on the first non-blank line from ``at``, and the next index."""
    while at < len(lines) and not lines[at].strip():
        at += 1
    if at >= len(lines):
        raise ValueError(f"{src}:{len(lines)}: file ends before `{key}` (truncated?)")
    text = lines[at].strip()
    if not text.startswith(key):
        raise ValueError(f"{src}:{at + 1}: expected `{key} ...`, got {text[:40]!r}")
    return text[len(key) :].strip(), at + 1


def _parse_motion(lines: list[str], at: int, num_channels: int, src: str) -> tuple[np.ndarray, float]:
    value, nxt = _header(lines, at + 1, "Frames:", src)
    try:
        frames = int(value)
    except ValueError:
        raise ValueError(f"{src}:{nxt}: `Frames:` must be an integer, got {value!r}") from None
    if frames < 1:
        raise ValueError(f"{src}:{nxt}: `Frames: {frames}`: a motion needs at least one frame")
    value, first = _header(lines, nxt, "Frame Time:", src)
    frame_time = _float(value, f"{src}:{first}")
    if frame_time <= 0:
        raise ValueError(f"{src}:{first}: `Frame Time: {value}` must be > 0 seconds")
    body = lines[first:]
    while body and not body[-1].strip():
        body.pop()  # trailing blank lines
    rows = [line.split() for line in body]
    counts = np.fromiter((len(r) for r in rows), np.int64, len(rows))
    wrong = np.flatnonzero(counts[:frames] != num_channels)
    if wrong.size:
        k = int(wrong[0])
        what = "a blank line" if counts[k] == 0 else f"{counts[k]} values"
        raise ValueError(
            f"{src}:{first + k + 1}: frame {k} has {what}, expected {num_channels} (the hierarchy's channel count)"
        )
    if len(rows) < frames:
        raise ValueError(
            f"{src}:{first + len(rows)}: file ends after {len(rows)} of the {frames} frames declared at line "
            f"{first - 1} (truncated?)"
        )
    if len(rows) > frames:
        raise ValueError(
            f"{src}:{first + frames + 1}: {len(rows) - frames} line(s) after the {frames} frames declared at line "
            f"{first - 1} (`Frames:` does not match the motion)"
        )
    try:
        motion = np.array([v for r in rows for v in r], dtype=np.float64).reshape(frames, num_channels)
    except ValueError:
        for k, r in enumerate(rows):  # find the offending line (only on failure)
            for tok in r:
                _float(tok, f"{src}:{first + k + 1}")
        raise
    finite = np.isfinite(motion).all(1)
    if not finite.all():
        k = int(np.flatnonzero(~finite)[0])
        raise ValueError(f"{src}:{first + k + 1}: frame {k} has NaN / inf values")
    return motion, frame_time


def _axis_rotation(axis: int, degrees: np.ndarray) -> np.ndarray:
    """``(F, 3, 3)`` rotations by ``degrees (F,)`` about coordinate axis ``axis`` (0 = X, 1 = Y, 2 = Z)."""
    a = np.deg2rad(degrees)
    c, s = np.cos(a), np.sin(a)
    out = np.zeros(a.shape + (3, 3))
    i, j = [k for k in range(3) if k != axis]
    out[..., axis, axis] = 1.0
    out[..., i, i], out[..., j, j] = c, c
    # right-handed: Rx = [[1,0,0],[0,c,-s],[0,s,c]], Ry = [[c,0,s],[0,1,0],[-s,0,c]], Rz = [[c,-s,0],[s,c,0],[0,0,1]]
    sign = -1.0 if axis != 1 else 1.0
    out[..., i, j], out[..., j, i] = sign * s, -sign * s
    return out


def local_transforms(bvh: BVHMotion) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame local rotations ``(F, J, 3, 3)`` and translations ``(F, J, 3)`` (file units) of every joint."""
    frames, num = bvh.num_frames, len(bvh.names)
    rot = np.broadcast_to(np.eye(3), (frames, num, 3, 3)).copy()
    trans = np.broadcast_to(bvh.offsets, (frames, num, 3)).copy()
    for j, (chans, cols) in enumerate(zip(bvh.channels, bvh.channel_slices())):
        values = bvh.motion[:, cols]
        for k, name in enumerate(chans):
            axis = _AXIS[name[0]]
            if name.endswith("position"):
                trans[:, j, axis] = values[:, k]
            else:
                rot[:, j] = rot[:, j] @ _axis_rotation(axis, values[:, k])
    return rot, trans


def forward_kinematics(bvh: BVHMotion) -> tuple[np.ndarray, np.ndarray]:
    """World positions of every joint ``(F, J, 3)`` and of every end site ``(F, E, 3)`` (file units and axes).

    End sites are in ``sorted(bvh.end_sites)`` order (by their joint's index). Vectorised over frames: one pass
    down the hierarchy (parents precede children in a BVH file).
    """
    rot, trans = local_transforms(bvh)
    glob = np.empty_like(rot)
    pos = np.empty_like(trans)
    for j, p in enumerate(bvh.parents):
        if p < 0:
            glob[:, j], pos[:, j] = rot[:, j], trans[:, j]
        else:
            glob[:, j] = glob[:, p] @ rot[:, j]
            pos[:, j] = pos[:, p] + np.einsum("fab,fb->fa", glob[:, p], trans[:, j])
    ends = sorted(bvh.end_sites)
    end_pos = np.stack(
        [pos[:, j] + np.einsum("fab,b->fa", glob[:, j], bvh.end_sites[j]) for j in ends], axis=1
    ) if ends else np.zeros((bvh.num_frames, 0, 3))  # fmt: skip
    return pos, end_pos


__all__ = ["BVHMotion", "forward_kinematics", "local_transforms", "parse_bvh"]
