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

Input contract (:mod:`auglift_hf.contract`): the lifter folder's ``preprocessor_config.json`` says which depth
(kind, default model, descriptor parameters) and which 2D keypoint definition the lifter was trained on. The
extractor is built from it (default depth model and descriptor), and an input that cannot satisfy it (a relative
depth backend for a metric lifter, other descriptor parameters, no depth at all for a depth lifter) is refused
with a ``ValueError`` naming both sides, unless ``override_contract=True``; the output then lists the accepted
deviations under ``contract_deviations``. 2D keypoints without detector scores (a keypoints file without a score
column, a ``(frames, 17, 2)`` array) give a c-lifter the contract's ``score_fill`` as confidence (the median score
of its training table; 1.0 for a folder saved without the field), with a one-line warning; the output then has
``scores_given = False`` and ``score_fill`` (the value fed). A temporal lifter is fed its contract's
``frame_rate`` (the fps of its training tables, 25 Hz for the shipped Human3.6M lifters): a sequence of another
known rate (a video's, a keypoints file's ``fps``, or the call's ``fps=``) is resampled to it and the 3D back to
the input's frames (:mod:`auglift_hf.preprocess.frame_rate`; one pose per input frame; recorded as
``frame_rate_resampling``); an unknown rate is lifted as given with a one-line warning. Flip test (average with the horizontally mirrored
input, as in training evaluation) is on by default (``flip_test=False`` switches it off).
"""

from __future__ import annotations

import logging
import os
import warnings
from typing import Any

import numpy as np
from transformers import Pipeline

from ..skeleton import H36M_JOINT_NAMES, NUM_JOINTS
from .detector import DEFAULT_THRESHOLD
from .frame_rate import plan_frame_rate
from .io_keypoints import (
    KeypointSequence,
    check_image_size,
    check_keypoints_in_image,
    parse_keypoints,
    read_keypoints_json,
)
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
    """Displayed frame size of the video or image next to a keypoints JSON with **exactly** its stem
    (``clip.json`` -> ``clip.mp4`` / ``clip.jpg``); ``None`` when there is none, or several that disagree.

    Only the same stem counts: an unrelated ``w.png`` next to ``walking.json`` is never used (a prefix match
    would guess). Video rotation and EXIF orientation are applied (the size as displayed).
    """
    from pathlib import Path

    from ._hf import image_size

    path = Path(json_path)
    candidates = sorted(
        p for p in path.parent.iterdir()
        if p.is_file() and p.suffix.lower() in VIDEO_EXTENSIONS + IMAGE_EXTENSIONS and p.stem == path.stem
    )  # fmt: skip
    sizes = {}
    for c in candidates:
        try:
            sizes[c.name] = VideoReader(c).size if c.suffix.lower() in VIDEO_EXTENSIONS else image_size(c)
        except (ValueError, OSError):
            continue
    if not sizes or len(set(sizes.values())) != 1:
        return None
    name, size = next(iter(sizes.items()))
    logger.info("image size %s taken from %s", size, name)
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


def fill_invalid_depth(depth: np.ndarray, depth_valid: np.ndarray | None) -> np.ndarray:
    """Replace the descriptors of joints without valid depth ``(frames, 17, k)`` by the frame's median over its
    valid joints (per channel), so the lifter sees "no relative depth information" there instead of a number
    made up from an invalid pixel. Frames without any valid joint get that for every joint (constant 1.0).
    """
    depth = np.asarray(depth, np.float32)
    if depth_valid is None or depth.shape[-1] == 0:
        return depth
    valid = np.asarray(depth_valid, bool)
    if valid.all():
        return depth
    masked = np.where(valid[..., None], depth, np.nan)
    any_valid = valid.any(1)
    med = np.full((depth.shape[0], 1, depth.shape[2]), 1.0, np.float32)
    if any_valid.any():
        med[any_valid] = np.nanmedian(masked[any_valid], axis=1, keepdims=True)
    return np.where(valid[..., None], depth, med).astype(np.float32)


def lift_keypoints(
    model: Any,
    processor: Any,
    keypoints_2d: np.ndarray,
    image_size: tuple[int, int],
    scores: np.ndarray | None = None,
    depth: np.ndarray | None = None,
    batch_size: int = 256,
    device: Any = None,
    flip_test: bool = True,
    fps: float | None = None,
    frame_rate_warning: bool = True,
) -> np.ndarray:
    """Lift one H36M-17 pixel sequence ``(frames, 17, 2)``: returns root-relative metres ``(frames, 17, 3)``
    (MotionBERT-normalised units for a ``coordinate_normalization="motionbert"`` processor; many-to-many models
    lift the whole sequence with ``model.lift_sequence``: full clips, the last one shifted to end on the last
    frame, frames in several clips averaged).

    ``flip_test`` (default, as the lifters are evaluated) averages the prediction with that of the horizontally
    mirrored input (the model's ``flip_test=True``). Missing inputs the model needs are filled explicitly, with
    a warning: scores -> the lifter's ``score_fill`` (its input contract: the median score of its training table;
    1.0 for a folder saved without it, :func:`auglift_hf.contract.score_fill_for`), depth -> NaN (missing), which
    the processor encodes as
    :data:`auglift_hf.processing_lifting.MISSING_DEPTH_FILL` (what lifters trained with depth dropout saw for missing
    depth; they fall back to XY-level accuracy); entry points refuse that for a lifter whose contract needs depth
    (:func:`auglift_hf.contract.check_contract`) unless overridden.

    ``fps``: the sequence's frame rate (Hz; frame ``i`` at ``i / fps`` s), ``None`` when unknown. A temporal lifter
    whose contract records another ``frame_rate`` (more than 1 % apart) is fed the sequence resampled to it
    (keypoints, scores and depth interpolated linearly in time; a joint is missing where either neighbour is) and
    its 3D is interpolated back to the input's frames (:func:`auglift_hf.preprocess.frame_rate.lift_at_frame_rate`):
    the output still has one pose per input frame. With ``frame_rate_warning`` (default) an unknown ``fps`` for a
    lifter that records a rate, or a temporal lifter without ``frame_rate``, warns once (one line); entry points
    that warn once per input themselves pass ``False``.
    """
    from .frame_rate import lift_at_frame_rate, plan_frame_rate

    name = str(getattr(model, "name_or_path", "") or "the lifter")
    plan = plan_frame_rate(processor, fps, name)
    if plan.note and frame_rate_warning:
        warnings.warn(plan.note, UserWarning, stacklevel=2)
    if plan.resample:
        return lift_at_frame_rate(
            lambda k, s, d: lift_keypoints(
                model, processor, k, image_size, scores=s, depth=d, batch_size=batch_size, device=device,
                flip_test=flip_test, fps=plan.lifter_fps,
            ),
            np.asarray(keypoints_2d, np.float32), scores, depth, plan.input_fps, plan.lifter_fps,
        )  # fmt: skip
    import torch

    kp = np.asarray(keypoints_2d, np.float32)
    frames = kp.shape[0]
    channels = list(processor.input_channels)
    if scores is None and "c" in channels:
        from ..contract import fill_scores

        scores, _, note = fill_scores(processor, np.ones((frames, NUM_JOINTS), np.float32), name)
        warnings.warn(note, UserWarning, stacklevel=2)
    if getattr(processor, "scale_normalization", None) == "depth" and (depth is None or depth.shape[-1] == 0):
        raise ValueError(
            "the lifter's processor has scale_normalization='depth' (dscale2d): it needs metric depth for the root "
            "depth; pass depth maps or a metric depth backend (zero depth would give a wrong scale)"
        )
    if processor.needs_depth and (depth is None or depth.shape[-1] == 0):
        warnings.warn(
            f"model input_channels {channels} include depth but no depth backend/map is available: feeding missing "
            "depth (NaN -> MISSING_DEPTH_FILL, the lifter's no-depth input); pass depth maps or a depth backend",
            stacklevel=2,
        )
        depth = np.full((frames, NUM_JOINTS, 3 if {"d_min", "d_max"} & set(channels) else 1), np.nan, np.float32)
    if not processor.needs_depth:
        depth = None
    device = device or next(model.parameters()).device
    dtype = next(model.parameters()).dtype
    if hasattr(model, "lift_sequence"):  # many-to-many (MotionBERT): clips of num_frames, stitched per frame
        enc = torch.from_numpy(processor.encode(kp, image_size, scores=scores, depth=depth))
        with torch.inference_mode():
            poses = model.lift_sequence(
                enc.to(device, dtype), batch_size=max(1, batch_size // 32), flip_test=bool(flip_test)
            )
        return poses.float().cpu().numpy().astype(np.float32)
    inputs = processor(kp, image_size, scores=scores, depth=depth, return_tensors="pt")["keypoints"]
    outs = []
    with torch.inference_mode():
        for start in range(0, frames, batch_size):
            out = model(keypoints=inputs[start : start + batch_size].to(device, dtype), flip_test=bool(flip_test))
            poses = out.poses_3d.float()
            outs.append(poses[:, poses.shape[1] // 2].cpu().numpy())
    return np.concatenate(outs).astype(np.float32)


class PoseLiftingPipeline(Pipeline):
    """Image / video / 2D keypoints -> per-frame 2D keypoints, scores, depth descriptors and 3D joints (mm).

    Construction keywords (also accepted by ``transformers.pipeline("pose-lifting", ...)``):
        lifting_processor: a :class:`~auglift_hf.PoseLiftingProcessor` (default: the model folder's).
        extractor: a ready :class:`~auglift_hf.preprocess.XYCDExtractor` (checked against the lifter's contract);
            otherwise one is built on first image or video input from ``detector`` (default RT-DETR; ``None`` =
            whole image), ``pose_estimator`` (default VitPose), ``pose_flip_test`` (2D flip test, off),
            ``depth_estimator`` (default: the contract's ``depth_model``, else the metric Depth Anything V2
            :data:`auglift_hf.contract.DEFAULT_DEPTH_MODEL`; ``None`` = no depth), ``depth_mode`` /
            ``depth_params`` (default: the contract's descriptor), ``detector_threshold``
            (:data:`~auglift_hf.preprocess.detector.DEFAULT_THRESHOLD`), ``backend_dtype``.
        override_contract: accept inputs that conflict with the lifter's input contract (recorded in the output).
        flip_test: average with the mirrored input's prediction (default True).
        frame_batch_size: frames per backend forward pass (8); lift_batch_size: windows per lifter call (256).

    Call keywords: ``image_size`` ``(w, h)`` for keypoint input (else read from the file or from the video /
    image next to a keypoints JSON with exactly its stem; never guessed: without one a ``ValueError`` asks for
    it), ``return_depth_map`` (also return the ``(frames, H, W)`` depth maps), ``focal_length`` /
    ``principal_point`` (pixels; absolute camera-frame output with metric depth), ``person`` (``"auto"``: the
    subject by :data:`~auglift_hf.preprocess.tracking.SUBJECT_RULE`, reported in ``track_choice``; a track id; ``"all"``: a list with one result per track; ``track`` is the
    older name of a track id), ``keypoint_format`` (state a keypoint file's skeleton), ``max_gap`` (longest run
    of missing frame numbers in a keypoint file to interpolate), ``max_frames`` (lift only the first frames of a video or keypoint file).

    Inputs as users shoot them: images upright (EXIF orientation), video rotated as displayed, frames in
    presentation order with real timestamps (``timestamps``), variable-frame-rate video resampled to a constant
    rate (``resampling``, ``interpolated``), frames that fail to decode kept and flagged (``decode_failed``).
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
        "depth_params",
        "detector_threshold",
        "backend_dtype",
        "pose_flip_test",
    )

    def __init__(self, model: Any, *args: Any, lifting_processor: Any = None, extractor: Any = None, **kwargs: Any):
        self._backend_kwargs = {k: kwargs.pop(k) for k in self._BACKEND_KEYS if k in kwargs}
        self._frame_batch_size = int(kwargs.pop("frame_batch_size", 8))
        self._lift_batch_size = int(kwargs.pop("lift_batch_size", 256))
        self.override_contract = bool(kwargs.pop("override_contract", False))
        self.flip_test = bool(kwargs.pop("flip_test", True))
        super().__init__(model, *args, **kwargs)
        from ..contract import check_contract, load_contract

        self.lifting_processor = lifting_processor if lifting_processor is not None else load_lifting_processor(model)
        self.input_contract = load_contract(self.lifting_processor)
        self._lifter_name = str(getattr(self.model, "name_or_path", "") or "the lifter")
        self._extractor = extractor
        self._extractor_deviations: list[str] = []
        if extractor is not None and self.input_contract is not None:
            kind = getattr(extractor, "depth_kind", "none")
            self._extractor_deviations = check_contract(
                self.input_contract, depth_kind=None if kind == "none" else kind,
                depth_model=(extractor.describe() or {}).get("depth_estimator") if hasattr(extractor, "describe") else None,
                depth_descriptor=getattr(extractor, "depth_descriptor", None) if kind != "none" else None,
                keypoint_definition="coco", override=self.override_contract, lifter=self._lifter_name,
                source="the given extractor",
            )  # fmt: skip
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
                depth_estimator=kw.get("depth_estimator", "default"),
                depth_mode=kw.get("depth_mode"),
                depth_params=kw.get("depth_params"),
                detector_threshold=kw.get("detector_threshold", DEFAULT_THRESHOLD),
                multi_person=True,  # every person, so the lifted one is chosen as a track across frames
                pose_flip_test=bool(kw.get("pose_flip_test", False)),
                contract=self.input_contract,
                override_contract=self.override_contract,
                lifter_name=self._lifter_name,
                device=self.device,
                dtype=kw.get("backend_dtype"),
            )
            self._extractor_deviations = list(self._extractor.contract_deviations)
        return self._extractor

    def _sanitize_parameters(
        self,
        image_size: Any = None,
        return_depth_map: bool | None = None,
        focal_length: Any = None,
        principal_point: Any = None,
        track: int | None = None,
        max_frames: int | None = None,
        person: Any = None,
        keypoint_format: str | None = None,
        max_gap: int | None = None,
        fps: float | None = None,
        **kwargs: Any,
    ):
        if kwargs:
            raise ValueError(f"pose-lifting pipeline: unknown arguments {sorted(kwargs)}")
        pre: dict[str, Any] = {}
        post: dict[str, Any] = {}
        if image_size is not None:
            pre["image_size"] = image_size
        if return_depth_map is not None:
            pre["return_depth_map"] = bool(return_depth_map)
            post["return_depth_map"] = bool(return_depth_map)
        if track is not None or person is not None:
            pre["person"] = parse_person(person if person is not None else track)
        if max_frames is not None:
            pre["max_frames"] = int(max_frames)
        if keypoint_format is not None:
            pre["keypoint_format"] = str(keypoint_format)
        if max_gap is not None:
            pre["max_gap"] = int(max_gap)
        if fps is not None:
            from .frame_rate import check_fps

            pre["fps"] = check_fps(fps, "fps")
        if focal_length is not None:
            post["focal_length"] = np.asarray(focal_length, np.float32).reshape(2)
        if principal_point is not None:
            post["principal_point"] = np.asarray(principal_point, np.float32).reshape(2)
        return pre, {}, post

    # ------------------------------------------------------------------ preprocess: -> 2D + depth per frame
    def _keypoint_inputs(self, seq: KeypointSequence, image_size: Any, where: str, sibling: Any = None) -> dict:
        """One keypoint sequence -> model inputs; the image size is given, in the file, or an exact sibling's."""
        sizes = None
        if image_size is not None:
            size = check_image_size(image_size, f"{where}: --image-size")
            if seq.image_size is not None and tuple(seq.image_size) != size:
                raise ValueError(
                    f"{where}: --image-size {size[0]} {size[1]} contradicts the file's image_size "
                    f"{seq.image_size[0]}x{seq.image_size[1]}"
                )
            if seq.image_sizes is not None and (np.asarray(seq.image_sizes) != size).any(-1).any():
                bad = int(np.flatnonzero((np.asarray(seq.image_sizes) != size).any(-1))[0])
                w, h = (int(v) for v in seq.image_sizes[bad])
                raise ValueError(
                    f"{where}: --image-size {size[0]} {size[1]} contradicts the file's `images` size {w}x{h} of frame "
                    f"{int(seq.frame_index[bad])} (the file gives one size per image: omit --image-size)"
                )
        elif seq.image_size is not None:
            size = check_image_size(seq.image_size, f"{where}: `image_size`")
        elif seq.image_sizes is not None:
            sizes = np.asarray([check_image_size(s, f"{where}: `images` width/height") for s in seq.image_sizes])
            size = tuple(int(v) for v in sizes[0])
        elif sibling is not None:
            size = check_image_size(sibling, f"{where}: sibling media")
        else:
            raise ValueError(
                f"{where}: no image size (the file has none and there is no video/image with the same name next to "
                "it); pass --image-size W H (image_size=(width, height) in Python)"
            )
        weight = seq.scores if seq.scores is not None else seq.presence
        seen = ~seq.missing & seq.valid[:, None] & (weight > 0)
        outside, notes = check_keypoints_in_image(seq.keypoints, seen, sizes if sizes is not None else size, where)
        for note in list(seq.notes) + notes:
            warnings.warn(note, stacklevel=4)
        # a file without scores keeps scores=None: _forward fills them from the lifter's score_fill
        scores = None if seq.scores is None else np.where(outside, 0.0, seq.scores).astype(np.float32)
        n = len(seq.keypoints)
        return {
            "keypoints_2d": seq.keypoints, "scores": scores, "depth": None, "valid": seq.valid,
            "score_presence": np.where(outside, 0.0, seq.presence).astype(np.float32),
            "frame_index": seq.frame_index, "image_size": size, "image_sizes": sizes, "depth_maps": None,
            "depth_kind": "none", "interpolated": seq.interpolated, "decode_failed": np.zeros(n, bool),
            "missing_keypoints": seq.missing | outside, "keypoint_format": seq.keypoint_format, "track": seq.track,
            "track_choice": seq.track_choice,
            "has_values": seq.valid | seq.interpolated, "segment": seq.segment, "depth_valid": None,
            "contract_deviations": self._check_keypoint_input(seq),
            **({"fps": float(seq.fps)} if seq.fps else {}),
        }  # fmt: skip

    def _check_keypoint_input(self, seq: KeypointSequence) -> list[str]:
        """Contract check for 2D keypoint input (no images, hence no depth)."""
        from ..contract import check_contract

        if (seq.source_format or "").startswith("auglift"):  # this command's own output: H36M-17 of unknown origin
            kp_def = None
        else:  # the skeleton the file declared (io_keypoints): H36M-17 joints, or a COCO-style detector's
            kp_def = "h36m" if seq.keypoint_format == "h36m17" else "coco"
        try:
            return check_contract(
                self.input_contract, depth_kind=None, keypoint_definition=kp_def, override=self.override_contract,
                lifter=self._lifter_name, source=f"2D keypoint input ({seq.source_format or 'array'})",
            )  # fmt: skip
        except ValueError as err:
            raise ValueError(
                f"{err} (a keypoints file has no images, hence no depth: lift the images or video instead, or use "
                "an XY/XYC lifter)"
            ) from None

    def _extract(self, frames: Any, return_depth_map: bool) -> dict[str, Any]:
        """Run the extractor over ``(index, image | None, seconds, error)`` frames: per-row person arrays."""
        ex = self.extractor
        rows: dict[str, list] = {k: [] for k in ("frame", "kp", "sc", "dp", "dv", "valid", "box", "bscore")}
        index, times, errors, sizes, maps = [], [], [], set(), {}
        batch: list[tuple[int, Any]] = []

        def flush() -> None:
            out = ex([im for _, im in batch], return_depth_maps=return_depth_map)
            pos = np.asarray([p for p, _ in batch])[out["frame"]]
            rows["frame"].append(pos)
            rows["kp"].append(out["keypoints_2d"])
            rows["sc"].append(out["keypoint_scores"])
            rows["dp"].append(out["depth"])
            rows["valid"].append(out["valid"])
            rows["box"].append(out["bbox"])
            rows["bscore"].append(out["bbox_score"])
            rows["dv"].append(out["depth_valid"])
            sizes.update(zip(out["image_width"].tolist(), out["image_height"].tolist()))
            if return_depth_map:
                maps.update({p: m for (p, _), m in zip(batch, out["depth_maps"] or [])})
            batch.clear()

        for i, image, t, error in frames:
            pos = len(index)
            index.append(i)
            times.append(t)
            errors.append(error)
            if image is not None:
                batch.append((pos, image))
                if len(batch) == self._frame_batch_size:
                    flush()
        if batch:
            flush()
        if not index:
            raise ValueError("pose-lifting pipeline: the input has no frames")
        if not sizes:
            raise ValueError(f"pose-lifting pipeline: no frame could be decoded ({errors[0]})")
        if len(sizes) != 1:
            raise ValueError(
                f"pose-lifting pipeline: all frames of one input must have the same size, got {sorted(sizes)}"
            )
        arrays = {k: np.concatenate(v) for k, v in rows.items()}
        return {
            **arrays, "frame_index": np.asarray(index), "timestamps": np.asarray(times, np.float64),
            "errors": errors, "image_size": sizes.pop(), "maps": maps, "depth_kind": ex.depth_kind, "contract_deviations": list(self._extractor_deviations),
        }  # fmt: skip

    def _frame_inputs(self, frames: Any, return_depth_map: bool, person: Any = "auto", reader: Any = None) -> Any:
        """Frames -> the chosen person's per-frame model inputs (one track; see :func:`choose_track`).

        ``person``: ``"auto"`` (:data:`~auglift_hf.preprocess.tracking.SUBJECT_RULE`; the ranking goes to
        ``track_choice``), a track id, or ``"all"`` (a list, one per track). Tracks follow a person through
        re-entry (:func:`~auglift_hf.preprocess.tracking.assign_tracks`). Frames that failed to decode are kept, ``valid = False`` and ``decode_failed = True``. Video
        with a variable frame rate is resampled to a constant rate (``resampling`` in the output).
        """
        from .tracking import SUBJECT_RULE, assign_tracks, choose_track, rank_tracks

        ex = self._extract(frames, return_depth_map)
        n = len(ex["frame_index"])
        tracks = assign_tracks(ex["frame"], ex["box"], ex["valid"], keypoints=ex["kp"], keypoint_scores=ex["sc"])
        valid_rows = tracks >= 0
        choice = None
        if person == "all":
            chosen = sorted(set(tracks[valid_rows].tolist())) or [-1]
        elif person == "auto":
            chosen = [choose_track(tracks, ex["box"], ex["bscore"], ex["image_size"])] if valid_rows.any() else [-1]
            ranked = rank_tracks(tracks, ex["box"], ex["bscore"], ex["image_size"])
            choice = {"track": chosen[0] if chosen[0] >= 0 else None, "rule": SUBJECT_RULE, "tracks": ranked[:10]}
        else:
            if int(person) not in set(tracks.tolist()):
                raise ValueError(
                    f"--person {person}: no such track (tracks: {sorted(set(tracks[valid_rows].tolist()))})"
                )
            chosen = [int(person)]
        decode_failed = np.array([bool(e) for e in ex["errors"]])
        k = ex["dp"].shape[-1]
        results = []
        for t in chosen:
            sel = np.flatnonzero(tracks == t) if t >= 0 else np.zeros(0, np.int64)
            kp = np.zeros((n, NUM_JOINTS, 2), np.float32)
            sc = np.zeros((n, NUM_JOINTS), np.float32)
            dp = np.zeros((n, NUM_JOINTS, k), np.float32)
            dv = np.zeros((n, NUM_JOINTS), bool)
            valid = np.zeros(n, bool)
            pos = ex["frame"][sel]
            kp[pos], sc[pos], dp[pos], valid[pos] = ex["kp"][sel], ex["sc"][sel], ex["dp"][sel], True
            dv[pos] = ex["dv"][sel]
            out = {
                "keypoints_2d": kp, "scores": sc, "depth": dp, "valid": valid, "frame_index": ex["frame_index"],
                "timestamps": ex["timestamps"], "image_size": ex["image_size"], "image_sizes": None,
                "depth_maps": np.stack([ex["maps"].get(i, np.zeros(ex["image_size"][::-1], np.float32))
                                        for i in range(n)]) if return_depth_map else None,
                "depth_kind": ex["depth_kind"], "interpolated": np.zeros(n, bool), "decode_failed": decode_failed,
                "missing_keypoints": np.zeros((n, NUM_JOINTS), bool), "track": int(t) if t >= 0 else None,
                "depth_valid": dv, "contract_deviations": ex["contract_deviations"], "track_choice": choice,
            }  # fmt: skip
            if reader is not None:
                out["fps"] = reader.fps
                if not reader.is_constant_rate() and n >= 3:
                    out = _resample(out, reader)
            results.append(out)
        if decode_failed.any():
            bad = np.flatnonzero(decode_failed)
            warnings.warn(
                f"{len(bad)} of {n} frames could not be decoded (frames {bad[:5].tolist()}{' ...' if len(bad) > 5 else ''}: "
                f"{ex['errors'][bad[0]]}); they are marked `decode_failed` and lifted from the nearest decoded frame",
                stacklevel=3,
            )
        if reader is not None:
            for problem in reader.problems:
                warnings.warn(f"{reader.path}: {problem}", stacklevel=3)
        return {"tracks": results} if person == "all" else results[0]

    def preprocess(
        self,
        inputs: Any,
        image_size: Any = None,
        return_depth_map: bool = False,
        person: Any = "auto",
        max_frames: int | None = None,
        keypoint_format: str | None = None,
        max_gap: int | None = None,
        fps: float | None = None,
    ) -> dict[str, Any]:
        out = self._preprocess(inputs, image_size, return_depth_map, person, max_frames, keypoint_format, max_gap, fps)
        return _state_fps(out, fps, inputs)

    def _preprocess(
        self,
        inputs: Any,
        image_size: Any,
        return_depth_map: bool,
        person: Any,
        max_frames: int | None,
        keypoint_format: str | None,
        max_gap: int | None,
        fps: float | None,
    ) -> dict[str, Any]:
        kw = {"person": person, "keypoint_format": keypoint_format, "max_gap": max_gap}
        if isinstance(inputs, (str, os.PathLike)):
            path = os.fspath(inputs)
            ext = os.path.splitext(path)[1].lower()
            if ext == ".json":
                seqs = read_keypoints_json(path, **kw)
                sibling = None
                first = seqs[0] if isinstance(seqs, list) else seqs
                if image_size is None and first.image_size is None and first.image_sizes is None:
                    sibling = sibling_image_size(path)
                return self._keypoint_outputs(seqs, image_size, path, sibling, max_frames)
            if ext in VIDEO_EXTENSIONS:
                reader = VideoReader(path)
                from .frame_rate import rates_agree

                if fps is not None and not rates_agree(fps, reader.fps):
                    raise ValueError(
                        f"{path}: --fps {fps:g} contradicts the video's frame rate {reader.fps:g} (its timestamps give "
                        "the rate of a video; --fps states the rate of a keypoints file)"
                    )
                total = len(reader) + reader.missing_frames
                stop = total if max_frames is None else min(total, max_frames)
                frames = ((f.index, f.image, f.time, f.error) for f in reader.decode(0, stop))
                return self._frame_inputs(frames, return_depth_map, person, reader)
            if ext in IMAGE_EXTENSIONS:
                return self._frame_inputs([(0, path, 0.0, "")], return_depth_map, person)
            raise ValueError(f"pose-lifting pipeline: {path} is not a keypoints .json, a video or an image file")
        if isinstance(inputs, dict):
            if "frames" in inputs:
                frames = [(i, im, 0.0, "") for i, im in enumerate(inputs["frames"])]
                return self._frame_inputs(frames, return_depth_map, person)
            seqs = parse_keypoints(inputs, "<dict input>", **kw)
            return self._keypoint_outputs(seqs, image_size, "<dict input>")
        if isinstance(inputs, list) and inputs and isinstance(inputs[0], dict):
            return self._keypoint_outputs(parse_keypoints(inputs, "<list input>", **kw), image_size, "<list input>")
        arr = None if type(inputs).__module__.startswith("PIL") else np.asarray(inputs)
        if arr is not None and arr.ndim == 3 and arr.shape[1] == NUM_JOINTS and arr.shape[2] in (2, 3):
            seq = parse_keypoints({"keypoints_2d": arr}, "<array input>")
            return self._keypoint_outputs(seq, image_size, "<array input>")
        return self._frame_inputs([(0, inputs, 0.0, "")], return_depth_map, person)

    def _keypoint_outputs(
        self, seqs: Any, image_size: Any, where: str, sibling: Any = None, max_frames: int | None = None
    ) -> dict[str, Any]:
        if isinstance(seqs, list):
            return {"tracks": [self._keypoint_outputs(s, image_size, where, sibling, max_frames) for s in seqs]}
        out = self._keypoint_inputs(seqs, image_size, where, sibling)
        if max_frames is None:
            return out
        if max_frames < 1:
            raise ValueError(f"{where}: --max-frames must be >= 1, got {max_frames}")
        n = len(out["keypoints_2d"])  # the first `max_frames` frames of every per-frame array
        return {
            k: v[:max_frames] if isinstance(v, np.ndarray) and v.ndim and v.shape[0] == n else v
            for k, v in out.items()
        }

    # ------------------------------------------------------------------ forward: lift
    def _forward(self, model_inputs: dict[str, Any]) -> dict[str, Any]:
        if "tracks" in model_inputs:
            return {"tracks": [self._forward(m) for m in model_inputs["tracks"]]}
        scores, score_fill = model_inputs["scores"], None
        if scores is None:  # 2D input without detector scores: the lifter's contract says what confidence to feed
            from ..contract import fill_scores

            scores, score_fill, note = fill_scores(
                self.lifting_processor, model_inputs["score_presence"], self._lifter_name
            )
            if note:
                warnings.warn(note, UserWarning, stacklevel=2)
        # frames without a detection are lifted from the nearest frame with one; interpolated frames keep their values
        keep = model_inputs.get("has_values", model_inputs["valid"])
        kp, sc, dp = fill_invalid_frames(
            keep, model_inputs["keypoints_2d"], scores,
            fill_invalid_depth(
                model_inputs["depth"] if model_inputs["depth"] is not None else np.zeros((len(keep), 17, 0)),
                model_inputs.get("depth_valid"),
            ),
        )  # fmt: skip
        if model_inputs.get("image_sizes") is not None:
            kp = to_reference_size(kp, model_inputs["image_sizes"], model_inputs["image_size"])
        segment = model_inputs.get("segment")
        if segment is None:
            segment = np.zeros(len(kp), np.int64)
        segments, lengths = np.unique(segment, return_counts=True)
        # the frame rate: resample to the lifter's `frame_rate` (and the 3D back) when the input's rate is known;
        # unrelated one-image segments have no rate to match
        fps = model_inputs.get("fps") if lengths.max() > 1 else None
        plan = plan_frame_rate(self.lifting_processor, fps, self._lifter_name, fps_hint="--fps (fps=)")
        if plan.note and lengths.max() > 1:
            warnings.warn(plan.note, UserWarning, stacklevel=2)
        poses = np.zeros((len(kp), NUM_JOINTS, 3), np.float32)
        for seg in segments:  # frames of different segments (unrelated images) never share a window
            sel = np.flatnonzero(segment == seg)
            poses[sel] = lift_keypoints(
                self.model, self.lifting_processor, kp[sel], model_inputs["image_size"], scores=sc[sel],
                depth=dp[sel] if dp.shape[-1] else None, batch_size=self._lift_batch_size, device=self.device,
                flip_test=self.flip_test, fps=plan.input_fps, frame_rate_warning=False,
            )  # fmt: skip
        resampling = plan.metadata(int(lengths.max())) if len(segments) == 1 else None
        if resampling is not None:
            logger.info(
                "%s was trained at %g Hz: the %g fps input was resampled to %d frames for lifting and its 3D back to "
                "the %d input frames", self._lifter_name, plan.lifter_fps, plan.input_fps,
                resampling["lifted_frames"], len(kp),
            )  # fmt: skip
        return {
            **model_inputs, "poses_3d": poses, "scores": scores, "scores_given": model_inputs["scores"] is not None,
            "score_fill": score_fill, "frame_rate_resampling": resampling,
            "lifter_frame_rate": getattr(self.lifting_processor, "frame_rate", None),
        }  # fmt: skip

    # ------------------------------------------------------------------ postprocess: -> mm, dict
    def postprocess(
        self,
        model_outputs: dict[str, Any],
        return_depth_map: bool = False,
        focal_length: Any = None,
        principal_point: Any = None,
    ) -> Any:
        if "tracks" in model_outputs:
            return [
                self.postprocess(m, return_depth_map, focal_length, principal_point) for m in model_outputs["tracks"]
            ]
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
            "flip_test": self.flip_test,
            "input_contract": None if self.input_contract is None else self.input_contract.to_dict(),
            "contract_deviations": list(model_outputs.get("contract_deviations") or []),
            # False: the 2D input had no detector scores; `score_fill` is then the confidence fed (c-lifters)
            "scores_given": bool(model_outputs.get("scores_given", True)),
        }
        if model_outputs.get("score_fill") is not None:
            out["score_fill"] = float(model_outputs["score_fill"])
        # input provenance (issue 12 item 3 / issue 13): what was measured, interpolated or could not be read
        out["interpolated"] = np.asarray(model_outputs["interpolated"], bool)
        out["decode_failed"] = np.asarray(model_outputs["decode_failed"], bool)
        out["missing_keypoints"] = np.asarray(model_outputs["missing_keypoints"], bool)
        out["track"] = model_outputs.get("track")
        for key in (
            "timestamps",
            "image_sizes",
            "keypoint_format",
            "resampling",
            "frame_rate_resampling",
            "track_choice",
        ):
            if model_outputs.get(key) is not None:
                out[key] = model_outputs[key]
        if model_outputs.get("depth_valid") is not None:
            out["depth_valid"] = np.asarray(model_outputs["depth_valid"], bool)
        if "fps" in model_outputs:
            out["fps"] = model_outputs["fps"]
        if model_outputs.get("lifter_frame_rate") is not None:  # the lifter's `frame_rate` (Hz, its contract)
            out["lifter_frame_rate"] = float(model_outputs["lifter_frame_rate"])
        if return_depth_map:
            out["depth_map"] = model_outputs["depth_maps"]
        return out


