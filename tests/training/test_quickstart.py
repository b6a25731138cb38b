"""`auglift quickstart`: the README's main job in its reduced mode, its output-folder rule, the paired bootstrap
interval of its XY-vs-XYCD comparison (issue 28 items 1 and 4), and its depth: the package's default simulation
and severity through convert's depth source, named wherever the quickstart writes (issue 24)."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from auglift_hf.data.schema import DEFAULT_DEPTH_SIMULATION
from auglift_hf.metrics.bootstrap import paired_bootstrap_interval
from auglift_hf.simulation.surface_error import CALIBRATED_SEVERITY, OPTIMISTIC_SEVERITY
from auglift_hf.training.quickstart import (
    PROFILES,
    RUN_OUTPUTS,
    SMOKE_NOTE,
    depth_label,
    describe_interval,
    prepare_output,
    quickstart_depth_source,
)


def test_quickstart_smoke(tmp_path):
    out = tmp_path / "qs"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "auglift_hf.cli", "quickstart", "--smoke", "--out", str(out), "--no-progress"]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = [line for line in proc.stdout.strip().splitlines() if line.strip()]
    # the comparison is printed last, with its interval, and a smoke run says its numbers are meaningless
    assert lines[-1].startswith("XYCD vs XY: MPJPE") and "95 % CI" in lines[-1] and "paired bootstrap" in lines[-1]
    assert lines[-1].endswith("[SMOKE RUN: meaningless numbers]")
    assert SMOKE_NOTE in proc.stdout and any(line.startswith("| XYCD |") for line in lines[-4:])
    md = (out / "comparison.md").read_text()
    assert md.startswith(f"**{SMOKE_NOTE}**") and "meaningless" in md.splitlines()[-1]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["profile"] == "smoke" and summary["note"] == SMOKE_NOTE
    assert set(summary["results"]) == {"XY", "XYCD"}
    assert summary["xycd_vs_xy"]["mpjpe"]["num_groups"] == PROFILES["smoke"]["test_sequences"]
    for folder in summary["models"].values():
        names = set(os.listdir(folder))
        assert {"config.json", "model.safetensors", "README.md"} <= names
    assert (out / "comparison.png").read_bytes()[:4] == b"\x89PNG"
    # the depth is the package's default simulation at its default severity, named in every output (issue 24)
    recorded = summary["depth_simulation"]
    assert recorded["simulation"] == DEFAULT_DEPTH_SIMULATION == "surface-v2"
    assert recorded["depth_error"]["severity"] == CALIBRATED_SEVERITY
    label = f"simulated depth: {DEFAULT_DEPTH_SIMULATION}, severity {CALIBRATED_SEVERITY:g} (calibrated)"
    assert recorded["label"] == label and label in summary["inputs"]
    assert f"Inputs: {summary['inputs']}" in md.splitlines() and f"Inputs: {summary['inputs']}" in proc.stdout
    card = (out / "data" / "procedural" / "README.md").read_text()
    assert f"come from: **{label}; synthetic metric depth (casp" in card


def test_an_earlier_run_is_never_replaced_without_overwrite(tmp_path, capsys):
    """Issue 28 item 1 (failed before: ``--smoke`` silently replaced a finished 30-minute run in the same folder)."""
    from auglift_hf.cli import main

    out = tmp_path / "quickstart_out"
    (out / "runs" / "tcn27-xycd" / "final").mkdir(parents=True)
    (out / "summary.json").write_text('{"earlier": true}')
    (out / "mynotes.txt").write_text("mine")
    (out / "data" / "mytable").mkdir(parents=True)
    code = main(["quickstart", "--smoke", "--out", str(out), "--no-progress"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 4 and len(err) == 1 and "already holds a quickstart run" in err[0] and "--overwrite" in err[0]
    assert (out / "summary.json").read_text() == '{"earlier": true}'
    assert (out / "runs" / "tcn27-xycd" / "final").is_dir()

    replaced = prepare_output(out, overwrite=True)  # what --overwrite does before the new run
    assert replaced == ["runs/tcn27-xycd", "summary.json"]
    assert not (out / "summary.json").exists() and not (out / "runs" / "tcn27-xycd").exists()
    assert (out / "mynotes.txt").read_text() == "mine" and (out / "data" / "mytable").is_dir()  # not ours: kept
    assert prepare_output(tmp_path / "new", overwrite=False) == []
    assert set(RUN_OUTPUTS) >= {"summary.json", "comparison.md", "comparison.png", "runs/tcn27-xy"}


def test_default_budget_is_the_short_one_and_full_is_behind_a_flag():
    """Issue 28 item 2: the default fits in 5 minutes (measured CPU time in README.md); ``--full`` is the former
    default. Budget sizes only, never timed here."""
    from auglift_hf.cli import _build_parser

    default, full = PROFILES["default"], PROFILES["full"]
    cost = lambda p: p["max_steps"] * p["batch_size"] * p["channels"] ** 2  # noqa: E731 - conv FLOPs per run
    assert cost(full) >= 2 * cost(default)
    args = _build_parser("quickstart").parse_args(["quickstart", "--full"])
    assert args.full and not args.smoke
    with pytest.raises(SystemExit):
        _build_parser("quickstart").parse_args(["quickstart", "--full", "--smoke"])


def _slow_interval(a, b, groups, n_resamples, seed, confidence=0.95):
    """Reference: the same resamples as :func:`paired_bootstrap_interval` (multinomial group counts drawn with the
    same generator), one loop per resample over the frames of the drawn sequences."""
    ids, g = np.unique(groups, return_inverse=True)
    counts = np.random.default_rng(seed).multinomial(len(ids), np.full(len(ids), 1 / len(ids)), size=n_resamples)
    diffs = []
    for count in counts:
        rows = np.concatenate([np.repeat(np.flatnonzero(g == k), n) for k, n in enumerate(count)])
        diffs.append(b[rows].mean() - a[rows].mean())
    return np.quantile(diffs, [(1 - confidence) / 2, (1 + confidence) / 2])


def test_quickstart_interval_matches_a_loop_and_reads_right():
    """The quickstart's comparison uses the package's paired bootstrap; its phrase says better / no difference."""
    rng = np.random.default_rng(3)
    groups = np.repeat(np.arange(12), rng.integers(20, 60, 12))
    seq_effect = rng.normal(0, 10, 12)[groups]  # frames of one sequence are correlated
    a = 60 + seq_effect + rng.normal(0, 5, groups.size)
    b = a - 3 + rng.normal(0, 2, 12)[groups]
    iv = paired_bootstrap_interval(a, b, groups, n_resamples=300, seed=7)
    np.testing.assert_allclose([iv["low"], iv["high"]], _slow_interval(a, b, groups, 300, 7), rtol=1e-10)
    assert iv["difference"] == pytest.approx(b.mean() - a.mean())
    assert iv["low"] < iv["difference"] < iv["high"] < 0 and iv["significant"]
    assert iv["num_groups"] == 12 and iv["relative"] == pytest.approx((b.mean() - a.mean()) / a.mean())
    assert "better" in describe_interval("MPJPE", iv)
    # no difference: b is a with sequence-level noise of both signs -> the interval contains 0
    noise = np.random.default_rng(5).normal(0, 3, 12)
    same = paired_bootstrap_interval(a, a + noise[groups] - noise[groups].mean(), groups, n_resamples=500, seed=0)
    assert same["low"] < 0 < same["high"] and not same["significant"]
    assert "no significant difference" in describe_interval("MPJPE", same)


def _tiny_records():
    from auglift_hf.training.quickstart import procedural_records

    return procedural_records(num_train=2, num_test=1, num_frames=20, seed=0, progress=False)


def _depth(table, config="detected2d"):
    from datasets import load_dataset

    ds = load_dataset(str(table), config, split="train").with_format("numpy")
    return np.stack([ds[c] for c in ("d", "d_min", "d_max")], -1)


def test_quickstart_table_is_convert_s_synthetic_depth(tmp_path):
    """One code path: the quickstart's table holds exactly the depth of ``synthetic_depth_source`` with its defaults
    (what ``auglift convert --depth-source synthetic`` passes to ``write_frame_table``), and its card and the
    lifters' contract say so."""
    from auglift_hf.contract import InputContract, default_descriptor
    from auglift_hf.data.schema import synthetic_depth_source, write_frame_table
    from auglift_hf.training.quickstart import build_table

    table = build_table(_tiny_records(), tmp_path / "qs", "procedural", progress=False)
    write_frame_table(_tiny_records(), tmp_path / "convert", dataset_name="procedural",
                      depth_source=synthetic_depth_source(), progress=False)  # fmt: skip
    for config in ("detected2d", "gt2d"):
        np.testing.assert_array_equal(_depth(table, config), _depth(tmp_path / "convert", config))
    contract = InputContract.from_dataset_card(table, config="detected2d")
    assert contract.depth_descriptor == default_descriptor() and contract.depth_kind == "metric"
    card = (table / "README.md").read_text()
    assert f"simulation: {DEFAULT_DEPTH_SIMULATION}" in card and f"severity: {CALIBRATED_SEVERITY}" in card


