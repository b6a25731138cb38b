"""Readers on the real research samples in ../shared/data (skipped when absent)."""

from __future__ import annotations

import json

import datasets
import numpy as np

from auglift_hf.camera import load_mmpose_cameras, project, world_to_camera
from auglift_hf.data import PoseWindowDataset, read_3dhp_mmpose, read_h36m_mmpose
from auglift_hf.data.cli import main as convert_main


def test_h36m_mmpose_npz_reproduced_from_world_and_cameras(shared_data):
    h36m = shared_data / "h36m"
    cams = load_mmpose_cameras(h36m / "cameras.pkl")
    raw = np.load(h36m / "test_h36m_body3d.npz", allow_pickle=False)
    coco = json.load(open(h36m / "h36m_coco.json"))
    images = {im["id"]: im["file_name"] for im in coco["images"]}
    for ann in coco["annotations"]:
        name = images[ann["image_id"]]
        i = next(k for k, n in enumerate(raw["imgname"]) if n.endswith(name))
        subject, cam_id = name.split("_")[0], name.split(".")[1].split("_")[0]
        cam = cams[(subject, cam_id)]
        world = np.asarray(ann["keypoints_3d"]).reshape(17, 4)[:, :3]
        S = world_to_camera(world, cam["R"], cam["T"])
        np.testing.assert_allclose(S, raw["S"][i, :, :3], atol=1e-5)
        np.testing.assert_allclose(project(S, cam["f"], cam["c"], cam["k"], cam["p"]), raw["part"][i, :, :2], atol=0.2)
    recs = read_h36m_mmpose(h36m / "test_h36m_body3d.npz", cams)
    assert {r.split for r in recs} == {"train"} and len(recs) == 4
    for r in recs:
        np.testing.assert_allclose(
            project(
                r.keypoints_3d, r.focal, r.center, cams[(r.subject, r.camera)]["k"], cams[(r.subject, r.camera)]["p"]
            ),
            r.keypoints_2d,
            atol=0.2,
        )


def test_3dhp_mmpose_samples(shared_data):
    d = shared_data / "mpi_inf_3dhp"
    recs = read_3dhp_mmpose(d / "test_3dhp_train.npz", [d / "cameras_train.pkl"]) + read_3dhp_mmpose(
        d / "test_3dhp_test.npz", [d / "cameras_test.pkl"]
    )
    assert {r.split for r in recs} == {"train", "test"}
    for r in recs:
        k = r.keypoints_3d[0]
        dist = np.linalg.norm(k - k[0], axis=-1)  # orientation-free (one sample lies horizontally)
        assert dist[10] > dist[9] > dist[8] > dist[7] > 0  # head top, nose, thorax, spine: mapped by name
        np.testing.assert_allclose(project(r.keypoints_3d, r.focal, r.center), r.keypoints_2d, atol=15.0)
        assert r.image_size == (2048, 2048)


def test_videopose3d_motion_s9_s11_converted(shared_data, tmp_path):
    h36m = shared_data / "h36m"
    out = tmp_path / "h36m"
    argv = ["h36m", "--positions-3d", str(h36m / "data_3d_h36m_fk25.npz"), "--cameras", str(h36m / "cameras.pkl"),
            "--out", str(out), "--subjects", "S9", "S11", "--max-frames", "40", "--stride", "5", "--no-progress"]  # fmt: skip
    assert convert_main(argv) == 0
    test = datasets.load_dataset(str(out), "gt2d", split="test").with_format("numpy")
    assert set(np.unique(test["subject"])) == {"S9", "S11"} and len(np.unique(test["camera"])) == 4
    assert float(test["fps"][0]) == 5.0
    k2, k3 = np.stack(test["keypoints_2d"]), np.stack(test["keypoints_3d"])
    assert (k2 >= 0).all() and (k2[..., 0] < 1000).all() and (k2[..., 1] < 1002).all()  # every joint in the image
    assert 3.0 < np.median(k3[..., 0, 2]) < 7.0  # camera distance ~5 m
    bones = np.linalg.norm(k3[:, 2] - k3[:, 1], axis=-1)  # r_thigh: same length in every view and frame (FK motion)
    assert bones.std() < 1e-3
    windows = PoseWindowDataset(out, split="test", window_size=27, channels="x,y,c", flip_prob=0.5)
    batch = windows.get_batch(np.arange(8))
    assert batch["keypoints"].shape == (8, 27, 17, 3) and batch["keypoints"][..., :2].abs().max() <= 1.01
