"""Join the real detector -> 2D pose -> depth pipeline, run on a dataset's own media, to its 3D ground truth.

For every ground-truth row (one per annotated person and frame) the media frame with the **same timestamp**
(:mod:`auglift_hf.data.media`) goes through :class:`~auglift_hf.preprocess.extractor.XYCDExtractor` and the
result is written next to the row's ``keypoints_3d``:

* ``detected2d`` config: the associated detection's H36M-17 ``keypoints_2d`` (COCO-17 mapped with AugLift's rule),
  ``keypoint_scores`` and depth descriptors sampled at those keypoints;
* ``gt2d`` config: the ground-truth 2D with depth descriptors sampled at the ground-truth 2D from the **same**
  depth map (AugLift's ``gt2d`` + depth inputs).

**Association** (which detection is the annotated person): the ground-truth box is the bounding box of the
projected ground-truth joints. ``association="iou"`` (default) matches detections to annotated people greedily by
box IoU (highest first, each used once; below ``min_score`` = no match); ``"oks"`` by COCO's object keypoint
similarity ``mean_j exp(-d_j^2 / (2 s^2 k^2))`` with ``s^2`` the ground-truth box area and ``k = 0.1`` for every
joint (COCO's per-joint constants are defined for COCO joints only); ``"gt-box"`` skips the detector and prompts
the pose model with the ground-truth box enlarged by ``gt_box_margin`` pixels per side and clipped to the image
(AugLift's 3DPW script: ``keypoints_to_bboxes(gt_keypoints, image_shape, margin=150)``). Multi-person frames
(3DPW) give one row per annotated person; an unmatched person is kept with ``valid=False``. (AugLift's own
detection mode keeps, among RTMDet person boxes above its thresholds
(:data:`auglift_hf.preprocess.detector.AUGLIFT_DETECTION`), the pose with the highest mean keypoint score, without
looking at the ground truth; associating by IoU / OKS keeps a bystander's pose out of the table, which that rule
does not.)

Rows that cannot be joined stay in the table with ``valid=False`` and an ``invalid_reason``
(:data:`~auglift_hf.data.media.REASONS`); the dataset card counts them by reason, and records the backends, the
depth kind, descriptor parameters, the alignment and the association rule as the lifter input contract.

Runs are **sharded and resumable** like ``auglift preprocess`` (:mod:`auglift_hf.preprocess.sharding`):
``out/plan.json`` fixes the inputs and settings, ``out/shards/shard-*.npz`` are written atomically per block of
``shard_size`` media frames, a re-run skips finished shards and refuses a different plan, and under
``accelerate launch`` rank ``r`` of ``n`` processes shards ``r, r + n, ...`` before the main process merges.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..preprocess.detector import box_iou
from ..skeleton import NUM_JOINTS
from .media import REASON_CODE, REASONS, Media, align_to_media, gt_timestamps, read_media_frames
from .schema import DETECTED2D_CONFIG, GT2D_CONFIG, SequenceRecord

logger = logging.getLogger(__name__)

ASSOCIATIONS = ("iou", "oks", "gt-box")
#: AugLift's margin around the ground-truth box for GT-box-prompted 2D pose (its 3DPW depth script).
AUGLIFT_GT_BOX_MARGIN = 150.0
OKS_K = 0.1
PLAN_FILE = "plan.json"
SHARD_DIR = "shards"
#: Columns added to the canonical schema by the join.
JOIN_COLUMNS: tuple[str, ...] = (
    "timestamp", "media_frame", "media_timestamp", "bbox", "bbox_score", "association_score", "depth_valid",
    "invalid_reason",
)  # fmt: skip


# --------------------------------------------------------------------------------------------------------
# boxes and association
# --------------------------------------------------------------------------------------------------------


def keypoint_boxes(keypoints: np.ndarray, image_size: tuple[int, int], margin: float = 0.0) -> np.ndarray:
    """``(P, 17, 2)`` pixels -> ``(P, 4)`` xyxy boxes enlarged by ``margin`` px per side, clipped to the image."""
    kp = np.asarray(keypoints, np.float64).reshape(-1, NUM_JOINTS, 2)
    w, h = image_size
    lo, hi = kp.min(1) - margin, kp.max(1) + margin
    return np.concatenate([np.clip(lo, 0, [w - 1, h - 1]), np.clip(hi, 0, [w - 1, h - 1])], -1)


def keypoint_similarity(gt: np.ndarray, det: np.ndarray, area: np.ndarray, k: float = OKS_K) -> np.ndarray:
    """OKS of ``(P, 17, 2)`` ground truth and ``(D, 17, 2)`` detections with ``(P,)`` box areas -> ``(P, D)``."""
    d2 = ((np.asarray(gt)[:, None] - np.asarray(det)[None]) ** 2).sum(-1)
    s2 = np.maximum(np.asarray(area, np.float64), 1.0)[:, None, None]
    return np.exp(-d2 / (2.0 * s2 * k**2)).mean(-1)


def associate(score: np.ndarray, min_score: float) -> np.ndarray:
    """Greedy one-to-one matching on a ``(P, D)`` score matrix: ``(P,)`` detection index or ``-1``."""
    p, d = score.shape
    match = np.full(p, -1, np.int64)
    if p == 0 or d == 0:
        return match
    order = np.argsort(-score, axis=None, kind="stable")
    used_p, used_d = np.zeros(p, bool), np.zeros(d, bool)
    for flat in order:
        i, j = divmod(int(flat), d)
        if score[i, j] < min_score:
            break
        if not used_p[i] and not used_d[j]:
            match[i], used_p[i], used_d[j] = j, True, True
    return match


class PromptedBoxes:
    """A "detector" returning given boxes (ground-truth boxes + margin), for GT-box-prompted 2D pose.

    Set the boxes of the next batch with :meth:`set_boxes`; scores decrease with the given order so the extractor's
    score ranking keeps that order (row ``k`` of a frame = prompt ``k``).
    """

    def __init__(self, margin: float):
        self.margin = float(margin)
        self.checkpoint = f"ground-truth box + {self.margin:g} px margin"
        self._boxes: list[np.ndarray] = []

    def set_boxes(self, boxes: list[np.ndarray]) -> None:
        self._boxes = [np.asarray(b, np.float32).reshape(-1, 4) for b in boxes]

    def __call__(self, images: list[np.ndarray]) -> list[Any]:
        from ..preprocess.detector import Detections

        if len(self._boxes) != len(images):
            raise ValueError(f"PromptedBoxes: {len(self._boxes)} box sets for {len(images)} images")
        return [Detections(b, 1.0 - 1e-3 * np.arange(len(b))) for b in self._boxes]


# --------------------------------------------------------------------------------------------------------
# plan: which media frame each ground-truth row needs
# --------------------------------------------------------------------------------------------------------


class JoinPlan:
    """Ground-truth rows -> media frames ("jobs": one per distinct media frame, with the rows that need it).

    Args:
        records: ground-truth sequences (several persons of one sequence share its media).
        medias: ``{media key: Media}`` with ``media_key(record)`` -> key.
        gt_rates: per record, the rate (Hz) at which its ``frame_index`` counts (timestamps ``frame_index / rate``).
    """

    def __init__(self, records: list[SequenceRecord], medias: dict, media_keys: list, gt_rates: list[float]):
        self.records, self.medias, self.media_keys = records, medias, media_keys
        self.media_order = sorted(medias)
        self.times = [gt_timestamps(r.frame_index, rate) for r, rate in zip(records, gt_rates)]
        self.reason = []  # per record (n,) reason code before processing
        self.media_frame = []
        jobs: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for ri, rec in enumerate(records):
            media = medias[media_keys[ri]]
            idx, reason = align_to_media(self.times[ri], media)
            reason = np.where(rec.valid, reason, REASON_CODE["annotation_invalid"])
            self.reason.append(reason)
            self.media_frame.append(idx)
            m = self.media_order.index(media_keys[ri])
            for row in np.flatnonzero(reason == 0):
                jobs.setdefault((m, int(idx[row])), []).append((ri, int(row)))
        self.job_keys = sorted(jobs)
        self.job_members = [jobs[k] for k in self.job_keys]

    def __len__(self) -> int:
        return len(self.job_keys)

    def digest(self) -> str:
        """Hash of the ground truth and the job list (a resumed run must see the same)."""
        h = hashlib.sha256()
        for rec, t in zip(self.records, self.times):
            h.update(repr(rec.sort_key).encode())
            h.update(np.ascontiguousarray(rec.keypoints_3d).tobytes())
            h.update(np.ascontiguousarray(t).tobytes())
        h.update(np.asarray(self.job_keys, np.int64).tobytes())
        return h.hexdigest()

    def media_without_gt(self) -> int:
        """Media frames no ground-truth row asked for (e.g. the odd frames of a 50 fps video at 25 Hz)."""
        used: dict[int, int] = {}
        for m, _ in self.job_keys:
            used[m] = used.get(m, 0) + 1
        return int(sum(max(self.medias[k].num_frames - used.get(i, 0), 0) for i, k in enumerate(self.media_order)))


# --------------------------------------------------------------------------------------------------------
# processing
# --------------------------------------------------------------------------------------------------------


def _join_extractor(extractor: Any, association: str, margin: float) -> tuple[Any, PromptedBoxes | None]:
    """The user's extractor backends with every person kept (association needs all candidates)."""
    from ..preprocess.extractor import XYCDExtractor

    prompt = PromptedBoxes(margin) if association == "gt-box" else None
    joined = XYCDExtractor(
        detector=prompt if prompt is not None else extractor.detector, pose_estimator=extractor.pose_estimator,
        depth_estimator=extractor.depth_estimator, depth_mode=extractor.depth_mode,
        depth_params=extractor.depth_params, multi_person=True, device=extractor.device, dtype=extractor.dtype,
    )  # fmt: skip
    return joined, prompt


