"""auglift-hf: depth-augmented 3D human pose lifting (AugLift, arXiv 2508.07112) on the Hugging Face stack.

Importing the package registers every lifter with ``AutoConfig`` / ``AutoModel``, the
:class:`PoseLiftingProcessor` with ``AutoFeatureExtractor``, and the ``"pose-lifting"`` pipeline task.
Conventions (everywhere): H36M-17 joint order (:mod:`auglift_hf.skeleton`), metres inside data and
models, millimetres in metrics and user-facing outputs, camera coordinates (x right, y down, z forward).

Dataset-side names (``PoseWindowDataset``, ``MixedWindowDataset``, ...) are imported on first access, so
``import auglift_hf`` does not pay for ``datasets``. The one exception to the eager registration is the command
line asked only for its help (``auglift <command> --help``), which skips torch / transformers to answer fast.
"""

__version__ = "0.1.0"

import importlib as _importlib
import os as _os
import sys as _sys


def _cli_help_only() -> bool:
    """``auglift <command> --help`` (console script or ``python -m auglift_hf.cli``): print the help without
    importing torch / transformers (5-9 s on a loaded 2-core machine). Nothing else takes this path."""
    args = _sys.argv[1:]
    if not ("-h" in args or "--help" in args):
        return False
    orig = list(getattr(_sys, "orig_argv", []))
    as_module = "-m" in orig and orig.index("-m") + 1 < len(orig) and orig[orig.index("-m") + 1] == "auglift_hf.cli"
    return as_module or _os.path.basename(_sys.argv[0]) in ("auglift", "auglift.exe")


_LAZY = {
    "PoseWindowDataset": "auglift_hf.data",
    "MixedWindowDataset": "auglift_hf.data",
    "WeightedDatasetSampler": "auglift_hf.data",
    "load_frame_table": "auglift_hf.data",
    "sample_depth": "auglift_hf.features",
    "render_depth": "auglift_hf.simulation",
}

if not _cli_help_only():
    from . import camera, skeleton
    from .contract import InputContract, check_contract, load_contract
    from .metrics import load_metric
    from .models import (
        MODEL_TYPES,
        MotionBERTConfig,
        MotionBERTForPoseLifting,
        PoseFormerConfig,
        PoseFormerForPoseLifting,
        SimpleBaselineConfig,
        SimpleBaselineForPoseLifting,
        TCNConfig,
        TCNForPoseLifting,
    )
    from .processing_lifting import PoseLiftingProcessor, register_processor

    register_processor(PoseFormerConfig, TCNConfig, SimpleBaselineConfig, MotionBERTConfig)


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(_importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'auglift_hf' has no attribute {name!r}")


def _register_pipeline() -> None:
    try:
        from .preprocess.pipeline import register_pipeline
    except ImportError:  # pragma: no cover - preprocess is part of the package; keep import cheap and safe
        return
    register_pipeline()


if not _cli_help_only():
    _register_pipeline()

__all__ = [
    "InputContract",
    "MODEL_TYPES",
    "MixedWindowDataset",
    "MotionBERTConfig",
    "MotionBERTForPoseLifting",
    "PoseFormerConfig",
    "PoseFormerForPoseLifting",
    "PoseLiftingProcessor",
    "PoseWindowDataset",
    "SimpleBaselineConfig",
    "SimpleBaselineForPoseLifting",
    "TCNConfig",
    "TCNForPoseLifting",
    "camera",
    "check_contract",
    "load_contract",
    "load_metric",
    "skeleton",
    "__version__",
]
