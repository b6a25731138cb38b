"""Offline test helpers: tiny random-weight backends and fake backends that read synthetic marker images.

* ``save_tiny_*``: RT-DETR / VitPose / Depth Anything folders laid out like Hub repos; they run the real
  transformers code paths (image processors, models, post-processing) in well under a second per frame on CPU.
  Their outputs are meaningless: random weights detect random boxes (or nobody).
* Marker images encode their own ground truth: joint ``j`` of a COCO-17 person is a 3x3 blob whose red channel
  is ``10 * (j + 1)`` and green channel 255; :class:`PlaneDepth` returns a known plane. The fake backends
  *measure* the image (box from the markers, keypoints as marker centroids), so geometry is tested against
  pixels, not against values handed through.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .detector import Detections

#: The 80 COCO detection classes in the order of RT-DETR's ``config.id2label`` (``PekingU/rtdetr_r50vd``,
#: id 0 = person), i.e. COCO's 91 category ids with the 11 unused ones dropped.
COCO_80_CLASSES: tuple[str, ...] = (
    "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat", "traffic light",
    "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse", "sheep", "cow",
    "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella", "handbag", "tie", "suitcase", "frisbee",
    "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove", "skateboard", "surfboard",
    "tennis racket", "bottle", "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple",
    "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch",
    "potted plant", "bed", "dining table", "toilet", "tv", "laptop", "mouse", "remote", "keyboard", "cell phone",
    "microwave", "oven", "toaster", "sink", "refrigerator", "book", "clock", "vase", "scissors", "teddy bear",
    "hair drier", "toothbrush",
)  # fmt: skip


def save_tiny_detector(folder: str | os.PathLike, image_size: int = 128, seed: int = 0) -> Path:
    """A 2-stage ResNet + 1-layer encoder/decoder RT-DETR with COCO's 80-class ``id2label`` (``person`` = id 0),
    as the real ``PekingU/rtdetr_r50vd`` checkpoint."""
    import torch
    from transformers import RTDetrConfig, RTDetrForObjectDetection, RTDetrImageProcessor, RTDetrResNetConfig

    torch.manual_seed(seed)
    backbone = RTDetrResNetConfig(
        embedding_size=8, hidden_sizes=[8, 16, 16, 16], depths=[1, 1, 1, 1], layer_type="basic",
        out_features=["stage2", "stage3", "stage4"],
    )  # fmt: skip
    config = RTDetrConfig(
        backbone_config=backbone, use_pretrained_backbone=False, encoder_hidden_dim=16, encoder_in_channels=[16, 16, 16],
        encoder_ffn_dim=16, encoder_attention_heads=2, d_model=16, decoder_in_channels=[16, 16, 16], decoder_ffn_dim=16,
        decoder_layers=1, decoder_attention_heads=2, num_queries=20, num_denoising=0,
        id2label=dict(enumerate(COCO_80_CLASSES)), label2id={c: i for i, c in enumerate(COCO_80_CLASSES)},
    )  # fmt: skip
    model = RTDetrForObjectDetection(config).eval()
    folder = Path(folder)
    model.save_pretrained(folder)
    RTDetrImageProcessor(size={"height": image_size, "width": image_size}).save_pretrained(folder)
    return folder


def save_tiny_pose_model(folder: str | os.PathLike, seed: int = 0, num_experts: int = 1) -> Path:
    """A 1-layer, width-32 VitPose with a 64x48 input and 17 COCO heatmaps.

    ``num_experts > 1`` gives a ViTPose++-style mixture-of-experts backbone (``usyd-community/vitpose-plus-*``:
    6 experts, ``part_features`` = hidden_size / 4, COCO = dataset index 0), which needs ``dataset_index``.
    """
    import torch
    from transformers import VitPoseBackboneConfig, VitPoseConfig, VitPoseForPoseEstimation, VitPoseImageProcessor

    torch.manual_seed(seed)
    backbone = VitPoseBackboneConfig(
        image_size=[64, 48], patch_size=[16, 16], hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
        mlp_ratio=2, out_indices=[1], num_experts=num_experts, part_features=8,
    )  # fmt: skip
    config = VitPoseConfig(backbone_config=backbone, num_labels=17, use_simple_decoder=True, scale_factor=4)
    model = VitPoseForPoseEstimation(config).eval()
    folder = Path(folder)
    model.save_pretrained(folder)
    VitPoseImageProcessor(size={"height": 64, "width": 48}).save_pretrained(folder)
    return folder


def save_tiny_depth_model(
    folder: str | os.PathLike, metric: bool = False, image_size: int = 56, seed: int = 0
) -> Path:
    """A 2-layer, width-32 Dinov2 + DPT-style head Depth Anything with the real checkpoints' decisive fields.

    ``metric=True``: ``depth_estimation_type="metric"``, ``max_depth=20`` (as
    ``depth-anything/Depth-Anything-V2-Metric-Indoor-*-hf``; the outdoor ones use 80); else ``"relative"`` with
    ``max_depth=1`` (as ``depth-anything/Depth-Anything-V2-*-hf``: ReLU head, disparity). The saved image
    processor carries the Hub repos' settings (518 short side, multiple of 14, bicubic, ImageNet mean/std) scaled
    to ``image_size``; :class:`~auglift_hf.preprocess.depth.HFDepthEstimator` reads only its mean / std.
    """
    import torch
    from transformers import DepthAnythingConfig, DepthAnythingForDepthEstimation, Dinov2Config, DPTImageProcessor

    torch.manual_seed(seed)
    backbone = Dinov2Config(
        image_size=image_size, patch_size=14, hidden_size=32, num_hidden_layers=2, num_attention_heads=2, mlp_ratio=2,
        out_indices=[1, 2], reshape_hidden_states=False, apply_layernorm=True,
    )  # fmt: skip
    config = DepthAnythingConfig(
        backbone_config=backbone, use_pretrained_backbone=False, reassemble_hidden_size=32,
        reassemble_factors=[2, 1], neck_hidden_sizes=[16, 32], fusion_hidden_size=16, head_hidden_size=8,
        depth_estimation_type="metric" if metric else "relative", max_depth=20 if metric else 1,
    )  # fmt: skip
    model = DepthAnythingForDepthEstimation(config).eval()
    folder = Path(folder)
    model.save_pretrained(folder)
    DPTImageProcessor(
        size={"height": image_size, "width": image_size}, keep_aspect_ratio=True, ensure_multiple_of=14,
        do_pad=False, resample=3, image_mean=[0.485, 0.456, 0.406], image_std=[0.229, 0.224, 0.225],
    ).save_pretrained(folder)  # fmt: skip
    return folder


def save_tiny_backends(root: str | os.PathLike, metric_depth: bool = True, variants: bool = False) -> dict[str, Path]:
    """Save the tiny backends under ``root``; returns ``{"detector", "pose", "depth"}`` folder paths.

    ``depth`` is metric (the package default, as AugLift) unless ``metric_depth=False``. With ``variants=True``
    also ``"depth_metric"``, ``"depth_relative"`` and ``"pose_plus"`` (a ViTPose++-style 6-expert backbone).
    """
    root = Path(root)
    out = {
        "detector": save_tiny_detector(root / "tiny-rtdetr"),
        "pose": save_tiny_pose_model(root / "tiny-vitpose"),
        "depth": save_tiny_depth_model(
            root / ("tiny-depth-anything" + ("-metric" if metric_depth else "")), metric=metric_depth
        ),
    }
    if variants:
        out["depth_metric"] = (
            out["depth"] if metric_depth else save_tiny_depth_model(root / "tiny-depth-anything-metric", metric=True)
        )
        out["depth_relative"] = (
            out["depth"] if not metric_depth else save_tiny_depth_model(root / "tiny-depth-anything", metric=False)
        )
        out["pose_plus"] = save_tiny_pose_model(root / "tiny-vitpose-plus", num_experts=6)
    return out


# --------------------------------------------------------------------------------------------------------
# fake backends on synthetic marker images
# --------------------------------------------------------------------------------------------------------

H, W = 96, 128


def plane_depth(h: int = H, w: int = W) -> np.ndarray:
    """Known depth map (metres, larger = farther): a tilted plane ``2 + 0.01 u + 0.02 v``."""
    v, u = np.mgrid[0:h, 0:w].astype(np.float32)
    return 2.0 + 0.01 * u + 0.02 * v


def coco_pose(shift: float = 0.0) -> np.ndarray:
    """A plausible COCO-17 standing person (integer pixels), shifted right by ``shift`` pixels."""
    x0 = 50 + shift
    pts = [
        (x0 + 10, 17), (x0 + 13, 12), (x0 + 7, 12), (x0 + 17, 14), (x0 + 3, 14),  # nose, eyes, ears
        (x0 + 18, 25), (x0 + 2, 25), (x0 + 22, 38), (x0 - 2, 38), (x0 + 24, 50), (x0 - 4, 50),  # arms
        (x0 + 15, 52), (x0 + 5, 52), (x0 + 16, 68), (x0 + 4, 68), (x0 + 16, 84), (x0 + 4, 84),  # legs
    ]  # fmt: skip
    return np.round(np.asarray(pts, np.float32))


def marker_image(keypoints: np.ndarray, h: int = H, w: int = W) -> np.ndarray:
    img = np.zeros((h, w, 3), np.uint8)
    img[..., 2] = 40
    for j, (x, y) in enumerate(keypoints.astype(int)):
        img[y - 1 : y + 2, x - 1 : x + 2, 0] = 10 * (j + 1)
        img[y - 1 : y + 2, x - 1 : x + 2, 1] = 255
    return img


class MarkerDetector:
    """Box around all green markers (padded by 4 px), score 0.9; nobody when there are no markers."""

    checkpoint = "fake-marker-detector"

    def __init__(self, fail_after: int | None = None):
        self.calls = 0
        self.fail_after = fail_after

    def __call__(self, images):
        out = []
        for im in images:
            self.calls += 1
            if self.fail_after is not None and self.calls > self.fail_after:
                raise RuntimeError(f"simulated crash after {self.fail_after} frames")
            ys, xs = np.nonzero(im[..., 1] == 255)
            if len(xs) == 0:
                out.append(Detections(np.zeros((0, 4)), np.zeros(0)))
                continue
            box = [xs.min() - 4, ys.min() - 4, xs.max() + 5, ys.max() + 5]
            out.append(Detections(np.array([box], np.float32), np.array([0.9])))
        return out


class MarkerPose:
    """Keypoint j = centroid of the marker pixels of joint j inside the box; score 0.8 (0 if absent)."""

    checkpoint = "fake-marker-pose"

    def __call__(self, images, boxes):
        out = []
        for im, bxs in zip(images, boxes):
            kps, scs = [], []
            for x1, y1, x2, y2 in np.asarray(bxs).reshape(-1, 4).astype(int):
                crop = im[max(y1, 0) : y2, max(x1, 0) : x2]
                kp = np.zeros((17, 2), np.float32)
                sc = np.zeros(17, np.float32)
                for j in range(17):
                    ys, xs = np.nonzero((crop[..., 0] == 10 * (j + 1)) & (crop[..., 1] == 255))
                    if len(xs):
                        kp[j] = xs.mean() + max(x1, 0), ys.mean() + max(y1, 0)
                        sc[j] = 0.8
                kps.append(kp)
                scs.append(sc)
            out.append((np.asarray(kps, np.float32).reshape(-1, 17, 2), np.asarray(scs, np.float32).reshape(-1, 17)))
        return out


class PlaneDepth:
    """The known plane at every image's own size (metric)."""

    kind = "metric"
    checkpoint = "fake-plane-depth"

    def __call__(self, images):
        return [plane_depth(im.shape[0], im.shape[1]) for im in images]


