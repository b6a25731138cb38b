"""SimpleBaseline configuration (Martinez et al., "A simple yet effective baseline for 3d human pose estimation", ICCV 2017).

Self-contained (imports only ``transformers`` / ``huggingface_hub``) so a saved folder loads with
``trust_remote_code=True`` without ``auglift_hf``.
"""

from __future__ import annotations

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
class SimpleBaselineConfig(PreTrainedConfig):
    r"""Configuration of :class:`SimpleBaselineForPoseLifting`: a single-frame residual MLP, as MMPose's
    ``image_pose_lift`` SimpleBaseline3D (a TCN with kernel size 1) and AugLift's single-frame baseline.

    Args:
        hidden_size: width of the linear layers (1024).
        num_blocks: residual blocks of two Linear-BatchNorm-ReLU-Dropout layers (2).
        dropout: dropout after every ReLU (0.5).
        num_joints: number of joints (17, H36M order).
        num_input_channels: channels per joint ``C``; 2 is the original XY model (4.28M parameters).
        input_channels: channel names, e.g. ``["x", "y", "c", "d"]``; defaults from ``num_input_channels``.
        bn_momentum: BatchNorm momentum.
        confidence_weighted_loss: weight the MPJPE loss by the input confidence channel ``"c"`` (if present).
    """

    model_type = "auglift_simple_baseline"

    hidden_size: int = 1024
    num_blocks: int = 2
    dropout: float | int = 0.5
    num_joints: int = 17
    num_input_channels: int | None = None
    input_channels: list[str] | None = None
    bn_momentum: float = 0.1
    confidence_weighted_loss: bool = False

    def __post_init__(self, **kwargs):
        self.input_channels = resolve_input_channels(self.num_input_channels, self.input_channels)
        self.num_input_channels = len(self.input_channels)
        self._check_fields()
        super().__post_init__(**kwargs)

    def _check_fields(self) -> None:
        """Reject impossible shapes with a ValueError naming the field."""
        for name in ("hidden_size", "num_joints"):
            if getattr(self, name) < 1:
                raise ValueError(f"SimpleBaselineConfig: `{name}` must be >= 1, got {getattr(self, name)}")
        if self.num_blocks < 0:
            raise ValueError(f"SimpleBaselineConfig: `num_blocks` must be >= 0, got {self.num_blocks}")


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


__all__ = ["SimpleBaselineConfig"]
