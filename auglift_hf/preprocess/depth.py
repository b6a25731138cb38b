"""Stage 3: monocular depth maps at the original image resolution, invalid pixels masked.

A depth estimator follows :class:`DepthEstimator`: ``estimator(images) -> list of (H, W) float32`` maps, each at
its **original image size** (so keypoints in original pixels index it directly), invalid pixels ``NaN``, and has
a ``kind`` attribute:

* ``"metric"``: metres, larger = farther. The default, as AugLift: Depth Anything V2 metric fine-tuned on
  Hypersim (indoor), ViT-L (:data:`auglift_hf.contract.DEFAULT_DEPTH_MODEL`); the Virtual KITTI (outdoor) and the
  Base / Small variants are selectable (:data:`DEPTH_CHECKPOINTS`). Invalid: NaN / inf, ``<= 0``, or at / beyond
  the checkpoint's ``max_depth`` (the metric head is ``sigmoid(.) * max_depth``, so ``max_depth`` is its
  saturated "out of range" reading).
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
"""

from __future__ import annotations

import math
from typing import Any, Protocol, runtime_checkable

import numpy as np

from ..contract import DEFAULT_DEPTH_MODEL
from ._hf import checkpoint_kwargs, loading_errors, resolve_device, resolve_dtype

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
        kw = checkpoint_kwargs(checkpoint, "depth model", "--depth-model", local_files_only, revision)
        with loading_errors(checkpoint, "depth model", "--depth-model", local_files_only):
            config = AutoConfig.from_pretrained(checkpoint, **kw)
        kind = getattr(config, "depth_estimation_type", None)
        if kind not in ("metric", "relative"):
            raise ValueError(
                f"depth checkpoint {checkpoint}: config.depth_estimation_type must be 'metric' or 'relative', got {kind!r}"
            )
        with loading_errors(checkpoint, "depth model", "--depth-model", local_files_only):
            processor = AutoImageProcessor.from_pretrained(checkpoint, **kw)
            self.model = AutoModelForDepthEstimation.from_pretrained(checkpoint, dtype=self.dtype, **kw)
        self.image_mean = torch.tensor(getattr(processor, "image_mean", None) or [0.485, 0.456, 0.406])
        self.image_std = torch.tensor(getattr(processor, "image_std", None) or [0.229, 0.224, 0.225])
        self.model.to(self.device).eval()
        head = getattr(self.model, "head", None)
        if head is None:
            raise ValueError(f"depth checkpoint {checkpoint}: expected a Depth Anything model with a `head` module")
        head.float()  # the output head in fp32 whatever dtype the backbone runs in
        head.register_forward_pre_hook(_head_inputs_to_fp32)
        self.checkpoint = str(checkpoint)
        self.kind = kind
        self.max_depth = float(config.max_depth) if kind == "metric" else None
        self.input_size = int(input_size)

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

    def mask_invalid(self, depth: Any) -> Any:
        """NaN where the prediction is not a depth: non-finite, ``<= 0`` or (metric) ``>= max_depth``."""
        import torch

        bad = ~torch.isfinite(depth) | (depth <= 0)
        if self.max_depth is not None:
            bad |= depth >= self.max_depth
        return torch.where(bad, torch.full_like(depth, float("nan")), depth)

    def _run(self, images: list[np.ndarray], size: tuple[int, int]) -> list[np.ndarray]:
        import torch
        import torch.nn.functional as F

        pixel_values = self.pixel_values(images).to(self.device, self.dtype)
        with torch.inference_mode():
            pred = self.model(pixel_values=pixel_values).predicted_depth.float()  # (B, h', w')
            pred = F.interpolate(pred[:, None], size=size, mode="bilinear", align_corners=True)[:, 0]
            pred = self.mask_invalid(pred)
        return [m.cpu().numpy().astype(np.float32) for m in pred]


__all__ = [
    "DEFAULT_DEPTH_MODEL",
    "DEPTH_CHECKPOINTS",
    "DepthEstimator",
    "HFDepthEstimator",
    "depth_anything_input_size",
    "resolve_depth_checkpoint",
]
