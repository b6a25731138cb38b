"""Shipping an XY lifter trained on a mixture of sources (issue 26: H36M + Bandai Namco): ``ship.py`` reads every
training table (its ``dataset`` column, its card's licence, its summary), records the sources in the folder, and the
card lists each source with its licence and weight, says CC BY-NC 4.0 on top of H36M's research-only terms and is what
``card_data.py`` rebuilds from that record, without the tables."""

import json
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


def _table(root: Path, name: str, dataset: str, rows: int, summary: dict) -> Path:
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
    summary = {"counts": {"gt2d": {"train": rows}}, "detector": DETECTOR, "train_max_frames": 0, **summary}
    (root / f"{name}_summary.json").write_text(json.dumps(summary))
    return table


def make_mixture_run(tmp_path, channels=2):
    """A tiny XY run on H36M (weight 0.7, a surface-v2 depth table) + Bandai Namco (0.3, no depth) and its
    evaluate.py json."""
    h36m = _table(tmp_path, "train_h36m", "h36m", 1000, {"depth": SURFACE})
    bandai = _table(tmp_path, "train_bvh", "bandai", 3000, {"depth": "none", "clips": 3, "source_frames": 900})
    final = make_lifter_folder(tmp_path / "runs" / "tcn-27f-xy-mix-seed0", "tcn", channels, with_card=False,
                               name="final")  # fmt: skip
    cfg = json.loads((final / "preprocessor_config.json").read_text())
    shipped = json.loads((ROOT / "checkpoints" / "tcn-27f-xy" / "preprocessor_config.json").read_text())
    contract = {k: shipped[k] for k in ("keypoint_definition", "depth_kind", "depth_model", "depth_descriptor")}
    (final / "preprocessor_config.json").write_text(json.dumps({**cfg, **contract, "frame_rate": 25.0}))
    (final / "training_config.json").write_text(json.dumps({
        "data": {"train_datasets": [str(h36m), str(bandai)], "train_weights": [0.7, 0.3], "train_stride": 4,
                 "train_epoch_windows": "first", "dataset_config": "gt2d", "train_split": "train"},
        "training": {"max_steps": 10, "per_device_train_batch_size": 8, "learning_rate": 0.002, "lr_decay": 0.87},
    }))  # fmt: skip
    condition = {"mpjpe": 68.9, "pa_mpjpe": 50.7, "mpjpe_action_wise": 68.6, "num_poses": 23016, "table": "test",
                 "stride": 10, "frames": {"scored": 23016, "valid": 229136, "rows": 229136}}  # fmt: skip
    tables = {"test": {"path": str(tmp_path / "sev_3" / "test"), "rows": 229136, "sequences": 216, "takes": 54,
                       "depth": None, "depth_simulation": {"simulation": "surface-v2",
                                                           "depth_error": {"severity": 3.0}}}}  # fmt: skip
    res = {"stride": 10, "flip_test": True, "tables": tables, "train": {"train_runtime": 12.0},
           "conditions": {"in-domain GT-2D": {**condition, "mpjpe": 77.3}, "in-domain noisy-2D": condition}}  # fmt: skip
    eval_json = tmp_path / "eval" / "tcn-27f-xy-mix-seed0.json"
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


def test_ship_refuses_a_mixture_depth_lifter_or_one_without_its_seeds(tmp_path):
    with pytest.raises(ValueError, match="mixture cards for XY lifters only"):
        ship.ship(*make_mixture_run(tmp_path, channels=4), tmp_path / "checkpoints" / "tcn-27f-xycd-mix",
                  three_seeds=tmp_path)  # fmt: skip
    assert not (tmp_path / "checkpoints").exists()  # no partial output
    run, eval_json = make_mixture_run(tmp_path / "xy")
    with pytest.raises(ValueError, match="--three-seeds"):
        ship.ship(run, eval_json, tmp_path / "checkpoints" / "tcn-27f-xy-mix")
    assert not (tmp_path / "checkpoints").exists()
