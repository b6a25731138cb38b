"""The input contract: what a lifter was trained on, saved with it and checked by every entry point.

A lifter is only as good as the agreement between what it was trained on and what it is fed. The contract is
one flat record (the schema of ``../shared/DESIGN.md``), written

* into each lifter's ``preprocessor_config.json`` (the fields of :class:`~auglift_hf.PoseLiftingProcessor`),
* into the YAML front matter of each frame table's dataset card (key :data:`CARD_KEY`, by ``auglift convert``),

and read by the pipeline, ``auglift lift``, ``auglift preprocess``, the Space and training (a lifter inherits the
contract of its training table).

Fields (:class:`InputContract`):

* ``depth_kind``: ``"metric"`` (metres) | ``"relative"`` (an affine-invariant depth the lifter was trained on) |
  ``None`` (the lifter takes no depth channel);
* ``depth_model``: the default depth checkpoint id the lifter expects (``None`` without depth);
* ``depth_descriptor``: ``{"mode", "num_samples", "pattern", "pattern_seed", "extrema", "quantiles", "radius",
  "r_min", "r_max", "k", "beta", "gamma"}``, the parameters of :func:`auglift_hf.features.sample_depth` (``None``
  without depth); optional ``"encoding"``: how the lifter's depth channels are encoded from the descriptors
  (:data:`auglift_hf.features.depth.DEPTH_ENCODINGS`, :func:`auglift_hf.features.depth.encode_depth`): absent or
  ``"package"`` = pelvis-relative, clipped (every lifter saved so far), ``"auglift"`` = AugLift's own codec
  (nearest-joint reference); compared by :func:`check_contract` like the other descriptor parameters;
* ``keypoint_definition``: ``"h36m"`` (ground-truth H36M joints, possibly with detector-like noise) | ``"coco"``
  (COCO-17 detector joints mapped to H36M-17 with :func:`auglift_hf.skeleton.coco_to_h36m`);
* ``scale_normalization``: ``None`` | ``"box"`` | ``"depth"`` with ``box_size_mean`` (pixels) /
  ``reference_depth`` (metres); stored and type-checked here, the behaviour belongs to the processor;
* ``missing_depth``: ``None`` | ``"fill"``: the lifter was trained with depth dropout (whole windows, frames and
  joints fed as missing depth, :data:`auglift_hf.processing_lifting.MISSING_DEPTH_FILL`), so input without depth
  (a 2D keypoints file) is within its training distribution (about XY accuracy) and accepted with a recorded note
  instead of needing ``--override-contract``. Written by ``auglift train`` when a depth-dropout probability is > 0;
* ``score_fill``: ``None`` | a number in ``(0, 1]``: the confidence to feed for keypoints that come without detector
  scores (ground-truth 2D, a keypoints file without a score column), for lifters with a ``c`` channel (``None``
  for lifters without one). ``auglift train`` writes the median of the training tables' ``keypoint_scores`` over
  the training rows (:func:`auglift_hf.training.data.training_score_fill`): the typical confidence the lifter saw,
  where ``c = 1`` is a value no realistic training window holds (calibrated detector scores: median 0.96). Every
  entry point fills with :func:`score_fill_for`; folders saved without the field keep the former fill, 1.0
  (:data:`LEGACY_SCORE_FILL`), with a warning naming the missing field;
* ``frame_rate``: ``None`` | a number of frames per second (Hz) ``> 0``: the rate of the frames a temporal lifter
  (``num_frames > 1``: TCN, PoseFormer, MotionBERT) was trained on, so that its window covers the duration it
  learnt (27 frames at 25 Hz = 1.08 s). ``auglift train`` writes the training tables' ``fps`` column
  (:func:`auglift_hf.training.data.training_frame_rate`; tables whose rates differ by more than 1 % are refused
  for a temporal lifter). Entry points that know the input's rate resample the 2D sequence to it and the 3D back
  to the input's frames (:mod:`auglift_hf.preprocess.frame_rate`, :func:`frame_rate_for`). ``None``: unknown
  (a folder saved before the field existed: a temporal lifter warns once that its rate is not recorded and is fed
  the input's frames as they come) or irrelevant (single-frame lifters, never resampled).

Checking (:func:`check_contract`): the depth kind and the descriptor parameters an entry point is about to feed
must equal the contract's, else a one-line ``ValueError`` names both sides, unless ``override=True`` (an explicit
``--override-contract`` flag), in which case the deviations are returned so the entry point records them in its
output. A different depth checkpoint of the same kind (e.g. the outdoor or a smaller metric variant) and a
different keypoint definition (a distribution shift of the same H36M-17 layout, not a unit error) are
accepted with a warning and also returned. Folders without the fields (saved before the contract existed) keep
today's behaviour with a warning (:func:`load_contract` returns ``None``).
"""

