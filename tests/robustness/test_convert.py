"""Issue 13 items 1, 11, 12, cameras.pkl, SIGKILL temp folders, read-only --out: ``auglift convert``."""

from __future__ import annotations

import os
import pickle

import pytest

from .conftest import assert_one_line_error, make_cameras, make_motion, siblings, snapshot, write_h36m


def _convert(run_cli, h36m, out, *extra):
    return run_cli("convert", "h36m", "--positions-3d", h36m["positions"], "--cameras", h36m["cameras"], "--out", out,
                   "--no-progress", *extra)  # fmt: skip


# ------------------------------------------------------------------------------------ item 1: --out safety


def test_convert_refuses_out_dir_with_unrelated_files(run_cli, h36m, tmp_path):
    out = tmp_path / "mydocs"
    out.mkdir()
    (out / "thesis.tex").write_text("years of work")
    code, _, err = _convert(run_cli, h36m, out)
    assert code == 4
    assert_one_line_error(err, "convert", str(out), "--overwrite")
    assert snapshot(out) == {"thesis.tex": b"years of work"}
    assert siblings(out) == []


def test_convert_refuses_out_that_is_a_file(run_cli, h36m, tmp_path):
    out = tmp_path / "notes.txt"
    out.write_text("keep me")
    code, _, err = _convert(run_cli, h36m, out)
    assert code == 4
    assert_one_line_error(err, "convert", str(out))
    assert out.read_text() == "keep me"


def test_convert_replaces_its_own_previous_table_and_overwrite_keeps_foreign_files(run_cli, h36m, tmp_path):
    out = tmp_path / "table"
    assert _convert(run_cli, h36m, out)[0] == 0
    assert (out / ".auglift_table.json").is_file() and (out / "README.md").is_file()
    first = snapshot(out)
    assert _convert(run_cli, h36m, out)[0] == 0  # a previous output of the same command: replaced
    assert snapshot(out) == first
    other = tmp_path / "other"
    other.mkdir()
    (other / "x.txt").write_text("x")
    assert _convert(run_cli, h36m, other, "--overwrite")[0] == 0  # issue 28 E: written beside, never deleted
    assert (other / "x.txt").read_text() == "x" and (other / "README.md").is_file()


def test_convert_recognises_a_table_written_before_the_marker(run_cli, h36m, tmp_path):
    out = tmp_path / "table"
    assert _convert(run_cli, h36m, out)[0] == 0
    (out / ".auglift_table.json").unlink()  # an older version's table: recognised by its dataset card
    assert _convert(run_cli, h36m, out)[0] == 0


# ------------------------------------------------------------------------ item 11: units, flipped cameras


def test_convert_refuses_positions_in_millimetres(run_cli, tmp_path):
    files = write_h36m(tmp_path / "src", positions={"S1": {"Walking": make_motion(30) * 1000}})
    out = tmp_path / "out"
    code, _, err = _convert(run_cli, files, out)
    assert code == 2
    assert_one_line_error(err, "convert", "data_3d_h36m.npz", "millimetres")
    assert not out.exists() and siblings(out) == []


def test_convert_refuses_flipped_camera_translation(run_cli, tmp_path):
    cams = make_cameras()
    for cam in cams.values():
        cam["T"] = -cam["T"]
    files = write_h36m(tmp_path / "src", cameras=cams)
    out = tmp_path / "out"
    code, _, err = _convert(run_cli, files, out)
    assert code == 2
    assert_one_line_error(err, "convert", "cameras.pkl", "behind")
    assert not out.exists()


# ---------------------------------------------------------------- item 12: unknown subjects, invalid numbers


def test_convert_refuses_unknown_subjects_by_name(run_cli, tmp_path):
    files = write_h36m(tmp_path / "src", positions={"S1": {"W": make_motion(20, 1)}, "S2": {"W": make_motion(20, 2)}})
    out = tmp_path / "out"
    code, _, err = _convert(run_cli, files, out)
    assert code == 2
    assert_one_line_error(err, "convert", "S2", "--unknown-subject-split")
    assert not out.exists()


