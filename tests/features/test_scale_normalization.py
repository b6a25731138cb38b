"""AugLift v4 scale normalisations: formulas on hand-made poses, zoom invariance, dscale2d = camera moved to d_ref."""

import numpy as np
import pytest
import torch

from auglift_hf.features.scale_normalization import (
    DEFAULT_REFERENCE_DEPTH,
    apply_scale_normalization,
    box_rescale,
    box_size,
    depth_rescale,
    fit_box_size_mean,
)


def _pose(seed=0, n=4):
    return np.random.default_rng(seed).uniform(100, 600, (n, 17, 2))


def test_box_formula_on_hand_made_pose():
    kp = np.zeros((17, 2))
    kp[0] = [10, 20]
    kp[1] = [110, 20]  # x span 100
    kp[2] = [50, 320]  # y span 300
    kp[3:] = [50, 100]
    assert box_size(kp) == pytest.approx((100 + 300) / 2)
    c = kp.mean(0)
    out = box_rescale(kp, 100.0)  # s = 100 / 200 = 0.5
    np.testing.assert_allclose(out, 0.5 * (kp - c) + c)
    assert box_size(out) == pytest.approx(100.0)
    np.testing.assert_allclose(out.mean(0), c)  # the centroid stays


@pytest.mark.parametrize("zoom", [0.37, 1.0, 2.9])
def test_box_rescale_invariant_to_zoom_about_centroid(zoom):
    kp = _pose()
    c = kp.mean(-2, keepdims=True)
    zoomed = c + zoom * (kp - c)
    np.testing.assert_allclose(box_rescale(zoomed, 250.0), box_rescale(kp, 250.0), atol=1e-9)
    t = torch.tensor(zoomed, requires_grad=True)
    out = box_rescale(t, 250.0)
    np.testing.assert_allclose(out.detach().numpy(), box_rescale(kp, 250.0), atol=1e-9)
    out.sum().backward()  # differentiable
    assert t.grad is not None


def test_fit_box_size_mean_and_errors():
    kp = _pose(n=6)
    assert fit_box_size_mean(kp) == pytest.approx(box_size(kp).mean())
    valid = np.array([1, 0, 1, 0, 1, 0], bool)
    assert fit_box_size_mean(kp, valid) == pytest.approx(box_size(kp[valid]).mean())
    with pytest.raises(ValueError, match="box size"):
        box_rescale(np.ones((2, 17, 2)), 100.0)  # all keypoints at one point
    with pytest.raises(ValueError, match="box_size_mean"):
        box_rescale(kp, -1.0)
    with pytest.raises(ValueError, match="no frame"):
        fit_box_size_mean(np.ones((3, 17, 2)))


def test_dscale2d_equals_camera_moved_to_reference_depth():
    """A planar body at depth d seen by a centred pinhole camera; after dscale2d it is what the camera sees at d_ref."""
    rng = np.random.default_rng(1)
    f, w, h = 1100.0, 1000.0, 800.0
    c = np.array([w / 2, h / 2])
    xy = rng.uniform(-0.8, 0.8, (5, 17, 2)) + rng.uniform(-0.5, 0.5, (5, 1, 2))
    d = rng.uniform(2.5, 7.0, 5)
    uv = f * xy / d[:, None, None] + c
    d_ref = 4.5
    expected = f * xy / d_ref + c  # the same body (same X, Y) with the camera moved so the depth is d_ref
    np.testing.assert_allclose(depth_rescale(uv, d, d_ref, c), expected, atol=1e-9)
    out = apply_scale_normalization(uv, "depth", image_size=(w, h), reference_depth=d_ref, root_depth=d)
    np.testing.assert_allclose(out, expected, atol=1e-9)
    # torch twin
    t = depth_rescale(torch.tensor(uv), torch.tensor(d), d_ref, torch.tensor(c))
    np.testing.assert_allclose(t.numpy(), expected, atol=1e-9)
    # a body at exactly d_ref is unchanged
    np.testing.assert_allclose(depth_rescale(uv, np.full(5, d_ref), d_ref, c), uv)


def test_dscale2d_errors_and_defaults():
    uv = _pose(n=2)
    with pytest.raises(ValueError, match="root_depth"):
        depth_rescale(uv, np.array([4.0, 0.0]), 4.5, (0, 0))
    with pytest.raises(ValueError, match="one per pose"):
        depth_rescale(uv, np.array([4.0]), 4.5, (0, 0))
    with pytest.raises(ValueError, match="reference_depth"):
        depth_rescale(uv, np.array([4.0, 5.0]), 0.0, (0, 0))
    out = apply_scale_normalization(uv, "depth", image_size=(1000, 1000), root_depth=np.array([9.0, 9.0]))
    np.testing.assert_allclose(out, 500 + (uv - 500) * 9.0 / DEFAULT_REFERENCE_DEPTH)
    assert apply_scale_normalization(uv, None) is uv
    with pytest.raises(ValueError, match="scale_normalization"):
        apply_scale_normalization(uv, "zoom")
