"""MMPose pose-lifting checkpoints (``state_dict`` with ``backbone.`` / ``head.`` prefixes) -> our models.

* VideoPose3D configs (``TCN`` backbone with kernel sizes > 1 + ``TemporalRegressionHead``) -> :class:`TCNForPoseLifting`.
* SimpleBaseline3D / ``image_pose_lift`` configs (``TCN`` backbone with kernel sizes ``(1, 1, 1)``) ->
  :class:`SimpleBaselineForPoseLifting`.

MMPose feeds joint-major channels ``(K * C, T)`` like VideoPose3D. Its SimpleBaseline head predicts the 16
non-root joints (``remove_root=True``): a zero root row is inserted so the output is the 17-joint root-relative
pose with the root exactly at 0. MMPose's codec normalisation (keypoint / target mean and std) is *not* part
of the weights; apply it in the processor.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from ..models.simple_baseline import SimpleBaselineConfig, SimpleBaselineForPoseLifting
from ..models.tcn import TCNConfig, TCNForPoseLifting
from .common import KeyRule, load_state_dict_strict, rename_keys
from .videopose3d import infer_tcn_config

_BN = r"(weight|bias|running_mean|running_var|num_batches_tracked)"
_HEAD = r"(?:head|keypoint_head)"  # MMPose 1.x / 0.x

#: MMPose ``TCN`` + ``TemporalRegressionHead`` key -> :class:`TCNForPoseLifting` key.
MMPOSE_TCN_KEY_MAPPING: tuple[KeyRule, ...] = (
    KeyRule("stem conv", r"backbone\.expand_conv\.conv\.weight", "expand_conv.weight"),
    KeyRule("stem BatchNorm", rf"backbone\.expand_conv\.bn\.{_BN}", "expand_bn.{0}"),
    KeyRule("block dilated conv", r"backbone\.tcn_blocks\.(\d+)\.conv1\.0\.conv\.weight", "layers_conv.{i2}.weight"),
    KeyRule("block dilated BatchNorm", rf"backbone\.tcn_blocks\.(\d+)\.conv1\.0\.bn\.{_BN}", "layers_bn.{i2}.{1}"),
    KeyRule("block 1x1 conv", r"backbone\.tcn_blocks\.(\d+)\.conv2\.0\.conv\.weight", "layers_conv.{i2p1}.weight"),
    KeyRule("block 1x1 BatchNorm", rf"backbone\.tcn_blocks\.(\d+)\.conv2\.0\.bn\.{_BN}", "layers_bn.{i2p1}.{1}"),
    KeyRule("regression head conv", rf"{_HEAD}\.conv\.(weight|bias)", "shrink.{0}"),
)

#: MMPose ``TCN`` (kernel size 1) + ``TemporalRegressionHead`` key -> :class:`SimpleBaselineForPoseLifting` key
#: (the 1x1 conv weights ``(out, in, 1)`` become linear weights ``(out, in)``).
MMPOSE_SIMPLE_BASELINE_KEY_MAPPING: tuple[KeyRule, ...] = (
    KeyRule("stem linear", r"backbone\.expand_conv\.conv\.weight", "expand_linear.weight"),
    KeyRule("stem BatchNorm", rf"backbone\.expand_conv\.bn\.{_BN}", "expand_bn.{0}"),
    KeyRule("block linear 1", r"backbone\.tcn_blocks\.(\d+)\.conv1\.0\.conv\.weight", "blocks.{0}.linear1.weight"),
    KeyRule("block BatchNorm 1", rf"backbone\.tcn_blocks\.(\d+)\.conv1\.0\.bn\.{_BN}", "blocks.{0}.bn1.{1}"),
    KeyRule("block linear 2", r"backbone\.tcn_blocks\.(\d+)\.conv2\.0\.conv\.weight", "blocks.{0}.linear2.weight"),
    KeyRule("block BatchNorm 2", rf"backbone\.tcn_blocks\.(\d+)\.conv2\.0\.bn\.{_BN}", "blocks.{0}.bn2.{1}"),
    KeyRule("regression head", rf"{_HEAD}\.(?:conv\.)?(weight|bias)", "head.{0}"),
)


def _insert_root(weight: torch.Tensor, num_joints: int, root_index: int = 0) -> torch.Tensor:
    """``((J-1) * 3, ...) -> (J * 3, ...)`` with zero rows for the root joint, so it is predicted at exactly 0."""
    rows = weight.reshape(num_joints - 1, 3, *weight.shape[1:])
    zeros = torch.zeros(1, 3, *weight.shape[1:], dtype=weight.dtype)
    return torch.cat([rows[:root_index], zeros, rows[root_index:]]).reshape(num_joints * 3, *weight.shape[1:])


def model_from_mmpose(
    state_dict: Mapping[str, torch.Tensor],
    config: TCNConfig | SimpleBaselineConfig | None = None,
    num_joints: int = 17,
    **config_overrides: Any,
) -> TCNForPoseLifting | SimpleBaselineForPoseLifting:
    """Build a TCN or SimpleBaseline (eval mode) from an MMPose pose-lifter ``state_dict``.

    The family is the config's when given, otherwise SimpleBaseline if every backbone kernel has size 1, else TCN.
    ``config_overrides`` (e.g. ``causal=True``, ``input_channels=[...]``) go to the inferred config.

    Raises:
        ValueError: unknown, missing or mis-shaped keys, named.
    """
    source = "MMPose checkpoint"
    if "backbone.expand_conv.conv.weight" not in state_dict:
        raise ValueError(f"{source}: missing key 'backbone.expand_conv.conv.weight'; is this an MMPose TCN lifter?")
    expand = state_dict["backbone.expand_conv.conv.weight"]
    num_blocks = len({k.split(".")[2] for k in state_dict if k.startswith("backbone.tcn_blocks.")})
    blocks = [state_dict.get(f"backbone.tcn_blocks.{i}.conv1.0.conv.weight") for i in range(num_blocks)]
    if any(w is None for w in blocks):
        raise ValueError(f"{source}: backbone.tcn_blocks.* are not numbered 0..{num_blocks - 1}")
    simple = (
        isinstance(config, SimpleBaselineConfig)
        if config is not None
        else all(w.shape[-1] == 1 for w in [expand, *blocks])
    )
    if simple:
        renamed = rename_keys(state_dict, MMPOSE_SIMPLE_BASELINE_KEY_MAPPING, source=source)
        renamed = {k: v.squeeze(-1) if v.ndim == 3 and v.shape[-1] == 1 else v for k, v in renamed.items()}
        if config is None:
            params = {
                "hidden_size": expand.shape[0],
                "num_blocks": num_blocks,
                "num_joints": num_joints,
                "num_input_channels": expand.shape[1] // num_joints,
            }
            if "input_channels" in config_overrides:
                params.pop("num_input_channels")
            config = SimpleBaselineConfig(**{**params, **config_overrides})
        model, head = SimpleBaselineForPoseLifting(config), "head"
    else:
        renamed = rename_keys(state_dict, MMPOSE_TCN_KEY_MAPPING, source=source)
        if config is None:
            config = infer_tcn_config(expand, blocks, num_joints=num_joints, **config_overrides)
        model, head = TCNForPoseLifting(config), "shrink"
    for name in (f"{head}.weight", f"{head}.bias"):
        if name in renamed and renamed[name].shape[0] == (config.num_joints - 1) * 3:
            renamed[name] = _insert_root(renamed[name], config.num_joints)
    load_state_dict_strict(model, renamed, source=source)
    return model.eval()
