"""Issue 28 class P: `processor(kp, depth=<millimetres>)` saturated the d channel to +-1 with no warning (a
plausible wrong answer); depth that cannot be metres is refused, naming the unit."""

from __future__ import annotations

import numpy as np
import pytest

from .conftest import make_motion


def _inputs():
    joints = make_motion(6)[..., [0, 2, 1]] * np.array([1.0, -1.0, 1.0]) + np.array([0.0, 0.9, 4.0])  # camera m
    kp = joints[..., :2] / joints[..., 2:] * 1000 + 500
    return kp, joints[..., 2]


def test_class_p_depth_in_millimetres_is_refused(lifters):
    from auglift_hf import PoseLiftingProcessor

    proc = PoseLiftingProcessor.from_pretrained(lifters["xycd"])
    proc.depth_kind = "metric"
    kp, depth_m = _inputs()
    scores = np.full(kp.shape[:2], 0.9)
    metres = proc(kp, image_size=(1000, 1000), scores=scores, depth=depth_m)["keypoints"]
    d = np.asarray(metres)[..., proc.input_channels.index("d")]
    assert np.abs(d).max() < 0.5  # a person's relative depth: well inside the +-1 clip
    with pytest.raises(ValueError, match="not in metres.*millimetres"):
        proc(kp, image_size=(1000, 1000), scores=scores, depth=depth_m * 1000)
    with pytest.raises(ValueError, match="not in metres"):  # one joint's depth missing does not hide it
        mm = depth_m * 1000
        mm[:, 3] = np.nan
        proc(kp, image_size=(1000, 1000), scores=scores, depth=mm)
    # relative depth (disparity in arbitrary units) is not checked against metres
    proc.depth_kind = "relative"
    proc(kp, image_size=(1000, 1000), scores=scores, depth=depth_m * 1000)
