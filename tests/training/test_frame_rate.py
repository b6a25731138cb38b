"""``auglift train`` records ``frame_rate`` (the training tables' ``fps``) and refuses mixed rates."""

import dataclasses
import json

import numpy as np
import pytest

from auglift_hf.training.config import load_config
from auglift_hf.training.data import training_frame_rate
from auglift_hf.training.trainer import run_training


def _fps_table(*rates):
    import pyarrow as pa

    return pa.table({"fps": pa.array(np.asarray(rates, np.float32))})


def test_training_frame_rate_is_the_fps_column():
    assert training_frame_rate([_fps_table(25, 25, 25)], "gt2d") == 25.0
    assert training_frame_rate([_fps_table(25, 25), _fps_table(25)], "gt2d") == 25.0
    # within 1 %: accepted, the median row's rate (29.97 fps NTSC video next to 30 fps)
    assert training_frame_rate([_fps_table(29.97, 29.97, 29.97), _fps_table(30.0)], "gt2d") == 29.97


def test_training_frame_rate_refuses_mixed_rates_naming_tables_and_rates():
    with pytest.raises(ValueError, match=r"disagree on their frame rate .*: <.*>: 25 Hz, <.*>: 50 Hz;") as err:
        training_frame_rate([_fps_table(25, 25), _fps_table(50)], "gt2d")
    assert "\n" not in str(err.value) and "resample the tables" in str(err.value)
    with pytest.raises(ValueError, match=r"25-50 Hz"):  # one table with rows at two rates
        training_frame_rate([_fps_table(25, 50)], "gt2d")
    # a single-frame lifter never sees two rows together: accepted, recorded as unknown
    assert training_frame_rate([_fps_table(25), _fps_table(50)], "gt2d", temporal=False) is None
    assert training_frame_rate([_fps_table(50), _fps_table(50)], "gt2d", temporal=False) == 50.0


def test_training_frame_rate_tables_without_fps_and_bad_values():
    import pyarrow as pa

    with pytest.warns(UserWarning, match="without an `fps` column.*saved without `frame_rate`"):
        assert training_frame_rate([pa.table({"x": [1.0]})], "gt2d") is None
    with pytest.warns(UserWarning, match="without an `fps` column.*the others' rate"):
        assert training_frame_rate([pa.table({"x": [1.0]}), _fps_table(25)], "gt2d") == 25.0
    for bad in (0.0, -25.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="`fps` column holds non-finite or non-positive"):
            training_frame_rate([_fps_table(25, bad)], "gt2d")


def _table_fps(table):
    from auglift_hf.data.windows import column_numpy, load_frame_table

    return float(np.unique(column_numpy(load_frame_table(table, config="detected2d", split="train"), "fps"))[0])


@pytest.mark.parametrize("num_frames", [27, 1])
def test_train_records_the_tables_frame_rate(motion_table, tmp_path, tiny_config, num_frames):
    cfg = tiny_config(motion_table, tmp_path / "run", max_steps=2, eval_strategy="no", save_strategy="no")
    cfg["model"]["input_channels"] = ["x", "y"]
    if num_frames == 1:
        cfg["model"] = {"model_type": "simple_baseline", "input_channels": ["x", "y"], "model_kwargs": {}}
    res = run_training(*load_config(cfg))
    saved = json.loads((tmp_path / "run" / "final" / "preprocessor_config.json").read_text())
    assert saved["frame_rate"] == _table_fps(motion_table) == 25.0
    assert res["trainer"].processing_class.frame_rate == 25.0


@pytest.fixture(scope="module")
def table_50hz(tmp_path_factory):
    from auglift_hf.training.quickstart import build_table, procedural_records

    records = procedural_records(num_train=2, num_test=1, num_frames=40, seed=1, progress=False)
    records = [dataclasses.replace(r, fps=50.0) for r in records]
    return build_table(records, tmp_path_factory.mktemp("tables") / "procedural50", "procedural", progress=False)


def test_train_refuses_tables_of_different_rates_before_training(motion_table, table_50hz, tmp_path, tiny_config):
    assert _table_fps(table_50hz) == 50.0
    cfg = tiny_config(motion_table, tmp_path / "run", max_steps=2, eval_strategy="no", save_strategy="no")
    cfg["data"]["train_datasets"] = [str(motion_table), str(table_50hz)]
    with pytest.raises(ValueError, match=r"disagree on their frame rate.*procedural\S*: 25 Hz, .*procedural50: 50 Hz"):
        run_training(*load_config(cfg))
    assert not (tmp_path / "run" / "final").exists()  # nothing saved
