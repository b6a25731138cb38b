"""Shared helpers for the transformers-backed stages: device / dtype resolution and image conversion."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

_DTYPES = {"float32": "float32", "fp32": "float32", "float16": "float16", "fp16": "float16", "bfloat16": "bfloat16"}
_DTYPES["bf16"] = "bfloat16"


def resolve_device(device: Any = None) -> Any:
    """``None`` / ``"auto"`` -> CUDA when available else CPU; strings and ``torch.device`` pass through."""
    import torch

    if device is None or device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def resolve_dtype(dtype: Any, device: Any) -> Any:
    """``None`` -> float32; ``"fp16"``/``"bf16"``/``torch.dtype`` as given. Half precision on CPU falls back to fp32."""
    import torch

    if dtype is None:
        return torch.float32
    if isinstance(dtype, str):
        if dtype not in _DTYPES:
            raise ValueError(f"`dtype` must be one of {sorted(_DTYPES)}, got {dtype!r}")
        dtype = getattr(torch, _DTYPES[dtype])
    if torch.device(device).type == "cpu" and dtype == torch.float16:
        return torch.float32  # fp16 kernels are missing or slow on CPU
    return dtype


def upright(image: Any) -> Any:
    """``PIL.Image`` -> the image as displayed: EXIF ``Orientation`` (tag 274) applied with
    ``PIL.ImageOps.exif_transpose`` (a no-op without the tag, and on an image already transposed, whose tag
    is then gone)."""
    from PIL import ImageOps

    return ImageOps.exif_transpose(image)


def image_size(path: str | os.PathLike) -> tuple[int, int]:
    """``(width, height)`` of an image file **as displayed** (EXIF orientations 5-8 swap the stored sides),
    without decoding the pixels. Raises ``ValueError`` naming the file when it is not an image."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            w, h = im.size
            orientation = im.getexif().get(274, 1)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as err:
        raise ValueError(f"cannot read image {path}: {err}") from err
    return (h, w) if orientation in (5, 6, 7, 8) else (w, h)


def load_image(image: Any) -> np.ndarray:
    """A path, ``PIL.Image`` or ``(H, W[, 3|4])`` array -> ``(H, W, 3)`` uint8 RGB array, upright.

    Files and ``PIL.Image`` inputs get their EXIF orientation applied (:func:`open_image`), so a phone photo
    stored sideways with ``Orientation = 6`` reaches the detector as the user saw it. Raises ``ValueError`` naming the file when it cannot be decoded, ``FileNotFoundError`` when it is missing.
    """
    from PIL import Image, UnidentifiedImageError

    if isinstance(image, (str, os.PathLike)):
        path = os.fspath(image)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"image file not found: {path}")
        try:
            with Image.open(path) as im:
                return np.asarray(upright(im).convert("RGB"))
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as err:
            raise ValueError(f"cannot decode image {path}: {err}") from err
    if isinstance(image, Image.Image):
        return np.asarray(upright(image).convert("RGB"))
    arr = np.asarray(image)
    if arr.ndim == 2:
        arr = np.repeat(arr[..., None], 3, axis=-1)
    if arr.ndim != 3 or arr.shape[-1] not in (3, 4):
        raise ValueError(f"`image` array must have shape (H, W), (H, W, 3) or (H, W, 4), got {arr.shape}")
    arr = arr[..., :3]
    if arr.dtype != np.uint8:
        scale = 255.0 if np.issubdtype(arr.dtype, np.floating) and arr.max(initial=0) <= 1.0 else 1.0
        arr = np.clip(arr * scale, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(arr)


def hub_kwargs(local_files_only: bool | None = None, revision: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if local_files_only is not None:
        out["local_files_only"] = local_files_only
    if revision is not None:
        out["revision"] = revision
    return out
