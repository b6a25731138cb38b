"""Every reader on native-format fixtures, plus corrupt / truncated / malicious inputs."""

from __future__ import annotations

import json
import os
import pickle

import numpy as np
import pytest

from auglift_hf.camera import project, world_to_camera
from auglift_hf.data.fit3d import fit3d_split, read_fit3d
from auglift_hf.data.h36m import parse_imgname, read_h36m_mmpose, read_h36m_positions_3d
from auglift_hf.data.mpi_inf_3dhp import (
    MPI3DHP17_TO_H36M,
    MPI3DHP28_TO_H36M,
    read_3dhp_mmpose,
    read_3dhp_root,
    read_3dhp_test_sequence,
    read_3dhp_train_sequence,
)
from auglift_hf.data.npz import load_npz
from auglift_hf.data.pw3d import read_3dpw_root, read_3dpw_sequence, smpl_to_h36m
from auglift_hf.skeleton import h36m32_to_17

from .native_formats import CAM_IDS, write_3dhp_test, write_3dhp_train, write_3dpw, write_fit3d, write_pickle


# ------------------------------------------------------------------------------------------------ H36M
def test_h36m_positions_3d_four_views(h36m_files):
    recs = read_h36m_positions_3d(h36m_files["positions_3d"], h36m_files["cameras"], fps=50)
    assert len(recs) == 3 * 4  # 3 sequences x 4 cameras
    by = {(r.subject, r.action, r.camera): r for r in recs}
    r = by[("S9", "Walking 1", CAM_IDS[2])]
    assert r.split == "test" and by[("S1", "Directions", CAM_IDS[0])].split == "train"
    world = h36m32_to_17(h36m_files["motion"]["S9"]["Walking 1"].astype(np.float64))
    from auglift_hf.camera import load_mmpose_cameras

    cam = load_mmpose_cameras(h36m_files["cameras"])[("S9", CAM_IDS[2])]
    expected = world_to_camera(world, cam["R"], cam["T"])
    np.testing.assert_allclose(r.keypoints_3d, expected, atol=1e-5)
    np.testing.assert_allclose(r.keypoints_2d, project(expected, cam["f"], cam["c"], cam["k"], cam["p"]), atol=1e-3)
    assert r.keypoints_3d[..., 2].min() > 3  # cameras 5 m away, looking at the subject
    # camera frame: root depth differs between views, but bone lengths do not
    other = by[("S9", "Walking 1", CAM_IDS[0])]
    np.testing.assert_allclose(
        np.linalg.norm(r.keypoints_3d[:, 1] - r.keypoints_3d[:, 0], axis=-1),
        np.linalg.norm(other.keypoints_3d[:, 1] - other.keypoints_3d[:, 0], axis=-1),
        atol=1e-5,
    )


def test_h36m_subjects_stride_max_frames_and_detections(h36m_files):
    recs = read_h36m_positions_3d(
        h36m_files["positions_3d"], h36m_files["cameras"], subjects=["S1"], stride=2, max_frames=7,
        detections=h36m_files["detections"],
    )  # fmt: skip
    assert {r.subject for r in recs} == {"S1"}
    assert all(r.num_frames == 7 and list(r.frame_index) == list(range(0, 14, 2)) for r in recs)
    assert all(r.detected_2d is not None and r.detected_2d.shape == (7, 17, 2) for r in recs)
    with pytest.raises(ValueError, match="unknown Human3.6M subject"):
        read_h36m_positions_3d(h36m_files["positions_3d"], h36m_files["cameras"], subjects=["S99"])
    with pytest.raises(ValueError, match=r"subject\(s\) \['S11'\] not in the file"):
        read_h36m_positions_3d(h36m_files["positions_3d"], h36m_files["cameras"], subjects=["S11"])


