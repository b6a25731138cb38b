"""Body-proportion augmentation: bone scaling, PoseAug's ratio groups and the record-level copies."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from auglift_hf.camera import project
from auglift_hf.simulation.proportions import (
    POSEAUG_FIXED_GROUPS,
    SYMMETRIC_BONE_GROUPS,
    bone_lengths,
    random_bone_ratios,
    scale_bone_lengths,
)
from auglift_hf.skeleton import H36M_BONES

_CAM = {"f": np.array([1145.0, 1145.0]), "c": np.array([500.0, 500.0]), "k": np.array([-0.2, 0.2, -0.002]),
        "p": np.array([-0.001, -0.001])}  # fmt: skip


def _poses(t: int = 30, seed: int = 0) -> np.ndarray:
    """A random-walk skeleton ``(t, 17, 3)`` 4-5 m in front of the camera (metres, camera frame)."""
    rng = np.random.default_rng(seed)
    base = rng.normal(0, 0.25, (17, 3))
    base[0] = [0.0, 0.0, 4.5]
    return base + np.cumsum(rng.normal(0, 0.01, (t, 17, 3)), 0)


def test_scaled_bones_have_the_ratios_and_keep_direction_and_root():
    joints = _poses()
    ratios = random_bone_ratios(0)
    out = scale_bone_lengths(joints, ratios)
    assert out.shape == joints.shape
    assert np.allclose(out[:, 0], joints[:, 0])
    assert np.allclose(bone_lengths(out), bone_lengths(joints) * ratios)
    child, parent = np.array(H36M_BONES).T
    before = joints[:, child] - joints[:, parent]
    after = out[:, child] - out[:, parent]
    cos = (before * after).sum(-1) / np.linalg.norm(before, axis=-1) / np.linalg.norm(after, axis=-1)
    assert np.allclose(cos, 1.0)
    assert np.allclose(scale_bone_lengths(joints, np.ones(16)), joints)
    per_frame = np.stack([random_bone_ratios(i) for i in range(len(joints))])
    assert np.allclose(bone_lengths(scale_bone_lengths(joints, per_frame)), bone_lengths(joints) * per_frame)


def test_random_ratios_follow_poseaug_groups_and_limit():
    r = random_bone_ratios(3, size=2000)
    assert r.shape == (2000, 16)
    for group in SYMMETRIC_BONE_GROUPS:
        assert np.all(r[:, list(group)] == r[:, [group[0]]])  # left and right together
    fixed = [b for g in POSEAUG_FIXED_GROUPS for b in SYMMETRIC_BONE_GROUPS[g]]
    assert np.all(r[:, fixed] == 1.0)
    free = np.delete(r, fixed, axis=1)
    assert free.min() >= 0.8 and free.max() <= 1.2 and free.min() < 0.81 and free.max() > 1.19
    assert np.array_equal(random_bone_ratios(7), random_bone_ratios(7))
    assert not np.array_equal(random_bone_ratios(7), random_bone_ratios(8))
    with pytest.raises(ValueError, match="limit"):
        random_bone_ratios(0, limit=1.5)
    with pytest.raises(ValueError, match="ratios"):
        scale_bone_lengths(_poses(), -np.ones(16))
    with pytest.raises(ValueError, match="joints"):
        scale_bone_lengths(np.zeros((5, 16, 3)), np.ones(16))


def test_matches_poseaug_bone_length_generator_rebuild():
    """The same bone rebuild as PoseAug's BL generator (``pose_from_bones(bones * ratio) + root``)."""
    from auglift_hf.simulation.poseaug.modeling_poseaug import BL_GROUP_MASK, bone_vectors, pose_from_bones

    joints = _poses(8)
    ratios = random_bone_ratios(1, size=8)
    pose = torch.from_numpy(joints)
    ref = pose_from_bones(bone_vectors(pose) * torch.from_numpy(ratios)[..., None]) + pose[:, :1]
    assert np.allclose(scale_bone_lengths(joints, ratios), ref.numpy(), atol=1e-12)
    assert [g for g, m in enumerate(BL_GROUP_MASK) if m == 0] == list(POSEAUG_FIXED_GROUPS)


