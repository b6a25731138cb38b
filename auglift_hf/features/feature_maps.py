"""Sample dense feature maps (e.g. a ViT depth backbone's tokens) at 2D keypoints (AugLift V2).

A feature map ``(B, C, h, w)`` covers the image with cells of ``stride`` pixels; cell ``(i, j)`` has its centre
at image pixel ``(j * stride + offset, i * stride + offset)``. The default ``offset = (stride - 1) / 2`` is the
centre of a ``stride x stride`` patch when pixel centres are at integer coordinates.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from auglift_hf.utils.io import atomic_path

from .depth import _as_tensor


def _to_cells(keypoints: torch.Tensor, stride: float, offset: float | None) -> torch.Tensor:
    off = (stride - 1.0) / 2.0 if offset is None else offset
    return (keypoints - off) / stride


def sample_feature_map(
    features: Any,
    keypoints: Any,
    stride: float = 14.0,
    offset: float | None = None,
    mode: str = "bilinear",
    k: int = 4,
) -> torch.Tensor:
    """Feature vectors at keypoints.

    Args:
        features: ``(B, C, h, w)`` feature maps, numpy or torch.
        keypoints: ``(B, J, 2)`` image pixels (x, y).
        stride: image pixels per feature cell.
        offset: image pixel of cell (0, 0)'s centre; default ``(stride - 1) / 2``.
        mode: ``"bilinear"`` (border-clamped) or ``"nearest_k"`` (mean of the ``k`` cells whose centres are
            closest to the keypoint, cells outside the map excluded).
        k: number of cells for ``"nearest_k"``.

    Returns:
        ``(B, J, C)`` tensor.
    """
    feats = _as_tensor(features, "features")
    if feats.ndim != 4:
        raise ValueError(f"`features` must have shape (batch, channels, h, w), got {tuple(feats.shape)}")
    kp = _as_tensor(keypoints, "keypoints", feats.device).to(feats.dtype)
    if kp.ndim != 3 or kp.shape[-1] != 2 or kp.shape[0] != feats.shape[0]:
        raise ValueError(f"`keypoints` must have shape ({feats.shape[0]}, joints, 2), got {tuple(kp.shape)}")
    b, c, h, w = feats.shape
    cells = _to_cells(kp, stride, offset)  # (B, J, 2) in cell units
    flat = feats.reshape(b, c, h * w)
    if mode == "bilinear":
        x = cells[..., 0].clamp(0, w - 1)
        y = cells[..., 1].clamp(0, h - 1)
        x0, y0 = x.floor().long(), y.floor().long()
        x1, y1 = (x0 + 1).clamp(max=w - 1), (y0 + 1).clamp(max=h - 1)
        fx, fy = (x - x0)[:, None], (y - y0)[:, None]

        def g(xi: torch.Tensor, yi: torch.Tensor) -> torch.Tensor:
            return flat.gather(2, (yi * w + xi)[:, None].expand(b, c, -1))  # (B, C, J)

        out = (
            g(x0, y0) * (1 - fx) * (1 - fy)
            + g(x1, y0) * fx * (1 - fy)
            + g(x0, y1) * (1 - fx) * fy
            + g(x1, y1) * fx * fy
        )
        return out.transpose(1, 2)
    if mode != "nearest_k":
        raise ValueError(f"`mode` must be 'bilinear' or 'nearest_k', got {mode!r}")
    if not 1 <= k <= h * w:
        raise ValueError(f"`k` must be in [1, {h * w}] for a {h}x{w} map, got {k}")
    reach = max(1, math.ceil(math.sqrt(k)))
    grid = torch.arange(-reach, reach + 1, device=feats.device)
    dy, dx = torch.meshgrid(grid, grid, indexing="ij")
    base = cells.round().long()  # (B, J, 2)
    cx = base[..., 0, None] + dx.reshape(-1)  # (B, J, M)
    cy = base[..., 1, None] + dy.reshape(-1)
    inside = (cx >= 0) & (cx < w) & (cy >= 0) & (cy < h)
    if not bool(inside.any(-1).all()):
        # keypoints far outside the map: fall back to the border-clamped nearest cells
        base = torch.stack([cells[..., 0].clamp(0, w - 1), cells[..., 1].clamp(0, h - 1)], -1).round().long()
        cx, cy = base[..., 0, None] + dx.reshape(-1), base[..., 1, None] + dy.reshape(-1)
        inside = (cx >= 0) & (cx < w) & (cy >= 0) & (cy < h)
    dist = (cx.to(feats.dtype) - cells[..., 0, None]) ** 2 + (cy.to(feats.dtype) - cells[..., 1, None]) ** 2
    dist = torch.where(inside, dist, torch.full_like(dist, float("inf")))
    kk = min(k, dist.shape[-1])
    near_d, idx = dist.topk(kk, dim=-1, largest=False)  # (B, J, k)
    use = torch.isfinite(near_d)
    lin = (cy.gather(-1, idx).clamp(0, h - 1) * w + cx.gather(-1, idx).clamp(0, w - 1)).reshape(b, -1)
    vals = flat.gather(2, lin[:, None].expand(b, c, -1)).reshape(b, c, kp.shape[1], kk)
    wts = use.to(feats.dtype)[:, None]
    out = (vals * wts).sum(-1) / wts.sum(-1).clamp(min=1)
    return out.transpose(1, 2)


class FeatureNormalizer:
    """Per-channel percentile normalisation to ``[-1, 1]``: ``clip(2 * (x - lo) / (hi - lo) - 1, -1, 1)``.

    ``lo`` / ``hi`` are the ``low`` / ``high`` percentiles (default 1st / 99th) of each channel, fitted on a
    dataset with :meth:`fit` and stored with :meth:`save` (``.json`` or ``.safetensors``).
    """

    def __init__(self, low: float = 1.0, high: float = 99.0, lo: Any = None, hi: Any = None):
        if not 0.0 <= low < high <= 100.0:
            raise ValueError(f"percentiles must satisfy 0 <= low < high <= 100, got low={low}, high={high}")
        self.low, self.high = float(low), float(high)
        self.lo = None if lo is None else torch.as_tensor(lo, dtype=torch.float32)
        self.hi = None if hi is None else torch.as_tensor(hi, dtype=torch.float32)

    @property
    def is_fitted(self) -> bool:
        return self.lo is not None and self.hi is not None

    def fit(self, data: Any, max_samples: int = 1_000_000, seed: int = 0) -> FeatureNormalizer:
        """Fit on ``(..., C)`` values or an iterable of such batches (rows beyond ``max_samples`` are subsampled)."""
        batches = [data] if isinstance(data, (torch.Tensor, np.ndarray)) else list(data)
        rows = [_as_tensor(x, "data").reshape(-1, _as_tensor(x, "data").shape[-1]).float() for x in batches]
        if not rows:
            raise ValueError("FeatureNormalizer.fit: `data` is empty")
        x = torch.cat(rows)
        x = x[torch.isfinite(x).all(-1)]
        if x.shape[0] == 0:
            raise ValueError("FeatureNormalizer.fit: no finite rows in `data`")
        if x.shape[0] > max_samples:
            g = torch.Generator().manual_seed(seed)
            x = x[torch.randperm(x.shape[0], generator=g)[:max_samples]]
        srt = x.sort(0).values
        n = srt.shape[0]

        def pct(p: float) -> torch.Tensor:
            pos = p / 100.0 * (n - 1)
            lo_i, hi_i = math.floor(pos), math.ceil(pos)
            return srt[lo_i] + (srt[hi_i] - srt[lo_i]) * (pos - lo_i)

        self.lo, self.hi = pct(self.low), pct(self.high)
        return self

    def __call__(self, x: Any) -> torch.Tensor:
        """Normalise ``(..., C)`` to ``[-1, 1]``."""
        if not self.is_fitted:
            raise ValueError("FeatureNormalizer is not fitted: call fit() or load() first")
        t = _as_tensor(x, "x")
        if t.shape[-1] != self.lo.numel():
            raise ValueError(f"`x` must have {self.lo.numel()} channels in its last axis, got {tuple(t.shape)}")
        lo, hi = self.lo.to(t), self.hi.to(t)
        return (2 * (t - lo) / (hi - lo).clamp(min=1e-12) - 1).clamp(-1, 1)

    transform = __call__

    def save(self, path: str | os.PathLike) -> Path:
        """Write the statistics atomically to ``path`` (``.json`` or ``.safetensors``)."""
        if not self.is_fitted:
            raise ValueError("FeatureNormalizer.save: nothing to save, call fit() first")
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix not in (".json", ".safetensors"):
            raise ValueError(f"`path` must end in .json or .safetensors, got {path.name}")
        with atomic_path(path) as tmp:
            if path.suffix == ".safetensors":
                from safetensors.torch import save_file

                meta = {"low": str(self.low), "high": str(self.high)}
                save_file({"lo": self.lo.contiguous(), "hi": self.hi.contiguous()}, os.fspath(tmp), metadata=meta)
            else:
                payload = {"low": self.low, "high": self.high, "lo": self.lo.tolist(), "hi": self.hi.tolist()}
                tmp.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> FeatureNormalizer:
        """Read statistics written by :meth:`save`."""
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"FeatureNormalizer.load: no such file {path}")
        if path.suffix == ".safetensors":
            from safetensors import safe_open

            with safe_open(str(path), framework="pt") as f:
                meta = f.metadata() or {}
                lo, hi = f.get_tensor("lo"), f.get_tensor("hi")
            return cls(float(meta.get("low", 1.0)), float(meta.get("high", 99.0)), lo, hi)
        data = json.loads(path.read_text(encoding="utf-8"))
        missing = {"lo", "hi"} - set(data)
        if missing:
            raise ValueError(f"{path}: missing keys {sorted(missing)}")
        return cls(data.get("low", 1.0), data.get("high", 99.0), data["lo"], data["hi"])

    def __repr__(self) -> str:
        state = f"channels={self.lo.numel()}" if self.is_fitted else "unfitted"
        return f"FeatureNormalizer(low={self.low}, high={self.high}, {state})"


def fit_normalizer(batches: Iterable[Any], **kwargs: Any) -> FeatureNormalizer:
    """Shortcut: ``FeatureNormalizer(**kwargs).fit(batches)``."""
    fit_kw = {k: kwargs.pop(k) for k in ("max_samples", "seed") if k in kwargs}
    return FeatureNormalizer(**kwargs).fit(batches, **fit_kw)
