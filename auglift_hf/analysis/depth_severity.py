"""Depth-quality analysis: re-derive a table's depth channels at monocular-depth error severities.

``auglift evaluate ... --depth-severity 0 0.5 1 2`` replaces the ``d, d_min, d_max`` columns of every evaluated
table by the capsule-body ray caster's CASP descriptors (:func:`auglift_hf.simulation.depth_descriptors_from_joints`)
corrupted by :func:`auglift_hf.simulation.depth_error_preset` at each severity (0 = the undistorted depth of the
capsule body), sampled where the table's 2D keypoints are (the ``gt2d`` config: at the exact pinhole projection of
the 3D joints, as ``benchmarks/reference/build_data.py`` builds it), one sequence at a time (the error model's
scale drift and flicker run over consecutive frames). Only mocap-derived tables (3D joints + intrinsics) can be
re-derived; the depth of a real depth network cannot be re-simulated.

Two simulations (:data:`auglift_hf.data.schema.DEPTH_SIMULATIONS`): ``capsule-v1`` (above; the default, and what
tables whose card names no simulation get) and ``surface-v2`` (:mod:`auglift_hf.simulation.surface_depth`: the
body surface on a floor in a room or outdoors, corrupted by
:func:`~auglift_hf.simulation.surface_error.surface_error_preset`, sampled with the sampling parameters of the
table card's descriptor). A table is re-derived with the simulation its dataset card names
(:func:`card_depth_simulation`, from the depth source ``auglift convert --depth-simulation`` writes); an explicit
``--depth-simulation`` that contradicts the card is refused (:func:`resolve_simulation`). Each sequence's draws (body
shape, scene, error) are seeded by the sequence's ids, the same at every severity and for every model; they are not
the table's own draws (its converter seeds sequences by call order, which the table does not record).

Outputs: ``depth_severity.md`` / ``.csv`` (MPJPE per model, dataset and severity, with the simulation that
re-derived each dataset's depth; the XY models are flat lines) and ``depth_severity.png`` (MPJPE vs severity per
dataset; the break-even severity where XYCD stops beating XY is the headline).
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

#: Descriptor parameters used to re-derive the depth (those of ``build_data.py`` and the shipped contract).
RE_DERIVE_MODE = "casp"
RE_DERIVE_SAMPLES = 16
#: The default simulation (what tables whose card names none are re-derived with, as before surface-v2 existed).
DEFAULT_SIMULATION = "capsule-v1"
#: Default error-model preset per simulation.
DEFAULT_PRESETS: dict[str, str] = {"capsule-v1": "depth-anything-v2-metric", "surface-v2": "surface-v2"}
#: How each simulation's depth source names itself in a card's depth text
#: (:func:`auglift_hf.simulation.depth_source.simulated_depth_source`'s ``body``: "capsule-body renderer" /
#: "surface-v2 surface body ...").
_CARD_NAMES: dict[str, str] = {"capsule-v1": r"capsule-v1|capsule-body", "surface-v2": r"surface-v2"}
#: Parameters of a card descriptor the surface-v2 re-derivation samples with (mode is always CASP: d, d_min, d_max).
_SAMPLING_KEYS = ("radius", "num_samples", "pattern", "pattern_seed", "extrema", "r_min", "r_max", "k", "beta", "gamma")  # fmt: skip


def card_depth_simulation(table_dir: str | os.PathLike, config: str = "gt2d") -> str | None:
    """The depth simulation a table's dataset card names (``"capsule-v1"`` / ``"surface-v2"``), ``None`` when its
    depth is not simulated by either (real depth, a custom source, no card)."""
    from .protocol import describe_table

    text = describe_table(table_dir, config).get("depth") or ""
    found = [name for name, pattern in _CARD_NAMES.items() if re.search(pattern, text)]
    return found[0] if len(found) == 1 else None


def resolve_simulation(table_dir: str | os.PathLike, flag: str | None, config: str = "gt2d") -> str:
    """The simulation to re-derive a table's depth with: ``flag`` (``--depth-simulation``) or the card's, else
    :data:`DEFAULT_SIMULATION`; a flag that contradicts the card is a one-line ``ValueError`` naming both."""
    card = card_depth_simulation(table_dir, config)
    if flag is not None and card is not None and flag != card:
        raise ValueError(
            f"--depth-simulation {flag} contradicts the dataset card of {os.fspath(table_dir)}, whose depth was "
            f"simulated with {card}: drop the flag or give --depth-simulation {card}"
        )
    return flag or card or DEFAULT_SIMULATION


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
    preset: str | None = None,
    seed: int = 0,
    progress: bool = True,
    simulation: str = DEFAULT_SIMULATION,
    descriptor: Mapping[str, Any] | None = None,
) -> Any:
    """A copy of ``table`` (pyarrow) whose ``d, d_min, d_max`` columns are re-derived at ``severity``.

    Args:
        table: a frame table with ``keypoints_3d``, ``keypoints_2d``, ``keypoint_scores``, ``focal``, ``center``,
            ``image_width``, ``image_height``, ``fps`` and the id columns.
        severity: error severity (0 = exact capsule-body depth).
        at_gt: sample at the exact pinhole projection of the 3D joints (the ``gt2d`` config) instead of the
            table's 2D keypoints (``detected2d``).
        preset: the error model's preset (``None``: :data:`DEFAULT_PRESETS` of ``simulation``).
        seed: base seed; each sequence uses ``seed`` + a hash of its ids (the same draws for every model).
        simulation: ``"capsule-v1"`` (the capsule ray caster, CASP with :data:`RE_DERIVE_SAMPLES` samples) or
            ``"surface-v2"`` (:func:`auglift_hf.simulation.surface_depth.surface_descriptors_from_joints`).
        descriptor: surface-v2 only: the table's ``depth_descriptor`` (its card's contract), whose sampling
            parameters (:data:`_SAMPLING_KEYS`) the CASP descriptors use; ``None`` = the default descriptor.
    """
    import pyarrow as pa
    import torch
    from tqdm.auto import tqdm

    from ..data.windows import column_numpy
    from ..simulation import depth_descriptors_from_joints, depth_error_preset
    from ..skeleton import NUM_JOINTS

    if severity < 0:
        raise ValueError(f"`severity` must be >= 0, got {severity}")
    if simulation not in DEFAULT_PRESETS:
        raise ValueError(f"`simulation` must be one of {list(DEFAULT_PRESETS)}, got {simulation!r}")
    if descriptor is not None and simulation != "surface-v2":
        raise ValueError("`descriptor` applies to simulation='surface-v2' only")
    preset = preset or DEFAULT_PRESETS[simulation]
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
        if simulation == "surface-v2":
            out[rows] = _surface_rows(k3[rows], None if at_gt else k2[rows], sc[rows], foc[r0], cen[r0],
                                      (int(wh[r0, 0]), int(wh[r0, 1])), severity, preset, float(fps[r0]) or 25.0,
                                      seed + zlib.crc32(key.encode()), descriptor)  # fmt: skip
            continue
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


def _surface_rows(
    k3: np.ndarray,
    k2: np.ndarray | None,
    sc: np.ndarray,
    focal: np.ndarray,
    center: np.ndarray,
    image_size: tuple[int, int],
    severity: float,
    preset: str,
    fps: float,
    seed: int,
    descriptor: Mapping[str, Any] | None,
) -> np.ndarray:
    """``(frames, 17, 3)`` float32 surface-v2 CASP descriptors (metres) of one sequence at ``severity``."""
    from ..contract import default_descriptor
    from ..simulation.surface_depth import surface_descriptors_from_joints
    from ..simulation.surface_error import surface_error_preset

    desc = dict(descriptor) if descriptor is not None else default_descriptor("casp", RE_DERIVE_SAMPLES)
    kwargs = {k: desc[k] for k in _SAMPLING_KEYS if k in desc}
    err = surface_error_preset(preset, severity=severity, fps=fps) if severity > 0 else None
    d = surface_descriptors_from_joints(
        k3, k2, sc, focal, center, mode=RE_DERIVE_MODE, image_size=image_size, error=err, seed=seed, chunk_size=1024,
        **kwargs,
    )  # fmt: skip
    return d.numpy().astype(np.float32)


def _simulated(ds: str, simulations: Mapping[str, str] | None) -> str:
    """`` (depth re-derived with <simulation>)`` for a dataset whose simulation is known, else ``""``."""
    sim = (simulations or {}).get(ds)
    return f" (simulated depth re-derived with {sim})" if sim else ""


def severity_markdown(
    results: dict[str, dict[str, dict[float, float]]], simulations: Mapping[str, str] | None = None
) -> str:
    """``{dataset: {model: {severity: mpjpe}}}`` -> markdown (one table per dataset, severities as columns);
    ``simulations``: ``{dataset: simulation}`` named in each dataset's heading."""
    lines = []
    for ds, models in results.items():
        sev = sorted({s for v in models.values() for s in v})
        lines += [f"### {ds}{_simulated(ds, simulations)}", "", "| model | " + " | ".join(f"S={s:g}" for s in sev) + " |",
                  "|---|" + "---|" * len(sev)]  # fmt: skip
        for m, v in models.items():
            lines.append(f"| {m} | " + " | ".join(f"{v[s]:.1f}" if s in v else "" for s in sev) + " |")
        lines.append("")
    return "\n".join(lines)


