"""The shipped cards say when their training 2D was kinder than a real detector's (issue 24.5: cards name their data
honestly): ``benchmarks/reference/card_data.py`` copies a checkpoint's row of the RESULTS "Issue 24: the detector
fitted to MoveNet" table into a card section "On 2D as bad as a real detector's", verbatim, for a folder trained on
the ``optimistic`` detector preset (recorded, or no record); a folder recording ``movenet-fitted`` never gets it; cards
the table does not list, and every card when the section is absent, get none; a malformed section is refused before
any card is written."""

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
HEADING = "Issue 24: the detector fitted to MoveNet (measured 2026-12-06; real MoveNet output, simulated detector)"
HEAD = [
    "| checkpoint | H36M, default 2D | H36M, MoveNet-fitted 2D | CMU, default | CMU, fitted | HumanEva-I, default | "
    "HumanEva-I, fitted |",
    "|---|---|---|---|---|---|---|",
]
ROWS = {
    "tcn-27f-xy": "| tcn-27f-xy | 61.0 / 41.0 | **101.0 / 61.0** | 91.0 / 71.0 | **151.0 / 91.0** | 81.0 / 61.0 | "
    "**111.0 / 81.0** |",
    # odd spacing and a trailing space: copied as it is, never reformatted
    "poseformer-xycd": "|  poseformer-xycd | 62.0 / 42.0 |  96.0 / 66.0 | 102.0 / 72.0 | 143.0 / 90.0 | 96.0 / 75.0 "
    "| 118.0 / 91.0 | ",
    "poseformer-xy": "| poseformer-xy | 71.0 / 51.0 | 101.5 / 68.5 | 116.0 / 79.0 | 162.0 / 100.0 | 107.0 / 81.0 | "
    "127.0 / 95.0 |",
}  # fmt: skip
#: Tables of the same section that are not the checkpoint table (another first cell): never read as it.
TAILS = [
    "| keypoints off by more than | 1 unit | 2 units | 4 units | median error |",
    "|---|---|---|---|---|",
    "| real MoveNet (100 keypoints) | 0.18 | 0.09 | 0.04 | 0.34 |",
]
RETRAINED = [
    "| | H36M, fitted 2D | CMU, fitted 2D | HumanEva-I, fitted 2D | H36M, default 2D | CMU, default 2D | "
    "HumanEva-I, default 2D |",
    "|---|---|---|---|---|---|---|",
    "| tcn-27f-xy, retrained (`-fit`) | 88.2 | 107.9 | 104.8 | 82.7 | 96.2 | 99.7 |",
]
LATER = """
## A later section (not part of the fitted-detector section)

| checkpoint | H36M, default 2D | H36M, MoveNet-fitted 2D | CMU, default | CMU, fitted | HumanEva-I, default | HumanEva-I, fitted |
|---|---|---|---|---|---|---|
| tcn-27f-xy-h36m-anyview | 1.0 / 1.0 | 1.0 / 1.0 | 1.0 / 1.0 | 1.0 / 1.0 | 1.0 / 1.0 | 1.0 / 1.0 |
"""


def fitted_md(rows=None, head=None) -> str:
    """The section in the layout of RESULTS.md (free text, the tails table, the checkpoint table, the retrained
    one)."""
    rows = ROWS if rows is None else rows
    return "\n".join([
        "", f"## {HEADING}", "", "The `movenet-measured` preset carries MoveNet's landmark offsets.", "",
        *TAILS, "", "**What the fitted detector does to the shipped checkpoints** (one seed each).", "",
        *(head or HEAD), *rows.values(), "",
        "- **The default simulation was much kinder than a MoveNet-like detector**: +42 to +61 %.", "",
        *RETRAINED, "",
    ])  # fmt: skip


def base_md() -> str:
    """The repository's RESULTS.md without the fitted-detector section."""
    return results_without(card_data.FITTED_SECTION)


def results_md(section: str | None = None) -> str:
    return base_md() + (fitted_md() if section is None else section) + LATER


def _h36m_default(line: str) -> list[float]:
    """MPJPE, PA-MPJPE of a row's "H36M, default 2D" cell."""
    return [float(x) for x in line.strip().strip("|").split("|")[1].replace("*", "").split("/")]


