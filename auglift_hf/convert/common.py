"""Checkpoint loading and strict, named key mapping shared by the converters."""

from __future__ import annotations

import os
import pickle
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import torch

#: Wrappers under which training scripts store the model weights, tried in this order.
STATE_DICT_WRAPPERS: tuple[str, ...] = ("model_pos", "state_dict", "model", "module")


@dataclass(frozen=True)
class KeyRule:
    """One named entry of a key-mapping table.

    ``pattern`` is a full-match regex on the source key; ``template`` is formatted with the regex groups as
    ``{0}``, ``{1}``, ... and, when the first group is a block index ``i``, ``{i2}`` = ``2 * i`` and
    ``{i2p1}`` = ``2 * i + 1`` (VideoPose3D stores two convolutions per block in one flat list).
    """

    name: str
    pattern: str
    template: str

    def apply(self, key: str) -> str | None:
        match = re.fullmatch(self.pattern, key)
        if match is None:
            return None
        groups = match.groups()
        extra = {}
        if groups and groups[0] is not None and groups[0].isdigit():
            extra = {"i2": 2 * int(groups[0]), "i2p1": 2 * int(groups[0]) + 1}
        return self.template.format(*groups, **extra)


def rename_keys(
    state_dict: Mapping[str, torch.Tensor], rules: Sequence[KeyRule], source: str
) -> dict[str, torch.Tensor]:
    """Rename every key with the first matching rule; raise a ValueError listing the keys no rule knows."""
    renamed: dict[str, torch.Tensor] = {}
    unknown = []
    for key, value in state_dict.items():
        new_key = next((k for k in (rule.apply(key) for rule in rules) if k is not None), None)
        if new_key is None:
            unknown.append(key)
        else:
            renamed[new_key] = value
    if unknown:
        raise ValueError(
            f"{source}: {len(unknown)} unknown key(s) in the checkpoint (no mapping rule): {sorted(unknown)[:20]}; "
            f"known rules: {[rule.name for rule in rules]}"
        )
    return renamed


def load_state_dict_strict(model: torch.nn.Module, state_dict: Mapping[str, torch.Tensor], source: str) -> None:
    """Copy ``state_dict`` into ``model``; refuse missing, unexpected or mis-shaped entries with a clear message.

    Old checkpoints (PyTorch < 0.4.1, e.g. VideoPose3D's releases) have no BatchNorm ``num_batches_tracked``
    buffers; only those may be missing (they are set to 0 and are unused with a fixed momentum).
    """
    expected = model.state_dict()
    missing = [k for k in expected if k not in state_dict and not k.endswith("num_batches_tracked")]
    unexpected = [k for k in state_dict if k not in expected]
    if missing or unexpected:
        raise ValueError(
            f"{source}: checkpoint does not match the model built from the config: "
            f"missing keys {missing[:20]}{' ...' if len(missing) > 20 else ''}, "
            f"unexpected keys {unexpected[:20]}{' ...' if len(unexpected) > 20 else ''}"
        )
    for key, value in state_dict.items():
        if tuple(value.shape) != tuple(expected[key].shape):
            raise ValueError(
                f"{source}: key {key!r} has shape {tuple(value.shape)}, expected {tuple(expected[key].shape)} "
                "from the config (check num_frames / num_input_channels / filter_widths)"
            )
    full = {k: state_dict.get(k, torch.zeros_like(v)) for k, v in expected.items()}
    model.load_state_dict(full, strict=True)


def unwrap_state_dict(checkpoint: Mapping, source: str = "checkpoint") -> dict[str, torch.Tensor]:
    """Return the weights of a training checkpoint: unwrap ``model_pos`` / ``state_dict`` / ``model`` and strip
    DataParallel's ``module.`` prefix."""
    if not isinstance(checkpoint, Mapping):
        raise ValueError(f"{source}: expected a dict checkpoint, got {type(checkpoint).__name__}")
    state = checkpoint
    for wrapper in STATE_DICT_WRAPPERS:
        if wrapper in state and isinstance(state[wrapper], Mapping):
            state = state[wrapper]
            break
    tensors = {k: v for k, v in state.items() if isinstance(v, torch.Tensor)}
    if not tensors:
        raise ValueError(
            f"{source}: no tensors found; expected a state dict or one wrapped under {list(STATE_DICT_WRAPPERS)}, "
            f"got keys {sorted(map(str, checkpoint))[:20]}"
        )
    if len(tensors) != len(state):
        others = sorted(k for k in state if k not in tensors)
        raise ValueError(f"{source}: non-tensor entries in the state dict: {others[:20]}")
    if all(k.startswith("module.") for k in tensors):
        tensors = {k[len("module.") :]: v for k, v in tensors.items()}
    return tensors


def load_checkpoint(path: str | os.PathLike) -> dict[str, torch.Tensor]:
    """Load a ``.pth`` / ``.bin`` checkpoint with ``torch.load(weights_only=True)`` and unwrap its weights.

    Official VideoPose3D / PoseFormer checkpoints also store the data generator's numpy ``random_state``; numpy
    arrays (and only those) are allowed in a second, still restricted, attempt.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"checkpoint file not found: {path}")
    try:
        try:
            checkpoint = torch.load(path, map_location="cpu", weights_only=True)
        except pickle.UnpicklingError:
            with torch.serialization.safe_globals(_numpy_array_globals()):
                checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as err:
        unsafe = re.search(r"Unsupported global: GLOBAL [\w.]+", str(err))
        if unsafe:
            raise ValueError(
                f"checkpoint {path}: refused by the safe loader (weights_only=True): {unsafe[0]}"
            ) from err
        raise ValueError(f"checkpoint {path}: not a readable PyTorch checkpoint, truncated or corrupt") from err
    except (RuntimeError, EOFError, OSError, ValueError, KeyError, IndexError, AttributeError) as err:
        # a truncated zip archive ("PytorchStreamReader failed ...", "error: 105"), an empty file, garbage bytes
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ValueError(
            f"checkpoint {path}: not a readable PyTorch checkpoint, truncated or corrupt ({first})"
        ) from err
    return unwrap_state_dict(checkpoint, source=path)


def _numpy_array_globals() -> list:
    """The pickle globals of plain numpy arrays (numpy 1 and 2 module paths), nothing else."""
    import numpy as np
    from numpy._core import multiarray

    allowed: list = [np.ndarray, np.dtype, multiarray.scalar]
    allowed += [(multiarray._reconstruct, f"{mod}.multiarray._reconstruct") for mod in ("numpy._core", "numpy.core")]
    allowed += [(multiarray.scalar, f"{mod}.multiarray.scalar") for mod in ("numpy._core", "numpy.core")]
    allowed += [type(np.dtype(t)) for t in (np.uint8, np.uint32, np.int32, np.int64, np.float32, np.float64, np.bool_)]
    return allowed