def write_marker_frames(folder, n: int = 10, corrupt: tuple[int, ...] = (), empty: tuple[int, ...] = ()) -> list:
    """``n`` PNG frames of a person walking right by 2 px/frame; ``corrupt`` frames are garbage bytes,
    ``empty`` frames have no person. Returns the per-frame COCO keypoints."""
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    truth = []
    for i in range(n):
        kp = coco_pose(2.0 * i)
        truth.append(kp)
        path = folder / f"frame_{i:03d}.png"
        if i in corrupt:
            path.write_bytes(b"this is not a png")
        elif i in empty:
            Image.fromarray(marker_image(np.zeros((0, 2)))).save(path)
        else:
            Image.fromarray(marker_image(kp)).save(path)
    return truth


# --------------------------------------------------------------------------------------------------------
# media as users shoot them: rotated / variable-frame-rate / truncated video, several people
# --------------------------------------------------------------------------------------------------------


def write_video(
    path: str | os.PathLike,
    frames: list[np.ndarray],
    times: list[float] | None = None,
    rotation: int | None = None,
    hflip: bool = False,
    fps: int = 10,
    faststart: bool = False,
) -> Path:
    """Write ``(H, W, 3)`` uint8 RGB frames as a **lossless** H.264 RGB MP4 (``libx264rgb``, ``crf=0``) with PyAV.

    ``times`` (seconds, increasing; millisecond time base) makes a variable-frame-rate clip; ``rotation``
    (counter-clockwise degrees, FFmpeg's display-matrix convention as ``av.VideoFrame.rotation``) and ``hflip``
    store display-matrix side data as a phone does; ``faststart`` puts the index first (as phones and web
    encoders do), so a truncated copy still opens and declares its full frame count.
    """
    from fractions import Fraction

    import av

    path = Path(path)
    options = {"movflags": "faststart"} if faststart else {}
    with av.open(os.fspath(path), "w", options=options) as container:
        stream = container.add_stream("libx264rgb", rate=fps, options={"crf": "0", "preset": "ultrafast"})
        stream.height, stream.width = frames[0].shape[:2]
        stream.pix_fmt = "rgb24"
        stream.time_base = Fraction(1, 1000)
        stream.codec_context.time_base = Fraction(1, 1000)
        if rotation is not None or hflip:
            stream.set_display_rotation(rotation or 0, hflip=hflip)
        for i, image in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image, np.uint8), format="rgb24")
            frame.time_base = Fraction(1, 1000)
            frame.pts = int(round((times[i] if times is not None else i / fps) * 1000))
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def draw_person(image: np.ndarray, keypoints: np.ndarray, green: int = 255) -> np.ndarray:
    """Draw COCO-17 markers (red ``10 (j + 1)``, the given ``green`` identifying the person) into ``image``."""
    h, w = image.shape[:2]
    for j, (x, y) in enumerate(np.round(keypoints).astype(int)):
        if 1 <= x < w - 1 and 1 <= y < h - 1:
            image[y - 1 : y + 2, x - 1 : x + 2, 0] = 10 * (j + 1)
            image[y - 1 : y + 2, x - 1 : x + 2, 1] = green
    return image


