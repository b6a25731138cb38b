"""Named detector presets of :mod:`auglift_hf.simulation.detector2d` (the MoveNet-measured one, issue 24.5)."""

import json
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest

from auglift_hf.simulation import CocoLandmarkOffsets, coco_landmarks_3d
from auglift_hf.simulation.detector2d import (
    COCO_DETECTOR_PRESETS,
    RealisticDetectorNoise,
    coco_detector_preset,
    object_scale_px,
    simulate_coco_detector,
)
from auglift_hf.skeleton import coco_to_h36m

MEASURED = Path(__file__).resolve().parents[2] / "benchmarks" / "real_peers" / "movenet_measured.json"


def test_movenet_preset_is_the_committed_measurement():
    measured = json.loads(MEASURED.read_text())
    noise, offsets = coco_detector_preset("movenet-measured")
    assert offsets.to_dict() == pytest.approx(measured["offsets_m"], abs=1e-9)
    assert set(offsets.to_dict()) == {f.name for f in fields(CocoLandmarkOffsets)}
    assert noise.precision == pytest.approx(measured["precision"])
    assert noise.time_constant == pytest.approx(measured["time_constant"])
    for name, (lo, hi) in measured["offsets_loo_range_m"].items():  # the fit lies inside its leave-one-out spread
        assert lo - 1e-4 <= measured["offsets_m"][name] <= hi + 1e-4, name


def test_default_preset_is_the_unchanged_simulation_default():
    noise, offsets = coco_detector_preset("default")
    assert noise == RealisticDetectorNoise() and offsets == CocoLandmarkOffsets()
    # the shipped checkpoints were trained with these; the measured preset must not have replaced them
    assert RealisticDetectorNoise().precision == 0.35 and CocoLandmarkOffsets().hip_down == 0.13


def test_preset_returns_copies_and_refuses_unknown_names():
    noise, offsets = coco_detector_preset("movenet-measured")
    noise.precision, offsets.hip_down = 9.0, 9.0
    assert COCO_DETECTOR_PRESETS["movenet-measured"][0].precision == 0.274
    assert COCO_DETECTOR_PRESETS["movenet-measured"][1].hip_down == 0.0334
    with pytest.raises(ValueError, match="movenet-measured"):
        coco_detector_preset("movenet")


def _standing_pose() -> np.ndarray:
    """A T-ish standing H36M-17 pose (camera frame, metres, 4 m in front of the camera, facing it)."""
    j = np.array([
        [0, 0, 0], [-0.13, 0, 0], [-0.13, 0.45, 0], [-0.13, 0.88, 0], [0.13, 0, 0], [0.13, 0.45, 0],
        [0.13, 0.88, 0], [0, -0.23, 0], [0, -0.48, 0], [0, -0.58, -0.02], [0, -0.69, 0], [0.18, -0.45, 0],
        [0.2, -0.18, 0], [0.21, 0.07, 0], [-0.18, -0.45, 0], [-0.2, -0.18, 0], [-0.21, 0.07, 0],
    ])  # fmt: skip
    j[:, 0] = -j[:, 0]  # the subject's left is the image's right when it faces the camera
    return j + np.array([0.0, 0.0, 4.0])


def test_movenet_preset_moves_the_hips_less_than_the_default():
    """The measured hips sit 33 mm below H36M's (default 130 mm): the pelvis definitional offset shrinks."""
    joints = np.repeat(_standing_pose()[None], 3, 0)
    cam = {"f": np.array([1145.0, 1145.0]), "c": np.array([500.0, 500.0])}
    gt = joints[..., :2] / joints[..., 2:] * cam["f"] + cam["c"]
    off = {}
    for name in ("default", "movenet-measured"):
        noise, offsets = coco_detector_preset(name)
        out = simulate_coco_detector(joints, cam, 25.0, params=noise, offsets=offsets, seed=0)
        off[name] = np.linalg.norm(out["definition_2d"][:, 0] - gt[:, 0], axis=-1).mean()
    assert off["movenet-measured"] < 0.4 * off["default"]
    assert off["default"] == pytest.approx(0.13 * 1145.0 / 4.0, rel=0.1)


def test_movenet_preset_reproduces_its_measured_offsets_on_the_real_frames(shared_data):
    """Consistency on the frames it was fitted to (not an independent validation): the preset's definitional
    offsets at the pelvis and hips match MoveNet's measured ones better than the default's do."""
    from auglift_hf.camera import load_mmpose_cameras, project
    from auglift_hf.data.h36m import parse_imgname

    measured = json.loads(MEASURED.read_text())["h36m_offset_over_s"]
    d = np.load(shared_data / "h36m" / "test_h36m_body3d.npz")
    cams = load_mmpose_cameras(shared_data / "h36m" / "cameras.pkl")
    part = d["part"][..., :2]
    s = object_scale_px(part)
    res = {}
    for name in ("default", "movenet-measured"):
        _, offsets = coco_detector_preset(name)
        uv = []
        for i, img in enumerate(d["imgname"]):
            subject, _, camera, _ = parse_imgname(str(img))
            cam = cams[(subject, camera)]
            lm = coco_landmarks_3d(d["S"][i, :, :3], offsets)
            uv.append(
                coco_to_h36m(project(lm, cam["f"], cam["c"], cam.get("k"), cam.get("p")), confidence_channel=None)
            )
        res[name] = (np.linalg.norm(np.stack(uv) - part, axis=-1) / s[:, None]).mean(0)
    assert res["default"] == pytest.approx(measured["simulation_default"], abs=2e-3)  # the JSON is this computation
    hips = [0, 1, 4]
    gap = {n: np.abs(res[n][hips] - np.asarray(measured["movenet"])[hips]).mean() for n in res}
    assert gap["movenet-measured"] < 0.5 * gap["default"]
