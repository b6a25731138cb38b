"""The surface-v2 monocular depth error model (issue 24 item 2): terms, severity, ray path vs rendered maps."""

import numpy as np
import pytest
import torch

from auglift_hf.simulation import generate_motion
from auglift_hf.simulation.surface import NUM_PARTS, BodyShape, SceneSpec
from auglift_hf.simulation.surface_depth import surface_descriptors_from_joints, surface_descriptors_from_maps
from auglift_hf.simulation.surface_error import SurfaceDepthError, surface_error_preset

F = torch.tensor([160.0, 160.0], dtype=torch.float64)
C = torch.tensor([48.0, 56.0], dtype=torch.float64)
SIZE = (96, 112)


def _walk(frames: int, seed: int = 0) -> torch.Tensor:
    world = generate_motion("walking", frames, fps=25.0, seed=seed)
    cam = world[..., [0, 2, 1]] * np.array([1.0, -1.0, 1.0])
    cam = cam - cam[:, :1].mean(0, keepdims=True) + np.array([0.0, 0.1, 4.0])
    return torch.tensor(cam, dtype=torch.float64)


def test_severity_zero_is_the_exact_scene():
    joints = _walk(4)
    kw = dict(image_size=SIZE, seed=2, shape=BodyShape(), scene=SceneSpec())
    exact = surface_descriptors_from_joints(joints, None, None, F, C, **kw)
    zero = surface_descriptors_from_joints(joints, None, None, F, C, error=surface_error_preset(severity=0.0), **kw)
    torch.testing.assert_close(zero, exact)
    with pytest.raises(ValueError, match="severity"):
        SurfaceDepthError(severity=-1.0)
    with pytest.raises(ValueError, match="preset"):
        surface_error_preset("capsule-v1")


def test_frame_terms_follow_their_documented_sizes():
    err = SurfaceDepthError(severity=2.0, fps=25.0)
    terms = err.frame_terms(20000, seed=5)
    flips = terms["flips"]
    assert not flips[:, :2].any()  # scene and torso never flip
    frac = float(flips[:, 2:].double().mean())
    assert abs(frac - 0.04) < 0.01  # flip_fraction 0.02 x severity 2
    off = terms["offset"][:, 1:]
    want = np.hypot(0.03 * 2, 0.010 * 2)  # per-part bias (AR(1), unit variance) + white flicker
    assert abs(float(off.std()) / want - 1) < 0.1
    assert torch.equal(terms["gain"][:, 0], torch.ones(20000, dtype=torch.float64))
    gain = terms["gain"][:, 1:].abs()
    assert abs(float(gain.log().mean()) - np.log(0.7**2)) < 0.02  # relief compression 1 - (1 - 0.3)^2
    assert torch.equal(err.frame_terms(50, 5)["offset"], err.frame_terms(50, 5)["offset"])  # seeded


def test_scene_samples_are_untouched_and_flips_mirror_the_relief():
    err = SurfaceDepthError(severity=1.0)
    terms = {
        "gain": torch.ones(1, NUM_PARTS, dtype=torch.float64),
        "offset": torch.zeros(1, NUM_PARTS, dtype=torch.float64),
    }
    terms["gain"][0, 4] = -1.0  # forearm flipped
    terms["offset"][0, 7] = 0.05
    d = torch.tensor([[4.0, 3.6, 4.2, 8.0]], dtype=torch.float64)
    part = torch.tensor([[1, 4, 7, 0]])
    out = err.transform(d, part, torch.tensor([4.0], dtype=torch.float64), terms)
    torch.testing.assert_close(out, torch.tensor([[4.0, 4.4, 4.25, 8.0]], dtype=torch.float64))


def test_ray_path_and_rendered_maps_give_the_same_statistics():
    # the same error model applied to rendered maps (inference-like) and to ray-cast samples (training):
    # same per-frame / per-part draws, independent per-sample draws -> same error distribution
    joints = _walk(24, seed=3)
    err = surface_error_preset(severity=1.5)
    kw = dict(image_size=SIZE, seed=7, shape=BodyShape(), scene=SceneSpec(), num_samples=16)
    exact = surface_descriptors_from_joints(joints, None, None, F, C, **kw)[..., 0]
    ray = surface_descriptors_from_joints(joints, None, None, F, C, error=err, **kw)[..., 0]
    maps = surface_descriptors_from_maps(joints, None, None, F, C, error=err, **kw)[..., 0]

    def rel_err(d):
        return ((d - d[:, :1]) - (exact - exact[:, :1]))[:, 1:]

    e_ray, e_map = rel_err(ray), rel_err(maps)
    q = torch.tensor([0.25, 0.5, 0.75], dtype=torch.float64)
    q_ray, q_map = e_ray.abs().flatten().quantile(q), e_map.abs().flatten().quantile(q)
    assert float(q_ray[1]) > 0.01  # the error is there...
    assert torch.allclose(q_ray, q_map, rtol=0.25, atol=0.004)  # ...and the same size on both paths
    # the shared per-part terms make the two paths' errors correlated joint by joint (measured 0.32 here; the
    # independent per-sample edge draws dominate single joints of a 96 px image)
    assert float(torch.corrcoef(torch.stack([e_ray.flatten(), e_map.flatten()]))[0, 1]) > 0.2


def test_severity_is_bounded_like_the_capsule_model():
    """The surface-v2 error model refuses the severities the capsule model refuses (issue 28 K: 1e6 gave d = 0.05 m
    everywhere), with the same bound and message."""
    import math

    from auglift_hf.simulation.depth_error import MAX_SEVERITY, depth_error_preset
    from auglift_hf.simulation.surface_error import SurfaceDepthError

    SurfaceDepthError(severity=MAX_SEVERITY)  # the bound itself is allowed
    for bad in (1e6, MAX_SEVERITY + 0.5, -1.0, math.nan, math.inf):
        with pytest.raises(ValueError, match="depth-severity") as surface:
            SurfaceDepthError(severity=bad)
        with pytest.raises(ValueError, match="depth-severity") as capsule:
            depth_error_preset(severity=bad)
        assert str(surface.value) == str(capsule.value)
