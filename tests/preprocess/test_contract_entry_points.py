"""Every entry point feeds a lifter the depth and descriptors of its saved contract, or refuses naming both sides;
flip test is the default; what reaches the lifter is checked (units, masking)."""

from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pytest

from auglift_hf.contract import DEFAULT_DEPTH_MODEL, InputContract, default_descriptor
from auglift_hf.preprocess.extractor import XYCDExtractor
from auglift_hf.preprocess.pipeline import fill_invalid_depth, lift_keypoints
from auglift_hf.preprocess.testing import MarkerDetector, MarkerPose, PlaneDepth, coco_pose, marker_image, plane_depth
from auglift_hf.processing_lifting import PoseLiftingProcessor

XYCD = ["x", "y", "c", "d", "d_min", "d_max"]


class RelativeDepth(PlaneDepth):
    """A relative (disparity) backend: kind matters, not values."""

    kind = "relative"
    checkpoint = "fake-relative-depth"


def _save_lifter(folder, channels, contract: InputContract | None):
    import torch

    import auglift_hf.models  # noqa: F401
    from auglift_hf.models import TCNConfig, TCNForPoseLifting

    torch.manual_seed(0)
    model = TCNForPoseLifting(TCNConfig(filter_widths=[3], channels=16, input_channels=list(channels)))
    model.eval().save_pretrained(folder)
    extra = contract.to_dict() if contract is not None else {}
    PoseLiftingProcessor(input_channels=list(channels), num_frames=3, **extra).save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def lifters(tmp_path_factory):
    root = tmp_path_factory.mktemp("contract_lifters")
    return {
        "metric": _save_lifter(root / "xycd-metric", XYCD, InputContract.metric(num_samples=16)),
        "relative": _save_lifter(
            root / "xycd-relative",
            XYCD,
            InputContract("relative", "depth-anything/Depth-Anything-V2-Small-hf", default_descriptor(), "coco"),
        ),  # fmt: skip
        "xy": _save_lifter(root / "xy", ["x", "y"], InputContract(keypoint_definition="coco")),
    }


@pytest.fixture(scope="module")
def make_pipeline():
    from transformers import pipeline

    import auglift_hf  # noqa: F401  (registers the task)

    return pipeline


# ------------------------------------------------------------------------------------------------ extractor
def test_extractor_takes_descriptor_from_contract_and_defaults_to_16_samples():
    contract = InputContract.metric(num_samples=16, gamma=1.5)
    ex = XYCDExtractor(MarkerDetector(), MarkerPose(), PlaneDepth(), contract=contract)
    assert ex.depth_mode == "casp" and ex.depth_params["num_samples"] == 16
    assert not any(d.startswith("override") for d in ex.contract_deviations)  # only notes (other model, COCO 2D)
    plain = XYCDExtractor(MarkerDetector(), MarkerPose(), PlaneDepth())
    assert plain.depth_params["num_samples"] == 16  # what the shipped lifters were trained with
    assert plain.describe()["input_contract"]["keypoint_definition"] == "coco"
    assert plain.describe()["input_contract"]["depth_kind"] == "metric"


def test_extractor_relative_backend_for_metric_contract_fails_naming_both():
    with pytest.raises(ValueError) as err:
        XYCDExtractor(
            MarkerDetector(), MarkerPose(), RelativeDepth(), contract=InputContract.metric(), lifter_name="lifterX"
        )
    msg = str(err.value)
    assert "lifterX" in msg and "depth_kind='metric'" in msg and "depth_kind='relative'" in msg
    assert "fake-relative-depth" in msg and DEFAULT_DEPTH_MODEL in msg


def test_extractor_explicit_descriptor_conflict_and_override_is_recorded():
    contract = InputContract.metric(num_samples=16)
    with pytest.raises(ValueError, match=r"num_samples=100 \(contract 16\)"):
        XYCDExtractor(
            MarkerDetector(), MarkerPose(), PlaneDepth(), depth_params={"num_samples": 100}, contract=contract
        )
    ex = XYCDExtractor(MarkerDetector(), MarkerPose(), RelativeDepth(), contract=contract, override_contract=True)
    assert any(d.startswith("override:") and "relative" in d for d in ex.contract_deviations)
    assert ex.describe()["contract_deviations"] == ex.contract_deviations


