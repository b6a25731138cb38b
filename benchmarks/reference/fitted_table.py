"""RESULTS "Issue 24: re-ship on MoveNet-fitted 2D" tables and the pre-registered replace / keep decision, per family.

Reads the ``evaluation.json`` of the eight folders ``evaluate_i24_fitted.sh`` writes for one family F (``tcn`` or
``poseformer``; with ``DEGRADATION=1 DEFAULT_TABLES=1``): on the tables built with the ``movenet-fitted`` detector
preset (``build_i24_fitted.sh``) ``eval_fit_F_h36m`` (H36M ``test``, every 10th frame), ``eval_fit_F_det``
(``test_cmu``, ``humaneva``), ``eval_fit_F_gt`` (``humaneva`` with its real GT 2D), ``eval_fit_F_2x`` (the three at
2S) and ``eval_fit_F_nodepth`` (the three at S with the depth withheld); on the same sets built with the ``optimistic``
preset (the default until 2026-12-06) ``eval_fit_F_{h36m,det,gt}_default``. Each holds the family's three ``-fit``
recipes (:data:`FAMILIES`: trained on ``movenet-fitted`` 2D) and the three recipes shipped before (trained on
``optimistic`` 2D) as three-seed models, with the comparisons shipped -> ``-fit`` and ``-fit`` XY -> ``-fit`` depth
lifter. Prints:

1. MPJPE / PA-MPJPE mean ± std over seeds per model and column (``seeds_table.seed_cell``);
2. per comparison, the paired bootstrap 95 % interval over test takes of the seed-averaged per-pose errors;
3. the decision of the rule written before any three-seed evaluation of the ``-fit`` runs (:func:`decide`, on
   evaluations scored as the rule says, :func:`check_conditions`): replace the family's three shipped names by the
   ``-fit`` recipes only if every one beats its shipped recipe on fitted H36M and the depth lifters keep issue 24's
   degradation target against the ``-fit`` XY twin.

Usage::

    python benchmarks/reference/fitted_table.py ROOT FAMILY   (ROOT of evaluate_i24_fitted.sh; FAMILY tcn|poseformer)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from depth_mixture_table import (  # noqa: E402
    check_depth_scoring,
    degradation_clause,
    index_evaluations,
    mean_table,
    paired_table,
    print_decision,
    seed_mean,
    ship_module,
)
from seeds_table import load  # noqa: E402

VARIANTS = ("xy", "xycd", "casp")
#: family -> (candidate label, baseline label, shipped folder name) patterns of the variant ``{v}``, exactly the model
#: labels of evaluate_i24_fitted.sh
FAMILIES = {
    "tcn": ("tcn-27f-{v}-fit", "tcn-27f-{v}", "tcn-27f-{v}"),
    "poseformer": ("poseformer-9f-{v}-fit", "poseformer-{v}", "poseformer-{v}"),
}
#: what a replace decision replaces, per family: shipped folder <- recipe trained on movenet-fitted 2D
REPLACES = {f: {ship.format(v=v): cand.format(v=v) for v in VARIANTS} for f, (cand, _, ship) in FAMILIES.items()}
#: the script that writes the evaluations read here
PRODUCER = "DEGRADATION=1 DEFAULT_TABLES=1 FAMILIES={family} benchmarks/reference/evaluate_i24_fitted.sh"
#: the detector preset of the tables the rule reads, and of the ``_default`` folders' tables
FITTED_PRESET, DEFAULT_PRESET = "movenet-fitted", "optimistic"
#: folder suffix -> (table, column name) in print order; the suffix ``_default``: the tables of :data:`DEFAULT_PRESET`
_COLUMNS = (
    ("h36m", "test", "H36M S9/S11"),
    ("det", "test_cmu", "CMU"),
    ("det", "humaneva", "HumanEva-I"),
    ("gt", "humaneva", "HumanEva-I, real GT 2D"),
    ("2x", "test", "H36M S9/S11, 2x severity"),
    ("2x", "test_cmu", "CMU, 2x severity"),
    ("2x", "humaneva", "HumanEva-I, 2x severity"),
    ("nodepth", "test", "H36M S9/S11, depth withheld"),
    ("nodepth", "test_cmu", "CMU, depth withheld"),
    ("nodepth", "humaneva", "HumanEva-I, depth withheld"),
    ("h36m_default", "test", f"H36M S9/S11, `{DEFAULT_PRESET}` 2D"),
    ("det_default", "test_cmu", f"CMU, `{DEFAULT_PRESET}` 2D"),
    ("det_default", "humaneva", f"HumanEva-I, `{DEFAULT_PRESET}` 2D"),
    ("gt_default", "humaneva", f"HumanEva-I, real GT 2D, `{DEFAULT_PRESET}` tables"),
)
#: folder suffix -> (auglift evaluate --config, --stride) as evaluate_i24_fitted.sh (lanes.sh) scores it
SCORING = {"h36m": ("detected2d", 10), "det": ("detected2d", 1), "gt": ("gt2d", 1), "2x": ("detected2d", 10),
           "nodepth": ("detected2d", 10)}  # fmt: skip
#: issue 24's degradation target is read on these folders (vs the -fit XY twin)
DEGRADATION = ("2x", "nodepth")


def columns(family: str) -> tuple[tuple[str, str, str], ...]:
    """``(folder, table, column name)`` of ``family``'s evaluations, in print order."""
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; known: {', '.join(FAMILIES)}")
    return tuple((f"eval_fit_{family}_{suffix}", table, name) for suffix, table, name in _COLUMNS)


