import sys
from pathlib import Path

import numpy as np
import pytest
import torch

sys.path.insert(0, str(Path(__file__).parent))
from auglift_tiny_lifters import FAMILIES, make_lifter_folder, tiny_model  # noqa: E402

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

from auglift_hf.cli import main  # noqa: E402
from auglift_hf.export.onnx import export_onnx, input_frames  # noqa: E402


@pytest.mark.parametrize("family", FAMILIES)
def test_export_matches_pytorch_with_dynamic_batch(tmp_path, family):
    import onnxruntime as ort

    model = tiny_model(family, num_channels=4)
    result = export_onnx(model, tmp_path / "m.onnx")
    assert result.max_abs_diff is not None and result.max_abs_diff <= 1e-4
    session = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    frames = input_frames(model.config)
    for batch in (1, 7):
        x = torch.randn(batch, frames, 17, 4)
        (got,) = session.run(None, {"keypoints": x.numpy()})
        with torch.no_grad():
            ref = model(keypoints=x).poses_3d.numpy()
        assert got.shape == ref.shape == (batch, 1, 17, 3)
        np.testing.assert_allclose(got, ref, atol=1e-4)
    assert session.get_inputs()[0].shape[0] == "batch"


def test_cli_export_prints_diff(tmp_path, capsys):
    folder = make_lifter_folder(tmp_path, "poseformer", 2, with_card=False)
    assert main(["export", "onnx", str(folder), str(tmp_path / "out" / "m.onnx")]) == 0
    out = capsys.readouterr().out
    assert "max abs diff" in out and (tmp_path / "out" / "m.onnx").is_file()
    diff = float(out.split("max abs diff")[1].split()[0])
    assert diff <= 1e-4


def test_cli_export_missing_folder(tmp_path, capsys):
    assert main(["export", "onnx", str(tmp_path), str(tmp_path / "m.onnx")]) == 5  # incompatible model folder
    assert "config.json" in capsys.readouterr().err
    assert not (tmp_path / "m.onnx").exists()


def test_cli_bvh_from_motion(tmp_path, capsys):
    from auglift_hf.export import read_bvh, save_motion_json

    rng = np.random.default_rng(0)
    save_motion_json(tmp_path / "m.json", rng.normal(0, 300, (5, 17, 3)), fps=30)
    assert main(["export", "bvh", str(tmp_path / "m.json"), str(tmp_path / "m.bvh")]) == 0
    skel = read_bvh(tmp_path / "m.bvh")
    assert skel.motion.shape[0] == 5 and skel.frame_time == pytest.approx(1 / 30)
