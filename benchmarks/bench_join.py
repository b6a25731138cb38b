"""Dataset join throughput: decoding -> detection -> 2D pose -> depth on each dataset's own media, as the join runs it.

Measured here, on this machine's CPU (say which when you report a number):

1. **Pipeline work per frame at each dataset's resolution** (``--tiny``, default): the dataset's container is
   decoded with PyAV (Human3.6M 1000 x 1002 MPEG-4 mp4, MPI-INF-3DHP training 2048 x 2048 avi, 3DHP TS5-6
   1920 x 1080 JPEG, 3DPW 1080 x 1920 JPEG, Fit3D 900 x 900 mp4) and every frame goes through the tiny random-weight
   RT-DETR / VitPose / metric Depth Anything folders (``save_tiny_backends``) with the package's image processors,
   post-processing, depth-map resizing to full resolution and descriptor sampling. Tiny models cost almost nothing,
   so this is the per-frame CPU work that real models add *on top of* their own forward passes.
2. **The join end to end** at Human3.6M's resolution: 25 Hz rows against a 50 fps video (``run_join``: plan, decode,
   extractor, association, shards, Parquet merge), in rows/s, and the ratio to decode + extractor alone.
3. **The real architectures' forward cost vs input size** (``--real-architectures``): random-initialised models of
   the default backends' full sizes (RT-DETR R50vd 640 x 640, ViTPose-B 256 x 192, Depth Anything V2 ViT-L metric)
   saved as folders and run through the package's backends in fp32 at each distinct network input the datasets
   give (depth: short side 518, so 518 x 518 for the square datasets and 518 x 924 for 16:9 frames). On a CPU the
   absolute times say nothing about a GPU; the ratio between input sizes is what the README's projections use.

    .venv/bin/python benchmarks/bench_join.py [--frames 16] [--threads 1] [--real-architectures]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

#: (name, width, height, container): the media each dataset's join decodes.
DATASET_MEDIA = (
    ("Human3.6M (S*/Videos/*.mp4)", 1000, 1002, "mp4"),
    ("MPI-INF-3DHP train (video_<cam>.avi)", 2048, 2048, "avi"),
    ("MPI-INF-3DHP TS5-6 (img_*.jpg)", 1920, 1080, "jpg"),
    ("3DPW (image_*.jpg, portrait)", 1080, 1920, "jpg"),
    ("Fit3D (videos/<cam>/*.mp4)", 900, 900, "mp4"),
)


def _frames(n: int, w: int, h: int) -> list[np.ndarray]:
    """A textured scene with a moving bright figure."""
    rng = np.random.default_rng(0)
    background = (rng.random((h // 8 + 1, w // 8 + 1, 3)) * 255).astype(np.uint8).repeat(8, 0).repeat(8, 1)[:h, :w]
    out = []
    for i in range(n):
        img = background.copy()
        x = w // 3 + 5 * i
        img[h // 4 : 4 * h // 5, x : x + w // 7] = 230
        out.append(img)
    return out


def _write_media(folder: Path, frames: list[np.ndarray], container: str) -> Path:
    """MPEG-4 part 2 video (the H36M archive's codec) in ``.mp4`` / ``.avi``, or a quality-95 JPEG sequence."""
    import av
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    if container == "jpg":
        for i, f in enumerate(frames):
            Image.fromarray(f).save(folder / f"img_{i + 1:06d}.jpg", quality=95)
        return folder
    path = folder / f"clip.{container}"
    h, w = frames[0].shape[:2]
    with av.open(str(path), "w") as c:
        s = c.add_stream("mpeg4", rate=50)
        s.width, s.height, s.pix_fmt, s.bit_rate = w, h, "yuv420p", 4_000_000
        for f in frames:
            for p in s.encode(av.VideoFrame.from_ndarray(f, format="rgb24")):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    return path


def _media(path: Path):  # noqa: ANN202
    from auglift_hf.data.media import image_sequence_media, video_media

    if path.is_dir():
        return image_sequence_media(path, r"img_(\d+)\.jpg", 1, 50.0)
    return video_media(path)


def _timed(fn, repeat: int = 1) -> float:  # noqa: ANN001
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _boxes(frames: list[np.ndarray]) -> list[np.ndarray]:
    h, w = frames[0].shape[:2]
    return [np.array([[w / 3 - 20 + 5 * i, h / 4 - 20, w / 3 + w / 7 + 20 + 5 * i, 0.8 * h + 20]], np.float32)
            for i in range(len(frames))]  # fmt: skip


def pipeline_per_dataset(ext, n: int, bs: int, tmp: Path) -> list[tuple[str, float, float]]:  # noqa: ANN001
    """``[(dataset, decode ms/frame, extractor ms/frame)]`` with the given extractor (tiny models)."""
    from auglift_hf.data.media import read_media_frames

    rows = []
    for name, w, h, container in DATASET_MEDIA:
        path = _write_media(tmp / name.split()[0], _frames(n, w, h), container)
        media = _media(path)
        t_decode = _timed(lambda: list(read_media_frames(media, list(range(n)))), 2)  # noqa: B023
        frames = [im for _, im, _, _ in read_media_frames(media, list(range(n)))]
        ext([frames[0]])  # warm-up at this size
        t_ext = _timed(lambda: [ext(frames[i : i + bs]) for i in range(0, n, bs)])  # noqa: B023
        rows.append((name, 1000 * t_decode / n, 1000 * t_ext / n))
    return rows


def join_throughput(ext, n: int, bs: int, tmp: Path) -> tuple[float, float]:  # noqa: ANN001
    """Rows/s of ``run_join`` (25 Hz rows, 50 fps H36M-sized video, gt-box) and its ratio to decode + extractor."""
    from auglift_hf.data.join import run_join
    from auglift_hf.data.media import read_media_frames, video_media
    from auglift_hf.data.schema import SequenceRecord

    frames = _frames(n, 1000, 1002)
    video = _write_media(tmp / "join", frames, "mp4")
    media = video_media(video)
    rows = n // 2
    kp = np.tile(np.array([[400.0, 500.0]]), (rows, 17, 1)) + np.linspace(-60, 60, 17)[None, :, None]
    kp[..., 0] += 10 * np.arange(rows)[:, None]
    rec = SequenceRecord(
        dataset="h36m", subject="S1", action="Walking 1", camera="54138969", keypoints_2d=kp,
        keypoints_3d=np.ones((rows, 17, 3)), focal=(1145.0, 1144.0), center=(512.0, 515.0),
        image_size=(1000, 1002), fps=25.0, split="train", frame_index=np.arange(rows),
    )  # fmt: skip
    key = ("S1", "Walking 1", "54138969")

    def join() -> None:
        run_join([rec], {key: media}, [key], [25.0], tmp / "out", ext, dataset_name="h36m", association="gt-box",
                 batch_size=bs, shard_size=16, progress=False, overwrite=True, rank=0, world_size=1)  # fmt: skip

    t_join = _timed(join, 2)
    even = list(range(0, 2 * rows, 2))

    def alone() -> None:  # the same frames decoded and run in the same batches, no join around them
        images = [im for _, im, _, _ in read_media_frames(media, even)]
        for i in range(0, len(images), bs):
            ext(images[i : i + bs])

    t_alone = _timed(alone, 2)
    return rows / t_join, t_join / t_alone


def save_real_architectures(root: Path) -> dict[str, Path]:
    """Random-initialised full-size RT-DETR R50vd, ViTPose-B (256 x 192) and Depth Anything V2 ViT-L (metric)."""
    import torch
    from transformers import (
        DepthAnythingConfig,
        DepthAnythingForDepthEstimation,
        Dinov2Config,
        DPTImageProcessor,
        RTDetrConfig,
        RTDetrForObjectDetection,
        RTDetrImageProcessor,
        VitPoseBackboneConfig,
        VitPoseConfig,
        VitPoseForPoseEstimation,
        VitPoseImageProcessor,
    )  # fmt: skip

    from auglift_hf.preprocess.testing import COCO_80_CLASSES

    torch.manual_seed(0)
    out = {"detector": root / "rtdetr-r50vd", "pose": root / "vitpose-b", "depth": root / "da2-vitl-metric"}
    RTDetrForObjectDetection(RTDetrConfig(
        use_pretrained_backbone=False, id2label=dict(enumerate(COCO_80_CLASSES)),
        label2id={c: i for i, c in enumerate(COCO_80_CLASSES)},
    )).eval().save_pretrained(out["detector"])  # fmt: skip
    RTDetrImageProcessor(size={"height": 640, "width": 640}).save_pretrained(out["detector"])
    VitPoseForPoseEstimation(VitPoseConfig(
        backbone_config=VitPoseBackboneConfig(out_indices=[12]), num_labels=17, use_simple_decoder=True, scale_factor=4
    )).eval().save_pretrained(out["pose"])  # fmt: skip
    VitPoseImageProcessor(size={"height": 256, "width": 192}).save_pretrained(out["pose"])
    backbone = Dinov2Config(
        image_size=518, patch_size=14, hidden_size=1024, num_hidden_layers=24, num_attention_heads=16,
        out_indices=[5, 12, 18, 24], reshape_hidden_states=False, apply_layernorm=True,
    )  # fmt: skip
    DepthAnythingForDepthEstimation(DepthAnythingConfig(
        backbone_config=backbone, use_pretrained_backbone=False, reassemble_hidden_size=1024,
        reassemble_factors=[4, 2, 1, 0.5], neck_hidden_sizes=[256, 512, 1024, 1024], fusion_hidden_size=256,
        head_hidden_size=32, depth_estimation_type="metric", max_depth=20,
    )).eval().save_pretrained(out["depth"])  # fmt: skip
    DPTImageProcessor(
        size={"height": 518, "width": 518}, keep_aspect_ratio=True, ensure_multiple_of=14, do_pad=False, resample=3,
        image_mean=[0.485, 0.456, 0.406], image_std=[0.229, 0.224, 0.225],
    ).save_pretrained(out["depth"])  # fmt: skip
    return out


def real_architecture_costs(folders: dict[str, Path], repeat: int) -> list[tuple[str, str, float]]:
    """``[(model, input, ms/frame)]`` on this CPU in fp32, one frame per call, through the package's backends."""
    from auglift_hf.preprocess.depth import HFDepthEstimator
    from auglift_hf.preprocess.detector import HFPersonDetector
    from auglift_hf.preprocess.pose2d import HFPoseEstimator

    kw = {"device": "cpu", "local_files_only": True}
    det = HFPersonDetector(str(folders["detector"]), **kw)
    pose = HFPoseEstimator(str(folders["pose"]), **kw)
    depth = HFDepthEstimator(str(folders["depth"]), **kw)
    square, wide = _frames(1, 1000, 1002)[0], _frames(1, 1920, 1080)[0]
    box = [np.array([[300.0, 250.0, 450.0, 800.0]], np.float32)]
    out = []
    for name, fn in (
        ("RT-DETR R50vd (any frame -> 640 x 640)", lambda: det([square])),
        ("ViTPose-B (one person, 256 x 192)", lambda: pose([square], box)),
        ("Depth Anything V2 ViT-L, 1000 x 1002 -> 518 x 518", lambda: depth([square])),
        ("Depth Anything V2 ViT-L, 1920 x 1080 -> 924 x 518", lambda: depth([wide])),
    ):
        fn()  # warm-up
        out.append((name, 1000 * _timed(fn, repeat)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=16)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--real-architectures", action="store_true", help="also time the full-size architectures")
    parser.add_argument("--repeat", type=int, default=1, help="timed calls per real architecture (best of)")
    args = parser.parse_args()

    import datasets  # noqa: F401  (one-time import cost kept out of the timings)
    import torch

    from auglift_hf.preprocess.extractor import XYCDExtractor
    from auglift_hf.preprocess.testing import save_tiny_backends

    torch.set_num_threads(args.threads)
    n, bs = args.frames, args.batch_size
    print(f"torch {torch.__version__}, {args.threads} thread(s), {n} frames per dataset, batch {bs}, CPU fp32")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        backends = save_tiny_backends(tmp / "tiny", metric_depth=True)
        ext = XYCDExtractor(str(backends["detector"]), str(backends["pose"]), str(backends["depth"]),
                            depth_mode="casp", device="cpu", local_files_only=True)  # fmt: skip
        print(f"{'dataset media (tiny models)':42s} {'decode ms':>10s} {'extractor ms':>13s} {'total ms/frame':>15s}")
        for name, dec, ex in pipeline_per_dataset(ext, n, bs, tmp):
            print(f"{name:42s} {dec:10.1f} {ex:13.1f} {dec + ex:15.1f}")
        rate, ratio = join_throughput(ext, 2 * n, bs, tmp)
        print(f"join end to end (H36M 1000 x 1002, 25 Hz rows on a 50 fps video, gt-box, shards + merge): "
              f"{rate:.1f} rows/s; {ratio:.2f}x the time of decode + extractor alone on those frames")  # fmt: skip
        if args.real_architectures:
            folders = save_real_architectures(tmp / "real")
            print(f"{'full-size architecture (random weights, fp32)':52s} {'ms/frame':>9s}")
            for name, ms in real_architecture_costs(folders, args.repeat):
                print(f"{name:52s} {ms:9.0f}")


if __name__ == "__main__":
    main()
