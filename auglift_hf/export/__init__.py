"""Exports: lifters to ONNX, predicted motion to JSON / NPZ / BVH."""

from .bvh import bvh_to_h36m, fit_bvh, forward_kinematics, normalise_bone_lengths, read_bvh, write_bvh
from .motion import load_motion, motion_to_dict, save_motion_json, save_motion_npz

__all__ = [
    "bvh_to_h36m",
    "export_onnx",
    "fit_bvh",
    "forward_kinematics",
    "load_motion",
    "motion_to_dict",
    "normalise_bone_lengths",
    "read_bvh",
    "save_motion_json",
    "save_motion_npz",
    "write_bvh",
]


def __getattr__(name: str):  # torch is imported only when ONNX export is used
    if name in ("export_onnx", "OnnxExportResult"):
        from . import onnx

        return getattr(onnx, name)
    raise AttributeError(name)
