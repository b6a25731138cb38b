"""PoseAug's differentiable pose augmentor and discriminators (Zhang et al., CVPR 2021), on H36M-17.

A re-implementation from the paper and the public reference (``jfzhang95/PoseAug``: ``models_poseaug/``,
``utils/gan_utils.py``), adapted from its 16-joint skeleton (no nose) to the package's H36M-17 (16 bones
``auglift_hf.skeleton.H36M_BONES``; bone ``b`` joins joint ``b + 1`` to its parent). All poses are camera-frame
metres ``(batch, 17, 3)``, x right, y down, z forward.

* :class:`BoneAngleGenerator` (BA): an MLP on the root-relative pose + noise predicts a residual for every bone's
  unit vector; bone lengths are kept, the two spine bones (pelvis-spine, spine-thorax) are not changed (so BA
  cannot rotate the whole body, as PoseAug). Returns ``ba_diff = 1 - cos(angle change)`` per bone.
* :class:`BoneLengthGenerator` (BL): predicts one length ratio per symmetric bone group (10 groups on H36M-17,
  PoseAug has 9: the neck and head bones are separate here), ``tanh``-limited to ``+-blr_tanhlimit`` (0.2, PoseAug);
  the spine-thorax group is masked to 0 as PoseAug masks its 5th group (a tall person far away and a short one
  close look alike).
* :class:`RotationTranslationGenerator` (RT): angle-axis rotation ``tanh(.) * max_rotation`` (PoseAug: pi) about the
  root and a new root position. ``rt_translation="official"`` (default): the root is generated freely and the
  original root is dropped, ``pose_rt = R (pose_bl - root_bl) + t`` with ``t = (w_x, w_y, w_z^2)`` the raw MLP output
  (``models_poseaug/gan_generator.py:222-231``); poses that leave the image are dropped afterwards
  (:func:`auglift_hf.simulation.poseaug.augment.inside_image`). ``rt_translation="bounded"`` (the port's earlier
  choice, kept as an option): the original root moved by a bounded offset (``x, y += tanh(.) * max_shift * z``,
  ``z *= exp(tanh(.) * log(max_depth_factor))``), so every generated pose stays in front of the camera from the
  first step. Their camera distances are measured in ``benchmarks/scale_poseaug/measure_rt.py``.
* :class:`PartAwareDiscriminator3D`: PoseAug's part-aware KCS discriminator (5 parts: torso, both arms, both
  legs; KCS matrix ``B B^T`` of the part's **unit** bone vectors, so only bone angles are judged), one score per part.
* :class:`Discriminator2D`: PoseAug's residual MLP on the 2D pose (screen-normalised ``x, y`` of 17 joints).
* :func:`random_bone_length_swap`: PoseAug's per-epoch ``random_bl_aug`` (``gan_generator.py:300-323``, called by
  ``function_poseaug/dataloader_update.py:39``): every pose takes the bone lengths of a random template.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import torch
from torch import nn

from ...skeleton import H36M_BONES, NUM_JOINTS
from ..proportions import POSEAUG_FIXED_GROUPS, SYMMETRIC_BONE_GROUPS, ancestry_matrix

NUM_BONES = len(H36M_BONES)  # 16
_CHILD = [c for c, _ in H36M_BONES]
_PARENT = [p for _, p in H36M_BONES]


_ANCESTRY = torch.from_numpy(ancestry_matrix()).float()  # (17, 16) root-to-joint bones

#: Symmetric bone groups of BL (indices into the 16 bones): hip, thigh, shin, pelvis-spine, spine-thorax, neck,
#: head, shoulder, upper arm, forearm.
BL_GROUPS: tuple[tuple[int, ...], ...] = SYMMETRIC_BONE_GROUPS
#: Groups BL may change (PoseAug masks the 5th of its 9, the spine-thorax segment).
BL_GROUP_MASK: tuple[float, ...] = tuple(float(g not in POSEAUG_FIXED_GROUPS) for g in range(len(BL_GROUPS)))
#: Bones BA leaves unchanged (PoseAug: "fix bone segment from pelvis to thorax").
BA_FIXED_BONES: tuple[int, ...] = (6, 7)
#: Bones of each part seen by the part-aware 3D discriminator (PoseAug's hb/lh/rh/ll/rl on H36M-17).
DISCRIMINATOR_PARTS: dict[str, tuple[int, ...]] = {
    "torso": (0, 3, 6, 7, 8, 9, 10, 13),
    "left_arm": (7, 10, 11, 12),
    "right_arm": (7, 13, 14, 15),
    "left_leg": (0, 3, 4, 5, 6),
    "right_leg": (0, 1, 2, 3, 6),
}


def bone_vectors(pose: torch.Tensor) -> torch.Tensor:
    """``(B, 17, 3) -> (B, 16, 3)``: child minus parent of every H36M bone."""
    return pose[:, _CHILD] - pose[:, _PARENT]


def pose_from_bones(bones: torch.Tensor) -> torch.Tensor:
    """Inverse of :func:`bone_vectors` with the root at the origin: ``(B, 16, 3) -> (B, 17, 3)``."""
    return torch.einsum("jb,nbc->njc", _ANCESTRY.to(bones), bones)


def axis_angle_to_matrix(axis_angle: torch.Tensor) -> torch.Tensor:
    """Rodrigues: ``(B, 3)`` angle-axis (radians) -> ``(B, 3, 3)`` rotation matrices (differentiable)."""
    theta = axis_angle.norm(dim=-1, keepdim=True).clamp(min=1e-8)
    k = axis_angle / theta
    kx, ky, kz = k.unbind(-1)
    zero = torch.zeros_like(kx)
    kmat = torch.stack([zero, -kz, ky, kz, zero, -kx, -ky, kx, zero], -1).view(-1, 3, 3)
    s, c = torch.sin(theta)[..., None], torch.cos(theta)[..., None]
    eye = torch.eye(3, dtype=axis_angle.dtype, device=axis_angle.device).expand_as(kmat)
    return eye + s * kmat + (1 - c) * kmat @ kmat


#: PoseAug's per-joint weights of the feedback error (``model_gan_train.py:127``, 16 joints without the nose) on
#: H36M-17 (official joint ``i >= 9`` is H36M-17 joint ``i + 1``; the nose, 9, has no weight).
FEEDBACK_JOINT_WEIGHTS: tuple[float, ...] = (1, 5, 2, 1, 5, 2, 1, 1, 1, 0, 1, 5, 2, 1, 5, 2, 1)
#: PoseAug's three joint groups of the feedback (``model_gan_train.py:130-134``) on H36M-17: hips and shoulders,
#: knees / head / elbows, feet and wrists.
FEEDBACK_JOINT_GROUPS: tuple[tuple[int, ...], ...] = ((1, 4, 11, 14), (2, 5, 10, 12, 15), (3, 6, 13, 16))

_CHOICES = {
    "adversarial_loss": ("official", "fake_only"),
    "feedback_error": ("grouped", "mpjpe"),
    "rt_translation": ("official", "bounded"),
    "keep_rule": ("inside_image", "official"),
}


@dataclass
class PoseAugConfig:
    """Hyper-parameters of PoseAug (defaults = the reference ``function_poseaug/config.py`` unless noted).

    Named options (official value first; the other is the port's earlier behaviour, kept for comparison):

    * ``adversarial_loss``: ``"official"`` = ``0.5 * [MSE(D(real), 0) + MSE(D(fake), 1)]`` per discriminator
      (``model_gan_train.py:21-46``; the real term carries no gradient to the generators), ``"fake_only"`` =
      ``MSE(D(fake), 1)`` (twice the official gradient).
    * ``feedback_error``: ``"grouped"`` = the lifter's per-sample error in PoseAug's 3 weighted joint groups
      (:data:`FEEDBACK_JOINT_GROUPS`, ``model_gan_train.py:123-135``), ``"mpjpe"`` = per-sample MPJPE.
    * ``rt_translation``: ``"official"`` (free root, ``t_z = w^2``) or ``"bounded"`` (see the module docstring).
    * ``keep_rule``: which generated poses enter the lifter's buffer: ``"inside_image"`` (default, the port's:
      every joint in front of the camera and inside the image) or ``"official"`` (no screen-normalised coordinate
      above 1, ``model_gan_train.py:310``: one-sided, it keeps poses beyond the left / top edge and behind the
      camera, which cannot be rendered nor given depth here, hence not the default).
    * ``bone_length_swap``: PoseAug's per-epoch random bone-length template swap of the GAN's input poses.
    """

    noise_channels: int = 48  # generator noise width
    hidden_size: int = 256  # generator MLP width (gan_generator.py:75 linear_size=256)
    num_stages: int = 2
    blr_tanhlimit: float = 0.2  # bone-length ratio limit (+-20 %)
    blr_limit: float = 0.1  # rectified-L2 threshold of the BL regulariser
    ba_range_m: float = 0.205  # target mean (1 - cos) of BA changes ...
    ba_range_w: float = 0.165  # ... and its accepted half-width
    max_rotation: float = math.pi  # RT angle-axis limit (PoseAug: tanh(.) * 3.1415)
    max_shift: float = 0.15  # RT root shift in x, y as a fraction of its depth (deviation, see module docstring)
    max_depth_factor: float = 1.5  # RT root depth factor range [1 / f, f] (deviation, see module docstring)
    kcs_channels: int = 256  # 3D discriminator width (PosDiscriminator.py:32 kcs_channel=256)
    d2d_width: int = 100  # 2D discriminator width (PosDiscriminator.py:141-147)
    lr_generator: float = 1e-4  # lr_g
    lr_discriminator: float = 1e-4  # lr_d
    discriminator_every: int = 2  # PoseAug's `df` (counted over all GAN iterations, model_gan_train.py:293)
    warmup_epochs: int = 2  # PoseAug's `warmup`: GAN-only epochs before feedback and lifter training
    loss_weight_adv_2d: float = 1.0  # gloss_factord2d
    loss_weight_adv_3d: float = 6.0  # gloss_factord3d
    loss_weight_diff: float = 3.0  # gloss_factordiff
    feedback_weight_ba: float = 0.1  # gloss_factorfeedback_ba
    feedback_weight_rt: float = 0.01  # gloss_factorfeedback_rt
    feedback_div_weight_ba: float = 0.0  # gloss_factordiv_ba ("not in use", 0)
    feedback_div_weight_rt: float = 0.0  # gloss_factordiv_rt ("not in use", 0)
    hardratio_ba: tuple[float, float] = (3.0, 5.0)  # start, end of the BA hardness target (hardratio_ba_s, _ba)
    hardratio_std_ba: float = 2.0
    hardratio_rt: tuple[float, float] = (17.0, 17.0)
    hardratio_std_rt: float = 15.0
    fake_pool_size: int = 4096  # Shrivastava et al.'s history pool for the discriminators
    adversarial_loss: str = "official"
    feedback_error: str = "grouped"
    rt_translation: str = "official"
    keep_rule: str = "inside_image"
    bone_length_swap: bool = True
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        for name, allowed in _CHOICES.items():
            if getattr(self, name) not in allowed:
                raise ValueError(f"PoseAugConfig.{name} must be one of {allowed}, got {getattr(self, name)!r}")
        self.hardratio_ba, self.hardratio_rt = tuple(self.hardratio_ba), tuple(self.hardratio_rt)
        if self.warmup_epochs < 0 or self.discriminator_every < 1:
            raise ValueError(
                f"PoseAugConfig: warmup_epochs must be >= 0 and discriminator_every >= 1, got {self.warmup_epochs} "
                f"and {self.discriminator_every}"
            )

    def to_dict(self) -> dict:
        return asdict(self)


class _Stage(nn.Module):
    """PoseAug's ``Linear`` block: two (Linear, BatchNorm, LeakyReLU) layers."""

    def __init__(self, size: int):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(size, size), nn.BatchNorm1d(size), nn.LeakyReLU(),
            nn.Linear(size, size), nn.BatchNorm1d(size), nn.LeakyReLU(),
        )  # fmt: skip

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def _mlp(in_size: int, out_size: int, cfg: PoseAugConfig) -> nn.Sequential:
    layers = [nn.Linear(in_size, cfg.hidden_size), nn.BatchNorm1d(cfg.hidden_size), nn.LeakyReLU()]
    layers += [_Stage(cfg.hidden_size) for _ in range(cfg.num_stages)]
    return nn.Sequential(*layers, nn.Linear(cfg.hidden_size, out_size))


