"""The real-pipeline join (auglift_hf.data.join / media): native media fixtures of the four datasets -> detector ->
2D pose -> depth -> table aligned with the 3D ground truth by timestamp."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from auglift_hf.data.join import associate, box_iou, build_xycd_table, keypoint_boxes, read_join_card

from . import media_fixtures as F

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "h36m"


@pytest.fixture(autouse=True)
def _one_torch_thread():
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def tiny_metric_backends(tmp_path_factory):
    import torch

    from auglift_hf.preprocess.testing import save_tiny_backends

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return save_tiny_backends(tmp_path_factory.mktemp("tiny_metric"), metric_depth=True)
    finally:
        torch.set_num_threads(before)


def _tiny_extractor(backends, mode="casp"):
    from auglift_hf.preprocess.extractor import XYCDExtractor

    return XYCDExtractor(
        detector=str(backends["detector"]), pose_estimator=str(backends["pose"]),
        depth_estimator=str(backends["depth"]), depth_mode=mode, device="cpu", local_files_only=True,
    )  # fmt: skip


def _load(out, config, split="train"):
    import datasets

    return datasets.load_dataset(str(out), config, split=split).with_format("numpy")


def _flat(table, name):
    import pyarrow as pa

    col = table.column(name).combine_chunks()
    while pa.types.is_fixed_size_list(col.type) or pa.types.is_list(col.type):
        col = col.flatten()
    return col.to_numpy(zero_copy_only=False)


def _columns(ds, *names):
    return {n: np.asarray(ds[n]) for n in names}


# --------------------------------------------------------------------------------------------------------
# association primitives
# --------------------------------------------------------------------------------------------------------


def test_box_iou_and_greedy_association():
    gt = np.array([[0, 0, 10, 10], [20, 0, 30, 10]], float)
    det = np.array([[21, 0, 31, 10], [0, 0, 10, 5], [100, 100, 110, 110]], float)
    iou = box_iou(gt, det)
    assert iou.shape == (2, 3)
    np.testing.assert_allclose(iou[0, 1], 0.5)
    np.testing.assert_allclose(iou[1, 0], 90 / 110)
    assert iou[:, 2].max() == 0
    np.testing.assert_array_equal(associate(iou, 0.3), [1, 0])
    np.testing.assert_array_equal(associate(iou, 0.6), [-1, 0])  # 0.5 < 0.6: person 0 unmatched
    # one detection cannot serve two people
    np.testing.assert_array_equal(associate(np.array([[0.9], [0.8]]), 0.3), [0, -1])
    box = keypoint_boxes(np.array([[[5.0, 5.0]] * 16 + [[50.0, 60.0]]]), (40, 100), margin=10)
    np.testing.assert_allclose(box, [[0, 0, 39, 70]])  # margin, then clipped to the image


# --------------------------------------------------------------------------------------------------------
# Human3.6M: 25 Hz ground truth against 50 fps videos, decoy, missing media
# --------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def h36m_join(tmp_path_factory):
    root = tmp_path_factory.mktemp("h36m_media")
    fx = F.write_h36m(root)
    out = root / "table"
    counts = build_xycd_table(
        "h36m", out, F.fake_extractor(), positions_3d=fx["positions_3d"], cameras=fx["cameras"], videos=fx["videos"],
        progress=False, shard_size=5, batch_size=3,
    )  # fmt: skip
    return {"root": root, "out": out, "counts": counts, **fx}


def test_h36m_rows_come_from_the_frame_with_their_timestamp(h36m_join):
    """25 Hz row k is joined to 50 fps video frame 2k: its detected 2D is the person drawn in that frame (which
    moves 6 px per video frame, so any other frame is off) and its depth encodes that frame's number."""
    out = h36m_join["out"]
    assert h36m_join["counts"] == {"gt2d": {"train": 28, "test": 28}, "detected2d": {"train": 28, "test": 28}}
    det, gt = _load(out, "detected2d"), _load(out, "gt2d")
    c = _columns(det, "camera", "frame_index", "valid", "invalid_reason", "media_frame", "timestamp",
                 "media_timestamp", "keypoints_2d", "keypoint_scores", "d", "keypoints_3d")  # fmt: skip
    g = _columns(gt, "keypoints_2d", "keypoints_3d", "d", "valid", "frame_index", "camera")
    np.testing.assert_array_equal(c["frame_index"], g["frame_index"])
    np.testing.assert_array_equal(c["keypoints_3d"], g["keypoints_3d"])
    has_video = np.isin(c["camera"], F.CAM_IDS[:2])
    ok = has_video & (c["frame_index"] < 6)
    assert c["valid"][ok].all() and not c["valid"][~ok].any()
    # timestamp alignment, not counting: media frame 2k, equal timestamps
    np.testing.assert_array_equal(c["media_frame"][ok], 2 * c["frame_index"][ok])
    np.testing.assert_allclose(c["timestamp"], c["frame_index"] / 25.0)
    np.testing.assert_allclose(c["media_timestamp"][ok], c["timestamp"][ok], atol=1e-6)
    # 2D from that frame (within the 0.5 px marker rounding); the neighbouring frames are >= 4 px away
    err = np.abs(c["keypoints_2d"] - g["keypoints_2d"]).max((1, 2))
    assert err[ok].max() < 1.0
    assert (c["keypoint_scores"][ok] > 0).all()
    # depth sampled from that frame's map (1 + frame / 10 + 0.001 u m) at the detected / ground-truth 2D
    frame = 2 * c["frame_index"][ok, None]
    np.testing.assert_allclose(c["d"][ok], F.frame_code_depth(frame, c["keypoints_2d"][ok, :, 0]), atol=1e-4)
    np.testing.assert_allclose(g["d"][ok], F.frame_code_depth(frame, g["keypoints_2d"][ok, :, 0]), atol=1e-4)
    assert (c["d"][~ok] == 0).all()


