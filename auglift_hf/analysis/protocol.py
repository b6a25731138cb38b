"""What an evaluation scores, stated: the protocol's frames, joints and groups of each test table, and its data.

Pure functions over table columns and card metadata, used by ``auglift evaluate`` (:mod:`.cli`) and
``benchmarks/reference/evaluate.py`` so every output carries the same statements.

* **Frames.** Every valid row of the split is a window centre (one pose per frame, all frames by default); windows
  never contain an invalid row (:class:`~auglift_hf.data.windows.PoseWindowDataset`: runs of valid rows, edge-padded
  at their ends as VideoPose3D / MMPose pad sequence ends). The *protocol's frames* are the rows whose annotation is
  valid (3DHP test ``valid_frame``, 3DPW ``campose_valid``, H36M frames in view); in a joined table
  (``invalid_reason`` column) a protocol frame the pipeline could not process (``no_detection``, ``no_match``,
  ``missing_media``...) has no input and is counted as *unscored* with its reason, never scored on (0, 0) inputs.
* **Joints.** H36M-17 tables are scored on the 17 joints. MPI-INF-3DHP on its 17 test joints (mapped to H36M-17)
  with PCK3D@150 mm and AUC (0-150 mm). HumanEva-I on the 14 joints both skeletons share
  (:data:`auglift_hf.data.humaneva.SHARED_JOINTS`): its head joint is the head segment's distal end (~9.5 cm above
  H36M's head top relative to the thorax) and spine / neck-nose are synthesised from other joints.
* **Groups.** Per-action tables group H36M takes by action ("Walking 1" -> "Walking", the 15 actions of the
  "Avg" column), HumanEva-I by action and subject ("Walking 1 chunk2" of S1 -> "Walking S1", the protocol's
  per-subject cells), other datasets by their ``action`` column. The bootstrap's resampling unit is the *take*
  (subject, action): the camera views of one take share its motion, so they are not independent sequences.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..skeleton import NUM_JOINTS

#: How windows are built at sequence ends and around invalid rows (printed with every evaluation).
PADDING_STATEMENT = (
    "windows centred on every scored frame; at sequence ends and next to invalid rows the window is padded by "
    "repeating the edge frame of the run of valid frames (VideoPose3D common/generators.py:116,220-222 'edge' "
    "padding; MMPose body3d/h36m_dataset.py:211-229 pad_video_seq); invalid rows never enter a window"
)
#: Reasons of a joined table's rows that are *not* protocol frames (the annotation itself marks them invalid).
NOT_PROTOCOL_REASONS: frozenset[str] = frozenset({"annotation_invalid"})
#: Dataset ids whose protocol adds PCK3D / AUC.
PCK_DATASETS: frozenset[str] = frozenset({"mpi_inf_3dhp"})
_TAKE_NUMBER = re.compile(r"\s+\d+$")
_CHUNK = re.compile(r"\s+\d+\s+chunk\d+$")


def scored_joints(dataset: str) -> np.ndarray:
    """H36M-17 indices a table of ``dataset`` is scored on (all 17 unless its skeleton lacks some)."""
    if dataset == "humaneva":
        from ..data.humaneva import SHARED_JOINTS

        return np.asarray(SHARED_JOINTS)
    return np.arange(NUM_JOINTS)


def protocol_group(dataset: str, subject: str, action: str) -> str:
    """Label of a pose in per-action tables: H36M action without take, HumanEva-I "action subject", else action."""
    if dataset == "humaneva":
        return f"{_CHUNK.sub('', action)} {subject}"
    if dataset in ("h36m", "cmu") or dataset.startswith("h36m"):
        return _TAKE_NUMBER.sub("", action)
    return action


def take_label(dataset: str, subject: str, action: str) -> str:
    """The bootstrap's resampling unit of a pose: its take (all cameras / persons; HumanEva chunks of one trial)."""
    if dataset == "humaneva":
        action = _CHUNK.sub("", action)
    return f"{dataset}/{subject}/{action}"


def frame_counts(valid: np.ndarray, reasons: Sequence[str] | None, scored: int) -> dict[str, Any]:
    """Protocol frames vs scored frames of one table.

    Args:
        valid: ``(rows,)`` the table's ``valid`` column. reasons: its ``invalid_reason`` column (joined tables) or
            ``None``. scored: number of poses actually scored (after any subsample).

    Returns:
        ``{"rows", "protocol_frames", "valid_frames", "scored_frames", "unscored": {reason: n}}``: protocol frames
        are the annotation-valid rows; ``unscored`` counts protocol frames without inputs by reason.
    """
    valid = np.asarray(valid, bool)
    out: dict[str, Any] = {"rows": int(valid.size), "valid_frames": int(valid.sum()), "scored_frames": int(scored)}
    if reasons is None:
        out["protocol_frames"] = int(valid.sum())
        out["unscored"] = {}
        return out
    reasons = np.asarray(reasons, dtype=object)
    protocol = valid | ~np.isin(reasons, list(NOT_PROTOCOL_REASONS))
    names, counts = np.unique(reasons[protocol & ~valid].astype(str), return_counts=True)
    out["protocol_frames"] = int(protocol.sum())
    out["unscored"] = {str(n): int(c) for n, c in zip(names, counts)}
    return out


def describe_table(table_dir: str | os.PathLike, config: str) -> dict[str, Any]:
    """What a table's inputs are, from its dataset card: 2D kind, depth source, and whether each is simulated.

    Returns ``{"table", "config", "keypoint_definition", "two_d", "depth", "simulated_2d", "simulated_depth"}``
    (``"unknown"`` fields when the folder has no card).
    """
    from ..contract import CARD_KEY, read_card_metadata

    path = os.path.join(os.fspath(table_dir), "README.md")
    out: dict[str, Any] = {"table": os.path.basename(os.path.normpath(os.fspath(table_dir))), "config": config}
    if not os.path.isfile(path):
        return {**out, "two_d": "unknown", "depth": "unknown", "simulated_2d": None, "simulated_depth": None}
    meta = read_card_metadata(path)
    text = open(path, encoding="utf-8").read()
    contract = meta.get(CARD_KEY) or {}
    by_config = contract.get("keypoint_definition_by_config") or {}
    out["keypoint_definition"] = by_config.get(config, contract.get("keypoint_definition"))
    built = _card_field(text, config) if config != "gt2d" else None
    out["two_d"] = built or ("ground-truth 2D (projection of the 3D joints)" if config == "gt2d" else "unknown")
    depth = re.search(r"come from: \*\*(.+?)\*\*", text, re.S)
    out["depth"] = depth.group(1).replace("\n", " ") if depth else None
    joined = "auglift_join" in meta
    out["simulated_2d"] = config != "gt2d" and not joined and bool(re.search(r"simulat|noise", out["two_d"] or ""))
    out["simulated_depth"] = out["depth"] is not None and not joined and "synthetic" in out["depth"].lower()
    return out


def data_label(desc: dict[str, Any]) -> str:
    """Short label of a table's inputs for tables: e.g. "detected2d: simulated detector 2D, simulated depth"."""
    two_d = "ground-truth 2D" if desc.get("config") == "gt2d" else "detector 2D"
    if desc.get("simulated_2d"):
        two_d = "simulated " + two_d
    depth = "no depth" if not desc.get("depth") else ("simulated depth" if desc.get("simulated_depth") else "depth")
    return f"{desc.get('config')}: {two_d}, {depth}"


def _card_field(text: str, key: str) -> str | None:
    m = re.search(rf"^- {re.escape(key)}: (.+)$", text, re.M)
    return m.group(1).strip() if m else None
