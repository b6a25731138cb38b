"""PoseAug modules: bone algebra, generator ranges (BA/BL/RT), discriminators, losses, depth and encoding of
augmented poses (the torch encoder equals the processor's)."""

import math

import numpy as np
import pytest
import torch

from auglift_hf import PoseLiftingProcessor
from auglift_hf.simulation import DepthCorruption, depth_descriptors_from_joints
from auglift_hf.simulation.poseaug import (
    BL_GROUPS,
    Discriminator2D,
    FakePool,
    PartAwareDiscriminator3D,
    PoseAugConfig,
    PoseAugmentor,
    augmented_depth,
    axis_angle_to_matrix,
    bone_vectors,
    diff_range_loss,
    encode_like_processor,
    pose_from_bones,
    project_pinhole,
    rectified_l2,
)
from auglift_hf.simulation.poseaug.modeling_poseaug import BA_FIXED_BONES, BL_GROUP_MASK
from auglift_hf.skeleton import bone_lengths


def _poses(n=64, seed=0):
    """Standing-ish H36M-17 poses (procedural motion) 3-6 m in front of the camera, camera frame metres."""
    from auglift_hf.simulation import generate_motion

    world = generate_motion("walking", n, fps=25.0, seed=seed)  # (n, 17, 3) z up
    cam = world[..., [0, 2, 1]] * np.array([1.0, -1.0, 1.0])  # x right, y down, z = world y
    cam = cam - cam[:, :1] + np.array([0.2, 0.1, 4.5])
    cam[..., 2] += np.linspace(-1.0, 1.5, n)[:, None]
    return torch.tensor(cam, dtype=torch.float32)


def test_bone_round_trip():
    p = _poses()
    rel = p - p[:, :1]
    torch.testing.assert_close(pose_from_bones(bone_vectors(rel)), rel, atol=1e-5, rtol=0)
    np.testing.assert_allclose(bone_vectors(rel).norm(dim=-1).numpy(), bone_lengths(rel.numpy()), atol=1e-5)


@pytest.mark.parametrize("rt_translation", ["official", "bounded"])
def test_generators_stay_in_their_ranges(rt_translation):
    torch.manual_seed(0)
    p = _poses()
    aug = PoseAugmentor(PoseAugConfig(rt_translation=rt_translation))
    out = aug(p, generator=torch.Generator().manual_seed(0))
    # BA: same lengths, same root, fixed spine bones, ba_diff = 1 - cos of the real angle change
    b0, b1 = bone_vectors(p), bone_vectors(out["pose_ba"])
    torch.testing.assert_close(b1.norm(dim=-1), b0.norm(dim=-1), atol=1e-5, rtol=0)
    torch.testing.assert_close(out["pose_ba"][:, 0], p[:, 0])
    torch.testing.assert_close(b1[:, list(BA_FIXED_BONES)], b0[:, list(BA_FIXED_BONES)], atol=1e-5, rtol=0)
    cos = (b0 * b1).sum(-1) / (b0.norm(dim=-1) * b1.norm(dim=-1))
    torch.testing.assert_close(out["ba_diff"], 1 - cos, atol=1e-5, rtol=0)
    assert out["ba_diff"].mean() > 0.01  # the angles do change
    # BL: ratios within +-blr_tanhlimit, equal on both sides, masked group unchanged, directions kept
    blr = out["blr"]
    assert blr.abs().max() <= 0.2 + 1e-6 and blr.abs().mean() > 1e-3
    assert torch.all(blr[:, [i for i, m in enumerate(BL_GROUP_MASK) if not m]] == 0)
    ratio = bone_vectors(out["pose_bl"]).norm(dim=-1) / b1.norm(dim=-1)
    for g, bones in enumerate(BL_GROUPS):
        for b in bones:
            torch.testing.assert_close(ratio[:, b], 1 + blr[:, g], atol=1e-5, rtol=0)
    u1 = b1 / b1.norm(dim=-1, keepdim=True)
    u2 = bone_vectors(out["pose_bl"]) / bone_vectors(out["pose_bl"]).norm(dim=-1, keepdim=True)
    torch.testing.assert_close(u2, u1, atol=1e-5, rtol=0)
    # RT: a rigid motion of the BL pose, root depth within the configured factor
    rel_bl, rel_rt = out["pose_bl"] - out["pose_bl"][:, :1], out["pose_rt"] - out["pose_rt"][:, :1]
    torch.testing.assert_close(torch.cdist(rel_rt, rel_rt), torch.cdist(rel_bl, rel_bl), atol=1e-4, rtol=0)
    if rt_translation == "bounded":
        factor = out["pose_rt"][:, 0, 2] / p[:, 0, 2]
        assert factor.min() >= 1 / 1.5 - 1e-5 and factor.max() <= 1.5 + 1e-5
    else:  # the root is the generated translation, t_z = w^2 >= 0
        torch.testing.assert_close(out["pose_rt"][:, 0], out["translation"])
        assert out["translation"][:, 2].min() >= 0
    assert out["rotation"].norm(dim=-1).max() <= math.pi * math.sqrt(3) + 1e-5


