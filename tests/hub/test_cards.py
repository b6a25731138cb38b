import json
import sys
from pathlib import Path

import pytest
from huggingface_hub import DatasetCardData, ModelCard

sys.path.insert(0, str(Path(__file__).parents[1] / "export"))
from auglift_tiny_lifters import make_lifter_folder  # noqa: E402

from auglift_hf.hub import build_model_card, load_eval_results, render_dataset_card, write_model_card  # noqa: E402


@pytest.mark.parametrize(
    "results",
    [
        {
            "results": [
                {"dataset": "h36m", "config": "gt2d", "split": "test", "metrics": {"mpjpe": 41.2, "pa_mpjpe": 30}}
            ]
        },
        [{"dataset": "h36m", "config": "gt2d", "split": "test", "mpjpe": 41.2, "pa_mpjpe": 30, "loss": 1.0}],
        {"h36m": {"mpjpe": 41.2, "pa_mpjpe": 30, "config": "gt2d"}},
        {"eval_mpjpe": 41.2, "eval_pa_mpjpe": 30, "epoch": 3, "eval_loss": 0.1, "config": "gt2d"},
    ],
)
def test_eval_results_shapes(results):
    (row,) = load_eval_results(results)
    assert row["dataset"] == "h36m" and row["config"] == "gt2d" and row["split"] == "test"
    assert row["metrics"] == {"mpjpe": 41.2, "pa_mpjpe": 30.0}


def test_eval_results_without_metrics(tmp_path):
    (tmp_path / "r.json").write_text(json.dumps({"loss": 1.0}))
    with pytest.raises(ValueError, match="no known metrics"):
        load_eval_results(tmp_path / "r.json")
    with pytest.raises(FileNotFoundError, match="missing.json"):
        load_eval_results(tmp_path / "missing.json")


def test_model_card_from_folder(tmp_path):
    folder = make_lifter_folder(tmp_path, "poseformer", 4, with_card=False)
    (folder / "eval_results.json").write_text(
        json.dumps({"h36m": {"mpjpe": 47.25}, "3dpw": {"mpjpe": 101.5, "pa_mpjpe": 60.0}})
    )
    path = write_model_card(folder, repo_id="auglift/poseformer-xycd")
    card = ModelCard.load(path)
    meta = card.data.to_dict()
    assert meta["library_name"] == "transformers" and meta["license"] == "other"
    assert "research-only" in meta["license_name"] and "xycd" in meta["tags"]
    results = card.data.eval_results
    got = {(r.dataset_name, r.metric_type): r.metric_value for r in results}
    assert got == {("Human3.6M", "mpjpe"): 47.25, ("3DPW", "mpjpe"): 101.5, ("3DPW", "pa_mpjpe"): 60.0}
    text = card.text
    for needle in ("x, y, c, d", "Intended use", "2508.07112", "zheng2021poseformer", "pavllo2019videopose3d",
                   "research only", "auglift/poseformer-xycd", "101.50", "preprocessor_config.json"):  # fmt: skip
        assert needle in text, needle
    assert "# poseformer-xycd" in text


@pytest.mark.parametrize("family, cite", [("tcn", "pavllo2019videopose3d"), ("simple_baseline", "martinez2017simple")])
def test_model_card_other_families_without_results(tmp_path, family, cite):
    folder = make_lifter_folder(tmp_path, family, 2, with_card=False)
    card = build_model_card(folder)
    assert cite in card.text and "No evaluation results" in card.text
    assert card.data.eval_results is None and "xy" in card.data.tags


def test_dataset_card_template():
    card = render_dataset_card(
        DatasetCardData(
            license="other",
            pretty_name="H36M XYCD",
            configs=[{"config_name": "gt2d", "data_files": [{"split": "test", "path": "gt2d/test-*.parquet"}]}],
        ),
        pretty_name="H36M XYCD",
        dataset_summary="Human3.6M with depth descriptors.",
        configs=[{"name": "gt2d", "description": "ground-truth 2D"}],
        columns=[{"name": "keypoints_2d", "shape": "17 x 2", "description": "pixels"}],
        splits=[{"name": "test", "description": "S9, S11", "num_rows": 10}],
        depth_source="synthetic renderer",
        repo_id="auglift/h36m-xycd",
    )
    assert card.data.to_dict()["configs"][0]["config_name"] == "gt2d"
    assert "`keypoints_2d` | 17 x 2" in card.text and "(10 rows)" in card.text and "auglift/h36m-xycd" in card.text


