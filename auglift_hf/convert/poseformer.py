"""Official PoseFormer checkpoint (github.com/zczcwh/PoseFormer, ``model_pos``) -> :class:`PoseFormerForPoseLifting`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from ..models.poseformer import PoseFormerConfig, PoseFormerForPoseLifting
from .common import KeyRule, load_state_dict_strict, rename_keys

#: Official ``PoseTransformer`` key -> ours. Inside a block the names are unchanged
#: (``norm1``, ``attn.qkv``, ``attn.proj``, ``norm2``, ``mlp.fc1``, ``mlp.fc2``).
POSEFORMER_KEY_MAPPING: tuple[KeyRule, ...] = (
    KeyRule("joint embedding", r"Spatial_patch_to_embedding\.(weight|bias)", "spatial_patch_to_embedding.{0}"),
    KeyRule("spatial position embedding", r"Spatial_pos_embed", "spatial_pos_embed"),
    KeyRule("temporal position embedding", r"Temporal_pos_embed", "temporal_pos_embed"),
    KeyRule("spatial transformer blocks", r"Spatial_blocks\.(\d+)\.(.+)", "spatial_blocks.{0}.{1}"),
    KeyRule("temporal transformer blocks", r"blocks\.(\d+)\.(.+)", "temporal_blocks.{0}.{1}"),
    KeyRule("spatial final norm", r"Spatial_norm\.(weight|bias)", "spatial_norm.{0}"),
    KeyRule("temporal final norm", r"Temporal_norm\.(weight|bias)", "temporal_norm.{0}"),
    KeyRule("weighted mean over frames", r"weighted_mean\.(weight|bias)", "weighted_mean.{0}"),
    KeyRule("head LayerNorm (head.0)", r"head\.0\.(weight|bias)", "head_norm.{0}"),
    KeyRule("head Linear (head.1)", r"head\.1\.(weight|bias)", "head_proj.{0}"),
)


def infer_poseformer_config(state_dict: Mapping[str, torch.Tensor], **overrides: Any) -> PoseFormerConfig:
    """Read ``num_frames``, ``num_input_channels``, ``embed_dim_ratio``, ``depth``, ``mlp_ratio`` and ``qkv_bias``
    from the official tensor shapes. ``num_heads`` (default 8) is not recoverable from shapes: pass it if it differs."""
    try:
        ratio, channels = state_dict["Spatial_patch_to_embedding.weight"].shape
        num_frames = state_dict["Temporal_pos_embed"].shape[1]
        num_joints = state_dict["Spatial_pos_embed"].shape[1]
        hidden = state_dict["Spatial_blocks.0.mlp.fc1.weight"].shape[0]
    except KeyError as err:
        raise ValueError(
            f"official PoseFormer checkpoint: missing key {err}; is this a PoseFormer `model_pos`?"
        ) from err
    depth = 1 + max(int(k.split(".")[1]) for k in state_dict if k.startswith("Spatial_blocks."))
    params = {
        "num_frames": int(num_frames),
        "num_joints": int(num_joints),
        "num_input_channels": int(channels),
        "embed_dim_ratio": int(ratio),
        "depth": depth,
        "mlp_ratio": hidden / ratio,
        "qkv_bias": "Spatial_blocks.0.attn.qkv.bias" in state_dict,
    }
    if "input_channels" in overrides:
        params.pop("num_input_channels")
    params.update(overrides)
    return PoseFormerConfig(**params)


def poseformer_from_official(
    state_dict: Mapping[str, torch.Tensor], config: PoseFormerConfig | None = None
) -> PoseFormerForPoseLifting:
    """Build a :class:`PoseFormerForPoseLifting` (eval mode) from an official ``PoseTransformer`` state dict.

    Args:
        state_dict: the official keys (``Spatial_patch_to_embedding.*``, ``Spatial_blocks.N.attn.qkv.*``,
            ``Temporal_pos_embed``, ``weighted_mean.*``, ``head.*`` ...), already unwrapped from ``model_pos``
            (see :func:`auglift_hf.convert.load_checkpoint`).
        config: the architecture; inferred from the tensor shapes when ``None`` (8 heads).

    Raises:
        ValueError: unknown, missing or mis-shaped keys, named.
    """
    config = config if config is not None else infer_poseformer_config(state_dict)
    renamed = rename_keys(state_dict, POSEFORMER_KEY_MAPPING, source="official PoseFormer checkpoint")
    model = PoseFormerForPoseLifting(config)
    load_state_dict_strict(model, renamed, source="official PoseFormer checkpoint")
    return model.eval()
