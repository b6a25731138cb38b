"""PoseAug as a training mode (``poseaug=true``): the official per-epoch alternation inside ``transformers.Trainer``.

PoseAug (Zhang et al., CVPR 2021; reference ``jfzhang95/PoseAug``, cited as ``file:line`` of its ``master``)
starts from a converged baseline lifter (``function_baseline/model_pos_preparation.py:45-53``,
``--pretrain true``) and runs ``epochs`` (50) epochs (``run_poseaug.py:80-127``), each:

1. ``dataloader_update`` (``function_poseaug/dataloader_update.py:32-76``): every training pose takes the bone
   lengths of a random template (:func:`~auglift_hf.simulation.poseaug.random_bone_length_swap`); the GAN's input
   and its real targets are these poses and their projections;
2. ``train_gan`` (``function_poseaug/model_gan_train.py:202-345``): one pass over those poses in batches of 1024:
   a generator step (``0.5 * [MSE(D(real), 0) + MSE(D(fake), 1)]`` for the 3D and 2D discriminators weighted 6
   and 1, the BA / BL range losses weighted 3, after the warm-up the lifter's grouped hardness feedback), a
   discriminator step every 2nd iteration (real = independently shuffled swapped poses, fake through a 4096-pose
   history pool), and the in-image RT poses collected in a buffer;
3. after ``warmup`` (2) epochs: one lifter pass over the buffer, then one over the real training data
   (``run_poseaug.py:96-102``), Adam, lr 1e-4, gradient-norm clip 1;
4. all learning rates decay linearly, ``1 - k / (epochs + 1)`` in loop iteration ``k``
   (``utils/utils.py:125-130``, ``run_poseaug.py:106-109``).

Here the same happens inside :class:`PoseAugTrainer` (so checkpoints, resume, evaluation and model cards stay the
package's): :class:`PoseAugSchedule` is the Trainer's training "dataloader", a stream of lifter batches that runs
the GAN pass of each epoch itself when the previous epoch's lifter batches are used up; one Trainer step is one
lifter batch (generated or real), so ``lifter_samples`` (logged and written to ``eval_results.json``) counts
exactly what the lifter saw. Hardness is measured against the lifter being trained, which must start trained:
``poseaug_pretrained=<lifter folder>`` (the official way) or ``poseaug_pretrain_steps=N`` (``N`` real-data steps
first); without either, training is refused unless ``poseaug_allow_untrained=true``.

Run length and matching (:func:`poseaug_schedule_length`): ``num_train_epochs`` counts PoseAug epochs, warm-up
included (official 50); with ``max_steps`` the run stops after that many lifter batches, as a plain run of the same
``max_steps`` (step-matched; the last buffer batch of an epoch is smaller, ``lifter_samples`` says by how much);
``poseaug_match_samples=true`` stops at exactly the lifter samples of a plain run of the same config. Keys the config
does not set take the official values (:data:`~auglift_hf.training.config.POSEAUG_TRAINING_DEFAULTS`).
``save_strategy`` / ``eval_strategy`` ``epoch`` save / evaluate at the end of every PoseAug epoch.

Named options (official first): ``poseaug_lr_schedule`` ``linear`` | ``exponential`` (the package's ``lr_decay``
per pass over the real data); ``poseaug_warmup_epochs`` (2); in ``poseaug_kwargs``
(:class:`~auglift_hf.simulation.poseaug.PoseAugConfig`): ``adversarial_loss`` ``official`` | ``fake_only``,
``feedback_error`` ``grouped`` | ``mpjpe``, ``rt_translation`` ``official`` | ``bounded`` (measured in
``benchmarks/RESULTS.md``: the free translation needs ~1,000 GAN iterations of 256 before most generated poses are
usable), ``keep_rule`` ``inside_image`` | ``official``, ``bone_length_swap``, and every loss weight and width.

Remaining differences, each documented where it lives: the lifter loss is the package's (MPJPE, as the plain
runs it is compared with; the official uses MSE, ``run_poseaug.py:53``); real batches keep the run's flip
augmentation and depth dropout (generated ones get the depth dropout, no flips; the official flips nothing);
generated poses enter the buffer by ``keep_rule`` (default: fully inside the image and in front of the camera);
real and GAN passes drop the last incomplete batch (the package's ``dataloader_drop_last``; the official keeps it),
and the generated-pose pass drops a last batch of a single pose (a BatchNorm lifter cannot train on one sample);
the lifter input of the feedback and of the generated poses carries depth from
:func:`~auglift_hf.simulation.poseaug.augmented_depth` when the lifter has depth channels, made by the training
table's own simulation, error model and descriptor (read from its card, ``poseaug_depth=table``, the default;
:mod:`auglift_hf.simulation.poseaug.table_depth`; a table whose card does not say is refused unless
``poseaug_depth=legacy-capsule``) and recorded as ``training.poseaug_depth_simulation`` in the lifter's
``training_config.json``; the lifter runs in train
mode during the feedback as in the official (``model_gan_train.py:220``), but only after the warm-up (the official
also runs it, unused, during the warm-up: its only effect there is on batch-norm running statistics).
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import torch
from torch import nn
from transformers import TrainerCallback

from ..simulation.poseaug import (
    FEEDBACK_JOINT_GROUPS,
    FEEDBACK_JOINT_WEIGHTS,
    AugmentedDepthSimulation,
    Discriminator2D,
    FakePool,
    PartAwareDiscriminator3D,
    PoseAugConfig,
    PoseAugmentor,
    augmented_depth,
    bone_length_templates,
    diff_range_loss,
    encode_like_processor,
    generator_adversarial_loss,
    grouped_joint_errors,
    hardness_feedback_loss,
    hardness_target,
    inside_image,
    lsgan_loss,
    project_pinhole,
    project_pinhole_clamped,
    random_bone_length_swap,
    rectified_l2,
)
from .config import POSEAUG_TRAINING_DEFAULTS
from .trainer import LiftingTrainer, exponential_decay_lambda

CAMERA_FIELDS = ("joints_cam", "focal", "center", "image_size")
POSEAUG_WEIGHTS = "poseaug.safetensors"
POSEAUG_CONFIG = "poseaug_config.json"
POSEAUG_STATE = "poseaug_state.pt"


def _screen(uv: torch.Tensor, image_size: torch.Tensor) -> torch.Tensor:
    """Pixels ``(B, 17, 2)`` -> VideoPose3D screen coordinates (the 2D discriminator's input)."""
    w, h = image_size[:, 0:1, None], image_size[:, 1:2, None]
    return torch.cat([uv[..., :1] / w * 2 - 1, uv[..., 1:] / w * 2 - h / w], -1)


def linear_decay_factor(epoch: int, total_epochs: int) -> float:
    """PoseAug's ``get_scheduler(policy='lambda', nepoch_fix=0)`` (``utils/utils.py:125-130``) in PoseAug epoch
    ``epoch`` (1-based; the scheduler has been stepped ``epoch - 1`` times): ``1 - (epoch - 1) / (total + 1)``."""
    return 1.0 - max(epoch - 1, 0) / float(total_epochs + 1)


class PoseAugModule(nn.Module):
    """Generators (:class:`PoseAugmentor`), discriminators, their optimisers and pools: one GAN iteration at a time.

    Args:
        processor: the lifter's :class:`~auglift_hf.PoseLiftingProcessor` (poses are encoded like it).
        config: :class:`PoseAugConfig`. seed: seeds the generators' init, noise, pools and depth draws.
        depth_simulation: how the generated bodies get their depth, an :class:`AugmentedDepthSimulation`: the
            training table's simulation (:meth:`AugmentedDepthSimulation.from_tables`, what ``auglift train``
            passes) or :meth:`AugmentedDepthSimulation.legacy`; required when the processor has depth channels.
    """

    def __init__(
        self,
        processor: Any,
        config: PoseAugConfig | None = None,
        seed: int = 0,
        depth_simulation: AugmentedDepthSimulation | None = None,
    ):
        super().__init__()
        self.cfg = config or PoseAugConfig()
        self.processor = processor
        torch.manual_seed(seed)  # parameter init (the caller re-seeds the global RNG afterwards)
        self.generator = PoseAugmentor(self.cfg)
        self.d3d = PartAwareDiscriminator3D(self.cfg)
        self.d2d = Discriminator2D(self.cfg.d2d_width)
        self.opt_g = torch.optim.Adam(self.generator.parameters(), lr=self.cfg.lr_generator)
        self.opt_d3d = torch.optim.Adam(self.d3d.parameters(), lr=self.cfg.lr_discriminator)
        self.opt_d2d = torch.optim.Adam(self.d2d.parameters(), lr=self.cfg.lr_discriminator)
        self.pool_3d = FakePool(self.cfg.fake_pool_size, seed)
        self.pool_2d = FakePool(self.cfg.fake_pool_size, seed + 1)
        self.rng = torch.Generator().manual_seed(seed)
        channels = list(processor.input_channels)
        self.needs_depth = bool(getattr(processor, "needs_depth", False))
        if self.needs_depth and depth_simulation is None:
            raise ValueError(
                "PoseAugModule: the lifter has depth channels: give depth_simulation (the training table's, "
                "AugmentedDepthSimulation.from_tables, or AugmentedDepthSimulation.legacy())"
            )
        self.depth_simulation = depth_simulation
        self.depth_mode = "casp" if {"d_min", "d_max"} & set(channels) else "point"
        self.register_buffer("joint_weights", torch.tensor(FEEDBACK_JOINT_WEIGHTS, dtype=torch.float32), False)
        self.iteration = 0  # GAN iterations over all epochs (PoseAug's summary.train_iter_num)
        self.last_logs: dict[str, float] = {}

    # ------------------------------------------------------------------ helpers
    def set_lr_factor(self, factor: float) -> None:
        """Generator and discriminator learning rates = their base value times ``factor`` (PoseAug's schedulers)."""
        for opt, base in ((self.opt_g, self.cfg.lr_generator), (self.opt_d3d, self.cfg.lr_discriminator),
                          (self.opt_d2d, self.cfg.lr_discriminator)):  # fmt: skip
            for group in opt.param_groups:
                group["lr"] = base * factor

    def depth(self, pose: torch.Tensor, f: torch.Tensor, c: torch.Tensor, size: torch.Tensor) -> torch.Tensor | None:
        """Depth descriptors of the bodies ``pose`` ``(B, 17, 3)`` (``None`` for a lifter without depth)."""
        if not self.needs_depth:
            return None
        seed = int(torch.randint(0, 2**31 - 1, (1,), generator=self.rng))
        return augmented_depth(
            pose, f, c, size, mode=self.depth_mode, generator=seed, simulation=self.depth_simulation
        ).to(pose.device)

    def encode(self, pose: torch.Tensor, f: torch.Tensor, c: torch.Tensor, size: torch.Tensor, depth=None):
        """Poses ``(B, 17, 3)`` -> lifter inputs ``(B, 1, 17, C)`` (processor conventions), and 2D pixels.

        The projection is PoseAug's clamped one (:func:`project_pinhole_clamped`): exact for in-image poses.
        """
        uv = project_pinhole_clamped(pose, f, c)
        if depth is None:
            depth = self.depth(pose, f, c, size)
        return encode_like_processor(self.processor, uv, size, depth)[:, None], uv

    def lifter_errors(self, lifter: nn.Module, x: torch.Tensor, pose: torch.Tensor) -> torch.Tensor:
        """The lifter's error on input ``x`` for the pose ``pose``: ``(B, 3)`` grouped (official) or ``(B,)`` MPJPE."""
        pred = lifter(keypoints=x).poses_3d[:, -1]  # (B, 17, 3), single-frame lifter
        target = pose - pose[:, :1]
        if self.cfg.feedback_error == "grouped":
            return grouped_joint_errors(pred, target, self.joint_weights, FEEDBACK_JOINT_GROUPS)
        return (pred - target).norm(dim=-1).mean(-1)

    def keep(self, pose: torch.Tensor, f: torch.Tensor, c: torch.Tensor, size: torch.Tensor) -> torch.Tensor:
        """``(B,)`` bool: generated poses ``(B, 17, 3)`` that enter the lifter's buffer (``keep_rule``)."""
        if self.cfg.keep_rule == "official":  # model_gan_train.py:310, on the clamped projection
            return ~(_screen(project_pinhole_clamped(pose, f, c), size) > 1).flatten(1).any(-1)
        return inside_image(project_pinhole(pose, f, c), pose, size)

    # ------------------------------------------------------------------ one GAN iteration
    def gan_step(
        self,
        batch: dict[str, torch.Tensor],
        real: dict[str, torch.Tensor],
        lifter: nn.Module | None,
        epoch: int,
        total_epochs: int,
    ) -> dict[str, torch.Tensor]:
        """One iteration of ``train_gan`` (``model_gan_train.py:231-316``).

        Args:
            batch: the GAN's input, :data:`CAMERA_FIELDS` ``joints_cam (B, 17, 3)``, ``focal``, ``center``,
                ``image_size`` ``(B, 2)``. real: the discriminators' real targets, ``pose_3d`` ``(B, 17, 3)`` and
                ``pose_2d`` ``(B, 17, 3)`` with its ``focal``, ``center``, ``image_size`` (independent draws).
            lifter: the lifter (feedback after the warm-up; ``None`` during the warm-up). Gets no gradient.
            epoch, total_epochs: PoseAug epoch (1-based) and count, for the hardness targets.

        Returns:
            the kept RT poses: ``joints_cam``, ``focal``, ``center``, ``image_size`` and ``depth`` (``None`` entries
            omitted), detached.
        """
        cfg = self.cfg
        dev = self.joint_weights.device  # the caller moves the module to the lifter's device
        batch = {k: v.to(dev) for k, v in batch.items()}
        real = {k: v.to(dev) for k, v in real.items()}
        pose = batch["joints_cam"].float()
        f, c, size = batch["focal"].float(), batch["center"].float(), batch["image_size"].float()
        self.generator.train()
        out = self.generator(pose, generator=self.rng)
        uv_real = project_pinhole_clamped(pose, f, c)  # model_gan_train.py:246-255 (common/camera.py:55)
        uv_rt = project_pinhole_clamped(out["pose_rt"], f, c)
        if cfg.adversarial_loss == "official":
            with torch.no_grad():
                d3_real, d2_real = self.d3d(pose), self.d2d(_screen(uv_real, size))
            adv_3d = generator_adversarial_loss(d3_real, self.d3d(out["pose_ba"]))
            adv_2d = generator_adversarial_loss(d2_real, self.d2d(_screen(uv_rt, size)))
        else:
            adv_3d = lsgan_loss(self.d3d(out["pose_ba"]), real=True)
            adv_2d = lsgan_loss(self.d2d(_screen(uv_rt, size)), real=True)
        diff = diff_range_loss(out["ba_diff"].mean(-1), cfg.ba_range_m, cfg.ba_range_w) + rectified_l2(
            out["blr"], cfg.blr_limit
        )  # model_gan_train.py:86-118
        loss = cfg.loss_weight_adv_2d * adv_2d + cfg.loss_weight_adv_3d * adv_3d + cfg.loss_weight_diff * diff
        feedback = torch.zeros(())
        depth_rt = None
        if lifter is not None:  # model_gan_train.py:121-199, added to the loss after the warm-up (:271-279)
            lifter.train()  # as model_gan_train.py:220 (dropout on, batch-norm batch statistics)
            with torch.no_grad():
                x_orig, _ = self.encode(pose, f, c, size)
                err_orig = self.lifter_errors(lifter, x_orig, pose)
            pose_ba, pose_rt = out["pose_ba"], out["pose_rt"]
            depth_ba = self.depth(pose_ba, f, c, size)
            depth_rt = self.depth(pose_rt, f, c, size)
            x_ba, _ = self.encode(pose_ba, f, c, size, depth_ba)
            x_rt, _ = self.encode(pose_rt, f, c, size, depth_rt)
            ba_start, ba_end = cfg.hardratio_ba
            rt_start, rt_end = cfg.hardratio_rt
            feedback = hardness_feedback_loss(
                self.lifter_errors(lifter, x_ba, pose_ba), err_orig,
                hardness_target(ba_start, ba_end, epoch, total_epochs), cfg.hardratio_std_ba,
                cfg.feedback_weight_ba, cfg.feedback_div_weight_ba,
            ) + hardness_feedback_loss(
                self.lifter_errors(lifter, x_rt, pose_rt), err_orig,
                hardness_target(rt_start, rt_end, epoch, total_epochs), cfg.hardratio_std_rt,
                cfg.feedback_weight_rt, cfg.feedback_div_weight_rt,
            )  # fmt: skip
            loss = loss + feedback
        params = [p for p in self.generator.parameters() if p.requires_grad]
        grads = torch.autograd.grad(loss, params, allow_unused=True)  # the lifter's and discriminators' grads stay
        self.opt_g.zero_grad(set_to_none=True)
        for p, g in zip(params, grads):
            p.grad = g
        nn.utils.clip_grad_norm_(params, max_norm=1.0)
        self.opt_g.step()

        if self.iteration % cfg.discriminator_every == 0:  # model_gan_train.py:293-304, train_dis :49-83
            real_uv = project_pinhole_clamped(real["pose_2d"].float(), real["focal"].float(), real["center"].float())
            for name, disc, opt, real_x, fake in (
                ("d3d", self.d3d, self.opt_d3d, real["pose_3d"].float(), self.pool_3d(out["pose_ba"])),
                ("d2d", self.d2d, self.opt_d2d, _screen(real_uv, real["image_size"].float()),
                 self.pool_2d(_screen(uv_rt, size))),
            ):  # fmt: skip
                opt.zero_grad(set_to_none=True)
                d_loss = 0.5 * (lsgan_loss(disc(real_x.detach()), True) + lsgan_loss(disc(fake.detach()), False))
                d_loss.backward()
                nn.utils.clip_grad_norm_(disc.parameters(), max_norm=1.0)
                opt.step()
                self.last_logs[f"poseaug_{name}_loss"] = float(d_loss.detach())
        self.iteration += 1
        with torch.no_grad():
            pose_rt = out["pose_rt"].detach()
            keep = self.keep(pose_rt, f, c, size)
            angle = torch.rad2deg(torch.acos((1 - out["ba_diff"].detach()).clamp(-1, 1))).mean()
            self.last_logs.update(
                poseaug_gen_loss=float(loss.detach()), poseaug_feedback=float(feedback.detach()),
                poseaug_ba_angle_deg=float(angle), poseaug_blr_abs=float(out["blr"].detach().abs().mean()),
                poseaug_kept=float(keep.float().mean()), poseaug_rt_depth=float(pose_rt[:, 0, 2].median()),
            )  # fmt: skip
        kept = {"joints_cam": pose_rt[keep], "focal": f[keep], "center": c[keep], "image_size": size[keep]}
        if depth_rt is not None:
            kept["depth"] = depth_rt.detach()[keep]
        return kept

    # ------------------------------------------------------------------ persistence
    def save(self, folder: str | os.PathLike) -> None:
        """Write ``poseaug.safetensors`` (generators + discriminators) and ``poseaug_config.json`` into ``folder``."""
        from safetensors.torch import save_file

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        state = {f"generator.{k}": v for k, v in self.generator.state_dict().items()}
        state.update({f"d3d.{k}": v for k, v in self.d3d.state_dict().items()})
        state.update({f"d2d.{k}": v for k, v in self.d2d.state_dict().items()})
        save_file({k: v.detach().cpu().contiguous() for k, v in state.items()}, str(folder / POSEAUG_WEIGHTS))
        meta = {"config": self.cfg.to_dict(), "iteration": self.iteration,
                "depth_simulation": self.depth_simulation.to_dict() if self.depth_simulation else None}  # fmt: skip
        (folder / POSEAUG_CONFIG).write_text(json.dumps(meta, indent=2, default=str))

    def load(self, folder: str | os.PathLike) -> None:
        """Restore the weights and the GAN iteration counter written by :meth:`save`."""
        from safetensors.torch import load_file

        folder = Path(folder)
        path = folder / POSEAUG_WEIGHTS
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no PoseAug weights to load")
        state = load_file(str(path))
        for prefix, module in (("generator.", self.generator), ("d3d.", self.d3d), ("d2d.", self.d2d)):
            module.load_state_dict({k[len(prefix) :]: v for k, v in state.items() if k.startswith(prefix)})
        meta = json.loads((folder / POSEAUG_CONFIG).read_text())
        self.iteration = int(meta.get("iteration", 0))

    def training_state(self) -> dict[str, Any]:
        """Optimisers, pools and RNG states (everything :meth:`save` does not hold) for an exact resume."""
        return {
            "opt_g": self.opt_g.state_dict(), "opt_d3d": self.opt_d3d.state_dict(),
            "opt_d2d": self.opt_d2d.state_dict(), "rng": self.rng.get_state(),
            "pool_3d": (self.pool_3d.items, self.pool_3d.g.get_state()),
            "pool_2d": (self.pool_2d.items, self.pool_2d.g.get_state()),
        }  # fmt: skip

    def load_training_state(self, state: dict[str, Any]) -> None:
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d3d.load_state_dict(state["opt_d3d"])
        self.opt_d2d.load_state_dict(state["opt_d2d"])
        self.rng.set_state(state["rng"])
        for pool, (items, g) in ((self.pool_3d, state["pool_3d"]), (self.pool_2d, state["pool_2d"])):
            pool.items = items
            pool.g.set_state(g)


def camera_arrays(dataset: Any) -> dict[str, torch.Tensor]:
    """The :data:`CAMERA_FIELDS` of every item of a training dataset, ``(N, ...)`` tensors (item order).

    Fast path for a :class:`~auglift_hf.data.PoseWindowDataset` built with ``camera_fields=True``; any other map-style
    dataset is read item by item.
    """
    camera, centres = getattr(dataset, "camera", None), getattr(dataset, "centres", None)
    if camera is not None and centres is not None:
        return {k: torch.from_numpy(camera[k][centres]).float() for k in CAMERA_FIELDS}
    first = dataset[0]
    missing = [k for k in CAMERA_FIELDS if k not in first]
    if missing:
        raise ValueError(
            f"PoseAug needs {list(CAMERA_FIELDS)} in every training item (camera_fields); missing {missing}"
        )
    items = [dataset[i] for i in range(len(dataset))]
    return {k: torch.stack([torch.as_tensor(it[k]) for it in items]).float() for k in CAMERA_FIELDS}


class PoseAugSchedule:
    """The lifter batches of a PoseAug run, in the official order, as the Trainer's training dataloader.

    ``poseaug_pretrain_steps`` real batches first, then PoseAug epochs ``1 .. total_epochs``: epochs up to
    ``warmup_epochs`` are GAN passes only; every later epoch runs its GAN pass (filling the buffer) when it starts,
    then yields the buffer's batches (shuffled, the last one possibly smaller) and then ``n_real`` real batches
    (shuffled, seeded per epoch). Each batch is ``{"keypoints", "labels", "poseaug_lr_factor", "poseaug_generated"}``.

    Args:
        module: the :class:`PoseAugModule`. dataset: the training windows (camera fields). collator: the run's
            collator (real batches: flips, depth dropout). lifter: the model being trained.
        batch_size: lifter and GAN batch size. total_epochs: PoseAug epochs (with the warm-up).
        pretrain_steps: real-data lifter steps before the first PoseAug epoch. sample_budget: stop once the lifter
            has seen this many samples (``None``: no budget). seed: shuffling.
    """

    def __init__(
        self,
        module: PoseAugModule,
        dataset: Any,
        collator: Any,
        lifter: nn.Module,
        batch_size: int,
        total_epochs: int,
        pretrain_steps: int = 0,
        sample_budget: int | None = None,
        seed: int = 0,
        run_past_schedule: bool = False,
        progress: bool = False,
    ):
        self.module, self.dataset, self.collator, self.lifter = module, dataset, collator, lifter
        self.progress = bool(progress)  # a bar per GAN pass: with depth, a pass holds no lifter step for ~30 min
        self.run_past_schedule = bool(run_past_schedule)
        self.batch_size, self.total_epochs = int(batch_size), int(total_epochs)
        self.pretrain_steps, self.sample_budget, self.seed = int(pretrain_steps), sample_budget, int(seed)
        self.cameras = camera_arrays(dataset)
        self.num_poses = len(self.cameras["joints_cam"])
        self.n_real = self.num_poses // self.batch_size
        if self.n_real < 1:
            raise ValueError(
                f"poseaug: {self.num_poses} training windows give 0 batches of {self.batch_size}: lower "
                "per_device_train_batch_size"
            )
        self.templates = bone_length_templates(self.cameras["joints_cam"], seed=self.seed)
        self.lifter_epochs = self.total_epochs - module.cfg.warmup_epochs
        # state (saved in checkpoints)
        self.epoch, self.phase, self.pos, self.pretrain_done = 0, "gan", 0, 0
        self.lifter_samples, self.generated_samples, self.steps_yielded = 0, 0, 0
        self.buffer: dict[str, torch.Tensor] | None = None
        self.buffer_perm: torch.Tensor | None = None

    def __len__(self) -> int:
        """An upper bound of the lifter batches (a buffer pass has at most ``ceil(N / batch)`` batches; with a
        sample budget, every batch holds at least one sample)."""
        if self.sample_budget is not None:
            return max(int(self.sample_budget), 1)
        per_epoch = self.n_real + math.ceil(self.num_poses / self.batch_size)
        return max(self.pretrain_steps + max(self.lifter_epochs, 0) * per_epoch, 1)

    def finished(self) -> bool:
        """True when the next batch would end the run (budget reached, or the last epoch's real pass done)."""
        if self.sample_budget is not None and self.lifter_samples >= self.sample_budget:
            return True
        return (
            not self.run_past_schedule and self.epoch >= self.total_epochs
            and self.phase == "real" and self.pos >= self.n_real
        )  # fmt: skip

    def epoch_ended(self) -> bool:
        """True right after the last real batch of a PoseAug epoch was handed out."""
        return self.phase == "real" and self.pos >= self.n_real

    def _schedule_epoch(self, epoch: int) -> int:
        return min(epoch, self.total_epochs)

    # ------------------------------------------------------------------ data
    def _rng(self, *key: int) -> torch.Generator:
        """A generator seeded by the run's seed and ``key`` (so a resumed run draws the same permutations)."""
        return torch.Generator().manual_seed(hash((self.seed, *key)) % (2**62))  # int tuples hash reproducibly

    def _perm(self, *key: int) -> torch.Tensor:
        return torch.randperm(self.num_poses, generator=self._rng(*key))

    def _real_batch(self, perm: torch.Tensor, index: int) -> dict[str, Any]:
        idx = perm[index * self.batch_size : (index + 1) * self.batch_size].tolist()
        batch = self.collator([self.dataset[i] for i in idx])
        return {"keypoints": batch["keypoints"], "labels": batch["labels"]}

    def _swapped(self, perm: torch.Tensor, g: torch.Generator) -> dict[str, torch.Tensor]:
        out = {k: v[perm] for k, v in self.cameras.items()}
        if self.module.cfg.bone_length_swap:  # dataloader_update.py:39
            out["joints_cam"] = random_bone_length_swap(out["joints_cam"], self.templates, g)
        return out

    def gan_pass(self, epoch: int) -> None:
        """``dataloader_update`` then ``train_gan`` of PoseAug epoch ``epoch``; fills the buffer after the warm-up."""
        module = self.module
        module.set_lr_factor(linear_decay_factor(self._schedule_epoch(epoch), self.total_epochs))
        swapped = self._swapped(torch.arange(self.num_poses), self._rng(epoch, 7))
        order, real_3d, real_2d = self._perm(epoch, 1), self._perm(epoch, 2), self._perm(epoch, 3)
        warm = epoch > module.cfg.warmup_epochs
        module.to(next(self.lifter.parameters()).device)
        was_training = self.lifter.training
        kept: list[dict[str, torch.Tensor]] = []
        b = self.batch_size
        from tqdm.auto import tqdm

        desc = f"PoseAug epoch {epoch}/{self.total_epochs}: GAN pass{'' if warm else ' (warm-up)'}"
        for i in tqdm(range(self.n_real), desc=desc, disable=not self.progress, leave=False, unit="batch"):
            sl = slice(i * b, (i + 1) * b)
            batch = {k: v[order[sl]] for k, v in swapped.items()}
            j2 = real_2d[sl]  # the 2D target is another independent draw (target_2d_loader, :230)
            real = {"pose_3d": swapped["joints_cam"][real_3d[sl]], "pose_2d": swapped["joints_cam"][j2],
                    **{k: swapped[k][j2] for k in ("focal", "center", "image_size")}}  # fmt: skip
            out = module.gan_step(
                batch, real, self.lifter if warm else None, self._schedule_epoch(epoch), self.total_epochs
            )
            if warm:
                kept.append(out)
        self.lifter.train(was_training)
        if warm:
            keys = kept[0].keys()
            self.buffer = {k: torch.cat([o[k] for o in kept]) for k in keys}
            n = len(self.buffer["joints_cam"])
            self.buffer_perm = torch.randperm(n, generator=self._rng(epoch, 4))
            module.last_logs["poseaug_buffer"] = float(n)

    def _buffer_batch(self, index: int) -> dict[str, Any]:
        idx = self.buffer_perm[index * self.batch_size : (index + 1) * self.batch_size]
        sel = {k: v[idx] for k, v in self.buffer.items()}
        with torch.no_grad():
            x, _ = self.module.encode(
                sel["joints_cam"], sel["focal"], sel["center"], sel["image_size"], sel.get("depth")
            )
        col = self.collator
        drops = (col.depth_dropout_window, col.depth_dropout_frame, col.depth_dropout_joint)
        if getattr(col, "depth_channels", ()) and any(p > 0 for p in drops):
            from .collator import drop_depth

            if col._generator is None:
                col._generator = torch.Generator().manual_seed(col.seed)
            x = drop_depth(x, col.depth_channels, *drops, generator=col._generator)
        labels = (sel["joints_cam"] - sel["joints_cam"][:, :1])[:, None]
        return {"keypoints": x.float(), "labels": labels.float()}

    # ------------------------------------------------------------------ the stream
    def _next(self) -> dict[str, Any] | None:
        if self.pretrain_done < self.pretrain_steps:
            n = self.pretrain_done
            batch = self._real_batch(self._perm(-1 - n // self.n_real), n % self.n_real)
            self.pretrain_done += 1
            return {**batch, "poseaug_lr_factor": 1.0, "poseaug_generated": 0}
        while True:
            if self.phase == "gan":
                if self.epoch >= self.total_epochs and not self.run_past_schedule:
                    return None
                self.epoch += 1
                self.gan_pass(self.epoch)
                if self.epoch > self.module.cfg.warmup_epochs:
                    self.phase, self.pos = "buffer", 0
                continue
            factor = linear_decay_factor(self._schedule_epoch(self.epoch), self.total_epochs)
            if self.phase == "buffer":
                # a last batch of one generated pose is skipped: a BatchNorm lifter cannot train on a single sample
                if len(self.buffer_perm) - self.pos * self.batch_size > 1:
                    batch = self._buffer_batch(self.pos)
                    self.pos += 1
                    return {**batch, "poseaug_lr_factor": factor, "poseaug_generated": len(batch["labels"])}
                self.phase, self.pos, self.buffer, self.buffer_perm = "real", 0, None, None
            if self.pos < self.n_real:
                batch = self._real_batch(self._perm(self.epoch, 5), self.pos)
                self.pos += 1
                return {**batch, "poseaug_lr_factor": factor, "poseaug_generated": 0}
            self.phase, self.pos = "gan", 0

    def __iter__(self):
        while self.sample_budget is None or self.lifter_samples < self.sample_budget:
            batch = self._next()
            if batch is None:
                return
            if self.sample_budget is not None and self.lifter_samples + len(batch["labels"]) > self.sample_budget:
                keep = self.sample_budget - self.lifter_samples  # the last batch is cut to the budget
                batch = {**batch, "keypoints": batch["keypoints"][:keep], "labels": batch["labels"][:keep],
                         "poseaug_generated": min(batch["poseaug_generated"], keep)}  # fmt: skip
            self.lifter_samples += len(batch["labels"])
            self.generated_samples += batch["poseaug_generated"]
            self.steps_yielded += 1
            yield batch

    def counts(self) -> dict[str, int]:
        """``lifter_samples`` (real + generated), ``lifter_samples_generated``, ``poseaug_epoch``, ``gan_iterations``."""
        return {"lifter_samples": self.lifter_samples, "lifter_samples_generated": self.generated_samples,
                "poseaug_epoch": self.epoch, "gan_iterations": self.module.iteration}  # fmt: skip

    def state_dict(self) -> dict[str, Any]:
        keys = ("epoch", "phase", "pos", "pretrain_done", "lifter_samples", "generated_samples", "steps_yielded")
        state = {k: getattr(self, k) for k in keys}
        state.update(buffer=self.buffer, buffer_perm=self.buffer_perm, module=self.module.training_state())
        gen = getattr(self.collator, "_generator", None)
        state["collator_rng"] = gen.get_state() if gen is not None else None
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        for k in ("epoch", "phase", "pos", "pretrain_done", "lifter_samples", "generated_samples", "steps_yielded"):
            setattr(self, k, state[k])
        self.buffer, self.buffer_perm = state["buffer"], state["buffer_perm"]
        self.module.load_training_state(state["module"])
        if state.get("collator_rng") is not None:
            self.collator._generator = torch.Generator()
            self.collator._generator.set_state(state["collator_rng"])


class _StopWhenScheduleEnds(TrainerCallback):
    """Stop the Trainer right after the schedule's last batch (its length is only an upper bound), and save /
    evaluate at the end of every PoseAug epoch under ``save_strategy`` / ``eval_strategy`` ``epoch`` (the Trainer's
    own "epoch" is the whole schedule; the official evaluates every epoch, ``run_poseaug.py:98-103``)."""

    def __init__(self, schedule: PoseAugSchedule):
        self.schedule = schedule

    def on_step_end(self, args, state, control, **kwargs):  # noqa: ANN001
        if self.schedule.finished():
            control.should_training_stop = True
        if self.schedule.epoch_ended():
            if str(getattr(args.save_strategy, "value", args.save_strategy)) == "epoch":
                control.should_save = True
            if str(getattr(args.eval_strategy, "value", args.eval_strategy)) == "epoch":
                control.should_evaluate = True


_SCALE_FIELDS = ("scale_normalization", "box_size_mean", "reference_depth")


def load_pretrained_lifter(folder: str | os.PathLike, model_args: Any) -> tuple[nn.Module, Any]:
    """``poseaug_pretrained``: the lifter of ``folder`` (strict weights) and its saved processor, checked against the
    run's model config (``model_type``, ``input_channels``, single frame, every ``model_kwargs`` entry).

    Raises:
        FileNotFoundError: no such folder. IncompatibleModelError: weights or config that do not match.
    """
    from ..errors import IncompatibleModelError
    from ..models import input_frames, load_lifter

    path = Path(folder)
    if not path.is_dir():
        raise FileNotFoundError(f"training.poseaug_pretrained {folder}: no such lifter folder")
    model = load_lifter(path).train()
    config = model.config
    problems = []
    if config.model_type != f"auglift_{model_args.model_type}":  # config classes prefix the package's name
        problems.append(f"model_type {config.model_type!r} vs {model_args.model_type!r}")
    if list(config.input_channels) != list(model_args.input_channels):
        problems.append(f"input_channels {list(config.input_channels)} vs {list(model_args.input_channels)}")
    if input_frames(config) != 1:
        problems.append(f"{input_frames(config)} input frames (PoseAug needs a single-frame lifter)")
    for key, value in (model_args.model_kwargs or {}).items():
        if getattr(config, key, "<missing>") != value:
            problems.append(f"model_kwargs.{key} {getattr(config, key, '<missing>')!r} vs {value!r}")
    if problems:
        raise IncompatibleModelError(
            f"training.poseaug_pretrained {folder} does not match the run's model config: {'; '.join(problems)}"
        )
    processor = None
    if (path / "preprocessor_config.json").is_file():
        from ..processing_lifting import PoseLiftingProcessor

        processor = PoseLiftingProcessor.from_pretrained(path)
    return model, processor


def check_pretrained_scale(folder: str | os.PathLike, saved: dict[str, Any], processor: Any, data_args: Any) -> None:
    """Refuse a run whose scale normalisation (``data.scale_normalization`` and the processor's fitted / default
    ``box_size_mean``, ``reference_depth``) differs from the one its pretrained lifter was trained with."""
    now = {k: getattr(processor, k, None) for k in _SCALE_FIELDS}
    now["scale_normalization"] = data_args.scale_normalization
    for key in _SCALE_FIELDS:
        a, b = saved[key], now[key]
        same = a == b or (isinstance(a, float) and isinstance(b, float) and math.isclose(a, b, rel_tol=1e-6))
        if not same:
            raise ValueError(
                f"training.poseaug_pretrained {folder} was trained with {key}={a!r}, this run's data config gives "
                f"{b!r}: set data.{key} to the lifter's value"
            )


def poseaug_config(training_args: Any) -> PoseAugConfig:
    """The :class:`PoseAugConfig` of a run: ``poseaug_kwargs`` plus ``poseaug_warmup_epochs``; an unknown field or a
    warm-up given in both places is refused naming it."""
    from dataclasses import fields

    kwargs = dict(training_args.poseaug_kwargs or {})
    known = {f.name for f in fields(PoseAugConfig)} - {"warmup_epochs"}
    unknown = sorted(set(kwargs) - known)
    if unknown:
        raise ValueError(
            f"training.poseaug_kwargs: unknown PoseAugConfig fields {unknown} (warm-up: poseaug_warmup_epochs); "
            f"known: {sorted(known)}"
        )
    return PoseAugConfig(warmup_epochs=training_args.poseaug_warmup_epochs, **kwargs)


def poseaug_schedule_length(training_args: Any, num_windows: int) -> tuple[int, int | None, bool]:
    """PoseAug epochs of the schedule (warm-up included), lifter-sample budget (``None``: none), and whether the run
    may continue past the schedule's last epoch (then with that epoch's learning rate and hardness targets).

    * ``poseaug_match_samples``: the budget is a plain run's sample count for this config (``max_steps`` batches, or
      ``num_train_epochs`` passes over the real data of ``n = windows // batch`` batches); the run stops there;
    * else ``max_steps > 0``: the run stops after ``max_steps`` lifter batches (as a plain run; generated buffers
      end with a smaller batch, so slightly fewer samples: ``lifter_samples`` records them);
    * else ``num_train_epochs`` PoseAug epochs (official: 50), ~2x a plain run's samples per epoch after warm-up.

    With a budget or ``max_steps`` the schedule spans ``warmup + ceil((steps - pretrain) / (2 n))`` epochs (full
    buffers assumed).
    """
    a = training_args
    batch = a.per_device_train_batch_size
    n = max(num_windows // batch, 1)
    warmup = a.poseaug_warmup_epochs
    if a.max_steps > 0:
        steps = a.max_steps * a.gradient_accumulation_steps
    elif a.poseaug_match_samples:
        steps = round(a.num_train_epochs * n)
    else:
        epochs = math.ceil(a.num_train_epochs)
        if epochs <= warmup:
            raise ValueError(
                f"training: poseaug with num_train_epochs={a.num_train_epochs} PoseAug epochs and "
                f"poseaug_warmup_epochs={warmup} leaves no lifter epoch"
            )
        return epochs, None, False
    epochs = warmup + max(1, math.ceil(max(steps - a.poseaug_pretrain_steps, 0) / (2 * n)))
    return epochs, (steps * batch if a.poseaug_match_samples else None), True


class PoseAugTrainer(LiftingTrainer):
    """:class:`LiftingTrainer` whose training batches come from a :class:`PoseAugSchedule`.

    Checkpoints hold the PoseAug weights (:meth:`PoseAugModule.save`) and the schedule's state (``poseaug_state.pt``:
    position, buffer, optimisers, pools, RNGs; read with ``weights_only=True``), so a resumed run continues exactly.
    """

    def __init__(
        self,
        *args: Any,
        poseaug: PoseAugModule,
        total_epochs: int,
        pretrain_steps: int = 0,
        sample_budget: int | None = None,
        run_past_schedule: bool = False,
        lr_schedule: str = "linear",
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.poseaug = poseaug
        self.lr_schedule = lr_schedule
        self.schedule = PoseAugSchedule(
            poseaug, self.train_dataset, self.data_collator, self.model, self.args.per_device_train_batch_size,
            total_epochs, pretrain_steps, sample_budget, seed=self.args.seed, run_past_schedule=run_past_schedule,
            progress=not self.args.disable_tqdm,
        )  # fmt: skip
        self._lr_factor = 1.0
        self.add_callback(_StopWhenScheduleEnds(self.schedule))

    def get_train_dataloader(self):  # noqa: ANN201
        return self.schedule

    def get_resumed_dataloader(self, dataloader, num_batches):  # noqa: ANN001, ANN201
        if self.schedule.steps_yielded != num_batches:
            raise ValueError(
                f"poseaug: the checkpoint's PoseAug state is at lifter batch {self.schedule.steps_yielded}, the "
                f"Trainer's at {num_batches}: the checkpoint lacks {POSEAUG_STATE} or is inconsistent; resume=false"
            )
        return self.schedule  # already positioned by _load_from_checkpoint

    def set_initial_training_values(self, args, dataloader):  # noqa: ANN001, ANN201
        values = list(super().set_initial_training_values(args, dataloader))
        # one Trainer "epoch" = the whole PoseAug schedule (its own epochs); a sample budget rules over max_steps
        if args.max_steps <= 0 or self.schedule.sample_budget is not None:
            steps = len(dataloader)
            values[0], values[1], values[5], values[6] = 1, steps, steps, steps
        return tuple(values)

    def create_scheduler(self, num_training_steps: int, optimizer=None):  # noqa: ANN001
        if self.lr_scheduler is None:
            optimizer = optimizer or self.optimizer
            if self.lr_schedule == "linear":  # utils/utils.py:125-130: the factor of the batch's PoseAug epoch
                fn = lambda _: self._lr_factor  # noqa: E731
            else:  # the package's per-epoch exponential decay, an epoch = one pass over the real data
                fn = exponential_decay_lambda(self.schedule.n_real, getattr(self.args, "lr_decay", 1.0))
            self.lr_scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, fn)
            self._created_lr_scheduler = True
        return self.lr_scheduler

    def training_step(self, model, inputs, num_items_in_batch=None):  # noqa: ANN001
        factor = float(inputs.pop("poseaug_lr_factor", 1.0))
        inputs.pop("poseaug_generated", None)
        if self.lr_schedule == "linear" and self.lr_scheduler is not None:
            self._lr_factor = factor
            for group, base in zip(self.optimizer.param_groups, self.lr_scheduler.base_lrs):
                group["lr"] = base * factor
        return super().training_step(model, inputs, num_items_in_batch)

    def log(self, logs: dict[str, float], *args: Any, **kwargs: Any) -> None:
        if "loss" in logs:
            logs = {**logs, **self.poseaug.last_logs, **self.schedule.counts()}
        super().log(logs, *args, **kwargs)

    def _save(self, output_dir: str | None = None, state_dict=None):  # noqa: ANN001
        super()._save(output_dir, state_dict)
        self.poseaug.save(output_dir or self.args.output_dir)

    def _save_checkpoint(self, model, trial):  # noqa: ANN001
        super()._save_checkpoint(model, trial)
        from transformers.trainer_utils import PREFIX_CHECKPOINT_DIR

        folder = Path(self._get_output_dir(trial=trial), f"{PREFIX_CHECKPOINT_DIR}-{self.state.global_step}")
        if folder.is_dir() and self.is_world_process_zero():
            torch.save(self.schedule.state_dict(), folder / POSEAUG_STATE)

    def _load_from_checkpoint(self, resume_from_checkpoint, model=None):  # noqa: ANN001
        super()._load_from_checkpoint(resume_from_checkpoint, model)
        folder = Path(resume_from_checkpoint)
        if (folder / POSEAUG_WEIGHTS).is_file():
            self.poseaug.load(folder)
        if (folder / POSEAUG_STATE).is_file():
            self.schedule.load_state_dict(torch.load(folder / POSEAUG_STATE, weights_only=True))


__all__ = [
    "CAMERA_FIELDS",
    "POSEAUG_TRAINING_DEFAULTS",
    "PoseAugModule",
    "PoseAugSchedule",
    "PoseAugTrainer",
    "camera_arrays",
    "check_pretrained_scale",
    "linear_decay_factor",
    "load_pretrained_lifter",
    "poseaug_config",
    "poseaug_schedule_length",
]
