"""Sharded, resumable, distributed preprocessing runs and the merge into the canonical frame table.

Layout of an output folder::

    out/plan.json                       sources, shard size and extractor settings (fixed for the run)
    out/shards/shard-000012.parquet     one file per shard of ``shard_size`` frames, written atomically
    out/detected2d/train-00000-of-00001.parquet   the merged table (canonical columns + extras)
    out/failures.jsonl                  one line per frame (or source) that could not be read
    out/README.md                       dataset card: ``load_dataset(out, "detected2d", split="train")``

* **Atomic**: a shard is written to a temporary file and renamed, so a shard file exists iff it is complete.
* **Resume**: re-running the same command skips shards whose file exists; the plan is compared with the
  stored one, and a different plan (other inputs, shard size, backend revision, dtype, input size, threshold,
  flip test, ``max_depth``: :mod:`~auglift_hf.preprocess.provenance`) is refused with one line naming the
  first difference instead of mixing.
* **Distributed**: under ``accelerate launch`` (any number of processes or nodes) rank ``r`` of ``n`` takes
  shards ``r, r + n, r + 2n, ...`` (a deterministic, disjoint round-robin split computed from accelerate's
  ``PartialState.process_index`` / ``num_processes``; every rank derives the same plan from sorted inputs).
  After a barrier the main process merges; the merge checks that every planned frame appears exactly once.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import numpy as np

from ..skeleton import NUM_JOINTS
from ..utils.io import atomic_write_file
from .sources import Frame, Source, discover_sources, iter_frames

logger = logging.getLogger(__name__)

PLAN_FILE = "plan.json"
SHARD_DIR = "shards"
CONFIG_NAME = "detected2d"
MERGED_FILE = f"{CONFIG_NAME}/train-00000-of-00001.parquet"
FAILURES_FILE = "failures.jsonl"
#: Extra columns of preprocessed tables, beyond :data:`auglift_hf.data.schema.BASE_COLUMNS` and depth channels.
EXTRA_COLUMNS: tuple[str, ...] = (
    "source", "source_index", "timestamp", "bbox", "bbox_score", "num_people", "keypoints_coco", "depth_valid",
    "error",
)  # fmt: skip


# --------------------------------------------------------------------------------------------------------
# plan
# --------------------------------------------------------------------------------------------------------


def make_plan(sources: list[Source], shard_size: int, config: dict[str, Any]) -> dict[str, Any]:
    """Split all frames (in source order) into shards of ``shard_size`` frames.

    Each shard is a list of ``[source_index, start, stop]`` segments; a shard may span sources.
    """
    if shard_size < 1:
        raise ValueError(f"`shard_size` must be >= 1, got {shard_size}")
    shards: list[list[list[int]]] = []
    current: list[list[int]] = []
    filled = 0
    for s, src in enumerate(sources):
        n = src.num_frames if not src.error else 0
        start = 0
        while start < n:
            take = min(shard_size - filled, n - start)
            current.append([s, start, start + take])
            filled += take
            start += take
            if filled == shard_size:
                shards.append(current)
                current, filled = [], 0
    if current:
        shards.append(current)
    return {
        "version": 1,
        "shard_size": int(shard_size),
        "config": config,
        "sources": [src.to_dict() for src in sources],
        "shards": shards,
    }


def load_or_create_plan(out_dir: Path, plan: dict[str, Any], overwrite: bool = False) -> dict[str, Any]:
    """Store ``plan`` in ``out_dir`` (first run) or check it equals the stored one (resume)."""
    from .provenance import check_resume

    path = out_dir / PLAN_FILE
    if path.exists() and not overwrite:
        stored = json.loads(path.read_text())
        check_resume(stored, plan, path, ValueError)
        return stored
    if overwrite and (out_dir / SHARD_DIR).exists():
        for f in (out_dir / SHARD_DIR).glob("shard-*.parquet"):
            f.unlink()
    with atomic_write_file(path, "w") as fh:
        json.dump(plan, fh, indent=1)
    return plan


def shard_path(out_dir: str | os.PathLike, shard: int) -> Path:
    return Path(out_dir) / SHARD_DIR / f"shard-{shard:06d}.parquet"


def rank_shards(num_shards: int, rank: int, world_size: int) -> list[int]:
    """Shards of one rank: ``rank, rank + world_size, ...`` (disjoint, covering, balanced to one shard)."""
    if not 0 <= rank < world_size:
        raise ValueError(f"rank {rank} out of range for world size {world_size}")
    return list(range(rank, num_shards, world_size))


# --------------------------------------------------------------------------------------------------------
# rows -> Arrow
# --------------------------------------------------------------------------------------------------------


def _fixed(values: np.ndarray, *sizes: int, dtype: Any = np.float32) -> Any:
    import pyarrow as pa

    arr = pa.array(np.ascontiguousarray(values, dtype=dtype).reshape(-1))
    for size in reversed(sizes):
        arr = pa.FixedSizeListArray.from_arrays(arr, size)
    return arr


def table_schema(depth_channels: tuple[str, ...], num_features: int = 0) -> Any:
    """Arrow schema of a shard / merged table: canonical columns, depth channels, then :data:`EXTRA_COLUMNS`."""
    import pyarrow as pa

    from ..data.schema import frame_features

    base = frame_features(depth_channels).arrow_schema
    f32 = pa.float32()
    extras = [
        pa.field("source", pa.string()),
        pa.field("source_index", pa.int32()),
        pa.field("timestamp", f32),
        pa.field("bbox", pa.list_(f32, 4)),
        pa.field("bbox_score", f32),
        pa.field("num_people", pa.int32()),
        pa.field("keypoints_coco", pa.list_(pa.list_(f32, 3), NUM_JOINTS)),
        pa.field("depth_valid", pa.list_(pa.bool_(), NUM_JOINTS)),
        pa.field("error", pa.string()),
    ]
    if num_features:
        extras.append(pa.field("features", pa.list_(pa.list_(f32, num_features), NUM_JOINTS)))
    return pa.schema(list(base) + extras)


def rows_to_table(rows: dict[str, np.ndarray], depth_channels: tuple[str, ...]) -> Any:
    """Columnar numpy rows (see :func:`_frame_rows`) -> a ``pyarrow.Table`` with :func:`table_schema`."""
    import pyarrow as pa

    r = len(rows["frame_index"])
    nfeat = rows["features"].shape[-1] if "features" in rows else 0
    schema = table_schema(depth_channels, nfeat)
    cols = {
        "dataset": pa.array(rows["dataset"], pa.string()),
        "subject": pa.array(rows["subject"], pa.string()),
        "action": pa.array(rows["action"], pa.string()),
        "camera": pa.array([""] * r, pa.string()),
        "person": pa.array(rows["person"].astype(np.int32)),
        "frame_index": pa.array(rows["frame_index"].astype(np.int32)),
        "fps": pa.array(rows["fps"].astype(np.float32)),
        "image_width": pa.array(rows["image_width"].astype(np.int32)),
        "image_height": pa.array(rows["image_height"].astype(np.int32)),
        "focal": _fixed(np.zeros((r, 2)), 2),
        "center": _fixed(np.stack([rows["image_width"], rows["image_height"]], -1) / 2.0, 2),
        "keypoints_2d": _fixed(rows["keypoints_2d"], NUM_JOINTS, 2),
        "keypoint_scores": _fixed(rows["keypoint_scores"], NUM_JOINTS),
        "keypoints_3d": _fixed(np.zeros((r, NUM_JOINTS, 3)), NUM_JOINTS, 3),
        "valid": pa.array(rows["valid"].astype(bool)),
        "source": pa.array(rows["source"], pa.string()),
        "source_index": pa.array(rows["source_index"].astype(np.int32)),
        "timestamp": pa.array(rows["timestamp"].astype(np.float32)),
        "bbox": _fixed(rows["bbox"], 4),
        "bbox_score": pa.array(rows["bbox_score"].astype(np.float32)),
        "num_people": pa.array(rows["num_people"].astype(np.int32)),
        "keypoints_coco": _fixed(rows["keypoints_coco"], NUM_JOINTS, 3),
        "depth_valid": _fixed(rows["depth_valid"], NUM_JOINTS, dtype=bool),
        "error": pa.array(rows["error"], pa.string()),
    }
    for i, name in enumerate(depth_channels):
        cols[name] = _fixed(rows["depth"][..., i], NUM_JOINTS)
    if nfeat:
        cols["features"] = _fixed(rows["features"], NUM_JOINTS, nfeat)
    return pa.Table.from_arrays([cols[f.name] for f in schema], schema=schema)


def _frame_rows(frames: list[Frame], sources: list[Source], extractor: Any, dataset: str) -> dict[str, np.ndarray]:
    """Run the extractor on the readable frames of a batch; unreadable ones get one invalid row with the error."""
    good = [f for f in frames if f.image is not None]
    out = extractor([f.image for f in good]) if good else None
    k = len(extractor.depth_channels)
    parts: list[dict[str, Any]] = []
    if out is not None:
        idx = out["frame"]
        parts.append({
            **{key: out[key] for key in ("person", "keypoints_2d", "keypoint_scores", "keypoints_coco", "bbox",
                                         "bbox_score", "depth", "depth_valid", "valid", "num_people", "image_width",
                                         "image_height")},
            **({"features": out["features"]} if "features" in out else {}),
            "frame_ref": [good[i] for i in idx],
            "error": [""] * len(idx),
        })  # fmt: skip
    bad = [f for f in frames if f.image is None]
    if bad:
        m = len(bad)
        nfeat = out["features"].shape[-1] if out is not None and "features" in out else None
        parts.append({
            "person": np.zeros(m, np.int32), "keypoints_2d": np.zeros((m, NUM_JOINTS, 2), np.float32),
            "keypoint_scores": np.zeros((m, NUM_JOINTS), np.float32),
            "keypoints_coco": np.zeros((m, NUM_JOINTS, 3), np.float32), "bbox": np.zeros((m, 4), np.float32),
            "bbox_score": np.zeros(m, np.float32), "depth": np.zeros((m, NUM_JOINTS, k), np.float32),
            "depth_valid": np.zeros((m, NUM_JOINTS), bool), "valid": np.zeros(m, bool),
            "num_people": np.zeros(m, np.int32), "image_width": np.zeros(m, np.int32),
            "image_height": np.zeros(m, np.int32), "frame_ref": bad, "error": [f.error for f in bad],
            **({"features": np.zeros((m, NUM_JOINTS, nfeat), np.float32)} if nfeat else {}),
        })  # fmt: skip
    rows: dict[str, Any] = {}
    for key in parts[0]:
        if key in ("frame_ref", "error"):
            rows[key] = [x for p in parts for x in p[key]]
        elif key == "features" and not all(key in p for p in parts):
            continue
        else:
            rows[key] = np.concatenate([np.asarray(p[key]) for p in parts])
    refs = rows.pop("frame_ref")
    src = [sources[f.source_index] for f in refs]
    rows.update(
        dataset=[dataset] * len(refs),
        subject=[s.subject for s in src],
        action=[s.action for s in src],
        source=[s.path for s in src],
        source_index=np.array([f.source_index for f in refs], np.int32),
        frame_index=np.array([f.frame_index for f in refs], np.int32),
        timestamp=np.array([f.timestamp for f in refs], np.float32),
        fps=np.array([s.fps for s in src], np.float32),
    )
    return rows


def _concat_rows(batches: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in batches[0]:
        vals = [b[key] for b in batches]
        out[key] = [x for v in vals for x in v] if isinstance(vals[0], list) else np.concatenate(vals)
    return out


# --------------------------------------------------------------------------------------------------------
# processing, merge, entry point
# --------------------------------------------------------------------------------------------------------


def process_shards(
    extractor: Any,
    plan: dict[str, Any],
    out_dir: str | os.PathLike,
    *,
    rank: int = 0,
    world_size: int = 1,
    batch_size: int = 8,
    dataset_name: str = "custom",
    progress: bool = True,
) -> list[int]:
    """Process this rank's shards that are not on disk yet; returns the shard ids written by this call."""
    import pyarrow.parquet as pq
    from tqdm.auto import tqdm

    sources = [Source(**s) for s in plan["sources"]]
    mine = [k for k in rank_shards(len(plan["shards"]), rank, world_size) if not shard_path(out_dir, k).exists()]
    total = sum(stop - start for k in mine for _, start, stop in plan["shards"][k])
    written = []
    desc = "preprocess" if world_size == 1 else f"preprocess [rank {rank}/{world_size}]"
    with tqdm(total=total, desc=desc, unit="frame", disable=not progress, position=rank) as bar:
        for k in mine:
            batches, pending = [], []
            for s, start, stop in plan["shards"][k]:
                for frame in iter_frames(sources[s], s, start, stop):
                    pending.append(frame)
                    if len(pending) == batch_size:
                        batches.append(_frame_rows(pending, sources, extractor, dataset_name))
                        bar.update(len(pending))
                        pending = []
            if pending:
                batches.append(_frame_rows(pending, sources, extractor, dataset_name))
                bar.update(len(pending))
            table = rows_to_table(_concat_rows(batches), tuple(extractor.depth_channels))
            table = table.replace_schema_metadata({"auglift_rank": str(rank), "auglift_world_size": str(world_size)})
            with atomic_write_file(shard_path(out_dir, k)) as fh:
                pq.write_table(table, fh)
            written.append(k)
    return written


