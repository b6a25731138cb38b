"""``auglift train`` records ``score_fill`` (the median training score) for c-lifters, ``None`` for XY lifters."""

import json

import numpy as np
import pytest

from auglift_hf.training.config import load_config
from auglift_hf.training.data import training_score_fill
from auglift_hf.training.trainer import run_training


def _scores_table(scores):
    import pyarrow as pa

    scores = np.asarray(scores, np.float32).reshape(-1, 17)
    return pa.table({"keypoint_scores": pa.array(list(scores), type=pa.list_(pa.float32(), 17))})


def test_training_score_fill_is_the_median_of_the_score_column():
    rng = np.random.default_rng(0)
    scores = rng.beta(8, 1, size=(50, 17))
    assert training_score_fill([_scores_table(scores)], "gt2d") == round(float(np.median(scores)), 4)
    assert training_score_fill([_scores_table(np.ones((3, 17)))], "gt2d") == 1.0


def test_training_score_fill_weights_tables_as_the_mixture():
    low, high = _scores_table(np.full((10, 17), 0.5)), _scores_table(np.full((30, 17), 0.9))
    assert training_score_fill([low, high], "gt2d", weights=None) == 0.9  # proportional to size: 30 vs 10 rows
    assert training_score_fill([low, high], "gt2d", weights=[0.8, 0.2]) == 0.5
    assert training_score_fill([low, high], "gt2d", weights="balanced") in (0.5, 0.9)


def test_training_score_fill_refuses_tables_it_cannot_measure():
    import pyarrow as pa

    with pytest.raises(ValueError, match="no column `keypoint_scores`.*needs confidence scores"):
        training_score_fill([pa.table({"x": [1.0]})], "gt2d")
    with pytest.raises(ValueError, match="median keypoint score is 0"):
        training_score_fill([_scores_table(np.zeros((2, 17)))], "gt2d")


def _table_median(table):
    from auglift_hf.data.windows import column_numpy, load_frame_table

    scores = column_numpy(load_frame_table(table, config="detected2d", split="train"), "keypoint_scores", (17,))
    return round(float(np.median(scores)), 4)


@pytest.mark.parametrize("channels", [["x", "y", "c", "d"], ["x", "y"]])
def test_train_writes_score_fill_for_c_lifters_only(motion_table, tmp_path, tiny_config, channels):
    cfg = tiny_config(motion_table, tmp_path / "run", max_steps=2, eval_strategy="no", save_strategy="no")
    cfg["model"]["input_channels"] = channels
    res = run_training(*load_config(cfg))
    saved = json.loads((tmp_path / "run" / "final" / "preprocessor_config.json").read_text())
    if "c" in channels:
        median = _table_median(motion_table)
        assert 0 < median < 1  # the tiny table has detector-like scores, not all 1
        assert saved["score_fill"] == median
        assert res["trainer"].processing_class.input_contract.score_fill == median
    else:
        assert saved.get("score_fill") is None