def _copy(name: str, dest: Path, preset: str | None = None, offset: float = 0.0) -> Path:
    """A copy of a shipped folder (weights linked, not copied) recording the detector ``preset`` (None: no record, as
    every folder shipped before the record existed); its own H36M detected-2D numbers at every 10th frame, when it
    records them, set to the :data:`ROWS` cell of its name plus ``offset`` mm (the row measured these weights, or,
    with an offset, others)."""
    out = linked_copy(name, dest)
    path = out / "eval_results.json"
    saved = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    saved.pop(card_data.DETECTOR_KEY, None)
    if preset is not None:
        saved[card_data.DETECTOR_KEY] = {"preset": preset}
    measured = ((saved.get("reference_eval") or {}).get("conditions") or {}).get("in-domain noisy-2D")
    if measured and measured.get("stride") == 10 and name in ROWS:  # the card reads its metrics from README.md
        measured["mpjpe"], measured["pa_mpjpe"] = (v + offset for v in _h36m_default(ROWS[name]))
    path.write_text(json.dumps(saved, indent=2), encoding="utf-8")
    return out


def _section(text: str) -> str:
    """The card's fitted-detector section, up to the next section (three seeds, or how it was made)."""
    start = text.index(card_data.CARD_FITTED)
    return text[start : text.index("\n## ", start)]


def test_training_detector_preset(tmp_path):
    assert card_data.training_detector_preset(tmp_path) == "optimistic"  # no eval_results.json: shipped before
    (tmp_path / "eval_results.json").write_text(json.dumps({"results": []}))
    assert card_data.training_detector_preset(tmp_path) == "optimistic"  # no record
    for preset in ("optimistic", "movenet-fitted"):
        (tmp_path / "eval_results.json").write_text(json.dumps({"results": [], "detector_preset": {"preset": preset}}))
        assert card_data.training_detector_preset(tmp_path) == preset
    for bad in ("movenet", None, 3):
        (tmp_path / "eval_results.json").write_text(json.dumps({"detector_preset": {"preset": bad}}))
        with pytest.raises(ValueError, match=r"eval_results\.json: 'detector_preset' is .*not a detector preset"):
            card_data.training_detector_preset(tmp_path)


def test_fitted_table_reads_the_section_verbatim():
    table = card_data.fitted_table(results_md())
    assert table.heading == HEADING
    assert list(table.head) == HEAD
    assert table.rows == ROWS  # not the tails / retrained tables, nor the later section's anyview row
    assert card_data.fitted_table(base_md()) is None


def test_repository_table_lists_the_six_shipped_recipes():
    table = card_data.fitted_table((ROOT / "benchmarks" / "RESULTS.md").read_text(encoding="utf-8"))
    if table is None:
        pytest.skip("RESULTS.md has no fitted-detector section")
    assert set(table.rows) == set(card_data.SEED_RECIPES)


@pytest.mark.parametrize("name", ["tcn-27f-xy", "poseformer-xycd", "poseformer-xy"])
def test_listed_optimistic_card_gets_its_row(name, tmp_path):
    folder = _copy(name, tmp_path)  # no record: trained on `optimistic`
    recorded = _copy(name, tmp_path / "recorded", preset="optimistic")
    base = card_data.rewrite(folder, base_md())
    new = card_data.rewrite(folder, results_md())
    section = _section(new)
    named = card_data.rewrite(recorded, results_md())  # an explicit record: the same section, the preset also named
    assert _section(named) == section and "2D from the `optimistic` detector preset" in named
    training = new.split("\n## Training data")[1].split("\n## ")[0]
    assert "detector preset" not in training  # none recorded: the training sentence names none
    after = "\n" + (card_data.CARD_SEEDS if card_data.CARD_SEEDS in base else "## How this checkpoint was made")
    assert base.count(after) == 1
    assert new == base.replace(after, "\n" + section + after)  # inserted after Evaluation; the rest byte for byte
    assert new.rfind("\n## ", 0, new.index("\n" + card_data.CARD_FITTED)) == new.index("\n## Evaluation\n")
    if card_data.CARD_SEEDS in new:  # right after Evaluation, before the three-seed section when the card has one
        assert new.index("\n" + card_data.CARD_FITTED) < new.index("\n" + card_data.CARD_SEEDS)
    lines = section.splitlines()
    i = lines.index(HEAD[0])
    assert lines[i:] == [*HEAD, ROWS[name]]  # header and the card's row, verbatim, and nothing after
    for other, line in ROWS.items():
        assert (line in section) == (other == name)  # "poseformer-xy" does not pick up the poseformer-xycd row
    flat = " ".join(section.split())
    assert f"`benchmarks/RESULTS.md`, '{HEADING}'" in flat
    for words in ("preset `optimistic`", "kinder than a real COCO detector (MoveNet)", "only the simulated detector "
                  "differs", "One training seed", "every 10th frame", "no real Depth Anything output"):  # fmt: skip
        assert words in flat, words
    assert ModelCard(new).data.to_dict() == ModelCard(base).data.to_dict()  # the model-index is unchanged


