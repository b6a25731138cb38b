"""benchmarks/reference/seeds_table.py writes the two tables of RESULTS "Issue 23: three training seeds" in the exact
layout card_data.py reads into the model cards."""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from reference_scripts import import_reference  # noqa: E402

seeds_table = import_reference("seeds_table")
card_data = import_reference("card_data")

RECIPES = ("tcn-27f-xy", "tcn-27f-xycd", "tcn-27f-casp")


def _cell(model: str, table: str, base: float, seeds: int = 3) -> dict:
    return {
        "model": model, "table": table, "mpjpe": base, "pa_mpjpe": base * 0.7,
        "mpjpe_seeds": {"mean": base, "std": 0.25, "seeds": seeds},
        "pa_mpjpe_seeds": {"mean": base * 0.7, "std": 0.14, "seeds": seeds},
    }  # fmt: skip


def _diff(d: float, low: float, high: float) -> dict:
    return {"difference": d, "relative": d / 60.0, "low": low, "high": high, "significant": low > 0 or high < 0}


def _evaluation(tables: tuple[str, ...], seeds: int = 3) -> dict:
    cells = [_cell(m, t, 60.0 + 5 * i + j, seeds) for j, t in enumerate(tables) for i, m in enumerate(RECIPES)]
    comparisons = [
        {"a": "tcn-27f-xy", "b": b, "table": t, "mpjpe": _diff(-4.2, -5.0, -3.4), "pa_mpjpe": _diff(-0.3, -1.1, 0.4)}
        for t in tables for b in RECIPES[1:]
    ]  # fmt: skip
    return {"cells": cells, "comparisons": comparisons}


def _write(tmp_path, seeds: int = 3) -> list[str]:
    args = []
    for key, tables in (("h36m", ("test",)), ("det", ("test_cmu", "humaneva")), ("gt", ("humaneva",))):
        folder = tmp_path / key
        folder.mkdir()
        (folder / "evaluation.json").write_text(json.dumps(_evaluation(tables, seeds)))
        args += [f"--{key}", str(folder)]
    return args


def test_tables_parse_as_the_cards_seeds_section(tmp_path, capsys):
    assert seeds_table.main(_write(tmp_path)) == 0
    out = capsys.readouterr().out
    section = (
        "## Issue 23: three training seeds of every shipped recipe (test)\n\nText.\n\n"
        "### Mean ± std over three seeds (MPJPE / PA-MPJPE mm), simulated detector 2D\n\n"
        + out.split("\n\n")[0]
        + "\n\n### Depth lifter vs its XY twin, three seeds each, paired bootstrap 95 % interval over test takes\n\n"
        + out.split("\n\n")[1]
    )
    tables = card_data.seed_tables(section)
    assert list(tables.mean) == list(RECIPES)
    assert [(b, a) for b, a, _ in tables.paired] == [(b, "tcn-27f-xy") for b in RECIPES[1:]]
    assert "| tcn-27f-xycd | 65.0 ± 0.2 / 45.5 ± 0.1 |" in tables.mean["tcn-27f-xycd"]  # MPJPE / PA on H36M
    paired = tables.paired[0][2]
    assert "-4.2 mm (-7.0 %) [-5.0, -3.4]" in paired
    assert "-0.3 mm (-0.5 %) [-1.1, +0.4]: no significant difference" in paired


def test_fewer_than_three_seeds_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        seeds_table.main(_write(tmp_path, seeds=1))
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "1 seed(s): need 3" in err and err.count("\n") == 1


def test_missing_folder_is_named(tmp_path, capsys):
    args = _write(tmp_path)
    (tmp_path / "gt" / "evaluation.json").unlink()
    with pytest.raises(SystemExit):
        seeds_table.main(args)
    assert str(tmp_path / "gt" / "evaluation.json") in capsys.readouterr().err
