"""``pose3d``: the 3D human pose metric family as a Hugging Face ``evaluate`` module.

Self-contained (numpy, pyarrow, datasets, evaluate) so this folder also works as a Hub metric Space without
``auglift_hf``; the reference implementation (numpy + torch, more options) is ``auglift_hf.metrics.functional`` and
the test suite checks that both agree. Training and the evaluation CLI call the pure functions directly.

Input layout: one row per pose, a flat float64 list of ``J * 3`` values. Through evaluate's public per-row encoder
this was the fastest layout measured (flat float32, fixed-length flat, nested ``(17, 3)`` lists and ``Array2D`` are
1.2-3x slower; ``benchmarks/bench_metrics.py --layouts``), and it maps to one Arrow ``list<double>`` column, so
``add_batch`` writes whole batches zero-copy from numpy (``_write_arrow_batch``) instead of row by row: 200k poses
take about 2x the pure metrics instead of about 10x. ``add_batch`` / ``compute`` accept ``(N, J, 3)`` arrays, torch
tensors or nested lists.
"""

from __future__ import annotations

import datasets
import evaluate
import numpy as np
import pyarrow as pa

_CITATION = """\
@inproceedings{pavllo2019videopose3d,
  title={3D human pose estimation in video with temporal convolutions and semi-supervised training},
  author={Pavllo, Dario and Feichtenhofer, Christoph and Grangier, David and Auli, Michael},
  booktitle={CVPR}, year={2019}
}
@inproceedings{mehta2017monocular,
  title={Monocular 3D Human Pose Estimation In The Wild Using Improved CNN Supervision},
  author={Mehta, Dushyant and Rhodin, Helge and Casas, Dan and Fua, Pascal and Sotnychenko, Oleksandr and Xu,
          Weipeng and Theobalt, Christian},
  booktitle={3DV}, year={2017}
}
"""

_DESCRIPTION = """\
3D human pose metrics on (N, J, 3) poses in millimetres (or metres with units="m"; inputs whose scale cannot be
millimetres are refused) (H36M-17 joint order by convention): MPJPE (protocol #1),
PA-MPJPE (protocol #2, similarity Procrustes with reflection correction), N-MPJPE (scale only), PCK3D at 150 mm and
AUC over 0..150 mm in 5 mm steps (MPI-INF-3DHP protocol, fractions in [0, 1]). Definitions follow VideoPose3D's
common/loss.py. With `actions`, per-action results and action-wise means are added.
"""

_KWARGS_DESCRIPTION = """
Args:
    predictions: (N, J, 3) predicted poses in mm (numpy array, torch tensor or nested lists; (N, J*3) also works).
    references: (N, J, 3) ground-truth poses in mm, same shape.
    actions (optional): N action labels (str). Adds `<metric>_action_wise` and `per_action`.
    pck_threshold (float, default 150.0): PCK3D threshold in mm (a joint counts when its error is < threshold).
    auc_thresholds (list of float, optional): AUC thresholds in mm; default 0, 5, ..., 150 (31 values).
    root_relative (bool, default False): subtract joint 0 (pelvis) from both poses first (use it for absolute
        camera-frame poses: H36M protocol #1 is root-relative).
    units (str, default "mm"): units of `predictions` and `references`: "mm", or "m" (converted to mm; every
        result is in mm). With "mm", references whose median bone length is under 10 (a human bone is 100-500 mm;
        metres give 0.1-0.5) are refused: the results would be 1000x too small.
Returns:
    mpjpe, pa_mpjpe, n_mpjpe (mm), pck3d, auc (fractions in [0, 1]), num_poses: FRAME-WISE means (all poses pooled).
    With `actions`: `<metric>_action_wise` = mean over actions of the per-action means (the H36M "Avg" column),
    and `per_action` = {action: {metric: value, "count": n}}.
Examples:
    >>> import evaluate, numpy as np
    >>> metric = evaluate.load("path/to/pose3d")
    >>> target = np.random.default_rng(0).normal(size=(8, 17, 3)) * 100
    >>> results = metric.compute(predictions=target + 10.0, references=target)
    >>> round(results["mpjpe"], 3)
    17.321
"""

