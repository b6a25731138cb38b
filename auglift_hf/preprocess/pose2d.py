"""Stage 2: top-down 2D pose estimation on detected person boxes (COCO-17 with scores).

A pose estimator follows :class:`PoseEstimator2D`: given images and, per image, ``(N, 4)`` xyxy boxes in
original-image pixels, it returns per image ``keypoints (N, 17, 2)`` in **original-image pixels** (COCO-17
order) and ``scores (N, 17)`` in [0, 1]. The default is transformers' VitPose: the image processor crops
each box with an affine warp to the model's input (256 x 192, box padded by 1.25), and
``post_process_pose_estimation`` maps the heatmap maxima back through the inverse warp.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np

from ._hf import checkpoint_kwargs, loading_errors, resolve_device, resolve_dtype

DEFAULT_POSE_MODEL = "usyd-community/vitpose-base-simple"


@runtime_checkable
class PoseEstimator2D(Protocol):
    """``pose(images, boxes) -> [(keypoints (N, 17, 2) px, scores (N, 17)), ...]``, COCO-17 order."""

    def __call__(self, images: list[np.ndarray], boxes: list[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]: ...


class HFPoseEstimator:
    """transformers ``VitPoseForPoseEstimation`` (or any model with the same processor contract).

    Args:
        checkpoint: Hub id or folder (default ``usyd-community/vitpose-base-simple``, COCO-17).
        max_crops: person crops per forward pass (memory bound on GPU).
        dataset_index: expert index for ViTPose++ (MoE) checkpoints; 0 = COCO.
        flip_test: 2D flip test as ViTPose / MMPose's ``flip_test=True`` (heatmap mode): the crop is also run
            mirrored, its heatmaps are flipped back with COCO's left/right pairs (transformers'
            ``VitPoseForPoseEstimation(..., flip_pairs=...)``, i.e. ``flip_back``) and averaged with the
            unflipped heatmaps before the keypoints are decoded. Off by default (twice the cost).
        device, dtype: where and in which precision the model runs.
    """

    def __init__(
        self,
        checkpoint: str = DEFAULT_POSE_MODEL,
        max_crops: int = 64,
        dataset_index: int = 0,
        flip_test: bool = False,
        device: Any = None,
        dtype: Any = None,
        local_files_only: bool | None = None,
        revision: str | None = None,
    ):
        from transformers import AutoImageProcessor, VitPoseForPoseEstimation

        self.device = resolve_device(device)
        self.dtype = resolve_dtype(dtype, self.device)
        kw = checkpoint_kwargs(checkpoint, "2D pose model", "--pose-model", local_files_only, revision)
        with loading_errors(checkpoint, "2D pose model", "--pose-model", local_files_only):
            self.processor = AutoImageProcessor.from_pretrained(checkpoint, **kw)
            self.model = VitPoseForPoseEstimation.from_pretrained(checkpoint, dtype=self.dtype, **kw)
        self.model.to(self.device).eval()
        self.checkpoint, self.max_crops, self.dataset_index = str(checkpoint), int(max_crops), int(dataset_index)
        self.flip_test = bool(flip_test)
        backbone = getattr(self.model.config, "backbone_config", None)
        self._moe = getattr(backbone, "num_experts", 1) > 1
        if self.model.config.num_labels != 17:
            raise ValueError(
                f"{checkpoint}: expected 17 COCO keypoints, the model predicts {self.model.config.num_labels}"
            )

    def _run(self, images: list[np.ndarray], boxes_xywh: list[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
        import torch

        inputs = self.processor(images=images, boxes=[b.tolist() for b in boxes_xywh], return_tensors="pt")
        pixel_values = inputs["pixel_values"].to(self.device, self.dtype)
        kwargs = {}
        if self._moe:
            kwargs["dataset_index"] = torch.full((len(pixel_values),), self.dataset_index, device=self.device)
        with torch.inference_mode():
            outputs = self.model(pixel_values=pixel_values, **kwargs)
            if self.flip_test:
                from ..skeleton import COCO_FLIP_PAIRS

                pairs = torch.tensor(COCO_FLIP_PAIRS, device=self.device)
                flipped = self.model(pixel_values=pixel_values.flip(-1), flip_pairs=pairs, **kwargs).heatmaps
                outputs.heatmaps = 0.5 * (outputs.heatmaps.float() + flipped.float())
        outputs.heatmaps = outputs.heatmaps.float()
        results = self.processor.post_process_pose_estimation(outputs, boxes=[b.tolist() for b in boxes_xywh])
        out = []
        for per_image in results:
            kp = np.stack([r["keypoints"].cpu().numpy() for r in per_image]).astype(np.float32)
            sc = np.stack([r["scores"].cpu().numpy() for r in per_image]).astype(np.float32)
            out.append((kp.reshape(-1, 17, 2), sc.reshape(-1, 17)))
        return out

    def __call__(self, images: list[np.ndarray], boxes: list[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
        if len(images) != len(boxes):
            raise ValueError(f"pose estimator: {len(images)} images but {len(boxes)} box lists")
        out: list[tuple[np.ndarray, np.ndarray]] = [
            (np.zeros((0, 17, 2), np.float32), np.zeros((0, 17), np.float32)) for _ in images
        ]
        # VitPose boxes are COCO xywh; images without boxes are skipped (the processor needs >= 1 crop).
        todo = [i for i, b in enumerate(boxes) if len(b)]
        start = 0
        while start < len(todo):
            chunk, crops = [], 0
            while start < len(todo) and (not chunk or crops + len(boxes[todo[start]]) <= self.max_crops):
                chunk.append(todo[start])
                crops += len(boxes[todo[start]])
                start += 1
            xywh = []
            for i in chunk:
                b = np.asarray(boxes[i], dtype=np.float32).reshape(-1, 4)
                xywh.append(np.concatenate([b[:, :2], b[:, 2:] - b[:, :2]], axis=1))
            for i, res in zip(chunk, self._run([images[i] for i in chunk], xywh)):
                out[i] = res
        return out
