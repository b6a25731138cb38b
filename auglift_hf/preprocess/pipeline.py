"""The ``"pose-lifting"`` transformers pipeline: image / video / 2D keypoints -> 3D joints in millimetres.

After ``import auglift_hf`` (which calls :func:`register_pipeline`)::

    from transformers import pipeline
    lifter = pipeline("pose-lifting", model="auglift/poseformer-xycd")         # or a local folder
    out = lifter("clip.mp4")                                                   # or an image, a PIL image,
    out["keypoints_3d"]     # (frames, 17, 3) mm                               # (frames, 17, 2|3) keypoints,
                                                                               # or an AlphaPose JSON path

The model folder holds the lifter and its ``preprocessor_config.json`` (:class:`~auglift_hf.PoseLiftingProcessor`).
Images and videos go through :class:`~auglift_hf.preprocess.XYCDExtractor` (detector -> VitPose -> depth), whose
backends are pipeline arguments (``detector=``, ``pose_estimator=``, ``depth_estimator=``, or ``extractor=``) and
are only built when an image or video arrives, so 2D keypoint input works offline without any vision model.

Output coordinates: camera axes (x right, y down, z forward), millimetres, root-relative (pelvis at 0); with
``focal_length`` + ``principal_point`` and a metric depth backend the root is estimated from depth and the joints
are absolute camera-frame millimetres. Frames without a detected person are filled from the nearest frame with
one (``valid`` is False there).
"""

from __future__ import annotations

import logging
import os
import warnings
from typing import Any

import numpy as np
from transformers import Pipeline

from ..skeleton import H36M_JOINT_NAMES, NUM_JOINTS
from .io_keypoints import KeypointSequence, parse_keypoints, read_keypoints_json
from .sources import IMAGE_EXTENSIONS
from .video import VIDEO_EXTENSIONS, VideoReader

logger = logging.getLogger(__name__)

TASK = "pose-lifting"
_REGISTERED = False


def register_pipeline() -> None:
    """Register ``"pose-lifting"`` with ``transformers.pipelines.PIPELINE_REGISTRY`` (idempotent)."""
    global _REGISTERED
    if _REGISTERED:
        return
    from transformers.pipelines import PIPELINE_REGISTRY

    from ..models.loading import StrictAutoLifter  # strict load: mismatched weights are an error, not random init

    PIPELINE_REGISTRY.register_pipeline(
        TASK, pipeline_class=PoseLiftingPipeline, pt_model=StrictAutoLifter, type="multimodal"
    )
    _REGISTERED = True


def load_lifting_processor(model: Any) -> Any:
    """The model folder's ``preprocessor_config.json``, or a processor derived from the model config."""
    from ..processing_lifting import PoseLiftingProcessor

    name = getattr(model, "name_or_path", None) or getattr(model.config, "_name_or_path", None)
    if name:
        try:
            return PoseLiftingProcessor.from_pretrained(name)
        except (OSError, ValueError) as err:
            logger.info("no preprocessor_config.json for %s (%s); deriving the processor from the config", name, err)
    from auglift_hf.models import input_frames

    return PoseLiftingProcessor.from_model_config(model.config, num_frames=input_frames(model.config))


def sibling_image_size(json_path: str | os.PathLike) -> tuple[int, int] | None:
    """Frame size of the one video or image next to a keypoints JSON whose name starts its name
    (``walking_woman_alphapose.json`` -> ``walking_woman.mp4``); ``None`` when there is not exactly one."""
    from pathlib import Path

    path = Path(json_path)
    stem = path.stem.lower()
    candidates = [
        p for p in path.parent.iterdir()
        if p.suffix.lower() in VIDEO_EXTENSIONS + IMAGE_EXTENSIONS and stem.startswith(p.stem.lower())
    ]  # fmt: skip
    if len(candidates) != 1:
        return None
    try:
        if candidates[0].suffix.lower() in VIDEO_EXTENSIONS:
            size = VideoReader(candidates[0]).size
        else:
            from PIL import Image

            with Image.open(candidates[0]) as im:
                size = im.size
    except (ValueError, OSError):
        return None
    logger.warning("image size %s taken from %s (pass image_size to override)", size, candidates[0].name)
    return int(size[0]), int(size[1])


