"""Issue 28 class I: half-resolution media joined to full-resolution annotations gave `valid=True` rows with
keypoints beyond the frame (exit 0); the join now refuses media whose frame size is not the cameras' /
annotations', naming the file and both sizes."""

from __future__ import annotations

import importlib.util
import pickle
from pathlib import Path

import pytest

from auglift_hf.data.media_size import check_media_size


def _fixtures():
    """tests/data/media_fixtures.py: native-layout H36M videos with marker people, and a fake extractor."""
    path = Path(__file__).resolve().parents[1] / "data" / "media_fixtures.py"
    spec = importlib.util.spec_from_file_location("auglift_tests_media_fixtures", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_class_i_media_size_check():
    check_media_size((1000, 1000), (1000, 1002), "v.mp4", "cameras.pkl")  # a few pixels: accepted
    with pytest.raises(ValueError, match=r"v\.mp4: frames are 500x501 px .* 1000x1002 px images \(x0\.5\)"):
        check_media_size((500, 501), (1000, 1002), "v.mp4", "cameras.pkl")


def test_class_i_half_resolution_videos_are_refused_by_the_join(tmp_path):
    from auglift_hf.data.join import build_xycd_table

    F = _fixtures()
    fx = F.write_h36m(tmp_path, gt_frames=4, video_frames=8, subjects=("S1",))
    cams = pickle.loads(Path(fx["cameras"]).read_bytes())
    for cam in cams.values():  # the cameras describe frames twice the videos' size (the videos are half-res)
        cam["w"], cam["h"] = 2 * cam["w"], 2 * cam["h"]
    Path(fx["cameras"]).write_bytes(pickle.dumps(cams, protocol=2))
    out = tmp_path / "table"
    with pytest.raises(ValueError, match=r"Walking 1\.\d+\.mp4: frames are 256x256 px .* 512x512 px"):
        build_xycd_table("h36m", out, F.fake_extractor(), positions_3d=fx["positions_3d"], cameras=fx["cameras"],
                         videos=fx["videos"], progress=False, shard_size=4, batch_size=4)  # fmt: skip
    assert not (out / "README.md").exists()  # no table was written
