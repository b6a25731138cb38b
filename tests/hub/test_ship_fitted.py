"""The re-ship on MoveNet-fitted 2D (issue 24): ``ship.py --fitted ROOT`` replaces a family's triple by its ``-fit``
recipes only when ``fitted_table.py`` says replace, puts its tables and reasons in the card, and every card shipped
since names the detector preset of its training 2D (read from the training tables' summaries, recorded for
``card_data.py``); folders shipped before the record keep their training sentence."""

import filecmp
import json
import shutil
import sys
from pathlib import Path

import pytest
from huggingface_hub import ModelCard

sys.path.insert(0, str(Path(__file__).parents[1] / "export"))
sys.path.insert(0, str(Path(__file__).parent))
from reference_scripts import import_reference  # noqa: E402
from test_fitted_table import fail_case, passing, write_evaluations  # noqa: E402
from test_ship_mixture import BANDAI_SURFACE, make_mixture_run  # noqa: E402
from test_ship_surface import make_run  # noqa: E402

card_data = import_reference("card_data")
ship = import_reference("ship")

ROOT = Path(__file__).resolve().parents[2]
FITTED = (  # build_data.py's detector text of a table built with the movenet-fitted preset
    "detector-definition 2D (auglift_hf.simulation.simulate_coco_detector, seed 100): detector preset 'movenet-fitted': "
    "COCO-17 landmarks {}"
)
SENTENCE = (
    "**simulated** detector-definition (COCO-17 -> H36M) 2D from the `movenet-fitted` detector preset (the simulator "
    "fitted to real MoveNet's error tails, persistent misses and scores)"
)


def fitted_root(root: Path, family: str, clause: str | None = None) -> Path:
    """``root`` holding the evaluate_i24_fitted.sh folders of test_fitted_table.py: passing, or one ``clause`` failing."""
    return write_evaluations(root, family, *(passing(family) if clause is None else fail_case(family, clause)))


def reship(tmp_path: Path, channels: int) -> Path:
    """A tiny PoseFormer ``-fit`` seed-0 run on a movenet-fitted surface-v2 table shipped over a copy of the shipped
    ``poseformer-xy`` / ``poseformer-xycd``, with the family's decision (replace)."""
    v = "xycd" if channels == 4 else "xy"
    run, eval_json = make_run(tmp_path, channels, "poseformer", f"poseformer-9f-{v}-fit-seed0", FITTED)
    dest = tmp_path / "checkpoints" / f"poseformer-{v}"
    shutil.copytree(ROOT / "checkpoints" / dest.name, dest)  # the folder it replaces
    return ship.ship(run, eval_json, dest, replace=True, fitted=fitted_root(tmp_path / "i24f", "poseformer"))


def _card_text(folder: Path) -> str:
    return " ".join(ModelCard.load(folder / "README.md").text.split())


def _rebuilt_without_tables(folder: Path, tmp_path: Path) -> None:
    """card_data.py rebuilds the card from the folder's records (the tables gone), and it passes the checks every
    shipped card is held to."""
    for summary in tmp_path.glob("*_summary.json"):
        summary.unlink()
    results_md = (ROOT / "benchmarks" / "RESULTS.md").read_text(encoding="utf-8")
    assert card_data.rewrite(folder, results_md) == (folder / "README.md").read_text(encoding="utf-8")
    assert not [r for r in ModelCard.load(folder / "README.md").data.eval_results if "whole" in r.dataset_config]
    from test_shipped_cards import test_shipped_card_names_its_data

    test_shipped_card_names_its_data(folder / "README.md")


def test_detector_preset_is_read_from_the_description():
    assert ship.detector_preset(FITTED, "t") == "movenet-fitted"
    assert ship.detector_preset(FITTED.replace(" detector preset 'movenet-fitted':", ""), "t") == "optimistic"
    with pytest.raises(ValueError, match="my_table: .*detector preset 'mediapipe'.*cannot describe"):
        ship.detector_preset(FITTED.replace("movenet-fitted", "mediapipe"), "my_table")