def test_h36m_mmpose_npz(tmp_path, h36m_files):
    from auglift_hf.camera import load_mmpose_cameras

    cams = load_mmpose_cameras(h36m_files["cameras"])
    world = h36m32_to_17(h36m_files["motion"]["S9"]["Walking 1"][:3].astype(np.float64))
    cam = cams[("S9", CAM_IDS[1])]
    S = world_to_camera(world, cam["R"], cam["T"])
    part = project(S, cam["f"], cam["c"], cam["k"], cam["p"])
    names = [f"S9/S9_Walking_1.{CAM_IDS[1]}/S9_Walking_1.{CAM_IDS[1]}_{i:06d}.jpg" for i in (3, 1, 2)]
    order = [2, 0, 1]
    np.savez(
        tmp_path / "h36m.npz", imgname=np.array(names), center=np.zeros((3, 2)), scale=np.ones(3),
        part=np.concatenate([part, np.ones((3, 17, 1))], -1)[order], S=np.concatenate([S, np.ones((3, 17, 1))], -1)[order],
    )  # fmt: skip
    (rec,) = read_h36m_mmpose(tmp_path / "h36m.npz", cams)
    assert (rec.subject, rec.action, rec.camera, rec.split) == ("S9", "Walking 1", CAM_IDS[1], "test")
    assert list(rec.frame_index) == [0, 1, 2]  # sorted by frame
    np.testing.assert_allclose(rec.keypoints_3d, S, atol=1e-6)
    assert parse_imgname("S11/S11_Sitting_Down_2.60457274/S11_Sitting_Down_2.60457274_000010.jpg") == (
        "S11",
        "Sitting Down 2",
        "60457274",
        9,
    )


