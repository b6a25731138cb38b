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


def test_optimistic_preset_is_the_unchanged_dataclass_defaults():
    noise, offsets = coco_detector_preset("optimistic")
    assert noise == RealisticDetectorNoise() and offsets == CocoLandmarkOffsets()
    # every table before 2026-12-06 was built with these; a preset must not have replaced them
    assert RealisticDetectorNoise().precision == 0.35 and CocoLandmarkOffsets().hip_down == 0.13


def test_default_preset_is_the_one_fitted_to_movenet():
    """The package's default (issue 24.5) is the fitted preset, named in every table builder's default, and the
    CLI's literal copy (kept so `--help` imports nothing heavy) agrees."""
    import inspect

    from auglift_hf.data.bvh.table import convert_bvh
    from auglift_hf.data.h36m import convert_h36m, simulate_detector_2d
    from auglift_hf.data.humaneva import convert_humaneva
    from auglift_hf.simulation.detector2d import DEFAULT_DETECTOR_PRESET, MOVENET_FITTED_NOISE
    from auglift_hf.utils import cli_args

    assert DEFAULT_DETECTOR_PRESET == cli_args.DEFAULT_DETECTOR_PRESET == "movenet-fitted"
    assert cli_args.DETECTOR_PRESET_CHOICES == tuple(COCO_DETECTOR_PRESETS)
    noise, _ = coco_detector_preset(DEFAULT_DETECTOR_PRESET)
    assert noise == MOVENET_FITTED_NOISE and noise.gross_error_dwell > 0
    assert inspect.signature(simulate_detector_2d).parameters["preset"].default == DEFAULT_DETECTOR_PRESET
    for fn in (convert_h36m, convert_bvh, convert_humaneva):
        assert inspect.signature(fn).parameters["detector_preset"].default == DEFAULT_DETECTOR_PRESET, fn
    with pytest.raises(ValueError, match="unknown detector preset 'default'"):  # the old name is not an alias
        coco_detector_preset("default")


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
    for name in ("optimistic", "movenet-measured"):
        noise, offsets = coco_detector_preset(name)
        out = simulate_coco_detector(joints, cam, 25.0, params=noise, offsets=offsets, seed=0)
        off[name] = np.linalg.norm(out["definition_2d"][:, 0] - gt[:, 0], axis=-1).mean()
    assert off["movenet-measured"] < 0.4 * off["optimistic"]
    assert off["optimistic"] == pytest.approx(0.13 * 1145.0 / 4.0, rel=0.1)


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
    for name in ("optimistic", "movenet-measured"):
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
    assert res["optimistic"] == pytest.approx(measured["simulation_default"], abs=2e-3)  # the JSON is this computation
    hips = [0, 1, 4]
    gap = {n: np.abs(res[n][hips] - np.asarray(measured["movenet"])[hips]).mean() for n in res}
    assert gap["movenet-measured"] < 0.5 * gap["optimistic"]


# ------------------------------------------------------------------ confidence informativeness (issue 24)


def _random_walk_sequence() -> np.ndarray:
    rng = np.random.default_rng(0)
    return np.cumsum(rng.normal(0, 0.005, (40, 17, 3)), 0) + np.random.default_rng(1).normal(0, 0.3, (17, 3)) + [
        0, 0, 4.5
    ]  # fmt: skip


_PIN_CAM = {"f": np.array([1145.0, 1145.0]), "c": np.array([500.0, 500.0])}


