"""Images / video -> person boxes -> 2D pose -> depth -> per-joint XYCD descriptors, and the pose-lifting pipeline.

Stages are pluggable backends with small protocols (:mod:`.detector`, :mod:`.pose2d`, :mod:`.depth`), composed by
:class:`XYCDExtractor`; :func:`run_preprocess` shards, resumes and distributes a run (:mod:`.sharding`);
:func:`register_pipeline` registers the ``"pose-lifting"`` transformers pipeline (:mod:`.pipeline`).
"""

from .depth import DEPTH_CHECKPOINTS, DepthEstimator, HFDepthEstimator
from .detector import Detections, FullImageDetector, HFPersonDetector, PersonDetector
from .extractor import XYCDExtractor
from .features import BackboneFeatureSampler
from .io_keypoints import KeypointSequence, read_keypoints_json
from .pose2d import HFPoseEstimator, PoseEstimator2D
from .sharding import merge_shards, run_preprocess
from .video import VideoReader

__all__ = [
    "BackboneFeatureSampler",
    "DEPTH_CHECKPOINTS",
    "DepthEstimator",
    "Detections",
    "FullImageDetector",
    "HFDepthEstimator",
    "HFPersonDetector",
    "HFPoseEstimator",
    "KeypointSequence",
    "PersonDetector",
    "PoseEstimator2D",
    "PoseLiftingPipeline",
    "VideoReader",
    "XYCDExtractor",
    "merge_shards",
    "read_keypoints_json",
    "register_pipeline",
    "run_preprocess",
]


def __getattr__(name: str):  # the pipeline module imports transformers.pipelines: only on first use
    if name in ("PoseLiftingPipeline", "register_pipeline"):
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
