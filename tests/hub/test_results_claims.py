"""The top of ``benchmarks/RESULTS.md`` ("Current claims", issue 23: only three-seed figures with intervals are claims)
repeats the comparison rows of "Issue 23: three training seeds" verbatim: a row added to or changed in that section
(e.g. poseformer-casp's seeds 1-2) must be copied to the summary too, or this test names it."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from reference_scripts import import_reference  # noqa: E402

card_data = import_reference("card_data")

RESULTS = Path(__file__).resolve().parents[2] / "benchmarks" / "RESULTS.md"
SUMMARY = "## Current claims"


def _paired_rows(block: str) -> list[str]:
    """The body lines of the first table with :data:`card_data.SEEDS_PAIRED_HEADER` in ``block``."""
    lines = block.splitlines()
    header = "| " + " | ".join(card_data.SEEDS_PAIRED_HEADER) + " |"
    start = lines.index(header)
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


def test_summary_repeats_the_three_seed_comparisons_verbatim():
    text = RESULTS.read_text(encoding="utf-8")
    tables = card_data.seed_tables(text)
    if SUMMARY not in text or tables is None:
        pytest.skip("RESULTS.md has no 'Current claims' summary or no three-seed section")
    start = text.index(SUMMARY)
    summary = text[start : text.index("\n## ", start + 1)]
    assert summary.index(SUMMARY) == 0 and text.index(SUMMARY) < text.index("\n" + card_data.SEEDS_SECTION)
    in_section = [line for _, _, line in tables.paired]
    assert _paired_rows(summary) == in_section, (
        f"RESULTS.md 'Current claims' does not repeat the comparison rows of '{tables.heading}' verbatim: copy them"
    )
