"""`auglift convert h36m --depth-source synthetic --simulate-detector` and the in-view flag (issue 14)."""

import datasets
import numpy as np
import pytest

from auglift_hf.data.h36m import frames_in_view


def test_frames_in_view_flags_joints_outside_the_image():
    cam = np.zeros((3, 17, 3)) + [0, 0, 5.0]
    uv = np.full((3, 17, 2), 500.0)
    uv[1, 4] = [1200.0, 500.0]  # one joint right of a 1000 px wide image
    cam[2, 3, 2] = -1.0  # one joint behind the camera
    assert frames_in_view(cam, uv, 1000, 1002).tolist() == [True, False, False]


def test_convert_h36m_with_simulated_detector_and_realistic_depth(h36m_files, tmp_path):
    from auglift_hf.cli import main

    out = tmp_path / "t"
    rc = main([
        "convert", "h36m", "--positions-3d", str(h36m_files["positions_3d"]), "--cameras", str(h36m_files["cameras"]),
        "--depth-source", "synthetic", "--depth-severity", "0.5", "--simulate-detector", "--detector-seed", "3",
        "--out", str(out), "--no-progress",
    ])  # fmt: skip
    assert rc == 0
    gt = datasets.load_dataset(str(out), "gt2d", split="test").with_format("numpy")
    det = datasets.load_dataset(str(out), "detected2d", split="test").with_format("numpy")
    k_gt, k_det = np.stack(gt["keypoints_2d"]), np.stack(det["keypoints_2d"])
    err = np.linalg.norm(k_det - k_gt, axis=-1)
    assert err.mean() > 1.0 and np.isfinite(err).all()  # definitional offsets + noise
    assert (np.stack(det["keypoint_scores"]) < 1).any()
    assert not np.allclose(np.stack(gt["d"]), np.stack(det["d"]))  # depth sampled at the detected keypoints
    card = (out / "README.md").read_text()
    assert (
        "monocular depth error model" in card
        and "surface-v2" in card  # the default simulation (issue 24)
        and "'severity': 0.5" in card
        and "detector-definition 2D" in card
    )
    for value in ("-1", "nan", "inf"):
        with pytest.raises(SystemExit) as bad:  # refused while parsing the options, before any work
            main(["convert", "h36m", "--positions-3d", str(h36m_files["positions_3d"]), "--cameras",
                  str(h36m_files["cameras"]), "--depth-source", "synthetic", "--depth-severity", value, "--out",
                  str(tmp_path / "bad"), "--no-progress"])  # fmt: skip
        assert bad.value.code == 2 and not (tmp_path / "bad").exists()


@pytest.mark.parametrize("flag", ["--simulate-detector"])
def test_simulate_detector_refuses_detections_together(h36m_files, tmp_path, flag):
    from auglift_hf.cli import main

    rc = main([
        "convert", "h36m", "--positions-3d", str(h36m_files["positions_3d"]), "--cameras", str(h36m_files["cameras"]),
        "--detections", str(h36m_files["detections"]), flag, "--out", str(tmp_path / "x"), "--no-progress",
    ])  # fmt: skip
    assert rc == 2 and not (tmp_path / "x").exists()


