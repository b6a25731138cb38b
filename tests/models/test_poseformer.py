import pytest
import torch

from auglift_hf.models import PoseFormerConfig, PoseFormerForPoseLifting
from auglift_hf.models.poseformer import PRESETS

from .lifting_tester import LiftingModelTesterMixin


class TestPoseFormer(LiftingModelTesterMixin):
    model_class = PoseFormerForPoseLifting
    config_class = PoseFormerConfig

    def get_config(self, num_channels, **overrides):
        params = dict(num_frames=9, num_input_channels=num_channels, embed_dim_ratio=16, depth=2, num_heads=4)
        params.update(drop_path_rate=0.0)
        return PoseFormerConfig(**{**params, **overrides})

    def input_frames(self, config):
        return config.num_frames

    def expected_out_frames(self, config, frames):
        return 1

    def test_wrong_frame_count(self):
        model = self.make_model(2).eval()
        with pytest.raises(ValueError, match=r"\(batch, 9, 17, 2\), got \(1, 8, 17, 2\)"):
            model(keypoints=torch.zeros(1, 8, 17, 2))

    def test_labels_for_every_frame_use_the_centre(self):
        model = self.make_model(2).eval()
        keypoints, _ = self.make_inputs(model.config)
        labels = torch.randn(self.batch_size, 9, 17, 3)
        with torch.no_grad():
            full = model(keypoints=keypoints, labels=labels).loss
            centre = model(keypoints=keypoints, labels=labels[:, 4:5]).loss
        assert torch.equal(full, centre)


@pytest.mark.parametrize(("frames", "millions"), [(81, 9.60), (27, 9.57)])
def test_official_parameter_count(frames, millions):
    model = PoseFormerForPoseLifting(PoseFormerConfig(num_frames=frames, num_input_channels=2))
    n = sum(p.numel() for p in model.parameters())
    assert round(n / 1e6, 2) == millions


def test_default_config_is_official():
    config = PoseFormerConfig(num_frames=81, num_input_channels=2)
    assert (config.embed_dim_ratio, config.depth, config.num_heads, config.mlp_ratio) == (32, 4, 8, 2.0)
    assert config.input_channels == ["x", "y"]


def test_presets():
    assert PoseFormerConfig.from_preset("auglift-27f").embed_dim_ratio == 32
    config = PoseFormerConfig.from_preset("auglift-81f", input_channels=["x", "y", "c", "d", "d_min", "d_max"])
    assert (config.embed_dim_ratio, config.mlp_ratio, config.num_input_channels) == (96, 4.0, 6)
    assert {PRESETS[f"auglift-{f}f"]["num_frames"] for f in (1, 9, 27, 81, 243)} == {1, 9, 27, 81, 243}
    with pytest.raises(ValueError, match="unknown preset"):
        PoseFormerConfig.from_preset("auglift-7f")


def test_config_validation():
    with pytest.raises(ValueError, match="num_input_channels"):
        PoseFormerConfig(num_input_channels=3, input_channels=["x", "y"])
    with pytest.raises(ValueError, match="divisible"):
        PoseFormerConfig(embed_dim_ratio=32, num_heads=5)


def test_sdpa_matches_explicit_attention():
    torch.manual_seed(0)
    model = PoseFormerForPoseLifting(PoseFormerConfig(num_frames=9, embed_dim_ratio=16, depth=2, num_heads=4)).eval()
    assert model.config._attn_implementation == "sdpa"
    keypoints = torch.randn(2, 9, 17, 2)
    with torch.no_grad():
        sdpa = model(keypoints=keypoints).poses_3d
        model.set_attn_implementation("eager")
        eager = model(keypoints=keypoints).poses_3d
    assert model.config._attn_implementation == "eager"
    torch.testing.assert_close(sdpa, eager, atol=1e-5, rtol=1e-5)


def test_gradient_checkpointing_same_gradients():
    torch.manual_seed(0)
    config = PoseFormerConfig(num_frames=9, embed_dim_ratio=16, depth=2, num_heads=4, drop_path_rate=0.0)
    model = PoseFormerForPoseLifting(config).train()
    keypoints, labels = torch.randn(2, 9, 17, 2), torch.randn(2, 1, 17, 3)
    model(keypoints=keypoints, labels=labels).loss.backward()
    reference = {n: p.grad.clone() for n, p in model.named_parameters()}
    model.zero_grad()
    model.gradient_checkpointing_enable()
    assert model.is_gradient_checkpointing and model.spatial_blocks[0].gradient_checkpointing
    calls = []
    handle = model.temporal_blocks[0].attn.register_forward_hook(lambda *args: calls.append(1))
    model(keypoints=keypoints, labels=labels).loss.backward()
    handle.remove()
    assert len(calls) == 2  # forward + recomputation in backward
    for name, param in model.named_parameters():
        torch.testing.assert_close(param.grad, reference[name], atol=1e-6, rtol=1e-5, msg=name)
