"""BVH motion capture files -> the canonical frame table (``auglift convert bvh``).

* :mod:`.reader`: parsing and vectorised forward kinematics;
* :mod:`.joint_map`: named maps from BVH skeletons (auglift export, Bandai Namco, Mixamo, CMU) to H36M-17;
* :mod:`.table`: units, axes, retargeting, resampling, cameras and the table.
"""

from .joint_map import BUILTIN_MAPS, apply_joint_map, choose_joint_map, load_joint_map
from .reader import BVHMotion, forward_kinematics, parse_bvh
from .table import BVHClip, convert_bvh, read_bvh_world, retarget_bone_lengths

__all__ = [
    "BUILTIN_MAPS",
    "BVHClip",
    "BVHMotion",
    "apply_joint_map",
    "choose_joint_map",
    "convert_bvh",
    "forward_kinematics",
    "load_joint_map",
    "parse_bvh",
    "read_bvh_world",
    "retarget_bone_lengths",
]
