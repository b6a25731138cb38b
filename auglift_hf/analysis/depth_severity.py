"""Depth-quality analysis: re-derive a table's depth channels at monocular-depth error severities.

``auglift evaluate ... --depth-severity 0 0.5 1 2`` replaces the ``d, d_min, d_max`` columns of every evaluated
table by the capsule-body ray caster's CASP descriptors (:func:`auglift_hf.simulation.depth_descriptors_from_joints`)
corrupted by :func:`auglift_hf.simulation.depth_error_preset` at each severity (0 = the undistorted depth of the
capsule body), sampled where the table's 2D keypoints are (the ``gt2d`` config: at the exact pinhole projection of
the 3D joints, as ``benchmarks/reference/build_data.py`` builds it), one sequence at a time (the error model's
scale drift and flicker run over consecutive frames). Only mocap-derived tables (3D joints + intrinsics) can be
re-derived; the depth of a real depth network cannot be re-simulated.

Outputs: ``depth_severity.md`` / ``.csv`` (MPJPE per model, dataset and severity; the XY models are flat lines)
and ``depth_severity.png`` (MPJPE vs severity per dataset; the break-even severity where XYCD stops beating XY is
the headline).
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

#: Descriptor parameters used to re-derive the depth (those of ``build_data.py`` and the shipped contract).
RE_DERIVE_MODE = "casp"
RE_DERIVE_SAMPLES = 16


def _sequence_slices(table: Any) -> list[np.ndarray]:
    """Row indices of each sequence (id columns), sorted by frame index."""
    from ..data.schema import ID_COLUMNS
    from ..data.windows import _codes, column_numpy

    frames = column_numpy(table, "frame_index").astype(np.int64)
    codes = [_codes(table, c) for c in ID_COLUMNS if c in table.column_names]
    order = np.lexsort((frames, *reversed(codes)))
    new = np.zeros(len(order), bool)
    if len(order):
        new[0] = True
    for c in codes:
        new[1:] |= c[order][1:] != c[order][:-1]
    starts = np.flatnonzero(new)
    return np.split(order, starts[1:]) if len(order) else []


def select_sequences(table: Any, max_rows: int | None) -> Any:
    """Whole sequences, evenly spaced over the table, with at most ``max_rows`` rows in total (``None`` = all)."""
    if not max_rows or table.num_rows <= max_rows:
        return table
    seqs = _sequence_slices(table)
    mean_len = table.num_rows / max(len(seqs), 1)
    k = max(1, int(max_rows // max(mean_len, 1)))
    pick = np.unique(np.linspace(0, len(seqs) - 1, min(k, len(seqs))).astype(int))
    rows = np.sort(np.concatenate([seqs[i] for i in pick]))
    return table.take(rows)


def rederive_depth(
    table: Any,
    severity: float,
    *,
    at_gt: bool,
    preset: str = "depth-anything-v2-metric",
    seed: int = 0,
    progress: bool = True,
) -> Any:
    """A copy of ``table`` (pyarrow) whose ``d, d_min, d_max`` columns are re-derived at ``severity``.

    Args:
        table: a frame table with ``keypoints_3d``, ``keypoints_2d``, ``keypoint_scores``, ``focal``, ``center``,
            ``image_width``, ``image_height``, ``fps`` and the id columns.
        severity: error severity (0 = exact capsule-body depth).
        at_gt: sample at the exact pinhole projection of the 3D joints (the ``gt2d`` config) instead of the
            table's 2D keypoints (``detected2d``).
        seed: base seed; each sequence uses ``seed`` + a hash of its ids (the same draws for every model).
    """
    import pyarrow as pa
    import torch
    from tqdm.auto import tqdm

    from ..data.windows import column_numpy
    from ..simulation import depth_descriptors_from_joints, depth_error_preset
    from ..skeleton import NUM_JOINTS

    if severity < 0:
        raise ValueError(f"`severity` must be >= 0, got {severity}")
    need = ("keypoints_3d", "keypoints_2d", "keypoint_scores", "focal", "center", "image_width", "image_height")
    missing = [c for c in need if c not in table.column_names]
    if missing:
        raise ValueError(f"cannot re-derive depth: the table has no column(s) {missing} (mocap-derived tables only)")
    k3 = column_numpy(table, "keypoints_3d", (NUM_JOINTS, 3)).astype(np.float64)
    k2 = column_numpy(table, "keypoints_2d", (NUM_JOINTS, 2)).astype(np.float64)
    sc = column_numpy(table, "keypoint_scores", (NUM_JOINTS,)).astype(np.float64)
    foc = column_numpy(table, "focal", (2,)).astype(np.float64)
    cen = column_numpy(table, "center", (2,)).astype(np.float64)
    wh = np.stack([column_numpy(table, "image_width"), column_numpy(table, "image_height")], -1)
    fps = column_numpy(table, "fps").astype(np.float64) if "fps" in table.column_names else np.full(len(k3), 25.0)
    out = np.zeros((len(k3), NUM_JOINTS, 3), np.float32)
    ids = [table.column(c).to_pylist() for c in ("subject", "action", "camera") if c in table.column_names]
    for rows in tqdm(_sequence_slices(table), desc=f"depth at severity {severity:g}", disable=not progress):
        r0 = int(rows[0])
        key = "/".join(str(col[r0]) for col in ids)
        err = depth_error_preset(preset, severity=severity, fps=float(fps[r0]) or 25.0)
        d = depth_descriptors_from_joints(
            torch.as_tensor(k3[rows]), None if at_gt else torch.as_tensor(k2[rows]), torch.as_tensor(sc[rows]),
            foc[r0], cen[r0], mode=RE_DERIVE_MODE, num_samples=RE_DERIVE_SAMPLES,
            corruption=err if severity > 0 else None, seed=seed + zlib.crc32(key.encode()),
            image_size=(int(wh[r0, 0]), int(wh[r0, 1])), chunk_size=1024,
        )  # fmt: skip
        out[rows] = d.numpy().astype(np.float32)
    typ = table.schema.field("d").type if "d" in table.column_names else pa.list_(pa.float32(), NUM_JOINTS)
    for i, name in enumerate(("d", "d_min", "d_max")):
        col = pa.FixedSizeListArray.from_arrays(pa.array(out[..., i].reshape(-1), pa.float32()), NUM_JOINTS)
        col = col.cast(typ)
        if name in table.column_names:
            table = table.set_column(table.column_names.index(name), name, col)
        else:
            table = table.append_column(name, col)
    return table


def severity_markdown(results: dict[str, dict[str, dict[float, float]]]) -> str:
    """``{dataset: {model: {severity: mpjpe}}}`` -> markdown (one table per dataset, severities as columns)."""
    lines = []
    for ds, models in results.items():
        sev = sorted({s for v in models.values() for s in v})
        lines += [f"### {ds}", "", "| model | " + " | ".join(f"S={s:g}" for s in sev) + " |",
                  "|---|" + "---|" * len(sev)]  # fmt: skip
        for m, v in models.items():
            lines.append(f"| {m} | " + " | ".join(f"{v[s]:.1f}" if s in v else "" for s in sev) + " |")
        lines.append("")
    return "\n".join(lines)


def severity_csv(results: dict[str, dict[str, dict[float, float]]]) -> str:
    rows = ["dataset,model,severity,mpjpe_mm"]
    rows += [f"{ds},{m},{s:g},{v:.3f}" for ds, ms in results.items() for m, sv in ms.items() for s, v in sv.items()]
    return "\n".join(rows) + "\n"


def plot_severity(results: dict[str, dict[str, dict[float, float]]], path: str | os.PathLike) -> Path:
    """MPJPE vs severity, one panel per dataset, one line per model (XY models are flat)."""
    from .plots import _plt, save_figure

    plt = _plt()
    n = max(len(results), 1)
    fig, axes = plt.subplots(1, n, figsize=(5 * n, 3.8), squeeze=False)
    for ax, (ds, models) in zip(axes[0], results.items()):
        for m, v in models.items():
            s = sorted(v)
            ax.plot(s, [v[x] for x in s], marker="o", label=m)
        ax.set_title(ds)
        ax.set_xlabel("depth error severity (0 = exact, 1 = Depth Anything V2 metric preset)")
        ax.set_ylabel("MPJPE (mm)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    return save_figure(fig, path)


def write_severity(results: dict[str, dict[str, dict[float, float]]], out: str | os.PathLike) -> dict[str, Path]:
    from ..utils.io import atomic_write_file

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, text in (
        ("depth_severity.md", severity_markdown(results)),
        ("depth_severity.csv", severity_csv(results)),
    ):
        with atomic_write_file(out / name, "w", encoding="utf-8") as fh:
            fh.write(text)
        paths[name] = out / name
    paths["depth_severity.png"] = plot_severity(results, out / "depth_severity.png")
    return paths


__all__: Sequence[str] = ["rederive_depth", "select_sequences", "severity_markdown", "write_severity"]