def test_optimistic_detector_output_is_pinned():
    """The ``optimistic`` preset's (the dataclass defaults') 2D and scores, recorded with the code before
    ``confidence_informativeness`` existed (commit c945b0a): every table built before 2026-12-06 is reproducible."""
    out = simulate_coco_detector(_random_walk_sequence(), _PIN_CAM, 25.0, seed=7)
    np.testing.assert_allclose(
        out["coco_scores"][:2, :5],
        [[0.95600075, 0.93031657, 1.0, 0.85551274, 1.0], [0.9734637, 1.0, 0.99850243, 0.9090777, 0.9651402]],
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        out["coco_2d"][0, :3], [[653.01245, 427.98462], [659.3521, 423.73132], [655.1104, 413.33365]], rtol=1e-7
    )
    assert float(out["coco_scores"].astype(np.float64).sum()) == pytest.approx(640.0412017703056, rel=1e-7)
    assert float(out["coco_2d"].astype(np.float64).sum()) == pytest.approx(688880.458770752, rel=1e-9)
    noise, _ = coco_detector_preset("optimistic")
    assert noise.confidence_informativeness == 1.0 and "confidence_informativeness" not in noise.to_dict()


def test_score_calibrated_changes_the_scores_only():
    seq = _random_walk_sequence()
    default = simulate_coco_detector(seq, _PIN_CAM, 25.0, seed=3)
    noise, offsets = coco_detector_preset("score-calibrated")
    assert 0.0 < noise.confidence_informativeness < 1.0 and offsets == CocoLandmarkOffsets()
    assert noise.to_dict()["confidence_informativeness"] == noise.confidence_informativeness
    calibrated = simulate_coco_detector(seq, _PIN_CAM, 25.0, noise, offsets, seed=3)
    for key in ("coco_2d", "keypoints_2d", "coco_hidden", "definition_2d"):
        assert np.array_equal(default[key], calibrated[key]), key  # the 2D to the bit
    assert not np.array_equal(default["coco_scores"], calibrated["coco_scores"])


def _informativeness(q: float, seed: int = 0) -> tuple[float, float]:
    """Spearman (score, error) and mean score of :func:`detector_errors` on visible keypoints, informativeness ``q``."""
    from auglift_hf.analysis.confidence import spearman_rho
    from auglift_hf.simulation.detector2d import COCO_OKS_SIGMAS, detector_errors
    from auglift_hf.skeleton import COCO_FLIP_PAIRS

    rng = np.random.default_rng(seed)
    proj = np.broadcast_to(rng.uniform(300, 700, (1, 17, 2)), (3000, 17, 2))
    hidden = np.zeros((3000, 17), bool)
    noise = RealisticDetectorNoise(confidence_informativeness=q, confidence_width=1.0, time_constant=0.0)
    noisy, conf = detector_errors(proj, hidden, COCO_OKS_SIGMAS, COCO_FLIP_PAIRS, 25.0, noise, rng)
    err = np.linalg.norm(noisy - proj, axis=-1) / np.asarray(COCO_OKS_SIGMAS)
    return spearman_rho(conf, err), float(conf.mean())


def test_confidence_informativeness_scales_the_score_error_relation():
    full, mean_full = _informativeness(1.0)
    half, mean_half = _informativeness(0.5)
    none, mean_none = _informativeness(0.0)
    assert full < -0.7  # the score knows the error
    assert abs(none) < 0.03  # visible keypoints, no own error: nothing left to know
    assert half == pytest.approx(0.5 * full, abs=0.05)  # the own-error share scales the rank correlation
    assert mean_half == pytest.approx(mean_full, abs=0.01) and mean_none == pytest.approx(mean_full, abs=0.01)
    with pytest.raises(ValueError, match="confidence_informativeness"):
        _informativeness(1.5)


