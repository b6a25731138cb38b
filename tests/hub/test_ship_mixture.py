"""Shipping an XY lifter trained on a mixture of sources (issue 26: H36M + Bandai Namco): ``ship.py`` reads every
training table (its ``dataset`` column, its card's licence, its summary), records the sources in the folder, and the
card lists each source with its licence and weight, says CC BY-NC 4.0 on top of H36M's research-only terms and is what
``card_data.py`` rebuilds from that record, without the tables."""

import filecmp
import json
import shutil
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from huggingface_hub import ModelCard

sys.path.insert(0, str(Path(__file__).parents[1] / "export"))
sys.path.insert(0, str(Path(__file__).parent))
from auglift_tiny_lifters import make_lifter_folder  # noqa: E402
from reference_scripts import import_reference  # noqa: E402

card_data = import_reference("card_data")
ship = import_reference("ship")

ROOT = Path(__file__).resolve().parents[2]
DETECTOR = "detector-definition 2D (auglift_hf.simulation.simulate_coco_detector, seed 100): COCO-17 landmarks {}"
SURFACE = (
    "synthetic metric depth (casp, 16 sunflower samples, package encoding, surface-v2 surface body in a room/outdoor "
    "scene, seed 200); monocular depth error model: {'severity': [2.0, 4.0], 'preset': 'surface-v2'}"
)
HOW_BUILT = "3 BVH clips (joint map(s) ['bandai'], file rate(s) [30.0] fps) resampled to 25 fps"
SEEDS = "| model (3 seeds) | CMU |\n|---|---|\n| tcn-27f-xy-mix | 96.8 ± 0.7 / 69.3 ± 0.4 |"


def _table(root: Path, name: str, dataset: str, rows: int, summary: dict, detector: str = DETECTOR) -> Path:
    """A training table as ship.py reads it: gt2d/train parquet (its ``dataset`` column), card, summary."""
    from auglift_hf.data.bvh.table import KNOWN_SOURCES
    from auglift_hf.data.card import write_dataset_card
    from auglift_hf.data.schema import frame_features

    table = root / name
    (table / "gt2d").mkdir(parents=True)
    pq.write_table(pa.table({"dataset": [dataset] * 5}), table / "gt2d" / "train-00000-of-00001.parquet")
    info = {}
    if dataset == "bandai":
        info = {"licence": {k: KNOWN_SOURCES["bandai"][k] for k in ("license", "note")}, "bvh": HOW_BUILT}
    write_dataset_card(table, dataset_name=dataset, counts={"gt2d": {"train": rows}}, features=frame_features(),
                       info=info)  # fmt: skip
    summary = {"counts": {"gt2d": {"train": rows}}, "detector": detector, "train_max_frames": 0, **summary}
    (root / f"{name}_summary.json").write_text(json.dumps(summary))
    return table


