"""Stage 3: monocular depth maps at the original image resolution.

A depth estimator follows :class:`DepthEstimator`: ``estimator(images) -> list of (H, W) float32`` maps, each
**resized back to its original image size** (so keypoints in original pixels index it directly), larger =
farther, and has a ``kind`` attribute (``"metric"``: metres; ``"relative"``: arbitrary scale).

The default is Depth Anything V2 through transformers. Its relative checkpoints predict affine-invariant
*inverse* depth (disparity, larger = nearer); by default it is converted to relative depth ``1 / disparity``
so that every map follows the package convention (larger = farther, see :mod:`auglift_hf.features.depth`).
Metric checkpoints (the Hypersim indoor / Virtual KITTI outdoor fine-tunes) predict metres directly.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np

from ._hf import hub_kwargs, resolve_device, resolve_dtype

#: Named Depth Anything V2 variants (Small backbones; swap "Small" for "Base"/"Large" ids for accuracy).
DEPTH_CHECKPOINTS: dict[str, str] = {
    "relative": "depth-anything/Depth-Anything-V2-Small-hf",
    "metric-indoor": "depth-anything/Depth-Anything-V2-Metric-Indoor-Small-hf",
    "metric-outdoor": "depth-anything/Depth-Anything-V2-Metric-Outdoor-Small-hf",
}
DEFAULT_DEPTH_MODEL = DEPTH_CHECKPOINTS["relative"]


@runtime_checkable
class DepthEstimator(Protocol):
    """``depth(images: list[(H, W, 3) uint8]) -> list[(H, W) float32]`` at the original size; has ``kind``."""

    kind: str

    def __call__(self, images: list[np.ndarray]) -> list[np.ndarray]: ...


class HFDepthEstimator:
    """transformers ``AutoModelForDepthEstimation`` (Depth Anything V2 by default).

    Args:
        checkpoint: Hub id, local folder, or a key of :data:`DEPTH_CHECKPOINTS` (``"relative"``,
            ``"metric-indoor"``, ``"metric-outdoor"``).
        invert_relative: convert relative (disparity) output to ``1 / max(disparity, eps)``.
        device, dtype: where and in which precision the model runs.
    """

    def __init__(
        self,
        checkpoint: str = DEFAULT_DEPTH_MODEL,
        invert_relative: bool = True,
        eps: float = 1e-6,
        device: Any = None,
        dtype: Any = None,
        local_files_only: bool | None = None,
        revision: str | None = None,
    ):
        from transformers import AutoImageProcessor, AutoModelForDepthEstimation

        checkpoint = DEPTH_CHECKPOINTS.get(str(checkpoint), checkpoint)
        self.device = resolve_device(device)
        self.dtype = resolve_dtype(dtype, self.device)
        kw = hub_kwargs(local_files_only, revision)
        self.processor = AutoImageProcessor.from_pretrained(checkpoint, **kw)
        self.model = AutoModelForDepthEstimation.from_pretrained(checkpoint, dtype=self.dtype, **kw)
        self.model.to(self.device).eval()
        self.checkpoint = str(checkpoint)
        metric = getattr(self.model.config, "depth_estimation_type", "relative") == "metric"
        self.kind = "metric" if metric else "relative"
        self.invert = bool(invert_relative) and not metric
        self.eps = float(eps)

    def __call__(self, images: list[np.ndarray]) -> list[np.ndarray]:
        """Depth maps at each image's own size. Images are batched by size (the processor keeps aspect ratios,
        so different sizes give different input shapes)."""
        maps: list[np.ndarray | None] = [None] * len(images)
        groups: dict[tuple[int, int], list[int]] = {}
        for i, im in enumerate(images):
            groups.setdefault(tuple(im.shape[:2]), []).append(i)
        for (h, w), idx in groups.items():
            for i, m in zip(idx, self._run([images[i] for i in idx], (h, w))):
                maps[i] = m
        return maps  # type: ignore[return-value]

    def _run(self, images: list[np.ndarray], size: tuple[int, int]) -> list[np.ndarray]:
        import torch

        inputs = self.processor(images=list(images), return_tensors="pt")
        pixel_values = inputs["pixel_values"].to(self.device, self.dtype)
        with torch.inference_mode():
            outputs = self.model(pixel_values=pixel_values)
        outputs.predicted_depth = outputs.predicted_depth.float()
        results = self.processor.post_process_depth_estimation(outputs, target_sizes=[size] * len(images))
        maps = []
        for res in results:
            d = res["predicted_depth"].reshape(size)
            if self.invert:
                d = 1.0 / d.clamp_min(self.eps)
            maps.append(torch.nan_to_num(d, nan=0.0, posinf=0.0, neginf=0.0).cpu().numpy().astype(np.float32))
        return maps
