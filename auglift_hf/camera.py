"""Camera geometry: world <-> camera, projection with distortion, screen normalisation.

Conventions
-----------
* Camera frame: x right, y down, z forward (metres). World frame (H36M): z up, metres.
* Extrinsics follow MMPose's ``cameras.pkl``: ``R`` is 3x3, ``T`` is the **camera centre** in world
  metres (3,) or (3, 1), and ``X_cam = (X_world - T) @ R`` (row vectors); the inverse is
  ``X_world = X_cam @ R.T + T``.
* Intrinsics: focal ``f`` (2,) and principal point ``c`` (2,) in pixels; radial distortion ``k``
  (k1, k2, k3) and tangential ``p`` (p1, p2) as in H36M / VideoPose3D ``project_to_2d``.
* Every function is vectorised over ``(..., J, 3)`` and accepts numpy arrays or torch tensors.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _is_torch(x: Any) -> bool:
    return type(x).__module__.startswith("torch")


def _check_last(x: Any, size: int, name: str) -> None:
    if x.ndim < 1 or x.shape[-1] != size:
        raise ValueError(f"`{name}` must have shape (..., {size}), got {tuple(x.shape)}")


def _as_like(value: Any, like: Any, shape: tuple[int, ...]) -> Any:
    """``value`` reshaped to ``shape`` and converted to the array type / dtype / device of ``like``."""
    if _is_torch(like):
        import torch

        return (
            torch.as_tensor(np.asarray(value) if not _is_torch(value) else value, dtype=like.dtype)
            .to(like.device)
            .reshape(shape)
        )
    return np.asarray(value, dtype=like.dtype).reshape(shape)


def world_to_camera(X: Any, R: Any, T: Any) -> Any:
    """World -> camera coordinates: ``X_cam = (X_world - T) @ R``.

    Args:
        X: ``(..., 3)`` world points (metres).
        R: ``(3, 3)`` rotation (MMPose ``cameras.pkl`` convention).
        T: ``(3,)`` or ``(3, 1)`` camera centre in world metres.
    """
    _check_last(X, 3, "X")
    R = _as_like(R, X, (3, 3))
    T = _as_like(T, X, (3,))
    return (X - T) @ R


def camera_to_world(X: Any, R: Any, T: Any) -> Any:
    """Camera -> world coordinates: ``X_world = X_cam @ R.T + T`` (inverse of :func:`world_to_camera`)."""
    _check_last(X, 3, "X")
    R = _as_like(R, X, (3, 3))
    T = _as_like(T, X, (3,))
    return X @ R.T + T


def project(X_cam: Any, f: Any, c: Any, k: Any = None, p: Any = None) -> Any:
    """Project camera-frame points to pixels, with optional H36M radial/tangential distortion.

    Matches VideoPose3D's ``project_to_2d`` (without its normalised-intrinsics packing)::

        x = X[..., :2] / Z
        r2 = |x|^2
        radial = 1 + k1 r2 + k2 r2^2 + k3 r2^3
        tan = p1 * x_y + p2 * x_x                         (VideoPose3D's order of p)
        x' = x * (radial + tan) + [p2, p1] * r2
        uv = f * x' + c

    Args:
        X_cam: ``(..., 3)`` camera-frame points (metres), ``Z > 0``.
        f, c: ``(2,)`` focal lengths and principal point (pixels).
        k: ``(3,)`` radial coefficients or ``None``; p: ``(2,)`` tangential or ``None``.

    Returns:
        ``(..., 2)`` pixel coordinates.
    """
    _check_last(X_cam, 3, "X_cam")
    f = _as_like(f, X_cam, (2,))
    c = _as_like(c, X_cam, (2,))
    xy = X_cam[..., :2] / X_cam[..., 2:3]
    if k is not None or p is not None:
        k = _as_like(k if k is not None else np.zeros(3), X_cam, (3,))
        p = _as_like(p if p is not None else np.zeros(2), X_cam, (2,))
        r2 = (xy**2).sum(-1, keepdims=True) if not _is_torch(xy) else (xy**2).sum(-1, keepdim=True)
        radial = 1 + k[0] * r2 + k[1] * r2**2 + k[2] * r2**3
        tan = p[0] * xy[..., 1:2] + p[1] * xy[..., 0:1]
        p_rev = p[[1, 0]] if not _is_torch(p) else p.flip(0)
        xy = xy * (radial + tan) + p_rev * r2
    return f * xy + c


def normalize_screen_coordinates(X: Any, w: float, h: float) -> Any:
    """VideoPose3D screen normalisation of pixels: ``X / w * 2 - [1, h / w]``.

    Maps x in ``[0, w]`` to ``[-1, 1]`` and y to ``[-h/w, h/w]``, keeping the aspect ratio.
    ``X`` is ``(..., 2)`` pixels; ``w, h`` the image width and height in pixels (> 0).
    """
    _check_last(X, 2, "X")
    if not (w > 0 and h > 0):
        raise ValueError(f"image size must be positive, got w={w}, h={h}")
    offset = _as_like([1.0, h / w], X, (2,))
    return X / w * 2 - offset


def image_coordinates(X: Any, w: float, h: float) -> Any:
    """Inverse of :func:`normalize_screen_coordinates`: ``(X + [1, h / w]) * w / 2`` pixels."""
    _check_last(X, 2, "X")
    if not (w > 0 and h > 0):
        raise ValueError(f"image size must be positive, got w={w}, h={h}")
    offset = _as_like([1.0, h / w], X, (2,))
    return (X + offset) * w / 2


def load_mmpose_cameras(path: Any) -> dict:
    """Read MMPose's ``cameras.pkl`` (dict keyed ``(subject, camera_id)``) with a restricted unpickler.

    Only builtins and numpy arrays/dtypes may be constructed, so a malicious pickle cannot run code.
    Returns the dict with ``R (3,3)``, ``T (3,)``, ``f (2,)``, ``c (2,)``, ``k (3,)``, ``p (2,)`` (when present)
    flattened to float64 arrays and ``w``, ``h`` as ints.
    """
    from auglift_hf.utils.safe_pickle import safe_load_pickle

    raw = safe_load_pickle(path)
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: expected a dict of cameras, got {type(raw).__name__}")
    shapes = {"R": (3, 3), "T": (3,), "f": (2,), "c": (2,), "k": (3,), "p": (2,)}
    out = {}
    for key, cam in raw.items():
        if not isinstance(cam, dict):
            raise ValueError(f"{path}: camera {key!r} is not a dict")
        entry = dict(cam)
        for name, shape in shapes.items():
            if name in entry:
                arr = np.asarray(entry[name], dtype=np.float64)
                if arr.size != int(np.prod(shape)):
                    raise ValueError(f"{path}: camera {key!r} field `{name}` has shape {arr.shape}, expected {shape}")
                entry[name] = arr.reshape(shape)
        for name in ("w", "h"):
            if name in entry:
                entry[name] = int(entry[name])
        out[key] = entry
    return out
