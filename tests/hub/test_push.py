import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "export"))
from auglift_tiny_lifters import make_lifter_folder  # noqa: E402

from auglift_hf.cli import main  # noqa: E402
from auglift_hf.hub import push_folder, validate_dataset_folder, validate_model_folder  # noqa: E402


@pytest.fixture(scope="module")
def model_folder(tmp_path_factory):
    return make_lifter_folder(tmp_path_factory.mktemp("hub"), "poseformer", 4)


def _copy(src: Path, dst: Path) -> Path:
    import shutil

    shutil.copytree(src, dst)
    return dst


def test_valid_folder_dry_run(model_folder, capsys):
    (model_folder / "optimizer.pt").write_bytes(b"x")
    (model_folder / "checkpoint-10").mkdir(exist_ok=True)
    (model_folder / "checkpoint-10" / "model.safetensors").write_bytes(b"x")
    assert main(["push", str(model_folder), "--repo-id", "auglift/poseformer-xycd", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "dry run" in out and "nothing uploaded" in out
    report = validate_model_folder(model_folder)
    assert report.ok, report.problems
    assert "model.safetensors" in report.files and "modeling_poseformer.py" in report.files
    assert not any(f.startswith("checkpoint-") or f.endswith(".pt") for f in report.files)


def test_offline_upload_stops_after_validation(model_folder, capsys):
    assert main(["push", str(model_folder), "--repo-id", "auglift/x"]) == 2
    assert "HF_HUB_OFFLINE" in capsys.readouterr().err
    with pytest.raises(RuntimeError, match="offline"):
        push_folder(model_folder, "auglift/x")


@pytest.mark.parametrize(
    "breakage, message",
    [
        (lambda f: (f / "model.safetensors").unlink(), "model.safetensors: missing"),
        (lambda f: (f / "preprocessor_config.json").unlink(), "preprocessor_config.json: missing"),
        (lambda f: (f / "README.md").unlink(), "README.md: missing model card"),
        (lambda f: (f / "modeling_poseformer.py").unlink(), "code file missing (modeling_poseformer.py)"),
        (lambda f: (f / "config.json").write_text("{not json"), "config.json: not valid JSON"),
        (
            lambda f: (f / "modeling_poseformer.py").write_text("import auglift_hf\n"),
            "imports auglift_hf",
        ),
        (
            lambda f: (f / "config.json").write_text(
                json.dumps({k: v for k, v in json.loads((f / "config.json").read_text()).items() if k != "auto_map"})
            ),
            "auto_map: missing",
        ),
    ],
)
def test_each_missing_piece_is_named(model_folder, tmp_path, capsys, breakage, message):
    folder = _copy(model_folder, tmp_path / "m")
    breakage(folder)
    assert main(["push", str(folder), "--repo-id", "auglift/x", "--dry-run", "--repo-type", "model"]) == 2
    err = capsys.readouterr().err
    assert message in err, err
    with pytest.raises(ValueError, match="not ready"):
        push_folder(folder, "auglift/x")


def test_write_card_flag(model_folder, tmp_path, capsys):
    folder = _copy(model_folder, tmp_path / "m")
    (folder / "README.md").unlink()
    (tmp_path / "r.json").write_text(json.dumps({"eval_mpjpe": 50.0}))
    argv = ["push", str(folder), "--repo-id", "auglift/m", "--dry-run", "--write-card", "--eval-results"]
    assert main([*argv, str(tmp_path / "r.json")]) == 0
    assert "model-index" in (folder / "README.md").read_text()


def _dataset_folder(root: Path) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = root / "ds"
    (folder / "gt2d").mkdir(parents=True)
    table = pa.table({"subject": ["S9", "S11"], "keypoints_2d": [[0.0] * 34, [1.0] * 34]})
    pq.write_table(table, folder / "gt2d" / "test-00000-of-00001.parquet")
    (folder / "README.md").write_text(
        "---\nlicense: other\nconfigs:\n- config_name: gt2d\n  data_files:\n  - split: test\n"
        "    path: gt2d/test-*.parquet\n---\n\n# XYCD\n\nA dataset.\n"
    )
    return folder


def test_dataset_folder(tmp_path, capsys):
    folder = _dataset_folder(tmp_path)
    assert main(["push", str(folder), "--repo-id", "auglift/h36m-xycd", "--dry-run"]) == 0  # auto: dataset
    assert "dataset folder" in capsys.readouterr().out
    report = validate_dataset_folder(folder)
    assert report.ok and report.files == ["README.md", "gt2d/test-00000-of-00001.parquet"]


def test_dataset_folder_problems(tmp_path, capsys):
    folder = _dataset_folder(tmp_path)
    (folder / "gt2d" / "test-00000-of-00001.parquet").write_bytes(b"not parquet")
    text = (folder / "README.md").read_text().replace("gt2d/test-*.parquet", "detected2d/test-*.parquet")
    (folder / "README.md").write_text(text)
    assert main(["push", str(folder), "--repo-id", "a/b", "--dry-run", "--repo-type", "dataset"]) == 2
    err = capsys.readouterr().err
    assert "unreadable Parquet" in err and "unmatched" in err