class ColourPeopleDetector:
    """One box per person colour (markers with ``green`` = each key of ``scores``), padded by 4 px; the score of a
    colour is fixed (``{255: 0.8, 200: 0.9}``: a decoy drawn in green 200 out-scores the person)."""

    checkpoint = "fake-colour-detector"

    def __init__(self, scores: dict[int, float] | None = None):
        self.scores = scores or {255: 0.8, 200: 0.9}

    def boxes(self, image: np.ndarray) -> dict[int, np.ndarray]:
        out = {}
        for green in self.scores:
            ys, xs = np.nonzero(image[..., 1] == green)
            if len(xs):
                out[green] = np.array([xs.min() - 4, ys.min() - 4, xs.max() + 5, ys.max() + 5], np.float32)
        return out

    def __call__(self, images):
        out = []
        for im in images:
            found = self.boxes(im)
            boxes = np.array(list(found.values()), np.float32).reshape(-1, 4)
            out.append(Detections(boxes, np.array([self.scores[g] for g in found], np.float32)))
        return out


class ColourPeoplePose:
    """Keypoints of the person whose marker box best overlaps the given box: centroid of its marker ``j``
    pixels (score 0.8; 0 when covered by someone else's markers)."""

    checkpoint = "fake-colour-pose"

    def __init__(self, detector: ColourPeopleDetector):
        self.detector = detector

    def __call__(self, images, boxes):
        from .detector import box_iou

        out = []
        for im, bxs in zip(images, boxes):
            people = self.detector.boxes(im)
            greens = list(people)
            kps, scs = [], []
            for box in np.asarray(bxs, np.float32).reshape(-1, 4):
                iou = box_iou(box[None], np.stack([people[g] for g in greens]))[0]
                green = greens[int(np.argmax(iou))]
                kp = np.zeros((17, 2), np.float32)
                sc = np.zeros(17, np.float32)
                for j in range(17):
                    ys, xs = np.nonzero((im[..., 0] == 10 * (j + 1)) & (im[..., 1] == green))
                    if len(xs):
                        kp[j] = xs.mean(), ys.mean()
                        sc[j] = 0.8
                kps.append(kp)
                scs.append(sc)
            out.append((np.asarray(kps, np.float32).reshape(-1, 17, 2), np.asarray(scs, np.float32).reshape(-1, 17)))
        return out