from __future__ import annotations

import json
import math
import numbers
import os
import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

#: The contract's keys, in schema order (flat in ``preprocessor_config.json``).
CONTRACT_FIELDS: tuple[str, ...] = (
    "depth_kind", "depth_model", "depth_descriptor", "keypoint_definition", "scale_normalization",
    "box_size_mean", "reference_depth", "missing_depth", "score_fill", "frame_rate",
)  # fmt: skip
#: Fields that must all be present when any is (the scale fields default to ``None``).
REQUIRED_FIELDS: tuple[str, ...] = ("depth_kind", "depth_model", "depth_descriptor", "keypoint_definition")
DEPTH_KINDS: tuple[str | None, ...] = ("metric", "relative", None)
KEYPOINT_DEFINITIONS: tuple[str, ...] = ("h36m", "coco")
SCALE_NORMALIZATIONS: tuple[str | None, ...] = (None, "box", "depth")
MISSING_DEPTH_MODES: tuple[str | None, ...] = (None, "fill")
#: Confidence fed for keypoints without scores by a c-lifter whose folder has no ``score_fill`` (saved before the
#: field existed): the fill every entry point used before, kept so old folders behave as they did.
LEGACY_SCORE_FILL = 1.0
#: Relative difference of two frame rates below which they count as the same (no resampling at entry points;
#: training tables within it may be mixed): 1 % (29.97 vs 30 fps); a 27-frame window then spans at most a quarter
#: frame more or less.
FRAME_RATE_TOLERANCE = 0.01
#: Key of the contract in a dataset card's YAML front matter.
CARD_KEY = "auglift_input_contract"

#: AugLift's default depth model: Depth Anything V2 metric, fine-tuned on Hypersim (indoor), ViT-L
#: (Warner et al., arXiv 2508.07112, Sec. 3; https://huggingface.co/depth-anything/Depth-Anything-V2-Metric-Indoor-Large-hf).
DEFAULT_DEPTH_MODEL = "depth-anything/Depth-Anything-V2-Metric-Indoor-Large-hf"
#: CASP samples per joint the shipped lifters were trained with (benchmarks/reference/build_data.py ``CASP_SAMPLES``).
DEFAULT_NUM_SAMPLES = 16
_EXTREMA_QUANTILES = {"quantile": [0.5, 0.1, 0.9], "minmax": [0.5, 0.0, 1.0]}
_DESCRIPTOR_MODES = ("point", "minmax", "casp")


