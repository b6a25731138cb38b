"""The canonical frame table shared by every dataset reader.

One row per ``(dataset, subject, action, camera, person, frame)``, always in **camera coordinates** and
H36M-17 joint order (:mod:`auglift_hf.skeleton`)::

    dataset, subject, action, camera   string ids (``action`` is the sequence name, e.g. "Walking 1")
    person                             int32, actor index within the sequence (0 for single-person data)
    frame_index                        int32, frame number in the native sequence (after any stride)
    fps                                float32, frame rate of the rows as stored
    image_width, image_height          int32 pixels
    focal, center                      (2,) float32 pixels (pinhole intrinsics, distortion already applied to 2D)
    keypoints_2d                       (17, 2) float32 pixels
    keypoint_scores                    (17,) float32 in [0, 1] (1.0 for ground-truth 2D)
    keypoints_3d                       (17, 3) float32 camera-frame metres
    valid                              bool, False for frames to ignore (3DHP invalid frames, 3DPW bad cam pose)
    d, d_min, d_max, ...               (17,) float32 depth descriptors in metres, one column per channel name
                                       of the depth source (absent when the table was built without depth)

Storage choice: 2D/3D keypoints are **fixed-length nested float32 lists** (``List(List(float32, 2), 17)``),
stored by Arrow as ``fixed_size_list<fixed_size_list<float>[2]>[17]``: users see ``17 x 2`` rows, and
:class:`~auglift_hf.data.windows.PoseWindowDataset` reads a whole column as one zero-copy numpy view
instead of going through Python lists or ``Array2D`` (variable-size ``list<list<float>>`` storage with offsets).
Measured by ``benchmarks/bench_data.py`` on 229k H36M rows (2 shared CPU cores): fixed-size lists 0.04 ms,
``Array2D`` 0.9 ms (21x slower), Python lists ~34 s (~10^5x slower).
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..skeleton import NUM_JOINTS

#: Identity columns, in the order rows are sorted.
ID_COLUMNS: tuple[str, ...] = ("dataset", "subject", "action", "camera", "person")
#: Columns every table has (depth channels come on top of these).
BASE_COLUMNS: tuple[str, ...] = (
    *ID_COLUMNS,
    "frame_index",
    "fps",
    "image_width",
    "image_height",
    "focal",
    "center",
    "keypoints_2d",
    "keypoint_scores",
    "keypoints_3d",
    "valid",
)
#: Name of the ground-truth-2D config and of the detected-2D config.
GT2D_CONFIG = "gt2d"
DETECTED2D_CONFIG = "detected2d"


def frame_features(depth_channels: Sequence[str] = ()) -> Any:
    """The :class:`datasets.Features` of the canonical frame table (with one column per depth channel)."""
    from datasets import Features, List, Value

    def fixed(length: int, inner: Any = None) -> Any:
        return List(inner if inner is not None else Value("float32"), length=length)

    feats = {
        "dataset": Value("string"),
        "subject": Value("string"),
        "action": Value("string"),
        "camera": Value("string"),
        "person": Value("int32"),
        "frame_index": Value("int32"),
        "fps": Value("float32"),
        "image_width": Value("int32"),
        "image_height": Value("int32"),
        "focal": fixed(2),
        "center": fixed(2),
        "keypoints_2d": fixed(NUM_JOINTS, fixed(2)),
        "keypoint_scores": fixed(NUM_JOINTS),
        "keypoints_3d": fixed(NUM_JOINTS, fixed(3)),
        "valid": Value("bool"),
    }
    for name in depth_channels:
        if name in feats:
            raise ValueError(f"depth channel name {name!r} collides with a base column")
        feats[name] = fixed(NUM_JOINTS)
    return Features(feats)


@dataclasses.dataclass
class SequenceRecord:
    """One (dataset, subject, action, camera, person) sequence of ``T`` frames, ready to be written.

    Arrays: ``keypoints_2d (T, 17, 2)`` px, ``keypoint_scores (T, 17)``, ``keypoints_3d (T, 17, 3)`` camera
    metres, ``valid (T,)`` bool, ``frame_index (T,)`` int; optional ``detected_2d (T, 17, 2)`` px with
    ``detected_scores (T, 17)`` (a detector's output, for the ``detected2d`` config) and ``depth (T, 17, k)``.
    ``split`` is the split name ("train", "test", ...). Validation happens in ``__post_init__``.
    """

    dataset: str
    subject: str
    action: str
    camera: str
    keypoints_2d: np.ndarray
    keypoints_3d: np.ndarray
    focal: np.ndarray
    center: np.ndarray
    image_size: tuple[int, int]
    fps: float
    split: str
    person: int = 0
    keypoint_scores: np.ndarray | None = None
    valid: np.ndarray | None = None
    frame_index: np.ndarray | None = None
    detected_2d: np.ndarray | None = None
    detected_scores: np.ndarray | None = None
    depth: np.ndarray | None = None
    source: str = ""

    def __post_init__(self) -> None:
        where = (
            f"{self.source or self.dataset}: {self.subject}/{self.action}/camera {self.camera}/person {self.person}"
        )
        k3 = np.asarray(self.keypoints_3d, dtype=np.float32)
        if k3.ndim != 3 or k3.shape[1:] != (NUM_JOINTS, 3):
            raise ValueError(f"{where}: `keypoints_3d` must have shape (frames, 17, 3), got {k3.shape}")
        n = k3.shape[0]
        if n == 0:
            raise ValueError(f"{where}: empty sequence (0 frames)")
        k2 = _check(self.keypoints_2d, (n, NUM_JOINTS, 2), "keypoints_2d", where)
        scores = (
            np.ones((n, NUM_JOINTS), np.float32)
            if self.keypoint_scores is None
            else _check(self.keypoint_scores, (n, NUM_JOINTS), "keypoint_scores", where)
        )
        valid = np.ones(n, bool) if self.valid is None else np.asarray(self.valid, dtype=bool).reshape(-1)
        if valid.shape != (n,):
            raise ValueError(f"{where}: `valid` must have shape ({n},), got {valid.shape}")
        frames = np.arange(n) if self.frame_index is None else np.asarray(self.frame_index).reshape(-1)
        if frames.shape != (n,):
            raise ValueError(f"{where}: `frame_index` must have shape ({n},), got {frames.shape}")
        if n > 1 and np.any(np.diff(frames) <= 0):
            raise ValueError(f"{where}: `frame_index` must be strictly increasing")
        finite = np.isfinite(k3).all((1, 2)) & np.isfinite(k2).all((1, 2))
        if np.any(valid & ~finite):
            bad = int(np.flatnonzero(valid & ~finite)[0])
            raise ValueError(f"{where}: NaN/inf keypoints in valid frame {bad} (mark it invalid or fix the source)")
        # Invalid frames may hold garbage; store zeros so downstream maths never sees NaN.
        k3[~finite] = 0.0
        k2[~finite] = 0.0
        self.keypoints_3d, self.keypoints_2d, self.keypoint_scores = k3, k2, scores
        self.valid, self.frame_index = valid, frames.astype(np.int32)
        self.focal = _check(self.focal, (2,), "focal", where)
        self.center = _check(self.center, (2,), "center", where)
        w, h = (int(v) for v in self.image_size)
        if w <= 0 or h <= 0:
            raise ValueError(f"{where}: image size must be positive, got {self.image_size}")
        self.image_size = (w, h)
        if not (self.fps > 0):
            raise ValueError(f"{where}: fps must be positive, got {self.fps}")
        if self.detected_2d is not None:
            self.detected_2d = np.nan_to_num(_check(self.detected_2d, (n, NUM_JOINTS, 2), "detected_2d", where))
            self.detected_scores = (
                np.ones((n, NUM_JOINTS), np.float32)
                if self.detected_scores is None
                else np.nan_to_num(_check(self.detected_scores, (n, NUM_JOINTS), "detected_scores", where))
            )
        if self.depth is not None:
            self.depth = np.asarray(self.depth, dtype=np.float32)
            if self.depth.ndim != 3 or self.depth.shape[:2] != (n, NUM_JOINTS):
                raise ValueError(f"{where}: `depth` must have shape ({n}, 17, k), got {self.depth.shape}")

    @property
    def num_frames(self) -> int:
        return int(self.keypoints_3d.shape[0])

    @property
    def sort_key(self) -> tuple:
        return (self.dataset, self.subject, self.action, self.camera, self.person)


def _check(x: Any, shape: tuple[int, ...], name: str, where: str) -> np.ndarray:
    arr = np.asarray(x, dtype=np.float32)
    if arr.shape != shape:
        if arr.size == int(np.prod(shape)) and len(shape) == 1:
            return arr.reshape(shape)
        raise ValueError(f"{where}: `{name}` must have shape {shape}, got {arr.shape}")
    return arr


# --------------------------------------------------------------------------------------------------------
# depth sources
# --------------------------------------------------------------------------------------------------------

#: A depth source maps one sequence to per-joint depth descriptors:
#: ``fn(keypoints_3d (T,17,3) m, keypoints_2d (T,17,2) px, scores (T,17), focal (2,), center (2,),
#: image_size (w, h)) -> (T, 17, k)`` metres. Give it a ``channels`` attribute (e.g. ``("d", "d_min", "d_max")``).
DepthSource = Callable[..., np.ndarray]
_DEFAULT_CHANNELS = {1: ("d",), 2: ("d_min", "d_max"), 3: ("d", "d_min", "d_max")}


#: Depth simulations a synthetic table can be built with (``auglift convert --depth-simulation``).
DEPTH_SIMULATIONS: tuple[str, ...] = ("capsule-v1", "surface-v2")
#: The default depth simulation (issue 24): ``surface-v2`` at its calibrated severity.
DEFAULT_DEPTH_SIMULATION = "surface-v2"


def synthetic_depth_source(
    mode: str = "casp",
    seed: int = 0,
    corruption: Any = "realistic",
    num_samples: int | None = None,
    severity: float | None = None,
    fps: float = 25.0,
    simulation: str = DEFAULT_DEPTH_SIMULATION,
    severity_range: tuple[float, float] | None = None,
    encoding: str = "package",
) -> DepthSource:
    """Simulated depth descriptors for mocap without images (:mod:`auglift_hf.simulation`).

    Metric depth (metres) standing in for a metric monocular network; the descriptor is
    :func:`auglift_hf.contract.default_descriptor` (CASP, 16 sunflower samples as the shipped lifters, unless
    ``num_samples`` says otherwise). The source's ``contract`` attribute (depth kind, the metric depth model the
    lifter should be fed at inference, descriptor) goes into the table's dataset card.

    Args:
        seed: base seed; each call (one sequence) uses ``seed * 1_000_003 + call number``.
        corruption: ``"realistic"`` (default): the monocular-depth error model
            :func:`auglift_hf.simulation.depth_error_preset` (Depth Anything V2 metric preset) at ``severity``;
            ``None``: exact depth; or any corruption accepted by
            :func:`auglift_hf.simulation.depth_descriptors_from_joints`.
        severity: severity of the realistic model (0 = exact depth). ``None``: the simulation's default,
            :data:`auglift_hf.simulation.surface_error.CALIBRATED_SEVERITY` for ``surface-v2`` (the severity at
            which the package's TCN recipe gains what real Depth Anything V2 gave AugLift), 1 for ``capsule-v1``
            (its published-accuracy preset). Severity 1 of ``surface-v2`` is "optimistic".
        fps: frame rate of the sequences (temporal flicker / scale drift of the realistic model).
        simulation: :data:`DEPTH_SIMULATIONS`: ``"surface-v2"`` (default;
            :func:`auglift_hf.simulation.surface_depth.surface_depth_source`: a body surface on a floor in a room
            or outdoors, the part-aware error model, calibrated; issue 24) or ``"capsule-v1"`` (capsules on the
            joint chain before a 10 m plane: the earlier tables; it gives away more of the answer).
        severity_range: ``(lo, hi)``, surface-v2 only: one severity per sequence drawn uniformly in the range
            (training tables for lifters that must not over-trust depth).
        encoding: the lifter-side depth codec the table's contract records: ``"package"`` (default) or
            ``"auglift"`` (AugLift's codec and 100-candidate sampling; issue 24 item 4).
    """
    if simulation not in DEPTH_SIMULATIONS:
        raise ValueError(f"`simulation` must be one of {list(DEPTH_SIMULATIONS)}, got {simulation!r}")
    if simulation == "surface-v2":
        from ..simulation.surface_depth import surface_depth_source

        if not (isinstance(corruption, str) or corruption is None):
            raise ValueError("simulation='surface-v2' takes corruption='realistic' or None (its own error model)")
        return surface_depth_source(mode, seed, severity=severity, fps=fps, num_samples=num_samples,
                                    error="realistic" if corruption is not None else None,
                                    severity_range=severity_range, encoding=encoding)  # fmt: skip
    if severity_range is not None:
        raise ValueError("`severity_range` is supported by simulation='surface-v2' only")
    from ..simulation.depth_error import depth_error_preset
    from ..simulation.depth_source import simulated_depth_source
    from ..simulation.raycast import depth_descriptors_from_joints

    if isinstance(corruption, str):
        if corruption != "realistic":
            raise ValueError(f"`corruption` must be 'realistic', None or a corruption object, got {corruption!r}")
        corruption = depth_error_preset(severity=1.0 if severity is None else severity, fps=fps)

    def descriptors(*args: Any, **kwargs: Any) -> Any:
        return depth_descriptors_from_joints(*args, corruption=corruption, chunk_size=1024, **kwargs)

    return simulated_depth_source(
        descriptors,
        mode,
        seed,
        num_samples,
        simulation="capsule-v1",
        body="capsule-body renderer",
        error=corruption,
        encoding=encoding,
    )


def resolve_depth_source(depth_source: None | str | DepthSource) -> DepthSource | None:
    """``None`` -> no depth columns; ``"synthetic"`` -> :func:`synthetic_depth_source`; or a callable."""
    if depth_source is None:
        return None
    if isinstance(depth_source, str):
        if depth_source == "synthetic":
            return synthetic_depth_source()
        raise ValueError(f"`depth_source` must be None, 'synthetic' or a callable, got {depth_source!r}")
    if not callable(depth_source):
        raise ValueError(f"`depth_source` must be None, 'synthetic' or a callable, got {type(depth_source).__name__}")
    return depth_source


def _apply_depth(fn: DepthSource, rec: SequenceRecord, detected: bool, call: int | None = None) -> np.ndarray:
    """Depth of one sequence: ``fn``'s next call, or its ``call``-th (``fn.at_call``, parallel writers)."""
    k2 = rec.detected_2d if detected else rec.keypoints_2d
    sc = rec.detected_scores if detected else rec.keypoint_scores
    if not detected and getattr(fn, "gt_keypoints_from_3d", False):
        k2 = None
    args = (rec.keypoints_3d, k2, sc, rec.focal, rec.center, rec.image_size)
    out = np.asarray(fn(*args) if call is None else fn.at_call(call, *args), dtype=np.float32)
    if out.ndim == 2:
        out = out[..., None]
    if out.shape[:2] != (rec.num_frames, NUM_JOINTS):
        raise ValueError(f"depth source returned shape {out.shape}, expected ({rec.num_frames}, 17, k)")
    return out


#: What forked depth workers read (set before the pool forks; fork shares it without pickling the closures)
_DEPTH_WORKER_STATE: dict[str, Any] = {}
#: The manifest of a ``depth_cache`` folder (what the cached arrays belong to)
DEPTH_CACHE_MANIFEST = "auglift_depth_cache.json"


def _depth_worker_init() -> None:
    import torch

    torch.set_num_threads(1)  # one core per worker; a single-threaded op never enters the inherited OpenMP pool


def _depth_worker_task(task: tuple[int, bool, int]) -> np.ndarray:
    index, detected, call = task
    state = _DEPTH_WORKER_STATE
    out = _apply_depth(state["fn"], state["records"][index], detected, call)
    cache = state.get("cache")
    if cache is not None:  # kept as soon as computed: an interrupted write resumes from here
        tmp = cache / f".{call}.npy.tmp"
        with open(tmp, "wb") as fh:
            np.save(fh, out)
        os.replace(tmp, cache / f"{call}.npy")
    return out


def _depth_inputs_digest(jobs: list[tuple[int, bool, int]], records: list[SequenceRecord]) -> str:
    """SHA-256 of every task's key, pass, call number and the arrays its depth is computed from: a cache entry is
    only reused for the same frames (another stride, frame budget or detector seed keeps keys and frame counts)."""
    import hashlib

    h = hashlib.sha256()
    for i, detected, call in jobs:
        rec = records[i]
        h.update(json.dumps([[str(k) for k in rec.sort_key], detected, call]).encode())
        k2, sc = (rec.detected_2d, rec.detected_scores) if detected else (rec.keypoints_2d, rec.keypoint_scores)
        for a in (rec.keypoints_3d, k2, sc, rec.focal, rec.center, rec.image_size):
            arr = np.ascontiguousarray(np.asarray(a if a is not None else np.nan, dtype=np.float64))
            h.update(f"{arr.shape}".encode())
            h.update(arr)
    return h.hexdigest()


def _open_depth_cache(cache: Path, fn: DepthSource, jobs: list[tuple[int, bool, int]], records: list) -> None:
    """Create ``cache`` or check that its manifest describes this source and these tasks (else ``ValueError``)."""
    manifest = {
        "written_by": "auglift_hf.data.write_frame_table (depth_cache)",
        "depth_source": str(getattr(fn, "kind", "")),
        "tasks": _depth_inputs_digest(jobs, records),
    }
    path = cache / DEPTH_CACHE_MANIFEST
    if path.is_file():
        found = json.loads(path.read_text())
        if found != manifest:
            same_source = found.get("depth_source") == manifest["depth_source"]
            what = "other sequences or inputs" if same_source else "another depth source"
            raise ValueError(
                f"depth cache {cache}: made for {what} ({path}); give another --depth-cache folder or delete this one"
            )
        return
    if cache.exists() and any(cache.iterdir()):
        raise ValueError(f"depth cache {cache}: not empty and not a depth cache (no {DEPTH_CACHE_MANIFEST})")
    cache.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(manifest, indent=1))


def _precompute_depths(
    fn: DepthSource, tasks: list[tuple[int, bool]], records: list[SequenceRecord], workers: int, desc: str,
    progress: bool, cache: Path | None = None,
) -> list[np.ndarray]:  # fmt: skip
    """The depth of every ``(record index, detected)`` task, bit-identical to calling ``fn`` on the tasks in order:
    task ``k`` gets ``fn``'s call number ``first + k`` (``fn.at_call``); ``workers`` processes; with ``cache``, each
    array is kept as ``<cache>/<call>.npy`` when computed and read back instead of recomputed."""
    import multiprocessing

    from tqdm.auto import tqdm

    first = fn.skip_calls(len(tasks))
    jobs = [(i, detected, first + k) for k, (i, detected) in enumerate(tasks)]
    done: dict[int, np.ndarray] = {}
    if cache is not None:
        _open_depth_cache(cache, fn, jobs, records)
        for _, _, call in jobs:
            if (cache / f"{call}.npy").is_file():
                try:
                    done[call] = np.load(cache / f"{call}.npy", allow_pickle=False)
                except (ValueError, OSError, EOFError) as err:  # written atomically, so only an outside change
                    raise ValueError(
                        f"depth cache {cache / f'{call}.npy'}: unreadable ({err}); delete that file to recompute it"
                    ) from err
    todo = [j for j in jobs if j[2] not in done]
    _DEPTH_WORKER_STATE.update(fn=fn, records=records, cache=cache)
    try:
        bar = tqdm(total=len(jobs), initial=len(done), desc=desc, disable=not progress, leave=False)
        if workers > 1 and todo:
            with multiprocessing.get_context("fork").Pool(workers, initializer=_depth_worker_init) as pool:
                chunk = max(1, min(16, len(todo) // (8 * workers)))
                for job, out in zip(todo, pool.imap(_depth_worker_task, todo, chunksize=chunk)):
                    done[job[2]] = out
                    bar.update()
        else:
            for job in todo:
                done[job[2]] = _depth_worker_task(job)
                bar.update()
        bar.close()
    finally:
        _DEPTH_WORKER_STATE.clear()
    return [done[call] for _, _, call in jobs]


def _remove_depth_cache(cache: Path) -> None:
    """Remove what the depth cache wrote (its arrays and manifest), and the folder when that leaves it empty."""
    for f in cache.glob("*.npy"):
        if f.stem.isdigit():
            f.unlink()
    (cache / DEPTH_CACHE_MANIFEST).unlink(missing_ok=True)
    if not any(cache.iterdir()):
        cache.rmdir()


# --------------------------------------------------------------------------------------------------------
# Arrow conversion and writing
# --------------------------------------------------------------------------------------------------------


def _fixed(values: np.ndarray, *sizes: int) -> Any:
    import pyarrow as pa

    arr = pa.array(np.ascontiguousarray(values, dtype=np.float32).reshape(-1))
    for size in reversed(sizes):
        arr = pa.FixedSizeListArray.from_arrays(arr, size)
    return arr


def record_to_arrow(
    rec: SequenceRecord, depth_channels: Sequence[str] = (), detected: bool = False, depth: np.ndarray | None = None
) -> Any:
    """One :class:`SequenceRecord` -> a ``pyarrow.Table`` with the canonical schema (vectorised, no row loop)."""
    import pyarrow as pa

    n = rec.num_frames
    k2 = rec.detected_2d if detected else rec.keypoints_2d
    sc = rec.detected_scores if detected else rec.keypoint_scores
    if detected and k2 is None:
        raise ValueError(f"{rec.subject}/{rec.action}: no detections for the detected2d config")

    def const(value: Any, typ: Any) -> Any:
        return pa.array([value], typ).take(pa.array(np.zeros(n, np.int32)))

    cols = {
        "dataset": const(rec.dataset, pa.string()),
        "subject": const(rec.subject, pa.string()),
        "action": const(rec.action, pa.string()),
        "camera": const(rec.camera, pa.string()),
        "person": pa.array(np.full(n, rec.person, np.int32)),
        "frame_index": pa.array(rec.frame_index.astype(np.int32)),
        "fps": pa.array(np.full(n, rec.fps, np.float32)),
        "image_width": pa.array(np.full(n, rec.image_size[0], np.int32)),
        "image_height": pa.array(np.full(n, rec.image_size[1], np.int32)),
        "focal": _fixed(np.broadcast_to(rec.focal, (n, 2)), 2),
        "center": _fixed(np.broadcast_to(rec.center, (n, 2)), 2),
        "keypoints_2d": _fixed(k2, NUM_JOINTS, 2),
        "keypoint_scores": _fixed(sc, NUM_JOINTS),
        "keypoints_3d": _fixed(rec.keypoints_3d, NUM_JOINTS, 3),
        "valid": pa.array(rec.valid),
    }
    if depth_channels:
        if depth is None or depth.shape[-1] != len(depth_channels):
            got = None if depth is None else depth.shape
            raise ValueError(
                f"depth of shape (T, 17, {len(depth_channels)}) required for channels {depth_channels}, got {got}"
            )
        for i, name in enumerate(depth_channels):
            cols[name] = _fixed(depth[..., i], NUM_JOINTS)
    schema = frame_features(depth_channels).arrow_schema
    return pa.Table.from_arrays([cols[f.name] for f in schema], schema=schema)


def table_contract(
    depth_fn: Any,
    channels: tuple[str, ...],
    keypoint_definition_by_config: dict[str, str] | None = None,
    depth_contract: dict[str, Any] | None = None,
) -> dict[str, Any] | None:
    """The input contract a lifter trained on this table inherits (the card's ``auglift_input_contract``).

    Depth fields from the depth source's ``contract`` attribute (``None`` = no contract when the table has depth
    columns of unknown provenance); no depth columns -> ``depth_kind: null``. Keypoint definition: ``gt2d`` holds
    projected ground-truth joints (``"h36m"``), ``detected2d`` a 2D detector's joints mapped to H36M (``"coco"``),
    unless ``keypoint_definition_by_config`` says otherwise (e.g. a detector-noise model on H36M joints).
    ``depth_contract`` describes depth precomputed by the caller (used when the depth source has no contract).
    """
    by_config = {GT2D_CONFIG: "h36m", DETECTED2D_CONFIG: "coco", **(keypoint_definition_by_config or {})}
    if channels:
        depth = getattr(depth_fn, "contract", None) if depth_fn is not None else None
        depth = depth if depth is not None else depth_contract
        if depth is None:
            return None
        entry = {k: depth.get(k) for k in ("depth_kind", "depth_model", "depth_descriptor")}
    else:
        entry = {"depth_kind": None, "depth_model": None, "depth_descriptor": None}
    from ..contract import InputContract

    InputContract(**entry, keypoint_definition=by_config[GT2D_CONFIG])  # validate
    return {**entry, "keypoint_definition": by_config[GT2D_CONFIG], "keypoint_definition_by_config": by_config}


#: Plausible size of a person in metres: the median over valid frames of the diagonal of the 3D joints' bounding
#: box. Adults span ~1.6-2.2 m standing (H36M subjects 1.5-1.9 m tall) and ~0.8 m crouching; children ~1 m. The
#: bounds are loose so only wrong units fail: millimetres give ~1700, centimetres ~170.
PERSON_EXTENT_M = (0.2, 3.5)
#: Minimum fraction of valid-frame joints whose 2D projection lies within the image grown by half its size on
#: each side. A correct camera puts (nearly) every joint in the image; a wrong or flipped one scatters them.
MIN_IN_IMAGE_FRACTION = 0.5


def check_person_extent(joints: np.ndarray, where: str) -> None:
    """Refuse ``(frames, J, 3)`` joints that are not a person in metres (:data:`PERSON_EXTENT_M`)."""
    joints = np.asarray(joints, np.float64)
    if joints.size == 0:
        return
    extent = float(np.median(np.linalg.norm(joints.max(-2) - joints.min(-2), axis=-1)))
    lo, hi = PERSON_EXTENT_M
    if not lo <= extent <= hi:
        unit = " (looks like millimetres: metres are expected)" if 200 <= extent <= 3500 else ""
        unit = unit or (" (looks like centimetres: metres are expected)" if 20 <= extent <= 350 else "")
        raise ValueError(
            f"{where}: a person spans {extent:.3g} units in 3D, expected {lo}-{hi} m{unit}; check the units of the file"
        )


def check_plausible(rec: SequenceRecord) -> None:
    """Refuse a record whose numbers cannot be right: 3D not in metres, 2D not in the image.

    Raises ``ValueError`` naming the source file and sequence, the measured value and the accepted range.
    """
    where = f"{rec.source or rec.dataset}: {rec.subject}/{rec.action}/camera {rec.camera}"
    valid = np.asarray(rec.valid, bool)
    if not valid.any():
        raise ValueError(f"{where}: no valid frame (every frame is marked invalid; wrong camera or annotation file?)")
    check_person_extent(np.asarray(rec.keypoints_3d, np.float64)[valid], where)
    k2 = np.asarray(rec.keypoints_2d, np.float64)[valid]
    w, h = rec.image_size
    inside = (
        (k2[..., 0] >= -w / 2) & (k2[..., 0] <= 1.5 * w) & (k2[..., 1] >= -h / 2) & (k2[..., 1] <= 1.5 * h)
    ).mean()
    if inside < MIN_IN_IMAGE_FRACTION:
        raise ValueError(
            f"{where}: only {inside:.0%} of the 2D joints fall inside the {w}x{h} image (expected >= "
            f"{MIN_IN_IMAGE_FRACTION:.0%}); wrong camera intrinsics / extrinsics or image size?"
        )


#: Marker file written into every frame table; a folder holding it may be replaced by the next conversion.
TABLE_MARKER = ".auglift_table.json"
_TABLE_ENTRIES = {"README.md", TABLE_MARKER, GT2D_CONFIG, DETECTED2D_CONFIG}


def is_frame_table(folder: str | os.PathLike) -> bool:
    """True when ``folder`` is a previous output of :func:`write_frame_table` (``auglift convert``).

    Recognised by the marker file, or (tables written before the marker existed) by a README dataset card
    tagged ``auglift`` with ``configs`` and nothing but the table's own entries in the folder.
    """
    from pathlib import Path

    folder = Path(folder)
    if not folder.is_dir():
        return False
    if (folder / TABLE_MARKER).is_file():
        return True
    entries = {p.name for p in folder.iterdir()}
    if not entries <= _TABLE_ENTRIES or "README.md" not in entries:
        return False
    import yaml

    text = (folder / "README.md").read_text(encoding="utf-8", errors="replace")
    if not text.startswith("---\n"):
        return False
    try:
        front = yaml.safe_load(text.split("---\n", 2)[1])
    except (yaml.YAMLError, IndexError):
        return False
    return isinstance(front, dict) and "auglift" in (front.get("tags") or []) and bool(front.get("configs"))


def _table_legacy(out_dir: str | os.PathLike) -> tuple[str, ...]:
    """The table's own entries, when ``out_dir`` is a table written before the manifest (else nothing)."""
    return ("README.md", TABLE_MARKER, f"{GT2D_CONFIG}/", f"{DETECTED2D_CONFIG}/") if is_frame_table(out_dir) else ()


#: Files every frame table writes (a foreign file there is never replaced).
_TABLE_WRITES = ("README.md", TABLE_MARKER)


def check_table_output(out_dir: str | os.PathLike, overwrite: bool = False) -> list[str]:
    """Refuse an ``--out`` holding files auglift did not write, unless ``overwrite`` (then they are kept).

    Raises :class:`~auglift_hf.errors.OutputError` naming the path (nothing is written or deleted); returns the
    foreign files that will be kept (:func:`auglift_hf.utils.outputs.check_output_folder`).
    """
    from ..utils.outputs import check_output_folder

    return check_output_folder(out_dir, overwrite=overwrite, writes=_TABLE_WRITES, legacy=_table_legacy(out_dir))


def write_frame_table(
    records: Iterable[SequenceRecord],
    out_dir: str | os.PathLike,
    *,
    dataset_name: str,
    depth_source: None | str | DepthSource = None,
    card: dict[str, Any] | None = None,
    shard_rows: int = 250_000,
    overwrite: bool = False,
    progress: bool = True,
    workers: int = 1,
    depth_cache: str | os.PathLike | None = None,
) -> dict[str, dict[str, int]]:
    """Write sequences as Parquet shards + a README dataset card, atomically (temp dir, then rename).

    ``workers > 1`` simulates the depth of the sequences in that many forked processes (Linux / macOS), with the
    seeds of the serial run: the table is byte-identical to ``workers=1`` (the depth source must offer ``at_call``,
    as every simulated source does; a custom callable is refused). ``depth_cache``: a folder where each sequence's
    simulated depth is kept as soon as it is computed, so that an interrupted write (hours for millions of rows)
    resumes where it stopped with the same bytes; it records the depth source, the sequences and a digest of their
    input arrays, and refuses others; it is removed once the table is written.

    Only files auglift wrote are replaced (the folder's manifest, :mod:`auglift_hf.utils.outputs`): an ``out_dir``
    holding other files raises :class:`~auglift_hf.errors.OutputError` unless ``overwrite=True``, which writes the
    table beside them and keeps them.

    Layout::

        out_dir/README.md                                  card with YAML ``configs`` (gt2d [, detected2d])
        out_dir/gt2d/{split}-00000-of-0000N.parquet
        out_dir/detected2d/{split}-...parquet              only when every record has detections

    ``datasets.load_dataset(out_dir, "gt2d", split="train")`` then works offline. Rows are sorted by
    ``(dataset, subject, action, camera, person, frame_index)``, so equal inputs give byte-identical files
    (idempotent). Returns ``{config: {split: num_rows}}``.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq
    from tqdm.auto import tqdm

    from ..utils.outputs import output_folder
    from .card import write_dataset_card

    check_table_output(out_dir, overwrite)
    records = sorted(records, key=lambda r: r.sort_key)
    if not records:
        raise ValueError(f"{dataset_name}: no sequences to write (check the input paths and --subjects)")
    for rec in records:
        check_plausible(rec)
    keys = [r.sort_key for r in records]
    if len(set(keys)) != len(keys):
        dup = next(k for k in keys if keys.count(k) > 1)
        raise ValueError(f"{dataset_name}: duplicate sequence {dup}")
    fn = resolve_depth_source(depth_source)
    workers = int(workers)
    if workers < 1:
        raise ValueError(f"`workers` must be >= 1, got {workers}")
    if (workers > 1 or depth_cache is not None) and fn is not None and not hasattr(fn, "at_call"):
        what = "workers > 1" if workers > 1 else "depth_cache"
        raise ValueError(
            f"{what} needs a depth source that can reproduce its n-th call (`at_call`, as the simulated "
            "sources have); this one cannot: use workers=1 without depth_cache"
        )
    cache = None if depth_cache is None or fn is None else Path(depth_cache)
    channels: tuple[str, ...] = ()
    configs = [GT2D_CONFIG]
    if all(r.detected_2d is not None for r in records):
        configs.append(DETECTED2D_CONFIG)
    splits = sorted({r.split for r in records}, key=lambda s: (s != "train", s))
    precomputed: list[np.ndarray] = []
    ahead = fn is not None and (workers > 1 or cache is not None)
    if ahead:  # every depth call, in the order of the serial loop below
        tasks = [(i, config == DETECTED2D_CONFIG) for config in configs for split in splits
                 for i, r in enumerate(records) if r.split == split]  # fmt: skip
        precomputed = _precompute_depths(fn, tasks, records, workers, f"{dataset_name} depth", progress, cache)
        precomputed.reverse()  # popped from the end, in order
    counts: dict[str, dict[str, int]] = {c: {} for c in configs}
    out_dir = os.fspath(out_dir)
    with output_folder(
        out_dir, "auglift_hf.data.write_frame_table", overwrite=overwrite, writes=_TABLE_WRITES,
        legacy=_table_legacy(out_dir),
    ) as tmp:  # fmt: skip
        for config in configs:
            detected = config == DETECTED2D_CONFIG
            (tmp / config).mkdir()
            for split in splits:
                recs = [r for r in records if r.split == split]
                tables = []
                for rec in tqdm(recs, desc=f"{dataset_name} {config}/{split}", disable=not progress, leave=False):
                    depth = rec.depth
                    if fn is not None:
                        depth = precomputed.pop() if ahead else _apply_depth(fn, rec, detected)
                    if depth is not None and not channels:
                        channels = tuple(getattr(fn, "channels", None) or _DEFAULT_CHANNELS.get(depth.shape[-1], ()))
                        if len(channels) != depth.shape[-1]:
                            channels = tuple(f"depth_{i}" for i in range(depth.shape[-1]))
                    tables.append(record_to_arrow(rec, channels, detected=detected, depth=depth))
                table = pa.concat_tables(tables)
                num_shards = max(1, -(-table.num_rows // shard_rows))
                for i in range(num_shards):
                    shard = table.slice(i * shard_rows, shard_rows)
                    pq.write_table(shard, tmp / config / f"{split}-{i:05d}-of-{num_shards:05d}.parquet")
                counts[config][split] = table.num_rows
        info = dict(card or {})
        contract = table_contract(
            fn, channels, info.pop("keypoint_definition_by_config", None), info.pop("depth_contract", None)
        )
        info.setdefault("depth_source", getattr(fn, "kind", "custom callable") if fn is not None else None)
        if fn is None and any(r.depth is not None for r in records):
            info["depth_source"] = info.get("depth_source") or "precomputed by the reader"
        from ..simulation.depth_source import DEPTH_SIMULATION_KEY

        # how simulated depth was made, machine-readable (PoseAug rebuilds it for augmented poses); precomputed
        # simulated depth passes it as card["depth_simulation"]
        simulated = info.pop("depth_simulation", None) or (getattr(fn, "simulation_record", None) if fn else None)
        write_dataset_card(
            tmp, dataset_name=dataset_name, counts=counts, features=frame_features(channels), depth_channels=channels,
            info=info, contract=contract,
            extra_metadata={DEPTH_SIMULATION_KEY: simulated} if simulated and channels else None,
        )  # fmt: skip
        (tmp / TABLE_MARKER).write_text(
            json.dumps({"written_by": "auglift_hf.data.write_frame_table", "dataset": dataset_name, "counts": counts})
        )
    if cache is not None:
        _remove_depth_cache(cache)
    return counts
