import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auglift_hf.export.bvh import (
    REST_DIRECTIONS,
    bvh_to_h36m,
    fit_bvh,
    normalise_bone_lengths,
    read_bvh,
    write_bvh,
)
from auglift_hf.skeleton import H36M_PARENTS, bone_lengths


def _walking(frames=20, seed=0):
    """A plausible moving body: a T-pose-like rest skeleton, rotated and jittered per frame, in camera mm."""
    rng = np.random.default_rng(seed)
    lengths = np.array([250, 130, 450, 450, 130, 450, 450, 230, 250, 120, 110, 150, 280, 250, 150, 280, 250.0])
    rest = REST_DIRECTIONS * lengths[:, None] * np.array([1, -1, -1])  # BVH (y up) -> camera (y down)
    out = np.zeros((frames, 17, 3))
    for j, p in enumerate(H36M_PARENTS):
        if p >= 0:
            d = rest[j] + rng.normal(0, 60, (frames, 3))
            out[:, j] = out[:, p] + d / np.linalg.norm(d, axis=-1, keepdims=True) * lengths[j]
    out += np.array([100, 0, 4500.0]) + np.cumsum(rng.normal(0, 5, (frames, 1, 3)), 0)
    return out


def test_round_trip_reproduces_directions_and_mean_lengths(tmp_path):
    pos = _walking()
    path = write_bvh(tmp_path / "m.bvh", pos, fps=25)
    skel = read_bvh(path)
    back = bvh_to_h36m(skel)
    expected = normalise_bone_lengths(pos)
    assert np.abs(back - expected).max() < 0.05  # mm, text precision
    np.testing.assert_allclose(bone_lengths(back), bone_lengths(pos).mean(0)[None].repeat(len(pos), 0), atol=0.05)
    assert skel.frame_time == pytest.approx(1 / 25)
    # root follows the pelvis exactly
    np.testing.assert_allclose(back[:, 0], pos[:, 0], atol=1e-3)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000))
def test_fk_of_fitted_rotations_on_random_poses(seed):
    rng = np.random.default_rng(seed)
    pos = rng.normal(0, 300, (3, 17, 3)) + [0, 0, 5000]
    back = bvh_to_h36m(fit_bvh(pos))  # in memory: no text rounding
    np.testing.assert_allclose(back, normalise_bone_lengths(pos), atol=1e-6)


def test_upright_person_facing_camera_gives_identity_root():
    pos = _chain(REST_DIRECTIONS * np.array([1, -1, -1]) * 100.0)  # the rest T-pose in camera coordinates
    skel = fit_bvh(pos)
    np.testing.assert_allclose(skel.motion[0, 3:], 0, atol=1e-6)  # every rotation is zero in the rest pose


def _chain(offsets):
    out = np.zeros((1, 17, 3))
    for j, p in enumerate(H36M_PARENTS):
        if p >= 0:
            out[0, j] = out[0, p] + offsets[j]
    return out


def test_file_structure(tmp_path):
    write_bvh(tmp_path / "m.bvh", _walking(3))
    text = (tmp_path / "m.bvh").read_text()
    assert text.startswith("HIERARCHY\nROOT pelvis")
    assert "Frames: 3" in text and text.count("End Site") == 5
    assert "CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation" in text


@pytest.mark.parametrize("bad", [np.zeros((2, 16, 3)), np.zeros((0, 17, 3)), np.full((1, 17, 3), np.inf)])
def test_bad_input(tmp_path, bad):
    with pytest.raises(ValueError, match="positions_mm"):
        write_bvh(tmp_path / "m.bvh", bad)
    assert not (tmp_path / "m.bvh").exists()


def test_exported_bvh_reads_back_to_the_same_3d_through_the_bvh_reader(tmp_path):
    """`auglift export bvh` files read by `auglift convert bvh`'s reader (auglift_hf.data.bvh) give the exported
    3D: camera-frame mm -> Y-up cm BVH -> the reader's z-up world metres is the rotation (x, y, z) -> (x, z, -y),
    then one constant shift per clip (centring, floor)."""
    from auglift_hf.data.bvh import read_bvh_world

    pos = _walking(frames=30, seed=2)
    clip = read_bvh_world(write_bvh(tmp_path / "m.bvh", pos, fps=50))
    assert (clip.joint_map, clip.units, clip.fps) == ("auglift", "cm", 50.0)
    cam = normalise_bone_lengths(pos) / 1000.0
    expected = np.stack([cam[..., 0], cam[..., 2], -cam[..., 1]], -1)
    shift = clip.joints - expected
    assert np.abs(shift - shift[:1, :1]).max() < 1e-6  # metres: < 0.001 mm beyond one constant translation


def test_read_bvh_uses_the_package_reader_and_refuses_other_layouts(tmp_path):
    """`read_bvh` parses with the one BVH reader (line-numbered errors) and takes only the layout it writes."""
    path = write_bvh(tmp_path / "m.bvh", _walking(), fps=25)
    text = open(path).read()
    other = tmp_path / "xyz.bvh"
    other.write_text(text.replace("Zrotation Xrotation Yrotation", "Xrotation Yrotation Zrotation"))
    with pytest.raises(ValueError, match="auglift convert bvh"):
        read_bvh(other)
    truncated = tmp_path / "cut.bvh"
    truncated.write_text("\n".join(text.splitlines()[:-3]) + "\n")
    with pytest.raises(ValueError, match=r"cut\.bvh:\d+"):
        read_bvh(truncated)