def make_mixture_run(tmp_path, channels=2, bandai_depth="none", run="tcn-27f-xy-mix-seed0", detector=DETECTOR):
    """A tiny run on H36M (weight 0.7, a surface-v2 depth table) + Bandai Namco (0.3, depth ``bandai_depth``: none
    for the XY table), both with 2D described by ``detector``, and its evaluate.py json (H36M test at severity 3; a
    depth lifter also without depth)."""
    h36m = _table(tmp_path, "train_h36m", "h36m", 1000, {"depth": SURFACE}, detector)
    bandai = _table(tmp_path, "train_bvh", "bandai", 3000, {"depth": bandai_depth, "clips": 3, "source_frames": 900},
                    detector)  # fmt: skip
    final = make_lifter_folder(tmp_path / "runs" / run, "tcn", channels, with_card=False, name="final")
    cfg = json.loads((final / "preprocessor_config.json").read_text())
    twin = "tcn-27f-xycd" if channels == 4 else "tcn-27f-xy"
    shipped = json.loads((ROOT / "checkpoints" / twin / "preprocessor_config.json").read_text())
    contract = {k: shipped[k] for k in ("keypoint_definition", "depth_kind", "depth_model", "depth_descriptor")}
    (final / "preprocessor_config.json").write_text(json.dumps({**cfg, **contract, "frame_rate": 25.0}))
    (final / "training_config.json").write_text(json.dumps({
        "data": {"train_datasets": [str(h36m), str(bandai)], "train_weights": [0.7, 0.3], "train_stride": 4,
                 "train_epoch_windows": "first", "dataset_config": "gt2d", "train_split": "train"},
        "training": {"max_steps": 10, "per_device_train_batch_size": 8, "learning_rate": 0.002, "lr_decay": 0.87},
    }))  # fmt: skip
    if channels == 4:  # the depth dropout of the shipped depth recipes
        training = json.loads((final / "training_config.json").read_text())
        training["data"].update(depth_dropout_window=0.2, depth_dropout_frame=0.05, depth_dropout_joint=0.05)
        (final / "training_config.json").write_text(json.dumps(training))
    condition = {"mpjpe": 68.9, "pa_mpjpe": 50.7, "mpjpe_action_wise": 68.6, "num_poses": 23016, "table": "test",
                 "stride": 10, "frames": {"scored": 23016, "valid": 229136, "rows": 229136}}  # fmt: skip
    tables = {"test": {"path": str(tmp_path / "sev_3" / "test"), "rows": 229136, "sequences": 216, "takes": 54,
                       "depth": None, "depth_simulation": {"simulation": "surface-v2",
                                                           "depth_error": {"severity": 3.0}}}}  # fmt: skip
    res = {"stride": 10, "flip_test": True, "tables": tables, "train": {"train_runtime": 12.0},
           "conditions": {"in-domain GT-2D": {**condition, "mpjpe": 77.3}, "in-domain noisy-2D": condition}}  # fmt: skip
    if channels == 4:
        res["conditions"] = {"in-domain noisy-2D": {**condition, "mpjpe": 66.0},
                             "in-domain noisy-2D, no depth": condition}  # fmt: skip
    eval_json = tmp_path / "eval" / f"{run}.json"
    eval_json.parent.mkdir()
    eval_json.write_text(json.dumps(res))
    return final.parent, eval_json


@pytest.fixture
def mixed(tmp_path, monkeypatch):
    """The tiny mixture run shipped as ``checkpoints/tcn-27f-xy-mix`` (three-seed tables stubbed: their numbers
    are mixture_table.py's, tested in test_mixture_table.py)."""
    monkeypatch.setattr(ship, "three_seed_results", lambda root: SEEDS)
    return ship.ship(*make_mixture_run(tmp_path), tmp_path / "checkpoints" / "tcn-27f-xy-mix", three_seeds=tmp_path)


def test_training_sources_are_read_from_the_tables(tmp_path):
    run, _ = make_mixture_run(tmp_path)
    training = json.loads((run / "final" / "training_config.json").read_text())
    got = [(s["table"], s["dataset"], s["name"], s["license"], s["weight"], s["rows"])
           for s in ship.training_sources(training)]  # fmt: skip
    assert got == [("train_h36m", "h36m", "Human3.6M", "research-only", 0.7, 1000),
                   ("train_bvh", "bandai", "Bandai Namco Research Motion Dataset", "cc-by-nc-4.0", 0.3, 3000)]  # fmt: skip
    assert ship.is_mixture(ship.training_sources(training))