def test_convert_h36m_body_proportions_copies_training_takes_only(h36m_files, tmp_path):
    from auglift_hf.cli import main
    from auglift_hf.simulation.proportions import bone_lengths

    out = tmp_path / "bl"
    rc = main([
        "convert", "h36m", "--positions-3d", str(h36m_files["positions_3d"]), "--cameras", str(h36m_files["cameras"]),
        "--body-proportions", "2", "--simulate-detector", "--out", str(out), "--no-progress",
    ])  # fmt: skip
    assert rc == 0
    train = datasets.load_dataset(str(out), "gt2d", split="train").with_format("numpy")
    test = datasets.load_dataset(str(out), "gt2d", split="test").with_format("numpy")
    actions = set(train["action"])
    assert actions == {
        a + s for a in ("Walking 1", "Directions") for s in ("", " (proportions 1)", " (proportions 2)")
    }
    assert set(test["action"]) == {"Walking 1"}  # S9 is never re-proportioned
    assert len(train) == 3 * (40 + 25) * 4 and len(test) == 30 * 4
    k3, act = np.stack(train["keypoints_3d"]), np.asarray(train["action"])
    ratio = bone_lengths(k3[act == "Walking 1 (proportions 1)"]) / bone_lengths(k3[act == "Walking 1"])
    assert np.allclose(ratio, ratio[0], atol=1e-4) and np.abs(ratio[0] - 1).max() > 0.02
    det = datasets.load_dataset(str(out), "detected2d", split="train")
    assert len(det) == len(train)  # the detector runs on the copies too
    assert "re-proportioned copies" in (out / "README.md").read_text()
    bad = main([
        "convert", "h36m", "--positions-3d", str(h36m_files["positions_3d"]), "--cameras", str(h36m_files["cameras"]),
        "--detections", str(h36m_files["detections"]), "--body-proportions", "1", "--out", str(tmp_path / "x"),
        "--no-progress",
    ])  # fmt: skip
    assert bad == 2 and not (tmp_path / "x").exists()


def test_convert_body_proportions_refuses_bad_input_without_output(h36m_files, tmp_path, capsys):
    """Negative K, a dataset without 3D camera-frame motion, NaN motion (exit 2) and a folder of user files (exit 4):
    nothing written or deleted."""
    from auglift_hf.cli import main
    from auglift_hf.errors import EXIT_OUTPUT

    base = ["convert", "h36m", "--positions-3d", str(h36m_files["positions_3d"]), "--cameras",
            str(h36m_files["cameras"]), "--no-progress"]  # fmt: skip
    assert main([*base, "--body-proportions", "-1", "--out", str(tmp_path / "neg")]) == 2
    assert not (tmp_path / "neg").exists() and "--body-proportions must be >= 0" in capsys.readouterr().err
    assert main(["convert", "3dpw", str(tmp_path), "--body-proportions", "1", "--out", str(tmp_path / "pw"),
                 "--no-progress"]) == 2  # fmt: skip
    assert not (tmp_path / "pw").exists()
    motion = {s: {a: m.copy() for a, m in acts.items()} for s, acts in h36m_files["motion"].items()}
    motion["S1"]["Walking 1"][5, 3] = np.nan
    np.savez(tmp_path / "nan.npz", positions_3d=motion)
    nan = ["convert", "h36m", "--positions-3d", str(tmp_path / "nan.npz"), "--cameras", str(h36m_files["cameras"]),
           "--body-proportions", "1", "--out", str(tmp_path / "nan"), "--no-progress"]  # fmt: skip
    assert main(nan) == 2 and not (tmp_path / "nan").exists()
    assert "NaN/inf joints (first at frame 5)" in capsys.readouterr().err
    user = tmp_path / "user"
    user.mkdir()
    (user / "notes.txt").write_text("mine")
    assert main([*base, "--body-proportions", "1", "--out", str(user)]) == EXIT_OUTPUT
    assert [p.name for p in user.iterdir()] == ["notes.txt"] and (user / "notes.txt").read_text() == "mine"


