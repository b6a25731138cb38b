"""Issue 13 items 9 and 10: one strict lifter loader for lift / evaluate / export / push / the pipeline."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from .conftest import BROKEN_LIFTERS, assert_finite_json, assert_one_line_error, siblings


def _keypoints_json(path, frames=5):
    from auglift_hf.simulation.motion import generate_motion, project_sequence, random_camera

    world = generate_motion("walking", frames, fps=25.0, seed=0)
    cam = random_camera(world, seed=0)
    _, kp = project_sequence(world, cam)
    path.write_text(json.dumps({"keypoints_2d": np.round(kp, 2).tolist(), "joint_format": "h36m",
                                "image_size": [int(cam["w"]), int(cam["h"])], "fps": 25.0}))  # fmt: skip
    return path


@pytest.mark.parametrize("kind", sorted(BROKEN_LIFTERS))
def test_load_lifter_refuses_broken_folders(lifters, kind):
    from auglift_hf.errors import IncompatibleModelError
    from auglift_hf.models import load_lifter

    with pytest.raises(IncompatibleModelError, match=BROKEN_LIFTERS[kind]) as exc:
        load_lifter(lifters[kind])
    assert str(lifters[kind]) in str(exc.value)


def test_load_lifter_loads_good_folders_exactly(lifters):
    import torch
    from safetensors.torch import load_file

    from auglift_hf.models import load_lifter

    model = load_lifter(lifters["good"])
    assert not model.training
    saved = load_file(lifters["good"] / "model.safetensors")
    for key, value in model.state_dict().items():
        torch.testing.assert_close(value, saved[key])


def test_load_lifter_missing_path_is_file_not_found(tmp_path):
    from auglift_hf.models import load_lifter

    with pytest.raises(FileNotFoundError, match="no such folder"):
        load_lifter(tmp_path / "nope")


def test_pipeline_loads_strictly(lifters):
    from transformers import pipeline

    from auglift_hf.preprocess.pipeline import register_pipeline

    register_pipeline()
    with pytest.raises(Exception, match="missing weight"):
        pipeline("pose-lifting", model=str(lifters["deeper"]))


@pytest.mark.parametrize("kind", sorted(BROKEN_LIFTERS))
def test_lift_refuses_broken_lifters(run_cli, lifters, tmp_path, kind):
    kp = _keypoints_json(tmp_path / "walk.json")
    out = tmp_path / "out.json"
    code, _, err = run_cli("lift", kp, "--model", lifters[kind], "--out", out)
    assert code == 5
    assert_one_line_error(err, "lift", str(lifters[kind]), BROKEN_LIFTERS[kind])
    assert not out.exists() and siblings(out) == []


def test_lift_missing_model_path_is_one_line(run_cli, tmp_path):
    kp = _keypoints_json(tmp_path / "walk.json")
    code, _, err = run_cli("lift", kp, "--model", tmp_path / "no-such-model", "--out", tmp_path / "o.json")
    assert code == 3
    line = assert_one_line_error(err, "lift", "no-such-model")
    assert "huggingface.co" not in line


def test_lift_good_lifter_writes_finite_json_and_plot_format_follows_suffix(run_cli, lifters, tmp_path):
    kp = _keypoints_json(tmp_path / "walk.json")
    out = tmp_path / "out.json"
    code, _, err = run_cli("lift", kp, "--model", lifters["good"], "--out", out, "--plot", tmp_path / "p.jpg")
    assert code == 0, err
    assert_finite_json(out)
    assert (tmp_path / "p.jpg").read_bytes()[:3] == b"\xff\xd8\xff"  # JPEG, not PNG bytes
    code, _, err = run_cli("lift", kp, "--model", lifters["good"], "--out", out, "--plot", tmp_path / "p.gif")
    assert code == 2
    assert_one_line_error(err, "lift", "--plot", ".gif")


@pytest.mark.parametrize("kind", ["deeper", "channels", "bert"])
def test_evaluate_refuses_broken_lifters(run_cli, lifters, tables, tmp_path, kind):
    out = tmp_path / "eval"
    code, _, err = run_cli("evaluate", "--models", lifters[kind], "--datasets", tables["xycd"], "--out", out,
                           "--no-progress")  # fmt: skip
    assert code == 5
    assert_one_line_error(err, "evaluate", str(lifters[kind]))
    assert not (out / "matrix.md").exists()


@pytest.mark.parametrize("kind", ["deeper", "truncated", "bert"])
def test_export_onnx_refuses_broken_lifters(run_cli, lifters, tmp_path, kind):
    out = tmp_path / "m.onnx"
    code, _, err = run_cli("export", "onnx", lifters[kind], out, "--no-verify")
    assert code == 5
    assert_one_line_error(err, "export", str(lifters[kind]), BROKEN_LIFTERS[kind])
    assert not out.exists() and siblings(out) == []


def test_export_onnx_missing_folder(run_cli, tmp_path):
    code, _, err = run_cli("export", "onnx", tmp_path / "nope", tmp_path / "m.onnx")
    assert code == 3
    assert_one_line_error(err, "export", "nope")


@pytest.mark.parametrize("kind", ["deeper", "channels", "bert", "other"])
def test_push_dry_run_refuses_folders_that_cannot_load(run_cli, lifters, tmp_path, kind):
    folder = shutil.copytree(lifters[kind], tmp_path / kind)
    code, out, err = run_cli("push", folder, "--repo-id", "me/x", "--dry-run")
    assert code == 2
    assert "folder is valid" not in out
    assert_one_line_error(err, "push", str(folder), "nothing uploaded")


def test_push_dry_run_loads_and_runs_a_forward_pass(run_cli, lifters):
    code, out, err = run_cli("push", lifters["good"], "--repo-id", "me/x", "--dry-run")
    assert code == 0, err
    assert "forward pass" in out and "processor PoseLiftingProcessor" in out and "processor ?" not in out


def test_push_folder_without_config_is_not_taken_for_a_dataset(run_cli, lifters, tmp_path):
    folder = shutil.copytree(lifters["good"], tmp_path / "m")
    (folder / "config.json").unlink()
    code, _, err = run_cli("push", folder, "--repo-id", "me/x", "--dry-run")
    assert code == 2
    assert_one_line_error(err, "push", "config.json")
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run_cli("push", empty, "--repo-id", "me/x", "--dry-run")
    assert code == 2
    assert_one_line_error(err, "push", "neither a model folder", "--repo-type")