def test_extractor_without_depth_for_xy_contract():
    ex = XYCDExtractor(MarkerDetector(), MarkerPose(), contract=InputContract(keypoint_definition="coco"))
    assert ex.depth_estimator is None and ex.contract_deviations == []


def test_extractor_masks_invalid_depth_with_flag():
    class HoleDepth(PlaneDepth):
        def __call__(self, images):
            maps = super().__call__(images)
            for m in maps:
                m[:, 55:] = np.nan  # the right half of the person is invalid (e.g. beyond max_depth)
            return maps

    ex = XYCDExtractor(MarkerDetector(), MarkerPose(), HoleDepth(), depth_mode="point")
    out = ex([marker_image(coco_pose())])
    kp = out["keypoints_2d"][0]
    left = kp[:, 0] < 53
    assert out["depth_valid"][0][left].all() and not out["depth_valid"][0][kp[:, 0] > 56].any()
    assert np.isfinite(out["depth"]).all()  # table stays NaN-free; the flag says which values are placeholders


# ------------------------------------------------------------------------------------------------ pipeline
class RecordingProcessor(PoseLiftingProcessor):
    """Records the depth that reaches the lifter's processor."""

    seen: list = []

    def __call__(self, *args, **kwargs):
        RecordingProcessor.seen.append(kwargs.get("depth"))
        return super().__call__(*args, **kwargs)


def test_pipeline_metric_contract_feeds_metres_at_the_joints(lifters, make_pipeline):
    proc = RecordingProcessor.from_pretrained(lifters["metric"])
    lifter = make_pipeline(
        "pose-lifting", model=str(lifters["metric"]), device="cpu", lifting_processor=proc,
        detector=MarkerDetector(), pose_estimator=MarkerPose(), depth_estimator=PlaneDepth(),
    )  # fmt: skip
    RecordingProcessor.seen.clear()
    out = lifter({"frames": [marker_image(coco_pose(2.0 * i)) for i in range(3)]})
    fed = RecordingProcessor.seen[-1]
    assert fed.shape == (3, 17, 3) and np.isfinite(fed).all()
    # d at every joint is the plane's metric depth there (2 m + 1 cm/px + 2 cm/px), median of 16 CASP samples
    u, v = out["keypoints_2d"][..., 0], out["keypoints_2d"][..., 1]
    np.testing.assert_allclose(fed[..., 0], 2.0 + 0.01 * u + 0.02 * v, atol=0.05)
    assert out["depth_kind"] == "metric" and out["input_contract"]["depth_kind"] == "metric"
    assert out["flip_test"] is True and out["depth_valid"].all()


def test_pipeline_metric_lifter_with_relative_backend_fails_loudly(lifters, make_pipeline, tiny_backends):
    lifter = make_pipeline(
        "pose-lifting", model=str(lifters["metric"]), device="cpu", detector=MarkerDetector(),
        pose_estimator=MarkerPose(), depth_estimator=str(tiny_backends["depth_relative"]),
    )  # fmt: skip
    with pytest.raises(ValueError) as err:
        lifter({"frames": [marker_image(coco_pose())]})
    msg = str(err.value)
    assert str(lifters["metric"]) in msg and "depth_kind='metric'" in msg and "depth_kind='relative'" in msg
    assert str(tiny_backends["depth_relative"]) in msg


def test_pipeline_relative_lifter_refuses_metric_and_accepts_relative(lifters, make_pipeline, tiny_backends):
    bad = make_pipeline(
        "pose-lifting", model=str(lifters["relative"]), device="cpu", detector=MarkerDetector(),
        pose_estimator=MarkerPose(), depth_estimator=str(tiny_backends["depth_metric"]),
    )  # fmt: skip
    with pytest.raises(ValueError, match="depth_kind='relative'.*depth_kind='metric'"):
        bad({"frames": [marker_image(coco_pose())]})
    good = make_pipeline(
        "pose-lifting", model=str(lifters["relative"]), device="cpu", detector=MarkerDetector(),
        pose_estimator=MarkerPose(), depth_estimator=str(tiny_backends["depth_relative"]),
    )  # fmt: skip
    with pytest.warns(UserWarning, match="Depth-Anything-V2-Small-hf"):  # another relative checkpoint: a note
        out = good({"frames": [marker_image(coco_pose())]})
    assert out["depth_kind"] == "relative" and np.isfinite(out["keypoints_3d"]).all()