def test_h36m_frame_rate_alignment_keeps_and_drops_the_right_frames(h36m_join):
    out = h36m_join["out"]
    c = _columns(_load(out, "detected2d", "test"), "camera", "frame_index", "invalid_reason", "media_frame")
    video = np.isin(c["camera"], F.CAM_IDS[:2])
    # the 7th 25 Hz row (t = 0.24 s) needs video frame 12 of a 12-frame video: kept, invalid, with the reason
    assert set(c["invalid_reason"][video & (c["frame_index"] == 6)]) == {"no_media_frame"}
    assert set(c["invalid_reason"][~video]) == {"missing_media"}
    used = sorted(set(c["media_frame"][video & (c["media_frame"] >= 0)]))
    assert used == [0, 2, 4, 6, 8, 10]  # the odd 50 fps frames have no ground truth
    card = read_join_card(out)
    join = card["auglift_join"]
    assert join["media_frames_without_ground_truth"] == 4 * 6
    assert join["dropped_rows"]["detected2d"] == {"no_media_frame": 4, "missing_media": 28}
    from auglift_hf.contract import InputContract

    contract = InputContract.from_dataset_card(out)  # what a lifter trained on the table inherits
    assert contract.depth_kind == "metric" and contract.depth_model == "fake-frame-code-depth"
    by_config = card["auglift_input_contract"]["keypoint_definition_by_config"]
    assert by_config == {"gt2d": "h36m", "detected2d": "coco"} and contract.keypoint_definition == "h36m"
    assert contract.depth_descriptor["mode"] == "point" and contract.depth_descriptor["num_samples"] >= 1
    text = (out / "README.md").read_text()
    for needle in ("fake-people-marker-detector", "fake-marker-pose", "by timestamp", "IoU", "no_media_frame"):
        assert needle in text, needle
    # the prose states the same contract as the YAML (it said "not recorded" while the YAML held it)
    assert "not recorded" not in text and "gt2d: `h36m`, detected2d: `coco`" in text


def test_h36m_decoy_is_not_associated(h36m_join):
    """Video frames 2 and 6 (rows 1 and 3) hold a bigger decoy that the detector ranks first; the row keeps the
    annotated person."""
    from auglift_hf.data.media import video_media
    from auglift_hf.preprocess.extractor import XYCDExtractor

    out = h36m_join["out"]
    c = _columns(_load(out, "detected2d"), "camera", "frame_index", "keypoints_2d", "bbox", "association_score")
    g = _columns(_load(out, "gt2d"), "keypoints_2d")
    rows = np.flatnonzero((c["camera"] == F.CAM_IDS[0]) & np.isin(c["frame_index"], [1, 3]))
    assert len(rows) == 2
    assert np.abs(c["keypoints_2d"][rows] - g["keypoints_2d"][rows]).max() < 1.0
    assert (c["association_score"][rows] > 0.5).all()
    # without association, the top-scoring detection is the decoy: the test would catch a top-1 join
    media = video_media(h36m_join["videos"] / "S1" / "Videos" / f"Walking 1.{F.CAM_IDS[0]}.mp4")
    from auglift_hf.data.media import read_media_frames

    (_, image, _, _), = list(read_media_frames(media, [2]))  # fmt: skip
    top1 = XYCDExtractor(F.PeopleMarkerDetector(), F.TolerantMarkerPose(), None, device="cpu")([image])
    assert np.abs(top1["keypoints_2d"][0] - g["keypoints_2d"][rows[0]]).max() > 50


def test_join_resumes_and_refuses_other_settings(h36m_join, tmp_path):
    out = tmp_path / "copy"
    shutil.copytree(h36m_join["out"], out)
    before = {p.name: p.read_bytes() for p in (out / "detected2d").glob("*.parquet")}
    shards = sorted((out / "shards").glob("shard-*.npz"))
    assert len(shards) == 5  # 24 media frames with ground truth (2 subjects x 2 videos x 6), 5 per shard
    shards[1].unlink()
    kw = {"positions_3d": h36m_join["positions_3d"], "cameras": h36m_join["cameras"], "videos": h36m_join["videos"],
          "progress": False, "shard_size": 5, "batch_size": 3}  # fmt: skip
    build_xycd_table("h36m", out, F.fake_extractor(), **kw)
    assert shards[1].exists()
    assert {p.name: p.read_bytes() for p in (out / "detected2d").glob("*.parquet")} == before
    from auglift_hf.errors import OutputError

    with pytest.raises(OutputError, match="different"):
        build_xycd_table("h36m", out, F.fake_extractor(), **{**kw, "association": "oks"})
    with pytest.raises(OutputError, match="not an earlier join run"):
        build_xycd_table("h36m", tmp_path / "copy" / "gt2d", F.fake_extractor(), **kw)
    assert (tmp_path / "copy" / "gt2d").is_dir()  # refused, untouched


# --------------------------------------------------------------------------------------------------------
# MPI-INF-3DHP, 3DPW, Fit3D
# --------------------------------------------------------------------------------------------------------


def test_3dhp_training_video_and_test_images_with_valid_mask(tmp_path):
    root = F.write_3dhp(tmp_path / "3dhp")
    counts = build_xycd_table("3dhp", tmp_path / "out", F.fake_extractor(), source=root, cameras=[0],
                              progress=False)  # fmt: skip
    assert counts["detected2d"] == {"train": 6, "test": 6}
    for split, rate in (("train", 25.0), ("test", 50.0)):
        c = _columns(_load(tmp_path / "out", "detected2d", split), "frame_index", "valid", "invalid_reason",
                     "media_frame", "keypoints_2d", "d", "media_timestamp")  # fmt: skip
        g = _columns(_load(tmp_path / "out", "gt2d", split), "keypoints_2d", "valid")
        bad = np.array([split == "test" and i == 2 for i in c["frame_index"]])
        assert set(c["invalid_reason"][bad]) <= {"annotation_invalid"} and not c["valid"][bad].any()
        assert c["valid"][~bad].all() and g["valid"][~bad].all()
        np.testing.assert_array_equal(c["media_frame"][~bad], c["frame_index"][~bad])
        np.testing.assert_allclose(c["media_timestamp"][~bad], c["frame_index"][~bad] / rate, atol=1e-6)
        assert np.abs(c["keypoints_2d"] - g["keypoints_2d"])[~bad].max() < 1.0
        want = F.frame_code_depth(c["frame_index"][~bad, None], c["keypoints_2d"][~bad, :, 0])
        np.testing.assert_allclose(c["d"][~bad], want, atol=1e-4)


