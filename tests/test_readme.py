"""Docs test: every ``auglift`` command in README.md runs as written (plus options that only shrink the budget).

The commands run in README order in one sandbox laid out like the repository root: ``checkpoints/`` and
``configs/`` are the repository's, ``../shared/data`` is the shared real data, ``quickstart_out/data/procedural``
is a tiny table built the way ``auglift quickstart`` builds it (``data/h36m`` is built by the README's convert
command, or from procedural motion when the shared data is absent). Commands that read ``../shared/data`` are skipped
when it is absent; image / video commands swap the three Hub models for tiny local ones (the README says they are
downloaded); the official checkpoint of ``convert-checkpoint`` is written here from VideoPose3D's reference model.
A README command without an entry in :data:`FAST` fails ``test_every_readme_command_is_tested``.
"""

from __future__ import annotations

import importlib.util
import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
README = ROOT / "README.md"
TINY = "<tiny>"  # replaced by tiny local backends

#: README command -> extra arguments that only shrink the budget (``TINY`` adds tiny local backends).
FAST: dict[str, list[str]] = {
    "auglift quickstart --smoke --out quickstart_smoke": [],  # tests/training/test_quickstart.py (subprocess)
    "auglift convert h36m --positions-3d ../shared/data/h36m/data_3d_h36m_fk25.npz --cameras "
    "../shared/data/h36m/cameras.pkl --depth-source synthetic --simulate-detector --out data/h36m": [
        "--subjects",
        "S9",
        "--max-frames",
        "30",
        "--no-progress",
    ],  # fmt: skip
    "auglift convert bvh ../shared/data/bandai/bvh --virtual-cameras 1 --bone-lengths h36m --fps 25 --out "
    "data/bandai": ["--max-frames", "20", "--no-progress"],
    "auglift preprocess ../shared/data/video/street_demo.mp4 --out preprocessed/street": [TINY, "--no-progress"],
    "auglift lift ../shared/data/wild/walking_woman_alphapose.json --model checkpoints/tcn-27f-xy --image-size 1812 "
    "1004 --fps 10 --out out.json --plot out.png": [],
    "auglift lift ../shared/data/video/street_demo.mp4 --model checkpoints/tcn-27f-xycd --out street.json": [TINY],
    "auglift train configs/quickstart_tcn27_xycd.yaml": [
        "max_steps=2",
        "eval_steps=2",
        "save_steps=2",
        "max_eval_samples=20",
        "per_device_train_batch_size=16",
        "disable_tqdm=true",
    ],  # fmt: skip
    "auglift evaluate --models checkpoints/tcn-27f-xy checkpoints/tcn-27f-xycd --datasets data/h36m --config "
    "detected2d --out eval/": ["--max-samples", "30", "--no-progress"],
    "auglift convert-checkpoint videopose3d pretrained_h36m_cpn.bin tcn-243f": [],
    "auglift export onnx checkpoints/tcn-27f-xycd tcn-27f-xycd.onnx": [],
    "auglift export bvh out.json out.bvh --fps 10": [],
    "auglift push checkpoints/poseformer-xycd --repo-id auglift/poseformer-xycd --dry-run": [],
}
NEEDS_SHARED = ("../shared/data",)


def readme_commands() -> list[str]:
    """Runnable ``auglift`` commands of README.md: code spans ``auglift <subcommand> <args>`` without placeholders."""
    spans = re.findall(r"`(auglift [^`]+)`", README.read_text())
    out = []
    for span in spans:
        span = " ".join(span.split())
        if len(span.split()) < 3 or any(mark in span for mark in ("<", "\\|", "[", " DIR")):
            continue
        if span not in out:
            out.append(span)
    return out


def test_every_readme_command_is_tested():
    commands = readme_commands()
    assert commands, "no auglift command found in README.md"
    untested = [c for c in commands if c not in FAST]
    assert not untested, f"README commands without a docs test (add them to FAST): {untested}"
    stale = [c for c in FAST if c not in commands]
    assert not stale, f"FAST lists commands that are no longer in README.md: {stale}"


def test_readme_processor_example_passes_keypoint_format_to_from_pretrained():
    import numpy as np

    from auglift_hf import PoseLiftingProcessor

    text = README.read_text()
    assert 'from_pretrained("checkpoints/poseformer-xycd", keypoint_format="coco")' in text
    assert "keypoint_format=" not in text.split("inputs = processor(")[1].split("\n")[0]
    processor = PoseLiftingProcessor.from_pretrained(ROOT / "checkpoints" / "poseformer-xycd", keypoint_format="coco")
    inputs = processor(
        np.random.default_rng(0).uniform(100, 900, (9, 17, 2)), image_size=(1000, 1000), scores=np.ones((9, 17)),
        depth=np.full((9, 17, 1), 4.0), return_tensors="pt",
    )  # fmt: skip
    assert tuple(inputs["keypoints"].shape[-2:]) == (17, 4)


