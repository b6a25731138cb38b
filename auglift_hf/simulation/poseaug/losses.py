"""PoseAug's losses (re-implemented from the paper and ``jfzhang95/PoseAug`` ``utils/loss.py`` / ``model_gan_train.py``).

* adversarial: least-squares GAN (``MSELoss`` against labels 1 = real, 0 = fake), averaged over real and fake;
* ``diff_range_loss(a, m, w)``: ``(a - m)^2`` where ``|a - m| > w``, else 0 (keeps BA's mean ``1 - cos`` in
  ``[m - w, m + w]`` = [0.04, 0.37] with PoseAug's 0.205 / 0.165);
* ``rectified_l2(x, b)``: ``x^2`` where ``|x| > b`` (BL ratios beyond +-0.1 cost);
* feedback ("hardness"): the lifter's per-sample error on the augmented pose divided by its error on the original
  should stay within ``target +- std`` (BA: target 3 -> 5 over training, std 2; RT: 17 +- 15).
  PoseAug weights joints and groups them in 3 columns; here the ratio is of per-sample MPJPE (documented deviation).
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


def hardness_feedback_loss(
    err_aug: torch.Tensor, err_orig: torch.Tensor, target: float, std: float, eps: float = 1e-6
) -> torch.Tensor:
    """PoseAug's feedback: keep ``err_aug / err_orig`` (per sample) within ``target +- std``."""
    return diff_range_loss(err_aug / err_orig.clamp(min=eps), target, std)


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


__all__ = ["FakePool", "diff_range_loss", "hardness_feedback_loss", "lsgan_loss", "rectified_l2"]
