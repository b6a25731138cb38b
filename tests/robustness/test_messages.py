"""Unclear messages rewritten: the package's own keypoints JSON (name the field), an AlphaPose list given to the
pipeline, ``model_type: bert``."""

from __future__ import annotations

import json

import numpy as np

from .conftest import assert_one_line_error, siblings


def _lift(run_cli, lifters, src, tmp_path):
    out = tmp_path / "o.json"
    code, _, err = run_cli("lift", src, "--model", lifters["good"], "--out", out)
    assert not out.exists() and siblings(out) == []
    return code, err


def test_mismatched_scores_name_the_field(run_cli, lifters, tmp_path):
    src = tmp_path / "a.json"
    kp = np.random.default_rng(0).uniform(100, 900, (5, 17, 2))
    src.write_text(
        json.dumps({"keypoints_2d": kp.tolist(), "scores": np.ones((4, 17)).tolist(), "image_size": [1000, 1000]})
    )
    code, err = _lift(run_cli, lifters, src, tmp_path)
    assert code == 2
    assert_one_line_error(err, "lift", "a.json", "`scores`", "(4, 17)")


def test_string_keypoints_name_the_field(run_cli, lifters, tmp_path):
    src = tmp_path / "b.json"
    src.write_text(json.dumps({"keypoints_2d": [[["a", "b"]] * 17] * 3, "image_size": [1000, 1000]}))
    code, err = _lift(run_cli, lifters, src, tmp_path)
    assert code == 2
    assert_one_line_error(err, "lift", "b.json", "`keypoints_2d`", "numbers")


def test_alphapose_list_given_to_the_pipeline_is_one_sequence(lifters):
    from transformers import pipeline

    from auglift_hf.preprocess.pipeline import register_pipeline
    from auglift_hf.skeleton import H36M_JOINT_NAMES

    register_pipeline()
    rng = np.random.default_rng(0)
    entries = []
    for frame in range(6):
        kp = np.concatenate([rng.uniform(300, 700, (17, 2)), np.full((17, 1), 0.9)], -1)
        entries.append({"image_id": f"{frame}.jpg", "keypoints": kp.reshape(-1).tolist(), "score": 2.5})
    result = pipeline("pose-lifting", model=str(lifters["good"]))(entries, image_size=(1000, 1000))
    assert result["keypoints_3d"].shape == (6, len(H36M_JOINT_NAMES), 3)
    assert np.isfinite(result["keypoints_3d"]).all()


def test_foreign_model_type_is_named_not_a_tokenizer_error(run_cli, lifters, tmp_path):
    src = tmp_path / "c.json"
    src.write_text(json.dumps({"keypoints_2d": np.full((3, 17, 2), 500.0).tolist(), "image_size": [1000, 1000]}))
    code, _, err = run_cli("lift", src, "--model", lifters["bert"], "--out", tmp_path / "o.json")
    assert code == 5
    line = assert_one_line_error(err, "lift", "model_type 'bert'", "not a pose lifter")
    assert "input_ids" not in line
