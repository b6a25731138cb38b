"""SimpleBaseline single-frame lifter (Martinez et al., ICCV 2017)."""

from .configuration_simple_baseline import SimpleBaselineConfig
from .modeling_simple_baseline import (
    SimpleBaselineForPoseLifting,
    SimpleBaselineLiftingOutput,
    SimpleBaselinePreTrainedModel,
)

__all__ = [
    "SimpleBaselineConfig",
    "SimpleBaselineForPoseLifting",
    "SimpleBaselineLiftingOutput",
    "SimpleBaselinePreTrainedModel",
]