def test_3dpw_two_people_one_row_each(tmp_path):
    root = F.write_3dpw(tmp_path / "3dpw")
    counts = build_xycd_table("3dpw", tmp_path / "out", F.fake_extractor(), source=root, progress=False)
    assert counts["detected2d"] == {"test": 10}
    c = _columns(_load(tmp_path / "out", "detected2d", "test"), "person", "frame_index", "valid", "invalid_reason",
                 "keypoints_2d", "media_frame", "d")  # fmt: skip
    g = _columns(_load(tmp_path / "out", "gt2d", "test"), "keypoints_2d")
    bad = (c["person"] == 0) & (c["frame_index"] == 3)
    assert list(c["invalid_reason"][bad]) == ["annotation_invalid"]
    assert c["valid"][~bad].all()
    # each person gets its own detection (the other person is 1.3 m away: hundreds of pixels)
    assert np.abs(c["keypoints_2d"] - g["keypoints_2d"])[~bad].max() < 1.0
    np.testing.assert_array_equal(c["media_frame"][~bad], c["frame_index"][~bad])
    want = F.frame_code_depth(c["frame_index"][~bad, None], c["keypoints_2d"][~bad, :, 0])
    np.testing.assert_allclose(c["d"][~bad], want, atol=1e-4)


def test_fit3d_tiny_models_gt_box_then_train_and_evaluate(tmp_path, tiny_metric_backends):
    """Tiny random RT-DETR / VitPose / metric Depth Anything on Fit3D videos (GT-box prompted), then the table
    trains and evaluates unchanged."""
    import yaml

    from auglift_hf.cli import main

    root = F.write_fit3d(tmp_path / "fit3d")
    out = tmp_path / "fit3d_xycd"
    counts = build_xycd_table("fit3d", out, _tiny_extractor(tiny_metric_backends), source=root, association="gt-box",
                              progress=False, batch_size=4)  # fmt: skip
    assert counts["detected2d"] == {"train": 5, "test": 5}
    c = _columns(_load(out, "detected2d"), "valid", "keypoints_2d", "keypoint_scores", "d", "d_min", "d_max",
                 "bbox", "media_timestamp", "timestamp")  # fmt: skip
    assert c["valid"].all()
    np.testing.assert_allclose(c["media_timestamp"], c["timestamp"], atol=1e-6)
    assert np.isfinite(c["d"]).all() and (c["d"] > 0).all() and (c["d_max"] >= c["d_min"]).all()
    g = _columns(_load(out, "gt2d"), "keypoints_2d", "d")
    # the prompt is the ground-truth box + 150 px, clipped to the 900 x 900 frame
    lo, hi = g["keypoints_2d"].min(1) - 150, g["keypoints_2d"].max(1) + 150
    np.testing.assert_allclose(c["bbox"], np.concatenate([np.clip(lo, 0, 899), np.clip(hi, 0, 899)], -1), atol=1e-3)
    card = read_join_card(out)
    assert card["auglift_input_contract"]["depth_kind"] == "metric"
    assert card["auglift_input_contract"]["depth_descriptor"]["mode"] == "casp"
    assert card["auglift_join"]["association"] == "gt-box" and card["auglift_join"]["gt_box_margin"] == 150

    cfg = {
        "model": {"model_type": "tcn", "num_frames": 3, "input_channels": ["x", "y", "c", "d"],
                  "model_kwargs": {"channels": 16, "dropout": 0.0, "filter_widths": [3]}},
        "data": {"train_datasets": [str(out)], "eval_datasets": [str(out)], "dataset_config": "detected2d",
                 "eval_split": "test"},
        "training": {"output_dir": str(tmp_path / "run"), "max_steps": 4, "per_device_train_batch_size": 4,
                     "eval_strategy": "no", "save_strategy": "no", "logging_steps": 2, "disable_tqdm": True,
                     "use_cpu": True, "seed": 0, "report_to": []},
    }  # fmt: skip
    (tmp_path / "cfg.yaml").write_text(yaml.safe_dump(cfg))
    assert main(["train", str(tmp_path / "cfg.yaml")]) == 0
    final = tmp_path / "run" / "final"
    assert (final / "model.safetensors").is_file()
    from auglift_hf.contract import InputContract

    inherited = InputContract.from_pretrained(final)  # the lifter inherits the joined table's contract
    assert inherited.depth_kind == "metric" and inherited.keypoint_definition == "coco"
    assert inherited.depth_model == str(tiny_metric_backends["depth"])
    assert main(["evaluate", "--models", str(final), "--datasets", str(out), "--config", "detected2d",
                 "--out", str(tmp_path / "eval")]) == 0  # fmt: skip
    assert "MPJPE" in (tmp_path / "eval" / "matrix.md").read_text()


# --------------------------------------------------------------------------------------------------------
# the real MMPose H36M sample, through the CLI
# --------------------------------------------------------------------------------------------------------