@pytest.mark.parametrize("name", ["tcn-27f-xy", "poseformer-xycd"])
def test_movenet_fitted_folder_takes_none_even_when_listed(name, tmp_path):
    """A re-shipped folder records ``movenet-fitted``: the row under its name measured the weights it replaced."""
    folder = _copy(name, tmp_path, preset="movenet-fitted")
    new = card_data.rewrite(folder, results_md())
    assert new == card_data.rewrite(folder, base_md())
    assert card_data.CARD_FITTED not in new and ROWS[name] not in new
    optimistic = card_data.rewrite(_copy(name, tmp_path / "optimistic"), results_md())
    assert ModelCard(new).data.to_dict() == ModelCard(optimistic).data.to_dict()


def test_row_measured_these_weights():
    line = ROWS["tcn-27f-xy"]  # H36M, default 2D: 61.0 / 41.0
    reference = {
        "conditions": {"in-domain noisy-2D": {"mpjpe": 60.96, "pa_mpjpe": 41.04, "table": "test", "stride": 10}}
    }
    assert card_data.row_measured_these_weights(line, reference)
    for key, value in (("mpjpe", 61.06), ("pa_mpjpe", 40.94)):  # another 0.1 mm: other weights
        other = {"conditions": {"in-domain noisy-2D": {**reference["conditions"]["in-domain noisy-2D"], key: value}}}
        assert not card_data.row_measured_these_weights(line, other), key
    bold = line.replace("| 61.0 / 41.0 |", "| **61.0 / 41.0** |")
    assert card_data.row_measured_these_weights(bold, reference)
    for unchecked in ({}, {"conditions": {"in-domain noisy-2D": {"mpjpe": 99.0, "pa_mpjpe": 99.0}}},  # 1,728 frames
                      {"conditions": {"in-domain noisy-2D": {"mpjpe": 99.0, "pa_mpjpe": 99.0, "table": "test",
                                                              "stride": 1}}}):  # fmt: skip
        assert card_data.row_measured_these_weights(line, unchecked)  # no numbers on that set: nothing to check


def test_listed_name_with_other_weights_takes_none(tmp_path):
    """Weights shipped under a listed name without a preset record (ship.py before it recorded one): their own H36M
    numbers on the same set differ from the row, which therefore measured the weights they replaced."""
    folder = _copy("tcn-27f-xy", tmp_path, offset=0.2)
    saved = json.loads((folder / "eval_results.json").read_text(encoding="utf-8"))
    if (saved["reference_eval"]["conditions"].get("in-domain noisy-2D") or {}).get("stride") != 10:
        pytest.skip("checkpoints/tcn-27f-xy records no H36M numbers at every 10th frame")
    new = card_data.rewrite(folder, results_md())
    assert new == card_data.rewrite(folder, base_md()) and card_data.CARD_FITTED not in new


def test_unlisted_cards_and_absent_section_change_nothing():
    for readme in sorted(CHECKPOINTS.glob("*/README.md")):
        folder = readme.parent
        base = card_data.rewrite(folder, base_md())
        assert card_data.CARD_FITTED not in base, folder.name  # no section in RESULTS: no card section
        if folder.name not in ROWS:  # e.g. tcn-27f-xy-h36m-anyview (listed only in the later section)
            assert card_data.rewrite(folder, results_md()) == base, folder.name