def test_readme_names_the_three_downloaded_models_and_sizes():
    from auglift_hf.preprocess.depth import DEFAULT_DEPTH_MODEL
    from auglift_hf.preprocess.detector import DEFAULT_DETECTOR
    from auglift_hf.preprocess.pose2d import DEFAULT_POSE_MODEL

    text = " ".join(README.read_text().split())
    for model_id, size in (
        (DEFAULT_DETECTOR, "172 MB"),
        (DEFAULT_POSE_MODEL, "344 MB"),
    ):
        assert f"`{model_id}` ({size})" in text
    # the default depth model is AugLift's metric ViT-L (issue 12); its Hub size was not measurable offline
    assert f"metric depth model `{DEFAULT_DEPTH_MODEL}`" in text and "Metric-Indoor-Large" in DEFAULT_DEPTH_MODEL


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    """``<tmp>/repo`` laid out like the repository root, with ``<tmp>/shared`` -> the shared data."""
    base = tmp_path_factory.mktemp("readme")
    repo = base / "repo"
    repo.mkdir()
    for name in ("checkpoints", "configs"):
        (repo / name).symlink_to(ROOT / name)
    if SHARED.is_dir():
        (base / "shared").symlink_to(SHARED.parent)
    from auglift_hf.training.quickstart import build_table, procedural_records

    records = procedural_records(num_train=2, num_test=1, num_frames=40, seed=0, progress=False)
    build_table(records, repo / "quickstart_out" / "data" / "procedural", "procedural", progress=False)
    return repo


def _tiny_backends(root: Path) -> list[str]:
    from auglift_hf.preprocess.testing import save_tiny_backends

    paths = save_tiny_backends(root / "tiny_backends")
    return [
        "--detector",
        str(paths["detector"]),
        "--pose-model",
        str(paths["pose"]),
        "--depth-model",
        str(paths["depth"]),
    ]


def _official_videopose3d_checkpoint(path: Path) -> None:
    """An official-format VideoPose3D checkpoint (``model_pos`` with DataParallel's ``module.`` prefix)."""
    import torch

    spec = importlib.util.spec_from_file_location("official_reference", ROOT / "tests/convert/official_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    reference = module.randomize(module.TemporalModel(17, 2, 17, [3, 3, 3, 3, 3], channels=16))
    torch.save({"epoch": 80, "model_pos": {f"module.{k}": v for k, v in reference.state_dict().items()}}, path)


@pytest.mark.parametrize("command", list(FAST))
def test_readme_command_runs(command, sandbox, monkeypatch, capsys):
    from auglift_hf.cli import main

    if command.startswith("auglift quickstart --smoke"):
        test = (ROOT / "tests/training/test_quickstart.py").read_text()
        assert '"quickstart", "--smoke"' in test  # the subprocess test of the same command
        pytest.skip("run by tests/training/test_quickstart.py::test_quickstart_smoke")
    if any(mark in command for mark in NEEDS_SHARED) and not SHARED.is_dir():
        if "convert h36m" in command:  # later commands need data/h36m: build it from procedural motion instead
            from auglift_hf.training.quickstart import build_table, procedural_records

            recs = procedural_records(num_train=0, num_test=1, num_frames=30, seed=3, progress=False)
            build_table(recs, sandbox / "data" / "h36m", "h36m", progress=False)  # detected2d with depth
        pytest.skip("../shared/data is absent (a user's clone)")
    monkeypatch.chdir(sandbox)
    extra = list(FAST[command])
    if TINY in extra:
        extra[extra.index(TINY) : extra.index(TINY) + 1] = _tiny_backends(sandbox)
    if command.startswith("auglift convert-checkpoint"):
        _official_videopose3d_checkpoint(sandbox / "pretrained_h36m_cpn.bin")
    if command.startswith("auglift export bvh") and not (sandbox / "out.json").is_file():
        pytest.skip("needs out.json from the lift command (../shared/data absent)")
    argv = shlex.split(command)[1:] + extra
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 0, f"{command}\n{err[-2000:]}"
    if "--out" in argv:
        assert (sandbox / argv[argv.index("--out") + 1]).exists()
    if command.startswith("auglift evaluate"):
        md = (sandbox / "eval" / "matrix.md").read_text()
        assert "tcn-27f-xycd" in md and "h36m" in md
        assert "skipped" not in out  # the showcase feeds both lifters what their contract asks for
        assert "fed as missing depth" not in err