def test_h36m_bad_inputs(tmp_path, h36m_files):
    cams = h36m_files["cameras"]
    np.savez(tmp_path / "nokey.npz", other=np.zeros(3))
    with pytest.raises(ValueError, match="missing keys.*positions_3d"):
        read_h36m_positions_3d(tmp_path / "nokey.npz", cams)
    np.savez(tmp_path / "shape.npz", positions_3d={"S1": {"Walking": np.zeros((5, 20, 3))}})
    with pytest.raises(ValueError, match=r"\(frames, 32\|17, 3\), got \(5, 20, 3\)"):
        read_h36m_positions_3d(tmp_path / "shape.npz", cams)
    np.savez(tmp_path / "empty.npz", positions_3d={"S1": {"Walking": np.zeros((0, 32, 3))}})
    with pytest.raises(ValueError, match="empty sequence"):
        read_h36m_positions_3d(tmp_path / "empty.npz", cams)
    nan = np.full((4, 32, 3), np.nan, np.float32)
    np.savez(tmp_path / "nan.npz", positions_3d={"S1": {"Walking": nan}})
    with pytest.raises(ValueError, match="NaN"):
        read_h36m_positions_3d(tmp_path / "nan.npz", cams)
    data = h36m_files["positions_3d"].read_bytes()
    (tmp_path / "trunc.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="trunc.npz"):
        read_h36m_positions_3d(tmp_path / "trunc.npz", cams)
    with pytest.raises(FileNotFoundError):
        read_h36m_positions_3d(tmp_path / "missing.npz", cams)


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned > /dev/null",))


def test_npz_with_malicious_pickle_is_refused(tmp_path):
    np.savez(tmp_path / "evil.npz", positions_3d=np.array([_Evil()], dtype=object))
    with pytest.raises(pickle.UnpicklingError, match="refusing"):
        load_npz(tmp_path / "evil.npz")


# ------------------------------------------------------------------------------------------------ 3DHP
def test_3dhp_joint_maps_by_name():
    # pelvis, r_hip ... as named in the module docstring
    assert MPI3DHP17_TO_H36M[0] == 14 and MPI3DHP17_TO_H36M[10] == 0 and MPI3DHP17_TO_H36M[8] == 1
    assert MPI3DHP28_TO_H36M[0] == 4 and MPI3DHP28_TO_H36M[3] == 25 and MPI3DHP28_TO_H36M[16] == 16
    assert len(set(MPI3DHP17_TO_H36M)) == 17


def test_3dhp_train_annot_mat_with_and_without_calibration(tmp_path):
    mat = write_3dhp_train(tmp_path, "S1", "Seq1", frames=20)
    recs = read_3dhp_train_sequence(mat, cameras=(0, 4), max_frames=10)
    assert [(r.subject, r.action, r.camera, r.split) for r in recs] == [
        ("S1", "Seq1", "0", "train"),
        ("S1", "Seq1", "4", "train"),
    ]
    r = recs[1]
    np.testing.assert_allclose(r.focal, [1501.0, 1496.0])
    np.testing.assert_allclose(project(r.keypoints_3d, r.focal, r.center), r.keypoints_2d, atol=1e-3)
    assert 3.0 < r.keypoints_3d[..., 2].min() and r.keypoints_3d[..., 2].max() < 5.0  # mm -> m
    (mat.parent / "camera.calibration").unlink()
    fitted = read_3dhp_train_sequence(mat, cameras=(4,))[0]  # intrinsics fitted from annot2 vs annot3
    np.testing.assert_allclose(fitted.focal, [1501.0, 1496.0], rtol=1e-6)
    np.testing.assert_allclose(fitted.center, [1024.0, 1055.0], rtol=1e-6)


@pytest.mark.parametrize("transposed", [False, True])
def test_3dhp_test_hdf5_masks_invalid_frames(tmp_path, transposed):
    mat = write_3dhp_test(tmp_path, "TS5", frames=15, transposed=transposed)
    rec = read_3dhp_test_sequence(mat)
    assert (rec.subject, rec.split, rec.image_size, rec.fps) == ("TS5", "test", (1920, 1080), 50.0)
    assert rec.valid.sum() == 14 and not rec.valid[3]
    assert np.isfinite(rec.keypoints_3d).all()
    np.testing.assert_allclose(rec.focal, [1500.0, 1500.5], rtol=1e-6)


def test_3dhp_root_and_bad_files(tmp_path):
    write_3dhp_train(tmp_path, "S2", "Seq2", frames=8)
    write_3dhp_test(tmp_path, "TS1", frames=6)
    recs = read_3dhp_root(tmp_path, cameras=(0,))
    assert {(r.subject, r.split) for r in recs} == {("S2", "train"), ("TS1", "test")}
    with pytest.raises(ValueError, match="unknown subject"):
        read_3dhp_root(tmp_path, subjects=["S7"])
    bad = tmp_path / "bad" / "Seq1"
    bad.mkdir(parents=True)
    (bad / "annot.mat").write_bytes(b"MATLAB 5.0 MAT-file garbage")
    with pytest.raises(ValueError, match="annot.mat"):
        read_3dhp_train_sequence(bad / "annot.mat")
    from scipy.io import savemat

    savemat(bad / "annot.mat", {"annot2": np.zeros((3, 56))})
    with pytest.raises(ValueError, match="missing key `annot3`"):
        read_3dhp_train_sequence(bad / "annot.mat")
    (tmp_path / "TS9").mkdir()
    (tmp_path / "TS9" / "annot_data.mat").write_bytes(b"\x89HDF\r\n truncated")
    with pytest.raises(ValueError, match="HDF5"):
        read_3dhp_test_sequence(tmp_path / "TS9" / "annot_data.mat")


def test_3dhp_mmpose_npz_and_cameras(tmp_path):
    rng = np.random.default_rng(0)
    xyz = rng.uniform([-0.5, -0.9, 3.5], [0.5, 0.9, 4.5], size=(3, 17, 3))
    f, c = np.array([1497.7, 1497.1]), np.array([1024.7, 1051.4])
    uv = f * xyz[..., :2] / xyz[..., 2:] + c
    np.savez(
        tmp_path / "3dhp.npz", imgname=np.array(["S4_Seq2_Cam0_000002.jpg", "S4_Seq2_Cam0_000001.jpg", "TS1_000005.jpg"]),
        center=np.zeros((3, 2)), scale=np.ones(3), part=np.concatenate([uv, np.ones((3, 17, 1))], -1),
        S=np.concatenate([xyz, np.ones((3, 17, 1))], -1),
    )  # fmt: skip
    cams = write_pickle(
        tmp_path / "cameras_train.pkl",
        {"S4_Seq2_Cam0": {"f": f.reshape(2, 1), "c": c.reshape(2, 1), "w": 2048.0, "h": 204.0}},
    )
    recs = read_3dhp_mmpose(tmp_path / "3dhp.npz", [cams])
    train, test = sorted(recs, key=lambda r: r.split == "test")
    assert train.image_size == (2048, 2048)  # upstream h=204 typo corrected
    assert list(train.frame_index) == [0, 1]
    np.testing.assert_allclose(train.keypoints_3d[1], xyz[0][list(MPI3DHP17_TO_H36M)], atol=1e-6)
    assert test.split == "test" and test.subject == "TS1"


# ------------------------------------------------------------------------------------------------ 3DPW
def test_3dpw_sequence_one_record_per_actor(tmp_path):
    path = write_3dpw(tmp_path, "test", frames=20, actors=2)
    recs = read_3dpw_sequence(path)
    assert [(r.person, r.split, r.camera) for r in recs] == [(0, "test", "0"), (1, "test", "0")]
    r = recs[0]
    assert not r.valid[5] and r.valid.sum() == 19  # campose_valid honoured
    raw = pickle.load(open(path, "rb"), encoding="latin1")  # noqa: SIM115 - trusted fixture we just wrote
    world = smpl_to_h36m(raw["jointPositions"][0].reshape(-1, 24, 3))
    np.testing.assert_allclose(r.keypoints_3d, world + [0, 0, 4.0], atol=1e-5)  # identity rotation, t = (0, 0, 4)
    np.testing.assert_allclose(r.keypoints_2d, project(r.keypoints_3d, r.focal, r.center), atol=1e-3)
    assert r.image_size == (1080, 1920) and r.detected_2d.shape == (20, 17, 2)
    assert len(read_3dpw_root(tmp_path)) == 2


def test_3dpw_malicious_truncated_and_missing_keys(tmp_path):
    evil = write_pickle(tmp_path / "evil.pkl", {"sequence": _Evil()})
    with pytest.raises(pickle.UnpicklingError, match="refusing"):
        read_3dpw_sequence(evil)
    good = write_3dpw(tmp_path, "train", frames=6, actors=1)
    data = good.read_bytes()
    (tmp_path / "trunc.pkl").write_bytes(data[: len(data) // 3])
    with pytest.raises(ValueError, match="trunc.pkl"):
        read_3dpw_sequence(tmp_path / "trunc.pkl")
    write_pickle(tmp_path / "nokey.pkl", {"sequence": "x"})
    with pytest.raises(ValueError, match="missing keys"):
        read_3dpw_sequence(tmp_path / "nokey.pkl")
    raw = pickle.load(open(good, "rb"), encoding="latin1")  # noqa: SIM115
    raw["jointPositions"] = [np.zeros((6, 69))]
    write_pickle(tmp_path / "shape.pkl", raw)
    with pytest.raises(ValueError, match=r"jointPositions\[0\]` must have shape \(6, 72\)"):
        read_3dpw_sequence(tmp_path / "shape.pkl")


# ------------------------------------------------------------------------------------------------ Fit3D
def test_fit3d_reader_and_split(tmp_path):
    root = write_fit3d(tmp_path, frames=12)
    recs = read_fit3d(root, max_frames=5)
    assert len(recs) == 4 * 2 * 2  # subjects x actions x cameras
    assert {r.subject for r in recs if r.split == "test"} == {"s07"}  # last ceil(0.25 * 4) by name
    assert fit3d_split(["s03", "s04", "s05", "s07", "s08", "s09", "s10", "s11"]) == {
        **dict.fromkeys(["s03", "s04", "s05", "s07", "s08", "s09"], "train"),
        "s10": "test",
        "s11": "test",
    }
    r = next(x for x in recs if (x.subject, x.action, x.camera) == ("s03", "squat", "58860488"))
    j = np.asarray(json.loads((root / "train/s03/joints3d_25/squat.json").read_text())["joints3d_25"])[:5, :17]
    params = json.loads((root / "train/s03/camera_parameters/58860488/squat.json").read_text())
    R, T = np.asarray(params["extrinsics"]["R"]), np.asarray(params["extrinsics"]["T"])
    expected = (j - T) @ R.T  # imar_vision_datasets_tools convention
    np.testing.assert_allclose(r.keypoints_3d, expected, atol=1e-5)
    assert expected[..., 2].min() > 2.0
    with pytest.raises(ValueError, match="unknown subject"):
        read_fit3d(root, subjects=["s99"])
    (root / "train/s03/joints3d_25/squat.json").write_text('{"joints3d_25": [[[0.0, 0.0')
    with pytest.raises(ValueError, match="corrupt or truncated JSON"):
        read_fit3d(root)
    (root / "train/s03/joints3d_25/squat.json").write_text(json.dumps({"joints3d_25": []}))
    with pytest.raises(ValueError, match="squat.json"):
        read_fit3d(root)


def test_convert_3dhp_root_cameras_from_the_command_line(tmp_path, capsys):
    """``auglift convert 3dhp <root> --cameras 0`` (indices arrive as strings) converts; a non-index is one line."""
    from auglift_hf.cli import main

    write_3dhp_train(tmp_path / "root", "S2", "Seq2", frames=8)
    out = tmp_path / "table"
    assert main(["convert", "3dhp", str(tmp_path / "root"), "--cameras", "0", "--out", str(out), "--no-progress"]) == 0
    assert (out / "README.md").exists()
    capsys.readouterr()
    code = main(["convert", "3dhp", str(tmp_path / "root"), "--cameras", "front", "--out", str(tmp_path / "t2")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "camera indices" in err[0] and not (tmp_path / "t2").exists()