@pytest.mark.skipif(not (SHARED / "test_h36m_body3d.npz").is_file(), reason="needs ../shared/data")
@pytest.mark.parametrize("association", ["iou", "gt-box"])
def test_real_h36m_sample_joined_by_image_name(tmp_path, tiny_metric_backends, association):
    from auglift_hf.cli import main

    out = tmp_path / "h36m_xycd"
    argv = ["convert", "h36m", "--annotations", str(SHARED / "test_h36m_body3d.npz"), "--cameras",
            str(SHARED / "cameras.pkl"), "--images", str(SHARED / "images"), "--detector",
            str(tiny_metric_backends["detector"]), "--pose-model", str(tiny_metric_backends["pose"]), "--depth-model",
            str(tiny_metric_backends["depth"]), "--device", "cpu", "--local-files-only", "--association", association,
            "--out", str(out), "--no-progress"]  # fmt: skip
    assert main(argv) == 0
    raw = np.load(SHARED / "test_h36m_body3d.npz")
    frames = {str(n).rsplit("_", 1)[-1].split(".")[0] for n in raw["imgname"]}
    rows = []
    for split in ("train",):
        c = _columns(_load(out, "detected2d", split), "frame_index", "media_frame", "keypoints_3d", "valid",
                     "invalid_reason", "timestamp", "media_timestamp", "d")  # fmt: skip
        rows.append(c)
    c = rows[0]
    assert len(c["frame_index"]) == 4  # the 4 annotated images (S1, S5, S7, S8: all training subjects)
    assert {f"{i + 1:06d}" for i in c["frame_index"]} == frames
    np.testing.assert_allclose(np.sort(c["keypoints_3d"][:, 0, 2]), np.sort(raw["S"][:, 0, 2]), atol=1e-5)
    assert set(c["invalid_reason"]) <= {"", "no_detection", "no_match"}
    if association == "gt-box":
        assert c["valid"].all()
        np.testing.assert_array_equal(c["media_frame"], c["frame_index"])
        np.testing.assert_allclose(c["media_timestamp"], c["timestamp"])
        assert np.isfinite(c["d"]).all() and (c["d"] > 0).all()
    card = read_join_card(out)
    assert card["auglift_input_contract"]["depth_model"] == str(tiny_metric_backends["depth"])
    assert json.dumps(card["auglift_join"]["dropped_rows"])


def test_join_rank_sharding_matches_one_process(h36m_join, tmp_path):
    """Two ranks (as under ``accelerate launch``) write disjoint shards; the merge equals the one-process table."""
    from auglift_hf.data.h36m import read_h36m_positions_3d
    from auglift_hf.data.join import run_join
    from auglift_hf.data.media import media_for

    recs = read_h36m_positions_3d(h36m_join["positions_3d"], h36m_join["cameras"], fps=25.0)
    keys = [(r.subject, r.action, r.camera) for r in recs]
    medias = {k: media_for("h36m", h36m_join["videos"], *k) for k in keys}
    kw = {"dataset_name": "h36m", "shard_size": 5, "batch_size": 3, "progress": False, "world_size": 2}
    out = tmp_path / "ranks"
    assert run_join(recs, medias, keys, [25.0] * len(recs), out, F.fake_extractor(), rank=1, **kw) is None
    assert sorted(p.name for p in (out / "shards").glob("*.npz")) == ["shard-000001.npz", "shard-000003.npz"]
    counts = run_join(recs, medias, keys, [25.0] * len(recs), out, F.fake_extractor(), rank=0, **kw)
    assert counts == h36m_join["counts"]
    for config in ("gt2d", "detected2d"):
        for split in ("train", "test"):
            a = _load(out, config, split).with_format("arrow")[:]
            b = _load(h36m_join["out"], config, split).with_format("arrow")[:]
            assert a.column_names == b.column_names and a.num_rows == b.num_rows
            for name in a.column_names:  # NaN-aware (media_timestamp is NaN on rows without a media frame)
                np.testing.assert_array_equal(_flat(a, name), _flat(b, name), err_msg=f"{config}/{split}/{name}")


@pytest.mark.skipif(
    not (SHARED.parent / "mpi_inf_3dhp" / "test_3dhp_test.npz").is_file(), reason="needs ../shared/data"
)
@pytest.mark.parametrize("split", ["train", "test"])
def test_real_3dhp_sample_joined_by_image_name(tmp_path, tiny_metric_backends, split):
    """MMPose's 3DHP npz (S4_Seq2_Cam0_001033.jpg / TS1_002001.jpg names) through the join with tiny models."""
    d = SHARED.parent / "mpi_inf_3dhp"
    out = tmp_path / "3dhp_xycd"
    counts = build_xycd_table(
        "3dhp", out, _tiny_extractor(tiny_metric_backends), source=d / f"test_3dhp_{split}.npz",
        cameras=[d / "cameras_train.pkl", d / "cameras_test.pkl"], images=d / "images", association="gt-box",
        progress=False,
    )  # fmt: skip
    assert counts["detected2d"] == {split: 2}
    c = _columns(_load(out, "detected2d", split), "subject", "frame_index", "media_frame", "valid", "timestamp",
                 "media_timestamp", "image_width", "d")  # fmt: skip
    assert c["valid"].all()
    np.testing.assert_array_equal(c["media_frame"], c["frame_index"])
    np.testing.assert_allclose(c["media_timestamp"], c["timestamp"])
    names = [str(n) for n in np.load(d / f"test_3dhp_{split}.npz")["imgname"]]
    assert sorted(f"{int(n.rsplit('_', 1)[1].split('.')[0]) - 1}" for n in names) == sorted(map(str, c["frame_index"]))
    assert np.isfinite(c["d"]).all() and (c["d"] > 0).all()


def test_alignment_by_timestamp_and_images_by_name(tmp_path):
    from auglift_hf.data.media import REASON_CODE, Media, align_to_media, gt_timestamps, images_by_name

    video = Media("video", "v.mp4", 50.0, num_frames=10)
    idx, reason = align_to_media(gt_timestamps(np.arange(6), 25.0), video)
    np.testing.assert_array_equal(idx, [0, 2, 4, 6, 8, -1])  # t = 0.2 s would be frame 10 of a 10-frame video
    assert reason[-1] == REASON_CODE["no_media_frame"] and (reason[:-1] == 0).all()
    # a 30 fps image sequence against 25 Hz rows: the nearest frame within half a frame period
    idx, _ = align_to_media(
        gt_timestamps(np.arange(4), 25.0), Media("images", "d", 30.0, {i: "x" for i in range(9)}, 9)
    )
    np.testing.assert_array_equal(idx, [-1 if abs(round(t * 30) / 30 - t) > 1 / 60 else round(t * 30)
                                        for t in np.arange(4) / 25.0])  # fmt: skip
    flat = tmp_path / "images"
    flat.mkdir()
    names = [f"S9/S9_Walking.54138969/S9_Walking.54138969_{i:06d}.jpg" for i in (1, 6, 11)]
    for n in names[:2]:
        (flat / n.split("/")[-1]).write_bytes(b"x")
    media = images_by_name(flat, names, 50.0)
    assert media.files == {0: str(flat / names[0].split("/")[-1]), 5: str(flat / names[1].split("/")[-1])}
    idx, reason = align_to_media(gt_timestamps(np.array([0, 5, 10]), 50.0), media)
    np.testing.assert_array_equal(idx, [0, 5, -1])
    assert reason[2] == REASON_CODE["no_media_frame"]
    assert (
        align_to_media(np.zeros(2), Media("video", "gone.mp4", 0.0, error="video not found"))[1].tolist()
        == [REASON_CODE["missing_media"]] * 2
    )


