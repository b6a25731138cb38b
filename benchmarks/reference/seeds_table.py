"""The two tables of benchmarks/RESULTS.md "Issue 23: three training seeds" from ``evaluate_i23_seeds.sh`` outputs.

Reads the ``evaluation.json`` of the H36M (``eval_seeds_h36m``: table ``test``), detector-2D cross-dataset
(``eval_seeds_det``: ``test_cmu``, ``humaneva``) and HumanEva-I ground-truth-2D (``eval_seeds_gt``: ``humaneva``)
folders, or their severity-6 / no-depth counterparts, and prints, in the layout ``card_data.py`` copies into the
model cards (:data:`card_data.SEEDS_MEAN_HEADER` / :data:`card_data.SEEDS_PAIRED_HEADER`):

1. per recipe, MPJPE and PA-MPJPE mean ± std over its seeds on every column;
2. per comparison (depth lifter vs its XY twin), the paired bootstrap 95 % interval over test takes of the
   seed-averaged per-pose errors (``auglift evaluate --compare``), MPJPE and PA-MPJPE; an interval containing 0 is
   written "no significant difference".

Usage::

    python benchmarks/reference/seeds_table.py --h36m ROOT/eval_seeds_h36m --det ROOT/eval_seeds_det \
        --gt ROOT/eval_seeds_gt
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

#: (column name, folder argument, table name) of the mean table, in order
MEAN_COLUMNS = (
    ("H36M test (every 10th frame)", "h36m", "test"),
    ("CMU", "det", "test_cmu"),
    ("HumanEva-I", "det", "humaneva"),
    ("HumanEva-I, real GT 2D", "gt", "humaneva"),
)
#: (folder argument, table name) of the comparison table's column pairs (MPJPE, PA), in order
PAIRED_COLUMNS = (("h36m", "test"), ("det", "test_cmu"), ("det", "humaneva"))


def seed_cell(cell: dict, metric: str) -> str:
    """``"mean ± std"`` (mm) of ``metric`` over a three-seed model's seeds; refuses fewer than 3 seeds."""
    s = cell.get(f"{metric}_seeds") or {"mean": cell[metric], "std": 0.0, "seeds": 1}
    if s["seeds"] < 3:
        raise ValueError(f"model {cell['model']!r} on {cell['table']!r} has {s['seeds']} seed(s): need 3")
    return f"{s['mean']:.1f} ± {s['std']:.1f}"


def interval_cell(c: dict) -> str:
    """A comparison's difference, relative change and paired 95 % interval; "no significant difference" when it
    contains 0."""
    text = f"{c['difference']:+.1f} mm ({100 * c['relative']:+.1f} %) [{c['low']:+.1f}, {c['high']:+.1f}]"
    return text if c["significant"] else text + ": no significant difference"


def load(folder: Path, producer: str = "evaluate_i23_seeds.sh") -> dict:
    """``folder/evaluation.json``; ``FileNotFoundError`` naming it and the script that writes it (``producer``)."""
    path = folder / "evaluation.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no evaluation.json (run {producer} first)")
    return json.loads(path.read_text())


def tables(evaluations: dict[str, dict]) -> tuple[list[str], list[str]]:
    """Markdown lines of the mean table and the comparison table (header, separator, rows)."""
    cells = {(key, c["model"], c["table"]): c for key, data in evaluations.items() for c in data["cells"]}
    models = list(dict.fromkeys(c["model"] for c in evaluations["h36m"]["cells"]))
    mean = ["| recipe (seed-0 checkpoint) | " + " | ".join(name for name, _, _ in MEAN_COLUMNS) + " |",
            "|---|" + "---|" * len(MEAN_COLUMNS)]  # fmt: skip
    for model in models:
        row = [f"{seed_cell(cells[(k, model, t)], 'mpjpe')} / {seed_cell(cells[(k, model, t)], 'pa_mpjpe')}"
               for _, k, t in MEAN_COLUMNS]  # fmt: skip
        mean.append(f"| {model} | " + " | ".join(row) + " |")
    comps = {(key, c["a"], c["b"], c["table"]): c for key, data in evaluations.items() for c in data["comparisons"]}
    paired = ["| B vs A | H36M MPJPE | H36M PA | CMU MPJPE | CMU PA | HumanEva-I MPJPE | HumanEva-I PA |",
              "|---|---|---|---|---|---|---|"]  # fmt: skip
    for c in evaluations["h36m"]["comparisons"]:
        a, b = c["a"], c["b"]
        row = []
        for key, table in PAIRED_COLUMNS:
            comp = comps[(key, a, b, table)]
            row += [interval_cell(comp["mpjpe"]), interval_cell(comp["pa_mpjpe"])]
        paired.append(f"| {b} vs {a} | " + " | ".join(row) + " |")
    return mean, paired


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--h36m", type=Path, required=True, help="evaluate folder with the H36M table 'test'")
    parser.add_argument("--det", type=Path, required=True, help="folder with 'test_cmu' and 'humaneva' (detector 2D)")
    parser.add_argument("--gt", type=Path, required=True, help="folder with 'humaneva' (real ground-truth 2D)")
    args = parser.parse_args(argv)
    try:
        mean, paired = tables({"h36m": load(args.h36m), "det": load(args.det), "gt": load(args.gt)})
    except (FileNotFoundError, KeyError, ValueError) as err:
        parser.exit(2, f"seeds_table.py: error: {err}\n")
    print("\n".join(mean) + "\n\n" + "\n".join(paired))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