def default_descriptor(mode: str = "casp", num_samples: int = DEFAULT_NUM_SAMPLES, **overrides: Any) -> dict[str, Any]:
    """A complete ``depth_descriptor`` dict: ``mode``, ``num_samples`` and every other :func:`sample_depth` parameter.

    Defaults: sunflower pattern (seed 0), (median, Q10, Q90) extrema, minmax disk radius 3 px and AugLift's CASP
    radius law ``r = clip(k S (1 + beta (1 - c))^gamma, r_min, r_max)`` with
    :data:`auglift_hf.features.depth.CASP_DEFAULTS` (k 0.04, beta 3, gamma 1.5, r_min 3 px, r_max 30 px).
    """
    from .features.depth import CASP_DEFAULTS

    desc: dict[str, Any] = {
        "mode": mode,
        "num_samples": int(num_samples),
        "pattern": "sunflower",
        "pattern_seed": 0,
        "extrema": "quantile",
        "radius": 3.0,
        **{k: float(v) for k, v in CASP_DEFAULTS.items()},
    }
    desc.update(overrides)
    desc["quantiles"] = list(_EXTREMA_QUANTILES.get(desc["extrema"], desc.get("quantiles") or []))
    return _check_descriptor(desc, "depth_descriptor")


def _check_descriptor(desc: Any, where: str) -> dict[str, Any]:
    if not isinstance(desc, Mapping):
        raise ValueError(f"{where}: `depth_descriptor` must be a dict with 'mode' and 'num_samples', got {desc!r}")
    desc = dict(desc)
    missing = [k for k in ("mode", "num_samples") if k not in desc]
    if missing:
        raise ValueError(f"{where}: `depth_descriptor` lacks {missing} (has {sorted(desc)})")
    if desc["mode"] not in _DESCRIPTOR_MODES:
        raise ValueError(
            f"{where}: `depth_descriptor.mode` must be one of {list(_DESCRIPTOR_MODES)}, got {desc['mode']!r}"
        )
    n = desc["num_samples"]
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{where}: `depth_descriptor.num_samples` must be an integer >= 1, got {n!r}")
    from .features.depth import DEPTH_ENCODINGS

    if desc.get("encoding", "package") not in DEPTH_ENCODINGS:
        raise ValueError(
            f"{where}: `depth_descriptor.encoding` must be one of {list(DEPTH_ENCODINGS)}, got {desc['encoding']!r}"
        )
    if desc.get("extrema", "quantile") not in _EXTREMA_QUANTILES:
        raise ValueError(
            f"{where}: `depth_descriptor.extrema` must be 'quantile' or 'minmax', got {desc['extrema']!r}"
        )
    return desc


def descriptor_kwargs(desc: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """``depth_descriptor`` -> ``(mode, kwargs)`` of :func:`auglift_hf.features.sample_depth` (``pattern_seed`` -> ``seed``)."""
    desc = _check_descriptor(desc, "depth_descriptor")
    mapping = {"num_samples": "num_samples", "pattern": "pattern", "pattern_seed": "seed", "extrema": "extrema"}
    mapping.update({k: k for k in ("radius", "r_min", "r_max", "k", "beta", "gamma", "interpolation")})
    kwargs = {mapping[k]: v for k, v in desc.items() if k in mapping}
    return str(desc["mode"]), kwargs


def check_score_fill(value: Any, where: str = "input contract") -> float | None:
    """``score_fill`` as a float in ``(0, 1]`` or ``None``; else a one-line ``ValueError`` naming the field."""
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(value)
        or not 0.0 < value <= 1.0
    ):
        raise ValueError(
            f"{where}: `score_fill` must be a confidence in (0, 1] (or null for a lifter without 'c'), got {value!r}"
        )
    return float(value)


