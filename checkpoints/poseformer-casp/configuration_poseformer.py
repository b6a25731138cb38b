"""PoseFormer configuration (Zheng et al., "3D Human Pose Estimation with Spatial and Temporal Transformers", ICCV 2021).

Self-contained (imports only ``transformers`` / ``huggingface_hub``) so a saved folder loads with
``trust_remote_code=True`` without ``auglift_hf``.
"""

from __future__ import annotations

from typing import Any

from huggingface_hub.dataclasses import strict
from transformers import PreTrainedConfig

# Copied from auglift_hf.models.lifting_utils.DEFAULT_INPUT_CHANNELS
DEFAULT_INPUT_CHANNELS: dict[int, tuple[str, ...]] = {
    2: ("x", "y"),
    3: ("x", "y", "c"),
    4: ("x", "y", "c", "d"),
    6: ("x", "y", "c", "d", "d_min", "d_max"),
}

#: Named configurations. ``official-*``: the paper's XY models (embed_dim_ratio 32, mlp_ratio 2).
#: ``auglift-*``: AugLift's fork (XYCD input; width 32 below 81 frames and 96 from 81 frames, mlp_ratio 4).
PRESETS: dict[str, dict[str, Any]] = {
    **{
        f"official-{f}f": {"num_frames": f, "num_input_channels": 2, "embed_dim_ratio": 32, "mlp_ratio": 2.0}
        for f in (9, 27, 81)
    },
    **{
        f"auglift-{f}f": {
            "num_frames": f,
            "num_input_channels": 4,
            "embed_dim_ratio": 32 if f < 81 else 96,
            "mlp_ratio": 4.0,
        }
        for f in (1, 9, 27, 81, 243)
    },
}


@strict
class PoseFormerConfig(PreTrainedConfig):
    r"""Configuration of :class:`PoseFormerForPoseLifting`.

    Defaults reproduce the official architecture (``PoseFormerConfig(num_frames=81, num_input_channels=2)``
    has 9.60M parameters). Input ``(batch, num_frames, num_joints, num_input_channels)``, output the centre
    frame's root-relative 3D pose ``(batch, 1, num_joints, 3)`` in metres.

    Args:
        num_frames: receptive field (window length); fixed by the learned temporal position embedding.
        num_joints: number of joints (17, H36M order).
        num_input_channels: channels per joint ``C``; 2 reproduces the official XY model.
        input_channels: channel names, e.g. ``["x", "y", "c", "d"]``; defaults from ``num_input_channels``.
        embed_dim_ratio: spatial embedding width per joint; the temporal width is ``num_joints * embed_dim_ratio``.
        depth: number of spatial and of temporal transformer blocks.
        num_heads: attention heads in both transformers.
        mlp_ratio: hidden width of the MLPs relative to the block width.
        qkv_bias: bias in the qkv projections.
        qk_scale: attention scale override (default ``head_dim ** -0.5``).
        drop_rate, attn_drop_rate, drop_path_rate: dropout, attention dropout, stochastic depth (linear decay).
        layer_norm_eps: epsilon of the block LayerNorms (the head LayerNorm uses 1e-5, as the official code).
        initializer_range: std of the truncated-normal initialisation of linear layers and position embeddings.
        confidence_weighted_loss: weight the MPJPE loss by the input confidence channel ``"c"`` (if present).

    Attention runs through ``torch.nn.functional.scaled_dot_product_attention``; pass
    ``attn_implementation="eager"`` (config kwarg or ``from_pretrained`` argument) for the explicit
    ``softmax(QK^T)V`` path.
    """

    model_type = "auglift_poseformer"

    num_frames: int = 81
    num_joints: int = 17
    num_input_channels: int | None = None
    input_channels: list[str] | None = None
    embed_dim_ratio: int = 32
    depth: int = 4
    num_heads: int = 8
    mlp_ratio: float | int = 2.0
    qkv_bias: bool = True
    qk_scale: float | None = None
    drop_rate: float | int = 0.0
    attn_drop_rate: float | int = 0.0
    drop_path_rate: float | int = 0.1
    layer_norm_eps: float = 1e-6
    initializer_range: float = 0.02
    confidence_weighted_loss: bool = False

    def __post_init__(self, **kwargs):
        self.input_channels = resolve_input_channels(self.num_input_channels, self.input_channels)
        self.num_input_channels = len(self.input_channels)
        self._check_fields()
        super().__post_init__(**kwargs)

    def _check_fields(self) -> None:
        """Reject impossible shapes with a ValueError naming the field."""
        for name in ("num_frames", "num_joints", "embed_dim_ratio", "depth", "num_heads"):
            if getattr(self, name) < 1:
                raise ValueError(f"PoseFormerConfig: `{name}` must be >= 1, got {getattr(self, name)}")
        if self.embed_dim_ratio % self.num_heads:
            raise ValueError(
                f"PoseFormerConfig: `embed_dim_ratio` ({self.embed_dim_ratio}) must be divisible by "
                f"`num_heads` ({self.num_heads})"
            )

    @property
    def embed_dim(self) -> int:
        """Temporal transformer width ``num_joints * embed_dim_ratio``."""
        return self.num_joints * self.embed_dim_ratio

    @classmethod
    def from_preset(cls, name: str, **overrides: Any) -> PoseFormerConfig:
        """Build a named configuration from :data:`PRESETS` (e.g. ``"auglift-27f"``), with field overrides."""
        if name not in PRESETS:
            raise ValueError(
                f"PoseFormerConfig.from_preset: unknown preset {name!r}, expected one of {sorted(PRESETS)}"
            )
        params = {**PRESETS[name], **overrides}
        if "input_channels" in overrides and "num_input_channels" not in overrides:
            params.pop("num_input_channels")
        return cls(**params)


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


__all__ = ["PRESETS", "PoseFormerConfig"]
