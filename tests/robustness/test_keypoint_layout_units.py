"""Issue 28 classes F, G, J: `auglift lift` on keypoints whose layout, units or frame rate cannot be right.

F: 17 undeclared points in H36M order were lifted as COCO-17 (642 mm from the declared-file result) with only a
"domain gap" warning. G: keypoints normalised to 0-1 with a pixel --image-size were lifted (person 0.13 px).
J: `--fps 1e9` gave 44 identical poses "via 1 frames"; `--fps 0.001` ran > 11 min at 4.9 GB. All exit 0 before.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from auglift_hf.preprocess.testing import coco_pose

from .conftest import assert_one_line_error, make_motion


def _entries(frames: np.ndarray, score: float = 0.9) -> list[dict]:
    """COCO-results entries (no categories: the layout is undeclared) of ``(F, 17, 2)`` pixel keypoints."""
    out = []
    for n, kp in enumerate(frames):
        trip = np.concatenate([kp, np.full((len(kp), 1), score)], -1)
        out.append({"image_id": n, "category_id": 1, "keypoints": trip.ravel().tolist(), "score": 1.0})
    return out


def _h36m_pixels(frames: int = 12) -> np.ndarray:
    """(F, 17, 2) H36M-17 joints of a simulated walking person seen by a camera 5 m away (focal 1000, 1000x1000)."""
    world = make_motion(frames, seed=3)  # z up, metres
    cam = world[..., [0, 2, 1]] * np.array([1.0, -1.0, 1.0]) + np.array([0.0, 0.9, 5.0])  # x right, y down, z fwd
    return cam[..., :2] / cam[..., 2:] * 1000 + 500


def _coco_pixels(frames: int = 12) -> np.ndarray:
    return np.stack([coco_pose(2.0 * n) * 6 + np.array([300.0, 200.0]) for n in range(frames)])


def test_class_f_layout_from_geometry_tells_coco_from_h36m():
    from auglift_hf.preprocess.io_keypoints import layout_from_geometry

    seen = np.zeros((12, 17), bool)
    assert layout_from_geometry(_coco_pixels(), seen)[0] == "coco17"
    assert layout_from_geometry(_h36m_pixels(), seen)[0] == "h36m17"
    squeezed = _h36m_pixels()
    squeezed[:, 1:5] = squeezed[:, :1] + 0.4 * (squeezed[:, 1:5] - squeezed[:, :1])  # between the two: ambiguous
    assert layout_from_geometry(squeezed, seen)[0] is None
    assert layout_from_geometry(_coco_pixels(), np.ones((12, 17), bool))[0] is None  # nothing seen: no evidence


def test_class_f_undeclared_17_point_layouts(run_cli, lifters, tmp_path):
    common = ("--model", lifters["good"], "--image-size", 1000, 1000, "--device", "cpu")
    h36m = _h36m_pixels()
    src = tmp_path / "h36m_undeclared.json"
    src.write_text(json.dumps(_entries(h36m)))
    declared = tmp_path / "declared.json"
    code, _, err = run_cli("lift", src, *common, "--keypoint-format", "h36m17", "--out", declared)
    assert code == 0, err
    code, _, err = run_cli("lift", src, *common, "--out", tmp_path / "auto.json")
    assert code == 0, err
    assert "read as h36m17 from their geometry" in err
    auto, ref = (json.loads((tmp_path / n).read_text()) for n in ("auto.json", "declared.json"))
    np.testing.assert_allclose(auto["keypoints_2d"], h36m, atol=0.01)  # H36M order kept, not remapped as COCO
    np.testing.assert_allclose(auto["keypoints_3d"], ref["keypoints_3d"], atol=0.01)
    # a declaration the geometry contradicts is refused, naming both
    out = tmp_path / "bad.json"
    code, _, err = run_cli("lift", src, *common, "--keypoint-format", "coco17", "--out", out)
    assert code == 2 and not out.exists()
    assert_one_line_error(err, "lift", str(src), "coco17", "geometry is h36m17")
    # an ambiguous undeclared file is refused, asking for --keypoint-format
    squeezed = h36m.copy()
    squeezed[:, 1:5] = squeezed[:, :1] + 0.4 * (squeezed[:, 1:5] - squeezed[:, :1])
    amb = tmp_path / "ambiguous.json"
    amb.write_text(json.dumps(_entries(squeezed)))
    code, _, err = run_cli("lift", amb, *common, "--out", out)
    assert code == 2 and not out.exists()
    assert_one_line_error(err, "lift", str(amb), "--keypoint-format")
    # a COCO file stays COCO
    coco = tmp_path / "coco.json"
    coco.write_text(json.dumps(_entries(_coco_pixels())))
    assert run_cli("lift", coco, *common, "--out", tmp_path / "coco_out.json")[0] == 0
    assert json.loads((tmp_path / "coco_out.json").read_text())["keypoint_format"] == "coco17"


def test_class_f_real_h36m_annotations_without_categories(shared_data, run_cli, tmp_path):
    """MMPose's h36m_coco.json with its `categories` removed: read as H36M-17 (was COCO-17, 642 mm away)."""
    obj = json.loads((shared_data / "h36m" / "h36m_coco.json").read_text())
    src = tmp_path / "h36m_no_categories.json"
    src.write_text(json.dumps(obj["annotations"]))
    out = tmp_path / "out.json"
    code, _, err = run_cli("lift", src, "--model", "checkpoints/tcn-27f-xy", "--image-size", 1000, 1002, "--out",
                           out, "--device", "cpu")  # fmt: skip
    assert code == 0, err
    res = json.loads(out.read_text())
    file_kp = np.array([a["keypoints"] for a in obj["annotations"]]).reshape(4, 17, 3)[..., :2]
    np.testing.assert_allclose(res["keypoints_2d"], file_kp, atol=0.01)
    assert res["keypoint_format"] == "h36m17"


