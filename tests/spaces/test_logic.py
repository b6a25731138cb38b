import json

import numpy as np
import pytest
from auglift_space_helpers import alphapose_json

from auglift_hf.export import read_bvh


@pytest.fixture(scope="module")
def logic(space_app):
    import demo_logic

    return demo_logic


@pytest.fixture(scope="module")
def specs(space_app):
    return space_app.SPECS  # AUGLIFT_MODELS as seen when the app was imported


def test_module_level_demo(space_app):
    import gradio as gr

    assert isinstance(space_app.demo, gr.Blocks)
    assert list(space_app.SPECS) == ["poseformer-xycd", "poseformer-xy"]


def test_readme_front_matter():
    from auglift_space_helpers import APP_DIR
    from huggingface_hub import RepoCard

    meta = RepoCard.load(APP_DIR / "README.md").data.to_dict()
    for key in ("sdk", "sdk_version", "app_file", "models", "license", "short_description"):
        assert meta.get(key), key
    assert meta["sdk"] == "gradio" and meta["app_file"] == "app.py" and int(meta["sdk_version"].split(".")[0]) >= 6
    assert len(meta["short_description"]) <= 60
    reqs = (APP_DIR / "requirements.txt").read_text().lower()
    assert not any(line.strip().startswith("gradio") for line in reqs.splitlines())


def test_parse_and_lift(logic, specs):
    seq, depth = logic.parse_keypoints_bytes(alphapose_json(6).encode())
    assert seq.keypoints.shape == (6, 17, 2) and depth is None
    with pytest.raises(logic.DemoError, match="image width and height"):
        logic.resolve_image_size(seq.image_size, 0, 0)  # never guessed from the keypoints
    with pytest.raises(logic.DemoError, match="outside"):
        logic.resolve_image_size(None, 5, 5)  # the bounds `auglift lift` applies
    with pytest.raises(logic.DemoError, match="contradicts"):
        logic.resolve_image_size((640, 480), 480, 640)
    size = logic.resolve_image_size(seq.image_size, 640, 480)
    assert size == (640, 480) and logic.resolve_image_size((1812, 1004), 0, 0) == (1812, 1004)
    result = logic.LiftResult(seq.keypoints, seq.scores, size)
    logic.lift_all(result, specs, ["poseformer-xycd", "poseformer-xy"])
    for poses in result.poses.values():
        assert poses.shape == (6, 17, 3) and np.isfinite(poses).all()
        np.testing.assert_allclose(poses[:, 0], 0, atol=1e-6)  # root-relative
    assert any("no-depth input" in n for n in result.notes)  # XYCD without depth says so
    overlay, depth_img, figures = logic.frame_views(result, 3)
    assert overlay.ndim == 3 and overlay.dtype == np.uint8 and depth_img is None
    assert set(figures) == {"poseformer-xycd", "poseformer-xy"}
    fig = figures["poseformer-xy"]
    assert sum(len([v for v in t.x if v is not None]) for t in fig.data[:3]) == 2 * 16  # 16 bones


def test_own_format_with_depth(logic, specs):
    seq = np.random.default_rng(0).uniform(100, 400, (3, 17, 2))
    obj = {"keypoints_2d": seq.tolist(), "scores": np.full((3, 17), 0.9).tolist(), "image_size": [640, 480],
           "depth": np.full((3, 17), 4.0).tolist()}  # fmt: skip
    parsed, depth = logic.parse_keypoints_bytes(json.dumps(obj).encode())
    assert parsed.image_size == (640, 480) and depth.shape == (3, 17, 1)
    result = logic.LiftResult(parsed.keypoints, parsed.scores, parsed.image_size)
    logic.lift_all(result, specs, ["poseformer-xycd"], depth)
    # nothing to say but that the tiny folder (saved without a contract) records no frame rate
    assert len(result.notes) == 1 and "has no `frame_rate`" in result.notes[0]


