"""Training data: canonical table folders -> :class:`~auglift_hf.data.PoseWindowDataset` -> weighted mixture.

Cross-dataset mixing uses :class:`auglift_hf.data.MixedWindowDataset` (a seeded, map-style mixture with the
given probabilities), which the Trainer's (distributed) sampler shards like any other dataset, so mixing works
unchanged under DDP.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from .config import DataArguments, ModelArguments


def build_processor(model: Any) -> Any:
    """A ``PoseLiftingProcessor`` with the model's input channels (``None`` if the processor is unavailable)."""
    try:
        from auglift_hf.processing_lifting import PoseLiftingProcessor
    except ImportError:
        return None
    channels = list(getattr(model.config, "input_channels", ["x", "y"]))
    params = inspect.signature(PoseLiftingProcessor.__init__).parameters
    kwargs: dict[str, Any] = {}
    for name in ("channels", "input_channels"):
        if name in params:
            kwargs[name] = channels if name == "input_channels" else ",".join(channels)
            break
    for name in ("num_frames", "window_size", "receptive_field"):
        if name in params:
            from auglift_hf.models import input_frames

            kwargs[name] = input_frames(model.config)
            break
    return PoseLiftingProcessor(**kwargs)


def configure_scale_normalization(processor: Any, data_args: DataArguments) -> Any:
    """Set ``data_args``' scale normalisation on ``processor``; fit ``box_size_mean`` on the training tables if unset.

    The fit reads the ``keypoints_2d`` of every row with ``valid`` of ``data.train_datasets`` (the training split and
    ``dataset_config``), so the processor saved with the lifter holds the training set's mean box size (pixels).
    """
    mode = data_args.scale_normalization
    if mode is None or processor is None:
        return processor
    processor._init_scale_normalization(mode, data_args.box_size_mean, data_args.reference_depth)
    if mode == "box" and processor.box_size_mean is None:
        from auglift_hf.data.windows import column_numpy, load_frame_table
        from auglift_hf.skeleton import NUM_JOINTS

        kps, valid = [], []
        for source in data_args.train_datasets:
            table = load_frame_table(source, config=data_args.dataset_config, split=data_args.train_split)
            kps.append(column_numpy(table, "keypoints_2d", (NUM_JOINTS, 2)))
            valid.append(column_numpy(table, "valid").astype(bool) if "valid" in table.column_names else None)
        valid_all = None if any(v is None for v in valid) else np.concatenate(valid)
        processor.fit_scale_normalization(np.concatenate(kps), valid_all)
    processor._check_contract()  # e.g. dscale2d refuses a relative-depth contract
    return processor


def training_contract(sources: Sequence[Any], config: str, input_channels: Sequence[str]) -> Any:
    """The input contract a lifter trained on these tables inherits (``None`` when no table records one).

    Read from each table folder's dataset card (:meth:`auglift_hf.contract.InputContract.from_dataset_card`, the
    keypoint definition of ``config``); every table that records a contract must agree, else ``ValueError``
    naming both tables. A lifter without a depth channel ignores and drops the depth fields (``depth_kind: null``):
    an XY lifter may mix tables with and without depth columns.
    Tables without a card contract (built before the contract existed, or a ``datasets.Dataset``) are skipped
    with a warning.
    """
    import os
    import warnings
    from dataclasses import replace

    from auglift_hf.contract import InputContract

    found: list[tuple[str, Any]] = []
    missing: list[str] = []
    for src in sources:
        if not isinstance(src, (str, os.PathLike)) or not os.path.isdir(os.fspath(src)):
            missing.append(str(getattr(src, "__class__", type(src)).__name__ if not isinstance(src, str) else src))
            continue
        contract = InputContract.from_dataset_card(src, config=config)
        if contract is None:
            missing.append(os.fspath(src))
        else:
            found.append((os.fspath(src), contract))
    if missing:
        warnings.warn(
            f"training tables without an input contract in their dataset card: {missing}; the lifter "
            + ("inherits the others' contract" if found else "is saved without one (entry points will warn)"),
            UserWarning,
            stacklevel=2,
        )
    if not found:
        return None
    # score_fill / frame_rate are measured on the training rows (training_score_fill / training_frame_rate)
    found = [(p, replace(c, score_fill=None, frame_rate=None)) for p, c in found]
    if not any(c in input_channels for c in ("d", "d_min", "d_max")):  # depth fields do not concern this lifter
        found = [(p, replace(c, depth_kind=None, depth_model=None, depth_descriptor=None)) for p, c in found]
    first_path, first = found[0]
    for path, other in found[1:]:
        if other != first:
            raise ValueError(
                f"training tables disagree on their input contract: {first_path} has {first.to_dict()} but "
                f"{path} has {other.to_dict()}; train on tables built the same way"
            )
    return first


