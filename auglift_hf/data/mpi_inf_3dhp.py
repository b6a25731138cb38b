"""MPI-INF-3DHP readers -> :class:`~auglift_hf.data.schema.SequenceRecord` (camera frame, H36M-17, metres).

Native inputs:

* training ``S{1..8}/Seq{1,2}/annot.mat`` (MATLAB v5, :func:`scipy.io.loadmat`): cells ``annot2`` (per camera
  ``(F, 28*2)`` px), ``annot3`` (per camera ``(F, 28*3)`` camera-frame mm), ``univ_annot3``, ``cameras``, ``frames``;
  intrinsics from the sequence's ``camera.calibration`` (Skeletool text format) or, when it is absent, a
  least-squares pinhole fit of ``annot2`` against ``annot3``. Cameras 0, 1, 2, 4, 5, 6, 7, 8 (chest-height
  views, as MMPose / VNect) by default. All frames valid; one row per video frame at the sequence's own rate,
  :data:`TRAIN_SEQUENCE_FPS` (S1/Seq2, S3/Seq1-2 and S5/Seq1-2 at **50 fps**, 47 % of the training frames; the
  others at 25 fps).
* test ``TS{1..6}/annot_data.mat`` (MATLAB v7.3 = HDF5, :mod:`h5py`): ``annot2 (N,1,17,2)``, ``annot3 (N,1,17,3)``
  mm, ``univ_annot3``, ``valid_frame (N,1)``, ``activity_annotation``; 17 joints in the 3DHP test order. Frames
  with ``valid_frame == 0`` are kept with ``valid=False``. TS1-4: 2048 x 2048 at 25 fps, TS5-6: 1920 x 1080 at 50 fps.
* MMPose's preprocessed npz (``imgname`` like ``S4_Seq2_Cam0_001033.jpg`` / ``TS1_002001.jpg``, ``part``, ``S``;
  joints in the 3DHP test order) with ``cameras_train.pkl`` / ``cameras_test.pkl`` (``S1_Seq1_Cam0`` / ``TS1``
  -> f, c, w, h; the training files store ``h = 204``, an upstream typo for 2048, corrected here).

Joint orders are mapped to H36M-17 **by name** (:data:`MPI3DHP28_NAMES`, :data:`MPI3DHP17_NAMES`): pelvis,
hips/knees/ankles, spine <- "spine (H36M)", thorax <- neck, neck/nose <- head, head <- head top, arms.
Split: S1-S8 train, TS1-TS6 test.
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..skeleton import H36M_JOINT_NAMES, NUM_JOINTS
from .h36m import group_rows
from .npz import load_mmpose_annotations
from .schema import SequenceRecord

DATASET = "mpi_inf_3dhp"
MPI3DHP28_NAMES: tuple[str, ...] = (
    "spine3", "spine4", "spine2", "spine", "pelvis", "neck", "head", "head_top", "l_clavicle", "l_shoulder",
    "l_elbow", "l_wrist", "l_hand", "r_clavicle", "r_shoulder", "r_elbow", "r_wrist", "r_hand", "l_hip", "l_knee",
    "l_ankle", "l_foot", "l_toe", "r_hip", "r_knee", "r_ankle", "r_foot", "r_toe",
)  # fmt: skip
MPI3DHP17_NAMES: tuple[str, ...] = (
    "head_top", "neck", "r_shoulder", "r_elbow", "r_wrist", "l_shoulder", "l_elbow", "l_wrist", "r_hip", "r_knee",
    "r_ankle", "l_hip", "l_knee", "l_ankle", "pelvis", "spine", "head",
)  # fmt: skip
#: H36M-17 joint name -> 3DHP joint name (the H36M "neck" is the nose/neck point, 3DHP's "neck" the thorax).
_H36M_FROM_3DHP = {"thorax": "neck", "neck": "head", "head": "head_top"}
MPI3DHP28_TO_H36M: tuple[int, ...] = tuple(MPI3DHP28_NAMES.index(_H36M_FROM_3DHP.get(n, n)) for n in H36M_JOINT_NAMES)
MPI3DHP17_TO_H36M: tuple[int, ...] = tuple(MPI3DHP17_NAMES.index(_H36M_FROM_3DHP.get(n, n)) for n in H36M_JOINT_NAMES)
#: Cameras used for training by MMPose / VNect (the chest-height ring).
DEFAULT_TRAIN_CAMERAS: tuple[int, ...] = (0, 1, 2, 4, 5, 6, 7, 8)
TEST_IMAGE_SIZE = {"TS1": (2048, 2048), "TS2": (2048, 2048), "TS3": (2048, 2048), "TS4": (2048, 2048),
                   "TS5": (1920, 1080), "TS6": (1920, 1080)}  # fmt: skip
TEST_FPS = {"TS1": 25.0, "TS2": 25.0, "TS3": 25.0, "TS4": 25.0, "TS5": 50.0, "TS6": 50.0}
#: Frame rate and frame count of every training sequence, from the official toolkit's
#: ``mpi_inf_3dhp/util/mpii_get_sequence_info.m`` (the download's ``util`` folder): ``fps = 25`` by default
#: (line 6), ``fps = 50`` for S1/Seq2 (line 18), for both sequences of S3 (line 36) and of S5 (line 61);
#: ``num_frames`` per sequence in the same ``switch`` (S1/Seq1 line 13, S1/Seq2 line 17, ...). The 50 fps
#: sequences hold twice the frames of the others (about the same duration): 131,592 frames per camera in all. A public port of the table: github.com/Arka-h/mpi-inf-3dhp ``util/mpii_get_sequence_info.py``
#: lines 12-21.
TRAIN_SEQUENCE_FPS: dict[tuple[str, str], float] = {
    ("S1", "Seq1"): 25.0, ("S1", "Seq2"): 50.0, ("S2", "Seq1"): 25.0, ("S2", "Seq2"): 25.0,
    ("S3", "Seq1"): 50.0, ("S3", "Seq2"): 50.0, ("S4", "Seq1"): 25.0, ("S4", "Seq2"): 25.0,
    ("S5", "Seq1"): 50.0, ("S5", "Seq2"): 50.0, ("S6", "Seq1"): 25.0, ("S6", "Seq2"): 25.0,
    ("S7", "Seq1"): 25.0, ("S7", "Seq2"): 25.0, ("S8", "Seq1"): 25.0, ("S8", "Seq2"): 25.0,
}  # fmt: skip
TRAIN_SEQUENCE_FRAMES: dict[tuple[str, str], int] = {
    ("S1", "Seq1"): 6416, ("S1", "Seq2"): 12430, ("S2", "Seq1"): 6502, ("S2", "Seq2"): 6081,
    ("S3", "Seq1"): 12488, ("S3", "Seq2"): 12283, ("S4", "Seq1"): 6171, ("S4", "Seq2"): 6675,
    ("S5", "Seq1"): 12820, ("S5", "Seq2"): 12312, ("S6", "Seq1"): 6188, ("S6", "Seq2"): 6145,
    ("S7", "Seq1"): 6239, ("S7", "Seq2"): 6320, ("S8", "Seq1"): 6468, ("S8", "Seq2"): 6054,
}  # fmt: skip


def sequence_fps(subject: str, sequence: str, where: str = "") -> float:
    """Native frame rate (Hz) of a 3DHP sequence: :data:`TEST_FPS` for ``TS*``, :data:`TRAIN_SEQUENCE_FPS` for
    training ``S*/Seq*``; ``ValueError`` naming the sequence when the official tables do not list it."""
    if subject in TEST_FPS:
        return TEST_FPS[subject]
    if (subject, sequence) in TRAIN_SEQUENCE_FPS:
        return TRAIN_SEQUENCE_FPS[(subject, sequence)]
    raise ValueError(
        f"{where or subject + '/' + sequence}: {subject}/{sequence} is not an MPI-INF-3DHP sequence of the official "
        "toolkit's table (S1-S8 / Seq1-2, TS1-TS6), so its frame rate is unknown (read it with "
        "read_3dhp_train_sequence(..., fps=<its rate>))"
    )


def mpi3dhp_to_h36m(joints: np.ndarray) -> np.ndarray:
    """``(..., 28, C)`` or ``(..., 17, C)`` (3DHP test order) -> ``(..., 17, C)`` H36M order."""
    if joints.shape[-2] == 28:
        return joints[..., list(MPI3DHP28_TO_H36M), :]
    if joints.shape[-2] == 17:
        return joints[..., list(MPI3DHP17_TO_H36M), :]
    raise ValueError(f"MPI-INF-3DHP joints must have shape (..., 28|17, C), got {joints.shape}")


def fit_pinhole(uv: np.ndarray, xyz: np.ndarray, where: str = "") -> tuple[np.ndarray, np.ndarray]:
    """Least-squares focal ``(2,)`` and centre ``(2,)`` such that ``uv ~ f * xyz[:2] / z + c`` (undistorted)."""
    uv = uv.reshape(-1, 2)
    xyz = xyz.reshape(-1, 3)
    ok = np.isfinite(uv).all(1) & np.isfinite(xyz).all(1) & (xyz[:, 2] > 1e-6)
    if ok.sum() < 2:
        raise ValueError(f"{where}: not enough valid 2D/3D pairs to estimate the camera intrinsics")
    f, c = np.empty(2), np.empty(2)
    for a in range(2):
        x = xyz[ok, a] / xyz[ok, 2]
        A = np.stack([x, np.ones_like(x)], 1)
        (f[a], c[a]), *_ = np.linalg.lstsq(A, uv[ok, a], rcond=None)
    return f, c


def read_calibration(path: str | os.PathLike) -> dict[int, dict[str, Any]]:
    """Skeletool ``camera.calibration`` -> ``{camera: {"f": (2,), "c": (2,), "size": (w, h)}}``."""
    cams: dict[int, dict[str, Any]] = {}
    current = None
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if not parts:
                continue
            if parts[0] == "name":
                current = int(parts[1])
                cams[current] = {}
            elif current is not None and parts[0] == "size":
                cams[current]["size"] = (int(float(parts[1])), int(float(parts[2])))
            elif current is not None and parts[0] == "intrinsic":
                k = np.asarray(parts[1:17], dtype=np.float64).reshape(4, 4)
                cams[current]["f"] = np.array([k[0, 0], k[1, 1]])
                cams[current]["c"] = np.array([k[0, 2], k[1, 2]])
    bad = [c for c, v in cams.items() if "f" not in v]
    if not cams or bad:
        raise ValueError(f"{path}: no intrinsics for camera(s) {bad or 'any'}")
    return cams


def _cell(mat: dict, key: str, where: str) -> list[np.ndarray]:
    if key not in mat:
        raise ValueError(f"{where}: missing key `{key}` (found {sorted(k for k in mat if not k.startswith('__'))})")
    value = mat[key]
    if isinstance(value, np.ndarray) and value.dtype == object:
        return [np.asarray(v, dtype=np.float64) for v in value.reshape(-1)]
    return [np.asarray(value, dtype=np.float64)]


def read_3dhp_train_sequence(
    annot_mat: str | os.PathLike,
    *,
    subject: str | None = None,
    sequence: str | None = None,
    cameras: Sequence[int] = DEFAULT_TRAIN_CAMERAS,
    calibration: str | os.PathLike | None = None,
    max_frames: int | None = None,
    stride: int = 1,
    fps: float | None = None,
) -> list[SequenceRecord]:
    """One training ``annot.mat`` -> a record per camera (``annot3`` camera-frame mm -> metres, 28 -> 17 joints).

    ``fps``: the annotation rate (default: the official table, :func:`sequence_fps`; a different value for an
    official sequence is refused).
    """
    from scipy.io import loadmat

    where = os.fspath(annot_mat)
    parent = os.path.dirname(os.path.abspath(where))
    subject = subject or os.path.basename(os.path.dirname(parent))
    sequence = sequence or os.path.basename(parent)
    try:
        mat = loadmat(where)
    except Exception as err:  # scipy raises many types on corrupt files
        raise ValueError(f"{where}: cannot read MATLAB file ({err.__class__.__name__}: {err})") from err
    annot2, annot3 = _cell(mat, "annot2", where), _cell(mat, "annot3", where)
    if len(annot2) != len(annot3):
        raise ValueError(f"{where}: `annot2` has {len(annot2)} cameras but `annot3` has {len(annot3)}")
    calib_path = calibration or os.path.join(parent, "camera.calibration")
    calib = read_calibration(calib_path) if os.path.isfile(calib_path) else {}
    if stride < 1:
        raise ValueError(f"`stride` must be >= 1, got {stride}")
    official = TRAIN_SEQUENCE_FPS.get((subject, sequence))
    if fps is None:
        fps = sequence_fps(subject, sequence, where)
    elif official is not None and fps != official:
        raise ValueError(
            f"{where}: fps {fps:g} contradicts the official rate of {subject}/{sequence}, {official:g} fps "
            "(mpii_get_sequence_info.m)"
        )
    records = []
    for cam in cameras:
        if cam >= len(annot3):
            raise ValueError(f"{where}: camera {cam} requested but the file has {len(annot3)} cameras")
        a2, a3 = annot2[cam], annot3[cam]
        n = a3.shape[0]
        if n == 0:
            raise ValueError(f"{where}: camera {cam} is an empty sequence")
        if a2.shape != (n, 56) or a3.shape != (n, 84):
            raise ValueError(
                f"{where}: camera {cam}: expected annot2 ({n}, 56) and annot3 ({n}, 84), got {a2.shape}, {a3.shape}"
            )
        frames = np.arange(0, n, stride)[:max_frames]
        k2 = mpi3dhp_to_h36m(a2[frames].reshape(-1, 28, 2))
        k3 = mpi3dhp_to_h36m(a3[frames].reshape(-1, 28, 3)) / 1000.0
        if cam in calib:
            f, c, size = calib[cam]["f"], calib[cam]["c"], calib[cam].get("size", (2048, 2048))
        else:
            f, c = fit_pinhole(k2, k3, f"{where} camera {cam}")
            size = (2048, 2048)
        records.append(
            SequenceRecord(
                dataset=DATASET, subject=subject, action=sequence, camera=str(cam), keypoints_2d=k2, keypoints_3d=k3,
                focal=f, center=c, image_size=size, fps=fps / stride, split="train", frame_index=frames,
                valid=k3[..., 2].min(-1) > 0, source=where,
            )
        )  # fmt: skip
    return records


def _h5_joints(f: Any, key: str, channels: int, where: str) -> np.ndarray:
    if key not in f:
        raise ValueError(f"{where}: missing key `{key}` (found {sorted(f.keys())})")
    a = np.asarray(f[key], dtype=np.float64)
    a = a.reshape([s for s in a.shape if s != 1]) if a.ndim > 3 else a
    if a.ndim == 3 and a.shape[1:] == (NUM_JOINTS, channels):
        return a
    if a.ndim == 3 and a.shape[:2] == (channels, NUM_JOINTS):  # MATLAB column-major order seen untransposed
        return a.transpose(2, 1, 0)
    raise ValueError(f"{where}: `{key}` must have shape (frames, 1, 17, {channels}), got {np.asarray(f[key]).shape}")


def read_3dhp_test_sequence(
    annot_data_mat: str | os.PathLike,
    *,
    name: str | None = None,
    camera: dict | None = None,
    max_frames: int | None = None,
    stride: int = 1,
) -> SequenceRecord:
    """A test ``annot_data.mat`` (HDF5) -> one record; ``valid_frame == 0`` frames kept with ``valid=False``."""
    import h5py

    where = os.fspath(annot_data_mat)
    name = name or os.path.basename(os.path.dirname(os.path.abspath(where)))
    try:
        fh = h5py.File(where, "r")
    except OSError as err:
        raise ValueError(f"{where}: cannot read MATLAB v7.3/HDF5 file ({err})") from err
    with fh:
        a2 = _h5_joints(fh, "annot2", 2, where)
        a3 = _h5_joints(fh, "annot3", 3, where)
        if "valid_frame" not in fh:
            raise ValueError(f"{where}: missing key `valid_frame`")
        valid = np.asarray(fh["valid_frame"]).reshape(-1) > 0
    n = a3.shape[0]
    if n == 0:
        raise ValueError(f"{where}: empty sequence (0 frames)")
    if a2.shape[0] != n or valid.shape != (n,):
        raise ValueError(f"{where}: annot2 / annot3 / valid_frame lengths differ: {a2.shape[0]}, {n}, {valid.shape}")
    if stride < 1:
        raise ValueError(f"`stride` must be >= 1, got {stride}")
    frames = np.arange(0, n, stride)[:max_frames]
    k2, k3, valid = mpi3dhp_to_h36m(a2[frames]), mpi3dhp_to_h36m(a3[frames]) / 1000.0, valid[frames]
    valid = valid & np.isfinite(k3).all((1, 2)) & np.isfinite(k2).all((1, 2))
    valid &= np.nan_to_num(k3[..., 2], nan=-1.0).min(-1) > 0
    if camera is not None:
        f, c = camera["f"], camera["c"]
        size = (int(camera.get("w", 2048)), int(camera.get("h", 2048)))
    else:
        if not valid.any():
            raise ValueError(f"{where}: no valid frame to estimate the camera intrinsics from")
        f, c = fit_pinhole(k2[valid], k3[valid], where)
        size = TEST_IMAGE_SIZE.get(name, (2048, 2048))
    return SequenceRecord(
        dataset=DATASET, subject=name, action=name, camera="0", keypoints_2d=k2, keypoints_3d=k3, focal=f, center=c,
        image_size=size, fps=TEST_FPS.get(name, 25.0) / stride, split="test", frame_index=frames, valid=valid,
        source=where,
    )  # fmt: skip


_MMPOSE_NAME = re.compile(r"^(?:(?P<subject>S\d+)_(?P<seq>Seq\d+)_Cam(?P<cam>\d+)|(?P<ts>TS\d+))_(?P<frame>\d+)\.\w+$")


def _load_3dhp_cameras(path: str | os.PathLike | None) -> dict:
    if path is None:
        return {}
    from .npz import load_pickle

    raw = load_pickle(path)
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: expected a dict of cameras, got {type(raw).__name__}")
    return raw


def read_3dhp_mmpose(
    annotations: str | os.PathLike,
    cameras: str | os.PathLike | dict | Sequence[str | os.PathLike] | None = None,
    *,
    max_frames: int | None = None,
    stride: int = 1,
) -> list[SequenceRecord]:
    """MMPose's preprocessed 3DHP npz (+ ``cameras_train.pkl`` / ``cameras_test.pkl``) -> records per sequence."""
    where = os.fspath(annotations)
    names, part, S = load_mmpose_annotations(annotations)
    cams: dict = {}
    if isinstance(cameras, dict):
        cams = cameras
    elif cameras is not None:
        for p in [cameras] if isinstance(cameras, (str, os.PathLike)) else cameras:
            cams.update(_load_3dhp_cameras(p))
    parsed = []
    for x in names:
        m = _MMPOSE_NAME.match(os.path.basename(str(x)))
        if m is None:
            raise ValueError(
                f"{where}: cannot parse image name {x!r} (expected S<k>_Seq<k>_Cam<k>_<frame>.jpg or TS<k>_<frame>.jpg)"
            )
        key = m["ts"] or f"{m['subject']}_{m['seq']}_Cam{m['cam']}"
        seq = (m["ts"], m["ts"], "0") if m["ts"] else (m["subject"], m["seq"], m["cam"])
        parsed.append((seq, key, int(m["frame"]) - 1))
    frames_all = np.array([p[2] for p in parsed])
    records = []
    for rows in group_rows([p[0] for p in parsed], frames_all):
        (subject, seq, cam), key = parsed[rows[0]][:2]
        rows = rows[np.arange(0, len(rows), stride)[:max_frames]]
        k2, k3 = mpi3dhp_to_h36m(part[rows, :, :2]), mpi3dhp_to_h36m(S[rows, :, :3])
        test = subject.startswith("TS")
        cam_info = cams.get(key)
        if cam_info is not None:
            f = np.asarray(cam_info["f"], np.float64).reshape(2)
            c = np.asarray(cam_info["c"], np.float64).reshape(2)
            w = int(cam_info.get("w", 2048))
            h = int(cam_info.get("h", w))
            h = w if (not test and h == 204) else h  # cameras_train.pkl stores h=204 for 2048 (upstream typo)
        else:
            valid = S[rows, :, 3].max(-1) > 0
            f, c = fit_pinhole(k2[valid], k3[valid], f"{where} {key}")
            w, h = TEST_IMAGE_SIZE.get(subject, (2048, 2048))
        records.append(
            SequenceRecord(
                dataset=DATASET, subject=subject, action=seq, camera=cam, keypoints_2d=k2,
                keypoint_scores=mpi3dhp_to_h36m(part[rows, :, 2:3])[..., 0], keypoints_3d=k3,
                valid=S[rows, :, 3].max(-1) > 0, frame_index=frames_all[rows], focal=f, center=c, image_size=(w, h),
                fps=sequence_fps(subject, seq, where), split="test" if test else "train", source=where,
            )
        )  # fmt: skip
    return records


