"""The shipped cards carry the three-seed evidence (issue 23: every XY-vs-XYCD claim carries seeds and an interval):
``benchmarks/reference/card_data.py`` copies a checkpoint's rows of the RESULTS "Issue 23: three training seeds"
section into a card section "Three training seeds", verbatim; cards the section does not list, and every card when
the section is absent, are unchanged; a malformed section is refused before any card is written."""

import json
import re
import sys
from pathlib import Path

import pytest
from huggingface_hub import ModelCard

sys.path.insert(0, str(Path(__file__).parent))
from reference_scripts import import_reference, linked_copy, results_without, shipped_card  # noqa: E402

card_data = import_reference("card_data")

ROOT = Path(__file__).resolve().parents[2]
CHECKPOINTS = ROOT / "checkpoints"
HEADING = "Issue 23: three training seeds of every shipped recipe (measured 2026-12-06)"
MEAN_HEAD = [
    "| recipe (seed-0 checkpoint) | H36M test (every 10th frame) | CMU | HumanEva-I | HumanEva-I, real GT 2D |",
    "|---|---|---|---|---|",
]
MEAN = {
    "poseformer-xy": "| poseformer-xy | 67.9 ± 0.3 / 50.4 ± 0.2 | 110.8 ± 1.2 / 77.2 ± 0.5 | 121.7 ± 2.1 / 89.3 ± 0.9 | "
    "130.2 ± 3.3 / 96.1 ± 1.0 |",
    "poseformer-xycd": "| poseformer-xycd | 62.7 ± 0.4 / 47.2 ± 0.1 | 103.6 ± 0.8 / 72.1 ± 0.4 | 107.9 ± 1.5 / 80.3 ± 0.6 | "
    "122.8 ± 2.0 / 93.4 ± 0.7 |",
    # odd spacing and a trailing space: copied as it is, never reformatted
    "poseformer-casp": "|  poseformer-casp |  61.95 ± 0.50 / 46.8 ± 0.3 | 101.0 ± 1.0 / 71.0 ± 0.2 | 105.1 ± 1.9 / 79.0 ± 0.8 "
    "| 120.0 ± 2.2 / 92.0 ± 0.9 | ",
}
PAIRED_HEAD = [
    "| B vs A | H36M MPJPE | H36M PA | CMU MPJPE | CMU PA | HumanEva-I MPJPE | HumanEva-I PA |",
    "|---|---|---|---|---|---|---|",
]
PAIRED = {
    ("poseformer-xycd", "poseformer-xy"): "| poseformer-xycd vs poseformer-xy | -5.2 mm (-7.6 %) [-6.0, -4.4] | -3.2 mm [-3.6, -2.8] "
    "| -7.2 mm (-6.5 %) [-9.9, -4.6] | -5.1 mm [-6.0, -4.1] | -13.8 mm (-11.3 %) [-16.6, -10.9] | -9.0 mm [-10.4, -7.6] |",
}  # fmt: skip
LATER = """
## A later section (not part of the seeds section)

### Mean ± std over three seeds, another experiment

| recipe (seed-0 checkpoint) | H36M test (every 10th frame) | CMU | HumanEva-I | HumanEva-I, real GT 2D |
|---|---|---|---|---|
| tcn-27f-xy-h36m-anyview | 1.0 ± 0.1 / 1.0 ± 0.1 | 1.0 ± 0.1 / 1.0 ± 0.1 | 1.0 ± 0.1 / 1.0 ± 0.1 | 1.0 ± 0.1 / 1.0 ± 0.1 |
"""


def seeds_md(mean=None, paired=None, mean_head=None, paired_head=None) -> str:
    """The section in the layout RESULTS.md will have (free text, then the two tables)."""
    mean = MEAN if mean is None else mean
    paired = PAIRED if paired is None else paired
    return "\n".join([
        "", f"## {HEADING}", "",
        "Seeds 1 and 2 of every shipped recipe, same recipe, data and budget as the shipped seed 0.", "",
        "### Mean ± std over three seeds (MPJPE / PA-MPJPE mm), simulated detector 2D", "",
        *(mean_head or MEAN_HEAD), *mean.values(), "",
        "Free text between the tables.", "",
        "### Depth lifter vs its XY twin, three seeds each, paired bootstrap 95 % interval over test takes (B - A)", "",
        *(paired_head or PAIRED_HEAD), *paired.values(), "",
    ])  # fmt: skip


def base_md() -> str:
    """The repository's RESULTS.md without a seeds section (if the lead has written one)."""
    return results_without(card_data.SEEDS_SECTION)


def results_md(section: str | None = None) -> str:
    return base_md() + (seeds_md() if section is None else section) + LATER


