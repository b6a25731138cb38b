"""Stage 3: monocular depth maps at the original image resolution, invalid pixels masked.

A depth estimator follows :class:`DepthEstimator`: ``estimator(images) -> list of (H, W) float32`` maps, each at
its **original image size** (so keypoints in original pixels index it directly), invalid pixels ``NaN``, and has
a ``kind`` attribute:

* ``"metric"``: metres, larger = farther. The default, as AugLift: Depth Anything V2 metric fine-tuned on
  Hypersim (indoor), ViT-L (:data:`auglift_hf.contract.DEFAULT_DEPTH_MODEL`); the Virtual KITTI (outdoor) and the
  Base / Small variants are selectable (:data:`DEPTH_CHECKPOINTS`). Invalid: NaN / inf, ``<= 0``, or in the band
  ``>= (1 - MAX_DEPTH_BAND) * max_depth`` (:data:`MAX_DEPTH_BAND`: 19.8 m for the indoor models, 79.2 m outdoor).
  The metric head is ``sigmoid(z) * max_depth`` and was trained only on targets ``<= max_depth``
  (``metric_depth/train.py:133`` of the official repo), so a scene point beyond the range comes out *near*
  ``max_depth``; it equals ``max_depth`` exactly only when the fp32 sigmoid rounds to 1 (``z > 16.6``), and a
  ``== max_depth`` test alone passes ``19.999`` m as a depth.
* ``"relative"``: the relative checkpoints' output **as predicted**: affine-invariant inverse depth (disparity,
  unknown scale *and* shift per frame, larger = nearer). It is never inverted or converted to metres (``1 /
  disparity`` is not depth even up to a scale); only a lifter whose input contract says ``depth_kind="relative"``
  may take it (:func:`auglift_hf.contract.check_contract`). Invalid: NaN / inf or ``<= 0`` (the ReLU head's zero).

Inference follows Depth Anything V2's own ``DepthAnythingV2.infer_image`` / ``image2tensor``
(github.com/DepthAnything/Depth-Anything-V2, ``depth_anything_v2/dpt.py`` and ``util/transform.py``), not the
transformers ``DPTImageProcessor`` defaults (``keep_aspect_ratio`` there means "scale as little as possible", so a
640x360 frame would run at 294x518 instead of 924x518, and ``post_process_depth_estimation`` upsamples bicubically,
overshooting at depth edges):

1. ``Resize(518, 518, keep_aspect_ratio=True, ensure_multiple_of=14, resize_method="lower_bound",
   INTER_CUBIC)``: the short side becomes at least 518, aspect kept, both sides rounded to multiples of 14
   (:func:`depth_anything_input_size`); bicubic (a = -0.75, half-pixel centres, no antialias, as OpenCV's
   ``INTER_CUBIC``; here ``torch.nn.functional.interpolate(mode="bicubic", align_corners=False)``) on the
   ``[0, 1]`` RGB image;
2. ``NormalizeImage`` with the ImageNet mean / std (read from the checkpoint's image processor);
3. the model, with its output head in **fp32** whatever ``dtype`` the backbone runs in (bf16 would quantise
   metric depth to ~3 cm at 5 m, the size of the signal);
4. ``F.interpolate(depth[:, None], (h, w), mode="bilinear", align_corners=True)`` back to the original size.
   Validity is decided at the network's resolution and carried through the upsampling: an output pixel is valid
   only when every network pixel with a non-zero bilinear weight is (a pixel between a saturated sky pixel and a
   wall at 6 m would otherwise read a plausible 13 m).

**Position embeddings as the original.** transformers' ``Dinov2Embeddings.interpolate_pos_encoding`` resizes the
37 x 37 grid with ``F.interpolate(size=(h // 14, w // 14))``; the official code
(``depth_anything_v2/dinov2.py:189-205`` of github.com/DepthAnything/Depth-Anything-V2 at a561b84, as
``dinov2/models/vision_transformer.py:190-209`` of facebookresearch/dinov2 at b8931f7 with
``interpolate_offset=0.1``, set in ``depth_anything_v2/dinov2.py:414``) passes
``scale_factor=((h // 14 + 0.1) / 37, (w // 14 + 0.1) / 37)``, which PyTorch uses for the sampling positions: the
grids differ by up to ~0.1 patch at the far edge, on both sides of any non-square input (a square 518 x 518 input,
e.g. H36M's 1000 x 1000 frames, is not interpolated by either). Measured with a tiny random-init model
(``benchmarks/bench_depth_pos_embed.py``: Dinov2 37 x 37 grid, width 32, 2 layers; the real ViT-L's sensitivity is
unknown here): the embeddings differ by 0.45-0.53 of their std (random) / 0.18 (smooth sinusoidal) and the depth
by 0.1-0.4 % of its spatial std at 3DPW's 1080 x 1920 (input 518 x 924, portrait), 3DHP TS5-6's / a 16:9 video's
1920 x 1080 (924 x 518) and 640 x 480. AugLift ran the official code (``infer_image``), and the metric models were
fine-tuned on square 518 crops (no interpolation at all), so nothing favours transformers' variant:
:class:`HFDepthEstimator` installs the original's (:func:`original_interpolate_pos_encoding`).
"""

