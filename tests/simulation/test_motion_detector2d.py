import numpy as np
import pytest

from auglift_hf.camera import project
from auglift_hf.simulation import (
    BONE_LENGTHS,
    MOTION_TYPES,
    DetectorNoise,
    apply_detector_noise,
    generate_motion,
    project_sequence,
    random_camera,
)
from auglift_hf.skeleton import bone_lengths


@pytest.mark.parametrize("kind", MOTION_TYPES)
def test_motion_is_rigid_smooth_and_on_the_floor(kind):
    j = generate_motion(kind, 120, fps=25.0, seed=1)
    assert j.shape == (120, 17, 3) and j.dtype == np.float32
    lengths = bone_lengths(j.astype(np.float64))
    assert lengths.std(0).max() < 1e-5  # rigid skeleton
    assert 0.08 < lengths.mean(0).min() and lengths.mean(0).max() < 0.6  # metres, adult sizes
    assert np.isclose(np.minimum(j[:, 3, 2], j[:, 6, 2]).min(), 0.08, atol=1e-5)  # ankles on the floor
    assert j[:, 10, 2].max() > 1.3  # head well above the floor: z is up
    speed = np.linalg.norm(np.diff(j, axis=0), axis=-1).max() * 25.0
    assert speed < 8.0  # m/s: no jumps between frames


def test_motion_is_seedable_and_varied():
    a = generate_motion("walking", 50, seed=3)
    b = generate_motion("walking", 50, seed=3)
    c = generate_motion("walking", 50, seed=4)
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).max() > 0.01
    walk = generate_motion("walking", 100, seed=0)
    assert np.linalg.norm(walk[-1, 0, :2] - walk[0, 0, :2]) > 1.0  # walking travels
    squat = generate_motion("squatting", 100, seed=0)
    assert np.ptp(squat[:, 0, 2]) > 0.15  # the pelvis goes down and up


def test_bad_arguments():
    with pytest.raises(ValueError, match="kind"):
        generate_motion("flying", 10)
    with pytest.raises(ValueError, match="joints_world"):
        random_camera(np.zeros((5, 16, 3)))
    with pytest.raises(ValueError, match="keypoints_2d"):
        apply_detector_noise(np.zeros((4, 17, 3)))


def test_random_camera_sees_the_person():
    j = generate_motion("walking", 200, seed=2)
    cam = random_camera(j, seed=0, image_size=(800, 600))
    assert cam["R"].shape == (3, 3)
    np.testing.assert_allclose(cam["R"] @ cam["R"].T, np.eye(3), atol=1e-9)
    joints_cam, kp = project_sequence(j, cam)
    assert (joints_cam[..., 2] > 1.0).all()
    assert (kp >= 0).all() and (kp[..., 0] < 800).all() and (kp[..., 1] < 600).all()
    np.testing.assert_allclose(kp, project(joints_cam.astype(np.float64), cam["f"], cam["c"]), atol=1e-3)
    # camera y points down: the head is above (smaller v than) the ankles
    assert (kp[:, 10, 1] < kp[:, 3, 1]).all()
    assert set(BONE_LENGTHS) >= {"thigh", "shin"}


def test_detector_noise_confidence_falls_with_error():
    j = generate_motion("reaching", 400, seed=5)
    _, kp = project_sequence(j, random_camera(j, seed=1))
    noisy, conf = apply_detector_noise(kp, DetectorNoise(gross_error_prob=0.05), seed=0)
    assert noisy.shape == kp.shape and conf.shape == kp.shape[:2]
    assert conf.min() >= 0.05 and conf.max() <= 1.0
    err = np.linalg.norm(noisy - kp, axis=-1)
    assert np.corrcoef(err.ravel(), conf.ravel())[0, 1] < -0.5
    assert err.mean() > 1.0  # pixels: really noisy
    clean, _ = apply_detector_noise(kp, DetectorNoise(jitter=0, gross_error_prob=0, swap_prob=0), seed=0)
    np.testing.assert_allclose(clean, kp, atol=1e-3)
    again, _ = apply_detector_noise(kp, seed=7)
    np.testing.assert_array_equal(again, apply_detector_noise(kp, seed=7)[0])
