"""PoseLiftingProcessor: conventions, windows, save/load, decode, validation."""

import numpy as np
import pytest
import torch

from auglift_hf.processing_lifting import CHANNEL_NAMES, PoseLiftingProcessor, register_processor
from auglift_hf.skeleton import COCO_TO_H36M_SOURCES

W, H = 1000, 1002


def _inputs(frames: int = 12, seed: int = 0):
    rng = np.random.default_rng(seed)
    kp = rng.uniform([0, 0], [W, H], size=(frames, 17, 2))
    scores = rng.uniform(0, 1, size=(frames, 17))
    d = rng.uniform(3.0, 6.0, size=(frames, 17, 1))
    depth = np.concatenate([d, d - rng.uniform(0, 2, size=d.shape), d + rng.uniform(0, 0.5, size=d.shape)], -1)
    return kp, scores, depth


def test_channel_conventions():
    kp, scores, depth = _inputs()
    proc = PoseLiftingProcessor(list(CHANNEL_NAMES))
    enc = proc.encode(kp, (W, H), scores, depth)
    assert enc.shape == (12, 17, 6) and enc.dtype == np.float32
    np.testing.assert_allclose(enc[..., 0], kp[..., 0] / W * 2 - 1, atol=1e-6)
    np.testing.assert_allclose(enc[..., 1], kp[..., 1] / W * 2 - H / W, atol=1e-6)
    np.testing.assert_allclose(enc[..., 2], 2 * scores - 1, atol=1e-6)
    d = depth[..., 0]
    np.testing.assert_allclose(enc[..., 3], np.clip(d - d[:, :1], -2, 2) / 2, atol=1e-6)
    assert np.all(enc[:, 0, 3] == 0)
    np.testing.assert_allclose(enc[..., 4], np.clip(depth[..., 1] - d, -1, 1), atol=1e-6)
    assert enc[..., 4].min() == -1.0  # offsets beyond 1 m are clipped
    np.testing.assert_allclose(enc[..., 5], depth[..., 2] - d, atol=1e-6)
    nearest = PoseLiftingProcessor(["d"], depth_reference="nearest").encode(kp, (W, H), depth=depth)
    assert np.all(nearest[..., 0] >= 0) and np.allclose(nearest[..., 0].min(1), 0)
    # channel selection by name, any order; (frames, 17, 3) input carries the scores
    sel = PoseLiftingProcessor("c,x").encode(np.concatenate([kp, scores[..., None]], -1), (W, H))
    np.testing.assert_allclose(sel, enc[..., [2, 0]])


def test_windows_centred_with_edge_replication():
    kp, scores, depth = _inputs(frames=7)
    proc = PoseLiftingProcessor(["x", "y", "c", "d"], num_frames=5)
    out = proc(kp, (W, H), scores, depth)
    x = out["keypoints"]
    assert isinstance(x, torch.Tensor) and x.shape == (7, 5, 17, 4)
    enc = torch.from_numpy(proc.encode(kp, (W, H), scores, depth))
    torch.testing.assert_close(x[3], enc[1:6])  # centre frame 3: frames 1..5
    torch.testing.assert_close(x[0], enc[[0, 0, 0, 1, 2]])
    torch.testing.assert_close(x[6], enc[[4, 5, 6, 6, 6]])
    torch.testing.assert_close(x[:, 2], enc)  # the centre of each window is its own frame
    np_out = proc(kp, (W, H), scores, depth, return_tensors="np", frames=[2, 4])
    assert isinstance(np_out["keypoints"], np.ndarray) and np_out["keypoints"].shape == (2, 5, 17, 4)
    single = PoseLiftingProcessor(["x", "y"])(kp, (W, H))["keypoints"]
    assert single.shape == (7, 1, 17, 2)


def test_coco_input_is_mapped():
    rng = np.random.default_rng(1)
    coco = rng.uniform(0, W, size=(4, 17, 2))
    scores = rng.uniform(0.2, 1, size=(4, 17))
    proc = PoseLiftingProcessor(["x", "y", "c"], keypoint_format="coco")
    enc = proc.encode(coco, (W, W), scores)
    pelvis = coco[:, list(COCO_TO_H36M_SOURCES[0])].mean(1)
    np.testing.assert_allclose(enc[:, 0, :2], pelvis / W * 2 - 1, atol=1e-6)
    np.testing.assert_allclose(
        enc[:, 0, 2], 2 * scores[:, [11, 12]].mean(1) - 1, atol=1e-6
    )  # mean confidence (MMPose)
    np.testing.assert_allclose(enc[:, 13, :2], coco[:, 9] / W * 2 - 1, atol=1e-6)  # l_wrist


