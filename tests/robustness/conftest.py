"""Fixtures for the robustness suite: every bad input is written here by the test itself (no shared data).

``run_cli`` calls ``auglift_hf.cli.main`` in-process and returns ``(exit code, stdout, stderr)``; the helpers
assert the error contract of :mod:`auglift_hf.errors`: exactly one stderr line ``auglift <cmd>: error: ...``
naming the file or option, and no traceback.
"""

from __future__ import annotations

import json
import math
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest

CAM_IDS = ("54138969", "55011271", "58860488", "60457274")


def look_at(position: np.ndarray, target=(0.0, 0.0, 1.0)) -> np.ndarray:
    """MMPose-convention R (columns = camera right, down, forward in world; world z up)."""
    fwd = np.asarray(target, float) - position
    fwd /= np.linalg.norm(fwd)
    right = np.cross(fwd, [0.0, 0.0, 1.0])
    right /= np.linalg.norm(right)
    return np.stack([right, np.cross(fwd, right), fwd], 1)


def make_cameras(subjects=("S1", "S2", "S9")) -> dict:
    """H36M-like cameras.pkl content: four cameras 5 m from the origin, 1.5 m high, looking at the person."""
    cams = {}
    for s in subjects:
        for i, cid in enumerate(CAM_IDS):
            ang = np.pi / 4 + i * np.pi / 2
            pos = np.array([5 * np.cos(ang), 5 * np.sin(ang), 1.5])
            cams[(s, cid)] = {"R": look_at(pos), "T": pos.reshape(3, 1), "f": np.array([1145.0, 1144.0]),
                              "c": np.array([512.0, 515.0]), "w": 1000, "h": 1002}  # fmt: skip
    return cams


def make_motion(frames: int, seed: int = 0) -> np.ndarray:
    """(frames, 17, 3) world metres: procedural walking (auglift_hf.simulation.motion), a 1.7 m person near the origin."""
    from auglift_hf.simulation.motion import generate_motion

    return generate_motion("walking", frames, fps=50.0, seed=seed).astype(np.float64)


def write_h36m(folder: Path, positions: dict | None = None, cameras: dict | None = None) -> dict[str, Path]:
    """VideoPose3D ``data_3d_h36m.npz`` + MMPose ``cameras.pkl`` (S1 train, S9 test by default)."""
    folder.mkdir(parents=True, exist_ok=True)
    positions = positions or {"S1": {"Walking": make_motion(30, 1)}, "S9": {"Walking": make_motion(30, 2)}}
    np.savez(folder / "data_3d_h36m.npz", positions_3d=positions)
    with open(folder / "cameras.pkl", "wb") as fh:
        pickle.dump(cameras or make_cameras(), fh, protocol=2)
    return {"positions": folder / "data_3d_h36m.npz", "cameras": folder / "cameras.pkl"}


@pytest.fixture
def h36m(tmp_path) -> dict[str, Path]:
    return write_h36m(tmp_path / "h36m_src")


@pytest.fixture(autouse=True)
def _no_debug(monkeypatch):
    monkeypatch.delenv("AUGLIFT_DEBUG", raising=False)