def test_mixture_card_lists_every_source_and_is_cc_by_nc(mixed):
    card = ModelCard.load(mixed / "README.md")
    meta = card.data.to_dict()
    assert meta["license"] == "other" and meta["license_name"] == "research-only-and-cc-by-nc-4.0"
    assert meta["datasets"] == ["Human3.6M", "Bandai Namco Research Motion Dataset"]
    saved = json.loads((mixed / "eval_results.json").read_text())
    assert [s["dataset"] for s in saved[ship.SOURCES_KEY]] == ["h36m", "bandai"]
    assert ship.DEPTH_RECORD_KEY not in saved  # an XY lifter: the H36M table's depth is not read
    text = " ".join(card.text.split())
    assert (
        "**Human3.6M** (training table `train_h36m`, weight 0.7 = 70% of drawn windows, licence research-only)" in text
    )
    assert "weight 0.3 = 30% of drawn windows, licence cc-by-nc-4.0" in text and HOW_BUILT in text
    # the epoch is the first (H36M) table's windows: 1000 rows / stride 4 = 250 windows, ceil(250 / 8) steps
    assert "250 windows per epoch" in text and "every 32 steps" in text
    assert "**These weights are licensed CC BY-NC 4.0" in text and "Bandai-Namco-Research-Motiondataset" in text
    assert "| Bandai Namco Research Motion Dataset | `train_bvh` | 30% | CC BY-NC 4.0" in card.text
    assert SEEDS in card.text and "**What it is good for.**" in card.text
    assert "Bandai Namco Research Motion Dataset (training table `train_bvh`): cc-by-nc-4.0" in text  # licence note
    assert "capsule" not in text and "Depth of this checkpoint" not in text


def test_card_data_rebuilds_the_mixture_card_without_the_tables(mixed, tmp_path):
    import shutil

    for name in ("train_h36m", "train_bvh"):
        shutil.rmtree(tmp_path / name)  # card_data.py runs where the tables are gone: the record names them
    results_md = (ROOT / "benchmarks" / "RESULTS.md").read_text(encoding="utf-8")
    assert card_data.rewrite(mixed, results_md) == (mixed / "README.md").read_text(encoding="utf-8")


def test_ship_refuses_a_mixture_without_its_seeds(tmp_path):
    run, eval_json = make_mixture_run(tmp_path / "xy")
    with pytest.raises(ValueError, match="--three-seeds"):
        ship.ship(run, eval_json, tmp_path / "checkpoints" / "tcn-27f-xy-mix")
    assert not (tmp_path / "checkpoints").exists()


# --- the depth pair on the mixture (RESULTS "Issue 26: the depth pair on the mixture, selection rule") ---

BANDAI_SURFACE = SURFACE.replace("seed 200", "seed 203")  # its own depth seed, the same simulation and error model
DEPTH_RUN = "tcn-27f-xycd-mix-seed0"


def depth_decision(root: Path, clause: str | None = None) -> Path:
    """``root`` holding the evaluate_i26_depth_mixture.sh folders of test_depth_mixture_table.py: passing, or with
    one ``clause`` failing (its ``_fail_case`` names)."""
    from test_depth_mixture_table import _fail_case, _write, passing

    return _write(root, *(passing() if clause is None else _fail_case(clause)))


@pytest.fixture
def depth_mixed(tmp_path):
    """The tiny XYCD run on the mixture (both tables surface-v2, [2, 4]) shipped as ``checkpoints/tcn-27f-xycd``,
    replacing the H36M-only folder of that name, with the depth pair's decision (replace) of the i26 root."""
    run, eval_json = make_mixture_run(tmp_path, channels=4, bandai_depth=BANDAI_SURFACE, run=DEPTH_RUN)
    dest = tmp_path / "checkpoints" / "tcn-27f-xycd"
    shutil.copytree(ROOT / "checkpoints" / "tcn-27f-xycd", dest)  # the folder it replaces
    return ship.ship(run, eval_json, dest, three_seeds=depth_decision(tmp_path / "i26"), replace=True)


