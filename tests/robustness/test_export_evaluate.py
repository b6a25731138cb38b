"""``export bvh`` (truncated npz, fps from the source, help text), ``evaluate`` (no-depth cells, --batch-size 0,
--no-progress, read-only --out) and ``convert-checkpoint`` (truncated checkpoint)."""

from __future__ import annotations

import numpy as np
import pytest

from .conftest import assert_one_line_error, siblings


def _motion(path, fps=None):
    from auglift_hf.export.motion import save_motion_json, save_motion_npz
    from auglift_hf.simulation.motion import generate_motion

    kp = (generate_motion("walking", 10, fps=30.0, seed=0) * 1000).astype(np.float64)
    kp -= kp[:, :1]
    (save_motion_npz if str(path).endswith(".npz") else save_motion_json)(path, kp, fps=fps)
    return path


def test_export_bvh_truncated_npz_is_one_line(run_cli, tmp_path):
    src = _motion(tmp_path / "m.npz", fps=30)
    data = src.read_bytes()
    src.write_bytes(data[: len(data) // 2])
    out = tmp_path / "m.bvh"
    code, _, err = run_cli("export", "bvh", src, out)
    assert code == 2
    assert_one_line_error(err, "export", "m.npz", "truncated")
    assert not out.exists() and siblings(out) == []


def test_convert_checkpoint_into_a_folder_of_user_files_is_refused(run_cli, tmp_path):
    """MotionBERT conversion into a non-empty folder: exit 4 naming --overwrite, the user's file untouched."""
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    (tmp_path / "ckpt.bin").write_bytes(b"unused")
    code, stdout, err = run_cli("convert-checkpoint", "motionbert", tmp_path / "ckpt.bin", out)
    assert code == 4
    assert "--overwrite" in assert_one_line_error(err, "convert-checkpoint", "mine")
    assert [p.name for p in out.iterdir()] == ["notes.txt"] and (out / "notes.txt").read_text() == "keep me"


def test_export_bvh_takes_fps_from_the_source_and_refuses_to_guess(run_cli, tmp_path):
    code, out, _ = run_cli("export", "bvh", _motion(tmp_path / "a.json", fps=30), tmp_path / "a.bvh")
    assert code == 0 and "at 30 fps" in out
    assert "Frame Time: 0.0333333" in (tmp_path / "a.bvh").read_text()
    code, _, err = run_cli("export", "bvh", _motion(tmp_path / "b.json"), tmp_path / "b.bvh")
    assert code == 2
    assert_one_line_error(err, "export", "b.json", "--fps")
    assert not (tmp_path / "b.bvh").exists()
    assert run_cli("export", "bvh", tmp_path / "b.json", tmp_path / "b.bvh", "--fps", "24")[0] == 0


def test_export_help_mentions_bvh(capsys):
    from auglift_hf.cli import COMMANDS, main

    assert "ONNX" in COMMANDS["export"][1] and "BVH" in COMMANDS["export"][1]
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    assert "BVH" in capsys.readouterr().out


def test_evaluate_skips_xycd_on_a_table_without_depth_and_keeps_the_rest(run_cli, lifters, tables, tmp_path):
    out = tmp_path / "eval"
    code, stdout, err = run_cli("evaluate", "--models", lifters["good"], lifters["xycd"], "--datasets",
                                tables["nodepth"], tables["xycd"], "--out", out, "--no-progress", "--max-samples", "20")  # fmt: skip
    assert code == 0, err
    assert "skipped tcn-xycd on nodepth" in stdout
    md = (out / "matrix.md").read_text()
    assert "Skipped cells" in md and "needs depth channel(s) ['d']" in md
    rows = (out / "matrix.csv").read_text().splitlines()
    cells = {tuple(r.split(",")[:2]) for r in rows[1:]}
    assert cells == {("tcn-xy", "nodepth"), ("tcn-xy", "xycd"), ("tcn-xycd", "xycd")}
    assert "nan" not in (out / "matrix.csv").read_text().lower()
    assert err == ""  # --no-progress: no progress bars


def test_evaluate_read_only_out_is_one_line(run_cli, lifters, tables, tmp_path, monkeypatch):
    import tempfile

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / "eval"))

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", denied)
    code, _, err = run_cli("evaluate", "--models", lifters["good"], "--datasets", tables["xycd"],
                           "--out", tmp_path / "eval", "--no-progress")  # fmt: skip
    assert code == 4
    assert_one_line_error(err, "evaluate", "--out", "not writable")


@pytest.mark.parametrize("option", ["--batch-size", "--max-samples", "--stride"])
def test_evaluate_refuses_zero(option, capsys, lifters, tables):
    from auglift_hf.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["evaluate", "--models", str(lifters["good"]), "--datasets", str(tables["xycd"]), option, "0"])
    assert exc.value.code == 2
    assert_one_line_error(capsys.readouterr().err, "evaluate", option)


@pytest.mark.parametrize("family", ["videopose3d", "motionbert"])
@pytest.mark.parametrize("kind", ["truncated", "empty", "garbage"])
def test_convert_checkpoint_truncated_is_one_line(run_cli, tmp_path, kind, family):
    import torch

    ckpt = tmp_path / "ckpt.bin"
    torch.save({"model_pos": {"expand_conv.weight": torch.zeros(8, 34, 3)}}, ckpt)
    data = ckpt.read_bytes()
    ckpt.write_bytes({"truncated": data[: len(data) // 2], "empty": b"", "garbage": b"\x00\x01not a checkpoint"}[kind])
    out = tmp_path / "out"
    code, stdout, err = run_cli("convert-checkpoint", family, ckpt, out)
    assert code == 2
    line = assert_one_line_error(err, "convert-checkpoint", "ckpt.bin")
    assert "truncated or corrupt" in line and line != "error: 105"
    assert not out.exists() and siblings(out) == []
