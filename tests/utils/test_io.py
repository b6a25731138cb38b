import os
import stat

import pytest

from auglift_hf.utils.io import atomic_path, atomic_write_dir, atomic_write_file


def test_atomic_write_file_replaces_only_on_success(tmp_path):
    target = tmp_path / "out.json"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_write_file(target, "w") as fh:
            fh.write("partial")
            raise RuntimeError("crash mid-write")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]  # no temp file left behind
    with atomic_write_file(target, "w", encoding="utf-8") as fh:
        fh.write("new")
    assert target.read_text() == "new"


def test_atomic_path_gives_umask_permissions_and_suffix(tmp_path):
    mask = os.umask(0o022)
    try:
        with atomic_path(tmp_path / "sub" / "model.onnx", suffix=".onnx") as tmp:
            assert tmp.suffix == ".onnx" and tmp.parent == tmp_path / "sub"
            tmp.write_bytes(b"x")
    finally:
        os.umask(mask)
    mode = stat.S_IMODE((tmp_path / "sub" / "model.onnx").stat().st_mode)
    assert mode == 0o644


def test_atomic_write_dir_keeps_old_folder_on_failure(tmp_path):
    target = tmp_path / "table"
    with atomic_write_dir(target) as d:
        (d / "a.parquet").write_text("1")
    with pytest.raises(ValueError):
        with atomic_write_dir(target) as d:
            (d / "b.parquet").write_text("2")
            raise ValueError("bad input")
    assert sorted(p.name for p in target.iterdir()) == ["a.parquet"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["table"]
    with pytest.raises(FileExistsError):
        with atomic_write_dir(target, overwrite=False):
            pass
