"""Depth dropout in training and the processor's missing-depth fill (issue 14 item 3)."""

import numpy as np
import pytest
import torch

from auglift_hf.processing_lifting import MISSING_DEPTH_FILL, PoseLiftingProcessor
from auglift_hf.training.collator import PoseLiftingCollator, drop_depth
from auglift_hf.training.config import DataArguments


def test_drop_depth_rates_and_pelvis_rule():
    x = torch.ones(400, 9, 17, 4)
    g = torch.Generator().manual_seed(0)
    out = drop_depth(x, (3,), p_window=0.25, p_frame=0.0, p_joint=0.0, generator=g)
    whole = (out[..., 3] == MISSING_DEPTH_FILL).all(-1).all(-1)
    assert 0.18 < whole.float().mean() < 0.32
    assert torch.equal(out[..., :3], x[..., :3])  # only the depth channels change
    out = drop_depth(x, (3,), 0.0, 0.0, 0.1, generator=g)
    gone = out[..., 3] == MISSING_DEPTH_FILL
    assert gone[..., 0].any() and torch.equal(gone[..., 0], gone.all(-1))  # pelvis gone -> frame gone
    assert 0.1 < gone[..., 1:].float().mean() < 0.25  # 10 % per joint + the dropped pelvis' frames


def test_collator_applies_dropout_only_with_depth_channels():
    feats = [{"keypoints": np.ones((3, 17, 4), np.float32), "labels": np.zeros((1, 17, 3), np.float32)}] * 64
    col = PoseLiftingCollator(seed=1, depth_channels=(3,), depth_dropout_window=0.5)
    k = col(feats)["keypoints"]
    frac = (k[..., 3] == MISSING_DEPTH_FILL).all(-1).all(-1).float().mean()
    assert 0.3 < frac < 0.7
    assert torch.equal(PoseLiftingCollator(depth_dropout_window=0.5)(feats)["keypoints"], torch.ones(64, 3, 17, 4))
    with pytest.raises(ValueError, match="depth_dropout_frame"):
        DataArguments(train_datasets=["x"], depth_dropout_frame=1.5)


def test_processor_encodes_missing_depth_as_the_dropout_fill():
    proc = PoseLiftingProcessor(num_frames=1, input_channels=["x", "y", "c", "d", "d_min", "d_max"])
    kp = np.random.default_rng(0).uniform(100, 400, (4, 17, 2))
    depth = np.random.default_rng(1).uniform(3, 4, (4, 17, 3))
    depth[1, 5] = np.nan  # one joint without depth
    depth[2] = np.nan  # a whole frame without depth
    depth[3, 0] = np.nan  # pelvis missing: the frame cannot be encoded pelvis-relative
    enc = proc.encode(kp, (500, 500), np.ones((4, 17)), depth)
    assert np.isfinite(enc).all()
    assert (enc[1, 5, 3:] == MISSING_DEPTH_FILL).all() and (enc[1, 6, 3:] != MISSING_DEPTH_FILL).any()
    assert (enc[2:, :, 3:] == MISSING_DEPTH_FILL).all()
    assert (enc[0, 1:, 3] != MISSING_DEPTH_FILL).all()  # valid depth is encoded as before
    with pytest.raises(ValueError, match="inf"):
        proc.encode(kp, (500, 500), np.ones((4, 17)), np.full((4, 17, 3), np.inf))


def test_training_with_depth_dropout_records_missing_depth_fill():
    """``auglift train`` writes ``missing_depth="fill"`` into the contract of a depth lifter trained with dropout."""
    from types import SimpleNamespace

    from auglift_hf import PoseLiftingProcessor
    from auglift_hf.contract import InputContract
    from auglift_hf.training.trainer import record_depth_dropout

    def processor():
        proc = PoseLiftingProcessor(input_channels=["x", "y", "c", "d"], num_frames=1)
        proc.set_input_contract(InputContract.metric(keypoint_definition="coco"))
        return proc

    model = SimpleNamespace(config=SimpleNamespace(input_channels=["x", "y", "c", "d"]))
    none = SimpleNamespace(depth_dropout_window=0.0, depth_dropout_frame=0.0, depth_dropout_joint=0.0)
    some = SimpleNamespace(depth_dropout_window=0.0, depth_dropout_frame=0.0, depth_dropout_joint=0.05)
    proc = processor()
    record_depth_dropout(proc, model, none)
    assert proc.input_contract.missing_depth is None
    record_depth_dropout(proc, model, some)
    assert proc.input_contract.missing_depth == "fill" and proc.to_dict()["missing_depth"] == "fill"
    xy = PoseLiftingProcessor(input_channels=["x", "y"])
    xy.set_input_contract(InputContract(keypoint_definition="coco"))
    record_depth_dropout(xy, SimpleNamespace(config=SimpleNamespace(input_channels=["x", "y"])), some)
    assert xy.input_contract.missing_depth is None  # no depth channel: nothing to drop
