"""HumanEva-I with the simulated detector 2D for the two ``"h36m"`` lifters (issue 23: a HumanEva-I column for every
shipped lifter): ``benchmarks/reference/card_data.py`` reads the optional table of RESULTS "Issue 23: shipped
checkpoints on whole test sets" that lists them, labels their 2D as the COCO definition they were not trained on,
changes nothing when the table is absent, and refuses a checkpoint listed in two detector-2D tables."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from reference_scripts import import_reference  # noqa: E402

card_data = import_reference("card_data")

ROOT = Path(__file__).resolve().parents[2]
H36M_LIFTERS = ("tcn-27f-xy-h36m", "tcn-27f-xy-h36m-anyview")


@pytest.fixture(scope="module")
def results_md() -> str:
    text = (ROOT / "benchmarks" / "RESULTS.md").read_text(encoding="utf-8")
    if card_data.DETECTED_HUMANEVA_HEADING not in card_data._section(text):
        pytest.skip("RESULTS.md has no HumanEva-I detector-2D table for the 'h36m' lifters")
    return text


def _without_table(text: str) -> str:
    start = text.index(card_data.DETECTED_HUMANEVA_HEADING)
    end = text.index("\n### ", start + 1)
    return text[:start] + text[end + 1 :]


def test_h36m_lifters_get_a_detector_row_labelled_as_the_other_definition(results_md):
    numbers, _ = card_data.whole_test_numbers(results_md)
    for name in H36M_LIFTERS:
        assert set(numbers[name]) == {"humaneva", "humaneva_gt"}, name
        rows = card_data.whole_rows(name, False, "h36m", results_md)
        detected = [r for r in rows if r["config"].startswith("detected2d")]
        assert len(detected) == 1 and detected[0]["dataset"] == "humaneva"
        assert detected[0]["metrics"] == dict(zip(("mpjpe", "pa_mpjpe"), numbers[name]["humaneva"]))
        assert "fed to this 'h36m' lifter" in detected[0]["data"]["keypoints_2d"]
        gt = [r for r in rows if r["config"].startswith("gt2d")]
        assert len(gt) == 1 and "fed to this" not in gt[0]["data"]["keypoints_2d"]  # its own definition
    for row in card_data.whole_rows("tcn-27f-xy", False, "coco", results_md):
        assert "'h36m' lifter" not in row["data"]["keypoints_2d"]


def test_without_the_table_nothing_else_changes(results_md):
    with_table, frames = card_data.whole_test_numbers(results_md)
    without, frames_without = card_data.whole_test_numbers(_without_table(results_md))
    assert frames == frames_without
    for name in H36M_LIFTERS:
        assert set(without[name]) == {"humaneva_gt"}
        del with_table[name]["humaneva"]
    assert with_table == without


def test_a_checkpoint_in_two_detector_tables_is_refused(results_md):
    start = results_md.index(card_data.DETECTED_HUMANEVA_HEADING)
    row = results_md.index("\n| tcn-27f-xy-h36m ", start)
    doubled = results_md[:row] + "\n| tcn-27f-xy | 1.0 / 1.0 / 1.0 |" + results_md[row:]
    with pytest.raises(ValueError, match="tcn-27f-xy has HumanEva-I detector-2D numbers in two tables"):
        card_data.whole_test_numbers(doubled)
