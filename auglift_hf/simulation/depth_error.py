"""Monocular depth-estimator error models applied to rendered depth maps (metres, z-depth).

:class:`DepthCorruption`: the simple per-frame scale/shift + blur + multiplicative-noise model.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
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


# ------------------------------------------------------------------ realistic monocular (metric) depth error


def _seed_ints(seed: int | torch.Generator) -> tuple[int, int]:
    """Two independent integer seeds: per-frame draws and per-sample draws (so both paths share the frame draws)."""
    if isinstance(seed, torch.Generator):
        base = int(torch.randint(0, 2**62, (1,), generator=seed))
    else:
        base = int(seed)
    return base, (base ^ 0x5DEECE66D) % 2**62


#: Largest accepted ``severity``: at 10 the per-frame scale has a log std of 0.70 (a factor 2 at one sigma), past
#: the worst published zero-shot metric figure (AbsRel 0.50, Depth Anything V1 NYU-D model on SUN RGB-D), and the
#: relief is 97 % flattened; far above it every depth collapses to ``min_depth`` (severity 1e6: 0.05 m at every
#: joint), a table that only looks like depth.
MAX_SEVERITY = 10.0


def check_severity_and_fps(severity: float, fps: float) -> None:
    """The bounds every monocular error model holds its ``severity`` and ``fps`` to (one-line ``ValueError``)."""
    if not (math.isfinite(severity) and 0 <= severity <= MAX_SEVERITY):
        raise ValueError(f"`severity` must be a number in [0, {MAX_SEVERITY:g}] (depth-severity), got {severity:g}")
    if not fps > 0:
        raise ValueError(f"`fps` must be > 0, got {fps}")


@dataclass
class MonocularDepthError:
    """What a metric monocular depth network gets wrong on people, with one ``severity`` knob (0 = exact depth).

    Applied to rendered z-depth maps (:meth:`__call__`, vectorised over frames and pixels) or to ray-cast samples
    (:meth:`apply_to_samples`, used by :func:`auglift_hf.simulation.depth_descriptors_from_joints`); both share the
    per-frame draws for a seed and give the same statistics (tested). Frames of one call are consecutive frames
    of one sequence at ``fps`` (the scale error and flicker are temporal processes). Order of the effects:

    1. **relief compression** of the body around its per-frame median depth: ``d <- m + (1 - k)(d - m)`` on the
       body (the background is untouched);
    2. **silhouette mixing**: every pixel reads the map at its position displaced by a Gaussian of ``edge_sigma_px``
       pixels (a random-displacement blur), so samples near the silhouette see the background (the ray path casts
       each sample at a position jittered by the same Gaussian: the same per-sample distribution);
    3. **thin structures losing depth**: a fraction ``thin_mix`` of a second, wider displacement (``thin_sigma_px``)
       is mixed in, which pulls forearms, shins and the neck (a few displacement widths across) towards their
       surroundings while barely changing the torso interior;
    4. **per-frame scale error** ``exp(a_t + b_t)``: ``a_t`` an AR(1) process (std ``scale_log_std``, time constant
       ``scale_time_constant`` s) and ``b_t`` white **flicker** (std ``flicker_log_std``);
    5. per-pixel multiplicative noise (std ``noise_std``); clamped to ``>= min_depth``.

    ``severity`` scales every std, blur width and mixing fraction linearly; compression is ``1 - (1 - k)^severity``.

    Preset ``"depth-anything-v2-metric"`` (severity 1), sources:

    * ``scale_log_std = 0.070``: Depth Anything V2 (Yang et al., NeurIPS 2024, arXiv 2406.09414v2, Table 4 "Fine-
      tuning our Depth Anything V2 pre-trained encoder to in-domain metric depth estimation", checked verbatim in
      the arXiv HTML): ViT-L fine-tuned on NYU-D reaches AbsRel 0.056 / delta1 0.984 / RMSE 0.206 m (ViT-B 0.063 /
      0.977, ViT-S 0.073 / 0.961) and on KITTI AbsRel 0.045 / delta1 0.983 (ViT-B 0.048 / 0.979, ViT-S 0.053 /
      0.973). (Depth Anything V1's ViT-L, ``metric_depth/README.md`` of LiheYoung/Depth-Anything, has the same
      NYU-D row and KITTI 0.046 / 0.982.) A log-normal per-frame scale with ``E|log s| = 0.056`` has ``std = 0.056
      sqrt(pi/2) = 0.070``; with delta1 0.984 (``|log s| < log 1.25`` for 98.4 %) the std would be <= 0.094,
      consistent. **These are in-domain figures**: the released metric checkpoints the package uses by default
      (``Depth-Anything-V2-Metric-Indoor/Outdoor-*``) are fine-tuned on synthetic Hypersim / Virtual KITTI 2
      (``max_depth`` 20 / 80 m) and no accuracy figure is published for them (neither in the paper nor in the
      repository's ``metric_depth/README.md`` or the model cards). Zero-shot metric accuracy is much worse (V1,
      NYU-D model -> iBims-1: AbsRel 0.150 / delta1 0.714; -> SUN RGB-D: AbsRel 0.500 / delta1 0.660, same README),
      and no published figure measures metric depth on people. So severity 1 is the optimistic, in-domain case and
      severity ~2-4 covers a new domain such as a capture studio or a video from the wild.
    * ``scale_time_constant = 1.0`` s, ``flicker_log_std = 0.02``: per-frame image models flicker on video (the
      motivation of Video Depth Anything, Chen et al., CVPR 2025); the split into a slow and a white part and their
      sizes are assumptions.
    * ``relief_compression = 0.3``, ``thin_mix = 0.3``: assumptions (no published per-person figure found):
      networks trained with scale/shift-invariant and gradient-matching losses flatten the fine relief of a
      person and smear thin structures, which Depth Anything V2 shows qualitatively (its Fig. 2 and Sec. 4).
    * ``edge_sigma_px = 2.0``, ``thin_sigma_px = 5.0``: the network runs at 518 px and is upsampled to ~1000 px
      images (x2), so a 1-2 px boundary blur at network resolution is ~2-4 px here (assumption).
    * ``noise_std = 0.01``: residual per-pixel noise (assumption, small next to the effects above).
    """

    severity: float = 1.0  # 0 .. MAX_SEVERITY
    scale_log_std: float = 0.070
    scale_time_constant: float = 1.0
    flicker_log_std: float = 0.02
    relief_compression: float = 0.3
    edge_sigma_px: float = 2.0
    thin_sigma_px: float = 5.0
    thin_mix: float = 0.3
    noise_std: float = 0.01
    fps: float = 25.0
    min_depth: float = 0.05
    preset: str = "depth-anything-v2-metric"

    def __post_init__(self) -> None:
        check_severity_and_fps(self.severity, self.fps)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def for_independent_frames(self) -> MonocularDepthError:
        """This model for frames that are not a sequence (e.g. PoseAug's augmented poses): the scale's AR(1) at time
        constant 0, so each frame draws its scale from the stationary distribution (same per-frame distribution)."""
        return replace(self, scale_time_constant=0.0)

    def effective(self) -> dict[str, float]:
        """The parameters at this severity (what is actually applied)."""
        s = float(self.severity)
        return {
            "scale_log_std": self.scale_log_std * s,
            "flicker_log_std": self.flicker_log_std * s,
            "relief_compression": 1.0 - (1.0 - self.relief_compression) ** s,
            "edge_sigma_px": self.edge_sigma_px * s,
            "thin_sigma_px": self.thin_sigma_px * s,
            "thin_mix": min(1.0, self.thin_mix * s),
            "noise_std": self.noise_std * s,
        }

    def frame_log_scales(self, num_frames: int, seed: int | torch.Generator = 0) -> torch.Tensor:
        """``(num_frames,)`` float64 per-frame log scale (slow AR(1) + flicker) for ``seed``."""
        eff = self.effective()
        base = _seed_ints(seed)[0]
        g_slow = torch.Generator().manual_seed(base)
        g_flicker = torch.Generator().manual_seed((base + 0x9E3779B9) % 2**62)
        z = torch.randn(max(num_frames, 1), generator=g_slow, dtype=torch.float64)
        flicker = torch.randn(max(num_frames, 1), generator=g_flicker, dtype=torch.float64)[:num_frames]
        rho = math.exp(-1.0 / (self.scale_time_constant * self.fps)) if self.scale_time_constant > 0 else 0.0
        a = torch.empty(num_frames, dtype=torch.float64)
        prev = z[0]
        w = z * math.sqrt(1.0 - rho * rho)
        for t in range(num_frames):  # AR(1) over time (one scalar per frame)
            prev = prev if t == 0 else rho * prev + w[t]
            a[t] = prev
        return eff["scale_log_std"] * a + eff["flicker_log_std"] * flicker

    def _relief(self, d: torch.Tensor, body: torch.Tensor, median: torch.Tensor, k: float) -> torch.Tensor:
        shape = (-1,) + (1,) * (d.ndim - 1)
        return torch.where(body, median.reshape(shape) + (1.0 - k) * (d - median.reshape(shape)), d)

    def __call__(self, depth: Any, seed: int | torch.Generator = 0, far: Any = None) -> torch.Tensor:
        """Corrupt ``(T, H, W)`` z-depth maps (metres) of consecutive frames; ``far`` = background depth (scalar or
        ``(T,)``; default: each map's maximum). Pixels nearer than ``far - 1 mm`` are the body."""
        d = _as_tensor(depth, "depth")
        if d.ndim != 3:
            raise ValueError(f"`depth` must have shape (frames, height, width), got {tuple(d.shape)}")
        seed = _seed_ints(seed)[0]
        eff = self.effective()
        t = d.shape[0]
        far_t = d.flatten(1).amax(1) if far is None else torch.as_tensor(far, dtype=d.dtype).expand(t)
        body = d < far_t[:, None, None] - 1e-3
        if eff["relief_compression"] > 0:
            med = torch.nanquantile(torch.where(body, d, torch.nan).flatten(1), 0.5, dim=1)
            d = self._relief(d, body, torch.nan_to_num(med, nan=0.0), eff["relief_compression"])
        g_pos = torch.Generator().manual_seed(_seed_ints(seed)[1] + 1)
        out = _displaced(d, eff["edge_sigma_px"], g_pos)
        if eff["thin_mix"] > 0 and eff["thin_sigma_px"] > 0:
            out = (1.0 - eff["thin_mix"]) * out + eff["thin_mix"] * _displaced(d, eff["thin_sigma_px"], g_pos)
        scale = torch.exp(self.frame_log_scales(t, seed)).to(d)
        out = out * scale[:, None, None]
        if eff["noise_std"] > 0:
            g = torch.Generator().manual_seed(_seed_ints(seed)[1])
            out = out * (1 + eff["noise_std"] * torch.randn(out.shape, generator=g, dtype=torch.float64).to(out))
        return out.clamp(min=self.min_depth)

    def apply_to_samples(
        self,
        edge_samples: torch.Tensor,
        thin_samples: torch.Tensor | None,
        body_median: torch.Tensor,
        far: torch.Tensor,
        seed: int | torch.Generator = 0,
    ) -> torch.Tensor:
        """The ray-cast counterpart of :meth:`__call__` on depth samples ``(T, ...)`` (metres).

        Args:
            edge_samples: depth at sample positions jittered by ``N(0, edge_sigma_px^2)`` (a draw of the edge blur).
            thin_samples: depth at positions jittered by ``N(0, thin_sigma_px^2)`` (``None`` when ``thin_mix`` = 0).
            body_median: ``(T,)`` the body's median depth per frame; far: ``(T,)`` background depth.
        """
        seed = _seed_ints(seed)[0]
        eff = self.effective()
        t = edge_samples.shape[0]
        shape = (-1,) + (1,) * (edge_samples.ndim - 1)
        k = eff["relief_compression"]

        def relief(x: torch.Tensor) -> torch.Tensor:
            if k <= 0:
                return x
            return self._relief(x, x < far.reshape(shape) - 1e-3, body_median, k)

        out = relief(edge_samples)
        if thin_samples is not None and eff["thin_mix"] > 0:
            out = (1.0 - eff["thin_mix"]) * out + eff["thin_mix"] * relief(thin_samples)
        out = out * torch.exp(self.frame_log_scales(t, seed)).to(out).reshape(shape)
        if eff["noise_std"] > 0:
            g = torch.Generator().manual_seed(_seed_ints(seed)[1])
            out = out * (1 + eff["noise_std"] * torch.randn(out.shape, generator=g, dtype=torch.float64).to(out))
        return out.clamp(min=self.min_depth)


def _displaced(d: torch.Tensor, sigma: float, g: torch.Generator) -> torch.Tensor:
    """Every pixel of ``d (T, H, W)`` takes the value at its own position displaced by ``N(0, sigma^2)`` pixels
    (nearest pixel, clamped to the map): a random-displacement blur whose per-pixel marginal is the Gaussian blur's
    mixture, so a pixel near the silhouette sees either the body or the background, as a ray-cast sample does."""
    if sigma <= 0:
        return d
    t, h, w = d.shape
    jit = torch.randn(2, t, h, w, generator=g, dtype=torch.float64)
    v = (torch.arange(h, dtype=torch.float64)[None, :, None] + sigma * jit[1]).round().clamp(0, h - 1).long()
    u = (torch.arange(w, dtype=torch.float64)[None, None, :] + sigma * jit[0]).round().clamp(0, w - 1).long()
    return torch.gather(d.reshape(t, -1), 1, (v * w + u).reshape(t, -1)).reshape(t, h, w)


#: Named presets of :class:`MonocularDepthError` (severity 1); see its docstring for the sources.
DEPTH_ERROR_PRESETS: dict[str, dict[str, float]] = {
    "depth-anything-v2-metric": {
        "scale_log_std": 0.070, "scale_time_constant": 1.0, "flicker_log_std": 0.02, "relief_compression": 0.3,
        "edge_sigma_px": 2.0, "thin_sigma_px": 5.0, "thin_mix": 0.3, "noise_std": 0.01,
    },
}  # fmt: skip


def depth_error_preset(
    name: str = "depth-anything-v2-metric", severity: float = 1.0, fps: float = 25.0
) -> MonocularDepthError:
    """The :class:`MonocularDepthError` preset ``name`` at ``severity`` (0 = exact depth)."""
    if name not in DEPTH_ERROR_PRESETS:
        raise ValueError(f"unknown depth-error preset {name!r}; known: {sorted(DEPTH_ERROR_PRESETS)}")
    return MonocularDepthError(severity=float(severity), fps=float(fps), preset=name, **DEPTH_ERROR_PRESETS[name])
