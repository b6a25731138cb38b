"""Training lifters with transformers' ``Trainer`` (``auglift train``) and the ``auglift quickstart`` job."""

from .collator import PoseLiftingCollator
from .config import DataArguments, LiftingTrainingArguments, ModelArguments, load_config
from .losses import confidence_weighted_mpjpe, ordinal_depth_loss
from .trainer import LiftingTrainer, build_model, compute_lifting_metrics, run_training

__all__ = [
    "DataArguments",
    "LiftingTrainer",
    "LiftingTrainingArguments",
    "ModelArguments",
    "PoseLiftingCollator",
    "build_model",
    "compute_lifting_metrics",
    "confidence_weighted_mpjpe",
    "load_config",
    "ordinal_depth_loss",
    "run_training",
]
