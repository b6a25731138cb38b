"""AugLift's optional training losses (pure torch).

Conventions: poses ``(batch, frames, 17, 3)`` root-relative metres in camera axes (z forward = depth);
confidences ``(batch, frames, 17)`` in ``[0, 1]``.
"""

from __future__ import annotations

import torch


def ordinal_depth_loss(
    poses: torch.Tensor, labels: torch.Tensor, margin: float = 0.05, temperature: float = 0.05
) -> torch.Tensor:
    """Pairwise ordinal depth ranking loss (Chen et al. 2016; AugLift's depth-order term).

    For every joint pair ``(i, j)`` with ground-truth depth gap ``|z_i - z_j| > margin`` metres, a logistic
    ranking loss ``log(1 + exp(-s_ij (p_i - p_j) / temperature))`` with ``s_ij = sign(z_i - z_j)``; pairs
    closer than ``margin`` are "equal" and penalised by ``((p_i - p_j) / temperature)^2``.

    Args:
        poses, labels: ``(..., 17, 3)`` metres.
        margin: depth gap (m) below which a pair counts as equal depth.
        temperature: depth scale (m) of the logistic / squared terms.

    Returns:
        Scalar mean over all pairs and poses.
    """
    if poses.shape != labels.shape or poses.shape[-1] != 3:
        raise ValueError(
            f"`poses` and `labels` must have the same shape (..., J, 3), got {tuple(poses.shape)} "
            f"and {tuple(labels.shape)}"
        )
    p = poses[..., 2]
    z = labels[..., 2]
    dp = (p[..., :, None] - p[..., None, :]) / temperature  # (..., J, J)
    dz = z[..., :, None] - z[..., None, :]
    iu = torch.triu_indices(p.shape[-1], p.shape[-1], offset=1, device=p.device)
    dp, dz = dp[..., iu[0], iu[1]], dz[..., iu[0], iu[1]]
    ordered = dz.abs() > margin
    rank = torch.nn.functional.softplus(-torch.sign(dz) * dp)
    return torch.where(ordered, rank, dp.square()).mean()


def confidence_weighted_mpjpe(
    poses: torch.Tensor, labels: torch.Tensor, confidence: torch.Tensor, eps: float = 0.1, max_weight: float = 5.0
) -> torch.Tensor:
    """Inverse-confidence-weighted MPJPE (metres).

    Each joint's error is weighted by ``w = min(1 / (c + eps), max_weight)``, normalised to mean 1 per pose,
    so joints the 2D detector is unsure about (where the depth channel must help most) count more.

    Args:
        poses, labels: ``(batch, frames, 17, 3)``; confidence: ``(batch, frames, 17)`` in ``[0, 1]``.
    """
    if confidence.shape != poses.shape[:-1]:
        raise ValueError(f"`confidence` must have shape {tuple(poses.shape[:-1])}, got {tuple(confidence.shape)}")
    error = torch.linalg.vector_norm(poses - labels, dim=-1)
    w = (1.0 / (confidence.to(error.dtype).clamp(0, 1) + eps)).clamp_max(max_weight)
    w = w / w.mean(-1, keepdim=True)
    return (error * w).mean()


def velocity_loss(poses: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """MotionBERT's ``loss_velocity``: mean Euclidean error of the frame-to-frame differences (same units).

    ``mean_{b,t,j} |(p_{t+1} - p_t) - (y_{t+1} - y_t)|`` over ``(batch, frames, J, 3)``; 0 for a single frame
    (github.com/Walter0807/MotionBERT ``lib/model/loss.py``).
    """
    if poses.shape != labels.shape or poses.ndim != 4:
        raise ValueError(
            f"`poses` and `labels` must both be (batch, frames, J, 3), got {tuple(poses.shape)} and {tuple(labels.shape)}"
        )
    if poses.shape[1] <= 1:
        return poses.new_zeros(())
    dv = (poses[:, 1:] - poses[:, :-1]) - (labels[:, 1:] - labels[:, :-1])
    return torch.linalg.vector_norm(dv, dim=-1).mean()
