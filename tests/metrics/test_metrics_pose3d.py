"""The ``pose3d`` evaluate module: offline loading, agreement with the pure functions, batching, actions."""

import ast
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
import torch

from auglift_hf import metrics as M
from auglift_hf.metrics import functional as F

os.environ.setdefault("HF_EVALUATE_OFFLINE", "1")
KEYS = ("mpjpe", "pa_mpjpe", "n_mpjpe", "pck3d", "auc")


def make_poses(seed, n=40):
    rng = np.random.default_rng(seed)
    target = rng.normal(size=(n, 17, 3)) * 300.0 + np.array([0.0, 0.0, 4000.0])
    return target + rng.normal(size=target.shape) * 60.0, target


@pytest.fixture(scope="module")
def metric():
    return M.load_metric()


def test_folder_is_self_contained_and_loads_from_a_copy(tmp_path):
    source = (M.POSE3D_METRIC_PATH / "pose3d.py").read_text()
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module.split(".")[0])
    assert imported <= {"__future__", "datasets", "evaluate", "numpy", "pyarrow"}, imported
    assert (M.POSE3D_METRIC_PATH / "README.md").is_file()

    # standalone, as on the Hub: a copy of the folder, offline, in a fresh interpreter where auglift_hf is blocked
    folder = tmp_path / "pose3d"
    shutil.copytree(M.POSE3D_METRIC_PATH, folder)
    script = (
        "import sys; sys.modules['auglift_hf'] = None\n"
        "import evaluate, numpy as np\n"
        f"metric = evaluate.load({str(folder)!r})\n"
        "t = np.arange(5 * 17 * 3, dtype=float).reshape(5, 17, 3) * 100.0\n"  # millimetre-sized bones
        "print(metric.compute(predictions=t + 1.0, references=t)['mpjpe'])\n"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_EVALUATE_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    env["HF_MODULES_CACHE"] = str(tmp_path / "modules")
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert float(done.stdout.strip().splitlines()[-1]) == pytest.approx(np.sqrt(3.0))


def test_compute_matches_pure_functions(metric):
    pred, target = make_poses(1)
    out = metric.compute(predictions=pred, references=target)
    assert set(KEYS) <= set(out) and out["num_poses"] == 40 and "per_action" not in out
    expected = F.compute_pose3d_metrics(pred, target)
    for key in KEYS:
        assert out[key] == pytest.approx(expected[key], rel=1e-12, abs=1e-12), key
        assert isinstance(out[key], float)
    rel = metric.compute(predictions=pred + 500.0, references=target, root_relative=True, pck_threshold=100.0)
    assert rel["mpjpe"] == pytest.approx(F.mpjpe(pred, target, root_relative=True))
    assert rel["pck3d"] == pytest.approx(F.pck3d(pred, target, 100.0, root_relative=True))


def test_add_batch_accumulates_and_accepts_tensors_and_flat_rows(metric):
    pred, target = make_poses(2)
    metric.add_batch(predictions=torch.tensor(pred[:15]), references=torch.tensor(target[:15]))
    metric.add_batch(predictions=pred[15:].reshape(25, 51).tolist(), references=target[15:].reshape(25, 51))
    out = metric.compute()
    assert out["num_poses"] == 40
    assert out["pa_mpjpe"] == pytest.approx(F.p_mpjpe(pred, target), rel=1e-12)
    metric.add(prediction=pred[0], reference=target[0])
    assert metric.compute()["mpjpe"] == pytest.approx(F.mpjpe(pred[:1], target[:1]))


def test_actions_report_frame_wise_and_action_wise(metric):
    pred, target = make_poses(3)
    actions = np.array(["Walking"] * 34 + ["Sitting"] * 6)
    pred[34:] += 80.0  # make the rare action much worse so the two averages differ
    out = metric.compute(predictions=pred, references=target, actions=actions)
    agg = F.aggregate_by_action(F.mpjpe(pred, target, reduction="none"), actions)
    assert out["mpjpe"] == pytest.approx(agg["frame_wise_mean"])
    assert out["mpjpe_action_wise"] == pytest.approx(agg["action_wise_mean"])
    assert out["mpjpe_action_wise"] > out["mpjpe"] + 10.0
    assert out["per_action"]["Sitting"]["count"] == 6
    assert out["per_action"]["Sitting"]["mpjpe"] == pytest.approx(agg["per_action"]["Sitting"])
    assert set(out["per_action"]["Walking"]) == {"count", *KEYS}


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"predictions": np.zeros((4, 17, 2)), "references": np.zeros((4, 17, 2))}, r"`predictions`.*\(4, 17, 2\)"),
        ({"predictions": np.zeros((4, 17, 3)), "references": np.zeros((3, 17, 3))}, r"\(4, 51\) and \(3, 51\)"),
        (
            {"predictions": np.full((2, 17, 3), np.nan), "references": np.zeros((2, 17, 3))},
            "`predictions` contains NaN",
        ),
        ({"predictions": np.zeros((0, 17, 3)), "references": np.zeros((0, 17, 3))}, r"`predictions` is empty"),
        ({"predictions": np.zeros((2, 17, 3)), "references": np.zeros((2, 17, 3)), "actions": ["a"]}, "`actions`"),
    ],
)
def test_bad_inputs(metric, kwargs, match):
    with pytest.raises(ValueError, match=match):
        metric.compute(**kwargs)


