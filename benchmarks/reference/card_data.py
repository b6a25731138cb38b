"""Rewrite the shipped cards' ``model-index`` so that every entry names its data exactly (issue 23, item 5).

For every ``checkpoints/<name>/README.md`` it keeps every number already in the card's ``model-index`` and only
renames the data with :func:`ship.condition_row` (real motion vs simulated 2D / depth with the simulation's name,
frames scored from the folder's own ``eval_results.json`` -- ``reference_eval.conditions[*].num_poses``, "not
recorded" when absent --, test frame selection, seeds = 1), then appends the whole-test-set numbers of
``benchmarks/RESULTS.md`` "Issue 23" (MPJPE / PA-MPJPE, copied from its tables, frame counts from its data table) as
additional, exactly named entries. A re-shipped folder (issue 24: its ``eval_results.json`` records the depth
simulation of its training table, ``ship.DEPTH_RECORD_KEY``, or the tables ``evaluate.py`` scored) takes its
whole-test-set rows from the section :data:`RESHIP_SECTION` instead (same layout, :data:`DATA_HEADING`,
:data:`DETECTED_HEADING`, :data:`GT_HEADING`; it must list the checkpoint: the Issue 23 rows are of the old weights)
and names its depth with the simulation it records, at the severity the section's data table gives per table
(``severity S`` in its depth cell, checked against the severity of the tables ``evaluate.py`` recorded); every other
folder keeps the Issue 23 rows and the ``capsule-v1`` texts, byte for byte. The card is rebuilt with :func:`auglift_hf.hub.cards.build_model_card` and the
card's own measured section ("How this checkpoint was made") is kept verbatim. Weights, configs and
``eval_results.json`` are only read. The "Issue 23" section may also hold a HumanEva-I detector-2D table for checkpoints
its detector table does not list (:data:`DETECTED_HUMANEVA_HEADING`: the two ``"h36m"`` lifters, whose 2D text then
says they were fed the COCO definition); a checkpoint in both tables is refused.

Three training seeds (issue 23: every XY-vs-XYCD claim carries seeds and an interval): when RESULTS.md has the section
:data:`SEEDS_SECTION` and it lists the checkpoint, the card gets a section :data:`CARD_SEEDS` between "Evaluation" and
"How this checkpoint was made" (:func:`seeds_card_section`): what the numbers are (seeds 0 = these weights, 1, 2; mean
± std; the paired bootstrap interval; "no significant difference"; real motion, simulated 2D but in the real GT 2D
column, simulated depth), then the checkpoint's row of the section's mean ± std table and every comparison row naming
it, each with its table's header, copied verbatim (:func:`seed_tables`; never recomputed). A card the section does not
list, or every card when the section is absent, is unchanged; a malformed section (a table or its heading missing,
another header, an unknown or repeated recipe, a comparison of a recipe the mean table lacks) is refused. Every card
is rebuilt before any is written: an error writes none (one stderr line, exit 2).

The simulated detector of the training 2D (issue 24.5): a folder records its preset in ``eval_results.json``
(``ship.DETECTOR_KEY``'s ``"preset"``; :func:`training_detector_preset`); a folder recording none was trained on
:data:`OPTIMISTIC_PRESET`, the package's default until 2026-12-06, kinder than the real COCO detector measured
(MoveNet). When RESULTS.md has the section :data:`FITTED_SECTION` and its table (:data:`FITTED_HEADER`) lists such a
checkpoint, its card gets a section :data:`CARD_FITTED` right after "Evaluation", before "Three training seeds"
and "How this checkpoint was made" (:func:`fitted_card_section`): what the numbers are (same evaluation sets built with
``optimistic`` and with ``movenet-fitted``, only the detector differs; one seed; every 10th frame; all 2D and depth
simulated), then the table's header and the checkpoint's row, copied verbatim (:func:`fitted_table`). A folder
recording another preset (``movenet-fitted``: re-shipped) never gets it, even under a listed name: the row measured
the weights it replaced; nor does a folder whose own H36M detected-2D numbers at every 10th frame
(``reference_eval``) differ from the row's "H36M, default 2D" cell (:func:`row_measured_these_weights`: other weights
shipped under the name without a preset record). A card the table does not list, or every card when the section is
absent, gets no such section; a malformed section (repeated, its table missing or with another header, a malformed
row, a checkpoint listed twice) is refused like the others.

A folder trained on a mixture of sources (issue 26: ``ship.SOURCES_KEY`` recorded) takes neither the whole-test-set
rows nor the three-seed section of those RESULTS sections, even under the name of a folder they list (the mixture
triple replacing ``tcn-27f-xy`` / ``tcn-27f-xycd`` / ``tcn-27f-casp``): they measured the H36M-only weights; its own
three-seed tables are in its measured section, written by ``ship.py --three-seeds``. So does a PoseAug-trained folder
(issue 27: ``ship.POSEAUG_KEY`` recorded; its tables written by ``ship.py --v4``), whose training sentence names its
ground-truth 2D and PoseAug phase from the record. So does a folder of the re-ship on MoveNet-fitted 2D (issue 24:
``ship.FITTED_KEY`` recorded; its tables written by ``ship.py --fitted``). A folder recording the detector preset of its
training 2D (``ship.DETECTOR_KEY``) names it in its training sentence; one shipped before the record names none.

Usage::

    python benchmarks/reference/card_data.py                       # all folders in checkpoints/
    python benchmarks/reference/card_data.py --check               # exit 1 if a card would change
    python benchmarks/reference/card_data.py --results R.md DIR     # another RESULTS.md / only these folders
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from huggingface_hub import ModelCard

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ship import (  # noqa: E402
    CARD_ROWS,
    DEPTH_RECORD_KEY,
    DEPTH_SIMULATION,
    DETECTOR_KEY,
    FITTED_KEY,
    H36M_MOTION,
    LEGACY_DEPTH_SIMULATION,
    POSEAUG_KEY,
    SIMULATED_DEPTH,
    SOURCES_KEY,
    _ordinal,
    condition_row,
    measured_selection,
    measured_severities,
    recorded_detector_preset,
    recorded_frame_rates,
    simulated_depth_text,
    source_datasets,
    source_licences,
    table_severity,
    training_data_text,
)

from auglift_hf.hub.cards import build_model_card  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
#: The RESULTS.md sections (heading prefixes) holding the whole-test-set numbers of the shipped checkpoints: Issue 23
#: (the checkpoints trained on capsule-v1 depth; the XY ones, never retrained) and Issue 24 (the re-shipped ones).
SECTION = "## Issue 23: shipped checkpoints on whole test sets"
RESHIP_SECTION = "## Issue 24: re-shipped checkpoints on whole test sets"
#: The three tables of such a section (headings' starts), the same in both: the data table (first cells start with
#: the :data:`WHOLE` names; columns table | motion | 2D | depth | protocol frames | scored frames | sequences |
#: takes), MPJPE / PA-MPJPE / N-MPJPE per checkpoint (checkpoint | H36M test | CMU | HumanEva-I) and HumanEva-I
#: with its real ground-truth 2D (checkpoint | MPJPE / PA-MPJPE / N-MPJPE).
DATA_HEADING = "### Data"
DETECTED_HEADING = "### MPJPE / PA-MPJPE / N-MPJPE (mm, frame-wise), simulated detector 2D"
GT_HEADING = "### HumanEva-I with its real ground-truth 2D"
#: An optional table of the :data:`SECTION` (heading's start; checkpoint | MPJPE / PA-MPJPE / N-MPJPE): HumanEva-I with
#: the simulated COCO detector 2D for checkpoints its detector table does not list (the two ``"h36m"`` lifters, fed
#: the COCO definition: their 2D text says so). Absent: nothing changes.
DETECTED_HUMANEVA_HEADING = "### HumanEva-I with the simulated detector 2D, the two"
#: The RESULTS.md section (heading prefix) with three training seeds of every shipped recipe (issue 23: every
#: XY-vs-XYCD claim carries seeds and an interval) and its two tables (headings' starts, exact headers): mean ± std
#: over the seeds per recipe, and each depth lifter B vs its XY twin A (B - A, paired bootstrap 95 % interval).
SEEDS_SECTION = "## Issue 23: three training seeds"
SEEDS_MEAN_HEADING = "### Mean ± std over three seeds"
SEEDS_MEAN_HEADER = ("recipe (seed-0 checkpoint)", "H36M test (every 10th frame)", "CMU", "HumanEva-I",
                     "HumanEva-I, real GT 2D")  # fmt: skip
SEEDS_PAIRED_HEADING = "### Depth lifter vs its XY twin"
SEEDS_PAIRED_HEADER = ("B vs A", "H36M MPJPE", "H36M PA", "CMU MPJPE", "CMU PA", "HumanEva-I MPJPE",
                       "HumanEva-I PA")  # fmt: skip
#: The recipes (shipped seed-0 checkpoint names) the section may list.
SEED_RECIPES = tuple(f"{arch}-{inputs}" for arch in ("tcn-27f", "poseformer") for inputs in ("xy", "xycd", "casp"))
#: The card section written from :data:`SEEDS_SECTION` (after "Evaluation", before "How this checkpoint was made").
CARD_SEEDS = "## Three training seeds"
#: What the :data:`CARD_SEEDS` numbers are ({heading}: the RESULTS section's heading); the tables follow it.
SEEDS_TEXT = f"""{CARD_SEEDS}

