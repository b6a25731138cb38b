"""MotionBERT's coordinate conventions (pure functions) and the processor's ``coordinate_normalization`` option."""

import numpy as np
import pytest

from auglift_hf import motionbert_coords as mb
from auglift_hf.camera import project
from auglift_hf.processing_lifting import PoseLiftingProcessor


def _camera_poses(frames=4, seed=0):
    """Root-centred random bodies (x +-0.4, y +-0.9, z +-0.25 m) at 4-6 m in front of a 1000 x 1002 px camera."""
    rng = np.random.default_rng(seed)
    joints = rng.uniform(-1, 1, (frames, 17, 3)) * [0.4, 0.9, 0.25]
    joints[:, 0] = 0.0
    root = np.stack([rng.uniform(-0.5, 0.5, frames), rng.uniform(-0.3, 0.3, frames), rng.uniform(4, 6, frames)], -1)
    return joints + root[:, None], root


def _motionbert_labels(joints, root, f, c, size):
    """MotionBERT's training target: joint3d_image (pixel x, y; z_px = (Z - Z_root) * f / Z_root) normalised and
    made root-relative (``rootrel: True``), i.e. what a converged model outputs; plus the 2.5d factor (m / px)."""
    w, h = size
    uv = project(joints, f, c)
    z_px = (joints[..., 2] - root[:, None, 2]) * f[0] / root[:, None, 2]
    norm = np.concatenate([uv / w * 2 - [1, h / w], (z_px / w * 2)[..., None]], -1)
    return norm - norm[:, :1], root[:, 2] / f[0]


def test_to_camera_units_is_motionbert_evaluation():
    """The exact sequence of MotionBERT's train.py evaluate (rootrel) + DataReaderH36M.denormalize, per clip."""
    rng = np.random.default_rng(1)
    pred = rng.normal(0, 0.3, (2, 5, 17, 3))  # (clips, frames, 17, 3)
    factor = rng.uniform(3.5, 5.5, (2, 5))  # mm per pixel, per frame
    w, h = 1000, 1002
    expected = pred.copy()
    expected[:, :, 0, :] = 0  # predicted_3d_pos[:,:,0,:] = 0
    expected[..., :2] = (expected[..., :2] + np.array([1, h / w])) * w / 2  # denormalize
    expected[..., 2:] = expected[..., 2:] * w / 2
    expected = expected * factor[..., None, None]  # pred *= factor
    expected = expected - expected[:, :, 0:1, :]  # pred - pred[:,0:1,:]
    for clip in range(2):
        ours = mb.motionbert_to_camera_units(pred[clip], (w, h), factor[clip])
        np.testing.assert_allclose(ours, expected[clip], rtol=1e-12, atol=1e-9)
    with pytest.raises(ValueError, match="factor"):
        mb.motionbert_to_camera_units(pred[0], (w, h), np.ones(3))


def test_metric_round_trip_and_root_depth_from_depth():
    size, f, c = (1000, 1002), np.array([1147.0, 1147.0]), np.array([500.0, 501.0])
    joints, root = _camera_poses()
    norm, factor = _motionbert_labels(joints, root, f, c, size)
    rel = joints - joints[:, :1]
    metres = mb.motionbert_to_camera_units(norm, size, factor)
    np.testing.assert_allclose(metres[..., 2], rel[..., 2], atol=1e-9)  # depth is exact
    # x, y: pixel offsets from the root scaled by Z_root / f, i.e. (X_j / Z_j - X_root / Z_root) * Z_root
    ratio = joints[..., :2] / joints[..., 2:] - root[:, None, :2] / root[:, None, 2:]
    np.testing.assert_allclose(metres[..., :2], ratio * root[:, None, 2:], atol=1e-9)
    assert np.abs(metres - rel).max() < 0.08  # the weak-perspective error of a body at 4-6 m
    # the root depth solved from per-joint metric depth is exact for exact depth and exact 2.5D z
    np.testing.assert_allclose(mb.root_depth_from_joint_depth(norm, size, joints[..., 2], f), root[:, 2], rtol=1e-9)
    np.testing.assert_allclose(mb.scale_factor(root[:, 2], f), factor)
    with pytest.raises(ValueError, match="without any positive joint depth"):
        mb.root_depth_from_joint_depth(norm, size, np.zeros((4, 17)), f)


def test_input_normalisation_and_confidence():
    kp = np.array([[[0.0, 0.0], [1000.0, 1002.0]]])
    np.testing.assert_allclose(mb.motionbert_normalize_keypoints(kp, (1000, 1002)), [[[-1, -1.002], [1, 1.002]]])
    np.testing.assert_allclose(mb.motionbert_encode_confidence([-0.1, 0.3, 1.2]), [0.0, 0.3, 1.0])
    assert mb.assumed_focal_length((1812, 1004)) == pytest.approx(1.147 * 1812)


def test_processor_option(tmp_path):
    size, f, c = (1000, 1002), np.array([1147.0, 1147.0]), np.array([500.0, 501.0])
    joints, root = _camera_poses(frames=3)
    norm, factor = _motionbert_labels(joints, root, f, c, size)
    proc = PoseLiftingProcessor(input_channels=["x", "y", "c"], num_frames=243, coordinate_normalization="motionbert")
    proc.save_pretrained(tmp_path)
    proc = PoseLiftingProcessor.from_pretrained(tmp_path)
    assert proc.coordinate_normalization == "motionbert"
    kp = project(joints, f, c)
    enc = proc.encode(kp, size, scores=np.full((3, 17), 0.6))
    np.testing.assert_allclose(enc[..., 2], 0.6, atol=1e-6)  # raw confidence (videopose3d would give 0.2)
    np.testing.assert_allclose(enc[..., :2] - enc[:, :1, :2], norm[..., :2], atol=1e-5)
    rel_mm = (joints - joints[:, :1]) * 1000
    # given factor (m/px) -> the evaluation conversion, in mm
    out = proc.post_process(norm, image_size=size, scale_factor=factor)
    np.testing.assert_allclose(out, mb.motionbert_to_camera_units(norm, size, factor) * 1000)
    # metric depth at the joints + focal length -> the same, without ground truth root depth
    out_depth = proc.post_process(norm, image_size=size, depth=joints[..., 2], focal_length=f)
    np.testing.assert_allclose(out_depth, out, atol=1e-6)
    assert np.abs(out_depth - rel_mm).max() < 80
    # nothing known: the H36M reference depth and field of view (an assumption, documented)
    assumed = proc.post_process(norm, image_size=size)
    expected = mb.motionbert_to_camera_units(norm, size, mb.H36M_MEAN_ROOT_DEPTH_M / (1.147 * 1000)) * 1000
    np.testing.assert_allclose(assumed, expected)
    with pytest.raises(ValueError, match="image_size"):
        proc.post_process(norm)
    with pytest.raises(ValueError, match="coordinate_normalization"):
        PoseLiftingProcessor(coordinate_normalization="h36m")
    # the default processor is unchanged and does not write the option
    default = PoseLiftingProcessor(input_channels=["x", "y", "c"])
    assert "coordinate_normalization" not in default.to_dict()
    np.testing.assert_allclose(default.encode(kp, size, scores=np.full((3, 17), 0.6))[..., 2], 0.2, atol=1e-6)