from __future__ import annotations

import math
import types
from typing import Any, Protocol, runtime_checkable

import numpy as np

from ..contract import DEFAULT_DEPTH_MODEL
from ._hf import hub_kwargs, resolve_device, resolve_dtype

_HUB = "depth-anything/Depth-Anything-V2-"
#: Named Depth Anything V2 checkpoints. The unsized names are the ViT-L (Large) models, as AugLift.
DEPTH_CHECKPOINTS: dict[str, str] = {
    "metric-indoor": f"{_HUB}Metric-Indoor-Large-hf",
    "metric-indoor-large": f"{_HUB}Metric-Indoor-Large-hf",
    "metric-indoor-base": f"{_HUB}Metric-Indoor-Base-hf",
    "metric-indoor-small": f"{_HUB}Metric-Indoor-Small-hf",
    "metric-outdoor": f"{_HUB}Metric-Outdoor-Large-hf",
    "metric-outdoor-large": f"{_HUB}Metric-Outdoor-Large-hf",
    "metric-outdoor-base": f"{_HUB}Metric-Outdoor-Base-hf",
    "metric-outdoor-small": f"{_HUB}Metric-Outdoor-Small-hf",
    "relative": f"{_HUB}Large-hf",
    "relative-large": f"{_HUB}Large-hf",
    "relative-base": f"{_HUB}Base-hf",
    "relative-small": f"{_HUB}Small-hf",
}
assert DEPTH_CHECKPOINTS["metric-indoor"] == DEFAULT_DEPTH_MODEL
#: Depth Anything V2's ``infer_image`` input size (short-side lower bound) and patch multiple.
INPUT_SIZE = 518
PATCH_MULTIPLE = 14
#: Relative band below a metric checkpoint's ``max_depth`` read as "out of range" (1 %: 0.2 m at 20 m, 0.8 m at
#: 80 m). At its edge the head's sigmoid is 0.99 (logit ln 99 = 4.6), where its slope ``max_depth * s (1 - s)`` is 4 %
#: of the mid-range slope: the head has lost 96 % of its depth resolution, and a reading there cannot be told from
#: the clamp of a beyond-range point (trained only on targets ``<= max_depth``). It costs nothing at a person:
#: subjects of H36M / 3DHP / 3DPW / Fit3D stand well within 15 m.
MAX_DEPTH_BAND = 0.01
#: Original DINOv2 / Depth Anything V2 offset added to the patch grid before computing the interpolation scale.
POS_EMBED_INTERPOLATE_OFFSET = 0.1


def resolve_depth_checkpoint(name: Any) -> str:
    """A :data:`DEPTH_CHECKPOINTS` key -> its Hub id; anything else (an id or a folder) unchanged."""
    return DEPTH_CHECKPOINTS.get(str(name), str(name))


def depth_anything_input_size(
    height: int, width: int, input_size: int = INPUT_SIZE, multiple: int = PATCH_MULTIPLE
) -> tuple[int, int]:
    """``(new_height, new_width)`` of Depth Anything V2's ``Resize(..., keep_aspect_ratio=True,
    ensure_multiple_of=14, resize_method="lower_bound")`` (``util/transform.py``, ``Resize.get_size``).

    Both sides are scaled by ``max(input_size / height, input_size / width)`` (the short side reaches
    ``input_size``), then rounded to the nearest multiple of ``multiple`` (``np.round``: halves to even), and
    rounded up instead when that falls below ``input_size``. E.g. 640x360 (w x h) -> 924x518.
    """
    if height < 1 or width < 1:
        raise ValueError(f"image size must be positive, got height={height}, width={width}")
    scale = max(input_size / height, input_size / width)

    def constrain(x: float) -> int:
        y = int(np.round(x / multiple) * multiple)
        if y < input_size:
            y = int(math.ceil(x / multiple) * multiple)
        return y

    return constrain(scale * height), constrain(scale * width)


