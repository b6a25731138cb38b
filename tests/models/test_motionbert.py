import pytest
import torch

from auglift_hf.models import MotionBERTConfig, MotionBERTForPoseLifting, input_frames, is_many_to_many
from auglift_hf.models.motionbert import PRESETS

from .lifting_tester import LiftingModelTesterMixin


class TestMotionBERT(LiftingModelTesterMixin):
    model_class = MotionBERTForPoseLifting
    config_class = MotionBERTConfig

    def get_config(self, num_channels, **overrides):
        params = dict(num_frames=9, num_input_channels=num_channels, dim_feat=8, dim_rep=8, depth=2, num_heads=2)
        return MotionBERTConfig(**{**params, **overrides})

    def input_frames(self, config):
        return config.num_frames

    def test_loss_decreases(self, num_channels):
        """A label for every frame (many-to-many, a function of that frame's 2D): fitted within 15 Adam steps."""
        model = self.make_model(num_channels).train()
        keypoints, _ = self.make_inputs(model.config)
        xy = keypoints[..., :2]
        labels = 0.3 * torch.cat([xy, xy.sum(-1, keepdim=True)], dim=-1)
        optimizer = torch.optim.Adam(model.parameters(), lr=2e-2)
        losses = []
        for _ in range(15):
            loss = model(keypoints=keypoints, labels=labels).loss
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        assert losses[-1] < 0.8 * losses[0], losses

    def test_shorter_clips_use_the_first_temporal_embeddings(self):
        """Any clip of 1..num_frames frames is lifted frame by frame (many-to-many); longer clips are refused."""
        model = self.make_model(3).eval()
        keypoints, labels = self.make_inputs(model.config, frames=5)
        with torch.no_grad():
            out = model(keypoints=keypoints, labels=labels)
        assert out.poses_3d.shape == (self.batch_size, 5, 17, 3) and torch.isfinite(out.loss)
        with pytest.raises(ValueError, match="more than the model's num_frames=9"):
            model(keypoints=torch.zeros(1, 10, 17, 3))

    def test_sdpa_matches_explicit_attention(self):
        model = self.make_model(3).eval()
        assert model.config._attn_implementation == "sdpa"
        keypoints, _ = self.make_inputs(model.config)
        with torch.no_grad():
            sdpa = model(keypoints=keypoints).poses_3d
            model.set_attn_implementation("eager")
            eager = model(keypoints=keypoints).poses_3d
        torch.testing.assert_close(sdpa, eager, atol=1e-5, rtol=1e-5)

    def test_streams_are_fused_with_learned_weights(self):
        """att_fuse=True starts at equal stream weights (official init: weight 0, bias 0.5), att_fuse=False averages."""
        fused = self.make_model(3).eval()
        plain = self.make_model(3, att_fuse=False).eval()
        assert fused.fusion_gates is not None and plain.fusion_gates is None
        assert all(torch.equal(g.weight, torch.zeros_like(g.weight)) for g in fused.fusion_gates)
        state = {k: v for k, v in fused.state_dict().items() if not k.startswith("fusion_gates.")}
        plain.load_state_dict(state)
        keypoints, _ = self.make_inputs(fused.config)
        with torch.no_grad():
            torch.testing.assert_close(fused(keypoints=keypoints).poses_3d, plain(keypoints=keypoints).poses_3d)
            fused.fusion_gates[0].bias.copy_(torch.tensor([3.0, -3.0]))  # favour the spatial-temporal stream
            assert not torch.allclose(fused(keypoints=keypoints).poses_3d, plain(keypoints=keypoints).poses_3d)

    def test_lift_sequence_stitching(self):
        model = self.make_model(3).eval()
        gen = torch.Generator().manual_seed(3)
        seq = torch.randn(2, 23, 17, 3, generator=gen)
        with torch.no_grad():
            # "short": MotionBERT's infer_wild (non-overlapping clips of 9, last one of 5 frames)
            short = model.lift_sequence(seq, last_clip="short")
            expected = torch.cat([model(keypoints=seq[:, s : s + 9]).poses_3d for s in (0, 9, 18)], dim=1)
            torch.testing.assert_close(short, expected, atol=1e-6, rtol=1e-6)
            # "shift": full clips at 0, 9 and 14 (ending on the last frame); frames 14-17 averaged over two clips
            shift = model.lift_sequence(seq)
            clips = {s: model(keypoints=seq[:, s : s + 9]).poses_3d for s in (0, 9, 14)}
            torch.testing.assert_close(shift[:, :9], clips[0], atol=1e-6, rtol=1e-6)
            torch.testing.assert_close(
                shift[:, 14:18], 0.5 * (clips[9][:, 5:] + clips[14][:, :4]), atol=1e-6, rtol=1e-6
            )
            torch.testing.assert_close(shift[:, 18:], clips[14][:, 4:], atol=1e-6, rtol=1e-6)
            # overlapping clips (step 6) and an unbatched sequence shorter than one clip
            overlap = model.lift_sequence(seq, overlap=3)
            assert overlap.shape == (2, 23, 17, 3) and not torch.allclose(overlap, shift)
            single = model.lift_sequence(seq[0, :4], flip_test=True)
            torch.testing.assert_close(single, model(keypoints=seq[:1, :4], flip_test=True).poses_3d[0])
        with pytest.raises(ValueError, match="overlap"):
            model.lift_sequence(seq, overlap=9)
        with pytest.raises(ValueError, match="clip_frames"):
            model.lift_sequence(seq, clip_frames=10)


def test_official_parameter_counts():
    """MB_ft_h36m and the Lite model, counted on the official DSTformer definitions (tests/convert)."""
    from tests.convert.official_motionbert import DSTformer

    for preset, dim_feat, mlp_ratio, expected in (
        ("official-ft-h36m", 512, 2, 42_466_317),
        ("official-lite", 256, 4, 16_001_549),
    ):
        official = DSTformer(dim_in=3, dim_feat=dim_feat, dim_rep=512, depth=5, num_heads=8, mlp_ratio=mlp_ratio)
        ours = MotionBERTForPoseLifting(MotionBERTConfig.from_preset(preset))
        assert sum(p.numel() for p in official.parameters()) == expected
        assert sum(p.numel() for p in ours.parameters()) == expected, preset


def test_default_config_is_mb_ft_h36m():
    config = MotionBERTConfig()
    assert (config.num_frames, config.dim_feat, config.dim_rep, config.depth, config.num_heads) == (
        243,
        512,
        512,
        5,
        8,
    )
    assert config.mlp_ratio == 2.0 and config.att_fuse and config.input_channels == ["x", "y", "c"]
    assert (config.maxlen, config.dim_in) == (243, 3)
    assert input_frames(config) == 243 and input_frames(config.to_dict()) == 243
    assert is_many_to_many(config) and is_many_to_many(config.to_dict())


def test_presets_and_validation():
    lite = MotionBERTConfig.from_preset("official-lite", input_channels=["x", "y", "c", "d"])
    assert (lite.dim_feat, lite.mlp_ratio, lite.num_input_channels) == (256, 4.0, 4)
    assert {"official-ft-h36m", "official-lite", "cpu-27f", "cpu-9f"} <= set(PRESETS)
    with pytest.raises(ValueError, match="unknown preset"):
        MotionBERTConfig.from_preset("official-huge")
    with pytest.raises(ValueError, match="divisible"):
        MotionBERTConfig(dim_feat=30, num_heads=8)
    with pytest.raises(ValueError, match="`depth` must be >= 1"):
        MotionBERTConfig(depth=0)
