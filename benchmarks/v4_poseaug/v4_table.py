"""RESULTS tables of the v4 experiment (issue 27 item 3) from ``evaluate.sh``'s three ``evaluation.json`` folders.

Reads ``eval_v4_h36m`` (H36M ``test``), ``eval_v4_cross`` (``test_cmu``, ``humaneva``) and ``eval_v4_ood``
(``test_ood``), each with the four arms as three-seed models (``xy``, ``xyd``, ``xy-pa``, ``xyd-pa``) and the four
comparisons of :data:`COMPARISONS`, all with ground-truth 2D, and prints:

1. per arm, MPJPE / PA-MPJPE mean ± std over its seeds on every column (then the phase-1 lifters, :data:`CONTEXT`,
   when evaluated);
2. per comparison (B vs A), the paired bootstrap 95 % interval over test takes of the seed-averaged per-pose MPJPE
   (then PA-MPJPE); an interval containing 0 is "no significant difference";
3. the headline, AugLift + PoseAug vs PoseAug alone (``xyd-pa`` vs ``xy-pa``): the measured relative MPJPE change
   with its interval on every column, beside the relative changes the AugLift v4 paper reports (:data:`PAPER`;
   arXiv 2508.07112v4 abstract: 62.4 mm on 3DHP and 92.6 mm on 3DPW, 14.5 % and 22.2 % better than PoseAug) on
   **different data** (MPI-INF-3DHP / 3DPW, real images and Depth Anything; here simulated depth, CMU / HumanEva-I
   motion and virtual cameras).

Usage::

    python benchmarks/v4_poseaug/v4_table.py ROOT   (ROOT of evaluate.sh)
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

_SPEC = importlib.util.spec_from_file_location(  # by path: benchmarks/reference also holds an evaluate.py
    "seeds_table", Path(__file__).resolve().parents[1] / "reference" / "seeds_table.py"
)
seeds_table = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(seeds_table)

#: (folder, table, column name) in print order
COLUMNS = (
    ("eval_v4_h36m", "test", "H36M S9/S11 (every 10th frame)"),
    ("eval_v4_cross", "test_cmu", "CMU"),
    ("eval_v4_cross", "humaneva", "HumanEva-I (real GT 2D)"),
    ("eval_v4_ood", "test_ood", "H36M S9/S11, out-of-domain cameras (every 10th frame)"),
)
#: (model name in evaluate.sh, label) in print order
ARMS = (
    ("xy", "XY"),
    ("xyd", "XYD + dscale2d"),
    ("xy-pa", "XY + PoseAug"),
    ("xyd-pa", "XYD + dscale2d + PoseAug"),
)
#: models printed after the arms when the evaluation has them: the phase-1 lifters both twins of an arm start from
CONTEXT = (("xy-p1", "XY, phase 1 only (start of both twins)"), ("xyd-p1", "XYD + dscale2d, phase 1 only"))
#: (A, B) pairs of ``--compare A:B``; the last is the paper's headline (AugLift + PoseAug vs PoseAug alone)
COMPARISONS = (("xy", "xyd"), ("xy", "xy-pa"), ("xyd", "xyd-pa"), ("xy-pa", "xyd-pa"))
HEADLINE = ("xy-pa", "xyd-pa")
#: AugLift v4 (arXiv 2508.07112v4, abstract): AugLift + PoseAug MPJPE (mm) and its relative change vs PoseAug alone
#: (negative = better), ground-truth 2D, trained on H36M
PAPER = (("MPI-INF-3DHP", 62.4, -0.145), ("3DPW", 92.6, -0.222))
DIFFERENT_DATA = (
    "different data: the paper tests on MPI-INF-3DHP and 3DPW with real images and Depth Anything V2 depth; here "
    "simulated (surface-v2) depth, CMU and HumanEva-I motion and virtual cameras"
)


def _label(name: str) -> str:
    return dict(ARMS).get(name, name)


def _relative(c: dict) -> str:
    text = f"{100 * c['relative']:+.1f} % [{100 * c['relative_low']:+.1f}, {100 * c['relative_high']:+.1f}]"
    return text if c["significant"] else text + ": no significant difference"


def load_all(root: Path) -> dict[str, dict]:
    """The ``evaluation.json`` of every folder of :data:`COLUMNS` under ``root``."""
    return {
        k: seeds_table.load(root / k, "benchmarks/v4_poseaug/evaluate.sh")
        for k in dict.fromkeys(k for k, _, _ in COLUMNS)
    }


def tables(evaluations: dict[str, dict]) -> list[str]:
    """Markdown lines of the three tables (see the module docstring). Raises ``KeyError`` naming a missing cell or
    comparison and ``ValueError`` for a model with fewer than three seeds."""
    cells = {(k, c["model"], c["table"]): c for k, data in evaluations.items() for c in data["cells"]}
    comps = {(k, c["a"], c["b"], c["table"]): c for k, data in evaluations.items() for c in data["comparisons"]}

    def cell(key: tuple) -> dict:
        if key not in cells:
            raise KeyError(f"{key[0]}/evaluation.json has no cell for model {key[1]!r} on table {key[2]!r}")
        return cells[key]

    def comp(k: str, a: str, b: str, t: str) -> dict:
        if (k, a, b, t) not in comps:
            raise KeyError(f"{k}/evaluation.json has no comparison {a}:{b} on table {t!r}")
        return comps[(k, a, b, t)]

    header = " | ".join(name for _, _, name in COLUMNS)
    lines = ["| arm (3 seeds; GT 2D) | " + header + " |", "|---|" + "---|" * len(COLUMNS)]
    present = {m for (_, m, _) in cells}
    for model, label in ARMS + tuple(c for c in CONTEXT if c[0] in present):
        row = [f"{seeds_table.seed_cell(cell((k, model, t)), 'mpjpe')} / {seeds_table.seed_cell(cell((k, model, t)), 'pa_mpjpe')}"
               for k, t, _ in COLUMNS]  # fmt: skip
        lines.append(f"| {label} | " + " | ".join(row) + " |")
    for metric, title in (("mpjpe", "MPJPE"), ("pa_mpjpe", "PA-MPJPE")):
        lines += ["", f"| B vs A ({title}, B - A, paired 95 % interval) | " + header + " |",
                  "|---|" + "---|" * len(COLUMNS)]  # fmt: skip
        for a, b in COMPARISONS:
            row = [seeds_table.interval_cell(comp(k, a, b, t)[metric]) for k, t, _ in COLUMNS]
            lines.append(f"| {_label(b)} vs {_label(a)} | " + " | ".join(row) + " |")
    a, b = HEADLINE
    lines += ["", f"| {_label(b)} vs {_label(a)} (relative MPJPE change, negative = better) | change |", "|---|---|"]
    for dataset, mm, rel in PAPER:
        alone = mm / (1 + rel)
        lines.append(
            f"| AugLift v4 paper, {dataset} (different data) | {100 * rel:+.1f} % ({mm:.1f} vs {alone:.1f} mm) |"
        )
    for k, t, name in COLUMNS:
        c = comp(k, a, b, t)["mpjpe"]
        mean_a = cell((k, a, t)).get("mpjpe_seeds", {}).get("mean", cell((k, a, t))["mpjpe"])
        mean_b = cell((k, b, t)).get("mpjpe_seeds", {}).get("mean", cell((k, b, t))["mpjpe"])
        lines.append(f"| measured here, {name} | {_relative(c)} ({mean_b:.1f} vs {mean_a:.1f} mm) |")
    lines += ["", f"Paper rows: {DIFFERENT_DATA}; not comparable one to one."]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="output root of evaluate.sh")
    args = parser.parse_args(argv)
    try:
        lines = tables(load_all(args.root))
    except (FileNotFoundError, KeyError, ValueError) as err:
        message = err.args[0] if isinstance(err, KeyError) and err.args else err
        parser.exit(2, f"v4_table.py: error: {message}\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
