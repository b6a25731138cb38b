"""Training a lifter with transformers' ``Trainer``: model factory, metrics, LR schedule, checkpoints, resume.

Runs unchanged on one CPU, under ``accelerate launch`` or ``torchrun`` (the Trainer shards the data with a
distributed sampler, DDP all-reduces the gradients, and evaluation gathers the predictions of every rank
once, dropping the sampler's padding, before ``compute_metrics``).

Units: the model is trained on root-relative metres; metrics are reported in millimetres.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from transformers import EvalPrediction, PreTrainedModel, Trainer, TrainerCallback

from ..models import input_frames, is_many_to_many
from .config import DataArguments, LiftingTrainingArguments, ModelArguments, config_to_dict
from .losses import confidence_weighted_mpjpe, ordinal_depth_loss, velocity_loss

#: Filter widths of the TCN for a given receptive field (VideoPose3D's configurations).
TCN_FILTER_WIDTHS: dict[int, list[int]] = {1: [1], 3: [3], 9: [3, 3], 27: [3, 3, 3], 81: [3, 3, 3, 3], 243: [3] * 5}


def build_model(model_args: ModelArguments) -> PreTrainedModel:
    """A randomly initialised lifter (or ``from_pretrained(model_name_or_path)``) from :class:`ModelArguments`."""

    import auglift_hf  # noqa: F401 - registers the Auto classes
    from auglift_hf.models import (
        MotionBERTConfig,
        MotionBERTForPoseLifting,
        PoseFormerConfig,
        PoseFormerForPoseLifting,
        SimpleBaselineConfig,
        SimpleBaselineForPoseLifting,
        TCNConfig,
        TCNForPoseLifting,
    )

    if model_args.model_name_or_path:
        from auglift_hf.models import load_lifter

        return load_lifter(model_args.model_name_or_path).train()  # strict: mismatched weights are refused
    channels = list(model_args.input_channels)
    kwargs = dict(model_args.model_kwargs)
    if model_args.model_type == "tcn":
        if "filter_widths" not in kwargs:
            if model_args.num_frames not in TCN_FILTER_WIDTHS:
                raise ValueError(
                    f"model.num_frames={model_args.num_frames} has no TCN configuration; use one of "
                    f"{sorted(TCN_FILTER_WIDTHS)} or give model_kwargs.filter_widths"
                )
            kwargs["filter_widths"] = TCN_FILTER_WIDTHS[model_args.num_frames]
        return TCNForPoseLifting(TCNConfig(input_channels=channels, num_input_channels=len(channels), **kwargs))
    if model_args.model_type == "poseformer":
        if model_args.preset:
            config = PoseFormerConfig.from_preset(model_args.preset, input_channels=channels, **kwargs)
        else:
            kwargs.setdefault("num_frames", model_args.num_frames)
            config = PoseFormerConfig(input_channels=channels, num_input_channels=len(channels), **kwargs)
        return PoseFormerForPoseLifting(config)
    if model_args.model_type == "motionbert":
        if model_args.preset:
            config = MotionBERTConfig.from_preset(model_args.preset, input_channels=channels, **kwargs)
        else:
            kwargs.setdefault("num_frames", model_args.num_frames)
            config = MotionBERTConfig(input_channels=channels, num_input_channels=len(channels), **kwargs)
        return MotionBERTForPoseLifting(config)
    return SimpleBaselineForPoseLifting(
        SimpleBaselineConfig(input_channels=channels, num_input_channels=len(channels), **kwargs)
    )


def _poses(predictions: Any) -> np.ndarray:
    if isinstance(predictions, tuple | list):
        predictions = predictions[0]
    return np.asarray(predictions, dtype=np.float64)


def compute_lifting_metrics(eval_pred: EvalPrediction) -> dict[str, float]:
    """``compute_metrics`` for the Trainer: MPJPE and PA-MPJPE in **mm** of root-relative metre predictions.

    Uses the pure functions of :mod:`auglift_hf.metrics` (the ``evaluate`` module is too slow per step).
    ``num_poses`` records how many poses were scored, so a distributed run can be checked to score each
    evaluation window exactly once.
    """
    from auglift_hf.metrics import mpjpe, p_mpjpe

    pred = _poses(eval_pred.predictions) * 1000.0
    target = np.asarray(eval_pred.label_ids, dtype=np.float64) * 1000.0
    if target.shape != pred.shape:
        target = target.reshape(pred.shape)
    pred, target = pred.reshape(-1, *pred.shape[-2:]), target.reshape(-1, *target.shape[-2:])
    return {"mpjpe": float(mpjpe(pred, target)), "pa_mpjpe": float(p_mpjpe(pred, target)), "num_poses": len(pred)}


def exponential_decay_lambda(steps_per_epoch: int, decay: float) -> Callable[[int], float]:
    """LR factor ``decay ** floor(step / steps_per_epoch)``: one multiplicative decay per epoch (VideoPose3D)."""
    steps_per_epoch = max(int(steps_per_epoch), 1)
    return lambda step: decay ** (step // steps_per_epoch)


class LiftingTrainer(Trainer):
    """``Trainer`` for lifters: AugLift's extra losses, MotionBERT's velocity loss (``lambda_3d_velocity``), flip
    test in evaluation, per-epoch exponential LR decay.

    Args (besides ``Trainer``'s):
        flip_test: average with the mirrored input's prediction during evaluation/prediction.
        input_channels: channel names of the model input (to find the confidence channel ``c``).
    """

    def __init__(
        self,
        *args: Any,
        flip_test: bool = True,
        input_channels: list[str] | None = None,
        eval_data_collator: Any = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.flip_test = flip_test
        self.eval_data_collator = eval_data_collator
        self.input_channels = list(input_channels or getattr(self.model.config, "input_channels", ["x", "y"]))

    # -- loss ------------------------------------------------------------------------------------------
    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):  # noqa: ANN001
        args: LiftingTrainingArguments = self.args
        outputs = model(keypoints=inputs["keypoints"], labels=inputs["labels"])
        loss = outputs.loss
        extra_w = getattr(args, "ordinal_depth_loss_weight", 0.0)
        velocity_w = getattr(args, "lambda_3d_velocity", 0.0)  # MotionBERT: loss_mpjpe + 20 * loss_velocity
        if extra_w or getattr(args, "confidence_weighted_loss", False):
            poses = outputs.poses_3d
            labels = inputs["labels"]
            if labels.shape[1] != poses.shape[1]:  # single-output window with per-frame labels
                mid = labels.shape[1] // 2
                labels = labels[:, mid : mid + 1]
            if getattr(args, "confidence_weighted_loss", False):
                if "c" not in self.input_channels:
                    raise ValueError("training.confidence_weighted_loss needs a `c` input channel")
                conf = inputs["keypoints"][..., self.input_channels.index("c")]
                conf = (conf + 1) / 2  # the processor encodes confidence as 2c - 1
                mid = (conf.shape[1] - poses.shape[1]) // 2
                loss = confidence_weighted_mpjpe(poses, labels, conf[:, mid : mid + poses.shape[1]])
            if extra_w:
                loss = loss + extra_w * ordinal_depth_loss(poses, labels)
        if velocity_w:
            if outputs.poses_3d.shape != inputs["labels"].shape or outputs.poses_3d.shape[1] < 2:
                raise ValueError(
                    "training.lambda_3d_velocity needs a many-to-many lifter (one pose per input frame, e.g. "
                    f"MotionBERT); this model outputs {outputs.poses_3d.shape[1]} frame(s) per window"
                )
            loss = loss + velocity_w * velocity_loss(outputs.poses_3d, inputs["labels"].to(outputs.poses_3d.dtype))
        return (loss, outputs) if return_outputs else loss

    # -- evaluation: no augmentation, no dropped windows, flip test ---------------------------------------
    def _eval_loader(self, build: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        collator, drop_last = self.data_collator, self.args.dataloader_drop_last
        self.data_collator = self.eval_data_collator or collator
        self.args.dataloader_drop_last = False  # every evaluation window is scored
        try:
            return build(*args, **kwargs)
        finally:
            self.data_collator, self.args.dataloader_drop_last = collator, drop_last

    def get_eval_dataloader(self, eval_dataset=None):  # noqa: ANN001
        return self._eval_loader(super().get_eval_dataloader, eval_dataset)

    def get_test_dataloader(self, test_dataset):  # noqa: ANN001
        return self._eval_loader(super().get_test_dataloader, test_dataset)

    # -- evaluation with flip test ---------------------------------------------------------------------
    def prediction_step(self, model, inputs, prediction_loss_only, ignore_keys=None):  # noqa: ANN001
        inputs = self._prepare_inputs(inputs)
        labels = inputs.get("labels")
        with torch.no_grad():
            outputs = model(keypoints=inputs["keypoints"], labels=labels, flip_test=self.flip_test)
        loss = outputs.loss.detach().mean() if outputs.loss is not None else None
        if prediction_loss_only:
            return loss, None, None
        poses = outputs.poses_3d.detach()
        if labels is not None and labels.shape[1] != poses.shape[1]:
            mid = labels.shape[1] // 2
            labels = labels[:, mid : mid + 1]
        return loss, poses, labels

    # -- optimiser and schedule ------------------------------------------------------------------------
    def create_optimizer(self, model=None):  # noqa: ANN001
        if self.optimizer is None and getattr(self.args, "optimizer", "adamw") == "adam":
            params = [p for p in self.model.parameters() if p.requires_grad]
            self.optimizer = torch.optim.Adam(
                params,
                lr=self.args.learning_rate,
                betas=(self.args.adam_beta1, self.args.adam_beta2),
                eps=self.args.adam_epsilon,
                weight_decay=self.args.weight_decay,  # L2 (coupled) as torch.optim.Adam
            )
            return self.optimizer
        return super().create_optimizer()

    def create_scheduler(self, num_training_steps: int, optimizer=None):  # noqa: ANN001
        if self.lr_scheduler is None:
            optimizer = optimizer or self.optimizer
            batches = len(self.get_train_dataloader())  # per process, after sharding
            steps_per_epoch = math.ceil(batches / max(self.args.gradient_accumulation_steps, 1))
            self.steps_per_epoch = steps_per_epoch
            self.lr_scheduler = torch.optim.lr_scheduler.LambdaLR(
                optimizer, exponential_decay_lambda(steps_per_epoch, getattr(self.args, "lr_decay", 1.0))
            )
            self._created_lr_scheduler = True
        return self.lr_scheduler


class KillAfterSaveCallback(TrainerCallback):
    """Test helper: hard-exit the process (``os._exit``) right after the first checkpoint at or past ``step``.

    Enabled by the environment variable ``AUGLIFT_KILL_AFTER_SAVE_STEP``; simulates a killed job so the
    resume path can be tested with a real subprocess.
    """

    def __init__(self, step: int):
        self.step = int(step)

    def on_save(self, args, state, control, **kwargs):  # noqa: ANN001
        if state.global_step >= self.step:
            os._exit(17)


def last_checkpoint(output_dir: str | os.PathLike) -> str | None:
    """The newest ``checkpoint-<step>`` folder of ``output_dir`` that holds weights, or ``None``."""
    from transformers.trainer_utils import get_last_checkpoint

    if not os.path.isdir(output_dir):
        return None
    return get_last_checkpoint(os.fspath(output_dir))


def check_output_dir(output_dir: str | os.PathLike) -> None:
    """Create ``output_dir`` and make sure it is writable; :class:`~auglift_hf.errors.OutputError` otherwise."""
    from ..utils.io import ensure_writable_dir

    ensure_writable_dir(output_dir, "training.output_dir")


def check_resume_compatible(checkpoint: str | os.PathLike, model: PreTrainedModel) -> None:
    """Refuse to resume ``model`` from a checkpoint of another model (names or shapes of the weights differ)."""
    from ..errors import IncompatibleModelError
    from ..models.loading import read_weight_shapes

    try:
        found = read_weight_shapes(checkpoint)
    except IncompatibleModelError as err:
        raise IncompatibleModelError(
            f"training.output_dir holds an unreadable checkpoint: {err}; use a new output_dir or resume=false"
        ) from err
    expected = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    problems = sorted(set(expected) ^ set(found)) + sorted(
        f"{k} {found[k]} vs {expected[k]}" for k in expected if k in found and found[k] != expected[k]
    )
    if problems:
        shown = ", ".join(problems[:3]) + (f" and {len(problems) - 3} more" if len(problems) > 3 else "")
        raise IncompatibleModelError(
            f"training.output_dir holds {checkpoint}, a checkpoint of another model ({shown}): resuming would fail; "
            "use a new output_dir, or resume=false to start again"
        )


def record_depth_dropout(processor: Any, model: Any, data_args: Any) -> None:
    """Write ``missing_depth="fill"`` into the processor's contract when this run trains with depth dropout.

    A lifter that saw missing depth (the processor's fill) during training accepts input without depth (a 2D
    keypoints file) as within its contract; one trained without dropout refuses it unless overridden.
    """
    from dataclasses import replace

    contract = getattr(processor, "input_contract", None) if processor is not None else None
    channels = set(getattr(model.config, "input_channels", []) or [])
    drops = [
        getattr(data_args, k, 0.0) or 0.0
        for k in ("depth_dropout_window", "depth_dropout_frame", "depth_dropout_joint")
    ]
    if contract is None or contract.depth_kind is None or not channels & {"d", "d_min", "d_max"}:
        return
    processor.set_input_contract(replace(contract, missing_depth="fill" if max(drops) > 0 else None))


def record_score_fill(processor: Any, model: Any, data_args: Any) -> None:
    """Write ``score_fill`` (the median training score) into the processor of a lifter with a ``c`` channel.

    Entry points feed it as the confidence of keypoints without detector scores
    (:func:`auglift_hf.contract.score_fill_for`); a lifter without ``c`` gets ``None``. Measured by
    :func:`auglift_hf.training.data.training_score_fill` on ``data.train_datasets`` (split ``train_split`` of
    ``dataset_config``, weighted by ``train_weights``); without table names (datasets passed in code) the
    processor keeps its value.
    """
    if processor is None:
        return
    channels = list(getattr(model.config, "input_channels", None) or getattr(processor, "input_channels", []))
    if "c" not in channels:
        processor.score_fill = None
        return
    if not data_args.train_datasets:
        return
    from .data import training_score_fill

    processor.score_fill = training_score_fill(
        data_args.train_datasets, data_args.dataset_config, data_args.train_split, data_args.train_weights
    )
    processor._check_contract()


def record_frame_rate(processor: Any, model: Any, data_args: Any) -> None:
    """Write ``frame_rate`` (Hz, the training tables' ``fps``) into the processor's input contract.

    Entry points resample a sequence of another known rate to it (:mod:`auglift_hf.preprocess.frame_rate`).
    Measured by :func:`auglift_hf.training.data.training_frame_rate` on ``data.train_datasets`` (split
    ``train_split`` of ``dataset_config``): a temporal lifter refuses tables whose rates differ by more than 1 %;
    a single-frame lifter records the rate when the tables agree and ``None`` otherwise (never resampled).
    Without table names (datasets passed in code) the processor keeps its value.
    """
    if processor is None or not data_args.train_datasets:
        return
    from .data import training_frame_rate

    processor.frame_rate = training_frame_rate(
        data_args.train_datasets, data_args.dataset_config, data_args.train_split,
        temporal=input_frames(model.config) > 1,
    )  # fmt: skip
    processor._check_contract()


def run_training(
    model_args: ModelArguments,
    data_args: DataArguments,
    training_args: LiftingTrainingArguments,
    *,
    train_dataset: Any = None,
    eval_dataset: Any = None,
    processor: Any = None,
    model: PreTrainedModel | None = None,
    callbacks: list[TrainerCallback] | None = None,
    final_dir: str | os.PathLike | None = None,
) -> dict[str, Any]:
    """Build (or take) model, processor and datasets, train with :class:`LiftingTrainer`, save the best model.

    Datasets default to the table folders named in ``data_args`` (see :mod:`auglift_hf.training.data`).
    The final folder (``final_dir``, default ``<output_dir>/final``) holds ``config.json``,
    ``model.safetensors``, ``preprocessor_config.json``, ``training_config.json`` and ``eval_results.json``,
    ready for ``push_to_hub``. Resumes from the last checkpoint of ``output_dir`` when ``training_args.resume``.
    ``preprocessor_config.json`` carries the input contract: inherited from the training tables' dataset cards,
    plus ``missing_depth`` (:func:`record_depth_dropout`) and, for a lifter with a ``c`` channel, ``score_fill``
    = the median training score (:func:`record_score_fill`), the confidence entry points feed for keypoints
    without detector scores, and ``frame_rate`` = the training tables' ``fps`` (:func:`record_frame_rate`), the
    rate entry points resample sequences to.

    Returns:
        ``{"final_dir", "train_metrics", "eval_metrics", "global_step", "resumed_from"}``.
    """
    from transformers import set_seed

    from .collator import PoseLiftingCollator
    from .data import build_datasets, build_processor, configure_scale_normalization, training_contract

    set_seed(training_args.seed)
    poseaug = bool(getattr(training_args, "poseaug", False))
    pretrained_scale = None
    if poseaug:
        pretrained_dir = training_args.poseaug_pretrained
        check_poseaug_start(model_args, training_args, model_given=model is not None)
        if pretrained_dir:
            from .poseaug import _SCALE_FIELDS, load_pretrained_lifter

            model, saved_processor = load_pretrained_lifter(pretrained_dir, model_args)
            processor = processor if processor is not None else saved_processor
            if saved_processor is not None:
                pretrained_scale = {k: getattr(saved_processor, k, None) for k in _SCALE_FIELDS}
    model = model if model is not None else build_model(model_args)
    processor = processor if processor is not None else build_processor(model)
    processor = configure_scale_normalization(processor, data_args)
    if pretrained_scale is not None:
        from .poseaug import check_pretrained_scale

        check_pretrained_scale(training_args.poseaug_pretrained, pretrained_scale, processor, data_args)
    if processor is not None and getattr(processor, "input_contract", None) is None and data_args.train_datasets:
        # the lifter inherits the input contract of its training tables (their dataset cards)
        channels = list(getattr(model.config, "input_channels", ["x", "y"]))
        if data_args.scale_normalization == "depth" and "d" not in channels:
            channels.append("d")  # dscale2d reads metric depth: keep the table's depth fields in the contract
        contract = training_contract(data_args.train_datasets, data_args.dataset_config, channels)
        if contract is not None:
            if data_args.scale_normalization is not None:  # the training config decides the scale fields
                from dataclasses import replace

                contract = replace(
                    contract, scale_normalization=processor.scale_normalization,
                    box_size_mean=processor.box_size_mean, reference_depth=processor.reference_depth,
                )  # fmt: skip
            processor.set_input_contract(contract)
    record_depth_dropout(processor, model, data_args)
    record_score_fill(processor, model, data_args)
    record_frame_rate(processor, model, data_args)
    if poseaug and input_frames(model.config) != 1:
        raise ValueError(
            f"training.poseaug needs a single-frame lifter (PoseAug augments single poses); the model takes "
            f"{input_frames(model.config)} frames: use model.num_frames=1 or model_type=simple_baseline"
        )
    depth_simulation = None
    if poseaug and getattr(processor, "needs_depth", False):  # augmented poses get the training table's depth
        from ..simulation.poseaug import poseaug_depth_simulation

        depth_simulation = poseaug_depth_simulation(training_args.poseaug_depth, data_args.train_datasets or [])
    if train_dataset is None:
        window = input_frames(model.config)
        train_dataset, default_eval = build_datasets(
            model_args,
            data_args,
            processor,
            window,
            target_frames=window if is_many_to_many(model.config) else 1,
            camera_fields=poseaug,
            seed=training_args.data_seed if training_args.data_seed is not None else training_args.seed,
        )
        eval_dataset = eval_dataset if eval_dataset is not None else default_eval
    if eval_dataset is None and training_args.eval_strategy != "no":
        training_args.eval_strategy = "no"
        training_args.load_best_model_at_end = False
    callbacks = list(callbacks or [])
    kill_step = os.environ.get("AUGLIFT_KILL_AFTER_SAVE_STEP")
    if kill_step:
        callbacks.append(KillAfterSaveCallback(int(kill_step)))
    trainer_cls, extra = LiftingTrainer, {}
    if poseaug:
        from .poseaug import PoseAugModule, PoseAugTrainer, poseaug_config, poseaug_schedule_length

        epochs, budget, run_past = poseaug_schedule_length(training_args, len(train_dataset))
        cfg = poseaug_config(training_args)
        extra.update(
            poseaug=PoseAugModule(processor, cfg, seed=training_args.seed, depth_simulation=depth_simulation),
            total_epochs=epochs,
            pretrain_steps=training_args.poseaug_pretrain_steps, sample_budget=budget, run_past_schedule=run_past,
            lr_schedule=training_args.poseaug_lr_schedule,
        )  # fmt: skip
        trainer_cls = PoseAugTrainer
        set_seed(training_args.seed)  # the PoseAug init drew from the global RNG
    trainer = trainer_cls(
        model=model,
        args=training_args,
        train_dataset=train_dataset,
        eval_dataset=eval_dataset,
        data_collator=PoseLiftingCollator(
            flip_prob=0.5 if data_args.flip_augmentation else 0.0,
            seed=training_args.seed,
            depth_channels=tuple(
                i
                for i, c in enumerate(getattr(model.config, "input_channels", model_args.input_channels))
                if c in ("d", "d_min", "d_max")
            ),
            depth_dropout_window=data_args.depth_dropout_window,
            depth_dropout_frame=data_args.depth_dropout_frame,
            depth_dropout_joint=data_args.depth_dropout_joint,
        ),  # fmt: skip
        processing_class=processor,
        compute_metrics=compute_lifting_metrics if eval_dataset is not None else None,
        callbacks=callbacks,
        flip_test=model_args.flip_test,
        input_channels=list(getattr(model.config, "input_channels", model_args.input_channels)),
        eval_data_collator=PoseLiftingCollator(),
        **extra,
    )
    check_output_dir(training_args.output_dir)
    steps = len(trainer.get_train_dataloader())
    if steps == 0:
        raise ValueError(
            f"training: {len(train_dataset)} training window(s) give 0 optimisation steps with "
            f"per_device_train_batch_size={training_args.per_device_train_batch_size} and dataloader_drop_last: "
            "lower the batch size or add training data (nothing was written)"
        )
    resume = last_checkpoint(training_args.output_dir) if training_args.resume else None
    if resume is not None:
        check_resume_compatible(resume, model)
    train_out = trainer.train(resume_from_checkpoint=resume)
    if trainer.state.global_step == 0:
        raise ValueError("training: 0 optimisation steps were run (check max_steps / num_train_epochs); nothing saved")
    train_out.metrics.update(lifter_sample_counts(trainer))
    eval_metrics = trainer.evaluate() if eval_dataset is not None else {}
    final_dir = Path(final_dir) if final_dir is not None else Path(training_args.output_dir) / "final"
    training_config = config_to_dict(model_args, data_args, training_args)
    if poseaug:  # which simulation gave the augmented poses' depth (None: a lifter without depth)
        training_config["training"]["poseaug_depth_simulation"] = (
            depth_simulation.to_dict() if depth_simulation else None
        )
    save_final_folder(trainer, final_dir, training_config, train_out.metrics, eval_metrics)
    return {
        "final_dir": str(final_dir),
        "train_metrics": train_out.metrics,
        "eval_metrics": eval_metrics,
        "global_step": trainer.state.global_step,
        "resumed_from": resume,
        "trainer": trainer,
    }


def check_poseaug_start(model_args: Any, training_args: Any, model_given: bool = False) -> None:
    """Refuse a PoseAug run whose hardness would be measured against an untrained lifter, or that cannot run.

    PoseAug's feedback asks the generators for poses ``3-5x`` (BA) / ``2-32x`` (RT) harder than the originals *for
    the lifter*; against random weights that ratio is noise. The official starts from a converged baseline
    (``function_baseline/model_pos_preparation.py:45-53``): give ``poseaug_pretrained=<lifter folder>`` (the same
    model config, trained e.g. by a plain ``auglift train`` run) or ``poseaug_pretrain_steps=N``;
    ``poseaug_allow_untrained=true`` overrides (e.g. smoke tests).
    """
    a = training_args
    if a.poseaug_pretrained and (model_args.model_name_or_path or model_given):
        raise ValueError(
            "training config: poseaug_pretrained and model.model_name_or_path (or a model passed in code) both name "
            "the starting lifter; keep one"
        )
    started = bool(a.poseaug_pretrained or model_args.model_name_or_path or a.poseaug_pretrain_steps)
    if not started and not a.poseaug_allow_untrained:
        raise ValueError(
            "training config: poseaug=true measures hardness against the lifter, which must start trained: give "
            "poseaug_pretrained=<lifter folder> (the official pipeline) or poseaug_pretrain_steps=N (N real-data "
            "steps first), or poseaug_allow_untrained=true"
        )
    if a.world_size > 1:
        raise ValueError(
            f"training config: poseaug=true runs in one process (its generators are not synchronised across "
            f"processes); this launch has {a.world_size}"
        )


def lifter_sample_counts(trainer: Trainer) -> dict[str, int]:
    """``lifter_samples`` the lifter was trained on (and, for PoseAug, how many of them were generated).

    A plain run sees ``global_step * per_device_batch * accumulation * processes`` (full batches: the loaders drop
    the last incomplete one); a PoseAug run counts its batches exactly (:class:`~auglift_hf.training.poseaug.PoseAugSchedule`).
    """
    schedule = getattr(trainer, "schedule", None)
    if schedule is not None:
        return schedule.counts()
    a = trainer.args
    return {"lifter_samples": trainer.state.global_step * a.per_device_train_batch_size
            * a.gradient_accumulation_steps * a.world_size}  # fmt: skip


def save_final_folder(
    trainer: Trainer,
    final_dir: str | os.PathLike,
    training_config: dict[str, Any],
    train_metrics: dict[str, Any],
    eval_metrics: dict[str, Any],
) -> Path:
    """Write a Hub-ready folder: weights (safetensors), config, processor, metrics, card.

    Call it on **every** process: ``Trainer.save_model`` writes from the main process only and keeps the
    ranks in step; the folder is staged next to ``final_dir`` and renamed onto it at the end (atomic).
    """
    import shutil

    final_dir = Path(final_dir)
    staging = final_dir.with_name(f".{final_dir.name}.staging")
    if trainer.is_world_process_zero():
        shutil.rmtree(staging, ignore_errors=True)
    trainer.accelerator.wait_for_everyone()
    trainer.save_model(str(staging))  # model.safetensors + config.json + preprocessor_config.json
    if trainer.is_world_process_zero():
        (staging / "training_args.bin").unlink(missing_ok=True)  # a pickle; the JSON config below replaces it
        (staging / "training_config.json").write_text(json.dumps(training_config, indent=2, default=str))
        results = {
            "train": {k: v for k, v in train_metrics.items() if isinstance(v, int | float)},
            "eval": {k: v for k, v in eval_metrics.items() if isinstance(v, int | float)},
        }
        (staging / "eval_results.json").write_text(json.dumps(results, indent=2))
        _write_card(staging, training_config, results, name=Path(training_args_dir(trainer)).name)
        old = final_dir.with_name(f".{final_dir.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        if final_dir.exists():
            os.replace(final_dir, old)
        os.replace(staging, final_dir)
        shutil.rmtree(old, ignore_errors=True)
    trainer.accelerator.wait_for_everyone()
    return final_dir


def training_args_dir(trainer: Trainer) -> str:
    """The run's output directory (its name becomes the model's name in the card)."""
    return os.path.abspath(trainer.args.output_dir)


def _write_card(folder: Path, training_config: dict[str, Any], results: dict[str, Any], name: str = "lifter") -> None:
    """A model card via :mod:`auglift_hf.hub.cards` when available, else a short README."""
    try:
        from auglift_hf.hub import cards  # type: ignore[attr-defined]

        writer = getattr(cards, "write_model_card", None)
        if writer is not None:
            train_sets = training_config.get("data", {}).get("train_datasets") or []
            writer(folder, repo_id=f"auglift/{name}", datasets=[Path(p).name for p in train_sets] or None)
            return
    except Exception:  # noqa: BLE001 - the card is a convenience; the weights are what matters
        pass
    eval_m = results.get("eval", {})
    lines = [
        "---",
        "library_name: transformers",
        "tags: [3d-human-pose, pose-lifting, auglift]",
        "---",
        "",
        f"# {training_config.get('model', {}).get('model_type', 'lifter')} "
        f"({', '.join(training_config.get('model', {}).get('input_channels', []))})",
        "",
        "A 3D human pose lifter trained with `auglift train` (auglift-hf). Load with",
        "`AutoModel.from_pretrained(<folder>)` after `import auglift_hf`, and `PoseLiftingProcessor.from_pretrained`.",
        "",
        "| metric | value |",
        "|---|---|",
        *[f"| {k} | {v:.2f} |" for k, v in eval_m.items() if isinstance(v, float)],
        "",
    ]
    (folder / "README.md").write_text("\n".join(lines))
