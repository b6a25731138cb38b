"""``auglift evaluate --depth-severity``: depth re-derived per severity, XY flat, XYCD degrading (issue 14 item 4)."""

import numpy as np
import pytest

from auglift_hf.analysis.depth_severity import rederive_depth, select_sequences, severity_markdown
from auglift_hf.data.windows import column_numpy, load_frame_table


def test_rederive_depth_is_exact_at_zero_and_grows_with_severity(motion_table_pair):
    table = load_frame_table(motion_table_pair[0], config="gt2d", split="test")
    small = select_sequences(table, 60)
    assert 0 < small.num_rows <= 60 and small.num_rows < table.num_rows
    z = column_numpy(small, "keypoints_3d", (17, 3))[..., 2]
    exact = column_numpy(rederive_depth(small, 0.0, at_gt=True, progress=False), "d", (17,))
    assert np.abs((exact - exact[:, :1]) - (z - z[:, :1])).mean() < 0.12  # the surface is a capsule radius ahead
    errs = []
    for sev in (0.5, 1.0, 3.0):
        d = column_numpy(rederive_depth(small, sev, at_gt=True, progress=False), "d", (17,))
        errs.append(np.abs((d - d[:, :1]) - (exact - exact[:, :1])).mean())
    assert 0 < errs[0] < errs[1] < errs[2]
    with pytest.raises(ValueError, match="severity"):
        rederive_depth(small, -1.0, at_gt=True)
    assert "S=1" in severity_markdown({"t": {"m": {0.0: 50.0, 1.0: 60.0}}})


def test_evaluate_cli_depth_severity(motion_table_pair, tmp_path):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "export"))
    from auglift_tiny_lifters import make_lifter_folder

    from auglift_hf.cli import main

    models = [make_lifter_folder(tmp_path, "tcn", n, with_card=False) for n in (2, 4)]
    out = tmp_path / "ev"
    rc = main([
        "evaluate", "--models", *map(str, models), "--names", "xy", "xycd", "--datasets", str(motion_table_pair[1]),
        "--depth-severity", "0", "2", "--out", str(out), "--max-samples", "40",
    ])  # fmt: skip
    assert rc == 0
    rows = [r.split(",") for r in (out / "depth_severity.csv").read_text().splitlines()[1:]]
    res = {(m, float(s)): float(v) for _, m, s, v, sim in rows}
    from auglift_hf.data.schema import DEFAULT_DEPTH_SIMULATION

    # re-derived with the simulation the quickstart table's card names: the package default
    assert {sim for *_, sim in rows} == {DEFAULT_DEPTH_SIMULATION}
    assert res[("xy", 0.0)] == res[("xy", 2.0)]  # XY ignores depth
    assert res[("xycd", 0.0)] != res[("xycd", 2.0)]
    assert (out / "depth_severity.png").stat().st_size > 1000


@pytest.mark.parametrize("args", [["--depth-severity", "nan"], ["--depth-severity", "0", "-1"],
                                  ["--depth-severity", "inf"], ["--depth-severity", "1", "--severity-max-rows", "0"]])  # fmt: skip
def test_depth_severity_refuses_values_that_cannot_be_meant(args, tmp_path, capsys):
    from auglift_hf.cli import main

    with pytest.raises(SystemExit) as exit_info:  # argparse usage errors exit before any work
        main(["evaluate", "--models", "m", "--datasets", "d", "--out", str(tmp_path / "out"), *args])
    code = exit_info.value.code
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert code == 2 and len(err) == 1 and err[0].startswith("auglift evaluate: error:") and "--" in err[0]
    assert not (tmp_path / "out").exists()


