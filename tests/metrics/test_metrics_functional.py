"""Pure metric functions: VideoPose3D reference formulas, invariances, numpy/torch agreement, bad inputs."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from auglift_hf import metrics as M
from auglift_hf.metrics import functional as F

FAST = settings(max_examples=25, deadline=None)
seeds = st.integers(min_value=0, max_value=2**31 - 1)


def make_poses(seed, n=6, joints=17, noise=40.0):
    """Random (n, joints, 3) target poses in mm (about 1 m wide, 4 m in front) and noisy predictions."""
    rng = np.random.default_rng(seed)
    target = rng.normal(size=(n, joints, 3)) * 300.0 + np.array([0.0, 0.0, 4000.0])
    pred = target + rng.normal(size=target.shape) * noise
    return pred, target


def random_rotation(rng):
    q, r = np.linalg.qr(rng.normal(size=(3, 3)))
    q = q * np.sign(np.diag(r))
    return q if np.linalg.det(q) > 0 else -q


# ---------------------------------------------------------------------------------------------------------------
# VideoPose3D common/loss.py, re-implemented inline and applied one pose at a time
# ---------------------------------------------------------------------------------------------------------------
def vp3d_mpjpe(predicted, target):
    return np.mean(np.linalg.norm(predicted - target, axis=len(target.shape) - 1))


def vp3d_p_mpjpe(predicted, target):
    mu_x = np.mean(target, axis=1, keepdims=True)
    mu_y = np.mean(predicted, axis=1, keepdims=True)
    x0 = target - mu_x
    y0 = predicted - mu_y
    norm_x = np.sqrt(np.sum(x0**2, axis=(1, 2), keepdims=True))
    norm_y = np.sqrt(np.sum(y0**2, axis=(1, 2), keepdims=True))
    x0 /= norm_x
    y0 /= norm_y
    h = np.matmul(x0.transpose(0, 2, 1), y0)
    u, s, vt = np.linalg.svd(h)
    v = vt.transpose(0, 2, 1)
    r = np.matmul(v, u.transpose(0, 2, 1))
    sign_det_r = np.sign(np.expand_dims(np.linalg.det(r), axis=1))
    v[:, :, -1] *= sign_det_r
    s[:, -1] *= sign_det_r.flatten()
    r = np.matmul(v, u.transpose(0, 2, 1))
    tr = np.expand_dims(np.sum(s, axis=1, keepdims=True), axis=2)
    a = tr * norm_x / norm_y
    t = mu_x - a * np.matmul(mu_y, r)
    predicted_aligned = a * np.matmul(predicted, r) + t
    return np.mean(np.linalg.norm(predicted_aligned - target, axis=len(target.shape) - 1))


def vp3d_n_mpjpe(predicted, target):  # the torch original on (B, T, J, 3), written for one (1, J, 3) pose
    norm_predicted = np.mean(np.sum(predicted**2, axis=-1, keepdims=True), axis=-2, keepdims=True)
    norm_target = np.mean(np.sum(target * predicted, axis=-1, keepdims=True), axis=-2, keepdims=True)
    return vp3d_mpjpe(norm_target / norm_predicted * predicted, target)


def vp3d_mean_velocity_error(predicted, target):
    velocity_predicted = np.diff(predicted, axis=0)
    velocity_target = np.diff(target, axis=0)
    return np.mean(np.linalg.norm(velocity_predicted - velocity_target, axis=len(target.shape) - 1))


@FAST
@given(seed=seeds)
def test_matches_videopose3d_reference_per_pose(seed):
    pred, target = make_poses(seed, n=5)
    pred[0] = target[0] * np.array([-1.0, 1.0, 1.0])  # a mirrored pose: exercises the reflection correction
    for ours, ref in [(F.mpjpe, vp3d_mpjpe), (F.p_mpjpe, vp3d_p_mpjpe), (F.n_mpjpe, vp3d_n_mpjpe)]:
        per_pose = ours(pred, target, reduction="none")
        expected = np.array([ref(pred[i : i + 1].copy(), target[i : i + 1].copy()) for i in range(len(pred))])
        np.testing.assert_allclose(per_pose, expected, rtol=0, atol=1e-6, err_msg=ours.__name__)
        assert ours(pred, target) == pytest.approx(expected.mean(), abs=1e-6)
    assert F.mpjve(pred, target) == pytest.approx(vp3d_mean_velocity_error(pred, target), abs=1e-6)


# ---------------------------------------------------------------------------------------------------------------
# properties
# ---------------------------------------------------------------------------------------------------------------
@FAST
@given(seed=seeds, scale=st.floats(0.3, 3.0), shift=st.floats(-2000.0, 2000.0))
def test_pa_mpjpe_invariant_to_similarity_of_prediction(seed, scale, shift):
    pred, target = make_poses(seed)
    rng = np.random.default_rng(seed)
    rot = np.stack([random_rotation(rng) for _ in range(len(pred))])
    moved = scale * pred @ rot + shift * rng.normal(size=(len(pred), 1, 3))
    np.testing.assert_allclose(
        F.p_mpjpe(moved, target, reduction="none"), F.p_mpjpe(pred, target, reduction="none"), atol=1e-6
    )
    # ... but MPJPE is not invariant, so the test can tell the two apart
    assert abs(F.mpjpe(moved, target) - F.mpjpe(pred, target)) > 1e-3


@FAST
@given(seed=seeds, joints=st.integers(2, 20))
def test_identical_poses_have_zero_error(seed, joints):
    _, target = make_poses(seed, joints=joints)
    assert F.mpjpe(target, target) == 0.0
    assert F.n_mpjpe(target, target) == pytest.approx(0.0, abs=1e-9)
    assert F.p_mpjpe(target, target) == pytest.approx(0.0, abs=1e-6)
    assert F.mpjve(target, target) == 0.0
    assert F.pck3d(target, target) == 1.0
    assert F.auc(target, target) == pytest.approx(30 / 31)  # threshold 0 never counts (error < 0 is impossible)
    assert F.ordinal_depth_accuracy(target, target) == 1.0


@FAST
@given(seed=seeds, noise=st.floats(1.0, 500.0), root_relative=st.booleans())
def test_n_mpjpe_and_pa_mpjpe_not_above_mpjpe(seed, noise, root_relative):
    pred, target = make_poses(seed, noise=noise)
    # the scale is a least-squares fit, so the guarantee is on the squared error of every pose ...
    p, t = (pred - pred[:, :1], target - target[:, :1]) if root_relative else (pred, target)
    s = (t * p).sum((1, 2), keepdims=True) / (p * p).sum((1, 2), keepdims=True)
    assert (((s * p - t) ** 2).sum((1, 2)) <= ((p - t) ** 2).sum((1, 2)) + 1e-6).all()
    np.testing.assert_allclose(
        F.n_mpjpe(pred, target, root_relative=root_relative, reduction="none"),
        np.linalg.norm(s * p - t, axis=-1).mean(-1),
    )
    # ... and the mean over poses of N-MPJPE stays at or below MPJPE (up to the mean-vs-RMS gap)
    e = F.mpjpe(pred, target, root_relative=root_relative)
    assert F.n_mpjpe(pred, target, root_relative=root_relative) <= e * 1.001 + 1e-9
    # Procrustes minimises the squared error, not the mean norm: check the squared (RMS) version instead
    aligned = F.procrustes_align(pred, target)
    assert ((aligned - target) ** 2).sum() <= ((pred - target) ** 2).sum() + 1e-6


@FAST
@given(seed=seeds, thresholds=st.lists(st.floats(0.0, 400.0), min_size=2, max_size=8))
def test_pck_monotone_and_auc_in_unit_interval(seed, thresholds):
    pred, target = make_poses(seed, noise=80.0)
    pcks = [F.pck3d(pred, target, t) for t in sorted(thresholds)]
    assert all(a <= b for a, b in zip(pcks, pcks[1:]))
    assert all(0.0 <= p <= 1.0 for p in pcks)
    value = F.auc(pred, target)
    assert 0.0 <= value <= 1.0
    expected = np.mean([F.pck3d(pred, target, t) for t in np.arange(0.0, 151.0, 5.0)])
    assert value == pytest.approx(expected, abs=1e-12)
    assert len(F.AUC_THRESHOLDS_MM) == 31 and F.AUC_THRESHOLDS_MM[-1] == 150.0


def test_pck_threshold_is_strict_and_defaults_to_150mm():
    target = np.zeros((1, 2, 3))
    pred = target.copy()
    pred[0, 0, 0], pred[0, 1, 0] = 150.0, 149.0
    assert F.pck3d(pred, target) == 0.5
    assert F.pck3d(pred, target, 150.0001) == 1.0


def test_root_relative_removes_global_translation():
    pred, target = make_poses(1)
    shifted = pred + np.array([100.0, -50.0, 300.0])
    assert F.mpjpe(shifted, target) > F.mpjpe(pred, target) + 50
    for fn in (F.mpjpe, F.n_mpjpe, F.pck3d, F.auc, F.mpjve):
        assert fn(shifted, target, root_relative=True) == pytest.approx(fn(pred, target, root_relative=True))
    rel = F.mpjpe(pred - pred[:, :1], target - target[:, :1])
    assert F.mpjpe(pred, target, root_relative=True) == pytest.approx(rel)


def test_weights_and_masks():
    pred, target = make_poses(2)
    ones = np.ones(17)
    for fn in (F.mpjpe, F.p_mpjpe, F.n_mpjpe, F.pck3d, F.auc, F.mpjve):
        assert fn(pred, target, weights=ones) == pytest.approx(fn(pred, target)), fn.__name__
    broken = pred.copy()
    broken[:, 16] += 5000.0  # one joint far off
    mask = np.ones(17, dtype=bool)
    mask[16] = False
    assert F.mpjpe(broken, target, weights=mask) == pytest.approx(F.mpjpe(pred[:, :16], target[:, :16]))
    assert F.p_mpjpe(broken, target, weights=mask) == pytest.approx(F.p_mpjpe(pred[:, :16], target[:, :16]))
    assert F.n_mpjpe(broken, target, weights=mask) == pytest.approx(F.n_mpjpe(pred[:, :16], target[:, :16]))
    per_pose_mask = np.ones((len(pred), 17))
    per_pose_mask[0] = 0.0
    assert np.isnan(F.mpjpe(pred, target, weights=per_pose_mask, reduction="none")[0])
    assert F.mpjpe(pred, target, weights=per_pose_mask) == pytest.approx(F.mpjpe(pred[1:], target[1:]))


def test_mpjve_time_axis_and_constant_offset():
    pred, target = make_poses(3, n=8)
    assert F.mpjve(target + 25.0, target) == pytest.approx(0.0, abs=1e-9)  # constant offset: same velocities
    batch_p, batch_t = np.stack([pred, pred[::-1]]), np.stack([target, target[::-1]])
    per = F.mpjve(batch_p, batch_t, time_axis=1, reduction="none")
    assert per.shape == (2, 7)
    np.testing.assert_allclose(per[0], F.mpjve(pred, target, reduction="none"))
    with pytest.raises(ValueError, match="at least 2 frames"):
        F.mpjve(pred[:1], target[:1])


def test_ordinal_depth_accuracy():
    _, target = make_poses(4)
    mirrored = target * np.array([1.0, 1.0, -1.0])  # every depth order reversed
    assert F.ordinal_depth_accuracy(mirrored, target) == 0.0
    assert F.ordinal_depth_accuracy(target + 123.0, target) == 1.0
    rng = np.random.default_rng(0)
    jitter = target + rng.uniform(-1.0, 1.0, size=target.shape)
    flat = np.zeros_like(target)
    flat[..., :2] = target[..., :2]
    assert F.ordinal_depth_accuracy(flat, flat + rng.uniform(-1, 1, size=flat.shape), tolerance=2.0) == 1.0
    assert F.ordinal_depth_accuracy(jitter, target, tolerance=0.0) > 0.9
    assert F.ordinal_depth_accuracy(target, target, reduction="none").shape == (len(target),)
    with pytest.raises(ValueError, match="tolerance"):
        F.ordinal_depth_accuracy(target, target, tolerance=-1.0)


def test_per_action_frame_wise_vs_action_wise_on_unbalanced_actions():
    errors = np.array([10.0] * 9 + [100.0])  # "walk": 9 frames at 10 mm, "sit": 1 frame at 100 mm
    actions = ["walk"] * 9 + ["sit"]
    agg = F.aggregate_by_action(errors, actions)
    assert agg["frame_wise_mean"] == pytest.approx(19.0)  # (9 * 10 + 100) / 10
    assert agg["action_wise_mean"] == pytest.approx(55.0)  # (10 + 100) / 2
    assert agg["per_action"] == {"sit": 100.0, "walk": 10.0}
    assert agg["counts"] == {"sit": 1, "walk": 9}
    assert F.aggregate_by_action(torch.tensor(errors), np.array(actions))["action_wise_mean"] == pytest.approx(55.0)
    with pytest.raises(ValueError, match="actions"):
        F.aggregate_by_action(errors, actions[:-1])


def test_compute_pose3d_metrics_matches_single_functions():
    pred, target = make_poses(5, n=12)
    actions = ["a"] * 10 + ["b"] * 2
    out = F.compute_pose3d_metrics(pred, target, actions)
    assert out["mpjpe"] == pytest.approx(F.mpjpe(pred, target))
    assert out["pa_mpjpe"] == pytest.approx(F.p_mpjpe(pred, target))
    assert out["n_mpjpe"] == pytest.approx(F.n_mpjpe(pred, target))
    assert out["pck3d"] == pytest.approx(F.pck3d(pred, target))
    assert out["auc"] == pytest.approx(F.auc(pred, target))
    assert out["num_poses"] == 12 and out["per_action"]["b"]["count"] == 2
    per_b = F.mpjpe(pred[10:], target[10:])
    assert out["per_action"]["b"]["mpjpe"] == pytest.approx(per_b)
    assert out["mpjpe_action_wise"] == pytest.approx((F.mpjpe(pred[:10], target[:10]) + per_b) / 2)


# ---------------------------------------------------------------------------------------------------------------
# torch
# ---------------------------------------------------------------------------------------------------------------
ALL = [F.mpjpe, F.p_mpjpe, F.n_mpjpe, F.mpjve, F.pck3d, F.auc, F.ordinal_depth_accuracy]


@pytest.mark.parametrize("fn", ALL, ids=lambda f: f.__name__)
def test_numpy_and_torch_agree(fn):
    pred, target = make_poses(6, n=9, noise=120.0)
    ref = fn(pred, target, reduction="none")
    out = fn(torch.tensor(pred), torch.tensor(target), reduction="none")
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float64
    np.testing.assert_allclose(out.numpy(), ref, atol=1e-9)
    mean = fn(torch.tensor(pred, dtype=torch.float32), torch.tensor(target, dtype=torch.float32))
    assert isinstance(mean, torch.Tensor) and mean.ndim == 0 and mean.dtype == torch.float32
    assert float(mean) == pytest.approx(fn(pred, target), rel=1e-4, abs=1e-4)
    assert isinstance(fn(pred, target), float)


@pytest.mark.parametrize("fn", [F.mpjpe, F.n_mpjpe, F.p_mpjpe], ids=lambda f: f.__name__)
def test_torch_losses_are_differentiable(fn):
    pred, target = make_poses(7, n=4)
    p = torch.tensor(pred / 1000.0, requires_grad=True)  # leading (B, T) axes work too
    loss = fn(p.reshape(2, 2, 17, 3), torch.tensor(target / 1000.0).reshape(2, 2, 17, 3))
    loss.backward()
    assert p.grad is not None and torch.isfinite(p.grad).all() and p.grad.abs().sum() > 0


def test_mixed_numpy_and_torch_inputs_use_torch():
    pred, target = make_poses(8)
    out = F.mpjpe(torch.tensor(pred), target)
    assert isinstance(out, torch.Tensor) and float(out) == pytest.approx(F.mpjpe(pred, target))


# ---------------------------------------------------------------------------------------------------------------
# bad inputs
# ---------------------------------------------------------------------------------------------------------------
GOOD = np.zeros((4, 17, 3))


@pytest.mark.parametrize("fn", ALL, ids=lambda f: f.__name__)
@pytest.mark.parametrize(
    "pred, target, match",
    [
        (np.zeros((17, 3)), GOOD, r"`pred` must have shape \(N, J, 3\).*\(17, 3\)"),
        (GOOD, np.zeros((4, 17, 2)), r"`target` must have shape \(N, J, 3\).*\(4, 17, 2\)"),
        (np.zeros((0, 17, 3)), np.zeros((0, 17, 3)), r"`pred` is empty.*\(0, 17, 3\)"),
        (np.full((4, 17, 3), np.nan), GOOD, r"`pred` contains NaN.*\(4, 17, 3\)"),
        (GOOD, torch.full((4, 17, 3), float("inf")), r"`target` contains NaN or inf"),
        (np.zeros((5, 17, 3)), GOOD, r"pred \(5, 17, 3\) and target \(4, 17, 3\)"),
        ([["a"]], GOOD, r"`pred` must be a numeric array"),
    ],
)
def test_bad_inputs_raise_value_error_naming_argument(fn, pred, target, match):
    with pytest.raises(ValueError, match=match):
        fn(pred, target)


def test_bad_options_raise_value_error():
    with pytest.raises(ValueError, match=r"`weights` must broadcast.*\(5,\)"):
        F.mpjpe(GOOD, GOOD, weights=np.ones(5))
    with pytest.raises(ValueError, match="`weights` must be finite and non-negative"):
        F.mpjpe(GOOD, GOOD, weights=-np.ones(17))
    with pytest.raises(ValueError, match="`reduction`"):
        F.mpjpe(GOOD, GOOD, reduction="sum")
    with pytest.raises(ValueError, match="`thresholds`"):
        F.auc(GOOD, GOOD, thresholds=[])
    with pytest.raises(ValueError, match=r"`errors`.*\(2, 2\)"):
        F.aggregate_by_action(np.zeros((2, 2)), ["a", "b"])


def test_public_names_exported():
    for name in ("mpjpe", "p_mpjpe", "n_mpjpe", "mpjve", "pck3d", "auc", "ordinal_depth_accuracy", "load_metric"):
        assert callable(getattr(M, name))