def test_pipeline_default_backend_is_the_contract_depth_model(lifters, make_pipeline, tiny_backends):
    lifter = make_pipeline(
        "pose-lifting", model=str(lifters["metric"]), device="cpu", detector=MarkerDetector(),
        pose_estimator=MarkerPose(),
    )  # fmt: skip
    from auglift_hf.preprocess import extractor as ex_mod

    built = {}

    def fake_build_depth(depth, device, dtype, local_files_only):
        built["depth"] = depth
        return PlaneDepth()

    orig = ex_mod._build_depth
    ex_mod._build_depth = fake_build_depth
    try:
        lifter({"frames": [marker_image(coco_pose())]})
    finally:
        ex_mod._build_depth = orig
    assert built["depth"] == DEFAULT_DEPTH_MODEL


def test_keypoints_into_depth_lifter_refused_unless_overridden(lifters, make_pipeline):
    kp = np.stack([coco_pose(2.0 * i) for i in range(4)])
    strict = make_pipeline("pose-lifting", model=str(lifters["metric"]), device="cpu")
    with pytest.raises(ValueError, match="provides no depth.*--override-contract"):
        strict(kp, image_size=(128, 96))
    loose = make_pipeline("pose-lifting", model=str(lifters["metric"]), device="cpu", override_contract=True)
    with pytest.warns(UserWarning, match="missing depth"):
        out = loose(kp, image_size=(128, 96))
    assert out["contract_deviations"] and out["contract_deviations"][0].startswith("override:")


def test_keypoints_into_depth_dropout_lifter_need_no_override(lifters, make_pipeline):
    """The shipped tcn-27f-xycd was trained with depth dropout: keypoints without depth are lifted with a note,
    and the missing depth is fed as the processor's fill (equal to lifting with all-NaN depth)."""
    from pathlib import Path

    from auglift_hf.contract import InputContract

    folder = Path(__file__).resolve().parents[2] / "checkpoints" / "tcn-27f-xycd"
    assert InputContract.from_pretrained(folder).missing_depth == "fill"
    kp = np.stack([coco_pose(2.0 * i) for i in range(4)])
    lift = make_pipeline("pose-lifting", model=str(folder), device="cpu")
    with pytest.warns(UserWarning, match="trained to handle"):
        out = lift(kp, image_size=(128, 96))
    assert any("trained to handle" in d for d in out["contract_deviations"])
    assert not any(d.startswith("override:") for d in out["contract_deviations"])
    assert np.isfinite(out["keypoints_3d"]).all()
    proc = PoseLiftingProcessor.from_pretrained(folder)
    h36m = np.asarray(out["keypoints_2d"])
    nan_depth = np.full(h36m.shape[:2] + (3,), np.nan)
    expected = lift_keypoints(lift.model, proc, h36m, (128, 96), scores=np.asarray(out["scores"]), depth=nan_depth)
    np.testing.assert_allclose(out["keypoints_3d"], proc.post_process(expected), atol=1e-3)


def test_flip_test_is_the_default_and_matches_library_api(lifters, make_pipeline):
    kp = np.stack([coco_pose(2.0 * i) for i in range(5)]) + 0.5
    from auglift_hf.skeleton import coco_to_h36m

    h36m = coco_to_h36m(np.concatenate([kp, np.full((5, 17, 1), 0.9)], -1))
    default = make_pipeline("pose-lifting", model=str(lifters["xy"]), device="cpu")
    out = default(h36m[..., :2], image_size=(128, 96))
    proc = PoseLiftingProcessor.from_pretrained(lifters["xy"])
    with_flip = lift_keypoints(default.model, proc, h36m[..., :2], (128, 96), flip_test=True)
    without = lift_keypoints(default.model, proc, h36m[..., :2], (128, 96), flip_test=False)
    np.testing.assert_allclose(out["keypoints_3d"], proc.post_process(with_flip), atol=1e-4)
    assert np.abs(with_flip - without).max() > 1e-4
    off = make_pipeline("pose-lifting", model=str(lifters["xy"]), device="cpu", flip_test=False)
    np.testing.assert_allclose(
        off(h36m[..., :2], image_size=(128, 96))["keypoints_3d"], proc.post_process(without), atol=1e-4
    )


