"""3DPW reader -> :class:`~auglift_hf.data.schema.SequenceRecord` (camera frame, H36M-17, metres).

Native input: ``sequenceFiles/{train,validation,test}/<sequence>.pkl`` (Python-2 pickles, read with a restricted
unpickler and ``encoding="latin1"`` so a malicious file cannot execute code) with ``sequence``, ``genders``,
``betas``, ``poses``, ``trans``, ``jointPositions`` (per actor ``(T, 72)`` = 24 SMPL joints, world metres),
``cam_poses`` (``(T, 4, 4)`` world -> camera), ``cam_intrinsics`` (3, 3), ``poses2d`` (per actor ``(T, 3, 18)``
OpenPose-18 x, y, confidence), ``campose_valid`` (per actor ``(T,)``) and ``img_frame_ids``.

One record per actor (``person`` = actor index). ``X_cam = R @ X_world + t`` with ``[R | t] = cam_poses[:3]``;
2D ground truth is the pinhole projection (3DPW images are undistorted). Frames with ``campose_valid == 0``
are kept with ``valid=False``. ``poses2d`` become the ``detected2d`` config (OpenPose-18 -> COCO-17 ->
H36M-17). Image size is not stored in the files: it is taken as ``2 * principal point`` rounded to the
nearest of 1080 x 1920 / 1920 x 1080 (3DPW's two phone orientations). 30 fps.

SMPL-24 -> H36M-17 (:data:`SMPL_TO_H36M`): pelvis <- pelvis(0); r_hip/r_knee/r_ankle <- 2/5/8;
l_hip/l_knee/l_ankle <- 1/4/7; spine <- spine2(6); thorax <- neck(12); neck/nose <- head(15);
head <- head(15) + (head(15) - neck(12)) * 0.5 (SMPL has no head-top joint: extrapolated along the neck);
l_shoulder/l_elbow/l_wrist <- 16/18/20; r_shoulder/r_elbow/r_wrist <- 17/19/21.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..camera import project
from ..skeleton import coco_to_h36m
from .npz import load_pickle
from .schema import SequenceRecord

DATASET = "3dpw"
SMPL_JOINT_NAMES: tuple[str, ...] = (
    "pelvis", "l_hip", "r_hip", "spine1", "l_knee", "r_knee", "spine2", "l_ankle", "r_ankle", "spine3", "l_foot",
    "r_foot", "neck", "l_collar", "r_collar", "head", "l_shoulder", "r_shoulder", "l_elbow", "r_elbow", "l_wrist",
    "r_wrist", "l_hand", "r_hand",
)  # fmt: skip
#: H36M-17 from SMPL-24; index 10 (head top) is extrapolated, see the module docstring.
SMPL_TO_H36M: tuple[int, ...] = (0, 2, 5, 8, 1, 4, 7, 6, 12, 15, 15, 16, 18, 20, 17, 19, 21)
#: COCO-17 from OpenPose-18 (nose, neck, r_sho, r_elb, r_wri, l_sho, l_elb, l_wri, r_hip, r_knee, r_ank, l_hip,
#: l_knee, l_ank, r_eye, l_eye, r_ear, l_ear).
OPENPOSE18_TO_COCO: tuple[int, ...] = (0, 15, 14, 17, 16, 5, 2, 6, 3, 7, 4, 11, 8, 12, 9, 13, 10)
REQUIRED_KEYS: tuple[str, ...] = ("sequence", "jointPositions", "cam_poses", "cam_intrinsics", "campose_valid")
SPLITS = {"train": "train", "validation": "validation", "test": "test"}


def smpl_to_h36m(joints: np.ndarray) -> np.ndarray:
    """``(..., 24, 3)`` SMPL joints -> ``(..., 17, 3)`` H36M-17 (head top extrapolated from neck -> head)."""
    if joints.shape[-2:] != (24, 3):
        raise ValueError(f"SMPL joints must have shape (..., 24, 3), got {joints.shape}")
    out = joints[..., list(SMPL_TO_H36M), :].copy()
    out[..., 10, :] = joints[..., 15, :] + 0.5 * (joints[..., 15, :] - joints[..., 12, :])
    return out


def _image_size(center: np.ndarray) -> tuple[int, int]:
    return (1080, 1920) if center[0] < center[1] else (1920, 1080)


def read_3dpw_sequence(
    path: str | os.PathLike, *, split: str | None = None, max_frames: int | None = None, stride: int = 1
) -> list[SequenceRecord]:
    """One 3DPW sequence pickle -> a record per actor."""
    where = os.fspath(path)
    split = split or SPLITS.get(os.path.basename(os.path.dirname(os.path.abspath(where))), "test")
    data = load_pickle(where)
    if not isinstance(data, dict):
        raise ValueError(f"{where}: expected a dict, got {type(data).__name__}")
    missing = [k for k in REQUIRED_KEYS if k not in data]
    if missing:
        raise ValueError(f"{where}: missing keys {missing} (found {sorted(data)})")
    name = str(data["sequence"])
    cam_poses = np.asarray(data["cam_poses"], np.float64)
    K = np.asarray(data["cam_intrinsics"], np.float64)
    if K.shape != (3, 3):
        raise ValueError(f"{where}: `cam_intrinsics` must have shape (3, 3), got {K.shape}")
    n = cam_poses.shape[0] if cam_poses.ndim == 3 else -1
    if cam_poses.shape != (n, 4, 4) or n == 0:
        raise ValueError(f"{where}: `cam_poses` must have shape (frames > 0, 4, 4), got {cam_poses.shape}")
    joints_all, valid_all = data["jointPositions"], data["campose_valid"]
    poses2d_all = data.get("poses2d")
    if len(joints_all) == 0 or len(valid_all) != len(joints_all):
        raise ValueError(
            f"{where}: `jointPositions` ({len(joints_all)}) and `campose_valid` ({len(valid_all)}) need one entry per actor"
        )
    if stride < 1:
        raise ValueError(f"`stride` must be >= 1, got {stride}")
    frames = np.arange(0, n, stride)[:max_frames]
    f = np.array([K[0, 0], K[1, 1]])
    c = np.array([K[0, 2], K[1, 2]])
    R, t = cam_poses[frames, :3, :3], cam_poses[frames, :3, 3]
    records = []
    for actor, joints in enumerate(joints_all):
        joints = np.asarray(joints, np.float64)
        if joints.shape != (n, 72):
            raise ValueError(f"{where}: `jointPositions[{actor}]` must have shape ({n}, 72), got {joints.shape}")
        valid = np.asarray(valid_all[actor]).reshape(-1)
        if valid.shape != (n,):
            raise ValueError(f"{where}: `campose_valid[{actor}]` must have shape ({n},), got {valid.shape}")
        world = smpl_to_h36m(joints[frames].reshape(-1, 24, 3))
        cam = np.einsum("tij,tkj->tki", R, world) + t[:, None, :]
        ok = valid[frames].astype(bool)
        if not np.isfinite(cam[ok]).all():
            raise ValueError(f"{where}: NaN/inf joints of actor {actor} in frames with a valid camera pose")
        projectable = np.isfinite(cam).all((1, 2)) & (np.nan_to_num(cam[..., 2], nan=-1.0).min(-1) > 0)
        ok &= projectable
        uv = project(np.where(projectable[:, None, None], cam, 1.0), f, c)
        det2d = det_sc = None
        if poses2d_all is not None and actor < len(poses2d_all):
            p2 = np.asarray(poses2d_all[actor], np.float64)
            if p2.shape != (n, 3, 18):
                raise ValueError(f"{where}: `poses2d[{actor}]` must have shape ({n}, 3, 18), got {p2.shape}")
            coco = p2[frames].transpose(0, 2, 1)[:, list(OPENPOSE18_TO_COCO)]
            h36 = coco_to_h36m(coco, confidence_channel=2)
            det2d, det_sc = h36[..., :2], np.clip(h36[..., 2], 0.0, 1.0)
        records.append(
            SequenceRecord(
                dataset=DATASET, subject=name, action=name, camera="0", person=actor, keypoints_2d=uv,
                keypoints_3d=cam, focal=f, center=c, image_size=_image_size(c), fps=30.0 / stride, split=split,
                frame_index=frames, valid=ok, detected_2d=det2d, detected_scores=det_sc, source=where,
            )
        )  # fmt: skip
    return records


def read_3dpw_root(
    root: str | os.PathLike,
    *,
    splits: Sequence[str] = ("train", "validation", "test"),
    sequences: Sequence[str] | None = None,
    max_frames: int | None = None,
    stride: int = 1,
) -> list[SequenceRecord]:
    """``root`` (containing ``sequenceFiles/`` or the split folders themselves) or a single ``.pkl`` file."""
    root = os.fspath(root)
    if os.path.isfile(root):
        return read_3dpw_sequence(root, max_frames=max_frames, stride=stride)
    base = os.path.join(root, "sequenceFiles") if os.path.isdir(os.path.join(root, "sequenceFiles")) else root
    files = [p for s in splits for p in sorted(glob.glob(os.path.join(base, s, "*.pkl")))]
    if sequences is not None:
        names = {os.path.splitext(os.path.basename(p))[0] for p in files}
        unknown = [s for s in sequences if s not in names]
        if unknown:
            raise ValueError(f"{root}: unknown sequence(s) {unknown}")
        files = [p for p in files if os.path.splitext(os.path.basename(p))[0] in sequences]
    if not files:
        raise FileNotFoundError(f"{root}: no sequenceFiles/{{train,validation,test}}/*.pkl found")
    return [r for p in files for r in read_3dpw_sequence(p, max_frames=max_frames, stride=stride)]


def convert_3dpw(
    source: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    sequences: Sequence[str] | None = None,
    max_frames: int | None = None,
    stride: int = 1,
    depth_source: Any = None,
    overwrite: bool = False,
    progress: bool = True,
    workers: int = 1,
    depth_cache: str | os.PathLike | None = None,
) -> dict[str, dict[str, int]]:
    """Read 3DPW sequence files under ``source`` and write the Parquet frame table to ``out_dir``.

    ``workers`` / ``depth_cache``: ``depth_source`` simulated in that many processes (byte-identical to one) / kept
    in that folder as it is computed, so an interrupted write resumes
    (:func:`~auglift_hf.data.schema.write_frame_table`).
    """
    from .schema import write_frame_table

    records = read_3dpw_root(source, sequences=sequences, max_frames=max_frames, stride=stride)
    info = {
        "how_built": "3DPW sequence pickles (restricted unpickler); SMPL joints -> camera frame via cam_poses.",
        "split": "the official train / validation / test folders",
        "joint_mapping": "SMPL-24 -> H36M-17, head top extrapolated (see auglift_hf.data.pw3d)",
        "detected2d": "OpenPose-18 `poses2d` shipped with 3DPW",
    }
    return write_frame_table(
        records, out_dir, dataset_name=DATASET, depth_source=depth_source, card=info, overwrite=overwrite,
        progress=progress, workers=workers, depth_cache=depth_cache,
    )  # fmt: skip
