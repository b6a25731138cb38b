"""Import the benchmark scripts of ``benchmarks/reference/`` (``card_data``, ``ship``) in tests without leaving that
folder on ``sys.path``: it holds an ``evaluate.py``, which would shadow Hugging Face ``evaluate`` for every test
imported afterwards in the same process."""

import importlib
import json
import shutil
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "benchmarks" / "reference"


def import_reference(name: str, folder: Path = REFERENCE) -> ModuleType:
    """The script ``name`` of ``folder`` (default ``benchmarks/reference``), imported without leaving the folder on
    ``sys.path``."""
    saved = list(sys.path)
    sys.path.insert(0, str(folder))
    try:
        return importlib.import_module(name)
    finally:
        sys.path[:] = saved  # also drops what the script itself inserted (card_data puts its folder first)


def recorded_simulation(folder: Path) -> str:
    """The depth simulation a shipped folder records (``ship.py``: ``eval_results.json`` ``depth_simulation``);
    folders shipped before the record existed were trained on ``capsule-v1``."""
    path = Path(folder) / "eval_results.json"
    saved = json.loads(path.read_text()) if path.is_file() else {}
    return (saved.get("depth_simulation") or {}).get("simulation", "capsule-v1")


def results_without(heading: str) -> str:
    """The repository's ``benchmarks/RESULTS.md`` without the section starting with ``heading`` (a card test then
    appends the section in the layout it tests)."""
    text = (ROOT / "benchmarks" / "RESULTS.md").read_text(encoding="utf-8")
    start = text.find("\n" + heading)
    if start >= 0:
        end = text.find("\n## ", start + 1)
        text = text[:start] + (text[end:] if end >= 0 else "\n")
    return text


def shipped_card(name: str) -> Path:
    """``checkpoints/<name>``; the test is skipped when it is not shipped."""
    import pytest

    folder = ROOT / "checkpoints" / name
    if not (folder / "README.md").is_file():
        pytest.skip(f"checkpoints/{name} is not shipped")
    return folder


def linked_copy(name: str, dest: Path, drop: tuple[str, ...] = ()) -> Path:
    """``dest/<name>``: a copy of the shipped ``checkpoints/<name>`` (:func:`shipped_card`) with the weights linked,
    not copied, and without the top-level ``eval_results.json`` records ``drop`` (the file is rewritten only then)."""
    src = shipped_card(name)
    out = Path(dest) / name
    shutil.copytree(src, out, ignore=shutil.ignore_patterns("model.safetensors"))
    (out / "model.safetensors").symlink_to(src / "model.safetensors")
    path = out / "eval_results.json"
    if drop and path.is_file():
        saved = json.loads(path.read_text(encoding="utf-8"))
        for key in drop:
            saved.pop(key, None)
        path.write_text(json.dumps(saved, indent=2), encoding="utf-8")
    return out
