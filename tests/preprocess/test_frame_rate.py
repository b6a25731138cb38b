"""Frame-rate matching: the resampling functions, and every entry point feeding a lifter its ``frame_rate``.

A temporal lifter trained at 25 Hz is fed a 50 fps sequence resampled to 25 Hz (checked on what reaches the
model), its 3D comes back with one pose per input frame, and lifting a 50 Hz file equals lifting its 25 Hz
subsample at the shared frames. Tiny random lifters, offline.
"""

from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pytest

from auglift_hf.contract import InputContract
from auglift_hf.preprocess.frame_rate import (
    lift_at_frame_rate,
    plan_frame_rate,
    rates_agree,
    resample_sequence,
    resampling_weights,
)
from auglift_hf.preprocess.pipeline import lift_keypoints
from auglift_hf.processing_lifting import PoseLiftingProcessor

SIZE = (128, 96)
RATE = 25.0


# ------------------------------------------------------------------------------------------ resampling (pure numpy)
def _constant_velocity(frames: int, fps: float) -> np.ndarray:
    """``(frames, 17, 2)`` pixels moving at a constant velocity (different per joint and axis), frame i at i / fps."""
    t = np.arange(frames) / fps
    rng = np.random.default_rng(0)
    start, velocity = rng.uniform(20, 100, (17, 2)), rng.uniform(-40, 40, (17, 2))  # px, px / s
    return (start[None] + t[:, None, None] * velocity[None]).astype(np.float32)


def test_constant_velocity_50_to_25_and_back_reproduces_the_motion():
    motion = _constant_velocity(101, 50.0)  # 2 s
    down = resample_sequence(motion, 50.0, 25.0)
    assert down.shape == (51, 17, 2) and down.dtype == np.float32
    np.testing.assert_allclose(down, _constant_velocity(51, 25.0), atol=1e-4)
    back = resample_sequence(down, 25.0, 50.0, num_out=len(motion))
    assert back.shape == motion.shape
    np.testing.assert_allclose(back, motion, atol=1e-4)  # linear interpolation is exact for linear motion


@pytest.mark.parametrize("src", [12.0, 24.0, 30.0, 50.0, 59.94, 60.0, 100.0])
@pytest.mark.parametrize("frames", [1, 2, 7, 40])
def test_round_trip_keeps_one_frame_per_input_frame(src, frames):
    motion = _constant_velocity(frames, src)
    down = resample_sequence(motion, src, RATE)
    assert len(down) == int(np.floor((frames - 1) * RATE / src + 1e-6)) + 1
    back = resample_sequence(down, RATE, src, num_out=frames)
    assert back.shape == motion.shape
    # within the span of the 25 Hz samples the motion is reproduced; past the last one it is held (at most one
    # 25 Hz period of motion: 40 px/s / 25 Hz = 1.6 px)
    inside = np.arange(frames) / src <= (len(down) - 1) / RATE + 1e-9
    np.testing.assert_allclose(back[inside], motion[inside], atol=1e-3)
    assert np.abs(back - motion).max() <= 40.0 * np.sqrt(2) / RATE + 1e-3


def test_identity_when_rates_agree():
    motion = _constant_velocity(30, RATE)
    np.testing.assert_array_equal(resample_sequence(motion, RATE, RATE), motion)
    left, right, weight = resampling_weights(30, RATE, RATE)
    assert (left == np.arange(30)).all() and (right == left).all() and (weight == 0).all()
    assert rates_agree(25.0, 25.2) and rates_agree(29.97, 30.0) and not rates_agree(25.0, 25.3)
    plan = plan_frame_rate(PoseLiftingProcessor(num_frames=27, frame_rate=RATE), 25.2, "tcn")
    assert not plan.resample and plan.note is None and plan.metadata(30) is None


