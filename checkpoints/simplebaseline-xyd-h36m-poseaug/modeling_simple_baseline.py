"""SimpleBaseline (Martinez et al., ICCV 2017) as a transformers ``PreTrainedModel``.

A single-frame residual MLP laid out as MMPose's SimpleBaseline3D (``TCN`` backbone with kernel size 1 and a
1x1 ``TemporalRegressionHead``): ``expand_linear`` (no bias) + ``expand_bn`` -> ``num_blocks`` residual blocks of
two Linear(no bias)-BatchNorm-ReLU-Dropout layers -> ``head`` Linear to ``17 * 3``. Every frame is lifted on its
own: ``(batch, T, 17, C) -> (batch, T, 17, 3)``.

Self-contained: imports only ``torch``, ``transformers`` and its configuration, so a saved folder loads with
``trust_remote_code=True`` where ``auglift_hf`` is not installed.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from transformers import PreTrainedModel
from transformers import initialization as init
from transformers.utils import ModelOutput

from .configuration_simple_baseline import SimpleBaselineConfig

# Copied from auglift_hf.models.lifting_utils.H36M_FLIP_PERMUTATION
H36M_FLIP_PERMUTATION: tuple[int, ...] = (0, 4, 5, 6, 1, 2, 3, 7, 8, 9, 10, 14, 15, 16, 11, 12, 13)


@dataclass
class SimpleBaselineLiftingOutput(ModelOutput):
    """Output of :class:`SimpleBaselineForPoseLifting`.

    Args:
        loss: MPJPE (metres) when ``labels`` are given.
        poses_3d: ``(batch, T, num_joints, 3)`` root-relative 3D poses in metres, one per input frame.
        hidden_states: with ``output_hidden_states``: the expand layer and every block output,
            each ``(batch, T, hidden_size)``.
    """

    loss: torch.Tensor | None = None
    poses_3d: torch.Tensor | None = None
    hidden_states: tuple[torch.Tensor, ...] | None = None


class SimpleBaselineBlock(nn.Module):
    """Residual block: ``x + drop(relu(bn2(linear2(drop(relu(bn1(linear1(x))))))))``."""

    def __init__(self, config: SimpleBaselineConfig):
        super().__init__()
        size = config.hidden_size
        self.linear1 = nn.Linear(size, size, bias=False)
        self.bn1 = nn.BatchNorm1d(size, momentum=config.bn_momentum)
        self.linear2 = nn.Linear(size, size, bias=False)
        self.bn2 = nn.BatchNorm1d(size, momentum=config.bn_momentum)
        self.drop = nn.Dropout(config.dropout)
        self.relu = nn.ReLU()

    def forward(self, hidden_states: torch.Tensor) -> torch.Tensor:
        x = self.drop(self.relu(self.bn1(self.linear1(hidden_states))))
        return hidden_states + self.drop(self.relu(self.bn2(self.linear2(x))))


class SimpleBaselinePreTrainedModel(PreTrainedModel):
    config_class = SimpleBaselineConfig
    config: SimpleBaselineConfig
    base_model_prefix = "simple_baseline"
    main_input_name = "keypoints"
    supports_gradient_checkpointing = False

    @torch.no_grad()
    def _init_weights(self, module: nn.Module) -> None:
        if isinstance(module, nn.Linear):  # PyTorch's default
            init.kaiming_uniform_(module.weight, a=5**0.5)
            if module.bias is not None:
                bound = 1.0 / module.in_features**0.5
                init.uniform_(module.bias, -bound, bound)
        elif isinstance(module, nn.BatchNorm1d):
            init.ones_(module.weight)
            init.zeros_(module.bias)
            init.zeros_(module.running_mean)
            init.ones_(module.running_var)
            init.zeros_(module.num_batches_tracked)


class SimpleBaselineForPoseLifting(SimpleBaselinePreTrainedModel):
    """Single-frame lifter: ``keypoints (batch, T, 17, C) -> poses_3d (batch, T, 17, 3)`` in metres."""

    def __init__(self, config: SimpleBaselineConfig):
        super().__init__(config)
        self.expand_linear = nn.Linear(config.num_joints * config.num_input_channels, config.hidden_size, bias=False)
        self.expand_bn = nn.BatchNorm1d(config.hidden_size, momentum=config.bn_momentum)
        self.blocks = nn.ModuleList([SimpleBaselineBlock(config) for _ in range(config.num_blocks)])
        self.head = nn.Linear(config.hidden_size, config.num_joints * 3)
        self.drop = nn.Dropout(config.dropout)
        self.relu = nn.ReLU()
        self.post_init()

    def _lift(
        self, keypoints: torch.Tensor, output_hidden_states: bool
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, ...] | None]:
        batch, frames, joints, _ = keypoints.shape
        x = self.drop(self.relu(self.expand_bn(self.expand_linear(keypoints.reshape(batch * frames, -1)))))
        hidden = [x] if output_hidden_states else None
        for block in self.blocks:
            x = block(x)
            if hidden is not None:
                hidden.append(x)
        poses = self.head(x).reshape(batch, frames, joints, 3)
        if hidden is not None:
            hidden = tuple(h.reshape(batch, frames, -1) for h in hidden)
        return poses, hidden

    def forward(
        self,
        keypoints: torch.Tensor,
        labels: torch.Tensor | None = None,
        flip_test: bool = False,
        output_hidden_states: bool | None = None,
        return_dict: bool | None = None,
        **kwargs,
    ) -> SimpleBaselineLiftingOutput | tuple:
        r"""Lift every frame's 2D keypoints (+ extra channels) to a root-relative 3D pose.

        Args:
            keypoints: ``(batch, T, num_joints, num_input_channels)`` (usually ``T = 1``), channels named by
                ``config.input_channels``; x, y screen-normalised (x centred at 0).
            labels: optional ``(batch, T, num_joints, 3)`` root-relative ground truth in metres -> ``loss``
                (MPJPE, metres).
            flip_test: test-time augmentation: also lift the mirrored input (x -> -x, left/right joints swapped),
                un-mirror that prediction and average the two.
            output_hidden_states: return the per-block features (of the un-mirrored pass).
        """
        output_hidden_states = (
            output_hidden_states if output_hidden_states is not None else self.config.output_hidden_states
        )
        return_dict = return_dict if return_dict is not None else self.config.return_dict
        config = self.config
        check_keypoints(keypoints, config.num_joints, config.num_input_channels, None)
        poses, hidden = self._lift(keypoints, bool(output_hidden_states))
        if flip_test:
            flipped, _ = self._lift(flip_poses(keypoints, H36M_FLIP_PERMUTATION), False)
            poses = 0.5 * (poses + flip_poses(flipped, H36M_FLIP_PERMUTATION))

        loss = None
        if labels is not None:
            frames = keypoints.shape[1]
            target = align_labels(labels, frames, frames, None)
            weights = None
            if config.confidence_weighted_loss and "c" in config.input_channels:
                weights = keypoints[..., config.input_channels.index("c")]
            loss = mpjpe_loss(poses, target.to(poses.dtype), weights)

        output = SimpleBaselineLiftingOutput(loss=loss, poses_3d=poses, hidden_states=hidden)
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


__all__ = ["SimpleBaselineForPoseLifting", "SimpleBaselineLiftingOutput", "SimpleBaselinePreTrainedModel"]