def parse_person(value: Any) -> Any:
    """``--person``: ``"auto"`` (default: the subject, :data:`~auglift_hf.preprocess.tracking.SUBJECT_RULE`),
    ``"all"``, or a track id (int)."""
    if value is None:
        return "auto"
    if isinstance(value, str) and value.lower() in ("auto", "all"):
        return value.lower()
    try:
        track = int(value)
    except (TypeError, ValueError) as err:
        raise ValueError(f"--person must be 'auto', 'all' or a track id (integer >= 0), got {value!r}") from err
    if track < 0:
        raise ValueError(f"--person must be 'auto', 'all' or a track id (integer >= 0), got {value!r}")
    return track


def to_reference_size(keypoints: np.ndarray, sizes: np.ndarray, reference: Any) -> np.ndarray:
    """Pixels of frames with their own ``(w, h)`` -> pixels of a ``reference`` ``(W, H)`` image that normalise
    identically under VideoPose3D's screen normalisation (``x / w * 2 - 1``, ``y / w * 2 - h / w``): exact, so a
    file whose frames have different sizes is lifted with each frame's own size. ``(F, 17, 2)`` -> same."""
    kp = np.asarray(keypoints, np.float64)
    wh = np.asarray(sizes, np.float64).reshape(-1, 1, 2)
    big_w, big_h = (float(v) for v in reference)
    scale = big_w / wh[..., 0]
    x = kp[..., 0] * scale
    y = kp[..., 1] * scale + (big_h - wh[..., 1] * scale) / 2
    return np.stack([x, y], -1).astype(np.float32)