This recipe was trained with three training seeds: 0 (these weights), 1 and 2, with the same recipe, data and budget;
only the seed differs. "Mean ± std" is the mean and the standard deviation over the three seeds of the frame-wise
MPJPE / PA-MPJPE (mm). A comparison "B vs A" pits a depth lifter B against its XY twin A, three seeds each: B - A in mm
(negative: B is better; in parentheses where given, in % of A) and, in brackets, its paired bootstrap 95 % interval
over the test takes (`auglift_hf.metrics.bootstrap`: each recipe's per-pose errors averaged over its seeds, the takes
resampled with all their cameras); "no significant difference" means that interval contains 0. The motion is real
(Human3.6M S9/S11, CMU and HumanEva-I captures); the 2D is simulated (the COCO detector simulation,
`auglift_hf.simulation.simulate_coco_detector`) except in the "HumanEva-I, real GT 2D" column (HumanEva-I's own
ground-truth 2D), and all depth is simulated (no real monocular depth network output). The rows are copied from
`benchmarks/RESULTS.md`, '{{heading}}', which gives the procedure and the commands.

Mean ± std over the three seeds, MPJPE / PA-MPJPE (mm):

"""
#: The preset of a folder whose ``eval_results.json`` records no ``ship.DETECTOR_KEY`` (shipped before the record):
#: :data:`auglift_hf.simulation.detector2d.COCO_DETECTOR_PRESETS` ``"optimistic"``, the package's default until
#: 2026-12-06.
OPTIMISTIC_PRESET = "optimistic"
#: The RESULTS.md section (heading prefix) scoring the shipped checkpoints on evaluation tables built twice, with the
#: ``optimistic`` preset (then the default) and with ``movenet-fitted`` (issue 24.5), and its table (exact header;
#: found as the section's one table whose header starts with "checkpoint").
FITTED_SECTION = "## Issue 24: the detector fitted to MoveNet"
FITTED_HEADER = ("checkpoint", "H36M, default 2D", "H36M, MoveNet-fitted 2D", "CMU, default", "CMU, fitted",
                 "HumanEva-I, default", "HumanEva-I, fitted")  # fmt: skip
#: The card section written from :data:`FITTED_SECTION` for a checkpoint trained on ``optimistic`` 2D (right after
#: "Evaluation": it qualifies every number there; before :data:`CARD_SEEDS` and "How this checkpoint was made").
CARD_FITTED = "## On 2D as bad as a real detector's"
#: What the :data:`CARD_FITTED` numbers are ({{heading}}: the RESULTS section's heading); the row follows it.
FITTED_TEXT = f"""{CARD_FITTED}

