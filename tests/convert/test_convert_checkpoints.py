"""Conversion of official PoseFormer / VideoPose3D / MMPose weights: identical outputs, strict key checks, CLI."""

import numpy as np
import pytest
import torch
from transformers import AutoModel

from auglift_hf.cli import main as auglift_main
from auglift_hf.convert import (
    POSEFORMER_KEY_MAPPING,
    load_checkpoint,
    model_from_mmpose,
    poseformer_from_official,
    tcn_from_official,
)
from auglift_hf.models import (
    PoseFormerConfig,
    SimpleBaselineForPoseLifting,
    TCNConfig,
    TCNForPoseLifting,
)

from .official_reference import MMPoseLifter, PoseTransformer, TemporalModel, TemporalModelOptimized1f, randomize

TOL = dict(atol=1e-5, rtol=1e-5)


@pytest.fixture
def official_poseformer():
    return randomize(PoseTransformer(num_frame=9, in_chans=2, embed_dim_ratio=16, depth=2, num_heads=4))


def test_poseformer_same_outputs(official_poseformer):
    config = PoseFormerConfig(num_frames=9, num_input_channels=2, embed_dim_ratio=16, depth=2, num_heads=4)
    model = poseformer_from_official(official_poseformer.state_dict(), config)
    assert not model.training
    keypoints = torch.randn(3, 9, 17, 2)
    with torch.no_grad():
        torch.testing.assert_close(model(keypoints=keypoints).poses_3d, official_poseformer(keypoints), **TOL)


def test_poseformer_mapping_names_every_official_key(official_poseformer):
    for key in official_poseformer.state_dict():
        assert sum(rule.apply(key) is not None for rule in POSEFORMER_KEY_MAPPING) >= 1, key


def test_poseformer_refuses_unknown_and_missing_keys(official_poseformer):
    state = dict(official_poseformer.state_dict())
    config = PoseFormerConfig(num_frames=9, num_input_channels=2, embed_dim_ratio=16, depth=2, num_heads=4)
    with pytest.raises(ValueError, match=r"unknown key.*'extra\.weight'"):
        poseformer_from_official({**state, "extra.weight": torch.zeros(1)}, config)
    del state["head.1.bias"]
    with pytest.raises(ValueError, match=r"missing keys \['head_proj\.bias'\]"):
        poseformer_from_official(state, config)
    with pytest.raises(ValueError, match=r"temporal_pos_embed.*shape \(1, 9, 272\), expected \(1, 27, 272\)"):
        poseformer_from_official(
            official_poseformer.state_dict(), PoseFormerConfig(**{**config.to_diff_dict(), "num_frames": 27})
        )


@pytest.mark.parametrize("causal", [False, True])
def test_videopose3d_same_outputs_in_both_modes(causal):
    reference = randomize(TemporalModel(17, 2, 17, [3, 3, 3], causal=causal, channels=32))
    optimized = TemporalModelOptimized1f(17, 2, 17, [3, 3, 3], causal=causal, channels=32).eval()
    optimized.load_state_dict(reference.state_dict())  # the official weights are interchangeable
    model = tcn_from_official(reference.state_dict(), TCNConfig(filter_widths=[3, 3, 3], channels=32, causal=causal))
    sequence, window = torch.randn(2, 40, 17, 2), torch.randn(4, 27, 17, 2)
    with torch.no_grad():
        # no padding: T - 26 outputs, exactly the official TemporalModel
        torch.testing.assert_close(model(keypoints=sequence, pad_sequence=False).poses_3d, reference(sequence), **TOL)
        # a receptive-field window: the strided path == TemporalModelOptimized1f
        torch.testing.assert_close(model(keypoints=window).poses_3d, optimized(window), **TOL)
        # full sequence == VideoPose3D's evaluation: edge padding (pad + causal_shift, pad - causal_shift)
        pad, shift = 13, 13 if causal else 0
        padded = np.pad(sequence.numpy(), ((0, 0), (pad + shift, pad - shift), (0, 0), (0, 0)), "edge")
        torch.testing.assert_close(model(keypoints=sequence).poses_3d, reference(torch.from_numpy(padded)), **TOL)


def test_videopose3d_inferred_config_and_old_checkpoints():
    reference = randomize(TemporalModel(17, 2, 17, [3, 3], channels=16))
    state = {k: v for k, v in reference.state_dict().items() if not k.endswith("num_batches_tracked")}  # torch<0.4.1
    model = tcn_from_official(state)
    assert model.config.filter_widths == [3, 3] and model.config.channels == 16
    keypoints = torch.randn(1, 9, 17, 2)
    with torch.no_grad():
        torch.testing.assert_close(model(keypoints=keypoints).poses_3d, reference(keypoints), **TOL)
    del state["shrink.bias"]
    with pytest.raises(ValueError, match=r"missing keys \['shrink\.bias'\]"):
        tcn_from_official(state)


def test_videopose3d_dense():
    reference = randomize(TemporalModel(17, 2, 17, [3, 3], channels=16, dense=True))
    model = tcn_from_official(reference.state_dict(), TCNConfig(filter_widths=[3, 3], channels=16, dense=True))
    keypoints = torch.randn(1, 12, 17, 2)
    with torch.no_grad():
        torch.testing.assert_close(
            model(keypoints=keypoints, pad_sequence=False).poses_3d, reference(keypoints), **TOL
        )


