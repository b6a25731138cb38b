"""Benchmark: writing a frame table with surface-v2 depth, ``workers=1`` vs ``workers=N`` (same run, same records).

    .venv/bin/python benchmarks/bench_table_workers.py                       # 24 sequences x 100 frames, 2 workers
    .venv/bin/python benchmarks/bench_table_workers.py --sequences 48 --workers 2

The records are random bodies (``bench_synthetic.random_bodies``) seen by one H36M-like camera, with simulated
detections, so both the ``gt2d`` and the ``detected2d`` depth passes run, as in ``build_data.py``. Reports sequences/s
of each run, the speed-up and whether the two tables are byte-identical (they must be: the parallel writer replays
the serial run's call seeds). The ratio is only meaningful on idle cores (``nproc`` >= workers).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_synthetic import random_bodies  # noqa: E402

from auglift_hf.data import SequenceRecord, write_frame_table  # noqa: E402
from auglift_hf.simulation.surface_depth import surface_depth_source  # noqa: E402


def records(sequences: int, frames: int) -> list[SequenceRecord]:
    out = []
    for s in range(sequences):
        k3 = random_bodies(frames, seed=s).numpy().astype(np.float64)
        k2 = 1145.0 * k3[..., :2] / k3[..., 2:] + [500.0, 500.0]
        rng = np.random.default_rng(s)
        out.append(SequenceRecord(
            dataset="bench", subject=f"S{s}", action="random", camera="0", keypoints_2d=k2, keypoints_3d=k3,
            focal=[1145.0, 1145.0], center=[500.0, 500.0], image_size=(1000, 1000), fps=25.0, split="train",
            detected_2d=k2 + rng.normal(0, 3, k2.shape), detected_scores=np.full(k2.shape[:2], 0.9),
        ))  # fmt: skip
    return out


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*.parquet")):
        h.update(p.read_bytes())
    return h.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequences", type=int, default=24)
    parser.add_argument("--frames", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    recs = records(args.sequences, args.frames)
    seconds, digests = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for workers in (1, args.workers):
            out = Path(tmp) / f"w{workers}"
            source = surface_depth_source(seed=0, severity_range=(2.0, 4.0))
            t0 = time.perf_counter()
            write_frame_table(recs, out, dataset_name="bench", depth_source=source, progress=False, workers=workers)
            seconds[workers], digests[workers] = time.perf_counter() - t0, digest(out)
    for workers, s in seconds.items():
        print(f"workers={workers}: {s:.1f} s, {args.sequences / s:.2f} sequences/s ({args.frames} frames, 2 passes)")
    print(
        f"speed-up x{seconds[1] / seconds[args.workers]:.2f}; tables byte-identical: {digests[1] == digests[args.workers]}"
    )


if __name__ == "__main__":
    main()