def test_model_card_states_the_input_contract(tmp_path):
    import json

    from auglift_hf.contract import InputContract

    folder = make_lifter_folder(tmp_path, "poseformer", 4, with_card=False)
    text = str(build_model_card(folder))
    assert "## Input contract" in text and "predates the input contract" in text
    cfg = json.loads((folder / "preprocessor_config.json").read_text())
    cfg.update(InputContract.metric(num_samples=16).to_dict())
    (folder / "preprocessor_config.json").write_text(json.dumps(cfg))
    text = str(build_model_card(folder))
    assert "| `depth_kind` | `metric`: metres |" in text
    assert "depth-anything/Depth-Anything-V2-Metric-Indoor-Large-hf" in text and "16 samples" in text
    assert "mean confidence of their sources" in text and "minimum confidence" not in text


def test_model_card_states_score_fill_for_c_lifters(tmp_path):
    import json

    from auglift_hf.contract import InputContract

    folder = make_lifter_folder(tmp_path, "poseformer", 4, with_card=False)
    cfg = json.loads((folder / "preprocessor_config.json").read_text())
    assert "c" in cfg["input_channels"]
    cfg.update(InputContract.metric(num_samples=16).to_dict())
    (folder / "preprocessor_config.json").write_text(json.dumps(cfg))
    assert "| `score_fill` | `null`: keypoints without detector scores are fed c = 1.0" in str(
        build_model_card(folder)
    )
    cfg["score_fill"] = 0.9612
    (folder / "preprocessor_config.json").write_text(json.dumps(cfg))
    assert "| `score_fill` | `0.9612`: the confidence fed" in str(build_model_card(folder))


def test_model_card_states_frame_rate_for_temporal_lifters(tmp_path):
    import json

    from auglift_hf.contract import InputContract

    folder = make_lifter_folder(tmp_path, "poseformer", 4, with_card=False)
    cfg = json.loads((folder / "preprocessor_config.json").read_text())
    cfg.update(InputContract.metric(num_samples=16).to_dict(), num_frames=9)
    (folder / "preprocessor_config.json").write_text(json.dumps(cfg))
    assert "| `frame_rate` | `null`: not recorded" in str(build_model_card(folder))
    cfg["frame_rate"] = 25.0
    (folder / "preprocessor_config.json").write_text(json.dumps(cfg))
    assert "| `frame_rate` | `25` Hz: the fps of the training tables" in str(build_model_card(folder))
    cfg["num_frames"] = 1  # single-frame lifters: the rate does not matter, no row
    (folder / "preprocessor_config.json").write_text(json.dumps(cfg))
    assert "Hz: the fps of the training tables" not in str(build_model_card(folder))


def test_model_card_carries_the_training_tables_licences(tmp_path, monkeypatch):
    """A lifter trained on a Bandai Namco table (`auglift convert bvh`, card licence cc-by-nc-4.0) says so: the
    licence note names the table and its licence; with only that table the card's `license` is cc-by-nc-4.0, with
    a research-only H36M table too it stays research-only."""
    from auglift_hf.data.bvh.table import KNOWN_SOURCES
    from auglift_hf.data.card import write_dataset_card
    from auglift_hf.data.schema import frame_features

    monkeypatch.chdir(tmp_path)  # training_config.json names tables relative to the training run's folder
    bandai = KNOWN_SOURCES["bandai"]
    for name, info in (("bandai_table", {"licence": {"license": bandai["license"], "note": bandai["note"]}}),
                       ("h36m_table", {})):  # fmt: skip
        (tmp_path / name).mkdir()
        write_dataset_card(
            tmp_path / name, dataset_name=name.split("_")[0], counts={"gt2d": {"train": 1}}, features=frame_features(),
            info=info,
        )  # fmt: skip
    folder = make_lifter_folder(tmp_path, "tcn", 2, with_card=False)
    for tables, licence in ((["bandai_table"], "cc-by-nc-4.0"), (["h36m_table", "bandai_table"], "other")):
        (folder / "training_config.json").write_text(json.dumps({"data": {"train_datasets": tables}}))
        card = build_model_card(folder)
        assert card.data.to_dict()["license"] == licence
        assert "Bandai Namco Research Motion Dataset (training table `bandai_table`): cc-by-nc-4.0" in card.text
    # the mixture's metadata names both terms: CC BY-NC 4.0 on top of research-only
    assert card.data.to_dict()["license_name"] == "research-only-and-cc-by-nc-4.0"
    (folder / "training_config.json").write_text(json.dumps({"data": {"train_datasets": ["h36m_table"]}}))
    card = build_model_card(folder)
    assert card.data.to_dict()["license"] == "other" and "cc-by-nc" not in card.text
    assert card.data.to_dict()["license_name"] == "research-only"
    # licences recorded at shipping time replace the tables' cards (gone when a card is rebuilt elsewhere)
    recorded = [{"table": "train_bvh", "name": "Bandai Namco Research Motion Dataset", "license": "cc-by-nc-4.0"},
                {"table": "train_h36m", "name": "Human3.6M", "license": "research-only"}]  # fmt: skip
    card = build_model_card(folder, licences=recorded)
    assert card.data.to_dict()["license_name"] == "research-only-and-cc-by-nc-4.0"
    assert "Bandai Namco Research Motion Dataset (training table `train_bvh`): cc-by-nc-4.0" in card.text