def test_class_g_normalised_keypoints_with_a_pixel_size_are_refused(run_cli, lifters, tmp_path):
    px = _coco_pixels()
    src = tmp_path / "normalised.json"
    src.write_text(json.dumps(_entries(px / np.array([1812.0, 1004.0]))))
    out = tmp_path / "out.json"
    code, _, err = run_cli("lift", src, "--model", lifters["good"], "--image-size", 1812, 1004, "--out", out)
    assert code == 2 and not out.exists()
    assert_one_line_error(err, "lift", str(src), "px", "normalised")
    src.write_text(json.dumps(_entries(px)))  # the same person in pixels is lifted
    assert run_cli("lift", src, "--model", lifters["good"], "--image-size", 1812, 1004, "--out", out)[0] == 0


@pytest.mark.parametrize(("fps", "words"), [("1e9", "needs >= 2"), ("0.001", "at most 500,000")])
def test_class_j_frame_rates_that_cannot_be_right_are_refused(run_cli, lifters, tmp_path, fps, words):
    """A 3-frame TCN with a 25 Hz contract: 44 frames at 1e9 Hz would be 1 lifted frame; at 0.001 Hz 1,075,001."""
    lifter = tmp_path / "lifter"
    import shutil

    shutil.copytree(lifters["good"], lifter)
    cfg = json.loads((lifter / "preprocessor_config.json").read_text())
    cfg["frame_rate"] = 25.0
    (lifter / "preprocessor_config.json").write_text(json.dumps(cfg))
    src = tmp_path / "walk.json"
    src.write_text(json.dumps(_entries(_coco_pixels(44))))
    out = tmp_path / "out.json"
    code, _, err = run_cli("lift", src, "--model", lifter, "--image-size", 1812, 1004, "--fps", fps, "--out", out)
    assert code == 2 and not out.exists()
    assert_one_line_error(err, "lift", "--fps", words)
    assert run_cli("lift", src, "--model", lifter, "--image-size", 1812, 1004, "--fps", 50, "--out", out)[0] == 0
