"""Model benchmarks; every number is a ratio against a baseline measured in the same process.

1. PoseFormer train step (forward + backward + AdamW) with SDPA attention vs the explicit ``softmax(QK^T)V``
   (``attn_implementation="eager"``), same weights and batch. Goal: >= 1.3x on CPU.
2. TCN (VideoPose3D 243 frames, 1024 channels) on a 10k-frame sequence: one full-sequence pass vs sliding
   windows (one ``receptive_field`` window per output frame, batched, through the strided
   ``TemporalModelOptimized1f`` path, and through the plain dilated convolutions). Goal: >= 20x.
   Windowed throughput is measured on the first ``--windows`` windows and scaled to the whole sequence.

Usage: ``python benchmarks/bench_models.py [--threads N] [--frames 10000] [--windows 512]``
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from auglift_hf.models import PoseFormerConfig, PoseFormerForPoseLifting, TCNConfig, TCNForPoseLifting


def _timeit(fn, repeats: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_poseformer(batch: int, frames: int, repeats: int) -> dict[str, float]:
    torch.manual_seed(0)
    config = PoseFormerConfig(num_frames=frames, num_input_channels=4, drop_path_rate=0.0)
    model = PoseFormerForPoseLifting(config).train()
    keypoints, labels = torch.randn(batch, frames, 17, 4), 0.2 * torch.randn(batch, 1, 17, 3)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5)

    def step():
        loss = model(keypoints=keypoints, labels=labels).loss
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    results = {}
    for impl in ("eager", "sdpa", "eager", "sdpa"):  # interleaved, so load changes hit both alike
        model.set_attn_implementation(impl)
        results.setdefault(impl, []).append(_timeit(step, repeats))
    return {impl: batch / min(times) for impl, times in results.items()}


def bench_tcn(frames: int, windows: int, window_batch: int) -> dict[str, float]:
    torch.manual_seed(0)
    model = TCNForPoseLifting(TCNConfig(filter_widths=[3, 3, 3, 3, 3], num_input_channels=4)).eval()
    rf = model.receptive_field
    sequence = torch.randn(1, frames, 17, 4)
    half = (rf - 1) // 2
    padded = sequence[:, torch.arange(-half, frames + half).clamp(0, frames - 1)]  # same edge padding

    with torch.inference_mode():
        one_pass_time = _timeit(lambda: model(keypoints=sequence).poses_3d, repeats=3)
        full = model(keypoints=sequence).poses_3d
        starts = torch.arange(windows)
        batch_windows = padded[0].unfold(0, rf, 1).permute(0, 3, 1, 2)  # (frames, rf, 17, 4) view

        def sliding(pad_sequence: bool | None, count: int):
            out = []
            for i in range(0, count, window_batch):
                chunk = batch_windows[starts[i : i + window_batch]]
                out.append(model(keypoints=chunk, pad_sequence=pad_sequence).poses_3d)
            return torch.cat(out)

        strided_time = _timeit(lambda: sliding(None, windows), repeats=1)
        dilated_count = max(window_batch, windows // 8)
        dilated_time = _timeit(lambda: sliding(False, dilated_count), repeats=1)
        check = sliding(None, min(windows, 256))[:, 0]
        max_diff = (check - full[0, : check.shape[0]]).abs().max().item()
    return {
        "frames": frames,
        "one_pass_s": one_pass_time,
        "strided_windows_s": strided_time * frames / windows,
        "dilated_windows_s": dilated_time * frames / dilated_count,
        "max_abs_diff_m": max_diff,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--pf-batch", type=int, default=32)
    parser.add_argument("--pf-frames", type=int, default=81)
    parser.add_argument("--pf-repeats", type=int, default=3)
    parser.add_argument("--frames", type=int, default=10_000)
    parser.add_argument("--windows", type=int, default=512)
    parser.add_argument("--window-batch", type=int, default=128)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {args.threads} thread(s)")

    pf = bench_poseformer(args.pf_batch, args.pf_frames, args.pf_repeats)
    print(
        f"PoseFormer {args.pf_frames}f XYCD train step, batch {args.pf_batch}: eager {pf['eager']:.1f} samples/s, "
        f"SDPA {pf['sdpa']:.1f} samples/s -> SDPA speed-up {pf['sdpa'] / pf['eager']:.2f}x (goal >= 1.3x)"
    )
    tcn = bench_tcn(args.frames, args.windows, args.window_batch)
    print(
        f"TCN 243f (16.95M) on {tcn['frames']} frames: one pass {tcn['one_pass_s']:.2f} s; sliding windows "
        f"(strided 1f path) {tcn['strided_windows_s']:.1f} s -> {tcn['strided_windows_s'] / tcn['one_pass_s']:.1f}x; "
        f"(dilated per window) {tcn['dilated_windows_s']:.1f} s -> "
        f"{tcn['dilated_windows_s'] / tcn['one_pass_s']:.1f}x (goal >= 20x); "
        f"windowed times scaled from {args.windows} windows; max |one pass - windows| = {tcn['max_abs_diff_m']:.2e} m"
    )


if __name__ == "__main__":
    main()
