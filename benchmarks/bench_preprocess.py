"""Preprocessing throughput: batched vs per-frame extraction, and the cost of sharded/resumable runs.

Uses tiny random-weight RT-DETR / VitPose / Depth Anything folders (offline), so the numbers measure the
pipeline's own overhead (image processors, post-processing, depth sampling, Parquet shards) rather than the
real backbones. Ratios are against a baseline measured in the same process.

    .venv/bin/python benchmarks/bench_preprocess.py [--frames 48] [--threads 1]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=48)
    parser.add_argument("--height", type=int, default=480)
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    import datasets  # noqa: F401  (the table schema imports it: a one-time ~2 s cost kept out of the timings)
    import torch
    from PIL import Image

    from auglift_hf.preprocess import XYCDExtractor, run_preprocess
    from auglift_hf.preprocess.testing import save_tiny_backends

    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 255, (args.height, args.width, 3), dtype=np.uint8) for _ in range(args.frames)]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        paths = save_tiny_backends(tmp / "models")
        ex = XYCDExtractor(str(paths["detector"]), str(paths["pose"]), str(paths["depth"]), detector_threshold=0.0)
        ex(frames[:2])  # warm-up

        def timed(fn) -> float:  # noqa: ANN001
            t0 = time.perf_counter()
            fn()
            return time.perf_counter() - t0

        single = timed(lambda: [ex([f]) for f in frames])
        batched = timed(lambda: [ex(frames[i : i + 8]) for i in range(0, len(frames), 8)])
        (tmp / "frames").mkdir()
        for i, f in enumerate(frames):
            Image.fromarray(f).save(tmp / "frames" / f"{i:04d}.png")
        sharded = timed(
            lambda: run_preprocess([tmp / "frames"], tmp / "out", ex, shard_size=16, batch_size=8, progress=False)
        )
        decode = timed(lambda: [np.asarray(Image.open(p).convert("RGB")) for p in sorted((tmp / "frames").iterdir())])

    n = args.frames
    print(f"{n} frames {args.width}x{args.height}, tiny backends, {args.threads} torch thread(s)")
    print(f"per-frame extraction      {n / single:8.1f} frames/s   (baseline)")
    print(f"batched (8) extraction    {n / batched:8.1f} frames/s   x{single / batched:.2f}")
    print(f"sharded run (PNG + shards){n / sharded:8.1f} frames/s   x{single / sharded:.2f}  "
          f"(of which PNG decoding {decode / sharded:.0%})")  # fmt: skip


if __name__ == "__main__":
    main()