AUC_THRESHOLDS_MM = np.linspace(0.0, 150.0, 31)
#: Parent of every H36M-17 joint (pelvis = root): the bones whose median length tells millimetres from metres.
_H36M_PARENTS = (-1, 0, 1, 2, 0, 4, 5, 0, 7, 8, 9, 8, 11, 12, 8, 14, 15)
#: Median bone length (in the given units) below which "mm" cannot be right: human bones are 100-500 mm long.
MIN_MEDIAN_BONE_MM = 10.0
UNITS = {"mm": 1.0, "m": 1000.0}


def median_bone_length(poses: np.ndarray) -> float:
    """Median bone length of ``(N, J, 3)`` poses: H36M-17 bones for J = 17, else each joint's distance to its
    nearest other joint (a bone-length scale for any skeleton)."""
    if poses.shape[1] == len(_H36M_PARENTS):
        child = np.arange(1, poses.shape[1])
        parent = np.asarray(_H36M_PARENTS[1:])
        return float(np.median(_joint_errors(poses[:, child], poses[:, parent])))
    if poses.shape[1] < 2:
        return float("nan")
    dist = np.linalg.norm(poses[:, :, None] - poses[:, None], axis=-1)
    dist[:, np.arange(poses.shape[1]), np.arange(poses.shape[1])] = np.inf
    return float(np.median(dist.min(-1)))


def check_units(references: np.ndarray, units: str) -> float:
    """The factor to millimetres for ``units``; refuses ``"mm"`` references that cannot be millimetres."""
    if units not in UNITS:
        raise ValueError(f"`units` must be 'mm' or 'm', got {units!r}")
    if units == "mm":
        bone = median_bone_length(references)
        if np.isfinite(bone) and bone < MIN_MEDIAN_BONE_MM:
            raise ValueError(
                f"`references` have a median bone length of {bone:.4g}, which cannot be millimetres (a human bone "
                f"is 100-500 mm): these look like metres; pass units='m' or multiply the poses by 1000"
            )
    return UNITS[units]


_ARROW_CHUNK_ROWS = 1 << 20  # rows per Arrow write (keeps int32 list offsets far from overflow)


