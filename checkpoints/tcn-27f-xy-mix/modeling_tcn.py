"""VideoPose3D's temporal convolutional lifter (Pavllo et al., CVPR 2019) as a transformers ``PreTrainedModel``.

Architecture and parameter names identical to the official ``TemporalModel`` (github.com/facebookresearch/
VideoPose3D, ``common/model.py``): ``expand_conv`` (kernel ``filter_widths[0]``) + ``expand_bn`` -> for every further
width a residual block of a dilated conv (``layers_conv[2i]``, ``layers_bn[2i]``) and a 1x1 conv
(``layers_conv[2i+1]``, ``layers_bn[2i+1]``), ReLU and dropout after each BatchNorm -> ``shrink`` 1x1 conv to
``17 * 3``. One set of weights, three execution paths (all valid, i.e. unpadded, convolutions):

* **window, strided** (``TemporalModelOptimized1f``): the input has exactly ``receptive_field`` frames -> 1 output
  frame; dilation is replaced by stride = filter width so no unused intermediate frames are computed. Used for
  such inputs (training and evaluation) unless ``config.dense``.
* **window, dilated** (``TemporalModel`` without padding, ``pad_sequence=False``): ``T >= receptive_field`` frames
  -> ``T - receptive_field + 1`` output frames.
* **full sequence** (the default for ``T != receptive_field``, or ``pad_sequence=True``): the sequence is
  edge-replicated by ``(receptive_field - 1) / 2`` frames on each side (all on the left when causal), so ``T``
  input frames give ``T`` output frames, each aligned with its input frame, in a single pass.

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
from transformers.utils import ModelOutput

from .configuration_tcn import TCNConfig

# Copied from auglift_hf.models.lifting_utils.H36M_FLIP_PERMUTATION
H36M_FLIP_PERMUTATION: tuple[int, ...] = (0, 4, 5, 6, 1, 2, 3, 7, 8, 9, 10, 14, 15, 16, 11, 12, 13)


@dataclass
class TCNLiftingOutput(ModelOutput):
    """Output of :class:`TCNForPoseLifting`.

    Args:
        loss: MPJPE (metres) when ``labels`` are given.
        poses_3d: ``(batch, out_frames, num_joints, 3)`` root-relative 3D poses in metres; ``out_frames`` is 1
            for a ``receptive_field``-frame window, ``T`` for a full sequence (see the module docstring).
        hidden_states: with ``output_hidden_states``: the expand layer and every residual block output,
            each ``(batch, frames_at_that_depth, channels)``.
    """

    loss: torch.Tensor | None = None
    poses_3d: torch.Tensor | None = None
    hidden_states: tuple[torch.Tensor, ...] | None = None


class TCNPreTrainedModel(PreTrainedModel):
    config_class = TCNConfig
    config: TCNConfig
    base_model_prefix = "tcn"
    main_input_name = "keypoints"
    supports_gradient_checkpointing = False

    @torch.no_grad()
    def _init_weights(self, module: nn.Module) -> None:
        if isinstance(module, nn.Conv1d):  # PyTorch's default (what the official model trains from)
            init.kaiming_uniform_(module.weight, a=5**0.5)
            if module.bias is not None:
                bound = 1.0 / (module.in_channels * module.kernel_size[0]) ** 0.5
                init.uniform_(module.bias, -bound, bound)
        elif isinstance(module, nn.BatchNorm1d):
            init.ones_(module.weight)
            init.zeros_(module.bias)
            init.zeros_(module.running_mean)
            init.ones_(module.running_var)
            init.zeros_(module.num_batches_tracked)


class TCNForPoseLifting(TCNPreTrainedModel):
    """VideoPose3D lifter: ``keypoints (batch, T, 17, C) -> poses_3d (batch, out_frames, 17, 3)`` in metres."""

    def __init__(self, config: TCNConfig):
        super().__init__(config)
        widths, channels = config.filter_widths, config.channels
        self.expand_conv = nn.Conv1d(config.num_joints * config.num_input_channels, channels, widths[0], bias=False)
        self.expand_bn = nn.BatchNorm1d(channels, momentum=config.bn_momentum)
        layers_conv, layers_bn = [], []
        pads = config.pads
        for i in range(1, len(widths)):
            kernel = 2 * pads[i] + 1 if config.dense else widths[i]
            layers_conv.append(nn.Conv1d(channels, channels, kernel, bias=False))
            layers_bn.append(nn.BatchNorm1d(channels, momentum=config.bn_momentum))
            layers_conv.append(nn.Conv1d(channels, channels, 1, bias=False))
            layers_bn.append(nn.BatchNorm1d(channels, momentum=config.bn_momentum))
        self.layers_conv = nn.ModuleList(layers_conv)
        self.layers_bn = nn.ModuleList(layers_bn)
        self.shrink = nn.Conv1d(channels, config.num_joints * 3, 1)
        self.drop = nn.Dropout(config.dropout)
        self.relu = nn.ReLU()
        self.post_init()

    @property
    def receptive_field(self) -> int:
        return self.config.receptive_field

    @property
    def output_frame_index(self) -> int:
        """Index, inside a ``receptive_field`` window, of the frame its single output belongs to (centre or last)."""
        return (self.receptive_field - 1) // 2 + self.config.total_causal_shift

    def set_bn_momentum(self, momentum: float) -> None:
        """VideoPose3D decays the BatchNorm momentum during training."""
        for bn in [self.expand_bn, *self.layers_bn]:
            bn.momentum = momentum

    def _blocks(self, x: torch.Tensor, strided: bool, hidden: list | None) -> torch.Tensor:
        """``(batch, joints * C, frames) -> (batch, joints * 3, out_frames)`` with valid convolutions."""
        config, widths, pads = self.config, self.config.filter_widths, self.config.pads
        stride = widths[0] if strided else 1
        x = self.drop(self.relu(self.expand_bn(F.conv1d(x, self.expand_conv.weight, stride=stride))))
        if hidden is not None:
            hidden.append(x.transpose(1, 2))
        dilation = widths[0]
        for i in range(len(widths) - 1):
            width, conv = widths[i + 1], self.layers_conv[2 * i]
            if strided:
                shift = width // 2 if config.causal else 0
                res = x[:, :, shift + width // 2 :: width]
                y = F.conv1d(x, conv.weight, stride=width)
            else:
                pad = pads[i + 1]
                shift = width // 2 * dilation if config.causal else 0
                res = x[:, :, pad + shift : x.shape[2] - pad + shift]
                y = F.conv1d(x, conv.weight, dilation=1 if config.dense else dilation)
            y = self.drop(self.relu(self.layers_bn[2 * i](y)))
            x = res + self.drop(self.relu(self.layers_bn[2 * i + 1](self.layers_conv[2 * i + 1](y))))
            if hidden is not None:
                hidden.append(x.transpose(1, 2))
            dilation *= width
        return self.shrink(x)

    def _lift(
        self, keypoints: torch.Tensor, pad_sequence: bool, output_hidden_states: bool
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, ...] | None]:
        batch, frames, joints, _ = keypoints.shape
        x = keypoints.reshape(batch, frames, -1).transpose(1, 2)  # (batch, joints * C, frames), joint-major
        if pad_sequence:
            half, shift = (self.receptive_field - 1) // 2, self.config.total_causal_shift
            if half > 0:
                x = F.pad(x, (half + shift, half - shift), mode="replicate")
        strided = not pad_sequence and frames == self.receptive_field and not self.config.dense
        hidden = [] if output_hidden_states else None
        x = self._blocks(x, strided, hidden)
        poses = x.transpose(1, 2).reshape(batch, -1, joints, 3)
        return poses, tuple(hidden) if hidden is not None else None

    def forward(
        self,
        keypoints: torch.Tensor,
        labels: torch.Tensor | None = None,
        flip_test: bool = False,
        pad_sequence: bool | None = None,
        output_hidden_states: bool | None = None,
        return_dict: bool | None = None,
        **kwargs,
    ) -> TCNLiftingOutput | tuple:
        r"""Lift 2D keypoints (+ extra channels) to root-relative 3D poses.

        Args:
            keypoints: ``(batch, T, num_joints, num_input_channels)``, channels named by ``config.input_channels``;
                x, y screen-normalised (x centred at 0).
            labels: optional ``(batch, out_frames, num_joints, 3)`` root-relative ground truth in metres
                -> ``loss`` (MPJPE, metres). For a single-output window a label per input frame is accepted
                too (the output's frame is used).
            flip_test: test-time augmentation: also lift the mirrored input (x -> -x, left/right joints swapped),
                un-mirror that prediction and average the two.
            pad_sequence: ``None`` (default): a ``receptive_field``-frame input is one window -> 1 output frame,
                any other length is a full sequence -> ``T`` output frames (edge-replication padding).
                ``True``: always the full sequence. ``False``: never pad -> ``T - receptive_field + 1`` frames.
            output_hidden_states: return the per-block features (of the un-mirrored pass).
        """
        output_hidden_states = (
            output_hidden_states if output_hidden_states is not None else self.config.output_hidden_states
        )
        return_dict = return_dict if return_dict is not None else self.config.return_dict
        config = self.config
        check_keypoints(keypoints, config.num_joints, config.num_input_channels, None)
        frames = keypoints.shape[1]
        if pad_sequence is None:
            pad_sequence = frames != self.receptive_field
        if not pad_sequence and frames < self.receptive_field:
            raise ValueError(
                f"`keypoints` must have at least receptive_field={self.receptive_field} frames without padding, "
                f"got shape {tuple(keypoints.shape)}"
            )
        poses, hidden = self._lift(keypoints, pad_sequence, bool(output_hidden_states))
        if flip_test:
            flipped, _ = self._lift(flip_poses(keypoints, H36M_FLIP_PERMUTATION), pad_sequence, False)
            poses = 0.5 * (poses + flip_poses(flipped, H36M_FLIP_PERMUTATION))

        loss = None
        if labels is not None:
            out_frames = poses.shape[1]
            index = self.output_frame_index if out_frames == 1 else None
            target = align_labels(labels, out_frames, frames, index)
            weights = None
            if config.confidence_weighted_loss and "c" in config.input_channels:
                confidence = keypoints[..., config.input_channels.index("c")]
                if pad_sequence:
                    weights = confidence
                else:  # output k belongs to input frame k + output_frame_index
                    weights = confidence[:, self.output_frame_index : self.output_frame_index + out_frames]
            loss = mpjpe_loss(poses, target.to(poses.dtype), weights)

        output = TCNLiftingOutput(loss=loss, poses_3d=poses, hidden_states=hidden)
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


__all__ = ["TCNForPoseLifting", "TCNLiftingOutput", "TCNPreTrainedModel"]