@runtime_checkable
class DepthEstimator(Protocol):
    """``depth(images: list[(H, W, 3) uint8]) -> list[(H, W) float32]`` at the original size, invalid = NaN;
    has ``kind`` (``"metric"`` metres or ``"relative"`` disparity)."""

    kind: str

    def __call__(self, images: list[np.ndarray]) -> list[np.ndarray]: ...


def original_interpolate_pos_encoding(self: Any, embeddings: Any, height: int, width: int) -> Any:
    """The official DINOv2 / Depth Anything V2 position-embedding interpolation, as a method of transformers'
    ``Dinov2Embeddings`` (``embeddings (B, 1 + patches, C)``, ``height`` / ``width`` of the input in pixels).

    ``F.interpolate(grid, scale_factor=((h0 + 0.1) / M, (w0 + 0.1) / M), mode="bicubic", antialias=False)`` on the
    ``M x M`` grid in fp32 (``depth_anything_v2/dinov2.py:179-210``), no interpolation for a square input with the
    pretrained number of patches.
    """
    import torch
    import torch.nn.functional as F

    pos = self.position_embeddings
    n = pos.shape[1] - 1
    if embeddings.shape[1] - 1 == n and height == width:
        return pos
    ph, pw = self.patch_embeddings.patch_size if hasattr(self, "patch_embeddings") else (14, 14)
    h0, w0 = height // ph, width // pw
    m = int(math.sqrt(n))
    grid = pos[:, 1:].float().reshape(1, m, m, -1).permute(0, 3, 1, 2)
    off = POS_EMBED_INTERPOLATE_OFFSET
    grid = F.interpolate(grid, scale_factor=((h0 + off) / m, (w0 + off) / m), mode="bicubic", antialias=False)
    if tuple(grid.shape[-2:]) != (h0, w0):  # the original asserts this too
        raise RuntimeError(f"position embeddings interpolated to {tuple(grid.shape[-2:])}, expected {(h0, w0)}")
    grid = grid.permute(0, 2, 3, 1).reshape(1, h0 * w0, -1)
    return torch.cat([pos[:, :1].float(), grid], dim=1).to(pos.dtype)


def _head_inputs_to_fp32(module: Any, args: tuple) -> tuple:
    """Forward pre-hook: cast the head's floating tensor inputs (a list of feature maps) to fp32."""
    import torch

    def cast(x: Any) -> Any:
        if isinstance(x, torch.Tensor) and x.is_floating_point():
            return x.float()
        if isinstance(x, (list, tuple)):
            return type(x)(cast(v) for v in x)
        return x

    return tuple(cast(a) for a in args)


