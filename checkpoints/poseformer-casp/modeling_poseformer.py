"""PoseFormer (Zheng et al., ICCV 2021) as a transformers ``PreTrainedModel``.

Architecture identical to the official ``PoseTransformer`` (github.com/zczcwh/PoseFormer,
``common/model_poseformer.py``): per-joint linear embedding + spatial position embedding -> spatial
transformer over the 17 joints of every frame -> flatten to ``17 * embed_dim_ratio`` -> temporal position
embedding -> temporal transformer over the frames -> learned weighted mean over frames (Conv1d frames->1)
-> LayerNorm + Linear to ``17 * 3``. Module names are the official ones in snake case
(see ``auglift_hf.convert.poseformer.POSEFORMER_KEY_MAPPING``).

Self-contained: imports only ``torch``, ``transformers`` and its configuration, so a saved folder loads with
``trust_remote_code=True`` where ``auglift_hf`` is not installed.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn
from transformers import PreTrainedModel
from transformers import initialization as init
from transformers.modeling_layers import GradientCheckpointingLayer
from transformers.modeling_utils import ALL_ATTENTION_FUNCTIONS
from transformers.utils import ModelOutput

from .configuration_poseformer import PoseFormerConfig

# Copied from auglift_hf.models.lifting_utils.H36M_FLIP_PERMUTATION
H36M_FLIP_PERMUTATION: tuple[int, ...] = (0, 4, 5, 6, 1, 2, 3, 7, 8, 9, 10, 14, 15, 16, 11, 12, 13)


@dataclass
class PoseFormerLiftingOutput(ModelOutput):
    """Output of :class:`PoseFormerForPoseLifting`.

    Args:
        loss: MPJPE (metres) when ``labels`` are given.
        poses_3d: ``(batch, 1, num_joints, 3)`` root-relative 3D pose of the centre frame, metres.
        spatial_hidden_states: with ``output_hidden_states``: embedding + every spatial block output,
            each ``(batch, frames, num_joints, embed_dim_ratio)``.
        hidden_states: with ``output_hidden_states``: temporal input + every temporal block output,
            each ``(batch, frames, num_joints * embed_dim_ratio)``.
    """

    loss: torch.Tensor | None = None
    poses_3d: torch.Tensor | None = None
    spatial_hidden_states: tuple[torch.Tensor, ...] | None = None
    hidden_states: tuple[torch.Tensor, ...] | None = None


class PoseFormerDropPath(nn.Module):
    """Stochastic depth per sample (timm ``DropPath``)."""

    def __init__(self, drop_prob: float = 0.0):
        super().__init__()
        self.drop_prob = drop_prob

    def forward(self, hidden_states: torch.Tensor) -> torch.Tensor:
        if self.drop_prob == 0.0 or not self.training:
            return hidden_states
        keep = 1.0 - self.drop_prob
        shape = (hidden_states.shape[0],) + (1,) * (hidden_states.ndim - 1)
        mask = hidden_states.new_empty(shape).bernoulli_(keep)
        return hidden_states * mask / keep

    def extra_repr(self) -> str:
        return f"p={self.drop_prob}"


class PoseFormerMlp(nn.Module):
    def __init__(self, dim: int, hidden_dim: int, drop: float):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden_dim)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden_dim, dim)
        self.drop = nn.Dropout(drop)

    def forward(self, hidden_states: torch.Tensor) -> torch.Tensor:
        hidden_states = self.drop(self.act(self.fc1(hidden_states)))
        return self.drop(self.fc2(hidden_states))


def eager_attention_forward(
    module: nn.Module,
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    attention_mask: torch.Tensor | None,
    scaling: float,
    dropout: float = 0.0,
    **kwargs,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Explicit ``softmax(Q K^T * scaling) V`` (the official code); ``(batch, heads, tokens, head_dim)`` in,
    ``(batch, tokens, heads, head_dim)`` out, plus the attention weights."""
    weights = torch.matmul(query, key.transpose(-2, -1)) * scaling
    if attention_mask is not None:
        weights = weights + attention_mask
    weights = F.dropout(weights.softmax(dim=-1), p=dropout, training=module.training)
    return torch.matmul(weights, value).transpose(1, 2).contiguous(), weights