@pytest.fixture
def run_cli(capsys):
    from auglift_hf.cli import main

    def run(*argv) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def assert_one_line_error(err: str, command: str, *names: str) -> str:
    """Exactly one stderr line ``auglift <command>: error: ...`` that contains every ``names``; no traceback."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one stderr line, got {len(lines)}:\n{err}"
    line = lines[0]
    assert line.startswith(f"auglift {command}: error: "), line
    assert "Traceback" not in err
    for name in names:
        assert str(name) in line, f"{name!r} not named in: {line}"
    return line


def assert_finite_json(path: Path) -> None:
    """The file parses as strict JSON (no NaN / Infinity tokens) and holds only finite numbers."""

    def reject(token):
        raise AssertionError(f"{path}: non-finite token {token}")

    data = json.loads(Path(path).read_text(), parse_constant=reject)

    def walk(x):
        if isinstance(x, float):
            assert math.isfinite(x)
        elif isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(data)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Relative path -> bytes of every file under ``folder`` (to prove an old output is intact)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(Path(folder).rglob("*")) if p.is_file()}


def siblings(path: Path) -> list[str]:
    """Hidden temp names next to ``path`` (what a failed or killed write might leave)."""
    return sorted(p.name for p in Path(path).parent.iterdir() if p.name.startswith(f".{Path(path).name}."))


# ----------------------------------------------------------------------------------------------- lifters


def tiny_lifter(folder: Path, family: str = "tcn", channels=("x", "y"), **config) -> Path:
    """A tiny random lifter saved like a Hub repo (config, safetensors, processor, card, remote code)."""
    import torch

    import auglift_hf.models as models
    from auglift_hf.processing_lifting import PoseLiftingProcessor

    torch.manual_seed(0)
    channels = list(channels)
    if family == "tcn":
        cfg = models.TCNConfig(**{"filter_widths": [3], "channels": 16, "input_channels": channels, **config})
        model = models.TCNForPoseLifting(cfg)
    elif family == "poseformer":
        cfg = models.PoseFormerConfig(
            **{"num_frames": 3, "input_channels": channels, "embed_dim_ratio": 8, "depth": 1, "num_heads": 2, **config}
        )
        model = models.PoseFormerForPoseLifting(cfg)
    else:
        cfg = models.SimpleBaselineConfig(**{"hidden_size": 32, "num_blocks": 1, "input_channels": channels, **config})
        model = models.SimpleBaselineForPoseLifting(cfg)
    folder = Path(folder)
    model.eval().save_pretrained(folder)
    PoseLiftingProcessor.from_model_config(model.config, num_frames=models.input_frames(model.config)).save_pretrained(
        folder
    )
    (folder / "README.md").write_text("---\nlicense: apache-2.0\nlibrary_name: transformers\n---\n\n# tiny lifter\n")
    return folder


def edit_config(folder: Path, **changes) -> Path:
    path = Path(folder) / "config.json"
    config = json.loads(path.read_text())
    config.update(changes)
    path.write_text(json.dumps(config))
    return folder


@pytest.fixture(scope="session")
def lifters(tmp_path_factory) -> dict[str, Path]:
    """Good and broken lifter folders, built once per session (copy before mutating)."""
    root = tmp_path_factory.mktemp("lifters")
    good = tiny_lifter(root / "tcn-xy")
    xycd = tiny_lifter(root / "tcn-xycd", channels=("x", "y", "c", "d"))
    pf = tiny_lifter(root / "poseformer-xy", "poseformer")
    out = {"good": good, "xycd": xycd, "poseformer": pf}
    out["deeper"] = edit_config(shutil.copytree(good, root / "deeper"), filter_widths=[3, 3])  # more layers
    out["channels"] = edit_config(
        shutil.copytree(good, root / "channels"), input_channels=["x", "y", "c", "d"], num_input_channels=4
    )
    out["bert"] = edit_config(shutil.copytree(good, root / "bert"), model_type="bert")
    other = shutil.copytree(good, root / "other-weights")
    shutil.copy(pf / "model.safetensors", other / "model.safetensors")
    out["other"] = other
    trunc = shutil.copytree(good, root / "truncated")
    data = (trunc / "model.safetensors").read_bytes()
    (trunc / "model.safetensors").write_bytes(data[: len(data) // 2])
    out["truncated"] = trunc
    empty = shutil.copytree(good, root / "empty")
    (empty / "model.safetensors").write_bytes(b"")
    out["empty"] = empty
    return out


#: broken lifter folder -> words the one-line error must contain
BROKEN_LIFTERS = {
    "deeper": "missing weight",
    "channels": "shape mismatch",
    "bert": "model_type 'bert'",
    "other": "unexpected weight",
    "truncated": "unreadable safetensors",
    "empty": "unreadable safetensors",
}


# ------------------------------------------------------------------------------------------------ tables


@pytest.fixture(scope="session")
def tables(tmp_path_factory) -> dict[str, Path]:
    """Tiny frame tables: ``xy`` (no depth column) and ``xycd`` (synthetic depth), procedural motion."""
    from auglift_hf.data.schema import write_frame_table
    from auglift_hf.training.quickstart import build_table, procedural_records

    root = tmp_path_factory.mktemp("tables")
    xycd = build_table(
        procedural_records(num_train=2, num_test=1, num_frames=30, seed=0, progress=False), root / "xycd", "toy",
        progress=False,
    )  # fmt: skip
    recs = procedural_records(num_train=2, num_test=1, num_frames=30, seed=1, progress=False)
    write_frame_table(recs, root / "nodepth", dataset_name="toy", progress=False)
    return {"xycd": xycd, "nodepth": root / "nodepth"}
