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


class ModelNotAvailableError(FileNotFoundError):
    """A Hub model id that cannot be loaded here: not in the local cache while the Hub is out of reach
    (``HF_HUB_OFFLINE``, ``--local-files-only`` or no network), or not found on the Hub. Exit code 3 (a named
    input does not exist, :mod:`auglift_hf.errors`)."""


_NETWORK: dict[str, bool] = {}


def hub_reachable(timeout: float = 3.0) -> bool:
    """Whether a TCP connection to the Hub endpoint (``HF_ENDPOINT``) opens within ``timeout`` seconds (DNS
    included; probed once per process). Without it, ``huggingface_hub`` retries every file for ~100 s."""
    import socket
    import threading
    from urllib.parse import urlparse

    from huggingface_hub import constants

    url = urlparse(constants.ENDPOINT)
    key = f"{url.hostname}:{url.port or (443 if url.scheme == 'https' else 80)}"
    if key not in _NETWORK:
        result = [False]

        def probe() -> None:
            try:
                socket.create_connection(
                    (url.hostname, url.port or (443 if url.scheme == "https" else 80)), timeout
                ).close()
                result[0] = True
            except OSError:
                pass

        thread = threading.Thread(target=probe, daemon=True)  # getaddrinfo ignores the socket timeout
        thread.start()
        thread.join(timeout + 0.5)
        _NETWORK[key] = result[0]
    return _NETWORK[key]


def hub_offline_reason(local_files_only: bool | None = None) -> str | None:
    """Why the Hub must not be contacted (``--local-files-only``, ``HF_HUB_OFFLINE``, no network), else None."""
    from huggingface_hub import constants

    if local_files_only:
        return "--local-files-only"
    if constants.HF_HUB_OFFLINE or os.environ.get("HF_HUB_OFFLINE", "").upper() in ("1", "ON", "YES", "TRUE"):
        return "HF_HUB_OFFLINE is set"
    if os.environ.get("TRANSFORMERS_OFFLINE", "").upper() in ("1", "ON", "YES", "TRUE"):
        return "TRANSFORMERS_OFFLINE is set"
    if not hub_reachable():
        from huggingface_hub import constants as c

        return f"no network: {c.ENDPOINT} cannot be reached"
    return None


def _missing_model_message(checkpoint: str, what: str, option: str, why: str) -> str:
    return (
        f"{option} {checkpoint}: the {what} is not in the local Hugging Face cache and cannot be downloaded ({why}); "
        f"download it once with network (`hf download {checkpoint}`) or pass a local folder ({option} <folder> "
        "with config.json and the weights)"
    )


def checkpoint_kwargs(
    checkpoint: str, what: str, option: str, local_files_only: bool | None = None, revision: str | None = None
) -> dict[str, Any]:
    """``from_pretrained`` keyword arguments for ``checkpoint`` (a local folder or a Hub id) of a backend.

    A local folder loads as is. A Hub id while the Hub is out of reach (:func:`hub_offline_reason`) is loaded from
    the local cache only (``local_files_only=True``: no request, no retries); when it is not cached, this raises
    :class:`ModelNotAvailableError` at once, naming the model, the option and how to pass a local folder.
    ``what`` (e.g. ``"person detector"``) and ``option`` (e.g. ``"--detector"``) are used in the message.
    """
    kw = hub_kwargs(local_files_only, revision)
    checkpoint = os.fspath(checkpoint)
    if os.path.isdir(checkpoint):
        return kw
    if checkpoint.startswith((".", "/", "~")) or os.sep in checkpoint.strip("/").replace("/", "", 1):
        raise FileNotFoundError(f"{option} {checkpoint}: no such model folder")
    why = hub_offline_reason(local_files_only)
    if why is None:
        return kw
    from huggingface_hub import try_to_load_from_cache

    cached = try_to_load_from_cache(checkpoint, "config.json", revision=revision)
    if not isinstance(cached, str):
        raise ModelNotAvailableError(_missing_model_message(checkpoint, what, option, why))
    return {**kw, "local_files_only": True}


class loading_errors:  # noqa: N801 - used as a context manager: ``with loading_errors(...):``
    """Turn the ``OSError`` transformers raises for a Hub model it cannot load (not cached, not on the Hub, no
    network) into :class:`ModelNotAvailableError`: one line naming the model and the option, exit code 3."""

    def __init__(self, checkpoint: str, what: str, option: str, local_files_only: bool | None = None):
        self.checkpoint, self.what, self.option = os.fspath(checkpoint), what, option
        self.local_files_only = local_files_only

    def __enter__(self) -> loading_errors:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        if exc is None or os.path.isdir(self.checkpoint) or not isinstance(exc, OSError):
            return False
        if isinstance(exc, (PermissionError, ModelNotAvailableError)):
            return False
        why = hub_offline_reason(self.local_files_only) or "not found on the Hub, or the download failed"
        raise ModelNotAvailableError(_missing_model_message(self.checkpoint, self.what, self.option, why)) from exc
