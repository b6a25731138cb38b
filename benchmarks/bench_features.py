"""Benchmark: vectorised ``sample_depth`` vs a per-joint Python loop (same run, same maps).

    .venv/bin/python benchmarks/bench_features.py            # 10k frames x 17 joints, 518x518 maps
    .venv/bin/python benchmarks/bench_features.py --frames 2000 --reference-frames 200

The reference mirrors a straightforward implementation (loop over frames and joints, numpy percentiles); it runs
on ``--reference-frames`` frames and its time is extrapolated to ``--frames``. Goal: >= 20x for CASP.
Maps come from a pool of ``--pool`` distinct random maps (10k maps of 518x518 would need 10 GB); every chunk of
frames gets fresh keypoints and scores.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from auglift_hf.features import sample_depth
from auglift_hf.features.depth import CASP_DEFAULTS, disk_pattern


def reference_casp(depth: np.ndarray, kp: np.ndarray, scores: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Per-frame, per-joint loop: the baseline (nearest-pixel disk samples, Q50 / Q10 / Q90)."""
    p = CASP_DEFAULTS
    b, h, w = depth.shape
    out = np.zeros((b, 17, 3), dtype=np.float32)
    for i in range(b):
        torso = np.linalg.norm(kp[i, 0] - kp[i, 8])
        for j in range(17):
            r = np.float32(p["k"]) * torso * (1 + np.float32(p["beta"]) * (1 - scores[i, j])) ** np.float32(p["gamma"])
            r = np.clip(r, np.float32(p["r_min"]), np.float32(p["r_max"]))
            pts = kp[i, j] + r * offsets
            u = np.floor(np.clip(pts[:, 0], 0, w - 1) + 0.5).astype(int)
            v = np.floor(np.clip(pts[:, 1], 0, h - 1) + 0.5).astype(int)
            vals = depth[i, v, u]
            vals = vals[np.isfinite(vals) & (vals > 0)]
            if vals.size:
                out[i, j] = np.percentile(vals, [50, 10, 90])
    return out


def reference_point(depth: np.ndarray, kp: np.ndarray) -> np.ndarray:
    b, h, w = depth.shape
    out = np.zeros((b, 17, 1), dtype=np.float32)
    for i in range(b):
        for j in range(17):
            x = min(max(float(kp[i, j, 0]), 0.0), w - 1.0)
            y = min(max(float(kp[i, j, 1]), 0.0), h - 1.0)
            x0, y0 = int(x), int(y)
            x1, y1 = min(x0 + 1, w - 1), min(y0 + 1, h - 1)
            fx, fy = x - x0, y - y0
            out[i, j, 0] = (
                depth[i, y0, x0] * (1 - fx) * (1 - fy)
                + depth[i, y0, x1] * fx * (1 - fy)
                + depth[i, y1, x0] * (1 - fx) * fy
                + depth[i, y1, x1] * fx * fy
            )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=10_000)
    parser.add_argument("--reference-frames", type=int, default=500)
    parser.add_argument("--size", type=int, default=518)
    parser.add_argument("--pool", type=int, default=64, help="distinct maps (= frames per chunk)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1: stable numbers on a shared box)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    s = args.size
    maps = rng.uniform(1.0, 8.0, size=(args.pool, s, s)).astype(np.float32)
    maps[:, : s // 8] = np.nan  # some invalid rows
    maps_t = torch.from_numpy(maps)

    def keypoints(n: int) -> tuple[np.ndarray, np.ndarray]:
        centre = rng.uniform(0.3 * s, 0.7 * s, size=(n, 1, 2))
        kp = centre + rng.normal(scale=0.12 * s, size=(n, 17, 2))
        return kp.astype(np.float32), rng.uniform(0, 1, size=(n, 17)).astype(np.float32)

    chunks = [keypoints(args.pool) for _ in range(-(-args.frames // args.pool))]
    offsets = disk_pattern(100).numpy()  # float32, as the vectorised path
    print(f"{args.frames} frames x 17 joints, {s}x{s} maps, torch threads {torch.get_num_threads()}")
    for mode in ("point", "casp"):
        sample_depth(maps_t, torch.from_numpy(chunks[0][0]), torch.from_numpy(chunks[0][1]), mode=mode)  # warm-up
        t0 = time.perf_counter()
        done = 0
        for kp, sc in chunks:
            sample_depth(maps_t, torch.from_numpy(kp), torch.from_numpy(sc), mode=mode)
            done += len(kp)
        fast = (time.perf_counter() - t0) * args.frames / done
        # reference on a subset, extrapolated
        n_ref = min(args.reference_frames, args.frames)
        ref_kp = np.concatenate([c[0] for c in chunks])[:n_ref]
        ref_sc = np.concatenate([c[1] for c in chunks])[:n_ref]
        ref_maps = maps[np.arange(n_ref) % args.pool]
        t0 = time.perf_counter()
        ref = (
            reference_casp(ref_maps, ref_kp, ref_sc, offsets) if mode == "casp" else reference_point(ref_maps, ref_kp)
        )
        slow = (time.perf_counter() - t0) * args.frames / n_ref
        got = sample_depth(torch.from_numpy(ref_maps), torch.from_numpy(ref_kp), torch.from_numpy(ref_sc), mode=mode)
        agree = np.nanmax(np.abs(got.numpy() - ref))
        print(
            f"{mode:>6}: vectorised {fast:7.2f} s ({args.frames / fast:9.0f} frames/s) | per-joint loop {slow:8.2f} s "
            f"(extrapolated from {n_ref} frames) | speed-up {slow / fast:6.1f}x | max |diff| {agree:.2e}"
        )


if __name__ == "__main__":
    main()
