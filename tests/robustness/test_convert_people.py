"""Issue 28 class H: `convert h36m` refuses cameras / positions that cannot film a person, naming the field.

Before the fix each of these was exit 0: `cameras.pkl` T in millimetres (person 0.31 px, camera 5,333 m away),
focal / 1000 (0.33 px), y-up positions (head-pelvis vertical 0.09 m instead of 0.66 m).
"""

from __future__ import annotations

import numpy as np
import pytest

from .conftest import assert_one_line_error, make_cameras, make_motion, write_h36m


def _convert(run_cli, files, out):
    return run_cli("convert", "h36m", "--positions-3d", files["positions"], "--cameras", files["cameras"], "--out",
                   out, "--no-progress")  # fmt: skip


def _cameras(edit):
    cams = make_cameras()
    for cam in cams.values():
        edit(cam)
    return cams


@pytest.mark.parametrize(
    ("name", "edit", "words"),
    [
        ("T in mm", lambda c: c.update(T=c["T"] * 1000), ("`T`", "millimetres")),
        ("f / 1000", lambda c: c.update(f=c["f"] / 1000), ("`f`", "px")),
    ],
)
def test_class_h_cameras_in_other_units_are_refused(run_cli, tmp_path, name, edit, words):
    files = write_h36m(tmp_path / "src", cameras=_cameras(edit))
    out = tmp_path / "out"
    code, _, err = _convert(run_cli, files, out)
    assert code == 2, err
    assert_one_line_error(err, "convert", "cameras.pkl", *words)
    assert not out.exists()


def test_class_h_y_up_positions_are_refused(run_cli, tmp_path):
    y_up = {s: {"Walking": make_motion(30, i)[..., [0, 2, 1]] * np.array([1.0, 1.0, -1.0])} for i, s in
            enumerate(("S1", "S9"))}  # fmt: skip
    files = write_h36m(tmp_path / "src", positions=y_up)
    out = tmp_path / "out"
    code, _, err = _convert(run_cli, files, out)
    assert code == 2, err
    assert_one_line_error(err, "convert", "data_3d_h36m.npz", "z-up")
    assert not out.exists()


def test_class_h_plausible_people_still_convert(run_cli, tmp_path):
    """The bounds leave real set-ups alone: H36M-like cameras 5 m away, and a camera 40 m away with a long lens."""
    from .conftest import look_at

    far = _cameras(lambda c: c.update(T=c["T"] * 8, f=c["f"] * 8, R=look_at(c["T"].ravel() * 8)))
    code, _, err = _convert(run_cli, write_h36m(tmp_path / "src", cameras=far), tmp_path / "out")
    assert code == 0, err
    from auglift_hf.data.h36m import check_camera_view, check_up_axis

    world = make_motion(30)
    check_up_axis(world, "x")
    cam = world + np.array([0.0, 0.0, 5.0])
    check_camera_view(cam, cam[..., :2] / cam[..., 2:] * 1145 + 500, "x", "c")