def test_convert_join_cli_errors_are_one_line(tmp_path, capsys, h36m_join):
    """Bad combinations fail before any model is loaded (the backends below do not exist)."""
    from auglift_hf.cli import main

    base = ["convert", "h36m", "--cameras", str(h36m_join["cameras"]), "--out", str(tmp_path / "o"),
            "--detector", str(tmp_path / "no-detector"), "--pose-model", str(tmp_path / "no-pose"), "--no-progress"]  # fmt: skip
    cases = [
        (["--positions-3d", str(h36m_join["positions_3d"]), "--images", str(tmp_path)], "--videos", 2),
        (["--positions-3d", str(h36m_join["positions_3d"]), "--videos", str(tmp_path / "nothing")], "no media found", 3),
        (["--positions-3d", str(h36m_join["positions_3d"]), "--videos", str(tmp_path), "--features", "x"], "--features", 2),
        (["--positions-3d", str(h36m_join["positions_3d"]), "--videos", str(tmp_path), "--depth-source", "synthetic"],
         "--depth-source", 2),
    ]  # fmt: skip
    for extra, needle, code in cases:
        assert main(base + extra) == code
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and needle in err[0], err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("dataset", ["h36m", "3dhp", "3dpw", "fit3d"])
def test_one_command_per_dataset_with_tiny_models(dataset, tmp_path, tiny_metric_backends, h36m_join):
    """The documented command on each dataset's native-layout fixture with the tiny real backends: every joinable
    row gets real-pipeline 2D, confidences and depth from the frame with its timestamp."""
    from auglift_hf.cli import main

    if dataset == "h36m":
        src = ["--positions-3d", str(h36m_join["positions_3d"]), "--cameras", str(h36m_join["cameras"]),
               "--videos", str(h36m_join["videos"])]  # fmt: skip
    else:
        root = {"3dhp": F.write_3dhp, "3dpw": F.write_3dpw, "fit3d": F.write_fit3d}[dataset](tmp_path / dataset)
        src = [str(root), "--videos", str(root)] + (["--cameras", "0"] if dataset == "3dhp" else [])
    out = tmp_path / f"{dataset}_xycd"
    argv = ["convert", dataset, *src, "--association", "gt-box", "--detector", str(tiny_metric_backends["detector"]),
            "--pose-model", str(tiny_metric_backends["pose"]), "--depth-model", str(tiny_metric_backends["depth"]),
            "--device", "cpu", "--local-files-only", "--no-progress", "--out", str(out)]  # fmt: skip
    assert main(argv) == 0
    card = read_join_card(out)
    assert card["auglift_input_contract"]["depth_kind"] == "metric"
    for split in [s["name"] for s in card["dataset_info"][1]["splits"]]:
        c = _columns(_load(out, "detected2d", split), "valid", "invalid_reason", "keypoint_scores", "d", "d_min",
                     "timestamp", "media_timestamp", "keypoints_3d")  # fmt: skip
        ok = c["valid"]
        assert ok.any()
        assert set(c["invalid_reason"][~ok]) <= {"annotation_invalid", "missing_media", "no_media_frame"}
        np.testing.assert_allclose(c["media_timestamp"][ok], c["timestamp"][ok], atol=1e-6)
        assert (c["keypoint_scores"][ok] > 0).any(axis=1).all()
        assert np.isfinite(c["d"][ok]).all() and (c["d"][ok] > 0).all() and (c["d_min"][ok] > 0).all()
        assert (np.abs(c["keypoints_3d"][ok]).sum((1, 2)) > 0).all()


@pytest.mark.slow
def test_join_under_two_process_accelerate_launch(tmp_path, tiny_metric_backends):
    """`accelerate launch --multi_gpu --num_processes 2` on CPU (torchrun + gloo): disjoint shards per rank, one
    merged table with every row."""
    import os
    import socket
    import subprocess
    import sys

    root = F.write_fit3d(tmp_path / "fit3d")
    out = tmp_path / "out"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [
        sys.executable, "-m", "accelerate.commands.launch", "--num_processes", "2", "--num_machines", "1", "--multi_gpu",
        "--mixed_precision", "no", "--dynamo_backend", "no", "--main_process_port", str(port),
        "-m", "auglift_hf.cli", "convert", "fit3d", str(root), "--videos", str(root), "--out", str(out),
        "--association", "gt-box", "--shard-size", "2", "--batch-size", "2", "--detector", "full-image",
        "--pose-model", str(tiny_metric_backends["pose"]), "--depth-model", str(tiny_metric_backends["depth"]),
        "--no-progress", "--local-files-only",
    ]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    ranks = {}
    for k in range(5):  # 10 media frames, 2 per shard
        with np.load(out / "shards" / f"shard-{k:06d}.npz") as z:
            ranks[k] = (int(z["rank"]), int(z["world_size"]))
    assert ranks == {0: (0, 2), 1: (1, 2), 2: (0, 2), 3: (1, 2), 4: (0, 2)}
    for split in ("train", "test"):
        c = _columns(_load(out, "detected2d", split), "valid", "frame_index", "media_frame")
        assert c["valid"].all() and sorted(c["frame_index"]) == list(range(5))
        np.testing.assert_array_equal(c["media_frame"], c["frame_index"])