def test_encode_decode_round_trip():
    rng = np.random.default_rng(2)
    joints = rng.normal(size=(5, 17, 3)) * 0.3 + np.array([0.2, -0.1, 4.5])
    proc = PoseLiftingProcessor(["x", "y"])
    targets = proc.encode_targets(joints)
    assert np.allclose(targets[:, 0], 0)
    rel_mm = proc.post_process(torch.from_numpy(targets))
    np.testing.assert_allclose(rel_mm, (joints - joints[:, :1]) * 1000, atol=1e-3)
    cam_mm = proc.post_process(targets[:, None], root=joints[:, 0])  # (frames, 1, 17, 3) model output
    np.testing.assert_allclose(cam_mm, joints * 1000, atol=1e-3)
    # root from metric depth at the joints + intrinsics
    f, c = np.array([1100.0, 1100.0]), np.array([500.0, 500.0])
    kp = joints[..., :2] / joints[..., 2:] * f + c
    est = proc.post_process(targets, keypoints_2d=kp, depth=joints[..., 2:], focal_length=f, principal_point=c)
    np.testing.assert_allclose(est, joints * 1000, atol=1e-2)
    # 2D channels decode back to pixels
    enc = proc.encode(kp, (W, H))
    np.testing.assert_allclose(proc.decode_keypoints(enc, (W, H)), kp, atol=1e-3)


def test_save_load_identical(tmp_path):
    kp, scores, depth = _inputs()
    proc = PoseLiftingProcessor(["x", "y", "c", "d", "d_min", "d_max"], num_frames=9, max_depth=1.5)
    proc.save_pretrained(tmp_path)
    assert (tmp_path / "preprocessor_config.json").is_file()
    loaded = PoseLiftingProcessor.from_pretrained(tmp_path)
    assert loaded.to_dict() == proc.to_dict()
    torch.testing.assert_close(
        loaded(kp, (W, H), scores, depth)["keypoints"], proc(kp, (W, H), scores, depth)["keypoints"]
    )
    from transformers import AutoFeatureExtractor, PretrainedConfig

    class _ToyLifterConfig(PretrainedConfig):
        model_type = "toy_lifter_for_processor_test"

    register_processor(_ToyLifterConfig)
    auto = AutoFeatureExtractor.from_pretrained(tmp_path)
    assert isinstance(auto, PoseLiftingProcessor) and auto.to_dict() == proc.to_dict()


def test_from_model_config():
    proc = PoseLiftingProcessor.from_model_config({"num_frames": 27, "input_channels": ["x", "y", "c", "d"]})
    assert proc.num_frames == 27 and proc.input_channels == ["x", "y", "c", "d"] and proc.needs_depth
    proc = PoseLiftingProcessor.from_model_config({"receptive_field": 81, "in_channels": 3})
    assert proc.num_frames == 81 and proc.input_channels == ["x", "y", "c"]


def test_bad_inputs_raise():
    kp, scores, depth = _inputs(frames=3)
    proc = PoseLiftingProcessor(["x", "y", "c", "d"])
    with pytest.raises(ValueError, match="keypoints_2d"):
        proc(kp[:, :16], (W, H), scores, depth)
    bad = kp.copy()
    bad[1, 2, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        proc(bad, (W, H), scores, depth)
    with pytest.raises(ValueError, match="image_size"):
        proc(kp, (0, H), scores, depth)
    with pytest.raises(ValueError, match="scores"):
        proc(kp, (W, H), None, depth)
    with pytest.raises(ValueError, match="depth"):
        proc(kp, (W, H), scores, None)
    with pytest.raises(ValueError, match="depth"):
        proc(kp, (W, H), scores, depth[:2])
    with pytest.raises(ValueError, match="d_min"):
        PoseLiftingProcessor(["x", "y", "d_min"])(kp, (W, H), depth=depth[..., :1])
    with pytest.raises(ValueError, match="input_channels"):
        PoseLiftingProcessor(["x", "z"])
    with pytest.raises(ValueError, match="num_frames"):
        PoseLiftingProcessor(num_frames=0)
    with pytest.raises(ValueError, match="poses_3d"):
        proc.post_process(np.zeros((2, 16, 3)))
    with pytest.raises(ValueError, match="root"):
        proc.post_process(np.zeros((2, 17, 3)), root=np.zeros((3, 3)))
