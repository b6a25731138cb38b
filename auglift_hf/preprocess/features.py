"""AugLift V2: backbone features sampled at the keypoints, as extra per-joint channels.

A ViT backbone (DINOv2 by default: the encoder of Depth Anything V2) sees the whole frame resized to a multiple of
its patch size (no crop, so the mapping is a per-axis scale); the patch tokens of one layer form a
``(C, h, w)`` map with stride = patch size, sampled at the H36M keypoints with
:func:`auglift_hf.features.sample_feature_map` and optionally normalised to ``[-1, 1]`` with a fitted
:class:`auglift_hf.features.FeatureNormalizer`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._hf import checkpoint_kwargs, loading_errors, resolve_device, resolve_dtype

DEFAULT_FEATURE_BACKBONE = "facebook/dinov2-small"


class BackboneFeatureSampler:
    """``sampler(images, keypoints (R, 17, 2) original px, frame (R,)) -> (R, 17, C)`` backbone features.

    Args:
        checkpoint: a ViT-style ``AutoModel`` with patch tokens (DINOv2, ViT, ...).
        short_side: the frame is resized so its shorter side is about this many pixels (multiple of the patch).
        layer: hidden-state index (``-1`` = ``last_hidden_state``, after the final layer norm).
        mode, k: :func:`~auglift_hf.features.sample_feature_map` sampling (``"bilinear"`` or ``"nearest_k"``).
        normalizer: optional fitted :class:`~auglift_hf.features.FeatureNormalizer`.
    """

    def __init__(
        self,
        checkpoint: str = DEFAULT_FEATURE_BACKBONE,
        short_side: int = 224,
        layer: int = -1,
        mode: str = "bilinear",
        k: int = 4,
        normalizer: Any = None,
        device: Any = None,
        dtype: Any = None,
        local_files_only: bool | None = None,
    ):
        from transformers import AutoImageProcessor, AutoModel

        self.device = resolve_device(device)
        self.dtype = resolve_dtype(dtype, self.device)
        kw = checkpoint_kwargs(checkpoint, "feature backbone", "--features", local_files_only)
        with loading_errors(checkpoint, "feature backbone", "--features", local_files_only):
            self.model = AutoModel.from_pretrained(checkpoint, dtype=self.dtype, **kw).to(self.device).eval()
        try:
            proc = AutoImageProcessor.from_pretrained(checkpoint, **kw)
            self.mean = np.asarray(proc.image_mean, np.float32)
            self.std = np.asarray(proc.image_std, np.float32)
        except (OSError, ValueError, AttributeError):
            self.mean = np.array([0.485, 0.456, 0.406], np.float32)
            self.std = np.array([0.229, 0.224, 0.225], np.float32)
        patch = getattr(self.model.config, "patch_size", 14)
        self.patch = int(patch[0] if isinstance(patch, (list, tuple)) else patch)
        self.num_prefix = 1 + int(getattr(self.model.config, "num_register_tokens", 0) or 0)
        self.checkpoint, self.short_side, self.layer, self.mode, self.k = str(checkpoint), short_side, layer, mode, k
        self.normalizer = normalizer

    def _target_size(self, h: int, w: int) -> tuple[int, int]:
        s = self.short_side / min(h, w)
        return max(1, round(h * s / self.patch)) * self.patch, max(1, round(w * s / self.patch)) * self.patch

    def __call__(self, images: list[np.ndarray], keypoints: np.ndarray, frame: np.ndarray) -> np.ndarray:
        import torch
        from PIL import Image

        from ..features import sample_feature_map

        frame = np.asarray(frame)
        out = None
        for f in np.unique(frame):
            im = images[int(f)]
            h, w = im.shape[:2]
            th, tw = self._target_size(h, w)
            x = np.asarray(Image.fromarray(im).resize((tw, th), Image.BICUBIC), np.float32) / 255.0
            x = (x - self.mean) / self.std
            pixel_values = torch.from_numpy(x).permute(2, 0, 1)[None].to(self.device, self.dtype)
            with torch.inference_mode():
                res = self.model(pixel_values=pixel_values, output_hidden_states=self.layer != -1)
            hidden = res.last_hidden_state if self.layer == -1 else res.hidden_states[self.layer]
            gh, gw = th // self.patch, tw // self.patch
            tokens = hidden[0, self.num_prefix : self.num_prefix + gh * gw].float()
            fmap = tokens.reshape(gh, gw, -1).permute(2, 0, 1)[None]  # (1, C, gh, gw)
            rows = np.flatnonzero(frame == f)
            kp = np.asarray(keypoints[rows], np.float32) * np.array([tw / w, th / h], np.float32)
            feats = sample_feature_map(fmap.expand(len(rows), -1, -1, -1), torch.from_numpy(kp), stride=self.patch,
                                       mode=self.mode, k=self.k)  # fmt: skip
            if self.normalizer is not None:
                feats = self.normalizer(feats)
            feats = torch.as_tensor(feats).float().cpu().numpy()
            if out is None:
                out = np.zeros((len(frame), keypoints.shape[1], feats.shape[-1]), np.float32)
            out[rows] = feats
        if out is None:
            hidden_size = int(getattr(self.model.config, "hidden_size", 0))
            out = np.zeros((0, keypoints.shape[1], hidden_size), np.float32)
        return out
