"""The exit-code scheme of ``auglift_hf.errors`` and SIGINT: one line, exit 130, nothing half-written."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import assert_one_line_error, siblings, snapshot


def test_scheme_is_documented_in_cli():
    import auglift_hf.cli
    from auglift_hf import errors

    for code in ("0 ", "1 ", "2 ", "3 ", "4 ", "5 ", "130"):
        assert f"    {code}" in auglift_hf.cli.__doc__
    assert errors.exit_code(ValueError("x")) == 2
    assert errors.exit_code(FileNotFoundError("x")) == 3
    assert errors.exit_code(errors.OutputError("x")) == 4
    assert errors.exit_code(PermissionError(13, "denied")) == 4
    assert errors.exit_code(errors.IncompatibleModelError("x")) == 5
    assert errors.exit_code(KeyboardInterrupt()) == 130
    assert errors.exit_code(RuntimeError("x")) == 1


def test_sigint_is_one_line_exit_130(run_cli, monkeypatch):
    import auglift_hf.cli as cli

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "run", interrupted)
    code, _, err = run_cli("info")
    assert code == 130
    assert_one_line_error(err, "info", "interrupted")


def test_sigint_during_a_table_write_leaves_the_old_table_intact(tmp_path, h36m, monkeypatch, capsys):
    from auglift_hf.cli import main
    from auglift_hf.data import card

    out = tmp_path / "table"
    argv = ["convert", "h36m", "--positions-3d", str(h36m["positions"]), "--cameras", str(h36m["cameras"]),
            "--out", str(out), "--no-progress"]  # fmt: skip
    assert main(argv) == 0
    before = snapshot(out)

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(card, "write_dataset_card", interrupt)  # after the Parquet shards, before the rename
    capsys.readouterr()
    assert main(argv + ["--max-frames", "5"]) == 130
    assert_one_line_error(capsys.readouterr().err, "convert", "interrupted")
    assert snapshot(out) == before and siblings(out) == []


def test_unexpected_error_is_one_line_exit_1(run_cli, monkeypatch):
    import auglift_hf.cli as cli

    def bug(args):
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "run", bug)
    code, _, err = run_cli("info")
    assert code == 1
    assert_one_line_error(err, "info", "RuntimeError", "boom", "AUGLIFT_DEBUG")


def test_usage_errors_are_one_line(capsys):
    from auglift_hf.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["evaluate", "--models", "m", "--datasets", "d", "--batch-size", "0"])
    assert exc.value.code == 2
    assert_one_line_error(capsys.readouterr().err, "evaluate", "--batch-size", "'0'")


def test_real_sigint_during_convert_exits_130_and_leaves_nothing(tmp_path):
    """A real SIGINT to a running ``auglift convert`` (subprocess), sent once its temporary table folder exists."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from .conftest import make_motion, write_h36m

    files = write_h36m(tmp_path / "src", positions={"S1": {f"W{i}": make_motion(300, i) for i in range(40)}})
    out = tmp_path / "table"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(__file__).resolve().parents[2])] + sys.path))
    cmd = [sys.executable, "-m", "auglift_hf.cli", "convert", "h36m", "--positions-3d", str(files["positions"]),
           "--cameras", str(files["cameras"]), "--out", str(out), "--depth-source", "synthetic", "--no-progress"]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.monotonic() + 180
        while not siblings(out) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        if proc.poll() is not None:
            pytest.skip(f"convert finished (rc {proc.returncode}) before it could be interrupted")
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    if proc.returncode == 0 and out.is_dir() and siblings(out) == []:
        # the write finished (and the process exited) between the poll and the signal: a complete table, no race loss
        pytest.skip("convert finished before the SIGINT arrived")
    assert proc.returncode == 130, err
    assert_one_line_error(err, "convert", "interrupted")
    assert not out.exists() and siblings(out) == []
