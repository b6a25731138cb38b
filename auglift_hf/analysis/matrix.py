"""The cross-dataset evaluation matrix: every model (its train set) x every test set.

Each cell holds MPJPE / PA-MPJPE / N-MPJPE (mm), PCK3D / AUC (fractions), frame-wise (all windows pooled) and
action-wise (mean of per-action means), computed with the pure metric functions on flip-tested predictions; a
model made of seed replicates holds their mean (``<metric>_seeds``: mean, std, count). Written as Markdown (with
the frames scored per table, the data each table holds and the evaluation settings), CSV, a heatmap PNG,
``comparisons.md`` (paired bootstrap intervals), ``evaluation.json`` and a per-action table per (model, test set).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

METRICS: tuple[str, ...] = ("mpjpe", "pa_mpjpe", "n_mpjpe", "pck3d", "auc")


def predict_dataset(model: Any, dataset: Any, batch_size: int = 1024, flip_test: bool = True) -> dict[str, np.ndarray]:
    """Predictions of ``model`` on a :class:`~auglift_hf.data.PoseWindowDataset` (centre frames, metres).

    Returns ``{"pred": (N, 17, 3), "target": (N, 17, 3)}`` in metres, batched with ``dataset.get_batch``
    when available.
    """
    import torch

    model.eval()
    preds, targets = [], []
    n = len(dataset)
    with torch.no_grad():
        for start in range(0, n, batch_size):
            idx = np.arange(start, min(start + batch_size, n))
            if hasattr(dataset, "get_batch"):
                batch = dataset.get_batch(idx)
                x, y = batch["keypoints"], batch["labels"]
            else:
                items = [dataset[int(i)] for i in idx]
                x = torch.stack([torch.as_tensor(it["keypoints"]) for it in items])
                y = torch.stack([torch.as_tensor(it["labels"]) for it in items])
            out = model(keypoints=x.float(), flip_test=flip_test).poses_3d
            preds.append(out[:, out.shape[1] // 2].numpy())
            targets.append(y[:, y.shape[1] // 2].numpy())
    return {"pred": np.concatenate(preds), "target": np.concatenate(targets)}


def cell_metrics(pred_mm: np.ndarray, target_mm: np.ndarray, actions: Sequence[str] | None = None) -> dict[str, Any]:
    """Frame-wise and action-wise metrics of one (model, test set) cell (mm / fractions)."""
    from ..metrics.functional import compute_pose3d_metrics

    return compute_pose3d_metrics(pred_mm, target_mm, actions)


def average_cells(cells: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Mean of the numbers of several replicates' cells (same poses): metrics, action-wise means, per-action tables."""
    out = dict(cells[0])
    if len(cells) == 1:
        return out
    for key, value in cells[0].items():
        if isinstance(value, float):
            out[key] = float(np.mean([c[key] for c in cells]))
    if cells[0].get("per_action"):
        out["per_action"] = {
            action: {k: (float(np.mean([c["per_action"][action][k] for c in cells])) if k != "count" else v)
                     for k, v in vals.items()}
            for action, vals in cells[0]["per_action"].items()
        }  # fmt: skip
    return out


def build_matrix(cells: dict[tuple[str, str], dict[str, Any]], metric: str = "mpjpe", action_wise: bool = False):
    """``{(model, test_set): metrics}`` -> ``(values (models, sets), model_names, set_names)`` for one metric."""
    models = list(dict.fromkeys(m for m, _ in cells))
    sets = list(dict.fromkeys(s for _, s in cells))
    values = np.full((len(models), len(sets)), np.nan)  # skipped cells ({"skipped": reason}) stay NaN
    key = f"{metric}_action_wise" if action_wise else metric
    for (m, s), res in cells.items():
        values[models.index(m), sets.index(s)] = res.get(key, np.nan)
    return values, models, sets


