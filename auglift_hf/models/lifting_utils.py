"""Shared pieces of the lifting models: input checks, flip test-time augmentation, MPJPE loss.

This module is the single reference implementation. Each ``modeling_<name>.py`` carries a verbatim copy of
the functions it needs (marked ``# Copied from auglift_hf.models.lifting_utils.<name>``), because a saved
model folder must load with ``trust_remote_code=True`` where ``auglift_hf`` is not installed, so the modeling
files may import only ``torch``, ``transformers`` and their own configuration. ``tests/models/test_lifting_utils.py``
checks that the copies stay identical, like transformers' ``utils/check_copies.py``.

Conventions: keypoints ``(batch, frames, 17, C)`` in H36M-17 order, x screen-normalised and centred at 0;
3D poses ``(batch, frames, 17, 3)`` root-relative, in metres, camera axes (x right, y down, z forward).
"""

from __future__ import annotations

import torch

from ..skeleton import H36M_FLIP_PERMUTATION as _SKELETON_FLIP_PERMUTATION

#: Left/right permutation of a horizontal flip (same as :data:`auglift_hf.skeleton.H36M_FLIP_PERMUTATION`;
#: repeated as a literal in every modeling file so they stay self-contained).
H36M_FLIP_PERMUTATION: tuple[int, ...] = tuple(_SKELETON_FLIP_PERMUTATION)

#: Channel names used when a config gives only ``num_input_channels``.
DEFAULT_INPUT_CHANNELS: dict[int, tuple[str, ...]] = {
    2: ("x", "y"),
    3: ("x", "y", "c"),
    4: ("x", "y", "c", "d"),
    6: ("x", "y", "c", "d", "d_min", "d_max"),
}


def resolve_input_channels(num_input_channels: int | None, input_channels: list[str] | None) -> list[str]:
    """Return the channel names, checking that they agree with ``num_input_channels`` (either may be ``None``)."""
    if input_channels is None:
        if num_input_channels is None:
            num_input_channels = 2
        default = DEFAULT_INPUT_CHANNELS.get(num_input_channels)
        return list(default) if default else [f"ch{i}" for i in range(num_input_channels)]
    input_channels = list(input_channels)
    if num_input_channels is not None and num_input_channels != len(input_channels):
        raise ValueError(
            f"config: `num_input_channels`={num_input_channels} does not match `input_channels`={input_channels} "
            f"({len(input_channels)} names)"
        )
    if len(set(input_channels)) != len(input_channels) or input_channels[:2] != ["x", "y"]:
        raise ValueError(f"config: `input_channels` must be unique and start with 'x', 'y', got {input_channels}")
    return input_channels


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


def flip_poses(poses: torch.Tensor, flip_permutation: tuple[int, ...]) -> torch.Tensor:
    """Horizontal mirror of ``(..., J, C)``: negate channel 0 (x, centred at 0) and swap left/right joints."""
    flipped = poses[..., list(flip_permutation), :]
    sign = torch.ones(poses.shape[-1], dtype=poses.dtype, device=poses.device)
    sign[0] = -1.0
    return flipped * sign


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