def check_frame_rate(value: Any, where: str = "input contract", name: str = "frame_rate") -> float | None:
    """A frame rate in Hz as a finite float ``> 0`` or ``None``; else a one-line ``ValueError`` naming ``name``."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or not value > 0:
        raise ValueError(
            f"{where}: `{name}` must be a frame rate in Hz, a finite number > 0 (or null when unknown), got {value!r}"
        )
    return float(value)


def rates_agree(a: float, b: float, tolerance: float = FRAME_RATE_TOLERANCE) -> bool:
    """Whether two frame rates (Hz) agree within ``tolerance`` relative to the larger one."""
    return abs(float(a) - float(b)) <= tolerance * max(float(a), float(b))


def _positive_or_none(value: Any, name: str, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{where}: `{name}` must be a positive number or null, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class InputContract:
    """What a lifter expects as input. See the module docstring for the fields and their units."""

    depth_kind: str | None = None
    depth_model: str | None = None
    depth_descriptor: dict[str, Any] | None = field(default=None, hash=False)
    keypoint_definition: str = "h36m"
    scale_normalization: str | None = None
    box_size_mean: float | None = None
    reference_depth: float | None = None
    missing_depth: str | None = None
    score_fill: float | None = None
    frame_rate: float | None = None

    def __post_init__(self) -> None:
        self.validate()
        for name in ("score_fill", "frame_rate"):  # plain floats in the saved JSON (not ints or numpy scalars)
            if getattr(self, name) is not None:
                object.__setattr__(self, name, float(getattr(self, name)))

    def validate(self, where: str = "input contract") -> None:
        """Raise a one-line ``ValueError`` naming the field when a value is not allowed."""
        if self.depth_kind not in DEPTH_KINDS:
            raise ValueError(f"{where}: `depth_kind` must be 'metric', 'relative' or null, got {self.depth_kind!r}")
        if self.keypoint_definition not in KEYPOINT_DEFINITIONS:
            raise ValueError(
                f"{where}: `keypoint_definition` must be 'h36m' or 'coco', got {self.keypoint_definition!r}"
            )
        if self.scale_normalization not in SCALE_NORMALIZATIONS:
            raise ValueError(
                f"{where}: `scale_normalization` must be null, 'box' or 'depth', got {self.scale_normalization!r}"
            )
        _positive_or_none(self.box_size_mean, "box_size_mean", where)
        if self.missing_depth not in MISSING_DEPTH_MODES:
            raise ValueError(f"{where}: `missing_depth` must be null or 'fill', got {self.missing_depth!r}")
        if self.missing_depth is not None and self.depth_kind is None:
            raise ValueError(f"{where}: `missing_depth`={self.missing_depth!r} but the lifter takes no depth")
        _positive_or_none(self.reference_depth, "reference_depth", where)
        check_score_fill(self.score_fill, where)
        check_frame_rate(self.frame_rate, where)
        if self.depth_model is not None and not isinstance(self.depth_model, str):
            raise ValueError(
                f"{where}: `depth_model` must be a checkpoint id string or null, got {self.depth_model!r}"
            )
        if self.depth_kind is None:
            if self.depth_descriptor is not None or self.depth_model is not None:
                raise ValueError(
                    f"{where}: `depth_kind` is null (no depth channel) but `depth_model`={self.depth_model!r} / "
                    f"`depth_descriptor`={self.depth_descriptor!r} are set"
                )
        elif self.depth_descriptor is None:
            raise ValueError(f"{where}: `depth_kind`={self.depth_kind!r} needs a `depth_descriptor` dict")
        else:
            _check_descriptor(self.depth_descriptor, where)

    # ------------------------------------------------------------------ construction
    @classmethod
    def metric(
        cls,
        depth_model: str = DEFAULT_DEPTH_MODEL,
        keypoint_definition: str = "h36m",
        **descriptor: Any,
    ) -> InputContract:
        """A metric-depth contract with :func:`default_descriptor` (``descriptor`` overrides its entries)."""
        return cls("metric", depth_model, default_descriptor(**descriptor), keypoint_definition)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "input contract") -> InputContract | None:
        """The contract held by a flat dict (a processor config, a card entry); ``None`` when it has none.

        A dict with some but not all of :data:`REQUIRED_FIELDS` is refused (``ValueError`` naming the missing ones).
        """
        present = [k for k in REQUIRED_FIELDS if k in data]
        if not present:
            return None
        missing = [k for k in REQUIRED_FIELDS if k not in data]
        if missing:
            raise ValueError(f"{where}: incomplete input contract, missing {missing} (has {present})")
        values = {k: data.get(k) for k in CONTRACT_FIELDS}
        if values["keypoint_definition"] is None:
            raise ValueError(f"{where}: `keypoint_definition` must be 'h36m' or 'coco', got null")
        if values["depth_descriptor"] is not None:
            values["depth_descriptor"] = dict(values["depth_descriptor"])
        try:
            return cls(**values)
        except ValueError as err:
            raise ValueError(f"{where}: {err}") from None

    def to_dict(self) -> dict[str, Any]:
        """Flat JSON-serialisable dict with every field of :data:`CONTRACT_FIELDS`."""
        out = asdict(self)
        if out["depth_descriptor"] is not None:
            out["depth_descriptor"] = dict(out["depth_descriptor"])
        return out

    @classmethod
    def from_processor(cls, processor: Any) -> InputContract | None:
        """The contract stored on a :class:`~auglift_hf.PoseLiftingProcessor` (``None`` for a legacy one)."""
        data = processor.to_dict() if hasattr(processor, "to_dict") else dict(processor)
        return cls.from_dict(data, where=f"{type(processor).__name__}")

    @classmethod
    def from_pretrained(cls, folder: str | os.PathLike) -> InputContract | None:
        """Read ``folder/preprocessor_config.json``; ``None`` when it has no contract fields (legacy folder)."""
        path = os.path.join(os.fspath(folder), "preprocessor_config.json")
        if not os.path.isfile(path):
            raise FileNotFoundError(f"no preprocessor_config.json in lifter folder {os.fspath(folder)}")
        try:
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
        except json.JSONDecodeError as err:
            raise ValueError(f"{path}: not valid JSON ({err})") from None
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected a JSON object, got {type(data).__name__}")
        return cls.from_dict(data, where=path)

    @classmethod
    def from_dataset_card(cls, folder_or_card: str | os.PathLike, config: str | None = None) -> InputContract | None:
        """The contract in a frame table's card (``<folder>/README.md`` YAML key :data:`CARD_KEY`); ``None`` if absent.

        ``config`` (e.g. ``"detected2d"``) picks the keypoint definition of that config from the entry's optional
        ``keypoint_definition_by_config`` mapping.
        """
        path = os.fspath(folder_or_card)
        if os.path.isdir(path):
            path = os.path.join(path, "README.md")
        if not os.path.isfile(path):
            return None
        meta = read_card_metadata(path)
        entry = meta.get(CARD_KEY)
        if entry is None:
            return None
        if not isinstance(entry, Mapping):
            raise ValueError(f"{path}: `{CARD_KEY}` must be a mapping, got {type(entry).__name__}")
        entry = dict(entry)
        by_config = entry.get("keypoint_definition_by_config") or {}
        if config is not None and config in by_config:
            entry["keypoint_definition"] = by_config[config]
        return cls.from_dict(entry, where=f"{path} ({CARD_KEY})")

    # ------------------------------------------------------------------ use
    @property
    def needs_depth(self) -> bool:
        return self.depth_kind is not None

    def descriptor_kwargs(self) -> tuple[str, dict[str, Any]]:
        """``(mode, sample_depth kwargs)`` of the contract's descriptor (``ValueError`` without depth)."""
        if self.depth_descriptor is None:
            raise ValueError("the input contract has no depth (depth_kind null): no descriptor to sample")
        return descriptor_kwargs(self.depth_descriptor)


