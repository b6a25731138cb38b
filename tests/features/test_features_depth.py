"""Depth descriptors: point / minmax / casp on synthetic maps with known answers."""

import numpy as np
import pytest
import torch

from auglift_hf.features import (
    CASP_SUMMARY_CHANNELS,
    casp_radii,
    check_h36m_keypoints,
    disk_pattern,
    masked_quantiles,
    sample_depth,
)


def _keypoints(batch: int, h: int = 64, w: int = 64, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    kp = torch.rand(batch, 17, 2, generator=g) * torch.tensor([w - 1.0, h - 1.0])
    kp[:, 0] = torch.tensor([w / 2, h / 2 + 10])  # pelvis
    kp[:, 8] = torch.tensor([w / 2, h / 2 - 10])  # thorax: torso 20 px
    return kp


@pytest.mark.parametrize("mode,k", [("point", 1), ("minmax", 2), ("casp", 3)])
def test_constant_plane_gives_plane_depth(mode, k):
    depth = torch.full((3, 64, 64), 2.5)
    out = sample_depth(depth, _keypoints(3), torch.rand(3, 17), mode=mode)
    assert out.shape == (3, 17, k)
    torch.testing.assert_close(out, torch.full_like(out, 2.5))


def test_numpy_input_and_batch_independence():
    rng = np.random.default_rng(0)
    depth = rng.uniform(1, 5, size=(4, 40, 50)).astype(np.float32)
    kp = _keypoints(4, 40, 50).numpy()
    scores = rng.uniform(size=(4, 17)).astype(np.float32)
    full = sample_depth(depth, kp, scores, mode="casp")
    assert isinstance(full, torch.Tensor)
    one = sample_depth(depth[2:3], kp[2:3], scores[2:3], mode="casp")
    torch.testing.assert_close(full[2:3], one)


def test_point_is_bilinear():
    # a linear ramp in x: bilinear interpolation is exact
    w = 32
    depth = (1.0 + 0.1 * torch.arange(w, dtype=torch.float32)).expand(1, 20, w).clone()
    kp = torch.full((1, 17, 2), 5.0)
    kp[0, :, 0] = torch.linspace(0.3, 30.7, 17)
    out = sample_depth(depth, kp, mode="point")[..., 0]
    torch.testing.assert_close(out, 1.0 + 0.1 * kp[..., 0])


def test_step_edge_dmin_sees_near_side():
    # far background 5 m, near object 2 m on the left of column 30; joints just right of the edge
    depth = torch.full((1, 64, 64), 5.0)
    depth[:, :, :30] = 2.0
    kp = _keypoints(1)
    kp[0, 1:8, 0] = 32.0
    scores = torch.full((1, 17), 0.3)  # large radius (> 2 px) so the disk crosses the edge
    out = sample_depth(depth, kp, scores, mode="casp")
    d, d_min, d_max = out[0, 1:8].unbind(-1)
    assert torch.allclose(d, torch.full_like(d, 5.0))  # the median stays on the joint's side
    assert torch.allclose(d_min, torch.full_like(d_min, 2.0))  # the near side is seen
    assert torch.allclose(d_max, torch.full_like(d_max, 5.0))
    mm = sample_depth(depth, kp, mode="minmax", radius=3.0)
    assert torch.allclose(mm[0, 1:8, 0], torch.full((7,), 2.0))
    assert torch.allclose(mm[0, 1:8, 1], torch.full((7,), 5.0))


def test_lower_confidence_larger_radius():
    kp = _keypoints(1)
    kp[:, 8] = kp[:, 0] - torch.tensor([0.0, 150.0])  # torso 150 px: radii inside [r_min, r_max]
    scores = torch.linspace(1.0, 0.0, 17)[None]
    radii = casp_radii(kp, scores)
    assert torch.all(radii[0, 1:] >= radii[0, :-1])
    assert radii[0, -1] > radii[0, 0]
    assert radii.min() >= 3.0 and radii.max() <= 30.0
    torch.testing.assert_close(radii[0, 0], torch.tensor(0.04 * 150.0))  # c = 1 -> k * S
    summary = sample_depth(torch.full((1, 64, 64), 1.0), kp, scores, mode="casp", summary=True)
    assert summary.shape == (1, 17, len(CASP_SUMMARY_CHANNELS))
    torch.testing.assert_close(summary[..., 3], radii)


def test_invalid_depth_masked_and_flagged():
    depth = torch.full((2, 32, 32), 3.0)
    depth[0, :, :16] = float("nan")
    depth[0, :16, 16:] = 0.0
    depth[1] = float("inf")
    kp = torch.full((2, 17, 2), 24.0)
    kp[:, 8] = torch.tensor([24.0, 14.0])
    kp[0, 3] = torch.tensor([4.0, 4.0])  # deep inside the NaN region
    out, valid = sample_depth(depth, kp, mode="casp", r_max=5.0, fill_value=-1.0, return_valid=True)
    assert not valid[1].any() and torch.all(out[1] == -1.0)
    assert not valid[0, 3] and torch.all(out[0, 3] == -1.0)
    assert valid[0, 0] and torch.all(out[0, 0] == 3.0)  # partially invalid disk: only valid samples count
    pt, pvalid = sample_depth(depth, kp, mode="point", fill_value=-1.0, return_valid=True)
    assert not pvalid[1].any() and pvalid[0, 0] and pt[0, 0, 0] == 3.0
    # a missed detection (NaN keypoint) is flagged, the rest of the frame is unaffected
    kp[0, 5] = float("nan")
    for mode in ("point", "minmax", "casp"):
        out2, valid2 = sample_depth(depth, kp, mode=mode, fill_value=-1.0, return_valid=True)
        assert not valid2[0, 5] and torch.all(out2[0, 5] == -1.0) and torch.all(out2[0, 0] == 3.0)


def test_border_clamping():
    depth = torch.arange(10, dtype=torch.float32).add(1).expand(1, 10, 10).clone()  # value = column + 1
    kp = torch.full((1, 17, 2), -50.0)
    out = sample_depth(depth, kp, mode="point")
    torch.testing.assert_close(out, torch.ones_like(out))
    kp = torch.full((1, 17, 2), 500.0)
    out = sample_depth(depth, kp, mode="minmax")
    torch.testing.assert_close(out, torch.full_like(out, 10.0))


def test_masked_quantiles_match_torch_quantile():
    g = torch.Generator().manual_seed(1)
    x = torch.rand(50, 37, generator=g) + 0.1
    mask = torch.rand(50, 37, generator=g) < 0.3
    x_masked = x.masked_fill(mask, float("nan"))
    qs = (0.1, 0.5, 0.9)
    out, valid = masked_quantiles(x_masked, qs)
    expect = torch.nanquantile(x_masked, torch.tensor(qs), dim=-1).T
    torch.testing.assert_close(out, expect)
    assert valid.all()


def test_disk_pattern_fixed_and_in_disk():
    a, b = disk_pattern(100), disk_pattern(100)
    torch.testing.assert_close(a, b)
    assert a.shape == (100, 2) and a.norm(dim=-1).max() <= 1.0
    u1, u2 = disk_pattern(64, "uniform", seed=3), disk_pattern(64, "uniform", seed=3)
    torch.testing.assert_close(u1, u2)
    assert not torch.allclose(u1, disk_pattern(64, "uniform", seed=4))


def test_bad_inputs_raise():
    depth = torch.ones(2, 8, 8)
    with pytest.raises(ValueError, match="keypoints"):
        sample_depth(depth, torch.zeros(2, 18, 2))
    with pytest.raises(ValueError, match="depth"):
        sample_depth(torch.ones(8, 8), torch.zeros(1, 17, 2))
    with pytest.raises(ValueError, match="scores"):
        sample_depth(depth, torch.zeros(2, 17, 2), torch.ones(2, 16), mode="casp")
    with pytest.raises(ValueError, match="mode"):
        sample_depth(depth, torch.zeros(2, 17, 2), mode="median")
    with pytest.raises(ValueError, match="batch"):
        sample_depth(depth, torch.zeros(3, 17, 2))
    with pytest.raises(ValueError, match="H36M-17"):
        check_h36m_keypoints(np.zeros((4, 17, 3)), "kp")
