"""A ModelTester-style mixin shared by every lifter's tests (in the spirit of transformers' ``ModelTesterMixin``).

A test class sets ``model_class`` / ``config_class`` and implements ``get_config(num_channels)``; the class
is run for every channel count in ``CHANNEL_COUNTS`` through the ``num_channels`` fixture.
"""

from __future__ import annotations

import pytest
import torch
from transformers import AutoModel
from transformers.dynamic_module_utils import get_class_from_dynamic_module

from auglift_hf.skeleton import flip_keypoints

CHANNEL_COUNTS = (2, 3, 4, 6)


def assert_same_outputs(a: torch.Tensor, b: torch.Tensor) -> None:
    """Equal up to float32 rounding (oneDNN picks kernels by memory alignment, so two copies of the same
    weights can differ in the last bit)."""
    torch.testing.assert_close(a, b, atol=1e-6, rtol=1e-6)


class LiftingModelTesterMixin:
    model_class: type
    config_class: type
    batch_size = 3

    def get_config(self, num_channels: int, **overrides):
        raise NotImplementedError

    def input_frames(self, config) -> int:
        """Frames of the standard test input."""
        return 1

    def expected_out_frames(self, config, frames: int) -> int:
        return frames

    @pytest.fixture(params=CHANNEL_COUNTS, ids=lambda c: f"C{c}")
    def num_channels(self, request) -> int:
        return request.param

    # helpers -------------------------------------------------------------------------------------------
    def make_model(self, num_channels: int, **overrides):
        torch.manual_seed(0)
        return self.model_class(self.get_config(num_channels, **overrides))

    def make_inputs(self, config, frames: int | None = None, seed: int = 0):
        gen = torch.Generator().manual_seed(seed)
        frames = self.input_frames(config) if frames is None else frames
        keypoints = torch.randn(self.batch_size, frames, config.num_joints, config.num_input_channels, generator=gen)
        if "c" in config.input_channels:  # confidences in [0, 1]
            keypoints[..., config.input_channels.index("c")] = torch.rand(keypoints.shape[:3], generator=gen)
        out_frames = self.expected_out_frames(config, frames)
        labels = 0.2 * torch.randn(self.batch_size, out_frames, config.num_joints, 3, generator=gen)
        labels[..., 0, :] = 0.0  # root-relative
        return keypoints, labels

    @staticmethod
    def randomize_batchnorm(model) -> None:
        """Give BatchNorm non-trivial statistics so eval-mode comparisons mean something."""
        gen = torch.Generator().manual_seed(1)
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm1d):
                module.running_mean.copy_(0.1 * torch.randn(module.running_mean.shape, generator=gen))
                module.running_var.copy_(torch.rand(module.running_var.shape, generator=gen) + 0.5)

    # tests ---------------------------------------------------------------------------------------------
    def test_config_records_channels(self, num_channels):
        config = self.get_config(num_channels)
        assert config.num_input_channels == num_channels == len(config.input_channels)
        assert config.input_channels[:2] == ["x", "y"]

    def test_forward_shapes(self, num_channels):
        model = self.make_model(num_channels).eval()
        keypoints, labels = self.make_inputs(model.config)
        out = model(keypoints=keypoints, labels=labels, output_hidden_states=True)
        out_frames = self.expected_out_frames(model.config, keypoints.shape[1])
        assert out.poses_3d.shape == (self.batch_size, out_frames, 17, 3)
        assert out.loss.ndim == 0 and torch.isfinite(out.loss)
        assert out.hidden_states and all(h.shape[0] == self.batch_size for h in out.hidden_states)
        assert model(keypoints=keypoints).loss is None
        as_tuple = model(keypoints=keypoints, labels=labels, return_dict=False)
        torch.testing.assert_close(as_tuple[1], out.poses_3d)

    def test_loss_decreases(self, num_channels):
        model = self.make_model(num_channels).train()
        keypoints, labels = self.make_inputs(model.config)
        optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
        losses = []
        for _ in range(12):
            loss = model(keypoints=keypoints, labels=labels).loss
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        assert losses[-1] < 0.7 * losses[0], losses

    def test_save_load_bit_exact(self, num_channels, tmp_path):
        model = self.make_model(num_channels).eval()
        self.randomize_batchnorm(model)
        model.save_pretrained(tmp_path)
        reloaded = self.model_class.from_pretrained(tmp_path).eval()
        for (name, a), (_, b) in zip(model.state_dict().items(), reloaded.state_dict().items(), strict=True):
            assert torch.equal(a, b), name
        keypoints, _ = self.make_inputs(model.config)
        with torch.no_grad():  # weights are bit-exact; CPU conv kernels may round differently per tensor alignment
            assert_same_outputs(model(keypoints=keypoints).poses_3d, reloaded(keypoints=keypoints).poses_3d)
        assert reloaded.config.input_channels == model.config.input_channels

    def test_automodel_round_trip(self, num_channels, tmp_path):
        model = self.make_model(num_channels).eval()
        model.save_pretrained(tmp_path)
        reloaded = AutoModel.from_pretrained(tmp_path).eval()
        assert type(reloaded) is self.model_class
        keypoints, _ = self.make_inputs(model.config)
        with torch.no_grad():
            assert_same_outputs(model(keypoints=keypoints).poses_3d, reloaded(keypoints=keypoints).poses_3d)

    def test_remote_code_round_trip(self, num_channels, tmp_path):
        """The files ``save_pretrained`` copies next to the weights define a working model on their own."""
        model = self.make_model(num_channels).eval()
        self.randomize_batchnorm(model)
        model.save_pretrained(tmp_path)
        import json

        auto_map = json.loads((tmp_path / "config.json").read_text())["auto_map"]
        for file in {ref.split(".")[0] for ref in auto_map.values()}:
            assert (tmp_path / f"{file}.py").is_file()
        remote_class = get_class_from_dynamic_module(auto_map["AutoModel"], str(tmp_path))
        assert remote_class is not self.model_class and not remote_class.__module__.startswith("auglift_hf")
        reloaded = remote_class.from_pretrained(tmp_path).eval()
        keypoints, _ = self.make_inputs(model.config)
        with torch.no_grad():
            assert_same_outputs(model(keypoints=keypoints).poses_3d, reloaded(keypoints=keypoints).poses_3d)

    def test_eval_determinism(self, num_channels):
        model = self.make_model(num_channels).eval()
        keypoints, _ = self.make_inputs(model.config)
        with torch.no_grad():
            assert torch.equal(model(keypoints=keypoints).poses_3d, model(keypoints=keypoints).poses_3d)

    def test_bad_input_shape(self, num_channels):
        model = self.make_model(num_channels).eval()
        keypoints, labels = self.make_inputs(model.config)
        with pytest.raises(ValueError, match=rf"got \({self.batch_size}, \d+, 17, {num_channels + 1}\)"):
            model(keypoints=torch.cat([keypoints, keypoints[..., :1]], dim=-1))
        with pytest.raises(ValueError, match=rf"must have shape \(batch, \w+, 17, {num_channels}\)"):
            model(keypoints=keypoints[:, :, :16])
        with pytest.raises(ValueError, match="`keypoints`"):
            model(keypoints=keypoints[0])
        with pytest.raises(ValueError, match="`labels`"):
            model(keypoints=keypoints, labels=labels[..., :2])

    def test_flip_test_is_mirror_equivariant(self, num_channels):
        """With flip TTA, lifting the mirrored input gives exactly the mirrored prediction."""
        model = self.make_model(num_channels).eval()
        self.randomize_batchnorm(model)
        keypoints, _ = self.make_inputs(model.config)
        with torch.no_grad():
            plain = model(keypoints=keypoints).poses_3d
            tta = model(keypoints=keypoints, flip_test=True).poses_3d
            tta_mirrored = model(keypoints=flip_keypoints(keypoints), flip_test=True).poses_3d
        torch.testing.assert_close(tta_mirrored, flip_keypoints(tta), atol=1e-5, rtol=1e-5)
        assert tta.shape == plain.shape and not torch.allclose(tta, plain)

    def test_confidence_weighted_loss(self, num_channels):
        model = self.make_model(num_channels, confidence_weighted_loss=True).eval()
        keypoints, labels = self.make_inputs(model.config)
        with torch.no_grad():
            weighted = model(keypoints=keypoints, labels=labels).loss
            model.config.confidence_weighted_loss = False
            plain = model(keypoints=keypoints, labels=labels).loss
        if "c" in model.config.input_channels:
            assert not torch.isclose(weighted, plain)
        else:
            assert torch.equal(weighted, plain)