def test_convert_h36m_virtual_cameras_adds_new_views_of_training_takes_only(h36m_files, tmp_path, capsys):
    from auglift_hf.cli import main

    out = tmp_path / "views"
    rc = main([
        "convert", "h36m", "--positions-3d", str(h36m_files["positions_3d"]), "--cameras", str(h36m_files["cameras"]),
        "--body-proportions", "1", "--virtual-cameras", "1", "--simulate-detector", "--out", str(out), "--no-progress",
    ])  # fmt: skip
    assert rc == 0
    train = datasets.load_dataset(str(out), "gt2d", split="train").with_format("numpy")
    test = datasets.load_dataset(str(out), "gt2d", split="test").with_format("numpy")
    cams = np.asarray(train["camera"])
    virtual = np.char.find(cams.astype(str), "-virtual1") > 0
    assert virtual.sum() == (~virtual).sum() == 2 * (40 + 25) * 4  # originals + proportions, each seen anew
    assert not any("virtual" in c for c in test["camera"])  # S9 keeps its real cameras
    k3, k2 = np.stack(train["keypoints_3d"]), np.stack(train["keypoints_2d"])
    f = np.stack(train["focal"])
    assert np.allclose(f[virtual][:, 0], f[virtual][:, 1]) and not np.allclose(f[virtual], f[~virtual][0])
    assert (k3[virtual][..., 2] > 2.0).all() and (k2[virtual] > 0).all() and (k2[virtual] < 1000).all()
    assert len(datasets.load_dataset(str(out), "detected2d", split="train")) == len(train)
    assert "virtual-camera copies" in (out / "README.md").read_text()
    base = ["convert", "h36m", "--positions-3d", str(h36m_files["positions_3d"]), "--cameras",
            str(h36m_files["cameras"]), "--no-progress"]  # fmt: skip
    assert main([*base, "--virtual-cameras", "-1", "--out", str(tmp_path / "neg")]) == 2
    assert not (tmp_path / "neg").exists() and "--virtual-cameras must be >= 0" in capsys.readouterr().err
    assert main([*base, "--detections", str(h36m_files["detections"]), "--virtual-cameras", "1", "--out",
                 str(tmp_path / "det")]) == 2  # fmt: skip
    assert not (tmp_path / "det").exists() and "real cameras only" in capsys.readouterr().err
    assert main(["convert", "3dpw", str(tmp_path), "--virtual-cameras", "1", "--out", str(tmp_path / "pw"),
                 "--no-progress"]) == 2  # fmt: skip
    assert not (tmp_path / "pw").exists()


def test_convert_virtual_cameras_refuses_nan_motion_and_a_folder_of_user_files(h36m_files, tmp_path, capsys):
    """NaN motion (exit 2, naming the frame) and an output folder holding user files (exit 4): nothing written or
    deleted, as for --body-proportions."""
    from auglift_hf.cli import main
    from auglift_hf.errors import EXIT_OUTPUT

    motion = {s: {a: m.copy() for a, m in acts.items()} for s, acts in h36m_files["motion"].items()}
    motion["S1"]["Walking 1"][7, 2] = np.inf
    np.savez(tmp_path / "inf.npz", positions_3d=motion)
    bad = ["convert", "h36m", "--positions-3d", str(tmp_path / "inf.npz"), "--cameras", str(h36m_files["cameras"]),
           "--virtual-cameras", "1", "--out", str(tmp_path / "inf"), "--no-progress"]  # fmt: skip
    assert main(bad) == 2 and not (tmp_path / "inf").exists()
    assert "NaN/inf joints (first at frame 7)" in capsys.readouterr().err
    user = tmp_path / "user"
    user.mkdir()
    (user / "notes.txt").write_text("mine")
    ok = ["convert", "h36m", "--positions-3d", str(h36m_files["positions_3d"]), "--cameras",
          str(h36m_files["cameras"]), "--virtual-cameras", "1", "--out", str(user), "--no-progress"]  # fmt: skip
    assert main(ok) == EXIT_OUTPUT
    assert [p.name for p in user.iterdir()] == ["notes.txt"] and (user / "notes.txt").read_text() == "mine"


