"""``benchmarks/reference/evaluate.py`` (the evaluation ``ship.py`` writes cards from): a temporal lifter's windows
are sampled at its training rate on tables at other rates (CMU's 24 Hz), as ``auglift evaluate`` does."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from auglift_hf.data import SequenceRecord, write_frame_table
from auglift_hf.models import TCNConfig, TCNForPoseLifting
from auglift_hf.processing_lifting import PoseLiftingProcessor

from .reference_scripts import REFERENCE


def import_evaluate_script():
    """``benchmarks/reference/evaluate.py`` under another module name: as ``evaluate`` it would shadow Hugging Face
    ``evaluate`` in ``sys.modules`` for every test after this one."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("reference_evaluate_script", REFERENCE / "evaluate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _table(root, fps: float):
    rng = np.random.default_rng(0)
    k3 = rng.uniform([-0.5, -0.9, 4.0], [0.5, 0.9, 5.0], (40, 17, 3))
    k3 += np.linspace(0, 1, 40)[:, None, None] * [0.4, 0.0, 0.0]  # motion, so that resampling changes the input
    k2 = 1000 * k3[..., :2] / k3[..., 2:] + 500
    rec = SequenceRecord(
        dataset="cmu", subject="S1", action="running 1", camera="0", keypoints_2d=k2, keypoints_3d=k3,
        focal=[1000, 1000], center=[500, 500], image_size=(1000, 1000), fps=fps, split="test",
        detected_2d=k2 + rng.normal(0, 3, k2.shape), detected_scores=np.full(k2.shape[:2], 0.9),
    )  # fmt: skip
    write_frame_table([rec], root / "test_cmu", dataset_name="cmu", progress=False)
    return root


def _lifter(folder, frame_rate):
    torch.manual_seed(0)
    TCNForPoseLifting(TCNConfig(filter_widths=[3], channels=8, input_channels=["x", "y"])).save_pretrained(folder)
    PoseLiftingProcessor(input_channels=["x", "y"], num_frames=3, frame_rate=frame_rate).save_pretrained(folder)
    return folder


def test_windows_sampled_at_the_lifter_rate(tmp_path):
    evaluate = import_evaluate_script()
    lifter = _lifter(tmp_path / "lifter", 25.0)
    at24 = evaluate.evaluate_folder(lifter, _table(tmp_path / "d24", 24.0), stride=1, flip_test=False)
    at25 = evaluate.evaluate_folder(lifter, _table(tmp_path / "d25", 25.0), stride=1, flip_test=False)
    cell24, cell25 = at24["conditions"]["CMU GT-2D"], at25["conditions"]["CMU GT-2D"]
    assert at24["frame_rate"] == 25.0 and cell24["window_frame_rate"] == 25.0
    assert cell24["table_fps"] == [24.0] and cell25["table_fps"] == [25.0]
    assert cell24["frames"]["scored"] == cell25["frames"]["scored"] == 40
    # same rows, same lifter: only the 24 Hz table's windows are interpolated (24/25 of a row apart)
    assert not np.allclose(at24["per_pose"]["CMU GT-2D"]["mpjpe"], at25["per_pose"]["CMU GT-2D"]["mpjpe"])


def test_temporal_lifter_without_frame_rate_is_refused(tmp_path):
    evaluate = import_evaluate_script()
    lifter = _lifter(tmp_path / "old", None)
    with pytest.raises(ValueError, match="no `frame_rate`"):
        evaluate.evaluate_folder(lifter, _table(tmp_path / "d", 24.0), stride=1, flip_test=False)