@pytest.mark.parametrize(
    "data, match",
    [
        (b"\xff\xfe not json", "not valid JSON"),
        (b"{}", "unrecognised"),
        (b"x" * (5 * 1024 * 1024 + 1), "limit"),
        (json.dumps({"keypoints_2d": [[[0, 0]] * 17], "depth": [[1.0] * 3]}).encode(), "depth"),
    ],
)
def test_bad_keypoints(logic, data, match):
    with pytest.raises(logic.DemoError, match=match):
        logic.parse_keypoints_bytes(data)


def test_unknown_model_and_images(logic, specs):
    seq, _ = logic.parse_keypoints_bytes(alphapose_json(2).encode())
    result = logic.LiftResult(seq.keypoints, seq.scores, (640, 480))
    with pytest.raises(logic.DemoError, match="unknown model"):
        logic.lift_all(result, specs, ["/etc/passwd"])
    with pytest.raises(logic.DemoError, match="could not be decoded"):
        logic.check_image_bytes(b"not an image")


def test_downloads(logic, specs, tmp_path):
    seq, _ = logic.parse_keypoints_bytes(alphapose_json(4).encode())
    result = logic.LiftResult(seq.keypoints, seq.scores, (640, 480), fps=25.0)
    logic.lift_all(result, specs, ["poseformer-xy"])
    files = logic.write_downloads(result, tmp_path)
    assert sorted(p.rsplit(".", 1)[1] for p in files) == ["bvh", "json", "npz"]
    motion = json.loads((tmp_path / "poseformer-xy.json").read_text())
    assert np.asarray(motion["keypoints_3d"]).shape == (4, 17, 3) and motion["fps"] == 25.0
    assert read_bvh(tmp_path / "poseformer-xy.bvh").motion.shape[0] == 4


def test_app_refuses_paths_outside_uploads(space_app, keypoints_file):
    out = space_app.lift_keypoints(str(keypoints_file), "poseformer-xy", "poseformer-xycd")
    assert out[0].startswith("**Error:**") and "not an uploaded file" in out[0]
    out = space_app.lift_keypoints("/etc/passwd", "poseformer-xy", None)
    assert "not an uploaded file" in out[0]


def test_depth_of_the_wrong_kind_is_refused_and_flip_test_is_used(logic, specs, tmp_path):
    import shutil

    from auglift_hf.contract import InputContract

    folder = tmp_path / "xycd-metric"
    shutil.copytree(specs["poseformer-xycd"], folder)
    cfg = json.loads((folder / "preprocessor_config.json").read_text())
    cfg.update({**InputContract.metric().to_dict(), "frame_rate": 25.0})
    (folder / "preprocessor_config.json").write_text(json.dumps(cfg))
    kp = np.random.default_rng(0).uniform(100, 400, (3, 17, 2))
    sc, depth = np.full((3, 17), 0.9), np.full((3, 17, 1), 4.0)
    with pytest.raises(logic.DemoError, match="depth_kind='metric'.*depth_kind='relative'"):
        logic.lift(str(folder), kp, sc, (640, 480), depth, "relative")
    poses, note = logic.lift(str(folder), kp, sc, (640, 480), depth, "metric", fps=25.0)
    assert note is None and np.isfinite(poses).all()
    # no depth (a keypoints upload): an explicit override, recorded in the note
    _, note = logic.lift(str(folder), kp, sc, (640, 480), None)
    assert "flat depth" in note and "override:" in note
    # flip test: the Space's output equals the model's flip-test prediction
    import torch

    model, processor = logic.load_model(str(folder))
    x = processor(kp, (640, 480), scores=sc, depth=depth, return_tensors="pt")["keypoints"].float()
    with torch.no_grad():
        ref = processor.post_process(model(keypoints=x, flip_test=True).poses_3d)
    # millimetres in float32: values of ~400 mm carry ~3e-5 mm of rounding, and batch composition changes the
    # summation order, so 1e-4 mm was flaky across CPUs (1.2e-4 seen); a micrometre still catches any real change
    np.testing.assert_allclose(poses, ref, atol=1e-3)