def test_convert_h36m_depth_simulation_surface_v2(h36m_files, tmp_path, capsys):
    """`--depth-simulation surface-v2` builds the table's depth with the surface body in a scene (issue 24, opt-in),
    says so in the card, and differs from the default capsule simulation; without synthetic depth it is refused."""
    from auglift_hf.cli import main

    tables = {}
    for name in ("capsule-v1", "surface-v2"):
        out = tmp_path / name
        rc = main([
            "convert", "h36m", "--positions-3d", str(h36m_files["positions_3d"]), "--cameras",
            str(h36m_files["cameras"]), "--depth-source", "synthetic", "--depth-simulation", name, "--out", str(out),
            "--max-frames", "12", "--no-progress",
        ])  # fmt: skip
        assert rc == 0
        tables[name] = np.stack(datasets.load_dataset(str(out), "gt2d", split="test").with_format("numpy")["d"])
        assert np.isfinite(tables[name]).all()
    assert "surface-v2" in (tmp_path / "surface-v2" / "README.md").read_text()
    assert "capsule-body renderer" in (tmp_path / "capsule-v1" / "README.md").read_text()
    assert tables["capsule-v1"].shape == tables["surface-v2"].shape
    assert not np.allclose(tables["capsule-v1"], tables["surface-v2"])
    rc = main(["convert", "h36m", "--positions-3d", str(h36m_files["positions_3d"]), "--cameras",
               str(h36m_files["cameras"]), "--depth-simulation", "surface-v2", "--out", str(tmp_path / "bad")])  # fmt: skip
    assert rc == 2 and not (tmp_path / "bad").exists()
    assert "--depth-simulation applies to --depth-source synthetic only" in capsys.readouterr().err


def test_convert_h36m_depth_severity_range(h36m_files, tmp_path, capsys):
    """`--depth-severity-range LO HI` (surface-v2 only) records the range in the card; refused with capsule-v1, with
    --depth-severity, and when LO > HI, each in one line and without output."""
    from auglift_hf.cli import main

    base = ["convert", "h36m", "--positions-3d", str(h36m_files["positions_3d"]), "--cameras",
            str(h36m_files["cameras"]), "--depth-source", "synthetic", "--max-frames", "12", "--no-progress"]  # fmt: skip
    out = tmp_path / "ranged"
    assert (
        main([*base, "--depth-simulation", "surface-v2", "--depth-severity-range", "1.5", "3", "--out", str(out)]) == 0
    )
    assert "[1.5, 3.0]" in (out / "README.md").read_text()
    d = np.stack(datasets.load_dataset(str(out), "gt2d", split="test").with_format("numpy")["d"])
    assert np.isfinite(d).all()
    capsys.readouterr()
    for extra, message in (
        (["--depth-simulation", "capsule-v1", "--depth-severity-range", "1", "2"], "needs --depth-source synthetic"),
        (
            ["--depth-simulation", "surface-v2", "--depth-severity", "1", "--depth-severity-range", "1", "2"],
            "not both",
        ),
        (["--depth-simulation", "surface-v2", "--depth-severity-range", "3", "2"], "LO must not exceed HI"),
        (["--depth-simulation", "surface-v2", "--depth-severity-range", "nan", "2"], "--depth-severity-range"),
        (["--depth-simulation", "surface-v2", "--depth-severity-range", "1", "inf"], "--depth-severity-range"),
        (["--depth-simulation", "surface-v2", "--depth-severity-range", "1", "11"], "--depth-severity-range"),
    ):
        bad = tmp_path / "bad"
        try:
            rc = main([*base, *extra, "--out", str(bad)])
        except SystemExit as stop:  # option values are refused while parsing, before any work
            rc = stop.code
        assert rc == 2 and not bad.exists()
        assert message in capsys.readouterr().err


