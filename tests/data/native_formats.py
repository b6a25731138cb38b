"""Native-format fixture writers for the dataset readers, written from test code (no real data needed).

Every writer produces files in the exact upstream format: MMPose ``cameras.pkl`` (pickle protocol 2), VideoPose3D
``data_3d``/``data_2d`` npz with pickled dicts, MMPose annotation npz, 3DHP ``annot.mat`` (MATLAB v5 via
scipy.io.savemat) and ``annot_data.mat`` (HDF5 via h5py), 3DPW sequence pickles (protocol 2), Fit3D JSON.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np

CAM_IDS = ("54138969", "55011271", "58860488", "60457274")


def look_at(position: np.ndarray, target: np.ndarray = np.array([0.0, 0.0, 1.0])) -> np.ndarray:
    """MMPose-convention R (columns = camera right, down, forward in world; world z up)."""
    fwd = target - position
    fwd /= np.linalg.norm(fwd)
    right = np.cross(fwd, [0.0, 0.0, 1.0])
    right /= np.linalg.norm(right)
    down = np.cross(fwd, right)
    return np.stack([right, down, fwd], 1)


def make_cameras(subjects=("S1", "S9", "S11"), distortion: bool = True) -> dict:
    cams = {}
    for s in subjects:
        for i, cid in enumerate(CAM_IDS):
            ang = np.pi / 4 + i * np.pi / 2
            pos = np.array([5 * np.cos(ang), 5 * np.sin(ang), 1.5])
            cams[(s, cid)] = {
                "R": look_at(pos), "T": pos.reshape(3, 1), "f": np.array([[1145.0], [1144.0]]),
                "c": np.array([[512.0], [515.0]]),
                "k": np.array([[-0.2], [0.24], [-0.003]]) * distortion, "p": np.array([[-0.0014], [-0.001]]) * distortion,
                "w": 1000, "h": 1002, "name": f"camera{i + 1}", "id": cid,
            }  # fmt: skip
    return cams


def make_motion(frames: int, joints: int = 32, seed: int = 0) -> np.ndarray:
    """(frames, joints, 3) world metres: a jittered body standing near the origin, walking slowly."""
    rng = np.random.default_rng(seed)
    base = rng.uniform([-0.25, -0.25, 0.0], [0.25, 0.25, 1.8], size=(joints, 3))
    if joints == 32:  # z up: the pelvis (0) at hip height, the head (15) above it (convert refuses other axes)
        base[0, 2], base[15, 2] = 0.9, 1.6
    t = np.arange(frames)[:, None, None]
    drift = np.concatenate([0.004 * t, 0.002 * t, 0 * t], -1)
    return (base[None] + drift + rng.normal(0, 0.005, (frames, joints, 3))).astype(np.float32)


def write_pickle(path: Path, obj) -> Path:
    with open(path, "wb") as fh:
        pickle.dump(obj, fh, protocol=2)
    return path


def write_3dhp_train(root: Path, subject="S1", seq="Seq1", frames=20, with_calibration=True, seed=0) -> Path:
    """``root/S*/Seq*/annot.mat`` (MATLAB v5 cells of 14 cameras) + ``camera.calibration``."""
    from scipy.io import savemat

    d = root / subject / seq
    d.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    a2, a3 = np.empty((14, 1), object), np.empty((14, 1), object)
    calib = ["Skeletool Camera Calibration File V1.0"]
    for cam in range(14):
        xyz = rng.uniform([-0.5, -0.9, 3.5], [0.5, 0.9, 4.5], size=(frames, 28, 3))
        f, c = np.array([1497.0 + cam, 1496.0]), np.array([1024.0, 1051.0 + cam])
        uv = f * xyz[..., :2] / xyz[..., 2:] + c
        a2[cam, 0] = uv.reshape(frames, 56)
        a3[cam, 0] = (xyz * 1000).reshape(frames, 84)
        K = np.eye(4)
        K[0, 0], K[1, 1], K[0, 2], K[1, 2] = f[0], f[1], c[0], c[1]
        calib += [f"name          {cam}", "  sensor      10 10", "  size        2048 2048", "  animated    0",
                  "  intrinsic   " + " ".join(f"{v:g}" for v in K.reshape(-1)), "  extrinsic   " + " ".join(["0"] * 16),
                  "  radial      0"]  # fmt: skip
    savemat(
        d / "annot.mat",
        {
            "annot2": a2,
            "annot3": a3,
            "univ_annot3": a3,
            "cameras": np.arange(14)[None],
            "frames": np.arange(frames)[:, None],
        },
    )
    if with_calibration:
        (d / "camera.calibration").write_text("\n".join(calib) + "\n")
    return d / "annot.mat"


def write_3dhp_test(root: Path, name="TS1", frames=15, transposed=False, seed=0) -> Path:
    """``root/TS*/annot_data.mat`` (MATLAB v7.3 = HDF5)."""
    import h5py

    d = root / name
    d.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    xyz = rng.uniform([-0.5, -0.9, 3.5], [0.5, 0.9, 4.5], size=(frames, 1, 17, 3))
    uv = np.array([1500.0, 1500.5]) * xyz[..., :2] / xyz[..., 2:] + np.array([1017.0, 1043.0])
    valid = np.ones((frames, 1))
    valid[3] = 0
    xyz[3] = np.nan  # invalid frames can hold garbage
    with h5py.File(d / "annot_data.mat", "w") as fh:
        for key, arr in (("annot2", uv), ("annot3", xyz * 1000), ("univ_annot3", xyz * 1000)):
            fh[key] = arr.transpose(3, 2, 1, 0) if transposed else arr
        fh["valid_frame"] = valid
        fh["activity_annotation"] = np.ones((frames, 1))
    return d / "annot_data.mat"


def write_3dpw(root: Path, split="test", name="downtown_walk_00", frames=20, actors=2, seed=0) -> Path:
    """``root/sequenceFiles/<split>/<name>.pkl`` (protocol 2, latin1-compatible)."""
    rng = np.random.default_rng(seed)
    d = root / "sequenceFiles" / split
    d.mkdir(parents=True, exist_ok=True)
    cam_poses = np.tile(np.eye(4), (frames, 1, 1))
    cam_poses[:, :3, 3] = [0.0, 0.0, 4.0]
    joints = [
        (rng.uniform([-0.4, -0.9, -0.3], [0.4, 0.9, 0.3], (frames, 24, 3)) + [a * 0.8, 0, 0]).reshape(frames, 72)
        for a in range(actors)
    ]
    valid = [np.ones(frames) for _ in range(actors)]
    valid[0][5] = 0
    data = {
        "sequence": name, "genders": ["m"] * actors, "betas": [np.zeros(10)] * actors,
        "poses": [np.zeros((frames, 72))] * actors, "trans": [np.zeros((frames, 3))] * actors,
        "jointPositions": joints, "cam_poses": cam_poses,
        "cam_intrinsics": np.array([[1961.0, 0, 540.0], [0, 1969.0, 960.0], [0, 0, 1]]),
        "poses2d": [rng.uniform(0, 1000, (frames, 3, 18)) for _ in range(actors)], "campose_valid": valid,
        "img_frame_ids": np.arange(frames),
    }  # fmt: skip
    return write_pickle(d / f"{name}.pkl", data)


def write_fit3d(root: Path, subjects=("s03", "s04", "s05", "s07"), actions=("squat", "deadlift"), frames=12) -> Path:
    rng = np.random.default_rng(0)
    for s in subjects:
        for a in actions:
            (root / "train" / s / "joints3d_25").mkdir(parents=True, exist_ok=True)
            j = rng.uniform([-0.3, -0.3, 0.0], [0.3, 0.3, 1.8], (frames, 25, 3))
            (root / "train" / s / "joints3d_25" / f"{a}.json").write_text(json.dumps({"joints3d_25": j.tolist()}))
            for i, cam in enumerate(("50591643", "58860488")):
                pos = np.array([4.0 * np.cos(i), 4.0 * np.sin(i), 1.2])
                R = look_at(pos).T  # Fit3D stores the transpose of MMPose's R
                params = {
                    "extrinsics": {"R": R.tolist(), "T": [pos.tolist()]},
                    "intrinsics_w_distortion": {"f": [[1000.0, 1001.0]], "c": [[450.0, 451.0]], "k": [[-0.1, 0.05, 0.0]], "p": [[0.001, -0.001]]},
                    "intrinsics_wo_distortion": {"f": [1000.0, 1001.0], "c": [450.0, 451.0]},
                }  # fmt: skip
                (root / "train" / s / "camera_parameters" / cam).mkdir(parents=True, exist_ok=True)
                (root / "train" / s / "camera_parameters" / cam / f"{a}.json").write_text(json.dumps(params))
    return root
