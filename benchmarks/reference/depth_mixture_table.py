"""RESULTS "Issue 26: the depth pair on the mixture" tables and the pre-registered replace / keep decision.

Reads the ``evaluation.json`` of the five folders of ``DEGRADATION=1 evaluate_i26_depth_mixture.sh ROOT I24_ROOT S``
(``eval_mixd_h36m``: H36M ``test``; ``eval_mixd_det``: ``test_cmu``, ``humaneva``, all with simulated detector 2D at the
calibrated severity S; ``eval_mixd_gt``: ``humaneva`` with its real GT 2D; ``eval_mixd_2x``: the three at 2S;
``eval_mixd_nodepth``: the three at S with the depth withheld), each holding the five three-seed models
``tcn-27f-xy-mix``, ``tcn-27f-{xycd,casp}-mix`` and the H36M-only ``tcn-27f-{xycd,casp}`` with the comparisons
``tcn-27f-xy-mix:tcn-27f-V-mix`` and ``tcn-27f-V:tcn-27f-V-mix``, and prints:

1. MPJPE / PA-MPJPE mean ± std over seeds per model and column (``seeds_table.seed_cell``);
2. per comparison, the paired bootstrap 95 % interval over test takes of the seed-averaged per-pose errors
   (``seeds_table.interval_cell``; an interval containing 0 is "no significant difference");
3. the decision of the rule written before any depth-mixture run (:func:`decide`, on evaluations scored as the rule
   says, :func:`check_conditions`): replace the shipped triple
   ``tcn-27f-xy`` / ``tcn-27f-xycd`` / ``tcn-27f-casp`` by the mixture lifters only if both depth variants pass
   (1) the XY rule of ``mixture_table.py`` against their H36M-only twin and (2) issue 24's degradation target
   against ``tcn-27f-xy-mix``.

Usage::

    python benchmarks/reference/depth_mixture_table.py ROOT   (ROOT of evaluate_i26_depth_mixture.sh)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mixture_table import cross_clause, h36m_clause  # noqa: E402
from seeds_table import interval_cell, load, seed_cell  # noqa: E402

#: (folder, table, column name) in print order; the first four at the calibrated severity
COLUMNS = (
    ("eval_mixd_h36m", "test", "H36M S9/S11"),
    ("eval_mixd_det", "test_cmu", "CMU"),
    ("eval_mixd_det", "humaneva", "HumanEva-I"),
    ("eval_mixd_gt", "humaneva", "HumanEva-I, real GT 2D"),
    ("eval_mixd_2x", "test", "H36M S9/S11, 2x severity"),
    ("eval_mixd_2x", "test_cmu", "CMU, 2x severity"),
    ("eval_mixd_2x", "humaneva", "HumanEva-I, 2x severity"),
    ("eval_mixd_nodepth", "test", "H36M S9/S11, depth withheld"),
    ("eval_mixd_nodepth", "test_cmu", "CMU, depth withheld"),
    ("eval_mixd_nodepth", "humaneva", "HumanEva-I, depth withheld"),
)
FOLDERS = tuple(dict.fromkeys(k for k, _, _ in COLUMNS))
#: the script that writes the evaluations read here
PRODUCER = "DEGRADATION=1 benchmarks/reference/evaluate_i26_depth_mixture.sh"
#: the XY twin on the mixture, and each depth variant's candidate -> the H36M-only lifter it would replace
XY_TWIN = "tcn-27f-xy-mix"
VARIANTS = {"tcn-27f-xycd-mix": "tcn-27f-xycd", "tcn-27f-casp-mix": "tcn-27f-casp"}
#: what a replace decision replaces: shipped folder <- recipe trained on the mixture
REPLACES = {"tcn-27f-xy": XY_TWIN, **{old: new for new, old in VARIANTS.items()}}
#: clause (1): the columns of the cross-dataset clause (simulated detector 2D)
DECIDING = (("eval_mixd_det", "test_cmu"), ("eval_mixd_det", "humaneva"))
#: clause (2), issue 24's degradation target: not worse than the XY twin by more than this fraction of its mean
DEGRADATION_TOLERANCE = 0.03
DEGRADATION = tuple((k, t) for k, t, _ in COLUMNS if k in ("eval_mixd_2x", "eval_mixd_nodepth"))


def _name(key: str, table: str) -> str:
    return next(name for k, t, name in COLUMNS if (k, t) == (key, table))


def column_label(evaluations: dict[str, dict], key: str, name: str) -> str:
    """Column ``name`` with the frames scored (``auglift evaluate --stride``, recorded in its json)."""
    stride = int(evaluations[key].get("stride") or 1)
    return name + (f" (every {stride}th frame)" if stride > 1 else "")


def index_evaluations(
    evaluations: dict[str, dict],
    columns: tuple,
    models: tuple[str, ...],
    comparisons: tuple[tuple[str, str], ...],
    producer: str,
) -> tuple[dict, dict]:
    """``({(folder, model, table): cell}, {(folder, a, b, table): comparison})``; ``ValueError`` naming the folder
    when a model of ``models`` (with three seeds) or a comparison ``(a, b)`` the rule reads is missing from a column
    ``(folder, table, name)`` of ``columns``."""
    cells = {(k, c["model"], c["table"]): c for k, data in evaluations.items() for c in data["cells"]}
    comps = {(k, c["a"], c["b"], c["table"]): c for k, data in evaluations.items() for c in data["comparisons"]}
    for key, table, _ in columns:
        for model in models:
            if (key, model, table) not in cells:
                raise ValueError(f"{key}/evaluation.json: no model {model!r} on table {table!r} (run {producer})")
            seeds = int((cells[(key, model, table)].get("mpjpe_seeds") or {}).get("seeds", 1))
            if seeds < 3:
                raise ValueError(f"{key}/evaluation.json: model {model!r} on {table!r} has {seeds} seed(s): need 3")
        for a, b in comparisons:
            if (key, a, b, table) not in comps:
                raise ValueError(f"{key}/evaluation.json: no comparison {a}:{b} on table {table!r} (run {producer})")
    return cells, comps


def _index(evaluations: dict[str, dict]) -> tuple[dict, dict]:
    pairs = tuple((a, cand) for cand, old in VARIANTS.items() for a in (XY_TWIN, old))
    return index_evaluations(evaluations, COLUMNS, (XY_TWIN, *VARIANTS, *VARIANTS.values()), pairs, PRODUCER)


def ship_module():  # noqa: ANN201
    """``ship.py`` of this folder, imported without leaving the folder on ``sys.path`` (imported from elsewhere:
    tests)."""
    import importlib

    saved = list(sys.path)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    try:
        return importlib.import_module("ship")
    finally:
        sys.path[:] = saved


def check_depth_scoring(
    evaluations: dict[str, dict], columns: tuple, producer: str, doubled: str, withheld: str
) -> float:
    """The calibrated severity S, after checking that the folders of ``columns`` were scored as a rule says: every
    table with the same depth simulation, at S = ``CALIBRATED_SEVERITY`` but the folder ``doubled`` at 2S (each
    table's severity as ``ship.table_severity`` reads it from ``auglift evaluate``'s table record), and only the
    folder ``withheld`` with the depth withheld (``--no-depth``). Raises ``ValueError`` naming the folder and table."""
    ship = ship_module()  # the package's calibrated severity, the tables' depth
    calibrated, table_severity = ship.CALIBRATED_SEVERITY, ship.table_severity
    simulations, folders = set(), tuple(dict.fromkeys(k for k, _, _ in columns))
    for key in folders:
        data = evaluations[key]
        is_withheld = str(data.get("depth", "")).startswith("depth withheld")
        if is_withheld != (key == withheld):
            raise ValueError(f"{key}/evaluation.json: the depth was {'' if is_withheld else 'not '}withheld "
                             f"(auglift evaluate --no-depth); run {producer}")  # fmt: skip
        expected = (2 if key == doubled else 1) * calibrated
        for table in dict.fromkeys(t for k, t, _ in columns if k == key):
            record = (data.get("tables") or {}).get(table)
            if record is None:
                raise ValueError(f"{key}/evaluation.json: no record of table {table!r} (run {producer})")
            sim, sev = table_severity(record.get("data") or {}, f"{key}/evaluation.json: table {table!r}")
            if sev is None or float(sev) != expected:
                raise ValueError(f"{key}/evaluation.json: table {table!r} ({record.get('path')}) has depth severity "
                                 f"{sev}, the rule reads {expected:g} there (calibrated {calibrated:g})")  # fmt: skip
            simulations.add(sim)
    if len(simulations) != 1:
        raise ValueError(
            f"{folders}: evaluation tables of different depth simulations {sorted(map(str, simulations))}"
        )
    return calibrated


def check_conditions(evaluations: dict[str, dict]) -> float:
    """The calibrated severity S of the evaluations, after checking that they were scored as the rule says: every table
    with the same depth simulation, at S = ``CALIBRATED_SEVERITY`` but ``eval_mixd_2x`` at 2S, and only
    ``eval_mixd_nodepth`` with the depth withheld (:func:`check_depth_scoring`). Raises ``ValueError`` naming the
    folder and table."""
    return check_depth_scoring(evaluations, COLUMNS, PRODUCER, "eval_mixd_2x", "eval_mixd_nodepth")


def seed_mean(cells: dict, key: str, model: str, table: str) -> float:
    """The three-seed mean MPJPE (mm) of ``model`` on ``table`` of folder ``key``."""
    return float(cells[(key, model, table)]["mpjpe_seeds"]["mean"])


def degradation_clause(cells: dict, cand: str, twin: str, columns: tuple) -> tuple[bool, str]:
    """Issue 24's degradation target: ``cand``'s three-seed mean MPJPE not worse than its XY ``twin``'s by more than
    :data:`DEGRADATION_TOLERANCE` on every ``(folder, table, name)`` of ``columns`` (2x severity, depth withheld).
    Returns ``(holds, reason)``."""
    worse = []
    for key, table, name in columns:
        ref = seed_mean(cells, key, twin, table)
        rel = (seed_mean(cells, key, cand, table) - ref) / ref
        if rel > DEGRADATION_TOLERANCE:
            worse.append(f"{name} {100 * rel:+.1f} %")
    return not worse, (
        f"vs {twin} not worse by more than {100 * DEGRADATION_TOLERANCE:g} % (three-seed means) at 2x severity "
        f"and with the depth withheld (H36M, CMU, HumanEva-I): "
        + ("holds" if not worse else f"fails ({'; '.join(worse)})")
    )


def decide(evaluations: dict[str, dict]) -> tuple[bool, list[str]]:
    """The pre-registered rule (RESULTS "Issue 26: the depth pair on the mixture, selection rule"): replace the triple
    only if, for every depth variant, (1) against its H36M-only twin the three-seed mean H36M MPJPE is not worse by
    more than ``mixture_table.H36M_TOLERANCE_MM`` and the paired interval excludes 0 in its favour on CMU or
    HumanEva-I, neither significantly worse (``mixture_table``'s clauses), and (2) against ``tcn-27f-xy-mix`` its
    three-seed mean MPJPE is not worse by more than :data:`DEGRADATION_TOLERANCE` on H36M, CMU and HumanEva-I at 2x
    the severity and with the depth withheld. Returns ``(replace, reasons)``."""
    cells, comps = _index(evaluations)
    check_conditions(evaluations)
    ok, reasons = True, []
    degradation = tuple((k, t, _name(k, t)) for k, t in DEGRADATION)
    for cand, old in VARIANTS.items():
        gap = seed_mean(cells, "eval_mixd_h36m", cand, "test") - seed_mean(cells, "eval_mixd_h36m", old, "test")
        ok_h36m, h36m = h36m_clause(gap)
        ok_cross, cross = cross_clause([comps[(k, old, cand, t)] for k, t in DECIDING])
        ok_deg, deg = degradation_clause(cells, cand, XY_TWIN, degradation)
        reasons += [f"{cand} vs {old} (1) {h36m}", f"{cand} vs {old} (1) {cross}", f"{cand} (2) {deg}"]
        ok = ok and ok_h36m and ok_cross and ok_deg
    return ok, reasons


def mean_table(evaluations: dict[str, dict], cells: dict, columns: tuple, models: list[str]) -> list[str]:
    """Markdown lines of the MPJPE / PA-MPJPE mean ± std table of ``models`` on every column of ``columns``."""
    labels = [column_label(evaluations, k, name) for k, _, name in columns]
    lines = ["| model (3 seeds) | " + " | ".join(labels) + " |", "|---|" + "---|" * len(columns)]
    for model in models:
        row = [f"{seed_cell(cells[(k, model, t)], 'mpjpe')} / {seed_cell(cells[(k, model, t)], 'pa_mpjpe')}"
               for k, t, _ in columns]  # fmt: skip
        lines.append(f"| {model} | " + " | ".join(row) + " |")
    return lines


def paired_table(evaluations: dict[str, dict], comps: dict, columns: tuple, a: str, b: str) -> list[str]:
    """Markdown lines (after a blank one) of comparison ``b`` vs ``a``'s paired intervals on every column."""
    lines = ["", f"| {b} vs {a} | MPJPE | PA-MPJPE |", "|---|---|---|"]
    for k, t, name in columns:
        c = comps[(k, a, b, t)]
        label = column_label(evaluations, k, name)
        lines.append(f"| {label} | {interval_cell(c['mpjpe'])} | {interval_cell(c['pa_mpjpe'])} |")
    return lines


def tables(evaluations: dict[str, dict]) -> list[str]:
    """Markdown lines: the mean ± std table (every model, every column), then one paired table per comparison."""
    cells, comps = _index(evaluations)
    models = list(dict.fromkeys(c["model"] for c in evaluations[FOLDERS[0]]["cells"]))
    lines = mean_table(evaluations, cells, COLUMNS, models)
    for cand, old in VARIANTS.items():
        for a in (old, XY_TWIN):
            lines += paired_table(evaluations, comps, COLUMNS, a, cand)
    return lines


def print_decision(lines: list[str], reasons: list[str], decision: str) -> None:
    """Print a rule's tables, its reasons and its ``decision`` (the layout of the RESULTS sections)."""
    print("\n".join(lines) + "\n\n" + "\n".join(f"- {r}" for r in reasons))
    print(f"- decision: {decision}")


def load_all(root: Path) -> dict[str, dict]:
    """The ``evaluation.json`` of every folder of :data:`FOLDERS` under ``root`` (``FileNotFoundError`` naming it)."""
    return {k: load(root / k, PRODUCER) for k in FOLDERS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="output root of evaluate_i26_depth_mixture.sh (with DEGRADATION=1)")
    args = parser.parse_args(argv)
    try:
        evaluations = load_all(args.root)
        lines = tables(evaluations)
        replace, reasons = decide(evaluations)
    except (FileNotFoundError, KeyError, ValueError) as err:
        parser.exit(2, f"depth_mixture_table.py: error: {err}\n")
    triple = ", ".join(f"{old} <- {new}" for old, new in REPLACES.items())
    print_decision(lines, reasons, f"replace the triple ({triple})" if replace else "keep the H36M-only triple; report "
                   "as measured")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
