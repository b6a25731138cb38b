"""MotionBERT's DSTformer (Zhu et al., ICCV 2023) as a transformers ``PreTrainedModel``.

Architecture identical to the official ``DSTformer`` (github.com/Walter0807/MotionBERT, ``lib/model/DSTformer.py``)
with the settings of its ``load_backbone`` (LayerNorm eps 1e-6, 17 joints): per-joint linear embedding + joint
position embedding + temporal position embedding -> ``depth`` dual-stream stages, each running a
spatial-then-temporal block (``blocks_st``) and a temporal-then-spatial block (``blocks_ts``) on the same input
and fusing them with per-token softmax weights (``att_fuse``) -> LayerNorm -> ``Linear(dim_feat, dim_rep)`` + tanh
(the motion representation) -> ``Linear(dim_rep, 3)`` per joint and frame. Spatial attention mixes the joints of
one frame, temporal attention the frames of one joint. Many-to-many: one 3D pose per input frame.

Units: the model maps its inputs to 3D in whatever units it was trained on. Official checkpoints output
MotionBERT's normalised image units (x, y as the input's ``px / w * 2 - [1, h / w]``, z in ``px / w * 2``,
root-relative after the root is re-zeroed); models trained by this package output root-relative metres.
:class:`auglift_hf.PoseLiftingProcessor` (``coordinate_normalization``) converts either to millimetres.

Self-contained: imports only ``torch``, ``transformers`` and its configuration, so a saved folder loads with
``trust_remote_code=True`` where ``auglift_hf`` is not installed. Module names follow the official ones
(see ``auglift_hf.convert.motionbert.MOTIONBERT_KEY_MAPPING``).
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

from .configuration_motionbert import MotionBERTConfig

# Copied from auglift_hf.models.lifting_utils.H36M_FLIP_PERMUTATION
H36M_FLIP_PERMUTATION: tuple[int, ...] = (0, 4, 5, 6, 1, 2, 3, 7, 8, 9, 10, 14, 15, 16, 11, 12, 13)


@dataclass
class MotionBERTLiftingOutput(ModelOutput):
    """Output of :class:`MotionBERTForPoseLifting`.

    Args:
        loss: MPJPE (in the label units) when ``labels`` are given.
        poses_3d: ``(batch, frames, num_joints, 3)``, one 3D pose per input frame, in the units the model was
            trained on (official checkpoints: MotionBERT's normalised units; package-trained: metres).
            Not root-zeroed, exactly the official ``DSTformer`` output.
        motion_representation: with ``output_hidden_states``: ``(batch, frames, num_joints, dim_rep)``, the
            official ``get_representation`` output (after tanh).
        hidden_states: with ``output_hidden_states``: the embedded input and every fused stage output,
            each ``(batch, frames, num_joints, dim_feat)``.
    """

    loss: torch.Tensor | None = None
    poses_3d: torch.Tensor | None = None
    motion_representation: torch.Tensor | None = None
    hidden_states: tuple[torch.Tensor, ...] | None = None


class MotionBERTDropPath(nn.Module):
    """Stochastic depth per sample (the official ``lib/model/drop.py`` ``DropPath``)."""

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


class MotionBERTMlp(nn.Module):
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


class MotionBERTAttention(nn.Module):
    """Multi-head self-attention over the joints of a frame (``mode="spatial"``) or the frames of a joint
    (``mode="temporal"``), through transformers' attention interface (SDPA by default)."""

    def __init__(self, config: MotionBERTConfig, mode: str):
        super().__init__()
        if mode not in ("spatial", "temporal"):
            raise ValueError(f"MotionBERTAttention: mode must be 'spatial' or 'temporal', got {mode!r}")
        dim = config.dim_feat
        self.config = config
        self.mode = mode
        self.num_heads = config.num_heads
        self.head_dim = dim // config.num_heads
        self.scaling = config.qk_scale or self.head_dim**-0.5
        self.is_causal = False
        self.qkv = nn.Linear(dim, dim * 3, bias=config.qkv_bias)
        self.proj = nn.Linear(dim, dim)
        self.proj_drop = nn.Dropout(config.drop_rate)

    def forward(self, hidden_states: torch.Tensor, num_frames: int) -> torch.Tensor:
        """``hidden_states`` ``(batch * frames, joints, dim)`` -> same shape."""
        batch_frames, joints, dim = hidden_states.shape
        heads, head_dim = self.num_heads, self.head_dim
        qkv = self.qkv(hidden_states).reshape(batch_frames, joints, 3, heads, head_dim)
        if self.mode == "spatial":  # tokens = joints of one frame: (batch * frames, heads, joints, head_dim)
            query, key, value = qkv.permute(2, 0, 3, 1, 4).unbind(0)
        else:  # tokens = frames of one joint: (batch, heads * joints, frames, head_dim)
            qkv = qkv.reshape(-1, num_frames, joints, 3, heads, head_dim).permute(3, 0, 4, 2, 1, 5)
            query, key, value = qkv.reshape(3, -1, heads * joints, num_frames, head_dim).unbind(0)
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
        if self.mode == "spatial":  # (batch * frames, joints, heads, head_dim)
            context = context.reshape(batch_frames, joints, dim)
        else:  # (batch, frames, heads * joints, head_dim) -> (batch, frames, joints, heads, head_dim)
            context = context.reshape(-1, num_frames, heads, joints, head_dim).transpose(2, 3)
            context = context.reshape(batch_frames, joints, dim)
        return self.proj_drop(self.proj(context))


class MotionBERTBlock(GradientCheckpointingLayer):
    """One stream of a DSTformer stage (official ``Block`` with ``st_mode="stage_st"`` or ``"stage_ts"``):
    pre-norm spatial attention + MLP and temporal attention + MLP, in the order given by ``order``."""

    def __init__(self, config: MotionBERTConfig, drop_path: float, order: str):
        super().__init__()
        if order not in ("st", "ts"):
            raise ValueError(f"MotionBERTBlock: order must be 'st' or 'ts', got {order!r}")
        dim, hidden = config.dim_feat, int(config.dim_feat * config.mlp_ratio)
        self.order = order
        self.norm1_s = nn.LayerNorm(dim, eps=config.layer_norm_eps)
        self.norm1_t = nn.LayerNorm(dim, eps=config.layer_norm_eps)
        self.attn_s = MotionBERTAttention(config, "spatial")
        self.attn_t = MotionBERTAttention(config, "temporal")
        self.drop_path = MotionBERTDropPath(drop_path) if drop_path > 0.0 else nn.Identity()
        self.norm2_s = nn.LayerNorm(dim, eps=config.layer_norm_eps)
        self.norm2_t = nn.LayerNorm(dim, eps=config.layer_norm_eps)
        self.mlp_s = MotionBERTMlp(dim, hidden, config.drop_rate)
        self.mlp_t = MotionBERTMlp(dim, hidden, config.drop_rate)

    def _spatial(self, hidden_states: torch.Tensor, num_frames: int) -> torch.Tensor:
        hidden_states = hidden_states + self.drop_path(self.attn_s(self.norm1_s(hidden_states), num_frames))
        return hidden_states + self.drop_path(self.mlp_s(self.norm2_s(hidden_states)))

    def _temporal(self, hidden_states: torch.Tensor, num_frames: int) -> torch.Tensor:
        hidden_states = hidden_states + self.drop_path(self.attn_t(self.norm1_t(hidden_states), num_frames))
        return hidden_states + self.drop_path(self.mlp_t(self.norm2_t(hidden_states)))

    def forward(self, hidden_states: torch.Tensor, num_frames: int) -> torch.Tensor:
        if self.order == "st":
            return self._temporal(self._spatial(hidden_states, num_frames), num_frames)
        return self._spatial(self._temporal(hidden_states, num_frames), num_frames)


class MotionBERTPreTrainedModel(PreTrainedModel):
    config_class = MotionBERTConfig
    config: MotionBERTConfig
    base_model_prefix = "motionbert"
    main_input_name = "keypoints"
    supports_gradient_checkpointing = True
    _supports_sdpa = True
    _no_split_modules = ["MotionBERTBlock"]

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
        elif isinstance(module, MotionBERTForPoseLifting):
            init.trunc_normal_(module.temporal_pos_embed, std=std)
            init.trunc_normal_(module.joint_pos_embed, std=std)
            if module.fusion_gates is not None:  # official: weight 0, bias 0.5 -> equal weights for both streams
                for gate in module.fusion_gates:
                    init.zeros_(gate.weight)
                    init.constant_(gate.bias, 0.5)


class MotionBERTForPoseLifting(MotionBERTPreTrainedModel):
    """DSTformer lifter: ``keypoints (batch, frames, 17, C) -> poses_3d (batch, frames, 17, 3)`` (many-to-many)."""

    def __init__(self, config: MotionBERTConfig):
        super().__init__(config)
        dim = config.dim_feat
        self.joints_embed = nn.Linear(config.num_input_channels, dim)
        self.joint_pos_embed = nn.Parameter(torch.zeros(1, config.num_joints, dim))
        self.temporal_pos_embed = nn.Parameter(torch.zeros(1, config.num_frames, 1, dim))
        self.pos_drop = nn.Dropout(config.drop_rate)
        dpr = [x.item() for x in torch.linspace(0, config.drop_path_rate, config.depth)]
        self.blocks_st = nn.ModuleList([MotionBERTBlock(config, dpr[i], "st") for i in range(config.depth)])
        self.blocks_ts = nn.ModuleList([MotionBERTBlock(config, dpr[i], "ts") for i in range(config.depth)])
        self.fusion_gates = (
            nn.ModuleList([nn.Linear(2 * dim, 2) for _ in range(config.depth)]) if config.att_fuse else None
        )
        self.norm = nn.LayerNorm(dim, eps=config.layer_norm_eps)
        self.rep_proj = nn.Linear(dim, config.dim_rep)  # official pre_logits.fc (+ tanh)
        self.head = nn.Linear(config.dim_rep, 3)
        self.post_init()

    def _lift(
        self, keypoints: torch.Tensor, output_hidden_states: bool
    ) -> tuple[torch.Tensor, torch.Tensor, tuple[torch.Tensor, ...] | None]:
        batch, frames, joints, channels = keypoints.shape
        x = self.joints_embed(keypoints.reshape(batch * frames, joints, channels)) + self.joint_pos_embed
        x = x.reshape(batch, frames, joints, -1) + self.temporal_pos_embed[:, :frames]
        x = self.pos_drop(x.reshape(batch * frames, joints, -1))
        states = [x] if output_hidden_states else None
        for index, (block_st, block_ts) in enumerate(zip(self.blocks_st, self.blocks_ts, strict=True)):
            x_st, x_ts = block_st(x, frames), block_ts(x, frames)
            if self.fusion_gates is not None:
                alpha = self.fusion_gates[index](torch.cat([x_st, x_ts], dim=-1)).softmax(dim=-1)
                x = x_st * alpha[..., 0:1] + x_ts * alpha[..., 1:2]
            else:
                x = (x_st + x_ts) * 0.5
            if states is not None:
                states.append(x)
        x = self.norm(x).reshape(batch, frames, joints, -1)
        representation = torch.tanh(self.rep_proj(x))
        poses = self.head(representation)
        hidden = tuple(s.reshape(batch, frames, joints, -1) for s in states) if states is not None else None
        return poses, representation, hidden

    def forward(
        self,
        keypoints: torch.Tensor,
        labels: torch.Tensor | None = None,
        flip_test: bool = False,
        output_hidden_states: bool | None = None,
        return_dict: bool | None = None,
        **kwargs,
    ) -> MotionBERTLiftingOutput | tuple:
        r"""Lift a clip of 2D keypoints (+ extra channels) to one 3D pose per frame.

        Args:
            keypoints: ``(batch, frames, num_joints, num_input_channels)`` with ``1 <= frames <= num_frames``,
                channels named by ``config.input_channels`` (x, y screen-normalised, centred at 0).
            labels: optional ``(batch, frames, num_joints, 3)`` root-relative targets -> ``loss`` (MPJPE over all
                joints and frames, MotionBERT's ``loss_mpjpe``; add the velocity term with the Trainer's
                ``lambda_3d_velocity``).
            flip_test: test-time augmentation: also lift the horizontally mirrored clip (x -> -x, left/right
                joints swapped), un-mirror that prediction and average the two (MotionBERT's ``flip_data``).
            output_hidden_states: return the motion representation and the stage outputs (un-mirrored pass).
        """
        output_hidden_states = (
            output_hidden_states if output_hidden_states is not None else self.config.output_hidden_states
        )
        return_dict = return_dict if return_dict is not None else self.config.return_dict
        config = self.config
        check_keypoints(keypoints, config.num_joints, config.num_input_channels, None)
        if keypoints.shape[1] > config.num_frames:
            raise ValueError(
                f"`keypoints` has {keypoints.shape[1]} frames, more than the model's num_frames={config.num_frames}; "
                "lift longer sequences with `lift_sequence`"
            )
        poses, representation, hidden = self._lift(keypoints, bool(output_hidden_states))
        if flip_test:
            flipped, _, _ = self._lift(flip_poses(keypoints, H36M_FLIP_PERMUTATION), False)
            poses = 0.5 * (poses + flip_poses(flipped, H36M_FLIP_PERMUTATION))

        loss = None
        if labels is not None:
            target = align_labels(labels, keypoints.shape[1], keypoints.shape[1], None)
            weights = None
            if config.confidence_weighted_loss and "c" in config.input_channels:
                weights = keypoints[..., config.input_channels.index("c")]
            loss = mpjpe_loss(poses, target.to(poses.dtype), weights)

        output = MotionBERTLiftingOutput(
            loss=loss,
            poses_3d=poses,
            motion_representation=representation if output_hidden_states else None,
            hidden_states=hidden,
        )
        return output if return_dict else output.to_tuple()

    @torch.no_grad()
    def lift_sequence(
        self,
        keypoints: torch.Tensor,
        clip_frames: int | None = None,
        overlap: int = 0,
        last_clip: str = "shift",
        flip_test: bool = False,
        batch_size: int = 16,
    ) -> torch.Tensor:
        """Lift a sequence of any length in clips of ``clip_frames`` frames and stitch the per-frame poses.

        Stitching rule: clips start every ``clip_frames - overlap`` frames; every frame takes the mean of the
        predictions of all clips that contain it. ``last_clip="shift"`` moves the last clip back so that it ends
        on the last frame (every clip is full length when the sequence is at least ``clip_frames`` long);
        ``last_clip="short"`` keeps a shorter last clip, which with ``overlap=0`` is exactly MotionBERT's
        ``infer_wild.py`` (non-overlapping ``clip_len`` clips, the last one shorter).

        Args:
            keypoints: ``(batch, frames, num_joints, C)`` or ``(frames, num_joints, C)``, any number of frames.
            clip_frames: clip length (default ``config.num_frames``, at most that).
            overlap: frames shared by consecutive clips, ``0 <= overlap < clip_frames``.
            flip_test: flip test-time augmentation per clip.
            batch_size: clips per forward pass.

        Returns:
            ``(batch, frames, num_joints, 3)`` (or ``(frames, num_joints, 3)`` for unbatched input), eval mode.
        """
        unbatched = keypoints.ndim == 3
        if unbatched:
            keypoints = keypoints[None]
        config = self.config
        check_keypoints(keypoints, config.num_joints, config.num_input_channels, None)
        clip = config.num_frames if clip_frames is None else int(clip_frames)
        if not 1 <= clip <= config.num_frames:
            raise ValueError(f"`clip_frames` must be in [1, {config.num_frames}], got {clip_frames}")
        if not 0 <= overlap < clip:
            raise ValueError(f"`overlap` must be in [0, clip_frames={clip}), got {overlap}")
        if last_clip not in ("shift", "short"):
            raise ValueError(f"`last_clip` must be 'shift' or 'short', got {last_clip!r}")
        batch, frames = keypoints.shape[:2]
        step = clip - overlap
        starts = list(range(0, max(frames - clip, 0) + 1, step))
        if starts[-1] + clip < frames:
            starts.append(frames - clip if last_clip == "shift" else starts[-1] + step)
        was_training = self.training
        self.eval()
        out = keypoints.new_zeros(batch, frames, config.num_joints, 3)
        count = keypoints.new_zeros(1, frames, 1, 1)
        full = [s for s in starts if s + clip <= frames]
        short = [s for s in starts if s + clip > frames]
        for group in range(0, len(full), batch_size):
            chunk = full[group : group + batch_size]
            clips = torch.cat([keypoints[:, s : s + clip] for s in chunk])  # (len(chunk) * batch, clip, J, C)
            poses = self(keypoints=clips, flip_test=flip_test).poses_3d.reshape(len(chunk), batch, clip, -1, 3)
            for i, s in enumerate(chunk):
                out[:, s : s + clip] += poses[i]
                count[:, s : s + clip] += 1
        for s in short:  # at most one (last_clip="short"), or a sequence shorter than one clip
            out[:, s:] += self(keypoints=keypoints[:, s:], flip_test=flip_test).poses_3d
            count[:, s:] += 1
        self.train(was_training)
        out = out / count
        return out[0] if unbatched else out


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


__all__ = ["MotionBERTForPoseLifting", "MotionBERTLiftingOutput", "MotionBERTPreTrainedModel"]