def read_card_metadata(path: str | os.PathLike) -> dict[str, Any]:
    """YAML front matter of a README card as a dict (``{}`` without front matter)."""
    import yaml

    with open(os.fspath(path), encoding="utf-8") as fh:
        text = fh.read()
    if not text.startswith("---"):
        return {}
    end = text.find("\n---", 3)
    if end < 0:
        raise ValueError(f"{os.fspath(path)}: unterminated YAML front matter")
    meta = yaml.safe_load(text[3:end]) or {}
    if not isinstance(meta, dict):
        raise ValueError(f"{os.fspath(path)}: YAML front matter is not a mapping")
    return meta


def load_contract(source: Any, warn: bool = True) -> InputContract | None:
    """The contract of a lifter: a folder path, a processor, a dict or an :class:`InputContract`.

    Returns ``None`` (and warns once per call when ``warn``) for a legacy lifter saved without the fields: the
    caller then keeps today's defaults (metric depth model, CASP with the default descriptor).
    """
    if source is None or isinstance(source, InputContract):
        return source
    if isinstance(source, (str, os.PathLike)):
        contract = InputContract.from_pretrained(source)
        name = os.fspath(source)
    elif isinstance(source, Mapping):
        contract, name = InputContract.from_dict(source), "the given config"
    else:
        contract, name = InputContract.from_processor(source), f"the {type(source).__name__}"
    if contract is None and warn:
        msg = (
            f"{name} has no input contract (depth_kind/depth_model/depth_descriptor/keypoint_definition): saved "
            "before auglift_hf.contract existed; using the package defaults "
            f"({DEFAULT_DEPTH_MODEL}, CASP with {DEFAULT_NUM_SAMPLES} samples) unchecked"
        )
        warnings.warn(msg, UserWarning, stacklevel=2)
    return contract