def test_missing_flags_scores_and_depth_propagate():
    missing = np.zeros((10, 17), bool)
    missing[4, 3] = True  # joint 3 missing in the 50 Hz frame 4 (t = 0.08 s)
    # 50 -> 30 Hz: output frames at 0, 1.667, 3.333, 5, 6.667, 8.333 source frames
    out = resample_sequence(missing, 50.0, 30.0, kind="missing")
    assert out.dtype == bool and out.shape == (6, 17)
    assert out[:, 3].tolist() == [False, False, True, False, False, False]  # 3.333 mixes frames 3 and 4
    assert not out[:, :3].any() and not out[:, 4:].any()
    # 50 -> 25 Hz: frame 4 is taken as it is (t = 0.16 s is frame 8 of 50 Hz... frame 2 of 25 Hz = frame 4)
    assert resample_sequence(missing, 50.0, 25.0, kind="missing")[2, 3]
    valid = np.ones(10, bool)
    valid[5] = False
    assert resample_sequence(valid, 50.0, 30.0, kind="valid").tolist() == [True, True, True, False, True, True]
    # scores: interpolated, 0 where either neighbour is missing (score 0)
    scores = np.full((10, 17), 0.9, np.float32)
    scores[4, 3] = 0.0
    scores[:, 5] = np.linspace(0.5, 0.95, 10)
    sc = resample_sequence(scores, 50.0, 30.0, kind="score")
    assert sc.dtype == np.float32 and sc[2, 3] == 0.0 and sc[1, 3] == pytest.approx(0.9)
    np.testing.assert_allclose(sc[:, 5], 0.5 + 0.05 * np.arange(6) * 50 / 30, atol=1e-6)
    # depth: NaN (missing) stays missing where it contributes, never leaks into exact frames
    depth = np.ones((10, 17, 1), np.float32)
    depth[5, 2, 0] = np.nan
    dp = resample_sequence(depth, 50.0, 25.0)
    assert np.isfinite(dp).all()  # 25 Hz frames fall on 50 Hz frames 0, 2, 4, 6, 8
    dp = resample_sequence(depth, 50.0, 30.0)
    assert np.isnan(dp[3, 2, 0]) and np.isfinite(np.delete(dp, 3, axis=0)).all()  # frame 5 exactly: NaN kept


def test_resampling_refuses_bad_arguments():
    with pytest.raises(ValueError, match="frames >= 1"):
        resample_sequence(np.zeros((0, 17, 2)), 50.0, 25.0)
    with pytest.raises(ValueError, match="finite and > 0"):
        resample_sequence(np.zeros((3, 17, 2)), 50.0, 0.0)
    with pytest.raises(ValueError, match="`kind`"):
        resample_sequence(np.zeros((3, 17, 2)), 50.0, 25.0, kind="nearest")


def test_lift_at_frame_rate_feeds_the_lifter_rate_and_returns_input_frames():
    motion = _constant_velocity(41, 50.0)
    fed = []

    def lift(kp, sc, dp):  # a "lifter" whose 3D is its 2D with z = 0, so the round trip is visible
        fed.append((kp.shape, None if sc is None else sc.shape, None if dp is None else dp.shape))
        return np.concatenate([kp, np.zeros(kp.shape[:2] + (1,), kp.dtype)], -1)

    out = lift_at_frame_rate(lift, motion, np.ones((41, 17)), np.ones((41, 17, 3)), 50.0, RATE)
    assert fed == [((21, 17, 2), (21, 17), (21, 17, 3))]
    assert out.shape == (41, 17, 3) and out.dtype == np.float32
    np.testing.assert_allclose(out[..., :2], motion, atol=1e-4)


