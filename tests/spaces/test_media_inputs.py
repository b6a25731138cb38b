"""The Space reads uploads as users shot them (issue 12 item 3): EXIF orientation, one tracked person."""

import io

import numpy as np
from PIL import Image

from auglift_hf.preprocess import XYCDExtractor
from auglift_hf.preprocess.testing import ColourPeopleDetector, ColourPeoplePose, coco_pose, draw_person, marker_image
from auglift_hf.skeleton import coco_to_h36m


def test_exif_rotated_upload_is_upright(space_app):
    import demo_logic

    upright = marker_image(coco_pose(5.0))
    im = Image.fromarray(np.rot90(upright, 1).copy())  # stored sideways; EXIF 6 = the viewer turns it clockwise
    exif = im.getexif()
    exif[274] = 6
    buf = io.BytesIO()
    im.save(buf, format="PNG", exif=exif)
    np.testing.assert_array_equal(demo_logic.check_image_bytes(buf.getvalue()), upright)


def test_extract_follows_one_person_when_a_decoy_crosses(space_app, monkeypatch):
    import demo_logic

    det = ColourPeopleDetector()  # the decoy (green 200) out-scores the person in every frame it is in
    monkeypatch.setattr(demo_logic, "get_extractor", lambda: XYCDExtractor(det, ColourPeoplePose(det), None,
                                                                           multi_person=True))  # fmt: skip
    frames, people = [], []
    for i in range(10):
        img = np.zeros((96, 160, 3), np.uint8)
        p = coco_pose(8.0 * i)
        people.append(p)
        if 2 <= i <= 8:
            d = (coco_pose(0.0) - coco_pose(0.0).mean(0)) * 0.8 + [150 - 12.0 * (i - 2), 52]
            draw_person(img, d, green=200)
        frames.append(draw_person(img, p, green=255))
    found = demo_logic.extract(frames)
    for i in (1, 5, 9):
        seen = found["scores"][i] > 0
        expected = coco_to_h36m(np.c_[people[i], np.full(17, 0.8)])[:, :2]
        np.testing.assert_allclose(found["keypoints_2d"][i][seen], expected[seen], atol=1e-3)


def test_truncated_video_upload_is_refused(space_app, tmp_path):
    import demo_logic
    import pytest

    from auglift_hf.preprocess.testing import write_video

    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 255, (48, 64, 3), dtype=np.uint8) for _ in range(12)]
    full = write_video(tmp_path / "full.mp4", frames, faststart=True)
    data = full.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    got, _ = demo_logic.read_video(full)
    assert len(got) == 12 and np.array_equal(got[3], frames[3])
    with pytest.raises(demo_logic.DemoError, match="cannot be decoded"):
        demo_logic.read_video(cut)