def test_convert_h36m_depth_encoding_auglift_recorded_in_contract(h36m_files, tmp_path, capsys):
    """`--depth-encoding auglift` gives the table AugLift's sampling (100 candidates, rejection) and codec in its
    card's input contract (what a lifter trained on it inherits); without synthetic depth it is refused."""
    from auglift_hf.cli import main
    from auglift_hf.contract import InputContract
    from auglift_hf.features.depth import AUGLIFT_SAMPLING

    base = ["convert", "h36m", "--positions-3d", str(h36m_files["positions_3d"]), "--cameras",
            str(h36m_files["cameras"]), "--max-frames", "12", "--no-progress"]  # fmt: skip
    contracts = {}
    for encoding in ("package", "auglift"):
        out = tmp_path / encoding
        assert main([*base, "--depth-source", "synthetic", "--depth-simulation", "surface-v2", "--depth-encoding",
                     encoding, "--out", str(out)]) == 0  # fmt: skip
        contracts[encoding] = InputContract.from_dataset_card(out, config="gt2d").depth_descriptor
    assert contracts["package"].get("encoding", "package") == "package" and contracts["package"]["num_samples"] == 16
    assert contracts["auglift"]["encoding"] == "auglift"
    assert contracts["auglift"]["num_samples"] == AUGLIFT_SAMPLING["num_samples"] == 100
    assert contracts["auglift"]["pattern"] == "rejection"
    capsys.readouterr()
    assert main([*base, "--depth-encoding", "auglift", "--out", str(tmp_path / "bad")]) == 2
    assert not (tmp_path / "bad").exists() and "--depth-encoding applies to" in capsys.readouterr().err


def test_convert_default_depth_is_surface_v2_at_the_calibrated_severity(h36m_files, tmp_path):
    """Without --depth-simulation / --depth-severity a synthetic table gets the calibrated default (issue 24), the
    card says which; `--help` states the same calibrated value as the code."""
    import argparse

    from auglift_hf.cli import main
    from auglift_hf.data.cli import add_arguments
    from auglift_hf.simulation.surface_error import CALIBRATED_SEVERITY

    out = tmp_path / "default"
    assert main(["convert", "h36m", "--positions-3d", str(h36m_files["positions_3d"]), "--cameras",
                 str(h36m_files["cameras"]), "--depth-source", "synthetic", "--max-frames", "8", "--out", str(out),
                 "--no-progress"]) == 0  # fmt: skip
    card = (out / "README.md").read_text()
    assert "surface-v2" in card and f"'severity': {CALIBRATED_SEVERITY}" in card
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    help_text = " ".join(parser.format_help().split())
    assert f"surface-v2: {CALIBRATED_SEVERITY:g} = calibrated" in help_text


def test_convert_detector_preset_changes_the_scores_only(h36m_files, tmp_path):
    """`--detector-preset score-calibrated` (issue 24): the same detector 2D to the bit, other confidences; the card
    names the preset; the option is refused without --simulate-detector; the CLI's choices are the presets."""
    from auglift_hf.cli import main
    from auglift_hf.simulation.detector2d import COCO_DETECTOR_PRESETS
    from auglift_hf.utils.cli_args import DETECTOR_PRESET_CHOICES

    assert DETECTOR_PRESET_CHOICES == tuple(COCO_DETECTOR_PRESETS)
    base = ["convert", "h36m", "--positions-3d", str(h36m_files["positions_3d"]), "--cameras",
            str(h36m_files["cameras"]), "--simulate-detector", "--no-progress"]  # fmt: skip
    tables = {}
    for preset in ("optimistic", "score-calibrated"):
        out = tmp_path / preset
        assert main([*base, "--detector-preset", preset, "--out", str(out)]) == 0
        tables[preset] = datasets.load_dataset(str(out), "detected2d", split="test").with_format("numpy")
    a, b = tables["optimistic"], tables["score-calibrated"]
    np.testing.assert_array_equal(np.stack(a["keypoints_2d"]), np.stack(b["keypoints_2d"]))
    assert not np.array_equal(np.stack(a["keypoint_scores"]), np.stack(b["keypoint_scores"]))
    assert "score-calibrated" in (tmp_path / "score-calibrated" / "README.md").read_text()
    assert main([*base[:-2], "--detector-preset", "score-calibrated", "--out", str(tmp_path / "x")]) == 2
    assert not (tmp_path / "x").exists()