def test_plan_notes_and_bad_input_rates():
    tcn = PoseLiftingProcessor(num_frames=27, frame_rate=RATE)
    plan = plan_frame_rate(tcn, 50, "tcn")
    assert plan.resample and (plan.input_fps, plan.lifter_fps) == (50.0, RATE) and plan.note is None
    meta = plan.metadata(41)
    assert meta["input_fps"] == 50.0 and meta["lifter_fps"] == RATE and meta["lifted_frames"] == 21
    plan = plan_frame_rate(tcn, None, "tcn", fps_hint="--fps")
    assert not plan.resample and "tcn expects 25 Hz" in plan.note and "--fps" in plan.note and "\n" not in plan.note
    old = plan_frame_rate(PoseLiftingProcessor(num_frames=27), 50.0, "old-tcn")
    assert not old.resample and "no `frame_rate`" in old.note
    for single in (PoseLiftingProcessor(num_frames=1, frame_rate=RATE), PoseLiftingProcessor(num_frames=1)):
        plan = plan_frame_rate(single, 60.0, "sb")
        assert not plan.resample and plan.note is None
        assert plan_frame_rate(single, None, "sb").note is None
    for bad in (0, -1.0, float("nan"), float("inf"), "50", True):
        with pytest.raises(ValueError, match=r"`fps` must be a frame rate in Hz") as err:
            plan_frame_rate(tcn, bad)
        assert "\n" not in str(err.value)


# ------------------------------------------------------------------------------------------ tiny lifters
def _save_lifter(folder, channels=("x", "y"), frame_rate=RATE, kind="tcn"):
    import torch

    import auglift_hf.models  # noqa: F401
    from auglift_hf.models import SimpleBaselineConfig, SimpleBaselineForPoseLifting, TCNConfig, TCNForPoseLifting

    torch.manual_seed(0)
    if kind == "tcn":
        model, frames = (
            TCNForPoseLifting(TCNConfig(filter_widths=[3, 3], channels=16, input_channels=list(channels))),
            9,
        )
    else:
        model = SimpleBaselineForPoseLifting(
            SimpleBaselineConfig(hidden_size=32, num_blocks=1, input_channels=list(channels))
        )
        frames = 1
    model.eval().save_pretrained(folder)
    fill = 0.9 if "c" in channels else None
    contract = InputContract(keypoint_definition="h36m", score_fill=fill, frame_rate=frame_rate)
    PoseLiftingProcessor(input_channels=list(channels), num_frames=frames, **contract.to_dict()).save_pretrained(
        folder
    )
    if frame_rate is None:  # a folder saved before the field existed: no `frame_rate` key
        path = folder / "preprocessor_config.json"
        cfg = json.loads(path.read_text())
        cfg.pop("frame_rate")
        path.write_text(json.dumps(cfg, indent=2))
    return folder


@pytest.fixture(scope="module")
def lifters(tmp_path_factory):
    root = tmp_path_factory.mktemp("rate_lifters")
    return {
        "xy": _save_lifter(root / "tcn-xy"),
        "xyc": _save_lifter(root / "tcn-xyc", ("x", "y", "c")),
        "old": _save_lifter(root / "tcn-old", frame_rate=None),
        "sb": _save_lifter(root / "sb", kind="simple_baseline"),
    }


def _load(folder):
    from auglift_hf.models import load_lifter

    return load_lifter(folder), PoseLiftingProcessor.from_pretrained(folder)


def _walk(frames: int, fps: float) -> np.ndarray:
    """``(frames, 17, 2)`` pixels of a smooth, non-linear motion inside a 128 x 96 image, frame i at i / fps."""
    t = np.arange(frames)[:, None, None] / fps
    rng = np.random.default_rng(1)
    base, amp, freq = rng.uniform([35, 25], [95, 70], (17, 2)), rng.uniform(2, 10, (17, 2)), rng.uniform(0.3, 1.2)
    return (base[None] + amp[None] * np.sin(2 * np.pi * freq * t + base[None] / 20)).astype(np.float32)


def _count_frames(model):
    """Number of frames each call of the (one-frame-out) model lifts: its batch of windows."""
    seen = []
    model.register_forward_pre_hook(lambda _m, _a, kw: seen.append(int(kw["keypoints"].shape[0])), with_kwargs=True)
    return seen


