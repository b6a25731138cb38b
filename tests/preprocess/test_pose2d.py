"""VitPose backend: optional 2D flip test (COCO flip pairs) and ViTPose++ (mixture-of-experts) configs."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from auglift_hf.preprocess.pose2d import HFPoseEstimator
from auglift_hf.skeleton import COCO_FLIP_PAIRS

BOX = np.array([[30.0, 10.0, 90.0, 80.0]], np.float32)


def _image() -> np.ndarray:
    return np.random.default_rng(0).integers(0, 255, (96, 128, 3), dtype=np.uint8)


def _manual(est: HFPoseEstimator, img: np.ndarray, flip: bool, **kwargs) -> np.ndarray:
    xywh = [np.concatenate([BOX[:, :2], BOX[:, 2:] - BOX[:, :2]], 1).tolist()]
    pv = est.processor(images=[img], boxes=xywh, return_tensors="pt")["pixel_values"]
    with torch.no_grad():
        out = est.model(pixel_values=pv, **kwargs)
        if flip:
            # flip back by hand: mirror the heatmaps and swap COCO's left/right channels
            perm = list(range(17))
            for a, b in COCO_FLIP_PAIRS:
                perm[a], perm[b] = b, a
            mirrored = est.model(pixel_values=pv.flip(-1), **kwargs).heatmaps[:, perm].flip(-1)
            out.heatmaps = 0.5 * (out.heatmaps + mirrored)
    res = est.processor.post_process_pose_estimation(out, boxes=xywh)
    return res[0][0]["keypoints"].numpy(), res[0][0]["scores"].numpy()


@pytest.mark.parametrize("variant", ["pose", "pose_plus"])
def test_pose_flip_test_averages_flipped_back_heatmaps(tiny_backends, variant):
    est = HFPoseEstimator(str(tiny_backends[variant]), device="cpu")
    flip = HFPoseEstimator(str(tiny_backends[variant]), device="cpu", flip_test=True)
    kwargs = {"dataset_index": torch.zeros(1, dtype=torch.long)} if variant == "pose_plus" else {}
    img = _image()
    ((kp, sc),) = est([img], [BOX])
    ((kpf, scf),) = flip([img], [BOX])
    mk, ms = _manual(est, img, False, **kwargs)
    mkf, msf = _manual(est, img, True, **kwargs)
    np.testing.assert_allclose(kp[0], mk, atol=1e-3)
    np.testing.assert_allclose(kpf[0], mkf, atol=1e-3)
    np.testing.assert_allclose(scf[0], msf, atol=1e-5)
    assert np.abs(scf - sc).max() > 1e-4  # the flip test changes the random model's output


def test_vitpose_plus_config_has_experts(tiny_backends):
    cfg = json.loads((tiny_backends["pose_plus"] / "config.json").read_text())
    assert cfg["backbone_config"]["num_experts"] == 6
    plain = json.loads((tiny_backends["pose"] / "config.json").read_text())
    assert plain["backbone_config"].get("num_experts", 1) == 1
    assert HFPoseEstimator(str(tiny_backends["pose_plus"]), device="cpu")._moe
