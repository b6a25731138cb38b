"""BVH export of H36M-17 motion for animation tools (Blender, MotionBuilder, ...).

Skeleton: the H36M-17 tree (:data:`auglift_hf.skeleton.H36M_PARENTS`) with fixed rest offsets: each bone's
length is its mean over the sequence, its rest direction a T-pose (Y up, facing +Z, the person's left on +X).
The pelvis and the thorax have three children each; one rotation cannot aim three fixed offsets at three
observed bones, so each of their child branches gets a zero-offset joint (``pelvis_to_spine``,
``thorax_to_l_shoulder``, ...) that carries the branch's own rotation. Every bone's direction is therefore
reproduced exactly: forward kinematics of the written file gives the input positions with the bone lengths
normalised to their means.

Rotations (vectorised over frames, walked once down the 23-node tree):
* root (pelvis) and thorax: the rotation that best aligns the rest directions of their children to the
  observed ones (Kabsch), which gives the body/torso orientation;
* every other joint: the *minimal* rotation, relative to its parent's frame, that turns the rest direction
  of its bone to the observed direction (no arbitrary twist);
* leaves (ankles, wrists, head): identity, with an ``End Site`` extending the last bone.

Coordinates: input is camera-frame (x right, y down, z forward) millimetres; the BVH is Y-up:
``(x, y, z)_bvh = (x, -y, -z)_cam * scale`` (a 180 degree turn about x, so the person faces +Z when they face
the camera); ``scale = 0.1`` writes centimetres. Channels: root ``Xposition Yposition Zposition Zrotation
Xrotation Yrotation``, joints ``Zrotation Xrotation Yrotation`` (intrinsic Z-X-Y, degrees).
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.spatial.transform import Rotation

from ..skeleton import H36M_JOINT_NAMES, H36M_PARENTS, NUM_JOINTS
from ..utils.io import atomic_write_file

_LEFT, _RIGHT, _UP, _DOWN = (1.0, 0.0, 0.0), (-1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, -1.0, 0.0)
#: T-pose rest direction of the bone (parent -> joint) for every H36M joint, BVH frame.
REST_DIRECTIONS = np.array(
    [_UP, _RIGHT, _DOWN, _DOWN, _LEFT, _DOWN, _DOWN, _UP, _UP, _UP, _UP, _LEFT, _LEFT, _LEFT, _RIGHT, _RIGHT, _RIGHT]
)
_CAM_TO_BVH = np.diag([1.0, -1.0, -1.0])
_ROT_CHANNELS = ("Zrotation", "Xrotation", "Yrotation")
_EULER = "ZXY"  # scipy upper case = intrinsic, matching BVH channel order


@dataclass(frozen=True)
class _Node:
    name: str
    parent: int  # node index, -1 for the root
    joint: int | None  # H36M index, None for a branch node
    aim: tuple[int, ...]  # H36M joints whose bones (from this node's position) the rotation aims at


def _build_nodes() -> list[_Node]:
    children = {j: [c for c, p in enumerate(H36M_PARENTS) if p == j] for j in range(NUM_JOINTS)}
    nodes: list[_Node] = []

    def add(joint: int, parent: int) -> None:
        kids = children[joint]
        nodes.append(_Node(H36M_JOINT_NAMES[joint], parent, joint, tuple(kids)))
        me = len(nodes) - 1
        if len(kids) == 1:
            add(kids[0], me)
        elif len(kids) > 1:
            for kid in kids:
                nodes.append(_Node(f"{H36M_JOINT_NAMES[joint]}_to_{H36M_JOINT_NAMES[kid]}", me, None, (kid,)))
                add(kid, len(nodes) - 1)

    root = H36M_PARENTS.index(-1)
    add(root, -1)
    return nodes


NODES: list[_Node] = _build_nodes()


def _joint_position_node(joint: int) -> int:
    return next(i for i, n in enumerate(NODES) if n.joint == joint)


def _minimal_rotation(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Rotation matrices (N, 3, 3) turning unit vectors ``a`` (N, 3) onto unit vectors ``b`` (N, 3)."""
    v = np.cross(a, b)
    c = np.einsum("ni,ni->n", a, b)
    vx = np.zeros(a.shape[:-1] + (3, 3))
    vx[:, 0, 1], vx[:, 0, 2], vx[:, 1, 2] = -v[:, 2], v[:, 1], -v[:, 0]
    vx[:, 1, 0], vx[:, 2, 0], vx[:, 2, 1] = v[:, 2], -v[:, 1], v[:, 0]
    eye = np.broadcast_to(np.eye(3), vx.shape)
    opposite = c < -1 + 1e-8
    rot = eye + vx + vx @ vx / np.where(opposite, 1.0, 1.0 + c)[:, None, None]
    if opposite.any():  # 180 degrees about any axis orthogonal to a
        ao = a[opposite]
        helper = np.where(np.abs(ao[:, :1]) < 0.9, np.array([[1.0, 0, 0]]), np.array([[0, 1.0, 0]]))
        u = np.cross(ao, helper)
        u /= np.linalg.norm(u, axis=-1, keepdims=True)
        rot[opposite] = 2 * u[:, :, None] * u[:, None, :] - np.eye(3)
    return rot