def test_unreadable_frame_is_kept_with_its_reason(tmp_path):
    root = F.write_3dpw(tmp_path / "3dpw", frames=3, invalid=())
    (root / "imageFiles" / "downtown_walk_00" / "image_00001.jpg").write_bytes(b"not a jpeg")
    build_xycd_table("3dpw", tmp_path / "out", F.fake_extractor(), source=root, progress=False)
    for config in ("detected2d", "gt2d"):
        c = _columns(_load(tmp_path / "out", config, "test"), "frame_index", "valid", "invalid_reason")
        assert set(c["invalid_reason"][c["frame_index"] == 1]) == {"unreadable_frame"}
        assert c["valid"][c["frame_index"] != 1].all()
    assert read_join_card(tmp_path / "out")["auglift_join"]["dropped_rows"]["detected2d"] == {"unreadable_frame": 2}


# --------------------------------------------------------------------------------------------------------
# MPI-INF-3DHP training sequences at 50 fps (mpii_get_sequence_info.m), container rate checked
# --------------------------------------------------------------------------------------------------------


def test_3dhp_50fps_training_sequence_rows_join_their_own_frames(tmp_path):
    """S1/Seq2 is a 50 fps sequence in the official table: annot.mat row k is video frame k at k / 50 s. Timed at
    25 Hz, row k was joined to frame 2k (valid, wrong person pose) and the second half dropped."""
    root = tmp_path / "3dhp"
    F.write_3dhp_train_video(root, "S1", "Seq1", 25, frames=6)
    F.write_3dhp_train_video(root, "S1", "Seq2", 50, frames=10)
    counts = build_xycd_table("3dhp", tmp_path / "out", F.fake_extractor(), source=root, cameras=[0], progress=False)
    assert counts["detected2d"] == {"train": 16}
    c = _columns(_load(tmp_path / "out", "detected2d"), "action", "fps", "frame_index", "valid", "media_frame",
                 "timestamp", "media_timestamp", "keypoints_2d", "d")  # fmt: skip
    g = _columns(_load(tmp_path / "out", "gt2d"), "keypoints_2d")
    assert c["valid"].all()
    for seq, rate in (("Seq1", 25.0), ("Seq2", 50.0)):
        s = c["action"] == seq
        assert set(c["fps"][s]) == {rate}
        np.testing.assert_array_equal(c["media_frame"][s], c["frame_index"][s])
        np.testing.assert_allclose(c["timestamp"][s], c["frame_index"][s] / rate)
        np.testing.assert_allclose(c["media_timestamp"][s], c["timestamp"][s], atol=1e-6)
    assert np.abs(c["keypoints_2d"] - g["keypoints_2d"]).max() < 1.0  # the person drawn in that frame
    want = F.frame_code_depth(c["frame_index"][:, None], c["keypoints_2d"][:, :, 0])
    np.testing.assert_allclose(c["d"], want, atol=1e-4)


def test_3dhp_container_rate_contradicting_the_official_table_is_refused(tmp_path, capsys):
    """S3/Seq1 is 50 fps in mpii_get_sequence_info.m; a 25 fps video_0.avi cannot hold its rows."""
    from auglift_hf.cli import main

    root = tmp_path / "3dhp"
    F.write_3dhp_train_video(root, "S3", "Seq1", 25, frames=6)
    out = tmp_path / "out"
    with pytest.raises(ValueError, match=r"S3/Seq1.*50.*25"):
        build_xycd_table("3dhp", out, F.fake_extractor(), source=root, cameras=[0], progress=False)
    argv = ["convert", "3dhp", str(root), "--videos", str(root), "--cameras", "0", "--out", str(out),
            "--detector", str(tmp_path / "no-detector"), "--pose-model", str(tmp_path / "no-pose"), "--no-progress"]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "video_0.avi" in err[0] and "50" in err[0], err
    assert not out.exists()


def test_3dhp_readers_take_the_official_rates(tmp_path):
    from auglift_hf.data.mpi_inf_3dhp import TRAIN_SEQUENCE_FPS, TRAIN_SEQUENCE_FRAMES, read_3dhp_train_sequence

    assert {k for k, v in TRAIN_SEQUENCE_FPS.items() if v == 50} == {
        ("S1", "Seq2"), ("S3", "Seq1"), ("S3", "Seq2"), ("S5", "Seq1"), ("S5", "Seq2")}  # fmt: skip
    total = sum(TRAIN_SEQUENCE_FRAMES.values())
    at50 = sum(n for k, n in TRAIN_SEQUENCE_FRAMES.items() if TRAIN_SEQUENCE_FPS[k] == 50)
    assert total == 131_592 and round(at50 / total, 2) == 0.47
    F.write_3dhp_train_video(tmp_path, "S5", "Seq2", 50, frames=4)
    (rec,) = read_3dhp_train_sequence(tmp_path / "S5" / "Seq2" / "annot.mat", cameras=(0,))
    assert rec.fps == 50.0
    (rec,) = read_3dhp_train_sequence(tmp_path / "S5" / "Seq2" / "annot.mat", cameras=(0,), stride=2)
    assert rec.fps == 25.0  # every 2nd frame of a 50 fps sequence
    with pytest.raises(ValueError, match="contradicts the official rate"):
        read_3dhp_train_sequence(tmp_path / "S5" / "Seq2" / "annot.mat", cameras=(0,), fps=25.0)


# --------------------------------------------------------------------------------------------------------
# Human3.6M: action names of the public converters vs the archive's videos; the rate from the frame counts
# --------------------------------------------------------------------------------------------------------


def _h36m_rows(out, split="train"):
    c = _columns(_load(out, "detected2d", split), "action", "fps", "frame_index", "valid", "invalid_reason",
                 "media_frame", "timestamp", "media_timestamp", "keypoints_2d", "d")  # fmt: skip
    g = _columns(_load(out, "gt2d", split), "keypoints_2d")
    return c, g


