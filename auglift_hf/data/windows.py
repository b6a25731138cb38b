"""Training-time access to a frame table: centred temporal windows as a ``torch`` Dataset.

:class:`PoseWindowDataset` reads the columns it needs **once**, as numpy views of the Arrow buffers (fixed-size
lists flatten without copying), precomputes the normalised input channels and root-relative targets for every
row, and finds sequence boundaries from the id columns. A window is then one fancy-indexing gather::

    rows   = clip(centre + (arange(T) - T // 2) * frame_step, segment_start, segment_end - 1)   # edge replication
    inputs = features[rows]                                                                     # (T, 17, C)

**Invalid rows are never data.** A row with ``valid == False`` (3DHP ``valid_frame == 0``, 3DPW ``campose_valid ==
0``, a joined row that was never processed: ``annotation_invalid``, ``no_detection``, ``no_match``..., whose
keypoints are (0, 0) with c = 0 and d = 0) ends a *segment*: with ``skip_invalid=True`` (the default) windows are
centred on valid rows only and draw their frames from the centre's segment, the maximal run of consecutive valid
rows of its sequence, padded at the segment's ends by edge replication -- VideoPose3D's convention at sequence ends
(``common/generators.py:116`` and ``:220-222`` of facebookresearch/VideoPose3D@1afb1ca, ``np.pad(..., 'edge')``),
applied to each run of valid frames, so an invalid row is treated like the end of the sequence (MMPose pads the same
way: ``mmpose/datasets/datasets/body3d/h36m_dataset.py:211-229`` of open-mmlab/mmpose@759b39c, ``pad_video_seq``).

**Frame rate.** With ``frame_rate`` (the lifter's training rate, Hz) a row whose table ``fps`` differs by more than
:data:`~auglift_hf.contract.FRAME_RATE_TOLERANCE` is windowed at that rate: frame ``k`` of its window is taken at
``k * fps / frame_rate`` rows from the centre, linearly interpolated between the two neighbouring rows of the
segment (e.g. a 27-frame 25 Hz lifter on 60 Hz HumanEva sees 1.04 s around every 60 Hz frame).

No per-row Python dict work happens after construction, so ``__getitem__`` costs a few microseconds and
``__getitems__`` / :meth:`PoseWindowDataset.get_batch` gather whole batches at once (``benchmarks/bench_data.py``).

Input channels (the :class:`~auglift_hf.PoseLiftingProcessor` conventions, chosen by name):
``x, y`` screen-normalised (VideoPose3D: ``u / w * 2 - 1``, ``v / w * 2 - h / w``); ``c`` -> ``2c - 1``;
``d`` relative to the pelvis, clipped to ``+-max_depth`` metres and divided by it; ``d_min`` / ``d_max`` as offsets
from ``d`` clipped to ``+-1`` m. Targets ``labels`` are camera-frame joints minus the pelvis, in metres.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..camera import normalize_screen_coordinates
from ..skeleton import H36M_FLIP_PERMUTATION, NUM_JOINTS, ROOT_INDEX
from .schema import GT2D_CONFIG, ID_COLUMNS

_XY = ("x", "y")


def load_frame_table(source: Any, config: str = GT2D_CONFIG, split: str = "train") -> Any:
    """A ``pyarrow.Table`` from a ``datasets.Dataset``, a ``pyarrow.Table``, a converted folder or a Parquet file."""
    import pyarrow as pa

    if isinstance(source, pa.Table):
        return source
    if hasattr(source, "with_format") and hasattr(source, "data"):  # datasets.Dataset (honours select/shuffle)
        return source.with_format("arrow")[:]
    path = os.fspath(source)
    if os.path.isfile(path):
        import pyarrow.parquet as pq

        return pq.read_table(path)
    if os.path.isdir(path):
        return _load_table_folder(path, config, split)
    raise FileNotFoundError(f"frame table {path!r} not found (expected a dataset folder, Parquet file or Dataset)")


def declared_split_files(path: str | os.PathLike, config: str, split: str) -> list[str] | None:
    """Absolute paths of the data files of ``split`` in ``config`` as the folder's ``README.md`` card declares them
    (its YAML ``configs`` block, paths relative to the folder, globs allowed), sorted; ``None`` when the card declares
    no such config and split (``datasets`` then resolves the folder its own way)."""
    from ..contract import read_card_metadata

    card = Path(path) / "README.md"
    meta = read_card_metadata(card) if card.is_file() else {}
    for entry in meta.get("configs") or []:
        if not isinstance(entry, dict) or entry.get("config_name") != config:
            continue
        for item in entry.get("data_files") or []:
            if isinstance(item, dict) and item.get("split") == split:
                patterns = item.get("path")
                patterns = [patterns] if isinstance(patterns, str) else list(patterns or [])
                return sorted({os.fspath(f.resolve()) for pat in patterns for f in Path(path).glob(pat)})
    return None


def _load_table_folder(path: str, config: str, split: str) -> Any:
    """``datasets.load_dataset`` of a table folder; a folder that is no table, or an unreadable shard, is one
    ``ValueError`` naming the folder (and the shard)."""
    import datasets
    import pyarrow.parquet as pq

    for shard in sorted(Path(path).glob(f"{config}/*.parquet")):  # footers only: before datasets logs a traceback
        try:
            pq.read_metadata(shard)
        except Exception as bad:  # noqa: BLE001 - any reader error names the shard
            raise ValueError(f"frame table {path}: unreadable Parquet shard {shard} ({bad})") from bad
    files = declared_split_files(path, config, split)
    if files == []:
        raise ValueError(f"frame table {path} ({config}, {split}): its card declares the split but no file matches")
    try:
        # The files themselves, not only the config name: `datasets` caches a local folder under its folder name,
        # config and card, so two tables of the same name and sizes (a table rebuilt in place, or another folder
        # `test` with other values) would be served from the first one's cache. Given files, the cache key includes
        # each file's path and modification time (tests/data/test_table_and_windows.py pins the case).
        kwargs = {} if files is None else {"data_files": {split: files}}
        bars = datasets.is_progress_bar_enabled()
        datasets.disable_progress_bars()  # its cache-building bar ("Generating train split") is not the package's
        try:
            return datasets.load_dataset(path, config, split=split, **kwargs).with_format("arrow")[:]
        finally:
            if bars:
                datasets.enable_progress_bars()
    except datasets.exceptions.DatasetGenerationError as err:
        raise ValueError(f"frame table {path}: cannot be read ({err.__cause__ or err})") from err
    except ValueError as err:  # e.g. "BuilderConfig 'gt2d' not found", "Unknown split"
        raise ValueError(
            f"frame table {path} ({config}, {split}): {err} (not a table written by `auglift convert` / `preprocess`?)"
        ) from err


def column_numpy(table: Any, name: str, shape: tuple[int, ...] = ()) -> np.ndarray:
    """A column as a numpy array ``(rows, *shape)``; fixed-size list columns are flattened without copying."""
    import pyarrow as pa

    if name not in table.column_names:
        raise ValueError(f"frame table has no column `{name}` (columns: {table.column_names})")
    col = table.column(name)
    arr = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    while pa.types.is_fixed_size_list(arr.type) or pa.types.is_list(arr.type):
        arr = arr.flatten()
    out = arr.to_numpy(zero_copy_only=False)
    try:
        return out.reshape((table.num_rows, *shape))
    except ValueError as err:
        raise ValueError(f"column `{name}` has {out.size} values, expected {table.num_rows} x {shape}") from err


def _codes(table: Any, name: str) -> np.ndarray:
    import pyarrow as pa
    import pyarrow.compute as pc

    col = table.column(name)
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        enc = pc.dictionary_encode(col.combine_chunks())
        # dictionary order is first-seen; rank it so sorting follows the string order
        dictionary = np.asarray(enc.dictionary.to_pylist(), dtype=object)
        rank = np.argsort(np.argsort(dictionary, kind="stable"), kind="stable")
        return rank[enc.indices.to_numpy()]
    return column_numpy(table, name).astype(np.int64)


def parse_channels(channels: str | Sequence[str]) -> tuple[str, ...]:
    """``"x,y,c,d"`` or ``("x", "y", "c", "d")`` -> tuple; ``x`` and ``y`` must come first."""
    names = tuple(c.strip() for c in channels.split(",")) if isinstance(channels, str) else tuple(channels)
    if names[:2] != _XY or len(set(names)) != len(names):
        raise ValueError(f"`channels` must start with x, y and have no duplicates, got {names}")
    return names


def normalize_frames(
    keypoints_2d: np.ndarray,
    image_size: np.ndarray,
    channels: Sequence[str],
    scores: np.ndarray | None = None,
    depth: dict[str, np.ndarray] | None = None,
    max_depth: float = 2.0,
) -> np.ndarray:
    """Per-frame input channels ``(N, 17, C)`` from pixels, scores and depth (processor conventions, vectorised).

    Args:
        keypoints_2d: ``(N, 17, 2)`` pixels. image_size: ``(N, 2)`` (width, height) per frame.
        channels: names among ``x, y, c, d, d_min, d_max`` (any other name is taken from ``depth`` as is).
        scores: ``(N, 17)`` in [0, 1]. depth: ``{channel: (N, 17) metres}``.
    """
    n = keypoints_2d.shape[0]
    out = np.empty((n, NUM_JOINTS, len(channels)), np.float32)
    sizes, inverse = np.unique(np.asarray(image_size).reshape(n, 2), axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    for k, (w, h) in enumerate(sizes):  # a handful of distinct image sizes per table
        rows = inverse == k if len(sizes) > 1 else slice(None)
        out[rows, :, 0:2] = normalize_screen_coordinates(keypoints_2d[rows].astype(np.float32), float(w), float(h))
    depth = depth or {}
    d = depth.get("d")
    for i, name in enumerate(channels[2:], start=2):
        if name == "c":
            if scores is None:
                raise ValueError("channel `c` needs `keypoint_scores`")
            out[..., i] = 2 * np.clip(scores, 0.0, 1.0) - 1
        elif name not in depth:
            raise ValueError(f"channel `{name}` needs a depth column `{name}` in the table (found {sorted(depth)})")
        elif name == "d":
            out[..., i] = np.clip(d - d[:, ROOT_INDEX : ROOT_INDEX + 1], -max_depth, max_depth) / max_depth
        elif name in ("d_min", "d_max") and d is not None:
            out[..., i] = np.clip(depth[name] - d, -1.0, 1.0)
        else:
            out[..., i] = depth[name]
    return out


def _encode_with_processor(
    processor: Any, k2: np.ndarray, size: np.ndarray, scores: np.ndarray, depth: dict[str, np.ndarray]
) -> np.ndarray:
    """``processor.encode`` per distinct image size (it takes one ``(width, height)`` per call)."""
    stacked = np.stack([depth[c] for c in ("d", "d_min", "d_max") if c in depth], -1) if depth else None
    if stacked is not None and stacked.shape[-1] == 2 and "d" in depth:
        stacked = stacked[..., :1]
    sizes, inverse = np.unique(size, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    out = None
    for k, (w, h) in enumerate(sizes):
        rows = np.flatnonzero(inverse == k)
        enc = processor.encode(k2[rows], (int(w), int(h)), scores[rows], None if stacked is None else stacked[rows])
        if out is None:
            out = np.empty((len(k2), *enc.shape[1:]), np.float32)
        out[rows] = enc
    return out


class PoseWindowDataset(torch.utils.data.Dataset):
    """Centred windows of ``window_size`` frames over each (dataset, subject, action, camera, person) sequence.

    Each item is ``{"keypoints": (T, 17, C) float32, "labels": (target_frames, 17, 3) float32}`` with the channels
    named in ``channels`` and root-relative camera-frame targets in metres, ready for ``transformers.Trainer``
    (``default_data_collator`` stacks them into ``(batch, T, 17, C)``).

    Args:
        table: a ``datasets.Dataset``, a ``pyarrow.Table``, a converted folder (loaded with ``config``/``split``)
            or a Parquet file. Rows of one sequence must share their id columns; they are sorted by frame here.
        window_size: ``T`` (odd: the window is centred on its frame; e.g. 243 for PoseFormer / VideoPose3D).
        stride: one window centre every ``stride`` frames of each sequence.
        frame_step: temporal subsampling inside a window (frames ``centre + k * frame_step``).
        target_frames: number of centred target frames (1 = the centre frame only; ``T`` = sequence-to-sequence).
        channels: input channels, e.g. ``"x,y"``, ``"x,y,c"``, ``"x,y,c,d"``, ``"x,y,c,d,d_min,d_max"``.
        flip_prob: probability of a horizontal flip per item (``x -> -x`` and left/right swap on inputs and labels).
        seed: seed of the flip draws; :meth:`set_epoch` re-draws them deterministically per epoch.
        processor: optional :class:`~auglift_hf.PoseLiftingProcessor`: its ``input_channels`` replace ``channels``
            and its ``encode`` normalises the frames, so training uses exactly the saved processor's conventions.
        skip_invalid: do not centre windows on rows with ``valid == False`` and never put such rows into a window
            (segments, above); ``False`` treats every row as data (legacy behaviour).
        frame_rate: sample every window at this rate (Hz), interpolating rows of tables at other rates (above);
            ``None``: one row per window frame whatever the table's rate.
        config, split: used when ``table`` is a folder.
        camera_fields: items also carry the centre frame's absolute ``joints_cam`` ``(17, 3)`` camera-frame metres,
            ``focal`` ``(2,)`` / ``center`` ``(2,)`` pixels and ``image_size`` ``(2,)`` (width, height) pixels, as
            PoseAug training needs (:mod:`auglift_hf.training.poseaug`); not combinable with ``flip_prob``.
    """

    def __init__(
        self,
        table: Any,
        window_size: int = 243,
        stride: int = 1,
        frame_step: int = 1,
        target_frames: int = 1,
        channels: str | Sequence[str] = ("x", "y"),
        flip_prob: float = 0.0,
        seed: int = 0,
        processor: Any = None,
        max_depth: float = 2.0,
        skip_invalid: bool = True,
        config: str = GT2D_CONFIG,
        split: str = "train",
        camera_fields: bool = False,
        frame_rate: float | None = None,
    ) -> None:
        if window_size < 1 or window_size % 2 == 0:
            raise ValueError(f"`window_size` must be a positive odd number, got {window_size}")
        if not 1 <= target_frames <= window_size or target_frames % 2 == 0:
            raise ValueError(f"`target_frames` must be odd and in [1, {window_size}], got {target_frames}")
        for name, value in (("stride", stride), ("frame_step", frame_step)):
            if value < 1:
                raise ValueError(f"`{name}` must be >= 1, got {value}")
        if not 0.0 <= flip_prob <= 1.0:
            raise ValueError(f"`flip_prob` must be in [0, 1], got {flip_prob}")
        if camera_fields and flip_prob > 0:
            raise ValueError("`camera_fields` cannot be combined with `flip_prob` (flip in the collator instead)")
        if processor is not None:
            channels = getattr(processor, "input_channels", getattr(processor, "channels", channels))
            max_depth = float(getattr(processor, "max_depth", max_depth))
        self.channels = parse_channels(channels)
        self.window_size, self.stride, self.frame_step = window_size, stride, frame_step
        self.target_frames, self.flip_prob, self.seed = target_frames, flip_prob, seed

        table = load_frame_table(table, config=config, split=split)
        if table.num_rows == 0:
            raise ValueError("frame table is empty (0 rows)")
        frames = column_numpy(table, "frame_index").astype(np.int64)
        codes = [_codes(table, c) for c in ID_COLUMNS if c in table.column_names]
        order = np.lexsort((frames, *reversed(codes)))
        if np.array_equal(order, np.arange(len(order))):
            order = None
        #: sorted position -> table row (``None`` when the table is already sorted by sequence and frame)
        self.order = order

        def take(a: np.ndarray) -> np.ndarray:
            return a if order is None else a[order]

        codes = [take(c) for c in codes]
        new_seq = np.zeros(table.num_rows, bool)
        new_seq[0] = True
        for c in codes:
            new_seq[1:] |= c[1:] != c[:-1]
        starts = np.flatnonzero(new_seq)
        ends = np.append(starts[1:], table.num_rows)
        lengths = ends - starts
        self.seq_start = np.repeat(starts, lengths)
        self.seq_last = np.repeat(ends - 1, lengths)
        self.num_sequences = len(starts)

        k2 = take(column_numpy(table, "keypoints_2d", (NUM_JOINTS, 2)))
        size = take(np.stack([column_numpy(table, "image_width"), column_numpy(table, "image_height")], -1))
        scores = take(column_numpy(table, "keypoint_scores", (NUM_JOINTS,)))
        present = [c for c in ("d", "d_min", "d_max") if c in table.column_names]
        depth = {name: take(column_numpy(table, name, (NUM_JOINTS,))) for name in present}
        if processor is not None and hasattr(processor, "encode"):
            self.features = _encode_with_processor(processor, k2, size, scores, depth)
        else:
            self.features = normalize_frames(k2, size, self.channels, scores, depth, max_depth)
        self.features = np.ascontiguousarray(self.features, dtype=np.float32)
        k3 = take(column_numpy(table, "keypoints_3d", (NUM_JOINTS, 3))).astype(np.float32)
        self.targets = np.ascontiguousarray(k3 - k3[:, ROOT_INDEX : ROOT_INDEX + 1])
        self.camera = None
        if camera_fields:
            self.camera = {
                "joints_cam": k3,
                "focal": take(column_numpy(table, "focal", (2,))).astype(np.float32),
                "center": take(column_numpy(table, "center", (2,))).astype(np.float32),
                "image_size": size.astype(np.float32),
            }

        pos = np.arange(table.num_rows) - self.seq_start
        keep = pos % stride == 0
        valid = np.ones(table.num_rows, bool)
        if skip_invalid and "valid" in table.column_names:
            valid = take(column_numpy(table, "valid").astype(bool))
            keep &= valid
        # segments: maximal runs of rows of one sequence with the same validity (windows never cross an invalid row)
        new_seg = new_seq.copy()
        new_seg[1:] |= valid[1:] != valid[:-1]
        seg_starts = np.flatnonzero(new_seg)
        seg_lengths = np.diff(np.append(seg_starts, table.num_rows))
        self.seg_start = np.repeat(seg_starts, seg_lengths)
        self.seg_last = np.repeat(seg_starts + seg_lengths - 1, seg_lengths)
        self.valid = valid
        self.centres = np.flatnonzero(keep)
        if len(self.centres) == 0:
            raise ValueError("no valid window centres in the frame table")
        self._lo, self._hi = self.seg_start[self.centres], self.seg_last[self.centres]
        self.frame_rate = None if frame_rate is None else float(frame_rate)
        self._ratio = None  # per centre: rows per window frame (None = 1 everywhere)
        if frame_rate is not None:
            from ..contract import rates_agree

            if not (np.isfinite(frame_rate) and frame_rate > 0):
                raise ValueError(f"`frame_rate` must be a positive number of Hz, got {frame_rate}")
            fps = take(column_numpy(table, "fps").astype(np.float64))[self.centres]
            rates, inverse = np.unique(fps, return_inverse=True)
            per_rate = np.array([1.0 if rates_agree(r, frame_rate) else r / frame_rate for r in rates])
            ratio = per_rate[inverse.reshape(-1)]
            self._ratio = None if np.all(ratio == 1.0) else ratio
        self._half, self._target_half = (window_size // 2) * frame_step, (target_frames // 2) * frame_step
        self.offsets = (np.arange(window_size) - window_size // 2) * frame_step
        self.target_offsets = (np.arange(target_frames) - target_frames // 2) * frame_step
        perm = np.asarray(H36M_FLIP_PERMUTATION)
        if flip_prob > 0:  # x -> -x (inputs are centred screen coordinates, targets camera metres) + L/R swap
            in_sign = np.where(np.asarray(self.channels) == "x", -1.0, 1.0).astype(np.float32)
            self._features_flipped = np.ascontiguousarray(self.features[:, perm] * in_sign)
            self._targets_flipped = np.ascontiguousarray(
                self.targets[:, perm] * np.array([-1.0, 1.0, 1.0], np.float32)
            )
        else:
            self._features_flipped, self._targets_flipped = self.features, self.targets
        self.set_epoch(0)

    # ------------------------------------------------------------------ sampling
    def set_epoch(self, epoch: int) -> None:
        """Re-draw the per-item flip decisions for ``epoch`` (deterministic given ``seed``)."""
        self.epoch = epoch
        if self.flip_prob > 0:
            rng = np.random.default_rng([self.seed, epoch])
            self.flips = rng.random(len(self.centres)) < self.flip_prob
        else:
            self.flips = np.zeros(len(self.centres), bool)

    def __len__(self) -> int:
        return len(self.centres)

    def window_rows(self, index: np.ndarray | int, offsets: np.ndarray | None = None) -> np.ndarray:
        """Row positions ``(..., T)`` of the windows of items ``index``, clipped to the centre's segment (edge
        replication at segment ends); fractional (float) where ``frame_rate`` asks for interpolation."""
        index = np.asarray(index)
        c = np.asarray(self.centres[index])[..., None]
        offsets = self.offsets if offsets is None else offsets
        if self._ratio is not None:
            offsets = offsets * self._ratio[index][..., None]
        return np.clip(c + offsets, self.seg_start[c], self.seg_last[c])

    def _gather(self, values: np.ndarray, index: int, offsets: np.ndarray) -> np.ndarray:
        """``values`` at the (possibly fractional) window rows of item ``index``: linear interpolation."""
        pos = np.clip(self.centres[index] + offsets * self._ratio[index], self._lo[index], self._hi[index])
        i0 = np.floor(pos).astype(np.int64)
        i1 = np.minimum(i0 + 1, self._hi[index])
        w = (pos - i0).astype(np.float32).reshape(-1, *([1] * (values.ndim - 1)))
        return values[i0] * (1 - w) + values[i1] * w

    def _window(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """Numpy ``(T, 17, C)`` inputs and ``(target_frames, 17, 3)`` labels of one item (fresh arrays)."""
        c = int(self.centres[index])
        lo, hi = int(self._lo[index]), int(self._hi[index])
        h, th = self._half, self._target_half
        # flipped copies are precomputed once, so a flip costs nothing per item
        feats, targets = (
            (self._features_flipped, self._targets_flipped) if self.flips[index] else (self.features, self.targets)
        )
        if self._ratio is not None and self._ratio[index] != 1.0:
            return self._gather(feats, index, self.offsets), self._gather(targets, index, self.target_offsets)
        if self.frame_step == 1 and lo <= c - h and c + h <= hi:  # fully inside: one contiguous copy
            x = feats[c - h : c + h + 1].copy()
        else:
            x = feats[np.clip(c + self.offsets, lo, hi)]
        if self.frame_step == 1 and lo <= c - th and c + th <= hi:
            y = targets[c - th : c + th + 1].copy()
        else:
            y = targets[np.clip(c + self.target_offsets, lo, hi)]
        return x, y

    def _check_index(self, index: int) -> int:
        if not -len(self) <= index < len(self):
            raise IndexError(f"index {index} out of range for {len(self)} windows")
        return index + len(self) if index < 0 else index

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        index = self._check_index(int(index))
        x, y = self._window(index)
        item = {"keypoints": torch.from_numpy(x), "labels": torch.from_numpy(y)}
        if self.camera is not None:
            row = int(self.centres[index])
            item.update({k: torch.from_numpy(v[row].copy()) for k, v in self.camera.items()})
        return item

    def get_batch(self, indices: Sequence[int] | np.ndarray) -> dict[str, torch.Tensor]:
        """Stacked ``{"keypoints": (B, T, 17, C), "labels": (B, target_frames, 17, 3)}`` for many items at once."""
        items = [self._window(self._check_index(int(i))) for i in indices]
        if not items:
            raise ValueError("`indices` is empty")
        return {
            "keypoints": torch.from_numpy(np.stack([x for x, _ in items])),
            "labels": torch.from_numpy(np.stack([y for _, y in items])),
        }

    def __getitems__(self, indices: Sequence[int]) -> list[dict[str, torch.Tensor]]:
        """Batch fetch hook of ``torch.utils.data.DataLoader`` (one call per batch instead of one per item)."""
        return [self.__getitem__(i) for i in indices]

    @property
    def num_channels(self) -> int:
        return len(self.channels)
