"""Helpers for the Space tests (a module with a unique name, so imports never hit another conftest)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
APP_DIR = ROOT / "spaces" / "auglift-demo"


def coco_sequence(frames: int = 6, seed: int = 0) -> np.ndarray:
    """A standing person waving an arm: (frames, 17, 3) COCO-17 (x, y, score) in a 640x480 image."""
    rng = np.random.default_rng(seed)
    base = np.array(
        [[320, 100], [312, 92], [328, 92], [300, 96], [340, 96], [280, 150], [360, 150], [260, 210], [380, 210],
         [250, 270], [390, 270], [295, 270], [345, 270], [292, 350], [348, 350], [290, 430], [350, 430]],
        dtype=np.float64,
    )  # fmt: skip
    out = np.zeros((frames, 17, 3))
    for t in range(frames):
        pose = base.copy()
        pose[9] += [20 * np.sin(t / 2), -60 * np.sin(t / 3)]  # l_wrist moves
        out[t, :, :2] = pose + rng.normal(0, 1.0, pose.shape)
        out[t, :, 2] = rng.uniform(0.6, 0.95, 17)
    return out


def alphapose_json(frames: int = 6) -> str:
    seq = coco_sequence(frames)
    return json.dumps(
        [
            {"image_id": f"{t}.jpg", "keypoints": seq[t].reshape(-1).round(2).tolist(), "score": 2.5}
            for t in range(frames)
        ]
    )
