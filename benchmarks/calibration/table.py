"""Markdown rows of benchmarks/RESULTS.md "Issue 24: calibration" from ``auglift evaluate`` output folders.

Each folder's ``evaluation.json`` gives every model's seed mean and std and the paired bootstrap comparisons.
Usage: ``python benchmarks/calibration/table.py /work/cache/calibration/eval_sev2 ...`` (one row per folder and
comparison; ``--metric pa_mpjpe`` for PA-MPJPE).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def seeds(cell: dict, metric: str) -> str:
    s = cell.get(f"{metric}_seeds") or {"mean": cell[metric], "std": 0.0, "seeds": 1}
    return f"{s['mean']:.1f} ± {s['std']:.1f}" if s["seeds"] > 1 else f"{s['mean']:.1f}"


def interval(comparison: dict) -> str:
    c = comparison
    verdict = "" if c["significant"] else ": **no significant difference**"
    return (f"{c['difference']:+.1f} mm (**{100 * c['relative']:+.1f} %**) [{c['low']:+.1f}, {c['high']:+.1f}]"
            f"{verdict}")  # fmt: skip


def rows(folder: Path, metric: str) -> list[str]:
    data = json.loads((folder / "evaluation.json").read_text())
    cells = {(c["model"], c["table"]): c for c in data["cells"]}
    out = []
    for comp in data["comparisons"]:
        a, b = cells[(comp["a"], comp["table"])], cells[(comp["b"], comp["table"])]
        out.append(f"| {folder.name} | {comp['table']} | {comp['b']} vs {comp['a']} | {seeds(a, metric)} | "
                   f"{seeds(b, metric)} | {interval(comp[metric])} | {a['num_poses']:,} |")  # fmt: skip
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+")
    parser.add_argument("--metric", default="mpjpe", choices=("mpjpe", "pa_mpjpe", "n_mpjpe"))
    args = parser.parse_args(argv)
    print(
        "| evaluation | table | B vs A | A (mm, seeds) | B (mm, seeds) | B - A, paired 95 % CI over takes | frames |"
    )
    print("|---|---|---|---|---|---|---|")
    for folder in args.folders:
        print("\n".join(rows(Path(folder), args.metric)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
