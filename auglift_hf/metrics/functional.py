"""Pure 3D pose metrics (numpy and torch).

Conventions
-----------
* Poses are arrays of shape ``(N, J, 3)`` -- or more generally ``(..., J, 3)`` -- in **millimetres**, joints in
  H36M-17 order (:mod:`auglift_hf.skeleton`), camera coordinates (x right, y down, z forward).
* Every metric takes ``(pred, target)`` and a ``reduction``: ``"mean"`` (default) pools every joint of every pose
  and returns one number; ``"none"`` returns one value per pose, shape ``(...)`` (``(N,)`` for ``(N, J, 3)``).
* numpy inputs (or lists) are computed in float64; ``"mean"`` returns a Python ``float`` and ``"none"`` an
  ``np.ndarray``. torch inputs stay in torch (dtype and device kept) and return tensors, so :func:`mpjpe`,
  :func:`n_mpjpe` and :func:`p_mpjpe` are differentiable and usable as losses.
* ``root_relative=True`` subtracts joint ``root_index`` (0 = pelvis) from both poses first (H36M protocol #1 on
  absolute poses). The defaults reproduce VideoPose3D's formulas on the arrays as given.
* ``weights`` (optional, broadcastable to ``(..., J)``, non-negative; a boolean visibility mask works) turns the
  mean over joints into a weighted mean ``sum(w * e) / sum(w)``; ``"mean"`` pools over all poses the same way.
* Errors: ``ValueError`` naming the argument with the expected and the actual shape (wrong rank, last axis not 3,
  empty, non-finite values, mismatched shapes).

The definitions follow VideoPose3D ``common/loss.py`` (``mpjpe``, ``p_mpjpe``, ``n_mpjpe``,
``mean_velocity_error``) and the MPI-INF-3DHP protocol for PCK3D / AUC.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Union

import numpy as np
import torch

ArrayLike = Union[np.ndarray, torch.Tensor]

#: PCK3D threshold of the MPI-INF-3DHP protocol, in mm.
PCK_THRESHOLD_MM: float = 150.0
#: AUC thresholds of the MPI-INF-3DHP protocol: 0, 5, ..., 150 mm (31 values).
AUC_THRESHOLDS_MM: np.ndarray = np.linspace(0.0, 150.0, 31)

__all__ = [
    "AUC_THRESHOLDS_MM",
    "PCK_THRESHOLD_MM",
    "aggregate_by_action",
    "auc",
    "compute_pose3d_metrics",
    "joint_errors",
    "mpjpe",
    "mpjve",
    "n_mpjpe",
    "ordinal_depth_accuracy",
    "p_mpjpe",
    "pck3d",
    "procrustes_align",
]


# ----------------------------------------------------------------------------------------------------------------
# validation
# ----------------------------------------------------------------------------------------------------------------
def _as_array(x: Any, name: str) -> ArrayLike:
    if isinstance(x, torch.Tensor):
        return x if x.is_floating_point() else x.double()
    try:
        return np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"`{name}` must be a numeric array of shape (N, J, 3); could not convert it: {err}") from None


def _check_poses(x: ArrayLike, name: str) -> None:
    shape = tuple(x.shape)
    if x.ndim < 3 or shape[-1] != 3:
        raise ValueError(f"`{name}` must have shape (N, J, 3) (or (..., J, 3)) in mm; got shape {shape}")
    if 0 in shape:
        raise ValueError(f"`{name}` is empty: expected shape (N, J, 3) with N, J >= 1; got shape {shape}")
    finite = torch.isfinite(x).all().item() if isinstance(x, torch.Tensor) else np.isfinite(x).all()
    if not finite:
        raise ValueError(f"`{name}` contains NaN or inf values (shape {shape}); mask them with `weights` instead")


def _prepare(pred: Any, target: Any) -> tuple[ArrayLike, ArrayLike]:
    """Convert, validate and match ``pred`` / ``target`` (torch wins if either one is a tensor)."""
    pred, target = _as_array(pred, "pred"), _as_array(target, "target")
    if isinstance(pred, torch.Tensor) != isinstance(target, torch.Tensor):
        ref = pred if isinstance(pred, torch.Tensor) else target
        pred, target = (torch.as_tensor(v, dtype=ref.dtype, device=ref.device) for v in (pred, target))
    _check_poses(pred, "pred")
    _check_poses(target, "target")
    if tuple(pred.shape) != tuple(target.shape):
        raise ValueError(
            f"`pred` and `target` must have the same shape (N, J, 3); got pred {tuple(pred.shape)} "
            f"and target {tuple(target.shape)}"
        )
    return pred, target


def _prepare_weights(weights: Any, like: ArrayLike) -> ArrayLike | None:
    """Validate ``weights`` against poses ``like`` of shape (..., J, 3) and broadcast them to (..., J)."""
    if weights is None:
        return None
    joints_shape = tuple(like.shape[:-1])
    if isinstance(like, torch.Tensor):
        w = torch.as_tensor(weights, device=like.device).to(like.dtype)
        bad = not bool(torch.isfinite(w).all()) or bool((w < 0).any())
    else:
        w = np.asarray(weights, dtype=np.float64)
        bad = not np.isfinite(w).all() or bool((w < 0).any())
    try:
        w = w.expand(joints_shape) if isinstance(w, torch.Tensor) else np.broadcast_to(w, joints_shape)
    except (RuntimeError, ValueError):
        raise ValueError(
            f"`weights` must broadcast to the joint shape {joints_shape} (e.g. (J,) or (N, J)); "
            f"got shape {tuple(w.shape)}"
        ) from None
    if bad:
        raise ValueError(f"`weights` must be finite and non-negative (shape {tuple(w.shape)})")
    return w


def _root_relative(x: ArrayLike, root_index: int) -> ArrayLike:
    return x - x[..., root_index : root_index + 1, :]


def _reduce(values: ArrayLike, weights: ArrayLike | None, reduction: str) -> Any:
    """Reduce per-joint ``values`` (..., J) to the mean (pooled) or per-pose (...) values."""
    if reduction not in ("mean", "none"):
        raise ValueError(f"`reduction` must be 'mean' or 'none'; got {reduction!r}")
    if weights is None:
        out = values.mean() if reduction == "mean" else values.mean(-1)
    elif reduction == "mean":
        out = (values * weights).sum() / weights.sum()
    else:  # a pose whose weights are all zero gets NaN
        with np.errstate(invalid="ignore", divide="ignore"):
            out = (values * weights).sum(-1) / weights.sum(-1)
    if isinstance(out, torch.Tensor):
        return out
    return float(out) if reduction == "mean" else np.asarray(out)


def _norm(x: ArrayLike) -> ArrayLike:
    if isinstance(x, torch.Tensor):
        return torch.linalg.vector_norm(x, dim=-1)
    return np.sqrt(np.einsum("...i,...i->...", x, x))  # ~3x faster than np.linalg.norm on (N, J, 3)


# ----------------------------------------------------------------------------------------------------------------
# position errors
# ----------------------------------------------------------------------------------------------------------------
def joint_errors(pred: ArrayLike, target: ArrayLike, *, root_relative: bool = False, root_index: int = 0):
    """Euclidean error of every joint, shape ``(..., J)`` in mm (validated inputs ``(..., J, 3)``)."""
    pred, target = _prepare(pred, target)
    if root_relative:
        pred, target = _root_relative(pred, root_index), _root_relative(target, root_index)
    return _norm(pred - target)


def mpjpe(
    pred: ArrayLike,
    target: ArrayLike,
    *,
    root_relative: bool = False,
    root_index: int = 0,
    weights: Any = None,
    reduction: str = "mean",
):
    """Mean per-joint position error (MPJPE, H36M protocol #1) in mm.

    Args:
        pred, target: ``(N, J, 3)`` (or ``(..., J, 3)``) poses in mm, numpy or torch.
        root_relative: subtract joint ``root_index`` from both poses first.
        weights: optional per-joint weights / visibility mask broadcastable to ``(..., J)``.
        reduction: ``"mean"`` (float / 0-d tensor) or ``"none"`` (per-pose values, shape ``(...)``).
    """
    pred, target = _prepare(pred, target)
    w = _prepare_weights(weights, pred)
    if root_relative:
        pred, target = _root_relative(pred, root_index), _root_relative(target, root_index)
    return _reduce(_norm(pred - target), w, reduction)


def procrustes_align(pred: ArrayLike, target: ArrayLike, *, weights: Any = None) -> ArrayLike:
    """Align ``pred`` to ``target`` with the optimal similarity transform (rotation, scale, translation).

    Batched over ``(..., J, 3)`` with one SVD call (no loop over poses); reflections are corrected by flipping the
    last singular vector when ``det(R) < 0``, exactly as VideoPose3D's ``p_mpjpe``. With ``weights`` the centroids
    and the cross-covariance are weighted (weighted Procrustes). Returns the aligned prediction ``(..., J, 3)``.
    """
    pred, target = _prepare(pred, target)
    w = _prepare_weights(weights, pred)
    return _procrustes_align(pred, target, w)


def _procrustes_align(pred: ArrayLike, target: ArrayLike, w: ArrayLike | None) -> ArrayLike:
    is_torch = isinstance(pred, torch.Tensor)
    keep = {"keepdim": True} if is_torch else {"keepdims": True}
    if w is None:  # uniform weights: plain means (the common, fast path)
        mu_x, mu_y = target.mean(-2, **keep), pred.mean(-2, **keep)
        x0, y0 = target - mu_x, pred - mu_y
        xw, sq_y = x0, (y0 * y0).sum((-2, -1))
    else:
        total = w.sum(-1, **keep)
        wn = (w / (total.clamp_min(1e-12) if is_torch else np.maximum(total, 1e-12)))[..., None]  # (..., J, 1)
        mu_x, mu_y = (target * wn).sum(-2, **keep), (pred * wn).sum(-2, **keep)
        x0, y0 = target - mu_x, pred - mu_y
        xw, sq_y = x0 * wn, (y0 * y0 * wn).sum((-2, -1))
    h = xw.transpose(-1, -2) @ y0 if is_torch else np.swapaxes(xw, -1, -2) @ y0  # (..., 3, 3) cross-covariance
    if is_torch:
        u, s, vt = torch.linalg.svd(h)
        v, ut = vt.transpose(-1, -2), u.transpose(-1, -2)
        sign = torch.where(torch.linalg.det(v @ ut) < 0, -1.0, 1.0).to(pred.dtype)
        d = torch.cat([torch.ones_like(s[..., :-1]), sign[..., None]], dim=-1)
        sq_y = sq_y.clamp_min(1e-12)
    else:
        u, s, vt = np.linalg.svd(h)
        v, ut = np.swapaxes(vt, -1, -2), np.swapaxes(u, -1, -2)
        sign = np.where(np.linalg.det(v @ ut) < 0, -1.0, 1.0)
        d = np.concatenate([np.ones_like(s[..., :-1]), sign[..., None]], axis=-1)
        sq_y = np.maximum(sq_y, 1e-12)
    rot = (v * d[..., None, :]) @ ut  # reflection-corrected rotation, VideoPose3D's R
    scale = ((s * d).sum(-1) / sq_y)[..., None, None]  # (..., 1, 1)
    return scale * (y0 @ rot) + mu_x


def p_mpjpe(pred: ArrayLike, target: ArrayLike, *, weights: Any = None, reduction: str = "mean"):
    """Procrustes-aligned MPJPE (PA-MPJPE, H36M protocol #2) in mm.

    ``pred`` is aligned to ``target`` per pose by :func:`procrustes_align` (rotation + uniform scale + translation,
    reflections corrected), then MPJPE is taken. Translation-invariant, so no ``root_relative`` option is needed.
    Batched SVD; differentiable for torch inputs (away from degenerate, e.g. collinear, poses).
    """
    pred, target = _prepare(pred, target)
    w = _prepare_weights(weights, pred)
    aligned = _procrustes_align(pred, target, w)
    return _reduce(_norm(aligned - target), w, reduction)


def n_mpjpe(
    pred: ArrayLike,
    target: ArrayLike,
    *,
    root_relative: bool = False,
    root_index: int = 0,
    weights: Any = None,
    reduction: str = "mean",
):
    """Scale-normalised MPJPE (N-MPJPE) in mm: MPJPE after the least-squares scale ``s = <t, p> / <p, p>``.

    Scale only (no rotation, no translation), one scale per pose, as VideoPose3D's ``n_mpjpe``. Its inputs there
    are root-relative already; use ``root_relative=True`` for absolute poses. The scale minimises the squared error,
    so the per-pose RMS error never exceeds MPJPE's; the mean-norm N-MPJPE is ``<= mpjpe`` up to that RMS/mean gap.
    """
    pred, target = _prepare(pred, target)
    w = _prepare_weights(weights, pred)
    if root_relative:
        pred, target = _root_relative(pred, root_index), _root_relative(target, root_index)
    pp, tp = (pred * pred).sum(-1), (target * pred).sum(-1)  # (..., J)
    if w is not None:
        pp, tp = pp * w, tp * w
    pp, tp = pp.sum(-1)[..., None, None], tp.sum(-1)[..., None, None]
    denom = pp.clamp_min(1e-12) if isinstance(pp, torch.Tensor) else np.maximum(pp, 1e-12)
    return _reduce(_norm(tp / denom * pred - target), w, reduction)


def mpjve(
    pred: ArrayLike,
    target: ArrayLike,
    *,
    time_axis: int = 0,
    root_relative: bool = False,
    root_index: int = 0,
    weights: Any = None,
    reduction: str = "mean",
):
    """Mean per-joint velocity error (MPJVE) in mm per frame, VideoPose3D's ``mean_velocity_error``.

    Velocities are first differences along ``time_axis`` (0 for one ``(T, J, 3)`` sequence, 1 for
    ``(B, T, J, 3)``), so ``reduction="none"`` returns ``T - 1`` values along that axis. Needs ``T >= 2``.
    """
    pred, target = _prepare(pred, target)
    w = _prepare_weights(weights, pred)
    axis = time_axis % pred.ndim
    if axis >= pred.ndim - 2:
        raise ValueError(f"`time_axis` must index a frame axis of (..., T, J, 3) poses; got {time_axis}")
    if pred.shape[axis] < 2:
        raise ValueError(f"`pred` needs at least 2 frames along time_axis={time_axis}; got shape {tuple(pred.shape)}")
    if root_relative:
        pred, target = _root_relative(pred, root_index), _root_relative(target, root_index)
    if isinstance(pred, torch.Tensor):
        vp, vt = torch.diff(pred, dim=axis), torch.diff(target, dim=axis)
        if w is not None:
            w = w.narrow(axis, 1, w.shape[axis] - 1)
    else:
        vp, vt = np.diff(pred, axis=axis), np.diff(target, axis=axis)
        if w is not None:
            w = np.take(w, np.arange(1, w.shape[axis]), axis=axis)
    return _reduce(_norm(vp - vt), w, reduction)


# ----------------------------------------------------------------------------------------------------------------
# 3DHP protocol: PCK3D and AUC
# ----------------------------------------------------------------------------------------------------------------
def pck3d(
    pred: ArrayLike,
    target: ArrayLike,
    threshold: float = PCK_THRESHOLD_MM,
    *,
    root_relative: bool = False,
    root_index: int = 0,
    weights: Any = None,
    reduction: str = "mean",
):
    """3D percentage of correct keypoints as a **fraction in [0, 1]** (papers print it x100).

    A joint is correct when its Euclidean error is strictly below ``threshold`` mm (default 150 mm, MPI-INF-3DHP
    protocol, as MMPose's ``keypoint_3d_pck``). Monotone non-decreasing in ``threshold``.
    """
    pred, target = _prepare(pred, target)
    w = _prepare_weights(weights, pred)
    if root_relative:
        pred, target = _root_relative(pred, root_index), _root_relative(target, root_index)
    err = _norm(pred - target)
    return _reduce((err < threshold).to(err.dtype) if isinstance(err, torch.Tensor) else err < threshold, w, reduction)


def auc(
    pred: ArrayLike,
    target: ArrayLike,
    thresholds: Sequence[float] | np.ndarray | None = None,
    *,
    root_relative: bool = False,
    root_index: int = 0,
    weights: Any = None,
    reduction: str = "mean",
):
    """Area under the PCK3D curve as a **fraction in [0, 1]**: mean PCK3D over ``thresholds``.

    Defaults to :data:`AUC_THRESHOLDS_MM` (0, 5, ..., 150 mm; 31 values; MPI-INF-3DHP protocol). Computed per joint
    with a sorted search over the thresholds, so memory stays ``O(N * J)``.
    """
    pred, target = _prepare(pred, target)
    w = _prepare_weights(weights, pred)
    thr = np.sort(np.asarray(AUC_THRESHOLDS_MM if thresholds is None else thresholds, dtype=np.float64).ravel())
    if thr.size == 0 or not np.isfinite(thr).all():
        raise ValueError(f"`thresholds` must be a non-empty finite 1-D sequence in mm; got shape {thr.shape}")
    if root_relative:
        pred, target = _root_relative(pred, root_index), _root_relative(target, root_index)
    err = _norm(pred - target)
    if isinstance(err, torch.Tensor):
        t = torch.as_tensor(thr, dtype=err.dtype, device=err.device)
        frac = (thr.size - torch.searchsorted(t, err.contiguous(), right=True)).to(err.dtype) / thr.size
    else:
        frac = (thr.size - np.searchsorted(thr, err, side="right")) / thr.size  # share of thresholds > error
    return _reduce(frac, w, reduction)


# ----------------------------------------------------------------------------------------------------------------
# ordinal depth
# ----------------------------------------------------------------------------------------------------------------
def ordinal_depth_accuracy(
    pred: ArrayLike,
    target: ArrayLike,
    *,
    tolerance: float = 0.0,
    depth_axis: int = 2,
    reduction: str = "mean",
):
    """Pairwise joint depth-order agreement, a **fraction in [0, 1]** (AugLift's ordinal depth analysis).

    For every unordered joint pair ``(i, j)`` the depth relation ``sign(z_i - z_j)`` is taken in ``pred`` and in
    ``target`` (z = camera forward, ``depth_axis=2``), with differences of at most ``tolerance`` mm counted as
    "same depth" (0). The score is the share of pairs whose three-way relation {closer, same, farther} agrees;
    ``reduction="none"`` gives one score per pose. Invariant to translating either pose.
    """
    pred, target = _prepare(pred, target)
    if tolerance < 0:
        raise ValueError(f"`tolerance` must be >= 0 mm; got {tolerance}")
    num_joints = pred.shape[-2]
    if num_joints < 2:
        raise ValueError(f"`pred` needs at least 2 joints for depth pairs; got shape {tuple(pred.shape)}")
    i, j = np.triu_indices(num_joints, k=1)

    def relation(x):
        z = x[..., depth_axis]
        dz = z[..., i] - z[..., j]  # (..., P)
        if isinstance(dz, torch.Tensor):
            return torch.where(dz.abs() <= tolerance, torch.zeros_like(dz), torch.sign(dz))
        return np.where(np.abs(dz) <= tolerance, 0.0, np.sign(dz))

    agree = relation(pred) == relation(target)
    return _reduce(agree.to(pred.dtype) if isinstance(agree, torch.Tensor) else agree, None, reduction)


# ----------------------------------------------------------------------------------------------------------------
# aggregation
# ----------------------------------------------------------------------------------------------------------------
def aggregate_by_action(errors: ArrayLike, actions: Sequence[Any] | np.ndarray) -> dict[str, Any]:
    """Aggregate per-pose values by action, reporting **both** conventions papers use.

    Args:
        errors: per-pose values ``(N,)`` (e.g. ``mpjpe(..., reduction="none")``), numpy or torch.
        actions: ``N`` action labels (strings or ints), one per pose.

    Returns:
        dict with

        * ``"frame_wise_mean"``: mean over **all frames pooled** (every frame weighs the same, so long actions
          dominate);
        * ``"action_wise_mean"``: mean over actions of the per-action means (every action weighs the same; the
          H36M tables of VideoPose3D / PoseFormer report this "Avg" column);
        * ``"per_action"``: ``{action: mean}`` sorted by action label;
        * ``"counts"``: ``{action: number of frames}``.
    """
    if isinstance(errors, torch.Tensor):
        errors = errors.detach().cpu().numpy()
    values = np.asarray(errors, dtype=np.float64)
    labels = np.asarray(actions)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"`errors` must be a non-empty 1-D array of per-pose values (N,); got shape {values.shape}")
    if labels.shape != values.shape:
        raise ValueError(f"`actions` must have shape {values.shape} like `errors`; got shape {labels.shape}")
    if not np.isfinite(values).all():
        raise ValueError(f"`errors` contains NaN or inf values (shape {values.shape})")
    names, inverse = np.unique(labels, return_inverse=True)
    counts = np.bincount(inverse, minlength=len(names))
    means = np.bincount(inverse, weights=values, minlength=len(names)) / counts
    keys = [n.item() if hasattr(n, "item") else n for n in names]
    return {
        "frame_wise_mean": float(values.mean()),
        "action_wise_mean": float(means.mean()),
        "per_action": {k: float(m) for k, m in zip(keys, means)},
        "counts": {k: int(c) for k, c in zip(keys, counts)},
    }


def compute_pose3d_metrics(
    pred: ArrayLike,
    target: ArrayLike,
    actions: Sequence[Any] | None = None,
    *,
    pck_threshold: float = PCK_THRESHOLD_MM,
    auc_thresholds: Sequence[float] | None = None,
    root_relative: bool = False,
) -> dict[str, Any]:
    """Every metric at once, the same dict the ``pose3d`` evaluate module returns (fast path for the CLI).

    Keys ``mpjpe``, ``pa_mpjpe``, ``n_mpjpe`` (mm), ``pck3d``, ``auc`` (fractions) and ``num_poses`` are
    **frame-wise** means (all poses pooled). With ``actions`` it adds ``<metric>_action_wise`` (mean of per-action
    means) and ``per_action`` = ``{action: {metric: value, "count": n}}``.
    """
    pred, target = _prepare(pred, target)
    if isinstance(pred, torch.Tensor):
        pred, target = pred.detach().cpu().double().numpy(), target.detach().cpu().double().numpy()
    if pred.ndim != 3:
        pred, target = pred.reshape(-1, *pred.shape[-2:]), target.reshape(-1, *target.shape[-2:])
    opts = {"root_relative": root_relative, "reduction": "none"}
    per_pose = {
        "mpjpe": mpjpe(pred, target, **opts),
        "pa_mpjpe": p_mpjpe(pred, target, reduction="none"),
        "n_mpjpe": n_mpjpe(pred, target, **opts),
        "pck3d": pck3d(pred, target, pck_threshold, **opts),
        "auc": auc(pred, target, auc_thresholds, **opts),
    }
    out: dict[str, Any] = {k: float(v.mean()) for k, v in per_pose.items()}
    out["num_poses"] = int(pred.shape[0])
    if actions is not None:
        per_action: dict[Any, dict[str, float]] = {}
        for key, values in per_pose.items():
            agg = aggregate_by_action(values, actions)
            out[f"{key}_action_wise"] = agg["action_wise_mean"]
            for action, value in agg["per_action"].items():
                per_action.setdefault(action, {"count": agg["counts"][action]})[key] = value
        out["per_action"] = per_action
    return out
