"""Validate a model or dataset folder laid out for the Hub, and upload it with ``HfApi.upload_folder``.

A model folder needs ``config.json`` (with ``auto_map``), ``model.safetensors`` (or a sharded index),
``preprocessor_config.json``, a ``README.md`` model card with metadata, and the ``auto_map`` code files, which
must import with transformers' remote-code loader and must not import ``auglift_hf`` (a user loading with
``trust_remote_code=True`` may not have it). A dataset folder needs Parquet data files and a ``README.md`` whose
YAML ``configs`` point at them. Only the Hub layout is uploaded: trainer state, optimiser state and pickles
are left out.
"""

from __future__ import annotations

import ast
import fnmatch
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Files that make up a model repo on the Hub (everything else in the folder is left out).
MODEL_FILE_PATTERNS = (
    "README.md",
    "LICENSE*",
    ".gitattributes",
    "config.json",
    "generation_config.json",
    "preprocessor_config.json",
    "processor_config.json",
    "model.safetensors",
    "model-*-of-*.safetensors",
    "model.safetensors.index.json",
    "*.py",
    "eval_results.json",
    "all_results.json",
    "training_config.json",
    "*.onnx",
)
DATASET_FILE_PATTERNS = ("README.md", "LICENSE*", ".gitattributes", "**/*.parquet", "*.parquet", "*.json", "**/*.json")
#: Never uploaded, even when a pattern above would match (pickles, trainer internals).
EXCLUDED_PATTERNS = ("checkpoint-*", "*.bin", "*.pt", "*.pth", "*.pkl", "*.pickle", "trainer_state.json", "runs/*")


@dataclass
class ValidationReport:
    """Outcome of a folder check: ``problems`` is empty when the folder can be uploaded."""

    folder: Path
    repo_type: str
    checks: list[tuple[str, bool, str]] = field(default_factory=list)  # (item, ok, detail)
    files: list[str] = field(default_factory=list)  # relative paths that would be uploaded

    @property
    def problems(self) -> list[str]:
        return [f"{item}: {detail}" for item, ok, detail in self.checks if not ok]

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, item: str, ok: bool, detail: str) -> bool:
        self.checks.append((item, ok, detail))
        return ok

    def summary(self) -> str:
        lines = [f"{self.repo_type} folder {self.folder}:"]
        lines += [f"  [{'ok' if ok else 'MISSING' if 'missing' in detail else 'ERROR'}] {item}: {detail}"
                  for item, ok, detail in self.checks]  # fmt: skip
        return "\n".join(lines)


def _load_json(report: ValidationReport, name: str) -> dict[str, Any] | None:
    path = report.folder / name
    if not path.is_file():
        report.add(name, False, f"missing ({path})")
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        report.add(name, False, f"not valid JSON ({err})")
        return None
    if not isinstance(data, dict):
        report.add(name, False, f"expected a JSON object, got {type(data).__name__}")
        return None
    return data


def _selected_files(folder: Path, patterns: tuple[str, ...]) -> list[str]:
    files = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(folder).as_posix()
        if any(part.startswith(".") and part != ".gitattributes" for part in rel.split("/")):
            continue
        if any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(rel.split("/")[0], p) for p in EXCLUDED_PATTERNS):
            continue
        if any(fnmatch.fnmatch(rel, p) for p in patterns):
            files.append(rel)
    return files


def _imports_auglift(code: str) -> bool:
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "auglift_hf" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "auglift_hf":
            return True
    return False


def _check_auto_map(report: ValidationReport, config: dict[str, Any]) -> None:
    auto_map = config.get("auto_map")
    if not isinstance(auto_map, dict) or not auto_map:
        report.add(
            "config.json auto_map",
            False,
            "missing: save the model after `register_for_auto_class()` so users can load it with trust_remote_code",
        )
        return
    refs = sorted({r for v in auto_map.values() for r in (v if isinstance(v, (list, tuple)) else [v]) if r})
    from transformers.dynamic_module_utils import get_class_from_dynamic_module

    for ref in refs:
        if "--" in ref:  # code hosted in another repo: nothing local to check
            report.add(f"auto_map {ref}", True, "code in another repo")
            continue
        module = ref.rsplit(".", 1)[0]
        code_file = report.folder / f"{module}.py"
        if not code_file.is_file():
            report.add(f"auto_map {ref}", False, f"code file missing ({code_file.name})")
            continue
        try:
            code = code_file.read_text(encoding="utf-8")
            if _imports_auglift(code):
                report.add(
                    f"auto_map {ref}",
                    False,
                    f"{code_file.name} imports auglift_hf (remote-code users may not have it)",
                )
                continue
            get_class_from_dynamic_module(ref, os.fspath(report.folder))
        except Exception as err:  # noqa: BLE001 - any import failure is a validation error to report
            report.add(f"auto_map {ref}", False, f"{code_file.name} does not import: {type(err).__name__}: {err}")
            continue
        report.add(f"auto_map {ref}", True, f"{code_file.name} imports")


