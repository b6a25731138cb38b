"""Stage 1: person detection.

A detector is anything that follows :class:`PersonDetector`: it takes a list of ``(H, W, 3)`` uint8 RGB
images and returns one :class:`Detections` per image, boxes in **original-image pixels** (``x1, y1, x2, y2``).
The default is a transformers object detector (RT-DETR trained on COCO + Objects365); any
``AutoModelForObjectDetection`` checkpoint whose labels contain ``"person"`` works.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Protocol, runtime_checkable

import numpy as np

from ._hf import hub_kwargs, resolve_device, resolve_dtype

DEFAULT_DETECTOR = "PekingU/rtdetr_r50vd_coco_o365"
#: AugLift's person detection, the one place this package states it. Its 2D / depth scripts
#: (github.com/nikolaiwarner7/auglift at d95ad20, ``coarse_depth_experiments/Depth-Anything-OfficialV2/
#: Depth-Anything-V2/metric_depth/``) run MMPose's RTMDet-m person detector
#: (``rtmdet_m_8xb32-100e_coco-obj365-person-235e8209.pth``), keep person boxes with score ``> 0.3`` and apply NMS
#: at IoU ``0.3``: ``BBOX_THRESH = 0.3 # fixed for highres`` (the earlier ``0.03`` commented out above it) and
#: ``NMS_THRESH = 0.3`` in ``1_30_..._h36m_v4_cache_img_aug_baseline_oct_2025.py:259-261`` (used at :330-331),
#: ``..._3dhp_v4_...py:259-261`` (used at :283-284) and ``..._fit3d_v3_...py:479-481`` (used at :549-550). The
#: ``0.03`` that also appears (``..._3dpw_v4_...py:139``) belongs to ``process_frame_np`` (:205-229), whose only
#: call is commented out (:657): on 3DPW no detector runs at all, ground-truth boxes with a 150 px margin prompt
#: the pose model (:625-636; :data:`auglift_hf.data.join.AUGLIFT_GT_BOX_MARGIN`). Of the pose among the kept boxes
#: AugLift takes the one with the highest mean keypoint score. The paper (arXiv 2508.07112) states no threshold
#: that could be found. This package's default detector is RT-DETR, not RTMDet: it keeps the 0.3 score threshold
#: (:data:`DEFAULT_THRESHOLD`) and uses NMS at 0.5 (:data:`DEFAULT_NMS_IOU`; a set-prediction detector rarely
#: duplicates a person, and 0.3 would drop one of two people crossing).
AUGLIFT_DETECTION: dict[str, float] = {"score_threshold": 0.3, "nms_iou": 0.3}
#: Default person score threshold (AugLift's, :data:`AUGLIFT_DETECTION`).
DEFAULT_THRESHOLD = AUGLIFT_DETECTION["score_threshold"]
#: Default NMS IoU of :class:`HFPersonDetector` (AugLift's RTMDet used 0.3, :data:`AUGLIFT_DETECTION`).
DEFAULT_NMS_IOU = 0.5


@dataclasses.dataclass
class Detections:
    """People found in one image: ``boxes (N, 4)`` xyxy original-image pixels, ``scores (N,)`` in [0, 1]."""

    boxes: np.ndarray
    scores: np.ndarray

    def __post_init__(self) -> None:
        self.boxes = np.asarray(self.boxes, dtype=np.float32).reshape(-1, 4)
        self.scores = np.asarray(self.scores, dtype=np.float32).reshape(-1)
        if len(self.boxes) != len(self.scores):
            raise ValueError(f"Detections: {len(self.boxes)} boxes but {len(self.scores)} scores")

    def __len__(self) -> int:
        return len(self.scores)


@runtime_checkable
class PersonDetector(Protocol):
    """``detector(images: list[(H, W, 3) uint8]) -> list[Detections]`` (xyxy pixels of each original image)."""

    def __call__(self, images: list[np.ndarray]) -> list[Detections]: ...


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairwise IoU of xyxy boxes: ``(N, 4), (M, 4) -> (N, M)`` (array-likes; a single box may be ``(4,)``)."""
    a, b = np.asarray(a, np.float64).reshape(-1, 4), np.asarray(b, np.float64).reshape(-1, 4)
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.clip(rb - lt, 0, None).prod(-1)
    area = lambda x: np.clip(x[:, 2] - x[:, 0], 0, None) * np.clip(x[:, 3] - x[:, 1], 0, None)  # noqa: E731
    union = area(a)[:, None] + area(b)[None, :] - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-12), 0.0)


