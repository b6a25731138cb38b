"""Analyses as pure functions, and `auglift evaluate` producing the cross-dataset matrix on fixture tables."""

import csv

import numpy as np
import pytest

from auglift_hf.analysis.matrix import build_matrix, matrix_markdown, write_matrix
from auglift_hf.analysis.novelty import fit_prototypes, pose_novelty
from auglift_hf.analysis.occlusion import joint_occlusion, occlusion_score
from auglift_hf.analysis.robustness import detection_error_2d, stratify


def test_occlusion_pipe_man():
    pose = np.zeros((2, 17, 3))
    pose[..., 2] = 4.0
    pose[:, :, 0] = np.linspace(-0.8, 0.8, 17)  # joints spread along x: nothing overlaps
    pose[:, :, 1] = np.linspace(-0.8, 0.8, 17) ** 2
    assert not joint_occlusion(pose[:1]).any()
    # the left wrist right behind the middle of the spine->thorax pipe
    pose[1, 13] = (pose[1, 7] + pose[1, 8]) / 2 + np.array([0.0, 0.0, 0.5])
    occ = joint_occlusion(pose)
    assert occ[1, 13] and occ[1].sum() == 1
    np.testing.assert_allclose(occlusion_score(pose), [0.0, 1 / 17])
    with pytest.raises(ValueError, match="joints_cam"):
        joint_occlusion(np.zeros((3, 16, 3)))


def test_novelty_and_stratify():
    rng = np.random.default_rng(0)
    train = rng.normal(size=(300, 17, 3)) * 10
    protos = fit_prototypes(train, k=8, seed=0)
    assert protos.shape == (8, 17, 3)
    near, far = train[:50], train[:50] * 5
    assert pose_novelty(far, protos).mean() > 2 * pose_novelty(near, protos).mean()
    values = np.arange(100.0)
    rows = stratify(values, {"a": values * 2, "b": np.ones(100)}, num_bins=4)
    assert [r["bin"] for r in rows] == ["Q1", "Q2", "Q3", "Q4"] and sum(r["count"] for r in rows) == 100
    assert rows[0]["a"] < rows[-1]["a"] and rows[0]["b"] == 1.0
    tied = np.r_[np.zeros(75), np.linspace(0.1, 1.0, 25)]  # 75 % ties at 0 collapse the first three quartiles
    merged = stratify(tied, {"a": np.ones(100)}, num_bins=4)
    assert [(r["bin"], r["count"]) for r in merged] == [("Q1-Q3", 75), ("Q4", 25)]
    with pytest.raises(ValueError, match="errors"):
        stratify(values, {"a": values[:3]})
    gt = rng.normal(size=(10, 17, 2)) * 100
    assert np.allclose(detection_error_2d(gt, gt), 0)


def test_matrix_tables(tmp_path):
    cells = {
        (m, s): {"mpjpe": 40.0 + i + 10 * j, "pa_mpjpe": 30.0, "pck3d": 0.9, "auc": 0.5, "num_poses": 10}
        for i, m in enumerate(["xy", "xycd", "pf"])
        for j, s in enumerate(["h36m", "3dhp"])
    }
    values, models, sets = build_matrix(cells)
    assert values.shape == (3, 2) and models == ["xy", "xycd", "pf"] and sets == ["h36m", "3dhp"]
    assert values[1, 1] == 51.0
    assert "| xycd | 41.0 | 51.0 |" in matrix_markdown(cells)
    paths = write_matrix(cells, tmp_path)
    rows = list(csv.DictReader(paths["csv"].open()))
    assert len(rows) == 3 * 2 * 5  # mpjpe, pa_mpjpe, n_mpjpe, pck3d, auc
    assert paths["heatmap"].read_bytes()[:4] == b"\x89PNG"


def test_evaluate_cli_matrix(motion_table_pair, tmp_path):
    """Two tiny models x two tables -> a 2 x 2 matrix, per-action tables and the four analyses."""
    import torch

    import auglift_hf  # noqa: F401
    from auglift_hf.cli import main
    from auglift_hf.models import TCNConfig, TCNForPoseLifting

    models = []
    for channels in (["x", "y"], ["x", "y", "c", "d"]):
        torch.manual_seed(0)
        model = TCNForPoseLifting(TCNConfig(filter_widths=[3, 3], channels=16, input_channels=channels))
        folder = tmp_path / ("m_" + "".join(channels))
        model.save_pretrained(folder)
        models.append(str(folder))
    out = tmp_path / "eval"
    argv = ["evaluate", "--models", *models, "--datasets", *map(str, motion_table_pair), "--config", "detected2d",
            "--out", str(out), "--max-samples", "150", "--all-analyses"]  # fmt: skip
    assert main(argv) == 0
    rows = list(csv.DictReader((out / "matrix.csv").open()))
    cells = {(r["model"], r["test_set"]) for r in rows}
    assert len(cells) == 4
    md = (out / "matrix.md").read_text()
    assert "MPJPE" in md and "action-wise" in md
    for stem in ("occlusion", "novelty", "robustness", "depth_order"):
        for ds in motion_table_pair:
            assert (out / f"{stem}_{ds.name}.md").is_file() and (out / f"{stem}_{ds.name}.png").is_file(), stem
    assert list(out.glob("per_action_*.md"))


