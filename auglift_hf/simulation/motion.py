"""Procedural human motion over the H36M-17 skeleton and random cameras.

Lets the package build a lifting dataset with nothing downloaded (``auglift quickstart``) and gives the
real-data pipelines the same camera sampler and detector noise model.

Conventions
-----------
* Joints in H36M-17 order (:mod:`auglift_hf.skeleton`), **metres**.
* World frame: **z up**, floor at ``z = 0`` (as H36M). Body frame of a motion: x forward, y left, z up.
* Cameras use :mod:`auglift_hf.camera`'s MMPose convention: ``X_cam = (X_world - T) @ R`` with ``T`` the camera
  centre; camera frame x right, y down, z forward; intrinsics ``f`` (2,), ``c`` (2,) pixels.
* Every random function takes ``seed`` (an int, ``None`` or a ``numpy.random.Generator``).

Motions are forward kinematics of smooth joint-angle curves (sinusoids plus low-frequency random
perturbations), one family per entry of :data:`MOTION_TYPES`; bone lengths are Human3.6M's average adult
(subject S1, about 1.75 m tall) scaled per sequence, with left/right symmetry.
"""

from __future__ import annotations

import numpy as np

from ..camera import project, world_to_camera
from ..skeleton import (
    HEAD,
    L_ANKLE,
    L_ELBOW,
    L_HIP,
    L_KNEE,
    L_SHOULDER,
    L_WRIST,
    NECK,
    NUM_JOINTS,
    PELVIS,
    R_ANKLE,
    R_ELBOW,
    R_HIP,
    R_KNEE,
    R_SHOULDER,
    R_WRIST,
    SPINE,
    THORAX,
)

MOTION_TYPES: tuple[str, ...] = ("walking", "reaching", "squatting", "turning", "waving", "bending")

#: Bone lengths in metres (Human3.6M subject S1, the skeleton of the public H36M motion files).
BONE_LENGTHS: dict[str, float] = {
    "hip": 0.133,  # pelvis -> hip (lateral)
    "thigh": 0.454,
    "shin": 0.449,
    "spine": 0.233,  # pelvis -> spine
    "chest": 0.257,  # spine -> thorax
    "neck": 0.121,  # thorax -> neck/nose
    "head": 0.115,  # neck/nose -> head top
    "clavicle": 0.151,  # thorax -> shoulder (lateral)
    "upper_arm": 0.279,
    "forearm": 0.250,
}
#: Height of the ankle joint above the floor (metres).
ANKLE_HEIGHT = 0.08

Seed = int | np.random.Generator | None


def _rng(seed: Seed) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def _smooth_noise(rng: np.random.Generator, t: np.ndarray, amplitude: float, num_terms: int = 3) -> np.ndarray:
    """A smooth random curve: sum of ``num_terms`` sinusoids of 0.1-0.6 Hz, amplitude ~``amplitude``."""
    freqs = rng.uniform(0.1, 0.6, num_terms)
    phases = rng.uniform(0, 2 * np.pi, num_terms)
    amps = rng.normal(0, amplitude / np.sqrt(num_terms), num_terms)
    return (amps[:, None] * np.sin(2 * np.pi * freqs[:, None] * t[None] + phases[:, None])).sum(0)


def _direction(forward: np.ndarray, lateral: np.ndarray, down: bool = True) -> np.ndarray:
    """Unit vectors in the body frame from a forward swing angle and a lateral (+left) angle, radians.

    ``down=True``: zero angles point down (legs, arms); ``down=False``: zero angles point up (trunk).
    Returns ``(T, 3)``.
    """
    sign = -1.0 if down else 1.0
    return np.stack(
        [np.sin(forward) * np.cos(lateral), np.sin(lateral), sign * np.cos(forward) * np.cos(lateral)], axis=-1
    )


