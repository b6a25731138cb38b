"""Issue 28 classes K, L, M: options whose value cannot be meant are refused, never applied or ignored silently.

K: `--depth-severity 1e6` (convert and evaluate) gave d = 0.05 m at every joint; L: `--depth-severity 2` without
`--depth-source synthetic` was ignored; M: `preprocess --fps -3` stored fps = -3.0. All exit 0 before.
"""

from __future__ import annotations

import pytest

from .conftest import assert_one_line_error


def _convert(run_cli, h36m, out, *extra):
    return run_cli("convert", "h36m", "--positions-3d", h36m["positions"], "--cameras", h36m["cameras"], "--out", out,
                   "--no-progress", *extra)  # fmt: skip


@pytest.mark.parametrize("value", ["1e6", "10.5"])
def test_class_k_depth_severity_above_the_documented_maximum(run_cli, h36m, lifters, tables, tmp_path, value):
    from auglift_hf.simulation.depth_error import MAX_SEVERITY, MonocularDepthError

    assert MAX_SEVERITY == 10
    with pytest.raises(SystemExit) as exit_info:  # argparse: refused while parsing, before any work
        _convert(run_cli, h36m, tmp_path / "t", "--depth-source", "synthetic", "--depth-severity", value)
    assert exit_info.value.code == 2 and not (tmp_path / "t").exists()
    with pytest.raises(SystemExit) as exit_info:
        run_cli("evaluate", "--models", lifters["xycd"], "--datasets", tables["xycd"], "--out", tmp_path / "e",
                "--depth-severity", "1", value)  # fmt: skip
    assert exit_info.value.code == 2 and not (tmp_path / "e").exists()
    with pytest.raises(ValueError, match="depth-severity"):  # the library refuses it too
        MonocularDepthError(severity=float(value))
    MonocularDepthError(severity=10.0)  # the maximum itself is accepted


def test_class_k_severity_error_is_one_line_naming_the_option(h36m, tmp_path, capsys):
    from auglift_hf.cli import main

    with pytest.raises(SystemExit):
        main(["convert", "h36m", "--positions-3d", str(h36m["positions"]), "--cameras", str(h36m["cameras"]),
              "--out", str(tmp_path / "t"), "--depth-source", "synthetic", "--depth-severity", "1e6"])  # fmt: skip
    assert_one_line_error(capsys.readouterr().err, "convert", "--depth-severity", "1e6", "10")


def test_class_l_depth_severity_without_synthetic_depth_is_refused(run_cli, h36m, tmp_path):
    code, _, err = _convert(run_cli, h36m, tmp_path / "t", "--depth-severity", "2")
    assert code == 2 and not (tmp_path / "t").exists()
    assert_one_line_error(err, "convert", "--depth-severity", "--depth-source synthetic")
    code, _, err = _convert(run_cli, h36m, tmp_path / "t", "--depth-source", "synthetic", "--depth-severity", "2")
    assert code == 0, err
    assert "'severity': 2.0" in (tmp_path / "t" / "README.md").read_text()


@pytest.mark.parametrize("value", ["-3", "nan", "inf"])
def test_class_m_preprocess_negative_fps_is_refused(tmp_path, capsys, value):
    from PIL import Image

    from auglift_hf.cli import main

    img = tmp_path / "frame.png"
    Image.new("RGB", (64, 48)).save(img)
    with pytest.raises(SystemExit) as exit_info:
        main(["preprocess", str(img), "--out", str(tmp_path / "p"), "--fps", value])
    assert exit_info.value.code == 2 and not (tmp_path / "p").exists()
    assert_one_line_error(capsys.readouterr().err, "preprocess", "--fps")
