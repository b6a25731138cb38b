"""`auglift convert ... --depth-source synthetic --workers N --depth-cache DIR` (auglift_hf.data.cli): the simulated
depth in N processes and kept as it is computed, the same table to the byte; refused without synthetic depth."""

import hashlib

import pytest

from auglift_hf.cli import main


def _digest(folder) -> dict:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _spy_precompute(monkeypatch) -> list[tuple]:
    """Record ``(workers, cache)`` of each precompute pass of write_frame_table (it runs the real one)."""
    from auglift_hf.data import schema

    real, seen = schema._precompute_depths, []

    def spy(fn, tasks, records, workers, desc, progress, cache=None):
        seen.append((workers, cache))
        return real(fn, tasks, records, workers, desc, progress, cache)

    monkeypatch.setattr(schema, "_precompute_depths", spy)
    return seen


def _base(h36m_files) -> list[str]:
    return ["convert", "h36m", "--positions-3d", str(h36m_files["positions_3d"]), "--cameras",
            str(h36m_files["cameras"]), "--depth-source", "synthetic", "--simulate-detector", "--max-frames", "8"]  # fmt: skip


def test_convert_workers_and_depth_cache_give_the_serial_table(h36m_files, tmp_path, capsys, monkeypatch):
    """`--workers 2 --depth-cache DIR` writes the `--workers 1` table byte for byte (both configs, 12 sequences) and
    removes the cache; `--no-progress` silences the depth pass's bar, which shows without it."""
    serial, parallel, cache = tmp_path / "serial", tmp_path / "parallel", tmp_path / "cache"
    seen = _spy_precompute(monkeypatch)
    assert main([*_base(h36m_files), "--workers", "1", "--out", str(serial), "--no-progress"]) == 0
    assert seen == []  # the serial loop: nothing precomputed
    capsys.readouterr()
    rc = main([*_base(h36m_files), "--workers", "2", "--depth-cache", str(cache), "--out", str(parallel),
               "--no-progress"])  # fmt: skip
    assert rc == 0 and "h36m depth" not in capsys.readouterr().err
    assert seen == [(2, cache)]  # reached write_frame_table
    assert _digest(parallel) == _digest(serial) and len(_digest(serial)) > 4
    assert not cache.exists()  # removed once the table is written
    shown = tmp_path / "shown"
    assert main([*_base(h36m_files), "--depth-cache", str(cache), "--out", str(shown)]) == 0
    assert "h36m depth" in capsys.readouterr().err  # the precompute pass's bar
    assert _digest(shown) == _digest(serial) and not cache.exists()


def test_convert_depth_cache_resumes_an_interrupted_conversion(h36m_files, tmp_path, monkeypatch, capsys):
    """A conversion interrupted after 3 sequence passes exits 130 with no table and the 3 arrays cached; a rerun
    with another severity is refused (exit 2, cache kept); the same command resumes, simulating only the rest, and
    writes the uninterrupted table to the byte."""
    from auglift_hf.data import schema

    reference, out, cache = tmp_path / "reference", tmp_path / "table", tmp_path / "cache"
    assert main([*_base(h36m_files), "--out", str(reference), "--no-progress"]) == 0
    real, calls, interrupt_at = schema._apply_depth, [], [4]

    def interrupted_on_the_fourth(*args):
        calls.append(args[-1])
        if len(calls) in interrupt_at:
            raise KeyboardInterrupt  # Ctrl-C mid-table
        return real(*args)

    monkeypatch.setattr(schema, "_apply_depth", interrupted_on_the_fourth)
    command = [*_base(h36m_files), "--depth-cache", str(cache), "--out", str(out), "--no-progress"]
    assert main(command) == 130
    assert not out.exists() and sorted(p.name for p in cache.glob("*.npy")) == ["1.npy", "2.npy", "3.npy"]
    capsys.readouterr()
    assert main([*command, "--depth-severity", "1"]) == 2
    err = capsys.readouterr().err
    assert "made for another depth source" in err and str(cache) in err and not out.exists()
    calls.clear()
    interrupt_at.clear()
    assert main(command) == 0
    assert calls[:2] == [4, 5] and len(calls) == 24 - 3  # 12 sequences x (gt2d, detected2d), 3 read back
    assert _digest(out) == _digest(reference) and not cache.exists()