class BoneAngleGenerator(nn.Module):
    """BA: ``(B, 17, 3)`` pose -> pose with changed bone directions (same lengths, same root), ``ba_diff (B, 16)``."""

    def __init__(self, cfg: PoseAugConfig):
        super().__init__()
        self.cfg = cfg
        self.net = _mlp(NUM_JOINTS * 3 + cfg.noise_channels, NUM_BONES * 3, cfg)
        mask = torch.ones(NUM_BONES, 1)
        mask[list(BA_FIXED_BONES)] = 0
        self.register_buffer("mask", mask, persistent=False)

    def forward(self, pose: torch.Tensor, generator: torch.Generator | None = None):
        root = pose[:, :1]
        rel = pose - root
        bones = bone_vectors(rel)
        length = bones.norm(dim=-1, keepdim=True).clamp(min=1e-8)
        unit = bones / length
        noise = torch.randn(pose.shape[0], self.cfg.noise_channels, generator=generator, dtype=pose.dtype)
        delta = self.net(torch.cat([rel.flatten(1), noise.to(pose.device)], 1)).view(-1, NUM_BONES, 3)
        new_unit = unit + delta
        new_unit = new_unit / new_unit.norm(dim=-1, keepdim=True).clamp(min=1e-8)
        new_unit = new_unit * self.mask + unit * (1 - self.mask)
        ba_diff = 1 - (new_unit * unit).sum(-1)
        return pose_from_bones(new_unit * length) + root, ba_diff


