"""Safe reading of ``.npz`` files whose members may be pickled Python objects (VideoPose3D's
``positions_3d`` / ``positions_2d`` dicts), without ever calling ``np.load(allow_pickle=True)``.

Plain numeric members are read with ``allow_pickle=False``; object members are parsed by hand: the
``.npy`` header is read with :mod:`numpy.lib.format` and the payload, a pickle, goes through
:func:`auglift_hf.utils.safe_pickle.safe_load_pickle` (numpy arrays, dtypes and builtins only).
"""

from __future__ import annotations

import io
import os
import zipfile
from typing import Any

import numpy as np

from ..utils.safe_pickle import safe_load_pickle


def load_pickle(source: str | os.PathLike | bytes, where: str | None = None) -> Any:
    """:func:`safe_load_pickle` (latin1) where a truncated / corrupt pickle is a ``ValueError`` naming the file;
    a forbidden global still raises ``pickle.UnpicklingError`` ("refusing to unpickle ...")."""
    import pickle

    where = where or (os.fspath(source) if not isinstance(source, (bytes, bytearray)) else "<bytes>")
    try:
        return safe_load_pickle(source, encoding="latin1")
    except pickle.UnpicklingError as err:
        if "refusing" in str(err):
            raise
        raise ValueError(f"{where}: corrupt or truncated pickle ({err})") from err


def _read_npy_member(data: bytes, where: str) -> Any:
    fh = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(fh)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh)
        else:
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(fh)
    except ValueError as err:
        raise ValueError(f"{where}: not a valid .npy member ({err})") from err
    if dtype.hasobject:
        obj = load_pickle(fh.read(), where)
        if shape == ():
            # np.save of a 0-d object array pickles the array itself; unwrap to the Python object.
            return obj.item() if isinstance(obj, np.ndarray) and obj.dtype.hasobject and obj.shape == () else obj
        return obj
    fh.seek(0)
    try:
        return np.load(fh, allow_pickle=False)
    except ValueError as err:
        raise ValueError(f"{where}: corrupt or truncated array ({err})") from err


def load_npz(path: str | os.PathLike, keys: tuple[str, ...] | None = None) -> dict[str, Any]:
    """Read the members of an ``.npz`` file into a dict; pickled objects through the restricted unpickler.

    Args:
        path: the ``.npz`` file.
        keys: members that must be present (``FileNotFoundError``/``ValueError`` naming the file otherwise).

    Returns:
        ``{name: array or unpickled object}`` for every member.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: no such file")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as err:
        raise ValueError(f"{path}: not a valid .npz archive ({err})") from err
    out: dict[str, Any] = {}
    with zf:
        for name in zf.namelist():
            key = name[:-4] if name.endswith(".npy") else name
            try:
                data = zf.read(name)
            except (zipfile.BadZipFile, EOFError, OSError, ValueError) as err:
                raise ValueError(f"{path}: member {name!r} is corrupt or truncated ({err})") from err
            out[key] = _read_npy_member(data, f"{path}:{name}")
    if keys is not None:
        missing = [k for k in keys if k not in out]
        if missing:
            raise ValueError(f"{path}: missing keys {missing}, found {sorted(out)}")
    return out


def load_mmpose_annotations(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """MMPose's preprocessed body-3D annotation npz (H36M and 3DHP share it) -> ``(imgname, part, S)``.

    ``imgname`` (N,), ``part`` (N, 17, 3) pixels + visibility, ``S`` (N, 17, 4) camera metres + visibility, as
    float64; an empty file or a wrong shape is a ``ValueError`` naming the file and the field.
    """
    where = os.fspath(path)
    raw = load_npz(path, keys=("imgname", "part", "S"))
    names, part, S = raw["imgname"], np.asarray(raw["part"], np.float64), np.asarray(raw["S"], np.float64)
    n = len(names)
    if n == 0:
        raise ValueError(f"{where}: empty annotation file (0 frames)")
    if part.shape != (n, 17, 3):
        raise ValueError(f"{where}: `part` must have shape ({n}, 17, 3), got {part.shape}")
    if S.shape != (n, 17, 4):
        raise ValueError(f"{where}: `S` must have shape ({n}, 17, 4), got {S.shape}")
    return names, part, S
