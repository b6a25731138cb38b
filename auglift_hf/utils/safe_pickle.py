"""A restricted unpickler for research data files (H36M/3DHP ``cameras.pkl``, 3DPW sequence files,
VideoPose3D ``.npz`` with pickled dicts).

Only builtin containers/scalars and the numpy classes needed to rebuild arrays and dtypes may be
constructed; any other global (``os.system``, ``subprocess.Popen``, ``builtins.eval``...) raises
:class:`pickle.UnpicklingError` instead of executing.
"""

from __future__ import annotations

import io
import pickle
from os import PathLike
from typing import IO, Any

_ALLOWED: dict[str, set[str]] = {
    "builtins": {"dict", "list", "tuple", "set", "frozenset", "str", "bytes", "bytearray", "int", "float",
                 "complex", "bool", "slice", "range", "object"},
    "__builtin__": {"dict", "list", "tuple", "set", "frozenset", "str", "bytes", "int", "float", "complex",
                    "bool", "object", "unicode", "long"},
    "_codecs": {"encode"},  # protocol-2 pickles written by Python 3 encode bytes through it (harmless)
    "copy_reg": {"_reconstructor"},
    "copyreg": {"_reconstructor"},
    "collections": {"OrderedDict", "defaultdict"},
    "numpy": {"ndarray", "dtype", "float64", "float32", "int64", "int32", "uint8", "bool_", "str_", "bytes_"},
    "numpy.core.multiarray": {"_reconstruct", "scalar"},
    "numpy._core.multiarray": {"_reconstruct", "scalar"},
    "numpy.core.numeric": {"_frombuffer"},
    "numpy._core.numeric": {"_frombuffer"},
    "numpy.dtypes": {"Float64DType", "Float32DType", "Int64DType", "Int32DType", "UInt8DType", "BoolDType",
                     "StrDType", "BytesDType", "ObjectDType"},
}  # fmt: skip


class UnsafePickleError(pickle.UnpicklingError, ValueError):
    """A pickle that names a global outside the allow-list (also a ``ValueError``: bad input, one-line CLI error)."""


class RestrictedUnpickler(pickle.Unpickler):
    """Unpickler that only admits builtins and numpy array/dtype reconstruction."""

    def find_class(self, module: str, name: str) -> Any:
        if name in _ALLOWED.get(module, ()):
            return super().find_class(module, name)
        raise UnsafePickleError(f"refusing to unpickle global {module}.{name}: not an allowed data type")


def safe_load_pickle(source: str | PathLike | IO[bytes] | bytes, encoding: str = "latin1") -> Any:
    """Load a pickle with :class:`RestrictedUnpickler`.

    ``encoding="latin1"`` reads Python-2 pickles with numpy arrays (3DPW, H36M cameras) correctly.
    Errors name the file.
    """
    name = getattr(source, "name", None) or (source if isinstance(source, (str, PathLike)) else "<bytes>")
    try:
        if isinstance(source, (bytes, bytearray)):
            return RestrictedUnpickler(io.BytesIO(source), encoding=encoding).load()
        if isinstance(source, (str, PathLike)):
            with open(source, "rb") as fh:
                return RestrictedUnpickler(fh, encoding=encoding).load()
        return RestrictedUnpickler(source, encoding=encoding).load()
    except UnsafePickleError as err:
        raise UnsafePickleError(f"{name}: {err}") from err
    except (PermissionError, IsADirectoryError) as err:  # an unreadable input is bad input, not an output error
        raise ValueError(f"{name}: cannot read ({err.strerror or err})") from err
    except (
        pickle.UnpicklingError,
        EOFError,
        ValueError,
        TypeError,
        AttributeError,
        IndexError,
        KeyError,
        MemoryError,
    ) as err:
        kind = _other_format(source)
        if kind:
            raise ValueError(f"{name}: is {kind}, not a pickle (.pkl) file; check which file goes where") from err
        raise ValueError(f"{name}: corrupt or truncated pickle ({err.__class__.__name__}: {err})") from err


#: Leading bytes of files that are often passed where a pickle is expected.
_MAGIC = {b"PK\x03\x04": "a zip / .npz archive", b"\x93NUMPY": "a .npy array file", b"\x89HDF": "an HDF5 / .mat v7.3 file",
          b"MATLAB": "a MATLAB .mat file", b"{": "JSON text", b"[": "JSON text"}  # fmt: skip


def _other_format(source: Any) -> str | None:
    """What a file that failed to unpickle is instead, from its first bytes (``None``: unknown)."""
    try:
        if isinstance(source, (bytes, bytearray)):
            head = bytes(source[:8])
        elif isinstance(source, (str, PathLike)):
            with open(source, "rb") as fh:
                head = fh.read(8)
        else:
            return None
    except OSError:
        return None
    return next((kind for magic, kind in _MAGIC.items() if head.startswith(magic)), None)
