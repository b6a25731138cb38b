"""Monocular-depth error model: severity 0 is exact, effects grow with severity, maps and ray-cast agree."""

import numpy as np
import pytest
import torch

from auglift_hf.features import sample_depth
from auglift_hf.simulation import (
    MonocularDepthError,
    depth_descriptors_from_joints,
    depth_error_preset,
    project_joints,
    render_depth,
)

_POSE = torch.tensor(
    [
        [0, 0, 0], [-0.13, 0, 0], [-0.13, 0.45, 0.02], [-0.13, 0.9, 0], [0.13, 0, 0], [0.13, 0.45, 0.02],
        [0.13, 0.9, 0], [0, -0.25, 0], [0, -0.5, 0], [0, -0.6, -0.05], [0, -0.75, 0], [0.18, -0.5, 0],
        [0.3, -0.3, -0.1], [0.35, -0.1, -0.2], [-0.18, -0.5, 0], [-0.3, -0.3, 0.1], [-0.35, -0.1, 0.2],
    ],
    dtype=torch.float64,
)  # fmt: skip
F = torch.tensor([150.0, 150.0], dtype=torch.float64)
C = torch.tensor([64.0, 64.0], dtype=torch.float64)


def _sequence(t=24, seed=0):
    g = torch.Generator().manual_seed(seed)
    base = _POSE + torch.tensor([0.0, 0.0, 3.0], dtype=torch.float64)
    return base[None] + 0.02 * torch.randn(t, 17, 3, generator=g, dtype=torch.float64)


def test_preset_and_severity_scaling():
    m = depth_error_preset(severity=2.0)
    assert m.preset == "depth-anything-v2-metric" and m.scale_log_std == pytest.approx(0.070)
    eff = m.effective()
    assert eff["scale_log_std"] == pytest.approx(0.14) and eff["relief_compression"] == pytest.approx(1 - 0.7**2)
    assert all(v == 0 for v in depth_error_preset(severity=0.0).effective().values())
    with pytest.raises(ValueError, match="severity"):
        MonocularDepthError(severity=-1)
    with pytest.raises(ValueError, match="unknown depth-error preset"):
        depth_error_preset("midas")


def test_severity_zero_is_exact_and_error_grows_with_severity():
    j = _sequence()
    maps = render_depth(j, F, C, 128, 128)
    assert torch.equal(depth_error_preset(severity=0)(maps, seed=1, far=10.0), maps)
    clean = depth_descriptors_from_joints(j, None, None, F, C, mode="point")
    errs = []
    for sev in (0.0, 1.0, 3.0):
        d = depth_descriptors_from_joints(
            j, None, None, F, C, mode="point", corruption=depth_error_preset(severity=sev)
        )
        rel = (d[..., 0] - d[:, :1, 0]) - (clean[..., 0] - clean[:, :1, 0])  # pelvis-relative error
        errs.append(float(rel.abs().mean()))
    assert errs[0] == 0 and errs[0] < errs[1] < errs[2]


def test_per_frame_scale_is_temporally_correlated():
    m = depth_error_preset(severity=1.0, fps=25.0)
    a = m.frame_log_scales(4000, seed=3).numpy()
    assert abs(a.std() - np.hypot(0.070, 0.02)) < 0.02
    da = np.diff(a)
    assert da.std() < 0.6 * a.std()  # mostly slow drift (+ white flicker)
    assert np.array_equal(m.frame_log_scales(4000, seed=3).numpy(), a)  # seeded


def test_relief_compression_flattens_the_body():
    j = _sequence(8)
    maps = render_depth(j, F, C, 128, 128)
    m = MonocularDepthError(
        severity=1.0, scale_log_std=0, flicker_log_std=0, relief_compression=0.5, edge_sigma_px=0, thin_mix=0,
        noise_std=0,
    )  # fmt: skip
    out = m(maps, far=10.0)
    body = maps < 9.99
    spread_in = maps[body].std()
    spread_out = out[body].std()
    assert 0.4 < float(spread_out / spread_in) < 0.6
    assert torch.equal(out[~body], maps[~body])  # the background is untouched


def test_rendered_map_and_ray_cast_paths_give_the_same_statistics():
    """Item 2: the vectorised map path and the ray-cast fast path agree in distribution (CASP, severity 1.5)."""
    j = _sequence(40, seed=5)
    kp = torch.as_tensor(project_joints(j, F, C))
    m = depth_error_preset(severity=1.5)
    maps = render_depth(j, F, C, 128, 128)
    kw = {"mode": "casp", "num_samples": 16}
    clean = depth_descriptors_from_joints(j, kp, None, F, C, image_size=(128, 128), **kw)
    via_map = sample_depth(m(maps, seed=7, far=10.0), kp, **kw)
    via_ray = depth_descriptors_from_joints(j, kp, None, F, C, image_size=(128, 128), corruption=m, seed=7, **kw)
    for k in range(3):
        e_map = (via_map[..., k] - clean[..., k]).abs().mean(0)  # (17,) mean abs error per joint
        e_ray = (via_ray[..., k] - clean[..., k]).abs().mean(0)
        assert float((e_map.mean() - e_ray.mean()).abs()) < 0.3 * float(e_map.mean())
    # the per-frame scale draws are shared: the pelvis-relative relief error is the same size
    rel = lambda x: x[..., 0] - x[:, :1, 0]  # noqa: E731
    r_map = (rel(via_map) - rel(clean)).abs().mean()
    r_ray = (rel(via_ray) - rel(clean)).abs().mean()
    assert float((r_map - r_ray).abs()) < 0.35 * float(r_map)
