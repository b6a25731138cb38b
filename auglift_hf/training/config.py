"""Typed training configuration: three dataclasses parsed by transformers' ``HfArgumentParser`` from YAML/JSON.

A config file is either flat (every field at the top level) or sectioned::

    model:
      model_type: tcn            # tcn | poseformer | simple_baseline | motionbert
      preset: null               # e.g. "auglift-27f" (PoseFormer), "cpu-27f" (MotionBERT) - see the model's PRESETS
      num_frames: 27
      input_channels: [x, y, c, d]
      model_kwargs: {channels: 256}
    data:
      train_datasets: [data/h36m]          # canonical table folders (``auglift convert ... --out``)
      train_weights: [1.0]                 # cross-dataset mixing probabilities
      train_epoch_windows: null            # a mixture's epoch: null = all tables' windows, first = the first's
      eval_datasets: [data/h36m]
      flip_augmentation: true
    training:                              # any transformers.TrainingArguments field, plus the extras below
      output_dir: runs/tcn-xycd
      num_train_epochs: 10
      per_device_train_batch_size: 256
      learning_rate: 1.0e-3
      lr_decay: 0.98                       # exponential decay per epoch, as VideoPose3D / PoseFormer
      optimizer: adamw                     # adamw | adam
      lambda_3d_velocity: 0.0              # MotionBERT's velocity loss weight (20.0 in its configs)

AugLift v4 extras (issue 15): ``data.scale_normalization: box | depth`` (with ``box_size_mean`` fitted on the
training tables when null, ``reference_depth`` default 4.5 m; saved in the lifter's processor) and
``training.poseaug: true`` (PoseAug training mode for single-frame lifters, :mod:`auglift_hf.training.poseaug`;
``poseaug_pretrained``, ``poseaug_pretrain_steps``, ``poseaug_warmup_epochs``, ``poseaug_kwargs``...), e.g.
``auglift train cfg.yaml poseaug=true poseaug_pretrained=runs/plain/final scale_normalization=depth``.

Command-line overrides are ``key=value`` pairs (values parsed as YAML): ``auglift train cfg.yaml max_steps=10``.
Values that YAML reads as strings are coerced with the dataclass field's type (``learning_rate=1e-3`` is a float),
and numbers that would silently mean something else are refused (``max_steps=-3``, ``max_eval_samples: 0``).
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from transformers import HfArgumentParser, TrainingArguments

MODEL_TYPES = ("tcn", "poseformer", "simple_baseline", "motionbert")
OPTIMIZERS = ("adamw", "adam")


def did_you_mean(key: str, valid: list[str] | set[str]) -> str:
    """``" (did you mean 'x'?)"`` for the closest valid key, else ``""``."""
    import difflib

    close = difflib.get_close_matches(str(key), sorted(valid), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def model_kwargs_keys(model_type: str) -> list[str]:
    """The configuration fields ``model.model_kwargs`` may set for ``model_type``: the config class's own
    ``__init__`` parameters, without the channels (set from ``model.input_channels``)."""
    import inspect

    from transformers import PretrainedConfig

    from ..models import MotionBERTConfig, PoseFormerConfig, SimpleBaselineConfig, TCNConfig

    cls = {"tcn": TCNConfig, "poseformer": PoseFormerConfig, "motionbert": MotionBERTConfig,
           "simple_baseline": SimpleBaselineConfig}[model_type]  # fmt: skip
    base = set(inspect.signature(PretrainedConfig.__init__).parameters)
    own = [
        name
        for name, p in inspect.signature(cls.__init__).parameters.items()
        if name not in base and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
    ]
    return [k for k in own if k not in ("input_channels", "num_input_channels")]


def check_model_kwargs(model_type: str, kwargs: Any) -> dict[str, Any]:
    """``model.model_kwargs`` as a dict (``null`` = none), every key a field of ``model_type``'s config; else a
    one-line ``ValueError`` naming the key, a close match and the valid keys."""
    if kwargs is None:
        return {}
    if not isinstance(kwargs, dict):
        raise ValueError(f"model.model_kwargs must be a mapping of config fields, got {type(kwargs).__name__}")
    valid = model_kwargs_keys(model_type)
    for key in kwargs:
        if key in ("input_channels", "num_input_channels"):
            raise ValueError(f"model.model_kwargs.{key}: set the channels with model.input_channels")
        if key not in valid:
            raise ValueError(
                f"model.model_kwargs.{key} is not a {model_type} config field{did_you_mean(key, valid)}; valid: "
                f"{', '.join(valid)}"
            )
    return dict(kwargs)


@dataclass
class ModelArguments:
    """Which lifter to build (or load) and what it sees."""

    model_type: str = field(default="tcn", metadata={"help": f"one of {MODEL_TYPES}"})
    preset: str | None = field(default=None, metadata={"help": "named preset of the model's configuration"})
    num_frames: int = field(default=27, metadata={"help": "window length / receptive field (frames)"})
    input_channels: list[str] = field(
        default_factory=lambda: ["x", "y"], metadata={"help": "channel names, e.g. x y c d (d_min d_max)"}
    )
    model_kwargs: dict[str, Any] = field(
        default_factory=dict, metadata={"help": "extra config fields (YAML mapping or JSON string)"}
    )
    model_name_or_path: str | None = field(
        default=None, metadata={"help": "initialise from a saved folder / Hub id instead of random weights"}
    )
    flip_test: bool = field(default=True, metadata={"help": "flip test-time augmentation at evaluation"})

    def __post_init__(self):
        if self.model_type not in MODEL_TYPES:
            raise ValueError(f"model.model_type must be one of {MODEL_TYPES}, got {self.model_type!r}")
        if isinstance(self.model_kwargs, str):
            self.model_kwargs = json.loads(self.model_kwargs) if self.model_kwargs.strip() else {}
        self.model_kwargs = check_model_kwargs(self.model_type, self.model_kwargs)
        if isinstance(self.input_channels, str):
            self.input_channels = [c.strip() for c in self.input_channels.split(",") if c.strip()]
        if list(self.input_channels[:2]) != ["x", "y"]:
            raise ValueError(f"model.input_channels must start with x, y, got {self.input_channels}")
        if self.num_frames < 1:
            raise ValueError(f"model.num_frames must be >= 1, got {self.num_frames}")


@dataclass
class DataArguments:
    """Which canonical tables to train and evaluate on, and how to cut them into windows."""

    train_datasets: list[str] = field(default_factory=list, metadata={"help": "table folders to train on"})
    train_weights: list[float] | None = field(
        default=None, metadata={"help": "mixing probabilities of train_datasets (default: proportional to size)"}
    )
    train_epoch_windows: int | str | None = field(
        default=None,
        metadata={
            "help": "windows per epoch of a mixture of several train_datasets (sets the length of lr_decay's epoch): "
            "null = the sum of their windows, 'first' = the first table's alone (the schedule of a run on that "
            "table), or a number"
        },
    )
    eval_datasets: list[str] = field(default_factory=list, metadata={"help": "table folders to evaluate on"})
    dataset_config: str = field(default="gt2d", metadata={"help": "table config (gt2d | detected2d)"})
    train_split: str = "train"
    eval_split: str = "test"
    train_stride: int = field(default=1, metadata={"help": "frame stride between training windows"})
    eval_stride: int = field(default=1, metadata={"help": "frame stride between evaluation windows"})
    max_eval_samples: int | None = field(default=None, metadata={"help": "evaluate on a subset (evenly spaced)"})
    flip_augmentation: bool = field(default=True, metadata={"help": "random horizontal flip with H36M flip pairs"})
    depth_dropout_window: float = field(
        default=0.0, metadata={"help": "probability that a training window has no depth at all (XY fallback)"}
    )
    depth_dropout_frame: float = field(default=0.0, metadata={"help": "probability per frame of missing depth"})
    depth_dropout_joint: float = field(
        default=0.0, metadata={"help": "probability per joint and frame of missing depth"}
    )
    scale_normalization: str | None = field(
        default=None,
        metadata={"help": "AugLift v4 2D scale normalisation: null | box | depth (saved in the processor)"},
    )
    box_size_mean: float | None = field(
        default=None, metadata={"help": "box: mean training box size in pixels (null = fit on the training tables)"}
    )
    reference_depth: float | None = field(
        default=None, metadata={"help": "depth (dscale2d): reference depth d_ref in metres (null = 4.5)"}
    )

    def __post_init__(self):
        for name in ("depth_dropout_window", "depth_dropout_frame", "depth_dropout_joint"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"data.{name} must be a probability in [0, 1], got {getattr(self, name)}")
        if self.scale_normalization in ("none", "null", ""):
            self.scale_normalization = None
        if self.scale_normalization not in (None, "box", "depth"):
            raise ValueError(f"data.scale_normalization must be null, box or depth, got {self.scale_normalization!r}")
        if self.train_epoch_windows is not None and self.train_epoch_windows != "first":
            try:  # a whole number only: 2.5, nan or inf windows cannot be meant
                value = float(self.train_epoch_windows)
                windows = int(value) if value.is_integer() else 0
            except (TypeError, ValueError, OverflowError):
                windows = 0
            if windows <= 0:
                raise ValueError(
                    "data.train_epoch_windows must be null, 'first' or a positive whole number of windows, got "
                    f"{self.train_epoch_windows!r}"
                )
            self.train_epoch_windows = windows
        if self.train_weights is not None:
            if len(self.train_weights) != len(self.train_datasets):
                raise ValueError(
                    f"data.train_weights has {len(self.train_weights)} entries but data.train_datasets has "
                    f"{len(self.train_datasets)}"
                )
            if any(w < 0 for w in self.train_weights) or sum(self.train_weights) <= 0:
                raise ValueError(
                    f"data.train_weights must be non-negative with a positive sum, got {self.train_weights}"
                )


@dataclass
class LiftingTrainingArguments(TrainingArguments):
    """``transformers.TrainingArguments`` with the lifting extras (defaults follow VideoPose3D / PoseFormer)."""

    output_dir: str = field(default="runs/lifter", metadata={"help": "checkpoints and the final model folder"})
    learning_rate: float = 1e-3
    lr_decay: float = field(default=0.98, metadata={"help": "learning-rate factor per epoch (exponential decay)"})
    optimizer: str = field(default="adamw", metadata={"help": f"one of {OPTIMIZERS}"})
    ordinal_depth_loss_weight: float = field(default=0.0, metadata={"help": "weight of the ordinal depth loss"})
    confidence_weighted_loss: bool = field(
        default=False, metadata={"help": "inverse-confidence-weighted MPJPE (needs a `c` channel)"}
    )
    lambda_3d_velocity: float = field(
        default=0.0,
        metadata={
            "help": "weight of MotionBERT's velocity loss (mean |dv| of consecutive-frame differences; 20.0 in "
            "MotionBERT's configs); needs a many-to-many lifter (a label per frame)"
        },
    )
    resume: bool = field(default=True, metadata={"help": "resume from the last checkpoint in output_dir if any"})
    poseaug: bool = field(
        default=False,
        metadata={
            "help": "PoseAug training mode (auglift_hf.training.poseaug; single-frame lifters): the official per-epoch "
            "alternation; unset keys take PoseAug's values (learning_rate 1e-4, batch 1024, 50 epochs, adam) and "
            "num_train_epochs counts PoseAug epochs (warm-up included)"
        },
    )
    poseaug_pretrained: str | None = field(
        default=None, metadata={"help": "PoseAug: a trained lifter folder to start from (the official pipeline)"}
    )
    poseaug_pretrain_steps: int = field(
        default=0, metadata={"help": "PoseAug: lifter steps on real data before the first PoseAug epoch"}
    )
    poseaug_allow_untrained: bool = field(
        default=False,
        metadata={"help": "PoseAug: allow starting from an untrained lifter (no poseaug_pretrained / pretrain steps)"},
    )
    poseaug_warmup_epochs: int = field(
        default=2, metadata={"help": "PoseAug: GAN-only epochs before the feedback and the lifter passes (official 2)"}
    )
    poseaug_lr_schedule: str = field(
        default="linear",
        metadata={
            "help": "PoseAug: lifter LR schedule, linear (official, per PoseAug epoch) | exponential (lr_decay)"
        },
    )
    poseaug_match_samples: bool = field(
        default=False,
        metadata={
            "help": "PoseAug: stop when the lifter has seen as many samples as a plain run of this config "
            "(num_train_epochs passes over the real data); runs with max_steps are sample-matched already"
        },
    )
    poseaug_depth: str = field(
        default="table",
        metadata={
            "help": "PoseAug: depth of the augmented poses: table (the training table's own simulation, error model "
            "and descriptor, read from its card; refused when the card does not say) or legacy-capsule (capsule "
            "body + the older DepthCorruption)"
        },
    )
    poseaug_kwargs: dict[str, Any] = field(
        default_factory=dict,
        metadata={"help": "PoseAug: other PoseAugConfig fields (e.g. {rt_translation: bounded, hidden_size: 128})"},
    )
    save_strategy: str = "epoch"
    eval_strategy: str = "epoch"
    logging_strategy: str = "steps"
    logging_steps: int = 50
    save_total_limit: int | None = 2
    load_best_model_at_end: bool = True
    metric_for_best_model: str = "mpjpe"
    greater_is_better: bool = False
    report_to: str | list[str] = "none"
    dataloader_drop_last: bool = True
    remove_unused_columns: bool = False
    seed: int = 0

    def __post_init__(self):
        if isinstance(self.poseaug_kwargs, str):
            self.poseaug_kwargs = json.loads(self.poseaug_kwargs) if self.poseaug_kwargs.strip() else {}
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"training.optimizer must be one of {OPTIMIZERS}, got {self.optimizer!r}")
        if self.lambda_3d_velocity < 0:
            raise ValueError(f"training.lambda_3d_velocity must be >= 0, got {self.lambda_3d_velocity}")
        if not 0 < self.lr_decay <= 1:
            raise ValueError(f"training.lr_decay must be in (0, 1], got {self.lr_decay}")
        if self.poseaug_lr_schedule not in ("linear", "exponential"):
            raise ValueError(
                f"training.poseaug_lr_schedule must be linear or exponential, got {self.poseaug_lr_schedule!r}"
            )
        if self.poseaug_depth not in ("table", "legacy-capsule"):  # simulation.poseaug.POSEAUG_DEPTH_OPTIONS
            raise ValueError(f"training.poseaug_depth must be table or legacy-capsule, got {self.poseaug_depth!r}")
        if self.poseaug_pretrain_steps < 0 or self.poseaug_warmup_epochs < 0:
            raise ValueError(
                "training.poseaug_pretrain_steps and poseaug_warmup_epochs must be >= 0, got "
                f"{self.poseaug_pretrain_steps} and {self.poseaug_warmup_epochs}"
            )
        if self.eval_strategy in ("no", None):
            self.load_best_model_at_end = False
        super().__post_init__()


#: Lifter training values of the official PoseAug (``function_poseaug/config.py:31-39``: ``batch_size`` 1024,
#: ``epochs`` 50, ``lr_p`` 1e-4; ``run_poseaug.py:45``: Adam): defaults of ``poseaug=true`` runs for the keys the
#: config does not set.
POSEAUG_TRAINING_DEFAULTS: dict[str, Any] = {
    "learning_rate": 1e-4,
    "per_device_train_batch_size": 1024,
    "num_train_epochs": 50.0,
    "optimizer": "adam",
}

CONFIG_CLASSES = (ModelArguments, DataArguments, LiftingTrainingArguments)
_SECTIONS = ("model", "data", "training")


def _read_config_file(path: str | os.PathLike) -> dict[str, Any]:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"training config {path}: no such file")
    text = path.read_text()
    if path.suffix.lower() == ".json":
        raw = json.loads(text)
    else:
        import yaml

        raw = yaml.safe_load(text)
    if not isinstance(raw, dict):
        raise ValueError(f"training config {path}: expected a mapping at the top level, got {type(raw).__name__}")
    return raw


def flatten_config(raw: dict[str, Any]) -> dict[str, Any]:
    """Merge ``model:`` / ``data:`` / ``training:`` sections into one flat dict (flat keys are kept)."""
    flat = {k: v for k, v in raw.items() if k not in _SECTIONS}
    for section in _SECTIONS:
        sub = raw.get(section) or {}
        if not isinstance(sub, dict):
            raise ValueError(f"training config: section `{section}` must be a mapping, got {type(sub).__name__}")
        clash = set(sub) & set(flat)
        if clash:
            raise ValueError(f"training config: keys {sorted(clash)} are given twice")
        flat.update(sub)
    return flat


def parse_overrides(overrides: list[str] | None) -> dict[str, Any]:
    """``["max_steps=10", "input_channels=[x, y]"]`` -> ``{"max_steps": 10, "input_channels": ["x", "y"]}``."""
    import yaml

    out: dict[str, Any] = {}
    for item in overrides or []:
        if "=" not in item:
            raise ValueError(f"override {item!r} must look like key=value")
        key, value = item.split("=", 1)
        out[key.strip().lstrip("-").replace("-", "_")] = yaml.safe_load(value)
    return out


def _field_types() -> dict[str, Any]:
    import typing

    types: dict[str, Any] = {}
    for cls in CONFIG_CLASSES:
        hints = typing.get_type_hints(cls)
        for f in fields(cls):
            if f.init:
                types.setdefault(f.name, hints.get(f.name, f.type))
    return types


def _scalar_type(annotation: Any) -> type | None:
    """``float`` for ``float`` / ``float | None`` / ``Optional[float]``; ``None`` for non-scalar annotations."""
    import types
    import typing

    if annotation in (bool, int, float, str):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1 and args[0] in (bool, int, float, str):
            return args[0]
    return None


def coerce_config_values(flat: dict[str, Any], where: str) -> dict[str, Any]:
    """Coerce values that YAML read as strings to the dataclass field's type (``learning_rate: 1e-3`` is the
    *string* "1e-3" in YAML 1.1); a value that does not convert raises ``ValueError`` naming the key."""
    types_ = _field_types()
    out = dict(flat)
    for key, value in flat.items():
        target = _scalar_type(types_.get(key))
        if target is None or value is None or target is str:
            continue
        if target is bool:
            if isinstance(value, str) and value.strip().lower() in ("true", "false", "yes", "no", "1", "0"):
                out[key] = value.strip().lower() in ("true", "yes", "1")
            elif not isinstance(value, bool):
                raise ValueError(f"training config {where}: `{key}` must be true or false, got {value!r}")
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ValueError(f"training config {where}: `{key}` must be a {target.__name__}, got {value!r}")
        try:
            number = (
                float(value) if target is float else int(str(value).strip(), 10) if isinstance(value, str) else value
            )
        except ValueError:
            raise ValueError(f"training config {where}: `{key}` must be a {target.__name__}, got {value!r}") from None
        if target is int and isinstance(number, float):
            if not number.is_integer():
                raise ValueError(f"training config {where}: `{key}` must be an integer, got {value!r}")
            number = int(number)
        if target is float and not math.isfinite(number):
            raise ValueError(f"training config {where}: `{key}` must be finite, got {value!r}")
        out[key] = target(number)
    return out


def check_training_numbers(model_args: Any, data_args: Any, training_args: Any, where: str) -> None:
    """Refuse numbers that would silently mean something else (``max_steps=-3`` = "train by epochs")."""
    ms = training_args.max_steps
    if ms == 0 or ms < -1:
        raise ValueError(
            f"training config {where}: `max_steps` must be a positive integer (or -1 to train num_train_epochs), "
            f"got {ms}"
        )
    if ms == -1 and not training_args.num_train_epochs > 0:
        raise ValueError(
            f"training config {where}: `num_train_epochs` must be > 0, got {training_args.num_train_epochs}"
        )
    for name in ("per_device_train_batch_size", "per_device_eval_batch_size", "gradient_accumulation_steps"):
        if getattr(training_args, name) < 1:
            raise ValueError(f"training config {where}: `{name}` must be >= 1, got {getattr(training_args, name)}")
    if not training_args.learning_rate > 0:
        raise ValueError(f"training config {where}: `learning_rate` must be > 0, got {training_args.learning_rate}")
    if data_args.max_eval_samples is not None and data_args.max_eval_samples < 1:
        raise ValueError(
            f"training config {where}: `max_eval_samples` must be >= 1 (or null for all), got {data_args.max_eval_samples}"
        )
    for name in ("train_stride", "eval_stride"):
        if getattr(data_args, name) < 1:
            raise ValueError(f"training config {where}: `{name}` must be >= 1, got {getattr(data_args, name)}")


def load_config(
    source: str | os.PathLike | dict[str, Any], overrides: list[str] | dict[str, Any] | None = None
) -> tuple[ModelArguments, DataArguments, LiftingTrainingArguments]:
    """Parse a YAML/JSON file (or a dict) plus overrides into the three typed argument dataclasses.

    Unknown keys raise a ``ValueError`` naming them (``HfArgumentParser.parse_dict(allow_extra_keys=False)``).
    """
    raw = dict(source) if isinstance(source, dict) else _read_config_file(source)
    flat = flatten_config(raw)
    flat.update(overrides if isinstance(overrides, dict) else parse_overrides(overrides))
    known = {f.name for cls in CONFIG_CLASSES for f in fields(cls) if f.init}
    unknown = sorted(set(flat) - known)
    where = source if not isinstance(source, dict) else "dict"
    if unknown:
        hints = "".join(f"; {k}{did_you_mean(k, known)}" for k in unknown if did_you_mean(k, known))
        raise ValueError(f"training config {where}: unknown keys {unknown}{hints}")
    flat = coerce_config_values(flat, str(where))
    if flat.get("poseaug"):  # PoseAug as published for what the config leaves unset (auglift_hf.training.poseaug)
        flat = {**POSEAUG_TRAINING_DEFAULTS, **flat}
    parser = HfArgumentParser(CONFIG_CLASSES)
    try:
        parsed = parser.parse_dict(flat, allow_extra_keys=False)
    except (TypeError, ValueError) as err:
        raise ValueError(f"training config {where}: {str(err).splitlines()[0]}") from err
    check_training_numbers(*parsed, where=str(where))
    return parsed


def config_to_dict(
    model_args: ModelArguments, data_args: DataArguments, training_args: LiftingTrainingArguments
) -> dict[str, Any]:
    """The sectioned, JSON-serialisable form of a parsed config (written next to the trained model)."""
    from dataclasses import MISSING, asdict

    def default(f):  # noqa: ANN001, ANN202 - no TrainingArguments instance: that would reset the distributed state
        return (
            f.default
            if f.default is not MISSING
            else (f.default_factory() if f.default_factory is not MISSING else MISSING)
        )

    train = {
        f.name: getattr(training_args, f.name)
        for f in fields(LiftingTrainingArguments)
        if f.init and getattr(training_args, f.name) != default(f)
    }
    train["output_dir"] = training_args.output_dir
    train = json.loads(json.dumps(train, default=str))
    return {"model": asdict(model_args), "data": asdict(data_args), "training": train}