class _ShardResult:
    """Per processed ground-truth row results of one shard (saved as one ``.npz``)."""

    FIELDS = {
        "rec": ((), np.int32), "row": ((), np.int32), "media_time": ((), np.float64),
        "det_kp": ((NUM_JOINTS, 2), np.float32), "det_sc": ((NUM_JOINTS,), np.float32),
        "det_depth": (None, np.float32), "det_depth_valid": ((NUM_JOINTS,), bool),
        "gt_depth": (None, np.float32), "gt_depth_valid": ((NUM_JOINTS,), bool),
        "bbox": ((4,), np.float32), "bbox_score": ((), np.float32), "assoc": ((), np.float32),
        "reason_det": ((), np.int8), "reason_gt": ((), np.int8),
    }  # fmt: skip

    def __init__(self, k: int):
        self.k = k
        self.parts: dict[str, list[np.ndarray]] = {f: [] for f in self.FIELDS}

    def add(self, **arrays: Any) -> None:
        for f, (shape, dtype) in self.FIELDS.items():
            shape = (NUM_JOINTS, self.k) if shape is None else shape
            self.parts[f].append(np.asarray(arrays[f], dtype).reshape(-1, *shape))

    def arrays(self) -> dict[str, np.ndarray]:
        out = {}
        for f, (shape, dtype) in self.FIELDS.items():
            shape = (NUM_JOINTS, self.k) if shape is None else shape
            out[f] = np.concatenate(self.parts[f]) if self.parts[f] else np.zeros((0, *shape), dtype)
        return out


def _process_batch(
    batch: list[tuple[int, np.ndarray, float]], plan: JoinPlan, extractor: Any, prompt: PromptedBoxes | None,
    association: str, min_score: float, result: _ShardResult,
) -> None:  # fmt: skip
    """Run the extractor on ``[(job, image, media time)]`` and record every member row's result."""
    import torch

    from ..features import sample_depth

    k = len(extractor.depth_channels)
    members = [plan.job_members[j] for j, _, _ in batch]
    gt_kp = [np.stack([plan.records[r].keypoints_2d[row] for r, row in mem]) for mem in members]
    sizes = [(im.shape[1], im.shape[0]) for _, im, _ in batch]
    gt_boxes = [keypoint_boxes(kp, size) for kp, size in zip(gt_kp, sizes)]
    # a person whose projected box lies outside the image cannot be seen
    inside = [((b[:, 2] > b[:, 0]) & (b[:, 3] > b[:, 1])) for b in gt_boxes]
    if prompt is not None:
        prompt.set_boxes([keypoint_boxes(kp[ok], size, prompt.margin) for kp, ok, size in zip(gt_kp, inside, sizes)])
    out = extractor([im for _, im, _ in batch], return_depth_maps=extractor.depth_estimator is not None)
    maps = out.get("depth_maps")
    for b, ((_, _, t_media), mem) in enumerate(zip(batch, members)):
        rows = np.flatnonzero((out["frame"] == b) & out["valid"])
        p = len(mem)
        match = np.full(p, -1, np.int64)
        score = np.zeros(p, np.float32)
        reason = np.zeros(p, np.int64)
        sel = np.flatnonzero(inside[b])
        if prompt is not None:
            match[sel[: len(rows)]] = rows[: len(sel)]
            score[sel] = 1.0
        elif len(rows):
            gt_b = gt_boxes[b][sel]
            if association == "oks":
                area = np.prod(gt_b[:, 2:] - gt_b[:, :2], -1)
                s = keypoint_similarity(gt_kp[b][sel], out["keypoints_2d"][rows], area)
            else:
                s = box_iou(gt_b, out["bbox"][rows])
            m = associate(s, min_score)
            match[sel] = np.where(m >= 0, rows[np.maximum(m, 0)], -1)
            score[sel] = np.where(m >= 0, s[np.arange(len(sel)), np.maximum(m, 0)], s.max(1, initial=0.0))
        reason[match < 0] = REASON_CODE["no_match" if len(rows) else "no_detection"]
        reason[~inside[b]] = REASON_CODE["outside_image"]
        hit = np.maximum(match, 0)
        ok = match >= 0
        gt_depth = np.zeros((p, NUM_JOINTS, k), np.float32)
        gt_depth_valid = np.zeros((p, NUM_JOINTS), bool)
        if maps is not None and k:
            stack = torch.from_numpy(np.asarray(maps[b], np.float32))[None].expand(p, -1, -1)
            d, dv = sample_depth(
                stack, torch.from_numpy(gt_kp[b].astype(np.float32)), torch.ones(p, NUM_JOINTS),
                mode=extractor.depth_mode, return_valid=True, **extractor.depth_params,
            )  # fmt: skip
            gt_depth, gt_depth_valid = torch.nan_to_num(d.float()).numpy(), dv.numpy()

        def pad(key: str, shape: tuple, dt: Any, ok: np.ndarray = ok, hit: np.ndarray = hit) -> np.ndarray:
            a = out[key]
            if not len(a):
                return np.zeros((len(ok), *shape), dt)
            return np.where(ok.reshape((-1,) + (1,) * (a.ndim - 1)), a[hit], 0)

        result.add(
            rec=[r for r, _ in mem], row=[row for _, row in mem], media_time=np.full(p, t_media),
            det_kp=pad("keypoints_2d", (NUM_JOINTS, 2), np.float32),
            det_sc=pad("keypoint_scores", (NUM_JOINTS,), np.float32),
            det_depth=pad("depth", (NUM_JOINTS, k), np.float32),
            det_depth_valid=pad("depth_valid", (NUM_JOINTS,), bool), gt_depth=gt_depth,
            gt_depth_valid=gt_depth_valid, bbox=pad("bbox", (4,), np.float32),
            bbox_score=pad("bbox_score", (), np.float32), assoc=score, reason_det=reason,
            reason_gt=np.where(inside[b], 0, REASON_CODE["outside_image"]),
        )  # fmt: skip


