"""PoseAug-style differentiable augmentation (Zhang et al., CVPR 2021) with depth for the augmented poses (AugLift v4).

The generators, discriminators and losses live here (they *produce training inputs*, like the rest of the
simulation package); the optimisation loop that trains them against a lifter is
:mod:`auglift_hf.training.poseaug` (``auglift train <config> poseaug=true``).
"""

from .augment import augmented_depth, encode_like_processor, inside_image, project_pinhole
from .losses import FakePool, diff_range_loss, hardness_feedback_loss, lsgan_loss, rectified_l2
from .modeling_poseaug import (
    BL_GROUPS,
    DISCRIMINATOR_PARTS,
    BoneAngleGenerator,
    BoneLengthGenerator,
    Discriminator2D,
    PartAwareDiscriminator3D,
    PoseAugConfig,
    PoseAugmentor,
    RotationTranslationGenerator,
    axis_angle_to_matrix,
    bone_vectors,
    pose_from_bones,
)

__all__ = [
    "BL_GROUPS",
    "DISCRIMINATOR_PARTS",
    "BoneAngleGenerator",
    "BoneLengthGenerator",
    "Discriminator2D",
    "FakePool",
    "PartAwareDiscriminator3D",
    "PoseAugConfig",
    "PoseAugmentor",
    "RotationTranslationGenerator",
    "augmented_depth",
    "axis_angle_to_matrix",
    "bone_vectors",
    "diff_range_loss",
    "encode_like_processor",
    "hardness_feedback_loss",
    "inside_image",
    "lsgan_loss",
    "pose_from_bones",
    "project_pinhole",
    "rectified_l2",
]
