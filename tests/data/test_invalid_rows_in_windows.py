"""Invalid rows never enter temporal windows (issue 25 item 4), on tables built from native-layout fixtures, and
windows sampled at a lifter's frame rate on tables at other rates."""

from __future__ import annotations

import numpy as np
import pytest

from auglift_hf.data import PoseWindowDataset, SequenceRecord, write_frame_table
from auglift_hf.data.join import build_xycd_table

from . import media_fixtures as F
from .native_formats import write_3dpw


def _assert_windows_hold_valid_rows_only(ds: PoseWindowDataset) -> None:
    rows = ds.window_rows(np.arange(len(ds)))
    assert ds.valid[rows].all(), "a window contains an invalid row"
    batch = ds.get_batch(np.arange(len(ds)))["keypoints"].numpy()
    np.testing.assert_array_equal(batch, ds.features[rows])


def test_3dhp_joined_table_windows_skip_annotation_invalid_rows(tmp_path):
    """3DHP test frame 2 has valid_frame = 0: the join leaves it unprocessed ((0, 0) keypoints, c = 0, d = 0).
    Fails before the fix: the 5-frame windows of frames 0, 1, 3, 4 contained that row as data."""
    root = F.write_3dhp(tmp_path / "3dhp", test_frames=6, invalid_test=(2,))
    build_xycd_table("3dhp", tmp_path / "out", F.fake_extractor(), source=root, cameras=[0], progress=False)
    ds = PoseWindowDataset(tmp_path / "out", window_size=5, channels="x,y,c,d", config="detected2d", split="test")
    assert len(ds) == 5  # the protocol's frames: every valid_frame row is a centre, the invalid one is not
    assert not ds.valid[2]
    _assert_windows_hold_valid_rows_only(ds)
    # frames 0-1 and 3-5 are separate runs: frame 1's window is edge-padded with frame 1, never frame 2
    rows = ds.window_rows(np.arange(len(ds)))
    np.testing.assert_array_equal(rows[1], [0, 0, 1, 1, 1])
    np.testing.assert_array_equal(rows[2], [3, 3, 3, 4, 5])


def test_3dpw_campose_invalid_rows_never_in_windows(tmp_path):
    from auglift_hf.data.pw3d import convert_3dpw

    root = tmp_path / "3dpw"
    write_3dpw(root, frames=12, actors=1)  # actor 0, frame 5: campose_valid = 0
    convert_3dpw(root, tmp_path / "table", progress=False)
    ds = PoseWindowDataset(tmp_path / "table", window_size=9, split="test")
    assert len(ds) == 11 and (~ds.valid).sum() == 1
    _assert_windows_hold_valid_rows_only(ds)


def test_skip_invalid_false_keeps_the_legacy_windows(tmp_path):
    root = F.write_3dhp(tmp_path / "3dhp", test_frames=6, invalid_test=(2,))
    build_xycd_table("3dhp", tmp_path / "out", F.fake_extractor(), source=root, cameras=[0], progress=False)
    ds = PoseWindowDataset(tmp_path / "out", window_size=5, config="detected2d", split="test", skip_invalid=False)
    assert len(ds) == 6
    np.testing.assert_array_equal(ds.window_rows(1), [0, 0, 1, 2, 3])


def _linear_record(fps: float, frames: int = 40) -> SequenceRecord:
    t = np.arange(frames, dtype=np.float64)
    k3 = np.zeros((frames, 17, 3)) + [0.0, 0.0, 4.0]
    k3[:, 1:, 0] = 0.05 * np.arange(1, 17) - 0.4
    k3[:, :, 1] = 0.001 * t[:, None]  # moves linearly in time
    k2 = 1000 * k3[..., :2] / k3[..., 2:] + 500
    return SequenceRecord(
        dataset="toy", subject="S9", action="Walk", camera="0", keypoints_2d=k2, keypoints_3d=k3,
        focal=[1000, 1000], center=[500, 500], image_size=(1000, 1000), fps=fps, split="test",
    )  # fmt: skip


def test_windows_at_the_lifter_frame_rate(tmp_path):
    write_frame_table([_linear_record(50.0)], tmp_path / "t50", dataset_name="toy", progress=False)
    at_rate = PoseWindowDataset(tmp_path / "t50", window_size=5, split="test", frame_rate=25.0)
    stepped = PoseWindowDataset(tmp_path / "t50", window_size=5, split="test", frame_step=2)
    np.testing.assert_allclose(at_rate[20]["keypoints"], stepped[20]["keypoints"], atol=1e-6)
    # 60 Hz rows for a 25 Hz lifter: frame k of the window is 2.4 k rows away, linearly interpolated
    write_frame_table([_linear_record(60.0)], tmp_path / "t60", dataset_name="toy", progress=False)
    ds = PoseWindowDataset(tmp_path / "t60", window_size=5, split="test", frame_rate=25.0)
    plain = PoseWindowDataset(tmp_path / "t60", window_size=1, split="test")
    y = ds[20]["keypoints"][:, 0, 1].numpy()  # normalised y of the pelvis, linear in the row position
    rows = 20 + 2.4 * np.arange(-2, 3)
    expected = np.interp(rows, np.arange(40), plain.features[:, 0, 1])
    np.testing.assert_allclose(y, expected, atol=1e-6)
    np.testing.assert_allclose(ds.window_rows(20), rows)
    # within the contract's tolerance (1 %) no interpolation happens
    same = PoseWindowDataset(tmp_path / "t60", window_size=5, split="test", frame_rate=60.3)
    np.testing.assert_array_equal(same.window_rows(20), 20 + np.arange(-2, 3))
    with pytest.raises(ValueError, match="frame_rate"):
        PoseWindowDataset(tmp_path / "t60", window_size=5, split="test", frame_rate=0.0)