def process_shard(
    plan: JoinPlan, jobs: range, extractor: Any, prompt: PromptedBoxes | None, *, association: str,
    min_score: float, batch_size: int, bar: Any = None,
) -> dict[str, np.ndarray]:  # fmt: skip
    """Decode the media frames of ``jobs`` (grouped per media, in order), run them in batches, check timestamps."""
    result = _ShardResult(len(extractor.depth_channels))
    pending: list[tuple[int, np.ndarray, float]] = []
    by_media: dict[int, list[int]] = {}
    for j in jobs:
        by_media.setdefault(plan.job_keys[j][0], []).append(j)
    for m, js in by_media.items():
        media = plan.medias[plan.media_order[m]]
        job_of = {plan.job_keys[j][1]: j for j in js}
        for idx, image, t_media, error in read_media_frames(media, sorted(job_of)):
            j = job_of[idx]
            mem = plan.job_members[j]
            t_gt = plan.times[mem[0][0]][mem[0][1]]
            bad = "unreadable_frame" if image is None else ""
            if not bad and abs(t_media - t_gt) > 0.5 * media.frame_period + 1e-6:
                bad = "timestamp_mismatch"
            if bad:
                if error:
                    logger.warning("%s", error)
                p = len(mem)
                code = np.full(p, REASON_CODE[bad])
                k = result.k
                result.add(
                    rec=[r for r, _ in mem], row=[row for _, row in mem], media_time=np.full(p, t_media),
                    det_kp=np.zeros((p, NUM_JOINTS, 2)), det_sc=np.zeros((p, NUM_JOINTS)),
                    det_depth=np.zeros((p, NUM_JOINTS, k)), det_depth_valid=np.zeros((p, NUM_JOINTS), bool),
                    gt_depth=np.zeros((p, NUM_JOINTS, k)), gt_depth_valid=np.zeros((p, NUM_JOINTS), bool),
                    bbox=np.zeros((p, 4)), bbox_score=np.zeros(p), assoc=np.zeros(p), reason_det=code, reason_gt=code,
                )  # fmt: skip
            else:
                pending.append((j, image, t_media))
            if len(pending) == batch_size:
                _process_batch(pending, plan, extractor, prompt, association, min_score, result)
                pending = []
            if bar is not None:
                bar.update(1)
    if pending:
        _process_batch(pending, plan, extractor, prompt, association, min_score, result)
    return result.arrays()


# --------------------------------------------------------------------------------------------------------
# run, merge, card
# --------------------------------------------------------------------------------------------------------


def _shard_path(out_dir: Path, k: int) -> Path:
    return out_dir / SHARD_DIR / f"shard-{k:06d}.npz"


def _load_or_create_plan(out_dir: Path, plan: dict[str, Any], overwrite: bool) -> None:
    """Store the plan (first run) or check it equals the stored one (resume).

    ``out_dir`` must be new, empty or an earlier join run with the same plan; anything else raises
    :class:`~auglift_hf.errors.OutputError` naming it, unless ``overwrite`` (an earlier run's shards are discarded;
    a folder that is not a join run is deleted, as ``auglift convert --overwrite`` does).
    """
    import shutil

    from ..errors import OutputError
    from ..preprocess.provenance import check_resume
    from ..utils.io import atomic_write_file

    path = out_dir / PLAN_FILE
    if path.exists() and not overwrite:
        check_resume(json.loads(path.read_text()), plan, path, OutputError)  # one line naming the difference
        return
    if not path.exists() and (out_dir.exists() or out_dir.is_symlink()):
        empty = out_dir.is_dir() and not out_dir.is_symlink() and not any(out_dir.iterdir())
        if not empty and not overwrite:
            raise OutputError(
                f"--out {out_dir} exists and is not an earlier join run (no {PLAN_FILE}); choose another folder or "
                "pass --overwrite to replace it"
            )
        if not empty:
            if out_dir.is_dir() and not out_dir.is_symlink():
                shutil.rmtree(out_dir)
            else:
                out_dir.unlink()
    out_dir.mkdir(parents=True, exist_ok=True)
    if overwrite and (out_dir / SHARD_DIR).exists():
        for f in (out_dir / SHARD_DIR).glob("shard-*.npz"):
            f.unlink()
    with atomic_write_file(path, "w") as fh:
        json.dump(plan, fh, indent=1)


def describe_depth_params(extractor: Any) -> dict[str, Any]:
    """The descriptor parameters actually used: :func:`~auglift_hf.features.sample_depth` defaults + overrides."""
    import inspect

    from ..features import sample_depth

    sig = inspect.signature(sample_depth).parameters
    skip = {"depth", "keypoints", "scores", "mode", "return_valid", "summary", "fill_value"}
    params = {k: v.default for k, v in sig.items() if k not in skip and v.default is not inspect.Parameter.empty}
    params.update(extractor.depth_params)
    return {"mode": extractor.depth_mode, **params}