def labels(family: str) -> tuple[list[str], list[str]]:
    """``(candidates, baselines)`` of ``family``, in :data:`VARIANTS` order."""
    cand, base, _ = FAMILIES[family]
    return [cand.format(v=v) for v in VARIANTS], [base.format(v=v) for v in VARIANTS]


def comparisons(family: str) -> tuple[tuple[str, str], ...]:
    """``(a, b)`` of every ``--compare a:b`` of evaluate_i24_fitted.sh for ``family`` (b minus a)."""
    cands, bases = labels(family)
    return (*zip(bases, cands), *((cands[0], c) for c in cands[1:]))


def _index(evaluations: dict[str, dict], family: str) -> tuple[dict, dict]:
    cands, bases = labels(family)
    producer = PRODUCER.format(family=family)
    return index_evaluations(evaluations, columns(family), (*cands, *bases), comparisons(family), producer)


def check_conditions(evaluations: dict[str, dict], family: str) -> float:
    """The calibrated severity S of ``family``'s evaluations, after checking that they were scored as the rule says:
    every table with the same depth simulation at S but ``_2x`` at 2S, only ``_nodepth`` with the depth withheld
    (``depth_mixture_table.check_depth_scoring``); each folder with the ``--config`` and ``--stride`` of
    :data:`SCORING`; every detector-2D table built with the ``movenet-fitted`` preset, those of the ``_default``
    folders with ``optimistic`` (the preset its ``two_d`` text names: ``ship.detector_preset``). Raises
    ``ValueError`` naming the folder and table."""
    detector_preset = ship_module().detector_preset
    cols, producer = columns(family), PRODUCER.format(family=family)
    prefix = f"eval_fit_{family}_"
    severity = check_depth_scoring(evaluations, cols, producer, prefix + "2x", prefix + "nodepth")
    for key in dict.fromkeys(k for k, _, _ in cols):
        data, suffix = evaluations[key], key.removeprefix(prefix)
        config, stride = SCORING[suffix.removesuffix("_default")]
        if int(data.get("stride") or 1) != stride:
            raise ValueError(f"{key}/evaluation.json: scored every {data.get('stride') or 1} frame(s), the rule reads "
                             f"--stride {stride} there; run {producer}")  # fmt: skip
        for table in dict.fromkeys(t for k, t, _ in cols if k == key):
            record = data["tables"][table].get("data") or {}
            where = f"{key}/evaluation.json: table {table!r} ({data['tables'][table].get('path')})"
            if record.get("config", data.get("config")) != config:
                raise ValueError(f"{where} scored with --config {record.get('config', data.get('config'))}, the rule "
                                 f"reads {config} there; run {producer}")  # fmt: skip
            if config == "gt2d":  # real ground-truth 2D: no detector preset
                continue
            preset = detector_preset(str(record.get("two_d", "")), where)
            expected = DEFAULT_PRESET if suffix.endswith("_default") else FITTED_PRESET
            if preset != expected:
                raise ValueError(f"{where}: its detector 2D was built with the {preset!r} preset, the rule reads "
                                 f"{expected!r} there")  # fmt: skip
    return severity


