"""HumanEva-I reader (auglift_hf.data.humaneva): VideoPose3D's npz layout built in code, and the real shared files."""

from __future__ import annotations

import numpy as np
import pytest

from auglift_hf.camera import project, world_to_camera
from auglift_hf.data.humaneva import (
    CAMERAS,
    H36M_FROM_HUMANEVA,
    NOSE_ALONG_THORAX_HEAD,
    SPINE_ALONG_PELVIS_THORAX,
    humaneva_camera,
    read_humaneva,
    to_h36m,
)

# HumanEva-15 rest pose (metres, z up): pelvis, thorax, l sh/el/wr, r sh/el/wr, l hip/knee/ankle, r hip/knee/ankle, head
REST = np.array([
    [0, 0, 0.95], [0, 0, 1.40], [0.18, 0, 1.38], [0.45, 0, 1.38], [0.70, 0, 1.38], [-0.18, 0, 1.38],
    [-0.45, 0, 1.38], [-0.70, 0, 1.38], [0.10, 0, 0.92], [0.10, 0, 0.50], [0.10, 0, 0.08], [-0.10, 0, 0.92],
    [-0.10, 0, 0.50], [-0.10, 0, 0.08], [0, 0, 1.72],
])  # fmt: skip


def _write(tmp_path, offset_px: float = 0.0):
    """``data_3d_humaneva15.npz`` / ``data_2d_humaneva15_gt.npz`` in VideoPose3D's layout, 2D projected with the
    reader's cameras (+ ``offset_px``)."""
    rng = np.random.default_rng(0)
    pos, p2d = {}, {}
    for subject in ("Validate/S1", "Validate/S2"):
        pos[subject], p2d[subject] = {}, {}
        for chunk, n in (("Walking 1 chunk0", 30), ("Box 1 chunk2", 12), ("Gestures 1 chunk0", 9)):
            world = REST + rng.normal(0, 0.02, (n, 15, 3)) + np.linspace([-0.5, 0, 0], [0.5, 0, 0], n)[:, None]
            pos[subject][chunk] = world.astype(np.float32)
            views = []
            for camera in CAMERAS:
                cam = humaneva_camera(subject, camera)
                uv = project(world_to_camera(world, cam["R"], cam["T"]), cam["f"], cam["c"], cam["k"], cam["p"])
                views.append((uv + offset_px).astype(np.float32))
            p2d[subject][chunk] = views
    meta = {"layout_name": "humaneva15", "num_joints": 15,
            "keypoints_symmetry": [[2, 3, 4, 8, 9, 10], [5, 6, 7, 11, 12, 13]]}  # fmt: skip
    np.savez(tmp_path / "data_3d_humaneva15.npz", positions_3d=pos)
    np.savez(tmp_path / "data_2d_humaneva15_gt.npz", positions_2d=p2d, metadata=meta)
    return pos, p2d


def test_reader_maps_joints_and_keeps_the_shipped_2d(tmp_path):
    pos, p2d = _write(tmp_path)
    recs = read_humaneva(tmp_path / "data_3d_humaneva15.npz", tmp_path / "data_2d_humaneva15_gt.npz",
                         subjects=["Validate/S1", "Validate/S2"])  # fmt: skip
    assert len(recs) == 2 * 2 * 3  # Walking and Box chunks x 3 cameras; Gestures is not in the protocol
    assert {r.split for r in recs} == {"test"} and {r.fps for r in recs} == {60.0}
    rec = next(r for r in recs if r.subject == "Validate/S2" and r.action == "Box 1 chunk2" and r.camera == "C2")
    cam = humaneva_camera("Validate/S2", "C2")
    xyz15 = world_to_camera(pos["Validate/S2"]["Box 1 chunk2"].astype(np.float64), cam["R"], cam["T"])
    assert xyz15[..., 2].min() > 2.0  # in front of the camera, metres
    np.testing.assert_allclose(rec.keypoints_3d, to_h36m(xyz15), atol=1e-5)
    for h36m, he in H36M_FROM_HUMANEVA.items():
        np.testing.assert_allclose(rec.keypoints_2d[:, h36m], p2d["Validate/S2"]["Box 1 chunk2"][1][:, he], atol=1e-4)
    k = rec.keypoints_3d
    np.testing.assert_allclose(k[:, 7], k[:, 0] + SPINE_ALONG_PELVIS_THORAX * (k[:, 8] - k[:, 0]), atol=1e-5)
    np.testing.assert_allclose(k[:, 9], k[:, 8] + NOSE_ALONG_THORAX_HEAD * (k[:, 10] - k[:, 8]), atol=1e-5)
    # left/right as the file's metadata: H36M's left shoulder (11) is HumanEva's joint 2
    assert H36M_FROM_HUMANEVA[11] == 2 and H36M_FROM_HUMANEVA[14] == 5 and H36M_FROM_HUMANEVA[4] == 8