class BoneLengthGenerator(nn.Module):
    """BL: pose -> pose with bone lengths scaled by ``1 + blr`` per symmetric group, ``blr (B, 10)`` in ``+-limit``."""

    def __init__(self, cfg: PoseAugConfig):
        super().__init__()
        self.cfg = cfg
        self.net = _mlp(NUM_JOINTS * 3 + NUM_BONES + cfg.noise_channels, len(BL_GROUPS), cfg)
        expand = torch.zeros(len(BL_GROUPS), NUM_BONES)
        for g, bones in enumerate(BL_GROUPS):
            expand[g, list(bones)] = 1.0
        self.register_buffer("expand", expand, persistent=False)
        self.register_buffer("group_mask", torch.tensor(BL_GROUP_MASK, dtype=torch.float32), persistent=False)

    def forward(self, source: torch.Tensor, pose: torch.Tensor, generator: torch.Generator | None = None):
        """``source``: the original pose (conditions the ratios); ``pose``: the pose to change (BA's output)."""
        rel_src = source - source[:, :1]
        noise = torch.randn(source.shape[0], self.cfg.noise_channels, generator=generator, dtype=source.dtype)
        lengths_src = bone_vectors(rel_src).norm(dim=-1)
        raw = self.net(torch.cat([rel_src.flatten(1), lengths_src, noise.to(source.device)], 1))
        blr = torch.tanh(raw * self.group_mask) * self.cfg.blr_tanhlimit  # masked groups: tanh(0) = 0
        root = pose[:, :1]
        bones = bone_vectors(pose - root)
        ratio = 1 + blr @ self.expand.to(blr)  # (B, 16)
        return pose_from_bones(bones * ratio[..., None]) + root, blr


