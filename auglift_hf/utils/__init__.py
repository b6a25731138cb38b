"""Small shared utilities (safe unpickling, atomic file writes)."""

from .io import atomic_path, atomic_write_dir, atomic_write_file
from .safe_pickle import RestrictedUnpickler, safe_load_pickle

__all__ = ["RestrictedUnpickler", "atomic_path", "atomic_write_dir", "atomic_write_file", "safe_load_pickle"]
