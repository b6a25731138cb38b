"""Fit3D reader -> :class:`~auglift_hf.data.schema.SequenceRecord` (camera frame, H36M-17, metres).

Native layout (``imar_vision_datasets_tools``)::

    <root>/train/<subject>/joints3d_25/<action>.json                    {"joints3d_25": F x 25 x 3} world metres
    <root>/train/<subject>/camera_parameters/<camera>/<action>.json     {"extrinsics": {"R", "T"},
                                                                          "intrinsics_w_distortion": {"f", "c", "k", "p"},
                                                                          "intrinsics_wo_distortion": {"f", "c"}}

World -> camera is ``X_cam = (X_world - T) @ R.T`` (the tools' convention; note ``R`` is transposed relative to
MMPose's ``cameras.pkl``), and 2D uses the distorted intrinsics (same model as H36M). The first 17 of the 25
joints are the H36M-17 joints in H36M order (the other 8 are hand / foot points), so 25 -> 17 is ``[:17]``.
Videos are 900 x 900 at 50 fps.

Split: Fit3D's test subjects are withheld, so (like AugLift) the public training subjects are split at the
subject level, deterministically: subjects sorted by name, the last ``ceil(test_fraction * n)`` are test
(s10, s11 for the 8 public subjects), unless ``test_subjects`` is given.
"""

from __future__ import annotations

import glob
import json
import math
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..camera import project, world_to_camera
from .schema import SequenceRecord

DATASET = "fit3d"
FIT3D_IMAGE_SIZE = (900, 900)
FIT3D_FPS = 50.0


def fit3d_split(
    subjects: Sequence[str], test_subjects: Sequence[str] | None = None, test_fraction: float = 0.25
) -> dict:
    """``{subject: "train" | "test"}``: explicit ``test_subjects`` or the last ``ceil(test_fraction * n)`` by name."""
    subjects = sorted(subjects)
    if test_subjects is None:
        k = max(1, math.ceil(test_fraction * len(subjects))) if len(subjects) > 1 else 0
        test_subjects = subjects[len(subjects) - k :]
    return {s: "test" if s in test_subjects else "train" for s in subjects}


def _load_json(path: str, where: str) -> Any:
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        raise
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"{path}: corrupt or truncated JSON ({err})") from err


def read_fit3d_camera(path: str) -> dict[str, np.ndarray]:
    """A Fit3D ``camera_parameters/<camera>/<action>.json`` -> ``R (3,3)``, ``T (3,)``, ``f``, ``c``, ``k``, ``p``."""
    raw = _load_json(path, path)
    try:
        ext, intr = raw["extrinsics"], raw["intrinsics_w_distortion"]
        cam = {
            "R": np.asarray(ext["R"], np.float64).reshape(3, 3),
            "T": np.asarray(ext["T"], np.float64).reshape(3),
            "f": np.asarray(intr["f"], np.float64).reshape(2),
            "c": np.asarray(intr["c"], np.float64).reshape(2),
            "k": np.asarray(intr.get("k", [0, 0, 0]), np.float64).reshape(3),
            "p": np.asarray(intr.get("p", [0, 0]), np.float64).reshape(2),
        }
    except (KeyError, TypeError) as err:
        raise ValueError(
            f"{path}: missing camera field {err} (need extrinsics.R/T, intrinsics_w_distortion.f/c)"
        ) from err
    except ValueError as err:
        raise ValueError(f"{path}: camera field has the wrong shape ({err})") from err
    return cam


