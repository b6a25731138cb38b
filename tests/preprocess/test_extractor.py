"""XYCDExtractor: geometry with fake backends that measure a synthetic image; the real HF path with tiny models."""

from __future__ import annotations

import numpy as np
import pytest

from auglift_hf.preprocess import XYCDExtractor
from auglift_hf.preprocess.detector import box_iou, nms
from auglift_hf.preprocess.testing import MarkerDetector, MarkerPose, PlaneDepth, coco_pose, marker_image, plane_depth
from auglift_hf.skeleton import coco_to_h36m


def test_geometry_known_keypoints_and_depth(fake_backends):
    ex = XYCDExtractor(**fake_backends, depth_mode="point")
    truth = coco_pose(5.0)
    out = ex([marker_image(truth)], return_depth_maps=True)
    assert out["valid"].tolist() == [True]
    np.testing.assert_allclose(out["keypoints_coco"][0, :, :2], truth, atol=1e-4)
    expected = coco_to_h36m(np.concatenate([truth, np.full((17, 1), 0.8, np.float32)], -1))
    np.testing.assert_allclose(out["keypoints_2d"][0], expected[:, :2], atol=1e-4)
    np.testing.assert_allclose(out["keypoint_scores"][0], 0.8, atol=1e-6)
    # point depth at every H36M joint (including synthesised ones between pixels) = the plane there
    u, v = expected[:, 0], expected[:, 1]
    np.testing.assert_allclose(out["depth"][0, :, 0], 2.0 + 0.01 * u + 0.02 * v, rtol=1e-5)
    assert out["depth_valid"].all()
    assert out["depth_maps"][0].shape == marker_image(truth).shape[:2]
    assert ex.depth_channels == ("d",) and ex.depth_kind == "metric"


def test_casp_on_plane_brackets_point_depth(fake_backends):
    out = XYCDExtractor(**fake_backends, depth_mode="casp")([marker_image(coco_pose())])
    d, dmin, dmax = np.moveaxis(out["depth"][0], -1, 0)
    assert (dmin <= d + 1e-6).all() and (d <= dmax + 1e-6).all()
    kp = out["keypoints_2d"][0]
    np.testing.assert_allclose(d, 2.0 + 0.01 * kp[:, 0] + 0.02 * kp[:, 1], atol=0.03)


def test_mixed_sizes_batch_and_nobody(fake_backends):
    ex = XYCDExtractor(**fake_backends, depth_mode="point")
    big = np.zeros((150, 200, 3), np.uint8)
    big[:96, :128] = marker_image(coco_pose())
    empty = marker_image(np.zeros((0, 2)))
    out = ex([big, empty, marker_image(coco_pose(10))])
    assert out["frame"].tolist() == [0, 1, 2]
    assert out["valid"].tolist() == [True, False, True]
    assert out["num_people"].tolist() == [1, 0, 1]
    assert out["image_width"].tolist() == [200, 128, 128]
    for key in ("keypoints_2d", "keypoint_scores", "depth", "bbox"):
        assert np.isfinite(out[key]).all()
    assert (out["keypoints_2d"][1] == 0).all() and (out["depth"][1] == 0).all()
    kp = out["keypoints_2d"][0]
    np.testing.assert_allclose(
        out["depth"][0, :, 0], plane_depth(150, 200)[0, 0] + 0.01 * kp[:, 0] + 0.02 * kp[:, 1], rtol=1e-5
    )


def test_multi_person_rows():
    class TwoPeople(MarkerDetector):
        def __call__(self, images):
            dets = super().__call__(images)
            for d in dets:
                d.boxes = np.concatenate([d.boxes, d.boxes + 1.0])
                d.scores = np.array([0.5, 0.9], np.float32)
            return dets

    ex = XYCDExtractor(TwoPeople(), MarkerPose(), PlaneDepth(), multi_person=True)
    out = ex([marker_image(coco_pose())] * 2)
    assert out["frame"].tolist() == [0, 0, 1, 1]
    assert out["person"].tolist() == [0, 1, 0, 1]
    np.testing.assert_allclose(out["bbox_score"], [0.9, 0.5, 0.9, 0.5])
    single = XYCDExtractor(TwoPeople(), MarkerPose(), PlaneDepth())([marker_image(coco_pose())])
    assert len(single["frame"]) == 1 and single["bbox_score"][0] == pytest.approx(0.9)


def test_no_depth_backend_gives_zero_channels(fake_backends):
    ex = XYCDExtractor(fake_backends["detector"], fake_backends["pose_estimator"], None)
    out = ex([marker_image(coco_pose())])
    assert out["depth"].shape == (1, 17, 0) and ex.depth_channels == () and ex.describe()["depth_kind"] == "none"


def test_nms_and_iou():
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30]], np.float32)
    scores = np.array([0.5, 0.9, 0.7], np.float32)
    assert nms(boxes, scores, 0.5).tolist() == [1, 2]
    assert box_iou(boxes[:1], boxes[:1])[0, 0] == pytest.approx(1.0)
    assert box_iou(boxes[:1], boxes[2:])[0, 0] == 0.0


def test_bad_backend_output_raises(fake_backends):
    class Broken(MarkerPose):
        def __call__(self, images, boxes):
            return super().__call__(images, boxes)[:-1]

    ex = XYCDExtractor(fake_backends["detector"], Broken(), None)
    with pytest.raises(ValueError, match="pose estimator returned"):
        ex([marker_image(coco_pose())])
    with pytest.raises(ValueError, match="depth_mode"):
        XYCDExtractor(fake_backends["detector"], MarkerPose(), None, depth_mode="mean")


