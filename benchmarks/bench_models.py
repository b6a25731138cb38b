"""Model benchmarks; every number is a ratio against a baseline measured in the same process.

1. PoseFormer train step (forward + backward + AdamW) with SDPA attention vs the explicit ``softmax(QK^T)V``
   (``attn_implementation="eager"``), same weights and batch. Goal: >= 1.3x on CPU.
2. TCN (VideoPose3D 243 frames, 1024 channels) on a 10k-frame sequence: one full-sequence pass vs sliding
   windows (one ``receptive_field`` window per output frame, batched, through the strided
   ``TemporalModelOptimized1f`` path, and through the plain dilated convolutions). Goal: >= 20x.
   Windowed throughput is measured on the first ``--windows`` windows and scaled to the whole sequence.
3. MotionBERT (DSTformer) vs the official ``DSTformer`` module on the same config and weights: a train step
   (forward + backward + AdamW, batch of full clips) and long-sequence inference (``--mb-sequence`` frames in
   non-overlapping ``num_frames`` clips, batched; ``lift_sequence(last_clip="short")`` vs the same clips through
   the official module). Goal: no slower than the official code (ratio >= 1.0). The official code is read at
   runtime from a MotionBERT checkout or git mirror (``MOTIONBERT_REPO``, default the fetched mirror
   ``/work/.mirror/Walter0807+MotionBERT/repo``) and never committed; the section is skipped with a message when
   it is absent. Default size is reduced for a CPU (``--mb-dim 128 --mb-depth 2 --mb-frames 81``); the official
   Lite model is ``--mb-dim 256 --mb-mlp-ratio 4 --mb-depth 5 --mb-frames 243``.

Usage: ``python benchmarks/bench_models.py [--threads N] [--frames 10000] [--windows 512] [--only motionbert]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import torch

from auglift_hf.models import (
    MotionBERTConfig,
    PoseFormerConfig,
    PoseFormerForPoseLifting,
    TCNConfig,
    TCNForPoseLifting,
)

MOTIONBERT_MIRROR = "/work/.mirror/Walter0807+MotionBERT/repo"


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


def load_official_dstformer():
    """The official ``DSTformer`` class from a MotionBERT checkout / bare git mirror, or ``None`` if absent."""
    repo = Path(os.environ.get("MOTIONBERT_REPO", MOTIONBERT_MIRROR))
    if not repo.exists():
        return None
    root = Path(tempfile.mkdtemp(prefix="motionbert_official_"))
    (root / "lib" / "model").mkdir(parents=True)
    for part in ("lib/__init__.py", "lib/model/__init__.py"):
        (root / part).write_text("")
    for name in ("DSTformer.py", "drop.py"):
        source = repo / "lib" / "model" / name
        if source.is_file():
            text = source.read_text()
        else:
            git_dir = repo if (repo / "HEAD").is_file() else repo / ".git"
            cmd = ["git", "--git-dir", str(git_dir), "show", f"HEAD:lib/model/{name}"]
            text = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        (root / "lib" / "model" / name).write_text(text)
    sys.path.insert(0, str(root))
    try:
        from lib.model.DSTformer import DSTformer  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(root))
    return DSTformer


def bench_motionbert(args: argparse.Namespace) -> dict[str, float] | None:
    official_class = load_official_dstformer()
    if official_class is None:
        return None
    torch.manual_seed(0)
    dims = dict(dim_feat=args.mb_dim, dim_rep=512, depth=args.mb_depth, num_heads=8, mlp_ratio=args.mb_mlp_ratio)
    official = official_class(
        dim_in=3, dim_out=3, norm_layer=partial(torch.nn.LayerNorm, eps=1e-6), maxlen=args.mb_frames,
        num_joints=17, **dims,
    )  # fmt: skip
    from auglift_hf.convert import motionbert_from_official

    ours = motionbert_from_official(
        official.state_dict(), MotionBERTConfig(num_frames=args.mb_frames, num_input_channels=3, **dims)
    )
    frames = args.mb_frames
    clips, labels = torch.randn(args.mb_batch, frames, 17, 3), 0.2 * torch.randn(args.mb_batch, frames, 17, 3)
    opt_ours = torch.optim.AdamW(ours.parameters(), lr=1e-6)
    opt_official = torch.optim.AdamW(official.parameters(), lr=1e-6)

    def step_ours():
        loss = ours(keypoints=clips, labels=labels).loss
        opt_ours.zero_grad(set_to_none=True)
        loss.backward()
        opt_ours.step()

    def step_official():  # MotionBERT train.py: loss_mpjpe
        loss = torch.mean(torch.norm(official(clips) - labels, dim=-1))
        opt_official.zero_grad(set_to_none=True)
        loss.backward()
        opt_official.step()

    ours.train()
    official.train()
    train = {"ours": [], "official": []}
    for _ in range(2):  # interleaved, so load changes hit both alike
        train["official"].append(_timeit(step_official, args.pf_repeats))
        train["ours"].append(_timeit(step_ours, args.pf_repeats))
    ours.eval()
    official.eval()
    sequence = torch.randn(1, args.mb_sequence, 17, 3)
    starts = range(0, args.mb_sequence, frames)

    def infer_official():  # infer_wild.py: non-overlapping clips, the last one shorter; batched full clips
        full = [s for s in starts if s + frames <= args.mb_sequence]
        out = [
            official(torch.cat([sequence[:, s : s + frames] for s in full[i : i + 8]])) for i in range(0, len(full), 8)
        ]
        out = [torch.cat(list(o), dim=0) for o in out]
        if starts[-1] + frames > args.mb_sequence:
            out.append(official(sequence[:, starts[-1] :])[0])
        return torch.cat(out)

    with torch.inference_mode():
        infer = {"ours": [], "official": []}
        for _ in range(2):
            infer["official"].append(_timeit(infer_official, 1))
            infer["ours"].append(_timeit(lambda: ours.lift_sequence(sequence, last_clip="short", batch_size=8), 1))
        diff = (ours.lift_sequence(sequence, last_clip="short", batch_size=8)[0] - infer_official()).abs().max().item()
    return {
        "params": sum(p.numel() for p in ours.parameters()),
        "train_ours": args.mb_batch / min(train["ours"]),
        "train_official": args.mb_batch / min(train["official"]),
        "infer_ours_s": min(infer["ours"]),
        "infer_official_s": min(infer["official"]),
        "max_abs_diff": diff,
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
    parser.add_argument("--mb-dim", type=int, default=128, help="MotionBERT dim_feat")
    parser.add_argument("--mb-depth", type=int, default=2)
    parser.add_argument("--mb-mlp-ratio", type=float, default=2.0)
    parser.add_argument("--mb-frames", type=int, default=81, help="MotionBERT clip length (maxlen)")
    parser.add_argument("--mb-batch", type=int, default=4, help="clips per MotionBERT train step")
    parser.add_argument("--mb-sequence", type=int, default=2000, help="frames of the long inference sequence")
    parser.add_argument("--only", choices=("all", "poseformer", "tcn", "motionbert"), default="all")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {args.threads} thread(s)")
    if args.only in ("all", "motionbert"):
        mb = bench_motionbert(args)
        if mb is None:
            print("MotionBERT: skipped (no official checkout / git mirror; set MOTIONBERT_REPO)")
        else:
            print(
                f"MotionBERT {args.mb_frames}f dim {args.mb_dim} depth {args.mb_depth} ({mb['params'] / 1e6:.2f}M) "
                f"train step, batch {args.mb_batch}: ours {mb['train_ours']:.2f} clips/s, official "
                f"{mb['train_official']:.2f} clips/s -> ratio {mb['train_ours'] / mb['train_official']:.2f}x; "
                f"{args.mb_sequence}-frame inference: ours {mb['infer_ours_s']:.2f} s, official "
                f"{mb['infer_official_s']:.2f} s -> ratio {mb['infer_official_s'] / mb['infer_ours_s']:.2f}x "
                f"(goal >= 1.0); max |ours - official| = {mb['max_abs_diff']:.2e}"
            )
    if args.only in ("all", "poseformer"):
        bench_and_print_poseformer(args)
    if args.only in ("all", "tcn"):
        bench_and_print_tcn(args)


def bench_and_print_poseformer(args: argparse.Namespace) -> None:
    pf = bench_poseformer(args.pf_batch, args.pf_frames, args.pf_repeats)
    print(
        f"PoseFormer {args.pf_frames}f XYCD train step, batch {args.pf_batch}: eager {pf['eager']:.1f} samples/s, "
        f"SDPA {pf['sdpa']:.1f} samples/s -> SDPA speed-up {pf['sdpa'] / pf['eager']:.2f}x (goal >= 1.3x)"
    )


def bench_and_print_tcn(args: argparse.Namespace) -> None:
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
