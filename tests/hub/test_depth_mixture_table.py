"""benchmarks/reference/depth_mixture_table.py applies the issue-26 depth-pair rule written before any depth-mixture run:
replace the triple only if both depth lifters pass the XY rule against their H36M-only twins and issue 24's
degradation target against tcn-27f-xy-mix."""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from evaluation_records import add_column  # noqa: E402
from reference_scripts import import_reference  # noqa: E402

table = import_reference("depth_mixture_table")

XY, XYCD, CASP = "tcn-27f-xy-mix", "tcn-27f-xycd-mix", "tcn-27f-casp-mix"
STRIDE = {"eval_mixd_h36m": 10, "eval_mixd_det": 1, "eval_mixd_gt": 1, "eval_mixd_2x": 10, "eval_mixd_nodepth": 10}
SURFACE = (  # the shape of build_data.py's depth text, as auglift evaluate records each table
    "synthetic metric depth (casp, 16 sunflower samples, package encoding, surface-v2 surface body in a room/outdoor "
    "scene, seed 201); monocular depth error model: {{'severity': {sev}, 'fps': 25.0, 'preset': 'surface-v2'}}"
)
WITHHELD = "depth withheld (--no-depth): the table's depth columns were not read"


def _write(root: Path, means: dict, diffs: dict | None = None) -> Path:
    """Every model at 100 mm on every column but ``means[(folder, model, table)]``; every paired interval
    ``+-2`` mm around the means' difference but ``diffs[(folder, a, b, table)]`` (difference, half-width)."""
    diffs = diffs or {}
    for folder, tab, _ in table.COLUMNS:
        path = root / folder / "evaluation.json"
        data = json.loads(path.read_text()) if path.exists() else {"stride": STRIDE[folder], "cells": [],
                                                                    "comparisons": [], "tables": {}}  # fmt: skip
        sev = 6.0 if folder == "eval_mixd_2x" else 3.0
        data["tables"][tab] = {"path": f"/i24/sev_{sev:g}/{tab}", "data": {"depth": SURFACE.format(sev=sev)}}
        if folder == "eval_mixd_nodepth":
            data["depth"] = WITHHELD
        mean = {m: means.get((folder, m, tab), 100.0) for m in (XY, XYCD, "tcn-27f-xycd", CASP, "tcn-27f-casp")}
        pairs = [(a, b) for b, old in ((XYCD, "tcn-27f-xycd"), (CASP, "tcn-27f-casp")) for a in (XY, old)]
        add_column(data, tab, mean, pairs, {(a, b): v for (k, a, b, t), v in diffs.items() if (k, t) == (folder, tab)})
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data))
    return root


def passing() -> tuple[dict, dict]:
    """Both variants: H36M +2.9 mm vs their H36M-only twin, better on CMU, not different on HumanEva-I, 2.9 % worse
    than the XY twin at 2x severity on H36M (within 3 %), better with the depth withheld."""
    means, diffs = {}, {}
    for cand, old in ((XYCD, "tcn-27f-xycd"), (CASP, "tcn-27f-casp")):
        means[("eval_mixd_h36m", cand, "test")] = 102.9
        means[("eval_mixd_det", cand, "test_cmu")] = 95.0
        means[("eval_mixd_2x", cand, "test")] = 102.9
        means[("eval_mixd_nodepth", cand, "humaneva")] = 99.0
        diffs[("eval_mixd_h36m", old, cand, "test")] = (2.9, 0.5)  # significantly worse on H36M: allowed (< 3 mm)
    return means, diffs


def _run(root, capsys):
    assert table.main([str(root)]) == 0
    return capsys.readouterr().out


def test_passing_case_replaces_the_triple_and_prints_the_tables(tmp_path, capsys):
    out = _run(_write(tmp_path, *passing()), capsys)
    assert "- decision: replace the triple (tcn-27f-xy <- tcn-27f-xy-mix, tcn-27f-xycd <- tcn-27f-xycd-mix, " in out
    head = "| model (3 seeds) | H36M S9/S11 (every 10th frame) | CMU | HumanEva-I | HumanEva-I, real GT 2D | "
    assert head + "H36M S9/S11, 2x severity (every 10th frame) | CMU, 2x severity (every 10th frame) |" in out
    assert (
        "| tcn-27f-xycd-mix | 102.9 ± 0.5 / 72.0 ± 0.5 | 95.0 ± 0.5 / 66.5 ± 0.5 | 100.0 ± 0.5 / 70.0 ± 0.5 |" in out
    )
    assert "| tcn-27f-casp-mix vs tcn-27f-casp | MPJPE | PA-MPJPE |" in out
    assert "| tcn-27f-xycd-mix vs tcn-27f-xy-mix | MPJPE | PA-MPJPE |" in out
    assert "| CMU | -5.0 mm (-5.0 %) [-7.0, -3.0] | -1.5 mm (-1.5 %) [-10.5, +7.5]: no significant difference |" in out
    assert "| HumanEva-I | +0.0 mm (+0.0 %) [-2.0, +2.0]: no significant difference |" in out
    assert "tcn-27f-casp-mix vs tcn-27f-casp (1) H36M mean MPJPE +2.9 mm vs the baseline (limit +3): holds" in out
    assert "tcn-27f-xycd-mix (2) vs tcn-27f-xy-mix not worse by more than 3 % (three-seed means)" in out
    assert out.count(": holds") == 6 and ": fails" not in out
    assert table.decide(table.load_all(tmp_path))[0] is True


