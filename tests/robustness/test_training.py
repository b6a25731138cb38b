"""Issue 13 item 8 and the training failures: zero steps, override types, invalid numbers, incompatible resume."""

from __future__ import annotations

import pytest
import yaml

from .conftest import assert_one_line_error


def _config(table, out_dir, **training):
    train = {"output_dir": str(out_dir), "max_steps": 2, "per_device_train_batch_size": 8, "eval_strategy": "no",
             "save_strategy": "steps", "save_steps": 2, "logging_steps": 1, "disable_tqdm": True, "use_cpu": True,
             "report_to": "none", **training}  # fmt: skip
    return {
        "model": {"model_type": "tcn", "num_frames": 3, "input_channels": ["x", "y"],
                  "model_kwargs": {"channels": 8, "dropout": 0.0}},
        "data": {"train_datasets": [str(table)], "eval_datasets": [], "dataset_config": "gt2d"},
        "training": train,
    }  # fmt: skip


def _write(path, config):
    path.write_text(yaml.safe_dump(config))
    return path


def test_train_with_fewer_windows_than_one_batch_is_an_error(run_cli, tables, tmp_path):
    out = tmp_path / "run"
    cfg = _write(tmp_path / "c.yaml", _config(tables["nodepth"], out, per_device_train_batch_size=100_000))
    code, _, err = run_cli("train", cfg)
    assert code == 2
    assert_one_line_error(err, "train", "0 optimisation steps", "per_device_train_batch_size")
    assert not (out / "final").exists()


def test_override_types_follow_the_dataclass_fields(tables, tmp_path):
    from auglift_hf.training.config import load_config

    cfg = _config(tables["nodepth"], tmp_path / "run")
    cfg["training"]["weight_decay"] = "1e-4"  # what YAML 1.1 makes of `weight_decay: 1e-4`
    _, data_args, args = load_config(cfg, ["learning_rate=1e-3", "max_steps=3", "max_eval_samples=5"])
    assert args.learning_rate == pytest.approx(1e-3) and isinstance(args.learning_rate, float)
    assert args.weight_decay == pytest.approx(1e-4) and isinstance(args.weight_decay, float)
    assert args.max_steps == 3 and data_args.max_eval_samples == 5


@pytest.mark.parametrize(
    "override, name",
    [("max_steps=-3", "max_steps"), ("max_steps=0", "max_steps"), ("max_eval_samples=0", "max_eval_samples"),
     ("learning_rate=fast", "learning_rate"), ("per_device_train_batch_size=0", "per_device_train_batch_size"),
     ("learning_rate=.nan", "learning_rate")],
)  # fmt: skip
def test_train_refuses_invalid_numbers(run_cli, tables, tmp_path, override, name):
    out = tmp_path / "run"
    cfg = _write(tmp_path / "c.yaml", _config(tables["nodepth"], out))
    code, _, err = run_cli("train", cfg, override)
    assert code == 2
    assert_one_line_error(err, "train", name)
    assert not (out / "final").exists()


def test_train_resume_into_an_incompatible_checkpoint_is_refused(run_cli, tables, tmp_path):
    out = tmp_path / "run"
    cfg = _write(tmp_path / "c.yaml", _config(tables["nodepth"], out))
    code, stdout, err = run_cli("train", cfg)
    assert code == 0, err
    assert '"global_step": 2' in stdout and (out / "checkpoint-2").is_dir()
    final = (out / "final" / "model.safetensors").read_bytes()
    wider = _config(tables["nodepth"], out, max_steps=4)
    wider["model"]["model_kwargs"]["channels"] = 16
    code, _, err = run_cli("train", _write(tmp_path / "wider.yaml", wider))
    assert code == 5
    assert_one_line_error(err, "train", "checkpoint-2", "resume=false")
    assert (out / "final" / "model.safetensors").read_bytes() == final  # the earlier result is intact


def test_train_read_only_output_dir_is_one_line(run_cli, tables, tmp_path, monkeypatch):
    import tempfile

    real = tempfile.NamedTemporaryFile

    def denied(*args, dir=None, **kwargs):  # noqa: A002
        if dir is not None and "run" in str(dir):
            raise PermissionError(13, "Permission denied", str(dir))
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", denied)
    cfg = _write(tmp_path / "c.yaml", _config(tables["nodepth"], tmp_path / "run"))
    code, _, err = run_cli("train", cfg)
    assert code == 4
    assert_one_line_error(err, "train", "output_dir", "not writable")


def test_train_missing_config_is_one_line(run_cli, tmp_path):
    code, _, err = run_cli("train", tmp_path / "nope.yaml")
    assert code == 3
    assert_one_line_error(err, "train", "nope.yaml")
