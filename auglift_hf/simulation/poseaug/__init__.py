"""PoseAug-style differentiable augmentation (Zhang et al., CVPR 2021) with depth for the augmented poses (AugLift v4).

The generators, discriminators and losses live here (they *produce training inputs*, like the rest of the
simulation package); the optimisation loop that trains them against a lifter is
:mod:`auglift_hf.training.poseaug` (``auglift train <config> poseaug=true``).
"""

from .augment import augmented_depth, encode_like_processor, inside_image, project_pinhole, project_pinhole_clamped
from .losses import (
    FakePool,
    diff_range_loss,
    generator_adversarial_loss,
    grouped_joint_errors,
    hardness_feedback_loss,
    hardness_target,
    lsgan_loss,
    rectified_l2,
)
from .modeling_poseaug import (
    BL_GROUPS,
    DISCRIMINATOR_PARTS,
    FEEDBACK_JOINT_GROUPS,
    FEEDBACK_JOINT_WEIGHTS,
    BoneAngleGenerator,
    BoneLengthGenerator,
    Discriminator2D,
    PartAwareDiscriminator3D,
    PoseAugConfig,
    PoseAugmentor,
    RotationTranslationGenerator,
    axis_angle_to_matrix,
    bone_length_templates,
    bone_vectors,
    pose_from_bones,
    random_bone_length_swap,
)
from .table_depth import POSEAUG_DEPTH_OPTIONS, AugmentedDepthSimulation, poseaug_depth_simulation

__all__ = [
    "BL_GROUPS",
    "POSEAUG_DEPTH_OPTIONS",
    "AugmentedDepthSimulation",
    "DISCRIMINATOR_PARTS",
    "FEEDBACK_JOINT_GROUPS",
    "FEEDBACK_JOINT_WEIGHTS",
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
    "bone_length_templates",
    "bone_vectors",
    "diff_range_loss",
    "encode_like_processor",
    "generator_adversarial_loss",
    "grouped_joint_errors",
    "hardness_feedback_loss",
    "hardness_target",
    "inside_image",
    "lsgan_loss",
    "pose_from_bones",
    "poseaug_depth_simulation",
    "project_pinhole",
    "project_pinhole_clamped",
    "random_bone_length_swap",
    "rectified_l2",
]
