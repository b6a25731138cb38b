import numpy as np
import pytest
import torch

from auglift_hf.data.mixing import MixedWindowDataset
from auglift_hf.training.collator import PoseLiftingCollator, flip_where
from auglift_hf.training.config import load_config
from auglift_hf.training.losses import confidence_weighted_mpjpe, ordinal_depth_loss
from auglift_hf.training.trainer import exponential_decay_lambda


def test_config_yaml_sections_and_overrides(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        "model:\n  model_type: poseformer\n  num_frames: 9\n  input_channels: [x, y, c, d]\n"
        "data:\n  train_datasets: [a, b]\n  train_weights: [0.7, 0.3]\n"
        "training:\n  output_dir: " + str(tmp_path / "run") + "\n  optimizer: adam\n"
    )
    m, d, t = load_config(cfg, ["max_steps=7", "learning_rate=0.01"])
    assert m.model_type == "poseformer" and m.input_channels == ["x", "y", "c", "d"]
    assert d.train_weights == [0.7, 0.3]
    assert t.max_steps == 7 and t.learning_rate == 0.01 and t.optimizer == "adam" and t.lr_decay == 0.98
    assert t.metric_for_best_model.endswith("mpjpe") and t.load_best_model_at_end and not t.greater_is_better
    with pytest.raises(ValueError, match="unknown keys"):
        load_config(cfg, ["not_a_field=1"])
    with pytest.raises(ValueError, match="train_weights"):
        load_config({"train_datasets": ["a"], "train_weights": [1, 2], "output_dir": str(tmp_path)})
    with pytest.raises(FileNotFoundError):
        load_config(tmp_path / "missing.yaml")


def test_collator_flip_is_an_involution_and_seeded():
    x = torch.randn(8, 5, 17, 4)
    y = torch.randn(8, 1, 17, 3)
    mask = torch.tensor([True, False] * 4)
    twice = flip_where(flip_where(x, mask), mask)
    torch.testing.assert_close(twice, x)
    once = flip_where(y, mask)
    torch.testing.assert_close(once[0, :, 4, 0], -y[0, :, 1, 0])  # l_hip <- -r_hip x
    torch.testing.assert_close(once[1], y[1])
    feats = [{"keypoints": x[i].numpy(), "labels": y[i], "name": "s"} for i in range(8)]
    a = PoseLiftingCollator(flip_prob=0.5, seed=3)(feats)
    b = PoseLiftingCollator(flip_prob=0.5, seed=3)(feats)
    assert set(a) == {"keypoints", "labels"} and a["keypoints"].shape == (8, 5, 17, 4)
    torch.testing.assert_close(a["keypoints"], b["keypoints"])
    assert not torch.equal(a["keypoints"], x)  # something was flipped
    torch.testing.assert_close(PoseLiftingCollator()(feats)["keypoints"], x)


def test_losses():
    g = torch.Generator().manual_seed(0)
    labels = torch.randn(4, 1, 17, 3, generator=g)
    assert ordinal_depth_loss(labels, labels) < ordinal_depth_loss(-labels, labels)
    wrong = labels.clone()
    wrong[..., 2] = -wrong[..., 2]
    assert ordinal_depth_loss(wrong, labels) > 2 * ordinal_depth_loss(labels, labels)
    poses = labels + 0.1
    conf = torch.ones(4, 1, 17)
    torch.testing.assert_close(
        confidence_weighted_mpjpe(poses, labels, conf), torch.linalg.vector_norm(poses - labels, dim=-1).mean()
    )
    err = torch.zeros(4, 1, 17, 3)
    err[..., 0, 0] = 1.0  # error only on joint 0
    low = conf.clone()
    low[..., 0] = 0.1
    assert confidence_weighted_mpjpe(labels + err, labels, low) > confidence_weighted_mpjpe(labels + err, labels, conf)
    with pytest.raises(ValueError, match="confidence"):
        confidence_weighted_mpjpe(poses, labels, conf[..., :5])


def test_exponential_decay_per_epoch():
    f = exponential_decay_lambda(10, 0.98)
    assert f(0) == 1.0 and f(9) == 1.0 and f(10) == pytest.approx(0.98) and f(25) == pytest.approx(0.98**2)


def test_mixing_weights():
    a = [{"keypoints": torch.zeros(1), "labels": torch.zeros(1)}] * 100
    b = [{"keypoints": torch.ones(1), "labels": torch.zeros(1)}] * 10
    mix = MixedWindowDataset([a, b], weights=[0.2, 0.8], num_samples=2000, seed=0)
    share_b = np.mean([float(mix[i]["keypoints"][0]) for i in range(len(mix))])
    assert 0.75 < share_b < 0.85
    with pytest.raises(ValueError):
        MixedWindowDataset([a, b], weights=[1.0])


def test_train_epoch_windows_sets_a_mixture_epoch_and_follows_the_data_seed(motion_table, tmp_path):
    """'first' gives the mixture the first table's epoch (the schedule of a run on that table alone); the draws
    follow the seed; bad values are refused while parsing."""
    from auglift_hf.processing_lifting import PoseLiftingProcessor
    from auglift_hf.training.data import build_datasets

    base = {"train_datasets": [str(motion_table), str(motion_table)], "train_weights": [0.7, 0.3],
            "input_channels": ["x", "y"], "output_dir": str(tmp_path), "dataset_config": "detected2d"}  # fmt: skip
    proc = PoseLiftingProcessor(input_channels=["x", "y"])
    m, d, _ = load_config({**base, "train_epoch_windows": "first"})
    single, _ = build_datasets(m, _one(d), proc, 27)
    mixed, _ = build_datasets(m, d, proc, 27, seed=1)
    assert isinstance(mixed, MixedWindowDataset) and len(mixed) == len(single)
    _, d_sum, _ = load_config(base)
    assert len(build_datasets(m, d_sum, proc, 27)[0]) == 2 * len(single)
    _, d_num, _ = load_config({**base, "train_epoch_windows": 50})
    other, _ = build_datasets(m, d_num, proc, 27, seed=2)
    assert len(other) == 50 and not np.array_equal(other.local, mixed.local[:50])
    for bad in ("all", 0, -3, 2.5, float("nan"), float("inf"), "1e400"):
        with pytest.raises(ValueError, match="train_epoch_windows"):
            load_config({**base, "train_epoch_windows": bad})


def _one(d):
    import dataclasses

    return dataclasses.replace(d, train_datasets=d.train_datasets[:1], train_weights=None)
