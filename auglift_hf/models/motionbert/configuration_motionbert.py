"""MotionBERT (DSTformer) configuration (Zhu et al., ICCV 2023, github.com/Walter0807/MotionBERT).

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

#: Named configurations. ``official-*`` are the released MotionBERT models (``configs/pose3d/MB_ft_h36m.yaml``:
#: dim_feat 512, mlp_ratio 2; ``configs/pretrain/MB_lite.yaml`` / ``MB_ft_h36m_global_lite.yaml``: dim_feat 256,
#: mlp_ratio 4; both 243 frames, depth 5, 8 heads, dim_rep 512, att_fuse, x/y/confidence input).
#: ``cpu-*`` are small configurations for CPU training (chosen for this package, not from the paper).
PRESETS: dict[str, dict[str, Any]] = {
    "official-ft-h36m": {
        "num_frames": 243, "num_input_channels": 3, "dim_feat": 512, "dim_rep": 512, "depth": 5, "num_heads": 8,
        "mlp_ratio": 2.0, "att_fuse": True,
    },
    "official-lite": {
        "num_frames": 243, "num_input_channels": 3, "dim_feat": 256, "dim_rep": 512, "depth": 5, "num_heads": 8,
        "mlp_ratio": 4.0, "att_fuse": True,
    },
    "cpu-27f": {
        "num_frames": 27, "num_input_channels": 3, "dim_feat": 32, "dim_rep": 64, "depth": 2, "num_heads": 4,
        "mlp_ratio": 2.0, "att_fuse": True,
    },
    "cpu-9f": {
        "num_frames": 9, "num_input_channels": 3, "dim_feat": 32, "dim_rep": 64, "depth": 2, "num_heads": 4,
        "mlp_ratio": 2.0, "att_fuse": True,
    },
}  # fmt: skip


@strict
class MotionBERTConfig(PreTrainedConfig):
    r"""Configuration of :class:`MotionBERTForPoseLifting` (the DSTformer backbone + its 3D pose head).

    Defaults reproduce ``MB_ft_h36m`` (the released H36M fine-tuned model: 42,466,317 parameters with 3 input
    channels; the Lite preset has 16,001,549, both counted on the official ``DSTformer``). Input ``(batch, frames, num_joints, num_input_channels)`` with ``1 <= frames <= num_frames``,
    output one 3D pose per input frame ``(batch, frames, num_joints, 3)`` (many-to-many).

    Args:
        num_frames: maximum clip length (``maxlen`` of the official code; the learned temporal embedding has
            this many rows and a shorter clip uses the first ones).
        num_joints: number of joints (17, H36M order).
        num_input_channels: channels per joint ``C`` (``dim_in`` of the official code); 3 = MotionBERT's native
            x, y, confidence.
        input_channels: channel names, e.g. ``["x", "y", "c", "d"]``; defaults from ``num_input_channels``.
        dim_feat: transformer width.
        dim_rep: width of the motion representation (``pre_logits``: Linear + tanh) before the 3D head.
        depth: number of dual-stream blocks (each holds a spatial-temporal and a temporal-spatial block).
        num_heads: attention heads.
        mlp_ratio: MLP hidden width relative to ``dim_feat``.
        att_fuse: fuse the two streams with learned per-token softmax weights (else their mean).
        qkv_bias: bias in the qkv projections; qk_scale: attention scale override (default ``head_dim ** -0.5``).
        drop_rate, attn_drop_rate, drop_path_rate: dropout, attention dropout, stochastic depth (linear decay).
        layer_norm_eps: LayerNorm epsilon (the official ``load_backbone`` uses 1e-6).
        initializer_range: std of the truncated-normal initialisation of linear layers and embeddings.
        confidence_weighted_loss: weight the MPJPE loss by the input confidence channel ``"c"`` (if present).

    Config fields keep the official names where they exist (``dim_feat``, ``dim_rep``, ``depth``, ``num_heads``,
    ``mlp_ratio``, ``att_fuse``); ``maxlen`` and ``dim_in`` are read-only aliases of ``num_frames`` and
    ``num_input_channels``. Attention runs through transformers' attention interface (SDPA by default,
    ``attn_implementation="eager"`` for the explicit ``softmax(QK^T)V``).
    """

    model_type = "auglift_motionbert"

    num_frames: int = 243
    num_joints: int = 17
    num_input_channels: int | None = None
    input_channels: list[str] | None = None
    dim_feat: int = 512
    dim_rep: int = 512
    depth: int = 5
    num_heads: int = 8
    mlp_ratio: float | int = 2.0
    att_fuse: bool = True
    qkv_bias: bool = True
    qk_scale: float | None = None
    drop_rate: float | int = 0.0
    attn_drop_rate: float | int = 0.0
    drop_path_rate: float | int = 0.0
    layer_norm_eps: float = 1e-6
    initializer_range: float = 0.02
    confidence_weighted_loss: bool = False

    def __post_init__(self, **kwargs):
        if self.num_input_channels is None and self.input_channels is None:
            self.num_input_channels = 3  # MotionBERT's native x, y, confidence
        self.input_channels = resolve_input_channels(self.num_input_channels, self.input_channels)
        self.num_input_channels = len(self.input_channels)
        self._check_fields()
        super().__post_init__(**kwargs)

    def _check_fields(self) -> None:
        """Reject impossible shapes with a ValueError naming the field."""
        for name in ("num_frames", "num_joints", "dim_feat", "dim_rep", "depth", "num_heads"):
            if getattr(self, name) < 1:
                raise ValueError(f"MotionBERTConfig: `{name}` must be >= 1, got {getattr(self, name)}")
        if self.dim_feat % self.num_heads:
            raise ValueError(
                f"MotionBERTConfig: `dim_feat` ({self.dim_feat}) must be divisible by `num_heads` ({self.num_heads})"
            )
        if not self.mlp_ratio > 0:
            raise ValueError(f"MotionBERTConfig: `mlp_ratio` must be > 0, got {self.mlp_ratio}")

    @property
    def maxlen(self) -> int:
        """The official name of :attr:`num_frames`."""
        return self.num_frames

    @property
    def dim_in(self) -> int:
        """The official name of :attr:`num_input_channels`."""
        return self.num_input_channels

    @classmethod
    def from_preset(cls, name: str, **overrides: Any) -> MotionBERTConfig:
        """Build a named configuration from :data:`PRESETS` (e.g. ``"official-lite"``), with field overrides."""
        if name not in PRESETS:
            raise ValueError(
                f"MotionBERTConfig.from_preset: unknown preset {name!r}, expected one of {sorted(PRESETS)}"
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


__all__ = ["PRESETS", "MotionBERTConfig"]
