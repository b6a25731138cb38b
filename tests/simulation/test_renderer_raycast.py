"""Capsule-body depth: renderer, analytic ray-cast descriptors, estimator corruption."""

import numpy as np
import pytest
import torch

from auglift_hf.features import sample_depth
from auglift_hf.simulation import (
    DepthCorruption,
    body_capsules,
    casp_from_joints,
    corrupt_depth,
    depth_descriptors_from_joints,
    project_joints,
    ray_cast_capsules,
    render_depth,
)

# a standing T-ish pose, camera frame (x right, y down, z forward), metres, pelvis at the origin
_POSE = torch.tensor(
    [
        [0, 0, 0], [-0.13, 0, 0], [-0.13, 0.45, 0.02], [-0.13, 0.9, 0], [0.13, 0, 0], [0.13, 0.45, 0.02],
        [0.13, 0.9, 0], [0, -0.25, 0], [0, -0.5, 0], [0, -0.6, -0.05], [0, -0.75, 0], [0.18, -0.5, 0],
        [0.3, -0.3, -0.1], [0.35, -0.1, -0.2], [-0.18, -0.5, 0], [-0.3, -0.3, 0.1], [-0.35, -0.1, 0.2],
    ]
)  # fmt: skip
F = torch.tensor([300.0, 300.0])
C = torch.tensor([64.0, 64.0])


