"""PoseFormer (Zheng et al., ICCV 2021)."""

from .configuration_poseformer import PRESETS, PoseFormerConfig
from .modeling_poseformer import PoseFormerForPoseLifting, PoseFormerLiftingOutput, PoseFormerPreTrainedModel

__all__ = [
    "PRESETS",
    "PoseFormerConfig",
    "PoseFormerForPoseLifting",
    "PoseFormerLiftingOutput",
    "PoseFormerPreTrainedModel",
]