def test_motionbert_folder_is_listed_and_lifts(logic, tmp_path, monkeypatch):
    """A ``checkpoints/motionbert*`` folder joins the default model list; it lifts whole sequences (stitched clips)."""
    import torch

    from auglift_hf.models import MotionBERTConfig, MotionBERTForPoseLifting
    from auglift_hf.processing_lifting import PoseLiftingProcessor

    folder = tmp_path / "checkpoints" / "motionbert-lite"
    torch.manual_seed(0)
    config = MotionBERTConfig(num_frames=4, num_input_channels=3, dim_feat=8, dim_rep=8, depth=1, num_heads=2)
    MotionBERTForPoseLifting(config).save_pretrained(folder)
    processor = PoseLiftingProcessor(
        input_channels=["x", "y", "c"], num_frames=4, coordinate_normalization="motionbert", frame_rate=25.0
    )
    processor.save_pretrained(folder)
    (tmp_path / "checkpoints" / "motionbert-empty").mkdir()  # no config.json: not listed
    monkeypatch.delenv("AUGLIFT_MODELS", raising=False)
    monkeypatch.setattr(logic, "REPO_ROOT", tmp_path)
    specs = logic.model_specs()
    assert specs["motionbert-lite"] == str(folder) and "motionbert-empty" not in specs
    assert specs["poseformer-xy"] == "auglift/poseformer-xy"  # no shipped PoseFormer in this fake root
    seq, _ = logic.parse_keypoints_bytes(alphapose_json(6).encode())
    poses, note = logic.lift(specs["motionbert-lite"], seq.keypoints, seq.scores, (640, 480), fps=25.0)
    assert poses.shape == (6, 17, 3) and np.isfinite(poses).all() and note is None
    # a 50 fps upload: MotionBERT lifts the sequence at 25 Hz, one pose per input frame comes back
    resampled = {}
    kp50 = np.repeat(seq.keypoints, 2, axis=0)[:11]
    poses, note = logic.lift(specs["motionbert-lite"], kp50, None, (640, 480), fps=50.0, resampled=resampled)
    assert poses.shape == (11, 17, 3) and np.isfinite(poses).all() and resampled["lifted_frames"] == 6
    assert "trained at 25 Hz" in note
    np.testing.assert_allclose(poses[:, 0], 0, atol=1e-6)


def test_upload_without_scores_gets_each_lifters_score_fill(logic, specs, tmp_path):
    """A keypoints upload without a score column: a c-lifter is fed its contract's score_fill, said in the notes
    and the downloads; a folder saved without the field gets 1.0 with a note naming it; the XY model needs none."""
    import shutil

    from auglift_hf.processing_lifting import PoseLiftingProcessor

    folder = tmp_path / "xycd-fill"
    shutil.copytree(specs["poseformer-xycd"], folder)
    cfg = json.loads((folder / "preprocessor_config.json").read_text())
    cfg["score_fill"] = 0.8
    (folder / "preprocessor_config.json").write_text(json.dumps(cfg))
    assert PoseLiftingProcessor.from_pretrained(folder).score_fill == 0.8
    models = {"xycd-fill": str(folder), "old": specs["poseformer-xycd"], "xy": specs["poseformer-xy"]}
    rng = np.random.default_rng(0)
    kp = rng.uniform([250, 100], [390, 400], (5, 17, 2))
    seq, _ = logic.parse_keypoints_bytes(json.dumps({"keypoints_2d": kp.tolist(), "image_size": [640, 480]}).encode())
    assert seq.scores is None
    result = logic.LiftResult(seq.keypoints, seq.scores, (640, 480), presence=seq.presence)
    logic.lift_all(result, models, list(models))
    assert any("c = 0.8" in n and "score_fill" in n for n in result.notes)
    assert any("no `score_fill`" in n and "c = 1" in n for n in result.notes)
    assert result.score_fills == {"xycd-fill": 0.8, "old": 1.0}
    explicit, _ = logic.lift(str(folder), seq.keypoints, np.full((5, 17), 0.8), (640, 480))
    np.testing.assert_allclose(result.poses["xycd-fill"], explicit, atol=1e-4)
    logic.write_downloads(result, tmp_path / "out")
    meta = json.loads((tmp_path / "out" / "xycd-fill.json").read_text())
    assert meta["metadata"]["score_fill"] == 0.8 and meta["metadata"]["scores_given"] is False
    np.testing.assert_allclose(meta["scores"], 0.8, atol=1e-6)
    assert "score_fill" not in json.loads((tmp_path / "out" / "xy.json").read_text())["metadata"]
    overlay, _, _ = logic.frame_views(result, 0)  # drawn with the presence as confidence
    assert overlay.dtype == np.uint8


