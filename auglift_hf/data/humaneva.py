"""HumanEva-I in VideoPose3D's format -> :class:`~auglift_hf.data.schema.SequenceRecord` (camera frame, H36M-17).

**Evaluation only** (a real other capture: three other people, real cameras, 60 Hz); never train or tune on it.

Native input (``data/prepare_data_humaneva.py`` of facebookresearch/VideoPose3D@1afb1ca):

* ``data_3d_humaneva15.npz``: ``positions_3d`` (pickled dict, read with the package's restricted unpickler) ->
  ``{"Validate/S1": {"Walking 1 chunk0": (T, 15, 3) float32}}``, world metres, z up; sequences cut into chunks at
  damaged mocap frames (``prepare_data_humaneva.py:157-170``).
* ``data_2d_humaneva15_gt.npz``: ``positions_2d`` -> ``{subject: {chunk: [C1, C2, C3] (T, 15, 2) px}}`` (640 x 480),
  the ground-truth projections made with HumanEva-I's own calibration (``data/ConvertHumanEva.m:137-143``), and
  ``metadata`` (``layout_name: humaneva15``, left/right symmetry).

Joints (``ConvertHumanEva.m:12-31``): 0 pelvis, 1 thorax, 2-4 left shoulder / elbow / wrist, 5-7 right, 8-10 left
hip / knee / ankle, 11-13 right, 14 head (the head segment's *distal* end). **H36M-17 inputs** (:func:`to_h36m`):
the 14 joints both skeletons have map by name; the three H36M joints HumanEva lacks are synthesised by a
documented rule measured on real H36M motion (``../shared/data/h36m/data_3d_h36m_fk25.npz``, S9 "Walking 1"):
spine = pelvis + 0.476 (thorax - pelvis) (H36M's spine lies at 0.476 of pelvis -> thorax, 21 mm off that line),
neck/nose = thorax + 0.515 (head - thorax) (H36M's nose at 0.515 of thorax -> head top, 44 mm off the line), head
top = HumanEva's head. **Scoring** uses only :data:`SHARED_JOINTS` (the 14 joints with a counterpart): the
synthesised spine and nose carry no information, and HumanEva's head is defined differently (its distal end is
0.314 m from the thorax vs 0.219 m for H36M's head top, measured on the same files), so it is left out too.

**Cameras**: extrinsics are VideoPose3D's (``common/humaneva_dataset.py:39-81``: quaternion (w, x, y, z) and camera
centre in world mm per subject; ``X_cam = R(q)^T (X - t)`` as its ``common/camera.py:28-30``). Intrinsics are not in
VideoPose3D's files (``humaneva_dataset.py:18-37`` lists only the 640 x 480 resolution), and HumanEva-I's ``.cal``
files are not distributed with the npz: :data:`INTRINSICS` were fitted once (``scipy.optimize.least_squares``, focal,
principal point, radial k1 k2, tangential p1 p2 in :func:`auglift_hf.camera.project`'s model) to the shipped 2D
of every chunk of each subject and camera (Train and Validate, 42,795-54,135 joints each) given the 3D and the
extrinsics: mean residual 0.01-0.07 px, max 0.43 px. The reader checks every sequence: the shipped 2D must be
reproduced within :data:`MAX_REPROJECTION_PX` (mean) or it refuses the file.

Protocol (VideoPose3D / Martinez et al.): ``Validate/S1``-``S3``, actions Walking, Jog, Box, per subject; the
table's split is ``test``. The ``gt2d`` config holds the shipped 2D for the 14 real joints (synthesised joints
projected); ``--simulate-detector`` adds detector-definition 2D simulated from the H36M-17 3D
(:func:`auglift_hf.data.h36m.simulate_detector_2d`) and ``--depth-source synthetic`` simulated depth, both
labelled as simulated in the card.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..camera import project, world_to_camera
from ..simulation.detector2d import DEFAULT_DETECTOR_PRESET
from ..skeleton import NUM_JOINTS
from .npz import load_npz
from .schema import SequenceRecord

DATASET = "humaneva"
FPS = 60.0
IMAGE_SIZE = (640, 480)
CAMERAS: tuple[str, ...] = ("C1", "C2", "C3")
FILE_3D = "data_3d_humaneva15.npz"
FILE_2D = "data_2d_humaneva15_gt.npz"
#: The usual protocol's test subjects and actions.
PROTOCOL_SUBJECTS: tuple[str, ...] = ("Validate/S1", "Validate/S2", "Validate/S3")
PROTOCOL_ACTIONS: tuple[str, ...] = ("Walking", "Jog", "Box")
#: H36M-17 index -> HumanEva-15 index for the joints both skeletons have.
H36M_FROM_HUMANEVA: dict[int, int] = {
    0: 0, 1: 11, 2: 12, 3: 13, 4: 8, 5: 9, 6: 10, 8: 1, 10: 14, 11: 2, 12: 3, 13: 4, 14: 5, 15: 6, 16: 7,
}  # fmt: skip
#: H36M-17 joints scored on HumanEva-I: pelvis, hips, knees, ankles, thorax, shoulders, elbows, wrists.
SHARED_JOINTS: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6, 8, 11, 12, 13, 14, 15, 16)
#: Positions of the synthesised joints along their segment (measured on H36M S9 "Walking 1", module docstring).
SPINE_ALONG_PELVIS_THORAX = 0.476
NOSE_ALONG_THORAX_HEAD = 0.515
#: Mean reprojection error (px) above which a sequence's cameras are refused.
MAX_REPROJECTION_PX = 2.0

#: VideoPose3D common/humaneva_dataset.py:39-81 (facebookresearch/VideoPose3D@1afb1ca): per subject, cameras C1-C3,
#: (orientation quaternion w, x, y, z; camera centre in world millimetres). S3 repeats S1's values (lines 68-81).
EXTRINSICS: dict[str, tuple[tuple[tuple[float, ...], tuple[float, ...]], ...]] = {
    "S1": (
        ((0.424207, -0.4983646, -0.5802981, 0.4847012), (4062.227, 663.2477, 1528.397)),  # lines 42-43
        ((0.6503354, -0.7481602, -0.0919284, 0.0941766), (844.8131, -3805.2092, 1504.9929)),  # lines 46-47
        ((0.0664734, -0.0690535, 0.7416416, -0.6639132), (-797.67377, 3916.3174, 1433.6602)),  # lines 50-51
    ),
    "S2": (
        ((0.4214752, -0.4961493, -0.5838273, 0.4851187), (4112.9121, 626.4929, 1545.2988)),  # lines 56-57
        ((0.6501393, -0.7476588, -0.0954617, 0.0959808), (923.5740, -3877.9243, 1504.5518)),  # lines 60-61
        ((0.0699353, -0.0712403, 0.7421637, -0.662742), (-781.4915, 3838.8853, 1444.9929)),  # lines 64-65
    ),
    "S3": (
        ((0.424207, -0.4983646, -0.5802981, 0.4847012), (4062.2271, 663.2477, 1528.3970)),  # lines 70-71
        ((0.6503354, -0.7481602, -0.0919284, 0.0941766), (844.8131, -3805.2092, 1504.9929)),  # lines 74-75
        ((0.0664734, -0.0690535, 0.7416416, -0.6639132), (-797.6738, 3916.3174, 1433.6602)),  # lines 78-79
    ),
}
#: Fitted to the shipped ``data_2d_humaneva15_gt.npz`` (module docstring): per subject and camera
#: ``(f (2,), c (2,), k (k1, k2, k3), p (p1, p2))`` in pixels / :func:`auglift_hf.camera.project`'s model.
INTRINSICS: dict[str, tuple[tuple[tuple[float, ...], ...], ...]] = {
    "S1": (
        ((765.818, 765.343), (299.769, 232.351), (-0.28985, 0.10204, 0.0), (-0.001879, 0.001661)),
        ((688.414, 686.695), (273.113, 221.975), (-0.32213, 0.08668, 0.0), (0.000361, -0.010296)),
        ((724.339, 723.587), (302.650, 204.922), (-0.33194, 1.28013, 0.0), (-0.008687, -0.007941)),
    ),
    "S2": (
        ((765.792, 765.310), (299.770, 232.352), (-0.28857, 0.09055, 0.0), (-0.001979, 0.001609)),
        ((688.508, 686.825), (273.112, 221.972), (-0.32793, 0.10944, 0.0), (0.000552, -0.010038)),
        ((724.255, 723.612), (302.652, 204.938), (-0.32815, 1.26271, 0.0), (-0.009513, -0.008042)),
    ),
    "S3": (
        ((765.826, 765.356), (299.768, 232.353), (-0.28967, 0.10125, 0.0), (-0.001876, 0.001643)),
        ((688.503, 686.692), (273.120, 221.976), (-0.32435, 0.09879, 0.0), (0.000356, -0.010369)),
        ((724.370, 723.664), (302.658, 204.931), (-0.32921, 1.26225, 0.0), (-0.008764, -0.008127)),
    ),
}


def quaternion_matrix(q: Sequence[float]) -> np.ndarray:
    """Rotation matrix ``(3, 3)`` of a quaternion ``(w, x, y, z)`` (normalised first), ``R v = q v q^-1``."""
    w, x, y, z = np.asarray(q, np.float64) / np.linalg.norm(q)
    return np.array([
        [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
        [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
        [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
    ])  # fmt: skip


def humaneva_camera(subject: str, camera: str) -> dict[str, Any]:
    """Camera of ``subject`` ("S1" or "Validate/S1") and ``camera`` ("C1"-"C3") in the MMPose convention
    ``X_cam = (X_world - T) @ R`` used by :func:`auglift_hf.camera.world_to_camera`: R, T (m), f, c, k, p, w, h."""
    key = subject.split("/")[-1]
    if key not in EXTRINSICS or camera not in CAMERAS:
        raise ValueError(f"no HumanEva-I camera {camera!r} for subject {subject!r} (subjects S1-S3, cameras C1-C3)")
    i = CAMERAS.index(camera)
    q, t = EXTRINSICS[key][i]
    f, c, k, p = INTRINSICS[key][i]
    return {
        "R": quaternion_matrix(q), "T": np.asarray(t, np.float64).reshape(3, 1) / 1000.0, "f": np.asarray(f),
        "c": np.asarray(c), "k": np.asarray(k), "p": np.asarray(p), "w": IMAGE_SIZE[0], "h": IMAGE_SIZE[1],
    }  # fmt: skip


def to_h36m(joints: np.ndarray) -> np.ndarray:
    """HumanEva-15 ``(..., 15, D)`` -> H36M-17 ``(..., 17, D)``: shared joints by name, spine / neck-nose synthesised
    along their segments (module docstring); works for 3D (any frame) and for 3D-then-projected points only."""
    joints = np.asarray(joints, np.float64)
    if joints.shape[-2] != 15:
        raise ValueError(f"HumanEva-15 joints must have shape (..., 15, D), got {joints.shape}")
    out = np.zeros(joints.shape[:-2] + (NUM_JOINTS, joints.shape[-1]))
    for h36m, he in H36M_FROM_HUMANEVA.items():
        out[..., h36m, :] = joints[..., he, :]
    pelvis, thorax, head = joints[..., 0, :], joints[..., 1, :], joints[..., 14, :]
    out[..., 7, :] = pelvis + SPINE_ALONG_PELVIS_THORAX * (thorax - pelvis)
    out[..., 9, :] = thorax + NOSE_ALONG_THORAX_HEAD * (head - thorax)
    return out


def _action_of(chunk: str) -> str:
    return chunk.split(" ")[0]


def read_humaneva(
    positions_3d: str | os.PathLike | dict,
    positions_2d: str | os.PathLike | dict,
    *,
    subjects: Sequence[str] | None = None,
    actions: Sequence[str] | None = PROTOCOL_ACTIONS,
    max_frames: int | None = None,
    stride: int = 1,
) -> list[SequenceRecord]:
    """VideoPose3D's HumanEva-I files -> one record per (subject, chunk, camera), split ``test``.

    Args:
        positions_3d, positions_2d: the two npz paths (or their loaded dicts).
        subjects: default the protocol's ``Validate/S1``-``S3``; actions: default Walking, Jog, Box (``None``: all).
        max_frames / stride: keep at most this many frames per chunk / every ``stride``-th frame.

    Raises ``ValueError`` naming the file and sequence when a subject or chunk is missing, shapes disagree, or the
    cameras do not reproduce the shipped 2D within :data:`MAX_REPROJECTION_PX`.
    """
    from .h36m import _frames, frames_in_view

    where3 = "positions_3d" if isinstance(positions_3d, dict) else os.fspath(positions_3d)
    where2 = "positions_2d" if isinstance(positions_2d, dict) else os.fspath(positions_2d)
    d3 = (
        positions_3d
        if isinstance(positions_3d, dict)
        else load_npz(positions_3d, keys=("positions_3d",))["positions_3d"]
    )
    d2 = (
        positions_2d
        if isinstance(positions_2d, dict)
        else load_npz(positions_2d, keys=("positions_2d",))["positions_2d"]
    )
    for name, d, where in (("positions_3d", d3, where3), ("positions_2d", d2, where2)):
        if not isinstance(d, dict) or not all(isinstance(v, dict) for v in d.values()):
            raise ValueError(f"{where}: `{name}` must be a dict {{subject: {{chunk: array}}}}")
    subjects = list(PROTOCOL_SUBJECTS if subjects is None else subjects)
    missing = [s for s in subjects if s not in d3]
    if missing:
        raise ValueError(f"{where3}: subject(s) {missing} not in the file (found {sorted(d3)})")
    records = []
    for subject in subjects:
        chunks = sorted(c for c in d3[subject] if actions is None or _action_of(c) in actions)
        for chunk in chunks:
            world = np.asarray(d3[subject][chunk], np.float64)
            seq = f"{where3}: {subject}/{chunk}"
            if world.ndim != 3 or world.shape[1:] != (15, 3) or world.shape[0] == 0:
                raise ValueError(f"{seq}: expected shape (frames, 15, 3), got {world.shape}")
            views = d2.get(subject, {}).get(chunk)
            if views is None or len(views) != len(CAMERAS):
                raise ValueError(f"{where2}: {subject}/{chunk} needs 2D for the 3 cameras C1-C3")
            frames = _frames(world.shape[0], max_frames, stride)
            for ci, camera in enumerate(CAMERAS):
                uv_native = np.asarray(views[ci], np.float64)
                if uv_native.shape != (world.shape[0], 15, 2):
                    raise ValueError(f"{where2}: {subject}/{chunk}/{camera} has shape {uv_native.shape}, expected "
                                     f"({world.shape[0]}, 15, 2)")  # fmt: skip
                cam = humaneva_camera(subject, camera)
                xyz15 = world_to_camera(world[frames], cam["R"], cam["T"])
                uv15 = project(xyz15, cam["f"], cam["c"], cam["k"], cam["p"])
                err = float(np.linalg.norm(uv15 - uv_native[frames], axis=-1).mean())
                if not err <= MAX_REPROJECTION_PX:
                    raise ValueError(
                        f"{seq}/{camera}: the cameras reproduce the shipped 2D to {err:.1f} px on average (expected "
                        f"<= {MAX_REPROJECTION_PX} px): not VideoPose3D's HumanEva-I files, or world not in metres?"
                    )
                xyz = to_h36m(xyz15)
                uv = project(xyz, cam["f"], cam["c"], cam["k"], cam["p"])
                for h36m, he in H36M_FROM_HUMANEVA.items():  # the dataset's own 2D where it has the joint
                    uv[:, h36m] = uv_native[frames][:, he]
                records.append(
                    SequenceRecord(
                        dataset=DATASET, subject=subject, action=chunk, camera=camera, keypoints_2d=uv,
                        keypoints_3d=xyz, focal=cam["f"], center=cam["c"], image_size=IMAGE_SIZE, fps=FPS / stride,
                        split="test", frame_index=frames, valid=frames_in_view(xyz, uv, *IMAGE_SIZE),
                        source=f"{os.path.basename(where3)} + {os.path.basename(where2)}",
                    )
                )  # fmt: skip
    if not records:
        raise ValueError(f"{where3}: no chunk of {subjects} with actions {list(actions or [])}")
    return records


def convert_humaneva(
    source: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    positions_2d: str | os.PathLike | None = None,
    subjects: Sequence[str] | None = None,
    actions: Sequence[str] | None = PROTOCOL_ACTIONS,
    max_frames: int | None = None,
    stride: int = 1,
    depth_source: Any = None,
    simulate_detector: bool = False,
    detector_seed: int = 0,
    detector_preset: str = DEFAULT_DETECTOR_PRESET,
    overwrite: bool = False,
    progress: bool = True,
    workers: int = 1,
    depth_cache: str | os.PathLike | None = None,
) -> dict[str, dict[str, int]]:
    """Write the HumanEva-I evaluation table. ``source``: a folder holding :data:`FILE_3D` and :data:`FILE_2D`, or
    the 3D npz itself (then ``positions_2d`` or :data:`FILE_2D` beside it). Options as ``auglift convert h36m``.

    ``workers`` / ``depth_cache``: ``depth_source`` simulated in that many processes (byte-identical to one) / kept
    in that folder as it is computed, so an interrupted write resumes
    (:func:`~auglift_hf.data.schema.write_frame_table`).
    """
    from .h36m import simulate_detector_2d
    from .schema import check_table_output, write_frame_table

    check_table_output(out_dir, overwrite)
    source = os.fspath(source)
    path3 = os.path.join(source, FILE_3D) if os.path.isdir(source) else source
    path2 = os.fspath(positions_2d) if positions_2d else os.path.join(os.path.dirname(path3), FILE_2D)
    for path in (path3, path2):
        if not os.path.isfile(path):
            raise FileNotFoundError(f"{path} not found (VideoPose3D's {FILE_3D} and {FILE_2D})")
    records = read_humaneva(path3, path2, subjects=subjects, actions=actions, max_frames=max_frames, stride=stride)
    info = {
        "how_built": (
            f"Real HumanEva-I motion and ground-truth 2D (VideoPose3D's `{os.path.basename(path3)}`, "
            f"`{os.path.basename(path2)}`), subjects {sorted({r.subject for r in records})}, actions "
            f"{list(actions) if actions else 'all'}, 60 Hz, cameras C1-C3 (auglift_hf.data.humaneva: VideoPose3D "
            "extrinsics, intrinsics fitted to the shipped 2D); mapped to H36M-17 (spine and neck/nose synthesised; "
            "scored on the 14 shared joints). Evaluation only."
        ),
        "split": "test = the protocol's Validate/S1-S3 (VideoPose3D, Martinez et al.)",
    }
    if simulate_detector:
        cams = {(r.subject, r.camera): humaneva_camera(r.subject, r.camera) for r in records}
        info["detected2d"] = "simulated: " + simulate_detector_2d(
            records, cams, seed=detector_seed, preset=detector_preset
        )
    return write_frame_table(
        records, out_dir, dataset_name=DATASET, depth_source=depth_source, card=info, overwrite=overwrite,
        progress=progress, workers=workers, depth_cache=depth_cache,
    )  # fmt: skip