class HFDepthEstimator:
    """Depth Anything V2 through transformers ``AutoModelForDepthEstimation``, run as its own ``infer_image``.

    Args:
        checkpoint: Hub id, local folder, or a key of :data:`DEPTH_CHECKPOINTS` (default: the metric indoor ViT-L).
        input_size: short-side lower bound of the network input (518, as ``infer_image``).
        device, dtype: where and in which precision the backbone runs; the output head is always fp32.

    Attributes:
        kind: ``"metric"`` or ``"relative"`` from the checkpoint's ``config.depth_estimation_type``.
        max_depth: the metric head's range in metres (``config.max_depth``; ``None`` for relative models).
        invalid_from: metric readings ``>=`` this are invalid (``(1 - MAX_DEPTH_BAND) * max_depth``; ``None``).
        checkpoint: the resolved id / folder.
    """

    def __init__(
        self,
        checkpoint: str = DEFAULT_DEPTH_MODEL,
        input_size: int = INPUT_SIZE,
        device: Any = None,
        dtype: Any = None,
        local_files_only: bool | None = None,
        revision: str | None = None,
    ):
        import torch
        from transformers import AutoConfig, AutoImageProcessor, AutoModelForDepthEstimation

        checkpoint = resolve_depth_checkpoint(checkpoint)
        self.device = resolve_device(device)
        self.dtype = resolve_dtype(dtype, self.device)
        kw = hub_kwargs(local_files_only, revision)
        config = AutoConfig.from_pretrained(checkpoint, **kw)
        kind = getattr(config, "depth_estimation_type", None)
        if kind not in ("metric", "relative"):
            raise ValueError(
                f"depth checkpoint {checkpoint}: config.depth_estimation_type must be 'metric' or 'relative', got {kind!r}"
            )
        processor = AutoImageProcessor.from_pretrained(checkpoint, **kw)
        self.image_mean = torch.tensor(getattr(processor, "image_mean", None) or [0.485, 0.456, 0.406])
        self.image_std = torch.tensor(getattr(processor, "image_std", None) or [0.229, 0.224, 0.225])
        self.model = AutoModelForDepthEstimation.from_pretrained(checkpoint, dtype=self.dtype, **kw)
        self.model.to(self.device).eval()
        head = getattr(self.model, "head", None)
        if head is None:
            raise ValueError(f"depth checkpoint {checkpoint}: expected a Depth Anything model with a `head` module")
        head.float()  # the output head in fp32 whatever dtype the backbone runs in
        head.register_forward_pre_hook(_head_inputs_to_fp32)
        self.checkpoint = str(checkpoint)
        self.kind = kind
        self.max_depth = float(config.max_depth) if kind == "metric" else None
        self.invalid_from = None if self.max_depth is None else (1.0 - MAX_DEPTH_BAND) * self.max_depth
        self.input_size = int(input_size)
        emb = getattr(getattr(self.model, "backbone", None), "embeddings", None)
        self.pos_embed_interpolation = None  # recorded in the provenance (it changes non-square outputs)
        if getattr(emb, "position_embeddings", None) is not None and hasattr(emb, "interpolate_pos_encoding"):
            emb.interpolate_pos_encoding = types.MethodType(original_interpolate_pos_encoding, emb)
            self.pos_embed_interpolation = f"original (scale_factor, +{POS_EMBED_INTERPOLATE_OFFSET})"

    def __call__(self, images: list[np.ndarray]) -> list[np.ndarray]:
        """Depth maps ``(H, W)`` float32 at each image's own size (NaN = invalid). Images of equal size are batched."""
        maps: list[np.ndarray | None] = [None] * len(images)
        groups: dict[tuple[int, int], list[int]] = {}
        for i, im in enumerate(images):
            groups.setdefault(tuple(im.shape[:2]), []).append(i)
        for (h, w), idx in groups.items():
            for i, m in zip(idx, self._run([images[i] for i in idx], (h, w))):
                maps[i] = m
        return maps  # type: ignore[return-value]

    def pixel_values(self, images: list[np.ndarray]) -> Any:
        """``image2tensor``: ``(B, H, W, 3)`` uint8 RGB of one size -> normalised ``(B, 3, h', w')`` float32."""
        import torch
        import torch.nn.functional as F

        h, w = images[0].shape[:2]
        nh, nw = depth_anything_input_size(h, w, self.input_size)
        x = torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).float() / 255.0
        x = F.interpolate(x, size=(nh, nw), mode="bicubic", align_corners=False, antialias=False)
        return (x - self.image_mean[:, None, None]) / self.image_std[:, None, None]

    def valid(self, depth: Any) -> Any:
        """Where a prediction is a depth: finite, ``> 0`` and (metric) ``< invalid_from`` (:data:`MAX_DEPTH_BAND`)."""
        import torch

        ok = torch.isfinite(depth) & (depth > 0)
        if self.invalid_from is not None:
            ok &= depth < self.invalid_from
        return ok

    def mask_invalid(self, depth: Any) -> Any:
        """NaN where :meth:`valid` is False."""
        import torch

        return torch.where(self.valid(depth), depth, torch.full_like(depth, float("nan")))

    def upsample(self, pred: Any, size: tuple[int, int]) -> Any:
        """``(B, h', w')`` network prediction -> ``(B, H, W)`` (bilinear, ``align_corners=True``), NaN wherever a
        network pixel with a non-zero bilinear weight is invalid; valid pixels equal plain bilinear upsampling."""
        import torch
        import torch.nn.functional as F

        ok = self.valid(pred)
        both = torch.stack([torch.where(ok, pred, torch.zeros_like(pred)), ok.float()], 1)  # (B, 2, h', w')
        up = F.interpolate(both, size=size, mode="bilinear", align_corners=True)
        value, weight = up[:, 0], up[:, 1]
        return torch.where(weight > 1.0 - 1e-4, value / weight.clamp_min(1e-6), torch.full_like(value, float("nan")))

    def _run(self, images: list[np.ndarray], size: tuple[int, int]) -> list[np.ndarray]:
        import torch

        pixel_values = self.pixel_values(images).to(self.device, self.dtype)
        with torch.inference_mode():
            pred = self.model(pixel_values=pixel_values).predicted_depth.float()  # (B, h', w')
            pred = self.upsample(pred, size)
        return [m.cpu().numpy().astype(np.float32) for m in pred]


__all__ = [
    "DEFAULT_DEPTH_MODEL",
    "DEPTH_CHECKPOINTS",
    "DepthEstimator",
    "HFDepthEstimator",
    "MAX_DEPTH_BAND",
    "depth_anything_input_size",
    "original_interpolate_pos_encoding",
    "resolve_depth_checkpoint",
]
