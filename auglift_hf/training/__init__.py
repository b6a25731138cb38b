"""Training lifters with transformers' ``Trainer`` (``auglift train``) and the ``auglift quickstart`` job."""

from ..utils.lazy import lazy_getattr

#: name -> submodule; imported on first access, so ``auglift quickstart --help`` / ``auglift train --help`` do not
#: pay for torch and transformers.
_LAZY = {
    "PoseLiftingCollator": "collator",
    "DataArguments": "config",
    "LiftingTrainingArguments": "config",
    "ModelArguments": "config",
    "load_config": "config",
    "confidence_weighted_mpjpe": "losses",
    "ordinal_depth_loss": "losses",
    "LiftingTrainer": "trainer",
    "build_model": "trainer",
    "compute_lifting_metrics": "trainer",
    "run_training": "trainer",
}


__getattr__ = lazy_getattr(__name__, _LAZY)


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
