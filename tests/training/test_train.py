"""Tiny end-to-end training on a fixture table: loss decreases, checkpoints, best model, resume after a kill."""

import json
import os
import subprocess
import sys

import yaml

from auglift_hf.training.config import load_config
from auglift_hf.training.trainer import run_training


def _train(tiny_config, table, out, **training):
    return run_training(*load_config(tiny_config(table, out, **training)))


def test_train_end_to_end(motion_table, tmp_path, tiny_config):
    from transformers import AutoModel

    import auglift_hf  # noqa: F401

    res = _train(tiny_config, motion_table, tmp_path / "run", max_steps=40, eval_steps=20, save_steps=20)
    assert res["global_step"] == 40
    losses = [h["loss"] for h in res["trainer"].state.log_history if "loss" in h]
    assert losses[-1] < losses[0]
    evals = [h for h in res["trainer"].state.log_history if "eval_mpjpe" in h]
    assert len(evals) >= 2 and all(h["eval_num_poses"] == 100 for h in evals)
    assert res["trainer"].state.best_metric == min(h["eval_mpjpe"] for h in evals)
    ckpt = tmp_path / "run" / "checkpoint-40"
    assert (ckpt / "model.safetensors").is_file() and (ckpt / "trainer_state.json").is_file()
    final = tmp_path / "run" / "final"
    for name in ("config.json", "model.safetensors", "training_config.json", "eval_results.json", "README.md"):
        assert (final / name).is_file(), name
    if res["trainer"].processing_class is not None:
        assert (ckpt / "preprocessor_config.json").is_file() and (final / "preprocessor_config.json").is_file()
    model = AutoModel.from_pretrained(final)
    assert model.config.input_channels == ["x", "y", "c", "d"]
    # the lifter inherits its training table's input contract (dataset card -> preprocessor_config.json)
    from auglift_hf.contract import InputContract

    if res["trainer"].processing_class is not None:
        saved = InputContract.from_pretrained(final)
        card = InputContract.from_dataset_card(motion_table, config="detected2d")
        # plus what training measured: score_fill, the median training score (tests/training/test_score_fill.py),
        # and frame_rate, the tables' fps (tests/training/test_frame_rate.py)
        assert saved == InputContract(**{**card.to_dict(), "score_fill": saved.score_fill, "frame_rate": 25.0})
        assert 0 < saved.score_fill <= 1
        from auglift_hf.contract import default_descriptor

        # the quickstart table's depth is convert's synthetic source: the default (CASP) descriptor
        assert saved.depth_kind == "metric" and saved.depth_descriptor == default_descriptor()
        assert saved.keypoint_definition == "coco"  # quickstart detected2d: detector-definition 2D (issue 14)
    assert json.loads((final / "eval_results.json").read_text())["eval"]["eval_mpjpe"] > 0


def test_resume_after_kill(motion_table, tmp_path, tiny_config):
    out = tmp_path / "run"
    cfg = tmp_path / "cfg.yaml"
    config = tiny_config(motion_table, out, max_steps=20, eval_steps=10, save_steps=10)
    cfg.write_text(yaml.safe_dump(config))
    env = {**os.environ, "AUGLIFT_KILL_AFTER_SAVE_STEP": "10", "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "auglift_hf.train", str(cfg)]
    killed = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=240)
    assert killed.returncode == 17, killed.stderr[-2000:]
    assert (out / "checkpoint-10").is_dir() and not (out / "final").exists()
    env.pop("AUGLIFT_KILL_AFTER_SAVE_STEP")
    resumed = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=240)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    summary = json.loads(resumed.stdout[resumed.stdout.index('{\n  "final_dir"') :])
    assert summary["resumed_from"].endswith("checkpoint-10")
    assert summary["global_step"] == 20
    state = json.loads((out / "checkpoint-20" / "trainer_state.json").read_text())
    assert state["global_step"] == 20
    assert (out / "final" / "model.safetensors").is_file()
