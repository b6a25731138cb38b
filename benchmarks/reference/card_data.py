"""Rewrite the shipped cards' ``model-index`` so that every entry names its data exactly (issue 23, item 5).

For every ``checkpoints/<name>/README.md`` it keeps every number already in the card's ``model-index`` and only
renames the data with :func:`ship.condition_row` (real motion vs simulated 2D / depth with the simulation's name,
frames scored from the folder's own ``eval_results.json`` -- ``reference_eval.conditions[*].num_poses``, "not
recorded" when absent --, test frame selection, seeds = 1), then appends the whole-test-set numbers of
``benchmarks/RESULTS.md`` "Issue 23" (MPJPE / PA-MPJPE, copied from its tables, frame counts from its data table) as
additional, exactly named entries. The card is rebuilt with :func:`auglift_hf.hub.cards.build_model_card` and the
card's own measured section ("How this checkpoint was made") is kept verbatim. Weights, configs and
``eval_results.json`` are only read.

Usage::

    python benchmarks/reference/card_data.py                       # all folders in checkpoints/
    python benchmarks/reference/card_data.py --check               # exit 1 if a card would change
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from huggingface_hub import ModelCard

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ship import (  # noqa: E402
    CARD_ROWS,
    DEPTH_SIMULATION,
    H36M_MOTION,
    SIMULATED_DEPTH,
    condition_row,
    training_data_text,
)

from auglift_hf.hub.cards import build_model_card  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
SECTION = "## Issue 23: shipped checkpoints on whole test sets"
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


def _section(results_md: str) -> str:
    start = results_md.index(SECTION)
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


def whole_test_numbers(results_md: str) -> tuple[dict[str, dict[str, tuple[float, float]]], dict[str, int]]:
    """``({checkpoint: {table: (MPJPE, PA-MPJPE)}}, {table: scored frames})`` from RESULTS.md "Issue 23"."""
    sec = _section(results_md)
    frames = {}
    for cells in _table_after(sec, "### Data"):
        for key, (start, *_rest) in WHOLE.items():
            if cells[0].startswith(start):
                frames[key] = int(re.search(r"[\d,]+", cells[5].replace("*", "")).group().replace(",", ""))
    numbers: dict[str, dict[str, tuple[float, float]]] = {}
    for cells in _table_after(sec, "### MPJPE / PA-MPJPE / N-MPJPE (mm, frame-wise), simulated detector 2D"):
        numbers.setdefault(cells[0], {}).update(
            {"h36m": _triple(cells[1]), "cmu": _triple(cells[2]), "humaneva": _triple(cells[3])}
        )
    for cells in _table_after(sec, "### HumanEva-I with its real ground-truth 2D"):
        numbers.setdefault(cells[0].split(" ")[0], {})["humaneva_gt"] = _triple(cells[1])
    if set(frames) != set(WHOLE):
        raise ValueError(f"{SECTION}: data table lacks {sorted(set(WHOLE) - set(frames))}")
    return numbers, frames


def whole_rows(name: str, has_depth: bool, keypoint_definition: str, results_md: str) -> list[dict]:
    """The additional model-index rows of checkpoint ``name`` (empty when RESULTS has none for it)."""
    numbers, frames = whole_test_numbers(results_md)
    rows = []
    for key, (mpjpe, pa) in numbers.get(name, {}).items():
        _, kind, title, config, motion, two_d, selection = WHOLE[key]
        if key == "humaneva_gt" and keypoint_definition == "coco":
            two_d += " (fed to this 'coco' lifter: not the definition it was trained on)"
        data = {
            "motion": motion, "keypoints_2d": two_d, "depth": SIMULATED_DEPTH if has_depth else "none (XY lifter)",
            "frames_scored": frames[key], "frame_selection": selection, "seeds": 1,
            "source": f"benchmarks/RESULTS.md, '{SECTION[3:]}'",
        }  # fmt: skip
        rows.append({"dataset": kind, "name": title, "config": config, "split": "test",
                     "metrics": {"mpjpe": mpjpe, "pa_mpjpe": pa}, "data": data})  # fmt: skip
    return rows


def rewrite(folder: Path, results_md: str) -> str:
    """The new README.md text of one shipped checkpoint folder."""
    readme = folder / "README.md"
    text = readme.read_text(encoding="utf-8")
    card = ModelCard(text)
    config = json.loads((folder / "config.json").read_text())
    processor = json.loads((folder / "preprocessor_config.json").read_text())
    has_depth = "d" in config.get("input_channels", [])
    reference = {}
    if (folder / "eval_results.json").is_file():
        reference = json.loads((folder / "eval_results.json").read_text()).get("reference_eval", {}) or {}
    label_of = {cfg: label for label, (cfg, _) in CARD_ROWS.items()}
    metrics: dict[str, dict[str, float]] = {}
    for r in card.data.eval_results or []:
        if r.dataset_config not in label_of:  # an entry written by this script earlier: rebuilt below
            continue
        metrics.setdefault(r.dataset_config, {})[r.metric_type] = r.metric_value
    rows = []
    for cfg, values in metrics.items():
        label = label_of[cfg]
        frames = (reference.get("conditions", {}).get(label) or {}).get("num_poses")
        rows.append(condition_row(label, values, has_depth, frames))
    rows += whole_rows(folder.name, has_depth, processor.get("keypoint_definition"), results_md)
    new = build_model_card(
        folder, eval_results={"results": rows}, repo_id=f"auglift/{folder.name}", datasets=["h36m"],
        training_data=training_data_text(processor.get("keypoint_definition") == "h36m", True, has_depth),
        depth_simulation=DEPTH_SIMULATION,
    )  # fmt: skip
    measured = text.index("\n## How this checkpoint was made")
    extra = text[measured : text.index("\n## Citation", measured)]
    head, sep, tail = str(new).partition("\n## Citation")
    return head.rstrip("\n") + "\n" + extra + sep + tail


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", help="checkpoint folders (default: every checkpoints/*/)")
    parser.add_argument("--results", default=str(REPO / "benchmarks" / "RESULTS.md"))
    parser.add_argument("--check", action="store_true", help="exit 1 if a card would change; write nothing")
    args = parser.parse_args(argv)
    results_md = Path(args.results).read_text(encoding="utf-8")
    folders = [Path(f) for f in args.folders] or sorted(p.parent for p in (REPO / "checkpoints").glob("*/README.md"))
    stale = []
    for folder in folders:
        new = rewrite(folder, results_md)
        if new != (folder / "README.md").read_text(encoding="utf-8"):
            stale.append(folder.name)
            if not args.check:
                (folder / "README.md").write_text(new, encoding="utf-8")
        print(f"{folder}: {'stale' if args.check and folder.name in stale else 'ok'}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