def _copy(name: str, dest: Path) -> Path:
    """A copy of a shipped folder (weights linked, not copied) as a folder the seeds section measured: without the
    record of a re-ship on MoveNet-fitted 2D (issue 24.5; since then every recipe the repository's section lists is
    re-shipped, and a re-shipped card keeps its own three-seed tables, see
    :func:`test_reshipped_and_mixture_cards_take_no_seeds_section_even_when_listed`)."""
    return linked_copy(name, dest, drop=(card_data.FITTED_KEY, card_data.DETECTOR_KEY))


def _with_seeds(base: str, section: str) -> str:
    """``base`` with the seeds section where the card puts it: after Evaluation, before the measured section."""
    measured = "\n\n## How this checkpoint was made"
    assert base.count(measured) == 1
    return base.replace(measured, "\n\n" + section + measured[2:])


def test_seed_tables_reads_the_section_verbatim():
    tables = card_data.seed_tables(results_md())
    assert tables.heading == HEADING
    assert list(tables.mean_head) == MEAN_HEAD and list(tables.paired_head) == PAIRED_HEAD
    assert tables.mean == MEAN  # the later section's tcn-27f-xy-h36m-anyview row is not part of it
    assert [(b, a) for b, a, _ in tables.paired] == list(PAIRED)
    assert [line for *_, line in tables.paired] == list(PAIRED.values())
    assert card_data.seed_tables(base_md()) is None


@pytest.mark.parametrize(
    ("name", "pairs"),
    [
        ("poseformer-xycd", [("poseformer-xycd", "poseformer-xy")]),
        ("poseformer-xy", [("poseformer-xycd", "poseformer-xy")]),
    ],
)
def test_listed_card_gets_its_rows(name, pairs, tmp_path):
    folder = _copy(name, tmp_path)
    base = card_data.rewrite(folder, base_md())
    new = card_data.rewrite(folder, results_md())
    section = new[new.index(card_data.CARD_SEEDS) : new.index("\n## How this checkpoint was made") + 1]
    assert new == _with_seeds(base, section)  # inserted after Evaluation; everything else byte for byte
    assert new.index("\n## Evaluation\n") < new.index("\n" + card_data.CARD_SEEDS)
    lines = section.splitlines()
    i, j = lines.index(MEAN_HEAD[0]), lines.index(PAIRED_HEAD[0])
    assert lines[i : i + 4] == [*MEAN_HEAD, MEAN[name], ""]  # header and the card's row, verbatim
    assert lines[j:] == [*PAIRED_HEAD, *(PAIRED[p] for p in pairs), ""]  # the comparisons naming it, verbatim
    assert f"`benchmarks/RESULTS.md`, '{HEADING}'" in section
    assert "0 (these weights), 1 and 2" in section and "contains 0" in section and "simulated" in section
    for other, line in MEAN.items():
        assert (line in section) == (other == name)  # "poseformer-xy" does not pick up the poseformer-xycd row
    for pair, line in PAIRED.items():
        assert (line in section) == (pair in pairs)
    assert ModelCard(new).data.to_dict() == ModelCard(base).data.to_dict()  # the model-index is unchanged


def test_listed_card_without_comparison_says_so(tmp_path):
    folder = _copy("poseformer-casp", tmp_path)
    new = card_data.rewrite(folder, results_md())
    section = new[new.index("\n" + card_data.CARD_SEEDS) : new.index("\n## How this checkpoint was made")]
    assert MEAN["poseformer-casp"] in section
    assert "No comparison of that section names this recipe" in section and PAIRED_HEAD[0] not in section


def test_unlisted_cards_and_absent_section_change_nothing():
    listed = set(MEAN)
    for readme in sorted(CHECKPOINTS.glob("*/README.md")):
        folder = readme.parent
        base = card_data.rewrite(folder, base_md())
        if card_data.CARD_SEEDS not in readme.read_text(encoding="utf-8"):
            assert base == readme.read_text(encoding="utf-8"), folder.name  # no section in RESULTS: nothing changes
        if folder.name not in listed:  # e.g. tcn-27f-xy-h36m-anyview (listed only in the later section)
            assert card_data.rewrite(folder, results_md()) == base, folder.name


@pytest.mark.parametrize("name", ["tcn-27f-xy", "tcn-27f-xycd", "poseformer-xy", "poseformer-xycd", "poseformer-casp"])
def test_reshipped_and_mixture_cards_take_no_seeds_section_even_when_listed(name):
    """The TCN triple is trained on the H36M + Bandai mixture since issue 26, and both triples were re-shipped on
    MoveNet-fitted 2D in issue 24.5: a seeds section listing those names measured earlier weights, so these cards
    keep their own three-seed tables and take none of it."""
    mean = {**MEAN, **{n: MEAN["poseformer-xy"].replace("poseformer-xy", n) for n in ("tcn-27f-xy", "tcn-27f-xycd")}}
    paired = {**PAIRED, ("tcn-27f-xycd", "tcn-27f-xy"): PAIRED[("poseformer-xycd", "poseformer-xy")].replace(
        "poseformer-", "tcn-27f-")}  # fmt: skip
    md = base_md() + seeds_md(mean=mean, paired=paired) + LATER
    folder = shipped_card(name)
    saved = json.loads((folder / "eval_results.json").read_text(encoding="utf-8"))
    if not (saved.get(card_data.SOURCES_KEY) or saved.get(card_data.FITTED_KEY)):
        pytest.skip(f"checkpoints/{name} is neither a mixture lifter nor re-shipped")
    new = card_data.rewrite(folder, md)
    assert new == card_data.rewrite(folder, base_md()) and mean[name] not in new


