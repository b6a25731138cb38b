"""One strict loader for lifters used for inference (``lift``, ``evaluate``, ``export``, ``push --dry-run``, the
``pose-lifting`` pipeline).

``AutoModel.from_pretrained`` only *logs* missing / unexpected weights and initialises the missing ones at
random, so a ``config.json`` asking for more layers than ``model.safetensors`` holds, another model's weights or a
foreign ``model_type`` all load and then produce plausible wrong numbers. :func:`load_lifter` refuses them: it
compares the weight file's tensor names and shapes with the model the config builds (on the ``meta`` device, so
nothing is allocated) **before** loading, and raises one :class:`~auglift_hf.errors.IncompatibleModelError`
naming the file and the offending tensors.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from ..errors import IncompatibleModelError

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
_SHOW = 4  # tensor names listed per kind in an error message


def _names(keys: list[str]) -> str:
    keys = sorted(keys)
    more = f" and {len(keys) - _SHOW} more" if len(keys) > _SHOW else ""
    return ", ".join(keys[:_SHOW]) + more


def _local_folder(path: str | os.PathLike) -> Path:
    """``path`` as an existing local folder, or the Hub snapshot of a repo id; ``FileNotFoundError`` otherwise."""
    folder = Path(path)
    if folder.is_dir():
        return folder
    if folder.exists():
        raise IncompatibleModelError(
            f"model {path}: is a file, expected a saved lifter folder (config.json + model.safetensors)"
        )
    spec = os.fspath(path)
    if not _HUB_ID.match(spec):
        raise FileNotFoundError(f"model {path}: no such folder")
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(spec, allow_patterns=["*.json", "*.safetensors", "*.py", "*.md"]))
    except Exception as err:  # noqa: BLE001 - offline, unknown repo, network: all mean "not available"
        raise FileNotFoundError(
            f"model {path}: no such local folder, and not available from the Hub ({err.__class__.__name__})"
        ) from err


def read_weight_shapes(folder: str | os.PathLike) -> dict[str, tuple[int, ...]]:
    """``{tensor name: shape}`` of ``model.safetensors`` (or its sharded index) without reading the tensors."""
    from safetensors import safe_open

    folder = Path(folder)
    single, index = folder / "model.safetensors", folder / "model.safetensors.index.json"
    if single.is_file():
        files = [single]
    elif index.is_file():
        try:
            weight_map = json.loads(index.read_text(encoding="utf-8"))["weight_map"]
        except (ValueError, KeyError, TypeError) as err:
            raise IncompatibleModelError(f"{index}: not a safetensors index ({err})") from err
        files = [folder / name for name in sorted(set(weight_map.values()))]
    else:
        pickles = sorted(p.name for p in folder.glob("*.bin"))
        hint = f" (found pickle weights {pickles}: re-save with safe_serialization=True)" if pickles else ""
        raise IncompatibleModelError(f"{folder}: no model.safetensors{hint}")
    shapes: dict[str, tuple[int, ...]] = {}
    for file in files:
        if not file.is_file():
            raise IncompatibleModelError(f"{file}: weight shard missing")
        try:
            with safe_open(os.fspath(file), framework="pt") as fh:
                for key in fh.keys():
                    shapes[key] = tuple(fh.get_slice(key).get_shape())
        except Exception as err:  # noqa: BLE001 - SafetensorError and friends: an unreadable file
            raise IncompatibleModelError(
                f"{file}: unreadable safetensors file (truncated or empty?): {str(err).splitlines()[0]}"
            ) from err
    if not shapes:
        raise IncompatibleModelError(f"{files[0]}: holds no tensors")
    return shapes


def lifter_config(folder: str | os.PathLike) -> Any:
    """The lifter config of a saved folder; ``IncompatibleModelError`` for a missing / foreign ``config.json``."""
    from . import MODEL_CLASSES, MODEL_TYPES

    path = Path(folder) / "config.json"
    if not path.is_file():
        raise IncompatibleModelError(f"{folder}: no config.json (not a saved lifter folder)")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as err:
        raise IncompatibleModelError(f"{path}: not valid JSON ({err})") from err
    if not isinstance(raw, dict):
        raise IncompatibleModelError(f"{path}: expected a JSON object, got {type(raw).__name__}")
    model_type = raw.get("model_type")
    if model_type not in MODEL_TYPES:
        raise IncompatibleModelError(
            f"{path}: model_type {model_type!r} is not a pose lifter (expected one of {', '.join(MODEL_TYPES)})"
        )
    config_class = next(c for c, _ in MODEL_CLASSES if c.model_type == model_type)
    try:
        return config_class.from_pretrained(os.fspath(folder))
    except (ValueError, TypeError, KeyError, OSError) as err:
        raise IncompatibleModelError(f"{path}: invalid {model_type} config ({err})") from err


def check_lifter_weights(folder: str | os.PathLike, config: Any) -> None:
    """Raise :class:`IncompatibleModelError` unless ``folder``'s weights are exactly what ``config`` builds."""
    import torch

    from . import MODEL_CLASSES

    model_class = next(m for c, m in MODEL_CLASSES if c.model_type == config.model_type)
    try:
        try:
            with torch.device("meta"):  # shapes only, nothing allocated
                expected = {k: tuple(v.shape) for k, v in model_class(config).state_dict().items()}
        except (RuntimeError, NotImplementedError):  # an __init__ that reads tensor values (e.g. .item())
            expected = {k: tuple(v.shape) for k, v in model_class(config).state_dict().items()}
    except Exception as err:  # noqa: BLE001 - a config the model cannot be built from
        raise IncompatibleModelError(
            f"{Path(folder) / 'config.json'}: cannot build a {config.model_type} model from it ({err})"
        ) from err
    found = read_weight_shapes(folder)
    missing = [k for k in expected if k not in found]
    unexpected = [k for k in found if k not in expected]
    mismatched = [f"{k} {found[k]} vs {expected[k]}" for k in expected if k in found and found[k] != expected[k]]
    problems = []
    if missing:
        problems.append(f"{len(missing)} missing weight(s) ({_names(missing)})")
    if unexpected:
        problems.append(f"{len(unexpected)} unexpected weight(s) ({_names(unexpected)})")
    if mismatched:
        problems.append(f"{len(mismatched)} shape mismatch(es) (file vs config: {_names(mismatched)})")
    if problems:
        raise IncompatibleModelError(
            f"{folder}: model.safetensors does not match config.json ({config.model_type}, input channels "
            f"{list(getattr(config, 'input_channels', []))}): " + "; ".join(problems)
        )