def _check_weights(report: ValidationReport) -> None:
    folder = report.folder
    single, index = folder / "model.safetensors", folder / "model.safetensors.index.json"
    if single.is_file():
        try:
            from safetensors import safe_open

            with safe_open(os.fspath(single), framework="pt") as fh:
                n = len(list(fh.keys()))
            report.add("model.safetensors", n > 0, f"{n} tensors" if n else "no tensors")
        except Exception as err:  # noqa: BLE001
            report.add("model.safetensors", False, f"unreadable ({type(err).__name__}: {err})")
    elif index.is_file():
        shards = set(json.loads(index.read_text(encoding="utf-8")).get("weight_map", {}).values())
        missing = sorted(s for s in shards if not (folder / s).is_file())
        report.add("model.safetensors.index.json", not missing, f"missing shards {missing}" if missing else "ok")
    else:
        pickled = [p.name for p in folder.glob("*.bin")]
        hint = f" (found pickle weights {pickled}: re-save with safe_serialization=True)" if pickled else ""
        report.add("model.safetensors", False, f"missing{hint}")


def _check_loads(report: ValidationReport) -> None:
    """Load the lifter strictly (:func:`auglift_hf.models.load_lifter`) and run one forward pass on zeros."""
    import torch

    from ..errors import IncompatibleModelError
    from ..models import input_frames, load_lifter

    try:
        model = load_lifter(report.folder)
        config = model.config
        keypoints = torch.zeros(1, input_frames(config), config.num_joints, config.num_input_channels)
        with torch.no_grad():
            poses = model(keypoints=keypoints).poses_3d
    except (IncompatibleModelError, FileNotFoundError) as err:
        report.add("load", False, str(err))
        return
    except Exception as err:  # noqa: BLE001 - a forward pass that fails is a validation error to report
        report.add("forward pass", False, f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}")
        return
    ok = poses.shape[-2:] == (config.num_joints, 3) and bool(torch.isfinite(poses).all())
    detail = f"strict load + forward pass: keypoints {tuple(keypoints.shape)} -> poses_3d {tuple(poses.shape)}"
    report.add("forward pass", ok, detail if ok else f"{detail} has non-finite values or a wrong shape")


def _check_card(report: ValidationReport, kind: str) -> dict[str, Any] | None:
    path = report.folder / "README.md"
    if not path.is_file():
        hint = " (write one with `--write-card` or auglift_hf.hub.write_model_card)" if kind == "model" else ""
        report.add("README.md", False, f"missing {kind} card{hint}")
        return None
    from huggingface_hub import DatasetCard, ModelCard

    try:
        card = (ModelCard if kind == "model" else DatasetCard).load(path)
    except Exception as err:  # noqa: BLE001
        report.add("README.md", False, f"card metadata does not parse ({type(err).__name__}: {err})")
        return None
    meta = card.data.to_dict()
    missing = [k for k in ("license",) if not meta.get(k)]
    if missing or not card.text.strip():
        report.add("README.md", False, f"card lacks {missing or 'a body'}")
        return None
    extra = "" if kind != "model" or meta.get("model-index") else " (no model-index evaluation results)"
    report.add("README.md", True, f"{kind} card, license {meta['license']}{extra}")
    return meta


