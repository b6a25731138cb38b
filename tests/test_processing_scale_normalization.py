"""PoseLiftingProcessor(scale_normalization=...): encode hook, saved fields, post_process unchanged, refusals."""

import json

import numpy as np
import pytest
import torch

from auglift_hf import PoseLiftingProcessor
from auglift_hf.camera import normalize_screen_coordinates
from auglift_hf.features.scale_normalization import box_size


def _inputs(frames=3, seed=0):
    rng = np.random.default_rng(seed)
    kp = rng.uniform(200, 800, (frames, 17, 2))
    depth = rng.uniform(3.0, 6.0, (frames, 17, 1))
    return kp, (1000, 1000), depth


def test_box_encode_matches_formula_and_fit():
    kp, size, _ = _inputs()
    proc = PoseLiftingProcessor(input_channels=["x", "y"], scale_normalization="box")
    with pytest.raises(ValueError, match="box_size_mean"):
        proc.encode(kp, size)  # not fitted: refused, not silently skipped
    proc.fit_scale_normalization(kp)
    assert proc.box_size_mean == pytest.approx(box_size(kp).mean())
    enc = proc.encode(kp, size)
    c = kp.mean(1, keepdims=True)
    s = proc.box_size_mean / box_size(kp)[:, None, None]
    np.testing.assert_allclose(enc, normalize_screen_coordinates(s * (kp - c) + c, 1000, 1000), atol=1e-6)
    # zoom about the centroid does not change the encoding
    zoomed = c + 1.7 * (kp - c)
    np.testing.assert_allclose(proc.encode(zoomed, size), enc, atol=1e-6)


def test_depth_encode_uses_pelvis_depth_and_needs_depth():
    kp, size, depth = _inputs()
    proc = PoseLiftingProcessor(input_channels=["x", "y", "d"], scale_normalization="depth")
    assert proc.reference_depth == 4.5 and proc.needs_depth
    enc = proc.encode(kp, size, depth=depth)
    d_root = depth[:, 0, 0]
    scaled = 500 + (kp - 500) * (d_root / 4.5)[:, None, None]
    np.testing.assert_allclose(enc[..., :2], normalize_screen_coordinates(scaled, 1000, 1000), atol=1e-6)
    plain = PoseLiftingProcessor(input_channels=["x", "y", "d"]).encode(kp, size, depth=depth)
    np.testing.assert_allclose(enc[..., 2], plain[..., 2])  # the depth channel is untouched
    xy_only = PoseLiftingProcessor(input_channels=["x", "y"], scale_normalization="depth")
    assert xy_only.needs_depth  # an x, y lifter with dscale2d still needs metric depth for d_root
    with pytest.raises(ValueError, match="depth"):
        xy_only.encode(kp, size)
    with pytest.raises(ValueError, match="> 0"):
        proc.encode(kp, size, depth=np.zeros_like(depth))  # zero (missing) depth is refused


def test_round_trip_saves_and_loads_the_fields(tmp_path):
    kp, size, depth = _inputs()
    for kwargs in (
        {"scale_normalization": "box", "box_size_mean": 321.5},
        {"scale_normalization": "depth", "reference_depth": 3.5},
        {"scale_normalization": "depth", "reference_depth": 5.0, "keypoint_definition": "h36m",
         "depth_kind": "metric", "depth_model": "m", "depth_descriptor": {"mode": "point", "num_samples": 1}},
    ):  # fmt: skip
        proc = PoseLiftingProcessor(input_channels=["x", "y", "d"], **kwargs)
        folder = tmp_path / kwargs["scale_normalization"]
        proc.save_pretrained(folder)
        saved = json.loads((folder / "preprocessor_config.json").read_text())
        assert saved["scale_normalization"] == kwargs["scale_normalization"]
        fitted = "box_size_mean" if kwargs["scale_normalization"] == "box" else "reference_depth"
        assert saved[fitted] == kwargs[fitted]
        for key in ("box_size_mean", "reference_depth"):  # a legacy (contract-less) folder omits null fields
            assert saved.get(key) == getattr(proc, key)
        loaded = PoseLiftingProcessor.from_pretrained(folder)
        assert loaded.scale_normalization == proc.scale_normalization
        assert loaded.box_size_mean == proc.box_size_mean and loaded.reference_depth == proc.reference_depth
        np.testing.assert_array_equal(loaded.encode(kp, size, depth=depth), proc.encode(kp, size, depth=depth))