class PoseFormerAttention(nn.Module):
    """Multi-head self-attention through transformers' ``AttentionInterface``: SDPA by default, the explicit
    ``softmax(QK^T)V`` path with ``attn_implementation="eager"`` (``model.set_attn_implementation("eager")``)."""

    def __init__(self, config: PoseFormerConfig, dim: int):
        super().__init__()
        self.config = config
        self.num_heads = config.num_heads
        self.head_dim = dim // config.num_heads
        self.scaling = config.qk_scale or self.head_dim**-0.5
        self.is_causal = False
        self.qkv = nn.Linear(dim, dim * 3, bias=config.qkv_bias)
        self.proj = nn.Linear(dim, dim)
        self.proj_drop = nn.Dropout(config.drop_rate)

    def forward(self, hidden_states: torch.Tensor) -> torch.Tensor:
        batch, tokens, dim = hidden_states.shape
        qkv = self.qkv(hidden_states).reshape(batch, tokens, 3, self.num_heads, self.head_dim).permute(2, 0, 3, 1, 4)
        query, key, value = qkv.unbind(0)  # (batch, heads, tokens, head_dim)
        attention_interface = ALL_ATTENTION_FUNCTIONS.get_interface(
            self.config._attn_implementation, eager_attention_forward
        )
        context, _ = attention_interface(
            self,
            query,
            key,
            value,
            None,
            dropout=self.config.attn_drop_rate if self.training else 0.0,
            scaling=self.scaling,
            is_causal=False,
        )
        return self.proj_drop(self.proj(context.reshape(batch, tokens, dim)))


class PoseFormerBlock(GradientCheckpointingLayer):
    """Pre-norm transformer block (``Block`` in the official code)."""

    def __init__(self, config: PoseFormerConfig, dim: int, drop_path: float):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=config.layer_norm_eps)
        self.attn = PoseFormerAttention(config, dim)
        self.drop_path = PoseFormerDropPath(drop_path) if drop_path > 0.0 else nn.Identity()
        self.norm2 = nn.LayerNorm(dim, eps=config.layer_norm_eps)
        self.mlp = PoseFormerMlp(dim, int(dim * config.mlp_ratio), config.drop_rate)

    def forward(self, hidden_states: torch.Tensor) -> torch.Tensor:
        hidden_states = hidden_states + self.drop_path(self.attn(self.norm1(hidden_states)))
        return hidden_states + self.drop_path(self.mlp(self.norm2(hidden_states)))


class PoseFormerPreTrainedModel(PreTrainedModel):
    config_class = PoseFormerConfig
    config: PoseFormerConfig
    base_model_prefix = "poseformer"
    main_input_name = "keypoints"
    supports_gradient_checkpointing = True
    _supports_sdpa = True
    _no_split_modules = ["PoseFormerBlock"]

    @torch.no_grad()
    def _init_weights(self, module: nn.Module) -> None:
        std = self.config.initializer_range
        if isinstance(module, nn.Linear):
            init.trunc_normal_(module.weight, std=std)
            if module.bias is not None:
                init.zeros_(module.bias)
        elif isinstance(module, nn.LayerNorm):
            init.ones_(module.weight)
            init.zeros_(module.bias)
        elif isinstance(module, nn.Conv1d):  # weighted mean over frames: start near a uniform average
            init.constant_(module.weight, 1.0 / module.in_channels)
            init.zeros_(module.bias)
        elif isinstance(module, PoseFormerForPoseLifting):
            init.trunc_normal_(module.spatial_pos_embed, std=std)
            init.trunc_normal_(module.temporal_pos_embed, std=std)


