"""Images and video as users shoot them (issue 12 item 3).

Every clip and image is written here with known geometry: EXIF-rotated JPEGs / PNGs, MP4s with a display
matrix written by PyAV, a variable-frame-rate clip, and a two-person clip in which a higher-scoring decoy
crosses the person. Assertions are on what reaches the lifter (orientation, size, frame times, one track).
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from auglift_hf.preprocess._hf import image_size, load_image
from auglift_hf.preprocess.testing import (
    ColourPeopleDetector,
    ColourPeoplePose,
    MarkerDetector,
    MarkerPose,
    PlaneDepth,
    coco_pose,
    draw_person,
    marker_image,
    write_video,
)
from auglift_hf.preprocess.tracking import assign_tracks, choose_track
from auglift_hf.preprocess.video import VideoReader, apply_orientation, orientation_ops, resample_constant_rate
from auglift_hf.skeleton import coco_to_h36m

# How each EXIF orientation is *stored*, given the upright image (EXIF 2.3, tag 274: the inverse of the
# transform a viewer applies), written independently of PIL's exif_transpose table.
STORED = {
    1: lambda a: a,
    2: lambda a: a[:, ::-1],  # mirrored
    3: lambda a: np.rot90(a, 2),
    4: lambda a: a[::-1],
    5: lambda a: a.swapaxes(0, 1),  # transpose
    6: lambda a: np.rot90(a, 1),  # viewer rotates 90 clockwise
    7: lambda a: np.rot90(a, 2).swapaxes(0, 1),  # transverse
    8: lambda a: np.rot90(a, -1),  # viewer rotates 90 counter-clockwise
}


def _upright(h: int = 40, w: int = 64) -> np.ndarray:
    """A non-symmetric test card: horizontal red ramp, vertical green ramp, a white block top-left."""
    v, u = np.mgrid[0:h, 0:w]
    img = np.stack([u * 255 // (w - 1), v * 255 // (h - 1), np.full_like(u, 60)], -1).astype(np.uint8)
    img[2:10, 3:15] = 255
    return img


def _save_with_orientation(array: np.ndarray, path, orientation: int, **kw) -> None:
    im = Image.fromarray(np.ascontiguousarray(array))
    exif = im.getexif()
    exif[274] = orientation
    im.save(path, exif=exif, **kw)


def _lifter(folder):
    import torch

    import auglift_hf.models  # noqa: F401
    from auglift_hf.models import TCNConfig, TCNForPoseLifting
    from auglift_hf.processing_lifting import PoseLiftingProcessor

    torch.manual_seed(0)
    TCNForPoseLifting(
        TCNConfig(filter_widths=[3], channels=16, input_channels=["x", "y", "c"])
    ).eval().save_pretrained(folder)
    PoseLiftingProcessor(input_channels=["x", "y", "c"], num_frames=3).save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def make_pipeline(tmp_path_factory):
    from transformers import pipeline

    import auglift_hf.models  # noqa: F401
    from auglift_hf.preprocess import register_pipeline

    register_pipeline()
    folder = _lifter(tmp_path_factory.mktemp("media_lifter") / "tcn-xyc")

    def make(**backends):
        return pipeline("pose-lifting", model=str(folder), device="cpu", **backends)

    return make


def _marker_backends():
    return {"detector": MarkerDetector(), "pose_estimator": MarkerPose(), "depth_estimator": PlaneDepth()}


# ------------------------------------------------------------------------------------------------ images
@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_rotated_jpeg_loads_upright(tmp_path, orientation):
    upright = _upright()
    path = tmp_path / f"o{orientation}.jpg"
    _save_with_orientation(STORED[orientation](upright), path, orientation, quality=95)
    loaded = load_image(path)
    assert loaded.shape == upright.shape  # (40, 64, 3) whatever the storage
    assert np.abs(loaded.astype(int) - upright).mean() < 4  # JPEG noise only; a wrong orientation is > 60
    assert image_size(path) == (64, 40)
    with Image.open(path) as im:  # what the old code saw: the stored pixels
        raw = np.asarray(im.convert("RGB"))
    if orientation != 1:
        assert raw.shape != upright.shape or np.abs(raw.astype(int) - upright).mean() > 30
    assert np.array_equal(load_image(Image.open(path)), loaded)  # a PIL image opened by the user, too


def test_exif_rotated_image_reaches_the_lifter_upright(tmp_path, make_pipeline):
    # a portrait phone photo stored sideways (EXIF 6); PNG keeps the marker colours exact for the fake backends
    truth = coco_pose(10.0)
    upright = marker_image(truth)  # 96 x 128 as displayed
    path = tmp_path / "photo.png"
    _save_with_orientation(STORED[6](upright), path, 6)
    with Image.open(path) as im:
        assert im.size == (96, 128)  # stored sideways
    out = make_pipeline(**_marker_backends())(str(path))
    assert out["image_size"] == (128, 96)
    expected = coco_to_h36m(np.concatenate([truth, np.full((17, 1), 0.8, np.float32)], -1))[:, :2]
    np.testing.assert_allclose(out["keypoints_2d"][0], expected, atol=1e-4)


# ------------------------------------------------------------------------------------------------ video rotation
@pytest.mark.parametrize(
    ("rotation", "hflip"), [(0, False), (90, False), (180, False), (270, False), (90, True), (0, True)]
)
def test_rotated_mp4_decodes_as_displayed(tmp_path, rotation, hflip):
    upright = _upright(48, 32)  # portrait as displayed

    def display_to_stored(a: np.ndarray) -> np.ndarray:
        # display = rotate counter-clockwise by `rotation`, then mirror (PyAV set_display_rotation's definition)
        if hflip:
            a = a[:, ::-1]
        return np.rot90(a, -(rotation // 90))

    path = write_video(tmp_path / "phone.mp4", [display_to_stored(upright)] * 3, rotation=rotation, hflip=hflip)
    reader = VideoReader(path)
    assert reader.size == (32, 48)
    assert reader.coded_size == (48, 32) if rotation in (90, 270) else (32, 48)
    frames = list(reader.iter_frames())
    assert len(frames) == 3
    np.testing.assert_array_equal(frames[0][1], upright)  # lossless clip: exactly the displayed pixels


def test_orientation_ops_follow_ffmpeg_autorotate():
    # display matrices as FFmpeg's av_display_rotation_set(-90) / (90) write them (16.16 fixed point)
    cw90 = np.array([0, 65536, 0, -65536, 0, 0, 0, 0, 1 << 30])  # rotation_get = -90: phone "rotate=90"
    ccw90 = np.array([0, -65536, 0, 65536, 0, 0, 0, 0, 1 << 30])
    assert orientation_ops(cw90) == ("clock",) and orientation_ops(ccw90) == ("cclock",)
    assert orientation_ops(None, rotate_tag=90) == ("clock",) and orientation_ops(None) == ()
    a = np.arange(6).reshape(2, 3, 1)
    np.testing.assert_array_equal(apply_orientation(a, ("clock",))[..., 0], [[3, 0], [4, 1], [5, 2]])
    with pytest.raises(ValueError, match="multiples of 90"):
        orientation_ops(None, rotate_tag=45)


def test_rotated_mp4_through_the_pipeline(tmp_path, make_pipeline):
    truths = [coco_pose(4.0 * i) for i in range(4)]
    stored = [np.rot90(marker_image(t), 1) for t in truths]  # display = rotate 270 ccw = 90 clockwise
    path = write_video(tmp_path / "portrait.mp4", stored, rotation=270)
    out = make_pipeline(**_marker_backends())(str(path))
    assert out["image_size"] == (128, 96)
    expected = coco_to_h36m(np.concatenate([truths[3], np.full((17, 1), 0.8, np.float32)], -1))[:, :2]
    np.testing.assert_allclose(out["keypoints_2d"][3], expected, atol=1e-4)
    np.testing.assert_allclose(out["timestamps"], [0.0, 0.1, 0.2, 0.3])
    assert out["valid"].all() and not out["interpolated"].any() and "resampling" not in out


# ------------------------------------------------------------------------------------------------ real time
VFR_TIMES = [0.0, 0.1, 0.2, 0.3, 0.5, 0.6, 0.65, 0.7]  # 0.4 dropped, 0.65 an extra frame


def _vfr_clip(tmp_path):
    truths = [coco_pose(round(40 * t)) for t in VFR_TIMES]  # 4 px per 0.1 s: position linear in real time
    return write_video(tmp_path / "vfr.mp4", [marker_image(t) for t in truths], times=VFR_TIMES), truths


def test_vfr_frames_numbered_in_order_with_real_timestamps(tmp_path):
    path, _ = _vfr_clip(tmp_path)
    reader = VideoReader(path)
    assert len(reader) == 8 and not reader.is_constant_rate()
    np.testing.assert_allclose(reader.timestamps, VFR_TIMES, atol=1e-6)
    got = [(f.index, f.time) for f in reader.decode(5, 7)]  # seek: exactly frames 5 and 6
    assert [i for i, _ in got] == [5, 6] and got[1][1] == pytest.approx(0.65)
    idx = [i for i, im, t in reader.iter_frames()]
    assert idx == list(range(8))  # no invented "missing" frame, none lost


def test_resample_constant_rate_grid():
    times, left, weight, interp = resample_constant_rate(np.array(VFR_TIMES), 10.0)
    np.testing.assert_allclose(times, np.arange(8) / 10)
    assert interp.tolist() == [False, False, False, False, True, False, False, False]
    assert left[4] == 3 and weight[4] == pytest.approx(0.5)
    assert left[7] == 7 and weight[7] == 0  # 0.7 is source frame 7 (0.65 is not on the grid)


def test_vfr_clip_is_lifted_on_real_time(tmp_path, make_pipeline):
    path, truths = _vfr_clip(tmp_path)
    out = make_pipeline(**_marker_backends())(str(path))
    assert out["fps"] == pytest.approx(10.0)
    np.testing.assert_allclose(out["timestamps"], np.arange(8) / 10)
    assert out["interpolated"].tolist() == [False] * 4 + [True] + [False] * 3
    res = out["resampling"]
    np.testing.assert_allclose(res["source_timestamps"], VFR_TIMES, atol=1e-6)
    assert res["interpolated_frames"] == [4] and res["fps"] == pytest.approx(10.0)
    # the interpolated frame at 0.4 s is where the person really was at 0.4 s (linear motion)
    expected = coco_to_h36m(np.concatenate([coco_pose(16.0), np.full((17, 1), 0.8, np.float32)], -1))[:, :2]
    np.testing.assert_allclose(out["keypoints_2d"][4], expected, atol=1e-3)
    expected7 = coco_to_h36m(np.concatenate([truths[7], np.full((17, 1), 0.8, np.float32)], -1))[:, :2]
    np.testing.assert_allclose(out["keypoints_2d"][7], expected7, atol=1e-4)


# ------------------------------------------------------------------------------------------------ one track
def _crossing_frames(n: int = 16):
    """The person walks right (green 255); from frame 3 to 13 a smaller, higher-scoring decoy (green 200) walks
    left through them, overlapping around frame 8."""
    person, frames = [], []
    for i in range(n):
        img = np.zeros((96, 160, 3), np.uint8)
        img[..., 2] = 40
        p = coco_pose(6.0 * i)
        person.append(p)
        if 3 <= i <= 13:
            d = coco_pose(0.0)
            d = (d - d.mean(0)) * 0.8 + [150 - 9.0 * (i - 3), 52]
            draw_person(img, d, green=200)
        draw_person(img, p, green=255)  # the person is in front
        frames.append(img)
    return frames, person


def test_decoy_crossing_does_not_change_the_lifted_person(tmp_path, make_pipeline):
    frames, person = _crossing_frames()
    path = write_video(tmp_path / "crossing.mp4", frames)
    det = ColourPeopleDetector()
    assert det.scores[200] > det.scores[255]  # the top-scoring box per frame (the old rule) is the decoy
    lifter = make_pipeline(detector=det, pose_estimator=ColourPeoplePose(det), depth_estimator=None)
    out = lifter(str(path))
    assert out["valid"].all() and out["track"] is not None
    for i, p in enumerate(person):
        seen = out["scores"][i] > 0
        expected = coco_to_h36m(np.concatenate([p, np.full((17, 1), 0.8, np.float32)], -1))[:, :2]
        np.testing.assert_allclose(out["keypoints_2d"][i][seen], expected[seen], atol=1e-3, err_msg=f"frame {i}")
    everyone = lifter(str(path), person="all")
    assert isinstance(everyone, list) and len(everyone) == 2
    decoy = next(r for r in everyone if r["track"] != out["track"])
    assert decoy["valid"].sum() == 11 and not decoy["valid"][:3].any()
    again = lifter(str(path), person=decoy["track"])
    np.testing.assert_allclose(again["keypoints_3d"], decoy["keypoints_3d"])


def test_video_subject_who_leaves_and_comes_back_is_lifted_not_the_bystander(tmp_path, make_pipeline):
    """The person (green 255) is behind a pillar in frames 8-21 (14 > MAX_AGE frames); a small bystander (green 200)
    stands in the corner in all 30 frames. Before: the person came back as a new track and ``--person auto`` lifted
    the longest track, the bystander."""
    gone = range(8, 22)
    frames = []
    for i in range(30):
        img = np.zeros((96, 160, 3), np.uint8)
        img[..., 2] = 40
        small = (coco_pose(0.0) - coco_pose(0.0).mean(0)) * 0.3 + [145, 15]
        draw_person(img, small, green=200)
        if i not in gone:
            draw_person(img, coco_pose(0.5 * i), green=255)
        frames.append(img)
    path = write_video(tmp_path / "pillar.mp4", frames)
    det = ColourPeopleDetector()
    lifter = make_pipeline(detector=det, pose_estimator=ColourPeoplePose(det), depth_estimator=None)
    out = lifter(str(path))
    expected = np.array([i not in gone for i in range(30)])
    np.testing.assert_array_equal(out["valid"], expected)  # both appearances, never the bystander
    choice = out["track_choice"]
    assert choice["track"] == out["track"] and choice["tracks"][0]["frames"] == 16
    assert [t["frames"] for t in choice["tracks"]] == [16, 30] and "box area" in choice["rule"]


def test_assign_tracks_survives_a_crossing_with_a_missed_detection():
    # two equal boxes cross at 10 px/frame; at frame 4 only one is detected (occlusion)
    rows_f, rows_b = [], []
    for f in range(9):
        a = [10 * f, 0, 10 * f + 30, 60]
        b = [80 - 10 * f, 0, 110 - 10 * f, 60]
        for box in [a] if f == 4 else [a, b]:
            rows_f.append(f)
            rows_b.append(box)
    tracks = assign_tracks(np.array(rows_f), np.array(rows_b, float), np.ones(len(rows_f), bool))
    frames, boxes = np.array(rows_f), np.array(rows_b, float)
    moving_right = tracks[boxes[:, 0] == 10 * frames]
    assert len(set(moving_right.tolist())) == 1  # one id for the whole walk
    assert len(set(tracks.tolist())) == 2
    assert choose_track(tracks, boxes, np.ones(len(tracks)), (200, 60)) == moving_right[0]  # longest


def test_preprocess_sources_read_as_displayed_with_real_time(tmp_path):
    """`auglift preprocess` reads frames through the same code: upright images, real timestamps, decode order."""
    from auglift_hf.preprocess.sources import discover_sources, iter_frames

    upright = marker_image(coco_pose(3.0))
    _save_with_orientation(STORED[8](upright), tmp_path / "photo.png", 8)
    path, _ = _vfr_clip(tmp_path)
    sources = discover_sources([tmp_path / "photo.png", path])
    (img,) = list(iter_frames(sources[0], 0, 0, 1))
    np.testing.assert_array_equal(img.image, upright)
    frames = list(iter_frames(sources[1], 1, 2, 8))
    assert [f.frame_index for f in frames] == [2, 3, 4, 5, 6, 7] and not any(f.error for f in frames)
    np.testing.assert_allclose([f.timestamp for f in frames], VFR_TIMES[2:], atol=1e-6)


def test_keypoint_json_with_two_people_is_tracked(make_pipeline):
    """COCO results with two people per frame and no track ids: tracked by box; the longest track is lifted."""
    rows = []
    for i in range(6):
        walker = coco_pose(3.0 * i)
        rows.append({"image_id": i, "keypoints": np.c_[walker, np.full(17, 0.9)].ravel().tolist(), "score": 1.0})
        if 1 <= i <= 4:  # a higher-scoring bystander, standing still, in 4 of the 6 frames
            other = coco_pose(0.0) * [0.5, 0.5] + [5.0, 40.0]
            rows.append({"image_id": i, "keypoints": np.c_[other, np.full(17, 0.95)].ravel().tolist(), "score": 3.0})
    lifter = make_pipeline()
    out = lifter({"annotations": rows}, image_size=(128, 96))  # (a bare list is a batch to transformers)
    expected = coco_to_h36m(np.c_[coco_pose(9.0), np.full(17, 0.9)])[:, :2]
    np.testing.assert_allclose(out["keypoints_2d"][3], expected, atol=1e-4)
    ranked = out["track_choice"]["tracks"]  # the walker: bigger and longer than the bystander (area x frames)
    assert out["track_choice"]["track"] == out["track"] == ranked[0]["track"]
    assert [r["frames"] for r in ranked] == [6, 4] and ranked[0]["mean_box_area"] > 3 * ranked[1]["mean_box_area"]
    both = lifter({"annotations": rows}, image_size=(128, 96), person="all")
    assert len(both) == 2 and sorted(int(r["valid"].sum()) for r in both) == [4, 6]
