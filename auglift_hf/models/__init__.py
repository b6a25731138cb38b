"""The lifting models, registered with ``AutoConfig`` / ``AutoModel`` on import.

Every model maps ``keypoints (batch, frames, 17, C)`` (channels named by ``config.input_channels``) to
root-relative 3D poses ``(batch, out_frames, 17, 3)`` in metres, with an optional MPJPE ``loss`` and flip
test-time augmentation (``flip_test=True``). ``register_for_auto_class`` makes ``save_pretrained`` write an
``auto_map`` and the (self-contained) configuration/modeling files, so a saved folder also loads with
``AutoModel.from_pretrained(folder, trust_remote_code=True)`` where ``auglift_hf`` is not installed.
"""

import math
from typing import Any

from transformers import AutoConfig, AutoModel

from .motionbert import PRESETS as MOTIONBERT_PRESETS
from .motionbert import MotionBERTConfig, MotionBERTForPoseLifting, MotionBERTLiftingOutput
from .poseformer import PRESETS as POSEFORMER_PRESETS
from .poseformer import PoseFormerConfig, PoseFormerForPoseLifting, PoseFormerLiftingOutput
from .simple_baseline import SimpleBaselineConfig, SimpleBaselineForPoseLifting, SimpleBaselineLiftingOutput
from .tcn import TCNConfig, TCNForPoseLifting, TCNLiftingOutput

#: (config class, model class) of every lifter.
MODEL_CLASSES = (
    (PoseFormerConfig, PoseFormerForPoseLifting),
    (TCNConfig, TCNForPoseLifting),
    (SimpleBaselineConfig, SimpleBaselineForPoseLifting),
    (MotionBERTConfig, MotionBERTForPoseLifting),
)
#: ``model_type`` strings of the registered lifters.
MODEL_TYPES: tuple[str, ...] = tuple(config_class.model_type for config_class, _ in MODEL_CLASSES)

for _config_class, _model_class in MODEL_CLASSES:
    AutoConfig.register(_config_class.model_type, _config_class, exist_ok=True)
    AutoModel.register(_config_class, _model_class, exist_ok=True)
    _config_class.register_for_auto_class("AutoConfig")
    _model_class.register_for_auto_class("AutoModel")


def input_frames(config: Any) -> int:
    """Window length (frames) a lifter consumes, from its config object or its ``config.json`` dict.

    TCN: the receptive field ``prod(filter_widths)``; PoseFormer and MotionBERT: ``num_frames`` (MotionBERT's
    maximum clip, ``maxlen``); single-frame models: 1.
    """
    get = config.get if isinstance(config, dict) else lambda name: getattr(config, name, None)
    for name in ("receptive_field", "num_frames"):
        value = get(name)
        if isinstance(value, int) and value > 0:
            return value
    widths = get("filter_widths")
    return int(math.prod(int(w) for w in widths)) if widths else 1


def is_many_to_many(config: Any) -> bool:
    """True for lifters that output one pose per input frame of a window (MotionBERT), trained on a label per
    frame; False for the centre-frame lifters (PoseFormer, TCN windows, SimpleBaseline)."""
    get = config.get if isinstance(config, dict) else lambda name: getattr(config, name, None)
    return get("model_type") == MotionBERTConfig.model_type


from .loading import load_lifter  # noqa: E402 - needs MODEL_CLASSES above

__all__ = [
    "MODEL_CLASSES",
    "MODEL_TYPES",
    "MOTIONBERT_PRESETS",
    "MotionBERTConfig",
    "MotionBERTForPoseLifting",
    "MotionBERTLiftingOutput",
    "POSEFORMER_PRESETS",
    "PoseFormerConfig",
    "PoseFormerForPoseLifting",
    "PoseFormerLiftingOutput",
    "SimpleBaselineConfig",
    "SimpleBaselineForPoseLifting",
    "SimpleBaselineLiftingOutput",
    "TCNConfig",
    "TCNForPoseLifting",
    "TCNLiftingOutput",
    "input_frames",
    "is_many_to_many",
    "load_lifter",
]
