"""VideoPose3D temporal convolutional lifter (Pavllo et al., CVPR 2019)."""

from .configuration_tcn import TCNConfig
from .modeling_tcn import TCNForPoseLifting, TCNLiftingOutput, TCNPreTrainedModel

__all__ = ["TCNConfig", "TCNForPoseLifting", "TCNLiftingOutput", "TCNPreTrainedModel"]