def nms(boxes: np.ndarray, scores: np.ndarray, iou_threshold: float = 0.5) -> np.ndarray:
    """Greedy non-maximum suppression; returns kept indices sorted by decreasing score.

    The IoU matrix is computed once (vectorised); the greedy pass loops over boxes (at most a few hundred).
    """
    if len(scores) == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(-scores, kind="stable")
    iou = box_iou(boxes[order], boxes[order])
    suppressed = np.zeros(len(order), dtype=bool)
    keep = []
    for i in range(len(order)):
        if suppressed[i]:
            continue
        keep.append(order[i])
        suppressed |= iou[i] > iou_threshold
    return np.asarray(keep, dtype=np.int64)


class FullImageDetector:
    """No detector: one box covering the whole image, score 1 (for already-cropped single-person frames)."""

    def __call__(self, images: list[np.ndarray]) -> list[Detections]:
        return [Detections(np.array([[0, 0, im.shape[1], im.shape[0]]], np.float32), np.ones(1)) for im in images]


class HFPersonDetector:
    """A transformers object detector restricted to the ``person`` class, with a score threshold and NMS.

    Args:
        checkpoint: Hub id or local folder of an ``AutoModelForObjectDetection`` (default RT-DETR R50 COCO+O365).
        threshold: minimum person score (:data:`DEFAULT_THRESHOLD`, AugLift's: :data:`AUGLIFT_DETECTION`).
        nms_iou: IoU above which the lower-scoring of two person boxes is dropped (:data:`DEFAULT_NMS_IOU`).
        max_people: keep at most this many boxes per image (best scores first); ``None`` = all.
        person_label: class id of "person"; looked up in ``config.id2label`` when ``None``.
        device, dtype: where and in which precision the model runs (fp16/bf16 on GPU).
    """

    def __init__(
        self,
        checkpoint: str = DEFAULT_DETECTOR,
        threshold: float = DEFAULT_THRESHOLD,
        nms_iou: float = DEFAULT_NMS_IOU,
        max_people: int | None = None,
        person_label: int | None = None,
        device: Any = None,
        dtype: Any = None,
        local_files_only: bool | None = None,
        revision: str | None = None,
    ):
        from transformers import AutoImageProcessor, AutoModelForObjectDetection

        self.device = resolve_device(device)
        self.dtype = resolve_dtype(dtype, self.device)
        kw = hub_kwargs(local_files_only, revision)
        self.processor = AutoImageProcessor.from_pretrained(checkpoint, **kw)
        self.model = AutoModelForObjectDetection.from_pretrained(checkpoint, dtype=self.dtype, **kw)
        self.model.to(self.device).eval()
        self.checkpoint, self.threshold, self.nms_iou, self.max_people = (
            str(checkpoint),
            threshold,
            nms_iou,
            max_people,
        )
        if person_label is None:
            labels = {str(v).lower(): int(k) for k, v in self.model.config.id2label.items()}
            if "person" not in labels:
                raise ValueError(f"{checkpoint}: no 'person' class in config.id2label; pass `person_label=`")
            person_label = labels["person"]
        self.person_label = int(person_label)

    def __call__(self, images: list[np.ndarray]) -> list[Detections]:
        import torch

        if not images:
            return []
        inputs = self.processor(images=list(images), return_tensors="pt")
        pixel_values = inputs["pixel_values"].to(self.device, self.dtype)
        with torch.inference_mode():
            outputs = self.model(pixel_values=pixel_values)
        outputs.logits = outputs.logits.float()
        outputs.pred_boxes = outputs.pred_boxes.float()
        sizes = [(im.shape[0], im.shape[1]) for im in images]
        results = self.processor.post_process_object_detection(outputs, threshold=self.threshold, target_sizes=sizes)
        out = []
        for res, (h, w) in zip(results, sizes):
            keep = (res["labels"] == self.person_label).cpu().numpy()
            boxes = res["boxes"].float().cpu().numpy()[keep]
            scores = res["scores"].float().cpu().numpy()[keep]
            boxes = np.clip(boxes, 0, [w, h, w, h]).astype(np.float32)
            ok = (boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1])
            boxes, scores = boxes[ok], scores[ok]
            idx = nms(boxes, scores, self.nms_iou)
            if self.max_people is not None:
                idx = idx[: self.max_people]
            out.append(Detections(boxes[idx], scores[idx]))
        return out
