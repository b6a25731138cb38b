"""The shipped cards (``checkpoints/*/README.md``) name every result's data exactly and are what
``benchmarks/reference/card_data.py`` writes (issue 23, item 5)."""

import json
import sys
from pathlib import Path

import pytest
from huggingface_hub import ModelCard

from auglift_hf.data.schema import DEPTH_SIMULATIONS
from auglift_hf.hub.cards import DATA_FIELDS

sys.path.insert(0, str(Path(__file__).parent))
from reference_scripts import import_reference, recorded_simulation  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
CARDS = sorted((ROOT / "checkpoints").glob("*/README.md"))


@pytest.mark.parametrize("readme", CARDS, ids=[p.parent.name for p in CARDS])
def test_shipped_card_names_its_data(readme):
    card = ModelCard.load(readme)
    results = card.data.eval_results
    assert results
    for r in results:
        args = r.dataset_args or {}
        assert set(DATA_FIELDS) <= set(args), (r.dataset_config, args)
        assert args["seeds"] == 1 and args["motion"].startswith("real")
        assert isinstance(args["frames_scored"], int) and args["frames_scored"] > 0
        assert r.dataset_name not in ("Human3.6M", "CMU")  # exact names, not the bare dataset
        if args["keypoints_2d"].startswith("simulated"):
            assert "simulate_coco_detector" in args["keypoints_2d"]
    whole = [r for r in results if "whole" in r.dataset_config]
    saved = json.loads((readme.parent / "eval_results.json").read_text())
    if saved.get("training_sources") and not whole:  # issue 26 mixture, shipped after the RESULTS whole-set sections:
        seeds = card.text[card.text.index("**Three training seeds**") : card.text.index("## Licence")]
        assert "| HumanEva-I |" in seeds and "| CMU |" in seeds  # its cross-dataset numbers: the three-seed tables
    elif saved.get("fitted_reship") and not whole:  # issue 24, re-ship on MoveNet-fitted 2D: fitted_table.py's tables
        seeds = card.text[card.text.index("**Three training seeds**") : card.text.index("## Licence")]
        assert "| HumanEva-I |" in seeds and "| CMU |" in seeds and "`movenet-fitted` detector preset" in card.text
    elif saved.get("poseaug") and not whole:  # issue 27, PoseAug on GT 2D: the v4 experiment's three-seed tables
        seeds = card.text[
            card.text.index("**What it is good for, and the v4 experiment.**") : card.text.index("## Licence")
        ]
        assert "| XYD + dscale2d + PoseAug |" in seeds and "| CMU |" in seeds and "HumanEva-I (real GT 2D)" in seeds
        assert all(r.dataset_config.startswith("gt2d") for r in results)  # no COCO-detector rows for an "h36m" lifter
    else:
        assert {r.dataset_type for r in whole} >= {"humaneva"}  # the RESULTS 'Issue 23' numbers are in every card
    if (readme.parent / "config.json").read_text().count('"d"'):
        assert "No real Depth Anything" in card.text
        simulation = recorded_simulation(readme.parent)
        assert f"depth simulation `{simulation}`" in card.text
        for r in results:
            if "removed" not in r.dataset_config:
                named = [s for s in DEPTH_SIMULATIONS if s in r.dataset_args["depth"]]
                assert named == [simulation], (r.dataset_config, r.dataset_args["depth"])


def test_shipped_cards_are_current():
    card_data = import_reference("card_data")

    results_md = (ROOT / "benchmarks" / "RESULTS.md").read_text(encoding="utf-8")
    for readme in CARDS:
        assert card_data.rewrite(readme.parent, results_md) == readme.read_text(encoding="utf-8"), (
            f"{readme} is stale: run python benchmarks/reference/card_data.py"
        )
