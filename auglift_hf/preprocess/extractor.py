"""``XYCDExtractor``: images -> person boxes -> COCO-17 2D pose -> H36M-17 (x, y, c) -> depth descriptors.

Geometry contract (tested with a synthetic image whose keypoints and depth are known):

* every backend returns coordinates in **original-image pixels**: the detector's boxes and the pose model's
  keypoints are mapped back through the backends' own resize / affine crop, and the depth map is resized
  back to the original ``(H, W)`` before sampling (``depth[v, u]`` is the depth of pixel ``(u, v)``);
* COCO-17 keypoints are mapped to H36M-17 with :func:`auglift_hf.skeleton.coco_to_h36m` (synthesised
  joints take the mean confidence of their sources, as MMPose's ``convert_keypoint_definition``) **before** the
  depth is sampled, so the descriptors belong to the H36M joints the lifter sees (keypoint definition
  ``"coco"`` in the input contract);
* descriptors come from :func:`auglift_hf.features.sample_depth` (``point`` / ``minmax`` / ``casp``) with the
  parameters of the lifter's input contract (:mod:`auglift_hf.contract`) when one is given, else the defaults
  the shipped lifters were trained with (:func:`auglift_hf.contract.default_descriptor`: CASP, 16 samples).

Invalid depth (NaN / non-positive / beyond the metric range in the map) is never sampled: a joint without any
valid sample gets ``depth_valid=False`` and descriptor 0.0 (a placeholder, not a depth; consumers must use the
flag). A frame in which nobody is found still yields one row, with zeros everywhere and ``valid=False``, so a
frame is never silently dropped and no NaN reaches the table.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import numpy as np

from ..skeleton import NUM_JOINTS, coco_to_h36m
from ._hf import load_image, resolve_device, resolve_dtype
from .depth import DepthEstimator
from .detector import DEFAULT_THRESHOLD, Detections, FullImageDetector, PersonDetector
from .pose2d import PoseEstimator2D

logger = logging.getLogger(__name__)

#: Per-row array outputs of :meth:`XYCDExtractor.__call__` (``R`` rows = people, or 1 per empty frame).
ROW_FIELDS: tuple[str, ...] = (
    "frame", "person", "keypoints_2d", "keypoint_scores", "keypoints_coco", "bbox", "bbox_score", "depth",
    "depth_valid", "valid", "num_people", "image_width", "image_height",
)  # fmt: skip


def _build_detector(detector: Any, threshold: float, device: Any, dtype: Any, local_files_only: Any) -> Any:
    from .detector import DEFAULT_DETECTOR, HFPersonDetector

    detector = os.fspath(detector) if isinstance(detector, os.PathLike) else detector
    if detector is None or (isinstance(detector, str) and detector in ("none", "full-image")):
        return FullImageDetector()
    if isinstance(detector, str):
        ckpt = DEFAULT_DETECTOR if detector in ("default", "") else detector
        return HFPersonDetector(
            ckpt, threshold=threshold, device=device, dtype=dtype, local_files_only=local_files_only
        )
    if not callable(detector):
        raise ValueError(f"`detector` must be None, a checkpoint id/folder or a PersonDetector, got {type(detector)}")
    return detector


def _build_pose(pose: Any, device: Any, dtype: Any, local_files_only: Any, flip_test: bool = False) -> Any:
    from .pose2d import DEFAULT_POSE_MODEL, HFPoseEstimator

    pose = os.fspath(pose) if isinstance(pose, os.PathLike) else pose
    if pose is None or isinstance(pose, str):
        return HFPoseEstimator(
            pose or DEFAULT_POSE_MODEL,
            device=device,
            dtype=dtype,
            local_files_only=local_files_only,
            flip_test=flip_test,
        )
    if not callable(pose):
        raise ValueError(f"`pose_estimator` must be a checkpoint id/folder or a PoseEstimator2D, got {type(pose)}")
    return pose


def _build_depth(depth: Any, device: Any, dtype: Any, local_files_only: Any) -> Any:
    from .depth import DEFAULT_DEPTH_MODEL, HFDepthEstimator

    depth = os.fspath(depth) if isinstance(depth, os.PathLike) else depth
    if depth is None or (isinstance(depth, str) and depth == "none"):
        return None
    if isinstance(depth, str):
        ckpt = DEFAULT_DEPTH_MODEL if depth in ("default", "") else depth
        return HFDepthEstimator(ckpt, device=device, dtype=dtype, local_files_only=local_files_only)
    if not callable(depth):
        raise ValueError(
            f"`depth_estimator` must be None, a checkpoint id/folder or a DepthEstimator, got {type(depth)}"
        )
    return depth


class XYCDExtractor:
    """Per-frame 2D pose + depth descriptors, batched over frames.

    Args:
        detector: a :class:`~auglift_hf.preprocess.detector.PersonDetector`, a checkpoint id / folder
            (``"default"`` = RT-DETR), or ``None`` / ``"full-image"`` for one whole-image box per frame.
        pose_estimator: a :class:`~auglift_hf.preprocess.pose2d.PoseEstimator2D` or a checkpoint id / folder
            (``None`` = ``usyd-community/vitpose-base-simple``).
        depth_estimator: a :class:`~auglift_hf.preprocess.depth.DepthEstimator`, a checkpoint id / folder or a
            :data:`~auglift_hf.preprocess.depth.DEPTH_CHECKPOINTS` key, ``None``/``"none"`` (no depth), or
            ``"default"``: the contract's ``depth_model`` (no depth when the contract has none), else the metric
            Depth Anything V2 (:data:`auglift_hf.contract.DEFAULT_DEPTH_MODEL`).
        depth_mode: descriptor of :func:`auglift_hf.features.sample_depth` (``"casp"``, ``"point"``, ``"minmax"``);
            ``None`` = the contract's (else ``"casp"``).
        depth_params: keyword arguments of ``sample_depth`` (``num_samples``, CASP radius law, ...) overriding the
            contract's descriptor (else :func:`auglift_hf.contract.default_descriptor`).
        contract: the lifter's :class:`~auglift_hf.contract.InputContract` (or a lifter folder / processor / dict):
            supplies the defaults above and is checked against the depth backend's kind and the descriptor; a
            conflict raises ``ValueError`` naming both sides unless ``override_contract=True`` (the deviations are
            then in :attr:`contract_deviations` and in :meth:`describe`). ``lifter_name`` names it in messages.
        pose_flip_test: 2D flip test of the default VitPose backend (average of the heatmaps of the crop and of
            its mirror image flipped back with COCO's left/right pairs); off by default.
        multi_person: keep every detected person (one row each, ``person`` = rank by detector score)
            instead of the best-scoring one. Track ids across frames: :func:`auglift_hf.preprocess.tracking.assign_tracks`.
        detector_threshold: person score threshold of the default detector
            (:data:`~auglift_hf.preprocess.detector.DEFAULT_THRESHOLD`; AugLift's in
            :data:`~auglift_hf.preprocess.detector.AUGLIFT_DETECTION`).
        feature_extractor: optional AugLift-V2 backbone sampler (``fn(images, keypoints_h36m (R,17,2), frame (R,))
            -> (R, 17, C)``), e.g. :class:`~auglift_hf.preprocess.features.BackboneFeatureSampler`.
        device, dtype: used when backends are built from checkpoint ids.
    """

    def __init__(
        self,
        detector: Any = "default",
        pose_estimator: Any = None,
        depth_estimator: Any = "default",
        *,
        depth_mode: str | None = None,
        depth_params: dict[str, Any] | None = None,
        contract: Any = None,
        override_contract: bool = False,
        lifter_name: str = "the lifter",
        pose_flip_test: bool = False,
        multi_person: bool = False,
        detector_threshold: float = DEFAULT_THRESHOLD,
        feature_extractor: Any = None,
        device: Any = None,
        dtype: Any = None,
        local_files_only: bool | None = None,
    ):
        from ..contract import check_contract, default_descriptor, load_contract
        from ..features import DEPTH_CHANNELS

        self.contract = load_contract(contract) if contract is not None else None
        base = (
            dict(self.contract.depth_descriptor)
            if self.contract is not None and self.contract.depth_descriptor is not None
            else default_descriptor()
        )
        if depth_mode is not None and depth_mode not in DEPTH_CHANNELS:
            raise ValueError(f"`depth_mode` must be one of {sorted(DEPTH_CHANNELS)}, got {depth_mode!r}")
        if depth_mode is not None and depth_mode != base["mode"]:
            base = {**default_descriptor(depth_mode, base["num_samples"]), "num_samples": base["num_samples"]}
        descriptor = {**base, **{("pattern_seed" if k == "seed" else k): v for k, v in (depth_params or {}).items()}}
        if descriptor["mode"] not in DEPTH_CHANNELS:
            raise ValueError(f"`depth_mode` must be one of {sorted(DEPTH_CHANNELS)}, got {descriptor['mode']!r}")
        if isinstance(depth_estimator, str) and depth_estimator in ("default", ""):
            if self.contract is not None and self.contract.depth_kind is None:
                depth_estimator = None
            elif self.contract is not None and self.contract.depth_model is not None:
                depth_estimator = self.contract.depth_model
            elif self.contract is not None and self.contract.depth_kind == "relative":
                raise ValueError(
                    f"{lifter_name}: its contract says relative depth but names no depth_model; pass depth_estimator"
                )
        self.device = resolve_device(device)
        self.dtype = resolve_dtype(dtype, self.device)
        self.detector: PersonDetector = _build_detector(
            detector, detector_threshold, self.device, self.dtype, local_files_only
        )
        self.pose_estimator: PoseEstimator2D = _build_pose(
            pose_estimator, self.device, self.dtype, local_files_only, flip_test=pose_flip_test
        )
        self.depth_estimator: DepthEstimator | None = _build_depth(
            depth_estimator, self.device, self.dtype, local_files_only
        )
        from ..contract import InputContract, descriptor_kwargs

        InputContract(depth_kind="metric", depth_descriptor=descriptor)  # validates the descriptor's fields
        self.depth_descriptor = descriptor
        self.depth_mode, self.depth_params = descriptor_kwargs(descriptor)
        self.multi_person = bool(multi_person)
        self.feature_extractor = feature_extractor
        self.override_contract = bool(override_contract)
        kind = None if self.depth_estimator is None else self.depth_kind
        self.contract_deviations: list[str] = check_contract(
            self.contract, depth_kind=kind, depth_model=getattr(self.depth_estimator, "checkpoint", None),
            depth_descriptor=descriptor if self.depth_estimator is not None else None, keypoint_definition="coco",
            override=self.override_contract, lifter=lifter_name,
            source=f"the depth backend {getattr(self.depth_estimator, 'checkpoint', None) or type(self.depth_estimator).__name__}",
        )  # fmt: skip

    @property
    def depth_channels(self) -> tuple[str, ...]:
        """Names of the ``depth`` output channels (``()`` without a depth backend)."""
        from ..features import DEPTH_CHANNELS

        return DEPTH_CHANNELS[self.depth_mode] if self.depth_estimator is not None else ()

    @property
    def depth_kind(self) -> str:
        """``"metric"``, ``"relative"`` or ``"none"``. A custom depth backend must say which (``kind`` attribute)."""
        if self.depth_estimator is None:
            return "none"
        kind = getattr(self.depth_estimator, "kind", None)
        if kind not in ("metric", "relative"):
            raise ValueError(
                f"depth backend {type(self.depth_estimator).__name__} must have kind 'metric' or 'relative', got {kind!r}"
            )
        return str(kind)

    def input_contract(self) -> Any:
        """The :class:`~auglift_hf.contract.InputContract` of what this extractor produces (COCO-detector 2D)."""
        from ..contract import InputContract

        if self.depth_estimator is None:
            return InputContract(keypoint_definition="coco")
        model = getattr(self.depth_estimator, "checkpoint", None) or type(self.depth_estimator).__name__
        return InputContract(self.depth_kind, str(model), dict(self.depth_descriptor), "coco")

    def describe(self) -> dict[str, Any]:
        """Backends and parameters (written next to preprocessed data for provenance and resume checks).

        ``backends`` holds each backend's :func:`~auglift_hf.preprocess.provenance.backend_provenance`: checkpoint,
        Hub revision (commit), dtype, input size, detector threshold / NMS, pose flip test, depth ``max_depth``.
        """
        from .provenance import backend_provenance

        def name(obj: Any) -> str:
            return getattr(obj, "checkpoint", None) or type(obj).__name__

        return {
            "detector": name(self.detector),
            "pose_estimator": name(self.pose_estimator),
            "depth_estimator": None if self.depth_estimator is None else name(self.depth_estimator),
            "depth_kind": self.depth_kind,
            "depth_mode": self.depth_mode,
            "depth_channels": list(self.depth_channels),
            "depth_params": {k: v for k, v in sorted(self.depth_params.items())},
            "depth_descriptor": dict(self.depth_descriptor) if self.depth_estimator is not None else None,
            "input_contract": self.input_contract().to_dict(),
            "contract_deviations": list(self.contract_deviations),
            "multi_person": self.multi_person,
            "features": None if self.feature_extractor is None else name(self.feature_extractor),
            "backends": {
                "detector": backend_provenance(self.detector),
                "pose_estimator": backend_provenance(self.pose_estimator),
                "depth_estimator": backend_provenance(self.depth_estimator),
                "features": backend_provenance(self.feature_extractor),
            },
        }

    def __call__(self, images: list[Any], return_depth_maps: bool = False) -> dict[str, Any]:
        """Run the three stages on a batch of frames.

        Args:
            images: paths, ``PIL.Image`` or ``(H, W, 3)`` arrays (sizes may differ within the batch).
            return_depth_maps: also return ``depth_maps``, a list of ``(H, W)`` float32 maps per frame.

        Returns:
            A dict of arrays with ``R`` rows (one per kept person; one invalid row for a frame with nobody):
            ``frame (R,)`` index into ``images``, ``person (R,)`` rank within the frame, ``keypoints_2d
            (R, 17, 2)`` H36M-17 original pixels, ``keypoint_scores (R, 17)``, ``keypoints_coco (R, 17, 3)``
            (x, y, score as the pose model gave them), ``bbox (R, 4)`` xyxy px, ``bbox_score (R,)``, ``depth
            (R, 17, k)`` descriptors (k = ``len(depth_channels)``, may be 0), ``depth_valid (R, 17)``,
            ``valid (R,)``, ``num_people (R,)``, ``image_width``/``image_height (R,)``, and ``features
            (R, 17, C)`` when a feature extractor is set.
        """
        arrays = [load_image(im) for im in images]
        n = len(arrays)
        detections: list[Detections] = self.detector(arrays) if n else []
        if len(detections) != n:
            raise ValueError(f"detector returned {len(detections)} results for {n} images")
        chosen = []
        for det in detections:
            order = np.argsort(-det.scores, kind="stable")
            chosen.append(order if self.multi_person else order[:1])
        boxes = [det.boxes[idx] for det, idx in zip(detections, chosen)]
        poses = self.pose_estimator(arrays, boxes) if n else []
        if len(poses) != n:
            raise ValueError(f"pose estimator returned {len(poses)} results for {n} images")

        frame, person, kp, sc, bbox, bscore, valid, npeople = [], [], [], [], [], [], [], []
        for i, (det, idx, (kpi, sci)) in enumerate(zip(detections, chosen, poses)):
            kpi = np.asarray(kpi, np.float32).reshape(-1, NUM_JOINTS, 2)
            sci = np.asarray(sci, np.float32).reshape(-1, NUM_JOINTS)
            m = len(idx)
            if kpi.shape[0] != m or sci.shape[0] != m:
                raise ValueError(f"pose estimator returned {kpi.shape[0]} poses for {m} boxes in frame {i}")
            if m == 0:
                kpi, sci = np.zeros((1, NUM_JOINTS, 2), np.float32), np.zeros((1, NUM_JOINTS), np.float32)
                bbox.append(np.zeros((1, 4), np.float32))
                bscore.append(np.zeros(1, np.float32))
                valid.append(np.zeros(1, bool))
                m_rows = 1
            else:
                bbox.append(det.boxes[idx])
                bscore.append(det.scores[idx])
                valid.append(np.ones(m, bool))
                m_rows = m
            frame.append(np.full(m_rows, i, np.int64))
            person.append(np.arange(m_rows, dtype=np.int32))
            npeople.append(np.full(m_rows, m, np.int32))
            kp.append(kpi)
            sc.append(sci)
        r_frame = np.concatenate(frame) if n else np.zeros(0, np.int64)
        coco = np.concatenate(
            [np.concatenate(kp), np.concatenate(sc)[..., None]], axis=-1
        ) if n else np.zeros((0, NUM_JOINTS, 3), np.float32)  # fmt: skip
        coco = np.nan_to_num(coco.astype(np.float32), nan=0.0, posinf=0.0, neginf=0.0)
        coco[..., 2] = np.clip(coco[..., 2], 0.0, 1.0)
        h36m = coco_to_h36m(coco, confidence_channel=2)
        out: dict[str, Any] = {
            "frame": r_frame,
            "person": np.concatenate(person) if n else np.zeros(0, np.int32),
            "keypoints_2d": np.ascontiguousarray(h36m[..., :2]),
            "keypoint_scores": np.ascontiguousarray(h36m[..., 2]),
            "keypoints_coco": coco,
            "bbox": np.concatenate(bbox).astype(np.float32) if n else np.zeros((0, 4), np.float32),
            "bbox_score": np.concatenate(bscore).astype(np.float32) if n else np.zeros(0, np.float32),
            "valid": np.concatenate(valid) if n else np.zeros(0, bool),
            "num_people": np.concatenate(npeople) if n else np.zeros(0, np.int32),
            "image_width": np.array([arrays[f].shape[1] for f in r_frame], np.int32),
            "image_height": np.array([arrays[f].shape[0] for f in r_frame], np.int32),
        }
        maps = self.depth_estimator(arrays) if (self.depth_estimator is not None and n) else None
        out["depth"], out["depth_valid"] = self._sample_depth(maps, arrays, out)
        if self.feature_extractor is not None:
            out["features"] = np.asarray(self.feature_extractor(arrays, out["keypoints_2d"], r_frame), np.float32)
        if return_depth_maps:
            out["depth_maps"] = maps
        return out

    def _sample_depth(self, maps: list[np.ndarray] | None, arrays: list[np.ndarray], rows: dict[str, Any]) -> Any:
        """Descriptors for every row; frames of equal size are sampled together in one batched call."""
        import torch

        from ..features import sample_depth

        r = len(rows["frame"])
        k = len(self.depth_channels)
        depth = np.zeros((r, NUM_JOINTS, k), np.float32)
        depth_valid = np.zeros((r, NUM_JOINTS), bool)
        if maps is None or r == 0:
            return depth, depth_valid
        if len(maps) != len(arrays):
            raise ValueError(f"depth estimator returned {len(maps)} maps for {len(arrays)} images")
        for i, (m, im) in enumerate(zip(maps, arrays)):
            if np.shape(m) != im.shape[:2]:
                raise ValueError(f"depth map {i} has shape {np.shape(m)}, expected the image size {im.shape[:2]}")
        shapes = np.array([m.shape for m in maps])
        row_shapes = shapes[rows["frame"]]
        for shape in np.unique(row_shapes, axis=0):
            sel = np.flatnonzero((row_shapes == shape).all(-1) & rows["valid"])
            if len(sel) == 0:
                continue
            frames = rows["frame"][sel]
            uniq, inverse = np.unique(frames, return_inverse=True)
            stack = torch.from_numpy(np.stack([maps[f] for f in uniq]).astype(np.float32))[torch.from_numpy(inverse)]
            d, ok = sample_depth(
                stack, rows["keypoints_2d"][sel], rows["keypoint_scores"][sel], mode=self.depth_mode,
                return_valid=True, **self.depth_params,
            )  # fmt: skip
            depth[sel] = torch.nan_to_num(d.float()).cpu().numpy()
            depth_valid[sel] = ok.cpu().numpy()
        return depth, depth_valid
