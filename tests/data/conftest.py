"""Fixtures for the dataset reader tests; the native-format writers live in :mod:`.native_formats`."""

from __future__ import annotations

import numpy as np
import pytest

from .native_formats import CAM_IDS, make_cameras, make_motion, write_pickle


@pytest.fixture
def h36m_files(tmp_path):
    """cameras.pkl, data_3d_h36m.npz (S1 train, S9 test), data_2d detections npz."""
    cams = write_pickle(tmp_path / "cameras.pkl", make_cameras())
    pos = {
        "S1": {"Walking 1": make_motion(40, seed=1), "Directions": make_motion(25, seed=2)},
        "S9": {"Walking 1": make_motion(30, seed=3)},
    }
    np.savez(tmp_path / "data_3d_h36m.npz", positions_3d=pos)
    rng = np.random.default_rng(0)
    det = {
        s: {a: [rng.uniform(0, 1000, (len(m), 17, 2)).astype(np.float32) for _ in CAM_IDS] for a, m in acts.items()}
        for s, acts in pos.items()
    }
    np.savez(tmp_path / "data_2d_h36m_det.npz", positions_2d=det, metadata={"layout_name": "h36m", "num_joints": 17})
    return {
        "cameras": cams,
        "positions_3d": tmp_path / "data_3d_h36m.npz",
        "detections": tmp_path / "data_2d_h36m_det.npz",
        "motion": pos,
        "dir": tmp_path,
    }