def test_simulate_detector_2d_takes_a_preset_and_names_it():
    from auglift_hf.camera import project
    from auglift_hf.data.h36m import simulate_detector_2d
    from auglift_hf.data.schema import SequenceRecord

    seq = _random_walk_sequence()

    def record():
        return SequenceRecord(
            dataset="h36m", subject="S9", action="Walking", camera="cam", keypoints_2d=project(seq, _PIN_CAM["f"], _PIN_CAM["c"]),
            keypoints_3d=seq, focal=_PIN_CAM["f"], center=_PIN_CAM["c"], image_size=(1000, 1000), fps=25.0,
            split="test", frame_index=np.arange(len(seq)), valid=np.ones(len(seq), bool), source="test",
        )  # fmt: skip

    a, b = record(), record()
    text_a = simulate_detector_2d([a], {}, seed=5, preset="optimistic")
    text_b = simulate_detector_2d([b], {}, seed=5, preset="score-calibrated")
    assert "'optimistic'" in text_a and "confidence_informativeness" not in text_a
    assert "'score-calibrated'" in text_b and "confidence_informativeness" in text_b
    assert np.array_equal(a.detected_2d, b.detected_2d) and not np.array_equal(a.detected_scores, b.detected_scores)
    with pytest.raises(ValueError, match="unknown detector preset"):
        simulate_detector_2d([record()], {}, preset="movenet")


# ------------------------------------------------------------------ persistent misses (issue 24.5)


def test_persistent_events_keep_the_rate_and_last_the_dwell():
    from auglift_hf.simulation.detector2d import persistent_events

    rng = np.random.default_rng(0)
    on = persistent_events(np.full((20000, 40), 0.05), 10.0, rng)
    assert on.mean() == pytest.approx(0.05, abs=0.005)  # the stationary probability is the per-frame one
    starts = (on[1:] & ~on[:-1]).sum()
    assert on[1:].sum() / starts == pytest.approx(10.0, rel=0.1)  # mean episode length in frames
    iid = np.random.default_rng(1).random((20000, 40)) < 0.05
    assert (iid[1:] & ~iid[:-1]).sum() > 8 * starts  # independent draws switch far more often
    varying = persistent_events(np.where(np.arange(20000)[:, None] < 10000, 0.02, 0.2) + np.zeros((1, 40)), 5.0, rng)
    assert varying[:10000].mean() == pytest.approx(0.02, abs=0.006) and varying[10000:].mean() == pytest.approx(
        0.2, abs=0.02
    )


def test_hold_over_episodes_holds_the_first_value_of_each_run():
    from auglift_hf.simulation.detector2d import hold_over_episodes

    on = np.array([[0], [1], [1], [0], [1], [1], [1]], bool)
    values = np.arange(7.0)[:, None]
    assert hold_over_episodes(values, on)[:, 0].tolist() == [0.0, 1.0, 1.0, 3.0, 4.0, 4.0, 4.0]


def _frame_to_frame(noise: RealisticDetectorNoise, seed: int = 0) -> float:
    """Median frame-to-frame displacement (px) of the simulated COCO keypoints on a static pose at 25 Hz."""
    pose = np.repeat(_standing_pose()[None], 400, 0)
    out = simulate_coco_detector(pose, _PIN_CAM, 25.0, params=noise, seed=seed)["coco_2d"]
    return float(np.abs(np.diff(out, axis=0)).mean())


def test_persistent_misses_cut_the_jitter_and_keep_the_default_untouched():
    flicker = RealisticDetectorNoise(gross_error_prob=0.1, hidden_gross_error_prob=0.1, swap_prob=0.05)
    persistent = RealisticDetectorNoise(**{**flicker.to_dict(), "gross_error_dwell": 1.0})
    assert _frame_to_frame(persistent) < 0.5 * _frame_to_frame(flicker)
    assert "gross_error_dwell" not in RealisticDetectorNoise().to_dict()  # table cards built before it: unchanged
    assert persistent.to_dict()["gross_error_dwell"] == 1.0
    for bad in (-1.0, float("nan")):
        with pytest.raises(ValueError, match="gross_error_dwell"):
            _frame_to_frame(RealisticDetectorNoise(gross_error_dwell=bad))
    # the same share of frames in a miss either way: persistence changes when, not how often
    pose = np.repeat(_standing_pose()[None], 2000, 0)
    shares = []
    for noise in (flicker, persistent):
        out = simulate_coco_detector(pose, _PIN_CAM, 25.0, params=noise, seed=1)
        far = np.linalg.norm(out["coco_2d"] - np.median(out["coco_2d"], axis=0), axis=-1) > 25.0
        shares.append(far.mean())
    assert shares[1] == pytest.approx(shares[0], rel=0.35)


