"""``auglift evaluate --no-depth``: depth lifters fed missing depth through their processor (issue 24's "at no depth
(dropout fallback)"), XY lifters untouched, lifters without a fallback refused, outputs labelled."""

import dataclasses
import json

import numpy as np
import pytest
import torch

from auglift_hf.analysis.cli import NO_DEPTH_STATEMENT
from auglift_hf.cli import main
from auglift_hf.contract import InputContract
from auglift_hf.models import TCNConfig, TCNForPoseLifting
from auglift_hf.processing_lifting import PoseLiftingProcessor

CHANNELS = {"xy": ["x", "y"], "xycd": ["x", "y", "c", "d"], "casp": ["x", "y", "c", "d", "d_min", "d_max"]}


def _lifter(root, name, kind, seed=0, missing_depth="fill", processor=True):
    """A tiny random-init TCN 3f folder; depth lifters get a contract with ``missing_depth``."""
    torch.manual_seed(seed)
    channels = CHANNELS[kind]
    folder = root / name
    model = TCNForPoseLifting(TCNConfig(filter_widths=[3], channels=16, input_channels=channels))
    with torch.no_grad():  # biased random weights so that the depth channels move the output
        for param in model.parameters():
            param.normal_(0, 0.3)
    model.save_pretrained(folder)
    if processor:
        contract = InputContract.metric() if kind != "xy" else InputContract(keypoint_definition="h36m")
        contract = dataclasses.replace(contract, missing_depth=missing_depth if kind != "xy" else None)
        PoseLiftingProcessor(input_channels=channels, num_frames=3, **contract.to_dict()).save_pretrained(folder)
    return str(folder)


@pytest.fixture(scope="module")
def lifters(tmp_path_factory):
    root = tmp_path_factory.mktemp("no_depth_lifters")
    return {
        "xy": _lifter(root, "xy", "xy"),
        "xycd": [_lifter(root, "xycd0", "xycd", seed=1), _lifter(root, "xycd1", "xycd", seed=2)],
        "casp": _lifter(root, "casp", "casp", seed=3),
        "nofill": _lifter(root, "nofill", "xycd", seed=4, missing_depth=None),
        "bare": _lifter(root, "bare", "xycd", seed=5, processor=False),
    }


def _table(folder, name, seed=0, depth=True):
    """A tiny procedural test table with capsule-v1 CASP depth columns (``d, d_min, d_max``) or none."""
    from auglift_hf.data.schema import synthetic_depth_source, write_frame_table
    from auglift_hf.training.quickstart import procedural_records

    records = procedural_records(num_train=0, num_test=3, num_frames=24, seed=seed, progress=False)
    source = synthetic_depth_source() if depth else None
    write_frame_table(records, folder, dataset_name=name, depth_source=source, progress=False)
    return folder


@pytest.fixture(scope="module")
def casp_table(tmp_path_factory):
    return _table(tmp_path_factory.mktemp("no_depth_tables") / "caspA", "caspA")


def _evaluate(tmp_path, name, lifters, datasets, *extra):
    out = tmp_path / name
    argv = ["evaluate", "--models", f"xy={lifters['xy']}", "xycd=" + ",".join(lifters["xycd"]),
            f"casp={lifters['casp']}", "--datasets", *map(str, datasets), "--out", str(out), "--no-progress",
            "--compare", "xy:xycd", "xy:casp", "--bootstrap", "200", *extra]  # fmt: skip
    assert main(argv) == 0
    return out, json.loads((out / "evaluation.json").read_text())


def _cells(record):
    return {(c["model"], c["table"]): c for c in record["cells"]}


def test_no_depth_changes_depth_lifters_only_and_is_labelled(casp_table, lifters, tmp_path, recwarn):
    table = casp_table
    _, with_depth = _evaluate(tmp_path, "with", lifters, [table])
    out, without = _evaluate(tmp_path, "without", lifters, [table], "--no-depth", "--depth-order")
    a, b = _cells(with_depth), _cells(without)
    name = table.name
    assert a[("xy", name)]["mpjpe"] == b[("xy", name)]["mpjpe"]  # XY lifters are unaffected
    assert a[("xy", name)]["pa_mpjpe"] == b[("xy", name)]["pa_mpjpe"]
    for model in ("xycd", "casp"):
        assert abs(a[(model, name)]["mpjpe"] - b[(model, name)]["mpjpe"]) > 0.1, model
        assert b[(model, name)]["depth_input"] == "withheld: fed missing depth"
    assert b[("xy", name)]["depth_input"] == "none (the lifter reads no depth)"
    # the seed group, the comparisons and the paired bootstrap run unchanged
    assert b[("xycd", name)]["seeds"] == 2 and b[("xycd", name)]["mpjpe_seeds"]["seeds"] == 2
    pairs = {(c["a"], c["b"]): c for c in without["comparisons"]}
    assert set(pairs) == {("xy", "xycd"), ("xy", "casp")} and pairs[("xy", "xycd")]["seeds_b"] == 2
    assert pairs[("xy", "casp")]["mpjpe"]["num_poses"] == b[("casp", name)]["num_poses"]
    # labelled per table, in the run record and in matrix.md; the with-depth run says nothing of the kind
    assert without["depth"] == NO_DEPTH_STATEMENT and without["tables"][name]["depth_input"] == NO_DEPTH_STATEMENT
    assert without["tables"][name]["label"].endswith("depth withheld (--no-depth)")
    md = (out / "matrix.md").read_text()
    assert "depth withheld (--no-depth)" in md.splitlines()[0] and NO_DEPTH_STATEMENT in md
    assert f"| {name} | " in md and "depth withheld (--no-depth) |" in md
    assert "depth withheld" in (out / "comparisons.md").read_text()
    assert "depth" not in with_depth and "withheld" not in json.dumps(with_depth)
    assert not list(out.glob("depth_order_*"))  # it stratifies by the depth the lifters did not see
    notes = json.loads((out / "contract_deviations.json").read_text())
    assert all("fed" in " ".join(v) and "--no-depth" in " ".join(v) for v in notes.values()) and notes