def test_mmpose_tcn_same_outputs():
    reference = randomize(MMPoseLifter(17 * 4, kernel_sizes=(3, 3, 3), stem_channels=32))
    model = model_from_mmpose(reference.state_dict(), input_channels=["x", "y", "c", "d"])
    assert isinstance(model, TCNForPoseLifting) and model.config.input_channels == ["x", "y", "c", "d"]
    keypoints = torch.randn(2, 30, 17, 4)
    with torch.no_grad():
        torch.testing.assert_close(
            model(keypoints=keypoints, pad_sequence=False).poses_3d, reference(keypoints), **TOL
        )


def test_mmpose_simple_baseline_16_joint_head():
    reference = randomize(
        MMPoseLifter(17 * 2, kernel_sizes=(1, 1, 1), stem_channels=32, num_joints_out=16, dropout=0.5)
    )
    model = model_from_mmpose(reference.state_dict())
    assert isinstance(model, SimpleBaselineForPoseLifting) and model.config.num_blocks == 2
    keypoints = torch.randn(5, 1, 17, 2)
    with torch.no_grad():
        ours, theirs = model(keypoints=keypoints).poses_3d, reference(keypoints)
    assert torch.equal(ours[..., 0, :], torch.zeros(5, 1, 3))  # root inserted at exactly 0
    torch.testing.assert_close(ours[..., 1:, :], theirs, **TOL)
    with pytest.raises(ValueError, match="unknown key"):
        model_from_mmpose({**reference.state_dict(), "neck.conv.weight": torch.zeros(1)})


def _official_checkpoint(path, state_dict):
    """Like the official training scripts: DataParallel prefix, optimizer and numpy random state alongside."""
    torch.save(
        {
            "epoch": 80,
            "lr": 1e-4,
            "random_state": np.random.RandomState(0).get_state(),
            "optimizer": {"state": {}, "param_groups": [{"lr": 1e-4}]},
            "model_pos": {f"module.{k}": v for k, v in state_dict.items()},
        },
        path,
    )


def test_load_checkpoint_unwraps(tmp_path, official_poseformer):
    _official_checkpoint(tmp_path / "ckpt.bin", official_poseformer.state_dict())
    state = load_checkpoint(tmp_path / "ckpt.bin")
    assert set(state) == set(official_poseformer.state_dict())
    torch.save({"state_dict": {"backbone.x": torch.ones(1)}, "meta": {"epoch": 1}}, tmp_path / "mm.pth")
    assert set(load_checkpoint(tmp_path / "mm.pth")) == {"backbone.x"}
    with pytest.raises(FileNotFoundError, match="missing.bin"):
        load_checkpoint(tmp_path / "missing.bin")


def test_cli_poseformer_and_videopose3d(tmp_path, official_poseformer, capsys):
    _official_checkpoint(tmp_path / "pf.bin", official_poseformer.state_dict())
    assert (
        auglift_main(
            ["convert-checkpoint", "poseformer", str(tmp_path / "pf.bin"), str(tmp_path / "pf"), "--num-heads", "4"]
        )
        == 0
    )
    model = AutoModel.from_pretrained(tmp_path / "pf").eval()
    keypoints = torch.randn(2, 9, 17, 2)
    with torch.no_grad():
        torch.testing.assert_close(model(keypoints=keypoints).poses_3d, official_poseformer(keypoints), **TOL)
    assert (tmp_path / "pf" / "modeling_poseformer.py").is_file()

    reference = randomize(TemporalModel(17, 2, 17, [3, 3], causal=True, channels=16))
    _official_checkpoint(tmp_path / "vp.bin", reference.state_dict())
    out = tmp_path / "vp"
    assert auglift_main(["convert-checkpoint", "videopose3d", str(tmp_path / "vp.bin"), str(out), "--causal"]) == 0
    model = AutoModel.from_pretrained(out).eval()
    assert model.config.causal and model.config.filter_widths == [3, 3]
    keypoints = torch.randn(1, 12, 17, 2)
    with torch.no_grad():
        torch.testing.assert_close(
            model(keypoints=keypoints, pad_sequence=False).poses_3d, reference(keypoints), **TOL
        )
    assert "converted videopose3d" in capsys.readouterr().out
    # refuses to overwrite, and reports bad checkpoints without a traceback
    assert auglift_main(["convert-checkpoint", "videopose3d", str(tmp_path / "vp.bin"), str(out)]) == 4
    assert auglift_main(["convert-checkpoint", "videopose3d", str(tmp_path / "pf.bin"), str(tmp_path / "x")]) == 2
    assert "unknown key" in capsys.readouterr().err


def test_cli_mmpose(tmp_path):
    reference = randomize(MMPoseLifter(34, kernel_sizes=(1, 1, 1), stem_channels=32, num_joints_out=16))
    torch.save({"state_dict": reference.state_dict(), "meta": {"mmpose_version": "1.3.0"}}, tmp_path / "mm.pth")
    assert auglift_main(["convert-checkpoint", "mmpose", str(tmp_path / "mm.pth"), str(tmp_path / "out")]) == 0
    model = AutoModel.from_pretrained(tmp_path / "out").eval()
    assert isinstance(model, SimpleBaselineForPoseLifting)
    keypoints = torch.randn(3, 1, 17, 2)
    with torch.no_grad():
        torch.testing.assert_close(model(keypoints=keypoints).poses_3d[..., 1:, :], reference(keypoints), **TOL)