def validate_model_folder(folder: str | os.PathLike) -> ValidationReport:
    """Check a lifter folder for upload; every missing or broken piece becomes one entry of ``problems``."""
    report = ValidationReport(Path(folder), "model")
    if not report.folder.is_dir():
        report.add("folder", False, f"missing ({report.folder} is not a directory)")
        return report
    config = _load_json(report, "config.json")
    if config is not None:
        ok = report.add("config.json", "model_type" in config, f"model_type {config.get('model_type', 'missing')}")
        if ok:
            _check_auto_map(report, config)
    _check_weights(report)
    processor = _load_json(report, "preprocessor_config.json")
    if processor is not None:
        kind = processor.get("processor_class") or processor.get("feature_extractor_type")
        report.add("preprocessor_config.json", bool(kind), f"processor {kind}" if kind else "names no processor class")
    if report.ok:
        _check_loads(report)
    _check_card(report, "model")
    report.files = _selected_files(report.folder, MODEL_FILE_PATTERNS)
    return report


def validate_dataset_folder(folder: str | os.PathLike) -> ValidationReport:
    """Check a Parquet dataset folder: README ``configs`` whose ``data_files`` exist and read as Parquet."""
    report = ValidationReport(Path(folder), "dataset")
    if not report.folder.is_dir():
        report.add("folder", False, f"missing ({report.folder} is not a directory)")
        return report
    meta = _check_card(report, "dataset")
    parquet = sorted(report.folder.rglob("*.parquet"))
    if not parquet:
        report.add("data files", False, "missing: no *.parquet files")
    else:
        import pyarrow.parquet as pq

        bad = []
        for path in parquet:
            try:
                pq.read_metadata(path)
            except Exception as err:  # noqa: BLE001
                bad.append(f"{path.relative_to(report.folder)} ({type(err).__name__})")
        report.add("data files", not bad, f"unreadable Parquet: {bad}" if bad else f"{len(parquet)} Parquet files")
    if meta is not None:
        configs = meta.get("configs")
        if not isinstance(configs, list) or not configs:
            report.add("README.md configs", False, "missing: YAML `configs` with `config_name` and `data_files`")
        else:
            for cfg in configs:
                name = cfg.get("config_name", "?")
                files = cfg.get("data_files")
                entries = files if isinstance(files, list) else [files] if files else []
                flat = []
                for e in entries:
                    value = e.get("path") if isinstance(e, dict) else e
                    flat += [value] if isinstance(value, str) else list(value or [])
                unmatched = [p for p in flat if not list(report.folder.glob(p))]
                ok = bool(flat) and not unmatched
                detail = (
                    f"data_files {flat}" if ok else f"data_files missing or unmatched: {unmatched or 'none given'}"
                )
                report.add(f"config {name}", ok, detail)
    report.files = _selected_files(report.folder, DATASET_FILE_PATTERNS)
    return report


def is_offline() -> bool:
    """True when ``HF_HUB_OFFLINE`` is set (environment or huggingface_hub's constant)."""
    from huggingface_hub import constants

    env = os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}
    return env or bool(getattr(constants, "HF_HUB_OFFLINE", False))


def push_folder(
    folder: str | os.PathLike,
    repo_id: str,
    repo_type: str = "model",
    private: bool = False,
    commit_message: str | None = None,
    token: str | None = None,
) -> Any:
    """Validate then upload the Hub layout of ``folder`` with ``HfApi.upload_folder``; returns the commit info.

    Raises ``ValueError`` listing every problem when the folder is not valid, ``RuntimeError`` when offline.
    """
    if repo_type not in ("model", "dataset"):
        raise ValueError(f"`repo_type` must be 'model' or 'dataset', got {repo_type!r}")
    report = validate_model_folder(folder) if repo_type == "model" else validate_dataset_folder(folder)
    if not report.ok:
        raise ValueError(f"{folder} is not ready for the Hub:\n  " + "\n  ".join(report.problems))
    if is_offline():
        raise RuntimeError("HF_HUB_OFFLINE=1: the folder is valid but nothing can be uploaded offline")
    from huggingface_hub import HfApi

    api = HfApi(token=token)
    api.create_repo(repo_id, repo_type=repo_type, private=private, exist_ok=True)
    return api.upload_folder(
        repo_id=repo_id,
        repo_type=repo_type,
        folder_path=os.fspath(folder),
        allow_patterns=report.files,
        commit_message=commit_message or f"Upload {repo_type} with auglift push",
    )