def _table_name(src: Any, index: int) -> str:
    """A one-line name of training table ``index`` for messages: its path, or its type for an in-memory table."""
    import os

    return os.fspath(src) if isinstance(src, (str, os.PathLike)) else f"<{type(src).__name__} #{index}>"


#: Decimals of the ``score_fill`` written by ``auglift train`` (detector scores carry ~2-3 significant digits).
SCORE_FILL_DECIMALS = 4


def training_score_fill(
    sources: Sequence[Any], config: str, split: str = "train", weights: Sequence[float] | str | None = None
) -> float:
    """The ``score_fill`` of a c-lifter trained on these tables: the median of their ``keypoint_scores``.

    The median runs over every joint of every row of ``split`` (the rows whose confidence the lifter's windows
    read; for ``config="detected2d"`` the column holds the detector's scores), vectorised on the column
    (:func:`~auglift_hf.data.windows.column_numpy`). Several tables are pooled as the training mixture draws
    them: each table's rows weigh its mixture probability
    (:func:`~auglift_hf.data.mixing.mixture_probabilities` of the row counts and ``weights``, as
    ``data.train_weights``), a weighted median. Rounded to :data:`SCORE_FILL_DECIMALS` decimals and capped at 1,
    so that it is a valid ``score_fill``; a median that rounds to 0 (all-zero scores) is refused.

    Args:
        sources: table folders / Parquet files / ``datasets.Dataset`` (``data.train_datasets``).
        config: table config (``data.dataset_config``, e.g. ``"gt2d"``). split: ``data.train_split``.
        weights: ``data.train_weights`` (``None`` = proportional to size).

    Returns:
        The median confidence, a float in ``(0, 1]``.

    Raises:
        ValueError: a table without a ``keypoint_scores`` column or rows, or a median of 0 (naming the table).
    """
    from auglift_hf.data.mixing import mixture_probabilities
    from auglift_hf.data.windows import column_numpy, load_frame_table
    from auglift_hf.skeleton import NUM_JOINTS

    columns = []
    for i, src in enumerate(sources):
        table = load_frame_table(src, config=config, split=split)
        if table.num_rows == 0:
            raise ValueError(
                f"training table {_table_name(src, i)}: split {split!r} has no rows to measure score_fill on"
            )
        try:
            scores = column_numpy(table, "keypoint_scores", (NUM_JOINTS,))
        except ValueError as err:
            raise ValueError(
                f"training table {_table_name(src, i)}: {err}; a c-lifter needs confidence scores"
            ) from None
        columns.append(np.clip(np.nan_to_num(scores.astype(np.float64).reshape(-1), nan=0.0), 0.0, 1.0))
    if len(columns) == 1:
        median = float(np.median(columns[0]))
    else:  # weighted median: table t's values each weigh p_t / n_t
        probs = mixture_probabilities([len(c) // NUM_JOINTS for c in columns], weights)
        values = np.concatenate(columns)
        w = np.concatenate([np.full(len(c), p / len(c)) for c, p in zip(columns, probs)])
        order = np.argsort(values, kind="stable")
        cum = np.cumsum(w[order])
        median = float(values[order][np.searchsorted(cum, 0.5 * cum[-1])])
    value = round(median, SCORE_FILL_DECIMALS)
    if not value > 0:
        raise ValueError(
            f"training tables {[_table_name(s, i) for i, s in enumerate(sources)]}: the median keypoint score is {median:g}; cannot derive "
            "a score_fill in (0, 1] (are the scores all 0?)"
        )
    return min(value, 1.0)


#: Decimals of the ``frame_rate`` written by ``auglift train`` (29.97 stays 29.97; float32 columns lose nothing).
FRAME_RATE_DECIMALS = 3


def training_frame_rate(
    sources: Sequence[Any], config: str, split: str = "train", temporal: bool = True
) -> float | None:
    """The ``frame_rate`` (Hz) of a lifter trained on these tables: the rate of their ``fps`` column.

    A temporal lifter's window of ``T`` consecutive rows covers ``T / fps`` seconds, so every training row must
    be at one rate: the rates of all rows of ``split`` of every table (vectorised min / max / median of the
    column, :func:`~auglift_hf.data.windows.column_numpy`) must agree within
    :data:`auglift_hf.contract.FRAME_RATE_TOLERANCE` (1 %, the tolerance below which entry points do not
    resample either: e.g. 29.97 and 30 fps); the recorded value is the median over all rows, rounded to
    :data:`FRAME_RATE_DECIMALS` decimals. Rows further apart are refused for a temporal lifter (resample the
    tables to one rate, or train on one): the lifter would learn one window length for several durations of
    motion, and no single rate could be recorded for entry points to match. A single-frame lifter
    (``temporal=False``) never sees two rows together: mixed rates are accepted and recorded as ``None``.

    Args:
        sources: table folders / Parquet files / ``datasets.Dataset`` (``data.train_datasets``).
        config: table config (``data.dataset_config``). split: ``data.train_split``.
        temporal: the lifter takes more than one frame (``num_frames > 1``).

    Returns:
        The rate in Hz, or ``None`` when no table has an ``fps`` column (tables without one are skipped with a
        warning naming them) or, for a single-frame lifter, when the rates disagree.

    Raises:
        ValueError: one line naming the tables and their rates, for a temporal lifter whose rows disagree; or a
        table whose ``fps`` column holds non-finite or non-positive values.
    """
    import warnings

    from auglift_hf.contract import FRAME_RATE_TOLERANCE as RATE_TOLERANCE
    from auglift_hf.contract import rates_agree
    from auglift_hf.data.windows import column_numpy, load_frame_table

    rates, names, missing = [], [], []
    for i, src in enumerate(sources):
        name = _table_name(src, i)
        table = load_frame_table(src, config=config, split=split)
        if "fps" not in table.column_names:
            missing.append(name)
            continue
        fps = column_numpy(table, "fps").astype(np.float64)
        if fps.size and not (np.isfinite(fps).all() and (fps > 0).all()):
            raise ValueError(f"training table {name}: its `fps` column holds non-finite or non-positive values")
        if fps.size:
            rates.append(fps)
            names.append(name)
    if missing:
        warnings.warn(
            f"training tables without an `fps` column: {missing}; "
            + ("the others' rate is recorded" if rates else "the lifter is saved without `frame_rate`"),
            UserWarning,
            stacklevel=2,
        )
    if not rates:
        return None
    lo = np.array([r.min() for r in rates])
    hi = np.array([r.max() for r in rates])
    if not rates_agree(lo.min(), hi.max()):
        if not temporal:
            return None
        described = ", ".join(
            f"{n}: {a:g} Hz" if a == b else f"{n}: {a:g}-{b:g} Hz" for n, a, b in zip(names, lo, hi)
        )  # fmt: skip
        raise ValueError(
            f"training tables disagree on their frame rate (`fps` column, split {split!r}): {described}; a temporal "
            f"lifter's window needs one rate (within {RATE_TOLERANCE:.0%}): resample the tables to one rate or "
            "train on tables of one rate"
        )
    return round(float(np.median(np.concatenate(rates))), FRAME_RATE_DECIMALS)


class SubsetWindows(torch.utils.data.Dataset):
    """Evenly spaced subset of ``dataset`` with at most ``max_samples`` items (fast evaluation)."""

    def __init__(self, dataset: Any, max_samples: int):
        self.dataset = dataset
        self.indices = np.unique(np.linspace(0, len(dataset) - 1, min(max_samples, len(dataset))).astype(np.int64))

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, i: int) -> dict[str, Any]:
        return self.dataset[int(self.indices[i])]


def window_dataset(
    source: Any,
    channels: Sequence[str],
    window: int,
    split: str,
    config: str = "gt2d",
    stride: int = 1,
    processor: Any = None,
    camera_fields: bool = False,
    target_frames: int = 1,
) -> Any:
    """One :class:`~auglift_hf.data.PoseWindowDataset` over a table folder / Parquet file / ``datasets.Dataset``.

    The depth normalisation (``max_depth``) follows ``processor`` when given, so training inputs match what
    the saved processor produces at inference; a processor with a ``scale_normalization`` or a non-default
    ``coordinate_normalization`` or AugLift's depth codec encodes the frames itself (:meth:`~auglift_hf.PoseLiftingProcessor.encode`), so
    the normalisation is the saved one. ``camera_fields``: items carry the absolute pose and intrinsics (PoseAug).
    ``target_frames=window`` gives a label per frame (many-to-many lifters such as MotionBERT: clips of ``window``
    frames, one clip every ``stride`` frames).
    """
    from auglift_hf.data.windows import PoseWindowDataset
    from auglift_hf.processing_lifting import uses_default_frame_encoding

    encode_with = None if uses_default_frame_encoding(processor) else processor
    return PoseWindowDataset(
        source, window_size=window, stride=stride, channels=tuple(channels), config=config, split=split,
        max_depth=float(getattr(processor, "max_depth", 2.0)), processor=encode_with, camera_fields=camera_fields,
        target_frames=target_frames,
    )  # fmt: skip


def build_datasets(
    model_args: ModelArguments,
    data_args: DataArguments,
    processor: Any,
    window: int,
    camera_fields: bool = False,
    target_frames: int = 1,
    seed: int = 0,
) -> tuple[Any, Any]:
    """Train (mixture) and eval (concatenation) window datasets from ``data_args``' table folders.

    ``seed``: the mixture's draws (several ``train_datasets``; ``data.train_epoch_windows`` per epoch).
    ``camera_fields``: training items carry the absolute pose and intrinsics (PoseAug).
    ``target_frames``: labels per window (1 = the centre frame; ``window`` for many-to-many lifters).
    """
    channels = list(model_args.input_channels)
    if not data_args.train_datasets:
        raise ValueError("data.train_datasets is empty: name at least one table folder (auglift convert ... --out)")
    from auglift_hf.data.mixing import MixedWindowDataset

    d = data_args
    train_parts = [
        window_dataset(
            p,
            channels,
            window,
            d.train_split,
            d.dataset_config,
            d.train_stride,
            processor,
            camera_fields=camera_fields,
            target_frames=target_frames,
        )
        for p in d.train_datasets
    ]
    if len(train_parts) == 1:
        train = train_parts[0]
    else:
        epoch = len(train_parts[0]) if d.train_epoch_windows == "first" else d.train_epoch_windows
        train = MixedWindowDataset(train_parts, weights=d.train_weights, num_samples=epoch, seed=seed)
    eval_ds = None
    if data_args.eval_datasets:
        parts = [
            window_dataset(
                p,
                channels,
                window,
                d.eval_split,
                d.dataset_config,
                d.eval_stride,
                processor,
                target_frames=target_frames,
            )
            for p in data_args.eval_datasets
        ]
        eval_ds = parts[0] if len(parts) == 1 else torch.utils.data.ConcatDataset(parts)
        if data_args.max_eval_samples:
            eval_ds = SubsetWindows(eval_ds, data_args.max_eval_samples)
    return train, eval_ds