def matrix_markdown(cells: dict[tuple[str, str], dict[str, Any]], metrics: Sequence[str] = METRICS) -> str:
    """One Markdown table per metric (rows: models / train sets, columns: test sets), frame-wise and action-wise."""
    parts = []
    for metric in metrics:
        for action_wise in (False, True):
            values, models, sets = build_matrix(cells, metric, action_wise)
            if action_wise and np.isnan(values).all():
                continue
            scale = 100.0 if metric in ("pck3d", "auc") else 1.0
            unit = "%" if scale == 100.0 else "mm"
            kind = "action-wise mean" if action_wise else "frame-wise mean"
            parts.append(f"### {metric.upper()} ({unit}, {kind})\n")
            parts.append("| model \\ test | " + " | ".join(sets) + " |")
            parts.append("|---|" + "---|" * len(sets))
            for r, m in enumerate(models):
                texts = []
                for c, v in enumerate(values[r]):
                    seeds = cells.get((m, sets[c]), {}).get(f"{metric}_seeds") if not action_wise else None
                    spread = f" ± {seeds['std'] * scale:.1f}" if seeds and seeds["seeds"] > 1 else ""
                    texts.append(f"{v * scale:.1f}{spread}" if np.isfinite(v) else "-")
                parts.append(f"| {m} | " + " | ".join(texts) + " |")
            parts.append("")
    skipped = [(m, s, res["skipped"]) for (m, s), res in cells.items() if res.get("skipped")]
    if skipped:
        parts.append("### Skipped cells (shown as -)\n")
        parts += [f"- {m} on {s}: {reason}" for m, s, reason in skipped]
        parts.append("")
    return "\n".join(parts)