def test_relative_depth_refused_for_dscale2d():
    with pytest.raises(ValueError, match="metric"):
        PoseLiftingProcessor(
            input_channels=["x", "y", "d"], scale_normalization="depth", keypoint_definition="h36m",
            depth_kind="relative", depth_model="m", depth_descriptor={"mode": "point", "num_samples": 1},
        )  # fmt: skip
    with pytest.raises(ValueError, match="scale_normalization"):
        PoseLiftingProcessor(scale_normalization="zoom")
    with pytest.raises(ValueError, match="box_size_mean"):
        PoseLiftingProcessor(scale_normalization="box", box_size_mean=0)


def test_post_process_unchanged_by_scale_normalization():
    """The normalisation changes the 2D input only: decoding root-relative metres (and root estimation) is the same."""
    rng = np.random.default_rng(3)
    poses = torch.tensor(rng.normal(0, 0.3, (4, 17, 3)), dtype=torch.float32)
    kp, _, depth = _inputs(frames=4)
    f, c = np.array([1000.0, 1000.0]), np.array([500.0, 500.0])
    outs = []
    for mode, extra in ((None, {}), ("box", {"box_size_mean": 200.0}), ("depth", {})):
        proc = PoseLiftingProcessor(input_channels=["x", "y", "d"], scale_normalization=mode, **extra)
        outs.append(proc.post_process(poses))
        outs.append(proc.post_process(poses, keypoints_2d=kp, depth=depth, focal_length=f, principal_point=c))
    for a, b in zip(outs[0::2], outs[2::2]):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(outs[1::2], outs[3::2]):
        np.testing.assert_array_equal(a, b)
    ref = (poses - poses[:, :1]).numpy() * 1000.0
    np.testing.assert_allclose(outs[0], ref, atol=1e-3)


def test_pipeline_lifting_applies_the_saved_normalization(tmp_path):
    """``lift_keypoints`` (pipeline / ``auglift lift``) feeds the processor's dscale2d input, refuses missing depth."""
    from auglift_hf.analysis.cli import _encoding_processor
    from auglift_hf.models import SimpleBaselineConfig, SimpleBaselineForPoseLifting
    from auglift_hf.preprocess.pipeline import lift_keypoints

    torch.manual_seed(0)
    model = SimpleBaselineForPoseLifting(SimpleBaselineConfig(input_channels=["x", "y"], hidden_size=16)).eval()
    proc = PoseLiftingProcessor(input_channels=["x", "y"], scale_normalization="depth", reference_depth=4.0)
    kp, size, depth = _inputs()
    with pytest.raises(ValueError, match="dscale2d"):
        lift_keypoints(model, proc, kp, size)
    out = lift_keypoints(model, proc, kp, size, depth=depth)
    with torch.no_grad():
        enc = torch.tensor(proc.encode(kp, size, depth=depth))[:, None]
        ref = model(keypoints=enc, flip_test=True).poses_3d[:, 0].numpy()  # the pipeline lifts with flip test
    np.testing.assert_allclose(out, ref, atol=1e-6)
    plain = lift_keypoints(model, PoseLiftingProcessor(input_channels=["x", "y"]), kp, size)
    assert np.abs(plain - out).max() > 1e-4  # the normalisation reached the model
    proc.save_pretrained(tmp_path / "lifter")
    assert _encoding_processor(str(tmp_path / "lifter")).reference_depth == 4.0  # `auglift evaluate` encodes with it
    PoseLiftingProcessor(input_channels=["x", "y"]).save_pretrained(tmp_path / "plain")
    assert _encoding_processor(str(tmp_path / "plain")) is None