def test_model_card_names_simulated_inputs_and_frame_counts(tmp_path):
    from auglift_hf.contract import InputContract

    folder = make_lifter_folder(tmp_path, "poseformer", 4, with_card=False)
    cfg = json.loads((folder / "preprocessor_config.json").read_text())
    cfg.update(InputContract.metric(num_samples=16).to_dict())
    (folder / "preprocessor_config.json").write_text(json.dumps(cfg))
    data = {
        "motion": "real: H36M S9/S11 motion",
        "keypoints_2d": "simulated: COCO detector (simulate_coco_detector)",
        "depth": "simulated: capsule-v1 ray caster; no real Depth Anything output",
        "frames_scored": 23016,
        "frame_selection": "every 10th frame of every test sequence",
        "seeds": 1,
    }
    rows = [
        {"dataset": "h36m", "name": "Human3.6M S9/S11 (real motion)", "config": "detected2d", "split": "test",
         "metrics": {"mpjpe": 45.8, "pa_mpjpe": 38.1}, "data": data},
        {"dataset": "cmu", "name": "CMU motion", "config": "gt2d", "metrics": {"mpjpe": 88.0},
         "data": {**data, "frames_scored": "not recorded"}},
    ]  # fmt: skip
    path = write_model_card(folder, eval_results={"results": rows}, depth_simulation="capsule-v1")
    card = ModelCard.load(path)
    by_key = {(r.dataset_config, r.metric_type): r for r in card.data.eval_results}
    entry = by_key[("detected2d", "pa_mpjpe")]
    assert entry.dataset_name == "Human3.6M S9/S11 (real motion)" and entry.metric_value == 38.1
    assert entry.dataset_args == data  # the simulation, frame count, selection and seeds reach the model-index
    assert by_key[("gt2d", "mpjpe")].dataset_args["frames_scored"] == "not recorded"
    meta = (folder / "README.md").read_text().split("\n---\n", 1)[0]
    for needle in ("simulated: COCO detector", "capsule-v1", "frames_scored: 23016", "seeds: 1", "name: CMU motion"):
        assert needle in meta, needle
    text = card.text
    assert "[23,016 frames, 1 seed]" in text and "[frame count not recorded, 1 seed]" in text
    assert "No real Depth Anything" in text and "`capsule-v1`" in text
    # an XY lifter gets no depth disclaimer, and a card without naming keeps the old table
    plain = make_lifter_folder(tmp_path / "xy", "poseformer", 2, with_card=False)
    text = str(build_model_card(plain, eval_results={"h36m": {"mpjpe": 50.0}}, depth_simulation="capsule-v1"))
    assert "No real Depth Anything" not in text and "| Human3.6M | - | test | MPJPE (mm) | 50.00 |" in text


@pytest.mark.parametrize(
    "data, match",
    [
        ({"motion": "real", "keypoints_2d": "simulated", "depth": "none", "frame_selection": "all", "seeds": 1},
         "does not name frames_scored"),
        ({"motion": "real", "keypoints_2d": "simulated", "depth": "none", "frames_scored": 0, "frame_selection": "all",
          "seeds": 1}, "frames_scored"),
        ({"motion": "real", "keypoints_2d": "simulated", "depth": "none", "frames_scored": 10, "frame_selection": "all",
          "seeds": 0}, "seeds"),
        ("real motion", "must be a mapping"),
    ],
)  # fmt: skip
def test_eval_results_refuse_incomplete_data_naming(data, match):
    rows = {"results": [{"dataset": "h36m", "config": "gt2d", "metrics": {"mpjpe": 41.0}, "data": data}]}
    with pytest.raises(ValueError, match=match):
        load_eval_results(rows)