class PoseFormerForPoseLifting(PoseFormerPreTrainedModel):
    """PoseFormer lifter: ``keypoints (batch, num_frames, 17, C) -> poses_3d (batch, 1, 17, 3)`` (centre frame, metres)."""

    def __init__(self, config: PoseFormerConfig):
        super().__init__(config)
        ratio, dim, joints = config.embed_dim_ratio, config.embed_dim, config.num_joints
        self.spatial_patch_to_embedding = nn.Linear(config.num_input_channels, ratio)
        self.spatial_pos_embed = nn.Parameter(torch.zeros(1, joints, ratio))
        self.temporal_pos_embed = nn.Parameter(torch.zeros(1, config.num_frames, dim))
        self.pos_drop = nn.Dropout(config.drop_rate)
        dpr = [x.item() for x in torch.linspace(0, config.drop_path_rate, config.depth)]
        self.spatial_blocks = nn.ModuleList([PoseFormerBlock(config, ratio, dpr[i]) for i in range(config.depth)])
        self.temporal_blocks = nn.ModuleList([PoseFormerBlock(config, dim, dpr[i]) for i in range(config.depth)])
        self.spatial_norm = nn.LayerNorm(ratio, eps=config.layer_norm_eps)
        self.temporal_norm = nn.LayerNorm(dim, eps=config.layer_norm_eps)
        self.weighted_mean = nn.Conv1d(config.num_frames, 1, kernel_size=1)
        self.head_norm = nn.LayerNorm(dim)  # official: nn.LayerNorm(embed_dim) with the default eps 1e-5
        self.head_proj = nn.Linear(dim, joints * 3)
        self.post_init()

    @property
    def output_frame_index(self) -> int:
        """Index of the input frame the single output pose belongs to (the centre of the window)."""
        return self.config.num_frames // 2

    def _lift(
        self, keypoints: torch.Tensor, output_hidden_states: bool
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, ...] | None, tuple[torch.Tensor, ...] | None]:
        batch, frames, joints, _ = keypoints.shape
        x = self.spatial_patch_to_embedding(keypoints.reshape(batch * frames, joints, -1))
        x = self.pos_drop(x + self.spatial_pos_embed)
        spatial_states = [x] if output_hidden_states else None
        for block in self.spatial_blocks:
            x = block(x)
            if spatial_states is not None:
                spatial_states.append(x)
        x = self.spatial_norm(x).reshape(batch, frames, -1)
        x = self.pos_drop(x + self.temporal_pos_embed)
        temporal_states = [x] if output_hidden_states else None
        for block in self.temporal_blocks:
            x = block(x)
            if temporal_states is not None:
                temporal_states.append(x)
        x = self.weighted_mean(self.temporal_norm(x))  # (batch, 1, dim)
        poses = self.head_proj(self.head_norm(x)).reshape(batch, 1, joints, 3)
        if spatial_states is not None:
            spatial_states = tuple(s.reshape(batch, frames, joints, -1) for s in spatial_states)
            temporal_states = tuple(temporal_states)
        return poses, spatial_states, temporal_states

    def forward(
        self,
        keypoints: torch.Tensor,
        labels: torch.Tensor | None = None,
        flip_test: bool = False,
        output_hidden_states: bool | None = None,
        return_dict: bool | None = None,
        **kwargs,
    ) -> PoseFormerLiftingOutput | tuple:
        r"""Lift a window of 2D keypoints (+ extra channels) to the 3D pose of its centre frame.

        Args:
            keypoints: ``(batch, num_frames, num_joints, num_input_channels)``, channels named by
                ``config.input_channels``; x, y screen-normalised (x centred at 0).
            labels: optional ``(batch, 1, num_joints, 3)`` root-relative ground truth in metres (a label per
                input frame is accepted too; the centre frame is used) -> ``loss`` (MPJPE, metres).
            flip_test: test-time augmentation: also lift the horizontally mirrored input (x -> -x, left/right
                joints swapped), un-mirror that prediction and average the two.
            output_hidden_states: return spatial and temporal hidden states (of the un-mirrored pass).
        """
        output_hidden_states = (
            output_hidden_states if output_hidden_states is not None else self.config.output_hidden_states
        )
        return_dict = return_dict if return_dict is not None else self.config.return_dict
        config = self.config
        check_keypoints(keypoints, config.num_joints, config.num_input_channels, config.num_frames)
        poses, spatial_states, temporal_states = self._lift(keypoints, bool(output_hidden_states))
        if flip_test:
            flipped, _, _ = self._lift(flip_poses(keypoints, H36M_FLIP_PERMUTATION), False)
            poses = 0.5 * (poses + flip_poses(flipped, H36M_FLIP_PERMUTATION))

        loss = None
        if labels is not None:
            target = align_labels(labels, 1, keypoints.shape[1], self.output_frame_index)
            weights = None
            if config.confidence_weighted_loss and "c" in config.input_channels:
                index = self.output_frame_index
                weights = keypoints[:, index : index + 1, :, config.input_channels.index("c")]
            loss = mpjpe_loss(poses, target.to(poses.dtype), weights)

        output = PoseFormerLiftingOutput(
            loss=loss, poses_3d=poses, spatial_hidden_states=spatial_states, hidden_states=temporal_states
        )
        return output if return_dict else output.to_tuple()


