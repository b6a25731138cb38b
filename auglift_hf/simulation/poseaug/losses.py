"""PoseAug's losses (re-implemented from the paper and ``jfzhang95/PoseAug`` ``utils/loss.py`` / ``model_gan_train.py``).

* adversarial: least-squares GAN (``MSELoss`` against labels 1 = real, 0 = fake). The discriminators minimise
  ``0.5 * [MSE(D(real), 1) + MSE(D(fake), 0)]`` (``model_gan_train.py:64-68``); the generators minimise
  :func:`generator_adversarial_loss`, ``0.5 * [MSE(D(real), 0) + MSE(D(fake), 1)]`` (``model_gan_train.py:33-36``);
* ``diff_range_loss(a, m, w)``: ``(a - m)^2`` where ``|a - m| > w``, else 0 (keeps BA's mean ``1 - cos`` in
  ``[m - w, m + w]`` = [0.04, 0.37] with PoseAug's 0.205 / 0.165);
* ``rectified_l2(x, b)``: ``x^2`` where ``|x| > b`` (BL ratios beyond +-0.1 cost);
* feedback ("hardness"): the lifter's error on the augmented pose divided by its error on the original, per sample
  and per joint group (:func:`grouped_joint_errors`, ``model_gan_train.py:123-135``), should stay within
  ``target +- std`` (BA: target 3 -> 5 over the epochs, std 2; RT: 17 +- 15): :func:`hardness_feedback_loss`
  (``fix_hardratio``, ``model_gan_train.py:143-162``) and :func:`hardness_target` (``update_hardratio``, :137-138).
"""

from __future__ import annotations

import torch


def diff_range_loss(a: torch.Tensor, target: float, width: float) -> torch.Tensor:
    """Mean of ``(a - target)^2`` over the entries outside ``target +- width`` (0 inside)."""
    diff = (a - target) ** 2
    return (diff * (diff > width**2).to(diff)).mean()


def rectified_l2(x: torch.Tensor, threshold: float) -> torch.Tensor:
    """Mean of ``x^2`` over the entries with ``|x| > threshold`` (0 inside)."""
    sq = x**2
    return (sq * (sq > threshold**2).to(sq)).mean()


def lsgan_loss(scores: torch.Tensor, real: bool) -> torch.Tensor:
    """Least-squares GAN loss of discriminator ``scores`` against label 1 (``real``) or 0."""
    return ((scores - (1.0 if real else 0.0)) ** 2).mean()


def generator_adversarial_loss(d_real: torch.Tensor, d_fake: torch.Tensor) -> torch.Tensor:
    """PoseAug's ``get_adv_loss`` (``model_gan_train.py:21-46``): ``0.5 * [MSE(D(real), 0) + MSE(D(fake), 1)]``.

    The real term does not depend on the generators (its gradient is 0); it only enters the logged value. The
    generators' gradient is half that of ``lsgan_loss(d_fake, real=True)``.
    """
    return 0.5 * (lsgan_loss(d_real, real=False) + lsgan_loss(d_fake, real=True))


def grouped_joint_errors(
    pred: torch.Tensor, target: torch.Tensor, weights: torch.Tensor, groups: tuple[tuple[int, ...], ...]
) -> torch.Tensor:
    """PoseAug's ``get_posenet_loss`` (``model_gan_train.py:123-135``): ``(B, 17, 3)`` -> ``(B, len(groups))``.

    Per joint Euclidean error times ``weights`` ``(17,)``, averaged inside each group of joint indices.
    """
    err = (pred - target).norm(dim=-1) * weights.to(pred)
    return torch.stack([err[:, list(g)].mean(-1) for g in groups], -1)


def hardness_target(start: float, end: float, epoch: int, total_epochs: int) -> float:
    """``update_hardratio`` (``model_gan_train.py:137-138``): ``start + (end - start) * epoch / total_epochs``
    (``epoch`` 1-based, as PoseAug's ``summary.epoch`` during its GAN pass)."""
    return start + (end - start) * epoch / max(total_epochs, 1)


def hardness_feedback_loss(
    err_aug: torch.Tensor,
    err_orig: torch.Tensor,
    target: float,
    std: float,
    weight: float = 1.0,
    div_weight: float = 0.0,
    eps: float = 1e-6,
) -> torch.Tensor:
    """PoseAug's ``fix_hardratio`` (``model_gan_train.py:143-162``) on errors of any shape (``(B, 3)`` grouped).

    ``ratio = err_aug / err_orig``; returns ``weight * diff_range_loss(ratio, target, std) + div_weight *
    (std(ratio) - std)^2`` (PoseAug's ``gloss_factorfeedback`` and ``gloss_factordiv``, the latter 0 there).
    ``eps`` guards a zero original error (the official divides without a guard).
    """
    ratio = err_aug / err_orig.clamp(min=eps)
    loss = weight * diff_range_loss(ratio, target, std)
    if div_weight:
        loss = loss + div_weight * (ratio.std() - std) ** 2
    return loss


class FakePool:
    """Shrivastava et al.'s history of generated samples (PoseAug's ``Sample_from_Pool``), vectorised and seeded.

    While filling, samples pass through; once full, each incoming sample is swapped with a random stored one with
    probability 0.5 (the stored one is returned instead).
    """

    def __init__(self, size: int = 4096, seed: int = 0):
        self.size, self.items = int(size), None
        self.g = torch.Generator().manual_seed(seed)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        x = x.detach()
        if self.size <= 0:
            return x
        if self.items is None:
            self.items = x[:0].clone()
        room = self.size - len(self.items)
        if room > 0:
            self.items = torch.cat([self.items, x[:room]])
            if len(x) <= room:
                return x
        out = x.clone()
        start = max(room, 0)
        n = len(x) - start
        swap = torch.rand(n, generator=self.g) > 0.5
        idx = torch.randint(0, self.size, (n,), generator=self.g)
        rows = torch.nonzero(swap).flatten()
        if len(rows):
            src = idx[rows]
            out[start + rows] = self.items[src]
            self.items[src] = x[start + rows]
        return out


__all__ = [
    "FakePool",
    "diff_range_loss",
    "generator_adversarial_loss",
    "grouped_joint_errors",
    "hardness_feedback_loss",
    "hardness_target",
    "lsgan_loss",
    "rectified_l2",
]
