"""Official MotionBERT checkpoint (github.com/Walter0807/MotionBERT, ``model_pos``) -> :class:`MotionBERTForPoseLifting`.

The released 3D pose checkpoints (``MB_ft_h36m`` ``best_epoch.bin``, the Lite variant) are ``torch.save`` dicts
with ``model_pos`` = the state dict of ``nn.DataParallel(DSTformer(...))`` (keys prefixed ``module.``), plus
``epoch``, ``lr``, ``optimizer`` and ``min_loss``. :func:`auglift_hf.convert.load_checkpoint` reads them with
``torch.load(weights_only=True)`` and strips the prefix.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from ..models.motionbert import MotionBERTConfig, MotionBERTForPoseLifting
from .common import KeyRule, load_state_dict_strict, rename_keys

#: Official ``DSTformer`` key -> ours. Inside a block the names are unchanged (``norm1_s``, ``attn_s.qkv``,
#: ``attn_s.proj``, ``norm2_s``, ``mlp_s.fc1``, ``mlp_s.fc2`` and the ``_t`` twins).
MOTIONBERT_KEY_MAPPING: tuple[KeyRule, ...] = (
    KeyRule("joint embedding", r"joints_embed\.(weight|bias)", "joints_embed.{0}"),
    KeyRule("joint position embedding", r"pos_embed", "joint_pos_embed"),
    KeyRule("temporal position embedding", r"temp_embed", "temporal_pos_embed"),
    KeyRule(
        "spatial-temporal stream blocks",
        r"blocks_st\.(\d+)\.((?:norm[12]_[st]|attn_[st]\.(?:qkv|proj)|mlp_[st]\.fc[12])\.(?:weight|bias))",
        "blocks_st.{0}.{1}",
    ),
    KeyRule(
        "temporal-spatial stream blocks",
        r"blocks_ts\.(\d+)\.((?:norm[12]_[st]|attn_[st]\.(?:qkv|proj)|mlp_[st]\.fc[12])\.(?:weight|bias))",
        "blocks_ts.{0}.{1}",
    ),
    KeyRule("stream fusion gates (ts_attn)", r"ts_attn\.(\d+)\.(weight|bias)", "fusion_gates.{0}.{1}"),
    KeyRule("final LayerNorm", r"norm\.(weight|bias)", "norm.{0}"),
    KeyRule("representation projection (pre_logits.fc)", r"pre_logits\.fc\.(weight|bias)", "rep_proj.{0}"),
    KeyRule("3D head", r"head\.(weight|bias)", "head.{0}"),
)


def infer_motionbert_config(state_dict: Mapping[str, torch.Tensor], **overrides: Any) -> MotionBERTConfig:
    """Read ``num_frames`` (maxlen), ``num_input_channels`` (dim_in), ``dim_feat``, ``dim_rep``, ``depth``,
    ``mlp_ratio``, ``att_fuse`` and ``qkv_bias`` from the official tensor shapes. ``num_heads`` (8 in every
    released config) is not recoverable from shapes: pass it if it differs."""
    try:
        dim_feat, dim_in = state_dict["joints_embed.weight"].shape
        num_frames = state_dict["temp_embed"].shape[1]
        num_joints = state_dict["pos_embed"].shape[1]
        hidden = state_dict["blocks_st.0.mlp_s.fc1.weight"].shape[0]
        dim_rep = state_dict["pre_logits.fc.weight"].shape[0]
        dim_out = state_dict["head.weight"].shape[0]
    except KeyError as err:
        raise ValueError(
            f"official MotionBERT checkpoint: missing key {err}; is this a DSTformer `model_pos` "
            "(3D pose, not the action / mesh heads)?"
        ) from err
    if dim_out != 3:
        raise ValueError(
            f"official MotionBERT checkpoint: `head.weight` outputs {dim_out} values per joint, expected 3"
        )
    depth = 1 + max(int(k.split(".")[1]) for k in state_dict if k.startswith("blocks_st."))
    params = {
        "num_frames": int(num_frames),
        "num_joints": int(num_joints),
        "num_input_channels": int(dim_in),
        "dim_feat": int(dim_feat),
        "dim_rep": int(dim_rep),
        "depth": depth,
        "mlp_ratio": hidden / dim_feat,
        "att_fuse": "ts_attn.0.weight" in state_dict,
        "qkv_bias": "blocks_st.0.attn_s.qkv.bias" in state_dict,
    }
    if "input_channels" in overrides:
        params.pop("num_input_channels")
    params.update(overrides)
    return MotionBERTConfig(**params)


def motionbert_from_official(
    state_dict: Mapping[str, torch.Tensor], config: MotionBERTConfig | None = None
) -> MotionBERTForPoseLifting:
    """Build a :class:`MotionBERTForPoseLifting` (eval mode) from an official ``DSTformer`` state dict.

    Args:
        state_dict: the official keys (``joints_embed.*``, ``pos_embed``, ``temp_embed``, ``blocks_st.N.*``,
            ``blocks_ts.N.*``, ``ts_attn.N.*``, ``norm.*``, ``pre_logits.fc.*``, ``head.*``), already unwrapped
            from ``model_pos`` (see :func:`auglift_hf.convert.load_checkpoint`).
        config: the architecture; inferred from the tensor shapes when ``None`` (8 heads).

    Raises:
        ValueError: unknown, missing or mis-shaped keys, named.
    """
    config = config if config is not None else infer_motionbert_config(state_dict)
    renamed = rename_keys(state_dict, MOTIONBERT_KEY_MAPPING, source="official MotionBERT checkpoint")
    model = MotionBERTForPoseLifting(config)
    load_state_dict_strict(model, renamed, source="official MotionBERT checkpoint")
    return model.eval()
