"""Cross-dataset mixing for training: balanced or probability-weighted sampling of window datasets.

Choice: a **map-style mixture** (:class:`MixedWindowDataset`) over :class:`~auglift_hf.data.PoseWindowDataset` s,
not ``datasets.interleave_datasets``. Interleaving works on *rows* (frames), so windows would have to be
materialised into a new Arrow table first (243x the data) and the sequence structure would be lost; a mixture
of window datasets keeps each dataset's zero-copy window gather, needs no copy, and plugs into
``transformers.Trainer`` unchanged (Trainer shuffles any map-style dataset; no custom sampler or Trainer
subclass). Each epoch draws ``num_samples`` (dataset, window) pairs: the dataset by ``weights`` ("balanced" =
equal probability, ``None`` = proportional to size, or explicit probabilities), the window uniformly inside it.
Draws are deterministic given ``seed`` and re-drawn by :meth:`MixedWindowDataset.set_epoch`.
:class:`WeightedDatasetSampler` offers the same draw as a ``torch`` sampler over a ``ConcatDataset`` for custom loops.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch


def mixture_probabilities(lengths: Sequence[int], weights: str | Sequence[float] | None) -> np.ndarray:
    """Dataset probabilities: ``"balanced"`` -> uniform, ``None`` -> proportional to ``lengths``, else normalised."""
    lengths = np.asarray(lengths, dtype=np.float64)
    if len(lengths) == 0 or np.any(lengths <= 0):
        raise ValueError(f"every dataset must be non-empty, got lengths {lengths.tolist()}")
    if weights is None:
        p = lengths
    elif isinstance(weights, str):
        if weights != "balanced":
            raise ValueError(f"`weights` must be None, 'balanced' or a list of floats, got {weights!r}")
        p = np.ones_like(lengths)
    else:
        p = np.asarray(weights, dtype=np.float64)
        if p.shape != lengths.shape or np.any(p < 0) or not np.isfinite(p).all() or p.sum() <= 0:
            raise ValueError(
                f"`weights` must be {len(lengths)} non-negative numbers with a positive sum, got {weights}"
            )
    return p / p.sum()


def draw_mixture(
    lengths: Sequence[int], probs: np.ndarray, num_samples: int, seed: int | Sequence[int]
) -> tuple[np.ndarray, np.ndarray]:
    """``(dataset_ids, local_indices)`` of ``num_samples`` draws (vectorised, seeded)."""
    rng = np.random.default_rng(seed)
    which = rng.choice(len(lengths), size=num_samples, p=probs)
    local = (rng.random(num_samples) * np.asarray(lengths)[which]).astype(np.int64)
    return which, local


class MixedWindowDataset(torch.utils.data.Dataset):
    """A seeded mixture of window datasets, usable directly as ``Trainer(train_dataset=...)``.

    Args:
        datasets: map-style datasets returning dicts of tensors with equal shapes (same ``window_size`` and channels).
        weights: ``"balanced"`` (default), ``None`` (proportional to size) or one probability per dataset.
        num_samples: items per epoch (default: the sum of the dataset lengths).
        seed: seed of the draws; :meth:`set_epoch` re-draws deterministically.
    """

    def __init__(
        self,
        datasets: Sequence[Any],
        weights: str | Sequence[float] | None = "balanced",
        num_samples: int | None = None,
        seed: int = 0,
    ) -> None:
        if not datasets:
            raise ValueError("`datasets` is empty")
        self.datasets = list(datasets)
        self.lengths = [len(d) for d in self.datasets]
        self.probs = mixture_probabilities(self.lengths, weights)
        self.num_samples = int(num_samples if num_samples is not None else sum(self.lengths))
        if self.num_samples <= 0:
            raise ValueError(f"`num_samples` must be positive, got {num_samples}")
        self.seed = seed
        self.set_epoch(0)

    def set_epoch(self, epoch: int) -> None:
        """Re-draw the mixture (and the flips of the member datasets that support ``set_epoch``)."""
        self.epoch = epoch
        self.which, self.local = draw_mixture(self.lengths, self.probs, self.num_samples, seed=[self.seed, epoch])
        for d in self.datasets:
            if hasattr(d, "set_epoch"):
                d.set_epoch(epoch)

    def __len__(self) -> int:
        return self.num_samples

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        if not -self.num_samples <= index < self.num_samples:
            raise IndexError(f"index {index} out of range for {self.num_samples} items")
        item = self.datasets[int(self.which[index])][int(self.local[index])]
        return {**item, "dataset_id": torch.tensor(int(self.which[index]))}


class WeightedDatasetSampler(torch.utils.data.Sampler[int]):
    """Indices into ``torch.utils.data.ConcatDataset(datasets)`` drawn with per-dataset probabilities (seeded)."""

    def __init__(
        self,
        lengths: Sequence[int],
        weights: str | Sequence[float] | None = "balanced",
        num_samples: int | None = None,
        seed: int = 0,
    ) -> None:
        self.lengths = [int(n) for n in lengths]
        self.probs = mixture_probabilities(self.lengths, weights)
        self.offsets = np.concatenate([[0], np.cumsum(self.lengths)[:-1]])
        self.num_samples = int(num_samples if num_samples is not None else sum(self.lengths))
        self.seed, self.epoch = seed, 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return self.num_samples

    def __iter__(self):  # noqa: ANN204
        which, local = draw_mixture(self.lengths, self.probs, self.num_samples, seed=[self.seed, self.epoch])
        return iter((self.offsets[which] + local).tolist())