def matrix_csv(cells: dict[tuple[str, str], dict[str, Any]]) -> str:
    """Long-format CSV: ``model, test_set, metric, frame_wise, action_wise, num_poses, seeds, seed_std``."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["model", "test_set", "metric", "frame_wise", "action_wise", "num_poses", "seeds", "seed_std"])
    for (m, s), res in cells.items():
        if res.get("skipped"):
            continue  # listed with its reason in matrix.md
        for metric in METRICS:
            seeds = res.get(f"{metric}_seeds") or {}
            writer.writerow([
                m, s, metric, res.get(metric), res.get(f"{metric}_action_wise", ""), res.get("num_poses"),
                res.get("seeds", 1), "" if seeds.get("std") is None else seeds["std"],
            ])  # fmt: skip
    return buf.getvalue()


def per_action_markdown(cell: dict[str, Any], metrics: Sequence[str] = ("mpjpe", "pa_mpjpe")) -> str:
    """Per-action table of one cell (rows: actions, plus the frame-wise and action-wise averages)."""
    per_action = cell.get("per_action") or {}
    lines = [
        "| action | frames | " + " | ".join(f"{m} (mm)" for m in metrics) + " |",
        "|---|---|" + "---|" * len(metrics),
    ]
    for action, vals in per_action.items():
        lines.append(f"| {action} | {vals['count']} | " + " | ".join(f"{vals[m]:.1f}" for m in metrics) + " |")
    lines.append(
        "| **frame-wise mean** | "
        + f"{cell.get('num_poses', '')} | "
        + " | ".join(f"{cell[m]:.1f}" for m in metrics)
        + " |"
    )
    if all(f"{m}_action_wise" in cell for m in metrics):
        lines.append(
            "| **action-wise mean** | | " + " | ".join(f"{cell[f'{m}_action_wise']:.1f}" for m in metrics) + " |"
        )
    return "\n".join(lines)


def run_markdown(run_info: dict[str, Any]) -> str:
    """What was scored: settings, models (seed replicates), what was done to the depth (``run_info["depth"]``,
    e.g. withheld by ``--no-depth``) and, per table, its data and frame counts."""
    lines = [
        f"- Frames: {run_info['subsample']}; {run_info['padding']}.",
        f"- Flip test: {'yes' if run_info.get('flip_test') else 'no'}; config `{run_info['config']}`, "
        f"split `{run_info['split']}`.",
        "- Models (seed replicates): "
        + "; ".join(f"{n}: {len(f)} seed{'s' if len(f) > 1 else ''}" for n, f in run_info["models"].items()),
        *([f"- Depth: **{run_info['depth']}**."] if run_info.get("depth") else []),
        "",
        "| table | data | protocol frames | scored frames | unscored (no input) | sequences | takes |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, t in run_info["tables"].items():
        f = t.get("frames") or {}
        unscored = ", ".join(f"{r} {n:,}" for r, n in (f.get("unscored") or {}).items()) or "0"
        lines.append(
            f"| {name} | {t['label']} | {f.get('protocol_frames', 0):,} | {f.get('scored_frames', 0):,} | "
            f"{unscored} | {f.get('sequences', 0):,} | {f.get('takes', 0):,} |"
        )
    return "\n".join(lines) + "\n\n"


def comparisons_markdown(comparisons: Sequence[dict[str, Any]]) -> str:
    """One line per (pair, table, metric): the paired bootstrap interval, or "no significant difference"."""
    from ..metrics.bootstrap import describe_comparison

    if not comparisons:
        return "No comparisons (fewer than two models evaluated on a common table).\n"
    lines = [
        "Paired bootstrap over test takes (all cameras of a take resampled together), B - A in mm; an interval that "
        "contains 0 is reported as no significant difference. Seed replicates are averaged per pose first.",
        "",
        "| B vs A | table | frames | seeds A / B | MPJPE | PA-MPJPE |",
        "|---|---|---|---|---|---|",
    ]
    for c in comparisons:
        cols = [
            describe_comparison(c[m], c["a"], c["b"], groups="takes").split(": ", 1)[1] for m in ("mpjpe", "pa_mpjpe")
        ]
        lines.append(f"| {c['b']} vs {c['a']} | {c['table']} | {c['mpjpe']['num_poses']:,} | {c['seeds_a']} / {c['seeds_b']} | " + " | ".join(cols)
                     + " |")  # fmt: skip
    return "\n".join(lines) + "\n"


def write_matrix(
    cells: dict[tuple[str, str], dict[str, Any]],
    out_dir: str | os.PathLike,
    run_info: dict[str, Any] | None = None,
    comparisons: Sequence[dict[str, Any]] | None = None,
) -> dict[str, Path]:
    """Write ``matrix.md``, ``matrix.csv``, ``matrix_mpjpe.png`` (heatmap) and ``per_action_<model>_<set>.md``;
    with ``run_info`` (settings, models, tables' data and frame counts) also ``comparisons.md`` and
    ``evaluation.json`` (run info, cells and comparisons, machine-readable)."""
    import json

    from ..utils.io import atomic_write_file
    from .plots import heatmap

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"markdown": out / "matrix.md", "csv": out / "matrix.csv"}
    withheld = "; depth withheld (--no-depth)" if (run_info or {}).get("depth") else ""
    with atomic_write_file(paths["markdown"], "w") as fh:
        fh.write(f"# Cross-dataset evaluation (rows: model / train set, columns: test set; flip test{withheld})\n\n")
        if run_info is not None:
            fh.write(run_markdown(run_info))
        fh.write(matrix_markdown(cells))
    with atomic_write_file(paths["csv"], "w") as fh:
        fh.write(matrix_csv(cells))
    if run_info is not None:
        paths["comparisons"], paths["json"] = out / "comparisons.md", out / "evaluation.json"
        with atomic_write_file(paths["comparisons"], "w") as fh:
            note = f"Depth: **{run_info['depth']}**.\n\n" if run_info.get("depth") else ""
            fh.write(f"# Comparisons{withheld}\n\n" + note + comparisons_markdown(comparisons or []))
        record = {
            **run_info,
            "cells": [{"model": m, "table": s, **res} for (m, s), res in cells.items()],
            "comparisons": list(comparisons or []),
        }
        with atomic_write_file(paths["json"], "w") as fh:
            fh.write(json.dumps(record, indent=1, default=_json_default))
    values, models, sets = build_matrix(cells, "mpjpe")
    notes = {
        (models.index(m), sets.index(s)): "skipped: " + res["skipped"].split(" (")[0]
        for (m, s), res in cells.items()
        if res.get("skipped") and m in models and s in sets
    }
    paths["heatmap"] = heatmap(
        values, models, sets, out / "matrix_mpjpe.png", "MPJPE (mm), frame-wise", "mm", notes=notes
    )
    for (m, s), res in cells.items():
        if res.get("per_action"):
            p = out / f"per_action_{_slug(m)}_{_slug(s)}.md"
            with atomic_write_file(p, "w") as fh:
                fh.write(f"# {m} on {s}\n\n" + per_action_markdown(res) + "\n")
            paths[f"per_action:{m}:{s}"] = p
    return paths


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _slug(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in str(name))
