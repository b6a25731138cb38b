import json

import numpy as np
import pytest

from auglift_hf.export import load_motion, save_motion_json, save_motion_npz
from auglift_hf.skeleton import H36M_JOINT_NAMES


def _motion(frames=4, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(0, 300, (frames, 17, 3)), rng.uniform(0, 640, (frames, 17, 2)), rng.uniform(0, 1, (frames, 17))


@pytest.mark.parametrize("suffix", ["json", "npz"])
def test_round_trip(tmp_path, suffix):
    k3, k2, sc = _motion()
    path = tmp_path / f"m.{suffix}"
    writer = save_motion_json if suffix == "json" else save_motion_npz
    writer(path, k3, keypoints_2d=k2, scores=sc, fps=25, metadata={"model": "x"})
    back = load_motion(path)
    atol = 0.01 if suffix == "json" else 1e-3 * np.abs(k3).max()
    np.testing.assert_allclose(back["keypoints_3d"], k3, atol=atol)
    np.testing.assert_allclose(back["keypoints_2d"], k2, atol=0.01 if suffix == "json" else 1e-3)
    np.testing.assert_allclose(back["scores"], sc, atol=0.01)
    assert back["joint_names"] == list(H36M_JOINT_NAMES)
    assert back["fps"] == 25 and back["units"] == "mm" and back["metadata"] == {"model": "x"}
    assert not list(tmp_path.glob(".*.tmp"))


def test_json_layout_is_frames_of_17x3(tmp_path):
    k3, _, _ = _motion(2)
    save_motion_json(tmp_path / "m.json", k3)
    raw = json.loads((tmp_path / "m.json").read_text())
    assert np.asarray(raw["keypoints_3d"]).shape == (2, 17, 3)


def test_npz_loads_without_pickle(tmp_path):
    k3, _, _ = _motion(2)
    save_motion_npz(tmp_path / "m.npz", k3)
    with np.load(tmp_path / "m.npz", allow_pickle=False) as data:
        assert data["keypoints_3d"].shape == (2, 17, 3)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"keypoints_3d": np.zeros((3, 16, 3))}, "keypoints_3d"),
        ({"keypoints_3d": np.zeros((0, 17, 3))}, "at least one frame"),
        ({"keypoints_3d": np.full((1, 17, 3), np.nan)}, "NaN"),
        ({"keypoints_3d": np.zeros((2, 17, 3)), "keypoints_2d": np.zeros((3, 17, 2))}, "keypoints_2d"),
        ({"keypoints_3d": np.zeros((2, 17, 3)), "scores": np.zeros((2, 16))}, "scores"),
    ],
)
def test_bad_input(tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        save_motion_json(tmp_path / "m.json", **kwargs)
    assert not (tmp_path / "m.json").exists()