def test_evaluate_records_contract_deviations(tmp_path):
    import json

    from auglift_hf.analysis.cli import _contract_deviations
    from auglift_hf.contract import CARD_KEY, InputContract
    from auglift_hf.processing_lifting import PoseLiftingProcessor

    lifter = tmp_path / "lifter"
    PoseLiftingProcessor(
        input_channels=["x", "y", "c", "d"], **InputContract.metric(num_samples=16).to_dict()
    ).save_pretrained(lifter)
    table = tmp_path / "table"
    table.mkdir()
    entry = InputContract.metric(num_samples=100).to_dict()
    (table / "README.md").write_text("---\n" + json.dumps({CARD_KEY: entry}) + "\n---\n")
    with pytest.warns(UserWarning, match="num_samples=100"):
        notes = _contract_deviations({"m": str(lifter)}, [str(table)], "gt2d")
    assert list(notes) == ["m on table"] and notes["m on table"][0].startswith("override:")
    same = tmp_path / "same"
    same.mkdir()
    (same / "README.md").write_text("---\n" + json.dumps({CARD_KEY: InputContract.metric().to_dict()}) + "\n---\n")
    assert _contract_deviations({"m": str(lifter)}, [str(same)], "gt2d") == {}


def test_evaluate_skipped_cell_is_said_once_and_truthfully(tmp_path, capsys, monkeypatch, recwarn):
    """Issue 28 item 3 (failed before: an XYCD lifter with ``missing_depth: "fill"`` on a table without depth was
    skipped, while a warning and ``contract_deviations.json`` said it was "fed as missing depth"; the heatmap cell
    was blank)."""
    import dataclasses
    import json

    import torch

    from auglift_hf.analysis import plots
    from auglift_hf.cli import main
    from auglift_hf.contract import InputContract
    from auglift_hf.data.schema import write_frame_table
    from auglift_hf.models import TCNConfig, TCNForPoseLifting
    from auglift_hf.processing_lifting import PoseLiftingProcessor
    from auglift_hf.training.quickstart import procedural_records

    table = tmp_path / "nodepth"
    recs = procedural_records(num_train=0, num_test=2, num_frames=30, seed=4, progress=False)
    write_frame_table(recs, table, dataset_name="nodepth", progress=False)
    models = []
    for channels in (["x", "y"], ["x", "y", "c", "d"]):
        torch.manual_seed(0)
        folder = tmp_path / ("m_" + "".join(channels))
        TCNForPoseLifting(TCNConfig(filter_widths=[3], channels=8, input_channels=channels)).save_pretrained(folder)
        if "d" in channels:
            contract = dataclasses.replace(InputContract.metric(), keypoint_definition="coco", missing_depth="fill")
            PoseLiftingProcessor(input_channels=channels, num_frames=3, **contract.to_dict()).save_pretrained(folder)
        models.append(str(folder))
    notes = {}
    real = plots.heatmap
    monkeypatch.setattr(plots, "heatmap", lambda *a, **k: notes.update(k.get("notes") or {}) or real(*a, **k))
    out = tmp_path / "eval"
    argv = ["evaluate", "--models", *models, "--datasets", str(table), "--config", "detected2d", "--out", str(out),
            "--no-progress"]  # fmt: skip
    assert main(argv) == 0
    printed = capsys.readouterr()
    assert "skipped m_xycd on nodepth: the model needs depth channel(s) ['d']" in printed.out
    said = printed.out + printed.err + " ".join(str(w.message) for w in recwarn)
    assert "fed as missing depth" not in said
    deviations = out / "contract_deviations.json"
    assert not deviations.exists() or "m_xycd on nodepth" not in json.loads(deviations.read_text())
    assert list(notes.values()) == ["skipped: the model needs depth channel(s) ['d'] but the table has no such column"]
    assert (out / "matrix_mpjpe.png").read_bytes()[:4] == b"\x89PNG"


def test_depth_severity_says_its_cost_first(capsys):
    """Issue 28 item 2: ``--depth-severity`` states rows x severities x models and a time estimate up front."""
    import argparse
    from types import SimpleNamespace

    from auglift_hf.analysis.cli import severity_cost

    bases = {"a": SimpleNamespace(num_rows=229_000)}
    models = {"xy": SimpleNamespace(config=SimpleNamespace(input_channels=["x", "y"])),
              "xycd": SimpleNamespace(config=SimpleNamespace(input_channels=["x", "y", "c", "d"]))}  # fmt: skip
    args = argparse.Namespace(stride=1, max_samples=None, severity_max_rows=None)
    line = severity_cost(bases, [0.0, 0.5, 1.0, 2.0], models, args)
    assert "229,000 rows x 4 severities" in line and "5 model evaluations" in line and "--severity-max-rows" in line
    minutes = float(line.split("about ")[1].split(" min")[0])
    assert 20 < minutes < 60  # the README's H36M run took 32 min on loaded cores