def test_lift_cli_flip_test_default_equals_library_api(lifters, make_pipeline, tmp_path):
    from auglift_hf.cli import main

    kp = np.stack([coco_pose(2.0 * i) for i in range(6)]) + 0.5
    entries = [
        {"image_id": f"{i}.jpg", "category_id": 1, "keypoints": np.concatenate([k, np.full((17, 1), 0.9)], -1).ravel().tolist(), "score": 1.0}
        for i, k in enumerate(kp)
    ]  # fmt: skip
    src = tmp_path / "dets.json"
    src.write_text(json.dumps(entries))
    out = tmp_path / "out.json"
    assert main(["lift", str(src), "--model", str(lifters["xy"]), "--out", str(out), "--image-size", "128", "96",
                 "--device", "cpu"]) == 0  # fmt: skip
    res = json.loads(out.read_text())
    api = make_pipeline("pose-lifting", model=str(lifters["xy"]), device="cpu", flip_test=True)(
        str(src), image_size=(128, 96)
    )
    np.testing.assert_allclose(np.asarray(res["keypoints_3d"]), api["keypoints_3d"], atol=0.01)
    assert res["flip_test"] is True and res["input_contract"]["keypoint_definition"] == "coco"
    off = tmp_path / "off.json"
    assert main(["lift", str(src), "--model", str(lifters["xy"]), "--out", str(off), "--image-size", "128", "96",
                 "--device", "cpu", "--no-flip-test"]) == 0  # fmt: skip
    res_off = json.loads(off.read_text())
    assert res_off["flip_test"] is False
    assert np.abs(np.asarray(res_off["keypoints_3d"]) - np.asarray(res["keypoints_3d"])).max() > 0.05
    # a depth lifter refuses keypoints without depth (exit 2, message names the override)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["lift", str(src), "--model", str(lifters["metric"]), "--out", str(tmp_path / "x.json"),
                     "--image-size", "128", "96", "--device", "cpu"])  # fmt: skip
    assert code == 2 and "--override-contract" in err.getvalue() and not (tmp_path / "x.json").exists()


@pytest.mark.parametrize("command", ["lift", "preprocess"])
def test_help_names_the_default_metric_depth_model(command):
    from auglift_hf.cli import main

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), pytest.raises(SystemExit):
        main([command, "--help"])
    text = " ".join(buf.getvalue().split())
    assert DEFAULT_DEPTH_MODEL in text and "Metric" in DEFAULT_DEPTH_MODEL
    if command == "lift":
        assert "--no-flip-test" in text and "--pose-flip-test" in text and "--override-contract" in text


def test_preprocess_cli_reads_lifter_contract(lifters, tmp_path, monkeypatch):
    from auglift_hf.preprocess import cli as pcli

    seen = {}

    class Spy(XYCDExtractor):
        def __init__(self, *args, **kwargs):
            seen.update(kwargs)
            raise ValueError("stop")

    monkeypatch.setattr("auglift_hf.preprocess.extractor.XYCDExtractor", Spy)
    import argparse

    parser = argparse.ArgumentParser()
    pcli.add_arguments(parser)
    args = parser.parse_args(
        ["x.png", "--out", str(tmp_path), "--lifter", str(lifters["metric"]), "--depth-samples", "100"]
    )
    with pytest.raises(ValueError, match="stop"):
        pcli.build_extractor(args)
    assert seen["contract"] == InputContract.from_pretrained(lifters["metric"])
    assert seen["depth_params"] == {"num_samples": 100} and seen["depth_estimator"] == "default"
    assert seen["depth_mode"] is None and seen["override_contract"] is False


# ------------------------------------------------------------------------------------------------ helpers
def test_fill_invalid_depth_uses_the_frame_median_of_valid_joints():
    depth = np.arange(2 * 17 * 3, dtype=np.float32).reshape(2, 17, 3)
    valid = np.ones((2, 17), bool)
    valid[0, [0, 5]] = False
    valid[1] = False
    out = fill_invalid_depth(depth, valid)
    med = np.median(depth[0][valid[0]], axis=0)
    np.testing.assert_allclose(out[0, [0, 5]], [med, med])
    np.testing.assert_allclose(out[0, valid[0]], depth[0, valid[0]])
    assert (out[1] == 1.0).all()  # no valid joint: constant -> zero relative depth


def test_plane_units_sanity():
    assert plane_depth(2, 2)[1, 1] == pytest.approx(2.03)