def h36m_clause(cells: dict, comps: dict, family: str, base: str, cand: str) -> tuple[bool, str]:
    """The rule's first clause: ``cand``'s three-seed mean MPJPE on fitted H36M lower than ``base``'s and the paired
    95 % interval of ``cand`` minus ``base`` below 0. Returns ``(holds, reason)``."""
    key = f"eval_fit_{family}_h36m"
    c, b = seed_mean(cells, key, cand, "test"), seed_mean(cells, key, base, "test")
    m = comps[(key, base, cand, "test")]["mpjpe"]
    ok = c < b and m["high"] < 0
    return ok, (
        f"{cand} vs {base}: H36M S9/S11 (movenet-fitted 2D) three-seed mean MPJPE {c:.1f} vs {b:.1f} mm, paired 95 % "
        f"interval [{m['low']:+.1f}, {m['high']:+.1f}] mm (lower, interval excluding 0 in its favour): "
        + ("holds" if ok else "fails")
    )


def decide(evaluations: dict[str, dict], family: str) -> tuple[bool, list[str]]:
    """The pre-registered rule (RESULTS "Issue 24: re-ship on MoveNet-fitted 2D, selection rule"): replace the
    family's three shipped names (:data:`REPLACES`) together only if (1) for every variant the ``-fit`` recipe's
    three-seed mean MPJPE on fitted H36M is lower than the shipped recipe's, the paired interval excluding 0 in its
    favour, and (2) for XYCD and CASP the ``-fit`` lifter's three-seed mean MPJPE is not worse than the ``-fit`` XY
    twin's by more than ``depth_mixture_table.DEGRADATION_TOLERANCE`` on H36M, CMU and HumanEva-I at 2x the severity
    and with the depth withheld. Returns ``(replace, reasons)``, one reason per clause."""
    cells, comps = _index(evaluations, family)
    check_conditions(evaluations, family)
    cands, bases = labels(family)
    ok, reasons = True, []
    for base, cand in zip(bases, cands):
        holds, reason = h36m_clause(cells, comps, family, base, cand)
        ok, reasons = ok and holds, [*reasons, f"(1) {reason}"]
    degradation = tuple(c for c in columns(family) if c[0].rsplit("_", 1)[1] in DEGRADATION)
    for cand in cands[1:]:
        holds, reason = degradation_clause(cells, cand, cands[0], degradation)
        ok, reasons = ok and holds, [*reasons, f"(2) {cand} {reason}"]
    return ok, reasons


def tables(evaluations: dict[str, dict], family: str) -> list[str]:
    """Markdown lines: the mean ± std table (every model, every column), then one paired table per comparison."""
    cells, comps = _index(evaluations, family)
    cols = columns(family)
    models = list(dict.fromkeys(c["model"] for c in evaluations[cols[0][0]]["cells"]))
    lines = mean_table(evaluations, cells, cols, models)
    for a, b in comparisons(family):
        lines += paired_table(evaluations, comps, cols, a, b)
    return lines


def decision_line(replace: bool, family: str) -> str:
    """The decision as the script prints it."""
    triple = ", ".join(f"{old} <- {new}" for old, new in REPLACES[family].items())
    if replace:
        return f"replace the {family} triple ({triple})"
    return f"keep the shipped {family} triple (trained on `{DEFAULT_PRESET}` 2D); report as measured"


def load_all(root: Path, family: str) -> dict[str, dict]:
    """The ``evaluation.json`` of every folder of ``family`` under ``root`` (``FileNotFoundError`` naming it)."""
    producer = PRODUCER.format(family=family)
    return {k: load(root / k, producer) for k in dict.fromkeys(k for k, _, _ in columns(family))}


def judge(root: Path, family: str) -> tuple[list[str], bool, list[str]]:
    """``(tables, replace, reasons)`` of ``family``'s evaluations under ``root`` (:func:`tables`, :func:`decide`)."""
    evaluations = load_all(root, family)
    lines = tables(evaluations, family)
    return (lines, *decide(evaluations, family))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "root", type=Path, help="output root of evaluate_i24_fitted.sh (DEGRADATION=1 DEFAULT_TABLES=1)"
    )
    parser.add_argument("family", choices=tuple(FAMILIES), help="the family judged")
    args = parser.parse_args(argv)
    try:
        lines, replace, reasons = judge(args.root, args.family)
    except (FileNotFoundError, KeyError, ValueError) as err:
        parser.exit(2, f"fitted_table.py: error: {err}\n")
    print_decision(lines, reasons, decision_line(replace, args.family))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