def load_lifter(path: str | os.PathLike, *, device: Any = None, **kwargs: Any) -> Any:
    """Load a saved lifter strictly, in eval mode.

    Args:
        path: a saved folder (``config.json`` + ``model.safetensors``) or a Hub repo id.
        device: optional torch device to move the model to.
        kwargs: passed to ``from_pretrained`` (e.g. ``attn_implementation``).

    Raises:
        FileNotFoundError: ``path`` is neither a folder nor an available Hub repo.
        IncompatibleModelError: no / foreign ``config.json``, unreadable weights, or weights that are missing,
            unexpected or of another shape than the config's model.
    """
    from transformers.utils import logging as hf_logging

    from . import MODEL_CLASSES

    folder = _local_folder(path)
    config = lifter_config(folder)
    check_lifter_weights(folder, config)
    model_class = next(m for c, m in MODEL_CLASSES if c.model_type == config.model_type)
    verbosity, bars = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()  # a lifter loads in milliseconds: no "Loading weights" bar on stderr
    try:
        model = model_class.from_pretrained(os.fspath(folder), config=config, **kwargs)
    except (OSError, ValueError, RuntimeError) as err:
        raise IncompatibleModelError(f"{folder}: cannot load the lifter ({str(err).splitlines()[0]})") from err
    finally:
        hf_logging.set_verbosity(verbosity)
        if bars:
            hf_logging.enable_progress_bar()
    model.name_or_path = os.fspath(path)
    if device is not None:
        model = model.to(device)
    return model.eval()


class StrictAutoLifter:
    """``AutoModel`` stand-in for the ``pose-lifting`` pipeline registry: ``from_pretrained`` is :func:`load_lifter`."""

    @classmethod
    def from_pretrained(cls, path: str | os.PathLike, *args: Any, **kwargs: Any) -> Any:
        kwargs = {k: v for k, v in kwargs.items() if k in ("attn_implementation",)}
        return load_lifter(path, **kwargs)
