"""RESULTS "Issue 26: training mixture" tables and the pre-registered go / no-go, from ``evaluate_i26_mixture.sh``.

Reads the ``evaluation.json`` of the five folders of ``evaluate_i26_mixture.sh`` (``eval_mix_h36m``: H36M ``test``;
``eval_mix_det``: ``test_cmu``, ``humaneva`` with simulated detector 2D; ``eval_mix_gt``: ``humaneva`` with its
real GT 2D and ``test_cmu_cocogt``; ``eval_mix_ood``: ``test_ood``; ``eval_mix_h36m_gt``: ``test_cocogt``), each with the baseline and the candidate as
three-seed models and one ``--compare baseline:candidate``, and prints:

1. MPJPE / PA-MPJPE mean ± std over seeds per model and column;
2. candidate vs baseline per column: the paired bootstrap 95 % interval over test takes of the seed-averaged
   per-pose errors (an interval containing 0 is "no significant difference");
3. the decision of the rule written before any mixture run (RESULTS "Issue 26 ... selection rule", :func:`decide`).

Usage::

    python benchmarks/reference/mixture_table.py ROOT   (ROOT of evaluate_i26_mixture.sh)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from seeds_table import interval_cell, load, seed_cell  # noqa: E402

#: (folder, table, column name) in print order
COLUMNS = (
    ("eval_mix_h36m", "test", "H36M S9/S11 (every 10th frame)"),
    ("eval_mix_det", "test_cmu", "CMU"),
    ("eval_mix_det", "humaneva", "HumanEva-I"),
    ("eval_mix_ood", "test_ood", "H36M S9/S11, out-of-domain cameras (every 10th frame)"),
    ("eval_mix_gt", "humaneva", "HumanEva-I, real GT 2D"),
    ("eval_mix_gt", "test_cmu_cocogt", "CMU, noise-free detector-definition 2D"),
    ("eval_mix_h36m_gt", "test_cocogt", "H36M S9/S11, noise-free detector-definition 2D (every 10th frame)"),
)
#: the script that writes the evaluations read here
PRODUCER = "benchmarks/reference/evaluate_i26_mixture.sh"
#: the rule's limits: H36M mean not worse by more than this (mm); the columns that decide (simulated detector 2D)
H36M_TOLERANCE_MM = 3.0
DECIDING = (("eval_mix_det", "test_cmu"), ("eval_mix_det", "humaneva"))


def h36m_clause(gap: float) -> tuple[bool, str]:
    """Clause (1) of the rule: ``gap`` = candidate minus baseline three-seed mean H36M MPJPE (mm) within
    :data:`H36M_TOLERANCE_MM`. Returns ``(holds, reason)``."""
    ok = gap <= H36M_TOLERANCE_MM
    return ok, f"H36M mean MPJPE {gap:+.1f} mm vs the baseline (limit +{H36M_TOLERANCE_MM:g}): " + (
        "holds" if ok else "fails"
    )


def cross_clause(comparisons: list[dict]) -> tuple[bool, str]:
    """Clause (2) of the rule on the ``auglift evaluate`` comparisons (``b`` = candidate, ``a`` = baseline) of the
    deciding tables: some paired interval excludes 0 in the candidate's favour, none against it. Returns
    ``(holds, reason)``."""
    better, worse = [], []
    for c in comparisons:
        m = c["mpjpe"]
        if m["significant"]:
            (better if m["difference"] < 0 else worse).append(c["table"])
    ok = bool(better) and not worse
    return ok, (
        f"significantly better on {better or 'neither'}, significantly worse on {worse or 'neither'} "
        "(CMU, HumanEva-I; detector 2D): " + ("holds" if ok else "fails")
    )


def decide(evaluations: dict[str, dict]) -> tuple[bool, list[str]]:
    """The pre-registered rule: ship the candidate only if (1) its three-seed mean H36M MPJPE is not worse than the
    baseline's by more than :data:`H36M_TOLERANCE_MM` and (2) on CMU or HumanEva-I (detector 2D) the paired interval
    excludes 0 in its favour while neither is significantly worse. Returns ``(ship, reasons)``."""
    comp = {(k, c["table"]): c for k, data in evaluations.items() for c in data["comparisons"]}
    h36m = comp[("eval_mix_h36m", "test")]
    cells = {c["model"]: c for c in evaluations["eval_mix_h36m"]["cells"]}
    ok_h36m, first = h36m_clause(cells[h36m["b"]]["mpjpe_seeds"]["mean"] - cells[h36m["a"]]["mpjpe_seeds"]["mean"])
    ok_cross, second = cross_clause([comp[key] for key in DECIDING])
    return ok_h36m and ok_cross, [f"(1) {first}", f"(2) {second}"]


def tables(evaluations: dict[str, dict]) -> list[str]:
    cells = {(k, c["model"], c["table"]): c for k, data in evaluations.items() for c in data["cells"]}
    comps = {(k, c["table"]): c for k, data in evaluations.items() for c in data["comparisons"]}
    models = list(dict.fromkeys(c["model"] for c in evaluations["eval_mix_h36m"]["cells"]))
    lines = [
        "| model (3 seeds) | " + " | ".join(name for _, _, name in COLUMNS) + " |",
        "|---|" + "---|" * len(COLUMNS),
    ]
    for model in models:
        row = [f"{seed_cell(cells[(k, model, t)], 'mpjpe')} / {seed_cell(cells[(k, model, t)], 'pa_mpjpe')}"
               for k, t, _ in COLUMNS]  # fmt: skip
        lines.append(f"| {model} | " + " | ".join(row) + " |")
    first = comps[(COLUMNS[0][0], COLUMNS[0][1])]
    lines += ["", f"| {first['b']} vs {first['a']} | MPJPE | PA-MPJPE |", "|---|---|---|"]
    for k, t, name in COLUMNS:
        c = comps[(k, t)]
        lines.append(f"| {name} | {interval_cell(c['mpjpe'])} | {interval_cell(c['pa_mpjpe'])} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="output root of evaluate_i26_mixture.sh")
    args = parser.parse_args(argv)
    try:
        evaluations = {k: load(args.root / k, PRODUCER) for k in dict.fromkeys(k for k, _, _ in COLUMNS)}
        lines = tables(evaluations)
        ship, reasons = decide(evaluations)
    except (FileNotFoundError, KeyError, ValueError) as err:
        parser.exit(2, f"mixture_table.py: error: {err}\n")
    print("\n".join(lines) + "\n\n" + "\n".join(f"- {r}" for r in reasons))
    print(f"- decision: {'ship the mixture (replace the baseline)' if ship else 'ship nothing; report as measured'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
