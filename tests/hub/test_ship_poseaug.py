"""Shipping a PoseAug-trained lifter (issue 27 item 4): ``benchmarks/reference/ship.py --v4 ROOT`` accepts surface-v2
depth on the noise-free H36M-joint 2D table, records both training phases, keeps only the ground-truth-2D rows, puts the
v4 experiment's three-seed tables in the card and refuses (one line, nothing written) a PoseAug run without the v4
evaluation or one that does not beat its plain twin on a cross-dataset column."""

import json
import sys
from pathlib import Path

import pytest
from huggingface_hub import ModelCard

sys.path.insert(0, str(Path(__file__).parents[1] / "export"))
sys.path.insert(0, str(Path(__file__).parent))
import test_v4_table as v4_fixture  # noqa: E402
from auglift_tiny_lifters import save_processor  # noqa: E402
from reference_scripts import import_reference  # noqa: E402

card_data = import_reference("card_data")
ship = import_reference("ship")

ROOT = Path(__file__).resolve().parents[2]
SURFACE_TEXT = (  # the shape of build_data.py's summary "depth" text (auglift_hf.simulation.depth_source)
    "synthetic metric depth (casp, 16 sunflower samples, package encoding, surface-v2 surface body in a room/outdoor "
    "scene, seed 200); monocular depth error model: {{'severity': {sev}, 'fps': 25.0, 'preset': 'surface-v2'}}"
)
GT_DETECTOR = "noise-free H36M-joint 2D (the exact projections of the H36M-17 joints, confidence 1)"
ERRORS_DETECTOR = "H36M-joint 2D with detector errors (auglift_hf.simulation.simulate_joint_detector, seed 100)"
OPTIONS = {"warmup_epochs": 2, "adversarial_loss": "official", "feedback_error": "grouped", "rt_translation": "official",
           "keep_rule": "inside_image", "bone_length_swap": True, "hidden_size": 256}  # fmt: skip


def _condition(mpjpe, table, rows, scored):
    return {"mpjpe": mpjpe, "pa_mpjpe": mpjpe - 10, "mpjpe_action_wise": mpjpe + 1, "num_poses": scored,
            "frames": {"scored": scored, "valid": rows, "rows": rows}, "table": table, "stride": 1}  # fmt: skip


