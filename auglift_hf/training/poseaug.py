"""PoseAug as a training mode: generators and discriminators trained online against the lifter (``poseaug=true``).

PoseAug (Zhang et al., CVPR 2021; reference ``jfzhang95/PoseAug``) alternates whole epochs: generator/discriminator
training (collecting augmented poses), then the lifter on the augmented buffer, then on real data. Here the same
updates happen **per step** inside ``transformers.Trainer`` (so checkpoints, resume, model cards and DDP stay the
package's), in PoseAug's order:

1. generator step (Adam, lr 1e-4, grad-norm clip 1): ``w_2d * adv_2d(RT) + w_3d * adv_3d(BA) + w_diff * (BA range
   + BL rectified L2)`` plus, after ``warmup_steps``, the lifter feedback (hardness ratio of the lifter's error on
   the BA / RT pose over the original, kept in ``3->5 +- 2`` / ``17 +- 15``);
2. every ``discriminator_every`` (2) steps, the part-aware 3D discriminator on BA poses and the 2D discriminator on
   RT projections (real = the batch's poses; fake drawn through a 4096-sample history pool), LSGAN losses;
3. the lifter step on the real batch plus, after warm-up, the batch's RT-augmented poses (detached) that stay in
   the image, with depth for the augmented bodies from :func:`auglift_hf.simulation.poseaug.augmented_depth`.

PoseAug needs the absolute camera-frame pose, intrinsics and image size of each training sample, so the
training windows carry ``joints_cam``, ``focal``, ``center``, ``image_size``
(:class:`~auglift_hf.data.PoseWindowDataset` ``camera_fields=True``), and the lifter must be single-frame
(``num_frames=1``; PoseAug augments single poses). The generators' and discriminators' weights are written next
to the lifter (``poseaug.safetensors``, ``poseaug_config.json``) in every checkpoint and the final folder.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import torch
from torch import nn

from ..simulation.poseaug import (
    Discriminator2D,
    FakePool,
    PartAwareDiscriminator3D,
    PoseAugConfig,
    PoseAugmentor,
    augmented_depth,
    diff_range_loss,
    encode_like_processor,
    hardness_feedback_loss,
    inside_image,
    lsgan_loss,
    project_pinhole,
    rectified_l2,
)
from .trainer import LiftingTrainer

CAMERA_FIELDS = ("joints_cam", "focal", "center", "image_size")
POSEAUG_WEIGHTS = "poseaug.safetensors"
POSEAUG_CONFIG = "poseaug_config.json"


def _screen(uv: torch.Tensor, image_size: torch.Tensor) -> torch.Tensor:
    """Pixels ``(B, 17, 2)`` -> VideoPose3D screen coordinates (the 2D discriminator's input)."""
    w, h = image_size[:, 0:1, None], image_size[:, 1:2, None]
    return torch.cat([uv[..., :1] / w * 2 - 1, uv[..., 1:] / w * 2 - h / w], -1)


def _per_sample_mpjpe(model: nn.Module, keypoints: torch.Tensor, target_rel: torch.Tensor) -> torch.Tensor:
    poses = model(keypoints=keypoints).poses_3d[:, -1]  # (B, 17, 3), single-frame lifter
    return (poses - target_rel).norm(dim=-1).mean(-1)


class PoseAugModule(nn.Module):
    """Generators (:class:`PoseAugmentor`), discriminators, their optimisers and pools: one PoseAug step at a time.

    Args:
        processor: the lifter's :class:`~auglift_hf.PoseLiftingProcessor` (augmented poses are encoded like it).
        config: :class:`PoseAugConfig`. seed: seeds the generators' init, noise, pools and depth corruption.
        depth_mode: descriptor of the augmented bodies' depth (``"point"``/``"casp"``; ``"casp"`` when the
            processor has ``d_min``/``d_max``). depth_corruption: ``"default"``, a ``DepthCorruption`` or ``None``.
        total_steps: schedule length (the BA hardness target moves from its start to its end value).
    """

    def __init__(
        self,
        processor: Any,
        config: PoseAugConfig | None = None,
        seed: int = 0,
        depth_mode: str | None = None,
        depth_corruption: Any = "default",
        total_steps: int = 1000,
    ):
        super().__init__()
        self.cfg = config or PoseAugConfig()
        self.processor = processor
        torch.manual_seed(seed)  # parameter init (restored by the caller's set_seed afterwards is not needed)
        self.generator = PoseAugmentor(self.cfg)
        self.d3d = PartAwareDiscriminator3D(self.cfg)
        self.d2d = Discriminator2D()
        self.opt_g = torch.optim.Adam(self.generator.parameters(), lr=self.cfg.lr_generator)
        self.opt_d3d = torch.optim.Adam(self.d3d.parameters(), lr=self.cfg.lr_discriminator)
        self.opt_d2d = torch.optim.Adam(self.d2d.parameters(), lr=self.cfg.lr_discriminator)
        self.pool_3d, self.pool_2d = (
            FakePool(self.cfg.fake_pool_size, seed),
            FakePool(self.cfg.fake_pool_size, seed + 1),
        )
        self.rng = torch.Generator().manual_seed(seed)
        channels = list(processor.input_channels)
        self.needs_depth = bool(getattr(processor, "needs_depth", False))
        self.depth_mode = depth_mode or ("casp" if {"d_min", "d_max"} & set(channels) else "point")
        self.depth_corruption = depth_corruption
        self.total_steps = max(int(total_steps), 1)
        self.step_count = 0
        self.last_logs: dict[str, float] = {}

    # ------------------------------------------------------------------ helpers
    def _depth(self, pose: torch.Tensor, f: torch.Tensor, c: torch.Tensor, size: torch.Tensor) -> torch.Tensor | None:
        if not self.needs_depth:
            return None
        seed = int(torch.randint(0, 2**31 - 1, (1,), generator=self.rng))
        return augmented_depth(
            pose, f, c, size, mode=self.depth_mode, corruption=self.depth_corruption, generator=seed
        )

    def encode(self, pose: torch.Tensor, f: torch.Tensor, c: torch.Tensor, size: torch.Tensor, depth=None):
        """Augmented poses ``(B, 17, 3)`` -> lifter inputs ``(B, 1, 17, C)`` (processor conventions), 2D pixels."""
        uv = project_pinhole(pose, f, c)
        if depth is None:
            depth = self._depth(pose, f, c, size)
        return encode_like_processor(self.processor, uv, size, depth)[:, None], uv

    def _hardness_target(self) -> float:
        start, end = self.cfg.hardratio_ba
        return start + (end - start) * min(self.step_count / self.total_steps, 1.0)

    # ------------------------------------------------------------------ one PoseAug step
    def step(self, batch: dict[str, torch.Tensor], lifter: nn.Module) -> dict[str, torch.Tensor] | None:
        """Update generators (and discriminators every ``discriminator_every`` steps); return augmented samples.

        Args:
            batch: ``keypoints (B, 1, 17, C)``, ``labels (B, 1, 17, 3)`` and the :data:`CAMERA_FIELDS`.
            lifter: the lifter (its parameters get no gradient from this call).

        Returns:
            ``{"keypoints", "labels"}`` of the in-image RT-augmented poses after warm-up, else ``None``.
        """
        missing = [k for k in CAMERA_FIELDS if k not in batch]
        if missing:
            raise ValueError(
                f"PoseAug needs {list(CAMERA_FIELDS)} in every batch (camera_fields=True); missing {missing}"
            )
        cfg = self.cfg
        dev = batch["keypoints"].device
        self.generator.to(dev), self.d3d.to(dev), self.d2d.to(dev)
        pose = batch["joints_cam"].float()
        f, c, size = batch["focal"].float(), batch["center"].float(), batch["image_size"].float()
        warm = self.step_count >= cfg.warmup_steps
        self.generator.train()
        out = self.generator(pose, generator=self.rng)
        uv_real = project_pinhole(pose, f, c)
        uv_rt = project_pinhole(out["pose_rt"], f, c)
        adv_3d = lsgan_loss(self.d3d(out["pose_ba"]), real=True)
        adv_2d = lsgan_loss(self.d2d(_screen(uv_rt, size)), real=True)
        diff = diff_range_loss(out["ba_diff"].mean(-1), cfg.ba_range_m, cfg.ba_range_w) + rectified_l2(
            out["blr"], cfg.blr_limit
        )
        loss = cfg.loss_weight_adv_2d * adv_2d + cfg.loss_weight_adv_3d * adv_3d + cfg.loss_weight_diff * diff
        depth_rt = None
        feedback = torch.zeros((), device=dev)
        if warm:
            target_rel = batch["labels"][:, -1].float()
            with torch.no_grad():
                err_orig = _per_sample_mpjpe(lifter, batch["keypoints"].float(), target_rel)
            pose_ba, pose_rt = out["pose_ba"], out["pose_rt"]
            depth_ba = self._depth(pose_ba, f, c, size)
            depth_rt = self._depth(pose_rt, f, c, size)
            x_ba, _ = self.encode(pose_ba, f, c, size, depth_ba)
            x_rt, _ = self.encode(pose_rt, f, c, size, depth_rt)
            err_ba = _per_sample_mpjpe(lifter, x_ba, pose_ba - pose_ba[:, :1])
            err_rt = _per_sample_mpjpe(lifter, x_rt, pose_rt - pose_rt[:, :1])
            feedback = cfg.feedback_weight_ba * hardness_feedback_loss(
                err_ba, err_orig, self._hardness_target(), cfg.hardratio_std_ba
            ) + cfg.feedback_weight_rt * hardness_feedback_loss(
                err_rt, err_orig, sum(cfg.hardratio_rt) / 2, cfg.hardratio_std_rt
            )
            loss = loss + feedback
        params = [p for p in self.generator.parameters() if p.requires_grad]
        grads = torch.autograd.grad(loss, params, allow_unused=True)
        self.opt_g.zero_grad(set_to_none=True)
        for p, g in zip(params, grads):
            p.grad = g
        nn.utils.clip_grad_norm_(params, max_norm=1.0)
        self.opt_g.step()

        if self.step_count % cfg.discriminator_every == 0:
            for disc, opt, real, fake in (
                (self.d3d, self.opt_d3d, pose, self.pool_3d(out["pose_ba"])),
                (self.d2d, self.opt_d2d, _screen(uv_real, size), self.pool_2d(_screen(uv_rt, size))),
            ):
                opt.zero_grad(set_to_none=True)
                d_loss = 0.5 * (lsgan_loss(disc(real.detach()), True) + lsgan_loss(disc(fake.detach()), False))
                d_loss.backward()
                nn.utils.clip_grad_norm_(disc.parameters(), max_norm=1.0)
                opt.step()
                self.last_logs[f"poseaug_{'d3d' if disc is self.d3d else 'd2d'}_loss"] = float(d_loss.detach())
        self.step_count += 1
        angle = torch.rad2deg(torch.acos((1 - out["ba_diff"].detach()).clamp(-1, 1))).mean()
        self.last_logs.update(
            poseaug_gen_loss=float(loss.detach()), poseaug_feedback=float(feedback.detach()),
            poseaug_ba_angle_deg=float(angle), poseaug_blr_abs=float(out["blr"].detach().abs().mean()),
        )  # fmt: skip
        if not warm:
            return None
        with torch.no_grad():
            pose_rt = out["pose_rt"].detach()
            keep = inside_image(uv_rt.detach(), pose_rt, size)
            self.last_logs["poseaug_kept"] = float(keep.float().mean())
            if not keep.any():
                return None
            x_rt, _ = self.encode(
                pose_rt[keep], f[keep], c[keep], size[keep], None if depth_rt is None else depth_rt[keep]
            )
            labels = (pose_rt[keep] - pose_rt[keep][:, :1])[:, None]
        return {"keypoints": x_rt.to(batch["keypoints"].dtype), "labels": labels.to(batch["labels"].dtype)}

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
        meta = {"config": self.cfg.to_dict(), "step": self.step_count, "depth_mode": self.depth_mode}
        (folder / POSEAUG_CONFIG).write_text(json.dumps(meta, indent=2, default=str))

    def load(self, folder: str | os.PathLike) -> None:
        """Restore the weights and step counter written by :meth:`save` (resume)."""
        from safetensors.torch import load_file

        folder = Path(folder)
        path = folder / POSEAUG_WEIGHTS
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no PoseAug weights to resume from")
        state = load_file(str(path))
        for prefix, module in (("generator.", self.generator), ("d3d.", self.d3d), ("d2d.", self.d2d)):
            module.load_state_dict({k[len(prefix) :]: v for k, v in state.items() if k.startswith(prefix)})
        meta = json.loads((folder / POSEAUG_CONFIG).read_text())
        self.step_count = int(meta.get("step", 0))


class PoseAugTrainer(LiftingTrainer):
    """:class:`LiftingTrainer` whose training step first runs a PoseAug step and adds the augmented poses.

    Checkpoints and the final folder also hold the PoseAug weights (:meth:`PoseAugModule.save`).
    """

    def __init__(self, *args: Any, poseaug: PoseAugModule, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.poseaug = poseaug

    def training_step(self, model, inputs, num_items_in_batch=None):  # noqa: ANN001
        inputs = self._prepare_inputs(inputs)
        aug = self.poseaug.step(inputs, model)
        lifter_inputs = {"keypoints": inputs["keypoints"], "labels": inputs["labels"]}
        if aug is not None:
            lifter_inputs = {k: torch.cat([lifter_inputs[k], aug[k].to(lifter_inputs[k])]) for k in lifter_inputs}
        return super().training_step(model, lifter_inputs, num_items_in_batch)

    def log(self, logs: dict[str, float], *args: Any, **kwargs: Any) -> None:
        if "loss" in logs:
            logs = {**logs, **self.poseaug.last_logs}
        super().log(logs, *args, **kwargs)

    def _save(self, output_dir: str | None = None, state_dict=None):  # noqa: ANN001
        super()._save(output_dir, state_dict)
        self.poseaug.save(output_dir or self.args.output_dir)

    def _load_from_checkpoint(self, resume_from_checkpoint, model=None):  # noqa: ANN001
        super()._load_from_checkpoint(resume_from_checkpoint, model)
        if Path(resume_from_checkpoint, POSEAUG_WEIGHTS).is_file():
            self.poseaug.load(resume_from_checkpoint)


__all__ = ["CAMERA_FIELDS", "PoseAugModule", "PoseAugTrainer"]
