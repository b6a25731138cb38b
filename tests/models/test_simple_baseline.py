import torch

from auglift_hf.models import SimpleBaselineConfig, SimpleBaselineForPoseLifting

from .lifting_tester import LiftingModelTesterMixin


class TestSimpleBaseline(LiftingModelTesterMixin):
    model_class = SimpleBaselineForPoseLifting
    config_class = SimpleBaselineConfig
    batch_size = 4

    def get_config(self, num_channels, **overrides):
        params = dict(hidden_size=64, num_blocks=2, dropout=0.0, num_input_channels=num_channels)
        return SimpleBaselineConfig(**{**params, **overrides})

    def test_frames_are_lifted_independently(self):
        model = self.make_model(2).eval()
        self.randomize_batchnorm(model)
        keypoints = torch.randn(2, 5, 17, 2)
        with torch.no_grad():
            together = model(keypoints=keypoints).poses_3d
            alone = model(keypoints=keypoints[:, 2:3]).poses_3d
        assert together.shape == (2, 5, 17, 3)
        torch.testing.assert_close(together[:, 2:3], alone)


def test_default_architecture():
    config = SimpleBaselineConfig()
    assert (config.hidden_size, config.num_blocks, config.dropout) == (1024, 2, 0.5)
    model = SimpleBaselineForPoseLifting(config)
    # Martinez et al. / MMPose SimpleBaseline3D with 17 output joints: 4.29M parameters
    assert round(sum(p.numel() for p in model.parameters()) / 1e6, 2) == 4.29
