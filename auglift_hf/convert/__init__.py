"""Official PoseFormer / VideoPose3D / MMPose / MotionBERT checkpoints -> our models (and Hub-ready folders via the CLI).

Every converter renames keys through a named table (``*_KEY_MAPPING``), refuses unknown, missing or
mis-shaped keys with a ValueError naming them, and returns the model in eval mode.
"""

from ..utils.lazy import lazy_getattr

#: name -> submodule, imported on first access (keeps ``auglift <command> --help`` fast)
_LAZY = {
    "KeyRule": "common",
    "load_checkpoint": "common",
    "unwrap_state_dict": "common",
    "MMPOSE_SIMPLE_BASELINE_KEY_MAPPING": "mmpose",
    "MMPOSE_TCN_KEY_MAPPING": "mmpose",
    "model_from_mmpose": "mmpose",
    "MOTIONBERT_KEY_MAPPING": "motionbert",
    "infer_motionbert_config": "motionbert",
    "motionbert_from_official": "motionbert",
    "POSEFORMER_KEY_MAPPING": "poseformer",
    "infer_poseformer_config": "poseformer",
    "poseformer_from_official": "poseformer",
    "VIDEOPOSE3D_KEY_MAPPING": "videopose3d",
    "infer_tcn_config": "videopose3d",
    "tcn_from_official": "videopose3d",
}


__getattr__ = lazy_getattr(__name__, _LAZY)


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