def _fail_case(name: str) -> tuple[dict, dict]:
    """The passing case with exactly one clause of one variant broken."""
    means, diffs = passing()
    if name == "h36m":  # (1) XYCD worse than its H36M-only twin by more than 3 mm
        means[("eval_mixd_h36m", XYCD, "test")] = 103.1
        diffs[("eval_mixd_h36m", "tcn-27f-xycd", XYCD, "test")] = (3.1, 0.5)
    elif name == "no-gain":  # (1) CASP: nothing significant on CMU / HumanEva-I
        diffs[("eval_mixd_det", "tcn-27f-casp", CASP, "test_cmu")] = (-5.0, 6.0)
    elif name == "worse-humaneva":  # (1) XYCD better on CMU but significantly worse on HumanEva-I
        means[("eval_mixd_det", XYCD, "humaneva")] = 104.0
    elif name == "2x":  # (2) CASP 3.1 % worse than the XY twin at 2x on CMU
        means[("eval_mixd_2x", CASP, "test_cmu")] = 103.1
    elif name == "nodepth":  # (2) XYCD 3.1 % worse than the XY twin with the depth withheld on HumanEva-I
        means[("eval_mixd_nodepth", XYCD, "humaneva")] = 103.1
    return means, diffs


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("h36m", "tcn-27f-xycd-mix vs tcn-27f-xycd (1) H36M mean MPJPE +3.1 mm vs the baseline (limit +3): fails"),
        ("no-gain", "tcn-27f-casp-mix vs tcn-27f-casp (1) significantly better on neither, significantly worse on "
                    "neither (CMU, HumanEva-I; detector 2D): fails"),
        ("worse-humaneva", "tcn-27f-xycd-mix vs tcn-27f-xycd (1) significantly better on ['test_cmu'], significantly "
                           "worse on ['humaneva'] (CMU, HumanEva-I; detector 2D): fails"),
        ("2x", "tcn-27f-casp-mix (2) vs tcn-27f-xy-mix not worse by more than 3 % (three-seed means) at 2x severity "
               "and with the depth withheld (H36M, CMU, HumanEva-I): fails (CMU, 2x severity +3.1 %)"),
        ("nodepth", "(H36M, CMU, HumanEva-I): fails (HumanEva-I, depth withheld +3.1 %)"),
    ],
)  # fmt: skip
def test_each_clause_failing_alone_keeps_the_triple(tmp_path, capsys, name, reason):
    out = _run(_write(tmp_path, *_fail_case(name)), capsys)
    assert "- decision: keep the H36M-only triple; report as measured" in out
    assert reason in out
    assert out.count(": fails") == 1 and out.count(": holds") == 5


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        ("folder", "eval_mixd_nodepth/evaluation.json: no evaluation.json (run DEGRADATION=1 "
                   "benchmarks/reference/evaluate_i26_depth_mixture.sh first)"),
        ("model", "eval_mixd_2x/evaluation.json: no model 'tcn-27f-casp' on table 'humaneva'"),
        ("comparison", "eval_mixd_det/evaluation.json: no comparison tcn-27f-xy-mix:tcn-27f-xycd-mix on table "
                       "'test_cmu'"),
        ("seeds", "eval_mixd_h36m/evaluation.json: model 'tcn-27f-xycd-mix' on 'test' has 1 seed(s): need 3"),
        ("2x-severity", "eval_mixd_2x/evaluation.json: table 'test_cmu' (/i24/sev_3/test_cmu) has depth severity 3.0, "
                        "the rule reads 6 there (calibrated 3)"),
        ("depth-kept", "eval_mixd_nodepth/evaluation.json: the depth was not withheld (auglift evaluate --no-depth)"),
        ("depth-withheld", "eval_mixd_det/evaluation.json: the depth was withheld (auglift evaluate --no-depth)"),
    ],
)  # fmt: skip
def test_missing_evaluation_is_refused_in_one_line(tmp_path, capsys, breakage, message):
    root = _write(tmp_path, *passing())
    if breakage == "folder":
        (root / "eval_mixd_nodepth" / "evaluation.json").unlink()
    else:
        folder = {"model": "eval_mixd_2x", "comparison": "eval_mixd_det", "seeds": "eval_mixd_h36m",
                  "2x-severity": "eval_mixd_2x", "depth-kept": "eval_mixd_nodepth",
                  "depth-withheld": "eval_mixd_det"}[breakage]  # fmt: skip
        path = root / folder / "evaluation.json"
        data = json.loads(path.read_text())
        if breakage == "2x-severity":  # scored at S instead of 2S
            data["tables"]["test_cmu"] = {"path": "/i24/sev_3/test_cmu", "data": {"depth": SURFACE.format(sev=3.0)}}
        elif breakage == "depth-kept":
            data.pop("depth")
        elif breakage == "depth-withheld":
            data["depth"] = WITHHELD
        elif breakage == "model":
            data["cells"] = [c for c in data["cells"] if (c["model"], c["table"]) != ("tcn-27f-casp", "humaneva")]
        elif breakage == "comparison":
            data["comparisons"] = [c for c in data["comparisons"]
                                   if (c["a"], c["b"], c["table"]) != (XY, XYCD, "test_cmu")]  # fmt: skip
        else:
            for c in data["cells"]:
                if c["model"] == XYCD:
                    c["mpjpe_seeds"]["seeds"] = 1
        path.write_text(json.dumps(data))
    with pytest.raises(SystemExit) as exit_info:
        table.main([str(root)])
    captured = capsys.readouterr()
    assert exit_info.value.code == 2 and captured.out == ""
    assert message in captured.err and captured.err.count("\n") == 1
