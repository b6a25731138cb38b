"""benchmarks/reference/mixture_table.py applies the issue-26 selection rule written before any mixture run."""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from evaluation_records import paired_interval as _diff  # noqa: E402
from evaluation_records import three_seed_cell as _cell  # noqa: E402
from reference_scripts import import_reference  # noqa: E402

mixture_table = import_reference("mixture_table")


def _write(root: Path, h36m_gap: float, cmu: float, humaneva: float, half: float = 2.0) -> Path:
    """Baseline 60 mm on H36M (candidate 60 + h36m_gap); candidate - baseline on CMU / HumanEva-I (mm)."""
    by_table = {
        "test": h36m_gap,
        "test_cmu": cmu,
        "humaneva": humaneva,
        "test_ood": 0.0,
        "test_cmu_cocogt": -1.0,
        "test_cocogt": 0.5,
    }
    for folder, table, _ in mixture_table.COLUMNS:
        path = root / folder / "evaluation.json"
        data = json.loads(path.read_text()) if path.exists() else {"cells": [], "comparisons": []}
        d = by_table[table]
        data["cells"] += [_cell("tcn-27f-xy", table, 60.0), _cell("tcn-27f-xy-mix", table, 60.0 + d)]
        data["comparisons"].append(
            {
                "a": "tcn-27f-xy",
                "b": "tcn-27f-xy-mix",
                "table": table,
                "mpjpe": _diff(d, half),
                "pa_mpjpe": _diff(d, 9),
            }
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data))
    return root


@pytest.mark.parametrize(
    ("gap", "cmu", "humaneva", "ship"),
    [
        (2.9, -5.0, 0.0, True),  # better on CMU, HumanEva-I n.s., H36M within 3 mm
        (3.1, -5.0, -5.0, False),  # H36M worse by more than 3 mm
        (0.0, -5.0, 5.0, False),  # significantly worse on HumanEva-I
        (0.0, -1.0, 1.0, False),  # nothing significant
    ],
)
def test_rule(tmp_path, capsys, gap, cmu, humaneva, ship):
    root = _write(tmp_path, gap, cmu, humaneva)
    assert mixture_table.main([str(root)]) == 0
    out = capsys.readouterr().out
    assert ("decision: ship the mixture" in out) is ship
    assert "| tcn-27f-xy-mix | 60.0 ± 0.5 / 42.0 ± 0.5 |" in out or gap != 0.0
    assert "[-10.0, +8.0]: no significant difference" in out  # PA-MPJPE interval contains 0


def test_missing_folder_is_refused_in_one_line(tmp_path, capsys):
    root = _write(tmp_path, 0.0, -5.0, 0.0)
    (root / "eval_mix_ood" / "evaluation.json").unlink()
    with pytest.raises(SystemExit) as exit_info:
        mixture_table.main([str(root)])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and "eval_mix_ood" in err and err.count("\n") == 1
    assert "run benchmarks/reference/evaluate_i26_mixture.sh first" in err