def _surface_table(folder, severity):
    """A one-sequence procedural table whose depth is the table's own surface-v2 simulation at ``severity``, and
    the re-derivation seed that gives its sequence the converter's draws (source seed ``seed * 1_000_003 + 1``)."""
    import zlib

    from auglift_hf.data.schema import synthetic_depth_source, write_frame_table
    from auglift_hf.training.quickstart import procedural_records

    records = procedural_records(num_train=0, num_test=1, num_frames=30, seed=5, progress=False)
    key = zlib.crc32("/".join((records[0].subject, records[0].action, records[0].camera)).encode())
    table_seed = key // 1_000_003 + 1
    source = synthetic_depth_source(simulation="surface-v2", severity=severity, seed=table_seed,
                                    corruption="realistic" if severity > 0 else None)  # fmt: skip
    write_frame_table(records, folder, dataset_name="surf", depth_source=source, progress=False)
    return folder, table_seed * 1_000_003 + 1 - key


@pytest.mark.parametrize("severity", [0.0, 1.0])
def test_surface_rederivation_reproduces_the_tables_own_surface_depth(severity, tmp_path):
    """Given the sequence's own draws, ``--depth-severity`` with surface-v2 gives back the table's surface-v2
    depth (the capsule-v1 re-derivation, which the severity analysis used for every table before, does not)."""
    from auglift_hf.analysis.depth_severity import card_depth_simulation

    folder, seed = _surface_table(tmp_path / "surf", severity)
    assert card_depth_simulation(folder) == "surface-v2"
    table = load_frame_table(folder, config="gt2d", split="test")
    cols = ("d", "d_min", "d_max")
    own = np.stack([column_numpy(table, c, (17,)) for c in cols], -1)
    again = rederive_depth(table, severity, at_gt=True, seed=seed, progress=False, simulation="surface-v2")
    np.testing.assert_array_equal(np.stack([column_numpy(again, c, (17,)) for c in cols], -1), own)
    capsule = rederive_depth(table, severity, at_gt=True, seed=seed, progress=False)
    assert np.abs(np.stack([column_numpy(capsule, c, (17,)) for c in cols], -1) - own).mean() > 0.005
    with pytest.raises(ValueError, match="simulation"):
        rederive_depth(table, severity, at_gt=True, simulation="surface-v3")


def test_evaluate_depth_severity_takes_the_cards_simulation_and_refuses_a_contradiction(tmp_path, capsys):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "export"))
    from auglift_tiny_lifters import make_lifter_folder

    from auglift_hf.analysis.cli import DEPTH_SIMULATIONS
    from auglift_hf.cli import main
    from auglift_hf.data.schema import DEPTH_SIMULATIONS as SCHEMA_SIMULATIONS

    assert DEPTH_SIMULATIONS == SCHEMA_SIMULATIONS
    folder, _ = _surface_table(tmp_path / "surf", 0.0)
    model = make_lifter_folder(tmp_path, "tcn", 6, with_card=False)
    argv = ["evaluate", "--models", str(model), "--names", "casp", "--datasets", str(folder), "--no-progress",
            "--depth-severity", "0", "1"]  # fmt: skip
    out = tmp_path / "ev"
    assert main([*argv, "--out", str(out)]) == 0
    rows = (out / "depth_severity.csv").read_text().splitlines()
    assert rows[0] == "dataset,model,severity,mpjpe_mm,simulation" and len(rows) == 3
    assert all(r.endswith(",surface-v2") for r in rows[1:])
    assert "### surf (simulated depth re-derived with surface-v2)" in (out / "depth_severity.md").read_text()
    assert main([*argv, "--out", str(tmp_path / "same"), "--depth-simulation", "surface-v2"]) == 0
    assert (tmp_path / "same" / "depth_severity.csv").read_text() == "\n".join(rows) + "\n"
    capsys.readouterr()
    bad = tmp_path / "bad"
    assert main([*argv, "--out", str(bad), "--depth-simulation", "capsule-v1"]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1 and "--depth-simulation capsule-v1 contradicts the dataset card" in err[0]
    assert "surface-v2" in err[0] and str(folder) in err[0]
    assert not bad.exists() or not any(bad.iterdir())
    argv = ["evaluate", "--models", str(model), "--datasets", str(folder), "--out", str(bad), "--depth-simulation",
            "surface-v2"]  # fmt: skip
    assert main(argv) == 2
    assert "--depth-simulation applies to --depth-severity only" in capsys.readouterr().err