def merge_shards(out_dir: str | os.PathLike, progress: bool = True) -> Path:
    """Concatenate every shard into ``detected2d/train-00000-of-00001.parquet`` (+ failures, dataset card).

    Rows are sorted by ``(source_index, frame_index, person)``; multi-person rows get a ``track`` id
    (:func:`~auglift_hf.preprocess.tracking.assign_tracks`, through re-entry: boxes and 2D poses). Raises ``ValueError`` when a shard is missing,
    or when a planned frame is missing or duplicated.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .tracking import assign_tracks

    out_dir = Path(out_dir)
    plan = json.loads((out_dir / PLAN_FILE).read_text())
    missing = [k for k in range(len(plan["shards"])) if not shard_path(out_dir, k).exists()]
    if missing:
        raise ValueError(
            f"{out_dir}: {len(missing)} shards not processed yet (first: {missing[:5]}); re-run to resume"
        )
    if not plan["shards"]:
        _write_failures(out_dir, plan, [])
        raise ValueError(f"{out_dir}: nothing to merge (no readable frames in the inputs; see {FAILURES_FILE})")
    table = pa.concat_tables([pq.read_table(shard_path(out_dir, k)) for k in range(len(plan["shards"]))])
    table = table.replace_schema_metadata(None)
    table = table.sort_by([("source_index", "ascending"), ("frame_index", "ascending"), ("person", "ascending")])
    src = table.column("source_index").to_numpy()
    frm = table.column("frame_index").to_numpy()
    per = table.column("person").to_numpy()
    key = np.stack([src, frm, per], 1)
    if len(key) and (np.diff(key, axis=0) == 0).all(1).any():
        dup = key[1:][(np.diff(key, axis=0) == 0).all(1)][0]
        raise ValueError(f"{out_dir}: duplicated row (source {dup[0]}, frame {dup[1]}, person {dup[2]})")
    planned = {(s, i) for shard in plan["shards"] for s, a, b in shard for i in range(a, b)}
    got = set(zip(src.tolist(), frm.tolist()))
    if got != planned:
        raise ValueError(f"{out_dir}: frames lost {len(planned - got)} / unexpected {len(got - planned)}")
    bbox = np.asarray(table.column("bbox").combine_chunks().flatten().to_numpy()).reshape(-1, 4)
    kp = np.asarray(table.column("keypoints_2d").combine_chunks().flatten().flatten().to_numpy()).reshape(
        -1, NUM_JOINTS, 2
    )
    ks = np.asarray(table.column("keypoint_scores").combine_chunks().flatten().to_numpy()).reshape(-1, NUM_JOINTS)
    valid = table.column("valid").to_numpy(zero_copy_only=False)
    track = np.full(len(src), -1, np.int32)
    for s in np.unique(src):
        sel = np.flatnonzero(src == s)
        track[sel] = assign_tracks(frm[sel], bbox[sel], valid[sel], keypoints=kp[sel], keypoint_scores=ks[sel])
    table = table.append_column("track", pa.array(track))
    with atomic_write_file(out_dir / MERGED_FILE) as fh:
        pq.write_table(table, fh)

    errors = table.column("error").to_pylist()
    sources = table.column("source").to_pylist()
    failures = _write_failures(
        out_dir,
        plan,
        [{"source": sources[i], "frame_index": int(frm[i]), "error": e} for i, e in enumerate(errors) if e],
    )
    _write_card(out_dir, plan, table.num_rows, len(failures))
    if failures:
        logger.warning("%d frames/sources could not be read; see %s", len(failures), out_dir / FAILURES_FILE)
    return out_dir / MERGED_FILE


def _write_failures(out_dir: Path, plan: dict[str, Any], frame_failures: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``failures.jsonl``: unreadable sources (frame_index null) then unreadable frames."""
    failures = [{"source": s["path"], "frame_index": None, "error": s["error"]} for s in plan["sources"] if s["error"]]
    failures += frame_failures
    with atomic_write_file(out_dir / FAILURES_FILE, "w") as fh:
        for f in failures:
            fh.write(json.dumps(f) + "\n")
    return failures


