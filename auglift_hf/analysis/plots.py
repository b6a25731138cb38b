"""Plot helpers shared by the analyses and the quickstart (matplotlib, Agg backend, atomic PNG writes)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..skeleton import H36M_BONES, H36M_LEFT_JOINTS


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig: Any, path: str | os.PathLike, dpi: int = 110) -> Path:
    """Save ``fig`` as PNG atomically (temp file then rename) and close it."""
    from ..utils.io import atomic_write_file

    path = Path(path)
    fig.tight_layout()
    with atomic_write_file(path, "wb") as fh:
        fig.savefig(fh, format="png", dpi=dpi)
    _plt().close(fig)
    return path


def draw_skeleton_3d(ax: Any, joints: np.ndarray, color: str = "black", label: str | None = None) -> None:
    """Draw one ``(17, 3)`` camera-frame pose (x right, y down, z forward) upright on a 3D axis."""
    j = np.asarray(joints, dtype=np.float64)
    left = set(H36M_LEFT_JOINTS)
    for n, (c, p) in enumerate(H36M_BONES):
        ax.plot(
            [j[c, 0], j[p, 0]], [j[c, 2], j[p, 2]], [-j[c, 1], -j[p, 1]],
            color=color, lw=2.5 if c in left else 1.5, label=label if n == 0 else None,
        )  # fmt: skip
    ax.set_xlabel("x")
    ax.set_ylabel("z (depth)")
    ax.set_zlabel("-y")
    centre, span = j.mean(0), max(np.ptp(j, 0).max() / 2, 0.5)
    ax.set_xlim(centre[0] - span, centre[0] + span)
    ax.set_ylim(centre[2] - span, centre[2] + span)
    ax.set_zlim(-centre[1] - span, -centre[1] + span)


def heatmap(
    values: np.ndarray,
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    path: str | os.PathLike,
    title: str = "",
    cbar_label: str = "",
    fmt: str = "{:.1f}",
    cmap: str = "viridis_r",
    notes: dict[tuple[int, int], str] | None = None,
) -> Path:
    """Annotated heatmap ``(rows, cols)`` written as PNG; NaN cells are grey and show their ``notes[(row, col)]``
    (e.g. ``"skipped: <reason>"``, wrapped) instead of a number."""
    plt = _plt()
    values = np.asarray(values, dtype=np.float64)
    fig, ax = plt.subplots(figsize=(1.6 + 1.2 * len(col_labels), 1.2 + 0.7 * len(row_labels)))
    im = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, aspect="auto")
    ax.set_xticks(range(len(col_labels)), col_labels, rotation=30, ha="right")
    ax.set_yticks(range(len(row_labels)), row_labels)
    ax.set_xlabel("test set")
    ax.set_ylabel("model (train set)")
    finite = values[np.isfinite(values)]
    mid = finite.mean() if finite.size else 0.0
    import textwrap

    ax.set_facecolor("0.85")  # masked (NaN) cells
    for (r, c), v in np.ndenumerate(values):
        if np.isfinite(v):
            ax.text(c, r, fmt.format(v), ha="center", va="center", color="white" if v > mid else "black", fontsize=9)
        elif notes and (r, c) in notes:
            text = "\n".join(textwrap.wrap(notes[(r, c)], 24)[:5])
            ax.text(c, r, text, ha="center", va="center", color="black", fontsize=6)
    fig.colorbar(im, ax=ax, label=cbar_label)
    ax.set_title(title)
    return save_figure(fig, path)


def bar_plot(
    groups: Sequence[str],
    series: dict[str, Sequence[float]],
    path: str | os.PathLike,
    ylabel: str = "",
    title: str = "",
    xlabel: str = "",
) -> Path:
    """Grouped bars: one group per entry of ``groups``, one bar per series (e.g. per model)."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(max(5.0, 1.2 * len(groups) * max(len(series), 1) * 0.6 + 2), 4))
    width = 0.8 / max(len(series), 1)
    x = np.arange(len(groups))
    for i, (name, vals) in enumerate(series.items()):
        ax.bar(x + (i - (len(series) - 1) / 2) * width, np.asarray(vals, dtype=np.float64), width, label=name)
    ax.set_xticks(x, groups)
    ax.set_ylabel(ylabel)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    if len(series) > 1:
        ax.legend()
    return save_figure(fig, path)