def test_training_sentence_names_the_preset_only_when_recorded():
    sources = [{"name": "Human3.6M", "weight": 0.7, "license": "research-only", "dataset": "h36m"},
               {"name": "Bandai", "weight": 0.3, "license": "cc-by-nc-4.0", "dataset": "bandai"}]  # fmt: skip
    old = "**simulated** detector-definition (COCO-17 -> H36M) 2D with temporally correlated noise and confidences"
    for src in (None, sources):  # H36M alone, mixture
        assert SENTENCE in ship.training_data_text(False, True, False, sources=src, preset="movenet-fitted")
        assert old in ship.training_data_text(False, True, False, sources=src)  # a folder shipped before the record
    optimistic = ship.training_data_text(False, True, False, preset="optimistic")
    assert (
        "2D from the `optimistic` detector preset (the package's default until 2026-12-06: lighter error" in optimistic
    )


def test_a_run_on_a_table_without_a_named_preset_is_called_optimistic(tmp_path):
    """Tables built before presets were named were built with what is now ``optimistic``: the card says so."""
    folder = ship.ship(*make_run(tmp_path), tmp_path / "checkpoints" / "tcn-27f-xycd")
    saved = json.loads((folder / "eval_results.json").read_text())
    assert saved[ship.DETECTOR_KEY]["preset"] == "optimistic" and ship.FITTED_KEY not in saved
    text = _card_text(folder)
    assert "**simulated** detector-definition (COCO-17 -> H36M) 2D from the `optimistic` detector preset" in text
    assert "(`auglift_hf.simulation.simulate_coco_detector` with the `optimistic` detector preset" in text  # data


def test_poseformer_xy_reship_card(tmp_path):
    folder = reship(tmp_path, channels=2)
    saved = json.loads((folder / "eval_results.json").read_text())
    assert saved[ship.DETECTOR_KEY] == {"preset": "movenet-fitted",
                                        "source": f"{tmp_path / 'train_surface_full'}_summary.json"}  # fmt: skip
    assert (
        saved[ship.FITTED_KEY]["family"] == "poseformer" and saved[ship.FITTED_KEY]["recipe"] == "poseformer-9f-xy-fit"
    )
    assert ship.DEPTH_RECORD_KEY not in saved  # an XY lifter: the table's depth is not read
    card = ModelCard.load(folder / "README.md")
    text = _card_text(folder)
    assert SENTENCE in " ".join(card.text.split("## How this checkpoint was made")[0].split())  # training data
    assert "(`auglift_hf.simulation.simulate_coco_detector` with the `movenet-fitted` detector preset" in text
    assert "No depth is read (XY lifter)." in text and "Depth descriptors" not in text
    assert "These weights **replace** the `poseformer-xy` trained on 2D from the `optimistic` preset" in text
    assert "triple `poseformer-xy` / `poseformer-xycd` / `poseformer-casp` is replaced together" in text
    assert "**no real Depth Anything output has been seen** in training or evaluation" in text
    seeds = card.text[card.text.index("**Three training seeds**") : card.text.index("## Licence")]
    assert "`python benchmarks/reference/fitted_table.py ROOT poseformer`" in " ".join(seeds.split())
    assert "| poseformer-9f-xy-fit vs poseformer-xy | MPJPE | PA-MPJPE |" in seeds
    assert "| poseformer-9f-casp-fit vs poseformer-9f-xy-fit | MPJPE | PA-MPJPE |" in seeds
    assert (
        "- (1) poseformer-9f-xy-fit vs poseformer-xy: H36M S9/S11 (movenet-fitted 2D) three-seed mean MPJPE 95.0"
        in seeds
    )
    assert seeds.count(": holds") == 5 and "human3.6m/eula" in text
    _rebuilt_without_tables(folder, tmp_path)


def test_poseformer_xycd_reship_card(tmp_path):
    folder = reship(tmp_path, channels=4)
    saved = json.loads((folder / "eval_results.json").read_text())
    assert saved[ship.DEPTH_RECORD_KEY]["simulation"] == "surface-v2"
    card = ModelCard.load(folder / "README.md")
    training = " ".join(card.text.split("## How this checkpoint was made")[0].split())
    assert SENTENCE + ", monocular depth descriptors with depth dropout, **simulated: surface-v2" in training
    assert "These weights **replace** the `poseformer-xycd` trained on 2D from the `optimistic` preset" in _card_text(
        folder
    )
    assert "| poseformer-9f-xycd-fit vs poseformer-xycd | MPJPE | PA-MPJPE |" in card.text
    _rebuilt_without_tables(folder, tmp_path)