def severity_csv(
    results: dict[str, dict[str, dict[float, float]]], simulations: Mapping[str, str] | None = None
) -> str:
    """Long CSV ``dataset,model,severity,mpjpe_mm`` (``,simulation`` appended with ``simulations``)."""
    if simulations is None:
        rows = ["dataset,model,severity,mpjpe_mm"]
        rows += [
            f"{ds},{m},{s:g},{v:.3f}" for ds, ms in results.items() for m, sv in ms.items() for s, v in sv.items()
        ]
        return "\n".join(rows) + "\n"
    rows = ["dataset,model,severity,mpjpe_mm,simulation"]
    rows += [f"{ds},{m},{s:g},{v:.3f},{simulations.get(ds, '')}" for ds, ms in results.items()
             for m, sv in ms.items() for s, v in sv.items()]  # fmt: skip
    return "\n".join(rows) + "\n"


def plot_severity(
    results: dict[str, dict[str, dict[float, float]]],
    path: str | os.PathLike,
    simulations: Mapping[str, str] | None = None,
) -> Path:
    """MPJPE vs severity, one panel per dataset (titled with its simulation), one line per model (XY flat)."""
    from .plots import _plt, save_figure

    plt = _plt()
    n = max(len(results), 1)
    fig, axes = plt.subplots(1, n, figsize=(5 * n, 3.8), squeeze=False)
    for ax, (ds, models) in zip(axes[0], results.items()):
        for m, v in models.items():
            s = sorted(v)
            ax.plot(s, [v[x] for x in s], marker="o", label=m)
        sim = (simulations or {}).get(ds)
        ax.set_title(f"{ds} ({sim} depth)" if sim else ds)
        ax.set_xlabel(
            "depth error severity (0 = exact, 1 = Depth Anything V2 metric preset)"
            if sim in (None, DEFAULT_SIMULATION)
            else f"depth error severity (0 = exact {sim} depth, 1 = its preset)"
        )
        ax.set_ylabel("MPJPE (mm)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    return save_figure(fig, path)


def write_severity(
    results: dict[str, dict[str, dict[float, float]]],
    out: str | os.PathLike,
    simulations: Mapping[str, str] | None = None,
) -> dict[str, Path]:
    """``depth_severity.md`` / ``.csv`` / ``.png`` in ``out``; ``simulations`` (``{dataset: simulation}``) are
    named in all three."""
    from ..utils.io import atomic_write_file

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, text in (
        ("depth_severity.md", severity_markdown(results, simulations)),
        ("depth_severity.csv", severity_csv(results, simulations)),
    ):
        with atomic_write_file(out / name, "w", encoding="utf-8") as fh:
            fh.write(text)
        paths[name] = out / name
    paths["depth_severity.png"] = plot_severity(results, out / "depth_severity.png", simulations)
    return paths


__all__: Sequence[str] = [
    "card_depth_simulation",
    "rederive_depth",
    "resolve_simulation",
    "select_sequences",
    "severity_markdown",
    "write_severity",
]