def test_movenet_fitted_preset_is_the_committed_fit():
    fitted = json.loads(MEASURED.with_name("movenet_fitted.json").read_text())
    noise, offsets = coco_detector_preset("movenet-fitted")
    assert offsets == coco_detector_preset("movenet-measured")[1]
    assert noise.to_dict() == pytest.approx(fitted["noise"])
    assert noise.precision == pytest.approx(json.loads(MEASURED.read_text())["precision"])
    assert noise.time_constant == noise.gross_error_dwell > 0  # errors and misses persist alike
    tails = fitted["tails"]
    assert np.allclose(tails["fitted"], tails["movenet"], atol=0.015)  # the fit reproduces MoveNet's tails
    assert tails["movenet_measured_preset"][1] < 0.5 * tails["movenet"][1]  # the measured preset alone is kinder
    assert fitted["jitter"]["fitted_all"] == pytest.approx(fitted["jitter"]["movenet_clip_all"], rel=0.05)


def _real_peers_script(name: str):
    """A script of ``benchmarks/real_peers`` imported without leaving its folder on ``sys.path``."""
    import sys

    sys.path.insert(0, str(Path(__file__).parents[1] / "hub"))
    try:
        from reference_scripts import import_reference
    finally:
        sys.path.pop(0)
    return import_reference(name, MEASURED.parent)


def test_fit_detector_pieces():
    fit = _real_peers_script("fit_detector")
    assert fit.tail_fractions(np.array([0.5, 1.5, 2.5, 5.0])) == [0.75, 0.5, 0.25]
    # a decreasing jitter curve 1 / tau: the bisection finds where it meets the target, or the end of the range
    assert fit.bisect_time_constant(lambda t: 1.0 / t, 0.25, 0.1, 60.0) == pytest.approx(4.0, abs=0.05)
    assert fit.bisect_time_constant(lambda t: 1.0 / t, 1e-6, 0.1, 60.0) == pytest.approx(60.0, rel=0.01)


def test_peer_scripts_refuse_a_file_that_is_not_their_input(tmp_path, capsys):
    fit = _real_peers_script("fit_detector")
    bad = tmp_path / "raw.json"
    bad.write_text('{"models": {}}')
    assert fit.main([str(bad), "--out", str(tmp_path / "fit.json")]) == 2
    assert capsys.readouterr().err.strip() == f"error: {bad} is not a run_peers.py output (no 'frames' / 'clips')"
    assert fit.main([str(tmp_path / "missing.json"), "--out", str(tmp_path / "fit.json")]) == 3
    (tmp_path / "fit.json").write_text("mine")
    assert fit.main([str(bad), "--out", str(tmp_path / "fit.json")]) == 2  # never overwritten without --overwrite
    assert (tmp_path / "fit.json").read_text() == "mine"


def test_evaluate_peers_scores_given_lifter_folders(tmp_path):
    """``evaluate_peers.py --lifters``: training runs' ``final`` folders are labelled by their run, a folder without a
    model is refused naming it, and the default is every shipped checkpoint."""
    peers = _real_peers_script("evaluate_peers")
    run = tmp_path / "runs" / "tcn-27f-xy-fit-seed0" / "final"
    run.mkdir(parents=True)
    (run / "config.json").write_text("{}")
    assert peers.lifter_folders([str(run)]) == [run] and peers.lifter_label(run) == "tcn-27f-xy-fit-seed0"
    with pytest.raises(FileNotFoundError, match=f"--lifters: no model folder .*{tmp_path.name}/nothing"):
        peers.lifter_folders([str(run), str(tmp_path / "nothing")])
    shipped = peers.lifter_folders(None)
    assert shipped and all(f.parent.name == "checkpoints" for f in shipped)
    assert peers.lifter_label(shipped[0]) == shipped[0].name
