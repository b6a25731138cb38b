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
        depth_channels: indices of the depth channels (``d``, ``d_min``, ``d_max``) in ``keypoints``.
        depth_dropout_window, depth_dropout_frame, depth_dropout_joint: probabilities that a sample's whole window,
            a frame, or a joint of a frame has no depth (training only): its depth channels are set to
            :data:`auglift_hf.processing_lifting.MISSING_DEPTH_FILL`, exactly what the processor feeds for missing
            or invalid depth (NaN) at inference, so an XYCD lifter learns to fall back to XY. A dropped pelvis
            drops the whole frame (depth is encoded pelvis-relative, so the processor cannot encode the others).
    """

    flip_prob: float = 0.0
    seed: int = 0
    dtype: torch.dtype = torch.float32
    depth_channels: tuple[int, ...] = ()
    depth_dropout_window: float = 0.0
    depth_dropout_frame: float = 0.0
    depth_dropout_joint: float = 0.0
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
        drops = (self.depth_dropout_window, self.depth_dropout_frame, self.depth_dropout_joint)
        if self.depth_channels and any(p > 0 for p in drops):
            if self._generator is None:
                self._generator = torch.Generator().manual_seed(self.seed)
            batch["keypoints"] = drop_depth(batch["keypoints"], self.depth_channels, *drops, generator=self._generator)
        return batch


def drop_depth(
    x: torch.Tensor,
    depth_channels: tuple[int, ...],
    p_window: float,
    p_frame: float,
    p_joint: float,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Depth dropout on ``x`` ``(batch, frames, 17, C)``: missing depth channels set to ``MISSING_DEPTH_FILL``."""
    from ..processing_lifting import MISSING_DEPTH_FILL
    from ..skeleton import ROOT_INDEX

    b, t, j, _ = x.shape
    r = torch.rand(b + b * t + b * t * j, generator=generator)
    window = (r[:b] < p_window).view(b, 1, 1)
    frame = (r[b : b + b * t] < p_frame).view(b, t, 1)
    joint = (r[b + b * t :] < p_joint).view(b, t, j)
    joint = joint | joint[..., ROOT_INDEX : ROOT_INDEX + 1]
    missing = window | frame | joint  # (b, t, j)
    out = x.clone()
    idx = list(depth_channels)
    out[..., idx] = torch.where(missing[..., None], torch.full_like(out[..., idx], MISSING_DEPTH_FILL), out[..., idx])
    return out


def flip_where(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Horizontally flip the samples of ``x`` ``(batch, frames, 17, C)`` where ``mask`` ``(batch,)`` is True."""
    flipped = x[..., list(H36M_FLIP_PERMUTATION), :].clone()
    flipped[..., 0] = -flipped[..., 0]
    return torch.where(mask.view(-1, *([1] * (x.ndim - 1))), flipped, x)
