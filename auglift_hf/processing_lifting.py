"""``PoseLiftingProcessor``: every input/output convention of a lifter, saved next to its weights.

Encoding (pixels -> model inputs), per channel name (``input_channels``):

* ``x``, ``y``: VideoPose3D screen normalisation ``x / w * 2 - 1``, ``y / w * 2 - h / w``
  (:func:`auglift_hf.camera.normalize_screen_coordinates`);
* ``c``: confidence ``2 c - 1`` (``[0, 1] -> [-1, 1]``);
* ``d``: depth relative to the pelvis (``depth_reference="pelvis"``) or to the joint closest to the camera
  (``"nearest"``), metres, clipped to ``+-max_depth`` and divided by it (``[-1, 1]``);
* ``d_min``, ``d_max``: offsets from ``d`` in metres, clipped to ``+-max_depth_offset`` and divided by it.

Depth input ``(frames, 17, k)`` is read by ``k``: 1 = ``[d]``, 2 = ``[d_min, d_max]`` (``d`` = their mean),
3 = ``[d, d_min, d_max]``, 10 = the CASP summary of :func:`auglift_hf.features.sample_depth` (Q50, Q10, Q90).

Missing depth (the rule of every entry point: this processor, the ``pose-lifting`` pipeline, ``auglift lift``, the
Space): no ``depth`` at all, an all-NaN ``depth``, or NaN at some joints / frames is *missing*, encoded as
:data:`MISSING_DEPTH_FILL`. Input without any depth is accepted (with a warning) when the lifter's contract says
``missing_depth: "fill"`` (trained with depth dropout, so it saw exactly that) and refused otherwise, unless the
caller overrides (``allow_missing_depth=True``, what ``--override-contract`` passes). NaN at some joints (invalid
pixels of a real depth map) is filled for every lifter, with a warning when the contract is not ``"fill"``.
COCO-17 keypoints (``keypoint_format="coco"``) are mapped to H36M-17 first. A call returns one centred window
of ``num_frames`` frames per input frame (edge replication at the sequence ends): ``keypoints`` is
``(frames, num_frames, 17, C)``.

Scale normalisation (``scale_normalization``, AugLift v4; :mod:`auglift_hf.features.scale_normalization`) acts
on the pixel keypoints before the screen normalisation: ``"box"`` rescales each pose about its keypoint centroid
to the training set's mean box size ``box_size_mean`` (pixels; :meth:`PoseLiftingProcessor.fit_scale_normalization`),
``"depth"`` ("dscale2d") scales the pixels about the image centre by ``d_root / reference_depth`` with ``d_root``
the metric depth input at the pelvis (metres; needs a depth input even for an x, y lifter). The 3D output is
unaffected (root-relative metres).

Decoding: :meth:`PoseLiftingProcessor.post_process` turns root-relative metres into millimetres, optionally in
the camera frame with a given or depth-estimated root.

``coordinate_normalization`` (a separate option; default ``"videopose3d"`` = everything above):
``"motionbert"`` is MotionBERT's convention (official DSTformer checkpoints): x, y as above, confidence raw in
``[0, 1]``, and model outputs in MotionBERT's normalised image units, converted to metres in
:meth:`PoseLiftingProcessor.post_process` with the image size and a metres-per-pixel factor ``Z_root / f``
(the math is in :mod:`auglift_hf.motionbert_coords`, which says where ``Z_root`` comes from at inference).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from transformers.feature_extraction_utils import BatchFeature, FeatureExtractionMixin

from .camera import image_coordinates, normalize_screen_coordinates
from .skeleton import NUM_JOINTS, PELVIS, ROOT_INDEX, coco_to_h36m

#: Every channel name a processor can emit, in canonical order.
CHANNEL_NAMES: tuple[str, ...] = ("x", "y", "c", "d", "d_min", "d_max")
#: Value of every encoded depth channel (``d``, ``d_min``, ``d_max``) where depth is missing or invalid: a NaN in
#: the ``depth`` given to the processor (a joint, a frame, or everything when there is no depth map at all).
#: Lifters trained with depth dropout (:class:`auglift_hf.training.PoseLiftingCollator`) saw exactly this value
#: for missing depth. It equals the encoding of a flat depth (every joint at the pelvis depth).
MISSING_DEPTH_FILL = 0.0

_DEPTH_LAYOUTS = {1: (0, None, None), 2: (None, 0, 1), 3: (0, 1, 2), 10: (6, 4, 8)}  # k -> (d, d_min, d_max)
#: Values of ``coordinate_normalization``: input encoding + output space conventions.
COORDINATE_NORMALIZATIONS: tuple[str, ...] = ("videopose3d", "motionbert")


def _to_numpy(x: Any, name: str) -> np.ndarray:
    if x is None:
        raise ValueError(f"`{name}` is required")
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    arr = np.asarray(x)
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.number):
        raise ValueError(f"`{name}` must be a numeric array, got dtype {arr.dtype}")
    return arr.astype(np.float64, copy=False)


def _check_finite(arr: np.ndarray, name: str) -> None:
    if not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))[0].tolist()
        raise ValueError(f"`{name}` contains NaN or inf (first at index {bad}); fill or drop those frames first")


#: Metric depth a person can have (m): the depth range of one frame's 17 joints (a person is 0.2-1.5 m deep;
#: Depth Anything's metric errors add well under a metre) and the distance (the outdoor model's ``max_depth`` is
#: 80 m). Depth in millimetres gives ranges of hundreds and distances of thousands.
MAX_PERSON_DEPTH_RANGE_M, MAX_METRIC_DEPTH_M = 5.0, 200.0


def check_metric_depth(dp: np.ndarray) -> None:
    """Refuse ``(frames, 17, k)`` metric depth that cannot be metres (median over frames; NaN = missing)."""
    d = np.where(np.isfinite(dp), dp, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # frames / joints without depth
        spread = np.nanmedian(np.nanmax(d[..., 0], 1) - np.nanmin(d[..., 0], 1))
        far = np.nanmedian(np.abs(d))
    if np.isfinite(spread) and (spread > MAX_PERSON_DEPTH_RANGE_M or far > MAX_METRIC_DEPTH_M):
        raise ValueError(
            f"`depth` is not in metres: the joints of one frame span {spread:.4g} depth units (a person: < "
            f"{MAX_PERSON_DEPTH_RANGE_M:g} m) at {far:.4g} (metric depth: < {MAX_METRIC_DEPTH_M:g} m): millimetres? "
            "divide by 1000"
        )


def _central_depth(dp: np.ndarray) -> np.ndarray:
    """``(frames, 17)`` metres: the ``d`` of a ``(frames, 17, k)`` depth input (mean of d_min/d_max for k = 2)."""
    i_d, i_lo, i_hi = _DEPTH_LAYOUTS[dp.shape[2]]
    return dp[..., i_d] if i_d is not None else 0.5 * (dp[..., i_lo] + dp[..., i_hi])


def register_processor(*config_classes: type) -> None:
    """Register :class:`PoseLiftingProcessor` with ``AutoFeatureExtractor`` for the given lifter config classes.

    After this, ``AutoFeatureExtractor.from_pretrained(folder)`` loads a processor from any folder whose
    ``preprocessor_config.json`` names ``feature_extractor_type: PoseLiftingProcessor``.
    """
    from transformers import AutoFeatureExtractor

    for cfg in config_classes:
        AutoFeatureExtractor.register(cfg, PoseLiftingProcessor, exist_ok=True)


def uses_default_frame_encoding(processor: Any) -> bool:
    """Whether a processor encodes table rows exactly as the vectorised window code does
    (:func:`auglift_hf.data.windows.normalize_frames`): no ``scale_normalization``, VideoPose3D screen coordinates
    and the package's depth codec. Otherwise training and evaluation must encode with ``processor.encode``, or the
    lifter would be trained / scored on inputs other than those its saved processor feeds it."""
    if processor is None:
        return True
    encoding = (getattr(processor, "depth_descriptor", None) or {}).get("encoding", "package")
    return (
        getattr(processor, "scale_normalization", None) is None
        and getattr(processor, "coordinate_normalization", "videopose3d") == "videopose3d"
        and encoding == "package"
    )


class PoseLiftingProcessor(FeatureExtractionMixin):
    """Normalises 2D keypoints (+ confidence, + depth descriptors) for a lifter and decodes its 3D output.

    Args:
        input_channels: channel names in model order, a subset of ``("x", "y", "c", "d", "d_min", "d_max")``,
            e.g. ``["x", "y"]`` or ``["x", "y", "c", "d"]``.
        num_frames: temporal window (the model's receptive field); 1 for single-frame models.
        keypoint_format: ``"h36m"`` (H36M-17) or ``"coco"`` (COCO-17, mapped on entry).
        max_depth: clip of the root-relative depth in metres (``d`` in ``[-1, 1]`` = ``+-max_depth``).
        max_depth_offset: clip of ``d_min - d`` / ``d_max - d`` in metres.
        depth_reference: ``"pelvis"`` or ``"nearest"`` (the joint closest to the camera in that frame).
        depth_kind, depth_model, depth_descriptor, keypoint_definition, scale_normalization, box_size_mean,
            reference_depth, missing_depth, score_fill, frame_rate: the input contract (:mod:`auglift_hf.contract`) saved with the lifter. A processor
            without ``keypoint_definition`` (a folder saved before the contract existed) has no contract and
            writes none of these fields (except a set ``score_fill``, ``frame_rate`` or scale field); with it, all
            are validated.
        score_fill: confidence in ``(0, 1]`` fed as ``c`` for keypoints that come without detector scores (the
            median training score, written by ``auglift train``); ``None`` for a lifter without ``c`` (and for
            folders saved before the field: entry points then fill 1.0 with a warning,
            :func:`auglift_hf.contract.score_fill_for`). :meth:`encode` itself never fills: it needs ``scores``.
        frame_rate: frames per second (Hz) of the training tables (written by ``auglift train``); entry points
            resample a sequence of another known rate to it (:mod:`auglift_hf.preprocess.frame_rate`). ``None``:
            not recorded (a temporal lifter then warns, :func:`auglift_hf.contract.frame_rate_for`) or irrelevant
            (single-frame lifters). :meth:`encode` itself never resamples.
        scale_normalization: ``None``, ``"box"`` (AugLift's box rescaling to ``box_size_mean`` pixels, fitted
            on the training set: :meth:`fit_scale_normalization`) or ``"depth"`` (dscale2d: pixels about the image
            centre times ``d_root / reference_depth``, ``d_root`` the metric depth input at the pelvis;
            ``reference_depth`` defaults to 4.5 m, AugLift v4's best). See :mod:`auglift_hf.features.scale_normalization`.
        coordinate_normalization: ``"videopose3d"`` (default: confidence ``2c - 1``, outputs in metres) or
            ``"motionbert"`` (confidence raw in ``[0, 1]``, outputs in MotionBERT's normalised image units;
            see :mod:`auglift_hf.motionbert_coords`). x, y use the same ``u / w * 2 - [1, h / w]`` in both.
        assumed_root_depth: root depth (m) assumed by ``"motionbert"`` decoding when neither a root depth nor
            metric depth is given (default: the H36M mean camera-to-pelvis distance, 5.14 m).
    """

    model_input_names = ["keypoints"]

    def __init__(
        self,
        input_channels: Sequence[str] = ("x", "y"),
        num_frames: int = 1,
        keypoint_format: str = "h36m",
        max_depth: float = 2.0,
        max_depth_offset: float = 1.0,
        depth_reference: str = "pelvis",
        depth_kind: str | None = None,
        depth_model: str | None = None,
        depth_descriptor: dict[str, Any] | None = None,
        keypoint_definition: str | None = None,
        scale_normalization: str | None = None,
        box_size_mean: float | None = None,
        reference_depth: float | None = None,
        missing_depth: str | None = None,
        score_fill: float | None = None,
        frame_rate: float | None = None,
        coordinate_normalization: str = "videopose3d",
        assumed_root_depth: float | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        channels = [input_channels] if isinstance(input_channels, str) else list(input_channels)
        if isinstance(input_channels, str) and "," in input_channels:
            channels = [c.strip() for c in input_channels.split(",")]
        unknown = [c for c in channels if c not in CHANNEL_NAMES]
        if not channels or unknown or len(set(channels)) != len(channels):
            raise ValueError(f"`input_channels` must be distinct names from {list(CHANNEL_NAMES)}, got {channels}")
        if int(num_frames) < 1:
            raise ValueError(f"`num_frames` must be >= 1, got {num_frames}")
        if keypoint_format not in ("h36m", "coco"):
            raise ValueError(f"`keypoint_format` must be 'h36m' or 'coco', got {keypoint_format!r}")
        if depth_reference not in ("pelvis", "nearest"):
            raise ValueError(f"`depth_reference` must be 'pelvis' or 'nearest', got {depth_reference!r}")
        if not (max_depth > 0 and max_depth_offset > 0):
            raise ValueError(f"`max_depth` and `max_depth_offset` must be > 0, got {max_depth}, {max_depth_offset}")
        self.input_channels = channels
        self.num_frames = int(num_frames)
        self.keypoint_format = keypoint_format
        self.max_depth = float(max_depth)
        self.max_depth_offset = float(max_depth_offset)
        self.depth_reference = depth_reference
        self.depth_kind = depth_kind
        self.depth_model = depth_model
        self.depth_descriptor = dict(depth_descriptor) if depth_descriptor is not None else None
        self.keypoint_definition = keypoint_definition
        self._init_scale_normalization(scale_normalization, box_size_mean, reference_depth)
        self.missing_depth = missing_depth
        self.score_fill = score_fill
        self.frame_rate = frame_rate
        self._check_contract()
        self._init_coordinate_normalization(coordinate_normalization, assumed_root_depth)

    def _init_scale_normalization(self, mode: Any, box_size_mean: Any, reference_depth: Any) -> None:
        from .features.scale_normalization import DEFAULT_REFERENCE_DEPTH, SCALE_NORMALIZATIONS

        if mode not in SCALE_NORMALIZATIONS:
            raise ValueError(f"`scale_normalization` must be one of {list(SCALE_NORMALIZATIONS)}, got {mode!r}")
        for name, value in (("box_size_mean", box_size_mean), ("reference_depth", reference_depth)):
            if value is not None and (isinstance(value, bool) or not (np.isfinite(float(value)) and float(value) > 0)):
                raise ValueError(f"`{name}` must be a positive number, got {value!r}")
        if mode == "depth" and reference_depth is None:
            reference_depth = DEFAULT_REFERENCE_DEPTH
        self.scale_normalization = mode
        self.box_size_mean = None if box_size_mean is None else float(box_size_mean)
        self.reference_depth = None if reference_depth is None else float(reference_depth)

    def fit_scale_normalization(self, keypoints_2d: Any, valid: Any = None) -> PoseLiftingProcessor:
        """Fit ``box_size_mean`` (pixels) on training keypoints ``(N, 17, 2)`` (this processor's format); returns self.

        Only meaningful for ``scale_normalization="box"`` (``"depth"`` has nothing to fit: ``reference_depth``
        is a choice). COCO keypoints are mapped to H36M-17 first, as :meth:`encode` does.
        """
        from .features.scale_normalization import fit_box_size_mean

        if self.scale_normalization != "box":
            raise ValueError(
                f"fit_scale_normalization: scale_normalization is {self.scale_normalization!r}, not 'box'"
            )
        kp = _to_numpy(keypoints_2d, "keypoints_2d")[..., :2]
        if kp.ndim != 3 or kp.shape[1] != NUM_JOINTS:
            raise ValueError(f"`keypoints_2d` must have shape (frames, 17, 2) pixels, got {tuple(kp.shape)}")
        if self.keypoint_format == "coco":
            kp = coco_to_h36m(kp, confidence_channel=None)
        self.box_size_mean = fit_box_size_mean(kp, valid)
        return self

    def _check_contract(self) -> None:
        """Validate the contract fields (when present) and their agreement with ``input_channels``."""
        from .contract import InputContract

        if self.keypoint_definition is None:
            stray = [k for k in ("depth_kind", "depth_model", "depth_descriptor") if getattr(self, k) is not None]
            if stray:
                raise ValueError(f"contract fields {stray} are set without `keypoint_definition` ('h36m' or 'coco')")
            InputContract(  # type checks of the scale fields, score_fill and frame_rate only
                scale_normalization=self.scale_normalization,
                box_size_mean=self.box_size_mean,
                reference_depth=self.reference_depth,
                score_fill=self.score_fill,
                frame_rate=self.frame_rate,
            ).validate("PoseLiftingProcessor")
            self._check_score_fill()
            self._check_frame_rate()
            return
        contract = self.input_contract
        self._check_score_fill()
        self._check_frame_rate()
        if self.needs_depth and contract.depth_kind is None:
            raise ValueError(
                f"`depth_kind` is null but input_channels {self.input_channels} include depth: set 'metric' or 'relative'"
            )
        if self.scale_normalization == "depth" and contract.depth_kind != "metric":
            raise ValueError(
                f"scale_normalization='depth' (dscale2d) needs metric depth, but `depth_kind` is {contract.depth_kind!r}"
            )
        if not self.needs_depth and contract.depth_kind is not None:
            raise ValueError(
                f"`depth_kind`={contract.depth_kind!r} but input_channels {self.input_channels} have no depth channel"
            )

    def _check_score_fill(self) -> None:
        """``score_fill`` (when set) is a number in (0, 1], stored as a float, and only for a lifter with ``c``."""
        from .contract import check_score_fill

        self.score_fill = check_score_fill(self.score_fill, "PoseLiftingProcessor")
        if self.score_fill is not None and "c" not in self.input_channels:
            raise ValueError(
                f"`score_fill`={self.score_fill!r} but input_channels {self.input_channels} have no confidence 'c' "
                "(set it to null)"
            )

    def _check_frame_rate(self) -> None:
        """``frame_rate`` (when set) is a finite number > 0 (Hz), stored as a float."""
        from .contract import check_frame_rate

        self.frame_rate = check_frame_rate(self.frame_rate, "PoseLiftingProcessor")

    @property
    def input_contract(self) -> Any:
        """The :class:`~auglift_hf.contract.InputContract` of this processor, ``None`` for a legacy one."""
        from .contract import CONTRACT_FIELDS, InputContract

        if self.keypoint_definition is None:
            return None
        return InputContract.from_dict({k: getattr(self, k) for k in CONTRACT_FIELDS}, where="PoseLiftingProcessor")

    def set_input_contract(self, contract: Any) -> None:
        """Store a contract (an :class:`~auglift_hf.contract.InputContract` or its dict; ``None`` removes it)."""
        from .contract import CONTRACT_FIELDS, InputContract

        values = (
            dict.fromkeys(CONTRACT_FIELDS)
            if contract is None
            else (contract if isinstance(contract, InputContract) else InputContract(**dict(contract))).to_dict()
        )
        old = {k: getattr(self, k) for k in CONTRACT_FIELDS}
        for key, value in values.items():
            setattr(self, key, value)
        try:
            self._check_contract()
        except ValueError:
            for key, value in old.items():
                setattr(self, key, value)
            raise

    # ------------------------------------------------------------------ construction helpers
    @classmethod
    def from_model_config(cls, config: Any, **kwargs: Any) -> PoseLiftingProcessor:
        """Build a processor matching a lifter config (object or dict): ``num_frames`` and ``input_channels``.

        Reads ``num_frames`` (or ``receptive_field`` / ``seq_len``) and ``input_channels`` (or a count
        ``num_input_channels`` / ``in_channels``: 2 -> x,y; 3 -> x,y,c; 4 -> x,y,c,d; 6 -> x,y,c,d,d_min,d_max).
        Keyword arguments override the config (e.g. ``num_frames`` of a TCN computed from its kernel sizes).
        """
        cfg = config.to_dict() if hasattr(config, "to_dict") else dict(config)
        params: dict[str, Any] = {}
        for key in ("num_frames", "receptive_field", "seq_len"):
            if cfg.get(key):
                params["num_frames"] = int(cfg[key])
                break
        if cfg.get("input_channels"):
            params["input_channels"] = cfg["input_channels"]
        else:
            count = next((cfg[k] for k in ("num_input_channels", "in_channels") if isinstance(cfg.get(k), int)), None)
            if count is not None:
                if count not in (2, 3, 4, 6):
                    raise ValueError(f"cannot infer channel names from {count} input channels; pass input_channels")
                params["input_channels"] = list(CHANNEL_NAMES[:count])
        from .contract import CONTRACT_FIELDS

        for key in (
            "keypoint_format",
            "max_depth",
            "max_depth_offset",
            "depth_reference",
            *CONTRACT_FIELDS,
            "coordinate_normalization",
        ):
            if key in cfg:
                params[key] = cfg[key]
        params.update(kwargs)
        return cls(**params)

    @property
    def num_channels(self) -> int:
        return len(self.input_channels)

    @property
    def needs_depth(self) -> bool:
        """Whether :meth:`encode` needs a metric depth input (a depth channel, or ``scale_normalization="depth"``)."""
        return any(c in self.input_channels for c in ("d", "d_min", "d_max")) or self.scale_normalization == "depth"

    # ------------------------------------------------------------------ encoding
    def _missing_depth(self, dp: np.ndarray | None, frames: int, allow: bool) -> np.ndarray:
        """Apply the missing-depth rule (module docstring) for a lifter that needs depth: returns the depth to
        encode (all NaN when none was given) or raises ``ValueError`` naming the contract field."""
        import warnings

        k = 3 if {"d_min", "d_max"} & set(self.input_channels) else 1
        missing = np.ones((frames, NUM_JOINTS), bool) if dp is None else ~np.isfinite(_central_depth(dp))
        fill = self.missing_depth == "fill"
        if missing.all():
            given = "no `depth`" if dp is None else "`depth` that is NaN everywhere"
            if self.scale_normalization == "depth":
                raise ValueError(
                    f"`depth` is required: scale_normalization='depth' needs the metric depth at the pelvis, got {given}"
                )
            if not (fill or allow):
                why = (
                    "the input contract has missing_depth=null (trained without depth dropout)"
                    if self.keypoint_definition is not None
                    else "the processor has no input contract (missing_depth not recorded)"
                )
                raise ValueError(
                    f"`depth` is required: input_channels {self.input_channels} include depth and {why}; got {given} "
                    "(pass allow_missing_depth=True to feed it as missing depth anyway)"
                )
            if not allow:
                warnings.warn(
                    f"{given}: fed as missing depth (MISSING_DEPTH_FILL), which the lifter's contract allows "
                    "(missing_depth='fill': trained with depth dropout; expect about XY accuracy)",
                    UserWarning,
                    stacklevel=4,
                )
            return np.full((frames, NUM_JOINTS, k), np.nan) if dp is None else dp
        if missing.any() and not (fill or allow):
            warnings.warn(
                f"`depth` is NaN at {int(missing.sum())} of {missing.size} joint-frames: encoded as missing depth "
                "(MISSING_DEPTH_FILL) although the lifter's contract has no missing_depth='fill' (it was not trained "
                "with depth dropout)",
                UserWarning,
                stacklevel=4,
            )
        return dp

    def _validate(
        self, keypoints_2d: Any, image_size: Any, scores: Any, depth: Any, allow_missing_depth: bool = False
    ):
        kp = _to_numpy(keypoints_2d, "keypoints_2d")
        if kp.ndim == 2:
            kp = kp[None]
        if kp.ndim != 3 or kp.shape[1] != NUM_JOINTS or kp.shape[2] not in (2, 3):
            raise ValueError(
                f"`keypoints_2d` must have shape (frames, 17, 2) (or (frames, 17, 3) with scores) in pixels, "
                f"{self.keypoint_format.upper()} order, got {tuple(kp.shape)}"
            )
        if kp.shape[0] == 0:
            raise ValueError("`keypoints_2d` has no frames")
        if kp.shape[2] == 3:
            if scores is None:
                scores = kp[..., 2]
            kp = kp[..., :2]
        _check_finite(kp, "keypoints_2d")
        size = _to_numpy(image_size, "image_size").reshape(-1)
        if size.shape != (2,) or not (size > 0).all():
            raise ValueError(f"`image_size` must be (width, height) with both > 0, got {size.tolist()}")
        frames = kp.shape[0]
        sc = None
        if scores is not None:
            sc = _to_numpy(scores, "scores")
            if sc.shape == (NUM_JOINTS,) and frames == 1:
                sc = sc[None]
            if sc.shape != (frames, NUM_JOINTS):
                raise ValueError(f"`scores` must have shape ({frames}, 17), got {tuple(sc.shape)}")
            _check_finite(sc, "scores")
        elif "c" in self.input_channels:
            raise ValueError(f"`scores` are required: input_channels {self.input_channels} include 'c'")
        dp = None
        if depth is not None:
            dp = _to_numpy(depth, "depth")
            if dp.ndim == 2:
                dp = dp[..., None]
            if dp.ndim != 3 or dp.shape[:2] != (frames, NUM_JOINTS) or dp.shape[2] not in _DEPTH_LAYOUTS:
                raise ValueError(
                    f"`depth` must have shape ({frames}, 17, k) with k in {sorted(_DEPTH_LAYOUTS)}, got {tuple(dp.shape)}"
                )
            if np.isinf(dp).any():
                raise ValueError("`depth` contains inf; mark missing depth with NaN (encoded as MISSING_DEPTH_FILL)")
            if self.depth_kind != "relative":
                check_metric_depth(dp)
        if self.needs_depth:
            dp = self._missing_depth(dp, frames, allow_missing_depth)
            layout = _DEPTH_LAYOUTS[dp.shape[2]]
            if ("d_min" in self.input_channels or "d_max" in self.input_channels) and layout[1] is None:
                raise ValueError(
                    f"`depth` with k={dp.shape[2]} has no d_min/d_max; input_channels {self.input_channels}"
                )
        return kp, (float(size[0]), float(size[1])), sc, dp

    def encode(
        self,
        keypoints_2d: Any,
        image_size: Any,
        scores: Any = None,
        depth: Any = None,
        allow_missing_depth: bool = False,
    ) -> np.ndarray:
        """Per-frame model channels without windows: ``(frames, 17, C)`` float32 (C = ``len(input_channels)``).

        ``allow_missing_depth``: feed input without depth as missing depth whatever the contract says (for entry
        points that checked the contract themselves, e.g. with ``--override-contract``); see the module docstring.
        """
        kp, (w, h), sc, dp = self._validate(keypoints_2d, image_size, scores, depth, allow_missing_depth)
        if self.keypoint_format == "coco":
            parts = [kp, sc[..., None] if sc is not None else np.ones_like(kp[..., :1])]
            if dp is not None:
                parts.append(dp)
            mapped = coco_to_h36m(np.concatenate(parts, -1), confidence_channel=2)
            kp, sc = mapped[..., :2], (mapped[..., 2] if sc is not None else None)
            dp = mapped[..., 3:] if dp is not None else None
        kp = self._scale_keypoints(kp, (w, h), dp)
        chans: dict[str, np.ndarray] = {}
        xy = normalize_screen_coordinates(kp, w, h)
        chans["x"], chans["y"] = xy[..., 0], xy[..., 1]
        if sc is not None:
            chans["c"] = self._encode_confidence(sc)
        if dp is not None:
            chans.update(self._encode_depth(dp))
        return np.stack([chans[c] for c in self.input_channels], -1).astype(np.float32)

    def _scale_keypoints(self, kp: np.ndarray, size: tuple[float, float], dp: np.ndarray | None) -> np.ndarray:
        """The scale normalisation hook (pixels in, pixels out); a no-op without ``scale_normalization``."""
        if self.scale_normalization is None:
            return kp
        from .features.scale_normalization import apply_scale_normalization

        root_depth = None
        if self.scale_normalization == "depth":
            root_depth = _central_depth(dp)[:, PELVIS]
            if not (root_depth > 0).all():
                raise ValueError("scale_normalization='depth': the depth at the pelvis must be > 0 metres (metric)")
        return apply_scale_normalization(
            kp, self.scale_normalization, image_size=size, box_size_mean=self.box_size_mean,
            reference_depth=self.reference_depth, root_depth=root_depth,
        )  # fmt: skip

    def _encode_depth(self, dp: np.ndarray) -> dict[str, np.ndarray]:
        """Encoded depth channels; joints whose depth (or whose frame's reference depth) is NaN get
        :data:`MISSING_DEPTH_FILL` in every depth channel."""
        i_d, i_lo, i_hi = _DEPTH_LAYOUTS[dp.shape[2]]
        d = _central_depth(dp)
        encoding = (self.depth_descriptor or {}).get("encoding", "package")
        if encoding != "package":  # the contract's codec (AugLift's own), one implementation in features.depth
            from .features.depth import encode_depth

            casp = "d_min" in self.input_channels or "d_max" in self.input_channels  # the codec differs by format
            desc = np.stack([d, dp[..., i_lo], dp[..., i_hi]], axis=-1) if casp else d[..., None]
            out = encode_depth(desc, encoding)
            return {k: np.where(np.isfinite(v), v, MISSING_DEPTH_FILL) for k, v in out.items()}
        if self.depth_reference == "pelvis":
            ref = d[:, PELVIS : PELVIS + 1]
        else:
            ref = np.nanmin(np.where(np.isfinite(d), d, np.nan), axis=1, keepdims=True) if np.isnan(d).any() else (
                d.min(axis=1, keepdims=True)
            )  # fmt: skip
        missing = ~np.isfinite(d) | ~np.isfinite(ref)
        if i_lo is not None:
            missing |= ~np.isfinite(dp[..., i_lo]) | ~np.isfinite(dp[..., i_hi])
        with np.errstate(invalid="ignore"):
            out = {"d": np.clip(d - ref, -self.max_depth, self.max_depth) / self.max_depth}
            if i_lo is not None:
                m = self.max_depth_offset
                out["d_min"] = np.clip(dp[..., i_lo] - d, -m, m) / m
                out["d_max"] = np.clip(dp[..., i_hi] - d, -m, m) / m
        return {k: np.where(missing, MISSING_DEPTH_FILL, v) for k, v in out.items()}

    def window_indices(self, num_sequence_frames: int, frames: Any = None) -> np.ndarray:
        """``(len(frames), num_frames)`` source indices of the centred windows (edge replication)."""
        centre = np.arange(num_sequence_frames) if frames is None else np.asarray(frames, dtype=np.int64)
        if centre.size and (centre.min() < 0 or centre.max() >= num_sequence_frames):
            raise ValueError(f"`frames` must index a sequence of {num_sequence_frames} frames")
        offsets = np.arange(self.num_frames) - self.num_frames // 2
        return np.clip(centre[:, None] + offsets[None], 0, num_sequence_frames - 1)

    def __call__(
        self,
        keypoints_2d: Any,
        image_size: Any,
        scores: Any = None,
        depth: Any = None,
        return_tensors: str | None = "pt",
        frames: Any = None,
        allow_missing_depth: bool = False,
    ) -> BatchFeature:
        """Encode a whole sequence into one centred window per frame.

        Args:
            keypoints_2d: ``(frames, 17, 2)`` pixels (H36M-17, or COCO-17 with ``keypoint_format="coco"``);
                ``(frames, 17, 3)`` carries the scores in the last channel.
            image_size: ``(width, height)`` pixels.
            scores: ``(frames, 17)`` confidences in ``[0, 1]``.
            depth: ``(frames, 17, k)`` depth descriptors in metres (see module docstring for ``k``); ``None`` or
                NaN = missing depth (accepted for a ``missing_depth="fill"`` lifter, with a warning; see the
                module docstring).
            return_tensors: ``"pt"``, ``"np"`` or ``None`` (numpy).
            frames: optional centre-frame indices (default: every frame).
            allow_missing_depth: feed missing depth whatever the contract says (see :meth:`encode`).

        Returns:
            ``BatchFeature`` with ``keypoints`` ``(frames, num_frames, 17, C)``.
        """
        enc = self.encode(keypoints_2d, image_size, scores, depth, allow_missing_depth)
        windows = enc[self.window_indices(enc.shape[0], frames)]
        return BatchFeature({"keypoints": windows}, tensor_type=return_tensors)

    def decode_keypoints(self, keypoints: Any, image_size: Any) -> np.ndarray:
        """Inverse of the x, y normalisation: ``(..., C)`` model channels -> ``(..., 2)`` pixels."""
        arr = _to_numpy(keypoints, "keypoints")
        try:
            ix, iy = self.input_channels.index("x"), self.input_channels.index("y")
        except ValueError as err:
            raise ValueError(f"input_channels {self.input_channels} do not contain both 'x' and 'y'") from err
        w, h = (float(v) for v in _to_numpy(image_size, "image_size").reshape(2))
        return image_coordinates(np.stack([arr[..., ix], arr[..., iy]], -1), w, h)

    # ------------------------------------------------------------------ targets / decoding
    @staticmethod
    def encode_targets(joints_cam: Any) -> np.ndarray:
        """Camera-frame joints ``(frames, 17, 3)`` metres -> root-relative metres (root = pelvis, float32)."""
        j = _to_numpy(joints_cam, "joints_cam")
        if j.ndim < 2 or j.shape[-2:] != (NUM_JOINTS, 3):
            raise ValueError(f"`joints_cam` must have shape (..., 17, 3), got {tuple(j.shape)}")
        _check_finite(j, "joints_cam")
        return (j - j[..., ROOT_INDEX : ROOT_INDEX + 1, :]).astype(np.float32)

    def post_process(
        self,
        poses_3d: Any,
        root: Any = None,
        keypoints_2d: Any = None,
        depth: Any = None,
        focal_length: Any = None,
        principal_point: Any = None,
        image_size: Any = None,
        scale_factor: Any = None,
        root_depth: Any = None,
    ) -> np.ndarray:
        """Model output -> numpy ``(frames, 17, 3)`` millimetres.

        With ``coordinate_normalization="motionbert"`` the poses are first converted from MotionBERT's normalised
        units to root-relative metres (:meth:`motionbert_poses_to_metres`; needs ``image_size``, and uses
        ``scale_factor`` / ``root_depth`` / ``depth`` / ``focal_length`` when given).

        Args:
            poses_3d: root-relative metres, ``(frames, 17, 3)``, ``(frames, T, 17, 3)`` (the centre frame is
                taken) or a model output with a ``poses_3d`` / ``predictions`` field. The root joint is re-zeroed.
            root: ``(frames, 3)`` or ``(3,)`` camera-frame root in metres -> camera-frame output.
            keypoints_2d, depth, focal_length, principal_point: without ``root``, estimate it from pixel keypoints
                ``(frames, 17, 2)``, depth ``(frames, 17, k)`` in metres and intrinsics ``(2,)`` pixels
                (:meth:`estimate_root`).

        Returns:
            Root-relative millimetres, or camera-frame millimetres when a root is given or estimated.
        """
        if isinstance(poses_3d, Mapping) or hasattr(poses_3d, "poses_3d") or hasattr(poses_3d, "predictions"):
            for key in ("poses_3d", "predictions", "logits"):
                value = (
                    poses_3d[key]
                    if isinstance(poses_3d, Mapping) and key in poses_3d
                    else getattr(poses_3d, key, None)
                )
                if value is not None:
                    poses_3d = value
                    break
        p = _to_numpy(poses_3d, "poses_3d")
        if p.ndim == 4:
            p = p[:, p.shape[1] // 2]
        if p.ndim == 2:
            p = p[None]
        if p.ndim != 3 or p.shape[1:] != (NUM_JOINTS, 3):
            raise ValueError(f"`poses_3d` must have shape (frames, 17, 3) or (frames, T, 17, 3), got {tuple(p.shape)}")
        if self.coordinate_normalization == "motionbert":
            p = self.motionbert_poses_to_metres(p, image_size, scale_factor, root_depth, depth, focal_length)
        p = p - p[:, ROOT_INDEX : ROOT_INDEX + 1]
        scale_only = self.coordinate_normalization == "motionbert" and principal_point is None  # depth -> scale
        if root is None and depth is not None and not scale_only:
            root = self.estimate_root(p, keypoints_2d, depth, focal_length, principal_point)
        if root is not None:
            r = _to_numpy(root, "root")
            r = np.broadcast_to(r.reshape(-1, 3), (p.shape[0], 3)) if r.size in (3, 3 * p.shape[0]) else None
            if r is None:
                raise ValueError(f"`root` must have shape (3,) or ({p.shape[0]}, 3), got {tuple(np.shape(root))}")
            p = p + r[:, None, :]
        return p * 1000.0

    def estimate_root(
        self, poses_rel: Any, keypoints_2d: Any, depth: Any, focal_length: Any, principal_point: Any
    ) -> np.ndarray:
        """Camera-frame root ``(frames, 3)`` metres from metric depth at the joints.

        ``z_root = median_j(d_j - z_rel_j)`` (each joint's measured depth minus its predicted root-relative
        depth), then ``x, y = (pelvis_pixel - c) / f * z_root``. ``keypoints_2d`` must be H36M-17 pixels.
        """
        if keypoints_2d is None or focal_length is None or principal_point is None:
            raise ValueError("estimating the root needs `keypoints_2d`, `depth`, `focal_length` and `principal_point`")
        p = _to_numpy(poses_rel, "poses_rel")
        kp = _to_numpy(keypoints_2d, "keypoints_2d")[..., :2]
        dp = _to_numpy(depth, "depth")
        if dp.ndim == 2:
            dp = dp[..., None]
        if (
            kp.shape != (p.shape[0], NUM_JOINTS, 2)
            or dp.shape[:2] != (p.shape[0], NUM_JOINTS)
            or dp.shape[2] not in _DEPTH_LAYOUTS
        ):
            raise ValueError(
                f"root estimation: expected keypoints_2d ({p.shape[0]}, 17, 2) and depth ({p.shape[0]}, 17, k), "
                f"got {tuple(kp.shape)} and {tuple(dp.shape)}"
            )
        i_d, i_lo, i_hi = _DEPTH_LAYOUTS[dp.shape[2]]
        d = dp[..., i_d] if i_d is not None else 0.5 * (dp[..., i_lo] + dp[..., i_hi])
        f = _to_numpy(focal_length, "focal_length").reshape(-1, 2)
        c = _to_numpy(principal_point, "principal_point").reshape(-1, 2)
        valid = np.isfinite(d) & (d > 0)
        z = np.where(valid, d - p[..., 2], np.nan)
        z_root = np.nanmedian(np.where(valid.any(1, keepdims=True), z, 1.0), axis=1)
        xy = (kp[:, ROOT_INDEX] - c) / f * z_root[:, None]
        return np.concatenate([xy, z_root[:, None]], -1)

    # ------------------------------------------------------------------ coordinate_normalization (MotionBERT)
    def _init_coordinate_normalization(self, coordinate_normalization: str, assumed_root_depth: float | None) -> None:
        if coordinate_normalization not in COORDINATE_NORMALIZATIONS:
            raise ValueError(
                f"`coordinate_normalization` must be one of {list(COORDINATE_NORMALIZATIONS)}, "
                f"got {coordinate_normalization!r}"
            )
        if assumed_root_depth is not None and not assumed_root_depth > 0:
            raise ValueError(f"`assumed_root_depth` must be > 0 metres, got {assumed_root_depth}")
        self.coordinate_normalization = coordinate_normalization
        self.assumed_root_depth = None if assumed_root_depth is None else float(assumed_root_depth)

    def _encode_confidence(self, scores: np.ndarray) -> np.ndarray:
        """``[0, 1]`` scores -> the ``c`` channel: ``2c - 1`` (videopose3d) or the raw score (motionbert)."""
        if self.coordinate_normalization == "motionbert":
            from .motionbert_coords import motionbert_encode_confidence

            return motionbert_encode_confidence(scores)
        return 2.0 * np.clip(scores, 0.0, 1.0) - 1.0

    def motionbert_poses_to_metres(
        self,
        poses: np.ndarray,
        image_size: Any,
        scale_factor: Any = None,
        root_depth: Any = None,
        depth: Any = None,
        focal_length: Any = None,
    ) -> np.ndarray:
        """MotionBERT normalised ``(frames, 17, 3)`` -> root-relative metres (evaluation-identical conversion).

        The metres-per-pixel factor is, in order: ``scale_factor`` (m/px, scalar or per frame); else
        ``root_depth / f``; else the root depth solved from metric ``depth`` at the joints
        (:func:`~auglift_hf.motionbert_coords.root_depth_from_joint_depth`) over ``f``; else
        ``assumed_root_depth / f``. ``f`` is ``focal_length`` or the H36M cameras' ``f / w`` times the width.
        """
        from . import motionbert_coords as mb

        if image_size is None:
            raise ValueError("`image_size` (width, height) is required to decode MotionBERT-normalised poses")
        if scale_factor is None:
            f = mb.assumed_focal_length(image_size) if focal_length is None else focal_length
            if root_depth is None and depth is not None:
                dp = _to_numpy(depth, "depth")
                dp = dp[..., None] if dp.ndim == 2 else dp
                i_d, i_lo, i_hi = _DEPTH_LAYOUTS.get(dp.shape[-1], (0, None, None))
                d = dp[..., i_d] if i_d is not None else 0.5 * (dp[..., i_lo] + dp[..., i_hi])
                root_depth = mb.root_depth_from_joint_depth(poses, image_size, d, f)
            if root_depth is None:
                root_depth = self.assumed_root_depth or mb.H36M_MEAN_ROOT_DEPTH_M
            scale_factor = mb.scale_factor(root_depth, f)
        return mb.motionbert_to_camera_units(poses, image_size, scale_factor, root_index=ROOT_INDEX)

    # ------------------------------------------------------------------ serialisation
    def to_dict(self) -> dict[str, Any]:
        from .contract import CONTRACT_FIELDS

        out = super().to_dict()
        out["input_channels"] = list(self.input_channels)
        if out.get("coordinate_normalization") == "videopose3d":  # the default: keep existing files unchanged
            out.pop("coordinate_normalization")
            out.pop("assumed_root_depth", None)
        if out.get("keypoint_definition") is None:  # legacy processor: no contract, write none of its fields
            for key in CONTRACT_FIELDS:
                if out.get(key) is None:
                    out.pop(key, None)
        return out

    def to_json_file(self, json_file_path: str | os.PathLike) -> None:
        """Atomic write (temp file then ``os.replace``)."""
        from auglift_hf.utils.io import atomic_write_file

        with atomic_write_file(json_file_path, "w", encoding="utf-8") as fh:
            fh.write(self.to_json_string())


__all__ = ["CHANNEL_NAMES", "PoseLiftingProcessor", "register_processor"]
