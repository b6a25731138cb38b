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


def _xycd_processor(missing_depth):
    from auglift_hf.contract import DEFAULT_DEPTH_MODEL, default_descriptor

    return PoseLiftingProcessor(
        ["x", "y", "c", "d"], num_frames=3, keypoint_definition="coco", depth_kind="metric",
        depth_model=DEFAULT_DEPTH_MODEL, depth_descriptor=default_descriptor("point", 1), missing_depth=missing_depth,
    )  # fmt: skip


def test_missing_depth_follows_the_contract_at_the_processor_issue_28():
    """Issue 28 item 6 (failed before: ``depth=None`` raised "`depth` is required" on a ``missing_depth: "fill"``
    folder, which the CLI and pipeline accept): one rule at every entry point."""
    from auglift_hf.processing_lifting import MISSING_DEPTH_FILL

    kp, scores, depth = _inputs()
    fill = _xycd_processor("fill")
    with pytest.warns(UserWarning, match="fed as missing depth"):
        out = fill(kp, (W, H), scores=scores, depth=None, return_tensors="np")["keypoints"]
    assert out.shape == (12, 3, 17, 4) and np.all(out[..., 3] == MISSING_DEPTH_FILL)
    with pytest.warns(UserWarning, match="fed as missing depth"):  # all-NaN depth is no depth
        same = fill(kp, (W, H), scores=scores, depth=np.full((12, 17, 1), np.nan), return_tensors="np")["keypoints"]
    np.testing.assert_array_equal(out, same)
    # NaN at some joints: missing there, encoded as the fill, the other joints keep their depth
    partial = depth[..., :1].copy()
    partial[3, 5] = np.nan
    enc = fill.encode(kp, (W, H), scores, partial)
    assert enc[3, 5, 3] == MISSING_DEPTH_FILL and enc[4, 5, 3] != MISSING_DEPTH_FILL

    strict = _xycd_processor(None)
    with pytest.raises(ValueError, match=r"`depth` is required.*missing_depth=null"):
        strict(kp, (W, H), scores=scores, depth=None)
    with pytest.raises(ValueError, match=r"`depth` is required.*NaN everywhere"):
        strict(kp, (W, H), scores=scores, depth=np.full((12, 17, 1), np.nan))
    with pytest.warns(UserWarning, match="NaN at 1 of 204 joint-frames"):
        strict.encode(kp, (W, H), scores, partial)
    # an entry point that checked (or overrode) the contract itself feeds missing depth explicitly
    forced = strict.encode(kp, (W, H), scores, None, allow_missing_depth=True)
    np.testing.assert_array_equal(forced, out[:, 1])


def test_missing_depth_rule_is_the_same_as_the_pipeline(tmp_path):
    """The processor and :func:`lift_keypoints` (pipeline, ``auglift lift``, Space) give the same lift without depth."""
    from auglift_hf.models import TCNConfig, TCNForPoseLifting
    from auglift_hf.preprocess.pipeline import lift_keypoints

    torch.manual_seed(0)
    model = TCNForPoseLifting(TCNConfig(filter_widths=[3], channels=8, input_channels=["x", "y", "c", "d"])).eval()
    proc = _xycd_processor("fill")
    kp, scores, _ = _inputs()
    with pytest.warns(UserWarning):
        via_pipeline = lift_keypoints(model, proc, kp, (W, H), scores=scores, depth=None, flip_test=False)
    with pytest.warns(UserWarning, match="fed as missing depth"):
        x = proc(kp, (W, H), scores=scores, depth=None)["keypoints"]
    with torch.no_grad():
        direct = model(keypoints=x).poses_3d[:, 0].numpy()
    np.testing.assert_allclose(via_pipeline, direct, atol=1e-6)
