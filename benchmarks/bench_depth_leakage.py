"""How much of the 3D answer the simulated depth channel hands over (issue 24, "leakage" target).

On Human3.6M S9 (the shared real motion ``../shared/data/h36m/data_3d_h36m_fk25.npz``, real cameras, ground-truth
2D), the simulated depth descriptors are built exactly as ``auglift convert h36m --depth-source synthetic`` builds
them (``auglift_hf.data.schema.synthetic_depth_source`` for ``capsule-v1``, applied per sequence through
``_apply_depth``; :func:`auglift_hf.simulation.surface_depth.surface_depth_source` for ``surface-v2``; CASP,
the contract's default descriptor). Root-relative z is then "recovered" from the ``d`` channel alone, as the
pelvis-relative encoding presents it: ``z_hat_j = d_j - d_pelvis`` minus a per-joint mean bias (fitted on the same
frames, so the most favourable linear read-out of ``d`` per joint). Reported: the median of ``|z_hat_j - z_j|``
over frames and the 16 non-pelvis joints (mm), the mean true ``|z_j|`` (mm), and the removed bias of the ankles
and wrists (mm; large positive = their samples read the background). A lifter can do at least this well
from ``d`` alone; the issue's target is a median >= 100 mm at the calibrated severity.

Frames: every sequence of S9 x 4 cameras at ``--stride`` (default 47: 2,444 frames spread over all of S9; the
depth error's temporal processes run at 25 / stride Hz). All depth is **simulated**.

Usage::

    python benchmarks/bench_depth_leakage.py --simulation capsule-v1 --severities 0 1
    python benchmarks/bench_depth_leakage.py --simulation surface-v2 --severities 0 1 2 3
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "h36m")


def leakage(d: np.ndarray, z: np.ndarray) -> tuple[float, float, np.ndarray]:
    """Median |error| (mm) of ``d_j - d_pelvis`` minus its per-joint mean bias vs root-relative ``z`` ``(N, 17)``
    metres, over the 16 non-pelvis joints, the mean true |z| (mm) and the removed per-joint bias ``(17,)`` (mm)."""
    rel_d = d - d[:, :1]
    rel_z = z - z[:, :1]
    err = rel_d - rel_z
    bias = err.mean(0, keepdims=True)
    err = err - bias
    return float(1000 * np.median(np.abs(err[:, 1:]))), float(1000 * np.abs(rel_z[:, 1:]).mean()), 1000 * bias[0]


def depth_for(
    records: list, simulation: str, severity: float, seed: int, overrides: dict[str, float] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    from auglift_hf.data.schema import _apply_depth, synthetic_depth_source
    from auglift_hf.simulation.surface_depth import surface_depth_source
    from auglift_hf.simulation.surface_error import SurfaceDepthError

    fps = records[0].fps
    if simulation == "capsule-v1":
        src = synthetic_depth_source(mode="casp", seed=seed, severity=severity, fps=fps)
    else:
        error = SurfaceDepthError(severity=severity, fps=fps, **(overrides or {}))
        src = surface_depth_source(mode="casp", seed=seed, error=error)
    d, z = [], []
    for rec in records:
        d.append(_apply_depth(src, rec, detected=False)[..., 0])
        z.append(rec.keypoints_3d[..., 2])
    return np.concatenate(d), np.concatenate(z)


def main(argv: list[str] | None = None) -> int:
    from auglift_hf.simulation.surface_error import SurfaceDepthError

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--simulation", choices=("capsule-v1", "surface-v2"), default="capsule-v1")
    ap.add_argument("--severities", type=float, nargs="+", default=[0.0, 1.0])
    ap.add_argument("--stride", type=int, default=47)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data", default=DATA)
    ap.add_argument(
        "--compare-speed", action="store_true",
        help="also time both simulations at severity 1 on the same frames (median of 3, same process) and the ratio",
    )  # fmt: skip
    ap.add_argument(
        "--error-override", nargs="*", default=[], metavar="NAME=VALUE",
        help="surface-v2 only: SurfaceDepthError fields to change (ablations, e.g. flip_fraction=0 thin_mix=0)",
    )  # fmt: skip
    args = ap.parse_args(argv)
    overrides = {}
    for item in args.error_override:
        name, _, value = item.partition("=")
        if not value or name not in SurfaceDepthError.__dataclass_fields__:
            ap.error(f"--error-override {item!r}: expected NAME=VALUE with NAME a SurfaceDepthError field")
        overrides[name] = float(value)
    if overrides and args.simulation != "surface-v2":
        ap.error("--error-override applies to --simulation surface-v2 only")
    import torch

    torch.set_num_threads(1)  # timings comparable on a shared machine (thread oversubscription made them erratic)
    from auglift_hf.data.h36m import read_h36m_positions_3d

    motion = os.path.join(args.data, "data_3d_h36m_fk25.npz")
    if not os.path.exists(motion):
        print(f"{motion} not found (the shared H36M motion); nothing measured")
        return 1
    records = read_h36m_positions_3d(
        motion, os.path.join(args.data, "cameras.pkl"), subjects=["S9"], fps=25.0, stride=args.stride
    )
    frames = sum(r.num_frames for r in records)
    print(f"S9: {len(records)} sequences x cameras, {frames} frames (stride {args.stride}); simulated depth, GT 2D")
    if overrides:
        print(f"error overrides: {overrides}")
    print("simulation   severity  median |z err| mm  mean true |z| mm  ratio  bias ankles / wrists mm   time s")
    for sev in args.severities:
        t0 = time.perf_counter()
        d, z = depth_for(records, args.simulation, sev, args.seed, overrides)
        med, mean_z, bias = leakage(d, z)
        dt = time.perf_counter() - t0
        limbs = f"{np.mean(bias[[3, 6]]):+8.1f} / {np.mean(bias[[13, 16]]):+8.1f}"
        print(
            f"{args.simulation:11s}  {sev:8.2f}  {med:17.1f}  {mean_z:16.1f}  {med / mean_z:5.2f}  {limbs:>23s}  {dt:7.1f}"
        )
    if args.compare_speed:
        times = {}
        for sim in ("capsule-v1", "surface-v2"):
            runs = []
            for _ in range(3):
                t0 = time.perf_counter()
                depth_for(records, sim, 1.0, args.seed)
                runs.append(time.perf_counter() - t0)
            times[sim] = float(np.median(runs))
        ratio = times["surface-v2"] / times["capsule-v1"]
        print(
            f"time at severity 1 (median of 3): capsule-v1 {times['capsule-v1']:.2f} s, "
            f"surface-v2 {times['surface-v2']:.2f} s, ratio {ratio:.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
