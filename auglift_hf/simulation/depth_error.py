"""Monocular depth-estimator error models applied to rendered depth maps (metres, z-depth).

:class:`DepthCorruption`: the simple per-frame scale/shift + blur + multiplicative-noise model.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import torch
import torch.nn.functional as F

from ..features.depth import _as_tensor


@dataclass
class DepthCorruption:
    """A monocular depth estimator's error model (metres), applied per frame with a seed.

    ``d' = (scale * blur(d) + shift) * (1 + noise_std * N(0, 1))`` with ``log(scale) ~ N(0, scale_std)``,
    ``shift ~ N(0, shift_std)`` (one draw per frame), Gaussian blur of ``blur_sigma`` pixels and per-pixel
    multiplicative noise. Defaults are in the range of Depth Anything's metric errors (a few percent
    relative error, soft occlusion boundaries). The result is clamped to ``>= min_depth``.
    """

    scale_std: float = 0.05
    shift_std: float = 0.05
    blur_sigma: float = 1.5
    noise_std: float = 0.02
    min_depth: float = 0.05

    def to_dict(self) -> dict[str, float]:
        return asdict(self)

    def _frame_affine(self, bsz: int, g: torch.Generator, like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        z = torch.randn(2, bsz, generator=g, dtype=torch.float64).to(like)
        return torch.exp(self.scale_std * z[0]), self.shift_std * z[1]

    def __call__(self, depth: Any, seed: int | torch.Generator = 0) -> torch.Tensor:
        """Corrupt ``(B, H, W)`` depth maps."""
        d = _as_tensor(depth, "depth")
        if d.ndim != 3:
            raise ValueError(f"`depth` must have shape (batch, height, width), got {tuple(d.shape)}")
        g = seed if isinstance(seed, torch.Generator) else torch.Generator().manual_seed(int(seed))
        if self.blur_sigma > 0:
            d = gaussian_blur(d, self.blur_sigma)
        scale, shift = self._frame_affine(d.shape[0], g, d)
        d = scale[:, None, None] * d + shift[:, None, None]
        if self.noise_std > 0:
            d = d * (1 + self.noise_std * torch.randn(d.shape, generator=g, dtype=torch.float64).to(d))
        return d.clamp(min=self.min_depth)


def corrupt_depth(depth: Any, seed: int | torch.Generator = 0, **params: float) -> torch.Tensor:
    """Functional form of :class:`DepthCorruption`: ``corrupt_depth(maps, seed=0, scale_std=...)``."""
    return DepthCorruption(**params)(depth, seed)


def gaussian_blur(depth: torch.Tensor, sigma: float) -> torch.Tensor:
    """Separable Gaussian blur of ``(B, H, W)`` maps (replicate padding)."""
    rad = max(1, int(math.ceil(3 * sigma)))
    x = torch.arange(-rad, rad + 1, dtype=depth.dtype, device=depth.device)
    k = torch.exp(-0.5 * (x / sigma) ** 2)
    k = k / k.sum()
    img = depth[:, None]
    img = F.conv2d(F.pad(img, (rad, rad, 0, 0), mode="replicate"), k.view(1, 1, 1, -1))
    img = F.conv2d(F.pad(img, (0, 0, rad, rad), mode="replicate"), k.view(1, 1, -1, 1))
    return img[:, 0]
