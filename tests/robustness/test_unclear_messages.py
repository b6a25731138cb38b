"""Issue 28 "Unclear" messages: each bad input is one line naming the file or the option, with the right exit code.

Before the fix: a keypoint of 1e308 was "`keypoints_2d` contains NaN or inf" without the file; a ragged frame was a
757-character list dump; `convert 3dpw <npz>` said "corrupt or truncated pickle"; a read-only --out named a hidden
temp file; an unreadable input got the output-error exit code 4; `--detector-seed -5` said "expected non-negative
integer" without the option; `scale_normalization=depth` without depth claimed ['x', 'y'] include depth; multi-line
library messages were printed on several lines by `lift`; `--focal-length 0 0` was "34 non-finite values"; a foreign
`plan.json` gave "Expecting value: line 1 column 1"; `evaluate` on a non-table folder said "BuilderConfig 'gt2d' not
found" (that one: tests/robustness/test_hidden_crashes.py).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from .conftest import assert_one_line_error, siblings
from .test_keypoint_layout_units import _coco_pixels, _entries


def _lift(run_cli, lifter, src, out, *extra):
    return run_cli("lift", src, "--model", lifter, "--image-size", 1812, 1004, "--out", out, "--device", "cpu", *extra)


def test_huge_keypoint_is_a_missing_joint_named_with_the_file(run_cli, lifters, tmp_path):
    entries = _entries(_coco_pixels())
    entries[3]["keypoints"][0] = 1e308
    src = tmp_path / "big.json"
    src.write_text(json.dumps(entries))
    out = tmp_path / "o.json"
    code, _, err = _lift(run_cli, lifters["good"], src, out)
    assert code == 0, err
    assert any(str(src) in line and "missing" in line for line in err.splitlines())
    assert json.loads(out.read_text())["missing_keypoints"][3][9] is True  # the nose feeds H36M joint 9


def test_ragged_frames_name_the_entry_briefly(run_cli, lifters, tmp_path):
    kp = _coco_pixels(5).tolist()
    kp[2] = kp[2][:16]
    src = tmp_path / "ragged.json"
    src.write_text(json.dumps({"keypoints_2d": kp, "image_size": [1812, 1004]}))
    code, _, err = _lift(run_cli, lifters["good"], src, tmp_path / "o.json")
    assert code == 2
    line = assert_one_line_error(err, "lift", str(src), "ragged", "entry 2")
    assert len(line) < 300


def test_a_file_of_another_format_is_named_as_such(run_cli, h36m, tmp_path):
    npz = tmp_path / "pw.npz"
    np.savez(npz, a=np.zeros(3))
    code, _, err = run_cli("convert", "3dpw", npz, "--out", tmp_path / "t", "--no-progress")
    assert code == 2
    assert_one_line_error(err, "convert", "pw.npz", "zip / .npz archive, not a pickle")
    code, _, err = run_cli("convert", "h36m", "--positions-3d", h36m["positions"], "--cameras", npz, "--out",
                           tmp_path / "t", "--no-progress")  # fmt: skip
    assert code == 2
    assert_one_line_error(err, "convert", "pw.npz", "not a pickle")


def test_read_only_out_names_the_out_not_a_hidden_temp(run_cli, lifters, tmp_path, monkeypatch):
    import tempfile

    src = tmp_path / "in.json"
    src.write_text(json.dumps(_entries(_coco_pixels())))
    out = tmp_path / "ro" / "o.json"
    out.parent.mkdir()

    def denied(*args, dir=None, prefix="", **kwargs):  # noqa: A002 - tempfile's keyword
        raise PermissionError(13, "Permission denied", f"{dir}/{prefix}xyz.tmp")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    code, _, err = _lift(run_cli, lifters["good"], src, out)
    assert code == 4
    errors = "\n".join(line for line in err.splitlines() if ": warning: " not in line)
    line = assert_one_line_error(errors, "lift", str(out), "Permission denied")
    assert ".o.json." not in line and siblings(out) == []


def test_an_unreadable_input_is_bad_input_not_an_output_error(run_cli, lifters, h36m, tmp_path):
    folder = tmp_path / "dets.json"
    folder.mkdir()  # a folder where a file is expected: unreadable as a file
    code, _, err = _lift(run_cli, lifters["good"], folder, tmp_path / "o.json")
    assert code == 2
    assert_one_line_error(err, "lift", "dets.json", "folder")
    cams = tmp_path / "cameras.pkl"
    cams.mkdir()
    code, _, err = run_cli("convert", "h36m", "--positions-3d", h36m["positions"], "--cameras", cams, "--out",
                           tmp_path / "t", "--no-progress")  # fmt: skip
    assert code == 2
    assert_one_line_error(err, "convert", "cameras.pkl", "cannot read")


def test_negative_detector_seed_names_the_option(h36m, tmp_path, capsys):
    from auglift_hf.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["convert", "h36m", "--positions-3d", str(h36m["positions"]), "--cameras", str(h36m["cameras"]),
              "--out", str(tmp_path / "t"), "--simulate-detector", "--detector-seed", "-5"])  # fmt: skip
    assert exit_info.value.code == 2
    assert_one_line_error(capsys.readouterr().err, "convert", "--detector-seed", "-5")


def test_depth_scale_normalisation_without_depth_says_why_depth_is_needed():
    from auglift_hf import PoseLiftingProcessor

    proc = PoseLiftingProcessor(input_channels=["x", "y"], num_frames=1, scale_normalization="depth")
    with pytest.raises(ValueError) as err:
        proc(np.full((1, 17, 2), 500.0), image_size=(1000, 1000))
    assert "scale_normalization='depth'" in str(err.value) and "include depth" not in str(err.value)


def test_lift_prints_multi_line_library_messages_on_one_line(run_cli, lifters, tmp_path, monkeypatch):
    import auglift_hf.models

    def multi_line(*args, **kwargs):
        raise OSError("Can't load image processor for 'x'.\nIf you were trying to load it from the Hub ...\nOtherwise")

    monkeypatch.setattr(auglift_hf.models, "load_lifter", multi_line)
    src = tmp_path / "in.json"
    src.write_text(json.dumps(_entries(_coco_pixels())))
    code, _, err = _lift(run_cli, lifters["good"], src, tmp_path / "o.json")
    assert code == 4
    assert_one_line_error(err, "lift", "Can't load image processor", "Otherwise")


@pytest.mark.parametrize("focal", [("0", "0"), ("-1", "1000"), ("nan", "1000")])
def test_zero_focal_length_names_the_option(run_cli, lifters, tmp_path, focal):
    src = tmp_path / "in.json"
    src.write_text(json.dumps(_entries(_coco_pixels())))
    code, _, err = _lift(run_cli, lifters["good"], src, tmp_path / "o.json", "--focal-length", *focal)
    assert code == 2
    assert_one_line_error(err, "lift", "--focal-length")


def test_a_foreign_or_broken_plan_json_is_named(run_cli, tmp_path):
    from PIL import Image

    img = tmp_path / "frame.png"
    Image.new("RGB", (64, 48)).save(img)
    out = tmp_path / "p"
    out.mkdir()
    (out / "plan.json").write_text("not json")
    code, _, err = run_cli("preprocess", img, "--out", out, "--local-files-only", "--no-progress")
    assert code == 4
    assert_one_line_error(err, "preprocess", "plan.json", "not written by auglift")
    (out / ".auglift_manifest.json").write_text(
        json.dumps({"written_by": "auglift preprocess", "files": ["plan.json"]})
    )
    code, _, err = run_cli("preprocess", img, "--out", out, "--local-files-only", "--no-progress")
    assert code == 2
    assert_one_line_error(err, "preprocess", "plan.json", "--overwrite")