def test_lift_keypoints_resamples_to_the_lifter_rate(lifters):
    model, proc = _load(lifters["xy"])
    seen = _count_frames(model)
    kp = _walk(41, 50.0)
    out = lift_keypoints(model, proc, kp, SIZE, fps=50.0)
    assert sum(seen) == 21 and out.shape == (41, 17, 3)  # the model saw 21 frames at 25 Hz
    seen.clear()
    half = lift_keypoints(model, proc, kp[::2], SIZE, fps=25.0)  # the 25 Hz subsample: not resampled
    assert sum(seen) == 21
    np.testing.assert_allclose(out[::2], half, atol=1e-6)  # shared frames: identical
    np.testing.assert_allclose(out[1::2], (half[:-1] + half[1:]) / 2, atol=1e-6)  # between: interpolated
    with pytest.warns(UserWarning, match="expects 25 Hz input .* unknown"):
        unknown = lift_keypoints(model, proc, kp, SIZE)
    assert unknown.shape == (41, 17, 3)


def test_lift_keypoints_c_lifter_12_fps_and_single_frame(lifters):
    model, proc = _load(lifters["xyc"])
    seen = _count_frames(model)
    kp = _walk(13, 12.0)  # 1 s at 12 fps -> 26 frames at 25 Hz
    scores = np.full((13, 17), 0.9, np.float32)
    scores[6, 4] = 0.0  # a missing joint stays missing in both resampled neighbours
    out = lift_keypoints(model, proc, kp, SIZE, scores=scores, fps=12.0)
    assert sum(seen) == 26 and out.shape == (13, 17, 3) and np.isfinite(out).all()
    model, proc = _load(lifters["sb"])
    seen = _count_frames(model)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a single-frame lifter: no resampling, no frame-rate warning
        out = lift_keypoints(model, proc, kp, SIZE, fps=12.0)
        lift_keypoints(model, proc, kp, SIZE)
    assert seen[0] == 13 and out.shape == (13, 17, 3)


def test_old_folder_warns_once_that_the_rate_is_not_recorded(lifters):
    model, proc = _load(lifters["old"])
    seen = _count_frames(model)
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = lift_keypoints(model, proc, _walk(20, 50.0), SIZE, fps=50.0)
    notes = [str(w.message) for w in caught if "frame_rate" in str(w.message)]
    assert len(notes) == 1 and "has no `frame_rate`" in notes[0]
    assert sum(seen) == 20 and out.shape == (20, 17, 3)  # fed as given


# ------------------------------------------------------------------------------------------ auglift lift / pipeline
def _write(path, frames, fps=None):
    obj = {"keypoints_2d": frames.tolist(), "image_size": list(SIZE)}
    if fps is not None:
        obj["fps"] = fps
    path.write_text(json.dumps(obj))
    return path


def _cli(args):
    from auglift_hf.cli import main

    err = io.StringIO()
    out = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        code = main(["lift", *map(str, args), "--device", "cpu"])
    return code, err.getvalue(), out.getvalue()


@pytest.fixture
def forward_frames(monkeypatch):
    """Frames each TCN forward lifts (its batch of windows), across freshly loaded models."""
    from auglift_hf.models import TCNForPoseLifting

    seen = []
    forward = TCNForPoseLifting.forward

    def spy(self, *args, **kwargs):
        seen.append(int(kwargs["keypoints"].shape[0]))
        return forward(self, *args, **kwargs)

    monkeypatch.setattr(TCNForPoseLifting, "forward", spy)
    return seen


