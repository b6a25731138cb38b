"""Keypoints without detector scores: every entry point feeds a c-lifter its contract's ``score_fill``.

Files with a score column keep their scores; folders saved without the field fall back to 1.0 with a warning
naming the missing field; what reaches the model's ``c`` channel is checked on the processed input tensor.
"""

from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pytest

from auglift_hf.contract import InputContract
from auglift_hf.preprocess.io_keypoints import parse_keypoints, read_keypoints_json
from auglift_hf.preprocess.pipeline import lift_keypoints
from auglift_hf.processing_lifting import PoseLiftingProcessor

XYC = ["x", "y", "c"]
FILL = 0.8  # not a value any default produces: what reaches the model is the contract's
SIZE = (128, 96)


def _save_lifter(folder, channels, score_fill):
    import torch

    import auglift_hf.models  # noqa: F401
    from auglift_hf.models import TCNConfig, TCNForPoseLifting

    torch.manual_seed(0)
    TCNForPoseLifting(TCNConfig(filter_widths=[3], channels=16, input_channels=list(channels))).eval().save_pretrained(
        folder
    )
    contract = InputContract(keypoint_definition="h36m", score_fill=score_fill)
    PoseLiftingProcessor(input_channels=list(channels), num_frames=3, **contract.to_dict()).save_pretrained(folder)
    if score_fill is None and "c" in channels:  # a folder saved before the field existed: no `score_fill` key
        path = folder / "preprocessor_config.json"
        cfg = json.loads(path.read_text())
        cfg.pop("score_fill")
        path.write_text(json.dumps(cfg, indent=2))
    return folder


@pytest.fixture(scope="module")
def lifters(tmp_path_factory):
    root = tmp_path_factory.mktemp("fill_lifters")  # a path without "score_fill": the CLI tests grep stderr for it
    return {
        "xyc": _save_lifter(root / "xyc", XYC, FILL),
        "old": _save_lifter(root / "xyc-old", XYC, None),
        "xy": _save_lifter(root / "xy", ["x", "y"], None),
    }


def _keypoints(frames: int = 6) -> np.ndarray:
    """``(frames, 17, 2)`` H36M pixels inside a 128 x 96 image, moving a little."""
    rng = np.random.default_rng(0)
    base = rng.uniform([30, 15], [100, 85], (17, 2))
    return (base[None] + np.arange(frames)[:, None, None] * 0.7).astype(np.float32)


def _record_inputs(model):
    """Keep every ``keypoints`` tensor the model is called with."""
    seen = []
    model.register_forward_pre_hook(lambda _m, _a, kw: seen.append(kw["keypoints"].detach().clone()), with_kwargs=True)
    return seen


def _load(folder):
    from auglift_hf.models import load_lifter

    return load_lifter(folder), PoseLiftingProcessor.from_pretrained(folder)


# ------------------------------------------------------------------------------------------------ lift_keypoints
def test_lift_keypoints_without_scores_feeds_exactly_the_contract_value(lifters):
    model, proc = _load(lifters["xyc"])
    assert proc.score_fill == FILL
    seen = _record_inputs(model)
    with pytest.warns(UserWarning, match=r"no detector scores: feeding .*xyc confidence c = 0\.8, the `score_fill`"):
        poses = lift_keypoints(model, proc, _keypoints(), SIZE)
    c = np.concatenate([s[..., 2].numpy() for s in seen])
    np.testing.assert_allclose(c, 2 * FILL - 1, atol=1e-6)  # the processor encodes c as 2 c - 1
    explicit = lift_keypoints(model, proc, _keypoints(), SIZE, scores=np.full((6, 17), FILL))
    np.testing.assert_allclose(poses, explicit, atol=1e-6)