def read_3dhp_root(
    root: str | os.PathLike,
    *,
    subjects: Sequence[str] | None = None,
    cameras: Sequence[int] = DEFAULT_TRAIN_CAMERAS,
    max_frames: int | None = None,
    stride: int = 1,
) -> list[SequenceRecord]:
    """A dataset root with ``S*/Seq*/annot.mat`` and/or ``[mpi_inf_3dhp_test_set/]TS*/annot_data.mat``."""
    root = os.fspath(root)
    train = sorted(glob.glob(os.path.join(root, "S*", "Seq*", "annot.mat")))
    test = sorted(glob.glob(os.path.join(root, "TS*", "annot_data.mat")))
    test += sorted(glob.glob(os.path.join(root, "mpi_inf_3dhp_test_set", "TS*", "annot_data.mat")))
    found = sorted({p.split(os.sep)[-3] for p in train} | {p.split(os.sep)[-2] for p in test})
    if subjects is not None:
        unknown = [s for s in subjects if s not in found]
        if unknown:
            raise ValueError(f"{root}: unknown subject(s) {unknown}; found {found}")
        train = [p for p in train if p.split(os.sep)[-3] in subjects]
        test = [p for p in test if p.split(os.sep)[-2] in subjects]
    if not train and not test:
        npz = sorted(glob.glob(os.path.join(root, "*.npz"))) if os.path.isdir(root) else []
        hint = f" (found {', '.join(os.path.basename(p) for p in npz[:3])}: pass the .npz file itself)" if npz else ""
        raise FileNotFoundError(
            f"{root}: no S*/Seq*/annot.mat or TS*/annot_data.mat found; `convert 3dhp` takes the dataset root with "
            f"those files, or MMPose's preprocessed annotation .npz with --cameras{hint}"
        )
    records = []
    for p in train:
        records += read_3dhp_train_sequence(p, cameras=cameras, max_frames=max_frames, stride=stride)
    for p in test:
        records.append(read_3dhp_test_sequence(p, max_frames=max_frames, stride=stride))
    return records