def make_run(tmp_path: Path, detector: str = GT_DETECTOR) -> tuple[Path, Path]:
    """A tiny XYD SimpleBaseline PoseAug run (phase 1 beside it) on a GT-2D surface-v2 table, and its evaluate.py json
    with GT-2D and noisy-2D rows at severity 3."""
    from auglift_hf import models

    runs = tmp_path / "runs"
    first = runs / "xyd-p1-s0" / "final"
    first.mkdir(parents=True)
    (first / "training_config.json").write_text(json.dumps({"training": {
        "num_train_epochs": 10.0, "per_device_train_batch_size": 1024, "learning_rate": 1e-3, "lr_decay": 0.8,
        "optimizer": "adam"}}))  # fmt: skip
    (first / "eval_results.json").write_text(json.dumps({"train": {"lifter_samples": 102400}}))
    final = runs / "xyd-pa-s0" / "final"
    model = models.SimpleBaselineForPoseLifting(
        models.SimpleBaselineConfig(hidden_size=32, num_blocks=1, input_channels=["x", "y", "d"])
    )
    model.save_pretrained(final)
    save_processor(final, model)
    shipped = json.loads((ROOT / "checkpoints" / "tcn-27f-xycd" / "preprocessor_config.json").read_text())
    contract = {k: shipped[k] for k in ("depth_kind", "depth_model", "depth_descriptor")}
    cfg = json.loads((final / "preprocessor_config.json").read_text())
    cfg.update(contract, keypoint_definition="h36m", frame_rate=25.0, scale_normalization="depth", reference_depth=4.5)
    (final / "preprocessor_config.json").write_text(json.dumps(cfg))
    table = tmp_path / "train_gt_surface"
    (tmp_path / "train_gt_surface_summary.json").write_text(json.dumps({
        "counts": {"gt2d": {"train": 10240}}, "detector": detector, "train_max_frames": 0,
        "depth": SURFACE_TEXT.format(sev=[2.0, 4.0])}))  # fmt: skip
    (final / "training_config.json").write_text(json.dumps({
        "data": {"train_datasets": [str(table)], "train_stride": 1, "scale_normalization": "depth",
                 "reference_depth": 4.5},
        "training": {"per_device_train_batch_size": 1024, "learning_rate": 1e-4, "lr_decay": 0.7, "optimizer": "adam",
                     "poseaug": True, "poseaug_pretrained": str(first), "poseaug_lr_schedule": "exponential",
                     "poseaug_depth_simulation": {"simulation": "surface-v2"}},
    }))  # fmt: skip
    (final / "eval_results.json").write_text(json.dumps({"train": {
        "lifter_samples": 30720, "lifter_samples_generated": 10240, "gan_iterations": 30, "poseaug_epoch": 3}}))  # fmt: skip
    (final / "poseaug_config.json").write_text(json.dumps({"config": OPTIONS, "iteration": 30}))
    surface = {"simulation": "surface-v2", "depth_error": {"severity": 3.0}}
    tables = {
        "test": {"path": str(tmp_path / "test"), "rows": 2000, "sequences": 8, "takes": 2, "depth_simulation": surface},
        "test_cmu": {"path": str(tmp_path / "test_cmu"), "rows": 900, "sequences": 4, "takes": 1,
                     "depth_simulation": surface},
    }  # fmt: skip
    res = {"stride": 1, "flip_test": True, "tables": tables, "train": {"train_runtime": 12.0}, "conditions": {
        "in-domain GT-2D": _condition(52.5, "test", 2000, 2000),
        "in-domain noisy-2D": _condition(153.5, "test", 2000, 2000),
        "CMU GT-2D": _condition(92.5, "test_cmu", 900, 900),
        "CMU noisy-2D, no depth": _condition(163.5, "test_cmu", 900, 900),
    }}  # fmt: skip
    eval_json = tmp_path / "eval" / "xyd-pa-s0.json"
    eval_json.parent.mkdir()
    eval_json.write_text(json.dumps(res))
    return final.parent, eval_json


def test_ship_poseaug_run_card_and_record(tmp_path):
    run, eval_json = make_run(tmp_path)
    v4 = v4_fixture._write(tmp_path / "v4")  # XYD + PoseAug 80 mm vs its twin 90 mm, interval half-width 2 mm
    dest = ship.ship(run, eval_json, tmp_path / "checkpoints" / "simplebaseline-xyd-h36m-poseaug", v4=v4)
    saved = json.loads((dest / "eval_results.json").read_text())
    # only the ground-truth 2D rows: the noisy-2D rows are COCO-detector 2D, not this "h36m" GT-2D lifter's input
    assert [r["config"].split(" ")[0] for r in saved["results"]] == ["gt2d", "gt2d"]
    assert all("no depth" not in r["config"] and "surface-v2" in r["data"]["depth"] for r in saved["results"])
    assert ship.DETECTOR_KEY not in saved  # ground-truth 2D: no simulated detector, no preset to name
    record = saved[ship.POSEAUG_KEY]
    assert record["phase1"]["run"] == "xyd-p1-s0" and record["phase1"]["lifter_samples"] == 102400
    assert (record["lifter_samples"], record["lifter_samples_generated"], record["gan_iterations"]) == (
        30720,
        10240,
        30,
    )
    assert record["warmup_epochs"] == 2 and record["poseaug_epochs"] == 3 and record["generated_depth"] == "surface-v2"
    assert not (dest / "poseaug_config.json").exists()  # the GAN is not shipped
    card = ModelCard.load(dest / "README.md")
    assert all(r.dataset_config.startswith("gt2d") for r in card.data.eval_results)
    text = " ".join(card.text.split())
    assert "**exact H36M-joint 2D projections** (ground-truth 2D, not a detector)" in text
    assert "trained on severities uniform in [2, 4] per sequence; evaluated at severity 3" in text
    assert "2 GAN-only warm-up epochs, then 1 PoseAug epoch(s)" in text and "30 GAN iterations" in text
    assert "30,720 lifter samples of which 10,240 generated poses" in text and "10 epochs" in text
    assert "0.7 per 10 lifter steps" in text  # 10,240 rows / 1024, the last incomplete batch dropped
    # the v4 tables, read from the evaluation (not hard-coded): the twin and the XY + PoseAug comparisons
    assert "XYD + dscale2d + PoseAug vs XYD + dscale2d (MPJPE, B - A): H36M" in text
    assert "CMU -10.0 mm (-11.1 %) [-12.0, -8.0]" in text and "| AugLift v4 paper, 3DPW (different data) |" in text
    assert "XYD + dscale2d + PoseAug vs XY + PoseAug (MPJPE, B - A)" in text
    assert "| in-domain noisy-2D |" not in card.text and "| CMU GT-2D | 92.5 |" in card.text
    assert "reads the keypoint confidence" not in text and "(XYD input)" in text
    assert "non-commercial research only" in text
    # card_data rebuilds the same card from the folder alone (the record names its GT 2D and PoseAug phase)
    results_md = (ROOT / "benchmarks" / "RESULTS.md").read_text(encoding="utf-8")
    assert card_data.rewrite(dest, results_md) == (dest / "README.md").read_text(encoding="utf-8")