def test_lift_keypoints_old_folder_falls_back_to_one_with_a_warning(lifters):
    model, proc = _load(lifters["old"])
    assert proc.score_fill is None and "score_fill" not in json.loads(
        (lifters["old"] / "preprocessor_config.json").read_text()
    )
    seen = _record_inputs(model)
    with pytest.warns(UserWarning, match=r"xyc-old's preprocessor_config\.json has no `score_fill`.*c = 1") as rec:
        lift_keypoints(model, proc, _keypoints(), SIZE)
    assert all("\n" not in str(w.message) for w in rec)
    np.testing.assert_allclose(np.concatenate([s[..., 2].numpy() for s in seen]), 1.0)


def test_processor_itself_never_fills(lifters):
    proc = PoseLiftingProcessor.from_pretrained(lifters["xyc"])
    with pytest.raises(ValueError, match="`scores` are required"):
        proc(_keypoints(), SIZE)


# ------------------------------------------------------------------------------------------------ readers
def test_reader_does_not_invent_scores(tmp_path):
    kp = _keypoints(4).astype(np.float64)
    kp[2, 5] = np.nan  # one joint missing
    seq = parse_keypoints({"keypoints_2d": kp.tolist(), "image_size": list(SIZE)}, "gt.json")
    assert seq.scores is None and not seq.has_scores
    assert seq.presence.shape == (4, 17) and seq.presence[2, 5] == 0 and seq.presence.sum() == 4 * 17 - 1
    given = np.full((4, 17), 0.7)
    with_scores = parse_keypoints({"keypoints_2d": kp.tolist(), "scores": given.tolist()}, "det.json")
    assert with_scores.has_scores and with_scores.scores[0, 0] == pytest.approx(0.7)
    assert with_scores.scores[2, 5] == 0  # missing joint: score 0, as before
    # (F, 17, 3) keypoints carry their scores
    triple = np.concatenate([_keypoints(2), np.full((2, 17, 1), 0.6, np.float32)], -1)
    assert parse_keypoints({"keypoints_2d": triple.tolist()}, "t.json").scores[0, 0] == pytest.approx(0.6)
    # a COCO-17 file without scores: H36M joints synthesised from partly missing sources keep their seen share
    coco = np.random.default_rng(1).uniform(20, 90, (3, 17, 2))
    coco[1, 11] = np.nan  # left hip missing -> pelvis (mean of the hips) is half present
    seq = parse_keypoints({"keypoints_2d": coco.tolist(), "joint_format": "coco"}, "coco.json")
    assert seq.scores is None and seq.presence[1, 0] == pytest.approx(0.5) and seq.presence[0, 0] == 1
    # auglift lift's own output of scoreless input is read back as scoreless (its scores were a fill)
    again = parse_keypoints({"keypoints_2d": kp.tolist(), "scores": (0.8 * seq_ones(4)).tolist(),
                             "scores_given": False}, "out.json")  # fmt: skip
    assert again.scores is None
    path = tmp_path / "gt.json"
    path.write_text(json.dumps({"keypoints_2d": _keypoints(3).tolist()}))
    assert read_keypoints_json(path).scores is None


def seq_ones(frames: int) -> np.ndarray:
    return np.ones((frames, 17))


# ------------------------------------------------------------------------------------------------ pipeline / CLI
def _write(path, scores=None, frames: int = 6):
    obj = {"keypoints_2d": _keypoints(frames).tolist(), "image_size": list(SIZE)}
    if scores is not None:
        obj["scores"] = np.asarray(scores).tolist()
    path.write_text(json.dumps(obj))
    return path


def _cli(args):
    from auglift_hf.cli import main

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["lift", *map(str, args), "--device", "cpu"])
    return code, err.getvalue()