def test_no_depth_equals_all_nan_depth_through_the_processor(casp_table, lifters, tmp_path):
    """The cell's MPJPE is that of feeding the lifter's processor all-NaN depth by hand, sequence by sequence."""
    from auglift_hf.analysis.depth_severity import _sequence_slices
    from auglift_hf.data.windows import column_numpy, load_frame_table
    from auglift_hf.models import load_lifter

    table = casp_table
    out = tmp_path / "one"
    argv = ["evaluate", "--models", f"casp={lifters['casp']}", "--datasets", str(table), "--out", str(out),
            "--no-depth", "--no-progress"]  # fmt: skip
    assert main(argv) == 0
    cell = _cells(json.loads((out / "evaluation.json").read_text()))[("casp", table.name)]

    rows = load_frame_table(table, config="gt2d", split="test")
    assert column_numpy(rows, "valid").all()  # every row is a window centre, as in the hand-made windows
    model, processor = load_lifter(lifters["casp"]), PoseLiftingProcessor.from_pretrained(lifters["casp"])
    k2, k3 = column_numpy(rows, "keypoints_2d", (17, 2)), column_numpy(rows, "keypoints_3d", (17, 3))
    scores, size = column_numpy(rows, "keypoint_scores", (17,)), column_numpy(rows, "image_width")
    height = column_numpy(rows, "image_height")
    errors = []
    for seq in _sequence_slices(rows):
        nan = np.full((len(seq), 17, 3), np.nan)
        with pytest.warns(UserWarning, match="fed as missing depth"):
            x = processor(k2[seq], (size[seq[0]], height[seq[0]]), scores[seq], depth=nan)["keypoints"]
        with torch.no_grad():
            poses = model(keypoints=x.float(), flip_test=True).poses_3d
        pred = poses[:, poses.shape[1] // 2].numpy()
        target = k3[seq] - k3[seq][:, :1]
        errors.append(np.linalg.norm(pred - target, axis=-1).mean(-1) * 1000)
    errors = np.concatenate(errors)
    assert cell["num_poses"] == len(errors)
    assert cell["mpjpe"] == pytest.approx(errors.mean(), abs=1e-3)


@pytest.mark.parametrize("which", ["nofill", "bare"])
def test_no_depth_refuses_a_lifter_without_a_fallback(which, casp_table, lifters, tmp_path, capsys):
    out = tmp_path / "refused"
    argv = ["evaluate", "--models", lifters["xy"], f"bad={lifters[which]}", "--datasets", str(casp_table),
            "--out", str(out), "--no-depth", "--no-progress"]  # fmt: skip
    assert main(argv) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1 and err[0].startswith("auglift evaluate: error: --no-depth: bad (")
    assert "never learnt a no-depth fallback" in err[0] and "missing_depth" in err[0]
    assert not out.exists() or not any(out.iterdir())


def test_no_depth_refuses_depth_severity(casp_table, lifters, tmp_path, capsys):
    argv = ["evaluate", "--models", lifters["xy"], "--datasets", str(casp_table), "--out",
            str(tmp_path / "o"), "--no-depth", "--depth-severity", "1"]  # fmt: skip
    assert main(argv) == 2
    assert "--no-depth withholds the depth that --depth-severity re-derives" in capsys.readouterr().err


def test_no_depth_evaluates_depth_lifters_on_a_table_without_depth(lifters, tmp_path):
    """Without the flag a depth lifter is skipped on a table without depth columns; with it, it is fed missing
    depth there as everywhere, and scores what it scores with depth withheld from a table that has depth."""
    bare, full = _table(tmp_path / "bare", "bare", seed=7, depth=False), _table(tmp_path / "full", "full", seed=7)
    argv = ["evaluate", "--models", f"casp={lifters['casp']}", "--datasets", str(bare), str(full), "--no-progress"]
    assert main([*argv, "--out", str(tmp_path / "with")]) == 0
    skipped = _cells(json.loads((tmp_path / "with" / "evaluation.json").read_text()))[("casp", "bare")]
    assert "skipped" in skipped
    assert main([*argv, "--out", str(tmp_path / "without"), "--no-depth"]) == 0
    cells = _cells(json.loads((tmp_path / "without" / "evaluation.json").read_text()))
    assert "skipped" not in cells[("casp", "bare")]
    assert cells[("casp", "bare")]["mpjpe"] == pytest.approx(cells[("casp", "full")]["mpjpe"], abs=1e-6)