def test_cli_50hz_file_is_lifted_at_25hz_one_pose_per_input_frame(lifters, tmp_path, forward_frames):
    kp = _walk(41, 50.0)
    src = _write(tmp_path / "walk50.json", kp, fps=50.0)
    code, err, out = _cli([src, "--model", lifters["xy"], "--out", tmp_path / "out50.json"])
    assert code == 0, err
    assert sum(forward_frames) == 21 and "via 21 frames at the lifter's 25 Hz" in out
    res = json.loads((tmp_path / "out50.json").read_text())
    assert np.asarray(res["keypoints_3d"]).shape == (41, 17, 3) and res["frame_index"] == list(range(41))
    assert res["fps"] == 50.0 and res["lifter_frame_rate"] == RATE
    rs = res["frame_rate_resampling"]
    assert (rs["input_fps"], rs["lifter_fps"], rs["input_frames"], rs["lifted_frames"]) == (50.0, RATE, 41, 21)
    assert "frame_rate" not in err  # a known rate: nothing to warn about
    # lifting the 25 Hz subsample gives the same 3D at the shared frames
    forward_frames.clear()
    sub = _write(tmp_path / "walk25.json", kp[::2], fps=25.0)
    assert _cli([sub, "--model", lifters["xy"], "--out", tmp_path / "out25.json"])[0] == 0
    assert sum(forward_frames) == 21
    ref = json.loads((tmp_path / "out25.json").read_text())
    assert "frame_rate_resampling" not in ref
    np.testing.assert_allclose(np.asarray(res["keypoints_3d"])[::2], ref["keypoints_3d"], atol=0.011)
    # NPZ records the resampling as JSON text
    assert _cli([src, "--model", lifters["xy"], "--out", tmp_path / "out50.npz"])[0] == 0
    with np.load(tmp_path / "out50.npz") as npz:
        assert json.loads(str(npz["frame_rate_resampling"]))["lifted_frames"] == 21
        assert npz["keypoints_3d"].shape == (41, 17, 3)


def test_cli_unknown_rate_warns_once_and_fps_states_it(lifters, tmp_path, forward_frames):
    kp = _walk(41, 50.0)
    src = _write(tmp_path / "walk.json", kp)
    code, err, _ = _cli([src, "--model", lifters["xy"], "--out", tmp_path / "as_given.json"])
    assert code == 0, err
    warned = [line for line in err.splitlines() if "frame rate is unknown" in line]
    assert len(warned) == 1 and "expects 25 Hz" in warned[0] and "--fps" in warned[0]
    assert sum(forward_frames) == 41  # lifted as given
    assert "frame_rate_resampling" not in json.loads((tmp_path / "as_given.json").read_text())
    forward_frames.clear()
    code, err, _ = _cli([src, "--model", lifters["xy"], "--out", tmp_path / "stated.json", "--fps", "50"])
    assert code == 0 and "frame rate is unknown" not in err and sum(forward_frames) == 21
    stated = json.loads((tmp_path / "stated.json").read_text())
    assert stated["fps"] == 50.0 and stated["frame_rate_resampling"]["lifted_frames"] == 21
    # the same as a file that carries fps 50
    assert (
        _cli([_write(tmp_path / "w50.json", kp, 50.0), "--model", lifters["xy"], "--out", tmp_path / "f.json"])[0] == 0
    )
    np.testing.assert_array_equal(
        stated["keypoints_3d"], json.loads((tmp_path / "f.json").read_text())["keypoints_3d"]
    )


@pytest.mark.parametrize("bad", ["-1", "0", "nan", "inf"])
def test_cli_bad_fps_exits_2_with_nothing_written(lifters, tmp_path, bad):
    src = _write(tmp_path / "walk.json", _walk(5, 50.0))
    out = tmp_path / "out.json"
    code, err, _ = _cli([src, "--model", lifters["xy"], "--out", out, "--fps", bad])
    assert code == 2 and not out.exists()
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("auglift lift: error: --fps must be a finite frame rate > 0")