def _record(camera: str, joints: np.ndarray, action: str = "Walking 1"):
    from auglift_hf.data.schema import SequenceRecord

    uv = project(joints, _CAM["f"], _CAM["c"], _CAM["k"], _CAM["p"])
    t = len(joints)
    return SequenceRecord(
        dataset="h36m", subject="S1", action=action, camera=camera, keypoints_2d=uv, keypoints_3d=joints,
        focal=_CAM["f"], center=_CAM["c"], image_size=(1000, 1002), fps=25.0, split="train",
        frame_index=np.arange(t), valid=np.ones(t, bool), source="test",
    )  # fmt: skip


def test_augmented_records_are_reprojected_copies_sharing_one_person_per_take():
    from auglift_hf.data.h36m import augment_body_proportions

    joints = _poses()
    records = [_record("54138969", joints), _record("55011271", joints + [0.3, 0, 0.5]),
               _record("54138969", joints, "Eating 1")]  # fmt: skip
    before = [r.keypoints_3d.copy() for r in records]
    cams = {("S1", c): _CAM for c in ("54138969", "55011271")}
    out = augment_body_proportions(records, cams, copies=2, seed=5)
    assert len(out) == 6 and all(np.array_equal(r.keypoints_3d, b) for r, b in zip(records, before))
    by_label = {(r.action, r.camera): r for r in out}
    a = by_label[("Walking 1 (proportions 1)", "54138969")]
    b = by_label[("Walking 1 (proportions 1)", "55011271")]
    c = by_label[("Walking 1 (proportions 2)", "54138969")]
    e = by_label[("Eating 1 (proportions 1)", "54138969")]
    ratio = bone_lengths(a.keypoints_3d) / bone_lengths(joints)
    assert np.allclose(ratio, ratio[0])  # one person for the whole take
    assert np.allclose(bone_lengths(b.keypoints_3d) / bone_lengths(joints), ratio)  # the same person on both cameras
    assert not np.allclose(bone_lengths(c.keypoints_3d) / bone_lengths(joints), ratio)
    assert not np.allclose(bone_lengths(e.keypoints_3d) / bone_lengths(joints), ratio)
    assert np.allclose(a.keypoints_2d, project(a.keypoints_3d, _CAM["f"], _CAM["c"], _CAM["k"], _CAM["p"]))
    assert np.abs(a.keypoints_2d - records[0].keypoints_2d).max() > 5.0
    assert a.detected_2d is None and "proportions" in a.source
    assert augment_body_proportions(records, cams, copies=0) == []
    assert np.array_equal(augment_body_proportions(records, cams, 1, seed=5)[0].keypoints_3d, out[0].keypoints_3d)
    with pytest.raises(ValueError, match="copies"):
        augment_body_proportions(records, cams, copies=-1)


def test_augmented_copy_marks_frames_leaving_the_image_invalid():
    from auglift_hf.data.h36m import augment_body_proportions

    joints = _poses(10)
    joints[:, :, 0] += np.linspace(0, 3.0, 10)[:, None] - (joints[0, :, 0].max() - 0.0)  # drift towards the edge
    rec = _record("54138969", joints)
    rec.valid = np.ones(10, bool)
    rec.valid[0] = False  # the original's flags are kept
    out = augment_body_proportions([rec], {}, copies=1, seed=0)[0]
    assert not out.valid[0]
    inside = (out.keypoints_2d >= 0).all((1, 2)) & (out.keypoints_2d[..., 0] < 1000).all(1)
    assert np.array_equal(out.valid[1:], inside[1:] & (out.keypoints_2d[..., 1] < 1002).all(1)[1:])