@pytest.mark.parametrize(
    "extra, named",
    [
        (["--workers", "2"], "--workers applies to --depth-source synthetic only"),
        (["--depth-cache", "{tmp}/cache"], "--depth-cache applies to --depth-source synthetic only"),
        (["--depth-source", "synthetic", "--workers", "0"], "argument --workers"),
        (["--depth-source", "synthetic", "--workers", "two"], "argument --workers"),
        (["--depth-source", "synthetic", "--depth-cache", "{tmp}/out/cache"], "--depth-cache"),
        (["--depth-source", "synthetic", "--depth-cache", "{tmp}"], "--depth-cache"),
    ],
)
def test_convert_workers_and_depth_cache_refusals(h36m_files, tmp_path, capsys, extra, named):
    """Nothing to parallelise or cache, N < 1, or a cache inside / around --out: one line naming the option, exit
    2, and neither the table nor the cache folder is created."""
    out = tmp_path / "out"
    command = ["convert", "h36m", "--positions-3d", str(h36m_files["positions_3d"]), "--cameras",
               str(h36m_files["cameras"]), "--max-frames", "8", "--out", str(out), "--no-progress"]  # fmt: skip
    command += [a.replace("{tmp}", str(tmp_path)) for a in extra]
    try:
        rc = main(command)
    except SystemExit as stop:  # option values are refused while parsing, before any work
        rc = stop.code
    err = capsys.readouterr().err.strip()
    assert rc == 2 and named in err and len(err.splitlines()) == 1
    assert not out.exists() and not (tmp_path / "cache").exists()


def test_convert_humaneva_workers_give_the_serial_table(tmp_path, monkeypatch):
    """humaneva builds its own 60 Hz depth source (auglift_hf.data.cli): `--workers 2 --depth-cache` reach it too."""
    from .test_humaneva import _write

    _write(tmp_path)
    base = ["convert", "humaneva", str(tmp_path), "--subjects", "Validate/S1", "--depth-source", "synthetic",
            "--no-progress"]  # fmt: skip
    serial, parallel, cache = tmp_path / "serial", tmp_path / "parallel", tmp_path / "cache"
    assert main([*base, "--out", str(serial)]) == 0
    seen = _spy_precompute(monkeypatch)
    assert main([*base, "--workers", "2", "--depth-cache", str(cache), "--out", str(parallel)]) == 0
    assert seen == [(2, cache)] and _digest(parallel) == _digest(serial) and not cache.exists()


@pytest.mark.parametrize("other", [["--stride", "2"], ["--detector-seed", "1"]])
def test_convert_depth_cache_refuses_a_rerun_on_other_motion(h36m_files, tmp_path, monkeypatch, capsys, other):
    """The same sequences and frame counts but other frames (`--stride 2` under `--max-frames 8`) or other detected
    keypoints (`--detector-seed`): the cached depth is not theirs, so the rerun is refused (exit 2, no table)."""
    from auglift_hf.data import schema

    out, cache = tmp_path / "table", tmp_path / "cache"
    real, calls = schema._apply_depth, []

    def interrupted_on_the_fourth(*args):
        calls.append(args[-1])
        if len(calls) == 4:
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(schema, "_apply_depth", interrupted_on_the_fourth)
    command = [*_base(h36m_files), "--depth-cache", str(cache), "--out", str(out), "--no-progress"]
    assert main(command) == 130 and len(list(cache.glob("*.npy"))) == 3
    capsys.readouterr()
    assert main([*command, *other]) == 2
    err = capsys.readouterr().err
    assert "made for other sequences or inputs" in err and not out.exists() and len(list(cache.glob("*.npy"))) == 3
