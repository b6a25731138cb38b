"""ONNX export of a lifter with a dynamic batch axis, verified against PyTorch with onnxruntime.

The graph maps ``keypoints (batch, frames, 17, C)`` (processor-normalised, ``frames`` = the model's receptive
field) to ``poses_3d (batch, out_frames, 17, 3)`` root-relative metres, exactly like ``model(keypoints=...)``.

Exporter (measured with torch 2.13, tiny models): the TorchScript-based exporter (``dynamo=False``) exports a
lifter in ~1 s; the ``torch.export`` exporter (``dynamo=True``, needs ``onnxscript``) also matches PyTorch for
all three families but takes ~5-15 s. ``exporter="auto"`` (default) tries the fast one, verifies it with
onnxruntime, and falls back to ``dynamo`` when the check fails; the result records which exporter was used.
The model is exported and verified in eval mode (the exporters restore the wrapper's train/eval mode, so the
wrapper itself is put in eval mode: otherwise BatchNorm would silently switch back to batch statistics).
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..models import input_frames
from ..skeleton import NUM_JOINTS
from ..utils.io import atomic_path

INPUT_NAME = "keypoints"
OUTPUT_NAME = "poses_3d"


class _PosesOnly(torch.nn.Module):
    """``keypoints -> poses_3d`` tensor wrapper (ONNX graphs return tensors, not ModelOutputs)."""

    def __init__(self, model: torch.nn.Module):
        super().__init__()
        self.model = model

    def forward(self, keypoints: torch.Tensor) -> torch.Tensor:
        return self.model(keypoints=keypoints).poses_3d


def load_lifter(folder: str | os.PathLike) -> torch.nn.Module:
    """Load a lifter folder (or Hub id) strictly in eval mode (:func:`auglift_hf.models.load_lifter`)."""
    from auglift_hf.models import load_lifter as strict_load

    if isinstance(folder, torch.nn.Module):
        return folder.eval()
    return strict_load(folder)


@dataclass
class OnnxExportResult:
    path: str
    input_shape: tuple[Any, ...]
    output_shape: tuple[Any, ...]
    max_abs_diff: float | None  # onnxruntime vs PyTorch on a random batch, None when not verified
    opset: int
    exporter: str  # "legacy" or "dynamo"


def verify_onnx(
    path: str | os.PathLike, model: torch.nn.Module, batch_size: int = 3, seed: int = 0
) -> tuple[float, tuple[Any, ...]]:
    """Max |onnxruntime - PyTorch| on a random batch (of a size other than the export batch)."""
    import onnxruntime as ort

    session = ort.InferenceSession(os.fspath(path), providers=["CPUExecutionProvider"])
    frames = input_frames(model.config)
    channels = int(model.config.num_input_channels)
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(batch_size, frames, NUM_JOINTS, channels, generator=gen)
    (ours,) = session.run([OUTPUT_NAME], {INPUT_NAME: x.numpy()})
    with torch.no_grad():
        ref = _PosesOnly(model).eval()(x).numpy()
    if ours.shape != ref.shape:
        raise ValueError(f"ONNX output shape {ours.shape} != PyTorch output shape {ref.shape}")
    return float(np.abs(ours - ref).max()), tuple(session.get_inputs()[0].shape)


def _export(wrapper: torch.nn.Module, example: torch.Tensor, path: str, opset: int, dynamo: bool) -> None:
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        if dynamo:
            torch.onnx.export(
                wrapper,
                (example,),
                path,
                input_names=[INPUT_NAME],
                output_names=[OUTPUT_NAME],
                opset_version=opset,
                dynamo=True,
                dynamic_shapes={"keypoints": {0: torch.export.Dim("batch")}},
                external_data=False,
                verbose=False,
            )
        else:
            torch.onnx.export(
                wrapper,
                (example,),
                path,
                input_names=[INPUT_NAME],
                output_names=[OUTPUT_NAME],
                opset_version=opset,
                dynamo=False,
                dynamic_axes={INPUT_NAME: {0: "batch"}, OUTPUT_NAME: {0: "batch"}},
            )


def export_onnx(
    model_or_folder: torch.nn.Module | str | os.PathLike,
    out_path: str | os.PathLike,
    opset: int = 18,
    exporter: str = "auto",
    verify: bool = True,
    atol: float = 1e-4,
) -> OnnxExportResult:
    """Export a lifter to ONNX (dynamic batch axis), written atomically, verified with onnxruntime.

    Args:
        exporter: ``"auto"`` (legacy, then dynamo if the check fails), ``"legacy"`` or ``"dynamo"``.
        verify: compare onnxruntime with PyTorch on a random batch (always on for ``"auto"``).
        atol: largest accepted max-abs difference; beyond it a ``ValueError`` is raised and no file is kept.
    """
    if exporter not in ("auto", "legacy", "dynamo"):
        raise ValueError(f"`exporter` must be 'auto', 'legacy' or 'dynamo', got {exporter!r}")
    model = model_or_folder if isinstance(model_or_folder, torch.nn.Module) else load_lifter(model_or_folder)
    model = model.eval()
    frames = input_frames(model.config)
    channels = int(model.config.num_input_channels)
    example = torch.zeros(2, frames, NUM_JOINTS, channels)
    wrapper = _PosesOnly(model).eval()
    out_path = Path(out_path)
    attempts = {"auto": ("legacy", "dynamo"), "legacy": ("legacy",), "dynamo": ("dynamo",)}[exporter]
    diff: float | None = None
    in_shape: tuple[Any, ...] = ("batch", frames, NUM_JOINTS, channels)
    with atomic_path(out_path, suffix=".onnx") as tmp:
        for used in attempts:
            _export(wrapper, example, os.fspath(tmp), opset, dynamo=used == "dynamo")
            if not (verify or exporter == "auto"):
                break
            diff, in_shape = verify_onnx(os.fspath(tmp), model)
            if diff <= atol:
                break
        if diff is not None and not diff <= atol:
            raise ValueError(f"ONNX output differs from PyTorch by {diff:.3g} > atol {atol:g} (exporter {used})")
    with torch.no_grad():
        out_shape = tuple(wrapper(example).shape[1:])
    return OnnxExportResult(os.fspath(out_path), in_shape, ("batch",) + out_shape, diff, opset, used)
