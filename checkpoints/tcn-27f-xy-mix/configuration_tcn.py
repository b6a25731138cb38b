"""TCN configuration: VideoPose3D's temporal convolutional lifter (Pavllo et al., CVPR 2019).

Self-contained (imports only ``transformers`` / ``huggingface_hub``) so a saved folder loads with
``trust_remote_code=True`` without ``auglift_hf``.
"""

from __future__ import annotations

import math

from huggingface_hub.dataclasses import strict
from transformers import PreTrainedConfig

# Copied from auglift_hf.models.lifting_utils.DEFAULT_INPUT_CHANNELS
DEFAULT_INPUT_CHANNELS: dict[int, tuple[str, ...]] = {
    2: ("x", "y"),
    3: ("x", "y", "c"),
    4: ("x", "y", "c", "d"),
    6: ("x", "y", "c", "d", "d_min", "d_max"),
}


@strict
class TCNConfig(PreTrainedConfig):
    r"""Configuration of :class:`TCNForPoseLifting` (VideoPose3D ``TemporalModel``).

    Defaults are the paper's 243-frame model: ``TCNConfig(filter_widths=[3, 3, 3, 3, 3], num_input_channels=2)``
    has 16.95M parameters; ``[3, 3, 3]`` (27 frames) 8.56M; ``[3, 3, 3, 3]`` (81 frames) 12.75M.

    Args:
        filter_widths: odd convolution widths; the receptive field is their product and there are
            ``len(filter_widths) - 1`` residual blocks.
        channels: convolution channels (1024).
        dropout: dropout after every ReLU (0.25).
        causal: causal convolutions (the output for frame t sees frames ``t - receptive_field + 1 .. t``).
        dense: plain (non-dilated) convolutions of the same receptive field (ablation in the paper); the
            strided single-frame training path is then unavailable.
        num_joints: number of joints (17, H36M order).
        num_input_channels: channels per joint ``C``; 2 reproduces the official XY model.
        input_channels: channel names, e.g. ``["x", "y", "c", "d"]``; defaults from ``num_input_channels``.
        bn_momentum: BatchNorm momentum (VideoPose3D decays it from 0.1 during training).
        confidence_weighted_loss: weight the MPJPE loss by the input confidence channel ``"c"`` (if present).
    """

    model_type = "auglift_tcn"

    filter_widths: list[int] | None = None
    channels: int = 1024
    dropout: float | int = 0.25
    causal: bool = False
    dense: bool = False
    num_joints: int = 17
    num_input_channels: int | None = None
    input_channels: list[str] | None = None
    bn_momentum: float = 0.1
    confidence_weighted_loss: bool = False

    def __post_init__(self, **kwargs):
        self.filter_widths = [3, 3, 3, 3, 3] if self.filter_widths is None else [int(w) for w in self.filter_widths]
        self.input_channels = resolve_input_channels(self.num_input_channels, self.input_channels)
        self.num_input_channels = len(self.input_channels)
        self._check_fields()
        super().__post_init__(**kwargs)

    def _check_fields(self) -> None:
        """Reject impossible shapes with a ValueError naming the field."""
        if not self.filter_widths or any(w < 1 or w % 2 == 0 for w in self.filter_widths):
            raise ValueError(
                f"TCNConfig: `filter_widths` must be a non-empty list of odd widths, got {self.filter_widths}"
            )
        if self.channels < 1 or self.num_joints < 1:
            raise ValueError(
                f"TCNConfig: `channels` and `num_joints` must be >= 1, got {self.channels}, {self.num_joints}"
            )

    @property
    def receptive_field(self) -> int:
        """Frames seen by one output: the product of the filter widths."""
        return math.prod(self.filter_widths)

    @property
    def pads(self) -> list[int]:
        """Per-layer half receptive field (VideoPose3D ``pad``); their sum is ``(receptive_field - 1) / 2``."""
        pads, dilation = [self.filter_widths[0] // 2], self.filter_widths[0]
        for width in self.filter_widths[1:]:
            pads.append((width - 1) * dilation // 2)
            dilation *= width
        return pads

    @property
    def total_causal_shift(self) -> int:
        """Asymmetric padding offset: ``(receptive_field - 1) / 2`` when causal, else 0."""
        return (self.receptive_field - 1) // 2 if self.causal else 0


# Copied from auglift_hf.models.lifting_utils.resolve_input_channels
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


__all__ = ["TCNConfig"]
