"""Conversion of official MotionBERT (DSTformer) weights: identical outputs, strict key checks, CLI, processor."""

import json

import numpy as np
import pytest
import torch
from transformers import AutoModel

from auglift_hf.cli import main as auglift_main
from auglift_hf.convert import MOTIONBERT_KEY_MAPPING, infer_motionbert_config, motionbert_from_official
from auglift_hf.models import MotionBERTConfig, MotionBERTForPoseLifting
from auglift_hf.processing_lifting import PoseLiftingProcessor

from .official_motionbert import DSTformer, load_official_dstformer, motionbert_repo
from .official_reference import randomize

SMALL = dict(dim_in=3, dim_feat=32, dim_rep=48, depth=2, num_heads=4, mlp_ratio=2, maxlen=16)


@pytest.fixture(scope="module")
def official():
    return randomize(DSTformer(**SMALL))


def _config(**overrides):
    params = dict(num_frames=16, num_input_channels=3, dim_feat=32, dim_rep=48, depth=2, num_heads=4, mlp_ratio=2.0)
    return MotionBERTConfig(**{**params, **overrides})


def test_same_outputs_as_official(official):
    model = motionbert_from_official(official.state_dict(), _config())
    assert not model.training
    keypoints = torch.randn(3, 11, 17, 3)  # shorter than maxlen: the first 11 temporal embeddings
    with torch.no_grad():
        ours, theirs = model(keypoints=keypoints).poses_3d, official(keypoints)
        assert (ours - theirs).abs().max().item() <= 1e-5
        flipped = model(keypoints=keypoints, flip_test=True).poses_3d
        rep = model(keypoints=keypoints, output_hidden_states=True).motion_representation
        torch.testing.assert_close(rep, official(keypoints, return_rep=True), atol=1e-5, rtol=1e-5)
    # MotionBERT's flip test (train.py evaluate with flip_data) on the official module
    left, right = [4, 5, 6, 11, 12, 13], [1, 2, 3, 14, 15, 16]

    def flip_data(x):
        y = x.clone()
        y[..., 0] *= -1
        y[..., left + right, :] = y[..., right + left, :]
        return y

    with torch.no_grad():
        expected = 0.5 * (official(keypoints) + flip_data(official(flip_data(keypoints))))
    torch.testing.assert_close(flipped, expected, atol=1e-5, rtol=1e-5)


def test_inferred_config(official):
    config = infer_motionbert_config(official.state_dict(), num_heads=4)
    assert (config.num_frames, config.dim_feat, config.dim_rep, config.depth, config.mlp_ratio) == (16, 32, 48, 2, 2.0)
    assert config.att_fuse and config.input_channels == ["x", "y", "c"]
    plain = DSTformer(**{**SMALL, "att_fuse": False})
    assert not infer_motionbert_config(plain.state_dict(), num_heads=4).att_fuse


def test_mapping_names_every_official_key(official):
    for key in official.state_dict():
        assert sum(rule.apply(key) is not None for rule in MOTIONBERT_KEY_MAPPING) == 1, key


def test_refuses_unknown_missing_and_misshaped_keys(official):
    state = dict(official.state_dict())
    with pytest.raises(ValueError, match=r"unknown key.*'blocks_st\.0\.attn_s\.ts_attn\.weight'"):
        motionbert_from_official({**state, "blocks_st.0.attn_s.ts_attn.weight": torch.zeros(1)}, _config())
    del state["ts_attn.1.bias"]
    with pytest.raises(ValueError, match=r"missing keys \['fusion_gates\.1\.bias'\]"):
        motionbert_from_official(state, _config())
    with pytest.raises(ValueError, match=r"temporal_pos_embed.*shape \(1, 16, 1, 32\), expected \(1, 243, 1, 32\)"):
        motionbert_from_official(official.state_dict(), _config(num_frames=243))
    with pytest.raises(ValueError, match="missing key 'joints_embed.weight'"):
        infer_motionbert_config({"head.weight": torch.zeros(3, 4)})


@pytest.mark.skipif(motionbert_repo() is None, reason="no MotionBERT checkout / git mirror (set MOTIONBERT_REPO)")
def test_same_outputs_as_the_real_official_module(official):
    """The fetched official lib/model/DSTformer.py itself (read at runtime, never committed)."""
    from functools import partial

    Official = load_official_dstformer()
    real = Official(
        dim_in=3, dim_out=3, dim_feat=32, dim_rep=48, depth=2, num_heads=4, mlp_ratio=2,
        norm_layer=partial(torch.nn.LayerNorm, eps=1e-6), maxlen=16, num_joints=17,
    ).eval()  # fmt: skip
    real.load_state_dict(official.state_dict())  # same key layout as the test re-implementation
    model = motionbert_from_official(real.state_dict(), _config())
    keypoints = torch.randn(2, 16, 17, 3)
    with torch.no_grad():
        assert (model(keypoints=keypoints).poses_3d - real(keypoints)).abs().max().item() <= 1e-5


def _official_checkpoint(path, state_dict):
    """Like MotionBERT's train.py save_checkpoint: DataParallel prefix, optimizer, lr, epoch, min_loss."""
    torch.save(
        {
            "epoch": 60,
            "lr": 2e-4,
            "optimizer": {"state": {}, "param_groups": [{"lr": 2e-4}]},
            "model_pos": {f"module.{k}": v for k, v in state_dict.items()},
            "min_loss": 39.2,
        },
        path,
    )


def test_cli_round_trip(tmp_path, official, capsys):
    _official_checkpoint(tmp_path / "best_epoch.bin", official.state_dict())
    out = tmp_path / "mb"
    argv = ["convert-checkpoint", "motionbert", str(tmp_path / "best_epoch.bin"), str(out), "--num-heads", "4"]
    assert auglift_main(argv) == 0
    assert "converted motionbert" in capsys.readouterr().out
    model = AutoModel.from_pretrained(out).eval()
    assert isinstance(model, MotionBERTForPoseLifting)
    keypoints = torch.randn(2, 16, 17, 3)
    with torch.no_grad():
        assert (model(keypoints=keypoints).poses_3d - official(keypoints)).abs().max().item() <= 1e-5
    assert (out / "modeling_motionbert.py").is_file()
    assert json.loads((out / "config.json").read_text())["auto_map"]["AutoModel"] == (
        "modeling_motionbert.MotionBERTForPoseLifting"
    )
    processor = PoseLiftingProcessor.from_pretrained(out)
    assert processor.coordinate_normalization == "motionbert" and processor.num_frames == 16
    assert processor.input_contract.keypoint_definition == "h36m" and processor.input_contract.depth_kind is None
    # the official conventions: raw confidence, x/y normalised by the width
    enc = processor.encode(np.full((1, 17, 2), 500.0), (1000, 1002), scores=np.full((1, 17), 0.75))
    np.testing.assert_allclose(enc[0, 0], [0.0, 1.0 - 1.002, 0.75], atol=1e-6)
    # a checkpoint without the 3D head is refused by name, in one line, without a traceback
    state = {k: v for k, v in official.state_dict().items() if k != "head.weight"}
    _official_checkpoint(tmp_path / "bad.bin", state)
    assert auglift_main(["convert-checkpoint", "motionbert", str(tmp_path / "bad.bin"), str(tmp_path / "x")]) == 2
    assert "head.weight" in capsys.readouterr().err and not (tmp_path / "x").exists()