def test_cli_file_without_scores_gets_the_contract_value(lifters, tmp_path):
    src = _write(tmp_path / "gt.json")
    code, err = _cli([src, "--model", lifters["xyc"], "--out", tmp_path / "out.json"])
    assert code == 0, err
    warned = [line for line in err.splitlines() if "score_fill" in line]
    assert len(warned) == 1 and "c = 0.8" in warned[0]
    res = json.loads((tmp_path / "out.json").read_text())
    assert res["scores_given"] is False and res["score_fill"] == FILL
    np.testing.assert_allclose(res["scores"], FILL)
    # identical to the same file with a constant score column of the fill value
    const = _write(tmp_path / "const.json", np.full((6, 17), FILL))
    assert _cli([const, "--model", lifters["xyc"], "--out", tmp_path / "const_out.json"])[0] == 0
    ref = json.loads((tmp_path / "const_out.json").read_text())
    assert ref["scores_given"] is True and "score_fill" not in ref
    np.testing.assert_allclose(res["keypoints_3d"], ref["keypoints_3d"], atol=0.011)
    # NPZ output records the same
    assert _cli([src, "--model", lifters["xyc"], "--out", tmp_path / "out.npz"])[0] == 0
    with np.load(tmp_path / "out.npz") as npz:
        assert float(npz["score_fill"]) == FILL and not bool(npz["scores_given"])


def test_cli_file_with_scores_keeps_them(lifters, tmp_path, monkeypatch):
    from auglift_hf.models import TCNForPoseLifting

    seen = []
    forward = TCNForPoseLifting.forward

    def spy(self, *args, **kwargs):
        seen.append(kwargs["keypoints"].detach().clone())
        return forward(self, *args, **kwargs)

    monkeypatch.setattr(TCNForPoseLifting, "forward", spy)
    scores = np.random.default_rng(2).uniform(0.3, 1.0, (6, 17))
    src = _write(tmp_path / "det.json", scores)
    code, err = _cli([src, "--model", lifters["xyc"], "--out", tmp_path / "out.json"])
    assert code == 0 and "score_fill" not in err
    res = json.loads((tmp_path / "out.json").read_text())
    assert res["scores_given"] is True and "score_fill" not in res
    np.testing.assert_allclose(res["scores"], scores, atol=1e-3)
    np.testing.assert_allclose(seen[0][:, 1, :, 2].numpy(), 2 * scores - 1, atol=1e-5)  # centre frame's c


def test_cli_old_folder_falls_back_to_one_with_a_warning(lifters, tmp_path):
    src = _write(tmp_path / "gt.json")
    code, err = _cli([src, "--model", lifters["old"], "--out", tmp_path / "out.json"])
    assert code == 0
    assert "has no `score_fill` (saved before the field existed): feeding confidence c = 1" in err
    res = json.loads((tmp_path / "out.json").read_text())
    assert res["scores_given"] is False and res["score_fill"] == 1.0
    np.testing.assert_allclose(res["scores"], 1.0)


def test_pipeline_array_input_and_xy_lifter(lifters):
    from transformers import pipeline

    import auglift_hf  # noqa: F401

    lift = pipeline("pose-lifting", model=str(lifters["xyc"]), device="cpu")
    seen = _record_inputs(lift.model)
    kp = _keypoints()
    kp[3, 7] = np.nan  # a missing joint gets score 0, not the fill
    with pytest.warns(UserWarning, match="c = 0.8"):
        out = lift(kp, image_size=SIZE)
    assert out["scores_given"] is False and out["score_fill"] == FILL
    assert out["scores"][3, 7] == 0 and out["scores"][0, 0] == pytest.approx(FILL)
    c = np.concatenate([s[:, 1, :, 2].numpy() for s in seen])  # centre frame of each window
    np.testing.assert_allclose(c, 2 * out["scores"] - 1, atol=1e-6)
    # an XY lifter takes no confidence: nothing is filled, nothing is said
    xy = pipeline("pose-lifting", model=str(lifters["xy"]), device="cpu")
    import warnings

    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        out = xy(_keypoints(), image_size=SIZE)
    assert not [w for w in rec if "score" in str(w.message)]
    assert out["scores_given"] is False and "score_fill" not in out
