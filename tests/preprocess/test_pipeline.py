"""The "pose-lifting" pipeline, keypoint JSON reading and the `auglift lift` CLI (tiny random lifters, offline)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from auglift_hf.preprocess.io_keypoints import parse_keypoints, read_keypoints_json
from auglift_hf.preprocess.pipeline import fill_invalid_frames
from auglift_hf.preprocess.testing import MarkerDetector, MarkerPose, PlaneDepth, coco_pose, marker_image
from auglift_hf.skeleton import coco_to_h36m


def _save_lifter(folder, channels, kind="tcn"):
    import torch

    import auglift_hf.models  # noqa: F401
    from auglift_hf.models import SimpleBaselineConfig, SimpleBaselineForPoseLifting, TCNConfig, TCNForPoseLifting
    from auglift_hf.processing_lifting import PoseLiftingProcessor

    torch.manual_seed(0)
    if kind == "tcn":
        model = TCNForPoseLifting(TCNConfig(filter_widths=[3], channels=16, input_channels=list(channels)))
        frames = 3
    else:
        model = SimpleBaselineForPoseLifting(
            SimpleBaselineConfig(hidden_size=32, num_blocks=1, input_channels=list(channels))
        )
        frames = 1
    model.eval().save_pretrained(folder)
    PoseLiftingProcessor(input_channels=list(channels), num_frames=frames).save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def lifters(tmp_path_factory):
    root = tmp_path_factory.mktemp("lifters")
    return {
        "xycd": _save_lifter(root / "tcn-xycd", ["x", "y", "c", "d", "d_min", "d_max"]),
        "xy": _save_lifter(root / "sb-xy", ["x", "y"], kind="simple_baseline"),
    }


@pytest.fixture(scope="module")
def lift_pipeline():
    import auglift_hf.models  # noqa: F401
    from auglift_hf.preprocess import register_pipeline

    register_pipeline()
    register_pipeline()  # idempotent
    from transformers import pipeline

    return pipeline


def test_pipeline_on_marker_frames_with_fake_backends(lifters, lift_pipeline):
    lifter = lift_pipeline(
        "pose-lifting", model=str(lifters["xycd"]), device="cpu", detector=MarkerDetector(),
        pose_estimator=MarkerPose(), depth_estimator=PlaneDepth(),
    )  # fmt: skip
    frames = [marker_image(coco_pose(2.0 * i)) for i in range(4)]
    frames[2] = marker_image(np.zeros((0, 2)))  # nobody in frame 2
    out = lifter({"frames": frames}, return_depth_map=True)
    assert out["keypoints_3d"].shape == (4, 17, 3) and np.isfinite(out["keypoints_3d"]).all()
    np.testing.assert_allclose(out["keypoints_3d"][:, 0], 0.0, atol=1e-3)  # root-relative
    assert out["valid"].tolist() == [True, True, False, True]
    expected = coco_to_h36m(np.concatenate([coco_pose(2.0), np.full((17, 1), 0.8, np.float32)], -1))
    np.testing.assert_allclose(out["keypoints_2d"][1], expected[:, :2], atol=1e-4)
    assert out["depth"].shape == (4, 17, 3) and out["depth_map"].shape == (4, 96, 128)
    assert out["joint_names"][0] == "pelvis" and out["image_size"] == (128, 96)
    assert (out["keypoints_2d"][2] == 0).all()  # reported as found (nobody); lifted from its nearest valid frame
    single = lifter(marker_image(coco_pose()))
    assert single["keypoints_3d"].shape == (1, 17, 3)


def test_pipeline_keypoint_array_and_missing_depth_warning(lifters, lift_pipeline):
    kp = np.stack([coco_to_h36m(coco_pose(i))[None] for i in range(5)])[:, 0]
    xy = lift_pipeline("pose-lifting", model=str(lifters["xy"]), device="cpu")
    out = xy(kp, image_size=(128, 96))
    assert out["keypoints_3d"].shape == (5, 17, 3) and out["input_channels"] == ["x", "y"]
    xycd = lift_pipeline("pose-lifting", model=str(lifters["xycd"]), device="cpu")
    with pytest.warns(UserWarning, match="zero depth"):
        out = xycd(kp, image_size=(128, 96))
    assert np.isfinite(out["keypoints_3d"]).all()
    with pytest.raises(ValueError, match="--image-size"):  # never guessed (issue 12 item 4)
        xy(kp)


def test_tiny_hf_backends_through_pipeline_on_real_video(lifters, lift_pipeline, tiny_backends, shared_data):
    lifter = lift_pipeline(
        "pose-lifting", model=str(lifters["xycd"]), device="cpu", detector=str(tiny_backends["detector"]),
        pose_estimator=str(tiny_backends["pose"]), depth_estimator=str(tiny_backends["depth"]), detector_threshold=0.0,
    )  # fmt: skip
    out = lifter(str(shared_data / "video" / "street_demo.mp4"), return_depth_map=True)
    assert out["keypoints_3d"].shape == (5, 17, 3) and out["fps"] == pytest.approx(5.0)
    assert out["depth_map"].shape == (5, 540, 960)
    for key in ("keypoints_3d", "keypoints_2d", "scores", "depth"):
        assert np.isfinite(out[key]).all(), key
    assert ((out["scores"] >= 0) & (out["scores"] <= 1)).all()


def test_fill_invalid_frames_nearest():
    valid = np.array([False, True, False, False, True, False])
    (filled,) = fill_invalid_frames(valid, np.arange(6))
    assert filled.tolist() == [1, 1, 1, 4, 4, 4]


def test_alphapose_and_own_json(tmp_path):
    entries = []
    for frame, shift in ((0, 0.0), (2, 4.0)):
        coco = np.concatenate([coco_pose(shift), np.full((17, 1), 0.9)], -1)
        halpe = np.concatenate([coco, np.ones((9, 3))])  # Halpe-26: COCO-17 first
        entries.append(
            {"image_id": f"{frame}.jpg", "category_id": 1, "keypoints": halpe.ravel().tolist(), "score": 2.0}
        )
        worse = halpe.copy()
        worse[:, 0] += 50
        entries.append({"image_id": f"{frame}.jpg", "keypoints": worse.ravel().tolist(), "score": 1.0})
    path = tmp_path / "ap.json"
    path.write_text(json.dumps(entries))
    seq = read_keypoints_json(path)
    assert seq.frame_index.tolist() == [0, 1, 2]  # the gap is interpolated, with score 0
    np.testing.assert_allclose(seq.keypoints[0], coco_to_h36m(coco_pose(0.0)), atol=1e-4)
    np.testing.assert_allclose(seq.keypoints[1], coco_to_h36m(coco_pose(2.0)), atol=1e-4)
    assert seq.scores[1].max() == 0 and seq.scores[0].min() == pytest.approx(0.9)
    own = parse_keypoints(
        {"keypoints_2d": seq.keypoints.tolist(), "scores": seq.scores.tolist(), "image_size": [128, 96]}
    )
    assert own.image_size == (128, 96) and np.allclose(own.keypoints, seq.keypoints)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"image_id": "0.jpg", "keypoints": [1, 2, 3]}]))
    with pytest.raises(ValueError, match="bad.json"):
        read_keypoints_json(bad)
    with pytest.raises(ValueError, match="not valid JSON"):
        (tmp_path / "x.json").write_text("{")
        read_keypoints_json(tmp_path / "x.json")


def test_lift_cli_real_alphapose(lifters, shared_data, tmp_path, capsys):
    from auglift_hf.cli import main

    src = shared_data / "wild" / "walking_woman_alphapose.json"
    out, plot = tmp_path / "lifted.json", tmp_path / "lifted.png"
    code = main(["lift", str(src), "--model", str(lifters["xycd"]), "--out", str(out), "--plot", str(plot),
                 "--image-size", "1812", "1004", "--device", "cpu"])  # fmt: skip
    assert code == 0
    res = json.loads(out.read_text())
    k3 = np.asarray(res["keypoints_3d"])
    assert k3.shape == (44, 17, 3) and np.isfinite(k3).all()
    assert np.asarray(res["keypoints_2d"]).shape == (44, 17, 2) and np.asarray(res["scores"]).shape == (44, 17)
    assert len(res["joint_names"]) == 17 and res["input_channels"][:2] == ["x", "y"]
    assert plot.stat().st_size > 1000 and plot.read_bytes()[:4] == b"\x89PNG"
    npz = tmp_path / "lifted.npz"
    # never guessed: the real file has no size and its video is named walking_woman.mp4 (not the JSON's stem)
    assert main(["lift", str(src), "--model", str(lifters["xy"]), "--out", str(npz), "--device", "cpu"]) == 2
    assert "--image-size" in capsys.readouterr().err and not npz.exists()
    # an exact sibling (same stem) gives the size as displayed
    (tmp_path / "clip.json").write_bytes(src.read_bytes())
    (tmp_path / "clip.mp4").symlink_to(shared_data / "wild" / "walking_woman.mp4")
    assert main(["lift", str(tmp_path / "clip.json"), "--model", str(lifters["xy"]), "--out", str(npz)]) == 0
    with np.load(npz) as data:
        assert data["keypoints_3d"].shape == (44, 17, 3) and data["image_size"].tolist() == [1812, 1004]
    assert main(["lift", str(src), "--model", str(lifters["xy"]), "--out", str(tmp_path / "x.txt")]) == 2