def test_depth_mixture_card_names_every_source_its_depth_and_licence(depth_mixed):
    card = ModelCard.load(depth_mixed / "README.md")
    meta = card.data.to_dict()
    assert meta["license"] == "other" and meta["license_name"] == "research-only-and-cc-by-nc-4.0"
    assert meta["datasets"] == ["Human3.6M", "Bandai Namco Research Motion Dataset"]
    saved = json.loads((depth_mixed / "eval_results.json").read_text())
    assert saved[ship.DEPTH_RECORD_KEY]["simulation"] == "surface-v2"
    assert saved[ship.DEPTH_RECORD_KEY]["train_severity"] == [2.0, 4.0]
    depth = {"simulation": "surface-v2", "severity": [2.0, 4.0], "samples": 16}
    assert [(s["dataset"], s["depth"]) for s in saved[ship.SOURCES_KEY]] == [("h36m", depth), ("bandai", depth)]
    text = " ".join(card.text.split())
    per_source = "(depth: simulated surface-v2, severities uniform in [2, 4] per sequence, CASP 16 samples)"
    assert ("**Human3.6M** (training table `train_h36m`, weight 0.7 = 70% of drawn windows, licence research-only): "
            in text)  # fmt: skip
    assert "weight 0.3 = 30% of drawn windows, licence cc-by-nc-4.0" in text and text.count(per_source) == 2
    assert "Depth descriptors (d, d_min, d_max) of every table, simulated by the same simulation" in text
    assert "**depth dropout** (20% of windows, 5% of frames, 5% of joints" in text
    assert "does not read" not in text and "No depth is read" not in text  # the XY lifter's texts
    assert "evaluated at severity 3 (calibrated" in text
    assert "no real Depth Anything output was seen in training or evaluation" in text
    assert "**no real Depth Anything output was seen**" in text and "No real Depth Anything" in card.text
    assert "**These weights are licensed CC BY-NC 4.0" in text and "capsule" not in text
    assert "human3.6m/eula" in text  # the H36M terms, as tests/test_checkpoints.py asks of every shipped card
    # the depth pair's decision, as depth_mixture_table.py prints it
    assert "These weights **replace** the `tcn-27f-xycd` trained on H36M alone" in text
    seeds = card.text[card.text.index("**Three training seeds**") : card.text.index("## Licence")]
    assert "| tcn-27f-xycd-mix vs tcn-27f-xycd | MPJPE | PA-MPJPE |" in seeds and "| CMU |" in seeds
    assert "| HumanEva-I |" in seeds and "| tcn-27f-casp-mix vs tcn-27f-xy-mix | MPJPE | PA-MPJPE |" in seeds
    assert "- tcn-27f-casp-mix (2) vs tcn-27f-xy-mix not worse by more than 3 % (three-seed means)" in seeds
    rows = {r.dataset_config: r.dataset_args["depth"] for r in card.data.eval_results}
    assert rows["noisy-2d (S9, S11, real cameras)"].startswith("simulated: surface-v2")
    assert rows["noisy-2d, depth channels removed (S9, S11)"].startswith("none")


def test_card_data_rebuilds_the_depth_mixture_card(depth_mixed, tmp_path):
    """Under the name of a folder RESULTS' Issue 23 / 24 sections list (H36M-only weights), the mixture card takes
    none of their rows; it passes the checks every shipped card is held to."""
    for name in ("train_h36m", "train_bvh"):
        shutil.rmtree(tmp_path / name)
    results_md = (ROOT / "benchmarks" / "RESULTS.md").read_text(encoding="utf-8")
    assert card_data.rewrite(depth_mixed, results_md) == (depth_mixed / "README.md").read_text(encoding="utf-8")
    assert not [r for r in ModelCard.load(depth_mixed / "README.md").data.eval_results if "whole" in r.dataset_config]
    from test_shipped_cards import test_shipped_card_names_its_data

    test_shipped_card_names_its_data(depth_mixed / "README.md")