def score_fill_for(processor: Any, lifter: str = "the lifter") -> tuple[float | None, str | None]:
    """The confidence to feed ``processor``'s lifter for keypoints without detector scores, and why.

    Args:
        processor: a :class:`~auglift_hf.PoseLiftingProcessor` (or anything with ``input_channels`` and an
            optional ``score_fill``).
        lifter: the lifter's name (folder / Hub id) for the note.

    Returns:
        ``(value, note)``: ``(None, None)`` for a lifter without a ``c`` channel (nothing to fill); the
        contract's ``score_fill`` with a one-line note; or :data:`LEGACY_SCORE_FILL` (1.0) with a note naming the
        folder's missing ``score_fill`` field. The caller warns with the note (once per input).
    """
    channels = list(getattr(processor, "input_channels", None) or [])
    if "c" not in channels:
        return None, None
    value = check_score_fill(getattr(processor, "score_fill", None), f"{lifter}: preprocessor_config.json")
    if value is not None:
        return value, (
            f"the 2D input has no detector scores: feeding {lifter} confidence c = {value:g}, the `score_fill` of its "
            "input contract (median score of its training table)"
        )
    return LEGACY_SCORE_FILL, (
        f"the 2D input has no detector scores and {lifter}'s preprocessor_config.json has no `score_fill` (saved "
        f"before the field existed): feeding confidence c = {LEGACY_SCORE_FILL:g}, above the calibrated scores a "
        "c-lifter trains on (typically costs 3-6 mm); add `score_fill` (its training median score) to that file"
    )


def frame_rate_for(processor: Any, lifter: str = "the lifter") -> tuple[float | None, str | None]:
    """The frame rate (Hz) to feed ``processor``'s lifter at, and a note when it is not recorded.

    Args:
        processor: a :class:`~auglift_hf.PoseLiftingProcessor` (or anything with ``num_frames`` and an optional
            ``frame_rate``).
        lifter: the lifter's name (folder / Hub id) for the note.

    Returns:
        ``(value, note)``: ``(None, None)`` for a single-frame lifter (``num_frames == 1``: the rate does not
        matter, never resampled); ``(frame_rate, None)`` for a temporal lifter whose contract records it;
        ``(None, note)`` for a temporal lifter saved without ``frame_rate`` (before the field existed): the caller
        feeds the input's frames as they come and warns once with the one-line note naming the missing field.
    """
    if int(getattr(processor, "num_frames", 1) or 1) <= 1:
        return None, None
    value = check_frame_rate(getattr(processor, "frame_rate", None), f"{lifter}: preprocessor_config.json")
    if value is not None:
        return value, None
    return None, (
        f"{lifter}'s preprocessor_config.json has no `frame_rate` (saved before the field existed): its "
        f"{int(processor.num_frames)}-frame window is fed the input's frames at their own rate, unchecked; add "
        "`frame_rate` (the fps of its training tables, 25.0 for Human3.6M) to that file"
    )


