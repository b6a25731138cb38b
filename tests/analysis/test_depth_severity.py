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
    res = {(m, float(s)): float(v) for _, m, s, v in rows}
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
