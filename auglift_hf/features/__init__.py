"""Per-joint input features beyond (x, y): depth descriptors and generic feature-map sampling."""

from .depth import (
    CASP_DEFAULTS,
    CASP_SUMMARY_CHANNELS,
    DEPTH_CHANNELS,
    casp_radii,
    check_h36m_keypoints,
    disk_pattern,
    masked_quantiles,
    reduce_disk_samples,
    sample_depth,
    sample_points,
    torso_length,
)
from .feature_maps import FeatureNormalizer, sample_feature_map

__all__ = [
    "CASP_DEFAULTS",
    "CASP_SUMMARY_CHANNELS",
    "DEPTH_CHANNELS",
    "FeatureNormalizer",
    "casp_radii",
    "check_h36m_keypoints",
    "disk_pattern",
    "masked_quantiles",
    "reduce_disk_samples",
    "sample_depth",
    "sample_feature_map",
    "sample_points",
    "torso_length",
]