def test_upload_with_fps_is_lifted_at_each_lifters_frame_rate(logic, specs, tmp_path, monkeypatch):
    """A 50 fps keypoints upload: a lifter trained at 25 Hz sees 25 Hz (its 3D resampled back to every frame, said
    in the notes and the downloads); a folder without ``frame_rate`` is fed as given with a note naming the field."""
    import shutil

    from auglift_hf.models import PoseFormerForPoseLifting

    folder = tmp_path / "xy-25hz"
    shutil.copytree(specs["poseformer-xy"], folder)
    cfg = json.loads((folder / "preprocessor_config.json").read_text())
    cfg["frame_rate"] = 25.0
    (folder / "preprocessor_config.json").write_text(json.dumps(cfg))
    seen = []
    forward = PoseFormerForPoseLifting.forward

    def spy(self, *args, **kwargs):
        seen.append(int(kwargs["keypoints"].shape[0]))
        return forward(self, *args, **kwargs)

    monkeypatch.setattr(PoseFormerForPoseLifting, "forward", spy)
    t = np.arange(21)[:, None, None] / 50.0
    kp = np.random.default_rng(0).uniform([250, 100], [390, 400], (1, 17, 2)) + 40 * np.sin(2 * np.pi * t)
    upload = {"keypoints_2d": kp.tolist(), "image_size": [640, 480], "fps": 50.0}
    seq, _ = logic.parse_keypoints_bytes(json.dumps(upload).encode())
    assert seq.fps == 50.0
    result = logic.LiftResult(seq.keypoints, seq.scores, (640, 480), fps=seq.fps, presence=seq.presence)
    models = {"xy-25hz": str(folder), "old": specs["poseformer-xy"]}
    logic.lift_all(result, models, list(models))
    assert seen == [11, 21]  # 21 frames at 50 fps -> 11 at 25 Hz; the old folder: as given
    assert result.poses["xy-25hz"].shape == (21, 17, 3) and result.poses["old"].shape == (21, 17, 3)
    assert any("xy-25hz was trained at 25 Hz" in n for n in result.notes)
    assert any("no `frame_rate`" in n for n in result.notes)
    sub, _ = logic.lift(str(folder), seq.keypoints[::2], None, (640, 480), fps=25.0)
    np.testing.assert_allclose(result.poses["xy-25hz"][::2], sub, atol=1e-4)  # the 25 Hz subsample's 3D
    logic.write_downloads(result, tmp_path / "out")
    meta = json.loads((tmp_path / "out" / "xy-25hz.json").read_text())["metadata"]
    assert meta["frame_rate_resampling"]["input_fps"] == 50.0 and meta["frame_rate_resampling"]["lifted_frames"] == 11
    assert "frame_rate_resampling" not in json.loads((tmp_path / "out" / "old.json").read_text())["metadata"]