def test_convert_puts_unknown_subjects_in_the_chosen_split(run_cli, tmp_path):
    import datasets

    files = write_h36m(tmp_path / "src", positions={"S1": {"W": make_motion(20, 1)}, "S2": {"W": make_motion(20, 2)}})
    out = tmp_path / "out"
    code, stdout, _ = _convert(run_cli, files, out, "--unknown-subject-split", "test")
    assert code == 0, stdout
    test = datasets.load_dataset(str(out), "gt2d", split="test")
    assert set(test["subject"]) == {"S2"} and len(test) == 20 * 4


@pytest.mark.parametrize(
    "option, value",
    [("--max-frames", "-5"), ("--max-frames", "0"), ("--fps", "0"), ("--fps", "-25"), ("--fps", "nan"),
     ("--stride", "0"), ("--max-frames", "ten")],
)  # fmt: skip
def test_convert_refuses_invalid_numbers(run_cli, h36m, tmp_path, option, value):
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exc:
        _convert(run_cli, h36m, out, option, value)
    assert exc.value.code == 2
    assert not out.exists()


def test_invalid_number_is_one_line_naming_the_option(h36m, tmp_path, capsys):
    from auglift_hf.cli import main

    with pytest.raises(SystemExit):
        main(["convert", "h36m", "--positions-3d", str(h36m["positions"]), "--cameras", str(h36m["cameras"]),
              "--out", str(tmp_path / "o"), "--max-frames", "-5"])  # fmt: skip
    assert_one_line_error(capsys.readouterr().err, "convert", "--max-frames", "-5")


# --------------------------------------------------------------------- cameras.pkl: truncated / wrong / malicious


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned > /dev/null",))


@pytest.mark.parametrize("kind", ["truncated", "empty", "wrong", "malicious"])
def test_convert_bad_cameras_pkl_is_one_line(run_cli, h36m, tmp_path, kind):
    cams = h36m["cameras"]
    data = cams.read_bytes()
    if kind == "truncated":
        cams.write_bytes(data[: len(data) // 2])
    elif kind == "empty":
        cams.write_bytes(b"")
    elif kind == "wrong":
        cams.write_bytes(pickle.dumps([1, 2, 3], protocol=2))
    else:
        cams.write_bytes(pickle.dumps({("S1", "x"): _Evil()}, protocol=2))
    out = tmp_path / "out"
    code, _, err = _convert(run_cli, h36m, out)
    assert code == 2
    line = assert_one_line_error(err, "convert", "cameras.pkl")
    if kind == "malicious":
        assert "refusing" in line and "system" in line
    assert not out.exists() and siblings(out) == []


# --------------------------------------------------------------- SIGKILL leftovers and read-only outputs


def test_convert_removes_temp_folders_left_by_a_killed_run(run_cli, h36m, tmp_path):
    out = tmp_path / "table"
    dead_pid = 4_194_304 + 17  # above Linux's pid_max: no such process
    stale = tmp_path / f".table.{dead_pid}.abc123.tmp"
    (stale / "gt2d").mkdir(parents=True)
    (stale / "gt2d" / "train-00000-of-00001.parquet").write_bytes(os.urandom(4096))
    live = tmp_path / f".table.{os.getpid()}.live01.tmp"  # a live writer's temp folder is left alone
    live.mkdir()
    unrelated = tmp_path / ".table.notes"
    unrelated.write_text("mine")
    assert _convert(run_cli, h36m, out)[0] == 0
    assert not stale.exists()
    assert live.is_dir() and unrelated.read_text() == "mine"


def test_convert_read_only_out_is_one_line(run_cli, h36m, tmp_path, monkeypatch):
    import tempfile

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path))

    monkeypatch.setattr(tempfile, "mkdtemp", denied)
    code, _, err = _convert(run_cli, h36m, tmp_path / "out")
    assert code == 4
    assert_one_line_error(err, "convert", str(tmp_path), "Permission denied")


def test_convert_3dhp_root_without_annotations_names_the_accepted_inputs(run_cli, tmp_path):
    root = tmp_path / "3dhp"
    root.mkdir()
    (root / "mpi_inf_3dhp_test.npz").write_bytes(b"")
    code, _, err = run_cli("convert", "3dhp", root, "--out", tmp_path / "o", "--no-progress")
    assert code == 3
    assert_one_line_error(err, "convert", str(root), ".npz", "mpi_inf_3dhp_test.npz")