class RotationTranslationGenerator(nn.Module):
    """RT: rotate the pose about its root and place the root (``rt_translation``; see the module docstring)."""

    def __init__(self, cfg: PoseAugConfig):
        super().__init__()
        self.cfg = cfg
        self.net_r = _mlp(NUM_JOINTS * 3 + cfg.noise_channels, 3, cfg)
        self.net_t = _mlp(NUM_JOINTS * 3 + cfg.noise_channels, 3, cfg)

    def forward(self, source: torch.Tensor, pose: torch.Tensor, generator: torch.Generator | None = None):
        rel_src = (source - source[:, :1]).flatten(1)
        n = source.shape[0]
        noise_r = torch.randn(n, self.cfg.noise_channels, generator=generator, dtype=source.dtype).to(source.device)
        noise_t = torch.randn(n, self.cfg.noise_channels, generator=generator, dtype=source.dtype).to(source.device)
        r = torch.tanh(self.net_r(torch.cat([rel_src, noise_r], 1))) * self.cfg.max_rotation
        rot = axis_angle_to_matrix(r)
        rel = pose - pose[:, :1]
        raw_t = self.net_t(torch.cat([rel_src, noise_t], 1))
        if self.cfg.rt_translation == "official":  # gan_generator.py:222-231: t = (w_x, w_y, w_z^2), root dropped
            t = torch.cat([raw_t[:, :2], raw_t[:, 2:3] ** 2], 1)
            return rel @ rot.transpose(1, 2) + t[:, None], (r, t)
        t = torch.tanh(raw_t)
        root = source[:, 0]
        z = root[:, 2:3] * torch.exp(t[:, 2:3] * math.log(self.cfg.max_depth_factor))
        xy = root[:, :2] + t[:, :2] * self.cfg.max_shift * root[:, 2:3]
        new_root = torch.cat([xy * z / root[:, 2:3], z], 1)  # keep the shifted direction, change the distance
        return rel @ rot.transpose(1, 2) + new_root[:, None], (r, t)