@pytest.mark.parametrize("v", ["xy", "xycd"])
def test_tcn_mixture_reship_card(tmp_path, v):
    channels, bandai = (4, BANDAI_SURFACE) if v == "xycd" else (2, "none")
    run, eval_json = make_mixture_run(tmp_path, channels, bandai, f"tcn-27f-{v}-fit-seed0", FITTED)
    dest = tmp_path / "checkpoints" / f"tcn-27f-{v}"
    shutil.copytree(ROOT / "checkpoints" / dest.name, dest)
    folder = ship.ship(run, eval_json, dest, replace=True, fitted=fitted_root(tmp_path / "i24f", "tcn"))
    card = ModelCard.load(folder / "README.md")
    training = " ".join(card.text.split("## How this checkpoint was made")[0].split())
    assert "all rendered into real H36M cameras, " + SENTENCE + (
        ", monocular depth" if channels == 4 else "; one"
    ) in (training)
    text = _card_text(folder)
    assert "2D** from the same simulated detector (`auglift_hf.simulation.simulate_coco_detector` with the " in text
    assert f"The `tcn-27f-{v}-fit` recipe trained on the H36M + Bandai Namco mixture" in text
    assert (
        "**Data** (issue 24, the re-ship on MoveNet-fitted 2D: a training mixture, `benchmarks/reference/train_i24_"
        in text
    )
    assert "the baseline of the three-seed comparison below" not in text  # the baseline is the recipe shipped before
    assert f"| tcn-27f-{v}-fit vs tcn-27f-{v} | MPJPE | PA-MPJPE |" in card.text
    assert "_mixture_table.py" not in card.text and "mixture_table.py" not in card.text  # issue 26's sections
    _rebuilt_without_tables(folder, tmp_path)


@pytest.mark.parametrize(
    ("case", "error", "match"),
    [
        ("keep", ValueError, "says to keep the shipped poseformer triple .*fails \\(CMU, 2x severity \\+3.1 %\\)"),
        ("wrong-recipe", ValueError, "poseformer-xy: replaced by the recipe poseformer-9f-xy-fit only"),
        ("not-in-family", ValueError, "poseformer-xy-h36m: not a folder the re-ship on MoveNet-fitted 2D replaces"),
        ("no-evaluation", FileNotFoundError, "eval_fit_poseformer_2x/evaluation.json: no evaluation.json"),
    ],
)
def test_ship_refuses_a_fitted_reship_that_cannot_be_right(tmp_path, case, error, match):
    run_name = "poseformer-9f-xycd-fit-seed0" if case == "wrong-recipe" else "poseformer-9f-xy-fit-seed0"
    run, eval_json = make_run(tmp_path, 2, "poseformer", run_name, FITTED)
    root = fitted_root(tmp_path / "i24f", "poseformer", "2x" if case == "keep" else None)
    if case == "no-evaluation":
        (root / "eval_fit_poseformer_2x" / "evaluation.json").unlink()
    dest = tmp_path / "checkpoints" / ("poseformer-xy-h36m" if case == "not-in-family" else "poseformer-xy")
    shutil.copytree(ROOT / "checkpoints" / "poseformer-xy", dest)
    with pytest.raises(error, match=match):
        ship.ship(run, eval_json, dest, replace=True, fitted=root)
    assert sorted(p.name for p in dest.parent.iterdir()) == [dest.name]  # no partial output, nothing replaced
    assert filecmp.cmp(dest / "README.md", ROOT / "checkpoints" / "poseformer-xy" / "README.md", shallow=False)


