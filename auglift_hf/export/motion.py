"""Predicted motion as JSON / NPZ: the format ``auglift lift`` and the Space write.

Layout (both formats carry the same keys)::

    keypoints_3d   (frames, 17, 3) camera-frame millimetres (root-relative unless a root was given)
    keypoints_2d   (frames, 17, 2) pixels            (optional)
    scores         (frames, 17)    2D confidences    (optional)
    joint_names    the 17 H36M joint names
    fps, units, coordinate_system, plus any extra metadata

JSON stores lists (one entry per frame); NPZ stores arrays (strings as unicode arrays, metadata as a
JSON string, so ``np.load(..., allow_pickle=False)`` reads it).
"""

from __future__ import annotations

import io
import json
import os
from typing import Any

import numpy as np

from ..skeleton import H36M_JOINT_NAMES, NUM_JOINTS
from ..utils.io import atomic_write_file

COORDINATE_SYSTEM = "camera: x right, y down, z forward"


def _check(name: str, value: Any, trailing: tuple[int, ...], frames: int | None) -> np.ndarray:
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim != 1 + len(trailing) or arr.shape[1:] != trailing or (frames is not None and arr.shape[0] != frames):
        expected = ("frames" if frames is None else str(frames),) + tuple(str(t) for t in trailing)
        raise ValueError(f"`{name}` must have shape ({', '.join(expected)}), got {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"`{name}` contains NaN or inf")
    return arr


def motion_to_dict(
    keypoints_3d: Any,
    keypoints_2d: Any = None,
    scores: Any = None,
    fps: float | None = None,
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Validate and pack a motion as numpy arrays. ``keypoints_3d``: (frames, 17, 3) millimetres."""
    k3 = _check("keypoints_3d", keypoints_3d, (NUM_JOINTS, 3), None)
    if k3.shape[0] == 0:
        raise ValueError("`keypoints_3d` must have at least one frame, got shape (0, 17, 3)")
    out: dict[str, Any] = {"keypoints_3d": k3}
    if keypoints_2d is not None:
        out["keypoints_2d"] = _check("keypoints_2d", keypoints_2d, (NUM_JOINTS, 2), k3.shape[0])
    if scores is not None:
        out["scores"] = _check("scores", scores, (NUM_JOINTS,), k3.shape[0])
    out["joint_names"] = list(H36M_JOINT_NAMES)
    out["units"] = "mm"
    out["coordinate_system"] = COORDINATE_SYSTEM
    out["fps"] = None if fps is None else float(fps)
    out["metadata"] = dict(metadata or {})
    return out


def save_motion_json(path: str | os.PathLike, keypoints_3d: Any, **kwargs: Any) -> str:
    """Write a motion JSON atomically (3D rounded to 0.01 mm). Keyword arguments as :func:`motion_to_dict`."""
    motion = motion_to_dict(keypoints_3d, **kwargs)
    payload = {k: (np.round(v, 2).tolist() if isinstance(v, np.ndarray) else v) for k, v in motion.items()}
    with atomic_write_file(path, "w") as fh:
        json.dump(payload, fh, separators=(",", ":"))
    return os.fspath(path)


def save_motion_npz(path: str | os.PathLike, keypoints_3d: Any, **kwargs: Any) -> str:
    """Write a compressed motion NPZ atomically (float32 arrays, no pickled objects)."""
    motion = motion_to_dict(keypoints_3d, **kwargs)
    arrays = {k: v.astype(np.float32) for k, v in motion.items() if isinstance(v, np.ndarray)}
    arrays["joint_names"] = np.asarray(motion["joint_names"], dtype=np.str_)
    meta = {k: motion[k] for k in ("units", "coordinate_system", "fps", "metadata")}
    arrays["metadata_json"] = np.asarray(json.dumps(meta), dtype=np.str_)
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    with atomic_write_file(path, "wb") as fh:
        fh.write(buf.getvalue())
    return os.fspath(path)


def load_motion(path: str | os.PathLike) -> dict[str, Any]:
    """Read a motion JSON or NPZ written by this module -> dict of numpy arrays + metadata.

    A missing file raises ``FileNotFoundError``; a truncated / corrupt file or non-finite ``keypoints_3d`` a
    ``ValueError`` naming the file.
    """
    import zipfile

    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"motion file {path}: no such file")
    try:
        out = _read_motion(path)
    except (zipfile.BadZipFile, EOFError, OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        kind = "NPZ" if path.endswith(".npz") else "JSON"
        raise ValueError(f"{path}: not a readable motion {kind} file, truncated or corrupt ({err})") from err
    kp = np.asarray(out["keypoints_3d"], dtype=np.float64)
    if kp.size and not np.isfinite(kp).all():
        raise ValueError(f"{path}: `keypoints_3d` holds non-finite values (NaN / inf)")
    motion = motion_to_dict(
        out["keypoints_3d"], out.get("keypoints_2d"), out.get("scores"), out.get("fps"), out.get("metadata")
    )
    return motion


def _read_motion(path: str) -> dict[str, Any]:
    if path.endswith(".npz"):
        with np.load(path, allow_pickle=False) as data:
            if "keypoints_3d" not in data:
                raise ValueError(f"{path}: missing key 'keypoints_3d' (found {sorted(data.files)})")
            out: dict[str, Any] = {k: data[k] for k in data.files if k not in ("joint_names", "metadata_json")}
            out["joint_names"] = [str(n) for n in data["joint_names"]] if "joint_names" in data else None
            if "metadata_json" in data:
                out.update(json.loads(str(data["metadata_json"])))
        return out
    with open(path, encoding="utf-8") as fh:
        raw = json.load(fh)
    if not isinstance(raw, dict) or "keypoints_3d" not in raw:
        raise ValueError(f"{path}: expected a JSON object with key 'keypoints_3d'")
    out = dict(raw)
    for key in ("keypoints_3d", "keypoints_2d", "scores"):
        if out.get(key) is not None:
            try:
                out[key] = np.asarray(out[key], dtype=np.float64)
            except (TypeError, ValueError) as err:
                raise ValueError(f"{path}: `{key}` is not a numeric array ({err})") from err
    return out