def fill_scores(processor: Any, presence: Any, lifter: str = "the lifter") -> tuple[Any, float | None, str | None]:
    """Scores ``(frames, 17)`` to feed for keypoints that came without detector scores.

    Args:
        processor: the lifter's processor (see :func:`score_fill_for`).
        presence: ``(frames, 17)`` in ``[0, 1]``: 1 where the keypoint was in the input, 0 where it is missing
            (a NaN joint, an interpolated frame), a fraction for an H36M joint synthesised from partly missing
            source joints (:attr:`auglift_hf.preprocess.io_keypoints.KeypointSequence.presence`).

    Returns:
        ``(scores float32 (frames, 17), value, note)``: ``scores = value * presence``, exactly the scores of the same
        input with a constant score column ``value``. For a lifter without ``c`` (nothing is fed) the scores are
        ``presence`` and ``value`` / ``note`` are ``None``.
    """
    import numpy as np

    pres = np.clip(np.asarray(presence, np.float32), 0.0, 1.0)
    value, note = score_fill_for(processor, lifter)
    scores = pres if value is None else (np.float32(value) * pres).astype(np.float32)
    return scores, value, note


def _descriptor_diff(expected: Mapping[str, Any], actual: Mapping[str, Any]) -> list[str]:
    """Parameters that differ (keys missing on one side take :func:`default_descriptor`'s value)."""
    base = default_descriptor(mode=expected.get("mode", "casp"))
    exp = {**base, **expected}
    act = {**base, **actual}
    if "extrema" in actual and "quantiles" not in actual:
        act["quantiles"] = _EXTREMA_QUANTILES[act["extrema"]]
    keys = ["mode", "num_samples"]
    if exp["mode"] != "point":
        keys += ["pattern", "pattern_seed"]
    if exp["mode"] == "minmax":
        keys += ["radius"]
    if exp["mode"] == "casp":
        keys += ["extrema", "quantiles", "r_min", "r_max", "k", "beta", "gamma"]
    if exp["mode"] == "point":
        keys = ["mode"]
    keys += ["encoding"]
    exp.setdefault("encoding", "package")  # absent = the package's encoding (every lifter saved before the key)
    act.setdefault("encoding", "package")
    diffs = []
    for key in keys:
        a, b = exp.get(key), act.get(key)
        if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
            same = abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))
        elif isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
            same = len(a) == len(b) and all(abs(float(x) - float(y)) <= 1e-9 for x, y in zip(a, b))
        else:
            same = a == b
        if not same:
            diffs.append(f"{key}={b!r} (contract {a!r})")
    return diffs