def _state_fps(out: dict[str, Any], fps: float | None, inputs: Any) -> dict[str, Any]:
    """Record an input rate stated by the caller (``fps=`` / ``--fps``) in preprocessed inputs (every track).

    A keypoints file that carries its own ``fps`` must agree within 1 % (else a ``ValueError`` naming both); a
    video keeps the rate of its timestamps (checked in ``preprocess``).
    """
    if fps is None:
        return out
    if "tracks" in out:
        return {**out, "tracks": [_state_fps(t, fps, inputs) for t in out["tracks"]]}
    from .frame_rate import rates_agree

    own = out.get("fps")
    if own is not None and not rates_agree(fps, own):
        where = os.fspath(inputs) if isinstance(inputs, (str, os.PathLike)) else "the input"
        raise ValueError(f"{where}: --fps {fps:g} contradicts the file's fps {own:g} (omit --fps)")
    return out if own is not None else {**out, "fps": float(fps)}


def _resample(out: dict[str, Any], reader: Any) -> dict[str, Any]:
    """Variable-frame-rate video -> a constant rate (1 / the median frame interval) on real time.

    Each output frame takes the source frame within a quarter period as it is, else interpolates linearly
    between the two source frames around it (``interpolated``; valid only when both are). The output's
    ``resampling`` records the rate, the source timestamps and the source frame behind each output frame.
    """
    from .video import resample_constant_rate

    t = np.asarray(out["timestamps"], np.float64)
    fps = 1.0 / float(np.median(np.diff(t)))
    times, left, weight, interp = resample_constant_rate(t, fps)
    right = np.minimum(left + 1, len(t) - 1)
    w = weight[:, None]

    def mix(a: np.ndarray) -> np.ndarray:
        wa = w.reshape((-1,) + (1,) * (a.ndim - 1))
        return ((1 - wa) * a[left] + wa * a[right]).astype(a.dtype)

    exact = ~interp
    res = dict(out)
    res["keypoints_2d"] = mix(out["keypoints_2d"])
    res["scores"] = mix(out["scores"])
    res["depth"] = mix(out["depth"])
    res["valid"] = np.where(exact, out["valid"][left], out["valid"][left] & out["valid"][right])
    res["decode_failed"] = np.where(
        exact, out["decode_failed"][left], out["decode_failed"][left] | out["decode_failed"][right]
    )
    res["missing_keypoints"] = out["missing_keypoints"][left] | (out["missing_keypoints"][right] & interp[:, None])
    if out.get("depth_valid") is not None:  # a mixed depth is valid only where both sources are
        dv = np.asarray(out["depth_valid"], bool)
        res["depth_valid"] = np.where(exact[:, None], dv[left], dv[left] & dv[right])
    res["interpolated"] = interp
    res["frame_index"] = np.arange(len(times))
    res["timestamps"] = times
    res["fps"] = fps
    if out.get("depth_maps") is not None:
        res["depth_maps"] = out["depth_maps"][np.where(weight <= 0.5, left, right)]
    res["resampling"] = {
        "reason": f"variable frame rate: resampled to a constant {fps:.3f} fps (1 / median frame interval)",
        "fps": fps,
        "source_timestamps": t.tolist(),
        "source_frame": np.where(weight <= 0.5, left, right).tolist(),
        "interpolated_frames": np.flatnonzero(interp).tolist(),
    }
    return res