def test_axis_angle_matches_rodrigues():
    r = torch.tensor([[0.0, 0.0, math.pi / 2], [0.3, -0.2, 0.5]])
    m = axis_angle_to_matrix(r)
    torch.testing.assert_close(m[0] @ torch.tensor([1.0, 0, 0]), torch.tensor([0.0, 1, 0]), atol=1e-6, rtol=0)
    torch.testing.assert_close(m @ m.transpose(1, 2), torch.eye(3).expand(2, 3, 3), atol=1e-6, rtol=0)
    assert torch.allclose(torch.linalg.det(m), torch.ones(2))


def test_discriminators_shapes_and_3d_sees_only_angles():
    p = _poses(8)
    d3 = PartAwareDiscriminator3D(PoseAugConfig(kcs_channels=32)).eval()
    assert d3(p).shape == (8, 5)
    stretched = pose_from_bones(bone_vectors(p - p[:, :1]) * 1.3) + p[:, :1]
    torch.testing.assert_close(d3(stretched), d3(p), atol=1e-4, rtol=1e-4)  # KCS of unit bones: lengths unseen
    assert Discriminator2D()(p[..., :2]).shape == (8, 1)


def test_losses_match_poseaug_definitions():
    a = torch.tensor([0.0, 0.1, 0.5])
    # (a - 0.2)^2 where |a - 0.2| > 0.15: only 0.0 (0.04) and 0.5 (0.09) count; mean over 3 entries
    assert diff_range_loss(a, 0.2, 0.15).item() == pytest.approx((0.04 + 0.09) / 3)
    assert rectified_l2(torch.tensor([0.05, -0.2]), 0.1).item() == pytest.approx(0.04 / 2)
    pool = FakePool(size=8, seed=0)
    x = torch.arange(6.0)[:, None]
    torch.testing.assert_close(pool(x), x)  # filling: passes through
    y = pool(torch.arange(100.0, 110.0)[:, None])
    assert y.shape == (10, 1) and len(pool.items) == 8
    assert set(y[:2, 0].tolist()) == {100.0, 101.0}  # the first two filled the pool


@pytest.mark.parametrize(
    "channels,mode",
    [(["x", "y", "d"], None), (["x", "y", "d"], "depth"), (["x", "y", "c", "d"], "box"), (["x", "y"], "box"),
     (["x", "y", "c", "d", "d_min", "d_max"], "depth")],
)  # fmt: skip
def test_encode_like_processor_equals_processor(channels, mode):
    p = _poses(16).double()
    f, c = torch.full((16, 2), 1100.0, dtype=torch.float64), torch.full((16, 2), 500.0, dtype=torch.float64)
    size = torch.full((16, 2), 1000.0, dtype=torch.float64)
    uv = project_pinhole(p, f, c)
    k = 3 if "d_min" in channels else 1
    depth = augmented_depth(p, f, c, size, mode="casp" if k == 3 else "point", corruption=None, num_samples=8)
    proc = PoseLiftingProcessor(input_channels=channels, scale_normalization=mode, box_size_mean=300.0)
    expected = proc.encode(uv.numpy(), (1000, 1000), np.ones((16, 17)), depth.numpy())
    got = encode_like_processor(proc, uv, size, depth)
    np.testing.assert_allclose(got.numpy(), expected, atol=1e-5)


def test_encode_like_processor_refuses_other_coordinate_conventions():
    """MotionBERT's conventions (raw confidence) are not what the torch encoder computes: refused, not mis-encoded."""
    p = _poses(4).double()
    f, c = torch.full((4, 2), 1100.0, dtype=torch.float64), torch.full((4, 2), 500.0, dtype=torch.float64)
    proc = PoseLiftingProcessor(input_channels=["x", "y", "c"], coordinate_normalization="motionbert")
    with pytest.raises(ValueError, match="coordinate_normalization='motionbert'"):
        encode_like_processor(proc, project_pinhole(p, f, c), torch.full((4, 2), 1000.0, dtype=torch.float64))


def test_augmented_depth_is_the_ray_cast_body_plus_the_error_model():
    p = _poses(32).double()
    f, c = torch.full((32, 2), 1100.0, dtype=torch.float64), torch.full((32, 2), 500.0, dtype=torch.float64)
    clean = augmented_depth(p, f, c, None, corruption=None)
    assert clean.shape == (32, 17, 1)
    gap = p[:, 0, 2] - clean[:, 0, 0]  # the pelvis ray hits the body surface in front of the joint
    assert torch.all(gap > 0) and torch.all(gap < 0.2)
    ref = depth_descriptors_from_joints(p, None, None, f, c, mode="point")
    torch.testing.assert_close(clean, ref, atol=2e-4, rtol=0)  # computed in float32 (< 0.1 mm measured)
    a = augmented_depth(p, f, c, None, corruption=DepthCorruption(), generator=3)
    b = augmented_depth(p, f, c, None, corruption=DepthCorruption(), generator=3)
    torch.testing.assert_close(a, b)  # seeded
    rel = (a - clean).abs().mean() / clean.mean()
    assert 0.005 < rel < 0.2  # a few percent error, as the error model documents
