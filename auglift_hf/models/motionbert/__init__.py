"""MotionBERT / DSTformer (Zhu et al., "MotionBERT: A Unified Perspective on Learning Human Motion Representations", ICCV 2023)."""

from .configuration_motionbert import PRESETS, MotionBERTConfig
from .modeling_motionbert import MotionBERTForPoseLifting, MotionBERTLiftingOutput, MotionBERTPreTrainedModel

__all__ = [
    "PRESETS",
    "MotionBERTConfig",
    "MotionBERTForPoseLifting",
    "MotionBERTLiftingOutput",
    "MotionBERTPreTrainedModel",
]