def _write_card(out_dir: Path, plan: dict[str, Any], num_rows: int, num_failures: int) -> None:
    """Dataset card; its YAML carries the table's input contract (the extractor's depth and descriptor, COCO 2D)
    and ``auglift_backends``: each backend's provenance (:mod:`~auglift_hf.preprocess.provenance`)."""
    import yaml

    from ..contract import CARD_KEY

    cfg = plan["config"]
    contract = cfg.get("input_contract")
    contract_yaml = ""
    if contract:
        entry = {**contract, "keypoint_definition_by_config": {CONFIG_NAME: contract["keypoint_definition"]}}
        contract_yaml = yaml.safe_dump({CARD_KEY: entry}, sort_keys=False)
    if cfg.get("backends") is not None:
        contract_yaml += yaml.safe_dump({"auglift_backends": cfg["backends"]}, sort_keys=False)
    card = f"""---
configs:
- config_name: {CONFIG_NAME}
  default: true
  data_files:
  - split: train
    path: {CONFIG_NAME}/*.parquet
{contract_yaml}---
# Preprocessed frames (auglift-hf)

{num_rows} rows from {len(plan["sources"])} sources ({num_failures} failures, see `{FAILURES_FILE}`).
2D keypoints are H36M-17 in original-image pixels (COCO-17 detections mapped with
`auglift_hf.skeleton.coco_to_h36m`), depth descriptor columns `{", ".join(cfg.get("depth_channels", [])) or "none"}`
({cfg.get("depth_kind")} depth), `keypoints_3d` is zero (no ground truth), `focal` is zero (unknown intrinsics),
`valid` is False for frames without a detected person or that could not be read (`error`).

Backends:

```json
{json.dumps(cfg, indent=1)}
```

Load with `datasets.load_dataset("<this folder>", "{CONFIG_NAME}", split="train")`.
"""
    with atomic_write_file(out_dir / "README.md", "w") as fh:
        fh.write(card)