def check_contract(
    contract: InputContract | None,
    *,
    depth_kind: str | None | type[Ellipsis] = ...,
    depth_model: str | None = None,
    depth_descriptor: Mapping[str, Any] | None = None,
    keypoint_definition: str | None = None,
    override: bool = False,
    lifter: str = "the lifter",
    source: str = "the input",
) -> list[str]:
    """Compare what an entry point is about to feed with a lifter's contract.

    Args:
        contract: the lifter's contract; ``None`` (legacy folder) checks nothing and returns ``[]``.
        depth_kind: kind of the depth that will be fed: ``"metric"``, ``"relative"`` or ``None`` (no depth);
            ``...`` (default) = not checked.
        depth_model: checkpoint id / folder of the depth backend (``None`` = not checked).
        depth_descriptor: descriptor parameters that will be used (``None`` = not checked).
        keypoint_definition: ``"h36m"`` or ``"coco"`` of the 2D that will be fed (``None`` = not checked).
        override: accept conflicts (an explicit ``--override-contract``): they are returned, not raised.
        lifter, source: names used in messages (e.g. the lifter folder and the depth backend).

    Returns:
        Human-readable deviations (conflicts accepted with ``override`` and warnings) for the entry point to
        record in its output; ``[]`` when everything agrees.

    Raises:
        ValueError: one line naming both sides, when the depth kind or the descriptor parameters conflict
        with the contract and ``override`` is false.
    """
    if contract is None:
        return []
    conflicts: list[str] = []
    notes: list[str] = []
    hint = "pass --override-contract (override_contract=True) to feed it anyway"
    if depth_kind is not ...:
        if depth_kind not in DEPTH_KINDS:
            raise ValueError(f"{source}: depth kind must be 'metric', 'relative' or None, got {depth_kind!r}")
        if contract.depth_kind is not None and depth_kind is None and contract.missing_depth == "fill":
            notes.append(
                f"{source} provides no depth: fed to {lifter} as missing depth, which it was trained to handle "
                "(depth dropout; expect about XY accuracy)"
            )
        elif contract.depth_kind is not None and depth_kind is None:
            conflicts.append(
                f"{lifter} expects {contract.depth_kind} depth ({contract.depth_model}) but {source} provides no depth"
            )
        elif contract.depth_kind is not None and depth_kind != contract.depth_kind:
            conflicts.append(
                f"{lifter} expects depth_kind={contract.depth_kind!r} ({contract.depth_model}) but {source} "
                f"gives depth_kind={depth_kind!r}" + (f" ({depth_model})" if depth_model else "")
            )
    if contract.depth_kind is not None and depth_descriptor is not None:
        diff = _descriptor_diff(contract.depth_descriptor or {}, depth_descriptor)
        if diff:
            conflicts.append(
                f"{lifter} was trained on depth descriptors {_short(contract.depth_descriptor)} but {source} "
                f"would use {', '.join(diff)}"
            )
    if (
        contract.depth_kind is not None
        and depth_model is not None
        and contract.depth_model is not None
        and os.path.basename(os.fspath(depth_model).rstrip("/")) != contract.depth_model.split("/")[-1]
        and depth_kind in (..., contract.depth_kind)
    ):
        notes.append(
            f"{lifter} names depth_model {contract.depth_model!r}; {source} uses {os.fspath(depth_model)!r} "
            "(same depth kind, accepted)"
        )
    if keypoint_definition is not None:
        if keypoint_definition not in KEYPOINT_DEFINITIONS:
            raise ValueError(f"{source}: keypoint definition must be 'h36m' or 'coco', got {keypoint_definition!r}")
        if keypoint_definition != contract.keypoint_definition:
            notes.append(
                f"{lifter} was trained on keypoint_definition={contract.keypoint_definition!r} 2D but {source} "
                f"feeds {keypoint_definition!r} (same H36M-17 layout; expect a domain gap)"
            )
    if conflicts and not override:
        raise ValueError("input contract conflict: " + "; ".join(conflicts) + f"; {hint}")
    recorded = [f"override: {c}" for c in conflicts] + notes
    for msg in recorded:
        warnings.warn(msg, UserWarning, stacklevel=2)
    return recorded


def _short(desc: Mapping[str, Any] | None) -> str:
    if not desc:
        return "{}"
    return f"mode={desc.get('mode')!r}, num_samples={desc.get('num_samples')!r}"


__all__ = [
    "CARD_KEY",
    "CONTRACT_FIELDS",
    "DEFAULT_DEPTH_MODEL",
    "DEFAULT_NUM_SAMPLES",
    "FRAME_RATE_TOLERANCE",
    "InputContract",
    "LEGACY_SCORE_FILL",
    "check_contract",
    "check_frame_rate",
    "check_score_fill",
    "default_descriptor",
    "descriptor_kwargs",
    "fill_scores",
    "frame_rate_for",
    "load_contract",
    "rates_agree",
    "read_card_metadata",
    "score_fill_for",
]