def test_ship_refuses_poseaug_without_the_v4_evaluation(tmp_path, capsys):
    run, eval_json = make_run(tmp_path)
    dest = tmp_path / "checkpoints"
    capsys.readouterr()  # the tiny run's saving progress bar
    with pytest.raises(SystemExit) as err:
        ship.main(["--runs", str(run.parent), "--eval", str(eval_json.parent), "--dest", str(dest),
                   "xyd-pa-s0:simplebaseline-xyd-h36m-poseaug"])  # fmt: skip
    assert err.value.code == 2
    message = capsys.readouterr().err
    assert message.count("\n") == 1 and "trained with PoseAug" in message and "--v4 ROOT" in message
    assert not dest.exists() or not any(dest.iterdir())  # nothing written


def test_ship_refuses_poseaug_that_does_not_beat_its_twin(tmp_path):
    run, eval_json = make_run(tmp_path)
    v4 = v4_fixture._write(tmp_path / "v4", half=20.0)  # every interval contains 0
    with pytest.raises(ValueError, match="does not beat its plain twin XYD \\+ dscale2d"):
        ship.ship(run, eval_json, tmp_path / "checkpoints" / "x", v4=v4)
    assert not (tmp_path / "checkpoints" / "x").exists()
    missing = tmp_path / "nothing"
    with pytest.raises(FileNotFoundError, match="evaluation.json"):
        ship.ship(run, eval_json, tmp_path / "checkpoints" / "x", v4=missing)


def test_training_table_accepts_gt_surface_only_for_poseaug_on_noise_free_2d(tmp_path):
    run, _ = make_run(tmp_path)
    training = json.loads((run / "final" / "training_config.json").read_text())
    with pytest.raises(ValueError, match="surface-v2 depth on a legacy / H36M-joint 2D table"):
        ship.training_table(training)  # what every non-PoseAug run still gets
    info = ship.training_table(training, gt_surface=True)
    assert info["ground_truth_2d"] and info["depth_record"]["train_severity"] == [2.0, 4.0]
    assert info["table_rows"] == 10240 and "**exact H36M-joint 2D projections**" in " ".join(info["data"].split())
    errors, _ = make_run(tmp_path / "errors", detector=ERRORS_DETECTOR)  # H36M joints with detector errors: refused
    with pytest.raises(ValueError, match="H36M-joint 2D table"):
        ship.training_table(json.loads((errors / "final" / "training_config.json").read_text()), gt_surface=True)