def read_fit3d(
    root: str | os.PathLike,
    *,
    subjects: Sequence[str] | None = None,
    test_subjects: Sequence[str] | None = None,
    cameras: Sequence[str] | None = None,
    max_frames: int | None = None,
    stride: int = 1,
) -> list[SequenceRecord]:
    """All ``<root>/train/<subject>/joints3d_25/*.json`` rendered into every camera that has parameters."""
    root = os.fspath(root)
    base = os.path.join(root, "train") if os.path.isdir(os.path.join(root, "train")) else root
    found = sorted(
        os.path.basename(os.path.dirname(os.path.dirname(p)))
        for p in glob.glob(os.path.join(base, "*", "joints3d_25", ""))
    )
    if not found:
        raise FileNotFoundError(f"{root}: no train/<subject>/joints3d_25/ folders found")
    if subjects is not None:
        unknown = [s for s in subjects if s not in found]
        if unknown:
            raise ValueError(f"{root}: unknown subject(s) {unknown}; found {found}")
    split = fit3d_split(found, test_subjects)
    if stride < 1:
        raise ValueError(f"`stride` must be >= 1, got {stride}")
    records = []
    for subject in subjects or found:
        for jpath in sorted(glob.glob(os.path.join(base, subject, "joints3d_25", "*.json"))):
            action = os.path.splitext(os.path.basename(jpath))[0]
            raw = _load_json(jpath, jpath)
            if not isinstance(raw, dict) or "joints3d_25" not in raw:
                raise ValueError(f"{jpath}: missing key `joints3d_25`")
            j = np.asarray(raw["joints3d_25"], np.float64)
            if j.ndim != 3 or j.shape[1:] != (25, 3):
                raise ValueError(f"{jpath}: `joints3d_25` must have shape (frames, 25, 3), got {j.shape}")
            if j.shape[0] == 0:
                raise ValueError(f"{jpath}: empty sequence (0 frames)")
            if not np.isfinite(j).all():
                raise ValueError(f"{jpath}: NaN/inf in `joints3d_25`")
            frames = np.arange(0, j.shape[0], stride)[:max_frames]
            world = j[frames, :17]
            cam_dirs = sorted(glob.glob(os.path.join(base, subject, "camera_parameters", "*", f"{action}.json")))
            if not cam_dirs:
                raise ValueError(f"{jpath}: no camera_parameters/<camera>/{action}.json for this action")
            for cpath in cam_dirs:
                cam_name = os.path.basename(os.path.dirname(cpath))
                if cameras is not None and cam_name not in cameras:
                    continue
                cam = read_fit3d_camera(cpath)
                xyz = world_to_camera(world, cam["R"].T, cam["T"])
                uv = project(xyz, cam["f"], cam["c"], cam["k"], cam["p"])
                records.append(
                    SequenceRecord(
                        dataset=DATASET, subject=subject, action=action, camera=cam_name, keypoints_2d=uv,
                        keypoints_3d=xyz, focal=cam["f"], center=cam["c"], image_size=FIT3D_IMAGE_SIZE,
                        fps=FIT3D_FPS / stride, split=split[subject], frame_index=frames,
                        valid=xyz[..., 2].min(-1) > 0, source=jpath,
                    )
                )  # fmt: skip
    return records


def convert_fit3d(
    source: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    subjects: Sequence[str] | None = None,
    test_subjects: Sequence[str] | None = None,
    max_frames: int | None = None,
    stride: int = 1,
    depth_source: Any = None,
    overwrite: bool = False,
    progress: bool = True,
    workers: int = 1,
    depth_cache: str | os.PathLike | None = None,
) -> dict[str, dict[str, int]]:
    """Read a Fit3D root and write the Parquet frame table to ``out_dir``.

    ``workers`` / ``depth_cache``: ``depth_source`` simulated in that many processes (byte-identical to one) / kept
    in that folder as it is computed, so an interrupted write resumes
    (:func:`~auglift_hf.data.schema.write_frame_table`).
    """
    from .schema import write_frame_table

    records = read_fit3d(source, subjects=subjects, test_subjects=test_subjects, max_frames=max_frames, stride=stride)
    tests = sorted({r.subject for r in records if r.split == "test"})
    info = {
        "how_built": "Fit3D joints3d_25 (first 17 = H36M-17) with per-camera JSON parameters, distorted projection.",
        "split": f"deterministic subject-level split (test subjects: {', '.join(tests) or 'none'})",
    }
    return write_frame_table(
        records, out_dir, dataset_name=DATASET, depth_source=depth_source, card=info, overwrite=overwrite,
        progress=progress, workers=workers, depth_cache=depth_cache,
    )  # fmt: skip
