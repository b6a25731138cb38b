import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from auglift_hf import skeleton as sk


def test_h36m_layout_matches_videopose3d():
    assert len(sk.H36M_JOINT_NAMES) == 17 == sk.NUM_JOINTS
    assert sk.H36M_PARENTS == (-1, 0, 1, 2, 0, 4, 5, 0, 7, 8, 9, 8, 11, 12, 8, 14, 15)
    # The 17-joint parents are what VideoPose3D's remove_joints() yields from the 32-joint tree.
    keep = list(sk.H36M32_TO_17)
    parents32 = list(sk.H36M32_PARENTS)
    derived = []
    for j in keep:
        p = parents32[j]
        while p != -1 and p not in keep:
            p = parents32[p]
        derived.append(-1 if p == -1 else keep.index(p))
    # VideoPose3D then rewires both shoulders to the thorax (h36m_dataset.py: _parents[11] = _parents[14] = 8).
    derived[11] = derived[14] = 8
    assert tuple(derived) == sk.H36M_PARENTS
    assert len(sk.H36M_BONES) == 16
    assert sk.H36M_FLIP_PAIRS == ((4, 1), (5, 2), (6, 3), (11, 14), (12, 15), (13, 16))


def test_flip_permutation_is_an_involution():
    perm = np.array(sk.H36M_FLIP_PERMUTATION)
    np.testing.assert_array_equal(perm[perm], np.arange(17))
    x = np.random.default_rng(0).normal(size=(5, 17, 3))
    np.testing.assert_allclose(sk.flip_keypoints(sk.flip_keypoints(x)), x)
    flipped = sk.flip_keypoints(torch.as_tensor(x))
    assert torch.allclose(flipped[:, 1, 0], -torch.as_tensor(x)[:, 4, 0])


def _hand_built_coco() -> np.ndarray:
    coco = np.zeros((17, 3))
    coco[:, 2] = 0.9
    named = {
        "nose": (0.0, -1.6), "l_eye": (0.1, -1.7), "r_eye": (-0.1, -1.7),
        "l_shoulder": (0.2, -1.4), "r_shoulder": (-0.2, -1.4), "l_hip": (0.15, -0.9), "r_hip": (-0.15, -0.9),
        "l_elbow": (0.3, -1.1), "r_elbow": (-0.3, -1.1), "l_wrist": (0.35, -0.8), "r_wrist": (-0.35, -0.8),
        "l_knee": (0.15, -0.5), "r_knee": (-0.15, -0.5), "l_ankle": (0.15, 0.0), "r_ankle": (-0.15, 0.0),
        "l_ear": (0.12, -1.65), "r_ear": (-0.12, -1.65),
    }  # fmt: skip
    for name, xy in named.items():
        coco[sk.COCO_JOINT_NAMES.index(name), :2] = xy
    coco[sk.COCO_JOINT_NAMES.index("l_eye"), 2] = 0.2  # a weak source
    return coco


def test_coco_to_h36m_hand_built_pose():
    coco = _hand_built_coco()
    h = sk.coco_to_h36m(coco)
    assert h.shape == (17, 3)
    np.testing.assert_allclose(h[sk.PELVIS, :2], [0.0, -0.9])
    np.testing.assert_allclose(h[sk.THORAX, :2], [0.0, -1.4])
    np.testing.assert_allclose(h[sk.SPINE, :2], [0.0, -1.15])
    np.testing.assert_allclose(h[sk.NECK, :2], [0.0, -1.6])
    np.testing.assert_allclose(h[sk.HEAD, :2], [0.0, -1.7])
    np.testing.assert_allclose(h[sk.L_WRIST, :2], [0.35, -0.8])
    np.testing.assert_allclose(h[sk.R_ANKLE, :2], [-0.15, 0.0])
    # Synthesised joints take the mean confidence of their sources (MMPose's convert_keypoint_definition).
    assert h[sk.HEAD, 2] == pytest.approx((0.2 + 0.9) / 2)
    assert h[sk.PELVIS, 2] == pytest.approx(0.9)
    assert h[sk.NECK, 2] == pytest.approx(0.9)


def test_coco_to_h36m_confidence_is_the_mean_of_the_sources():
    coco = np.zeros((2, 17, 3))
    coco[..., 2] = np.arange(17) / 20.0  # distinct scores per COCO joint
    h = sk.coco_to_h36m(coco)
    conf = coco[0, :, 2]
    assert h[0, sk.PELVIS, 2] == pytest.approx((conf[11] + conf[12]) / 2)
    assert h[0, sk.THORAX, 2] == pytest.approx((conf[5] + conf[6]) / 2)
    assert h[0, sk.SPINE, 2] == pytest.approx((conf[5] + conf[6] + conf[11] + conf[12]) / 4)
    assert h[0, sk.HEAD, 2] == pytest.approx((conf[1] + conf[2]) / 2)
    assert h[0, sk.R_KNEE, 2] == pytest.approx(conf[14])
    t = sk.coco_to_h36m(torch.as_tensor(coco))[..., 2].numpy()
    np.testing.assert_allclose(t, h[..., 2])


@settings(max_examples=25, deadline=None)
@given(arrays(np.float64, (3, 17, 4), elements=st.floats(-1e3, 1e3)))
def test_coco_to_h36m_numpy_and_torch_agree(x):
    out_np = sk.coco_to_h36m(x)
    out_t = sk.coco_to_h36m(torch.as_tensor(x)).numpy()
    np.testing.assert_allclose(out_np, out_t, rtol=1e-9, atol=1e-9)
    assert out_np.shape == (3, 17, 4)


def test_coco_to_h36m_rejects_wrong_shape():
    with pytest.raises(ValueError, match=r"\(\.\.\., 17, C\).*\(3, 18, 2\)"):
        sk.coco_to_h36m(np.zeros((3, 18, 2)))


def test_h36m32_subset_and_bone_lengths():
    x = np.random.default_rng(1).normal(size=(4, 32, 3))
    sub = sk.h36m32_to_17(x)
    np.testing.assert_array_equal(sub[:, 9], x[:, 14])
    lengths = sk.bone_lengths(sub)
    assert lengths.shape == (4, 16)
    np.testing.assert_allclose(lengths[:, 0], np.linalg.norm(sub[:, 1] - sub[:, 0], axis=-1))
    with pytest.raises(ValueError, match="32"):
        sk.h36m32_to_17(np.zeros((4, 17, 3)))
