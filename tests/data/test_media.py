"""A video frame's time and the media alignment (auglift_hf.data.media, auglift_hf.preprocess.video): containers
whose first frame is not at pts 0, and variable frame rate, each built here with PyAV."""

from __future__ import annotations

import numpy as np
import pytest

from auglift_hf.data.media import REASON_CODE, align_to_media, gt_timestamps, read_media_frames, video_media

from . import media_fixtures as F

FPS = 25
N = 8


def _frames(n: int = N) -> list[np.ndarray]:
    """Frame ``k`` shows frame code ``k`` (background blue, read back by :class:`FrameCodeDepth`)."""
    return [F.draw(64, 64, k, []) for k in range(n)]


def _code(image: np.ndarray) -> int:
    return int(np.rint((np.median(image[:4, :4, 2]) - F.BLUE0) / 10.0))


#: name -> (file name, write_video options, codes of the frames the file shows, in order)
OFFSET_VIDEOS = {
    # MP4 edit list: the first decoded frame is at pts 5 (start offset 0.2 s); the demuxer reports it as such
    "mp4_start_offset": ("clip.mp4", {"pts": list(range(5, 5 + N))}, list(range(N))),
    # Matroska stream starting at 0.2 s
    "mkv_start_offset": ("clip.mkv", {"pts": list(range(5, 5 + N))}, list(range(N))),
    # two pre-roll frames before the edit list's start (negative pts, marked for discarding): frames 2.. are shown
    "mp4_edit_list_preroll": ("clip.mp4", {"pts": list(range(-2, N - 2)), "bframes": 2}, list(range(2, N))),
    # AVI whose pts start at 1 (codec delay of an H.264 stream in AVI)
    "avi_pts_from_1": ("clip.avi", {"codec": "libx264rgb"}, list(range(N))),
    # AVI with real B-frames (MPEG-4 Part 2, packets out of presentation order, pts from 1)
    "avi_mpeg4_bframes": ("clip.avi", {"codec": "mpeg4", "bframes": 2}, list(range(N))),
}


@pytest.mark.parametrize("name", sorted(OFFSET_VIDEOS))
def test_first_decoded_frame_is_time_zero_everywhere(tmp_path, name):
    """One definition of a frame's time (pts minus the first decoded frame's pts) in the reader, in `lift` /
    `preprocess`'s frame source and in the dataset join; frame ``k`` of the clip is at ``k / fps``."""
    from auglift_hf.preprocess.sources import discover_sources, iter_frames
    from auglift_hf.preprocess.video import VideoReader

    file, opts, codes = OFFSET_VIDEOS[name]
    path = F.write_video(tmp_path / file, _frames(), FPS, **opts)
    n = len(codes)
    want = np.arange(n) / FPS
    reader = VideoReader(path)
    assert len(reader) == n
    np.testing.assert_allclose(reader.timestamps, want, atol=1e-6)
    decoded = list(reader.decode())
    assert [f.error for f in decoded] == [""] * n
    assert [_code(f.image) for f in decoded] == codes  # frame k is the k-th frame shown
    np.testing.assert_allclose([f.time for f in decoded], want, atol=1e-6)
    # `lift` / `preprocess` read frames through preprocess.sources
    src = discover_sources([path])[0]
    np.testing.assert_allclose([f.timestamp for f in iter_frames(src, 0, 0, n)], want, atol=1e-6)
    # the join: rows at k / fps take frame k, and its decoded time agrees
    media = video_media(path)
    idx, reason = align_to_media(gt_timestamps(np.arange(n), FPS), media)
    np.testing.assert_array_equal(idx, np.arange(n))
    assert (reason == 0).all()
    got = list(read_media_frames(media, list(range(n))))
    assert [e for *_, e in got] == [""] * n
    np.testing.assert_allclose([t for _, _, t, _ in got], want, atol=1e-6)
    assert [_code(im) for _, im, _, _ in got] == codes


def test_variable_frame_rate_uses_decoded_timestamps(tmp_path):
    """A 25 fps clip that dropped the frame at 0.12 s: rows keep their own frames after the gap (counting at the
    nominal rate would shift every later row by one frame), the row at 0.12 s has none."""
    pts = [0, 1, 2, 4, 5, 6, 7, 8]  # frame 3 dropped; frame k of the file shows code pts[k]
    images = [F.draw(64, 64, p, []) for p in pts]
    path = F.write_video(tmp_path / "vfr.mp4", images, FPS, pts=pts)
    media = video_media(path)
    assert media.num_frames == 8
    np.testing.assert_allclose(media.timestamps, np.asarray(pts) / FPS, atol=1e-6)
    assert media.measured_fps == pytest.approx(FPS)  # the median interval, not the header's average (22.7)
    idx, reason = align_to_media(gt_timestamps(np.arange(9), FPS), media)
    np.testing.assert_array_equal(idx, [0, 1, 2, -1, 3, 4, 5, 6, 7])
    assert reason[3] == REASON_CODE["no_media_frame"] and (np.delete(reason, 3) == 0).all()
    got = {i: (_code(im), t) for i, im, t, _ in read_media_frames(media, [2, 3, 7])}
    assert got[3][0] == 4 and got[3][1] == pytest.approx(4 / FPS)  # file frame 3 is the frame of t = 0.16 s
    assert got[7][0] == 8 and got[7][1] == pytest.approx(8 / FPS)