def _bodies(batch: int, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    shift = torch.randn(batch, 1, 3, generator=g) * torch.tensor([0.1, 0.1, 0.3]) + torch.tensor([0.0, 0.0, 4.0])
    return _POSE[None] + shift


def test_single_capsule_known_depth():
    # a horizontal capsule of radius 0.1 with its axis at z = 3 m: on the centre line the surface is at 2.9 m
    a = torch.tensor([[[-0.5, 0.0, 3.0]]])
    b = torch.tensor([[[0.5, 0.0, 3.0]]])
    rays = torch.tensor([[[0.0, 0.0, 1.0], [0.1, 0.0, 1.0], [0.0, 0.02, 1.0], [0.0, 0.5, 1.0], [0.2, 0.0, 1.0]]])
    t = ray_cast_capsules(rays, a, b, torch.tensor([0.1]))
    torch.testing.assert_close(t[0, :2], torch.tensor([2.9, 2.9]))
    # off-axis ray (0, s, 1): (t s)^2 + (t - 3)^2 = r^2
    s, r = 0.02, 0.1
    expected = (3.0 - np.sqrt(9.0 - (1 + s**2) * (9.0 - r**2))) / (1 + s**2)
    assert abs(float(t[0, 2]) - expected) < 1e-5 and 2.9 < expected < 3.0
    assert torch.isinf(t[0, 3])  # misses (above the capsule)
    # beyond the end x = 0.6 m at z ~ 3: hits the rounded cap, farther than the cylinder surface
    assert 2.9 < t[0, 4] < 3.0 + 0.1


def test_render_depth_centre_line_and_background():
    joints = _bodies(2)
    depth = render_depth(joints, F, C, 128, 128, far=9.0)
    assert depth.shape == (2, 128, 128)
    assert depth.max() == 9.0 and depth.min() > 3.0
    # thorax pixel lies on the spine capsule's centre line (radius 0.12 m)
    uv = project_joints(joints, F, C)
    spine_mid = 0.5 * (joints[:, 7] + joints[:, 8])
    uv_mid = torch.tensor(project_joints(spine_mid[:, None].expand(2, 17, 3), F, C)[:, 0])
    u, v = uv_mid.round().long().unbind(-1)
    ray = torch.stack([(u - C[0]) / F[0], (v - C[1]) / F[1], torch.ones(2)], -1)
    expect = ray_cast_capsules(ray[:, None], joints[:, 7:8], joints[:, 8:9], torch.tensor([0.12]))[:, 0]
    got = depth[torch.arange(2), v, u]
    torch.testing.assert_close(got, expect)
    assert torch.all((spine_mid[:, 2] - got - 0.12).abs() < 0.01)
    assert uv.shape == (2, 17, 2)


def test_render_single_sphere_head_depth():
    # head sphere centre at the mean of joints 9 and 10: its front is radius 0.1 m closer
    joints = _bodies(1)
    depth = render_depth(joints, F, C, 128, 128)
    head = 0.5 * (joints[0, 9] + joints[0, 10])
    u = int(round(float(F[0] * head[0] / head[2] + C[0])))
    v = int(round(float(F[1] * head[1] / head[2] + C[1])))
    assert abs(float(depth[0, v, u]) - float(head[2] - 0.1)) < 0.01


def test_ray_cast_matches_rendered_map():
    joints = _bodies(6)
    size = 128
    depth = render_depth(joints, F, C, size, size)
    kp = torch.tensor(project_joints(joints, F, C), dtype=torch.float32)
    g = torch.Generator().manual_seed(1)
    kp = kp + torch.randn(kp.shape, generator=g)  # noisy 2D detections
    scores = torch.rand(6, 17, generator=g)
    from_map = sample_depth(depth, kp, scores, mode="casp")
    snapped = casp_from_joints(joints, kp, scores, F, C, image_size=(size, size), snap=True)
    torch.testing.assert_close(snapped, from_map, atol=1e-4, rtol=0)
    # continuous rays: identical up to discretisation (the median is robust)
    cont = casp_from_joints(joints, kp, scores, F, C)
    assert (cont[..., 0] - from_map[..., 0]).abs().median() < 0.02
    point = depth_descriptors_from_joints(joints, kp, scores, F, C, mode="point")
    assert point.shape == (6, 17, 1)
    mm = depth_descriptors_from_joints(joints, kp, None, F, C, mode="minmax", image_size=(size, size), snap=True)
    torch.testing.assert_close(mm, sample_depth(depth, kp, mode="minmax"), atol=1e-4, rtol=0)
    # default keypoints = exact projection
    exact = depth_descriptors_from_joints(joints, None, None, F, C, mode="point")
    assert torch.all(exact[..., 0] < joints[..., 2] + 0.01)


def test_corruption_seeded_and_plausible():
    joints = _bodies(3)
    depth = render_depth(joints, F, C, 64, 64)
    a, b = corrupt_depth(depth, seed=3), corrupt_depth(depth, seed=3)
    torch.testing.assert_close(a, b)
    assert not torch.allclose(a, corrupt_depth(depth, seed=4))
    rel = ((a - depth).abs() / depth).median()
    assert 0.0 < rel < 0.3
    corr = DepthCorruption(scale_std=0.1, shift_std=0.0, blur_sigma=1.0, noise_std=0.01)
    d1 = casp_from_joints(joints, None, None, F, C, corruption=corr, seed=0)
    d2 = casp_from_joints(joints, None, None, F, C, corruption=corr.to_dict(), seed=0)
    torch.testing.assert_close(d1, d2)
    clean = casp_from_joints(joints, None, None, F, C)
    assert not torch.allclose(d1, clean) and ((d1 - clean).abs() / clean).median() < 0.5


def test_capsule_table_and_bad_inputs():
    wa, wb, r = body_capsules()
    assert wa.shape == wb.shape == (r.shape[0], 17) and torch.allclose(
        wa.sum(1), torch.ones(r.shape[0], dtype=wa.dtype)
    )
    assert 0.03 < r.min() and r.max() <= 0.12
    with pytest.raises(ValueError, match="joints_cam"):
        render_depth(torch.zeros(2, 16, 3), F, C, 8, 8)
    with pytest.raises(ValueError, match="`f`"):
        render_depth(_bodies(1), torch.tensor([1.0, 2.0, 3.0]), C, 8, 8)
    with pytest.raises(ValueError, match="required"):
        depth_descriptors_from_joints(_bodies(1))
    with pytest.raises(ValueError, match="mode"):
        depth_descriptors_from_joints(_bodies(1), None, None, F, C, mode="median")