def join_contract(extractor: Any, config: str) -> dict[str, Any]:
    """The lifter input contract (:class:`auglift_hf.contract.InputContract`) of one config of the joined table.

    ``depth_descriptor`` holds the parameters the extractor really used (:func:`describe_depth_params`, in the
    contract's spelling: ``seed`` -> ``pattern_seed``); ``keypoint_definition`` is ``"coco"`` for ``detected2d``
    (COCO-17 detections mapped to H36M-17) and ``"h36m"`` for ``gt2d``.
    """
    from ..contract import InputContract, default_descriptor

    kp = "coco" if config == DETECTED2D_CONFIG else "h36m"
    own = getattr(extractor, "input_contract", None)
    if callable(own):  # extractors that state their own contract (descriptor as they sample it)
        return {**own().to_dict(), "keypoint_definition": kp}
    depth = extractor.depth_estimator
    descriptor = None
    if depth is not None:
        params = describe_depth_params(extractor)
        mode, num = params.pop("mode"), int(params.pop("num_samples"))
        if "seed" in params:
            params["pattern_seed"] = params.pop("seed")
        if params.get("interpolation") is None:
            params.pop("interpolation", None)
        descriptor = default_descriptor(mode=mode, num_samples=num, **params)
    contract = InputContract(
        depth_kind=None if depth is None else str(getattr(depth, "kind", "relative")),
        depth_model=None if depth is None else str(getattr(depth, "checkpoint", None) or type(depth).__name__),
        depth_descriptor=descriptor,
        keypoint_definition=kp,
    )
    return contract.to_dict()