def test_reader_refuses_cameras_that_do_not_reproduce_the_2d(tmp_path):
    _write(tmp_path, offset_px=8.0)
    with pytest.raises(ValueError, match="reproduce the shipped 2D"):
        read_humaneva(tmp_path / "data_3d_humaneva15.npz", tmp_path / "data_2d_humaneva15_gt.npz",
                      subjects=["Validate/S1"])  # fmt: skip
    with pytest.raises(ValueError, match="not in the file"):
        read_humaneva(tmp_path / "data_3d_humaneva15.npz", tmp_path / "data_2d_humaneva15_gt.npz")  # no Validate/S3


def test_convert_humaneva_cli_with_simulated_detector(tmp_path, capsys):
    import datasets

    from auglift_hf.cli import main

    _write(tmp_path)
    out = tmp_path / "table"
    code = main(["convert", "humaneva", str(tmp_path), "--subjects", "Validate/S1", "--simulate-detector",
                 "--out", str(out), "--no-progress"])  # fmt: skip
    assert code == 0
    assert "test: 126 rows" in capsys.readouterr().out  # (30 + 12) frames x 3 cameras
    gt = datasets.load_dataset(str(out), "gt2d", split="test")
    det = datasets.load_dataset(str(out), "detected2d", split="test")
    assert gt.num_rows == det.num_rows == 126 and set(gt.unique("dataset")) == {"humaneva"}
    assert "simulated" in (out / "README.md").read_text()


def test_real_humaneva_cameras_reproduce_the_shipped_2d(shared_data):
    """VideoPose3D's extrinsics + the fitted intrinsics reproduce the real ground-truth 2D to ~1 px."""
    from auglift_hf.data.npz import load_npz

    root = shared_data / "humaneva"
    d3 = load_npz(root / "data_3d_humaneva15.npz", keys=("positions_3d",))["positions_3d"]
    d2 = load_npz(root / "data_2d_humaneva15_gt.npz", keys=("positions_2d",))["positions_2d"]
    errors = []
    for subject in ("Validate/S1", "Validate/S2", "Validate/S3", "Train/S1"):
        for chunk, world in d3[subject].items():
            for ci, camera in enumerate(CAMERAS):
                cam = humaneva_camera(subject, camera)
                uv = project(world_to_camera(world.astype(np.float64), cam["R"], cam["T"]), cam["f"], cam["c"],
                             cam["k"], cam["p"])  # fmt: skip
                errors.append(np.linalg.norm(uv - d2[subject][chunk][ci], axis=-1).ravel())
    errors = np.concatenate(errors)
    assert errors.mean() < 0.1 and errors.max() < 1.0, (errors.mean(), errors.max())
    recs = read_humaneva(root / "data_3d_humaneva15.npz", root / "data_2d_humaneva15_gt.npz")
    assert sum(r.num_frames for r in recs) == 3 * 3523  # Validate/S1-S3, Walking / Jog / Box, 3 cameras


def test_convert_humaneva_errors_are_one_line(tmp_path, capsys):
    from auglift_hf.cli import main

    assert main(["convert", "humaneva", str(tmp_path / "nope"), "--out", str(tmp_path / "t"), "--no-progress"]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "data_3d_humaneva15.npz" in err[0]
    _write(tmp_path, offset_px=8.0)
    assert main(["convert", "humaneva", str(tmp_path), "--subjects", "Validate/S1", "--out", str(tmp_path / "t"),
                 "--no-progress"]) == 2  # fmt: skip
    assert "reproduce the shipped 2D" in capsys.readouterr().err
    assert not (tmp_path / "t").exists()  # nothing partial written
