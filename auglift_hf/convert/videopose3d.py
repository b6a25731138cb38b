"""Official VideoPose3D checkpoint (github.com/facebookresearch/VideoPose3D, ``model_pos``) -> :class:`TCNForPoseLifting`.

The same weights serve ``TemporalModel`` and ``TemporalModelOptimized1f``, and both key layouts are identical.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from ..models.tcn import TCNConfig, TCNForPoseLifting
from .common import KeyRule, load_state_dict_strict, rename_keys

_BN = r"(weight|bias|running_mean|running_var|num_batches_tracked)"

#: Official ``TemporalModel`` key -> ours (the names are kept).
VIDEOPOSE3D_KEY_MAPPING: tuple[KeyRule, ...] = (
    KeyRule("expand conv", r"expand_conv\.weight", "expand_conv.weight"),
    KeyRule("expand BatchNorm", rf"expand_bn\.{_BN}", "expand_bn.{0}"),
    KeyRule("block convs (dilated, 1x1 alternating)", r"layers_conv\.(\d+)\.weight", "layers_conv.{0}.weight"),
    KeyRule("block BatchNorms", rf"layers_bn\.(\d+)\.{_BN}", "layers_bn.{0}.{1}"),
    KeyRule("shrink conv to joints*3", r"shrink\.(weight|bias)", "shrink.{0}"),
)


def _widths_from_kernels(kernels: list[int], dense: bool) -> list[int]:
    """Filter widths from the conv kernel sizes; dense kernels are ``(w - 1) * dilation + 1``."""
    widths = [kernels[0]]
    for kernel in kernels[1:]:
        if dense:
            dilation = 1
            for w in widths:
                dilation *= w
            widths.append((kernel - 1) // dilation + 1)
        else:
            widths.append(kernel)
    return widths


def infer_tcn_config(
    expand_weight: torch.Tensor, block_weights: list[torch.Tensor], num_joints: int = 17, **overrides: Any
) -> TCNConfig:
    """``filter_widths``, ``channels`` and ``num_input_channels`` from the expand conv and the dilated block convs.
    ``causal`` / ``dense`` are not recoverable from shapes (pass them; ``dense`` changes the kernel sizes)."""
    channels, in_features, _ = expand_weight.shape
    if in_features % num_joints:
        raise ValueError(f"expand conv has {in_features} input features, not a multiple of num_joints={num_joints}")
    kernels = [expand_weight.shape[-1], *(w.shape[-1] for w in block_weights)]
    params = {
        "filter_widths": _widths_from_kernels(kernels, bool(overrides.get("dense", False))),
        "channels": int(channels),
        "num_joints": num_joints,
        "num_input_channels": in_features // num_joints,
    }
    if "input_channels" in overrides:
        params.pop("num_input_channels")
    params.update(overrides)
    return TCNConfig(**params)


def tcn_from_official(state_dict: Mapping[str, torch.Tensor], config: TCNConfig | None = None) -> TCNForPoseLifting:
    """Build a :class:`TCNForPoseLifting` (eval mode) from an official VideoPose3D ``TemporalModel`` state dict.

    Args:
        state_dict: ``expand_conv.weight``, ``expand_bn.*``, ``layers_conv.N.weight``, ``layers_bn.N.*``,
            ``shrink.*``, already unwrapped from ``model_pos`` (see :func:`auglift_hf.convert.load_checkpoint`).
        config: the architecture; inferred from the shapes when ``None`` (non-causal, dilated).

    Raises:
        ValueError: unknown, missing or mis-shaped keys, named.
    """
    source = "official VideoPose3D checkpoint"
    renamed = rename_keys(state_dict, VIDEOPOSE3D_KEY_MAPPING, source=source)
    if config is None:
        if "expand_conv.weight" not in renamed:
            raise ValueError(f"{source}: missing key 'expand_conv.weight'")
        num_blocks = len([k for k in renamed if k.startswith("layers_conv.")]) // 2
        blocks = [renamed.get(f"layers_conv.{2 * i}.weight") for i in range(num_blocks)]
        if any(w is None for w in blocks):
            raise ValueError(f"{source}: layers_conv.* are not numbered 0..{2 * num_blocks - 1}")
        config = infer_tcn_config(renamed["expand_conv.weight"], blocks)
    model = TCNForPoseLifting(config)
    load_state_dict_strict(model, renamed, source=source)
    return model.eval()
