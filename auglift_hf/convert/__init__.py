"""Official PoseFormer / VideoPose3D / MMPose / MotionBERT checkpoints -> our models (and Hub-ready folders via the CLI).

Every converter renames keys through a named table (``*_KEY_MAPPING``), refuses unknown, missing or
mis-shaped keys with a ValueError naming them, and returns the model in eval mode.
"""

from .common import KeyRule, load_checkpoint, unwrap_state_dict
from .mmpose import MMPOSE_SIMPLE_BASELINE_KEY_MAPPING, MMPOSE_TCN_KEY_MAPPING, model_from_mmpose
from .motionbert import MOTIONBERT_KEY_MAPPING, infer_motionbert_config, motionbert_from_official
from .poseformer import POSEFORMER_KEY_MAPPING, infer_poseformer_config, poseformer_from_official
from .videopose3d import VIDEOPOSE3D_KEY_MAPPING, infer_tcn_config, tcn_from_official

__all__ = [
    "MMPOSE_SIMPLE_BASELINE_KEY_MAPPING",
    "MMPOSE_TCN_KEY_MAPPING",
    "MOTIONBERT_KEY_MAPPING",
    "POSEFORMER_KEY_MAPPING",
    "VIDEOPOSE3D_KEY_MAPPING",
    "KeyRule",
    "infer_motionbert_config",
    "infer_poseformer_config",
    "infer_tcn_config",
    "load_checkpoint",
    "model_from_mmpose",
    "motionbert_from_official",
    "poseformer_from_official",
    "tcn_from_official",
    "unwrap_state_dict",
]
