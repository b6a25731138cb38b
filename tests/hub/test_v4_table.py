"""benchmarks/v4_poseaug/v4_table.py prints the issue-27 v4 experiment's tables (three-seed means, paired intervals,
the AugLift + PoseAug vs PoseAug headline beside the paper's relative gains, labelled as different data)."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "v4_poseaug" / "v4_table.py"


def _import():
    saved = list(sys.path)
    try:  # loaded by path; the script must not leave benchmarks/reference (its evaluate.py) on sys.path
        spec = importlib.util.spec_from_file_location("v4_table", SCRIPT)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        assert sys.path == saved
        return module
    finally:
        sys.path[:] = saved


v4_table = _import()

#: MPJPE (mm) per arm, the same on every table (PA-MPJPE 0.7x)
MEANS = {"xy": 100.0, "xyd": 90.0, "xy-pa": 95.0, "xyd-pa": 80.0, "xy-p1": 110.0}


def _cell(model: str, table: str, seeds: int) -> dict:
    m = MEANS[model]
    return {"model": model, "table": table, "mpjpe": m, "pa_mpjpe": 0.7 * m,
            "mpjpe_seeds": {"mean": m, "std": 1.25, "seeds": seeds},
            "pa_mpjpe_seeds": {"mean": 0.7 * m, "std": 0.5, "seeds": seeds}}  # fmt: skip


def _diff(a: float, b: float, half: float) -> dict:
    d = b - a
    low, high = d - half, d + half
    return {"difference": d, "relative": d / a, "low": low, "high": high, "relative_low": low / a,
            "relative_high": high / a, "significant": low > 0 or high < 0}  # fmt: skip


def _write(root: Path, seeds: int = 3, half: float = 2.0, skip: tuple = ()) -> Path:
    """Hand-made evaluation.json folders of evaluate.sh; ``skip`` = (folder, a, b, table) comparisons to leave out."""
    for folder, table, _ in v4_table.COLUMNS:
        path = root / folder / "evaluation.json"
        data = json.loads(path.read_text()) if path.exists() else {"cells": [], "comparisons": []}
        data["cells"] += [_cell(m, table, seeds) for m, _ in v4_table.ARMS] + [_cell("xy-p1", table, seeds)]
        for a, b in v4_table.COMPARISONS:
            if (folder, a, b, table) in skip:
                continue
            data["comparisons"].append({"a": a, "b": b, "table": table, "mpjpe": _diff(MEANS[a], MEANS[b], half),
                                        "pa_mpjpe": _diff(0.7 * MEANS[a], 0.7 * MEANS[b], 20.0)})  # fmt: skip
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data))
    return root


def _rows(out: str, start: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith(start)]


def test_tables_from_hand_made_evaluations(tmp_path, capsys):
    assert v4_table.main([str(_write(tmp_path))]) == 0
    out = capsys.readouterr().out
    # 1. means: one row per arm, every column "mean ± std / PA mean ± std"
    (xyd_pa,) = _rows(out, "| XYD + dscale2d + PoseAug |")
    assert xyd_pa.count("80.0 ± 1.2 / 56.0 ± 0.5") == len(v4_table.COLUMNS)
    (p1,) = _rows(out, "| XY, phase 1 only")  # context row of an evaluated phase-1 model; xyd-p1 not evaluated
    assert p1.count("110.0 ± 1.2") == len(v4_table.COLUMNS) and not _rows(out, "| XYD + dscale2d, phase 1 only")
    # 2. paired intervals: MPJPE table significant (interval [-17, -13] for XYD + PA vs XY + PA), PA-MPJPE not
    mpjpe, pa = _rows(out, "| XYD + dscale2d + PoseAug vs XY + PoseAug |")
    assert mpjpe.count("-15.0 mm (-15.8 %) [-17.0, -13.0] |") == len(v4_table.COLUMNS)
    assert "no significant difference" not in mpjpe and pa.count("no significant difference") == len(v4_table.COLUMNS)
    (pa_vs_plain,) = [r for r in _rows(out, "| XY + PoseAug vs XY |") if "-5.0 mm" in r]
    assert pa_vs_plain.count("[-7.0, -3.0]") == len(v4_table.COLUMNS)
    # 3. headline: the paper's relative gains beside the measured ones, labelled as different data
    (hp,) = _rows(out, "| AugLift v4 paper, MPI-INF-3DHP (different data) |")
    assert hp.endswith("| -14.5 % (62.4 vs 73.0 mm) |")
    (pw,) = _rows(out, "| AugLift v4 paper, 3DPW (different data) |")
    assert pw.endswith("| -22.2 % (92.6 vs 119.0 mm) |")
    assert "Paper rows: different data: the paper tests on MPI-INF-3DHP and 3DPW with real images" in out
    (cmu,) = _rows(out, "| measured here, CMU |")
    assert "-15.8 % [-17.9, -13.7] (80.0 vs 95.0 mm)" in cmu


def test_headline_without_significance_says_so(tmp_path, capsys):
    assert v4_table.main([str(_write(tmp_path, half=20.0))]) == 0
    (ood,) = _rows(capsys.readouterr().out, "| measured here, H36M S9/S11, out-of-domain cameras")
    assert "-15.8 % [-36.8, +5.3]: no significant difference" in ood


@pytest.mark.parametrize(
    ("kwargs", "unlink", "needle"),
    [
        (
            {},
            "eval_v4_ood",
            "eval_v4_ood/evaluation.json: no evaluation.json (run benchmarks/v4_poseaug/evaluate.sh first)",
        ),  # a folder of evaluate.sh missing
        ({"seeds": 2}, None, "need 3"),  # a model with two seeds
        ({"skip": (("eval_v4_cross", "xyd", "xyd-pa", "humaneva"),)}, None, "xyd:xyd-pa on table 'humaneva'"),
    ],
)
def test_incomplete_evaluations_are_refused_in_one_line(tmp_path, capsys, kwargs, unlink, needle):
    root = _write(tmp_path, **kwargs)
    if unlink:
        (root / unlink / "evaluation.json").unlink()
    with pytest.raises(SystemExit) as exit_info:
        v4_table.main([str(root)])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and needle in err and err.count("\n") == 1