def fill_invalid_frames(valid: np.ndarray, *arrays: np.ndarray) -> list[np.ndarray]:
    """Replace rows of frames with ``valid=False`` by the nearest valid frame (vectorised). No-op if none is valid."""
    valid = np.asarray(valid, bool)
    if valid.all() or not valid.any():
        return [np.asarray(a) for a in arrays]
    idx = np.flatnonzero(valid)
    pos = np.searchsorted(idx, np.arange(len(valid)))
    left = idx[np.clip(pos - 1, 0, len(idx) - 1)]
    right = idx[np.clip(pos, 0, len(idx) - 1)]
    frames = np.arange(len(valid))
    nearest = np.where(np.abs(frames - left) <= np.abs(right - frames), left, right)
    return [np.asarray(a)[nearest] for a in arrays]


def lift_keypoints(
    model: Any,
    processor: Any,
    keypoints_2d: np.ndarray,
    image_size: tuple[int, int],
    scores: np.ndarray | None = None,
    depth: np.ndarray | None = None,
    batch_size: int = 256,
    device: Any = None,
) -> np.ndarray:
    """Lift one H36M-17 pixel sequence ``(frames, 17, 2)``: returns root-relative metres ``(frames, 17, 3)``
    (MotionBERT-normalised units for a ``coordinate_normalization="motionbert"`` processor; many-to-many models
    lift the whole sequence with ``model.lift_sequence``: full clips, the last one shifted to end on the last
    frame, frames in several clips averaged).

    Missing inputs the model needs are filled explicitly, with a warning: scores -> 1, depth -> 0 (the
    pelvis-relative depth of every joint is then 0, i.e. the model sees no depth information).
    """
    import torch

    kp = np.asarray(keypoints_2d, np.float32)
    frames = kp.shape[0]
    channels = list(processor.input_channels)
    if scores is None and "c" in channels:
        warnings.warn(f"model input_channels {channels} include 'c' but no scores were given: using 1.0", stacklevel=2)
        scores = np.ones((frames, NUM_JOINTS), np.float32)
    if processor.needs_depth and (depth is None or depth.shape[-1] == 0):
        warnings.warn(
            f"model input_channels {channels} include depth but no depth backend/map is available: feeding zero "
            "depth (no depth information); pass depth maps, a depth backend, or use an XY/XYC model",
            stacklevel=2,
        )
        depth = np.zeros((frames, NUM_JOINTS, 3 if {"d_min", "d_max"} & set(channels) else 1), np.float32)
    if not processor.needs_depth:
        depth = None
    device = device or next(model.parameters()).device
    dtype = next(model.parameters()).dtype
    if hasattr(model, "lift_sequence"):  # many-to-many (MotionBERT): clips of num_frames, stitched per frame
        enc = torch.from_numpy(processor.encode(kp, image_size, scores=scores, depth=depth))
        with torch.inference_mode():
            poses = model.lift_sequence(enc.to(device, dtype), batch_size=max(1, batch_size // 32))
        return poses.float().cpu().numpy().astype(np.float32)
    inputs = processor(kp, image_size, scores=scores, depth=depth, return_tensors="pt")["keypoints"]
    outs = []
    with torch.inference_mode():
        for start in range(0, frames, batch_size):
            out = model(keypoints=inputs[start : start + batch_size].to(device, dtype))
            poses = out.poses_3d.float()
            outs.append(poses[:, poses.shape[1] // 2].cpu().numpy())
    return np.concatenate(outs).astype(np.float32)


class PoseLiftingPipeline(Pipeline):
    """Image / video / 2D keypoints -> per-frame 2D keypoints, scores, depth descriptors and 3D joints (mm).

    Construction keywords (also accepted by ``transformers.pipeline("pose-lifting", ...)``):
        lifting_processor: a :class:`~auglift_hf.PoseLiftingProcessor` (default: the model folder's).
        extractor: a ready :class:`~auglift_hf.preprocess.XYCDExtractor`; otherwise one is built on first image
            or video input from ``detector`` (default RT-DETR; ``None`` = whole image), ``pose_estimator``
            (default VitPose), ``depth_estimator`` (default Depth Anything V2 relative; ``None`` = no depth),
            ``depth_mode`` (``"casp"``), ``detector_threshold`` (0.3), ``backend_dtype``.
        frame_batch_size: frames per backend forward pass (8); lift_batch_size: windows per lifter call (256).

    Call keywords: ``image_size`` ``(w, h)`` for keypoint input (else read from the file, from the one video /
    image next to a keypoints JSON whose name starts the JSON's name, or estimated from the keypoints' extent
    with a warning), ``return_depth_map`` (also return the ``(frames, H, W)`` depth maps),
    ``focal_length`` / ``principal_point`` (pixels; absolute camera-frame output with metric depth), ``track``
    (AlphaPose track id), ``max_frames`` (video limit).
    """

    _load_processor = False
    _load_image_processor = False
    _load_feature_extractor = False
    _load_tokenizer = False
    _load_video_processor = False

    def __call__(self, inputs: Any, **kwargs: Any) -> Any:
        # An AlphaPose / COCO results list is ONE sequence, not a batch of inputs (the base class would run each
        # per-detection dict on its own and fail with an unclear message).
        if isinstance(inputs, list) and inputs and all(isinstance(e, dict) and "keypoints" in e for e in inputs):
            inputs = {"annotations": inputs}
        return super().__call__(inputs, **kwargs)

    _BACKEND_KEYS = (
        "detector",
        "pose_estimator",
        "depth_estimator",
        "depth_mode",
        "detector_threshold",
        "backend_dtype",
    )

    def __init__(self, model: Any, *args: Any, lifting_processor: Any = None, extractor: Any = None, **kwargs: Any):
        self._backend_kwargs = {k: kwargs.pop(k) for k in self._BACKEND_KEYS if k in kwargs}
        self._frame_batch_size = int(kwargs.pop("frame_batch_size", 8))
        self._lift_batch_size = int(kwargs.pop("lift_batch_size", 256))
        super().__init__(model, *args, **kwargs)
        self.lifting_processor = lifting_processor if lifting_processor is not None else load_lifting_processor(model)
        self._extractor = extractor
        self.model.eval()

    @property
    def extractor(self) -> Any:
        """The detection / 2D pose / depth extractor, built on first use."""
        if self._extractor is None:
            from .extractor import XYCDExtractor

            kw = dict(self._backend_kwargs)
            self._extractor = XYCDExtractor(
                detector=kw.get("detector", "default"),
                pose_estimator=kw.get("pose_estimator"),
                depth_estimator=kw.get("depth_estimator", "relative"),
                depth_mode=kw.get("depth_mode", "casp"),
                detector_threshold=kw.get("detector_threshold", 0.3),
                device=self.device,
                dtype=kw.get("backend_dtype"),
            )
        return self._extractor

    def _sanitize_parameters(
        self,
        image_size: Any = None,
        return_depth_map: bool | None = None,
        focal_length: Any = None,
        principal_point: Any = None,
        track: int | None = None,
        max_frames: int | None = None,
        **kwargs: Any,
    ):
        if kwargs:
            raise ValueError(f"pose-lifting pipeline: unknown arguments {sorted(kwargs)}")
        pre: dict[str, Any] = {}
        post: dict[str, Any] = {}
        if image_size is not None:
            pre["image_size"] = tuple(int(v) for v in image_size)
        if return_depth_map is not None:
            pre["return_depth_map"] = bool(return_depth_map)
            post["return_depth_map"] = bool(return_depth_map)
        if track is not None:
            pre["track"] = int(track)
        if max_frames is not None:
            pre["max_frames"] = int(max_frames)
        if focal_length is not None:
            post["focal_length"] = np.asarray(focal_length, np.float32).reshape(2)
        if principal_point is not None:
            post["principal_point"] = np.asarray(principal_point, np.float32).reshape(2)
        return pre, {}, post

    # ------------------------------------------------------------------ preprocess: -> 2D + depth per frame
    def _keypoint_inputs(self, seq: KeypointSequence, image_size: Any) -> dict[str, Any]:
        size = image_size or seq.image_size
        if size is None:
            extent = np.nanmax(seq.keypoints.reshape(-1, 2), axis=0)
            size = (int(np.ceil(extent[0] * 1.1)) + 1, int(np.ceil(extent[1] * 1.1)) + 1)
            warnings.warn(
                f"no image size given for 2D keypoints ({seq.source_format or 'array'}); estimated {size} from their "
                "extent: pass image_size=(width, height) for a correct normalisation",
                stacklevel=3,
            )
        n = len(seq.keypoints)
        return {
            "keypoints_2d": seq.keypoints, "scores": seq.scores, "depth": None, "valid": np.ones(n, bool),
            "frame_index": seq.frame_index, "image_size": tuple(int(v) for v in size), "depth_maps": None,
            "depth_kind": "none",
        }  # fmt: skip

    def _frame_inputs(self, frames: Any, return_depth_map: bool) -> dict[str, Any]:
        ex = self.extractor
        kp, sc, dp, valid, maps, sizes, index = [], [], [], [], [], set(), []
        batch: list[tuple[int, Any]] = []

        def flush() -> None:
            out = ex([im for _, im in batch], return_depth_maps=return_depth_map)
            first = np.r_[True, out["frame"][1:] != out["frame"][:-1]]  # single-person: one row per frame
            kp.append(out["keypoints_2d"][first])
            sc.append(out["keypoint_scores"][first])
            dp.append(out["depth"][first])
            valid.append(out["valid"][first])
            sizes.update(zip(out["image_width"].tolist(), out["image_height"].tolist()))
            index.extend(i for i, _ in batch)
            if return_depth_map:
                maps.extend(out["depth_maps"] or [])
            batch.clear()

        for i, frame in frames:
            batch.append((i, frame))
            if len(batch) == self._frame_batch_size:
                flush()
        if batch:
            flush()
        if not index:
            raise ValueError("pose-lifting pipeline: the input has no frames")
        if len(sizes) != 1:
            raise ValueError(
                f"pose-lifting pipeline: all frames of one input must have the same size, got {sorted(sizes)}"
            )
        return {
            "keypoints_2d": np.concatenate(kp), "scores": np.concatenate(sc), "depth": np.concatenate(dp),
            "valid": np.concatenate(valid), "frame_index": np.asarray(index), "image_size": sizes.pop(),
            "depth_maps": np.stack(maps) if return_depth_map and maps else None, "depth_kind": ex.depth_kind,
        }  # fmt: skip

    def preprocess(
        self,
        inputs: Any,
        image_size: Any = None,
        return_depth_map: bool = False,
        track: int | None = None,
        max_frames: int | None = None,
    ) -> dict[str, Any]:
        if isinstance(inputs, (str, os.PathLike)):
            path = os.fspath(inputs)
            ext = os.path.splitext(path)[1].lower()
            if ext == ".json":
                seq = read_keypoints_json(path, track=track)
                if image_size is None and seq.image_size is None:
                    image_size = sibling_image_size(path)
                return self._keypoint_inputs(seq, image_size)
            if ext in VIDEO_EXTENSIONS:
                reader = VideoReader(path)
                stop = len(reader) if max_frames is None else min(len(reader), max_frames)
                frames = ((i, im) for i, im, _ in reader.iter_frames(0, stop))
                out = self._frame_inputs(frames, return_depth_map)
                out["fps"] = reader.fps
                return out
            if ext in IMAGE_EXTENSIONS:
                return self._frame_inputs([(0, path)], return_depth_map)
            raise ValueError(f"pose-lifting pipeline: {path} is not a keypoints .json, a video or an image file")
        if isinstance(inputs, dict):
            if "frames" in inputs:
                return self._frame_inputs(list(enumerate(inputs["frames"])), return_depth_map)
            seq = parse_keypoints(inputs, "<dict input>", track)
            return self._keypoint_inputs(seq, image_size or inputs.get("image_size"))
        if isinstance(inputs, list) and inputs and isinstance(inputs[0], dict) and "keypoints" in inputs[0]:
            return self._keypoint_inputs(parse_keypoints(inputs, "<list input>", track), image_size)
        arr = None if type(inputs).__module__.startswith("PIL") else np.asarray(inputs)
        if arr is not None and arr.ndim == 3 and arr.shape[1] == NUM_JOINTS and arr.shape[2] in (2, 3):
            seq = parse_keypoints({"keypoints_2d": arr}, "<array input>")
            return self._keypoint_inputs(seq, image_size)
        return self._frame_inputs([(0, inputs)], return_depth_map)

    # ------------------------------------------------------------------ forward: lift
    def _forward(self, model_inputs: dict[str, Any]) -> dict[str, Any]:
        kp, sc, dp = fill_invalid_frames(
            model_inputs["valid"], model_inputs["keypoints_2d"], model_inputs["scores"],
            model_inputs["depth"] if model_inputs["depth"] is not None else np.zeros((len(model_inputs["valid"]), 17, 0)),
        )  # fmt: skip
        poses = lift_keypoints(
            self.model, self.lifting_processor, kp, model_inputs["image_size"], scores=sc,
            depth=dp if dp.shape[-1] else None, batch_size=self._lift_batch_size, device=self.device,
        )  # fmt: skip
        return {**model_inputs, "poses_3d": poses}

    # ------------------------------------------------------------------ postprocess: -> mm, dict
    def postprocess(
        self,
        model_outputs: dict[str, Any],
        return_depth_map: bool = False,
        focal_length: Any = None,
        principal_point: Any = None,
    ) -> dict[str, Any]:
        proc = self.lifting_processor
        depth = model_outputs["depth"]
        extra = {}
        if getattr(proc, "coordinate_normalization", "videopose3d") == "motionbert":
            extra = {"image_size": model_outputs["image_size"], "focal_length": focal_length}
            if model_outputs["depth_kind"] == "metric" and depth is not None:
                extra["depth"] = depth
        if focal_length is not None and principal_point is not None and model_outputs["depth_kind"] == "metric":
            mm = proc.post_process(
                model_outputs["poses_3d"], keypoints_2d=model_outputs["keypoints_2d"], depth=depth,
                focal_length=focal_length, principal_point=principal_point, image_size=extra.get("image_size"),
            )  # fmt: skip
            frame = "camera"
        else:
            mm = proc.post_process(model_outputs["poses_3d"], **extra)
            frame = "root-relative"
        out = {
            "keypoints_3d": mm.astype(np.float32),
            "keypoints_2d": np.asarray(model_outputs["keypoints_2d"], np.float32),
            "scores": np.asarray(model_outputs["scores"], np.float32),
            "depth": None if depth is None else np.asarray(depth, np.float32),
            "valid": np.asarray(model_outputs["valid"], bool),
            "frame_index": np.asarray(model_outputs["frame_index"]),
            "image_size": tuple(model_outputs["image_size"]),
            "joint_names": list(H36M_JOINT_NAMES),
            "input_channels": list(proc.input_channels),
            "depth_kind": model_outputs["depth_kind"],
            "coordinates": f"{frame} camera axes (x right, y down, z forward), millimetres",
        }
        if "fps" in model_outputs:
            out["fps"] = model_outputs["fps"]
        if return_depth_map:
            out["depth_map"] = model_outputs["depth_maps"]
        return out