def test_depth_options_switch_the_simulation_and_severity(tmp_path):
    """``--depth-simulation`` / ``--depth-severity`` reach the same source; labels say calibrated / optimistic."""
    from auglift_hf.cli import _build_parser
    from auglift_hf.data.schema import synthetic_depth_source
    from auglift_hf.training.quickstart import build_table

    args = _build_parser("quickstart").parse_args(["quickstart"])
    assert args.depth_simulation is None and args.depth_severity is None  # None: the package defaults
    default = quickstart_depth_source(args.seed, 25.0, args.depth_simulation, args.depth_severity)
    assert default.simulation == DEFAULT_DEPTH_SIMULATION
    assert default.depth_error["severity"] == CALIBRATED_SEVERITY
    args = _build_parser("quickstart").parse_args(
        ["quickstart", "--depth-simulation", "capsule-v1", "--depth-severity", "2"]
    )
    capsule = quickstart_depth_source(args.seed, 25.0, args.depth_simulation, args.depth_severity)
    assert capsule.simulation == "capsule-v1" and capsule.depth_error["severity"] == 2.0
    assert depth_label(capsule) == "simulated depth: capsule-v1, severity 2"
    optimistic = quickstart_depth_source(severity=OPTIMISTIC_SEVERITY)
    assert depth_label(optimistic) == f"simulated depth: surface-v2, severity {OPTIMISTIC_SEVERITY:g} (optimistic)"
    assert depth_label(quickstart_depth_source(severity=0.0)) == "simulated depth: surface-v2, severity 0"
    assert quickstart_depth_source(fps=6.25).depth_error["fps"] == 6.25  # H36M records at stride 4: 6.25 Hz
    simple = quickstart_depth_source(simple=True)
    assert (
        simple.simulation == "capsule-v1"
        and depth_label(simple) == "simulated depth: capsule-v1, mild DepthCorruption"
    )
    # the switched source is the one the table gets: convert's capsule-v1 source at severity 2, bit for bit
    table = build_table(_tiny_records(), tmp_path / "capsule", "procedural", progress=False, depth_source=capsule)
    reference = synthetic_depth_source(simulation="capsule-v1", severity=2.0)
    from auglift_hf.data.schema import write_frame_table

    write_frame_table(_tiny_records(), tmp_path / "ref", dataset_name="procedural", depth_source=reference,
                      progress=False)  # fmt: skip
    np.testing.assert_array_equal(_depth(table), _depth(tmp_path / "ref"))
    assert "come from: **simulated depth: capsule-v1, severity 2;" in (table / "README.md").read_text()


@pytest.mark.parametrize("option", [["--depth-severity", "1"], ["--depth-simulation", "surface-v2"]])
def test_simple_simulation_refuses_depth_options_before_writing(tmp_path, capsys, option):
    from auglift_hf.cli import main

    out = tmp_path / "qs"
    code = main(["quickstart", "--smoke", "--simple-simulation", *option, "--out", str(out), "--no-progress"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "--simple-simulation brings its own depth" in err[0]
    assert not out.exists()
