"""Data collator for lifting windows: stack, optional seeded horizontal-flip augmentation.

Features are dicts with ``keypoints`` ``(frames, 17, C)`` (processor-normalised: x centred at 0) and
``labels`` ``(out_frames, 17, 3)`` root-relative metres, as numpy arrays or tensors; any other key with an
array value of the same leading size is stacked too (e.g. ``confidence``), strings are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from ..skeleton import H36M_FLIP_PERMUTATION


def _to_tensor(value: Any) -> torch.Tensor:
    if isinstance(value, torch.Tensor):
        return value
    return torch.as_tensor(np.asarray(value))


@dataclass
class PoseLiftingCollator:
    """Stack lifting windows into a batch; with ``flip_prob > 0`` mirror a random subset (training only).

    A flip negates x of the inputs (channel 0) and of the labels and swaps left/right joints with
    :data:`auglift_hf.skeleton.H36M_FLIP_PERMUTATION`; every other channel (confidence, depth) is only
    permuted, because a mirror leaves depth unchanged. PoseAug batches' absolute ``joints_cam`` ``(batch, 17, 3)``
    are mirrored alike (camera x negated), which matches the input mirror for a centred principal point.

    Args:
        flip_prob: probability of flipping each sample (0 for evaluation).
        seed: seed of the collator's own ``torch.Generator`` (reproducible augmentation).
        dtype: floating dtype of ``keypoints`` / ``labels``.
    """

    flip_prob: float = 0.0
    seed: int = 0
    dtype: torch.dtype = torch.float32
    _generator: torch.Generator | None = field(default=None, init=False, repr=False)

    def __call__(self, features: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        if not features:
            raise ValueError("PoseLiftingCollator: empty batch")
        if "keypoints" not in features[0]:
            raise ValueError(f"PoseLiftingCollator: features need a `keypoints` entry, got keys {sorted(features[0])}")
        batch: dict[str, torch.Tensor] = {}
        for key in features[0]:
            if isinstance(features[0][key], str | bytes) or features[0][key] is None:
                continue
            values = [_to_tensor(f[key]) for f in features]
            shapes = {tuple(v.shape) for v in values}
            if len(shapes) != 1:
                raise ValueError(f"PoseLiftingCollator: `{key}` has different shapes in one batch: {sorted(shapes)}")
            stacked = torch.stack(values)
            batch[key] = stacked.to(self.dtype) if stacked.is_floating_point() else stacked
        if self.flip_prob > 0:
            if self._generator is None:
                self._generator = torch.Generator().manual_seed(self.seed)
            mask = torch.rand(len(features), generator=self._generator) < self.flip_prob
            if mask.any():
                for key in ("keypoints", "labels", "joints_cam"):  # joints_cam: PoseAug's camera-frame poses
                    if key in batch:
                        batch[key] = flip_where(batch[key], mask)
        return batch


def flip_where(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Horizontally flip the samples of ``x`` ``(batch, frames, 17, C)`` where ``mask`` ``(batch,)`` is True."""
    flipped = x[..., list(H36M_FLIP_PERMUTATION), :].clone()
    flipped[..., 0] = -flipped[..., 0]
    return torch.where(mask.view(-1, *([1] * (x.ndim - 1))), flipped, x)