def test_cli_fps_contradicting_the_file_exits_2(lifters, tmp_path):
    src = _write(tmp_path / "walk.json", _walk(5, 50.0), fps=50.0)
    out = tmp_path / "out.json"
    code, err, _ = _cli([src, "--model", lifters["xy"], "--out", out, "--fps", "30"])
    assert code == 2 and not out.exists()
    assert "--fps 30 contradicts the file's fps 50" in err and len(err.strip().splitlines()) == 1
    assert _cli([src, "--model", lifters["xy"], "--out", out, "--fps", "50.2"])[0] == 0  # within 1 %: fine


def test_pipeline_frames_with_stated_fps_and_old_folder(lifters, tmp_path, forward_frames):
    from transformers import pipeline

    import auglift_hf.models  # noqa: F401
    from auglift_hf.preprocess import register_pipeline
    from auglift_hf.preprocess.testing import MarkerDetector, MarkerPose, coco_pose, marker_image

    register_pipeline()
    lifter = pipeline(
        "pose-lifting", model=str(lifters["xyc"]), device="cpu", detector=MarkerDetector(),
        pose_estimator=MarkerPose(), depth_estimator=None,
    )  # fmt: skip
    frames = [marker_image(coco_pose(1.5 * i)) for i in range(7)]
    out = lifter({"frames": frames}, fps=12.0)  # images of a 12 fps clip: 0.5 s -> 13 frames at 25 Hz
    assert out["keypoints_3d"].shape == (7, 17, 3) and sum(forward_frames) == 13
    assert out["fps"] == 12.0 and out["frame_rate_resampling"]["lifted_frames"] == 13
    with pytest.raises(ValueError, match="`fps` must be a frame rate in Hz"):
        lifter({"frames": frames}, fps=-12.0)
    old = pipeline("pose-lifting", model=str(lifters["old"]), device="cpu")
    with pytest.warns(UserWarning, match="has no `frame_rate`"):
        out = old(_walk(9, 50.0), image_size=SIZE, fps=50.0)
    assert out["keypoints_3d"].shape == (9, 17, 3) and "frame_rate_resampling" not in out


def test_pipeline_video_is_resampled_to_the_lifter_rate(lifters, tiny_backends, shared_data, forward_frames):
    from transformers import pipeline

    import auglift_hf.models  # noqa: F401
    from auglift_hf.preprocess import register_pipeline

    register_pipeline()
    lifter = pipeline(
        "pose-lifting", model=str(lifters["xyc"]), device="cpu", detector=str(tiny_backends["detector"]),
        pose_estimator=str(tiny_backends["pose"]), depth_estimator=None, detector_threshold=0.0,
    )  # fmt: skip
    video = shared_data / "video" / "street_demo.mp4"
    out = lifter(str(video))
    assert out["fps"] == pytest.approx(5.0) and out["keypoints_3d"].shape == (5, 17, 3)
    assert sum(forward_frames) == 21  # 0.8 s at 25 Hz
    assert out["frame_rate_resampling"]["input_fps"] == pytest.approx(5.0)
    with pytest.raises(ValueError, match="contradicts the video's frame rate 5"):
        lifter(str(video), fps=30.0)


@pytest.mark.parametrize("bad", [0, -25, "25", True, "NaN"])
def test_keypoints_file_with_a_bad_fps_is_refused_naming_the_field(lifters, tmp_path, bad):
    src = tmp_path / "walk.json"
    obj = {"keypoints_2d": _walk(5, 50.0).tolist(), "image_size": list(SIZE), "fps": bad}
    src.write_text(json.dumps(obj).replace('"NaN"', "NaN"))
    out = tmp_path / "out.json"
    code, err, _ = _cli([src, "--model", lifters["xy"], "--out", out])
    assert code == 2 and not out.exists()
    assert "`fps` must be a frame rate in Hz, a finite number > 0" in err and len(err.strip().splitlines()) == 1
    obj["fps"] = None  # null: an unknown rate, lifted as given with a warning
    src.write_text(json.dumps(obj))
    code, err, _ = _cli([src, "--model", lifters["xy"], "--out", out])
    assert code == 0 and "frame rate is unknown" in err
