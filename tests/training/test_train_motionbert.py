"""A tiny MotionBERT trains through the package's Trainer path: per-frame labels, velocity loss, flip test."""

import pytest
import torch

from auglift_hf.training.config import load_config
from auglift_hf.training.losses import velocity_loss
from auglift_hf.training.trainer import run_training


def test_velocity_loss_is_motionbert_loss_velocity():
    gen = torch.Generator().manual_seed(0)
    poses, labels = torch.randn(2, 5, 17, 3, generator=gen), torch.randn(2, 5, 17, 3, generator=gen)
    vp, vt = poses[:, 1:] - poses[:, :-1], labels[:, 1:] - labels[:, :-1]  # MotionBERT lib/model/loss.py
    expected = torch.mean(torch.norm(vp - vt, dim=len(labels.shape) - 1))
    torch.testing.assert_close(velocity_loss(poses, labels), expected)
    assert velocity_loss(poses[:, :1], labels[:, :1]).item() == 0.0
    assert velocity_loss(poses + 1.0, labels).item() == pytest.approx(velocity_loss(poses, labels).item())
    with pytest.raises(ValueError, match="same shape|both be"):
        velocity_loss(poses, labels[:, :3])


def test_tiny_motionbert_trains_with_velocity_loss(motion_table, tmp_path, tiny_config):
    from transformers import AutoModel

    import auglift_hf  # noqa: F401

    config = tiny_config(motion_table, tmp_path / "run", max_steps=24, eval_steps=12, save_steps=12)
    config["model"] = {
        "model_type": "motionbert",
        "num_frames": 9,
        "input_channels": ["x", "y", "c", "d"],
        "model_kwargs": {"dim_feat": 16, "dim_rep": 16, "depth": 1, "num_heads": 2},
    }
    config["data"]["train_stride"] = 3
    config["training"].update(lambda_3d_velocity=20.0, learning_rate=3e-3)
    res = run_training(*load_config(config))
    assert res["global_step"] == 24
    history = res["trainer"].state.log_history
    losses = [h["loss"] for h in history if "loss" in h]
    assert losses[-1] < losses[0]
    evals = [h for h in history if "eval_mpjpe" in h]
    assert evals and all(h["eval_num_poses"] == 100 * 9 for h in evals)  # 100 clips x 9 frames scored
    model = AutoModel.from_pretrained(tmp_path / "run" / "final").eval()
    assert model.config.model_type == "auglift_motionbert" and model.config.num_frames == 9
    # the training windows carry a label for every frame of the clip
    train = res["trainer"].train_dataset
    item = train[0]
    assert item["keypoints"].shape == (9, 17, 4) and item["labels"].shape == (9, 17, 3)


def test_velocity_loss_needs_a_many_to_many_model(motion_table, tmp_path, tiny_config):
    config = tiny_config(motion_table, tmp_path / "run", max_steps=2, eval_strategy="no", save_strategy="no")
    config["training"]["lambda_3d_velocity"] = 1.0
    with pytest.raises(ValueError, match="lambda_3d_velocity needs a many-to-many lifter"):
        run_training(*load_config(config))
    with pytest.raises(ValueError, match="lambda_3d_velocity must be >= 0"):
        load_config({**config, "training": {**config["training"], "lambda_3d_velocity": -1.0}})