# --------------------------------------------------------------------------------------------------------
# the real transformers code path with tiny random-weight models
# --------------------------------------------------------------------------------------------------------


def test_tiny_hf_backends_geometry(tiny_backends):
    from auglift_hf.preprocess.depth import HFDepthEstimator
    from auglift_hf.preprocess.detector import HFPersonDetector
    from auglift_hf.preprocess.pose2d import HFPoseEstimator

    rng = np.random.default_rng(0)
    img = rng.integers(0, 255, (90, 160, 3), dtype=np.uint8)
    det = HFPersonDetector(str(tiny_backends["detector"]), threshold=0.0)
    (d,) = det([img])
    assert d.boxes.shape[1] == 4 and (d.boxes[:, [0, 2]] <= 160).all() and (d.boxes[:, [1, 3]] <= 90).all()
    assert (d.boxes >= 0).all() and np.all(np.diff(d.scores) <= 0)
    pose = HFPoseEstimator(str(tiny_backends["pose"]))
    box = np.array([[40.0, 10.0, 100.0, 80.0]], np.float32)
    ((kp, sc),) = pose([img], [box])
    assert kp.shape == (1, 17, 2) and sc.shape == (1, 17)
    # keypoints come back in original pixels: inside VitPose's crop (the box grown to the 48:64 aspect, x1.25),
    # up to one heatmap cell (crop / 12 x 16 heatmap) of sub-pixel refinement
    cx, cy, bw, bh = 70.0, 45.0, 60.0, 70.0
    crop_w, crop_h = max(bw, bh * 48 / 64) * 1.25, max(bh, bw * 64 / 48) * 1.25
    half_w, half_h = crop_w / 2 + crop_w / 12, crop_h / 2 + crop_h / 16
    assert (np.abs(kp[0, :, 0] - cx) <= half_w).all() and (np.abs(kp[0, :, 1] - cy) <= half_h).all()
    depth = HFDepthEstimator(str(tiny_backends["depth"]))
    (m,) = depth([img])
    # the package default is metric depth (tiny_backends saves the metric variant: sigmoid head x max_depth 20 m)
    assert m.shape == (90, 160) and np.isfinite(m).all() and depth.kind == "metric" and depth.max_depth == 20.0
    assert ((m > 0) & (m < 20.0)).all()


def test_tiny_hf_extractor_on_real_images(tiny_backends, shared_data):
    ex = XYCDExtractor(
        str(tiny_backends["detector"]), str(tiny_backends["pose"]), str(tiny_backends["depth"]),
        detector_threshold=0.0, device="cpu",
    )  # fmt: skip
    paths = sorted((shared_data / "images").iterdir())
    out = ex([str(p) for p in paths], return_depth_maps=True)
    assert out["frame"].tolist() == list(range(len(paths)))
    from PIL import Image

    for i, p in enumerate(paths):
        w, h = Image.open(p).size
        assert (out["image_width"][i], out["image_height"][i]) == (w, h)
        assert out["depth_maps"][i].shape == (h, w)
    for key in ("keypoints_2d", "keypoint_scores", "depth", "bbox", "bbox_score"):
        assert np.isfinite(out[key]).all(), key
    assert out["keypoints_2d"].shape == (len(paths), 17, 2) and out["depth"].shape == (len(paths), 17, 3)
    assert ((out["keypoint_scores"] >= 0) & (out["keypoint_scores"] <= 1)).all()
    # a detector threshold nobody passes: frames are kept, marked invalid, NaN-free
    strict = XYCDExtractor(str(tiny_backends["detector"]), str(tiny_backends["pose"]), None, detector_threshold=1.01)
    out = strict([str(paths[0])])
    assert out["valid"].tolist() == [False] and np.isfinite(out["keypoints_2d"]).all()


def test_backbone_features_at_keypoints(tmp_path, fake_backends):
    """AugLift V2: the feature at a keypoint on a patch centre is exactly that patch's token."""
    import torch
    from transformers import Dinov2Config, Dinov2Model

    from auglift_hf.preprocess.features import BackboneFeatureSampler

    torch.manual_seed(0)
    Dinov2Model(Dinov2Config(image_size=56, patch_size=14, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                             intermediate_size=32)).save_pretrained(tmp_path / "dino")  # fmt: skip
    sampler = BackboneFeatureSampler(str(tmp_path / "dino"), short_side=56)
    img = np.random.default_rng(0).integers(0, 255, (56, 84, 3), dtype=np.uint8)
    kp = np.full((1, 17, 2), 6.5, np.float32)
    kp[0, 1] = (14 * 4 + 6.5, 14 * 2 + 6.5)  # centre of cell (row 2, col 4)
    feats = sampler([img], kp, np.array([0]))
    assert feats.shape == (1, 17, 16)
    x = (img.astype(np.float32) / 255 - sampler.mean) / sampler.std
    with torch.no_grad():
        tokens = sampler.model(pixel_values=torch.from_numpy(x).permute(2, 0, 1)[None]).last_hidden_state[0, 1:]
    np.testing.assert_allclose(feats[0, 0], tokens[0].numpy(), atol=1e-4)
    np.testing.assert_allclose(feats[0, 1], tokens[2 * 6 + 4].numpy(), atol=1e-4)
    ex = XYCDExtractor(**fake_backends, feature_extractor=sampler)
    out = ex([marker_image(coco_pose())])
    assert out["features"].shape == (1, 17, 16) and np.isfinite(out["features"]).all()