def test_ship_cli_checks_every_family_before_writing_any(tmp_path, capsys):
    run, _ = make_run(tmp_path, 2, "poseformer", "poseformer-9f-xy-fit-seed0", FITTED)
    dest = tmp_path / "checkpoints"
    shutil.copytree(ROOT / "checkpoints" / "poseformer-xy", dest / "poseformer-xy")
    keep = fitted_root(tmp_path / "keep", "poseformer", "casp-interval")
    argv = ["--runs", str(run.parent), "--eval", str(tmp_path / "eval"), "--dest", str(dest), "--replace",
            "poseformer-9f-xy-fit-seed0:poseformer-xy"]  # fmt: skip
    capsys.readouterr()  # the fixture's own output
    for root, says in ((keep, "says to keep the shipped poseformer triple"),
                       (tmp_path / "none", "eval_fit_poseformer_h36m/evaluation.json: no evaluation.json")):  # fmt: skip
        with pytest.raises(SystemExit) as exit_info:
            ship.main([*argv, "--fitted", str(root)])
        err = capsys.readouterr().err
        assert exit_info.value.code == 2 and err.count("\n") == 1 and says in err and "(nothing shipped)" in err
        assert filecmp.cmp(dest / "poseformer-xy" / "README.md", ROOT / "checkpoints" / "poseformer-xy" / "README.md")
    passing_root = fitted_root(tmp_path / "i24f", "poseformer")
    # a TCN pair in the same call: its family's evaluations are missing, so the PoseFormer pair is not shipped either
    shutil.copytree(run, run.parent / "tcn-27f-xy-fit-seed0")
    shutil.copy(tmp_path / "eval" / "poseformer-9f-xy-fit-seed0.json", tmp_path / "eval" / "tcn-27f-xy-fit-seed0.json")
    with pytest.raises(SystemExit) as exit_info:
        ship.main([*argv, "tcn-27f-xy-fit-seed0:tcn-27f-xy", "--fitted", str(passing_root)])
    assert exit_info.value.code == 2 and "eval_fit_tcn_h36m/evaluation.json: no evaluation.json" in (
        capsys.readouterr().err
    )
    assert sorted(p.name for p in dest.iterdir()) == ["poseformer-xy"]
    assert filecmp.cmp(dest / "poseformer-xy" / "README.md", ROOT / "checkpoints" / "poseformer-xy" / "README.md")
    assert ship.main([*argv, "--fitted", str(passing_root)]) == 0
    saved = json.loads((dest / "poseformer-xy" / "eval_results.json").read_text())
    assert saved[ship.FITTED_KEY]["evaluations"] == str(passing_root)


def test_model_index_names_the_preset_of_the_scored_table(tmp_path):
    """The model-index 2D text of a detector row names the preset of the table it was scored on, read from the
    table's summary at ship time and recorded with the table (so card_data.py can rebuild it); GT-2D rows and records
    without a preset are unchanged."""
    table = tmp_path / "sev_3" / "test"
    table.mkdir(parents=True)
    (tmp_path / "sev_3" / "test_summary.json").write_text(json.dumps(
        {"detector": "detector-definition 2D (seed 101): detector preset 'movenet-fitted': COCO-17 landmarks ..."}
    ))  # fmt: skip
    res = {"tables": {"test": {"path": str(table)}, "test_cmu": {"path": str(tmp_path / "none" / "test_cmu")}},
           "conditions": {"in-domain noisy-2D": {"table": "test"}, "CMU noisy-2D": {"table": "test_cmu"}}}  # fmt: skip
    ship.record_table_presets(res, "eval.json")
    assert res["tables"]["test"]["detector_preset"] == "movenet-fitted"
    assert "detector_preset" not in res["tables"]["test_cmu"]  # no summary beside it: not guessed
    assert ship.recorded_detector_preset(res, "in-domain noisy-2D") == "movenet-fitted"
    assert ship.recorded_detector_preset(res, "CMU noisy-2D") is None
    metrics = {"mpjpe": 80.0, "pa_mpjpe": 55.0}
    named = ship.condition_row("in-domain noisy-2D", metrics, False, 10, detector_preset="movenet-fitted")
    plain = ship.condition_row("in-domain noisy-2D", metrics, False, 10)
    assert named["data"]["keypoints_2d"] == plain["data"]["keypoints_2d"] + (
        "; detector preset `movenet-fitted` (" + ship.DETECTOR_PRESETS["movenet-fitted"] + ")"
    )
    gt = ship.condition_row("in-domain GT-2D", metrics, False, 10, detector_preset="movenet-fitted")
    assert "preset" not in gt["data"]["keypoints_2d"]  # exact joint projections: no detector
    (tmp_path / "sev_3" / "test_summary.json").write_text(json.dumps({"detector": "detector preset 'nope': ..."}))
    with pytest.raises(ValueError, match="eval.json: table test .*'nope'"):
        ship.record_table_presets(res, "eval.json")