def _kabsch(rest: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Rotations (N, 3, 3) best mapping rest unit vectors (K, 3) onto observed unit vectors (N, K, 3)."""
    h = np.einsum("ki,nkj->nij", rest, observed)
    u, _, vt = np.linalg.svd(h)
    d = np.sign(np.linalg.det(np.swapaxes(vt, -1, -2) @ np.swapaxes(u, -1, -2)))
    fix = np.ones(u.shape[:-1])
    fix[:, -1] = d
    return np.swapaxes(vt, -1, -2) @ (fix[:, :, None] * np.swapaxes(u, -1, -2))


def _unit(x: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.maximum(n, 1e-9)


@dataclass
class BVHSkeleton:
    """A fitted BVH motion: node names/parents/offsets and per-frame channels (frames, 3 + 3 * nodes)."""

    names: list[str]
    parents: list[int]
    offsets: np.ndarray  # (nodes, 3) BVH units
    end_sites: dict[int, np.ndarray]  # node index -> End Site offset
    motion: np.ndarray  # (frames, 3 + 3 * nodes): root position then ZXY Euler degrees per node
    frame_time: float


def fit_bvh(positions_mm: Any, fps: float = 50.0, scale: float = 0.1) -> BVHSkeleton:
    """Fit rest offsets and per-frame rotations to camera-frame H36M-17 positions (frames, 17, 3) in mm."""
    pos = np.asarray(positions_mm, dtype=np.float64)
    if pos.ndim != 3 or pos.shape[1:] != (NUM_JOINTS, 3) or pos.shape[0] == 0:
        raise ValueError(f"`positions_mm` must have shape (frames, 17, 3) with frames >= 1, got {pos.shape}")
    if not np.isfinite(pos).all():
        raise ValueError("`positions_mm` contains NaN or inf")
    if fps <= 0:
        raise ValueError(f"`fps` must be > 0, got {fps}")
    x = pos @ _CAM_TO_BVH.T * scale  # (F, 17, 3) BVH frame and units
    parents = np.array(H36M_PARENTS)
    child = np.arange(NUM_JOINTS)[parents >= 0]
    bones = x[:, child] - x[:, parents[child]]  # (F, 16, 3)
    lengths = np.zeros(NUM_JOINTS)
    lengths[child] = np.linalg.norm(bones, axis=-1).mean(0)
    rest = REST_DIRECTIONS * lengths[:, None]  # offset of each H36M joint from its parent
    observed = np.zeros_like(x)
    observed[:, child] = _unit(bones)

    frames = x.shape[0]
    glob = np.zeros((len(NODES), frames, 3, 3))
    local = np.zeros_like(glob)
    offsets = np.zeros((len(NODES), 3))
    end_sites: dict[int, np.ndarray] = {}
    for i, node in enumerate(NODES):  # topological order; vectorised over frames
        if node.joint is not None and node.parent >= 0:
            offsets[i] = rest[node.joint]
        parent_rot = glob[node.parent] if node.parent >= 0 else np.broadcast_to(np.eye(3), (frames, 3, 3))
        if not node.aim:
            local[i] = np.eye(3)
            end_sites[i] = 0.25 * rest[node.joint]
        elif len(node.aim) > 1:
            world = _kabsch(REST_DIRECTIONS[list(node.aim)], observed[:, list(node.aim)])
            local[i] = np.swapaxes(parent_rot, -1, -2) @ world
        else:
            target = np.einsum("nji,nj->ni", parent_rot, observed[:, node.aim[0]])  # parent^T @ d
            local[i] = _minimal_rotation(np.broadcast_to(REST_DIRECTIONS[node.aim[0]], target.shape), _unit(target))
        glob[i] = parent_rot @ local[i]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # gimbal lock: the angles still reproduce the matrix
        euler = Rotation.from_matrix(local.reshape(-1, 3, 3)).as_euler(_EULER, degrees=True)
    euler = euler.reshape(len(NODES), frames, 3).transpose(1, 0, 2).reshape(frames, -1)
    motion = np.concatenate([x[:, 0], euler], axis=1)
    return BVHSkeleton(
        names=[n.name for n in NODES],
        parents=[n.parent for n in NODES],
        offsets=offsets,
        end_sites=end_sites,
        motion=motion,
        frame_time=1.0 / fps,
    )


def bvh_to_string(skel: BVHSkeleton) -> str:
    """Serialise a :class:`BVHSkeleton` as BVH text."""
    children: dict[int, list[int]] = {i: [] for i in range(len(skel.names))}
    for i, p in enumerate(skel.parents):
        if p >= 0:
            children[p].append(i)
    lines = ["HIERARCHY"]

    def fmt(v: np.ndarray) -> str:
        return " ".join(f"{c:.6f}" for c in v)

    def emit(i: int, depth: int) -> None:
        pad = "\t" * depth
        if skel.parents[i] < 0:
            lines.append(f"{pad}ROOT {skel.names[i]}")
            channels = "CHANNELS 6 Xposition Yposition Zposition " + " ".join(_ROT_CHANNELS)
        else:
            lines.append(f"{pad}JOINT {skel.names[i]}")
            channels = "CHANNELS 3 " + " ".join(_ROT_CHANNELS)
        lines.extend([f"{pad}{{", f"{pad}\tOFFSET {fmt(skel.offsets[i])}", f"{pad}\t{channels}"])
        for c in children[i]:
            emit(c, depth + 1)
        if i in skel.end_sites:
            lines.extend([f"{pad}\tEnd Site", f"{pad}\t{{", f"{pad}\t\tOFFSET {fmt(skel.end_sites[i])}", f"{pad}\t}}"])
        lines.append(f"{pad}}}")

    emit(skel.parents.index(-1), 0)
    lines += ["MOTION", f"Frames: {skel.motion.shape[0]}", f"Frame Time: {skel.frame_time:.8f}"]
    lines += [" ".join(f"{v:.6f}" for v in row) for row in skel.motion]
    return "\n".join(lines) + "\n"


def write_bvh(path: str | os.PathLike, positions_mm: Any, fps: float = 50.0, scale: float = 0.1) -> str:
    """Fit and write a BVH file atomically. ``positions_mm``: (frames, 17, 3) camera-frame millimetres."""
    text = bvh_to_string(fit_bvh(positions_mm, fps=fps, scale=scale))
    with atomic_write_file(path, "w") as fh:
        fh.write(text)
    return os.fspath(path)


def read_bvh(source: str | os.PathLike) -> BVHSkeleton:
    """Read a BVH file written by :func:`write_bvh` (root ``X/Y/Zposition`` then ``Zrotation Xrotation
    Yrotation`` for every joint) back into a :class:`BVHSkeleton`.

    Parsing is the package's one BVH reader (:func:`auglift_hf.data.bvh.reader.parse_bvh`: line-numbered errors
    for malformed files); any other channel layout is refused here (``auglift convert bvh`` reads general BVH).
    """
    from ..data.bvh.reader import parse_bvh

    bvh = parse_bvh(source)
    root = ("Xposition", "Yposition", "Zposition", *_ROT_CHANNELS)
    for j, chans in enumerate(bvh.channels):
        want = root if j == 0 else _ROT_CHANNELS
        if tuple(chans) != want:
            raise ValueError(
                f"{os.fspath(source)}: joint {bvh.names[j]!r} has channels {list(chans)}; this reader takes the "
                f"layout auglift export bvh writes ({' '.join(want)}); use `auglift convert bvh` for other files"
            )
    return BVHSkeleton(
        list(bvh.names), [int(p) for p in bvh.parents], np.asarray(bvh.offsets, dtype=np.float64),
        {int(k): np.asarray(v, dtype=np.float64) for k, v in bvh.end_sites.items()}, bvh.motion, bvh.frame_time,
    )  # fmt: skip


def forward_kinematics(skel: BVHSkeleton) -> np.ndarray:
    """World positions (frames, nodes, 3) of every node of a BVH motion, BVH frame and units."""
    frames = skel.motion.shape[0]
    euler = skel.motion[:, 3:].reshape(frames, len(skel.names), 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        local = Rotation.from_euler(_EULER, euler.reshape(-1, 3), degrees=True).as_matrix()
    local = local.reshape(frames, len(skel.names), 3, 3)
    glob = np.zeros_like(local)
    pos = np.zeros((frames, len(skel.names), 3))
    for i, p in enumerate(skel.parents):
        if p < 0:
            glob[:, i] = local[:, i]
            pos[:, i] = skel.motion[:, :3] + skel.offsets[i]
        else:
            glob[:, i] = glob[:, p] @ local[:, i]
            pos[:, i] = pos[:, p] + glob[:, p] @ skel.offsets[i]
    return pos


def bvh_to_h36m(skel: BVHSkeleton, scale: float = 0.1) -> np.ndarray:
    """Forward kinematics back to camera-frame H36M-17 millimetres (frames, 17, 3)."""
    pos = forward_kinematics(skel)
    index = [skel.names.index(name) for name in H36M_JOINT_NAMES]
    return pos[:, index] / scale @ _CAM_TO_BVH.T


def normalise_bone_lengths(positions: Any) -> np.ndarray:
    """Rebuild (frames, 17, 3) positions from the root with each bone at its mean length over frames."""
    pos = np.asarray(positions, dtype=np.float64)
    parents = np.array(H36M_PARENTS)
    child = np.arange(NUM_JOINTS)[parents >= 0]
    bones = pos[:, child] - pos[:, parents[child]]
    mean = np.linalg.norm(bones, axis=-1).mean(0)
    out = np.zeros_like(pos)
    out[:, 0] = pos[:, 0]
    for k, j in enumerate(child):  # parents precede children in H36M order
        out[:, j] = out[:, parents[j]] + _unit(bones[:, k]) * mean[k]
    return out


__all__ = [
    "BVHSkeleton",
    "NODES",
    "REST_DIRECTIONS",
    "bvh_to_h36m",
    "bvh_to_string",
    "fit_bvh",
    "forward_kinematics",
    "normalise_bone_lengths",
    "read_bvh",
    "write_bvh",
]
