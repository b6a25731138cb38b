"""Frame-table read speed and PoseWindowDataset throughput (T = 243).

Prints ratios against baselines measured in the same process:
* column read: zero-copy Arrow flatten of fixed-size lists vs ``Array2D`` storage vs Python lists (``ds[col]``);
* windows: ``PoseWindowDataset`` (per item and batched) vs a naive per-row gather of Python row dicts.
Goal: >= 20k windows/s for T = 243. Uses the real H36M motion (../shared/data) when present, else a synthetic table
with H36M-like sequence lengths (~1300 frames at 25 Hz).

    .venv/bin/python benchmarks/bench_data.py [--rows 400000] [--items 20000]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np


def synthetic_table(rows: int, seq_len: int = 1300):
    import pyarrow as pa

    from auglift_hf.data.schema import SequenceRecord, record_to_arrow

    rng = np.random.default_rng(0)
    tables = []
    for s in range(max(1, rows // seq_len)):
        k3 = rng.uniform([-0.5, -0.9, 4.0], [0.5, 0.9, 6.0], (seq_len, 17, 3)).astype(np.float32)
        k2 = 1145 * k3[..., :2] / k3[..., 2:] + 512
        rec = SequenceRecord(
            dataset="h36m", subject=f"S{s % 7}", action=f"act{s}", camera="0", keypoints_2d=k2, keypoints_3d=k3,
            focal=[1145, 1145], center=[512, 512], image_size=(1000, 1002), fps=25, split="train",
        )  # fmt: skip
        tables.append(record_to_arrow(rec))
    return pa.concat_tables(tables)


def timeit(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=400_000)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--window", type=int, default=243)
    args = parser.parse_args()

    import datasets
    import pyarrow as pa

    from auglift_hf.data import PoseWindowDataset
    from auglift_hf.data.windows import column_numpy

    shared = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "h36m"
    if (shared / "data_3d_h36m_fk25.npz").is_file():
        from auglift_hf.data.h36m import read_h36m_positions_3d
        from auglift_hf.data.schema import record_to_arrow

        recs = read_h36m_positions_3d(
            shared / "data_3d_h36m_fk25.npz", shared / "cameras.pkl", subjects=["S9", "S11"], fps=25
        )
        table = pa.concat_tables([record_to_arrow(r) for r in recs])
        source = f"real H36M S9+S11 motion, 4 cameras ({table.num_rows:,} rows, {len(recs)} sequences)"
    else:
        table = synthetic_table(args.rows)
        source = f"synthetic table ({table.num_rows:,} rows)"
    table = table.combine_chunks()  # one chunk, like a freshly loaded Parquet shard (fair against Array2D)
    n = table.num_rows
    print(f"# bench_data: {source}")

    # ---- column reads
    k3 = column_numpy(table, "keypoints_3d", (17, 3))
    t_fixed = timeit(lambda: column_numpy(table, "keypoints_3d", (17, 3)))
    a2d = datasets.Dataset.from_dict(
        {"k": k3[:n]}, features=datasets.Features({"k": datasets.Array2D((17, 3), "float32")})
    )
    a2d_table = a2d.data.table
    t_array2d = timeit(lambda: column_numpy(a2d_table, "k", (17, 3)))
    sub = min(n, 20_000)
    ds = datasets.Dataset(table.slice(0, sub))
    t_python = timeit(lambda: np.asarray(ds["keypoints_3d"], dtype=np.float32), repeat=1) * (n / sub)
    print(f"column read keypoints_3d ({n:,} rows): fixed-size lists {t_fixed * 1e3:.1f} ms, Array2D {t_array2d * 1e3:.1f} ms "
          f"({t_array2d / t_fixed:.1f}x slower), Python lists {t_python * 1e3:.0f} ms (extrapolated, {t_python / t_fixed:.0f}x slower)")  # fmt: skip

    # ---- windows
    t0 = time.perf_counter()
    wins = PoseWindowDataset(table, window_size=args.window, channels="x,y,c", flip_prob=0.5, seed=0)
    print(
        f"PoseWindowDataset init: {time.perf_counter() - t0:.2f} s for {len(wins):,} windows, {wins.num_sequences} sequences"
    )
    rng = np.random.default_rng(0)
    idx = rng.integers(0, len(wins), args.items)

    def per_item():
        for i in idx:
            wins[int(i)]

    def batched():
        for s in range(0, len(idx), 64):
            wins.get_batch(idx[s : s + 64])

    t_item = timeit(per_item, repeat=2)
    t_batch = timeit(batched, repeat=2)
    # baseline: what a naive Dataset does: python row dicts -> numpy per window (measured on fewer items)
    rows = ds.select(range(min(sub, 2000)))
    few = 50

    def naive():
        for c in range(few):
            lo = max(0, c - args.window // 2)
            win = rows[lo : lo + args.window]
            np.asarray(win["keypoints_2d"], np.float32)

    t_naive = timeit(naive, repeat=1) / few * args.items
    rate_item, rate_batch = args.items / t_item, args.items / t_batch
    print(f"windows T={args.window}: per item {rate_item:,.0f}/s, batched(64) {rate_batch:,.0f}/s, "
          f"naive row-dict baseline {args.items / t_naive:,.0f}/s -> {t_naive / t_item:.0f}x / {t_naive / t_batch:.0f}x faster; "
          f"goal 20,000/s {'MET' if max(rate_item, rate_batch) >= 20_000 else 'NOT MET'}")  # fmt: skip


if __name__ == "__main__":
    main()
