"""Viewpoint augmentation: random virtual cameras and the record-level copies."""

from __future__ import annotations

import numpy as np
import pytest

from auglift_hf.camera import camera_to_world, project, world_to_camera
from auglift_hf.simulation.motion import look_at_camera
from auglift_hf.simulation.viewpoints import VIRTUAL_CAMERAS, VirtualCameraRanges, virtual_camera
from auglift_hf.skeleton import PELVIS

# an H36M-like real camera: 5 m from the origin, 1.5 m high, looking at the pelvis height
_REAL = {"R": look_at_camera(np.array([5.0, 0.0, 1.5]), np.array([0.0, 0.0, 0.95])), "T": np.array([5.0, 0.0, 1.5]), "f": np.array([1145.0, 1145.0]), "c": np.array([500.0, 500.0]),
         "k": np.array([-0.2, 0.2, -0.002]), "p": np.array([-0.001, -0.001]), "w": 1000, "h": 1002}  # fmt: skip


def _world(t: int = 40, seed: int = 0, walk: float = 1.0) -> np.ndarray:
    """A standing skeleton ``(t, 17, 3)`` world metres (z up, feet near the floor) walking ``walk`` metres in x."""
    rng = np.random.default_rng(seed)
    base = rng.normal(0, 0.15, (17, 3))
    base[:, 2] = np.linspace(0.1, 1.7, 17)
    base[PELVIS] = [0.0, 0.0, 0.95]
    return base + np.linspace(0, walk, t)[:, None, None] * [1.0, 0.0, 0.0] + rng.normal(0, 0.005, (t, 17, 3))


def test_virtual_cameras_stay_in_their_documented_ranges_and_keep_the_sequence_in_view():
    world = _world()
    target = world[:, PELVIS].mean(0)
    radius = np.linalg.norm(world[:, PELVIS, :2] - target[:2], axis=-1).max()
    heights, dists, focals, azimuths = [], [], [], []
    for s in range(200):
        cam = virtual_camera(world, s)
        xyz = world_to_camera(world, cam["R"], cam["T"])
        uv = project(xyz, cam["f"], cam["c"])
        assert (xyz[..., 2] > 0).all()
        assert (uv >= 0.05 * 1000 - 1e-6).all() and (uv <= 0.95 * 1000 + 1e-6).all()  # 5 % margin
        forward = cam["R"][:, 2]  # aimed at the mean pelvis, no roll
        to_target = (target - cam["T"]) / np.linalg.norm(target - cam["T"])
        assert np.allclose(forward, to_target, atol=1e-9) and abs(cam["R"][2, 0]) < 1e-9
        heights.append(cam["T"][2])
        dists.append(np.linalg.norm(cam["T"][:2] - target[:2]) - radius)
        focals.append(cam["f"][0])
        azimuths.append(np.arctan2(*(cam["T"][:2] - target[:2])[::-1]))
    lo, hi = VIRTUAL_CAMERAS.height
    assert lo <= min(heights) and max(heights) <= hi and np.ptp(heights) > 0.7 * (hi - lo)
    lo, hi = VIRTUAL_CAMERAS.distance
    assert lo - 1e-9 <= min(dists) and max(dists) <= hi + 1e-9
    assert max(focals) <= VIRTUAL_CAMERAS.focal[1] and np.ptp(focals) > 300
    assert np.histogram(azimuths, bins=4, range=(-np.pi, np.pi))[0].min() > 25  # all around the person


def test_virtual_camera_is_seeded_and_ranges_are_checked():
    world = _world()
    a, b = virtual_camera(world, [1, 2]), virtual_camera(world, [1, 2])
    assert all(np.array_equal(a[k], b[k]) for k in ("R", "T", "f", "c"))
    assert not np.allclose(virtual_camera(world, [1, 3])["T"], a["T"])
    narrow = VirtualCameraRanges(height=(2.0, 2.0))
    assert virtual_camera(world, 0, narrow)["T"][2] == pytest.approx(2.0)
    for bad in ({"height": (2.0, 1.0)}, {"focal": (0.0, 100.0)}, {"distance": (1.0, float("nan"))}, {"margin": 0.5}):
        with pytest.raises(ValueError, match="VirtualCameraRanges"):
            VirtualCameraRanges(**bad)


def _record(camera: str, world: np.ndarray, action: str = "Walking 1"):
    from auglift_hf.data.schema import SequenceRecord

    xyz = world_to_camera(world, _REAL["R"], _REAL["T"])
    uv = project(xyz, _REAL["f"], _REAL["c"], _REAL["k"], _REAL["p"])
    t = len(world)
    return SequenceRecord(
        dataset="h36m", subject="S1", action=action, camera=camera, keypoints_2d=uv, keypoints_3d=xyz,
        focal=_REAL["f"], center=_REAL["c"], image_size=(1000, 1002), fps=25.0, split="train",
        frame_index=np.arange(t), valid=np.ones(t, bool), source="test",
    )  # fmt: skip


def test_augmented_viewpoints_film_the_same_world_motion_from_new_cameras():
    from auglift_hf.data.h36m import augment_viewpoints

    world = _world()
    records = [_record("54138969", world), _record("55011271", world), _record("54138969", world, "Eating 1")]
    records[0].valid[3] = False
    assert (records[0].keypoints_3d[..., 2] > 3).all() and (records[0].keypoints_2d > 0).all()
    before = [r.keypoints_3d.copy() for r in records]
    cams = {("S1", c): _REAL for c in ("54138969", "55011271")}
    out = augment_viewpoints(records, cams, copies=2, seed=7)
    assert len(out) == 6 and all(np.array_equal(r.keypoints_3d, b) for r, b in zip(records, before))
    by_label = {(r.action, r.camera): r for r in out}
    assert set(by_label) == {(a, f"{c}-virtual{k}") for a, c in [("Walking 1", "54138969"), ("Walking 1", "55011271"),
                                                                  ("Eating 1", "54138969")] for k in (1, 2)}  # fmt: skip
    a = by_label[("Walking 1", "54138969-virtual1")]
    # the same body: bone geometry (pairwise joint distances) is that of the world motion
    dist = lambda x: np.linalg.norm(x[:, :, None] - x[:, None], axis=-1)  # noqa: E731
    assert np.allclose(dist(a.keypoints_3d), dist(world), atol=1e-5)
    assert np.allclose(a.keypoints_2d, project(a.keypoints_3d, a.focal, a.center))  # pinhole, no distortion
    assert a.image_size == (1000, 1000) and a.detected_2d is None and "virtual camera" in a.source
    assert not a.valid[3] and a.valid[[0, 1, 2, 4]].all()  # the original's flags are kept
    views = [by_label[("Walking 1", c)] for c in ("54138969-virtual1", "54138969-virtual2", "55011271-virtual1")]
    assert len({tuple(np.round(v.keypoints_3d[0, PELVIS], 6)) for v in views}) == 3  # a new camera per record/copy
    # back in the world, every copy is the original motion up to its camera
    cam_a = augment_viewpoints(records[:1], cams, copies=1, seed=7)[0]
    assert np.array_equal(cam_a.keypoints_3d, a.keypoints_3d)
    assert augment_viewpoints(records, cams, copies=0) == []
    with pytest.raises(ValueError, match="copies"):
        augment_viewpoints(records, cams, copies=-1)
    with pytest.raises((KeyError, ValueError), match="55011271"):
        augment_viewpoints(records, {("S1", "54138969"): _REAL}, copies=1)
    assert np.allclose(camera_to_world(records[0].keypoints_3d, _REAL["R"], _REAL["T"]), world, atol=1e-5)