def run_join(
    records: list[SequenceRecord],
    medias: dict,
    media_keys: list,
    gt_rates: list[float],
    out_dir: str | os.PathLike,
    extractor: Any,
    *,
    dataset_name: str,
    association: str = "iou",
    min_score: float = 0.3,
    gt_box_margin: float = AUGLIFT_GT_BOX_MARGIN,
    batch_size: int = 8,
    shard_size: int = 256,
    card: dict[str, Any] | None = None,
    overwrite: bool = False,
    progress: bool = True,
    rank: int | None = None,
    world_size: int | None = None,
) -> dict[str, dict[str, int]] | None:
    """Plan, process this rank's missing shards, and (main process) merge into ``gt2d`` + ``detected2d``.

    Returns ``{config: {split: rows}}`` on the main process, ``None`` on other ranks.
    """
    from tqdm.auto import tqdm

    from ..preprocess.sharding import distributed_context, rank_shards
    from ..utils.io import atomic_write_file

    if association not in ASSOCIATIONS:
        raise ValueError(f"`association` must be one of {ASSOCIATIONS}, got {association!r}")
    if batch_size < 1 or shard_size < 1:
        raise ValueError(f"`batch_size` and `shard_size` must be >= 1, got {batch_size}, {shard_size}")
    if not records:
        raise ValueError(f"{dataset_name}: no ground-truth sequences to join (check the inputs and --subjects)")
    out_dir = Path(out_dir)
    barrier: Callable[[], None] = lambda: None  # noqa: E731
    if rank is None or world_size is None:
        rank, world_size, barrier = distributed_context()
    plan = JoinPlan(records, medias, media_keys, gt_rates)
    joined, prompt = _join_extractor(extractor, association, gt_box_margin)
    num_shards = -(-len(plan) // shard_size)
    settings = {
        "version": 1,
        "dataset": dataset_name,
        "ground_truth": plan.digest(),
        "media": [medias[k].to_dict() for k in plan.media_order],
        "extractor": {**extractor.describe(), "depth_params": describe_depth_params(extractor)},
        "association": association,
        "min_score": min_score,
        "gt_box_margin": gt_box_margin if association == "gt-box" else None,
        "shard_size": shard_size,
        "num_jobs": len(plan),
    }
    if rank == 0:
        _load_or_create_plan(out_dir, settings, overwrite)
    barrier()
    if rank != 0:
        _load_or_create_plan(out_dir, settings, False)
    (out_dir / SHARD_DIR).mkdir(parents=True, exist_ok=True)
    mine = [k for k in rank_shards(num_shards, rank, world_size) if not _shard_path(out_dir, k).exists()]
    total = sum(len(range(k * shard_size, min((k + 1) * shard_size, len(plan)))) for k in mine)
    desc = f"{dataset_name} join" + ("" if world_size == 1 else f" [rank {rank}/{world_size}]")
    with tqdm(total=total, desc=desc, unit="frame", disable=not progress, position=rank) as bar:
        for k in mine:
            jobs = range(k * shard_size, min((k + 1) * shard_size, len(plan)))
            arrays = process_shard(
                plan, jobs, joined, prompt, association=association, min_score=min_score, batch_size=batch_size,
                bar=bar,
            )  # fmt: skip
            with atomic_write_file(_shard_path(out_dir, k)) as fh:
                np.savez(fh, **arrays, rank=np.int32(rank), world_size=np.int32(world_size))
    barrier()
    if rank != 0:
        return None
    return merge_join(plan, out_dir, extractor, num_shards, dataset_name=dataset_name, settings=settings,
                      card=card, progress=progress)  # fmt: skip


def _features(channels: Sequence[str]) -> Any:
    from datasets import List, Value

    from .schema import frame_features

    feats = frame_features(channels)
    f32 = Value("float32")
    feats.update({
        "timestamp": Value("float64"), "media_frame": Value("int32"), "media_timestamp": Value("float64"),
        "bbox": List(f32, length=4), "bbox_score": f32, "association_score": f32,
        "depth_valid": List(Value("bool"), length=NUM_JOINTS), "invalid_reason": Value("string"),
    })  # fmt: skip
    return feats


def merge_join(
    plan: JoinPlan, out_dir: Path, extractor: Any, num_shards: int, *, dataset_name: str, settings: dict[str, Any],
    card: dict[str, Any] | None = None, progress: bool = True,
) -> dict[str, dict[str, int]]:  # fmt: skip
    """All shards + the ground truth -> ``out/{gt2d,detected2d}/{split}-*.parquet`` and ``out/README.md``."""
    import shutil
    import tempfile

    import pyarrow as pa
    import pyarrow.parquet as pq

    from .card import write_dataset_card
    from .schema import _fixed, record_to_arrow

    missing = [k for k in range(num_shards) if not _shard_path(out_dir, k).exists()]
    if missing:
        raise ValueError(
            f"{out_dir}: {len(missing)} shards not processed yet (first: {missing[:5]}); re-run to resume"
        )
    channels = tuple(extractor.depth_channels)
    k = len(channels)
    recs = plan.records
    n = [r.num_frames for r in recs]
    state = {
        "det_kp": [np.zeros((m, NUM_JOINTS, 2), np.float32) for m in n],
        "det_sc": [np.zeros((m, NUM_JOINTS), np.float32) for m in n],
        "det_depth": [np.zeros((m, NUM_JOINTS, k), np.float32) for m in n],
        "det_depth_valid": [np.zeros((m, NUM_JOINTS), bool) for m in n],
        "gt_depth": [np.zeros((m, NUM_JOINTS, k), np.float32) for m in n],
        "gt_depth_valid": [np.zeros((m, NUM_JOINTS), bool) for m in n],
        "bbox": [np.zeros((m, 4), np.float32) for m in n],
        "bbox_score": [np.zeros(m, np.float32) for m in n],
        "assoc": [np.zeros(m, np.float32) for m in n],
        "media_time": [np.full(m, np.nan) for m in n],
        "reason_det": [r.copy() for r in plan.reason],
        "reason_gt": [r.copy() for r in plan.reason],
    }
    seen = [np.zeros(m, bool) for m in n]
    for s in range(num_shards):
        with np.load(_shard_path(out_dir, s), allow_pickle=False) as z:
            a = {f: z[f] for f in z.files}
        for ri in np.unique(a["rec"]):
            sel = a["rec"] == ri
            rows = a["row"][sel]
            if seen[ri][rows].any():
                raise ValueError(f"{out_dir}: ground-truth row processed twice (record {ri}); delete the shards")
            seen[ri][rows] = True
            for f in state:
                state[f][ri][rows] = a[f][sel]
    for ri, rec in enumerate(recs):
        todo = plan.reason[ri] == 0
        if (todo & ~seen[ri]).any():
            raise ValueError(f"{out_dir}: rows of {rec.sort_key} missing from the shards; delete them and re-run")

    counts: dict[str, dict[str, int]] = {GT2D_CONFIG: {}, DETECTED2D_CONFIG: {}}
    dropped: dict[str, dict[str, int]] = {GT2D_CONFIG: {}, DETECTED2D_CONFIG: {}}
    splits = sorted({r.split for r in recs}, key=lambda s: (s != "train", s))
    order = sorted(range(len(recs)), key=lambda i: recs[i].sort_key)
    tmp = Path(tempfile.mkdtemp(prefix=".merge.", dir=out_dir))
    try:
        for config in (GT2D_CONFIG, DETECTED2D_CONFIG):
            det = config == DETECTED2D_CONFIG
            pre = "det" if det else "gt"
            (tmp / config).mkdir()
            for split in splits:
                tables = []
                for ri in (i for i in order if recs[i].split == split):
                    rec = copy.copy(recs[ri])
                    reason = state[f"reason_{pre}"][ri]
                    rec.valid = reason == 0
                    if det:
                        rec.detected_2d, rec.detected_scores = state["det_kp"][ri], state["det_sc"][ri]
                    depth = state[f"{pre}_depth"][ri]
                    t = record_to_arrow(rec, channels, detected=det, depth=depth if k else None)
                    mframe = np.where(reason == 0, plan.media_frame[ri], -1).astype(np.int32)
                    extra = {
                        "timestamp": pa.array(plan.times[ri]),
                        "media_frame": pa.array(mframe),
                        "media_timestamp": pa.array(np.where(reason == 0, state["media_time"][ri], np.nan)),
                        "bbox": _fixed(
                            state["bbox"][ri] if det else keypoint_boxes(rec.keypoints_2d, rec.image_size), 4
                        ),
                        "bbox_score": pa.array(state["bbox_score"][ri] if det else rec.valid.astype(np.float32)),
                        "association_score": pa.array(state["assoc"][ri].astype(np.float32)),
                        "depth_valid": pa.FixedSizeListArray.from_arrays(
                            pa.array(state[f"{pre}_depth_valid"][ri].reshape(-1)), NUM_JOINTS
                        ),
                        "invalid_reason": pa.array([REASONS[c] for c in reason], pa.string()),
                    }
                    for name, col in extra.items():
                        t = t.append_column(name, col)
                    tables.append(t)
                    for c in reason[reason != 0]:
                        dropped[config][REASONS[c]] = dropped[config].get(REASONS[c], 0) + 1
                table = pa.concat_tables(tables).cast(_features(channels).arrow_schema)
                pq.write_table(table, tmp / config / f"{split}-00000-of-00001.parquet")
                counts[config][split] = table.num_rows
        info = dict(card or {})
        ext = settings["extractor"]
        contract = {c: join_contract(extractor, c) for c in (DETECTED2D_CONFIG, GT2D_CONFIG)}
        info.update({
            "depth_source": f"{ext['depth_estimator']} ({ext['depth_kind']} depth), {extractor.depth_mode} descriptors"
            if extractor.depth_estimator is not None else None,
            "detector": ext["detector"] if settings["association"] != "gt-box" else settings["extractor"]["detector"]
            + " (not used: ground-truth boxes prompt the pose model)",
            "pose_model": ext["pose_estimator"],
            "depth_model": f"{ext['depth_estimator']} (kind: {ext['depth_kind']})",
            "depth_descriptor": json.dumps(ext["depth_params"], sort_keys=True),
            "alignment": "by timestamp: ground-truth row t = frame_index / annotation rate; the media frame whose own "
            "timestamp (decoded presentation time for videos, number / fps for image sequences) is within half a "
            f"media frame of t; {plan.media_without_gt():,} media frames were joined to no valid row and skipped",
            "association": _association_text(settings),
            "dropped_rows": json.dumps(dropped, sort_keys=True),
            "lifter_input_contract": json.dumps(contract, sort_keys=True),
        })  # fmt: skip
        # one entry for the table (both configs share the depth fields), the keypoint definition per config as
        # auglift_hf.data.schema's tables write it (``keypoint_definition`` = the gt2d one)
        entry = {
            **contract[GT2D_CONFIG],
            "keypoint_definition_by_config": {
                c: contract[c]["keypoint_definition"] for c in (GT2D_CONFIG, DETECTED2D_CONFIG)
            },
        }
        provenance = {
            "association": settings["association"], "min_score": settings["min_score"],
            "gt_box_margin": settings["gt_box_margin"], "dropped_rows": dropped,
            "media_frames_without_ground_truth": plan.media_without_gt(),
            "backends": {key: ext[key] for key in ("detector", "pose_estimator", "depth_estimator", "depth_kind")},
            "backend_provenance": ext.get("backends"),  # revision, dtype, input size, thresholds, max_depth
        }  # fmt: skip
        write_dataset_card(
            tmp, dataset_name=dataset_name, counts=counts, features=_features(channels), depth_channels=channels,
            info=info, contract=json.loads(json.dumps(entry)),
            extra_metadata={"auglift_join": json.loads(json.dumps(provenance))},
        )  # fmt: skip
        for name in (GT2D_CONFIG, DETECTED2D_CONFIG, "README.md"):
            dest = out_dir / name
            if dest.is_dir():
                shutil.rmtree(dest)
            os.replace(tmp / name, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return counts


def _association_text(settings: dict[str, Any]) -> str:
    a = settings["association"]
    if a == "gt-box":
        return (
            f"ground-truth box (projected joints) + {settings['gt_box_margin']:g} px per side, clipped to the image, "
            "prompts the pose model (AugLift's 3DPW protocol); one row per annotated person"
        )
    rule = "box IoU" if a == "iou" else f"OKS (k = {OKS_K} for every joint, s^2 = ground-truth box area)"
    return (
        f"greedy one-to-one matching of detections to annotated people by {rule} against the projected ground-truth "
        f"box, minimum {settings['min_score']:g}; one row per annotated person"
    )


def read_join_card(folder: str | os.PathLike) -> dict[str, Any]:
    """The YAML front matter of a joined table's README (``auglift_input_contract`` with its
    ``keypoint_definition_by_config``, ``auglift_join`` provenance)."""
    import yaml

    path = Path(folder) / "README.md"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no dataset card")
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        raise ValueError(f"{path}: no YAML front matter")
    return yaml.safe_load(text.split("---\n", 2)[1])


# --------------------------------------------------------------------------------------------------------
# per-dataset entry point
# --------------------------------------------------------------------------------------------------------


#: Datasets whose annotation holds one row per video frame, so a video's own rate must equal the annotation rate
#: (3DHP training ``annot.mat``; Fit3D ``joints3d_25``). Human3.6M's 25 Hz files take every 2nd frame of the
#: 50 fps videos, and its rate is checked against the frame counts instead (:func:`auglift_hf.data.media.resolve_h36m_videos`).
ONE_ROW_PER_VIDEO_FRAME = ("mpi_inf_3dhp", "fit3d")


def container_rate_contradictions(
    records: list[SequenceRecord], medias: dict, keys: list, rates: list[float]
) -> dict[tuple, str]:  # fmt: skip
    """``{media key: one line}`` for each video whose measured rate (its decoded timestamps) disagrees with its
    annotation rate."""
    from ..contract import rates_agree

    out = {}
    for rec, key, rate in zip(records, keys, rates):
        media = medias[key]
        if key in out or media.error or media.kind != "video":
            continue
        if not rates_agree(media.measured_fps, rate):
            out[key] = (
                f"{media.path}: {rec.subject}/{rec.action} is annotated at {rate:g} fps, one row per video frame "
                f"({rec.source}), but the video runs at {media.measured_fps:g} fps; its rows cannot be joined to it"
            )
    return out


def _names_by_sequence(annotations: str | os.PathLike, dataset: str) -> dict[tuple[str, str, str], list[str]]:
    """MMPose ``imgname`` grouped by the (subject, action, camera) key its reader gives the sequence."""
    from .npz import load_mmpose_annotations

    names, _, _ = load_mmpose_annotations(annotations)
    groups: dict[tuple[str, str, str], list[str]] = {}
    for x in names:
        x = str(x)
        if dataset == "h36m":
            from .h36m import parse_imgname

            s, a, c, _ = parse_imgname(x)
            key = (s, a, c)
        else:
            from .mpi_inf_3dhp import _MMPOSE_NAME

            m = _MMPOSE_NAME.match(os.path.basename(x))
            if m is None:
                raise ValueError(f"{annotations}: cannot parse image name {x!r}")
            key = (m["ts"], m["ts"], "0") if m["ts"] else (m["subject"], m["seq"], m["cam"])
        groups.setdefault(key, []).append(x)
    return groups


@dataclasses.dataclass
class PreparedJoin:
    """Ground truth read and media located (:func:`prepare_join`), before any model runs.

    ``records`` / ``keys`` (media key per record) / ``rates`` (native annotation rate per record, Hz) / ``medias``;
    ``name``: the table's dataset name; ``how``: the card's provenance sentence; ``joined_by_name``: image files
    matched by annotation name; ``rate_contradictions``: ``{media key: one line}`` per video whose measured rate contradicts its
    one-row-per-frame annotation; ``h36m_videos``: the Human3.6M name / rate resolution (else ``None``).
    """

    records: list[SequenceRecord]
    keys: list[tuple[str, str, str]]
    rates: list[float]
    medias: dict[tuple[str, str, str], Media]
    name: str
    how: str
    joined_by_name: bool
    rate_contradictions: dict[tuple[str, str, str], str]
    h36m_videos: Any = None


def prepare_join(
    dataset: str,
    *,
    source: str | os.PathLike | None = None,
    annotations: str | os.PathLike | None = None,
    positions_3d: str | os.PathLike | None = None,
    cameras: Any = None,
    images: str | os.PathLike | None = None,
    videos: str | os.PathLike | None = None,
    subjects: Sequence[str] | None = None,
    test_subjects: Sequence[str] | None = None,
    max_frames: int | None = None,
    stride: int = 1,
    fps: float | None = None,
    unknown_subject_split: str | None = None,
) -> PreparedJoin:
    """Read a dataset's ground truth and locate the media of every sequence (arguments of :func:`build_xycd_table`).

    Raises for what the join refuses before looking at the media frames (bad options, a Human3.6M file whose frame
    counts contradict its rate); a video whose rate contradicts its annotation is listed, not raised.
    """
    from . import media as M

    if images is not None and videos is not None:
        raise ValueError("give one media option: --images <folder> or --videos <dataset root>, not both")
    if test_subjects is not None and dataset != "fit3d":
        raise ValueError("--test-subjects applies to fit3d only")
    if (unknown_subject_split is not None or fps is not None) and dataset != "h36m":
        raise ValueError("--unknown-subject-split / --fps apply to h36m only")
    names = None
    h36m_videos = None
    if dataset == "h36m":
        from .h36m import load_positions_3d, parse_imgname, read_h36m_mmpose, read_h36m_positions_3d

        if not cameras:
            raise ValueError("h36m needs --cameras cameras.pkl")
        if (positions_3d is None) == (annotations is None):
            raise ValueError(
                "h36m needs exactly one of --annotations (MMPose npz) and --positions-3d (VideoPose3D npz)"
            )
        if annotations is not None:
            if fps is not None and fps != M.H36M_VIDEO_FPS:
                raise ValueError(
                    f"--fps {fps:g}: MMPose image names count 50 fps video frames (--fps is for --positions-3d)"
                )
            rate = M.H36M_VIDEO_FPS  # imgname numbers are 50 fps video frames
            if videos is not None:
                from .npz import load_mmpose_annotations

                lengths: dict[tuple[str, str], int] = {}
                for x in load_mmpose_annotations(annotations)[0]:
                    s, a, _, f = parse_imgname(str(x))
                    if subjects is None or s in subjects:
                        lengths[(s, a)] = max(lengths.get((s, a), 0), f + 1)
                h36m_videos = M.resolve_h36m_videos(
                    videos, lengths, fps=rate, where=os.fspath(annotations), partial=True
                )
            records = read_h36m_mmpose(
                annotations, cameras, subjects=subjects, max_frames=max_frames, stride=stride,
                unknown_subject_split=unknown_subject_split,
            )  # fmt: skip
            names = _names_by_sequence(annotations, "h36m") if images is not None else None
            how = f"MMPose annotations `{os.path.basename(os.fspath(annotations))}` (H36M, 50 fps frame numbers)"
        else:
            if images is not None:
                raise ValueError("h36m --positions-3d is joined to videos (--videos <root>), not to --images")
            if videos is None:
                raise ValueError("h36m: no media given (--videos <dataset root>)")
            motion = load_positions_3d(positions_3d)
            lengths = {
                (s, a): len(np.asarray(m)) for s, acts in motion.items() if subjects is None or s in subjects
                for a, m in acts.items()
            }  # fmt: skip
            h36m_videos = M.resolve_h36m_videos(videos, lengths, fps=fps, where=os.fspath(positions_3d))
            rate = h36m_videos.rate
            records = read_h36m_positions_3d(
                motion, cameras, subjects=subjects, max_frames=max_frames, stride=stride, fps=rate,
                unknown_subject_split=unknown_subject_split,
            )  # fmt: skip
            for r in records:
                r.source = os.fspath(positions_3d)
            how = (
                f"VideoPose3D world motion `{os.path.basename(os.fspath(positions_3d))}` at {rate:g} Hz "
                f"({h36m_videos.evidence}), 4 cameras"
            )
        if h36m_videos is not None and h36m_videos.renamed:
            how += "; archive takes chosen by frame count: " + ", ".join(
                f"{'/'.join(k)} -> '{v}'" for k, v in sorted(h36m_videos.renamed.items())
            )
        rates = [rate] * len(records)
        name = "h36m"
    elif dataset == "3dhp":
        from .mpi_inf_3dhp import DEFAULT_TRAIN_CAMERAS, read_3dhp_mmpose, read_3dhp_root, sequence_fps

        if source is None:
            raise ValueError("3dhp needs the dataset root (or an MMPose npz) as `source`")
        if os.path.isfile(source) and os.fspath(source).endswith(".npz"):
            records = read_3dhp_mmpose(source, cameras, max_frames=max_frames, stride=stride)
            records = [r for r in records if subjects is None or r.subject in subjects]
            names = _names_by_sequence(source, "3dhp") if images is not None else None
            how = f"MMPose annotations `{os.path.basename(os.fspath(source))}` (3DHP)"
        else:
            # camera indices (``--cameras 0 2``); camera files only matter for the MMPose npz input
            given = [cameras] if isinstance(cameras, (str, os.PathLike, int)) else list(cameras or [])
            cams = [int(c) for c in given] if given and all(str(c).isdigit() for c in given) else DEFAULT_TRAIN_CAMERAS
            records = read_3dhp_root(source, subjects=subjects, cameras=cams, max_frames=max_frames, stride=stride)
            how = "native annot.mat (training) / annot_data.mat (test, valid_frame masks kept as valid=False)"
            videos = videos if videos is not None else (source if images is None else None)
        rates = [sequence_fps(r.subject, r.action, r.source) for r in records]  # native: frame_index counts at it
        name = "mpi_inf_3dhp"
    elif dataset == "3dpw":
        from .pw3d import read_3dpw_root

        if source is None:
            raise ValueError("3dpw needs the dataset root as `source`")
        records = read_3dpw_root(source, sequences=subjects, max_frames=max_frames, stride=stride)
        rates = [M.PW3D_FPS] * len(records)
        videos = videos if videos is not None else source
        how = "3DPW sequenceFiles (one row per actor; campose_valid == 0 kept as valid=False)"
        name = "3dpw"
    elif dataset == "fit3d":
        from .fit3d import read_fit3d

        if source is None:
            raise ValueError("fit3d needs the dataset root as `source`")
        records = read_fit3d(
            source, subjects=subjects, test_subjects=test_subjects, max_frames=max_frames, stride=stride
        )
        rates = [M.FIT3D_FPS] * len(records)
        videos = videos if videos is not None else source
        how = "Fit3D joints3d_25 + per-camera JSON parameters"
        name = "fit3d"
    else:
        raise ValueError(f"unknown dataset {dataset!r}; expected h36m, 3dhp, 3dpw or fit3d")
    medias: dict[tuple[str, str, str], Media] = {}
    keys = []
    index = M.index_images(images) if names is not None and os.path.isdir(images) else None
    for rec, rate in zip(records, rates):
        key = (rec.subject, rec.action, rec.camera)
        keys.append(key)
        if key in medias:
            continue
        if names is not None:
            medias[key] = M.images_by_name(images, names.get(key, []), rate, index=index)
        elif h36m_videos is not None:
            archive = h36m_videos.names.get(key[:2])
            path = M.h36m_video_path(videos, rec.subject, archive or rec.action, rec.camera)
            why = h36m_videos.unresolved.get(key[:2], f"no video for {'/'.join(key[:2])}")
            medias[key] = M.video_media(path) if archive else Media("video", os.fspath(path), 0.0, error=why)
        elif videos is not None:
            medias[key] = M.media_for(name, videos, *key)
        elif images is not None:
            raise ValueError(f"{dataset}: --images joins MMPose annotation npz files by name; use --videos <root>")
        else:
            raise ValueError(f"{dataset}: no media given (--images <folder> or --videos <dataset root>)")
    bad = container_rate_contradictions(records, medias, keys, rates) if name in ONE_ROW_PER_VIDEO_FRAME else {}
    return PreparedJoin(records, keys, rates, medias, name, how, names is not None, bad, h36m_videos)


def build_xycd_table(
    dataset: str,
    out_dir: str | os.PathLike,
    extractor: Any,
    *,
    make_extractor: Callable[[], Any] | None = None,
    **kwargs: Any,
) -> dict[str, dict[str, int]] | None:
    """Read a dataset's ground truth, locate its media, run the extractor and write the joined table.

    Args:
        dataset: ``"h36m"``, ``"3dhp"``, ``"3dpw"`` or ``"fit3d"``.
        extractor: a :class:`~auglift_hf.preprocess.extractor.XYCDExtractor` (its backends are reused), or ``None``
            with ``make_extractor`` (built only after the ground truth and the media were found, so a wrong path
            fails before any model is loaded).
        source: dataset root (3dhp / 3dpw / fit3d) or an MMPose 3DHP npz.
        annotations / positions_3d / cameras: Human3.6M ground truth (MMPose npz or VideoPose3D npz + cameras.pkl).
        images: folder of the annotation npz's image files (joined by image name; H36M / 3DHP MMPose npz).
        videos: dataset media root in the native layout (:mod:`auglift_hf.data.media`); default ``source``.
        subjects, test_subjects, max_frames, stride, fps: as for ``auglift convert`` (``fps`` = rate of
            ``positions_3d``, checked against the frame counts; ``test_subjects`` for Fit3D's subject split;
            ``unknown_subject_split`` for H36M subjects outside the standard protocol).
        kwargs: those of :func:`prepare_join`, then :func:`run_join` options (association, min_score,
            gt_box_margin, batch_size, shard_size, overwrite, progress, rank, world_size).
    """
    import inspect

    own = set(inspect.signature(prepare_join).parameters) - {"dataset"}
    prep = prepare_join(dataset, **{k: v for k, v in kwargs.items() if k in own})
    join_kwargs = {k: v for k, v in kwargs.items() if k not in own}
    if prep.rate_contradictions:
        bad = list(prep.rate_contradictions.values())
        raise ValueError(bad[0] + (f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""))
    missing = [k for k, m in prep.medias.items() if m.error]
    if len(missing) == len(prep.medias):
        raise FileNotFoundError(f"{dataset}: no media found for any sequence (first: {prep.medias[missing[0]].error})")
    for k in missing:
        logger.warning("%s: %s (rows kept with valid=False, reason missing_media)", "/".join(k), prep.medias[k].error)
    if extractor is None:
        if make_extractor is None:
            raise ValueError("give `extractor` or `make_extractor`")
        extractor = make_extractor()
    card = {"how_built": f"{prep.how}, joined to the real detector -> 2D pose -> depth pipeline run on the dataset's "
            f"own {'images' if prep.joined_by_name else 'media'} (`auglift_hf.data.join`)."}  # fmt: skip
    return run_join(
        prep.records, prep.medias, prep.keys, prep.rates, out_dir, extractor, dataset_name=prep.name, card=card,
        **join_kwargs,
    )  # fmt: skip


# --------------------------------------------------------------------------------------------------------
# --check: what the join would do, before any model runs
# --------------------------------------------------------------------------------------------------------


def _suggest(path: str) -> str:
    """The closest existing file name to a missing media path (nearest existing folder), or ``""``."""
    import difflib

    p = Path(path)
    folder = p.parent
    while not folder.is_dir() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        return ""
    names = sorted(f.name for f in folder.iterdir())
    close = difflib.get_close_matches(p.name if folder == p.parent else p.relative_to(folder).parts[0], names, 1, 0.6)
    return os.fspath(folder / close[0]) if close else ""


def check_join(dataset: str, **kwargs: Any) -> dict[str, Any]:
    """What :func:`build_xycd_table` would do with these inputs, without running any model.

    Returns a JSON-able report: ``sequences`` (one entry per media: key, media path and kind, ``found``, the
    ``error`` and a ``suggestion`` when missing, ``annotation_rate`` vs ``media_rate`` (a video's measured rate),
    ``rows``, ``joinable`` rows), ``renamed`` / ``unresolved`` (Human3.6M names), ``rate`` (how the Human3.6M rate
    was decided), ``rate_contradictions``, ``reasons`` (rows per ``invalid_reason`` known before any model:
    ``annotation_invalid``, ``missing_media``, ``no_media_frame``, ``rate_contradiction``), ``rows``,
    ``joinable_rows`` and ``media_frames`` (frames the models would run on).
    """
    prep = prepare_join(dataset, **kwargs)
    medias = {k: (Media(m.kind, m.path, 0.0, error="rate contradiction") if k in prep.rate_contradictions else m)
              for k, m in prep.medias.items()}  # fmt: skip
    plan = JoinPlan(prep.records, medias, prep.keys, prep.rates)
    seqs: dict[tuple, dict[str, Any]] = {}
    reasons: dict[str, int] = {}
    for ri, (key, rate) in enumerate(zip(prep.keys, prep.rates)):
        m = prep.medias[key]
        e = seqs.setdefault(key, {
            "sequence": "/".join(key), "media": m.path, "kind": m.kind, "found": not m.error, "error": m.error,
            "annotation_rate": rate, "media_rate": None if m.error else round(m.measured_fps, 3), "rows": 0,
            "joinable": 0,
        })  # fmt: skip
        if m.error:
            e["suggestion"] = _suggest(m.path)
        r = plan.reason[ri].copy()
        if key in prep.rate_contradictions:
            r[r == REASON_CODE["missing_media"]] = -1
        e["rows"] += len(r)
        e["joinable"] += int((r == 0).sum())
        for code, n in zip(*np.unique(r[r != 0], return_counts=True)):
            label = "rate_contradiction" if code == -1 else REASONS[code]
            reasons[label] = reasons.get(label, 0) + int(n)
    hv = prep.h36m_videos
    return {
        "dataset": prep.name,
        "sequences": list(seqs.values()),
        "renamed": {"/".join(k): v for k, v in sorted((hv.renamed if hv else {}).items())},
        "unresolved": {"/".join(k): v for k, v in sorted((hv.unresolved if hv else {}).items())},
        "rate": hv.evidence if hv else None,
        "rate_contradictions": list(prep.rate_contradictions.values()),
        "reasons": dict(sorted(reasons.items())),
        "rows": int(sum(len(r) for r in plan.reason)),
        "joinable_rows": int(sum(e["joinable"] for e in seqs.values())),
        "media_frames": len(plan),
    }


def format_check(report: dict[str, Any], limit: int = 20) -> list[str]:
    """The ``--check`` report as lines (problems listed first, at most ``limit`` of each kind)."""
    seqs = report["sequences"]
    found = [e for e in seqs if e["found"]]
    lines = [f"{report['dataset']}: {len(found):,} of {len(seqs):,} sequences have media, {len(seqs) - len(found):,} "
             "missing"]  # fmt: skip
    if report["rate"]:
        lines.append(f"rate: {report['rate']}")
    pairs: dict[tuple, int] = {}
    for e in found:
        pairs[(e["annotation_rate"], e["kind"], e["media_rate"])] = pairs.get((e["annotation_rate"], e["kind"],
                                                                              e["media_rate"]), 0) + 1  # fmt: skip
    for (a, kind, m), n in sorted(pairs.items()):
        what = f"video measured at {m:g} fps" if kind == "video" else f"images at {m:g} fps"
        lines.append(f"rates: annotation {a:g} Hz, {what}: {n:,} sequences")
    for k, v in list(report["renamed"].items())[:limit]:
        lines.append(f"name: {k} -> archive '{v}' (the take whose frame count matches)")
    for line in report["rate_contradictions"][:limit]:
        lines.append(f"rate contradiction: {line}")
    missing = [e for e in seqs if not e["found"]]
    for e in missing[:limit]:
        hint = f"; did you mean {e['suggestion']}?" if e.get("suggestion") else ""
        lines.append(f"missing: {e['sequence']}: {e['error']}{hint}")
    if len(missing) > limit:
        lines.append(f"missing: ... and {len(missing) - limit:,} more")
    reasons = ", ".join(f"{r} {n:,}" for r, n in report["reasons"].items()) or "none"
    lines.append(
        f"rows: {report['rows']:,} ground-truth rows, {report['joinable_rows']:,} joinable ({report['media_frames']:,} "
        f"media frames to run the models on); valid=False before any model: {reasons}"
    )
    return lines
