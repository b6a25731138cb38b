"""What produced a preprocessed table (per backend), and the refusal of a resumed run with other settings.

:func:`backend_provenance` records, for each backend, what decides its output: checkpoint id / folder, the
**revision** (the Hub commit: from the ``huggingface_hub`` cache's ``snapshots/<commit>/`` path for a downloaded
id, or a local folder's own metadata: a cache snapshot folder, or ``.cache/huggingface/download/config.json.metadata``
of ``huggingface-cli download --local-dir``; ``None`` for a plain folder, whose files nothing identifies), dtype,
input size, and the backend's own settings (detector score threshold and NMS IoU, pose flip test, depth ``kind``,
``max_depth`` and invalid band). :meth:`~auglift_hf.preprocess.extractor.XYCDExtractor.describe` carries them under
``backends``, hence ``plan.json`` and the dataset card of ``auglift preprocess`` / ``auglift convert``.

:func:`resume_difference` compares a stored plan with the one a resumed run would write: the first difference,
named by its path (``config.backends.detector.threshold = 0.3 there, 0.5 in this run``), makes one line for the
refusal. Fields the earlier run did not record (a plan written by an older auglift) are not compared; they are
returned apart so the caller can say so.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

_COMMIT = re.compile(r"^[0-9a-f]{40}$")
_SNAPSHOT = re.compile(r"snapshots/([0-9a-f]{40})(?:/|$)")
#: Attributes of a backend that decide its output (read when present).
_SETTINGS = (
    "threshold", "nms_iou", "max_people", "person_label", "flip_test", "dataset_index", "kind", "max_depth",
    "invalid_from", "input_size", "pos_embed_interpolation",
)  # fmt: skip


def checkpoint_revision(checkpoint: str, revision: str | None = None) -> str | None:
    """The commit hash of a Hub checkpoint as loaded, or ``None`` when nothing identifies it.

    A folder: its path inside a ``huggingface_hub`` cache (``.../snapshots/<commit>/``) or the commit that
    ``huggingface-cli download --local-dir`` wrote for its ``config.json`` (first line of
    ``.cache/huggingface/download/config.json.metadata``, when ``config.json`` is not newer than that record).
    A Hub id: the cache snapshot its ``config.json`` resolves to (``revision`` as requested; a 40-hex revision is
    returned as is). Never downloads, never writes.
    """
    if revision is not None and _COMMIT.match(str(revision)):
        return str(revision)
    path = Path(os.fspath(checkpoint)).expanduser()
    if path.is_dir():
        found = _SNAPSHOT.search(path.resolve().as_posix() + "/")
        if found:
            return found.group(1)
        meta = path / ".cache" / "huggingface" / "download" / "config.json.metadata"
        try:
            lines = meta.read_text().splitlines()
            commit, stamp = lines[0].strip(), float(lines[2])
            if _COMMIT.match(commit) and (path / "config.json").stat().st_mtime <= stamp + 1.0:
                return commit
        except (OSError, IndexError, ValueError):
            pass
        return None
    try:
        from huggingface_hub import try_to_load_from_cache

        cached = try_to_load_from_cache(str(checkpoint), "config.json", revision=revision)
    except Exception:  # an id the cache cannot name (bad repo id): unknown, not an error here
        return None
    if isinstance(cached, str):
        found = _SNAPSHOT.search(Path(cached).as_posix())
        if found:
            return found.group(1)
    return None


def _plain(value: Any) -> Any:
    """JSON-native copy (tuples -> lists, numpy scalars -> numbers)."""
    return json.loads(json.dumps(value, default=lambda v: v.item() if hasattr(v, "item") else str(v)))


def backend_provenance(backend: Any) -> dict[str, Any] | None:
    """``{"class", "checkpoint", "revision", "dtype", "input_size", ...settings}`` of one backend (``None`` -> ``None``).

    A backend may state its own with a ``provenance()`` method (merged over what is read here).
    """
    if backend is None:
        return None
    out: dict[str, Any] = {"class": type(backend).__name__}
    checkpoint = getattr(backend, "checkpoint", None)
    if checkpoint is not None:
        out["checkpoint"] = str(checkpoint)
        out["revision"] = checkpoint_revision(str(checkpoint), getattr(backend, "revision", None))
    dtype = getattr(backend, "dtype", None)
    if dtype is not None:
        out["dtype"] = str(dtype).removeprefix("torch.")
    size = getattr(getattr(backend, "processor", None), "size", None)
    if size is not None:  # a dict, or transformers' SizeDict (a dataclass with the unused fields None)
        fields = dict(size) if hasattr(size, "items") else getattr(size, "__dict__", {"value": size})
        out["input_size"] = {k: v for k, v in fields.items() if v is not None}
    for key in _SETTINGS:
        if hasattr(backend, key) and not callable(getattr(backend, key)):
            out[key] = getattr(backend, key)
    own = getattr(backend, "provenance", None)
    if callable(own):
        out.update(own())
    return _plain(out)


def _short(value: Any, limit: int = 80) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def plan_differences(stored: Any, fresh: Any, path: str = "") -> tuple[list[tuple[str, Any, Any]], list[str]]:
    """``(differences, unrecorded)``: ``[(path, stored value, fresh value), ...]`` in document order, and the paths
    of fields present now but not in ``stored`` (nor compared)."""
    diffs: list[tuple[str, Any, Any]] = []
    unrecorded: list[str] = []
    if isinstance(stored, dict) and isinstance(fresh, dict):
        for key in fresh:
            sub = f"{path}.{key}" if path else str(key)
            if key not in stored:
                unrecorded.append(sub)
                continue
            d, u = plan_differences(stored[key], fresh[key], sub)
            diffs += d
            unrecorded += u
        return diffs, unrecorded
    if isinstance(stored, list) and isinstance(fresh, list):
        if len(stored) != len(fresh):
            return [(f"{path} (length)", len(stored), len(fresh))], []
        for i, (a, b) in enumerate(zip(stored, fresh)):
            d, u = plan_differences(a, b, f"{path}[{i}]")
            diffs += d
            unrecorded += u
        return diffs, unrecorded
    return ([] if stored == fresh else [(path, stored, fresh)]), []


def resume_difference(stored: dict[str, Any], fresh: dict[str, Any], where: str | os.PathLike) -> str | None:
    """One line naming the first setting that differs between the stored plan ``where`` and this run (``None``
    when they agree on every recorded field)."""
    diffs, _ = plan_differences(stored, _plain(fresh))
    if not diffs:
        return None
    path, a, b = diffs[0]
    more = f" (and {len(diffs) - 1} more differences)" if len(diffs) > 1 else ""
    return (
        f"{where}: this folder was started with different settings: {path} = {_short(a)} there, {_short(b)} in "
        f"this run{more}; resuming needs the same inputs and settings: rerun with the earlier options, choose another "
        "--out, or pass --overwrite to start again"
    )


def check_resume(stored: dict[str, Any], fresh: dict[str, Any], where: str | os.PathLike, error: type) -> None:
    """Raise ``error(one line)`` when a resumed run's plan differs from the stored one (:func:`resume_difference`);
    log the fields the earlier run did not record (they are assumed unchanged)."""
    import logging

    problem = resume_difference(stored, fresh, where)
    if problem:
        raise error(problem)
    _, unrecorded = plan_differences(stored, _plain(fresh))
    if unrecorded:
        logging.getLogger(__name__).warning(
            "%s: written by an earlier auglift that did not record %s; resuming assumes they did not change",
            where, ", ".join(unrecorded[:5]) + (" ..." if len(unrecorded) > 5 else ""),
        )  # fmt: skip