_WORLD_SIZE_VARS = ("WORLD_SIZE", "PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "MV2_COMM_WORLD_SIZE")


def is_distributed_launch() -> bool:
    """True under ``accelerate launch`` / ``torchrun`` / MPI with more than one process."""
    return any(int(os.environ.get(v, "1") or 1) > 1 for v in _WORLD_SIZE_VARS)


def partial_state() -> Any:
    """accelerate's ``PartialState``; on machines without CUDA created with ``cpu=True`` so that several CPU
    processes (``accelerate launch --multi_gpu`` / ``torchrun`` / MPI) form a gloo group (MULTI_CPU)."""
    import torch
    from accelerate import PartialState

    return PartialState(cpu=not torch.cuda.is_available())


def distributed_context() -> tuple[int, int, Any]:
    """``(rank, world_size, barrier)`` of this process (``0, 1, no-op`` when not launched distributed)."""
    if not is_distributed_launch():
        return 0, 1, lambda: None
    state = partial_state()
    return state.process_index, state.num_processes, state.wait_for_everyone


def run_preprocess(
    inputs: list[str | os.PathLike],
    out_dir: str | os.PathLike,
    extractor: Any,
    *,
    shard_size: int = 64,
    batch_size: int = 8,
    dataset_name: str = "custom",
    fps: float = 0.0,
    merge: bool = True,
    overwrite: bool = False,
    progress: bool = True,
    rank: int | None = None,
    world_size: int | None = None,
) -> Path | None:
    """Discover inputs, plan shards, process this rank's shards (resuming), then merge on the main process.

    Returns the merged Parquet path on the main process (``None`` on other ranks or with ``merge=False``).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    barrier: Any = lambda: None  # noqa: E731
    if rank is None or world_size is None:
        rank, world_size, barrier = distributed_context()
    sources = discover_sources(list(inputs), fps=fps)
    config = {**extractor.describe(), "dataset": dataset_name}
    plan = make_plan(sources, shard_size, config)
    if rank == 0:
        plan = load_or_create_plan(out_dir, plan, overwrite=overwrite)
    barrier()
    if rank != 0:
        plan = load_or_create_plan(out_dir, plan)
    for s in sources:
        if s.error:
            logger.warning("skipping unreadable source: %s", s.error)
    process_shards(
        extractor, plan, out_dir, rank=rank, world_size=world_size, batch_size=batch_size,
        dataset_name=dataset_name, progress=progress,
    )  # fmt: skip
    barrier()
    if merge and rank == 0:
        return merge_shards(out_dir, progress=progress)
    return None