def test_rewrite_is_idempotent(tmp_path):
    folder = _copy("poseformer-xycd", tmp_path)
    md = results_md()
    new = card_data.rewrite(folder, md)
    (folder / "README.md").write_text(new, encoding="utf-8")
    assert card_data.rewrite(folder, md) == new  # the section is rebuilt, not duplicated
    assert new.count(card_data.CARD_FITTED) == 1


MALFORMED = {
    "no checkpoint table": (lambda s: s.replace(HEAD[0] + "\n" + HEAD[1] + "\n", ""), r"no table whose header"),
    "another header": (
        lambda s: s.replace("| CMU, default | CMU, fitted |", "| CMU, optimistic | CMU, fitted |"),
        r"has the header",
    ),
    "two checkpoint tables": (
        lambda s: s.replace(RETRAINED[0], RETRAINED[0].replace("| |", "| checkpoint |", 1)),
        r"more than one table whose header",
    ),
    "checkpoint listed twice": (lambda s: s.replace(ROWS["poseformer-xy"], ROWS["tcn-27f-xy"]), r"'tcn-27f-xy' twice"),
    "row with a missing cell": (
        lambda s: s.replace(" | 127.0 / 95.0 |", " |"),
        r"has 6 cells, 0 of them empty; the header has 7",
    ),
    "no separator": (lambda s: s.replace(HEAD[0] + "\n" + HEAD[1], HEAD[0]), r"no '\|---\|' separator"),
    "no rows": (lambda s: s.replace("\n".join(ROWS.values()), ""), r"has no rows"),
    "a cell that is not MPJPE / PA-MPJPE": (
        lambda s: s.replace("| 116.0 / 79.0 |", "| 116.0 |"),
        r"row 'poseformer-xy' .* has the cell '116.0', not 'MPJPE / PA-MPJPE'",
    ),
    "section twice": (lambda s: s + s, r"appears 2 times"),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_section_is_refused(case):
    mutate, message = MALFORMED[case]
    section = mutate(fitted_md())
    assert section != fitted_md()
    with pytest.raises(ValueError, match=rf"^benchmarks/RESULTS\.md, '{re.escape(HEADING)}': .*{message}"):
        card_data.fitted_table(results_md(section))
    with pytest.raises(ValueError, match="benchmarks/RESULTS.md"):  # every card refuses it, listed or not
        card_data.rewrite(shipped_card("tcn-27f-xy-h36m-anyview"), results_md(section))


def test_main_writes_the_cards_and_refuses_a_malformed_section(tmp_path, capsys):
    folders = [_copy("poseformer-xycd", tmp_path), _copy("tcn-27f-xy-h36m-anyview", tmp_path)]
    md = tmp_path / "RESULTS.md"
    md.write_text(results_md(), encoding="utf-8")
    unlisted = card_data.rewrite(folders[1], base_md())
    assert card_data.main([*map(str, folders), "--results", str(md)]) == 0
    after = [(f / "README.md").read_text(encoding="utf-8") for f in folders]
    assert ROWS["poseformer-xycd"] in after[0] and after[0] == card_data.rewrite(folders[0], results_md())
    assert after[1] == unlisted  # not listed: no section
    assert card_data.main([*map(str, folders), "--results", str(md), "--check"]) == 0
    capsys.readouterr()
    # a malformed section: one line naming RESULTS.md and the heading, no card written
    for folder in folders:
        (folder / "README.md").write_text(card_data.rewrite(folder, base_md()), encoding="utf-8")
    before = [(f / "README.md").read_text(encoding="utf-8") for f in folders]
    md.write_text(results_md(MALFORMED["another header"][0](fitted_md())), encoding="utf-8")
    assert card_data.main([*map(str, folders), "--results", str(md)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"card_data.py: error: benchmarks/RESULTS.md, '{HEADING}': ")
    assert [(f / "README.md").read_text(encoding="utf-8") for f in folders] == before