def _flatten_poses(x, name: str) -> np.ndarray:
    """(N, J, 3) or (N, J*3) array-like -> validated float64 (N, J*3)."""
    if hasattr(x, "detach"):  # torch tensor, without importing torch
        x = x.detach().cpu().numpy()
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"`{name}` must be a numeric (N, J, 3) array in mm: {err}") from None
    if not ((arr.ndim == 3 and arr.shape[-1] == 3) or (arr.ndim == 2 and arr.shape[-1] % 3 == 0)):
        raise ValueError(f"`{name}` must have shape (N, J, 3) (or flat (N, J*3)); got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"`{name}` is empty: expected shape (N, J, 3) with N, J >= 1; got shape {arr.shape}")
    arr = arr.reshape(arr.shape[0], -1)
    if not np.isfinite(arr).all():
        raise ValueError(f"`{name}` contains NaN or inf values (shape {arr.shape})")
    return arr


def _column_to_numpy(column, name: str) -> np.ndarray:
    """Arrow (chunked) list<double> column of equal-length rows -> float64 (N, J*3); other inputs via np.asarray."""
    if isinstance(column, (pa.ChunkedArray, pa.Array)):
        column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
            lengths = np.diff(column.offsets.to_numpy())
            if len(column) == 0 or (lengths != lengths[0]).any() or lengths[0] % 3:
                raise ValueError(
                    f"all `{name}` batches must have the same number of joints; got row lengths "
                    f"{sorted(set(lengths.tolist()))[:5]} (expected J * 3)"
                )
            return column.flatten().to_numpy(zero_copy_only=False).astype(np.float64).reshape(len(column), -1)
        return column.to_numpy(zero_copy_only=False)
    return np.asarray(column)


def _joint_errors(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    diff = pred - target
    return np.sqrt(np.einsum("...i,...i->...", diff, diff))


def _procrustes_errors(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Per-joint errors after batched similarity Procrustes alignment (VideoPose3D p_mpjpe), (N, J)."""
    mu_x, mu_y = target.mean(1, keepdims=True), pred.mean(1, keepdims=True)
    x0, y0 = target - mu_x, pred - mu_y
    u, s, vt = np.linalg.svd(np.swapaxes(x0, 1, 2) @ y0)
    v, ut = np.swapaxes(vt, 1, 2), np.swapaxes(u, 1, 2)
    sign = np.where(np.linalg.det(v @ ut) < 0, -1.0, 1.0)
    d = np.concatenate([np.ones_like(s[:, :-1]), sign[:, None]], axis=1)
    rot = (v * d[:, None, :]) @ ut
    scale = (s * d).sum(1)[:, None, None] / np.maximum((y0**2).sum((1, 2))[:, None, None], 1e-12)
    aligned = scale * (pred @ rot) + (mu_x - scale * (mu_y @ rot))
    return _joint_errors(aligned, target)


def _per_pose_metrics(pred, target, pck_threshold, auc_thresholds, root_relative) -> dict[str, np.ndarray]:
    if root_relative:
        pred, target = pred - pred[:, :1], target - target[:, :1]
    err = _joint_errors(pred, target)
    scale = (target * pred).sum((1, 2)) / np.maximum((pred * pred).sum((1, 2)), 1e-12)
    thr = np.sort(np.asarray(auc_thresholds, dtype=np.float64).ravel())
    return {
        "mpjpe": err.mean(1),
        "pa_mpjpe": _procrustes_errors(pred, target).mean(1),
        "n_mpjpe": _joint_errors(scale[:, None, None] * pred, target).mean(1),
        "pck3d": (err < pck_threshold).mean(1),
        "auc": ((thr.size - np.searchsorted(thr, err, side="right")) / thr.size).mean(1),
    }


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class Pose3d(evaluate.Metric):
    """MPJPE / PA-MPJPE / N-MPJPE / PCK3D / AUC with optional per-action aggregation."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read the Arrow cache back as numpy (one 2-D array) instead of 10^7 Python floats. MetricInfo only allows
        # format="arrow" for scalar features at construction time, but `datasets` formats list columns fine.
        self.info.format = "arrow"

    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features(
                {
                    "predictions": datasets.Sequence(datasets.Value("float64")),
                    "references": datasets.Sequence(datasets.Value("float64")),
                    "actions": datasets.Value("string"),
                }
            ),
            reference_urls=["https://github.com/facebookresearch/VideoPose3D", "https://arxiv.org/abs/2508.07112"],
        )

    def add_batch(self, *, predictions=None, references=None, actions=None, **kwargs):
        """Add (N, J, 3) predictions / references (mm) and optional N action labels."""
        if predictions is None and references is None and actions is None:
            return super().add_batch(**kwargs)
        predictions = _flatten_poses(predictions, "predictions")
        references = _flatten_poses(references, "references")
        if predictions.shape != references.shape:
            raise ValueError(
                f"`predictions` and `references` must have the same shape; got {predictions.shape} "
                f"and {references.shape} (flattened to (N, J*3))"
            )
        if actions is None:
            actions = [""] * len(predictions)
        else:
            actions = [str(a) for a in (actions.tolist() if hasattr(actions, "tolist") else actions)]
            if len(actions) != len(predictions):
                raise ValueError(f"`actions` must have {len(predictions)} labels (one per pose); got {len(actions)}")
        if not kwargs and self._write_arrow_batch(predictions, references, actions):
            return None
        return super().add_batch(predictions=predictions, references=references, actions=actions, **kwargs)

    def _write_arrow_batch(self, predictions: np.ndarray, references: np.ndarray, actions: list[str]) -> bool:
        """Fast path: hand evaluate's own cache writer whole Arrow columns built zero-copy from numpy.

        ``EvaluationModule.add_batch`` encodes every row in Python (~8x the cost of the metrics for 200k poses).
        The rows written here are identical (same features, same writer and cache files, same locking), just
        without the per-row loop. Returns False, so the caller falls back to the public path, when evaluate's
        internals differ from the 0.4 layout this relies on.
        """
        if not (
            hasattr(self, "writer") and hasattr(self, "_init_writer") and isinstance(self.features, datasets.Features)
        ):
            return False
        if self.writer is None:
            self.selected_feature_format = self.features
            self._init_writer()
        width = predictions.shape[1]
        for start in range(0, len(predictions), _ARROW_CHUNK_ROWS):
            stop = min(start + _ARROW_CHUNK_ROWS, len(predictions))
            offsets = pa.array(np.arange(0, (stop - start + 1) * width, width, dtype=np.int32))

            def rows(a, start=start, stop=stop, offsets=offsets):
                return pa.ListArray.from_arrays(offsets, pa.array(a[start:stop].ravel()))

            table = pa.table(
                {
                    "predictions": rows(predictions),
                    "references": rows(references),
                    "actions": pa.array(actions[start:stop], type=pa.string()),
                }
            )
            self.writer.write_table(table)
        return True

    def add(self, *, prediction=None, reference=None, action=None, **kwargs):
        """Add one (J, 3) pose pair (mm) and an optional action label."""
        actions = None if action is None else [action]
        self.add_batch(
            predictions=np.asarray(prediction)[None], references=np.asarray(reference)[None], actions=actions
        )

    def compute(self, *, predictions=None, references=None, actions=None, **kwargs):
        """Add the given batch (if any) and compute every metric; see the module description for the keys."""
        if predictions is not None or references is not None:
            self.add_batch(predictions=predictions, references=references, actions=actions)
        return super().compute(**kwargs)

    def _compute(
        self,
        predictions,
        references,
        actions=None,
        pck_threshold: float = 150.0,
        auc_thresholds=None,
        root_relative: bool = False,
        units: str = "mm",
    ):
        pred, target = _column_to_numpy(predictions, "predictions"), _column_to_numpy(references, "references")
        if pred.shape != target.shape:
            raise ValueError(f"`predictions` {pred.shape} and `references` {target.shape} differ after flattening")
        pred, target = pred.reshape(len(pred), -1, 3), target.reshape(len(target), -1, 3)
        to_mm = check_units(target, units)
        if to_mm != 1.0:
            pred, target = pred * to_mm, target * to_mm
        thresholds = AUC_THRESHOLDS_MM if auc_thresholds is None else auc_thresholds
        per_pose = _per_pose_metrics(pred, target, pck_threshold, thresholds, root_relative)
        results = {key: float(values.mean()) for key, values in per_pose.items()}
        results["num_poses"] = len(pred)

        labels = (_column_to_numpy(actions, "actions") if actions is not None else np.full(len(pred), "")).astype(str)
        has_label = labels != ""
        if has_label.any():
            if not has_label.all():
                raise ValueError(
                    f"`actions` given for {int(has_label.sum())} of {len(labels)} poses; give all or none"
                )
            names, inverse = np.unique(labels, return_inverse=True)
            counts = np.bincount(inverse, minlength=len(names))
            per_action = {str(n): {"count": int(c)} for n, c in zip(names, counts)}
            for key, values in per_pose.items():
                means = np.bincount(inverse, weights=values, minlength=len(names)) / counts
                results[f"{key}_action_wise"] = float(means.mean())
                for n, m in zip(names, means):
                    per_action[str(n)][key] = float(m)
            results["per_action"] = per_action
        return results