def test_public_add_batch_path_gives_the_same_results(metric):
    pred, target = make_poses(4)
    actions = ["a"] * 30 + ["b"] * 10
    fast = metric.compute(predictions=pred, references=target, actions=actions)
    metric._write_arrow_batch = lambda *args: False  # evaluate's own per-row encoder
    try:
        slow = metric.compute(predictions=pred, references=target, actions=actions)
    finally:
        del metric._write_arrow_batch
    assert fast == slow


def test_metres_are_refused_or_converted_with_units_issue_28(metric):
    """Issue 28 item 7 (failed before: metre poses gave "MPJPE 0.032 mm" with no warning)."""
    pred_mm, target_mm = make_poses(3)
    with pytest.raises(ValueError, match=r"median bone length of 0\.\d+.*units='m'"):
        metric.compute(predictions=pred_mm / 1000.0, references=target_mm / 1000.0)
    in_m = metric.compute(predictions=pred_mm / 1000.0, references=target_mm / 1000.0, units="m")
    in_mm = metric.compute(predictions=pred_mm, references=target_mm)
    for key in ("mpjpe", "pa_mpjpe", "n_mpjpe", "pck3d", "auc"):
        assert in_m[key] == pytest.approx(in_mm[key], rel=1e-9)
    with pytest.raises(ValueError, match="`units` must be 'mm' or 'm'"):
        metric.compute(predictions=pred_mm, references=target_mm, units="cm")


def test_unit_check_reads_bone_lengths():
    from auglift_hf.metrics.pose3d.pose3d import check_units, median_bone_length

    _, target = make_poses(3)
    rest = np.zeros((1, 17, 3))
    parents = (-1, 0, 1, 2, 0, 4, 5, 0, 7, 8, 9, 8, 11, 12, 8, 14, 15)
    for j, p in enumerate(parents[1:], start=1):  # every bone 250 mm long, along x
        rest[0, j] = rest[0, p] + [250.0, 0.0, 0.0]
    assert median_bone_length(rest) == pytest.approx(250.0)
    assert check_units(rest, "mm") == 1.0 and check_units(rest / 1000, "m") == 1000.0
    assert median_bone_length(target[:, :5]) > 10  # another skeleton: nearest-joint distances
    with pytest.raises(ValueError, match="cannot be millimetres"):
        check_units(rest / 1000, "mm")
