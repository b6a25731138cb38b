import json

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from auglift_hf import camera
from auglift_hf.utils.safe_pickle import safe_load_pickle


def _rotation(seed: int) -> np.ndarray:
    q, r = np.linalg.qr(np.random.default_rng(seed).normal(size=(3, 3)))
    q = q * np.sign(np.diag(r))
    return q if np.linalg.det(q) > 0 else -q


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000))
def test_world_camera_round_trip(seed):
    rng = np.random.default_rng(seed)
    R, T = _rotation(seed), rng.normal(size=(3, 1)) * 3
    X = rng.normal(size=(5, 17, 3))
    Xc = camera.world_to_camera(X, R, T)
    np.testing.assert_allclose(camera.camera_to_world(Xc, R, T), X, atol=1e-10)
    # Distances are preserved by a rigid transform.
    np.testing.assert_allclose(
        np.linalg.norm(Xc[:, 1] - Xc[:, 0], axis=-1), np.linalg.norm(X[:, 1] - X[:, 0], axis=-1)
    )
    Xt = camera.world_to_camera(torch.as_tensor(X), R, T)
    np.testing.assert_allclose(Xt.numpy(), Xc, atol=1e-10)


@settings(max_examples=30, deadline=None)
@given(st.floats(100, 4000), st.floats(100, 4000))
def test_screen_normalisation_round_trip(w, h):
    uv = np.random.default_rng(0).uniform(0, 1, size=(10, 17, 2)) * [w, h]
    n = camera.normalize_screen_coordinates(uv, w, h)
    assert np.all(np.abs(n[..., 0]) <= 1 + 1e-9)
    np.testing.assert_allclose(camera.image_coordinates(n, w, h), uv, rtol=1e-9, atol=1e-6)


def test_screen_normalisation_matches_videopose3d_formula():
    X = np.array([[0.0, 0.0], [1000.0, 1002.0], [500.0, 501.0]])
    np.testing.assert_allclose(camera.normalize_screen_coordinates(X, 1000, 1002), X / 1000 * 2 - [1, 1002 / 1000])
    with pytest.raises(ValueError, match="image size"):
        camera.normalize_screen_coordinates(X, 0, 10)


def test_project_without_distortion_is_pinhole():
    X = np.array([[0.1, -0.2, 4.0], [0.0, 0.0, 2.0]])
    uv = camera.project(X, [1000, 1100], [500, 400])
    np.testing.assert_allclose(uv, [[500 + 1000 * 0.025, 400 - 1100 * 0.05], [500, 400]])
    with pytest.raises(ValueError, match="X_cam"):
        camera.project(np.zeros((4, 2)), [1, 1], [0, 0])


def test_project_distortion_matches_videopose3d_reference():
    """VideoPose3D's project_to_2d with its packed intrinsics, re-implemented here."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(8, 17, 3)) * 0.5 + [0, 0, 5]
    f, c = np.array([1145.0, 1143.8]), np.array([512.5, 515.5])
    k, p = np.array([-0.207, 0.248, -0.003]), np.array([-0.0014, -0.001])
    xx = X[..., :2] / X[..., 2:]
    r2 = np.sum(xx**2, axis=-1, keepdims=True)
    radial = 1 + np.sum(k * np.concatenate((r2, r2**2, r2**3), axis=-1), axis=-1, keepdims=True)
    tan = np.sum(p * xx, axis=-1, keepdims=True)
    xxx = xx * (radial + tan) + p * r2
    expected = f * xxx + c
    # VideoPose3D's h36m_dataset.py stores the tangential pair reversed relative to MMPose's cameras.pkl
    # (it holds (p2, p1)); ours takes MMPose's (p1, p2), so feed the reversed vector to compare.
    ours = camera.project(X, f, c, k, p[::-1])
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-9)


def test_restricted_unpickler_refuses_code(tmp_path):
    import pickle

    class Evil:
        def __reduce__(self):
            return (print, ("owned",))

    bad = tmp_path / "evil.pkl"
    bad.write_bytes(pickle.dumps(Evil(), protocol=2))
    with pytest.raises(pickle.UnpicklingError, match=r"evil.pkl.*refusing.*builtin__\.print"):
        safe_load_pickle(bad)
    good = tmp_path / "ok.pkl"
    good.write_bytes(pickle.dumps({("S1", "1"): {"R": np.eye(3), "T": np.zeros((3, 1))}}, protocol=2))
    assert np.array_equal(safe_load_pickle(good)[("S1", "1")]["R"], np.eye(3))
    trunc = tmp_path / "trunc.pkl"
    trunc.write_bytes(good.read_bytes()[:20])
    with pytest.raises(ValueError, match="trunc.pkl.*corrupt or truncated"):
        safe_load_pickle(trunc)


@pytest.mark.shared_data
def test_real_h36m_cameras_reproduce_mmpose_annotations(shared_data):
    """world (h36m_coco.json) -> camera reproduces `S`; projection with distortion reproduces `part`."""
    h36m = shared_data / "h36m"
    cams = camera.load_mmpose_cameras(h36m / "cameras.pkl")
    npz = np.load(h36m / "test_h36m_body3d.npz")
    coco = json.loads((h36m / "h36m_coco.json").read_text())
    for i, ann in enumerate(coco["annotations"]):
        subject, rest = str(npz["imgname"][i]).split("/")[:2]
        cam = cams[(subject, rest.split(".")[1])]
        world = np.asarray(ann["keypoints_3d"], dtype=np.float64).reshape(17, -1)[:, :3]
        S = npz["S"][i, :, :3]
        np.testing.assert_allclose(camera.world_to_camera(world, cam["R"], cam["T"]), S, atol=1e-5)
        uv = camera.project(S, cam["f"], cam["c"], cam["k"], cam["p"])
        assert np.abs(uv - npz["part"][i, :, :2]).max() < 0.5
