"""PoseAug's restored formulas against hand-computed cases and against the official code re-typed here as reference.

The reference functions below are the official ``jfzhang95/PoseAug`` ones (``function_poseaug/model_gan_train.py``
``get_adv_loss`` :21-46, ``get_posenet_loss`` :123-135, ``fix_hardratio`` :143-162; ``utils/loss.py``
``diff_range_loss`` :225-229), written in test code only, on PoseAug's 16-joint skeleton (H36M-17 without the nose).
"""

import math

import pytest
import torch

from auglift_hf.simulation.poseaug import (
    FEEDBACK_JOINT_GROUPS,
    FEEDBACK_JOINT_WEIGHTS,
    PoseAugConfig,
    PoseAugmentor,
    bone_length_templates,
    bone_vectors,
    generator_adversarial_loss,
    grouped_joint_errors,
    hardness_feedback_loss,
    hardness_target,
    lsgan_loss,
    pose_from_bones,
    project_pinhole_clamped,
    random_bone_length_swap,
)

NOSE = 9
TO16 = [j for j in range(17) if j != NOSE]  # PoseAug's 16 joints = H36M-17 without the nose


# ---------------------------------------------------------------- official reference (test code only)
def _official_adv_loss(real, fake):
    mse = torch.nn.MSELoss(reduction="mean")
    return (mse(real, torch.zeros_like(real)) + mse(fake, torch.ones_like(fake))) * 0.5


def _official_posenet_loss(pred16, target16):
    err = torch.norm(pred16 - target16, dim=-1)
    w = torch.tensor([1, 5, 2, 1, 5, 2, 1, 1, 1, 1, 5, 2, 1, 5, 2, 1], dtype=err.dtype).unsqueeze(0)
    err = err * w
    return torch.cat(
        [err[:, [1, 4, 10, 13]].mean(-1, keepdim=True), err[:, [2, 5, 9, 11, 14]].mean(-1, keepdim=True),
         err[:, [3, 6, 12, 15]].mean(-1, keepdim=True)], -1,
    )  # fmt: skip


def _official_diff_range_loss(a, b, std):
    diff = (a - b) ** 2
    return (diff * torch.where(diff > std**2, torch.ones_like(a), torch.zeros_like(a))).mean()


def _official_fix_hardratio(target_std, target_mean, harder, easier, factordiv, factorfeedback):
    ratio = harder / easier
    return (
        torch.mean((torch.std(ratio) - target_std) ** 2) * factordiv
        + _official_diff_range_loss(ratio, target_mean, target_std) * factorfeedback
    )


# ---------------------------------------------------------------- (a) the 0.5 factor
def test_generator_adversarial_loss_is_half_of_both_terms():
    d_real, d_fake = torch.tensor([[0.5], [1.0]]), torch.tensor([[0.2], [0.6]], requires_grad=True)
    loss = generator_adversarial_loss(d_real, d_fake)
    # by hand: 0.5 * [mean(0.25, 1.0) + mean(0.64, 0.16)] = 0.5 * (0.625 + 0.4) = 0.5125
    assert loss.item() == pytest.approx(0.5125)
    assert loss.item() == pytest.approx(_official_adv_loss(d_real, d_fake).item())
    (grad,) = torch.autograd.grad(loss, d_fake)
    # d/dfake of 0.5 * mean((fake - 1)^2) over 2 entries = 0.5 * (fake - 1): -0.4, -0.2 (half the full-weight loss)
    torch.testing.assert_close(grad, torch.tensor([[-0.4], [-0.2]]))
    (full,) = torch.autograd.grad(lsgan_loss(d_fake, real=True), d_fake)
    torch.testing.assert_close(full, 2 * grad)


# ---------------------------------------------------------------- (b) grouped feedback weights
def test_grouped_joint_errors_hand_case_and_official():
    target = torch.zeros(1, 17, 3)
    pred = target.clone()
    pred[0, :, 0] = torch.arange(17) * 0.01  # joint j is j cm off
    got = grouped_joint_errors(pred, target, torch.tensor(FEEDBACK_JOINT_WEIGHTS, dtype=torch.float32),
                               FEEDBACK_JOINT_GROUPS)  # fmt: skip
    # hips + shoulders (1, 4, 11, 14) x5: (5 + 20 + 55 + 70) / 4 cm; knees, head, elbows (2, 5, 10, 12, 15) x(2, 2,
    # 1, 2, 2): (4 + 10 + 10 + 24 + 30) / 5 cm; feet + wrists (3, 6, 13, 16) x1: (3 + 6 + 13 + 16) / 4 cm
    torch.testing.assert_close(got, torch.tensor([[0.375, 0.156, 0.095]]), atol=1e-6, rtol=0)
    g = torch.Generator().manual_seed(0)
    pred, target = torch.randn(8, 17, 3, generator=g), torch.randn(8, 17, 3, generator=g)
    ours = grouped_joint_errors(pred, target, torch.tensor(FEEDBACK_JOINT_WEIGHTS), FEEDBACK_JOINT_GROUPS)
    torch.testing.assert_close(ours, _official_posenet_loss(pred[:, TO16], target[:, TO16]))


