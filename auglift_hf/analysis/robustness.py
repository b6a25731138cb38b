"""Stratified error analysis (shared by every AugLift analysis) and robustness to 2D detection error.

An analysis assigns each test pose a scalar (2D error, occlusion, novelty, depth-order accuracy), cuts the
test set into quantile bins of that scalar, and reports each model's mean MPJPE per bin.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np


def stratify(
    values: np.ndarray, errors: dict[str, np.ndarray], num_bins: int = 4, name: str = "value"
) -> list[dict[str, float]]:
    """Quantile bins of ``values`` ``(N,)`` and each model's mean of ``errors[model]`` ``(N,)`` per bin.

    Returns one row per bin: ``{"bin", "low", "high", "count", <model>: mean error, ...}`` (bins may be
    empty when ``values`` has ties; they are merged into the next non-empty bin, labelled e.g. ``Q1-Q3``).
    """
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    if values.size == 0:
        raise ValueError(f"`{name}` is empty")
    for model, e in errors.items():
        if np.shape(e) != values.shape:
            raise ValueError(f"errors[{model!r}] must have shape {values.shape}, got {np.shape(e)}")
    edges = np.quantile(values, np.linspace(0, 1, num_bins + 1))
    which = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, num_bins - 1)
    rows, start = [], 0
    for b in range(num_bins):
        mask = which == b
        if not mask.any():
            continue
        # Ties collapse quantile edges: the empty bins before this one are merged into it (e.g. "Q1-Q3").
        label = f"Q{b + 1}" if start == b else f"Q{start + 1}-Q{b + 1}"
        row = {"bin": label, "low": float(edges[start]), "high": float(edges[b + 1]), "count": int(mask.sum())}
        start = b + 1
        row.update({m: float(np.asarray(e, np.float64)[mask].mean()) for m, e in errors.items()})
        rows.append(row)
    return rows


def rows_markdown(rows: list[dict[str, float]], value_name: str, unit: str = "mm") -> str:
    """Markdown table of :func:`stratify` rows."""
    if not rows:
        return "(no rows)"
    models = [k for k in rows[0] if k not in ("bin", "low", "high", "count")]
    lines = [
        f"| bin | {value_name} range | poses | " + " | ".join(f"{m} ({unit})" for m in models) + " |",
        "|---|---|---|" + "---|" * len(models),
    ]
    for r in rows:
        lines.append(
            f"| {r['bin']} | {r['low']:.3g} - {r['high']:.3g} | {r['count']} | "
            + " | ".join(f"{r[m]:.1f}" for m in models)
            + " |"
        )
    return "\n".join(lines)


def write_stratified(
    rows: list[dict[str, float]], out_dir: str | os.PathLike, stem: str, value_name: str, title: str
) -> dict[str, Path]:
    """Write ``<stem>.md`` and a grouped-bar ``<stem>.png`` of :func:`stratify` rows."""
    from ..utils.io import atomic_write_file
    from .plots import bar_plot

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    md = out / f"{stem}.md"
    with atomic_write_file(md, "w") as fh:
        fh.write(f"# {title}\n\n{rows_markdown(rows, value_name)}\n")
    models = [k for k in rows[0] if k not in ("bin", "low", "high", "count")] if rows else []
    png = bar_plot(
        [r["bin"] for r in rows], {m: [r[m] for r in rows] for m in models}, out / f"{stem}.png",
        ylabel="MPJPE (mm)", title=title, xlabel=f"{value_name} quantile bin",
    )  # fmt: skip
    return {"markdown": md, "plot": png}


def detection_error_2d(detected_2d: np.ndarray, gt_2d: np.ndarray, normalize: bool = True) -> np.ndarray:
    """Per-pose mean 2D keypoint error ``(N,)``: pixels, or (``normalize``) a fraction of the GT torso length.

    Args:
        detected_2d, gt_2d: ``(N, 17, 2)`` pixels.
    """
    det, gt = np.asarray(detected_2d, np.float64), np.asarray(gt_2d, np.float64)
    if det.shape != gt.shape or det.shape[-2:] != (17, 2):
        raise ValueError(f"`detected_2d` and `gt_2d` must both be (N, 17, 2), got {det.shape} and {gt.shape}")
    err = np.linalg.norm(det - gt, axis=-1).mean(-1)
    if normalize:
        torso = np.linalg.norm(gt[:, 8] - gt[:, 0], axis=-1)
        err = err / np.maximum(torso, 1e-6)
    return err


def robustness_analysis(
    detected_2d: np.ndarray, gt_2d: np.ndarray, errors: dict[str, np.ndarray], num_bins: int = 4
) -> list[dict[str, float]]:
    """MPJPE per quantile bin of the 2D detection error (fraction of torso length)."""
    return stratify(detection_error_2d(detected_2d, gt_2d), errors, num_bins, "2D error")