# Copied from auglift_hf.models.lifting_utils.check_keypoints
def check_keypoints(keypoints: torch.Tensor, num_joints: int, num_channels: int, num_frames: int | None) -> None:
    """Raise a ValueError naming expected vs actual shape unless ``keypoints`` is ``(batch, frames, J, C)``."""
    frames = "frames" if num_frames is None else str(num_frames)
    expected = f"(batch, {frames}, {num_joints}, {num_channels})"
    if not isinstance(keypoints, torch.Tensor):
        raise ValueError(f"`keypoints` must be a torch.Tensor of shape {expected}, got {type(keypoints).__name__}")
    shape = tuple(keypoints.shape)
    if (
        keypoints.ndim != 4
        or shape[2] != num_joints
        or shape[3] != num_channels
        or (num_frames is not None and shape[1] != num_frames)
        or shape[0] == 0
        or shape[1] == 0
    ):
        raise ValueError(f"`keypoints` must have shape {expected}, got {shape}")
    if not keypoints.is_floating_point():
        raise ValueError(f"`keypoints` must be a floating point tensor, got dtype {keypoints.dtype}")


# Copied from auglift_hf.models.lifting_utils.align_labels
def align_labels(labels: torch.Tensor, out_frames: int, in_frames: int, frame_index: int | None) -> torch.Tensor:
    """Check ``labels`` and return the frames that line up with the model outputs.

    ``labels`` is ``(batch, out_frames, J, 3)``; for single-output models (``out_frames == 1``) a label for
    every input frame ``(batch, in_frames, J, 3)`` is also accepted and the frame ``frame_index`` is used.
    """
    shape = tuple(labels.shape)
    if labels.ndim == 4 and shape[-1] == 3:
        if shape[1] == out_frames:
            return labels
        if out_frames == 1 and frame_index is not None and shape[1] == in_frames:
            return labels[:, frame_index : frame_index + 1]
    raise ValueError(f"`labels` must have shape (batch, {out_frames}, joints, 3), got {shape}")


# Copied from auglift_hf.models.lifting_utils.flip_poses
def flip_poses(poses: torch.Tensor, flip_permutation: tuple[int, ...]) -> torch.Tensor:
    """Horizontal mirror of ``(..., J, C)``: negate channel 0 (x, centred at 0) and swap left/right joints."""
    flipped = poses[..., list(flip_permutation), :]
    sign = torch.ones(poses.shape[-1], dtype=poses.dtype, device=poses.device)
    sign[0] = -1.0
    return flipped * sign


# Copied from auglift_hf.models.lifting_utils.mpjpe_loss
def mpjpe_loss(poses: torch.Tensor, labels: torch.Tensor, weights: torch.Tensor | None = None) -> torch.Tensor:
    """Mean per-joint position error (same unit as the inputs), optionally weighted per joint.

    Args:
        poses, labels: ``(batch, frames, J, 3)``.
        weights: optional ``(batch, frames, J)`` non-negative weights (e.g. 2D detection confidences).
    """
    error = torch.linalg.vector_norm(poses - labels, dim=-1)
    if weights is None:
        return error.mean()
    weights = weights.to(error.dtype)
    return (error * weights).sum() / weights.sum().clamp_min(1e-8)


__all__ = ["PoseFormerForPoseLifting", "PoseFormerLiftingOutput", "PoseFormerPreTrainedModel"]