class PoseAugmentor(nn.Module):
    """BA -> BL -> RT, as PoseAug's ``PoseGenerator``; returns every stage (dict of tensors)."""

    def __init__(self, cfg: PoseAugConfig | None = None):
        super().__init__()
        self.cfg = cfg or PoseAugConfig()
        self.ba = BoneAngleGenerator(self.cfg)
        self.bl = BoneLengthGenerator(self.cfg)
        self.rt = RotationTranslationGenerator(self.cfg)
        self.apply(_init_weights)

    def forward(self, pose: torch.Tensor, generator: torch.Generator | None = None) -> dict[str, torch.Tensor]:
        """``pose``: ``(B, 17, 3)`` camera-frame metres (absolute; the root gives the camera distance)."""
        if pose.ndim != 3 or pose.shape[1:] != (NUM_JOINTS, 3):
            raise ValueError(f"PoseAugmentor: `pose` must have shape (batch, 17, 3) metres, got {tuple(pose.shape)}")
        pose_ba, ba_diff = self.ba(pose, generator)
        pose_bl, blr = self.bl(pose, pose_ba, generator)
        pose_rt, (r, t) = self.rt(pose, pose_bl, generator)
        return {"pose_ba": pose_ba, "ba_diff": ba_diff, "pose_bl": pose_bl, "blr": blr, "pose_rt": pose_rt,
                "rotation": r, "translation": t}  # fmt: skip


class _KCSPath(nn.Module):
    """PoseAug's ``KCSpath``: 3 linear layers with a skip, then 2 to one score."""

    def __init__(self, in_size: int, channels: int, channels_mid: int = 100):
        super().__init__()
        self.l1, self.l2, self.l3 = (
            nn.Linear(in_size, channels),
            nn.Linear(channels, channels),
            nn.Linear(channels, channels),
        )
        self.last, self.pred = nn.Linear(channels, channels_mid), nn.Linear(channels_mid, 1)
        self.act = nn.LeakyReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        psi = self.act(self.l1(x))
        d2 = self.l3(self.act(self.l2(psi))) + psi
        return self.pred(self.act(self.last(d2)))