def convert_3dhp(
    source: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    cameras: Any = None,
    subjects: Sequence[str] | None = None,
    max_frames: int | None = None,
    stride: int = 1,
    depth_source: Any = None,
    overwrite: bool = False,
    progress: bool = True,
    workers: int = 1,
    depth_cache: str | os.PathLike | None = None,
) -> dict[str, dict[str, int]]:
    """``source`` = dataset root (annot.mat / annot_data.mat) or MMPose npz (with ``cameras`` pkl paths).

    ``workers`` / ``depth_cache``: ``depth_source`` simulated in that many processes (byte-identical to one) / kept
    in that folder as it is computed, so an interrupted write resumes
    (:func:`~auglift_hf.data.schema.write_frame_table`).
    """
    from .schema import write_frame_table

    if os.path.isfile(source) and os.fspath(source).endswith(".npz"):
        records = read_3dhp_mmpose(source, cameras, max_frames=max_frames, stride=stride)
        if subjects is not None:
            records = [r for r in records if r.subject in subjects]
        how = f"MMPose preprocessed annotations `{os.path.basename(os.fspath(source))}`."
    else:
        train_cams = DEFAULT_TRAIN_CAMERAS if cameras is None or isinstance(cameras, (str, os.PathLike)) else cameras
        try:  # from the command line the camera indices arrive as strings ("--cameras 0 2 4")
            train_cams = [int(c) for c in train_cams]
        except (TypeError, ValueError):
            raise ValueError(
                f"{source}: for a 3DHP dataset root, `cameras` are training camera indices 0-13, got {list(train_cams)}"
            ) from None
        records = read_3dhp_root(source, subjects=subjects, cameras=train_cams, max_frames=max_frames, stride=stride)
        how = "Native annot.mat (training, MATLAB v5) and annot_data.mat (test, MATLAB v7.3) files."
    info = {"how_built": how, "split": "S1-S8 train; TS1-TS6 test", "joint_mapping": "3DHP -> H36M-17 by joint name"}
    return write_frame_table(
        records, out_dir, dataset_name=DATASET, depth_source=depth_source, card=info, overwrite=overwrite,
        progress=progress, workers=workers, depth_cache=depth_cache,
    )  # fmt: skip