@pytest.mark.parametrize(
    ("case", "error", "match"),
    [
        ("no-seeds", ValueError, "--three-seeds"),
        ("keep", ValueError, "says to keep the H36M-only triple .*fails \\(CMU, 2x severity \\+3.1 %\\)"),
        ("no-evaluation", FileNotFoundError, "eval_mixd_nodepth/evaluation.json: no evaluation.json"),
        ("no-depth", ValueError, "train_bvh_summary.json: the table has no depth columns"),
        ("other-severity", ValueError, "training tables with different depth simulations"),
        ("other-error-model", ValueError, "training tables with different depth simulations"),
        ("wrong-recipe", ValueError, "tcn-27f-casp: replaced by the recipe tcn-27f-casp-mix only"),
        ("exists", FileExistsError, "tcn-27f-xycd exists: pass --replace"),
        ("eval-capsule", ValueError, "condition 'in-domain noisy-2D' was scored on capsule-v1 depth"),
    ],
)
def test_ship_refuses_a_depth_mixture_that_cannot_be_right(tmp_path, case, error, match):
    bandai = {
        "no-depth": "none",
        "other-severity": BANDAI_SURFACE.replace("[2.0, 4.0]", "[0.5, 1.5]"),
        "other-error-model": BANDAI_SURFACE.replace("'preset'", "'relief_compression': 0.5, 'preset'"),
    }.get(case, BANDAI_SURFACE)
    run, eval_json = make_mixture_run(tmp_path, channels=4, bandai_depth=bandai, run=DEPTH_RUN)
    root = depth_decision(tmp_path / "i26", "2x" if case == "keep" else None)
    if case == "no-evaluation":
        (root / "eval_mixd_nodepth" / "evaluation.json").unlink()
    if case == "eval-capsule":  # the one-seed rows scored on another depth simulation than the training tables'
        res = json.loads(eval_json.read_text())
        res["tables"]["test"]["depth_simulation"]["simulation"] = "capsule-v1"
        eval_json.write_text(json.dumps(res))
    dest = tmp_path / "checkpoints" / ("tcn-27f-casp" if case == "wrong-recipe" else "tcn-27f-xycd")
    if case == "exists":
        shutil.copytree(ROOT / "checkpoints" / "tcn-27f-xycd", dest)
    before = sorted(p.name for p in dest.parent.iterdir()) if dest.parent.exists() else None
    with pytest.raises(error, match=match):
        ship.ship(run, eval_json, dest, three_seeds=None if case == "no-seeds" else root)
    after = sorted(p.name for p in dest.parent.iterdir()) if dest.parent.exists() else None
    assert after == before  # no partial output, nothing replaced
    if case == "exists":
        assert filecmp.cmp(dest / "README.md", ROOT / "checkpoints" / "tcn-27f-xycd" / "README.md", shallow=False)


def test_xy_mixture_replacing_tcn_27f_xy_needs_the_depth_pair_decision(tmp_path, monkeypatch):
    """``tcn-27f-xy`` <- ``tcn-27f-xy-mix`` only with the triple: the depth pair's rule must say replace, and the card
    says the weights replace the H36M-only ones (not "use tcn-27f-xy for the H36M-only twin")."""
    monkeypatch.setattr(ship, "three_seed_results", lambda root: SEEDS)
    run, eval_json = make_mixture_run(tmp_path)
    dest = tmp_path / "checkpoints" / "tcn-27f-xy"
    with pytest.raises(ValueError, match="says to keep the H36M-only triple"):
        ship.ship(run, eval_json, dest, three_seeds=depth_decision(tmp_path / "keep", "nodepth"))
    assert not dest.exists()
    ship.ship(run, eval_json, dest, three_seeds=depth_decision(tmp_path / "i26"))
    text = " ".join(ModelCard.load(dest / "README.md").text.split())
    assert (
        "weights **replace** the `tcn-27f-xy` trained on H36M alone" in text
        and SEEDS in ModelCard.load(dest / "README.md").text
    )
    assert "- tcn-27f-xycd-mix vs tcn-27f-xycd (1) H36M mean MPJPE +2.9 mm vs the baseline (limit +3): holds" in text
    assert "Use `tcn-27f-xy` for the H36M-only XY twin" not in text