class PartAwareDiscriminator3D(nn.Module):
    """Part-aware KCS discriminator: ``(B, 17, 3)`` -> ``(B, 5)`` scores (one per part of :data:`DISCRIMINATOR_PARTS`)."""

    def __init__(self, cfg: PoseAugConfig | None = None):
        super().__init__()
        cfg = cfg or PoseAugConfig()
        masks = torch.zeros(len(DISCRIMINATOR_PARTS), NUM_BONES)
        for i, bones in enumerate(DISCRIMINATOR_PARTS.values()):
            masks[i, list(bones)] = 1.0
        self.register_buffer("masks", masks, persistent=False)
        self.paths = nn.ModuleList(_KCSPath(NUM_BONES * NUM_BONES, cfg.kcs_channels) for _ in DISCRIMINATOR_PARTS)
        self.apply(_init_weights)

    def forward(self, pose: torch.Tensor) -> torch.Tensor:
        bones = bone_vectors(pose - pose[:, :1])
        unit = bones / bones.norm(dim=-1, keepdim=True).clamp(min=1e-8)
        out = []
        for mask, path in zip(self.masks, self.paths):
            b = unit * mask[None, :, None]
            out.append(path((b @ b.transpose(1, 2)).flatten(1)))  # KCS matrix of the part
        return torch.cat(out, 1)


class Discriminator2D(nn.Module):
    """PoseAug's 2D discriminator: ``(B, 17, 2)`` screen-normalised keypoints -> ``(B, 1)`` score."""

    def __init__(self, width: int = 100):
        super().__init__()
        self.l1, self.l2 = nn.Linear(NUM_JOINTS * 2, width), nn.Linear(width, width)
        self.l3, self.l4 = nn.Linear(width, width), nn.Linear(width, width)
        self.last, self.pred = nn.Linear(width, width), nn.Linear(width, 1)
        self.act = nn.LeakyReLU()
        self.apply(_init_weights)

    def forward(self, xy: torch.Tensor) -> torch.Tensor:
        d1 = self.act(self.l1(xy.flatten(1)))
        d2 = self.act(self.l2(d1))
        d3 = self.act(self.l3(d2) + d1)
        return self.pred(self.act(self.last(self.l4(d3))))


def bone_length_templates(poses: torch.Tensor, decimals: int = 3, max_templates: int = 1000, seed: int = 0):
    """Distinct bone-length vectors ``(K, 16)`` (metres, rounded to ``decimals``) of ``poses`` ``(N, 17, 3)``.

    PoseAug's templates are one vector per H36M training subject (``hm36s15678_bl_templates.npy``, shape
    ``(5, 15)``); a table whose lengths vary per frame gives more rows, subsampled (seeded) to ``max_templates``.
    """
    lengths = torch.round(bone_vectors(poses - poses[:, :1]).norm(dim=-1) * 10**decimals) / 10**decimals
    unique = torch.unique(lengths, dim=0)
    if len(unique) > max_templates:
        keep = torch.randperm(len(unique), generator=torch.Generator().manual_seed(seed))[:max_templates]
        unique = unique[keep.sort().values]
    return unique


def random_bone_length_swap(
    poses: torch.Tensor, templates: torch.Tensor, generator: torch.Generator | None = None
) -> torch.Tensor:
    """PoseAug's ``random_bl_aug`` (``gan_generator.py:300-323``): each pose ``(N, 17, 3)`` keeps its bone
    directions and root and takes the bone lengths of a template drawn uniformly from ``templates`` ``(K, 16)``."""
    root = poses[:, :1]
    bones = bone_vectors(poses - root)
    unit = bones / bones.norm(dim=-1, keepdim=True).clamp(min=1e-8)
    idx = torch.randint(0, len(templates), (len(poses),), generator=generator)
    return pose_from_bones(unit * templates[idx].to(unit)[..., None]) + root


def _init_weights(module: nn.Module) -> None:
    """PoseAug's ``init_weights``: Kaiming-normal weights of every Linear layer."""
    if isinstance(module, nn.Linear):
        nn.init.kaiming_normal_(module.weight)


__all__ = [
    "BL_GROUPS",
    "DISCRIMINATOR_PARTS",
    "FEEDBACK_JOINT_GROUPS",
    "FEEDBACK_JOINT_WEIGHTS",
    "BoneAngleGenerator",
    "BoneLengthGenerator",
    "Discriminator2D",
    "PartAwareDiscriminator3D",
    "PoseAugConfig",
    "PoseAugmentor",
    "RotationTranslationGenerator",
    "axis_angle_to_matrix",
    "bone_length_templates",
    "bone_vectors",
    "pose_from_bones",
    "random_bone_length_swap",
]
