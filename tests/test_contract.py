"""The input contract: schema, round trips (processor, folder, card) and the one checking function."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auglift_hf import PoseLiftingProcessor
from auglift_hf.contract import (
    CARD_KEY,
    CONTRACT_FIELDS,
    DEFAULT_DEPTH_MODEL,
    InputContract,
    check_contract,
    default_descriptor,
    descriptor_kwargs,
    load_contract,
)

ROOT = Path(__file__).resolve().parents[1]
XYCD = ["x", "y", "c", "d"]
#: score_fill of the shipped c-lifters: median of train_real_v2_full's keypoint_scores (gt2d, train, 617012 rows).
SHIPPED_SCORE_FILL = 0.9612
#: ... and of those trained on the H36M + Bandai Namco mixture (issue 26: the TCN triple): the 0.7 / 0.3
#: weighted median over train_surface_full and train_bvh_surface (training_score_fill with train_weights).
MIXTURE_SCORE_FILL = 0.9634
#: ... and of the mixture re-shipped on MoveNet-fitted detector 2D (issue 24.5: the TCN triple): the same weighted
#: median over the tables rebuilt with the `movenet-fitted` preset (build_i24_fitted.sh).
FITTED_MIXTURE_SCORE_FILL = 0.9652
#: ... and of the H36M-only recipes re-shipped on MoveNet-fitted detector 2D (issue 24.5: the PoseFormer triple):
#: the median over train_surface_full rebuilt with the `movenet-fitted` preset.
FITTED_SCORE_FILL = 0.9599


def _shipped_score_fill(folder: Path) -> float:
    weights = json.loads((folder / "training_config.json").read_text())["data"].get("train_weights")
    results = json.loads((folder / "eval_results.json").read_text())
    fitted = (results.get("detector_preset") or {}).get("preset") == "movenet-fitted"
    if weights:
        return FITTED_MIXTURE_SCORE_FILL if fitted else MIXTURE_SCORE_FILL
    return FITTED_SCORE_FILL if fitted else SHIPPED_SCORE_FILL


def test_default_depth_model_is_metric_indoor_large():
    assert DEFAULT_DEPTH_MODEL == "depth-anything/Depth-Anything-V2-Metric-Indoor-Large-hf"


def test_dict_round_trip_and_field_order():
    c = InputContract.metric(num_samples=16)
    d = c.to_dict()
    assert tuple(d) == CONTRACT_FIELDS
    assert d["depth_descriptor"]["mode"] == "casp" and d["depth_descriptor"]["num_samples"] == 16
    assert d["depth_descriptor"]["quantiles"] == [0.5, 0.1, 0.9]
    assert InputContract.from_dict(json.loads(json.dumps(d))) == c


def test_from_dict_without_fields_is_legacy_and_partial_is_refused():
    assert InputContract.from_dict({"input_channels": ["x", "y"]}) is None
    with pytest.raises(ValueError, match=r"incomplete input contract, missing \['depth_model'"):
        InputContract.from_dict({"depth_kind": "metric", "keypoint_definition": "h36m"})


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"depth_kind": "disparity", "depth_descriptor": {"mode": "casp", "num_samples": 4}}, "depth_kind"),
        ({"keypoint_definition": "openpose"}, "keypoint_definition"),
        ({"scale_normalization": "torso"}, "scale_normalization"),
        ({"box_size_mean": -3.0}, "box_size_mean"),
        ({"reference_depth": "5m"}, "reference_depth"),
        ({"depth_kind": "metric"}, "depth_descriptor"),
        ({"depth_model": "x"}, "depth_kind"),
        ({"depth_kind": "metric", "depth_descriptor": {"mode": "casp", "num_samples": 0}}, "num_samples"),
        ({"depth_kind": "metric", "depth_descriptor": {"mode": "ring", "num_samples": 4}}, "mode"),
    ],
)
def test_invalid_values_name_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        InputContract(**kwargs)


def test_descriptor_kwargs_feed_sample_depth():
    mode, kw = descriptor_kwargs(default_descriptor("casp", 16))
    assert mode == "casp"
    assert kw["num_samples"] == 16 and kw["seed"] == 0 and kw["extrema"] == "quantile" and kw["k"] == 0.04
    assert "quantiles" not in kw and "mode" not in kw


def test_check_relative_backend_into_metric_lifter_fails_naming_both():
    c = InputContract.metric()
    with pytest.raises(ValueError) as err:
        check_contract(
            c, depth_kind="relative", depth_model="depth-anything/Depth-Anything-V2-Small-hf",
            lifter="checkpoints/tcn-27f-xycd", source="depth backend",
        )  # fmt: skip
    msg = str(err.value)
    assert "\n" not in msg
    assert "depth_kind='metric'" in msg and "depth_kind='relative'" in msg
    assert "Depth-Anything-V2-Small-hf" in msg and "checkpoints/tcn-27f-xycd" in msg and "--override-contract" in msg


def test_check_metric_backend_into_relative_lifter_fails():
    c = InputContract("relative", "depth-anything/Depth-Anything-V2-Small-hf", default_descriptor(), "coco")
    with pytest.raises(ValueError, match="depth_kind='relative'.*depth_kind='metric'"):
        check_contract(c, depth_kind="metric")
    assert check_contract(c, depth_kind="relative") == []


def test_check_missing_depth_and_descriptor_mismatch():
    c = InputContract.metric(num_samples=16)
    with pytest.raises(ValueError, match="provides no depth"):
        check_contract(c, depth_kind=None)
    with pytest.raises(ValueError, match=r"num_samples=100 \(contract 16\)"):
        check_contract(c, depth_descriptor=default_descriptor("casp", 100))
    with pytest.raises(ValueError, match=r"mode='point' \(contract 'casp'\)"):
        check_contract(c, depth_descriptor={"mode": "point", "num_samples": 1})
    with pytest.raises(ValueError, match=r"gamma=2.0"):
        check_contract(c, depth_descriptor=default_descriptor("casp", 16, gamma=2.0))
    # a partial descriptor compares missing keys at their defaults
    assert check_contract(c, depth_kind="metric", depth_descriptor={"mode": "casp", "num_samples": 16}) == []


def test_missing_depth_fill_accepts_no_depth_with_a_note():
    """A lifter trained with depth dropout (``missing_depth="fill"``) takes input without depth as a recorded note."""
    c = InputContract.metric(num_samples=16)
    trained = InputContract(**{**c.to_dict(), "missing_depth": "fill"})
    with pytest.warns(UserWarning, match="trained to handle"):
        notes = check_contract(trained, depth_kind=None, lifter="xycd", source="keypoints.json")
    assert len(notes) == 1 and "keypoints.json provides no depth" in notes[0]
    # still refused: depth of the wrong kind, and a wrong value of the field
    with pytest.raises(ValueError, match="depth_kind='relative'"):
        check_contract(trained, depth_kind="relative")
    with pytest.raises(ValueError, match="missing_depth"):
        InputContract(**{**c.to_dict(), "missing_depth": "zeros"})
    with pytest.raises(ValueError, match="missing_depth"):
        InputContract(missing_depth="fill")  # no depth channel


def test_check_override_returns_recorded_deviations():
    c = InputContract.metric()
    out = check_contract(c, depth_kind="relative", override=True)
    assert len(out) == 1 and out[0].startswith("override: ") and "relative" in out[0]


def test_check_variant_and_keypoint_definition_are_warnings():
    c = InputContract.metric(keypoint_definition="h36m")
    with pytest.warns(UserWarning, match="Metric-Outdoor-Small"):
        out = check_contract(
            c, depth_kind="metric", depth_model="depth-anything/Depth-Anything-V2-Metric-Outdoor-Small-hf"
        )
    assert len(out) == 1
    with pytest.warns(UserWarning, match="keypoint_definition='h36m'.*'coco'"):
        assert len(check_contract(c, keypoint_definition="coco")) == 1
    assert check_contract(c, depth_kind="metric", depth_model=DEFAULT_DEPTH_MODEL, keypoint_definition="h36m") == []


def test_check_legacy_contract_checks_nothing():
    assert check_contract(None, depth_kind="relative") == []


def test_processor_stores_and_saves_contract(tmp_path):
    c = InputContract.metric(num_samples=16)
    p = PoseLiftingProcessor(input_channels=XYCD, num_frames=3, **c.to_dict())
    assert p.input_contract == c
    p.save_pretrained(tmp_path)
    saved = json.loads((tmp_path / "preprocessor_config.json").read_text())
    assert {k: saved[k] for k in CONTRACT_FIELDS} == c.to_dict()
    assert InputContract.from_pretrained(tmp_path) == c
    assert PoseLiftingProcessor.from_pretrained(tmp_path).input_contract == c


def test_legacy_processor_writes_no_contract_and_warns(tmp_path):
    p = PoseLiftingProcessor(input_channels=XYCD, num_frames=3)
    assert p.input_contract is None
    p.save_pretrained(tmp_path)
    saved = json.loads((tmp_path / "preprocessor_config.json").read_text())
    assert not set(CONTRACT_FIELDS) & set(saved)
    with pytest.warns(UserWarning, match="has no input contract"):
        assert load_contract(tmp_path) is None


def test_processor_refuses_contract_inconsistent_with_channels():
    with pytest.raises(ValueError, match="depth_kind` is null but input_channels"):
        PoseLiftingProcessor(input_channels=XYCD, **InputContract().to_dict())
    with pytest.raises(ValueError, match="no depth channel"):
        PoseLiftingProcessor(input_channels=["x", "y"], **InputContract.metric().to_dict())
    with pytest.raises(ValueError, match="without `keypoint_definition`"):
        PoseLiftingProcessor(input_channels=XYCD, depth_kind="metric")
    with pytest.raises(ValueError, match="box_size_mean"):
        PoseLiftingProcessor(input_channels=["x", "y"], box_size_mean=0.0)


def test_set_input_contract_validates_and_restores():
    p = PoseLiftingProcessor(input_channels=["x", "y"])
    with pytest.raises(ValueError, match="no depth channel"):
        p.set_input_contract(InputContract.metric())
    assert p.input_contract is None
    p.set_input_contract({"keypoint_definition": "coco"})
    assert p.input_contract == InputContract(keypoint_definition="coco")


def test_dataset_card_contract(tmp_path):
    c = InputContract.metric(num_samples=16)
    (tmp_path / "README.md").write_text(
        "---\n" + json.dumps({"pretty_name": "t", CARD_KEY: c.to_dict()}) + "\n---\nbody\n"
    )
    assert InputContract.from_dataset_card(tmp_path) == c
    (tmp_path / "README.md").write_text("---\npretty_name: t\n---\nbody\n")
    assert InputContract.from_dataset_card(tmp_path) is None
    assert InputContract.from_dataset_card(tmp_path / "missing") is None


@pytest.mark.parametrize(
    "name",
    [
        "poseformer-xy",
        "poseformer-xycd",
        "poseformer-casp",
        "tcn-27f-xy",
        "tcn-27f-xycd",
        "tcn-27f-casp",
        "tcn-27f-xy-h36m",
        "tcn-27f-xy-h36m-anyview",
        "tcn-27f-xy-mix",
        "simplebaseline-xyd-h36m-poseaug",
    ],
)
def test_shipped_checkpoints_carry_the_training_contract(name):
    folder = ROOT / "checkpoints" / name
    raw = json.loads((folder / "preprocessor_config.json").read_text())
    for key in ("depth_kind", "depth_model", "depth_descriptor", "keypoint_definition"):
        assert key in raw
    c = InputContract.from_pretrained(folder)
    # issue 14: trained on detector-definition (COCO -> H36M) 2D; -h36m on the H36M joints with detector errors
    assert c.keypoint_definition == ("h36m" if "-h36m" in name else "coco")
    if name.endswith(("xycd", "casp")):
        assert c.depth_kind == "metric" and c.depth_model == DEFAULT_DEPTH_MODEL
        # benchmarks/reference/build_data.py: CASP, 16 sunflower samples, (median, Q10, Q90)
        assert c.depth_descriptor["mode"] == "casp" and c.depth_descriptor["num_samples"] == 16
        assert c.depth_descriptor["pattern"] == "sunflower" and c.depth_descriptor["quantiles"] == [0.5, 0.1, 0.9]
        # trained with depth dropout (training_config.json) -> no-depth input is within the contract
        drops = json.loads((folder / "training_config.json").read_text())
        assert c.missing_depth == "fill" and "depth_dropout_window" in json.dumps(drops)
    elif "-xyd-" in name:  # issue 27: XYD + dscale2d on ground-truth 2D, no depth dropout: depth is required
        assert c.depth_kind == "metric" and c.depth_model == DEFAULT_DEPTH_MODEL
        assert c.depth_descriptor["mode"] == "casp" and c.depth_descriptor["num_samples"] == 16
        assert c.missing_depth is None and c.scale_normalization == "depth" and c.reference_depth == 4.5
    else:
        assert c.depth_kind is None and c.depth_model is None and c.depth_descriptor is None
        assert c.missing_depth is None
    # c-lifters: the median keypoint_scores of their training table(s) (train_real_v2_full, gt2d/train: 0.96121)
    assert c.score_fill == (_shipped_score_fill(folder) if "c" in raw["input_channels"] else None)


def test_training_contract_from_table_cards(tmp_path):
    from auglift_hf.training.data import training_contract

    def table(name, contract, gt2d="h36m"):
        folder = tmp_path / name
        folder.mkdir()
        entry = {**contract.to_dict(), "keypoint_definition_by_config": {"gt2d": gt2d, "detected2d": "coco"}}
        (folder / "README.md").write_text("---\n" + json.dumps({CARD_KEY: entry}) + "\n---\n")
        return folder

    a = table("a", InputContract.metric(num_samples=16))
    b = table("b", InputContract.metric(num_samples=16))
    c = table("c", InputContract.metric(num_samples=100))
    got = training_contract([a, b], "detected2d", XYCD)
    assert got.keypoint_definition == "coco" and got.depth_descriptor["num_samples"] == 16
    xy = training_contract([a], "gt2d", ["x", "y"])
    assert xy == InputContract(keypoint_definition="h36m")  # an XY lifter drops the depth fields
    with pytest.raises(ValueError, match=r"disagree.*/a .*/c "):
        training_contract([a, c], "gt2d", XYCD)
    # an XY lifter may mix a depth table with a no-depth one (it reads neither's depth); the keypoint definition
    # still has to agree
    no_depth = table("no_depth", InputContract(keypoint_definition="h36m"))
    assert training_contract([a, no_depth, c], "gt2d", ["x", "y"]) == InputContract(keypoint_definition="h36m")
    with pytest.raises(ValueError, match="disagree"):
        training_contract([a, no_depth], "gt2d", XYCD)
    coco = table("coco", InputContract(), gt2d="coco")
    with pytest.raises(ValueError, match="disagree"):
        training_contract([a, coco], "gt2d", ["x", "y"])  # h36m vs coco 2D
    with pytest.warns(UserWarning, match="without an input contract"):
        assert training_contract([tmp_path], "gt2d", XYCD) is None


# ---------------------------------------------------------------------------------------------- score_fill
def test_score_fill_round_trips_through_dict_processor_and_folder(tmp_path):
    c = InputContract.metric(num_samples=16, keypoint_definition="coco")
    c = InputContract(**{**c.to_dict(), "score_fill": 0.9612})
    assert c.to_dict()["score_fill"] == 0.9612 and "score_fill" in CONTRACT_FIELDS
    assert InputContract.from_dict(json.loads(json.dumps(c.to_dict()))) == c
    p = PoseLiftingProcessor(input_channels=XYCD, num_frames=3, **c.to_dict())
    assert p.score_fill == 0.9612 and p.input_contract == c
    p.save_pretrained(tmp_path)
    assert json.loads((tmp_path / "preprocessor_config.json").read_text())["score_fill"] == 0.9612
    assert InputContract.from_pretrained(tmp_path) == c
    assert PoseLiftingProcessor.from_pretrained(tmp_path).score_fill == 0.9612
    assert InputContract(score_fill=1).score_fill == 1.0 and isinstance(InputContract(score_fill=1).score_fill, float)


def test_score_fill_is_optional_for_old_folders():
    from auglift_hf.contract import REQUIRED_FIELDS

    assert "score_fill" not in REQUIRED_FIELDS
    old = {k: v for k, v in InputContract.metric().to_dict().items() if k != "score_fill"}
    assert InputContract.from_dict(old).score_fill is None


@pytest.mark.parametrize("bad", [0, 0.0, -0.5, 1.01, 2, float("nan"), float("inf"), "0.96", True])
def test_score_fill_bad_values_are_refused_naming_the_field(bad):
    with pytest.raises(ValueError, match="`score_fill` must be a confidence in \\(0, 1\\]") as err:
        InputContract(score_fill=bad)
    assert "\n" not in str(err.value)
    data = {**InputContract.metric().to_dict(), "score_fill": bad}
    with pytest.raises(ValueError, match=r"preprocessor_config\.json: .*`score_fill` must be"):
        InputContract.from_dict(data, where="x/preprocessor_config.json")
    with pytest.raises(ValueError, match="score_fill"):
        PoseLiftingProcessor(input_channels=XYCD, score_fill=bad)


def test_score_fill_needs_a_confidence_channel():
    with pytest.raises(ValueError, match=r"`score_fill`=0.9 but input_channels \['x', 'y'\] have no confidence"):
        PoseLiftingProcessor(input_channels=["x", "y"], score_fill=0.9)
    # a processor without the other contract fields may still carry it (and saves it)
    p = PoseLiftingProcessor(input_channels=["x", "y", "c"], score_fill=0.9)
    assert p.input_contract is None and p.to_dict()["score_fill"] == 0.9


def test_score_fill_for_contract_legacy_and_xy():
    from auglift_hf.contract import LEGACY_SCORE_FILL, fill_scores, score_fill_for

    value, note = score_fill_for(PoseLiftingProcessor(input_channels=["x", "y", "c"], score_fill=0.95), "lifter-a")
    assert value == 0.95 and "c = 0.95" in note and "lifter-a" in note and "\n" not in note
    value, note = score_fill_for(PoseLiftingProcessor(input_channels=["x", "y", "c"]), "old-folder")
    assert value == LEGACY_SCORE_FILL == 1.0
    assert "old-folder" in note and "no `score_fill`" in note and "c = 1" in note
    assert score_fill_for(PoseLiftingProcessor(input_channels=["x", "y"]), "xy") == (None, None)
    presence = [[1.0] * 16 + [0.0], [0.5] * 17]
    scores, value, _ = fill_scores(PoseLiftingProcessor(input_channels=["x", "y", "c"], score_fill=0.9), presence)
    assert value == 0.9 and scores.dtype.name == "float32"
    assert scores[0, 0] == pytest.approx(0.9) and scores[0, 16] == 0.0 and scores[1, 3] == pytest.approx(0.45)
    scores, value, note = fill_scores(PoseLiftingProcessor(input_channels=["x", "y"]), presence)
    assert value is None and note is None and scores[0, 0] == 1.0


@pytest.mark.parametrize("name", ["poseformer-xycd", "poseformer-casp", "tcn-27f-xycd", "tcn-27f-casp"])
def test_shipped_score_fill_is_the_training_table_median(name):
    """Provenance: where the training table named in training_config.json is on this machine, re-measure it."""
    from auglift_hf.training.data import training_score_fill

    folder = ROOT / "checkpoints" / name
    data = json.loads((folder / "training_config.json").read_text())["data"]
    tables = data["train_datasets"]
    if not all(Path(t).is_dir() for t in tables):
        pytest.skip(f"training tables {tables} are not on this machine")
    measured = training_score_fill(tables, data["dataset_config"], data["train_split"], data.get("train_weights"))
    assert InputContract.from_pretrained(folder).score_fill == measured == _shipped_score_fill(folder)


# ---------------------------------------------------------------------------------------------- frame_rate
def test_frame_rate_round_trips_through_dict_processor_and_folder(tmp_path):
    c = InputContract(**{**InputContract.metric(num_samples=16).to_dict(), "frame_rate": 25})
    assert c.frame_rate == 25.0 and isinstance(c.frame_rate, float) and "frame_rate" in CONTRACT_FIELDS
    assert c.to_dict()["frame_rate"] == 25.0
    assert InputContract.from_dict(json.loads(json.dumps(c.to_dict()))) == c
    p = PoseLiftingProcessor(input_channels=XYCD, num_frames=27, **c.to_dict())
    assert p.frame_rate == 25.0 and p.input_contract == c
    p.save_pretrained(tmp_path)
    assert json.loads((tmp_path / "preprocessor_config.json").read_text())["frame_rate"] == 25.0
    assert InputContract.from_pretrained(tmp_path) == c
    assert PoseLiftingProcessor.from_pretrained(tmp_path).frame_rate == 25.0
    # a processor without the other contract fields may carry it too (and saves it)
    legacy = PoseLiftingProcessor(input_channels=["x", "y"], num_frames=9, frame_rate=50)
    assert legacy.input_contract is None and legacy.to_dict()["frame_rate"] == 50.0


def test_frame_rate_is_optional_for_old_folders():
    from auglift_hf.contract import REQUIRED_FIELDS

    assert "frame_rate" not in REQUIRED_FIELDS
    old = {k: v for k, v in InputContract.metric().to_dict().items() if k != "frame_rate"}
    assert InputContract.from_dict(old).frame_rate is None
    assert "frame_rate" not in PoseLiftingProcessor(input_channels=["x", "y"]).to_dict()  # legacy: nothing written


@pytest.mark.parametrize("bad", [0, 0.0, -25.0, -1, float("nan"), float("inf"), float("-inf"), "25", True, [25.0]])
def test_frame_rate_bad_values_are_refused_naming_the_field(bad):
    with pytest.raises(ValueError, match=r"`frame_rate` must be a frame rate in Hz, a finite number > 0") as err:
        InputContract(frame_rate=bad)
    assert "\n" not in str(err.value)
    data = {**InputContract.metric().to_dict(), "frame_rate": bad}
    with pytest.raises(ValueError, match=r"preprocessor_config\.json: .*`frame_rate` must be") as err:
        InputContract.from_dict(data, where="x/preprocessor_config.json")
    assert "\n" not in str(err.value)
    with pytest.raises(ValueError, match="`frame_rate`"):
        PoseLiftingProcessor(input_channels=["x", "y"], num_frames=27, frame_rate=bad)


def test_frame_rate_for_temporal_single_frame_and_old_folders():
    from auglift_hf.contract import frame_rate_for

    assert frame_rate_for(PoseLiftingProcessor(num_frames=27, frame_rate=25.0), "tcn") == (25.0, None)
    assert frame_rate_for(PoseLiftingProcessor(num_frames=1, frame_rate=25.0), "sb") == (None, None)
    assert frame_rate_for(PoseLiftingProcessor(num_frames=1), "sb") == (None, None)
    value, note = frame_rate_for(PoseLiftingProcessor(num_frames=27), "old-tcn")
    assert value is None and "old-tcn" in note and "no `frame_rate`" in note and "\n" not in note


#: frame_rate of the shipped lifters: the fps column of their training tables (/work/cache/i14c train_*: 25 Hz H36M).
SHIPPED_FRAME_RATE = 25.0


@pytest.mark.parametrize(
    "name",
    ["poseformer-xy", "poseformer-xycd", "poseformer-casp", "tcn-27f-xy", "tcn-27f-xycd", "tcn-27f-casp",
     "tcn-27f-xy-h36m", "tcn-27f-xy-h36m-anyview", "tcn-27f-xy-mix"],
)  # fmt: skip
def test_shipped_checkpoints_record_their_frame_rate(name):
    folder = ROOT / "checkpoints" / name
    raw = json.loads((folder / "preprocessor_config.json").read_text())
    assert raw["frame_rate"] == SHIPPED_FRAME_RATE and raw["num_frames"] > 1
    assert InputContract.from_pretrained(folder).frame_rate == SHIPPED_FRAME_RATE


def test_every_shipped_folder_records_a_frame_rate():
    folders = sorted(p.parent for p in (ROOT / "checkpoints").glob("*/preprocessor_config.json"))
    assert folders
    for folder in folders:
        raw = json.loads((folder / "preprocessor_config.json").read_text())
        assert raw.get("frame_rate") == SHIPPED_FRAME_RATE, folder.name


@pytest.mark.parametrize(
    "name",
    ["poseformer-xy", "poseformer-xycd", "tcn-27f-xy-h36m", "tcn-27f-xy-h36m-anyview", "tcn-27f-xy-mix",
     "simplebaseline-xyd-h36m-poseaug"],
)  # fmt: skip
def test_shipped_frame_rate_is_the_training_tables_fps(name):
    """Provenance: where the training tables named in training_config.json are on this machine, re-read them."""
    from auglift_hf.training.data import training_frame_rate

    folder = ROOT / "checkpoints" / name
    data = json.loads((folder / "training_config.json").read_text())["data"]
    tables = data["train_datasets"]
    if not all(Path(t).is_dir() for t in tables):
        pytest.skip(f"training tables {tables} are not on this machine")
    measured = training_frame_rate(tables, data["dataset_config"], data["train_split"])
    assert InputContract.from_pretrained(folder).frame_rate == measured == SHIPPED_FRAME_RATE