def test_hardness_feedback_loss_hand_case_and_official():
    harder, easier = torch.tensor([[3.0, 8.0, 12.0]]), torch.tensor([[1.0, 1.0, 2.0]])
    # ratios 3, 8, 6 around 5 +- 2: squared gaps 4, 9, 1; only 9 > 2^2 counts -> mean 9 / 3 = 3, times 0.1
    assert hardness_feedback_loss(harder, easier, 5.0, 2.0, weight=0.1).item() == pytest.approx(0.3)
    g = torch.Generator().manual_seed(1)
    harder, easier = torch.rand(16, 3, generator=g) * 20, torch.rand(16, 3, generator=g) + 0.5
    for div in (0.0, 0.7):
        ours = hardness_feedback_loss(harder, easier, 17.0, 15.0, weight=0.01, div_weight=div)
        ref = _official_fix_hardratio(15.0, 17.0, harder, easier, div, 0.01)
        assert ours.item() == pytest.approx(ref.item(), rel=1e-6)


def test_hardness_target_schedule():
    # update_hardratio(3, 5, epoch, 50): 3.04 in the first epoch, 4 at epoch 25, 5 at the last
    assert hardness_target(3.0, 5.0, 1, 50) == pytest.approx(3.04)
    assert hardness_target(3.0, 5.0, 25, 50) == pytest.approx(4.0)
    assert hardness_target(3.0, 5.0, 50, 50) == pytest.approx(5.0)
    assert hardness_target(17.0, 17.0, 7, 50) == 17.0


# ---------------------------------------------------------------- (e), (g)
def _poses(n=6):
    g = torch.Generator().manual_seed(0)
    bones = torch.randn(n, 16, 3, generator=g) * 0.2
    return pose_from_bones(bones) + torch.tensor([0.1, 0.2, 4.0])


def test_random_bone_length_swap_takes_template_lengths():
    p = _poses(40)
    templates = torch.tensor([[0.1 + 0.01 * b for b in range(16)], [0.2 + 0.01 * b for b in range(16)]])
    out = random_bone_length_swap(p, templates, torch.Generator().manual_seed(0))
    lengths = bone_vectors(out).norm(dim=-1)
    match = [(lengths - t).abs().max(-1).values < 1e-5 for t in templates]
    assert torch.all(match[0] | match[1]) and match[0].any() and match[1].any()  # each pose took one template
    u0, u1 = bone_vectors(p), bone_vectors(out)
    torch.testing.assert_close(u1 / u1.norm(dim=-1, keepdim=True), u0 / u0.norm(dim=-1, keepdim=True))
    torch.testing.assert_close(out[:, 0], p[:, 0])
    # templates of two "subjects" (constant lengths each, many frames) are two rows
    two = torch.cat([random_bone_length_swap(p, templates[i : i + 1]) for i in range(2)])
    torch.testing.assert_close(bone_length_templates(two), templates.sort(0).values, atol=1e-3, rtol=0)


def test_rt_translation_official_drops_the_root_and_squares_tz():
    torch.manual_seed(0)
    aug = PoseAugmentor(PoseAugConfig(hidden_size=32)).eval()
    p = _poses()
    t_raw = torch.tensor([0.3, -0.2, -2.0])

    class Const(torch.nn.Module):  # a hand-set network output
        def __init__(self, value):
            super().__init__()
            self.value = value

        def forward(self, x):
            return self.value.expand(len(x), 3)

    aug.rt.net_t, aug.rt.net_r = Const(t_raw), Const(torch.zeros(3))  # no rotation
    out = aug(p, generator=torch.Generator().manual_seed(0))
    bl = out["pose_bl"]
    # pose_rt = (pose_bl - root) + (0.3, -0.2, (-2)^2): the original root (at z = 4) plays no part
    torch.testing.assert_close(out["pose_rt"], bl - bl[:, :1] + torch.tensor([0.3, -0.2, 4.0]))
    torch.testing.assert_close(out["translation"][0], torch.tensor([0.3, -0.2, 4.0]))
    bounded = PoseAugmentor(PoseAugConfig(hidden_size=32, rt_translation="bounded")).eval()
    depth = bounded(p)["pose_rt"][:, 0, 2] / p[:, 0, 2]
    assert depth.min() >= 1 / 1.5 - 1e-5 and depth.max() <= 1.5 + 1e-5


def test_projection_is_poseaugs_clamped_one():
    f, c = torch.tensor([[1000.0, 1000.0]]), torch.tensor([[500.0, 500.0]])
    pose = torch.tensor([[[0.5, -0.25, 2.0], [3.0, 0.0, 1.0], [0.0, 0.0, 0.0]] + [[0.0, 0.0, 1.0]] * 14])
    uv = project_pinhole_clamped(pose, f, c)
    torch.testing.assert_close(uv[0, 0], torch.tensor([750.0, 375.0]))  # inside: the pinhole projection
    torch.testing.assert_close(uv[0, 1], torch.tensor([1500.0, 500.0]))  # X / Z = 3 clamped to 1
    assert torch.isfinite(uv).all()


def test_config_refuses_unknown_choices():
    with pytest.raises(ValueError, match="rt_translation"):
        PoseAugConfig(rt_translation="free")
    assert PoseAugConfig().hidden_size == 256 and PoseAugConfig().kcs_channels == 256
    assert PoseAugConfig().d2d_width == 100 and PoseAugConfig().warmup_epochs == 2
    assert math.isclose(PoseAugConfig().loss_weight_adv_3d, 6.0)