def test_h36m_videopose3d_names_find_s1_taking_photo_videos(tmp_path):
    """VideoPose3D's npz calls S1's takes `Photo 1` / `WalkDog`; the archive keeps `TakingPhoto 1.<cam>.mp4` /
    `WalkingDog.<cam>.mp4`. Every row is joined (today: missing_media for both)."""
    fx = F.write_h36m_takes(tmp_path, {
        ("S1", "Photo 1"): ("TakingPhoto 1", 50.0, 12, -0.5), ("S1", "WalkDog"): ("WalkingDog", 50.0, 10, -0.4),
        ("S1", "Walking 1"): ("Walking 1", 50.0, 8, -0.3),
    })  # fmt: skip
    build_xycd_table("h36m", tmp_path / "out", F.fake_extractor(), positions_3d=fx["positions_3d"],
                     cameras=fx["cameras"], videos=fx["videos"], progress=False)  # fmt: skip
    c, g = _h36m_rows(tmp_path / "out")
    filmed = c["invalid_reason"] != "missing_media"  # camera 0 has videos, the other three none
    assert filmed.sum() == 30 and c["valid"][filmed].all()
    assert set(c["action"][filmed]) == {"Photo 1", "WalkDog", "Walking 1"}
    assert set(c["fps"]) == {50.0}
    np.testing.assert_array_equal(c["media_frame"][filmed], c["frame_index"][filmed])
    assert np.abs(c["keypoints_2d"] - g["keypoints_2d"])[filmed].max() < 1.0


def test_h36m_rate_comes_from_the_frame_counts_not_the_file_name(tmp_path):
    """A 25 Hz file named `motion.npz` (no `fk25`): the frame counts (7 rows vs 14 video frames at 50 fps) say
    25 Hz; row k joins video frame 2k. Guessed from the name, row k was joined to frame k (valid, wrong pose)."""
    fx = F.write_h36m_takes(tmp_path, {("S1", "Walking 1"): ("Walking 1", 25.0, 7, -0.5)}, npz="motion.npz")
    build_xycd_table("h36m", tmp_path / "out", F.fake_extractor(), positions_3d=fx["positions_3d"],
                     cameras=fx["cameras"], videos=fx["videos"], progress=False)  # fmt: skip
    c, g = _h36m_rows(tmp_path / "out")
    ok = c["invalid_reason"] != "missing_media"
    assert ok.sum() == 7 and c["valid"][ok].all() and set(c["fps"]) == {25.0}
    np.testing.assert_array_equal(c["media_frame"][ok], 2 * c["frame_index"][ok])
    np.testing.assert_allclose(c["media_timestamp"][ok], c["frame_index"][ok] / 25.0, atol=1e-6)
    assert np.abs(c["keypoints_2d"] - g["keypoints_2d"])[ok].max() < 1.0
    card = read_join_card(tmp_path / "out")
    assert "25 Hz from the data" in (tmp_path / "out" / "README.md").read_text() and card["auglift_join"]


def test_h36m_fk25_take_numbers_are_matched_by_frame_count(tmp_path):
    """The fk25 file numbers S1's takes `Walking 1` / `Walking 2`; the archive's are `Walking` / `Walking 1`.
    Each joins the take with its own length (by name, `Walking 1` joined the other take's video)."""
    fx = F.write_h36m_takes(tmp_path, {
        ("S1", "Walking 1"): ("Walking", 25.0, 7, -0.5), ("S1", "Walking 2"): ("Walking 1", 25.0, 10, -0.9),
    }, npz="data_3d_h36m_fk25.npz")  # fmt: skip
    build_xycd_table("h36m", tmp_path / "out", F.fake_extractor(), positions_3d=fx["positions_3d"],
                     cameras=fx["cameras"], videos=fx["videos"], progress=False)  # fmt: skip
    c, g = _h36m_rows(tmp_path / "out")
    ok = c["invalid_reason"] != "missing_media"
    assert ok.sum() == 17 and c["valid"][ok].all()
    assert np.abs(c["keypoints_2d"] - g["keypoints_2d"])[ok].max() < 1.0  # the person of its own take
    text = (tmp_path / "out" / "README.md").read_text()
    assert "S1/Walking 1 -> 'Walking'" in text and "S1/Walking 2 -> 'Walking 1'" in text


def test_h36m_rate_contradictions_are_refused_in_one_line(tmp_path, capsys):
    from auglift_hf.cli import main

    fx = F.write_h36m_takes(tmp_path, {
        ("S1", "Walking 1"): ("Walking 1", 25.0, 7, -0.5), ("S1", "Eating 1"): ("Eating 1", 50.0, 9, -0.5),
    })  # fmt: skip
    base = ["convert", "h36m", "--positions-3d", str(fx["positions_3d"]), "--cameras", str(fx["cameras"]),
            "--videos", str(fx["videos"]), "--out", str(tmp_path / "o"), "--detector", str(tmp_path / "no-det"),
            "--pose-model", str(tmp_path / "no-pose"), "--no-progress"]  # fmt: skip
    assert main(base) == 2  # one sequence lasts as long as its video at 25 Hz only, the other at 50 Hz only
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "contradict" in err[0] and "S1/Walking 1" in err[0] and "--fps" in err[0], err
    fx = F.write_h36m_takes(tmp_path, {("S1", "Walking 1"): ("Walking 1", 25.0, 7, -0.5)})
    assert main(base + ["--fps", "50"]) == 2  # stated 50 Hz, the counts say 25 Hz
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "50 Hz contradicts the frame counts, which say 25 Hz" in err[0], err
    assert not (tmp_path / "o").exists()


# --------------------------------------------------------------------------------------------------------
# auglift convert ... --check: what the join would do, no model run
# --------------------------------------------------------------------------------------------------------