def test_rewrite_is_idempotent(tmp_path):
    folder = _copy("poseformer-xycd", tmp_path)
    md = results_md()
    new = card_data.rewrite(folder, md)
    (folder / "README.md").write_text(new, encoding="utf-8")
    assert card_data.rewrite(folder, md) == new  # the section is rebuilt, not duplicated
    fresh = _copy("poseformer-xycd", tmp_path / "fresh")
    assert card_data.rewrite(folder, base_md()) == card_data.rewrite(fresh, base_md())


MALFORMED = {
    "no comparison table": (
        lambda s: s[: s.index(PAIRED_HEAD[0])],
        r"no table under '### Depth lifter vs its XY twin",
    ),
    "no mean subsection": (
        lambda s: s.replace("### Mean ± std over three seeds", "### Means"),
        r"no subsection '### Mean ± std over three seeds",
    ),
    "wrong header": (lambda s: s.replace("| CMU | HumanEva-I |", "| CMU (mm) | HumanEva-I |"), r"has the header"),
    "row with a missing cell": (
        lambda s: s.replace(" | 130.2 ± 3.3 / 96.1 ± 1.0 |", " |"),
        r"has 4 cells, 0 of them empty; the header has 5",
    ),
    "unknown recipe": (lambda s: s.replace("| poseformer-xy |", "| poseformer-xyz |"), r"not a shipped recipe"),
    "comparison of a recipe without seeds": (
        lambda s: s.replace("| poseformer-xycd vs poseformer-xy |", "| tcn-27f-xycd vs tcn-27f-xy |"),
        r"'tcn-27f-xycd vs tcn-27f-xy' is not 'B vs A' of two recipes",
    ),
    "section twice": (lambda s: s + s, r"appears 2 times"),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_section_is_refused(case):
    mutate, message = MALFORMED[case]
    section = mutate(seeds_md())
    with pytest.raises(ValueError, match=rf"^benchmarks/RESULTS\.md, '{re.escape(HEADING)}': .*{message}"):
        card_data.seed_tables(results_md(section))
    with pytest.raises(ValueError, match="benchmarks/RESULTS.md"):  # every card refuses it, listed or not
        card_data.rewrite(shipped_card("tcn-27f-xy-h36m-anyview"), results_md(section))


def test_main_writes_the_cards(tmp_path):
    folders = [_copy(name, tmp_path) for name in ("poseformer-xycd", "tcn-27f-xy-h36m-anyview")]
    before = [(f / "README.md").read_text(encoding="utf-8") for f in folders]
    md = tmp_path / "RESULTS.md"
    md.write_text(results_md(), encoding="utf-8")
    assert card_data.main([*map(str, folders), "--results", str(md)]) == 0
    after = [(f / "README.md").read_text(encoding="utf-8") for f in folders]
    assert after[0] == card_data.rewrite(folders[0], md.read_text(encoding="utf-8")) != before[0]
    assert MEAN["poseformer-xycd"] in after[0]
    assert after[1] == before[1]  # not listed: byte-identical
    assert card_data.main([*map(str, folders), "--results", str(md), "--check"]) == 0


def test_main_refuses_a_malformed_section_and_writes_nothing(tmp_path, capsys):
    """Every card is rebuilt before any is written: a bad input leaves all of them as they were (before this change
    the folders before the failing one were already rewritten, and the error was a traceback)."""
    good = _copy("poseformer-xycd", tmp_path)
    before = (good / "README.md").read_text(encoding="utf-8")
    md = tmp_path / "RESULTS.md"
    # a listed card first, then a folder whose card has lost its measured section: nothing is written
    broken = _copy("poseformer-xy", tmp_path)
    text = (broken / "README.md").read_text(encoding="utf-8")
    (broken / "README.md").write_text(text.replace("## How this checkpoint was made", "## How"), encoding="utf-8")
    md.write_text(results_md(), encoding="utf-8")
    assert card_data.main([str(good), str(broken), "--results", str(md)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "poseformer-xy/README.md: no '## How this checkpoint was made' section" in err[0]
    assert (good / "README.md").read_text(encoding="utf-8") == before
    # a malformed seeds section: one line naming RESULTS.md and the heading, no card written
    md.write_text(results_md(MALFORMED["wrong header"][0](seeds_md())), encoding="utf-8")
    assert card_data.main([str(good), "--results", str(md)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"card_data.py: error: benchmarks/RESULTS.md, '{HEADING}': ")
    assert (good / "README.md").read_text(encoding="utf-8") == before
