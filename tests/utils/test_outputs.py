"""auglift_hf.utils.outputs: outputs are never inputs; only manifest files are replaced; failures leave nothing."""

from __future__ import annotations

import json

import pytest

from auglift_hf.errors import OutputError
from auglift_hf.utils.outputs import (
    MANIFEST,
    check_not_input,
    check_output_folder,
    files_removed_on_failure,
    foreign_files,
    output_folder,
)


def _tree(folder):
    return {p.relative_to(folder).as_posix(): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_check_not_input(tmp_path):
    src = tmp_path / "in.json"
    src.write_text("{}")
    with pytest.raises(OutputError, match="is the input"):
        check_not_input(src, [src])
    (tmp_path / "link.json").symlink_to(src)
    with pytest.raises(OutputError, match="is the input"):
        check_not_input(tmp_path / "link.json", [src])
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text("{}")
    (model / "model.safetensors").write_bytes(b"")
    with pytest.raises(OutputError, match="inside the model folder"):
        check_not_input(model / "sub" / "out.json", [])
    check_not_input(model, [], is_model_output=True)  # replacing a model folder is convert-checkpoint's job
    with pytest.raises(OutputError, match="would hold the input"):
        check_not_input(tmp_path, [src])
    check_not_input(tmp_path / "out.json", [src, None, "org/hub-id"])


def test_output_folder_replaces_its_own_files_and_keeps_foreign_ones(tmp_path):
    out = tmp_path / "out"
    with output_folder(out, "test") as tmp:
        (tmp / "a.txt").write_text("1")
        (tmp / "old.txt").write_text("x")
    assert json.loads((out / MANIFEST).read_text())["files"] == ["a.txt", "old.txt"]
    with output_folder(out, "test") as tmp:  # own earlier output, no foreign files: swapped whole
        (tmp / "a.txt").write_text("2")
    assert _tree(out) == {"a.txt": "2", MANIFEST: (out / MANIFEST).read_text()}
    (out / "notes.txt").write_text("mine")
    (out / "sub").mkdir()
    (out / "sub" / "keep.txt").write_text("keep")
    assert foreign_files(out) == ["notes.txt", "sub/keep.txt"]
    with pytest.raises(OutputError, match="notes.txt"):
        check_output_folder(out)
    with output_folder(out, "test", overwrite=True) as tmp:
        (tmp / "a.txt").write_text("3")
        (tmp / "b.txt").write_text("4")
    tree = _tree(out)
    assert tree["a.txt"] == "3" and tree["b.txt"] == "4" and tree["notes.txt"] == "mine"
    assert tree["sub/keep.txt"] == "keep"
    with pytest.raises(OutputError, match="never replaced"):  # a foreign file where the output goes
        with output_folder(out, "test", overwrite=True) as tmp:
            (tmp / "notes.txt").write_text("ours")
    assert (out / "notes.txt").read_text() == "mine"
    with pytest.raises(OutputError, match="not empty"):
        check_output_folder(out, overwrite=False, replace_own=False)


def test_failed_output_folder_changes_nothing(tmp_path):
    out = tmp_path / "out"
    with output_folder(out, "test") as tmp:
        (tmp / "a.txt").write_text("1")
    before = _tree(out)
    with pytest.raises(RuntimeError), output_folder(out, "test") as tmp:
        (tmp / "a.txt").write_text("half")
        raise RuntimeError("boom")
    assert _tree(out) == before and [p.name for p in tmp_path.iterdir()] == ["out"]


def test_files_removed_on_failure(tmp_path):
    out = tmp_path / "run"
    with pytest.raises(ValueError), files_removed_on_failure(out):
        (out / "logs").mkdir(parents=True)
        (out / "logs" / "x").write_text("x")
        raise ValueError("bad")
    assert not out.exists()
    out.mkdir()
    (out / "mine.txt").write_text("m")
    with pytest.raises(ValueError), files_removed_on_failure(out, keep_if=lambda o: (o / "checkpoint-1").exists()):
        (out / "checkpoint-1").mkdir()
        raise ValueError("bad")
    assert (out / "checkpoint-1").is_dir() and (out / "mine.txt").read_text() == "m"


def test_auglift_temporaries_are_not_foreign(tmp_path):
    """A killed writer's ``.<name>.<pid>.<random>.tmp`` does not block a resume; a user's hidden file does."""
    (tmp_path / ".README.md.4242.abc123.tmp").write_text("half")
    (tmp_path / ".write-test-x1y2").write_text("")
    assert foreign_files(tmp_path) == []
    (tmp_path / ".env").write_text("mine")
    assert foreign_files(tmp_path) == [".env"]
