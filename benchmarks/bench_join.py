"""Dataset join throughput: batched decoding -> detection -> 2D pose -> depth on a dataset's own video.

A Human3.6M-sized video (1000 x 1002, 50 fps, MPEG-4 part 2 like the official archive) is decoded with PyAV and
every frame goes through the tiny random-weight RT-DETR / VitPose / metric Depth Anything folders
(``save_tiny_backends``). The script times each stage on the same frames (where the time goes), the whole
``auglift_hf.data.join`` run (shards, association, Parquet merge), and batched vs one-frame-at-a-time
extraction; ratios are against baselines measured in the same process. Tiny models measure the pipeline's own
overhead (decoding, image processors, post-processing, depth sampling, I/O), not the real backbones: the README
projects real-model build times from published throughput figures.

    .venv/bin/python benchmarks/bench_join.py [--frames 48] [--threads 1]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np


def _video(path: Path, frames: int, w: int = 1000, h: int = 1002) -> Path:
    """A textured scene with a moving bright figure, MPEG-4 part 2 (the codec of the H36M archive)."""
    import av

    rng = np.random.default_rng(0)
    background = (rng.random((h // 8, w // 8, 3)) * 255).astype(np.uint8).repeat(8, 0).repeat(8, 1)[:h, :w]
    with av.open(str(path), "w") as c:
        s = c.add_stream("mpeg4", rate=50)
        s.width, s.height, s.pix_fmt = w, h, "yuv420p"
        s.bit_rate = 4_000_000
        for i in range(frames):
            img = background.copy()
            x = 300 + 5 * i
            img[250:800, x : x + 150] = 230
            for p in s.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    return path


def _timed(fn, repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=48)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    import datasets  # noqa: F401  (one-time import cost kept out of the timings)
    import torch

    from auglift_hf.data.join import run_join
    from auglift_hf.data.media import video_media
    from auglift_hf.data.schema import SequenceRecord
    from auglift_hf.preprocess.extractor import XYCDExtractor
    from auglift_hf.preprocess.testing import save_tiny_backends
    from auglift_hf.preprocess.video import VideoReader

    torch.set_num_threads(args.threads)
    n, bs = args.frames, args.batch_size
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        video = _video(tmp / "Walking 1.54138969.mp4", n)
        backends = save_tiny_backends(tmp / "tiny", metric_depth=True)
        ext = XYCDExtractor(str(backends["detector"]), str(backends["pose"]), str(backends["depth"]), device="cpu",
                            local_files_only=True)  # fmt: skip
        frames = [im for _, im, _ in VideoReader(video).iter_frames()]
        boxes = [np.array([[280.0 + 5 * i, 230, 470 + 5 * i, 820]], np.float32) for i in range(n)]
        batches = [list(range(i, min(i + bs, n))) for i in range(0, n, bs)]
        ext([frames[0]])  # warm-up

        t_decode = _timed(lambda: list(VideoReader(video).iter_frames()), 2)
        t_det = _timed(lambda: [ext.detector([frames[i] for i in b]) for b in batches])
        t_pose = _timed(lambda: [ext.pose_estimator([frames[i] for i in b], [boxes[i] for i in b]) for b in batches])
        t_depth = _timed(lambda: [ext.depth_estimator([frames[i] for i in b]) for b in batches])
        t_batched = _timed(lambda: [ext([frames[i] for i in b]) for b in batches])
        t_single = _timed(lambda: [ext([frames[i]]) for i in range(n)])

        # the whole join: a 25 Hz ground-truth sequence against the 50 fps video (every second frame)
        rows = n // 2
        kp = np.tile(np.array([[355.0, 500.0]]), (rows, 17, 1)) + np.linspace(-60, 60, 17)[None, :, None]
        kp[..., 0] += 10 * np.arange(rows)[:, None]
        rec = SequenceRecord(
            dataset="h36m", subject="S1", action="Walking 1", camera="54138969", keypoints_2d=kp,
            keypoints_3d=np.ones((rows, 17, 3)), focal=(1145.0, 1144.0), center=(512.0, 515.0),
            image_size=(1000, 1002), fps=25.0, split="train", frame_index=np.arange(rows),
        )  # fmt: skip
        key = ("S1", "Walking 1", "54138969")
        media = {key: video_media(video)}

        def join() -> None:
            run_join([rec], media, [key], [25.0], tmp / "out", ext, dataset_name="h36m", association="gt-box",
                     batch_size=bs, shard_size=16, progress=False, overwrite=True, rank=0, world_size=1)  # fmt: skip

        t_join = _timed(join)

    stages = {"decode (PyAV, 1000x1002 MPEG-4)": t_decode, "detect (tiny RT-DETR)": t_det,
              "2D pose (tiny VitPose, 1 box)": t_pose, "depth (tiny Depth Anything, metric)": t_depth}  # fmt: skip
    total = sum(stages.values())
    print(f"{n} frames, batch {bs}, {args.threads} torch thread(s)")
    print(f"{'stage':40s} {'frames/s':>9s} {'share':>6s}")
    for name, t in stages.items():
        print(f"{name:40s} {n / t:9.1f} {t / total:6.0%}")
    print(f"{'sum of stages':40s} {n / total:9.1f}")
    print(f"extractor, batched x{bs} vs one frame per call: {n / t_batched:.1f} vs {n / t_single:.1f} frames/s "
          f"({t_single / t_batched:.2f}x)")  # fmt: skip
    print(f"join end to end ({rows} rows of 25 Hz ground truth, every 2nd video frame decoded + processed, shards, "
          f"merge): {rows / t_join:.1f} rows/s = {t_join / rows * 1000:.0f} ms/row; "
          f"vs decode + extractor alone on those rows: {(t_join / rows) / ((t_decode + t_batched) / n):.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