def test_ship_cli_refuses_existing_folders_before_writing_any(tmp_path, capsys):
    run, _ = make_mixture_run(tmp_path, channels=4, bandai_depth=BANDAI_SURFACE, run=DEPTH_RUN)
    dest = tmp_path / "checkpoints"
    shutil.copytree(ROOT / "checkpoints" / "tcn-27f-xycd", dest / "tcn-27f-xycd")
    argv = ["--runs", str(run.parent), "--eval", str(tmp_path / "eval"), "--dest", str(dest),
            "--three-seeds", str(depth_decision(tmp_path / "i26")), f"{DEPTH_RUN}:tcn-27f-xycd-mix",
            f"{DEPTH_RUN}:tcn-27f-xycd"]  # fmt: skip
    capsys.readouterr()  # the fixture's own output
    with pytest.raises(SystemExit) as exit_info:
        ship.main(argv)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and err.count("\n") == 1 and "tcn-27f-xycd exist(s): pass --replace" in err
    assert sorted(p.name for p in dest.iterdir()) == ["tcn-27f-xycd"]  # the first pair was not shipped either
    with pytest.raises(SystemExit) as exit_info:  # a pair without its evaluation: none is shipped
        ship.main([*argv, "tcn-27f-casp-mix-seed0:tcn-27f-casp", "--replace"])
    assert exit_info.value.code == 2 and "tcn-27f-casp-mix-seed0/final/model.safetensors: not found" in (
        capsys.readouterr().err
    )
    assert sorted(p.name for p in dest.iterdir()) == ["tcn-27f-xycd"]
    assert filecmp.cmp(dest / "tcn-27f-xycd" / "README.md", ROOT / "checkpoints" / "tcn-27f-xycd" / "README.md")
    assert ship.main([*argv, "--replace"]) == 0
    saved = json.loads((dest / "tcn-27f-xycd" / "eval_results.json").read_text())
    assert [s["dataset"] for s in saved[ship.SOURCES_KEY]] == ["h36m", "bandai"]


def test_sibling_scripts_leave_sys_path_as_it_was():
    """ship.py imports mixture_table / depth_mixture_table / seeds_table from its folder, which also holds an
    evaluate.py: left on sys.path, it shadowed Hugging Face ``evaluate`` for later tests (fresh-clone CI: 11 metric
    tests failed after the ship tests)."""
    before = list(sys.path)
    for name in ("mixture_table", "depth_mixture_table", "seeds_table"):
        assert ship._sibling(name).__name__ == name
    assert sys.path == before


@pytest.mark.parametrize(
    ("frame_rates", "says"),
    [
        (([24.0], 25.0), "24 Hz rows resampled to 25 Hz (the lifter frame rate)"),
        (([24.0], None), "24 Hz rows fed frame by frame"),
        (([25.0], 25.0), "25 Hz rows fed as they are"),
        (None, "24 Hz rows fed as 25 Hz"),  # a record from before evaluate.py resampled: what it did then
    ],
)
def test_cmu_row_says_how_its_frames_reached_the_lifter(frame_rates, says):
    """evaluate.py resamples CMU's 24 Hz rows to a temporal lifter's 25 Hz since the fix of issue 26's session; a card
    row says so from the rates it recorded, and an older record keeps the text of how it was scored."""
    row = ship.condition_row("CMU noisy-2D", {"mpjpe": 1.0}, False, 10, frame_rates=frame_rates)
    assert says in row["data"]["motion"]
    in_domain = ship.condition_row("in-domain noisy-2D", {"mpjpe": 1.0}, False, 10, frame_rates=([25.0], 25.0))
    assert (
        in_domain["data"]["motion"]
        == ship.condition_row("in-domain noisy-2D", {"mpjpe": 1.0}, False, 10)["data"]["motion"]
    )  # only the CMU text names a frame rate conversion
