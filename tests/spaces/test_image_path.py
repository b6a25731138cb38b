"""The Space's image and video path (detector -> 2D pose -> depth -> lifters) with backends of known output.

The Hub checkpoints cannot be loaded here, so ``get_extractor`` is replaced by an :class:`XYCDExtractor` built on
the marker-image backends from :mod:`auglift_hf.preprocess.testing`: the person's keypoints are painted into the
image and the depth is a known plane, so the numbers that reach the lifters can be checked.
"""

import io

import numpy as np
import pytest
from PIL import Image

from auglift_hf.preprocess import XYCDExtractor
from auglift_hf.preprocess.testing import MarkerDetector, MarkerPose, PlaneDepth, coco_pose, marker_image


@pytest.fixture
def marker_extractor(space_app, monkeypatch):
    import demo_logic

    extractor = XYCDExtractor(MarkerDetector(), MarkerPose(), PlaneDepth(), depth_mode="point")
    monkeypatch.setattr(demo_logic, "get_extractor", lambda: extractor)
    return extractor


def _upload(space_app, name: str, data: bytes):
    root = space_app._upload_root()
    root.mkdir(parents=True, exist_ok=True)
    path = root / name
    path.write_bytes(data)
    return path


def test_image_upload_runs_extractor_and_both_lifters(space_app, marker_extractor):
    import demo_logic

    truth = coco_pose(0.0)
    buf = io.BytesIO()
    Image.fromarray(marker_image(truth)).save(buf, format="PNG")
    path = _upload(space_app, "marker_person.png", buf.getvalue())
    try:
        status, overlay, depth_img, left, right, files, _, result = space_app.lift_image(
            str(path), "poseformer-xycd", "poseformer-xy"
        )
    finally:
        path.unlink(missing_ok=True)
    assert status.startswith("Lifted the image"), status
    assert result.num_frames == 1 and set(result.poses) == {"poseformer-xycd", "poseformer-xy"}
    # The 2D that reached the lifters is the painted person, mapped COCO -> H36M (hips midpoint = pelvis).
    np.testing.assert_allclose(result.keypoints_2d[0, 0], truth[[11, 12]].mean(0), atol=1.0)
    for poses in result.poses.values():
        assert poses.shape == (1, 17, 3) and np.isfinite(poses).all()
    assert overlay.dtype == np.uint8 and depth_img is not None  # the depth map is shown
    assert left is not None and right is not None and len(files) == 6
    assert not any("no-depth input" in n for n in result.notes)  # real depth reached the XYCD model
    assert demo_logic.get_extractor() is marker_extractor


def test_image_without_person_is_a_clear_error(space_app, marker_extractor):
    buf = io.BytesIO()
    Image.fromarray(np.zeros((96, 128, 3), np.uint8)).save(buf, format="PNG")
    path = _upload(space_app, "empty.png", buf.getvalue())
    try:
        status, *_ = space_app.lift_image(str(path), "poseformer-xycd", "poseformer-xy")
    finally:
        path.unlink(missing_ok=True)
    assert status == "**Error:** no person was detected"
