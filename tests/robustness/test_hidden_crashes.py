"""Issue 28 hidden crashes (exit 1 "internal error") and partial outputs on failure; and class O (model_kwargs).

Before the fix: `model_type=motionbert model_kwargs=null` and `model_kwargs={..., maxlen: 10}` were internal errors,
`model_kwargs={..., bogus_key: 3}` was accepted silently; `evaluate` on a table with a truncated Parquet shard was an
internal error that left `contract_deviations.json` behind; a failed `evaluate` left an empty / part-filled --out;
`train lambda_3d_velocity=20` on a TCN left an empty output_dir.
"""

from __future__ import annotations

import shutil

import pytest

from .conftest import assert_one_line_error, snapshot
from .test_training import _config, _write


@pytest.mark.parametrize(
    ("model", "words"),
    [
        ({"model_type": "motionbert", "model_kwargs": None}, None),  # null = no extra fields
        ({"model_type": "motionbert", "model_kwargs": {"dim_feat": 8, "maxlen": 10}}, ("maxlen", "num_frames")),
        ({"model_type": "tcn", "model_kwargs": {"channels": 8, "bogus_key": 3}}, ("bogus_key", "valid:", "channels")),
        ({"model_type": "tcn", "model_kwargs": {"chanels": 8}}, ("chanels", "did you mean 'channels'")),
    ],
)
def test_class_o_model_kwargs_are_checked_against_the_config(tmp_path, model, words):
    from auglift_hf.training.config import load_config

    cfg = {"model": {"num_frames": 3, **model}, "training": {"output_dir": str(tmp_path / "run")}}
    if words is None:
        model_args = load_config(cfg)[0]
        assert model_args.model_kwargs == {}
        return
    with pytest.raises(ValueError) as err:
        load_config(cfg)
    for word in words:
        assert word in str(err.value)


def test_class_o_unknown_config_keys_get_a_did_you_mean(run_cli, tables, tmp_path):
    cfg = _write(tmp_path / "c.yaml", _config(tables["nodepth"], tmp_path / "run"))
    code, _, err = run_cli("train", cfg, "max_step=3")
    assert code == 2
    assert_one_line_error(err, "train", "max_step", "did you mean 'max_steps'")
    code, _, err = run_cli("train", cfg, "model_kwargs={channels: 8, bogus_key: 3}")
    assert code == 2 and not (tmp_path / "run").exists()
    assert_one_line_error(err, "train", "model.model_kwargs.bogus_key", "channels")


def test_hidden_crash_motionbert_with_null_model_kwargs_trains(run_cli, tables, tmp_path):
    cfg = _config(tables["nodepth"], tmp_path / "run", max_steps=1, save_strategy="no")
    cfg["model"] = {"model_type": "motionbert", "num_frames": 3, "input_channels": ["x", "y"], "model_kwargs": None}
    code, _, err = run_cli("train", _write(tmp_path / "c.yaml", cfg))
    assert code == 0, err


def test_partial_output_train_failure_leaves_no_empty_output_dir(run_cli, tables, tmp_path):
    out = tmp_path / "run"
    cfg = _write(tmp_path / "c.yaml", _config(tables["nodepth"], out))
    code, _, err = run_cli("train", cfg, "lambda_3d_velocity=20")
    assert code == 2
    assert_one_line_error(err, "train", "lambda_3d_velocity")
    assert not out.exists()
    out.mkdir()
    (out / "notes.txt").write_text("mine")  # an existing folder keeps what it held, and only that
    assert run_cli("train", cfg, "lambda_3d_velocity=20")[0] == 2
    assert snapshot(out) == {"notes.txt": b"mine"}


def test_hidden_crash_evaluate_on_a_truncated_parquet(run_cli, lifters, tables, tmp_path):
    table = shutil.copytree(tables["xycd"], tmp_path / "table")
    shard = sorted((table / "gt2d").glob("test-*.parquet"))[0]
    shard.write_bytes(shard.read_bytes()[: shard.stat().st_size // 2])
    out = tmp_path / "eval"
    code, _, err = run_cli("evaluate", "--models", lifters["good"], lifters["xycd"], "--datasets", table, "--out", out,
                           "--no-progress")  # fmt: skip
    assert code == 2, err
    assert_one_line_error(err, "evaluate", shard.name)
    assert not out.exists()  # no contract_deviations.json, no empty folder


def test_partial_output_evaluate_failure_keeps_an_earlier_result_only(run_cli, lifters, tables, tmp_path):
    out = tmp_path / "eval"
    argv = ("evaluate", "--models", lifters["good"], "--datasets", tables["xycd"], "--out", out, "--no-progress",
            "--max-samples", 8)  # fmt: skip
    assert run_cli(*argv)[0] == 0
    first = snapshot(out)
    assert "matrix.md" in first and ".auglift_manifest.json" in first
    bad = tmp_path / "not_a_table"
    bad.mkdir()
    (bad / "x.txt").write_text("x")
    code, _, err = run_cli("evaluate", "--models", lifters["good"], "--datasets", tables["xycd"], bad, "--out", out,
                           "--no-progress", "--max-samples", 8)  # fmt: skip
    assert code in (2, 3), err
    assert_one_line_error(err, "evaluate", "not_a_table")
    assert set(snapshot(out)) == set(first)  # nothing new left behind
