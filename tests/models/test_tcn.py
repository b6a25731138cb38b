import pytest
import torch

from auglift_hf.models import TCNConfig, TCNForPoseLifting

from .lifting_tester import LiftingModelTesterMixin


class TestTCN(LiftingModelTesterMixin):
    model_class = TCNForPoseLifting
    config_class = TCNConfig

    def get_config(self, num_channels, **overrides):
        params = dict(filter_widths=[3, 3], channels=32, dropout=0.0, num_input_channels=num_channels)
        return TCNConfig(**{**params, **overrides})

    def input_frames(self, config):
        return config.receptive_field  # one training window -> 1 output (strided path)

    def expected_out_frames(self, config, frames):
        return 1 if frames == config.receptive_field else frames

    def test_full_sequence_shapes_and_flip(self):
        model = self.make_model(4).eval()
        keypoints, labels = self.make_inputs(model.config, frames=20)
        out = model(keypoints=keypoints, labels=labels, flip_test=True)
        assert out.poses_3d.shape == (self.batch_size, 20, 17, 3) and torch.isfinite(out.loss)


@pytest.mark.parametrize(("widths", "millions"), [([3, 3, 3], 8.56), ([3, 3, 3, 3], 12.75), ([3, 3, 3, 3, 3], 16.95)])
def test_official_parameter_count(widths, millions):
    model = TCNForPoseLifting(TCNConfig(filter_widths=widths, num_input_channels=2))
    assert round(sum(p.numel() for p in model.parameters()) / 1e6, 2) == millions


def test_default_config_is_official():
    config = TCNConfig(filter_widths=[3, 3, 3, 3, 3], num_input_channels=2)
    assert (config.channels, config.dropout, config.receptive_field, config.causal, config.dense) == (
        1024,
        0.25,
        243,
        False,
        False,
    )


@pytest.mark.parametrize("causal", [False, True])
def test_one_pass_equals_sliding_windows(causal):
    """Full-sequence mode (edge padding, one pass) == the strided window path run at every frame."""
    torch.manual_seed(0)
    model = TCNForPoseLifting(TCNConfig(filter_widths=[3, 3, 3], channels=16, causal=causal)).eval()
    LiftingModelTesterMixin.randomize_batchnorm(model)
    frames, rf, shift = 30, 27, model.config.total_causal_shift
    keypoints = torch.randn(2, frames, 17, 2)
    index = torch.arange(-(rf // 2) - shift, frames + rf // 2 - shift).clamp(0, frames - 1)  # edge replication
    padded = keypoints[:, index]
    with torch.no_grad():
        full = model(keypoints=keypoints).poses_3d
        windows = torch.cat([model(keypoints=padded[:, t : t + rf]).poses_3d for t in range(frames)], dim=1)
        valid = model(keypoints=keypoints, pad_sequence=False).poses_3d
    assert full.shape == (2, frames, 17, 3)
    torch.testing.assert_close(full, windows, atol=1e-5, rtol=1e-5)
    assert valid.shape == (2, frames - rf + 1, 17, 3)
    torch.testing.assert_close(valid, full[:, rf // 2 + shift : rf // 2 + shift + frames - rf + 1])
    assert model.output_frame_index == (rf - 1 if causal else rf // 2)


def test_strided_training_path_matches_dilated():
    torch.manual_seed(0)
    model = TCNForPoseLifting(TCNConfig(filter_widths=[3, 3], channels=16, dropout=0.0)).train()
    keypoints = torch.randn(4, 9, 17, 2)
    strided = model(keypoints=keypoints).poses_3d
    dilated = model(keypoints=keypoints, pad_sequence=False).poses_3d  # same window through dilated convs
    assert strided.shape == dilated.shape == (4, 1, 17, 3)
    torch.testing.assert_close(strided, dilated, atol=1e-5, rtol=1e-5)


def test_too_short_without_padding():
    model = TCNForPoseLifting(TCNConfig(filter_widths=[3, 3], channels=8)).eval()
    with pytest.raises(ValueError, match="receptive_field=9"):
        model(keypoints=torch.zeros(1, 5, 17, 2), pad_sequence=False)


def test_dense_variant_runs():
    model = TCNForPoseLifting(TCNConfig(filter_widths=[3, 3], channels=8, dense=True)).eval()
    assert model.layers_conv[0].kernel_size == (7,)
    assert model(keypoints=torch.zeros(1, 9, 17, 2)).poses_3d.shape == (1, 1, 17, 3)
    assert model(keypoints=torch.zeros(1, 12, 17, 2)).poses_3d.shape == (1, 12, 17, 3)