This checkpoint was trained on simulated detector 2D from the detector preset `{OPTIMISTIC_PRESET}`
(`auglift_hf.simulation.detector2d.COCO_DETECTOR_PRESETS`, the package's default until 2026-12-06). That simulation is
kinder than a real COCO detector (MoveNet) measured on real frames: its errors have lighter tails, and its misses are
drawn independently per frame instead of persisting. The package's default is now `movenet-fitted`, the simulator
fitted to real MoveNet output. The row below scores these weights on the same evaluation sets built twice: the
"default" columns with the `{OPTIMISTIC_PRESET}` preset (the package's default when the table was measured), the
"fitted" columns with `movenet-fitted`. Same motion, cameras, depth simulation and seeds; only the simulated detector
differs. One training seed (these weights), so differences of a few mm between checkpoints are not established; every
10th frame; MPJPE / PA-MPJPE (mm, frame-wise). The motion is real (Human3.6M S9/S11, CMU and HumanEva-I captures);
all 2D and all depth are simulated: no real detector output and no real Depth Anything output. The row is copied from
`benchmarks/RESULTS.md`, '{{heading}}', which gives the real-MoveNet measurements, the frames scored and the commands.

"""
#: :data:`WHOLE` key -> the evaluation table folder ``evaluate.py`` records (for the severity cross-check)
TABLE_OF = {"h36m": "test", "cmu": "test_cmu", "humaneva": "humaneva", "humaneva_gt": "humaneva"}
DETECTOR_2D = (
    "simulated: COCO detector (auglift_hf.simulation.simulate_coco_detector, detector-definition landmarks, calibrated "
    "confidences, coco_to_h36m); no real detector output"
)
#: RESULTS "Issue 23" data-table row start -> (dataset type, exact name, config, motion, 2D, frame selection)
WHOLE = {
    "h36m": ("H36M `test`", "h36m", "Human3.6M S9/S11 whole test set (real motion, 4 real cameras)",
             "detected2d, whole test set, every 10th frame", H36M_MOTION + ", through the 4 real H36M cameras",
             DETECTOR_2D, "every 10th frame of every one of the 216 test sequences (54 takes; 229,136 protocol "
             "frames), windows centred on each scored frame, edge-padded at sequence ends, flip test"),
    "cmu": ("CMU `test_cmu`", "cmu", "CMU motion capture (real motion, H36M S1's 4 real cameras; cross-dataset)",
            "detected2d, whole test set", "real: CMU motion capture (32 takes, 24 Hz resampled to the lifter's 25 Hz "
            "windows), through S1's 4 real H36M cameras; never trained on", DETECTOR_2D,
            "every frame with all joints in the image of the 128 sequences (32 takes), windows centred on each "
            "frame, edge-padded, flip test"),
    "humaneva": ("HumanEva-I `humaneva` (`detected2d`)", "humaneva",
                 "HumanEva-I Validate S1-S3 Walking / Jog / Box (real capture, 3 real cameras; cross-dataset, "
                 "evaluation only)", "detected2d, whole validation set, 14 shared joints",
                 "real: HumanEva-I motion capture of its own subjects (60 Hz resampled to the lifter's 25 Hz windows), "
                 "3 real cameras", DETECTOR_2D,
                 "every frame of the 72 sequences (9 subject-action takes), scored on the 14 joints both skeletons "
                 "share, windows centred on each frame, edge-padded, flip test"),
    "humaneva_gt": ("HumanEva-I `humaneva` (`gt2d`)", "humaneva",
                    "HumanEva-I Validate S1-S3 Walking / Jog / Box (real capture, 3 real cameras; cross-dataset, "
                    "evaluation only)", "gt2d, whole validation set, 14 shared joints",
                    "real: HumanEva-I motion capture of its own subjects (60 Hz resampled to the lifter's 25 Hz "
                    "windows), 3 real cameras",
                    "real: HumanEva-I's own ground-truth 2D projections (spine / nose synthesised and projected), "
                    "H36M definition",
                    "every frame of the 72 sequences (9 subject-action takes), scored on the 14 joints both skeletons "
                    "share, windows centred on each frame, edge-padded, flip test"),
}  # fmt: skip


def _section(results_md: str, section: str = SECTION) -> str:
    if section not in results_md:
        raise ValueError(f"benchmarks/RESULTS.md has no section {section!r}")
    start = results_md.index(section)
    end = results_md.find("\n## ", start + 1)
    return results_md[start : end if end > 0 else None]


def _table_after(text: str, heading: str) -> list[list[str]]:
    """Body rows (cells stripped) of the first markdown table after ``heading``."""
    lines = text[text.index(heading) :].splitlines()
    i = next(k for k, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[i + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    return rows


def _triple(cell: str) -> tuple[float, float]:
    mpjpe, pa, *_ = (float(x) for x in cell.split("/"))
    return mpjpe, pa


def _count(cell: str) -> int:
    return int(re.search(r"[\d,]+", cell.replace("*", "")).group().replace(",", ""))


def data_table(results_md: str, section: str = SECTION) -> dict[str, list[str]]:
    """``{WHOLE key: cells}`` of the data table of ``section``."""
    cells_of = {}
    for cells in _table_after(_section(results_md, section), DATA_HEADING):
        for key, (start, *_rest) in WHOLE.items():
            if cells[0].startswith(start):
                cells_of[key] = cells
    if set(cells_of) != set(WHOLE):
        raise ValueError(f"{section}: data table lacks {sorted(set(WHOLE) - set(cells_of))}")
    return cells_of


def whole_test_numbers(
    results_md: str, section: str = SECTION
) -> tuple[dict[str, dict[str, tuple[float, float]]], dict[str, int]]:
    """``({checkpoint: {table: (MPJPE, PA-MPJPE)}}, {table: scored frames})`` from RESULTS.md ``section``."""
    sec = _section(results_md, section)
    frames = {key: _count(cells[5]) for key, cells in data_table(results_md, section).items()}
    numbers: dict[str, dict[str, tuple[float, float]]] = {}
    for cells in _table_after(sec, DETECTED_HEADING):
        numbers.setdefault(cells[0], {}).update(
            {"h36m": _triple(cells[1]), "cmu": _triple(cells[2]), "humaneva": _triple(cells[3])}
        )
    if DETECTED_HUMANEVA_HEADING in sec:
        for cells in _table_after(sec, DETECTED_HUMANEVA_HEADING):
            name = cells[0].split(" ")[0]
            if "humaneva" in numbers.get(name, {}):
                raise ValueError(f"{section[3:]}: {name} has HumanEva-I detector-2D numbers in two tables")
            numbers.setdefault(name, {})["humaneva"] = _triple(cells[1])
    for cells in _table_after(sec, GT_HEADING):
        numbers.setdefault(cells[0].split(" ")[0], {})["humaneva_gt"] = _triple(cells[1])
    return numbers, frames


def reship_selection(key: str, cells: list[str]) -> str:
    """The frame selection of a :data:`RESHIP_SECTION` row, from its data-table cells (protocol and scored frames,
    sequences, takes) in the words of the Issue 23 rows."""
    step = re.search(r"every (\d+)\w* frame", cells[5])
    nth = _ordinal(int(step.group(1)) if step else 1)
    protocol, sequences, takes = _count(cells[4]), _count(cells[6]), _count(cells[7])
    where = {
        "h36m": f"{nth} of every one of the {sequences} test sequences",
        "cmu": f"{nth} with all joints in the image of the {sequences} sequences",
    }.get(key, f"{nth} of the {sequences} sequences")
    joints = ", scored on the 14 joints both skeletons share" if key.startswith("humaneva") else ""
    return (
        f"{where} ({takes} takes; {protocol:,} protocol frames){joints}, windows centred on each scored frame, "
        "edge-padded at sequence ends, flip test"
    )


def _reship_depth(key: str, cell: str, record: dict, reference: dict, where: str) -> str:
    """The depth text of a re-shipped row: the folder's simulation at the severity of the data-table cell."""
    sev = re.search(r"severity (\d+(?:\.\d+)?)", cell)
    if sev is None:
        raise ValueError(f"{where}: the {key} depth cell {cell!r} gives no 'severity S' of the evaluation table")
    for name in ("surface-v2", "capsule-v1"):
        if name in cell and name != record["simulation"]:
            raise ValueError(f"{where}: the {key} depth cell names {name}; the folder records {record['simulation']}")
    table = (reference.get("tables") or {}).get(TABLE_OF[key])
    if table is not None:
        recorded = table_severity(table, where)[1]
        if recorded is not None and float(recorded) != float(sev.group(1)):
            raise ValueError(f"{where}: the {key} depth cell says severity {sev.group(1)}, the table evaluate.py "
                             f"scored ({table['path']}) has {recorded}")  # fmt: skip
    return simulated_depth_text(record, [float(sev.group(1))])


def whole_rows(
    name: str,
    has_depth: bool,
    keypoint_definition: str,
    results_md: str,
    record: dict | None = None,
    reference: dict | None = None,
) -> list[dict]:
    """The additional model-index rows of checkpoint ``name`` (empty when RESULTS has none for it).

    ``record`` / ``reference``: the folder's ``eval_results.json`` depth record and ``reference_eval``. A re-shipped
    folder (either records issue-24 data) takes its rows from :data:`RESHIP_SECTION`, which must list it when
    :data:`SECTION` lists its name (those rows are of the weights it replaced; a folder first shipped later, e.g. the
    issue-26 mixture, has none until a section lists it); every other folder from :data:`SECTION`.
    """
    reference = reference or {}
    reshipped = record is not None or bool(reference.get("tables"))
    section = RESHIP_SECTION if reshipped else SECTION
    numbers, frames = whole_test_numbers(results_md, section)
    if reshipped and name not in numbers and name in whole_test_numbers(results_md, SECTION)[0]:
        raise ValueError(f"{name}: re-shipped, but '{RESHIP_SECTION[3:]}' in benchmarks/RESULTS.md does not list it "
                         f"(the '{SECTION[3:]}' rows are of the weights it replaced)")  # fmt: skip
    cells = data_table(results_md, section) if reshipped else {}
    rows = []
    for key, (mpjpe, pa) in numbers.get(name, {}).items():
        _, kind, title, config, motion, two_d, selection = WHOLE[key]
        if key == "humaneva_gt" and keypoint_definition == "coco":
            two_d += " (fed to this 'coco' lifter: not the definition it was trained on)"
        if key != "humaneva_gt" and keypoint_definition == "h36m":
            two_d += " (COCO definition, fed to this 'h36m' lifter: not the definition it was trained on)"
        depth = SIMULATED_DEPTH if has_depth else "none (XY lifter)"
        if reshipped:
            selection = reship_selection(key, cells[key])
            if has_depth and record is not None and record["simulation"] != LEGACY_DEPTH_SIMULATION:
                depth = _reship_depth(key, cells[key][3], record, reference, f"{section[3:]} / {name}")
        data = {
            "motion": motion, "keypoints_2d": two_d, "depth": depth,
            "frames_scored": frames[key], "frame_selection": selection, "seeds": 1,
            "source": f"benchmarks/RESULTS.md, '{section[3:]}'",
        }  # fmt: skip
        rows.append({"dataset": kind, "name": title, "config": config, "split": "test",
                     "metrics": {"mpjpe": mpjpe, "pa_mpjpe": pa}, "data": data})  # fmt: skip
    return rows


@dataclass(frozen=True)
class SeedTables:
    """The :data:`SEEDS_SECTION` of RESULTS.md: its heading (without ``## ``), each table's header and separator
    lines, and its body lines verbatim -- ``mean``: ``{recipe: line}``, ``paired``: ``[(B, A, line)]``."""

    heading: str
    mean_head: tuple[str, str]
    mean: dict[str, str]
    paired_head: tuple[str, str]
    paired: list[tuple[str, str, str]]


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _table_at(lines: list[str], first: int, end: int) -> list[str]:
    """The lines of the markdown table starting at ``lines[first]`` (up to the first non-table line or ``end``)."""
    table = [lines[first]]
    for line in lines[first + 1 : end]:
        if not line.startswith("|"):
            break
        table.append(line)
    return table


def _checked_table(table: list[str], header: tuple[str, ...], where: str, place: str) -> tuple[tuple[str, str], list]:
    """``((header line, separator line), [(cells, line)])`` of the markdown ``table`` (its lines); raises
    ``ValueError`` naming ``where`` and the table's ``place`` when the header is not ``header``, the separator line is
    missing or a row has another number of cells or an empty one."""
    cells = [_cells(line) for line in table]
    if tuple(cells[0]) != header:
        raise ValueError(f"{where}: the table {place} has the header {cells[0]}, expected {list(header)}")
    if len(table) < 2 or any(set(c) - {"-", ":"} or not c for c in cells[1]) or len(cells[1]) != len(header):
        raise ValueError(f"{where}: the table {place} has no '|---|' separator line after its header")
    for row in cells[2:]:
        if len(row) != len(header) or not all(row):
            raise ValueError(f"{where}: the row {'| ' + ' | '.join(row) + ' |'!r} {place} has "
                             f"{len(row)} cells, {sum(not c for c in row)} of them empty; the header has {len(header)}")  # fmt: skip
    return (table[0], table[1]), list(zip(cells[2:], table[2:]))


def _only_section(results_md: str, prefix: str) -> tuple[str, str, str] | None:
    """``(heading, where, text)`` of the one section of ``results_md`` whose heading starts with ``prefix``, or
    ``None`` when there is none; raises ``ValueError`` when there are several."""
    lines = results_md.splitlines()
    starts = [k for k, line in enumerate(lines) if line.startswith(prefix)]
    if not starts:
        return None
    heading = lines[starts[0]][3:].strip()
    where = f"benchmarks/RESULTS.md, '{heading}'"
    if len(starts) > 1:
        raise ValueError(f"{where}: the section '{prefix[3:]}...' appears {len(starts)} times")
    end = next((k for k in range(starts[0] + 1, len(lines)) if lines[k].startswith("## ")), len(lines))
    return heading, where, "\n".join(lines[starts[0] : end])


def _seeds_table(section: str, heading: str, header: tuple[str, ...], where: str) -> tuple[tuple[str, str], list]:
    """``((header line, separator line), [(cells, line)])`` of the table under the ``### heading...`` line of
    ``section``; raises ``ValueError`` naming ``where`` when the heading or its table is missing, the header is not
    ``header`` or a row has another number of cells."""
    lines = section.splitlines()
    starts = [k for k, line in enumerate(lines) if line.startswith(heading)]
    if len(starts) != 1:
        raise ValueError(f"{where}: {'no' if not starts else 'more than one'} subsection '{heading}...'")
    end = next((k for k in range(starts[0] + 1, len(lines)) if lines[k].startswith("### ")), len(lines))
    first = next((k for k in range(starts[0] + 1, end) if lines[k].startswith("|")), None)
    if first is None:
        raise ValueError(f"{where}: no table under '{heading}...'")
    return _checked_table(_table_at(lines, first, end), header, where, f"under '{heading}...'")


def seed_tables(results_md: str) -> SeedTables | None:
    """The :data:`SEEDS_SECTION` of ``results_md``, or ``None`` when it has none.

    Raises ``ValueError`` naming RESULTS.md and the heading when a table is missing, a header differs from
    :data:`SEEDS_MEAN_HEADER` / :data:`SEEDS_PAIRED_HEADER`, a recipe is not one of :data:`SEED_RECIPES` or is listed
    twice, or a comparison names a recipe the mean table does not list.
    """
    found = _only_section(results_md, SEEDS_SECTION)
    if found is None:
        return None
    heading, where, section = found
    mean_head, rows = _seeds_table(section, SEEDS_MEAN_HEADING, SEEDS_MEAN_HEADER, where)
    mean: dict[str, str] = {}
    for cells, line in rows:
        if cells[0] not in SEED_RECIPES or cells[0] in mean:
            raise ValueError(f"{where}: the mean ± std table lists {cells[0]!r} "
                             f"{'twice' if cells[0] in mean else f'(not a shipped recipe: {list(SEED_RECIPES)})'}")  # fmt: skip
        mean[cells[0]] = line
    if not mean:
        raise ValueError(f"{where}: the mean ± std table has no rows")
    paired_head, rows = _seeds_table(section, SEEDS_PAIRED_HEADING, SEEDS_PAIRED_HEADER, where)
    paired = []
    for cells, line in rows:
        pair = re.fullmatch(r"(\S+) vs (\S+)", cells[0])
        if pair is None or pair[1] == pair[2] or not {pair[1], pair[2]} <= set(mean):
            raise ValueError(f"{where}: the comparison {cells[0]!r} is not 'B vs A' of two recipes of the mean ± std "
                             f"table ({', '.join(mean)})")  # fmt: skip
        if any((b, a) == (pair[1], pair[2]) for b, a, _ in paired):
            raise ValueError(f"{where}: the comparison {cells[0]!r} is listed twice")
        paired.append((pair[1], pair[2], line))
    return SeedTables(heading, mean_head, mean, paired_head, paired)


def seeds_card_section(name: str, tables: SeedTables | None) -> str:
    """The :data:`CARD_SEEDS` section of checkpoint ``name`` ("" when ``tables`` is ``None`` or does not list it):
    what the numbers are, then its row of the mean ± std table and the comparisons naming it, copied verbatim."""
    if tables is None or name not in tables.mean:
        return ""
    paired = [line for b, a, line in tables.paired if name in (b, a)]
    text = SEEDS_TEXT.format(heading=tables.heading) + "\n".join([*tables.mean_head, tables.mean[name]]) + "\n"
    if not paired:
        return text + "\nNo comparison of that section names this recipe (its twin's seeds are not in it).\n"
    return (
        text + "\nDepth lifter B vs its XY twin A, B - A with the paired bootstrap 95 % interval over test takes:\n\n"
        + "\n".join([*tables.paired_head, *paired]) + "\n"
    )  # fmt: skip


def training_detector_preset(folder: Path) -> str:
    """The simulated detector preset a shipped folder's training 2D came from: its ``eval_results.json``
    ``ship.DETECTOR_KEY`` record's ``"preset"``, :data:`OPTIMISTIC_PRESET` when the folder records none (or has no
    ``eval_results.json``: shipped before the record existed). Raises ``ValueError`` naming the file when the value is
    not a known preset."""
    from auglift_hf.simulation.detector2d import COCO_DETECTOR_PRESETS

    path = Path(folder) / "eval_results.json"
    saved = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    record = (saved.get(DETECTOR_KEY) if isinstance(saved, dict) else None) or {}  # ship.py: {"preset": NAME, ...}
    preset = record.get("preset", OPTIMISTIC_PRESET) if isinstance(record, dict) else record
    if not isinstance(preset, str) or preset not in COCO_DETECTOR_PRESETS:
        raise ValueError(f"{path}: {DETECTOR_KEY!r} is {preset!r}, not a detector preset "
                         f"({', '.join(sorted(COCO_DETECTOR_PRESETS))})")  # fmt: skip
    return preset


@dataclass(frozen=True)
class FittedTable:
    """The table of :data:`FITTED_SECTION`: the section's heading (without ``## ``), the table's header and separator
    lines, and its body lines verbatim, ``{checkpoint: line}``."""

    heading: str
    head: tuple[str, str]
    rows: dict[str, str]


def fitted_table(results_md: str) -> FittedTable | None:
    """The :data:`FITTED_SECTION` table of ``results_md``, or ``None`` when it has no such section.

    Raises ``ValueError`` naming RESULTS.md and the heading when the section is repeated, has no table whose header
    starts with "checkpoint" (or more than one), the header is not :data:`FITTED_HEADER`, a row is malformed (a
    number cell not "MPJPE / PA-MPJPE", bold allowed), or a checkpoint is listed twice.
    """
    found = _only_section(results_md, FITTED_SECTION)
    if found is None:
        return None
    heading, where, section = found
    lines = section.splitlines()
    starts = [k for k, line in enumerate(lines) if line.startswith("|") and not lines[k - 1].startswith("|")
              and _cells(line)[0] == FITTED_HEADER[0]]  # fmt: skip
    if len(starts) != 1:
        raise ValueError(f"{where}: {'no' if not starts else 'more than one'} table whose header starts with "
                         f"'| {FITTED_HEADER[0]} |'")  # fmt: skip
    head, body = _checked_table(_table_at(lines, starts[0], len(lines)), FITTED_HEADER, where,
                                f"'| {FITTED_HEADER[0]} | ...'")  # fmt: skip
    rows: dict[str, str] = {}
    for cells, line in body:
        bad = [c for c in cells[1:] if not re.fullmatch(r"(\*\*)?\d+(\.\d+)? / \d+(\.\d+)?(\*\*)?", c)]
        if bad:
            raise ValueError(f"{where}: the row {cells[0]!r} of the table '| {FITTED_HEADER[0]} | ...' has the cell "
                             f"{bad[0]!r}, not 'MPJPE / PA-MPJPE'")  # fmt: skip
        if cells[0] in rows:
            raise ValueError(f"{where}: the table '| {FITTED_HEADER[0]} | ...' lists {cells[0]!r} twice")
        rows[cells[0]] = line
    if not rows:
        raise ValueError(f"{where}: the table '| {FITTED_HEADER[0]} | ...' has no rows")
    return FittedTable(heading, head, rows)


def row_measured_these_weights(line: str, reference: dict) -> bool:
    """Whether a :data:`FITTED_HEADER` row can be of the weights whose ``reference_eval`` is ``reference``: its
    "H36M, default 2D" cell (MPJPE / PA-MPJPE, 0.1 mm) equals the folder's own "in-domain noisy-2D" numbers rounded,
    when those were scored at every 10th frame of the H36M test table (the same set and selection: the package's
    then-default detector, every 10th frame). ``True`` when the folder records no such numbers (nothing to check)."""
    measured = (reference.get("conditions") or {}).get("in-domain noisy-2D") or {}
    if measured.get("table") != "test" or measured.get("stride") != 10 or "mpjpe" not in measured:
        return True
    cell = _cells(line)[FITTED_HEADER.index("H36M, default 2D")].replace("*", "")
    row = [float(x) for x in cell.split("/")]
    return len(row) == 2 and all(
        abs(value - float(measured[key])) <= 0.05 + 1e-9 for value, key in zip(row, ("mpjpe", "pa_mpjpe"))
    )


def fitted_card_section(name: str, preset: str, table: FittedTable | None, reference: dict | None = None) -> str:
    """The :data:`CARD_FITTED` section of checkpoint ``name`` trained on 2D of detector ``preset`` ("" unless the
    preset is :data:`OPTIMISTIC_PRESET`, ``table`` lists it and the row can be of these weights,
    :func:`row_measured_these_weights` with the folder's ``reference_eval``): what the numbers are, then its row,
    verbatim."""
    if preset != OPTIMISTIC_PRESET or table is None or name not in table.rows:
        return ""
    if not row_measured_these_weights(table.rows[name], reference or {}):  # other weights under the same name
        return ""
    return FITTED_TEXT.format(heading=table.heading) + "\n".join([*table.head, table.rows[name]]) + "\n"


def rewrite(folder: Path, results_md: str) -> str:
    """The new README.md text of one shipped checkpoint folder."""
    readme = folder / "README.md"
    text = readme.read_text(encoding="utf-8")
    card = ModelCard(text)
    config = json.loads((folder / "config.json").read_text())
    processor = json.loads((folder / "preprocessor_config.json").read_text())
    has_depth = "d" in config.get("input_channels", [])
    reference, record, sources, poseaug, saved = {}, None, None, None, {}
    if (folder / "eval_results.json").is_file():
        saved = json.loads((folder / "eval_results.json").read_text())
        reference, record = saved.get("reference_eval", {}) or {}, saved.get(DEPTH_RECORD_KEY)
        sources = saved.get(SOURCES_KEY)  # a mixture (issue 26): its sources and licences, recorded by ship.py
        poseaug = saved.get(POSEAUG_KEY)  # a PoseAug run on ground-truth 2D (issue 27), recorded by ship.py
    surface = has_depth and record is not None and record["simulation"] != LEGACY_DEPTH_SIMULATION
    severities = measured_severities(reference, str(folder / "eval_results.json")) if surface else {}
    label_of = {cfg: label for label, (cfg, _) in CARD_ROWS.items()}
    metrics: dict[str, dict[str, float]] = {}
    for r in card.data.eval_results or []:
        if r.dataset_config not in label_of:  # an entry written by this script earlier: rebuilt below
            continue
        metrics.setdefault(r.dataset_config, {})[r.metric_type] = r.metric_value
    rows = []
    for cfg, values in metrics.items():
        label = label_of[cfg]
        measured = reference.get("conditions", {}).get(label) or {}
        rows.append(condition_row(
            label, values, has_depth, measured.get("num_poses"),
            depth_text=simulated_depth_text(record, [severities.get(label)]) if surface else None,
            selection=measured_selection(reference, label),
            frame_rates=recorded_frame_rates(measured), detector_preset=recorded_detector_preset(reference, label),
        ))  # fmt: skip
    # a mixture's, PoseAug run's or fitted re-ship's numbers are its card's three-seed tables: these sections measured
    # other weights
    own_tables = bool(sources or poseaug or saved.get(FITTED_KEY))
    if not own_tables:
        rows += whole_rows(folder.name, has_depth, processor.get("keypoint_definition"), results_md, record, reference)
    depth_text = simulated_depth_text(record, list(severities.values())) if surface else None
    new = build_model_card(
        folder, eval_results={"results": rows}, repo_id=f"auglift/{folder.name}", datasets=source_datasets(sources),
        training_data=training_data_text(
            processor.get("keypoint_definition") == "h36m", True, has_depth, depth_text, sources, poseaug,
            (saved.get(DETECTOR_KEY) or {}).get("preset"),
        ),
        depth_simulation=record["simulation"] if surface else DEPTH_SIMULATION, licences=source_licences(sources),
    )  # fmt: skip
    measured = text.find("\n## How this checkpoint was made")
    if measured < 0 or text.find("\n## Citation", measured) < 0:
        raise ValueError(f"{readme}: no '## How this checkpoint was made' section before '## Citation' (the measured "
                         "section this script keeps)")  # fmt: skip
    extra = text[measured : text.index("\n## Citation", measured)]
    head, sep, tail = str(new).partition("\n## Citation")
    seeds = "" if own_tables else seeds_card_section(folder.name, seed_tables(results_md))
    fitted = fitted_card_section(folder.name, training_detector_preset(folder), fitted_table(results_md), reference)
    added = "".join(f"\n{part}" for part in (fitted, seeds) if part)
    return head.rstrip("\n") + "\n" + added + extra + sep + tail


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", help="checkpoint folders (default: every checkpoints/*/)")
    parser.add_argument("--results", default=str(REPO / "benchmarks" / "RESULTS.md"))
    parser.add_argument("--check", action="store_true", help="exit 1 if a card would change; write nothing")
    args = parser.parse_args(argv)
    results_md = Path(args.results).read_text(encoding="utf-8")
    folders = [Path(f) for f in args.folders] or sorted(p.parent for p in (REPO / "checkpoints").glob("*/README.md"))
    try:  # every card is rebuilt before any is written: a bad input leaves all of them as they were
        new_of = {folder: rewrite(folder, results_md) for folder in folders}
    except ValueError as err:
        print(f"card_data.py: error: {err}", file=sys.stderr)
        return 2
    stale = []
    for folder, new in new_of.items():
        if new != (folder / "README.md").read_text(encoding="utf-8"):
            stale.append(folder.name)
            if not args.check:
                (folder / "README.md").write_text(new, encoding="utf-8")
        print(f"{folder}: {'stale' if args.check and folder.name in stale else 'ok'}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