def test_convert_check_reports_names_rates_missing_and_rows(tmp_path, capsys):
    from auglift_hf.cli import main

    fx = F.write_h36m_takes(tmp_path, {
        ("S1", "Photo 1"): ("TakingPhoto 1", 25.0, 6, -0.5), ("S1", "Walking 1"): ("Walking", 25.0, 7, -0.5),
        ("S1", "Walking 2"): ("Walking 1", 25.0, 10, -0.9), ("S1", "Eating 1"): (None, 25.0, 5, -0.5),
    }, npz="data_3d_h36m_fk25.npz")  # fmt: skip
    argv = ["convert", "h36m", "--positions-3d", str(fx["positions_3d"]), "--cameras", str(fx["cameras"]),
            "--videos", str(fx["videos"]), "--check", "--detector", str(tmp_path / "no-detector"),
            "--pose-model", str(tmp_path / "no-pose")]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "h36m: 3 of 16 sequences have media, 13 missing" in out  # 4 sequences x 4 cameras, videos for camera 0
    assert "rate: 25 Hz from the data: 3 of 4 sequences" in out
    assert "rates: annotation 25 Hz, video measured at 50 fps: 3 sequences" in out
    assert "name: S1/Walking 1 -> archive 'Walking'" in out and "name: S1/Walking 2 -> archive 'Walking 1'" in out
    assert "missing: S1/Eating 1/54138969: no video of Eating" in out
    # 28 rows per camera; camera 0's 23 rows with a video are joinable (Eating 1 has none), 112 rows in all
    assert "rows: 112 ground-truth rows, 23 joinable (23 media frames to run the models on)" in out
    assert "missing_media 89" in out
    # nothing can be joined: exit 3, the report still printed, one error line
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main([*argv[:7], str(empty), *argv[8:]]) == 3
    captured = capsys.readouterr()
    assert "no media found" in captured.err and len(captured.err.strip().splitlines()) == 1


def test_convert_check_3dhp_rates_contradiction_and_suggestion(tmp_path, capsys):
    from auglift_hf.cli import main

    root = tmp_path / "3dhp"
    F.write_3dhp_train_video(root, "S1", "Seq2", 50, frames=10)
    video = F.write_3dhp_train_video(root, "S2", "Seq1", 25, frames=6)
    video.rename(video.with_suffix(".mp4"))  # misnamed: the join looks for video_0.avi
    base = ["convert", "3dhp", str(root), "--videos", str(root), "--cameras", "0", "--check"]
    assert main(base) == 0
    out = capsys.readouterr().out
    assert "rates: annotation 50 Hz, video measured at 50 fps: 1 sequences" in out
    assert "missing: S2/Seq1/0: video not found" in out and "did you mean" in out and "video_0.mp4" in out
    assert "rows: 16 ground-truth rows, 10 joinable" in out
    F.write_3dhp_train_video(root, "S3", "Seq1", 25, frames=6)  # 50 fps in the official table
    assert main(base) == 2
    captured = capsys.readouterr()
    assert "rate contradiction:" in captured.out and "S3/Seq1 is annotated at 50 fps" in captured.out
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and "the join would refuse" in err[0], err


def test_h36m_mmpose_annotations_joined_to_archive_videos(tmp_path):
    """MMPose's imgname names the archive video exactly (`S1_TakingPhoto_1.<cam>_000006.jpg` = 50 fps frame 5) and
    covers part of it (every 5th frame): rows join those frames of `TakingPhoto 1.<cam>.mp4`."""
    from auglift_hf.camera import world_to_camera

    fx = F.write_h36m_takes(tmp_path, {("S1", "TakingPhoto 1"): ("TakingPhoto 1", 50.0, 14, -0.5)})
    cam = fx["cams"][("S1", F.CAM_IDS[0])]
    frames = np.array([0, 5, 10])
    world = F.body_world(frames / 50.0, -0.5)
    xyz = world_to_camera(world, cam["R"], cam["T"])
    uv = F.project_h36m(world, cam)
    np.savez(
        tmp_path / "h36m_train.npz",
        imgname=np.array([f"S1/S1_TakingPhoto_1.{F.CAM_IDS[0]}/S1_TakingPhoto_1.{F.CAM_IDS[0]}_{f + 1:06d}.jpg"
                          for f in frames]),
        center=np.zeros((3, 2)), scale=np.ones(3), part=np.concatenate([uv, np.ones((3, 17, 1))], -1),
        S=np.concatenate([xyz, np.ones((3, 17, 1))], -1),
    )  # fmt: skip
    build_xycd_table("h36m", tmp_path / "out", F.fake_extractor(), annotations=tmp_path / "h36m_train.npz",
                     cameras=fx["cameras"], videos=fx["videos"], progress=False)  # fmt: skip
    c, g = _h36m_rows(tmp_path / "out")
    assert c["valid"].all() and set(c["action"]) == {"TakingPhoto 1"}
    np.testing.assert_array_equal(c["media_frame"], frames)
    np.testing.assert_allclose(c["media_timestamp"], frames / 50.0, atol=1e-6)
    assert np.abs(c["keypoints_2d"] - g["keypoints_2d"]).max() < 1.0


def test_variable_frame_rate_video_loses_only_the_dropped_row(tmp_path):
    """Fit3D video that dropped frame 3 of 8: row 3 has no media frame, rows 4-7 join the frames showing their own
    time (counting at the nominal rate made every row after the gap a timestamp_mismatch)."""
    root = F.write_fit3d(tmp_path / "fit3d", subjects=("s03",), frames=8, drop=(3,))
    build_xycd_table("fit3d", tmp_path / "out", F.fake_extractor(), source=root, test_subjects=[], progress=False)
    c, g = _h36m_rows(tmp_path / "out")
    assert list(c["invalid_reason"]) == [""] * 3 + ["no_media_frame"] + [""] * 4
    ok = c["valid"]
    np.testing.assert_array_equal(c["media_frame"][ok], [0, 1, 2, 3, 4, 5, 6])  # file frames after the gap
    np.testing.assert_allclose(c["media_timestamp"][ok], c["frame_index"][ok] / 50.0, atol=1e-6)
    assert np.abs(c["keypoints_2d"] - g["keypoints_2d"])[ok].max() < 1.0
    np.testing.assert_allclose(c["d"][ok], F.frame_code_depth(c["frame_index"][ok, None], c["keypoints_2d"][ok, :, 0]),
                               atol=1e-4)  # fmt: skip