def _angles(kind: str, t: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Joint-angle curves (radians) and the root trajectory for one motion family; every entry is ``(T,)``."""
    T = t.shape[0]
    zero = np.zeros(T)
    a = {
        name: zero.copy()
        for name in (
            "r_hip_f", "l_hip_f", "r_hip_a", "l_hip_a", "r_knee", "l_knee",
            "r_sh_f", "l_sh_f", "r_sh_a", "l_sh_a", "r_elbow", "l_elbow",
            "trunk_f", "trunk_l", "head_f", "yaw", "x", "y",
        )
    }  # fmt: skip
    # resting arm/leg posture: arms slightly away from the body, elbows slightly bent
    a["r_sh_a"] += 0.12
    a["l_sh_a"] += 0.12
    a["r_elbow"] += 0.15
    a["l_elbow"] += 0.15
    freq = rng.uniform(0.8, 1.1)  # Hz, gait cycle / repetition rate scale
    phase = rng.uniform(0, 2 * np.pi)
    w = 2 * np.pi * freq * t + phase
    if kind == "walking":
        amp = rng.uniform(0.3, 0.45)
        a["r_hip_f"] = amp * np.sin(w) + 0.05
        a["l_hip_f"] = amp * np.sin(w + np.pi) + 0.05
        a["r_knee"] = 0.1 + 0.55 * np.clip(np.sin(w - 0.8), 0, None) ** 1.5
        a["l_knee"] = 0.1 + 0.55 * np.clip(np.sin(w + np.pi - 0.8), 0, None) ** 1.5
        a["r_sh_f"] = -0.6 * amp * np.sin(w)
        a["l_sh_f"] = -0.6 * amp * np.sin(w + np.pi)
        a["r_elbow"] += 0.2 + 0.15 * np.clip(np.sin(w + np.pi), 0, None)
        a["l_elbow"] += 0.2 + 0.15 * np.clip(np.sin(w), 0, None)
        a["trunk_f"] += 0.06
        speed = rng.uniform(0.8, 1.4)  # m/s
        a["yaw"] = rng.uniform(-np.pi, np.pi) + rng.uniform(-0.35, 0.35) * t  # gently curving path
        heading = a["yaw"]
        dt = np.diff(t, prepend=t[0])
        a["x"] = np.cumsum(speed * np.cos(heading) * dt)
        a["y"] = np.cumsum(speed * np.sin(heading) * dt)
    elif kind == "reaching":
        side = "r" if rng.random() < 0.5 else "l"
        reach = 0.5 - 0.5 * np.cos(2 * np.pi * 0.4 * freq * t + phase)  # 0 -> 1 -> 0
        a[f"{side}_sh_f"] = reach * rng.uniform(1.0, 2.2)
        a[f"{side}_sh_a"] += reach * rng.uniform(-0.2, 0.5)
        a[f"{side}_elbow"] = 0.15 + (1 - reach) * 0.9 + reach * 0.1
        a["trunk_f"] = reach * rng.uniform(0.0, 0.35)
        a["trunk_l"] = reach * rng.uniform(-0.15, 0.15)
        a["yaw"] = rng.uniform(-np.pi, np.pi) + zero
    elif kind == "squatting":
        depth = rng.uniform(0.6, 1.0)
        s = depth * (0.5 - 0.5 * np.cos(2 * np.pi * 0.35 * freq * t + phase))
        a["r_hip_f"] = a["l_hip_f"] = 1.5 * s
        a["r_hip_a"] = -0.15 * s
        a["l_hip_a"] = 0.15 * s
        a["r_knee"] = a["l_knee"] = 2.1 * s
        a["trunk_f"] = 0.7 * s
        a["r_sh_f"] = a["l_sh_f"] = 1.3 * s
        a["r_elbow"] = a["l_elbow"] = 0.15 + 0.2 * s
        a["yaw"] = rng.uniform(-np.pi, np.pi) + zero
    elif kind == "turning":
        rate = rng.choice([-1.0, 1.0]) * rng.uniform(0.6, 1.5)  # rad/s
        a["yaw"] = rng.uniform(-np.pi, np.pi) + rate * t
        step = 2 * np.pi * 1.6 * freq * t + phase  # small shuffling steps while turning
        a["r_hip_f"] = 0.15 * np.sin(step)
        a["l_hip_f"] = 0.15 * np.sin(step + np.pi)
        a["r_knee"] = 0.1 + 0.3 * np.clip(np.sin(step), 0, None)
        a["l_knee"] = 0.1 + 0.3 * np.clip(np.sin(step + np.pi), 0, None)
        a["r_sh_a"] += 0.2 + 0.1 * np.sin(step)
        a["l_sh_a"] += 0.2 - 0.1 * np.sin(step)
        a["head_f"] = 0.15 * np.sin(0.5 * step)
    elif kind == "waving":
        side = "r" if rng.random() < 0.5 else "l"
        wave = np.sin(2 * np.pi * 2.0 * freq * t + phase)
        a[f"{side}_sh_a"] = 1.8 + 0.2 * wave
        a[f"{side}_sh_f"] = 0.4 + zero
        a[f"{side}_elbow"] = 1.0 + 0.4 * wave
        a["trunk_l"] = (0.05 if side == "l" else -0.05) + zero
        a["yaw"] = rng.uniform(-np.pi, np.pi) + zero
    elif kind == "bending":
        b = 0.5 - 0.5 * np.cos(2 * np.pi * 0.3 * freq * t + phase)
        a["trunk_f"] = b * rng.uniform(0.9, 1.4)
        a["r_hip_f"] = a["l_hip_f"] = -0.25 * b  # hips shift back while the trunk bends forward
        a["r_knee"] = a["l_knee"] = 0.1 + 0.3 * b
        a["r_sh_f"] = a["l_sh_f"] = b * 1.2
        a["r_elbow"] = a["l_elbow"] = 0.15 + 0.2 * b
        a["head_f"] = 0.3 * b
        a["yaw"] = rng.uniform(-np.pi, np.pi) + zero
    else:
        raise ValueError(f"`kind` must be one of {MOTION_TYPES}, got {kind!r}")
    # individuality: smooth low-frequency perturbations on every angle
    for name in ("r_hip_f", "l_hip_f", "r_knee", "l_knee", "r_sh_f", "l_sh_f", "r_sh_a", "l_sh_a"):
        a[name] = a[name] + _smooth_noise(rng, t, 0.08)
    for name in ("r_elbow", "l_elbow"):
        a[name] = a[name] + np.abs(_smooth_noise(rng, t, 0.15))
    a["trunk_f"] = a["trunk_f"] + _smooth_noise(rng, t, 0.04)
    a["trunk_l"] = a["trunk_l"] + _smooth_noise(rng, t, 0.03)
    a["head_f"] = a["head_f"] + _smooth_noise(rng, t, 0.1)
    a["r_knee"] = np.clip(a["r_knee"], 0.0, 2.4)  # knees and elbows bend one way only
    a["l_knee"] = np.clip(a["l_knee"], 0.0, 2.4)
    a["r_elbow"] = np.clip(a["r_elbow"], 0.0, 2.5)
    a["l_elbow"] = np.clip(a["l_elbow"], 0.0, 2.5)
    return a


def _forward_kinematics(a: dict[str, np.ndarray], bones: dict[str, float]) -> np.ndarray:
    """Angles -> ``(T, 17, 3)`` world joints (z up), ankles kept on the floor (lowest ankle at ANKLE_HEIGHT)."""
    T = a["yaw"].shape[0]
    j = np.zeros((T, NUM_JOINTS, 3))
    left = np.array([0.0, 1.0, 0.0])
    # legs
    for side, hip, knee, ankle, sgn in (("r", R_HIP, R_KNEE, R_ANKLE, -1.0), ("l", L_HIP, L_KNEE, L_ANKLE, 1.0)):
        j[:, hip] = sgn * bones["hip"] * left
        lateral = a[f"{side}_hip_a"] + sgn * 0.03
        j[:, knee] = j[:, hip] + bones["thigh"] * _direction(a[f"{side}_hip_f"], lateral)
        j[:, ankle] = j[:, knee] + bones["shin"] * _direction(a[f"{side}_hip_f"] - a[f"{side}_knee"], lateral)
    # trunk and head
    trunk = _direction(a["trunk_f"], a["trunk_l"], down=False)
    j[:, SPINE] = bones["spine"] * _direction(0.4 * a["trunk_f"], 0.4 * a["trunk_l"], down=False)
    j[:, THORAX] = j[:, SPINE] + bones["chest"] * trunk
    j[:, NECK] = j[:, THORAX] + bones["neck"] * _direction(
        a["trunk_f"] + 0.25 + 0.5 * a["head_f"], a["trunk_l"], False
    )
    j[:, HEAD] = j[:, NECK] + bones["head"] * _direction(a["trunk_f"] + a["head_f"] - 0.1, a["trunk_l"], False)
    # arms: clavicles lateral and perpendicular to the trunk; arm angles relative to the trunk lean
    for side, sh, el, wr, sgn in (("r", R_SHOULDER, R_ELBOW, R_WRIST, -1.0), ("l", L_SHOULDER, L_ELBOW, L_WRIST, 1.0)):
        lateral = np.cross(trunk, np.array([1.0, 0.0, 0.0]))  # +left for an upright trunk
        lateral /= np.linalg.norm(lateral, axis=-1, keepdims=True)
        j[:, sh] = j[:, THORAX] + bones["clavicle"] * (sgn * lateral - 0.15 * trunk)
        forward = a[f"{side}_sh_f"] + a["trunk_f"]
        abd = sgn * a[f"{side}_sh_a"]
        j[:, el] = j[:, sh] + bones["upper_arm"] * _direction(forward, abd)
        j[:, wr] = j[:, el] + bones["forearm"] * _direction(forward + a[f"{side}_elbow"], 0.7 * abd)
    # world placement: yaw about z, root trajectory, feet on the floor
    c, s = np.cos(a["yaw"]), np.sin(a["yaw"])
    rot = np.zeros((T, 3, 3))
    rot[:, 0, 0], rot[:, 0, 1], rot[:, 1, 0], rot[:, 1, 1], rot[:, 2, 2] = c, -s, s, c, 1.0
    world = np.einsum("tij,tkj->tki", rot, j)
    world[..., 0] += a["x"][:, None]
    world[..., 1] += a["y"][:, None]
    world[..., 2] += ANKLE_HEIGHT - np.minimum(world[:, R_ANKLE, 2], world[:, L_ANKLE, 2])[:, None]
    return world


def sample_bone_lengths(seed: Seed = None, scale_range: tuple[float, float] = (0.9, 1.1)) -> dict[str, float]:
    """Bone lengths of a random person: :data:`BONE_LENGTHS` x a global scale x ~3 % per bone (symmetric)."""
    rng = _rng(seed)
    scale = rng.uniform(*scale_range)
    return {name: float(v * scale * rng.uniform(0.97, 1.03)) for name, v in BONE_LENGTHS.items()}


def generate_motion(
    kind: str,
    num_frames: int,
    fps: float = 25.0,
    seed: Seed = None,
    bones: dict[str, float] | None = None,
) -> np.ndarray:
    """One procedural motion sequence.

    Args:
        kind: one of :data:`MOTION_TYPES`.
        num_frames: number of frames ``T`` (>= 1).
        fps: frame rate (Hz); the motion speed is in real time.
        seed: int / ``numpy.random.Generator`` / ``None``.
        bones: bone lengths in metres (keys of :data:`BONE_LENGTHS`); default a random person.

    Returns:
        ``(T, 17, 3)`` float32 world joints in metres, z up, ankles on the floor, H36M-17 order.
    """
    if kind not in MOTION_TYPES:
        raise ValueError(f"`kind` must be one of {MOTION_TYPES}, got {kind!r}")
    if num_frames < 1 or fps <= 0:
        raise ValueError(f"`num_frames` must be >= 1 and `fps` > 0, got num_frames={num_frames}, fps={fps}")
    rng = _rng(seed)
    bones = sample_bone_lengths(rng) if bones is None else {**BONE_LENGTHS, **bones}
    t = np.arange(num_frames) / fps
    world = _forward_kinematics(_angles(kind, t, rng), bones)
    world[..., :2] -= world[:, PELVIS, :2].mean(0)  # centre the trajectory at the world origin
    return world.astype(np.float32)


def generate_sequences(
    num_sequences: int,
    num_frames: int,
    fps: float = 25.0,
    seed: Seed = None,
    kinds: tuple[str, ...] = MOTION_TYPES,
) -> list[dict]:
    """``num_sequences`` motions cycling through ``kinds``; each ``{"kind", "joints_world" (T, 17, 3) m}``."""
    rng = _rng(seed)
    return [
        {"kind": kinds[i % len(kinds)], "joints_world": generate_motion(kinds[i % len(kinds)], num_frames, fps, rng)}
        for i in range(num_sequences)
    ]


# ----------------------------------------------------------------------------------------------- cameras


def look_at_camera(position: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Rotation ``R`` (3, 3) of a camera at ``position`` looking at ``target`` (world z up, no roll).

    Columns of ``R`` are the camera axes (x right, y down, z forward) in world coordinates, so that
    ``X_cam = (X_world - position) @ R``.
    """
    forward = np.asarray(target, np.float64) - np.asarray(position, np.float64)
    forward /= np.linalg.norm(forward)
    right = np.cross(forward, [0.0, 0.0, 1.0])
    right /= np.linalg.norm(right)
    down = np.cross(forward, right)
    return np.stack([right, down, forward], axis=1)


def random_camera(
    joints_world: np.ndarray,
    seed: Seed = None,
    distance: tuple[float, float] = (4.0, 6.0),
    height: tuple[float, float] = (0.8, 2.0),
    focal: tuple[float, float] = (900.0, 1200.0),
    image_size: tuple[int, int] = (1000, 1000),
    margin: float = 0.05,
) -> dict:
    """A static camera looking at a motion sequence (H36M-like by default: 5 m away, ~1.5 m high).

    The camera stands at a random azimuth, ``distance`` metres (horizontally) plus the radius of the pelvis
    trajectory from the sequence's mean pelvis position, ``height`` metres above the floor, aimed at the mean pelvis. The focal length is drawn
    from ``focal`` and lowered if needed so that every joint of every frame lies inside the image with a
    ``margin`` (fraction of the image size).

    Args:
        joints_world: ``(T, 17, 3)`` world metres (z up).
        image_size: ``(width, height)`` pixels.

    Returns:
        ``{"R" (3, 3), "T" (3,), "f" (2,), "c" (2,), "w", "h"}`` (MMPose ``cameras.pkl`` convention).
    """
    joints_world = np.asarray(joints_world, np.float64)
    if joints_world.ndim != 3 or joints_world.shape[1:] != (NUM_JOINTS, 3):
        raise ValueError(f"`joints_world` must have shape (frames, 17, 3), got {joints_world.shape}")
    rng = _rng(seed)
    target = joints_world[:, PELVIS].mean(0)
    azimuth = rng.uniform(-np.pi, np.pi)
    extent = float(np.linalg.norm(joints_world[:, PELVIS, :2] - target[:2], axis=-1).max())
    d = rng.uniform(*distance) + extent  # the nearest the person gets is still within `distance`
    centre = np.array([target[0] + d * np.cos(azimuth), target[1] + d * np.sin(azimuth), rng.uniform(*height)])
    R = look_at_camera(centre, target)
    cam = (joints_world - centre) @ R
    if (cam[..., 2] < 0.3).any():
        raise ValueError("random_camera: the motion passes behind the camera; increase `distance`")
    w, h = image_size
    ratio = np.abs(cam[..., :2] / cam[..., 2:3]).max(axis=(0, 1))  # max |x/z|, |y/z|
    f_max = float(min((0.5 - margin) * w / ratio[0], (0.5 - margin) * h / ratio[1]))
    f = min(rng.uniform(*focal), f_max)
    return {
        "R": R,
        "T": centre,
        "f": np.array([f, f]),
        "c": np.array([w / 2.0, h / 2.0]) + rng.normal(0, 2.0, 2),
        "w": int(w),
        "h": int(h),
    }


def project_sequence(joints_world: np.ndarray, camera: dict) -> tuple[np.ndarray, np.ndarray]:
    """World joints -> ``(joints_cam (T, 17, 3) m, keypoints_2d (T, 17, 2) px)`` float32 with ``camera``.

    Uses the camera's distortion ``k``/``p`` when present.
    """
    joints_cam = world_to_camera(np.asarray(joints_world, np.float64), camera["R"], camera["T"])
    kp = project(joints_cam, camera["f"], camera["c"], camera.get("k"), camera.get("p"))
    return joints_cam.astype(np.float32), kp.astype(np.float32)
